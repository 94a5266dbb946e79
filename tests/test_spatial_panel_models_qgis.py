"""QGIS ``policylink:spatialpanel`` offers SAC / SDEM / GNS and random-effects SEM through the one
analysis: the Processing outputs equal the estimators called on the same panel.

Data are SYNTHETIC: the SDM panel of ``tests/test_qgis_models.py`` (6 x 6 lattice, true rho 0.4,
beta 1.0, theta 0.5, two-way effects, seed 11).
"""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize(
    ("model_index", "fe_index", "model", "fe"),
    [
        (3, 0, "sac", "twoways"),
        (4, 1, "sdem", "unit"),
        (5, 0, "gns", "twoways"),
        (1, 4, "sem", "random"),
    ],  # fmt: skip
)
def test_new_models_equal_the_estimators(plugin, tmp_path, model_index, fe_index, model, fe):
    import processing

    from policylink.spatial.panel import panel_arrays, weights_matrix
    from policylink.spatial.panel_models import fit_general, fit_sem_random_effects

    df = sdm_panel()
    res = processing.run(
        "policylink:spatialpanel",
        {
            "INPUT": synthetic_lattice(tmp_path / "lattice.gpkg"),
            "ID_FIELD": "code",
            "PANEL": table_layer(df, "panel (synthetic)"),
            "PANEL_ID": "unit",
            "PANEL_TIME": "year",
            "Y": "y",
            "X": ["x"],
            "MODEL": model_index,
            "FE": fe_index,
            "DRAWS": 50,
            "SEED": 5,
            "OUTPUT": "memory:",
            "EFFECTS": "memory:",
        },
    )
    w = lattice_w()
    w.remap_ids([f"{i:06d}" for i in range(N_SIDE * N_SIDE)])
    Y, X, _ = panel_arrays(df, y="y", x=["x"], id_col="unit", time_col="year", ids=w.id_order)
    W = weights_matrix(w, "r")
    if fe == "random":
        ref = fit_sem_random_effects(Y, X, W, names=["x"])
    else:
        ref = fit_general(Y, X, W, names=["x"], model=model, fe=fe, draws=50, seed=5)
    got = {f["name"]: f for f in res["OUTPUT"].getFeatures()}
    assert set(got) == set(ref.coefficients.name)
    for r in ref.coefficients.itertuples():
        assert got[r.name]["estimate"] == pytest.approx(r.estimate, abs=1e-5)
        assert got[r.name]["se"] == pytest.approx(r.se, rel=1e-3)
    assert res["LOG_LIKELIHOOD"] == pytest.approx(ref.log_likelihood, abs=1e-6)
    assert ("lambda" in got) and (("rho" in got) == (model in ("sac", "gns")))


def test_comparison_output_equals_compare_models(plugin, tmp_path):
    import processing

    from policylink.spatial.model_choice import compare_models
    from policylink.spatial.panel import panel_arrays, weights_matrix

    df = sdm_panel()
    res = processing.run(
        "policylink:spatialpanel",
        {
            "INPUT": synthetic_lattice(tmp_path / "lattice.gpkg"),
            "ID_FIELD": "code",
            "PANEL": table_layer(df, "panel (synthetic)"),
            "PANEL_ID": "unit",
            "PANEL_TIME": "year",
            "Y": "y",
            "X": ["x"],
            "MODEL": 2,
            "FE": 0,
            "DRAWS": 20,
            "SEED": 5,
            "OUTPUT": "memory:",
            "COMPARISON": "memory:",
            "OUTPUT_HTML": str(tmp_path / "cmp.html"),
        },
    )
    w = lattice_w()
    w.remap_ids([f"{i:06d}" for i in range(N_SIDE * N_SIDE)])
    Y, X, _ = panel_arrays(df, y="y", x=["x"], id_col="unit", time_col="year", ids=w.id_order)
    ref = compare_models(Y, X, weights_matrix(w, "r"), names=["x"], fe="twoways")
    feats = list(res["COMPARISON"].getFeatures())
    fits = {f["model"]: f for f in feats if f["part"] == "fit"}
    for r in ref.table.itertuples():
        assert fits[r.model]["aic"] == pytest.approx(r.aic, abs=1e-6)
    lr = {f["test"]: f for f in feats if f["part"] == "lr"}
    for t in ref.tests:
        assert lr[t.name]["statistic"] == pytest.approx(t.statistic, abs=1e-6)
    assert "LR GNS vs SDEM" in (tmp_path / "cmp.html").read_text(encoding="utf-8")
