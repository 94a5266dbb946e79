"""Cross-sectional SAR / SEM / SDM (ML and GMM) against independent numpy implementations.

The wrappers call spreg; the references here do not: the ML estimates are checked against the
concentrated log-likelihood maximised directly with numpy / scipy (dense log-determinant), the
GMM lag model against two-stage least squares written out by hand, the heteroskedastic GMM error
model by simulation recovery. All data are SYNTHETIC, generated here on a 20 x 20 queen lattice
(N = 400) with the true parameters stated in each test.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import minimize_scalar

from policylink.spatial.cross_section import fit_cross_section


@pytest.fixture(scope="module")
def W() -> sparse.csr_matrix:
    w = libpysal.weights.lat2W(20, 20, rook=False)
    w.transform = "r"
    return sparse.csr_matrix(w.sparse)


def _sar_data(W, rho, beta, theta, seed, lam=0.0):
    """SYNTHETIC: y = (I - rho W)^-1 (1 + X beta + W X theta + u), u = (I - lam W)^-1 e."""
    rng = np.random.default_rng(seed)
    N = W.shape[0]
    X = rng.normal(size=(N, len(beta)))
    Wd = W.toarray()
    u = np.linalg.solve(np.eye(N) - lam * Wd, rng.normal(size=N))
    y = np.linalg.solve(np.eye(N) - rho * Wd, 1.0 + X @ beta + Wd @ X @ theta + u)
    return y, X


def _ml_lag_numpy(y, Z, Wd):
    """Concentrated ML of y = rho W y + Z b + e, written directly (Anselin 1988, ch. 12)."""
    N = y.size
    Wy = Wd @ y
    b0 = np.linalg.lstsq(Z, y, rcond=None)[0]
    b1 = np.linalg.lstsq(Z, Wy, rcond=None)[0]
    e0, e1 = y - Z @ b0, Wy - Z @ b1

    def nll(r):
        e = e0 - r * e1
        return 0.5 * N * np.log(e @ e / N) - np.linalg.slogdet(np.eye(N) - r * Wd)[1]

    r = minimize_scalar(nll, bounds=(-0.99, 0.99), method="bounded", options={"xatol": 1e-10}).x
    e = e0 - r * e1
    s2 = e @ e / N
    ll = -0.5 * N * (np.log(2 * np.pi * s2) + 1) + np.linalg.slogdet(np.eye(N) - r * Wd)[1]
    return b0 - r * b1, r, ll


def _ml_error_numpy(y, Z, Wd):
    """Concentrated ML of y = Z b + u, u = lam W u + e."""
    N = y.size

    def fit(lmb):
        A = np.eye(N) - lmb * Wd
        ys, Zs = A @ y, A @ Z
        b = np.linalg.lstsq(Zs, ys, rcond=None)[0]
        return b, ys - Zs @ b

    def nll(lmb):
        e = fit(lmb)[1]
        return 0.5 * N * np.log(e @ e / N) - np.linalg.slogdet(np.eye(N) - lmb * Wd)[1]

    lmb = minimize_scalar(nll, bounds=(-0.99, 0.99), method="bounded", options={"xatol": 1e-10}).x
    return fit(lmb)[0], lmb


def test_ml_sar_equals_numpy_concentrated_likelihood(W) -> None:
    # true: rho = 0.5, beta = (1, -2), constant 1
    y, X = _sar_data(W, 0.5, np.array([1.0, -2.0]), np.zeros(2), seed=1)
    res = fit_cross_section(y, X, W, names=["a", "b"], model="sar", method="ml", draws=0)
    Z = np.column_stack([np.ones(y.size), X])
    b, r, ll = _ml_lag_numpy(y, Z, W.toarray())
    assert res.names == ["const", "a", "b"]
    assert res.spatial == pytest.approx(r, abs=1e-4)
    assert np.allclose(res.params, b, atol=1e-3)
    assert res.log_likelihood == pytest.approx(ll, abs=1e-3)
    assert abs(res.spatial - 0.5) < 2 * res.coefficients["se"].iloc[-1]


def test_ml_sdm_equals_numpy_concentrated_likelihood(W) -> None:
    # true: rho = 0.3, beta = (1, -1), theta = (0.5, 0)
    y, X = _sar_data(W, 0.3, np.array([1.0, -1.0]), np.array([0.5, 0.0]), seed=2)
    res = fit_cross_section(y, X, W, names=["a", "b"], model="sdm", method="ml", draws=0)
    Z = np.column_stack([np.ones(y.size), X, W @ X])
    b, r, ll = _ml_lag_numpy(y, Z, W.toarray())
    assert res.names == ["const", "a", "b", "W*a", "W*b"]
    assert res.spatial == pytest.approx(r, abs=1e-4)
    assert np.allclose(res.params, b, atol=1e-3)
    assert res.log_likelihood == pytest.approx(ll, abs=1e-3)


def test_ml_sem_equals_numpy_concentrated_likelihood(W) -> None:
    # true: lambda = 0.6, beta = (1, -2)
    y, X = _sar_data(W, 0.0, np.array([1.0, -2.0]), np.zeros(2), seed=3, lam=0.6)
    res = fit_cross_section(y, X, W, names=["a", "b"], model="sem", method="ml")
    b, lmb = _ml_error_numpy(y, np.column_stack([np.ones(y.size), X]), W.toarray())
    assert res.spatial == pytest.approx(lmb, abs=1e-3)
    assert np.allclose(res.params, b, atol=1e-3)
    assert res.effects is None


@pytest.mark.parametrize("model", ["sar", "sdm"])
def test_gmm_lag_equals_hand_2sls(W, model) -> None:
    # true: rho = 0.4, beta = (1, -1), theta = (0.5, 0.5) for the SDM
    theta = np.array([0.5, 0.5]) if model == "sdm" else np.zeros(2)
    y, X = _sar_data(W, 0.4, np.array([1.0, -1.0]), theta, seed=4)
    res = fit_cross_section(y, X, W, names=["a", "b"], model=model, method="gmm", draws=0)
    one = np.ones((y.size, 1))
    WX = W @ X
    exog = np.column_stack([one, X] + ([WX] if model == "sdm" else []))
    # instruments: the exogenous regressors and the next spatial lag(s) of X
    H = np.column_stack([exog, W @ WX] if model == "sdm" else [exog, WX])
    Z = np.column_stack([exog, W @ y])
    P = H @ np.linalg.solve(H.T @ H, H.T)
    b = np.linalg.solve(Z.T @ P @ Z, Z.T @ P @ y)
    assert np.allclose(np.r_[res.params, res.spatial], b, atol=1e-8)
    e = y - Z @ b
    s2 = e @ e / y.size
    cov = s2 * np.linalg.inv(Z.T @ P @ Z)
    assert np.allclose(np.diag(res.cov), np.diag(cov), rtol=1e-6)


def test_gmm_error_het_recovers_lambda(W) -> None:
    # true: lambda = 0.5, beta = (1, -2), heteroskedastic-robust GMM (Arraiz et al. 2010)
    est = []
    for seed in range(5):
        y, X = _sar_data(W, 0.0, np.array([1.0, -2.0]), np.zeros(2), seed=10 + seed, lam=0.5)
        res = fit_cross_section(y, X, W, names=["a", "b"], model="sem", method="gmm")
        c = res.coefficients.set_index("name")
        assert abs(c.loc["a", "estimate"] - 1.0) < 2.5 * c.loc["a", "se"]
        assert abs(c.loc["b", "estimate"] + 2.0) < 2.5 * c.loc["b", "se"]
        est.append(res.spatial)
    assert np.mean(est) == pytest.approx(0.5, abs=0.1)
    assert res.log_likelihood is None and res.method == "gmm"


def test_effects_closed_forms(W) -> None:
    # row-standardised W: SAR total effect = beta / (1 - rho); SDM = (beta + theta) / (1 - rho)
    y, X = _sar_data(W, 0.5, np.array([1.0, -2.0]), np.array([0.5, 0.0]), seed=5)
    sdm = fit_cross_section(y, X, W, names=["a", "b"], model="sdm", draws=300, seed=1)
    e = sdm.effects.set_index(["effect", "variable"])
    r, p = sdm.spatial, sdm.params
    assert e.loc[("total", "a"), "estimate"] == pytest.approx((p[1] + p[3]) / (1 - r))
    Wd = W.toarray()
    N = Wd.shape[0]
    M = np.linalg.solve(np.eye(N) - r * Wd, p[1] * np.eye(N) + p[3] * Wd)
    assert e.loc[("direct", "a"), "estimate"] == pytest.approx(np.trace(M) / N)
    assert (e["se"] > 0).all()
    d = sdm.to_dict()
    assert (
        d["model"] == "sdm"
        and "rho" in d
        and set(d["effects"])
        == {
            "direct",
            "indirect",
            "total",
        }
    )


def test_bad_input_is_refused(W) -> None:
    y, X = _sar_data(W, 0.0, np.array([1.0]), np.zeros(1), seed=6)
    with pytest.raises(ValueError, match="model must be one of"):
        fit_cross_section(y, X, W, names=["a"], model="gns")
    with pytest.raises(ValueError, match="collinear"):
        fit_cross_section(y, np.column_stack([X, 2 * X]), W, names=["a", "b"])
    with pytest.raises(ValueError, match="units"):
        fit_cross_section(y[:-1], X[:-1], W, names=["a"])
