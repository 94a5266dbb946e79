"""LM tests of a spatial panel after fitting: what spatial dependence is left in the residuals.

Two families, both on the data demeaned by the model's fixed effects, with W applied period by
period and every trace multiplied by T (Anselin, Le Gallo and Jayet 2008; Elhorst 2014, 3.6;
Debarsy and Ertur 2010):

1. After the non-spatial FE model: LM lag, LM error and their robust forms
   (:func:`policylink.spatial.model_choice.lm_tests`, the one implementation of these).
2. After a spatial model, the conditional tests (Anselin 1988, ch. 13; Debarsy and Ertur 2010):

   - after a SAR fit, LM error | lag tests lambda = 0 in y = rho W y + X b + u,
     u = lambda W u + e. With the SAR residuals e, sigma2, G = W (I - rho W)^-1 and the SAR
     variance of rho V_rho: LM = (e' W e / sigma2)^2 /
     [T tr(W'W + W W) - (T tr(W'G + W G))^2 V_rho].
   - after a SEM fit, LM lag | error tests rho = 0 in the same SARAR model. With
     B = I - lambda W, H = W B^-1, K = B W B^-1, the SEM residuals e = B (y - X b):
     score s = e' B W y / sigma2, and LM = s^2 / (I_rr - I_rn I_nn^-1 I_nr) with the SARAR
     information at rho = 0: I_rr = T tr(K'K + K K) + |B W X b|^2 / sigma2,
     I_rb = (B X)' B W X b / sigma2, I_rl = T tr(H'K + H K), I_rs = 0 (tr W = 0), and the SEM
     information of the nuisance (b, lambda, sigma2).

   Each is chi-squared with 1 df under its null.

References
----------
Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer, ch. 13.
Anselin, L., Le Gallo, J. and Jayet, H. (2008). Spatial panel econometrics. In Matyas and Sevestre
(eds.) *The Econometrics of Panel Data*. Springer.
Debarsy, N. and Ertur, C. (2010). Testing for spatial autocorrelation in a fixed effects panel
data model. *Regional Science and Urban Economics* 40(6), 453-470.
Elhorst, J. P. (2014). *Spatial Econometrics*. Springer, section 3.6.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from policylink.spatial.model_choice import TestResult, lm_tests
from policylink.spatial.panel import (
    SpatialPanelResult,
    demean,
    fit_arrays,
    spatial_lag,
    weights_operator,
)
from policylink.spatial.sparse_w import SparseW

AFTER = ("ols", "sar", "sem")
#: Largest N for the dense N x N matrices of the conditional tests.
LM_DENSE_LIMIT = 5000


def _prepare(Y: np.ndarray, X: np.ndarray, fe: str) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Demeaned y (T, N) and X (T, N, K) (a constant column added when ``fe='none'``)."""
    Y = np.asarray(Y, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[:, :, None]
    T, N = Y.shape
    if fe == "none":
        X = np.concatenate([np.ones((T, N, 1)), X], axis=2)
    return demean(Y, fe), demean(X, fe), T, N


def lm_error_after_lag(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray,
    fit: SpatialPanelResult,
) -> TestResult:
    """LM test of a spatial error (lambda = 0) in the residuals of a fitted SAR panel.

    Parameters
    ----------
    Y : ndarray, shape (T, N)
    X : ndarray, shape (T, N, K)
        Regressors as given to the fit (no constant).
    W : sparse matrix or ndarray
        Weights used in the fit.
    fit : SpatialPanelResult
        SAR fit (``lee_yu=False``) of ``Y`` on ``X``.

    Returns
    -------
    TestResult
    """
    if fit.model != "sar" or fit.lee_yu:
        raise ValueError("LM error | lag needs a SAR fit without the Lee-Yu correction")
    Wm = sparse.csr_matrix(W, dtype=float)
    T, N = np.asarray(Y).shape
    e = fit.residuals.ravel()
    sig2 = fit.sigma2
    we = spatial_lag(Wm, fit.residuals).ravel()
    Wd = Wm.toarray()
    G = np.linalg.solve((np.eye(N) - fit.rho * Wd).T, Wd.T).T  # W (I - rho W)^-1
    t22 = float(np.sum(Wd * Wd) + np.sum(Wd * Wd.T))  # tr(W'W + W W)
    t21 = float(np.sum(Wd * G) + np.sum(Wd.T * G))  # tr(W'G + W G)
    v_rho = float(fit.cov[-1, -1])
    denom = T * t22 - (T * t21) ** 2 * v_rho
    stat = (e @ we / sig2) ** 2 / denom
    return TestResult.chi2("LM error | lag (after SAR)", float(stat), 1, "no spatial error")


def lm_lag_after_error(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray,
    fit: SpatialPanelResult,
) -> TestResult:
    """LM test of a spatial lag (rho = 0) in a fitted SEM panel.

    Parameters
    ----------
    Y : ndarray, shape (T, N)
    X : ndarray, shape (T, N, K)
        Regressors as given to the fit (no constant).
    W : sparse matrix or ndarray
        Weights used in the fit.
    fit : SpatialPanelResult
        SEM fit (``lee_yu=False``) of ``Y`` on ``X``.

    Returns
    -------
    TestResult
    """
    if fit.model != "sem" or fit.lee_yu:
        raise ValueError("LM lag | error needs a SEM fit without the Lee-Yu correction")
    yd, Xd, T, N = _prepare(Y, X, fit.fe)
    Wm = sparse.csr_matrix(W, dtype=float)
    Wd = Wm.toarray()
    lam, sig2, beta = float(fit.lam), fit.sigma2, fit.params
    B = np.eye(N) - lam * Wd
    Binv = np.linalg.inv(B)
    H = Wd @ Binv
    K = B @ H  # B W B^-1
    xb = Xd @ beta  # (T, N)
    e = ((yd - xb) @ B.T).ravel()  # B (y - X b), period by period
    bwy = (spatial_lag(Wm, yd) @ B.T).ravel()
    bwxb = (spatial_lag(Wm, xb) @ B.T).ravel()
    bx = np.einsum("ij,tjk->tik", B, Xd).reshape(T * N, -1)
    score = e @ bwy / sig2
    i_rr = T * float(np.sum(K * K) + np.sum(K * K.T)) + bwxb @ bwxb / sig2
    i_rb = bx.T @ bwxb / sig2
    i_rl = T * float(np.sum(H * K) + np.sum(H.T * K))
    # SEM information of the nuisance: b is block-diagonal to (lambda, sigma2)
    i_bb = bx.T @ bx / sig2
    i_ll = T * float(np.sum(H * H) + np.sum(H * H.T))
    i_ls = T * float(np.trace(H)) / sig2
    i_ss = N * T / (2.0 * sig2**2)
    v_l = np.linalg.inv(np.array([[i_ll, i_ls], [i_ls, i_ss]]))[0, 0]
    denom = i_rr - i_rb @ np.linalg.solve(i_bb, i_rb) - i_rl**2 * v_l
    return TestResult.chi2(
        "LM lag | error (after SEM)", float(score**2 / denom), 1, "no spatial lag"
    )


def panel_lm(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray,
    *,
    names: Sequence[str],
    fe: str = "twoways",
    after: Sequence[str] = AFTER,
) -> tuple[list[TestResult], dict[str, SpatialPanelResult]]:
    """LM tests after the non-spatial, SAR and SEM fits of the same FE panel.

    Parameters
    ----------
    Y : ndarray, shape (T, N)
    X : ndarray, shape (T, N, K)
    W : sparse matrix or ndarray
        Weights as used in the model (already transformed).
    names : sequence of str
        Regressor names.
    fe : {'none', 'unit', 'time', 'twoways'}
        Fixed effects removed by demeaning.
    after : sequence of {'ols', 'sar', 'sem'}
        Which fits to test: the four classic (and robust) tests after the non-spatial model,
        LM error | lag after the SAR, LM lag | error after the SEM.

    Returns
    -------
    tests : list of TestResult
    fits : dict of str to SpatialPanelResult
        The SAR / SEM fits the conditional tests were computed from.

    Raises
    ------
    ValueError
        Unknown ``after``, bad shapes or a W too large for the dense conditional tests.
    """
    bad = [a for a in after if a not in AFTER]
    if bad:
        raise ValueError(f"after must be among {AFTER}, not {bad}")
    sw = weights_operator(W)
    if isinstance(sw, SparseW) and any(a != "ols" for a in after) and sw.n > LM_DENSE_LIMIT:
        raise ValueError(
            f"the conditional LM tests use dense N x N matrices: N = {sw.n} > {LM_DENSE_LIMIT}"
        )
    tests: list[TestResult] = []
    fits: dict[str, SpatialPanelResult] = {}
    if "ols" in after:
        tests += lm_tests(Y, X, sw, fe=fe)
    if "sar" in after:
        fits["sar"] = fit_arrays(Y, X, sw, names=names, model="sar", fe=fe, effects=False)
        tests.append(lm_error_after_lag(Y, X, sw.W, fits["sar"]))
    if "sem" in after:
        fits["sem"] = fit_arrays(Y, X, sw, names=names, model="sem", fe=fe, effects=False)
        tests.append(lm_lag_after_error(Y, X, sw.W, fits["sem"]))
    return tests, fits
