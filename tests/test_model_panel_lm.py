"""LM tests of a panel after fitting, against spreg, full dense information matrices and size.

All data are SYNTHETIC, generated here (``_sarar``) with the true parameters in each test.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pytest
import spreg
from scipy import sparse, stats

from policylink.spatial.panel import demean, fit_arrays, weights_operator
from policylink.spatial.panel_lm import lm_error_after_lag, lm_lag_after_error, panel_lm


def _w(side: int) -> tuple[libpysal.weights.W, sparse.csr_matrix]:
    w = libpysal.weights.lat2W(side, side, rook=False)
    w.transform = "r"
    return w, sparse.csr_matrix(w.sparse)


_INVERSES: dict[tuple[bytes, float, float], tuple[np.ndarray, np.ndarray]] = {}


def _sarar(W, T, rho, lam, seed, beta=(1.0, -1.0)):
    """SYNTHETIC SARAR panel with unit effects: y_t = (I - rho W)^-1 (X_t b + mu + u_t),
    u_t = (I - lam W)^-1 e_t, e ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    N = W.shape[0]
    Wd = W.toarray()
    X = rng.normal(size=(T, N, len(beta)))
    mu = rng.normal(size=N)
    key = (Wd.tobytes(), rho, lam)  # the simulations reuse two (W, rho, lambda): invert once
    if key not in _INVERSES:
        _INVERSES[key] = (np.linalg.inv(np.eye(N) - rho * Wd), np.linalg.inv(np.eye(N) - lam * Wd))
    A, B = _INVERSES[key]
    Y = np.stack([A @ (X[t] @ np.array(beta) + mu + B @ rng.normal(size=N)) for t in range(T)])
    return Y, X


def _sarar_information(Xs, Wbig, beta, rho, lam, sig2):
    """Full SARAR information of (b, rho, lambda, sigma2) with NT x NT dense matrices
    (Anselin 1988, ch. 6; Lee and Liu 2010): a second implementation of the tests' algebra."""
    n = Wbig.shape[0]
    eye = np.eye(n)
    A = eye - rho * Wbig
    B = eye - lam * Wbig
    G = Wbig @ np.linalg.inv(A)
    H = Wbig @ np.linalg.inv(B)
    Gt = B @ G @ np.linalg.inv(B)
    bx = B @ Xs
    bgxb = B @ G @ Xs @ beta
    k = Xs.shape[1]
    info = np.zeros((k + 3, k + 3))
    info[:k, :k] = bx.T @ bx / sig2
    info[:k, k] = info[k, :k] = bx.T @ bgxb / sig2
    info[k, k] = np.trace(Gt @ Gt + Gt.T @ Gt) + bgxb @ bgxb / sig2
    info[k, k + 1] = info[k + 1, k] = np.trace(H.T @ Gt + H @ Gt)
    info[k, k + 2] = info[k + 2, k] = np.trace(Gt) / sig2
    info[k + 1, k + 1] = np.trace(H @ H + H.T @ H)
    info[k + 1, k + 2] = info[k + 2, k + 1] = np.trace(H) / sig2
    info[k + 2, k + 2] = n / (2 * sig2**2)
    return info


@pytest.mark.parametrize("fe", ["none", "unit"])
def test_lm_error_after_sar_equals_full_information_lm(fe) -> None:
    # true: rho = 0.4, lambda = 0.2, beta = (1, -1), T = 4
    _, W = _w(7)
    Y, X = _sarar(W, 4, 0.4, 0.2, seed=1)
    T, N = Y.shape
    fit = fit_arrays(Y, X, W, names=["a", "b"], model="sar", fe=fe, effects=False)
    ours = lm_error_after_lag(Y, X, W, fit)
    Xf = X if fe != "none" else np.concatenate([np.ones((T, N, 1)), X], axis=2)
    Xs = demean(Xf, fe).reshape(T * N, -1)
    ys = demean(Y, fe).ravel()
    Wbig = np.kron(np.eye(T), W.toarray())
    e = ys - fit.rho * Wbig @ ys - Xs @ fit.params
    s2 = e @ e / (N * T)
    info = _sarar_information(Xs, Wbig, fit.params, fit.rho, 0.0, s2)
    k = Xs.shape[1]
    score = e @ Wbig @ e / s2
    ref = score**2 * np.linalg.inv(info)[k + 1, k + 1]
    assert ours.statistic == pytest.approx(ref, rel=1e-6)


