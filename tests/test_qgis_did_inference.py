"""The DID suite's spatial DID in QGIS: cluster-robust or Conley spatial-HAC standard errors.

Data: SYNTHETIC staggered panel (``simulate_staggered``, true tau 0.5, seed 5) on the 6 x 6
lattice of unit squares (10 km, EPSG:3857) of ``test_qgis_plugin``. The reference is the
spatial DID of the spatial package called directly with independently made inputs: libpysal's
``lat2W`` queen lattice weights (no geometry read) and lattice-centre coordinates in km written
by hand, so the plugin's reading of the layer, its weights and its centroids are checked too.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_qgis_models import table_layer
from tests.test_qgis_plugin import N_SIDE, synthetic_lattice

pytestmark = pytest.mark.qgis


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


@pytest.fixture(scope="module")
def panel():
    from policylink.spatial.did.simulate import simulate_staggered

    df = simulate_staggered(
        n_units=N_SIDE * N_SIDE, years=range(2009, 2017), cohorts={2011: 8, 2013: 8}, seed=5
    )
    codes = {u: f"{i:06d}" for i, u in enumerate(sorted(df["unit"].unique()))}
    df = df.assign(unit=df["unit"].map(codes))
    return df[["unit", "year", "y", "x1", "x2", "first_treated"]]


def reference(df, conley_km: float | None):
    """The spatial package's SLX DID on lat2W weights and hand-made centres in km."""
    import pandas as pd
    from libpysal.weights import lat2W

    from policylink.spatial.did import PanelSpec
    from policylink.spatial.did.conley import ConleySpec
    from policylink.spatial.did.spatial_did import spatial_did

    w = lat2W(N_SIDE, N_SIDE, rook=False)
    ids = [f"{i:06d}" for i in range(N_SIDE * N_SIDE)]
    w.remap_ids(ids)
    coords = pd.DataFrame(
        {
            "x_km": [10 * (i % N_SIDE) + 5.0 for i in range(N_SIDE * N_SIDE)],
            "y_km": [10 * (i // N_SIDE) + 5.0 for i in range(N_SIDE * N_SIDE)],
        },
        index=pd.Index(ids, name="unit"),
    )
    spec = PanelSpec(
        outcome="y", unit="unit", time="year", first_treated="first_treated", controls=("x1", "x2")
    )
    conley = ConleySpec(conley_km) if conley_km else None
    return spatial_did(df, spec, w, model="slx", conley=conley, coords_km=coords)


def run(df, lattice, **extra):
    import processing

    return processing.run(
        "policylink:didsuite",
        {
            "PANEL": table_layer(df, "did (synthetic)"),
            "UNIT": "unit",
            "TIME": "year",
            "OUTCOME": "y",
            "FIRST_TREATED": "first_treated",
            "CONTROLS": ["x1", "x2"],
            "OUTPUT": "memory:",
            "UNITS": lattice,
            "UNITS_ID": "code",
            "WEIGHTS_KIND": 0,
            "SPATIAL": "memory:",
            **extra,
        },
    )


@pytest.fixture(scope="module")
def lattice(qgis_app, tmp_path_factory):
    return synthetic_lattice(tmp_path_factory.mktemp("did") / "lattice.gpkg")


def test_conley_standard_errors_equal_the_spatial_package(plugin, panel, lattice):
    ref = reference(panel, 25.0)
    res = run(panel, lattice, INFERENCE=1, CONLEY_KM=25.0)
    assert "Conley" in res["INFERENCE_SPATIAL"] and "25 km" in res["INFERENCE_SPATIAL"]
    assert res["INFERENCE_SPATIAL"] == ref.inference
    assert res["DIRECT"] == pytest.approx(ref.effects.loc["direct", "estimate"], abs=1e-10)
    assert res["SPILLOVER"] == pytest.approx(ref.effects.loc["spillover", "estimate"], abs=1e-10)
    # Equal-area centroids vs the hand-made web-mercator centres: distances agree to ~1e-4.
    assert res["DIRECT_SE"] == pytest.approx(ref.effects.loc["direct", "se"], rel=2e-3)
    assert res["SPILLOVER_SE"] == pytest.approx(ref.effects.loc["spillover", "se"], rel=2e-3)
    table = {f["effect"]: f for f in res["SPATIAL"].getFeatures()}
    assert {"direct", "spillover"} <= set(table)
    assert table["direct"]["inference"] == ref.inference
    assert res["INFERENCE"].startswith("Conley spatial HAC")  # TWFE gets Conley too


def test_cluster_standard_errors_are_the_default_and_say_so(plugin, panel, lattice):
    ref = reference(panel, None)
    res = run(panel, lattice)
    assert "Conley" not in res["INFERENCE_SPATIAL"]
    assert res["INFERENCE_SPATIAL"] == ref.inference
    assert res["DIRECT_SE"] == pytest.approx(ref.effects.loc["direct", "se"], rel=1e-8)
    conley = run(panel, lattice, INFERENCE=1, CONLEY_KM=25.0)
    assert res["DIRECT"] == pytest.approx(conley["DIRECT"], abs=1e-12)
    assert not np.isclose(res["DIRECT_SE"], conley["DIRECT_SE"], rtol=1e-3)


def test_conley_without_unit_locations_is_refused(plugin, panel):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="Conley standard errors need"):
        processing.run(
            "policylink:didsuite",
            {
                "PANEL": table_layer(panel, "did (synthetic)"),
                "UNIT": "unit",
                "TIME": "year",
                "OUTCOME": "y",
                "FIRST_TREATED": "first_treated",
                "OUTPUT": "memory:",
                "INFERENCE": 1,
            },
        )
