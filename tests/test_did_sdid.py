"""Synthetic DID (Arkhangelsky et al. 2021).

References: the published Table 1 numbers of the paper on California Proposition 99 (real data,
tests/data/prop99, with its source) and the stored output of the reference implementation
(synthdid-py 0.1.0, a port of R synthdid) on the same data; the Frank-Wolfe weights against a second solver (scipy
SLSQP on the same quadratic programme); the jackknife against the closed-form jackknife of a
difference of means; simulation recovery on SYNTHETIC panels with known effects.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from policylink.spatial.did import PanelSpec
from policylink.spatial.did.sdid import fit_block, simplex_ridge_weights, synthetic_did
from policylink.spatial.errors import InputError

PROP99 = Path(__file__).parent / "data" / "prop99" / "california_prop99.csv"
REF = PROP99.with_name("synthdid_py_reference.json")
SPEC99 = PanelSpec(outcome="PacksPerCapita", unit="State", time="Year", treat="treated")


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    return pd.read_csv(PROP99, sep=";")


@pytest.mark.parametrize(
    ("method", "published"),
    [("sdid", -15.6), ("sc", -19.6), ("did", -27.3)],
)
def test_prop99_table1_point_estimates(prop99, method, published):
    # AER 2021 Table 1, California Proposition 99 row (one decimal)
    res = synthetic_did(prop99, SPEC99, method=method, se="none")
    assert round(res.att, 1) == published
    assert res.n_control == 38 and res.n_treated == 1 and res.n_periods == 31
    assert res.cohorts.cohort.tolist() == [1989]


def test_prop99_estimates_equal_reference_implementation(prop99):
    ref = json.loads(REF.read_text())
    for method, value in ref["estimate"].items():
        res = synthetic_did(prop99, SPEC99, method=method, se="none")
        assert res.att == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_prop99_placebo_se_equals_reference_draws(prop99, seed):
    # the same permutations (numpy default_rng(seed)) as the reference implementation
    ref = json.loads(REF.read_text())["placebo_se_sdid_200"][str(seed)]
    res = synthetic_did(prop99, SPEC99, se="placebo", replications=200, seed=seed)
    assert res.se == pytest.approx(ref, rel=1e-7)
    assert len(res.replications) == 200
    # Table 1 reports 8.4; current reference code gives about 10 (see tests/data/prop99)
    assert abs(res.se - 8.4) / 8.4 < 0.3


def test_prop99_weights_are_reported(prop99):
    res = synthetic_did(prop99, SPEC99, se="none")
    om = res.unit_weights.omega.to_numpy()
    lam = res.time_weights["lambda"].to_numpy()
    assert om.min() >= 0 and om.sum() == pytest.approx(1)
    assert lam.min() >= 0 and lam.sum() == pytest.approx(1)
    assert len(om) == 38 and len(lam) == 19
    # the paper's Figure 1: time weights fall on the last pre years (1986-1988)
    tw = res.time_weights.set_index("year")["lambda"]
    assert tw.loc[1986:1988].sum() > 0.9
    # the estimate is the weighted double difference of the reported trajectories
    tr = res.trajectories.set_index("year")
    post = tr.loc[1989:]
    pre = tr.loc[:1988]
    dd = (post.treated.mean() - lam @ pre.treated) - (post.control.mean() - lam @ pre.control)
    assert dd == pytest.approx(res.att, abs=1e-9)


def _qp(Y: np.ndarray, zeta: float, intercept: bool) -> tuple[np.ndarray, float]:
    """Second solver: SLSQP on the same simplex-constrained ridge problem."""
    Y = Y - Y.mean(axis=0) if intercept else Y
    A, b = Y[:, :-1], Y[:, -1]
    n, k = A.shape

    def f(x: np.ndarray) -> float:
        e = A @ x - b
        return zeta**2 * x @ x + e @ e / n

    def g(x: np.ndarray) -> np.ndarray:
        return 2 * zeta**2 * x + 2 * A.T @ (A @ x - b) / n

    r = optimize.minimize(
        f,
        np.full(k, 1 / k),
        jac=g,
        bounds=[(0, 1)] * k,
        constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    return r.x, r.fun


@pytest.mark.parametrize("intercept", [True, False])
def test_frank_wolfe_matches_quadratic_programme(intercept):
    rng = np.random.default_rng(7)
    Y = rng.normal(size=(25, 9)) + np.linspace(0, 2, 9)
    zeta = 0.3

    x = simplex_ridge_weights(Y, zeta, intercept=intercept, min_decrease=1e-9, max_iter=200_000)
    ref, best = _qp(Y, zeta, intercept)
    Yd = Y - Y.mean(axis=0) if intercept else Y
    e = Yd[:, :-1] @ x - Yd[:, -1]
    val = zeta**2 * x @ x + e @ e / len(Y)
    assert val == pytest.approx(best, rel=1e-5)
    # strictly convex: the minimiser is unique
    np.testing.assert_allclose(x, ref, atol=2e-3)


def test_did_method_equals_two_by_two_did():
    rng = np.random.default_rng(3)
    Y = rng.normal(size=(12, 8))
    res = fit_block(Y, 9, 5, "did")
    ref = (Y[9:, 5:].mean() - Y[9:, :5].mean()) - (Y[:9, 5:].mean() - Y[:9, :5].mean())
    assert res.tau == pytest.approx(ref, abs=1e-12)


def _factor_panel(seed: int, taus: dict[int, float], n_co: int = 40, n_tr: int = 4):
    """SYNTHETIC: interactive fixed effects y = a_i + b_t + l_i f_t + tau D + noise.

    True parameters: cohort effects ``taus``; treated units load more on the factor (so plain
    DID is biased); noise sd 0.3; years 2001-2020.
    """
    rng = np.random.default_rng(seed)
    years = np.arange(2001, 2021)
    f = np.cumsum(rng.normal(0, 1, len(years)))
    rows = []
    groups = [(0.0, n_co)] + [(g, n_tr) for g in taus]
    k = 0
    for g, n in groups:
        for _ in range(n):
            load = rng.normal(0.0, 1.0) if g == 0 else rng.normal(1.5, 0.3)
            a = rng.normal(0, 1)
            for j, t in enumerate(years):
                eff = taus.get(g, 0.0) if g and t >= g else 0.0
                y = a + 0.1 * j + load * f[j] + eff + rng.normal(0, 0.3)
                rows.append({"unit": f"u{k:03d}", "year": t, "y": y, "g": g})
            k += 1
    return pd.DataFrame(rows)


SPEC_SIM = PanelSpec(outcome="y", first_treated="g")


def test_staggered_recovers_cohort_effects_and_weights_them():
    taus = {2010: -1.0, 2015: 2.0}
    est = []
    for seed in range(5):
        df = _factor_panel(seed, taus)
        res = synthetic_did(df, SPEC_SIM, se="none")
        est.append(res.cohorts.set_index("cohort").estimate)
        c = res.cohorts
        # weights = treated units x post periods (4 x 11 and 4 x 6)
        np.testing.assert_allclose(c.weight, np.array([44, 24]) / 68)
        assert res.att == pytest.approx(float(c.weight @ c.estimate))
    mean = pd.concat(est, axis=1).mean(axis=1)
    assert mean.loc[2010] == pytest.approx(-1.0, abs=0.25)
    assert mean.loc[2015] == pytest.approx(2.0, abs=0.25)


def test_cohort_estimate_equals_single_cohort_run():
    df = _factor_panel(11, {2010: -1.0, 2015: 2.0})
    both = synthetic_did(df, SPEC_SIM, se="none").cohorts.set_index("cohort").estimate
    alone = synthetic_did(df[df.g != 2015], SPEC_SIM, se="none")
    assert alone.att == pytest.approx(both.loc[2010], abs=1e-12)


def test_jackknife_equals_closed_form_for_did():
    # with uniform weights held fixed the estimate is a difference of unit means of
    # D_i = mean(post) - mean(pre). Leaving out unit i of group g moves the estimate by
    # -+(D_i - mean_g) / (n_g - 1), so the jackknife variance is
    # (n - 1) / n * sum_g s_g^2 / (n_g - 1)   (s_g^2 with ddof 1, n = all units)
    df = _factor_panel(5, {2012: 1.0}, n_co=15, n_tr=6)
    res = synthetic_did(df, SPEC_SIM, method="did", se="jackknife")
    wide = df.pivot(index="unit", columns="year", values="y")
    D = wide.loc[:, 2012:].mean(axis=1) - wide.loc[:, :2011].mean(axis=1)
    g = df.groupby("unit").g.first()
    d_tr, d_co = D[g > 0], D[g == 0]
    n = len(D)
    ref = np.sqrt(
        (n - 1) / n * (d_tr.var(ddof=1) / (len(d_tr) - 1) + d_co.var(ddof=1) / (len(d_co) - 1))
    )
    assert res.se == pytest.approx(ref, rel=1e-10)


def test_placebo_and_bootstrap_size_on_null_panels():
    # SYNTHETIC null effect: the t-statistics should not be wildly off (coverage sanity)
    z = []
    for seed in range(6):
        df = _factor_panel(100 + seed, {2012: 0.0}, n_co=20, n_tr=2)
        res = synthetic_did(df, SPEC_SIM, se="bootstrap", replications=50, seed=seed)
        assert np.isfinite(res.se) and res.se > 0
        z.append(res.z)
    assert np.mean(np.abs(z)) < 2.0


def test_bad_inputs_give_one_clear_error(prop99):
    with pytest.raises(InputError, match="jackknife SEs need two or more treated units"):
        synthetic_did(prop99, SPEC99, se="jackknife")
    with pytest.raises(InputError, match="balanced panel"):
        synthetic_did(prop99.iloc[1:], SPEC99, se="none")
    never = prop99.assign(treated=0)
    with pytest.raises(InputError, match="needs treated units"):
        synthetic_did(never, SPEC99, se="none")
    early = prop99.assign(treated=(prop99.State == "California") & (prop99.Year >= 1971))
    with pytest.raises(InputError, match="two or more pre periods"):
        synthetic_did(early.astype({"treated": int}), SPEC99, se="none")


def _run(capsys: pytest.CaptureFixture, argv: list[str]) -> tuple[int, str, str]:
    from policylink.cli import main

    capsys.readouterr()
    code = main(argv)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_cli_sdid_json_csv_weights_plot(prop99, tmp_path, capsys):
    f = tmp_path / "prop99.csv"
    prop99.to_csv(f, index=False)
    args = ["did", "sdid", str(f), "-y", "PacksPerCapita", "--unit", "State", "--time", "Year"]
    args += ["--treat", "treated"]
    w, png = tmp_path / "w.csv", tmp_path / "sdid.png"
    code, out, err = _run(
        capsys,
        [
            *args,
            "--replications",
            "50",
            "--weights-out",
            str(w),
            "--plot",
            str(png),
            "--format",
            "json",
        ],
    )
    assert code == 0, err
    res = json.loads(out)["sdid"]
    assert round(res["att"], 1) == -15.6 and res["se_method"] == "placebo"
    assert res["replications"] == 50 and res["se"] > 0
    weights = pd.read_csv(w)
    assert set(weights.kind) == {"unit", "time"}
    assert weights.groupby("kind").weight.sum().to_dict() == pytest.approx({"unit": 1, "time": 1})
    assert png.stat().st_size > 1000
    code, out, _ = _run(capsys, [*args, "--method", "sc", "--se", "none", "--format", "csv"])
    assert code == 0
    csv = pd.read_csv(__import__("io").StringIO(out))
    assert round(float(csv.loc[csv.term == "ATT", "estimate"].iloc[0]), 1) == -19.6
    # one treated unit: the jackknife is undefined -> one clear error, exit 2, no traceback
    code, _, err = _run(capsys, [*args, "--se", "jackknife"])
    assert code == 2 and "jackknife SEs need two or more treated units" in err
    assert "Traceback" not in err


def test_run_sdid_says_synthetic(tmp_path):
    from policylink.analyses.did import SdidOptions, run_sdid
    from policylink.did_inputs import did_inputs_from_frame

    df = _factor_panel(2, {2010: 1.0})
    inp = did_inputs_from_frame(df, SPEC_SIM, source="sim.csv", synthetic=("y",))
    res = run_sdid(inp, SdidOptions(se="bootstrap", replications=20))
    d = res.to_dict()
    assert d["synthetic"] and d["analysis"] == "did_sdid"
    assert "SYNTHETIC" in res.figure_note() and "SYNTHETIC" in res.title()
    assert res.table("zh").columns[0] == "变量"
    assert set(res.figures()) == {"sdid"}


def test_comparison_has_the_sdid_row():
    from policylink.analyses.did import ComparisonOptions, SdidOptions, run_comparison, run_sdid
    from policylink.did_inputs import did_inputs_from_frame

    df = _factor_panel(4, {2010: 1.0, 2015: 0.5}, n_co=25)
    inp = did_inputs_from_frame(df, SPEC_SIM, source="sim.csv", synthetic=("y",))
    cmp_ = run_comparison(inp, ComparisonOptions(3, 3))
    row = [r for r in cmp_.rows() if r["estimator"].startswith("Synthetic DID")]
    ref = run_sdid(inp, SdidOptions(se="auto"))
    assert ref.result.se_method == "placebo"  # 25 controls > 8 treated
    assert len(row) == 1
    assert row[0]["estimate"] == pytest.approx(ref.att, abs=1e-12)
    assert row[0]["se"] == pytest.approx(ref.se, abs=1e-12)
    assert "synthetic DID" in cmp_.title()
    # the row's placebo replications and seed are the options' (the report passes --draws)
    few = run_comparison(inp, ComparisonOptions(3, 3, replications=40, seed=5))
    row = [r for r in few.rows() if r["estimator"].startswith("Synthetic DID")]
    ref40 = run_sdid(inp, SdidOptions(se="auto", replications=40, seed=5))
    assert row[0]["se"] == pytest.approx(ref40.se, abs=1e-12)
    assert ref40.se != pytest.approx(ref.se, abs=1e-12)
    from policylink.errors import ConfigError

    with pytest.raises(ConfigError, match="replications must be 2 or more"):
        run_comparison(inp, ComparisonOptions(3, 3, replications=1))