@pytest.mark.parametrize("fe", ["none", "unit"])
def test_lm_lag_after_sem_equals_full_information_lm(fe) -> None:
    # true: rho = 0.2, lambda = 0.4, beta = (1, -1), T = 4
    _, W = _w(7)
    Y, X = _sarar(W, 4, 0.2, 0.4, seed=2)
    T, N = Y.shape
    fit = fit_arrays(Y, X, W, names=["a", "b"], model="sem", fe=fe, effects=False)
    ours = lm_lag_after_error(Y, X, W, fit)
    Xf = X if fe != "none" else np.concatenate([np.ones((T, N, 1)), X], axis=2)
    Xs = demean(Xf, fe).reshape(T * N, -1)
    ys = demean(Y, fe).ravel()
    Wbig = np.kron(np.eye(T), W.toarray())
    B = np.eye(T * N) - fit.lam * Wbig
    e = B @ (ys - Xs @ fit.params)
    s2 = e @ e / (N * T)
    info = _sarar_information(Xs, Wbig, fit.params, 0.0, fit.lam, s2)
    k = Xs.shape[1]
    score = e @ B @ Wbig @ ys / s2
    ref = score**2 * np.linalg.inv(info)[k, k]
    assert ours.statistic == pytest.approx(ref, rel=1e-6)


def _elhorst_lm(y, Z, Wd, T, s2):
    """The four classic panel LM tests written out with dense matrices (Elhorst 2014, 3.6)."""
    b = np.linalg.lstsq(Z, y, rcond=None)[0]
    e = y - Z @ b
    Wbig = np.kron(np.eye(T), Wd)
    tw = np.trace(Wd.T @ Wd + Wd @ Wd)
    wxb = Wbig @ Z @ b
    M = np.eye(y.size) - Z @ np.linalg.solve(Z.T @ Z, Z.T)
    J = (wxb @ M @ wxb + T * tw * s2) / s2
    lag, err = e @ Wbig @ y / s2, e @ Wbig @ e / s2
    return {
        "LM lag": lag**2 / J,
        "LM lag (robust)": (lag - err) ** 2 / (J - T * tw),
        "LM error": err**2 / (T * tw),
        "LM error (robust)": (err - T * tw / J * lag) ** 2 / (T * tw * (1 - T * tw / J)),
    }


def test_classic_tests_equal_spreg_panel_lm() -> None:
    # pooled panel (spreg's panel LM tests are for pooled OLS with a constant)
    # true: rho = 0.2, lambda = 0.2, T = 5
    w, W = _w(8)
    Y, X = _sarar(W, 5, 0.2, 0.2, seed=3)
    T, N = Y.shape
    tests, _ = panel_lm(Y, X, W, names=["a", "b"], fe="none", after=("ols",))
    ours = {t.name: t.statistic for t in tests}
    y, x = Y.ravel(), X.reshape(T * N, -1)
    Z = np.column_stack([np.ones(T * N), x])
    e = y - Z @ np.linalg.lstsq(Z, y, rcond=None)[0]
    # spreg's panel tests use sigma2 = e'e / (NT - k); ours (as Elhorst and the cross-section
    # LM of spreg) e'e / NT: the dense formulas reproduce both
    ref_k = _elhorst_lm(y, Z, W.toarray(), T, e @ e / (T * N - Z.shape[1]))
    yy = y.reshape(-1, 1)
    assert ref_k["LM error"] == pytest.approx(spreg.panel_LMerror(yy, x, w)[0], rel=1e-8)
    assert ref_k["LM lag (robust)"] == pytest.approx(spreg.panel_rLMlag(yy, x, w)[0], rel=1e-8)
    assert ref_k["LM error (robust)"] == pytest.approx(spreg.panel_rLMerror(yy, x, w)[0], rel=1e-8)
    # (spreg 1.9 panel_LMlag has tr(W'W + WW)^2 where Elhorst has T tr(W'W + WW): not compared)
    ref = _elhorst_lm(y, Z, W.toarray(), T, e @ e / (T * N))
    for name, value in ref.items():
        assert ours[name] == pytest.approx(value, rel=1e-8), name


