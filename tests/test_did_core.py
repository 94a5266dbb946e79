"""TWFE DID, event study and placebo test of spatial.did against pyfixest and known truths.

All data here are SYNTHETIC (policylink.spatial.did.simulate, true parameters in ``attrs['truth']``).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

from policylink.errors import InputError
from policylink.spatial.did import PanelSpec, event_study, placebo_did, simulate_staggered, twfe_did

SPEC = PanelSpec(
    outcome="y", unit="unit", time="year", first_treated="first_treated", controls=("x1", "x2")
)


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate_staggered(tau=0.5, seed=11)


def test_twfe_equals_pyfixest_and_recovers_effect(sim: pd.DataFrame) -> None:
    res = twfe_did(sim, SPEC)
    # independent call: the 0/1 column written by the simulator, not our coding
    ref = pf.feols("y ~ treat + x1 + x2 | unit + year", sim, vcov={"CRV1": "unit"})
    assert res.coef() == pytest.approx(float(ref.coef()["treat"]), abs=1e-8)
    assert res.se() == pytest.approx(float(ref.se()["treat"]), abs=1e-8)
    assert res.coef("x1") == pytest.approx(float(ref.coef()["x1"]), abs=1e-8)
    assert res.r2_within == pytest.approx(ref._r2_within, abs=1e-10)
    assert res.n_obs == 3052 and res.n_units == 218
    truth = sim.attrs["truth"]["tau"]
    assert abs(res.coef() - truth) < 2 * res.se()
    # the same with the 0/1 treatment column as input, and two-way clustering
    two = twfe_did(sim, SPEC.with_(first_treated=None, treat="treat", cluster="twoway"))
    ref2 = pf.feols("y ~ treat + x1 + x2 | unit + year", sim, vcov={"CRV1": "unit+year"})
    assert two.coef() == pytest.approx(float(ref2.coef()["treat"]), abs=1e-8)
    assert two.se() == pytest.approx(float(ref2.se()["treat"]), abs=1e-8)
    d = res.to_dict()
    assert set(d["coefficients"]["did"]) == {"estimate", "se", "t", "p"}


def test_event_study_recovers_dynamics_and_pretrend_test() -> None:
    sim = simulate_staggered(tau=0.4, dynamic=0.2, sigma=0.5, seed=3)
    es = event_study(sim, SPEC, leads=4, lags=3)
    tab = es.table.set_index("rel_time")
    assert tab.loc[-1, "estimate"] == 0.0 and np.isnan(tab.loc[-1, "se"])
    # true effect at event time e is tau + dynamic * e (e = 0, 1, 2); leads are 0
    for e in (0, 1, 2):
        assert abs(tab.loc[e, "estimate"] - (0.4 + 0.2 * e)) < 2.5 * tab.loc[e, "se"]
    for e in (-4, -3, -2):
        assert abs(tab.loc[e, "estimate"]) < 2.5 * tab.loc[e, "se"]
    # the joint pre-trend Wald statistic against pyfixest's own wald_test on the same fit
    fit = es.model.fit
    names = list(fit.coef().index)
    leads = es.pretrend["terms"]
    R = np.zeros((len(leads), len(names)))
    for i, n in enumerate(leads):
        R[i, names.index(n)] = 1.0
    b = fit.coef().to_numpy()[[names.index(n) for n in leads]]
    V = fit._vcov[np.ix_([names.index(n) for n in leads], [names.index(n) for n in leads])]
    w_ref = float(b @ np.linalg.inv(V) @ b)
    assert es.pretrend["wald"] == pytest.approx(w_ref, rel=1e-10)
    assert es.pretrend["p_chi2"] == pytest.approx(stats.chi2.sf(w_ref, len(leads)), rel=1e-10)


def test_pretrend_test_detects_anticipation() -> None:
    sim = simulate_staggered(tau=0.5, sigma=0.5, seed=5)
    # anticipation: treated units rise by 0.6 two years before adoption (a pre-trend violation)
    e = sim["year"] - sim["first_treated"]
    sim.loc[(sim["first_treated"] > 0) & (e == -2), "y"] += 0.6
    es = event_study(sim, SPEC, leads=4, lags=3)
    assert es.pretrend["p_chi2"] < 0.01


def test_placebo_fast_equals_pyfixest_loop_draw_by_draw(sim: pd.DataFrame) -> None:
    for mode in ("units", "timing", "both"):
        fast = placebo_did(sim, SPEC, draws=8, seed=7, mode=mode)
        slow = placebo_did(sim, SPEC, draws=8, seed=7, mode=mode, method="loop")
        np.testing.assert_array_equal(fast.first_treated, slow.first_treated)
        np.testing.assert_allclose(fast.estimates, slow.estimates, rtol=0, atol=1e-8)
        np.testing.assert_allclose(fast.ses, slow.ses, rtol=0, atol=1e-8)


def test_placebo_speed_and_distribution(sim: pd.DataFrame) -> None:
    # loop cost per draw measured on 10 pyfixest fits of the same data
    slow = placebo_did(sim, SPEC, draws=10, seed=1, method="loop")
    placebo_did(sim, SPEC, draws=10, seed=1)  # warm-up (JIT of the demeaner)
    t0 = time.perf_counter()
    fast = placebo_did(sim, SPEC, draws=1000, seed=1)
    fast_s = time.perf_counter() - t0
    assert fast_s < (slow.seconds / 10 * 1000) / 20
    s = fast.summary()
    assert s["draws"] == 1000
    # placebo coefficients centre on 0; the true effect 0.5 lies far in the tail
    assert abs(s["mean"]) < 3 * s["sd"] / np.sqrt(1000)
    assert s["p_value"] == pytest.approx(1 / 1001)
    # permutation p-value by its definition
    obs = fast.observed.coef()
    assert s["p_value"] == (1 + np.sum(np.abs(fast.estimates) >= abs(obs))) / 1001


def test_bad_input_names_row_and_column(sim: pd.DataFrame) -> None:
    bad = sim.copy()
    bad["y"] = bad["y"].astype(object)
    bad.loc[4, "y"] = "n/a"
    with pytest.raises(InputError) as err:
        twfe_did(bad, SPEC.with_(source="cities.csv"))
    p = err.value.problems[0]
    assert (p.file, p.row, p.column) == ("cities.csv", 5, "y")
    dup = pd.concat([sim, sim.iloc[[3]]], ignore_index=True)
    with pytest.raises(InputError, match="duplicate row"):
        twfe_did(dup, SPEC)
    nonabs = sim.copy()
    i = nonabs.index[(nonabs["treat"] == 1)][2]
    nonabs.loc[i, "treat"] = 0
    with pytest.raises(InputError, match="switches off"):
        twfe_did(nonabs, SPEC.with_(first_treated=None, treat="treat"))
    with pytest.raises(InputError, match="column not found"):
        twfe_did(sim, SPEC.with_(controls=("x9",)))


def test_unbalanced_panel_and_unusual_column_names(sim: pd.DataFrame) -> None:
    # drop 10 % of the rows at random: the FWL path must still equal the pyfixest loop
    rng = np.random.default_rng(4)
    unb = sim.drop(index=rng.choice(sim.index, size=300, replace=False)).reset_index(drop=True)
    unb = unb.rename(columns={"y": "新质 生产力", "x1": "Gov-1", "unit": "城市"})
    spec = PanelSpec(
        outcome="新质 生产力", unit="城市", first_treated="first_treated", controls=("Gov-1", "x2")
    )
    res = twfe_did(unb, spec)
    assert list(res.coefficients.index) == ["did", "Gov-1", "x2"]
    ref = pf.feols(
        "y ~ treat + x1 + x2 | unit + year",
        unb.rename(columns={"新质 生产力": "y", "Gov-1": "x1", "城市": "unit"}),
        vcov={"CRV1": "unit"},
    )
    assert res.coef() == pytest.approx(float(ref.coef()["treat"]), abs=1e-8)
    fast = placebo_did(unb, spec, draws=6, seed=2, mode="both")
    slow = placebo_did(unb, spec, draws=6, seed=2, mode="both", method="loop")
    np.testing.assert_allclose(fast.estimates, slow.estimates, rtol=0, atol=1e-8)
    np.testing.assert_allclose(fast.ses, slow.ses, rtol=0, atol=1e-8)
