"""de Chaisemartin-D'Haultfoeuille DID_M and DID_l.

References: hand computations on a small panel with joiners and leavers; Callaway-Sant'Anna
(not-yet-treated controls, itself checked against csdid) on absorbing staggered panels, where
DID_l equals the dynamic ATT at event time l - 1; simulation recovery of a constant effect on
SYNTHETIC panels whose treatment switches on and off.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policylink.spatial.did import PanelSpec, callaway_santanna
from policylink.spatial.did.dcdh import dcdh, did_l, did_m
from policylink.spatial.did.simulate import simulate_staggered
from policylink.spatial.errors import InputError

# units A-D, periods 0-2: A joins at 1, C leaves at 2, B never, D always treated
D4 = np.array([[0, 1, 1], [0, 0, 0], [1, 1, 0], [1, 1, 1]])
Y4 = np.array([[1.0, 4, 6], [2, 3, 5], [5, 6, 6], [3, 5, 8]])


def test_did_m_by_hand():
    # t=1: joiner A (dY 3) vs stayer-untreated B (dY 1): +2, one cell
    # t=2: stayers-treated A, D (dY 2, 3 -> 2.5) vs leaver C (dY 0): +2.5, one cell
    est, n_s = did_m(Y4, D4)
    assert n_s == 2
    assert est == pytest.approx((2 + 2.5) / 2, abs=1e-12)


def test_did_l_and_placebo_by_hand():
    # DID_1: A (3 - B's 1 = 2) and C (-(0 - D's 3) = 3) -> 2.5
    assert did_l(Y4, D4, 1) == (pytest.approx(2.5), 2)
    # DID_2: only A has a second period: (6 - 1) - (5 - 2) = 2
    assert did_l(Y4, D4, 2) == (pytest.approx(2.0), 1)
    # placebo 1: only C has a period before F - 1: -((5 - 6) - (3 - 5)) = -1
    assert did_l(Y4, D4, -1) == (pytest.approx(-1.0), 1)


def test_two_by_two_did_m_equals_did():
    Y = np.array([[1.0, 2.5], [2.0, 6.0], [0.5, 1.0], [3.0, 3.2]])
    D = np.array([[0, 0], [0, 1], [0, 0], [0, 1]])
    ref = (Y[[1, 3], 1] - Y[[1, 3], 0]).mean() - (Y[[0, 2], 1] - Y[[0, 2], 0]).mean()
    assert did_m(Y, D)[0] == pytest.approx(ref, abs=1e-12)


def test_did_l_equals_callaway_santanna_not_yet_on_absorbing_panels():
    df = simulate_staggered(
        n_units=60,
        years=range(2005, 2015),
        cohorts={2008: 12, 2010: 12, 2012: 12},
        tau=0.5,
        dynamic=0.3,
        seed=8,
    )
    cs = callaway_santanna(
        df, PanelSpec(outcome="y", first_treated="first_treated"), control="notyet"
    )
    dyn = cs.dynamic.set_index("rel_time").att
    res = dcdh(df, outcome="y", unit="unit", time="year", treat="treat", effects=4, placebos=2)
    ev = res.event.set_index("rel_time").estimate
    for ell in range(1, 5):
        assert ev.loc[ell] == pytest.approx(dyn.loc[ell - 1], abs=1e-10)


def _switching_panel(seed: int, tau: float = 2.0, n: int = 80, T: int = 10) -> pd.DataFrame:
    """SYNTHETIC: treatment switches on and off at random (p = 0.25 a period); y = a_i + b_t +
    tau D + N(0, 0.5^2) with tau = 2 (true DID_M and DID_l = 2, placebos 0)."""
    rng = np.random.default_rng(seed)
    D = np.zeros((n, T), int)
    D[:, 0] = rng.random(n) < 0.3
    for t in range(1, T):
        flip = rng.random(n) < 0.25
        D[:, t] = np.where(flip, 1 - D[:, t - 1], D[:, t - 1])
    a, b = rng.normal(0, 1, n), np.cumsum(rng.normal(0, 1, T))
    Y = a[:, None] + b[None, :] + tau * D + rng.normal(0, 0.5, (n, T))
    return pd.DataFrame(
        {
            "unit": np.repeat([f"u{i:03d}" for i in range(n)], T),
            "year": np.tile(np.arange(2001, 2001 + T), n),
            "y": Y.ravel(),
            "d": D.ravel(),
        }
    )


def test_recovers_constant_effect_with_switching_and_bootstrap_se():
    est, ses, pl = [], [], []
    for seed in range(30):
        r = dcdh(
            _switching_panel(seed),
            outcome="y",
            unit="unit",
            time="year",
            treat="d",
            effects=1,
            placebos=1,
            draws=50,
            seed=seed,
        )
        est.append(r.did_m["estimate"])
        ses.append(r.did_m["se"])
        pl.append(r.event.set_index("rel_time").estimate.loc[-1])
    est = np.array(est)
    assert est.mean() == pytest.approx(2.0, abs=0.1)
    assert np.mean(pl) == pytest.approx(0.0, abs=0.15)
    # bootstrap SE vs the sd of the estimates across panels: not too small, at most mildly
    # conservative (1.2 over 60 panels x 100 draws: resampling units also moves the number
    # of switching cells)
    assert 0.8 < np.mean(ses) / est.std(ddof=1) < 1.7


def test_bad_inputs():
    df = _switching_panel(0)
    with pytest.raises(InputError, match="0 or 1"):
        dcdh(df.assign(d=df.d * 2), outcome="y", unit="unit", time="year", treat="d")
    with pytest.raises(InputError, match="balanced panel"):
        dcdh(df.iloc[1:], outcome="y", unit="unit", time="year", treat="d")
    with pytest.raises(InputError, match="no unit switches"):
        dcdh(df.assign(d=0), outcome="y", unit="unit", time="year", treat="d")


def test_cli_dcdh_json_and_bad_treatment(tmp_path, capsys):
    import json

    from policylink.cli import main

    df = _switching_panel(3)
    f = tmp_path / "switch.csv"
    df.assign(source="SYNTHETIC (tests/test_did_dcdh.py)").to_csv(f, index=False)
    args = ["did", "dcdh", str(f), "-y", "y", "--treat", "d", "--draws", "20"]
    capsys.readouterr()
    assert main([*args, "--format", "json", "--plot", str(tmp_path / "d.png")]) == 0
    out = json.loads(capsys.readouterr().out)
    ref, _ = did_m(
        df.pivot(index="unit", columns="year", values="y").to_numpy(),
        df.pivot(index="unit", columns="year", values="d").to_numpy(),
    )
    assert out["dcdh"]["did_m"]["estimate"] == pytest.approx(ref, abs=1e-12)
    assert [r["rel_time"] for r in out["dcdh"]["event_study"]] == [-2, -1, 1, 2, 3]
    assert (tmp_path / "d.png").stat().st_size > 1000
    bad = tmp_path / "bad.csv"
    df.assign(d=df.d * 3).to_csv(bad, index=False)
    capsys.readouterr()
    assert main(["did", "dcdh", str(bad), "-y", "y", "--treat", "d"]) == 2
    err = capsys.readouterr().err
    assert "treatment must be 0 or 1" in err and "Traceback" not in err
