"""QGIS ``policylink:dynamicpanel`` and ``policylink:crosssection`` through the one analysis layer.

The Processing outputs must equal the estimators on the same panel, and the one-year SAR / SEM by
ML must equal spreg's ``ML_Lag`` / ``ML_Error`` (an independent implementation).

Data are SYNTHETIC: the SDM panel of ``tests/test_qgis_models.py`` (6 x 6 lattice, 8 years, true
rho 0.4, beta 1.0, theta 0.5, unit effects and a trend, seed 11).
"""

from __future__ import annotations

import numpy as np
import pytest
import spreg

from tests.test_qgis_models import sdm_panel, table_layer
from tests.test_qgis_plugin import N_SIDE, lattice_w, synthetic_lattice

pytestmark = pytest.mark.qgis


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


def _params(tmp_path, df, **extra) -> dict:
    return {
        "INPUT": synthetic_lattice(tmp_path / "lattice.gpkg"),
        "ID_FIELD": "code",
        "PANEL": table_layer(df, "panel (synthetic)"),
        "PANEL_ID": "unit",
        "PANEL_TIME": "year",
        "Y": "y",
        "X": ["x"],
        "DRAWS": 50,
        "SEED": 5,
        "OUTPUT": "memory:",
        "EFFECTS": "memory:",
        **extra,
    }


def _w():
    w = lattice_w()
    w.remap_ids([f"{i:06d}" for i in range(N_SIDE * N_SIDE)])
    return w


@pytest.mark.parametrize(
    ("fe_index", "lags_index", "fe", "lags"), [(0, 0, "unit", "both"), (1, 1, "twoways", "time")]
)
def test_dynamic_panel_equals_the_estimator(plugin, tmp_path, fe_index, lags_index, fe, lags):
    import processing

    from policylink.spatial.dynamic_panel import fit_dynamic_panel
    from policylink.spatial.panel import panel_arrays, weights_matrix

    df = sdm_panel()
    res = processing.run(
        "policylink:dynamicpanel",
        _params(tmp_path, df, FE=fe_index, LAGS=lags_index, OUTPUT_HTML=str(tmp_path / "d.html")),
    )
    w = _w()
    Y, X, _ = panel_arrays(df, y="y", x=["x"], id_col="unit", time_col="year", ids=w.id_order)
    ref = fit_dynamic_panel(
        Y,
        X,
        weights_matrix(w, "r"),
        names=["x"],
        y_name="y",
        fe=fe,
        lags=lags,
        sdm=True,
        bias_correction=True,
        draws=50,
        seed=5,
    )
    got = {f["name"]: f for f in res["OUTPUT"].getFeatures()}
    assert set(got) == set(ref.coefficients.name)
    for r in ref.coefficients.itertuples():
        assert got[r.name]["estimate"] == pytest.approx(r.estimate, abs=1e-6)
        assert got[r.name]["se"] == pytest.approx(r.se, rel=1e-4)
        assert got[r.name]["estimate_ml"] == pytest.approx(r.estimate_ml, abs=1e-6)
    assert res["LOG_LIKELIHOOD"] == pytest.approx(ref.log_likelihood, abs=1e-6)
    assert (res["N_UNITS"], res["N_PERIODS"]) == (N_SIDE * N_SIDE, ref.n_periods)
    eff = list(res["EFFECTS"].getFeatures())
    assert len(eff) == len(ref.effects)
    assert {f["horizon"] for f in eff} == set(ref.effects["horizon"])
    total = {(f["horizon"], f["effect"], f["variable"]): f["estimate"] for f in eff}
    for r in ref.effects.itertuples():
        assert total[(r.horizon, r.effect, r.variable)] == pytest.approx(r.estimate, abs=1e-6)
    assert "Dynamic spatial panel" in (tmp_path / "d.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("model_index", "ref_cls"), [(0, "ML_Lag"), (1, "ML_Error")], ids=["sar", "sem"]
)
def test_one_year_ml_equals_spreg(plugin, tmp_path, model_index, ref_cls):
    import processing

    df = sdm_panel()
    year = 2015
    res = processing.run(
        "policylink:crosssection",
        _params(tmp_path, df, YEAR=year, MODEL=model_index, METHOD=0),
    )
    w = _w()
    one = df[df["year"] == year].set_index("unit").loc[list(w.id_order)]
    ref = getattr(spreg, ref_cls)(one[["y"]].to_numpy(), one[["x"]].to_numpy(), w=w, method="full")
    got = {f["name"]: f for f in res["OUTPUT"].getFeatures()}
    spatial = "rho" if ref_cls == "ML_Lag" else "lambda"
    ref_spatial = float(ref.rho if ref_cls == "ML_Lag" else ref.lam)
    assert got[spatial]["estimate"] == pytest.approx(ref_spatial, abs=1e-4)
    assert got["x"]["estimate"] == pytest.approx(float(ref.betas[1, 0]), abs=1e-4)
    assert res["LOG_LIKELIHOOD"] == pytest.approx(float(ref.logll), abs=1e-3)
    assert res["N_UNITS"] == N_SIDE * N_SIDE


