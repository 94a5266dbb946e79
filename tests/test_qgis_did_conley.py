"""Conley spatial-HAC and two-way clustered errors of ``didimputation``, ``didhonest``, ``didsuite``.

Data: SYNTHETIC staggered panel (``simulate_staggered``, true tau 0.5, seed 5, no controls) on
the 6 x 6 lattice of unit squares (10 km, EPSG:3857) of ``test_qgis_plugin``. Two references
for every standard error:

* the analysis function (``run_imputation`` / ``run_honest`` / ``run_twfe``) on the same panel
  with the same ConleySpec and the lattice centroids read by geopandas (not by QGIS), to 1e-8;
* an independent dense-numpy computation (``tests.test_did_inference``: the BJS variance by hand
  sums, the FWL sandwich with pairwise Conley weights) on hand-made lattice centres in km. The
  plugin measures distances between equal-area centroids, the hand-made centres are web-mercator
  ones, so these agree to ~1e-3 (as in ``test_qgis_did_inference``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.test_did_inference import bjs_reference, event_dummies, numpy_conley
from tests.test_qgis_models import table_layer
from tests.test_qgis_plugin import N_SIDE, synthetic_lattice

pytestmark = pytest.mark.qgis

KM = 25.0


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    from policylink.spatial.did.simulate import simulate_staggered

    df = simulate_staggered(
        n_units=N_SIDE * N_SIDE, years=range(2009, 2017), cohorts={2011: 8, 2013: 8}, seed=5
    )
    codes = {u: f"{i:06d}" for i, u in enumerate(sorted(df["unit"].unique()))}
    df = df.assign(unit=df["unit"].map(codes))
    return df[["unit", "year", "y", "first_treated"]]


@pytest.fixture(scope="module")
def lattice(qgis_app, tmp_path_factory):
    return synthetic_lattice(tmp_path_factory.mktemp("didconley") / "lattice.gpkg")


def hand_centres() -> pd.DataFrame:
    """Lattice-square centres in km, written from the lattice's definition (no geometry read)."""
    ids = [f"{i:06d}" for i in range(N_SIDE * N_SIDE)]
    return pd.DataFrame(
        {
            "x_km": [10 * (i % N_SIDE) + 5.0 for i in range(N_SIDE * N_SIDE)],
            "y_km": [10 * (i // N_SIDE) + 5.0 for i in range(N_SIDE * N_SIDE)],
        },
        index=pd.Index(ids, name="unit"),
    )


def analysis_inputs(df: pd.DataFrame, lattice, cluster: str = "unit"):  # noqa: ANN001
    """DidInputs with the centroids of ``lattice`` (a QGIS layer) read from its file by geopandas."""
    import geopandas as gpd

    from policylink.did_inputs import did_inputs_from_frame
    from policylink.spatial.did import PanelSpec
    from policylink.weights import centroids_km

    spec = PanelSpec(
        outcome="y", unit="unit", time="year", first_treated="first_treated", cluster=cluster
    )
    gdf = gpd.read_file(lattice.source().split("|")[0], layer="lattice")
    inputs = did_inputs_from_frame(df, spec, source="did (synthetic)")
    return inputs.with_coords(centroids_km(gdf, "code"))


def run(alg: str, df: pd.DataFrame, **extra):  # noqa: ANN003
    import processing

    return processing.run(
        f"policylink:{alg}",
        {
            "PANEL": table_layer(df, "did (synthetic)"),
            "UNIT": "unit",
            "TIME": "year",
            "OUTCOME": "y",
            "FIRST_TREATED": "first_treated",
            "OUTPUT": "memory:",
            **extra,
        },
    )


def test_imputation_conley_and_two_way_equal_the_analysis_and_hand_sums(plugin, panel, lattice):
    from policylink.analyses.did import ImputationOptions, run_imputation
    from policylink.spatial.did.conley import ConleySpec

    conley = run(
        "didimputation",
        panel,
        PRETRENDS=0,
        INFERENCE=1,
        CONLEY_KM=KM,
        KERNEL=1,
        UNITS=lattice,
        UNITS_ID="code",
    )
    ana = run_imputation(
        analysis_inputs(panel, lattice),
        ImputationOptions(pretrends=0, conley_km=KM, kernel="uniform"),
    )
    assert conley["INFERENCE"] == ana.result.inference
    assert "Conley spatial HAC (uniform kernel, cutoff 25 km" in conley["INFERENCE"]
    assert conley["ATT"] == pytest.approx(ana.att, abs=1e-10)
    assert conley["SE"] == pytest.approx(ana.se, rel=1e-8)
    ref = bjs_reference(panel, hand_centres(), ConleySpec(KM, "uniform"))
    assert conley["ATT"] == pytest.approx(ref["att"], abs=1e-10)
    assert conley["SE"] == pytest.approx(ref["conley"], rel=2e-3)

    twoway = run("didimputation", panel, PRETRENDS=0, CLUSTER=1)
    assert "two-way" in twoway["INFERENCE"]
    assert twoway["SE"] == pytest.approx(ref["twoway"], rel=1e-8)
    unit = run("didimputation", panel, PRETRENDS=0)
    assert "clustered by unit" in unit["INFERENCE"]
    assert unit["SE"] == pytest.approx(ref["unit"], rel=1e-8)
    assert not np.isclose(unit["SE"], conley["SE"], rtol=1e-3)


def test_honest_uses_the_conley_event_study_covariance(plugin, panel, lattice):
    from policylink.analyses.did import HonestOptions, run_honest
    from policylink.spatial.did import event_study
    from policylink.spatial.did.conley import ConleySpec

    params = {"TARGET": "first", "LEADS": 2, "LAGS": 2, "M_VALUES": "0,1"}
    res = run(
        "didhonest",
        panel,
        **params,
        INFERENCE=1,
        CONLEY_KM=KM,
        UNITS=lattice,
        UNITS_ID="code",
    )
    inputs = analysis_inputs(panel, lattice)
    ana = run_honest(
        inputs, HonestOptions(m_values=(0.0, 1.0), target="first", leads=2, lags=2, conley_km=KM)
    )
    assert res["INFERENCE"] == ana.inference and "Conley" in res["INFERENCE"]
    assert res["ESTIMATE"] == pytest.approx(float(ana.result.original["estimate"]), abs=1e-10)
    table = pd.DataFrame(
        [f.attributes() for f in res["OUTPUT"].getFeatures()],
        columns=res["OUTPUT"].fields().names(),
    )
    np.testing.assert_allclose(
        table.select_dtypes("number").to_numpy(float),
        ana.table("en").select_dtypes("number").to_numpy(float),
        rtol=1e-8,
    )
    # The target (event time 0) se: the 'current' dummy's Conley sandwich, by dense numpy.
    names = list(event_study(panel, inputs.spec, leads=2, lags=2).model.coefficients.index)
    V = numpy_conley(event_dummies(panel, names, 2, 2), names, hand_centres(), ConleySpec(KM))
    se = float(np.sqrt(V[names.index("current"), names.index("current")]))
    assert float(ana.result.original["se"]) == pytest.approx(se, rel=2e-3)
    twoway = run("didhonest", panel, **params, CLUSTER=1)
    assert "two-way" in twoway["INFERENCE"]


def test_suite_conley_replaces_the_twfe_clusters(plugin, panel, lattice):
    from policylink.analyses.did import TwfeOptions, run_twfe
    from policylink.spatial.did.conley import ConleySpec

    extra = {"UNITS": lattice, "UNITS_ID": "code", "WEIGHTS_KIND": 0}
    res = run("didsuite", panel, INFERENCE=1, CONLEY_KM=KM, **extra)
    ana = run_twfe(analysis_inputs(panel, lattice), TwfeOptions(conley_km=KM))
    assert res["INFERENCE"] == ana.result.info["inference"]
    assert res["INFERENCE"].startswith("Conley spatial HAC (bartlett kernel, cutoff 25 km")
    assert res["DID"] == pytest.approx(ana.result.coef(), abs=1e-10)
    assert res["DID_SE"] == pytest.approx(ana.result.se(), rel=1e-8)
    data = panel.assign(
        did=((panel.year >= panel.first_treated) & (panel.first_treated > 0)).astype(float)
    )
    V = numpy_conley(data, ["did"], hand_centres(), ConleySpec(KM))
    assert res["DID_SE"] == pytest.approx(float(np.sqrt(V[0, 0])), rel=2e-3)
    plain = run("didsuite", panel, **extra)
    assert plain["INFERENCE"] == "cluster-robust by unit"
    assert not np.isclose(plain["DID_SE"], res["DID_SE"], rtol=1e-3)


def test_conley_without_a_unit_layer_is_refused(plugin, panel):
    from qgis.core import QgsProcessingException

    for alg in ("didimputation", "didhonest"):
        with pytest.raises(QgsProcessingException, match="Conley standard errors need"):
            run(alg, panel, INFERENCE=1)
