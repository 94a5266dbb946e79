"""SYNTHETIC labels travel into QGIS: layer names, metadata and fields of results.

Runs on the bundled database (``bundled_url``): the JJJ prefecture panel's ``syn_lnco2`` is a
SYNTHETIC variable. The reference for which variables are synthetic is the database catalogue
itself (``variable.is_synthetic``, read here with psycopg), not the plugin.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qgis

JJJ = "110000,120000,130000"


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


def catalogue_synthetic(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT name FROM variable WHERE is_synthetic").fetchall()
    return {r[0] for r in rows}


def load(url: str, variables: str) -> dict:
    import processing

    return processing.run(
        "policylink:loadpanel",
        {
            "DATABASE_URL": url,
            "LEVEL": 1,
            "WITHIN": JJJ,
            "VARIABLES": variables,
            "YEAR_FROM": 2010,
            "YEAR_TO": 2011,
            "UNITS": "memory:",
            "PANEL": "memory:",
        },
    )


def test_synthetic_jjj_panel_is_labelled_through_every_result(plugin, bundled_url):
    import processing

    from qgis_plugin.core.synthetic import VOCABULARY

    assert "syn_lnco2" in catalogue_synthetic(bundled_url)
    loaded = load(bundled_url, "syn_lnco2")
    assert loaded["N_UNITS"] == 13 and loaded["SYNTHETIC"] == ["syn_lnco2"]
    units, panel = loaded["UNITS"], loaded["PANEL"]
    for layer in (units, panel):
        assert layer.name().endswith(" [SYNTHETIC]"), layer.name()
        assert "SYNTHETIC" in layer.metadata().abstract()
        assert {"syn_lnco2", "syn_lnco2_2010"} <= set(layer.metadata().keywords()[VOCABULARY])

    moran = processing.run(
        "policylink:globalmoran",
        {
            "INPUT": units,
            "ID_FIELD": "code",
            "VALUE_FIELDS": ["syn_lnco2_2010", "syn_lnco2_2011"],
            "PERMUTATIONS": 0,
            "OUTPUT": "memory:",
        },
    )["OUTPUT"]
    assert moran.name().endswith(" [SYNTHETIC]")
    assert "syn_lnco2_2010" in moran.metadata().abstract()
    assert {f["synthetic"] for f in moran.getFeatures()} == {"syn_lnco2_2010, syn_lnco2_2011"}

    lisa = processing.run(
        "policylink:localmoran",
        {
            "INPUT": units,
            "ID_FIELD": "code",
            "FIELD": "syn_lnco2_2011",
            "PERMUTATIONS": 99,
            "OUTPUT": "memory:",
        },
    )["OUTPUT"]
    assert lisa.name().endswith(" [SYNTHETIC]") and lisa.featureCount() == 13
    assert lisa.metadata().keywords()[VOCABULARY] == ["syn_lnco2_2011"]


def test_real_variable_from_the_database_is_checked_not_labelled(plugin, bundled_url):
    import processing

    real = sorted({"gdp", "population"} - catalogue_synthetic(bundled_url))[0]
    loaded = load(bundled_url, real)
    units = loaded["UNITS"]
    assert loaded["SYNTHETIC"] == [] and not units.name().endswith("[SYNTHETIC]")
    assert "checked against the PolicyLink database catalogue" in units.metadata().abstract()
    # A field added here (any numbers): the layer's catalogue check travels with it.
    from qgis.core import QgsField
    from qgis.PyQt.QtCore import QVariant

    units.dataProvider().addAttributes([QgsField("x", QVariant.Double)])
    units.updateFields()
    idx = units.fields().indexOf("x")
    units.dataProvider().changeAttributeValues(
        {f.id(): {idx: float(n % 5)} for n, f in enumerate(units.getFeatures())}
    )
    fields = ["x"]
    lisa = processing.run(
        "policylink:localmoran",
        {
            "INPUT": units,
            "ID_FIELD": "code",
            "FIELD": fields[0],
            "PERMUTATIONS": 99,
            "OUTPUT": "memory:",
        },
    )["OUTPUT"]
    assert not lisa.name().endswith("[SYNTHETIC]")
    assert "checked against the PolicyLink database catalogue" in lisa.metadata().abstract()


def test_layer_of_other_origin_states_that_synthetic_is_unknown(plugin):
    import processing

    from tests.test_qgis_edges import strip

    lisa = processing.run(
        "policylink:localmoran",
        {
            "INPUT": strip(9),
            "ID_FIELD": "code",
            "FIELD": "v",
            "PERMUTATIONS": 99,
            "OUTPUT": "memory:",
        },
    )["OUTPUT"]
    assert not lisa.name().endswith("[SYNTHETIC]")
    assert "Synthetic status unknown" in lisa.metadata().abstract()
