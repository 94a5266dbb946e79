"""Callaway-Sant'Anna, imputation DID and HonestDiD in QGIS Processing, with unit-level effects.

Data: a SYNTHETIC staggered panel (generator below): 60 units x 2005-2018, cohorts 2010 (units
0-19, true effect 1.0) and 2014 (units 20-39, true effect 2.0), never treated (40-59);
y = unit effect + year effect + effect * treated + N(0, 0.05), seed 11. References are closed
forms computed here with pandas / numpy: the Callaway-Sant'Anna ATT(g, t) with never-treated
controls and unconditional parallel trends is the 2x2 DID of means against year g - 1, the group
effect their mean over t >= g; the imputation ATT is the mean over treated observations of y minus
its two-way fixed-effects fit on the untreated observations (least squares with dummies).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.qgis

YEARS = range(2005, 2019)
TRUE = {2010: 1.0, 2014: 2.0}


def synthetic_panel() -> pd.DataFrame:
    """SYNTHETIC staggered panel (see the module docstring for the true parameters)."""
    rng = np.random.default_rng(11)
    rows = []
    alpha = rng.normal(0, 1, 60)
    beta = {t: 0.1 * (t - 2005) + rng.normal(0, 0.2) for t in YEARS}
    for i in range(60):
        g = 2010 if i < 20 else 2014 if i < 40 else 0
        for t in YEARS:
            d = int(g > 0 and t >= g)
            y = alpha[i] + beta[t] + (TRUE.get(g, 0.0) * d) + rng.normal(0, 0.05)
            rows.append({"unit": f"u{i:02d}", "year": t, "y": y, "first": g})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


@pytest.fixture(scope="module")
def panel():
    return synthetic_panel()


@pytest.fixture(scope="module")
def panel_layer(qgis_app, panel):
    from qgis.core import QgsFeature, QgsField, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    layer = QgsVectorLayer("None", "SYNTHETIC staggered panel", "memory")
    layer.dataProvider().addAttributes(
        [
            QgsField("unit", QVariant.String),
            QgsField("year", QVariant.Int),
            QgsField("y", QVariant.Double),
            QgsField("first", QVariant.Int),
        ]
    )
    layer.updateFields()
    feats = []
    for r in panel.itertuples(index=False):
        f = QgsFeature(layer.fields())
        f.setAttributes([r.unit, int(r.year), float(r.y), int(r.first)])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


@pytest.fixture(scope="module")
def unit_layer(qgis_app):
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsRectangle, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    layer = QgsVectorLayer("Polygon?crs=EPSG:3857", "SYNTHETIC units", "memory")
    layer.dataProvider().addAttributes([QgsField("code", QVariant.String)])
    layer.updateFields()
    feats = []
    for i in range(60):
        f = QgsFeature(layer.fields())
        x, y = (i % 10) * 1e4, (i // 10) * 1e4
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(x, y, x + 1e4, y + 1e4)))
        f.setAttributes([f"u{i:02d}"])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


PANEL = {"UNIT": "unit", "TIME": "year", "OUTCOME": "y", "FIRST_TREATED": "first"}


def cs_group_closed_form(panel: pd.DataFrame) -> dict[int, float]:
    means = panel.groupby(["first", "year"])["y"].mean()
    out = {}
    for g in TRUE:
        atts = [
            (means[g, t] - means[g, g - 1]) - (means[0, t] - means[0, g - 1])
            for t in YEARS
            if t >= g
        ]
        out[g] = float(np.mean(atts))
    return out


def test_callaway_santanna_and_unit_effects_equal_closed_form(
    plugin, panel, panel_layer, unit_layer
):
    import processing

    res = processing.run(
        "policylink:didcs",
        {
            "PANEL": panel_layer,
            **PANEL,
            "AGGREGATE": 2,  # group
            "OUTPUT": "memory:",
            "AGGREGATIONS": "memory:",
            "UNITS": unit_layer,
            "UNITS_ID": "code",
            "UNIT_EFFECTS": "memory:",
        },
    )
    ref = cs_group_closed_form(panel)
    groups = {int(f["group"]): f for f in res["OUTPUT"].getFeatures()}
    for g, att in ref.items():
        assert groups[g]["att"] == pytest.approx(att, abs=1e-10)
        assert abs(groups[g]["att"] - TRUE[g]) < 4 * groups[g]["se"]  # recovery of the truth
    assert res["CONTROL"] == "never"
    aggs = {f["aggregation"] for f in res["AGGREGATIONS"].getFeatures()}
    assert {"simple", "group"} <= aggs
    effects = {f["code"]: f for f in res["UNIT_EFFECTS"].getFeatures()}
    assert len(effects) == 60 and effects["u00"].geometry().area() == pytest.approx(1e8)
    for i in range(60):
        f = effects[f"u{i:02d}"]
        g = 2010 if i < 20 else 2014 if i < 40 else None
        if g is None:
            assert f["cohort"] is None or f["cohort"] != f["cohort"] or str(f["cohort"]) == "NULL"
        else:
            assert f["cohort"] == g and f["cohort_att"] == pytest.approx(ref[g], abs=1e-10)

    # Not-yet-treated controls and the doubly-robust choice reach the analysis.
    res = processing.run(
        "policylink:didcs",
        {"PANEL": panel_layer, **PANEL, "CONTROL": 1, "ESTIMATOR": 2, "OUTPUT": "memory:"},
    )
    assert res["CONTROL"] == "notyet" and abs(res["ATT"] - 1.5) < 0.2


def test_imputation_equals_least_squares_on_untreated(plugin, panel, panel_layer):
    import processing

    res = processing.run(
        "policylink:didimputation", {"PANEL": panel_layer, **PANEL, "OUTPUT": "memory:"}
    )
    d = ((panel["first"] > 0) & (panel["year"] >= panel["first"])).to_numpy()
    units = pd.get_dummies(panel["unit"], dtype=float)
    years = pd.get_dummies(panel["year"], dtype=float).iloc[:, 1:]
    x = np.column_stack([units.to_numpy(), years.to_numpy()])
    beta, *_ = np.linalg.lstsq(x[~d], panel["y"].to_numpy()[~d], rcond=None)
    ref = float(np.mean(panel["y"].to_numpy()[d] - x[d] @ beta))
    assert res["ATT"] == pytest.approx(ref, abs=1e-8)
    kinds = {f["kind"] for f in res["OUTPUT"].getFeatures()}
    assert "effect" in kinds and res["PRETREND_P"] > 0.001


def test_honest_did_identified_set_at_m0_is_the_estimate(plugin, panel_layer, tmp_path):
    import processing

    png = tmp_path / "honest.png"
    res = processing.run(
        "policylink:didhonest",
        {
            "PANEL": panel_layer,
            **PANEL,
            "LEADS": 3,
            "LAGS": 3,
            "M_VALUES": "0,1",
            "OUTPUT": "memory:",
            "OUTPUT_PNG": str(png),
        },
    )
    rows = {f["M"]: f for f in res["OUTPUT"].getFeatures()}
    # Relative magnitudes with M = 0: no post-period violation, the identified set is the estimate.
    assert rows[0.0]["id_lower"] == pytest.approx(res["ESTIMATE"], abs=1e-9)
    assert rows[0.0]["id_upper"] == pytest.approx(res["ESTIMATE"], abs=1e-9)
    assert rows[0.0]["lower"] > 0 and res["BREAKDOWN_M"] > 0  # a clear effect
    assert png.stat().st_size > 0
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="M"):
        processing.run(
            "policylink:didhonest",
            {"PANEL": panel_layer, **PANEL, "M_VALUES": "a,b", "OUTPUT": "memory:"},
        )
