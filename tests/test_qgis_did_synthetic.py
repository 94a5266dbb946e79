"""Synthetic DID and de Chaisemartin-D'Haultfoeuille in QGIS Processing (``didsdid``, ``diddcdh``).

Data: the SYNTHETIC staggered panel of ``test_qgis_did_modern`` (60 units x 2005-2018, cohorts
2010 with true effect 1.0 and 2014 with 2.0, 20 never-treated units). References: the analysis
functions ``run_sdid`` / ``run_dcdh`` on the same panel (the algorithms must only read and write),
and closed forms computed here with pandas: with ``method='did'`` the synthetic DID of a cohort is
the 2x2 DID of means (post minus pre years, cohort minus never treated) and the overall ATT their
average weighted by treated units x post years; every cohort's unit weights sum to one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_qgis_did_modern import (  # noqa: F401
    PANEL,
    YEARS,
    panel,
    panel_layer,
    plugin,
    synthetic_panel,
    unit_layer,
)

pytestmark = pytest.mark.qgis


def features(layer) -> pd.DataFrame:  # noqa: ANN001
    """A Processing output layer as a frame (NULL -> None)."""
    names = [f.name() for f in layer.fields()]

    def value(v):  # noqa: ANN001, ANN202
        return None if v is None or (hasattr(v, "isNull") and v.isNull()) else v

    rows = [[value(v) for v in f.attributes()] for f in layer.getFeatures()]
    return pd.DataFrame(rows, columns=names)


def treat_layer(frame: pd.DataFrame):  # noqa: ANN201
    """The panel as a memory table with a 0/1 treatment field ``d`` instead of ``first``."""
    from qgis.core import QgsFeature, QgsField, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    layer = QgsVectorLayer("None", "SYNTHETIC switching panel", "memory")
    layer.dataProvider().addAttributes(
        [
            QgsField("unit", QVariant.String),
            QgsField("year", QVariant.Int),
            QgsField("y", QVariant.Double),
            QgsField("first", QVariant.Int),
            QgsField("d", QVariant.Int),
        ]
    )
    layer.updateFields()
    feats = []
    for r in frame.itertuples(index=False):
        f = QgsFeature(layer.fields())
        d = int(r.first > 0 and r.year >= r.first)
        f.setAttributes([r.unit, int(r.year), float(r.y), int(r.first), d])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def did_closed_form(frame: pd.DataFrame) -> float:
    """Cohort 2x2 DIDs of means against the never treated, weighted by units x post years."""
    ests, wts = [], []
    for g in (2010, 2014):
        m = frame.groupby(["first", frame.year >= g])["y"].mean()
        n_post = sum(1 for t in YEARS if t >= g)
        ests.append((m[g, True] - m[g, False]) - (m[0, True] - m[0, False]))
        wts.append(20 * n_post)
    return float(np.average(ests, weights=wts))


def test_sdid_equals_run_sdid_and_maps_unit_weights(plugin, panel, panel_layer, unit_layer):  # noqa: F811
    import processing

    from policylink.analyses.did import SdidOptions, run_sdid
    from policylink.did_inputs import did_inputs_from_frame
    from policylink.spatial.did import PanelSpec

    params = {
        "PANEL": panel_layer,
        **PANEL,
        "METHOD": 0,
        "SE_METHOD": 1,  # jackknife: 40 treated units, 20 controls
        "REPLICATIONS": 20,
        "SEED": 3,
        "OUTPUT": "memory:",
        "TIME_WEIGHTS": "memory:",
        "UNITS": unit_layer,
        "UNITS_ID": "code",
        "UNIT_WEIGHTS": "memory:",
    }
    res = processing.run("policylink:didsdid", params)
    frame = panel.assign(unit=panel.unit.astype(str))
    spec = PanelSpec("y", unit="unit", time="year", first_treated="first")
    ref = run_sdid(
        did_inputs_from_frame(frame, spec),
        SdidOptions(method="sdid", se="jackknife", replications=20, seed=3),
    )
    assert res["ATT"] == pytest.approx(ref.att, rel=1e-10)
    assert res["SE"] == pytest.approx(ref.se, rel=1e-10)
    assert res["ATT"] == pytest.approx(
        1.0 * 20 * 9 / (20 * 9 + 20 * 5) + 2.0 * 20 * 5 / 280, abs=0.05
    )
    table = features(res["OUTPUT"])
    assert table.loc[table.term == "ATT", "estimate"].iloc[0] == pytest.approx(ref.att, rel=1e-10)
    tw = features(res["TIME_WEIGHTS"])
    want_tw = ref.time_weights().reset_index(drop=True)
    np.testing.assert_allclose(tw["lambda"].to_numpy(float), want_tw["lambda"].to_numpy(float))
    assert tw.groupby("cohort")["lambda"].sum().to_numpy() == pytest.approx([1.0, 1.0])
    uw = features(res["UNIT_WEIGHTS"]).set_index("code")
    assert len(uw) == 60
    for g in (2010, 2014):
        col = uw[f"omega_{g}"]
        assert col.dropna().sum() == pytest.approx(1.0, abs=1e-9)
        want = ref.unit_weights()
        want = want[want.cohort == g].set_index("unit")["omega"]
        np.testing.assert_allclose(col[want.index].to_numpy(float), want.to_numpy(float))
        # treated units carry their cohort and no weight
        treated = [f"u{i:02d}" for i in (range(20) if g == 2010 else range(20, 40))]
        assert (uw.loc[treated, "cohort"] == g).all()
        assert uw.loc[treated, f"omega_{g}"].isna().all()


def test_sdid_plain_did_equals_the_closed_form(plugin, panel, panel_layer):  # noqa: F811
    import processing

    res = processing.run(
        "policylink:didsdid",
        {"PANEL": panel_layer, **PANEL, "METHOD": 2, "SE_METHOD": 3, "OUTPUT": "memory:"},
    )
    assert res["ATT"] == pytest.approx(did_closed_form(panel), rel=1e-9)
    assert np.isnan(res["SE"])


def test_dcdh_equals_run_dcdh_with_either_treatment_coding(plugin, panel, panel_layer):  # noqa: F811
    import processing
    from qgis.core import QgsProcessingException

    from policylink.analyses.did import DcdhOptions, run_dcdh
    from policylink.did_inputs import did_inputs_from_frame
    from policylink.spatial.did import PanelSpec

    common = {"EFFECTS": 2, "PLACEBOS": 1, "DRAWS": 20, "SEED": 5, "OUTPUT": "memory:"}
    res = processing.run("policylink:diddcdh", {"PANEL": panel_layer, **PANEL, **common})
    frame = panel.assign(unit=panel.unit.astype(str))
    spec = PanelSpec("y", unit="unit", time="year", first_treated="first")
    ref = run_dcdh(did_inputs_from_frame(frame, spec), DcdhOptions(2, 1, 20, 5))
    assert res["DID_M"] == pytest.approx(ref.result.did_m["estimate"], rel=1e-10)
    assert res["DID_M_SE"] == pytest.approx(ref.result.did_m["se"], rel=1e-10)
    table = features(res["OUTPUT"]).sort_values("rel_time")
    want = ref.result.event.sort_values("rel_time")
    np.testing.assert_allclose(table.estimate.to_numpy(float), want.estimate.to_numpy(float))
    # the same treatment as a 0/1 field gives the same numbers
    layer = treat_layer(panel)
    by_treat = {k: v for k, v in PANEL.items() if k != "FIRST_TREATED"}
    res2 = processing.run(
        "policylink:diddcdh", {"PANEL": layer, **by_treat, "TREAT": "d", **common}
    )
    assert res2["DID_M"] == pytest.approx(res["DID_M"], rel=1e-10)
    with pytest.raises(QgsProcessingException, match="exactly one"):
        processing.run("policylink:diddcdh", {"PANEL": layer, **PANEL, "TREAT": "d", **common})
