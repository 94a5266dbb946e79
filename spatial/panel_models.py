"""General nesting spatial panel models (SAC, SDEM, GNS) and random-effects SEM.

The general nesting spatial (GNS) panel, for periods t = 1..T, nests every model of
:mod:`policylink.spatial.panel`:

    y_t = rho W y_t + X_t beta + W X_t theta + mu + xi_t 1 + u_t,   u_t = lambda W u_t + e_t

- SAC (SARAR, Kelejian-Prucha): theta = 0;
- SDEM (spatial Durbin error): rho = 0;
- GNS: rho, theta and lambda together. It is only weakly identified (Gibbons and Overman 2012;
  Elhorst 2014, sec. 2.3): LeSage and Pace (2009) and Elhorst advise against interpreting its
  estimates, so every GNS result carries a warning in ``notes``.

Fixed effects are removed by demeaning, with the Lee-Yu (2010) effective dimensions, exactly as
:func:`policylink.spatial.panel.fit_arrays` does. With A = I - rho W and B = I - lambda W the
log-likelihood is

    -n/2 log(2 pi sigma2) + T_e (log|A| + log|B|) - e'e / (2 sigma2),   e = B (A y - X b),

concentrated in beta (least squares of B A y on B X) and sigma2; for each lambda the remaining
problem in rho is the SAR one (two residual vectors), so the optimum is found by a grid and a
bounded Brent search over lambda around a Brent search over rho. Standard errors come from the
observed information (the analytic Hessian of the log-likelihood; the second derivative of the
log-determinant by a central difference), which is asymptotically equal to the expected
information the SAR / SEM estimators use.

Direct, indirect and total effects: SAC and GNS as SAR / SDM (LeSage and Pace 2009, with
simulated parameter draws); SDEM in closed form, direct_k = beta_k + theta_k tr(W) / N and
total_k = beta_k + theta_k 1'W1 / N, whose standard errors are exact linear combinations.

Random-effects SEM (Baltagi, Song and Koh 2003; Elhorst 2014, sec. 3.4.2): y = X b + mu + u,
u_t = lambda W u_t + e_t with mu_i ~ N(0, sigma2_mu) independent of e. With B = I - lambda W and
phi^2 = sigma2 / (T sigma2_mu + sigma2) (the convention of
:func:`policylink.spatial.panel.fit_random_effects`), r = (1 / phi^2 - 1) / T:

    log L = -NT/2 log(2 pi sigma2) + T log|B| - 1/2 log|I + T r B'B|
            - [T ubar' V^-1 ubar + sum_t (u_t - ubar)' B'B (u_t - ubar)] / (2 sigma2),

V^-1 = (I + T r B'B)^-1 B'B and ubar the unit means of u; log|I + T r B'B| comes from a sparse
LU factorisation, so no N x N dense matrix is formed.

References
----------
Baltagi, B. H., Song, S. H. and Koh, W. (2003). Testing panel data regression models with spatial
error correlation. *Journal of Econometrics* 117(1), 123-150.
Elhorst, J. P. (2014). *Spatial Econometrics*. Springer (sec. 2.3, 3.4).
Gibbons, S. and Overman, H. G. (2012). Mostly pointless spatial econometrics? *Journal of
Regional Science* 52(2), 172-191.
Lee, L.-F. and Yu, J. (2010). Estimation of spatial autoregressive panel data models with fixed
effects. *Journal of Econometrics* 154(2), 165-185.
LeSage, J. and Pace, R. K. (2009). *Introduction to Spatial Econometrics*. CRC.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import libpysal
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.sparse.linalg import splu

from policylink.spatial.panel import (
    FIXED_EFFECTS,
    SparseW,
    SpatialPanelResult,
    SpectralW,
    _dims,
    _effects_table,
    _num_hessian,
    _ols,
    _pvalue,
    checked_arrays,
    demean,
    durbin_design,
    fit_threads,
    panel_arrays,
    spatial_lag,
    weights_matrix,
    weights_operator,
)

#: Every model of the general nesting family, in the order of the comparison table.
ALL_MODELS = ("sar", "sem", "sdm", "sac", "sdem", "gns")
#: Which parts each model has: (rho, lambda, W*X).
STRUCTURE = {
    "sar": (True, False, False),
    "sem": (False, True, False),
    "sdm": (True, False, True),
    "sac": (True, True, False),
    "sdem": (False, True, True),
    "gns": (True, True, True),
}
GNS_WARNING = (
    "GNS is only weakly identified (rho, theta and lambda are hard to tell apart): LeSage and "
    "Pace (2009) and Elhorst (2014) advise against interpreting its estimates; use it as the "
    "nesting model of the LR tests."
)
GRID = 21  # points of the coarse grid over lambda before the Brent search


def fit_general(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray | SpectralW | SparseW,
    *,
    names: Sequence[str],
    model: str = "gns",
    fe: str = "twoways",
    durbin: Sequence[str] | None = None,
    lee_yu: bool = False,
    effects: bool = True,
    draws: int = 1000,
    seed: int | None = 12345,
    fix_rho: float | None = None,
    fix_lam: float | None = None,
) -> SpatialPanelResult:
    """Fit any model of the general nesting family (SAR, SEM, SDM, SAC, SDEM, GNS) to arrays.

    Parameters
    ----------
    Y : ndarray, shape (T, N)
        Dependent variable, periods by units.
    X : ndarray, shape (T, N, K)
        Regressors (no constant; one is added when ``fe='none'``).
    W : sparse matrix, ndarray, SpectralW or SparseW
        Weights as used in the model (see :func:`policylink.spatial.panel.weights_operator`;
        large N goes through the sparse operator).
    names : sequence of str
        Names of the K regressors.
    model : {'sar', 'sem', 'sdm', 'sac', 'sdem', 'gns'}
        Which of rho, lambda and W*X enter (see :data:`STRUCTURE`).
    fe : {'none', 'unit', 'time', 'twoways'}
        Fixed effects removed by demeaning.
    durbin : sequence of str, optional
        Regressors whose W-lag enters SDM / SDEM / GNS (default: all).
    lee_yu : bool
        Lee-Yu (2010) effective dimensions, as :func:`policylink.spatial.panel.fit_arrays`.
    effects : bool
        Direct / indirect / total effects (all models but SEM).
    draws, seed
        Parameter draws (and their seed) for the effects' SEs of models with rho.
    fix_rho, fix_lam : float, optional
        Hold rho or lambda at this value instead of estimating it (a restricted fit; the fixed
        parameter is reported without a standard error). ``model='sac', fix_lam=0`` is the SAR.

    Returns
    -------
    SpatialPanelResult
        ``cov`` is ordered (params, rho, lambda) for the spatial parameters the model has.
    """
    if model not in STRUCTURE:
        raise ValueError(f"model must be one of {ALL_MODELS}, not {model!r}")
    if fe not in FIXED_EFFECTS:
        raise ValueError(f"fe must be one of {FIXED_EFFECTS}, not {fe!r}")
    has_rho, has_lam, has_wx = STRUCTURE[model]
    Y, X, names, sw = checked_arrays(Y, X, names, W)
    T, N = Y.shape
    if lee_yu and fe in ("time", "twoways") and not sw.row_stochastic:
        raise ValueError("the Lee-Yu correction with time effects needs a row-standardised W")
    Wm = sw.W

    xnames = list(names)
    Xfull = X
    durbin_idx: list[int] = []
    if has_wx:
        Xfull, xnames, durbin_idx = durbin_design(X, names, Wm, durbin)
    if fe == "none":
        Xfull = np.concatenate([np.ones((T, N, 1)), Xfull], axis=2)
        xnames = ["const", *xnames]
    k = Xfull.shape[2]

    # Demeaned y, Wy, WWy, X, WX: every transformed quantity is a combination of these.
    yd = demean(Y, fe).ravel()
    WY = spatial_lag(Wm, Y)
    wy = demean(WY, fe).ravel()
    wwy = demean(spatial_lag(Wm, WY), fe).ravel()
    Xd = demean(Xfull, fe).reshape(T * N, k)
    WXd = demean(spatial_lag(Wm, Xfull), fe).reshape(T * N, k)
    scale = np.abs(Xfull).reshape(T * N, -1).max(axis=0) + 1.0
    flat = [n for n, sd, sc in zip(xnames, Xd.std(axis=0), scale, strict=True) if sd <= 1e-10 * sc]
    flat = [n for n in flat if n != "const"]
    if flat:
        raise ValueError(
            f"regressor(s) {', '.join(flat)} do not vary once the {fe} fixed effects are removed"
        )
    if np.linalg.matrix_rank(Xd) < k:
        raise ValueError(f"regressors {', '.join(xnames)} are collinear after demeaning ({fe})")
    nobs, teff, drop = _dims(N, T, fe, lee_yu)

    def jac(r: float) -> float:
        v = teff * float(sw.logdet(r))
        if drop:
            v -= teff * np.log(1.0 - r)
        return float(v)

    lo, hi = sw.rho_bounds

    def parts(lmb: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """B y, B W y and B X for B = I - lambda W (demeaned)."""
        return yd - lmb * wy, wy - lmb * wwy, Xd - lmb * WXd

    def profile(lmb: float) -> tuple[float, float]:
        """(-concentrated log-likelihood, rho) at lambda, rho maximised (or fixed)."""
        ys, wys, xs = parts(lmb)
        b = _ols(xs, np.column_stack([ys, wys]))
        e0 = ys - xs @ b[:, 0]
        e1 = wys - xs @ b[:, 1]
        a, c, d = e0 @ e0, e0 @ e1, e1 @ e1
        jl = jac(lmb) if has_lam else 0.0

        def negll(r: float) -> float:
            ss = max(a - 2.0 * r * c + r * r * d, 1e-300)
            return 0.5 * nobs * np.log(ss / nobs) - jac(r) - jl

        if not has_rho or fix_rho is not None:
            r = 0.0 if fix_rho is None else float(fix_rho)
            return negll(r), r
        res = minimize_scalar(negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
        return float(res.fun), float(res.x)

    if not has_lam or fix_lam is not None:
        lam = 0.0 if fix_lam is None else float(fix_lam)
    else:
        # Coarse grid first: the profile in lambda of a SARAR can have two local optima.
        grid = np.linspace(lo, hi, GRID + 2)[1:-1]
        vals = [profile(g)[0] for g in grid]
        j = int(np.argmin(vals))
        a_, b_ = grid[max(j - 1, 0)], grid[min(j + 1, GRID - 1)]
        if j == 0:
            a_ = lo
        if j == GRID - 1:
            b_ = hi
        lam = float(
            minimize_scalar(
                lambda v: profile(v)[0], bounds=(a_, b_), method="bounded", options={"xatol": 1e-10}
            ).x
        )
    negll_hat, rho = profile(lam)
    if not np.isfinite(negll_hat):  # never report a failed optimisation as a fit
        raise ValueError("the likelihood could not be evaluated (check W and the data)")
    ys, wys, xs = parts(lam)
    beta = _ols(xs, ys - rho * wys)
    e = ys - rho * wys - xs @ beta
    sig2 = float(e @ e / nobs)
    if not sig2 > 1e-12 * max(1.0, float(yd @ yd) / nobs):
        raise ValueError(
            f"the {model.upper()} fits the data exactly (zero residual variance): too few units "
            f"or periods ({N} x {T}) for the regressors and the {fe} fixed effects"
        )
    ll = float(
        -0.5 * nobs * (np.log(2 * np.pi * sig2) + 1.0) + jac(rho) + (jac(lam) if has_lam else 0.0)
    )

    free_rho = has_rho and fix_rho is None
    free_lam = has_lam and fix_lam is None
    cov_full = _observed_cov(
        e=e, xs=xs, wys=wys, uw=wy - rho * wwy - WXd @ beta, wx=WXd, wwy=wwy, sig2=sig2,
        nobs=nobs, jac=jac, rho=rho, lam=lam, free_rho=free_rho, free_lam=free_lam,
    )  # fmt: skip
    # Reported spatial parameters: a fixed one keeps its value with a zero (not estimated) SE.
    rho_out = rho if has_rho else None
    lam_out = lam if has_lam else None
    m = k + int(has_rho) + int(has_lam)
    cov = np.zeros((m, m))
    dst = list(range(k))  # where the free parameters of cov_full go in cov
    if free_rho:
        dst.append(k)
    if free_lam:
        dst.append(k + int(has_rho))
    cov[np.ix_(dst, dst)] = cov_full

    u = yd - rho * wy - Xd @ beta  # structural residual (before the error filter)
    fitted_d = yd - u
    r2_within = float(np.corrcoef(yd, fitted_d)[0, 1] ** 2)
    resid_raw = Y.ravel() - Xfull.reshape(T * N, k) @ beta - rho * WY.ravel()
    fe_part = resid_raw.reshape(T, N) - demean(resid_raw.reshape(T, N), fe)
    fitted_raw = Y.ravel() - resid_raw + fe_part.ravel()
    yc = Y.ravel() - Y.mean()
    r2 = float(1.0 - np.sum((Y.ravel() - fitted_raw) ** 2) / (yc @ yc))
    notes = []
    if model == "gns":
        notes.append(GNS_WARNING)
    for nm, v in (("rho", fix_rho if has_rho else None), ("lambda", fix_lam if has_lam else None)):
        if v is not None:
            notes.append(f"{nm} held at {v:g} (restricted fit, not estimated)")
    result = SpatialPanelResult(
        model=model,
        fe=fe,
        names=xnames,
        params=np.asarray(beta, dtype=float),
        rho=rho_out,
        lam=lam_out,
        sigma2=sig2,
        cov=cov,
        log_likelihood=ll,
        r2=r2,
        r2_within=r2_within,
        n_units=N,
        n_periods=T,
        lee_yu=lee_yu,
        residuals=e.reshape(T, N),
        notes=notes,
    )
    if effects and model != "sem":
        if has_rho:
            # the draws need (params, rho) only: the marginal of the joint covariance
            lag_view = dataclasses.replace(result, lam=None, cov=cov[: k + 1, : k + 1])
            result.effects = _effects_table(lag_view, sw, names, durbin_idx, draws, seed)
            result.effects_draws = draws
            result.effects_seed = seed
        else:
            result.effects = sdem_effects(result, sw, names, durbin_idx)
    return result


def fit_panel_general(
    panel: pd.DataFrame,
    w: libpysal.weights.W,
    *,
    y: str,
    x: Sequence[str],
    id_col: str,
    time_col: str,
    transformation: str = "r",
    w_method: str = "auto",
    **kwargs: Any,
) -> SpatialPanelResult:
    """:func:`fit_general` on a long balanced panel with libpysal weights.

    Parameters
    ----------
    panel : DataFrame
        Balanced long panel (one row per unit and period).
    w : libpysal.weights.W
        Weights whose ids are the values of ``id_col``.
    y, x, id_col, time_col : str
        Dependent variable, regressors, unit and period columns.
    transformation : {'r', 'b'}
        Weights transformation.
    w_method : {'auto', 'eigen', 'sparse'}
        Weights operator (see :func:`policylink.spatial.panel.weights_operator`).
    **kwargs
        Passed to :func:`fit_general` (``model``, ``fe``, ``durbin``, ``lee_yu``, ...).

    Returns
    -------
    SpatialPanelResult
    """
    Y, X, _ = panel_arrays(panel, y=y, x=x, id_col=id_col, time_col=time_col, ids=w.id_order)
    with fit_threads(len(w.id_order)):
        W = weights_operator(weights_matrix(w, transformation), w_method)
        return fit_general(Y, X, W, names=list(x), **kwargs)


def _observed_cov(
    *,
    e: np.ndarray,
    xs: np.ndarray,
    wys: np.ndarray,
    uw: np.ndarray,
    wx: np.ndarray,
    wwy: np.ndarray,
    sig2: float,
    nobs: float,
    jac: Callable[[float], float],
    rho: float,
    lam: float,
    free_rho: bool,
    free_lam: bool,
) -> np.ndarray:
    """Inverse of the observed information in (beta, [rho], [lambda], sigma2) at the MLE.

    With e = B(Ay - Xb): de/dbeta = -B X, de/drho = -B W y, de/dlambda = -W(Ay - Xb) and the
    only non-zero second derivatives of e are d2e/dbeta dlambda = W X and
    d2e/drho dlambda = W W y. Returns the block of (beta, rho, lambda) that are free.
    """
    cols = [-xs]
    k = xs.shape[1]
    ir = il = None
    if free_rho:
        ir = k
        cols.append(-wys[:, None])
    if free_lam:
        il = k + int(free_rho)
        cols.append(-uw[:, None])
    D = np.concatenate(cols, axis=1)  # de/dp, (n, p)
    p = D.shape[1]
    H = -(D.T @ D) / sig2
    if il is not None:
        H[:k, il] -= (e @ wx) / sig2  # e' d2e/dbeta dlambda
        H[il, :k] = H[:k, il]
        if ir is not None:
            H[ir, il] -= float(e @ wwy) / sig2
            H[il, ir] = H[ir, il]

    def d2(r: float) -> float:
        h = 1e-4
        return (jac(r + h) - 2.0 * jac(r) + jac(r - h)) / (h * h)

    if ir is not None:
        H[ir, ir] += d2(rho)
    if il is not None:
        H[il, il] += d2(lam)
    # sigma2 row: d2ll/dp dsigma2 = e'de/dp / sigma2^2 (zero at the MLE for beta), and
    # d2ll/dsigma2^2 = n / (2 sigma2^2) - e'e / sigma2^3
    full = np.zeros((p + 1, p + 1))
    full[:p, :p] = H
    g = (D.T @ e) / sig2**2
    full[:p, p] = full[p, :p] = g
    full[p, p] = nobs / (2 * sig2**2) - float(e @ e) / sig2**3
    cov = np.linalg.inv(-full)
    return cov[:p, :p]


def sdem_effects(
    res: SpatialPanelResult, sw: SpectralW | SparseW, base: list[str], durbin_idx: list[int]
) -> pd.DataFrame:
    """Closed-form SDEM effects with exact standard errors.

    Without a spatial lag of y, S_k = beta_k I + theta_k W, so direct_k = beta_k + theta_k tr(W)/N
    and total_k = beta_k + theta_k 1'W1/N (LeSage and Pace 2009; Elhorst 2014, table 2.1):
    linear in (beta, theta), so their variances are c' V c.

    Parameters
    ----------
    res : SpatialPanelResult
        SDEM fit (``names`` as built by :func:`fit_general`).
    sw : SpectralW or SparseW
        The weights operator of the fit.
    base : list of str
        Names of the K regressors.
    durbin_idx : list of int
        Positions (in ``base``) of the regressors whose W-lag entered.

    Returns
    -------
    DataFrame
        Long table (effect, variable, estimate, se, z, p).
    """
    off = 1 if res.names and res.names[0] == "const" else 0
    n = sw.n
    tr_w = float(sw.W.diagonal().sum()) / n
    tot_w = float(sw.W.sum()) / n
    rows = []
    for label in ("direct", "indirect", "total"):
        for j, name in enumerate(base):
            c = np.zeros(len(res.params))
            if label != "indirect":
                c[off + j] = 1.0
            if j in durbin_idx:
                pos = off + len(base) + durbin_idx.index(j)
                c[pos] = {"direct": tr_w, "indirect": tot_w - tr_w, "total": tot_w}[label]
            est = float(c @ res.params)
            V = res.cov[: len(res.params), : len(res.params)]
            se = float(np.sqrt(max(c @ V @ c, 0.0)))
            z = est / se if se > 0 else np.nan
            rows.append(
                {
                    "effect": label,
                    "variable": name,
                    "estimate": est,
                    "se": se,
                    "z": float(z),
                    "p": float(_pvalue(np.asarray(z))),
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Random-effects SEM
# --------------------------------------------------------------------------------------------
class _ReSem:
    """Pieces of the random-effects SEM likelihood for one data set (see the module notes)."""

    def __init__(self, sw: SpectralW | SparseW, Y: np.ndarray, Xc: np.ndarray) -> None:
        self.sw = sw
        self.Y = Y
        self.Xc = Xc
        self.T, self.N = Y.shape
        self.k = Xc.shape[2]
        # columns: y then X, shaped (T, N, 1 + k)
        self.Z = np.concatenate([Y[:, :, None], Xc], axis=2)
        self.Zbar = self.Z.mean(axis=0)  # (N, 1 + k)
        self.Zdev = self.Z - self.Zbar[None]
        self.I = sparse.identity(self.N, format="csc")

    def quad_parts(self, lam: float, phi: float) -> tuple[np.ndarray, float]:
        """Z'MZ for M the inverse covariance (up to sigma2), and log|I + T r B'B|."""
        T, N = self.T, self.N
        B = (self.I - lam * self.sw.W).tocsc()
        r = (1.0 / (phi * phi) - 1.0) / T  # sigma2_mu / sigma2
        # within part: sum_t ||B (z_t - zbar)||^2
        Bd = spatial_lag(B, self.Zdev).reshape(T * N, -1)
        within = Bd.T @ Bd
        # between part: T zbar' (I + T r B'B)^-1 B'B zbar
        BtB = (B.T @ B).tocsc()
        lu = splu((self.I + (T * r) * BtB).tocsc())
        bz = BtB @ self.Zbar
        between = T * (self.Zbar.T @ lu.solve(np.asarray(bz)))
        diag = lu.U.diagonal()
        logdet_v = float(np.sum(np.log(np.abs(diag))))
        return within + 0.5 * (between + between.T), logdet_v

    def concentrated(self, lam: float, phi: float) -> tuple[float, np.ndarray, float]:
        """(-log-likelihood concentrated in beta and sigma2, beta, sigma2)."""
        Q, logdet_v = self.quad_parts(lam, phi)
        qyy, qxy, qxx = Q[0, 0], Q[1:, 0], Q[1:, 1:]
        beta = np.linalg.solve(qxx, qxy)
        ssr = max(float(qyy - qxy @ beta), 1e-300)
        n = self.N * self.T
        sig2 = ssr / n
        ll = (
            -0.5 * n * (np.log(2 * np.pi * sig2) + 1.0)
            + self.T * float(self.sw.logdet(lam))
            - 0.5 * logdet_v
        )
        return -ll, beta, sig2

    def loglik(self, params: np.ndarray) -> float:
        """Full log-likelihood in (beta, lambda, phi, sigma2)."""
        k = self.k
        beta, lam, phi, sig2 = params[:k], params[k], params[k + 1], params[k + 2]
        Q, logdet_v = self.quad_parts(lam, phi)
        c = np.r_[1.0, -beta]
        n = self.N * self.T
        return float(
            -0.5 * n * np.log(2 * np.pi * sig2)
            + self.T * float(self.sw.logdet(lam))
            - 0.5 * logdet_v
            - (c @ Q @ c) / (2 * sig2)
        )


def fit_sem_random_effects(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray | SpectralW | SparseW,
    *,
    names: Sequence[str],
    time_effects: bool = False,
) -> SpatialPanelResult:
    """Random unit effects spatial error model by ML (Baltagi et al. 2003; Elhorst 2014).

    The likelihood (module notes) is concentrated in beta (generalised least squares) and
    sigma2 and maximised over lambda and phi by nested bounded Brent searches (a grid over
    lambda first). Standard errors come from the numerical Hessian of the full log-likelihood
    in (beta, lambda, phi, sigma2).

    Parameters
    ----------
    Y : ndarray, shape (T, N)
        Dependent variable.
    X : ndarray, shape (T, N, K)
        Regressors (an intercept is added unless ``time_effects``).
    W : sparse matrix, ndarray, SpectralW or SparseW
        Weights as used in the model.
    names : sequence of str
        Names of the K regressors.
    time_effects : bool
        Add time fixed effects: y and X are demeaned by period first, no intercept.

    Returns
    -------
    SpatialPanelResult
        ``model='sem'``, ``fe='random'`` (``'random+time'``); ``notes`` carries phi
        (phi^2 = sigma2 / (T sigma2_mu + sigma2)) with its SE.
    """
    Y = np.asarray(Y, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[:, :, None]
    T, N = Y.shape
    if X.shape[:2] != (T, N):
        raise ValueError(f"X has shape {X.shape}, expected ({T}, {N}, K)")
    if T < 2:
        raise ValueError("random effects need at least two periods")
    names = list(names)
    sw = weights_operator(W)
    if sw.n != N:
        raise ValueError(f"W is {sw.n} x {sw.n} but the panel has {N} units")
    xnames = list(names)
    if time_effects:
        Y = demean(Y, "time")
        Xc = demean(X, "time")
    else:
        Xc = np.concatenate([np.ones((T, N, 1)), X], axis=2)
        xnames = ["const", *xnames]
    if np.linalg.matrix_rank(Xc.reshape(T * N, -1)) < Xc.shape[2]:
        raise ValueError(f"regressors {', '.join(xnames)} are collinear")
    m = _ReSem(sw, Y, Xc)
    lo, hi = sw.rho_bounds

    def best_phi(lam: float) -> tuple[float, float]:
        r = minimize_scalar(
            lambda p: m.concentrated(lam, p)[0],
            bounds=(1e-4, 1.0),
            method="bounded",
            options={"xatol": 1e-8},
        )
        return float(r.fun), float(r.x)

    grid = np.linspace(lo, hi, GRID + 2)[1:-1]
    vals = [best_phi(g)[0] for g in grid]
    j = int(np.argmin(vals))
    a_ = lo if j == 0 else grid[j - 1]
    b_ = hi if j == GRID - 1 else grid[j + 1]
    lam = float(
        minimize_scalar(
            lambda v: best_phi(v)[0], bounds=(a_, b_), method="bounded", options={"xatol": 1e-8}
        ).x
    )
    negll, phi = best_phi(lam)
    _, beta, sig2 = m.concentrated(lam, phi)
    k = Xc.shape[2]
    theta = np.r_[beta, lam, phi, sig2]
    hess = _num_hessian(m.loglik, theta)
    cov_full = np.linalg.inv(-hess)
    cov = cov_full[: k + 1, : k + 1]
    u = (Y - Xc @ beta).reshape(T, N)
    yc = Y.ravel() - Y.mean()
    r2 = float(1 - u.ravel() @ u.ravel() / (yc @ yc))
    # within R2: squared correlation of y and X beta after removing the unit means
    yw, fw = demean(Y, "unit").ravel(), demean(Xc @ beta, "unit").ravel()
    r2w = float(np.corrcoef(yw, fw)[0, 1] ** 2)
    phi_se = float(np.sqrt(max(cov_full[k + 1, k + 1], 0.0)))
    return SpatialPanelResult(
        model="sem",
        fe="random+time" if time_effects else "random",
        names=xnames,
        params=np.asarray(beta, dtype=float),
        rho=None,
        lam=lam,
        sigma2=float(sig2),
        cov=cov,
        log_likelihood=-negll,
        r2=r2,
        r2_within=r2w,
        n_units=N,
        n_periods=T,
        lee_yu=False,
        residuals=u,
        notes=[f"phi = {phi:.6g} (se {phi_se:.3g})"],
    )
