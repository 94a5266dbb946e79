"""Callaway-Sant'Anna, Sun-Abraham and Goodman-Bacon against brute-force references.

The references are computed here independently from group means of the SYNTHETIC panels
(policylink.spatial.did.simulate): 2x2 DIDs for ATT(g, t), the two-sample variance for their standard
errors, a unit bootstrap for the aggregated standard error, pyfixest for the TWFE coefficient.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from policylink.errors import InputError
from policylink.spatial.did import PanelSpec, simulate_staggered
from policylink.spatial.did.staggered import bacon_decomposition, callaway_santanna, sun_abraham

SPEC = PanelSpec(outcome="y", unit="unit", time="year", first_treated="first_treated")
COHORTS = {2011: 30, 2013: 25, 2017: 20}


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate_staggered(
        n_units=120, cohorts=COHORTS, tau=0.5, dynamic=0.1, cohort_shift={2017: 0.4}, seed=21
    )


def brute_att(df: pd.DataFrame, g: int, t: int, b: int, control: str) -> float:
    """ATT(g,t) as the 2x2 DID of group means between years t and b."""
    wide = df.pivot(index="unit", columns="year", values="y")
    first = df.groupby("unit")["first_treated"].first()
    dy = wide[t] - wide[b]
    never = first == 0
    if control == "never":
        ctrl = never
    else:
        ctrl = never | ((first > max(t, b)) & (first != g))
    return float(dy[first == g].mean() - dy[ctrl].mean())


@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("base", ["varying", "universal"])
def test_cs_att_gt_equals_brute_force_2x2(sim: pd.DataFrame, control: str, base: str) -> None:
    cs = callaway_santanna(sim, SPEC, control=control, base_period=base)
    years = sorted(sim.year.unique())
    n_expected = 0
    for g in COHORTS:
        for j, t in enumerate(years[1:], start=1):
            if t >= g:
                b = g - 1
            elif base == "varying":
                b = years[j - 1]
            else:
                b = g - 1
                if t == b:
                    continue
            n_expected += 1
            row = cs.att_gt[(cs.att_gt.group == g) & (cs.att_gt.time == t)].iloc[0]
            assert row.base == b
            assert row.att == pytest.approx(brute_att(sim, g, t, b, control), abs=1e-10)
    assert len(cs.att_gt) == n_expected


def test_cs_standard_errors(sim: pd.DataFrame) -> None:
    cs = callaway_santanna(sim, SPEC, control="never")
    # ATT(g,t) SE = two-sample variance with population (1/n) variances
    wide = sim.pivot(index="unit", columns="year", values="y")
    first = sim.groupby("unit")["first_treated"].first()
    dy = wide[2015] - wide[2012]
    a, c = dy[first == 2013], dy[first == 0]
    se_ref = np.sqrt(a.var(ddof=0) / len(a) + c.var(ddof=0) / len(c))
    row = cs.att_gt[(cs.att_gt.group == 2013) & (cs.att_gt.time == 2015)].iloc[0]
    assert row.se == pytest.approx(se_ref, rel=1e-10)
    # simple aggregation: group-size weighted mean of post-period ATT(g,t)
    post = cs.att_gt[cs.att_gt.rel_time >= 0]
    w = post.group.map(COHORTS).astype(float)
    assert cs.overall["att"] == pytest.approx(float(np.sum(w * post.att) / w.sum()), abs=1e-12)
    # dynamic aggregation at e = 2: cohort-size weights over cohorts observed at e = 2
    e2 = post[post.rel_time == 2]
    w2 = e2.group.map(COHORTS).astype(float)
    dyn = cs.dynamic.set_index("rel_time")
    assert dyn.loc[2, "att"] == pytest.approx(float(np.sum(w2 * e2.att) / w2.sum()), abs=1e-12)
    # aggregated SE (with the weights' influence function) against a unit bootstrap
    rng = np.random.default_rng(0)
    units = sim.unit.unique()
    rows = sim.groupby("unit", sort=False).indices  # row positions of each unit, in order
    boots = []
    for _ in range(150):
        pick = rng.choice(units, size=len(units), replace=True)
        # the drawn units' rows, each copy a new unit b0, b1, ... (one iloc, not a mask a unit)
        idx = np.concatenate([rows[u] for u in pick])
        labels = np.repeat([f"b{i}" for i in range(len(pick))], [len(rows[u]) for u in pick])
        boots.append(callaway_santanna(sim.iloc[idx].assign(unit=labels), SPEC).overall["att"])
    assert cs.overall["se"] == pytest.approx(np.std(boots, ddof=1), rel=0.25)


def test_cs_recovers_dynamic_truth() -> None:
    sim = simulate_staggered(tau=0.5, dynamic=0.15, sigma=0.5, seed=8)
    cs = callaway_santanna(sim, SPEC, control="notyet")
    dyn = cs.dynamic.set_index("rel_time")
    # five event times tested together: each within 3 SE (z-scores over 60 seeds of this
    # design had mean ~0.15 and sd ~1.0, i.e. the analytic SEs have the right size)
    for e in range(0, 5):
        truth = 0.5 + 0.15 * e
        assert abs(dyn.loc[e, "att"] - truth) < 3 * dyn.loc[e, "se"]
    assert abs(cs.dynamic_overall["att"] - np.mean([0.5 + 0.15 * e for e in range(12)])) < 0.5
    d = cs.to_dict()
    assert {"att", "by_event_time"} <= set(d)


def test_sun_abraham_equals_cs_with_universal_base(sim: pd.DataFrame) -> None:
    # with never-treated controls, no covariates and a balanced panel the saturated TWFE
    # cohort effects are the 2x2 DIDs against base year g-1 (Sun and Abraham 2021, Prop. 3)
    sa = sun_abraham(sim, SPEC)
    cs = callaway_santanna(sim, SPEC, control="never", base_period="universal")
    m = cs.att_gt.merge(sa.cohort_effects, on=["group", "rel_time"])
    assert len(m) == len(cs.att_gt)
    np.testing.assert_allclose(m.att, m.estimate, atol=1e-8)
    # IW aggregate = cohort-share weighted mean of the cohort effects
    e1 = sa.cohort_effects[sa.cohort_effects.rel_time == 1]
    w = e1.group.map(COHORTS).astype(float)
    tab = sa.table.set_index("rel_time")
    assert tab.loc[1, "estimate"] == pytest.approx(float(np.sum(w * e1.estimate) / w.sum()))


@pytest.mark.parametrize("always", [False, True])
def test_bacon_weights_sum_to_one_and_reproduce_twfe(always: bool) -> None:
    cohorts = dict(COHORTS)
    if always:
        cohorts[2005] = 10  # treated before the panel starts: an always-treated group
    sim = simulate_staggered(n_units=120, cohorts=cohorts, dynamic=0.2, seed=4)
    bac = bacon_decomposition(sim, SPEC)
    ref = pf.feols("y ~ treat | unit + year", sim, vcov={"CRV1": "unit"})
    assert bac.table.weight.sum() == pytest.approx(1.0, abs=1e-12)
    assert bac.twfe == pytest.approx(float(ref.coef()["treat"]), abs=1e-8)
    assert bac.weighted_sum == pytest.approx(float(ref.coef()["treat"]), abs=1e-10)
    assert ("later vs always treated" in set(bac.table.type)) is always
    # a treated-vs-never 2x2 by hand
    row = bac.table[(bac.table.type == "treated vs never") & (bac.table.treated == 2013)].iloc[0]
    m = sim.assign(post=sim.year >= 2013).groupby(["first_treated", "post"]).y.mean()
    assert row.estimate == pytest.approx(
        (m[2013, True] - m[2013, False]) - (m[0, True] - m[0, False])
    )


def test_unbalanced_panel_is_refused(sim: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="balanced panel"):
        bacon_decomposition(sim.drop(index=[5]), SPEC.with_(source="p.csv"))
    with pytest.raises(InputError, match="balanced panel"):
        callaway_santanna(sim.drop(index=[5]), SPEC)


@pytest.mark.parametrize(
    ("cg", "control", "covs"),
    [
        ("nevertreated", "never", None),
        ("notyettreated", "notyet", None),
        ("nevertreated_x", "never", ["x1", "x2"]),
        ("notyettreated_x", "notyet", ["x1", "x2"]),
    ],
)
def test_cs_equals_csdid_reference(cg: str, control: str, covs: list[str] | None) -> None:
    """Against csdid 0.4.3 (Python port of R ``did``) run on the same SYNTHETIC panel.

    The reference numbers were produced by tests/data/did_csdid/make_reference.py in a separate
    environment (csdid is not a dependency); the panel is stored next to them. With covariates
    both use the outcome-regression estimator (csdid ``est_method='reg'``, ``xformla='~x1+x2'``).
    """
    import json
    from pathlib import Path

    here = Path(__file__).parent / "data" / "did_csdid"
    ref = json.loads((here / "csdid_reference.json").read_text())[cg]
    df = pd.read_csv(here / "panel.csv", dtype={"unit": str})
    cs = callaway_santanna(df, SPEC, control=control, base_period="varying", covariates=covs)
    r = pd.DataFrame(ref["att_gt"])
    m = cs.att_gt.merge(r, on=["group", "time"], suffixes=("", "_ref"))
    assert len(m) == len(r) == len(cs.att_gt)
    np.testing.assert_allclose(m.att, m.att_ref, atol=1e-10)
    np.testing.assert_allclose(m.se, m.se_ref, rtol=1e-8)
    for ours, key in (
        (cs.overall, "simple"),
        (cs.dynamic_overall, "dynamic"),
        (cs.group_overall, "group"),
    ):
        assert ours["att"] == pytest.approx(ref[key]["att"], abs=1e-10)
        assert ours["se"] == pytest.approx(ref[key]["se"], rel=1e-8)
    d = pd.DataFrame(ref["by_event_time"]).merge(cs.dynamic, on="rel_time", suffixes=("_ref", ""))
    assert len(d) == len(cs.dynamic)
    np.testing.assert_allclose(d.att, d.att_ref, atol=1e-10)
    np.testing.assert_allclose(d.se, d.se_ref, rtol=1e-8)


def test_cs_uniform_bands(sim: pd.DataFrame) -> None:
    from scipy import stats

    from policylink.spatial.did.staggered import cs_uniform_bands

    cs = callaway_santanna(sim, SPEC, control="notyet")
    bands = cs_uniform_bands(cs, draws=4000, seed=1)
    # multiplier-bootstrap SEs estimate the analytic influence-function SEs
    ratio = bands.se_boot.to_numpy() / cs.dynamic.se.to_numpy()
    assert np.all(np.abs(ratio - 1) < 0.1)
    # a simultaneous band over k event times lies between the pointwise and Bonferroni values
    k = len(bands)
    crit = bands.crit.iloc[0]
    assert stats.norm.ppf(0.975) < crit < stats.norm.ppf(1 - 0.025 / k) + 0.05
    assert np.all(bands.lower < bands.pointwise_lower)


def test_sun_abraham_last_cohort_as_control(sim: pd.DataFrame) -> None:
    # no never-treated units: the last-treated cohort (2017) is the control and years from
    # 2017 on are dropped; CATT(g, e) is then the 2x2 DID against that cohort and base g-1
    only = sim[sim.first_treated > 0]
    sa = sun_abraham(only, SPEC)
    assert sa.control_cohort == "last-treated cohort 2017"
    wide = only.pivot(index="unit", columns="year", values="y")
    first = only.groupby("unit").first_treated.first()
    for r in sa.cohort_effects.itertuples():
        t, b = r.group + r.rel_time, r.group - 1
        dy = wide[t] - wide[b]
        ref = dy[first == r.group].mean() - dy[first == 2017].mean()
        assert r.estimate == pytest.approx(ref, abs=1e-8)
    assert sa.cohort_effects.group.max() == 2013
    assert (sa.cohort_effects.group + sa.cohort_effects.rel_time).max() == 2016
