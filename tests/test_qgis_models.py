"""Spatial panel and DID algorithms through processing.run equal the spatial package (and pyfixest).

Data are SYNTHETIC: an SDM panel on the 6 x 6 lattice (true rho 0.4, beta 1.0, theta 0.5,
sigma 1, two-way effects; seed 11) and ``policylink.spatial.did.simulate_staggered`` (true tau 0.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.test_qgis_plugin import N_SIDE, lattice_w, synthetic_lattice

pytestmark = pytest.mark.qgis


def table_layer(frame: pd.DataFrame, name: str):
    """Memory table (no geometry) holding a DataFrame (text, integer and double columns)."""
    from qgis.core import QgsFeature, QgsVectorLayer

    spec = []
    for c in frame.columns:
        kind = (
            "double"
            if frame[c].dtype.kind == "f"
            else "integer"
            if frame[c].dtype.kind in "iu"
            else "string"
        )
        spec.append(f"field={c}:{kind}")
    layer = QgsVectorLayer("None?" + "&".join(spec), name, "memory")
    feats = []
    for row in frame.itertuples(index=False):
        f = QgsFeature(layer.fields())
        f.setAttributes([v.item() if hasattr(v, "item") else v for v in row])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def sdm_panel(t_periods=8, rho=0.4, beta=1.0, theta=0.5, seed=11):
    """SYNTHETIC SDM panel on the lattice: y = (I - rho W)^-1 (x beta + W x theta + mu + alpha + e)."""
    w = lattice_w()
    W = w.full()[0]
    n = N_SIDE * N_SIDE
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=n)
    rows = []
    A = np.linalg.inv(np.eye(n) - rho * W)
    for t in range(t_periods):
        x = rng.normal(size=n) + 0.3 * mu
        y = A @ (x * beta + W @ x * theta + mu + 0.5 * t + rng.normal(size=n))
        rows += [{"unit": f"{i:06d}", "year": 2010 + t, "y": y[i], "x": x[i]} for i in range(n)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


def test_spatial_panel_sdm_equals_spatial_package(plugin, tmp_path):
    import processing

    from policylink.spatial.panel import fit_spatial_panel

    lattice = synthetic_lattice(tmp_path / "lattice.gpkg")
    df = sdm_panel()
    res = processing.run(
        "policylink:spatialpanel",
        {
            "INPUT": lattice,
            "ID_FIELD": "code",
            "PANEL": table_layer(df, "sdm (synthetic)"),
            "PANEL_ID": "unit",
            "PANEL_TIME": "year",
            "Y": "y",
            "X": ["x"],
            "MODEL": 2,
            "FE": 0,
            "DRAWS": 200,
            "SEED": 5,
            "OUTPUT": "memory:",
            "EFFECTS": "memory:",
            "OUTPUT_HTML": str(tmp_path / "sdm.html"),
        },
    )
    w = lattice_w()
    w.remap_ids([f"{i:06d}" for i in range(N_SIDE * N_SIDE)])
    ref = fit_spatial_panel(
        df,
        w,
        y="y",
        x=["x"],
        id_col="unit",
        time_col="year",
        model="sdm",
        fe="twoways",
        draws=200,
        seed=5,
    )
    got = {f["name"]: f for f in res["OUTPUT"].getFeatures()}
    for r in ref.coefficients.itertuples():
        assert got[r.name]["estimate"] == pytest.approx(r.estimate, abs=1e-10)
        assert got[r.name]["se"] == pytest.approx(r.se, abs=1e-10)
    assert set(got) == {"x", "W*x", "rho"}
    assert res["LOG_LIKELIHOOD"] == pytest.approx(ref.log_likelihood, abs=1e-9)
    eff = {(f["effect"], f["variable"]): f["estimate"] for f in res["EFFECTS"].getFeatures()}
    for r in ref.effects.itertuples():
        assert eff[(r.effect, r.variable)] == pytest.approx(r.estimate, abs=1e-10)
    # Truth is recovered (rho 0.4 within 3 SE): the synthetic data behave as stated.
    assert abs(got["rho"]["estimate"] - 0.4) < 3 * got["rho"]["se"]
    page = (tmp_path / "sdm.html").read_text(encoding="utf-8")
    assert "W*x" in page and "rho" in page


def test_did_suite_equals_pyfixest_and_spatial_did(plugin, tmp_path):
    import processing
    import pyfixest as pf

    from policylink.spatial.did import PanelSpec, event_study, twfe_did
    from policylink.spatial.did.simulate import simulate_staggered

    df = simulate_staggered(
        n_units=40, years=range(2009, 2017), cohorts={2011: 10, 2013: 8}, seed=3
    )
    df = df[["unit", "year", "y", "x1", "x2", "first_treated", "treat"]]
    res = processing.run(
        "policylink:didsuite",
        {
            "PANEL": table_layer(df, "did (synthetic)"),
            "UNIT": "unit",
            "TIME": "year",
            "OUTCOME": "y",
            "FIRST_TREATED": "first_treated",
            "CONTROLS": ["x1", "x2"],
            "LEADS": 3,
            "LAGS": 3,
            "PLACEBO_DRAWS": 50,
            "SEED": 1,
            "OUTPUT": "memory:",
            "EVENT_STUDY": "memory:",
            "OUTPUT_HTML": str(tmp_path / "did.html"),
        },
    )
    fit = pf.feols("y ~ treat + x1 + x2 | unit + year", data=df, vcov={"CRV1": "unit"})
    assert res["DID"] == pytest.approx(float(fit.coef()["treat"]), abs=1e-8)
    assert res["DID_SE"] == pytest.approx(float(fit.se()["treat"]), abs=1e-8)
    spec = PanelSpec(
        outcome="y", unit="unit", time="year", first_treated="first_treated", controls=("x1", "x2")
    )
    assert res["DID"] == pytest.approx(twfe_did(df, spec).coef(), abs=1e-12)
    es = event_study(df, spec, leads=3, lags=3)
    got = sorted((f["rel_time"], f["estimate"]) for f in res["EVENT_STUDY"].getFeatures())
    np.testing.assert_allclose(
        [e for _t, e in got], es.table.sort_values("rel_time")["estimate"], atol=1e-10
    )
    assert 0 < res["PLACEBO_P"] <= 1
    page = (tmp_path / "did.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2


def test_did_suite_rejects_two_treatment_columns(plugin):
    import processing
    from qgis.core import QgsProcessingException

    df = pd.DataFrame(
        {"unit": ["a", "b"], "year": [2010, 2010], "y": [1.0, 2.0], "d": [0, 1], "f": [0, 2010]}
    )
    with pytest.raises(QgsProcessingException, match="exactly one"):
        processing.run(
            "policylink:didsuite",
            {
                "PANEL": table_layer(df, "t"),
                "UNIT": "unit",
                "TIME": "year",
                "OUTCOME": "y",
                "TREAT": "d",
                "FIRST_TREATED": "f",
                "OUTPUT": "memory:",
            },
        )


def test_did_suite_takes_treatment_from_another_layer(plugin):
    """Panel without treatment + a pilot-batch-like layer (unit, first year) = same DID."""
    import processing

    from policylink.spatial.did.simulate import simulate_staggered

    df = simulate_staggered(n_units=30, years=range(2009, 2016), cohorts={2011: 8, 2013: 6}, seed=5)
    firsts = df.groupby("unit")["first_treated"].first().reset_index()
    treated = firsts[firsts["first_treated"] > 0]  # never-treated units are simply absent
    common = {
        "UNIT": "unit",
        "TIME": "year",
        "OUTCOME": "y",
        "CONTROLS": ["x1"],
        "LEADS": 2,
        "LAGS": 2,
        "OUTPUT": "memory:",
    }
    a = processing.run(
        "policylink:didsuite",
        {
            **common,
            "PANEL": table_layer(df[["unit", "year", "y", "x1", "first_treated"]], "p"),
            "FIRST_TREATED": "first_treated",
        },
    )
    b = processing.run(
        "policylink:didsuite",
        {
            **common,
            "PANEL": table_layer(df[["unit", "year", "y", "x1"]], "p"),
            "TREATMENT_LAYER": table_layer(treated, "pilots"),
            "TREATMENT_ID": "unit",
            "TREATMENT_YEAR": "first_treated",
        },
    )
    assert b["DID"] == pytest.approx(a["DID"], abs=1e-12) and b["DID_SE"] == pytest.approx(
        a["DID_SE"], abs=1e-12
    )
