"""Policy maps on a plain layer without the database, against closed forms (fast, no PostGIS).

Data: the SYNTHETIC 6 x 6 lattice of tests/test_qgis_plugin.py (10 km squares, codes in row-major
order) with a first-year field written here: row r adopts in FIRST[r] (None = never). Closed
forms: queen contiguity joins each cell to the 3 cells of the next row that touch it (fewer at
the edges), so each pair of adjacent rows gives 6 vertical + 10 diagonal = 16 arrows; periods
follow the seed001 scheme (before 2008 <= 2007, 2008-2014, 2014-2016 = 2015-2016, after 2016).
"""

from __future__ import annotations

import pytest

from tests.test_qgis_plugin import N_SIDE, synthetic_lattice

pytestmark = pytest.mark.qgis

FIRST = [2007, 2010, 2015, 2016, 2018, None]
PERIOD = ["before 2008", "2008-2014", "2014-2016", "2014-2016", "after 2016", "none"]


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


@pytest.fixture(scope="module")
def adopters(qgis_app, tmp_path_factory):
    """The lattice with an integer field ``adopted`` (row r -> FIRST[r]); no name field."""
    from qgis.core import QgsField
    from qgis.PyQt.QtCore import QVariant

    layer = synthetic_lattice(tmp_path_factory.mktemp("gpkg") / "lattice.gpkg")
    layer.startEditing()
    layer.addAttribute(QgsField("adopted", QVariant.Int))
    layer.updateFields()
    idx = layer.fields().indexOf("adopted")
    for f in layer.getFeatures():
        layer.changeAttributeValue(f.id(), idx, FIRST[int(f["code"]) // N_SIDE])
    assert layer.commitChanges()
    return layer


def test_diffusion_paths_and_periods_without_database(plugin, adopters):
    import processing

    common = {"UNITS": adopters, "UNITS_CODE": "code", "FIRST_YEAR_FIELD": "adopted"}
    res = processing.run("policylink:diffusionpaths", {**common, "OUTPUT": "memory:"})
    arrows = list(res["OUTPUT"].getFeatures())
    # Rows 0-4 adopt in increasing years, row 5 never: 4 row pairs with a later adopter.
    assert res["N_EDGES"] == len(arrows) == 4 * 16
    for a in arrows:
        rs, rt = int(a["source"]) // N_SIDE, int(a["target"]) // N_SIDE
        assert rt == rs + 1 and a["lag_years"] == FIRST[rt] - FIRST[rs]

    res = processing.run("policylink:adoptionperiod", {**common, "OUTPUT": "memory:"})
    for f in res["OUTPUT"].getFeatures():
        r = int(f["code"]) // N_SIDE
        assert f["period"] == PERIOD[r]
        if FIRST[r] is not None:
            assert f["first_year"] == FIRST[r]
    assert res["OUTPUT"].crs().authid() == "EPSG:4326"


def test_neighbour_share_without_database(plugin, adopters):
    import processing

    res = processing.run(
        "policylink:neighbouradoption",
        {
            "UNITS": adopters,
            "UNITS_CODE": "code",
            "FIRST_YEAR_FIELD": "adopted",
            "YEARS": "2015-2016",
            "OUTPUT": "memory:",
        },
    )
    by_code = {f["code"]: f for f in res["OUTPUT"].getFeatures() if f["year"] == 2016}
    # In 2016 rows 0-3 are treated. Unit (4, 0): neighbours (3,0), (3,1), (4,1), (5,0), (5,1):
    # 2 of 5 treated. Unit (2, 2): all 8 neighbours in rows 1-3, treated.
    assert by_code[f"{4 * N_SIDE:06d}"]["share_treated"] == pytest.approx(2 / 5)
    assert by_code[f"{2 * N_SIDE + 2:06d}"]["share_treated"] == pytest.approx(1.0)
    assert by_code[f"{2 * N_SIDE + 2:06d}"]["treated"] == 1
