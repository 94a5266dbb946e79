"""Callaway-Sant'Anna completed: IPW and doubly robust estimators, anticipation, the calendar
aggregation and uniform bands for every aggregation.

Reference: csdid 0.4.3 with drdid 1.1.7 (the Python port of R ``did`` / ``DRDID``) run outside
the project environment on the stored SYNTHETIC panel (tests/data/did_csdid_full/
make_reference.py; versions in the JSON); plus closed forms (without covariates IPW and DR are
the unconditional DID) and SYNTHETIC recovery with selection on a covariate.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policylink.spatial.did import PanelSpec, callaway_santanna
from policylink.spatial.did.staggered import cs_uniform_bands

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "did_csdid_full" / "csdid_full_reference.json").read_text())
SPEC = PanelSpec(outcome="y", unit="unit", time="year", first_treated="first_treated")
CASES = [k for k, v in REF.items() if isinstance(v, dict) and "att_gt" in v]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return pd.read_csv(DATA / "did_csdid" / "panel.csv", dtype={"unit": str})


@pytest.mark.parametrize("case", CASES)
def test_cs_equals_csdid(panel: pd.DataFrame, case: str) -> None:
    ref = REF[case]
    cs = callaway_santanna(
        panel,
        SPEC,
        control="never" if ref["control_group"] == "nevertreated" else "notyet",
        covariates=["x1", "x2"] if ref["xformla"] else None,
        estimator={"reg": "or", "ipw": "ipw", "dr": "dr"}[ref["est_method"]],
        anticipation=ref["anticipation"],
    )
    r = pd.DataFrame(ref["att_gt"])
    m = cs.att_gt.merge(r, on=["group", "time"], suffixes=("", "_ref"))
    assert len(m) == len(r) == len(cs.att_gt)
    np.testing.assert_allclose(m.att, m.att_ref, atol=1e-9)
    np.testing.assert_allclose(m.se, m.se_ref, rtol=1e-6)
    overall = {
        "simple": cs.overall,
        "dynamic": cs.dynamic_overall,
        "group": cs.group_overall,
        "calendar": cs.calendar_overall,
    }
    by = {
        "dynamic": cs.dynamic.rename(columns={"rel_time": "key"}),
        "group": cs.group.rename(columns={"group": "key"}),
        "calendar": cs.calendar.rename(columns={"time": "key"}),
    }
    for key, ours in overall.items():
        assert ours["att"] == pytest.approx(ref[key]["att"], abs=1e-9), key
        assert ours["se"] == pytest.approx(ref[key]["se"], rel=1e-6), key
    for key, ours in by.items():
        d = pd.DataFrame(ref[key]["by"]).merge(ours, on="key", suffixes=("_ref", ""))
        assert len(d) == len(ours) == len(ref[key]["by"]["key"]), key
        np.testing.assert_allclose(d.att, d.att_ref, atol=1e-9)
        np.testing.assert_allclose(d.se, d.se_ref, rtol=1e-6)


@pytest.mark.parametrize("estimator", ["ipw", "dr"])
def test_without_covariates_ipw_and_dr_are_the_unconditional_did(panel, estimator):
    from policylink.spatial.did.staggered import _dr_att, _ipw_att, _or_att

    base = callaway_santanna(panel, SPEC, control="notyet")
    other = callaway_santanna(panel, SPEC, control="notyet", estimator=estimator)
    pd.testing.assert_frame_equal(base.att_gt, other.att_gt)
    # the 2x2 estimators with an intercept-only design give the difference of mean changes
    rng = np.random.default_rng(0)
    dy, d = rng.normal(size=50), (np.arange(50) < 20).astype(float)
    want = dy[d == 1].mean() - dy[d == 0].mean()
    for f in (_or_att, _ipw_att, _dr_att):
        att, inf = f(dy, d, np.zeros((50, 0)))
        assert att == pytest.approx(want, abs=1e-12)
        # two-sample variance of the difference of means
        v = dy[d == 1].var() / 20 + dy[d == 0].var() / 30
        assert np.sqrt(np.mean(inf**2) / 50) == pytest.approx(np.sqrt(v), rel=1e-10)


def test_dr_recovers_effect_under_selection_on_a_covariate():
    """SYNTHETIC: adoption more likely for high x, and x shifts the trend; true ATT 1.0.

    The unconditional DID is biased by the x-specific trend; OR, IPW and DR are not.
    """
    rng = np.random.default_rng(7)
    n, years = 600, np.arange(2010, 2016)
    x = rng.normal(size=n)
    treated = rng.random(n) < 1 / (1 + np.exp(-(x - 0.5)))
    g = np.where(treated, 2013, 0)
    rows = []
    for i in range(n):
        a = rng.normal()
        for t in years:
            y = a + 0.3 * (t - 2010) * x[i] + (1.0 if g[i] and t >= 2013 else 0.0)
            rows.append((f"u{i}", t, y + rng.normal(scale=0.5), x[i], g[i]))
    df = pd.DataFrame(rows, columns=["unit", "year", "y", "x", "first_treated"])
    unc = callaway_santanna(df, SPEC)
    assert abs(unc.overall["att"] - 1.0) > 5 * unc.overall["se"]
    for est in ("or", "ipw", "dr"):
        cs = callaway_santanna(df, SPEC, covariates=["x"], estimator=est)
        assert abs(cs.overall["att"] - 1.0) < 3 * cs.overall["se"], est


def test_uniform_bands_for_each_aggregation(panel):
    from scipy import stats

    cs = callaway_santanna(panel, SPEC, control="notyet")
    for agg, key, table in (
        ("group", "group", cs.group),
        ("calendar", "time", cs.calendar),
        ("gt", "time", cs.att_gt),
    ):
        b = cs_uniform_bands(cs, draws=3000, seed=2, aggregation=agg)
        assert list(b[key]) == list(table[key])
        ratio = b.se_boot.to_numpy() / table.se.to_numpy()
        assert np.all(np.abs(ratio - 1) < 0.12), agg
        k = len(b)
        assert stats.norm.ppf(0.975) < b.crit.iloc[0] < stats.norm.ppf(1 - 0.025 / k) + 0.05
    with pytest.raises(ValueError, match="aggregation"):
        cs_uniform_bands(cs, aggregation="nope")


def test_cli_cs_dr_notyet_calendar_equals_csdid(capsys) -> None:
    from policylink.cli import main

    ref = REF["notyet_dr_x"]
    argv = ["did", "cs", str(DATA / "did_csdid" / "panel.csv"), "-y", "y"]
    argv += ["--first-treated", "first_treated", "--covariates", "x1,x2", "--estimator", "dr"]
    argv += ["--control", "notyet", "--aggregate", "calendar", "--format", "json"]
    capsys.readouterr()
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)["cs"]
    assert out["estimator"] == "dr" and out["control"] == "notyet"
    got = pd.DataFrame(out["by_calendar_time"])
    np.testing.assert_allclose(got.att, ref["calendar"]["by"]["att"], atol=1e-9)
    np.testing.assert_allclose(got.se, ref["calendar"]["by"]["se"], rtol=1e-6)
    assert out["calendar_overall"]["att"] == pytest.approx(ref["calendar"]["att"], abs=1e-9)
    assert out["att"]["att"] == pytest.approx(ref["simple"]["att"], abs=1e-9)
    # table output: the calendar aggregation and the estimator in the title
    assert main(argv[:-2] + ["--format", "table"]) == 0
    text = capsys.readouterr().out
    assert "by calendar year" in text and "DR" in text