def test_conditional_tests_equal_spreg_cross_section_lm_at_t1() -> None:
    # T = 1, no effects: at rho = 0 (a SAR fitted with rho = 0 is OLS) LM error | lag is the
    # classic LM error; the check uses spreg's cross-section LM on the same data
    w, W = _w(10)
    Y, X = _sarar(W, 1, 0.0, 0.3, seed=4)
    fit = fit_arrays(Y, X, W, names=["a", "b"], model="sar", fe="none", effects=False)
    ols = spreg.OLS(Y.reshape(-1, 1), X[0], w=w, spat_diag=True)
    # replace the SAR fit by OLS (rho = 0) to reach the classic test
    Z = np.column_stack([np.ones(100), X[0]])
    b = np.linalg.lstsq(Z, Y[0], rcond=None)[0]
    e = Y[0] - Z @ b
    fit.rho, fit.params, fit.residuals, fit.sigma2 = 0.0, b, e[None, :], e @ e / 100
    fit.cov = np.zeros_like(fit.cov)  # no rho estimated: no correction term
    ours = lm_error_after_lag(Y, X, W, fit)
    assert ours.statistic == pytest.approx(ols.lm_error[0], rel=1e-8)


def test_size_and_power_by_simulation() -> None:
    # H0 true (SAR, lambda = 0): rejections at 5% near 5%; H1 (lambda = 0.4): mostly rejected
    _, W = _w(10)
    sw = weights_operator(W)
    reject0, reject1 = [], []
    for r in range(120):
        Y, X = _sarar(W, 5, 0.3, 0.0, seed=100 + r)
        fit = fit_arrays(Y, X, sw, names=["a", "b"], model="sar", fe="unit", effects=False)
        reject0.append(lm_error_after_lag(Y, X, W, fit).p < 0.05)
        if r < 30:
            Y, X = _sarar(W, 5, 0.3, 0.4, seed=500 + r)
            fit = fit_arrays(Y, X, sw, names=["a", "b"], model="sar", fe="unit", effects=False)
            reject1.append(lm_error_after_lag(Y, X, W, fit).p < 0.05)
    # binomial(120, 0.05): 99.9% interval about [0, 15]
    lo, hi = stats.binom.ppf([0.0005, 0.9995], 120, 0.05)
    assert lo <= sum(reject0) <= hi
    assert np.mean(reject1) > 0.8


def test_panel_lm_runs_all_and_refuses_bad_after() -> None:
    _, W = _w(6)
    Y, X = _sarar(W, 4, 0.3, 0.0, seed=5)
    tests, fits = panel_lm(Y, X, W, names=["a", "b"], fe="twoways")
    names = [t.name for t in tests]
    assert names[:4] == ["LM lag", "LM lag (robust)", "LM error", "LM error (robust)"]
    assert names[4:] == ["LM error | lag (after SAR)", "LM lag | error (after SEM)"]
    assert set(fits) == {"sar", "sem"}
    with pytest.raises(ValueError, match="after must be among"):
        panel_lm(Y, X, W, names=["a", "b"], after=("sdm",))
