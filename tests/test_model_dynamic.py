"""Dynamic spatial panel: simulation recovery, the bias correction and closed-form effects.

All data here are SYNTHETIC, generated in this file by ``simulate_dynamic`` with the true
parameters stated in ``TRUE`` (tau, eta, rho, beta, theta, sigma = 1) on a 15 x 15 rook lattice
(N = 225), T = 10 periods after a burn-in.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pytest
from scipy import sparse

from policylink.spatial.dynamic_panel import dynamic_effects, fit_dynamic_panel
from policylink.spatial.panel import weights_operator

TRUE = {"tau": 0.4, "eta": -0.1, "rho": 0.3, "beta": 1.0, "theta": 0.5}


def _lattice(rows: int = 15) -> sparse.csr_matrix:
    w = libpysal.weights.lat2W(rows, rows, rook=True)
    w.transform = "r"
    return sparse.csr_matrix(w.sparse)


def simulate_dynamic(
    W: sparse.csr_matrix,
    T: int,
    seed: int,
    time_effects: bool = False,
    burn: int = 50,
    true: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """SYNTHETIC dynamic SDM panel with the parameters ``true`` (default ``TRUE``), sigma = 1.

    y_t = (I - rho W)^-1 ((tau I + eta W) y_{t-1} + beta x_t + theta W x_t + mu + a_t + e_t),
    x_it = 0.5 mu_i + N(0, 1) (correlated with the unit effect), started at 0 and run ``burn``
    periods before the T + 1 kept (the first kept period is y_0).
    """
    p = TRUE if true is None else true
    rng = np.random.default_rng(seed)
    N = W.shape[0]
    Wd = W.toarray()
    Sinv = np.linalg.inv(np.eye(N) - p["rho"] * Wd)
    A = p["tau"] * np.eye(N) + p["eta"] * Wd
    mu = rng.normal(size=N)
    y = np.zeros(N)
    Ys, Xs = [], []
    for t in range(burn + T + 1):
        x = 0.5 * mu + rng.normal(size=N)
        a = rng.normal() if time_effects else 0.0
        y = Sinv @ (A @ y + p["beta"] * x + p["theta"] * (Wd @ x) + mu + a + rng.normal(size=N))
        if t >= burn:
            Ys.append(y)
            Xs.append(x)
    return np.array(Ys), np.array(Xs)[:, :, None]


@pytest.fixture(scope="module")
def W() -> sparse.csr_matrix:
    return _lattice()


@pytest.fixture(scope="module")
def monte_carlo(W):
    """40 SYNTHETIC replications, fitted with and without the bias correction."""
    sw = weights_operator(W)
    fits = []
    for r in range(40):
        Y, X = simulate_dynamic(W, 10, seed=1000 + r)
        fits.append(fit_dynamic_panel(Y, X, sw, names=["x"], fe="unit", effects=False))
    return fits


def _truth() -> np.ndarray:
    return np.array([TRUE[k] for k in ("tau", "eta", "beta", "theta", "rho")])


def test_one_sample_recovers_true_parameters_within_2_se(W) -> None:
    Y, X = simulate_dynamic(W, 10, seed=7)
    res = fit_dynamic_panel(Y, X, W, names=["x"], fe="unit", draws=200, seed=1)
    assert res.names == ["y(t-1)", "W*y(t-1)", "x", "W*x"]
    assert res.n_units == 225 and res.n_periods == 10
    c = res.coefficients
    dev = np.abs(c["estimate"].to_numpy() - _truth()) / c["se"].to_numpy()
    assert np.all(dev < 2.0), dict(zip(c["name"], dev, strict=True))
    assert res.sigma2 == pytest.approx(1.0, abs=0.1)
    assert res.stable


def test_bias_correction_reduces_the_bias_of_tau(monte_carlo) -> None:
    ml = np.array([np.r_[f.params_ml, f.rho_ml] for f in monte_carlo])
    bc = np.array([np.r_[f.params, f.rho] for f in monte_carlo])
    truth = _truth()
    bias_ml = ml.mean(axis=0) - truth
    bias_bc = bc.mean(axis=0) - truth
    # Theory (Yu, de Jong and Lee 2008): the within QML of tau is biased down by O(1/T)
    assert bias_ml[0] < 0
    assert abs(bias_bc[0]) < 0.5 * abs(bias_ml[0])
    # After the correction every parameter's Monte Carlo mean is within 2 SE of the truth
    se_mean = bc.std(axis=0, ddof=1) / np.sqrt(len(bc))
    assert np.all(np.abs(bias_bc) < 2.0 * se_mean + 0.01), (bias_bc, se_mean)
    # sigma2: the within estimator is biased down by about 1/T; the correction restores it
    s_ml = np.mean([f.sigma2_ml for f in monte_carlo])
    s_bc = np.mean([f.sigma2 for f in monte_carlo])
    assert abs(s_bc - 1.0) < abs(s_ml - 1.0)


def test_reported_se_match_monte_carlo_spread(monte_carlo) -> None:
    bc = np.array([np.r_[f.params, f.rho] for f in monte_carlo])
    mc_sd = bc.std(axis=0, ddof=1)
    se = np.mean([np.sqrt(np.diag(f.cov)) for f in monte_carlo], axis=0)
    assert np.allclose(se, mc_sd, rtol=0.35), (se, mc_sd)


def test_twoways_recovers_parameters(W) -> None:
    Y, X = simulate_dynamic(W, 12, seed=11, time_effects=True)
    res = fit_dynamic_panel(Y, X, W, names=["x"], fe="twoways", effects=False)
    c = res.coefficients
    dev = np.abs(c["estimate"].to_numpy() - _truth()) / c["se"].to_numpy()
    assert np.all(dev < 2.5), dict(zip(c["name"], dev, strict=True))


def test_twoways_correction_reduces_the_bias_of_tau(W) -> None:
    # 20 SYNTHETIC replications with time effects: the Lee-Yu (2010) correction (1/T and 1/N
    # terms) removes most of the downward bias of tau
    sw = weights_operator(W)
    fits = [
        fit_dynamic_panel(
            *simulate_dynamic(W, 10, seed=2000 + r, time_effects=True),
            sw,
            names=["x"],
            fe="twoways",
            effects=False,
        )
        for r in range(20)
    ]
    tau_ml = np.mean([f.params_ml[0] for f in fits]) - TRUE["tau"]
    tau_bc = np.mean([f.params[0] for f in fits]) - TRUE["tau"]
    assert tau_ml < 0 and abs(tau_bc) < 0.5 * abs(tau_ml)


def test_time_lag_only_recovers_parameters(W) -> None:
    # SYNTHETIC with eta = 0: the y(t-1)-only model (xsmle dlag(1)) recovers the rest
    true = {**TRUE, "eta": 0.0}
    Y, X = simulate_dynamic(W, 10, seed=21, true=true)
    res = fit_dynamic_panel(Y, X, W, names=["x"], lags="time", effects=False)
    assert res.names == ["y(t-1)", "x", "W*x"]
    c = res.coefficients
    truth = np.array([true["tau"], true["beta"], true["theta"], true["rho"]])
    dev = np.abs(c["estimate"].to_numpy() - truth) / c["se"].to_numpy()
    assert np.all(dev < 2.0), dict(zip(c["name"], dev, strict=True))


def test_effects_closed_forms(W) -> None:
    sw = weights_operator(W)
    one = np.ones(1)
    # rho = eta = theta = 0: long-run = beta / (1 - tau), no spillover; short-run = beta
    eff = dynamic_effects(sw, 0.6 * one, 0 * one, 0 * one, np.array([[2.0]]), np.array([[0.0]]))
    d, i, t = (a[0, 0] for a in eff["long"])
    assert d == pytest.approx(2.0 / 0.4) and i == pytest.approx(0.0, abs=1e-10)
    assert eff["short"][0][0, 0] == pytest.approx(2.0)
    # row-standardised W: long-run total = (beta + theta) / (1 - tau - rho - eta)
    tau, eta, rho, b, th = 0.3, 0.1, 0.2, 1.5, -0.4
    eff = dynamic_effects(sw, tau * one, eta * one, rho * one, np.array([[b]]), np.array([[th]]))
    assert eff["long"][2][0, 0] == pytest.approx((b + th) / (1 - tau - rho - eta))
    assert eff["short"][2][0, 0] == pytest.approx((b + th) / (1 - rho))
    # long-run direct effect against the dense matrix ((1 - tau) I - (rho + eta) W)^-1 (b I + th W)
    N = W.shape[0]
    Wd = W.toarray()
    M = np.linalg.solve((1 - tau) * np.eye(N) - (rho + eta) * Wd, b * np.eye(N) + th * Wd)
    assert eff["long"][0][0, 0] == pytest.approx(np.trace(M) / N, rel=1e-10)
    Ms = np.linalg.solve(np.eye(N) - rho * Wd, b * np.eye(N) + th * Wd)
    assert eff["short"][0][0, 0] == pytest.approx(np.trace(Ms) / N, rel=1e-10)


def test_effects_table_has_short_and_long_run(W) -> None:
    Y, X = simulate_dynamic(W, 10, seed=3)
    res = fit_dynamic_panel(Y, X, W, names=["x"], draws=300, seed=5)
    e = res.effects.set_index(["horizon", "effect", "variable"])
    tau, eta = res.params[0], res.params[1]
    b, th = res.params[2], res.params[3]
    assert e.loc[("long", "total", "x"), "estimate"] == pytest.approx(
        (b + th) / (1 - tau - eta - res.rho)
    )
    assert (e["se"] > 0).all()
    true_long = (TRUE["beta"] + TRUE["theta"]) / (1 - TRUE["tau"] - TRUE["eta"] - TRUE["rho"])
    est = e.loc[("long", "total", "x")]
    assert abs(est["estimate"] - true_long) < 2 * est["se"]
    d = res.to_dict()
    assert d["model"] == "dynamic_sdm" and d["bias_corrected"] is True
    assert set(d["effects"]) == {"short", "long"}


def test_bad_input_is_refused(W) -> None:
    Y, X = simulate_dynamic(W, 2, seed=1)
    with pytest.raises(ValueError, match="at least 3 periods"):
        fit_dynamic_panel(Y[:2], X[:2], W, names=["x"])
    with pytest.raises(ValueError, match="fe must be one of"):
        fit_dynamic_panel(Y, X, W, names=["x"], fe="none")
    with pytest.raises(ValueError, match="lags must be one of"):
        fit_dynamic_panel(Y, X, W, names=["x"], lags="dlag")