def test_one_year_equals_the_analysis_function(plugin, tmp_path):
    import processing

    from policylink.analyses.models import CrossSectionOptions, run_cross_section
    from qgis_plugin.processing_provider.layer_statistic import analysis_inputs

    df = sdm_panel()
    res = processing.run(
        "policylink:crosssection", _params(tmp_path, df, YEAR=2013, MODEL=2, METHOD=1)
    )
    inputs = analysis_inputs(df, _w(), "unit", "year", "lattice")
    ref = run_cross_section(
        inputs,
        CrossSectionOptions(
            y="y", x=("x",), year=2013, model="sdm", method="gmm", draws=50, seed=5
        ),
    )
    got = {f["name"]: f["estimate"] for f in res["OUTPUT"].getFeatures()}
    want = dict(
        zip(ref.result.coefficients["name"], ref.result.coefficients["estimate"], strict=True)
    )
    assert got.keys() == want.keys()
    np.testing.assert_allclose([got[k] for k in want], list(want.values()), atol=1e-8)


def test_year_not_in_panel_is_one_clear_error(plugin, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="1999"):
        processing.run(
            "policylink:crosssection", _params(tmp_path, sdm_panel(), YEAR=1999, MODEL=0)
        )


def test_dock_spatial_panel_model_and_effects_options(make_db, qgis_app, tmp_path):
    """Dock: SAC with unit fixed effects from the database equals the general estimator."""
    import psycopg

    from policylink.spatial.panel import panel_arrays, weights_matrix
    from policylink.spatial.panel_models import fit_general
    from qgis_plugin.gui.dock import PolicyDiffusionDock
    from tests.test_qgis_dock_zip import load_synthetic_units, wait_for

    url = make_db()
    load_synthetic_units(url, synthetic_lattice(tmp_path / "lattice.gpkg"))
    df = sdm_panel(t_periods=6)
    with psycopg.connect(url) as conn:
        for name in ("syn_sy", "syn_sx"):
            conn.execute(
                "INSERT INTO variable (name, is_synthetic, source) VALUES (%s, true, 'tests')",
                (name,),
            )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO observation (unit_code, year, variable, value) VALUES (%s, %s, %s, %s)",
                [
                    (f"9{int(r.unit):05d}", int(r.year), v, float(getattr(r, c)))
                    for r in df.itertuples()
                    for v, c in (("syn_sy", "y"), ("syn_sx", "x"))
                ],
            )
    dock = PolicyDiffusionDock(None)
    dock.url.setText(url)
    dock.fill_variables()
    dock.variable.setCurrentIndex(dock.variable.findData("syn_sy"))
    dock.x_vars.setText("syn_sx")
    dock.year_from.setValue(2010)
    dock.year_to.setValue(2019)
    dock.model.setCurrentIndex(dock.model.findText("SAC"))
    dock.fe.setCurrentIndex(1)  # unit fixed effects
    dock.run_sdm()
    wait_for(dock, timeout=120)
    assert dock.last_error is None, dock.last_error
    w = lattice_w()
    w.remap_ids([f"{i:06d}" for i in range(N_SIDE * N_SIDE)])
    Y, X, _ = panel_arrays(df, y="y", x=["x"], id_col="unit", time_col="year", ids=w.id_order)
    ref = fit_general(Y, X, weights_matrix(w, "r"), names=["x"], model="sac", fe="unit")
    got = dock.last_table[dock.last_table["part"] == "coefficient"].set_index("term")["estimate"]
    assert {"rho", "lambda"} <= set(got.index)
    for r in ref.coefficients.itertuples():
        name = "syn_sx" if r.name == "x" else r.name
        assert got[name] == pytest.approx(r.estimate, abs=1e-6)
