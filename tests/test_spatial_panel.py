"""Spatial panel models against spreg, dense-matrix formulas and simulations with known parameters.

All data here are synthetic (generated in the tests, true parameters stated in each test).
"""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest
import spreg
from scipy import sparse
from scipy.optimize import minimize_scalar

from policylink.spatial.model_choice import hausman, lm_tests, model_choice, wald_sdm
from policylink.spatial.panel import (
    SpectralW,
    fit_arrays,
    fit_by_group,
    fit_random_effects,
    fit_sdm,
    fit_spatial_panel,
    panel_arrays,
)


def _w(rows: int, cols: int) -> tuple[libpysal.weights.W, sparse.csr_matrix]:
    w = libpysal.weights.lat2W(rows, cols, rook=False)
    w.transform = "r"
    return w, sparse.csr_matrix(w.sparse)


def _simulate_sdm(
    W: sparse.csr_matrix,
    T: int,
    rho: float,
    beta: np.ndarray,
    theta: np.ndarray,
    seed: int,
    time_effects: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic SDM panel: y_t = (I - rho W)^-1 (X_t beta + W X_t theta + mu + xi_t + e_t)."""
    rng = np.random.default_rng(seed)
    N = W.shape[0]
    K = beta.size
    X = rng.normal(size=(T, N, K))
    mu = rng.normal(size=N)
    xi = rng.normal(size=T) if time_effects else np.zeros(T)
    A = np.linalg.inv(np.eye(N) - rho * W.toarray())
    Y = np.stack(
        [A @ (X[t] @ beta + W @ X[t] @ theta + mu + xi[t] + rng.normal(size=N)) for t in range(T)]
    )
    return Y, X


@pytest.fixture(scope="module")
def sar_data() -> tuple[libpysal.weights.W, sparse.csr_matrix, np.ndarray, np.ndarray]:
    # true: rho = 0.4, beta = (1, -0.5), unit effects, no time effects, no W*X
    w, W = _w(10, 10)
    Y, X = _simulate_sdm(W, 8, 0.4, np.array([1.0, -0.5]), np.zeros(2), 0, time_effects=False)
    return w, W, Y, X


def test_sar_unit_fe_equals_spreg_panel_fe_lag(sar_data) -> None:
    w, W, Y, X = sar_data
    T, N = Y.shape
    res = fit_arrays(Y, X, W, names=["a", "b"], model="sar", fe="unit", effects=False)
    ref = spreg.Panel_FE_Lag(Y.reshape(-1, 1), X.reshape(T * N, 2), w)
    ours = np.r_[res.params, res.rho]
    assert np.allclose(ours, ref.betas.ravel(), atol=1e-4)
    assert np.allclose(np.sqrt(np.diag(res.cov)), ref.std_err, rtol=1e-4)
    assert res.sigma2 == pytest.approx(float(ref.sig2[0, 0]), rel=1e-4)
    # spreg's logll omits the NT/2 log(NT) of sigma2 = e'e/NT; ours is the full likelihood
    assert res.log_likelihood - N * T / 2 * np.log(N * T) == pytest.approx(ref.logll, abs=1e-3)


def test_sem_unit_fe_equals_spreg_panel_fe_error(sar_data) -> None:
    w, W, Y, X = sar_data
    T, N = Y.shape
    res = fit_arrays(Y, X, W, names=["a", "b"], model="sem", fe="unit", effects=False)
    ref = spreg.Panel_FE_Error(Y.reshape(-1, 1), X.reshape(T * N, 2), w)
    assert np.allclose(np.r_[res.params, res.lam], ref.betas.ravel(), atol=1e-4)
    assert np.allclose(np.sqrt(np.diag(res.cov)), ref.std_err, rtol=1e-4)
    assert res.log_likelihood - N * T / 2 * np.log(N * T) == pytest.approx(ref.logll, abs=1e-3)
    assert res.to_dict()["lambda"]["estimate"] == pytest.approx(res.lam)


def test_sdm_is_sar_with_lagged_regressors(sar_data) -> None:
    w, W, Y, X = sar_data
    WX = np.stack([libpysal.weights.lag_spatial(w, X[t]) for t in range(X.shape[0])])
    for fe in ("unit", "twoways"):
        sdm = fit_arrays(Y, X, W, names=["a", "b"], model="sdm", fe=fe, effects=False)
        sar = fit_arrays(
            Y,
            np.concatenate([X, WX], axis=2),
            W,
            names=["a", "b", "W*a", "W*b"],
            model="sar",
            fe=fe,
            effects=False,
        )
        assert sdm.names == ["a", "b", "W*a", "W*b"]
        assert np.allclose(sdm.params, sar.params, atol=1e-10)
        assert sdm.rho == pytest.approx(sar.rho, abs=1e-10)
        assert np.allclose(sdm.cov, sar.cov, rtol=1e-8)
        assert sdm.log_likelihood == pytest.approx(sar.log_likelihood)


def test_simulated_sdm_recovered_and_effects_equal_dense_formulas() -> None:
    # true: rho = 0.45, beta = (1.0, -0.6), theta = (0.5, 0.3); N = 144, T = 12, two-way effects
    w, W = _w(12, 12)
    beta, theta, rho = np.array([1.0, -0.6]), np.array([0.5, 0.3]), 0.45
    Y, X = _simulate_sdm(W, 12, rho, beta, theta, seed=42)
    res = fit_arrays(Y, X, W, names=["a", "b"], model="sdm", fe="twoways", draws=1000, seed=1)
    coef = res.coefficients.set_index("name")
    truth = {"a": 1.0, "b": -0.6, "W*a": 0.5, "W*b": 0.3, "rho": rho}
    for name, value in truth.items():
        assert abs(coef.loc[name, "estimate"] - value) < 2 * coef.loc[name, "se"], name
    # LeSage-Pace effects at the point estimates from the dense (I - rho W)^-1
    N = W.shape[0]
    Ainv = np.linalg.inv(np.eye(N) - res.rho * W.toarray())
    eff = res.effects.set_index(["effect", "variable"])
    for j, v in enumerate(["a", "b"]):
        S = Ainv @ (res.params[j] * np.eye(N) + res.params[2 + j] * W.toarray())
        assert eff.loc[("direct", v), "estimate"] == pytest.approx(np.trace(S) / N, rel=1e-10)
        assert eff.loc[("total", v), "estimate"] == pytest.approx(S.sum() / N, rel=1e-10)
        ind = S.sum() / N - np.trace(S) / N
        assert eff.loc[("indirect", v), "estimate"] == pytest.approx(ind, rel=1e-8)
        assert eff.loc[("direct", v), "se"] > 0
    # the true total effect (beta + theta) / (1 - rho) lies within 2 SE
    for j, v in enumerate(["a", "b"]):
        true_total = (beta[j] + theta[j]) / (1 - rho)
        assert abs(eff.loc[("total", v), "estimate"] - true_total) < 2 * eff.loc[("total", v), "se"]
    # seeded draws are reproducible
    again = fit_arrays(Y, X, W, names=["a", "b"], model="sdm", fe="twoways", draws=1000, seed=1)
    assert np.array_equal(again.effects.se, res.effects.se)
    d = res.to_dict()
    assert set(d) >= {"coefficients", "rho", "sigma2", "log_likelihood", "r2", "n_units"}
    assert set(d["effects"]) == {"direct", "indirect", "total"}
    assert set(d["effects"]["total"]["a"]) == {"estimate", "se", "z", "p"}
    assert 0 < res.r2_within < 1 and res.r2_within < res.r2 < 1


def test_effects_se_by_simulation_matches_delta_method_for_sar() -> None:
    # SAR total effect beta / (1 - rho): compare the draws' SE with the delta-method SE
    w, W = _w(12, 12)
    Y, X = _simulate_sdm(W, 10, 0.3, np.array([0.8]), np.zeros(1), seed=3)
    res = fit_arrays(Y, X, W, names=["a"], model="sar", fe="twoways", draws=4000, seed=2)
    b, r = res.params[0], res.rho
    g = np.array([1 / (1 - r), b / (1 - r) ** 2])
    se_delta = np.sqrt(g @ res.cov @ g)
    se_sim = res.effects.set_index(["effect", "variable"]).loc[("total", "a"), "se"]
    assert se_sim == pytest.approx(se_delta, rel=0.1)


def test_lee_yu_unit_effects_rescale_sigma2_only(sar_data) -> None:
    _, W, Y, X = sar_data
    T = Y.shape[0]
    plain = fit_arrays(Y, X, W, names=["a", "b"], model="sar", fe="unit", effects=False)
    ly = fit_arrays(Y, X, W, names=["a", "b"], model="sar", fe="unit", effects=False, lee_yu=True)
    assert ly.rho == pytest.approx(plain.rho, abs=1e-7)
    assert np.allclose(ly.params, plain.params, atol=1e-6)
    assert ly.sigma2 == pytest.approx(plain.sigma2 * T / (T - 1), rel=1e-8)


@pytest.mark.parametrize("fe", ["twoways", "time"])
def test_lee_yu_time_effects_equal_orthonormal_transformation(fe: str) -> None:
    """Lee and Yu (2010): transform by F_T (T x T-1, two-way only) and F_N (N x N-1), orthonormal
    bases of the complements of the constant vector, then ML on the (N-1)(T-1) (or (N-1)T)
    transformed observations with W* = F_N' W F_N. Written out with dense matrices here,
    independently of the estimator."""
    w, W = _w(8, 8)
    Y, X = _simulate_sdm(W, 6, 0.5, np.array([1.0]), np.zeros(1), seed=11)
    T, N = Y.shape
    ly = fit_arrays(Y, X, W, names=["a"], model="sar", fe=fe, effects=False, lee_yu=True)

    def basis(n: int) -> np.ndarray:
        vals, vecs = np.linalg.eigh(np.eye(n) - np.ones((n, n)) / n)
        return vecs[:, vals > 0.5]

    FT = basis(T) if fe == "twoways" else np.eye(T)  # time effects only: keep all T periods
    FN = basis(N)
    te = FT.shape[1]
    Wd = W.toarray()
    Ws = FN.T @ Wd @ FN
    ys = FT.T @ Y @ FN  # (te, N-1)
    wys = FT.T @ (Y @ Wd.T) @ FN
    xs = (FT.T @ X[:, :, 0] @ FN).ravel()[:, None]
    n_eff = (N - 1) * te

    def negll(r: float) -> float:
        e0 = ys.ravel() - r * wys.ravel()
        b = np.linalg.lstsq(xs, e0, rcond=None)[0]
        e = e0 - xs @ b
        return (
            0.5 * n_eff * np.log(e @ e / n_eff) - te * np.linalg.slogdet(np.eye(N - 1) - r * Ws)[1]
        )

    r_ref = minimize_scalar(
        negll, bounds=(-0.99, 0.99), method="bounded", options={"xatol": 1e-10}
    ).x
    assert ly.rho == pytest.approx(r_ref, abs=1e-6)
    e0 = ys.ravel() - r_ref * wys.ravel()
    b = np.linalg.lstsq(xs, e0, rcond=None)[0]
    e = e0 - xs @ b
    assert ly.params[0] == pytest.approx(b[0], rel=1e-5)
    assert ly.sigma2 == pytest.approx(e @ e / n_eff, rel=1e-5)
    plain = fit_arrays(Y, X, W, names=["a"], model="sar", fe=fe, effects=False)
    assert abs(ly.rho - plain.rho) > 1e-4  # the correction does change rho with time effects
    # information matrix of the transformed model (Elhorst 2014 eq. 3.17 on W*, n_eff, te)
    s2 = e @ e / n_eff
    Ms = Ws @ np.linalg.inv(np.eye(N - 1) - r_ref * Ws)
    xb = (xs @ b).reshape(te, N - 1)
    wxb = (xb @ Ms.T).ravel()
    info = np.array(
        [
            [xs[:, 0] @ xs[:, 0] / s2, xs[:, 0] @ wxb / s2, 0.0],
            [
                xs[:, 0] @ wxb / s2,
                te * (np.trace(Ms @ Ms) + np.trace(Ms.T @ Ms)) + wxb @ wxb / s2,
                te * np.trace(Ms) / s2,
            ],
            [0.0, te * np.trace(Ms) / s2, n_eff / (2 * s2**2)],
        ]
    )
    se_ref = np.sqrt(np.diag(np.linalg.inv(info))[:2])
    assert np.allclose(np.sqrt(np.diag(ly.cov)), se_ref, rtol=1e-4)


@pytest.mark.parametrize("kind", ["queen", "binary", "idw", "knn"])
def test_spectral_w_matches_dense_algebra(kind: str) -> None:
    rng = np.random.default_rng(0)
    if kind == "queen":
        w, W = _w(6, 7)
    elif kind == "binary":  # symmetric, not row-stochastic: totals from the eigenvectors
        W = sparse.csr_matrix(libpysal.weights.lat2W(6, 7).sparse, dtype=float)
    elif kind == "idw":  # row-standardised inverse distance within a band: D^-1 A, A symmetric
        pts = rng.random((40, 2))
        D = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
        A = np.where((D > 0) & (D < 0.3), 1.0 / np.where(D > 0, D, 1.0), 0.0)
        W = sparse.csr_matrix(A / A.sum(axis=1, keepdims=True))
    else:  # row-standardised kNN: not similar to a symmetric matrix -> general path
        pts = rng.random((40, 2))
        w = libpysal.weights.KNN.from_array(pts, k=4)
        w.transform = "r"
        W = sparse.csr_matrix(w.sparse)
    sw = SpectralW(W)
    assert sw.symmetric_similar == (kind != "knn")
    Wd = W.toarray()
    N = Wd.shape[0]
    for r in (-0.2, 0.1, 0.2) if kind == "binary" else (-0.5, 0.3, 0.8):
        A = np.eye(N) - r * Wd
        assert sw.logdet(r) == pytest.approx(np.linalg.slogdet(A)[1], rel=1e-10)
        M = Wd @ np.linalg.inv(A)
        tr1, tr2, tr3 = sw.traces(r)
        assert tr1 == pytest.approx(np.trace(M), rel=1e-9)
        assert tr2 == pytest.approx(np.trace(M @ M), rel=1e-9)
        assert tr3 == pytest.approx(np.trace(M.T @ M), rel=1e-9)
        d, i, t = sw.effects(np.array([r]), np.array([[1.5]]), np.array([[0.4]]))
        S = np.linalg.inv(A) @ (1.5 * np.eye(N) + 0.4 * Wd)
        # the general (non-normal) path loses a few digits in the eigenvectors
        assert d[0, 0] == pytest.approx(np.trace(S) / N, rel=1e-9 if kind != "knn" else 1e-6)
        assert t[0, 0] == pytest.approx(S.sum() / N, rel=1e-9)


def test_lm_tests_equal_spreg_on_a_cross_section() -> None:
    w, W = _w(10, 10)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = np.linalg.solve(np.eye(100) - 0.3 * W.toarray(), 1 + X @ [1, -0.5] + rng.normal(size=100))
    ours = {t.name: t for t in lm_tests(y[None, :], X[None], W, fe="none")}
    ols = spreg.OLS(y[:, None], X, w=w, spat_diag=True)
    assert ours["LM lag"].statistic == pytest.approx(ols.lm_lag[0], rel=1e-8)
    assert ours["LM lag (robust)"].statistic == pytest.approx(ols.rlm_lag[0], rel=1e-8)
    assert ours["LM error"].statistic == pytest.approx(ols.lm_error[0], rel=1e-8)
    assert ours["LM error (robust)"].statistic == pytest.approx(ols.rlm_error[0], rel=1e-8)
    assert ours["LM lag"].p == pytest.approx(ols.lm_lag[1], rel=1e-6)


def test_model_choice_picks_sdm_two_way_on_sdm_data() -> None:
    # true: SDM with rho = 0.4, beta = (1, -0.5), theta = (0.6, 0.4), unit and time effects
    w, W = _w(10, 10)
    Y, X = _simulate_sdm(W, 10, 0.4, np.array([1.0, -0.5]), np.array([0.6, 0.4]), seed=5)
    mc = model_choice(Y, X, W, names=["a", "b"], fe="twoways")
    by = {t.name: t for t in mc.tests}
    assert by["Wald SDM vs SAR"].p < 0.01 and by["LR SDM vs SAR"].p < 0.01
    assert by["LR two-way vs unit FE"].df == 9 and by["LR two-way vs time FE"].df == 99
    assert "use the SDM" in " ".join(mc.verdict)
    assert "two-way" in " ".join(mc.verdict)
    sdm = mc.fits["sdm_twoways"]
    # Wald against SAR by hand: theta' V_theta^-1 theta
    V = sdm.cov[2:4, 2:4]
    th = sdm.params[2:4]
    assert by["Wald SDM vs SAR"].statistic == pytest.approx(th @ np.linalg.solve(V, th))
    lr = 2 * (sdm.log_likelihood - mc.fits["sar_twoways"].log_likelihood)
    assert by["LR SDM vs SAR"].statistic == pytest.approx(lr)
    assert set(mc.to_dict()["tests"]) == set(by)
    w_sar, w_sem = wald_sdm(sdm)
    assert w_sem.df == 2


def test_random_effects_recovers_parameters_and_hausman_does_not_reject() -> None:
    # true: SDM with random unit effects (sd 1), rho = 0.3, beta = 1, theta = 0.5, intercept 0
    w, W = _w(12, 12)
    Y, X = _simulate_sdm(W, 10, 0.3, np.array([1.0]), np.array([0.5]), seed=8, time_effects=False)
    re = fit_random_effects(Y, X, W, names=["a"], model="sdm")
    coef = re.coefficients.set_index("name")
    for name, value in {"a": 1.0, "W*a": 0.5, "rho": 0.3}.items():
        assert abs(coef.loc[name, "estimate"] - value) < 2.5 * coef.loc[name, "se"], name
    fe = fit_arrays(Y, X, W, names=["a"], model="sdm", fe="unit", effects=False, lee_yu=True)
    h = hausman(fe, re)
    assert h.p > 0.01  # effects are independent of X by construction
    # Hausman by hand: Moore-Penrose inverse of the positive part of V (a, W*a and rho are
    # compared); equals d' V^-1 d when V is positive definite
    d = np.r_[fe.params, fe.rho] - np.r_[re.params[1:], re.rho]
    V = fe.cov - re.cov[1:, 1:]
    lam, U = np.linalg.eigh(0.5 * (V + V.T))
    V_plus = (U * np.clip(lam, 0.0, None)) @ U.T
    assert h.statistic == pytest.approx(d @ np.linalg.pinv(V_plus, rcond=1e-10) @ d, rel=1e-6)
    assert h.df == np.sum(lam > 1e-12)


def test_hausman_positive_definite_equals_textbook_and_indefinite_is_not_zero() -> None:
    from types import SimpleNamespace

    names = ["a", "b"]
    V_re = np.diag([0.01, 0.02, 0.005])
    fe = SimpleNamespace(
        names=names, params=np.array([1.2, 0.4]), rho=0.35, cov=V_re + np.diag([0.02, 0.01, 0.01])
    )
    re = SimpleNamespace(names=names, params=np.array([1.0, 0.5]), rho=0.3, cov=V_re)
    d = np.array([0.2, -0.1, 0.05])
    h = hausman(fe, re)  # V_FE - V_RE = diag(0.02, 0.01, 0.01): textbook d' V^-1 d, df 3
    assert h.statistic == pytest.approx(0.2**2 / 0.02 + 0.1**2 / 0.01 + 0.05**2 / 0.01)
    assert h.df == 3
    # indefinite difference: only the positive direction (the first coefficient) counts
    fe.cov = V_re + np.diag([0.02, -0.01, -0.001])
    h = hausman(fe, re)
    assert h.df == 1 and h.statistic == pytest.approx(d[0] ** 2 / 0.02)
    # nowhere positive: not computable, never a reassuring zero
    fe.cov = V_re - np.diag([0.005, 0.01, 0.001])
    h = hausman(fe, re)
    assert np.isnan(h.statistic) and np.isnan(h.p)


def test_fit_by_group_restricts_weights_to_group() -> None:
    w, W = _w(8, 8)
    Y, X = _simulate_sdm(W, 6, 0.3, np.array([1.0]), np.array([0.2]), seed=4)
    T, N = Y.shape
    ids = w.id_order
    group = {i: ("east" if (i % 8) >= 4 else "west") for i in ids}
    panel = pd.DataFrame(
        [
            {"id": i, "year": 2000 + t, "y": Y[t, k], "x": X[t, k, 0], "g": group[i]}
            for t in range(T)
            for k, i in enumerate(ids)
        ]
    )
    out = fit_by_group(
        panel, w, group_col="g", y="y", x=["x"], id_col="id", time_col="year", effects=False
    )
    assert set(out) == {"east", "west"}
    # reference: the sub-matrix of the binary W, row-standardised again
    wb = libpysal.weights.lat2W(8, 8, rook=False)
    B = wb.sparse.toarray()
    for g, res in out.items():
        idx = [k for k, i in enumerate(ids) if group[i] == g]
        Bg = B[np.ix_(idx, idx)]
        Wg = Bg / Bg.sum(axis=1, keepdims=True)
        ref = fit_arrays(
            Y[:, idx], X[:, idx], Wg, names=["x"], model="sdm", fe="twoways", effects=False
        )
        assert res.rho == pytest.approx(ref.rho, abs=1e-7)
        assert res.n_units == len(idx) == 32


def test_long_panel_front_end_and_bad_input() -> None:
    w, W = _w(5, 5)
    Y, X = _simulate_sdm(W, 4, 0.3, np.array([1.0]), np.array([0.2]), seed=6)
    ids = [f"u{i}" for i in w.id_order]
    wn = libpysal.weights.W(
        {f"u{i}": [f"u{j}" for j in w.neighbors[i]] for i in w.id_order}, id_order=ids
    )
    rows = [
        {"unit": ids[k], "year": 2010 + t, "y": Y[t, k], "x": X[t, k, 0]}
        for t in range(4)
        for k in range(25)
    ]
    panel = pd.DataFrame(rows).sample(frac=1, random_state=1)
    res = fit_sdm(panel, wn, y="y", x=["x"], id_col="unit", time_col="year", draws=100)
    ref = fit_arrays(Y, X, W, names=["x"], model="sdm", fe="twoways", draws=100)
    assert res.rho == pytest.approx(ref.rho, abs=1e-10)
    with pytest.raises(ValueError, match=r"missing for unit 'u3' in period 2011"):
        bad = panel[~((panel.unit == "u3") & (panel.year == 2011))]
        fit_spatial_panel(bad, wn, y="y", x=["x"], id_col="unit", time_col="year")
    const_in_unit = panel.assign(z=panel.unit.str[1:].astype(float))  # constant over time
    with pytest.raises(ValueError, match="z do not vary once the twoways fixed effects"):
        fit_spatial_panel(const_in_unit, wn, y="y", x=["x", "z"], id_col="unit", time_col="year")
    with pytest.raises(ValueError, match="more than one row"):
        panel_arrays(
            pd.concat([panel, panel.head(1)]),
            y="y",
            x=["x"],
            id_col="unit",
            time_col="year",
            ids=ids,
        )


def test_blocked_lu_trace_equals_dense(monkeypatch: pytest.MonkeyPatch) -> None:
    import policylink.spatial.panel as sp

    _, W = _w(9, 9)
    sw = SpectralW(W)
    dense = sw.traces(0.6)
    monkeypatch.setattr(sp, "DENSE_LIMIT", 10)
    blocked = sw.traces(0.6, block=7)
    assert blocked[2] == pytest.approx(dense[2], rel=1e-10)


@pytest.mark.parametrize("kind", ["pooled", "random"])
def test_effects_with_an_intercept_equal_dense_formulas(kind: str) -> None:
    # true: SDM rho = 0.35, beta = (0.8, -0.4), theta = (0.3, 0.1); unit effects (random)
    w, W = _w(10, 10)
    Y, X = _simulate_sdm(
        W, 8, 0.35, np.array([0.8, -0.4]), np.array([0.3, 0.1]), seed=12, time_effects=False
    )
    if kind == "pooled":
        res = fit_arrays(Y, X, W, names=["a", "b"], model="sdm", fe="none", draws=200)
    else:
        res = fit_random_effects(Y, X, W, names=["a", "b"], model="sdm", draws=200)
    assert res.names == ["const", "a", "b", "W*a", "W*b"]
    N = W.shape[0]
    Ainv = np.linalg.inv(np.eye(N) - res.rho * W.toarray())
    eff = res.effects.set_index(["effect", "variable"])
    for j, v in enumerate(["a", "b"]):
        S = Ainv @ (res.params[1 + j] * np.eye(N) + res.params[3 + j] * W.toarray())
        assert eff.loc[("direct", v), "estimate"] == pytest.approx(np.trace(S) / N, rel=1e-10)
        assert eff.loc[("total", v), "estimate"] == pytest.approx(S.sum() / N, rel=1e-10)
