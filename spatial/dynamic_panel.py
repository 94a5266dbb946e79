"""Dynamic spatial panel with fixed effects by quasi-ML, with the Yu-de Jong-Lee bias correction.

Model (as Stata xsmle ``dlag`` and R SDPDmod ``SDPDm(dynamic=TRUE)``), units i = 1..N, periods
t = 1..T after the first observed period y_0:

    y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + X_t beta + W X_t theta + mu + a_t 1 + e_t

with unit effects mu (``fe='unit'``) or unit and time effects (``fe='twoways'``), removed by
demeaning. Given rho the model is linear in delta = (tau, eta, beta, theta), so the
log-likelihood is concentrated in rho and maximised on the stable interval, as for the static
models of :mod:`policylink.spatial.panel`.

Bias correction. The within transformation makes the demeaned y_{t-1} correlated with the
demeaned error, so the QML estimator has an O(1/T) bias (Nickell's bias, spatial form); Yu, de
Jong and Lee (2008, Theorem 3) give it as -Sigma^-1 b / T with Sigma the information matrix per
observation and, with S = I - rho W, A = S^-1 (tau I + eta W), G = W S^-1 and
C = (I - A)^-1 S^-1:

- b_tau = tr(C) / N, b_eta = tr(W C) / N, b_beta = b_theta = 0,
- b_rho = [tau tr(G C) + eta tr(G W C) + tr(G)] / N, b_sigma2 = 1 / (2 sigma2).

With time effects too (row-standardised W) Lee and Yu (2010b) add an O(1/N) bias
-Sigma^-1 (0, ..., 0, 1 / (1 - rho), 1 / (2 sigma2)) / N. The corrected estimator is
theta_c = theta_hat + Sigma^-1 b / T (+ Sigma^-1 c / N); its covariance is the inverse
information at theta_c. The correction is for the stable case (spectral radius of A below 1).

Effects (Debarsy, Ertur and LeSage 2012; Elhorst 2014, sec. 4.5): short-run
(I - rho W)^-1 (beta_k I + theta_k W); long-run ((1 - tau) I - (rho + eta) W)^-1
(beta_k I + theta_k W), i.e. the static effects at rho* = (rho + eta) / (1 - tau) scaled by
1 / (1 - tau). Direct = mean diagonal, total = mean row sum, indirect = total - direct; SEs from
parameter draws (LeSage and Pace 2009).

References
----------
Debarsy, N., Ertur, C. and LeSage, J. P. (2012). Interpreting dynamic space-time panel data
models. *Statistical Methodology* 9(1-2), 158-171.
Elhorst, J. P. (2014). *Spatial Econometrics*. Springer, ch. 4.
Lee, L.-F. and Yu, J. (2010b). A spatial dynamic panel data model with both time and individual
fixed effects. *Econometric Theory* 26(2), 564-597.
Yu, J., de Jong, R. and Lee, L.-F. (2008). Quasi-maximum likelihood estimators for spatial
dynamic panel data with fixed effects when both n and T are large. *Journal of Econometrics*
146(1), 118-134.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.optimize import minimize_scalar

from policylink.spatial.panel import (
    SpectralW,
    checked_arrays,
    demean,
    spatial_lag,
)
from policylink.spatial.sparse_w import SparseW

DYNAMIC_FE = ("unit", "twoways")
LAGS = ("time", "spacetime", "both")
#: Largest N for the dense N x N matrices of the bias correction.
DYNAMIC_DENSE_LIMIT = 5000


def _pvalue(z: np.ndarray) -> np.ndarray:
    return 2.0 * stats.norm.sf(np.abs(z))


@dataclass
class DynamicPanelResult:
    """Estimates of a dynamic spatial panel.

    Attributes
    ----------
    fe : {'unit', 'twoways'}
    lags : {'time', 'spacetime', 'both'}
        Which of y_{t-1} (``tau``) and W y_{t-1} (``eta``) enter.
    names : list of str
        Regressor names: ``y(t-1)``, ``W*y(t-1)``, the X and ``W*<x>``.
    params : ndarray
        Reported (bias-corrected when ``bias_corrected``) coefficients, order of ``names``.
    rho, sigma2 : float
        Reported spatial lag and residual variance.
    cov : ndarray
        Covariance of (params, rho): inverse information at the reported estimates.
    params_ml, rho_ml, sigma2_ml : ndarray, float, float
        The uncorrected quasi-ML estimates.
    cov_ml : ndarray
        Inverse information at the uncorrected estimates.
    log_likelihood : float
        Maximised (uncorrected) log-likelihood, constants included.
    n_units, n_periods : int
        N and the T periods used (the first observed period only gives y_0).
    bias_corrected : bool
    sdm : bool
        Whether W X enters (dynamic SDM) or not (dynamic SAR).
    stable : bool
        Whether the reported estimates give a stable process (long-run effects defined).
    effects : DataFrame or None
        Long table: horizon (short / long), effect, variable, estimate, se, z, p.
    """

    fe: str
    lags: str
    names: list[str]
    params: np.ndarray
    rho: float
    sigma2: float
    cov: np.ndarray
    params_ml: np.ndarray
    rho_ml: float
    sigma2_ml: float
    cov_ml: np.ndarray
    log_likelihood: float
    n_units: int
    n_periods: int
    bias_corrected: bool
    stable: bool
    residuals: np.ndarray
    sdm: bool = False
    effects: pd.DataFrame | None = None
    effects_draws: int = 0
    effects_seed: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def coefficients(self) -> pd.DataFrame:
        """Tidy table: name, estimate, se, z, p, and the uncorrected ML estimate and SE."""
        est = np.r_[self.params, self.rho]
        se = np.sqrt(np.diag(self.cov))
        z = est / se
        return pd.DataFrame(
            {
                "name": [*self.names, "rho"],
                "estimate": est,
                "se": se,
                "z": z,
                "p": _pvalue(z),
                "estimate_ml": np.r_[self.params_ml, self.rho_ml],
                "se_ml": np.sqrt(np.diag(self.cov_ml)),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: coefficients (with the uncorrected ML), rho, sigma2, effects."""
        coef = self.coefficients
        keys = ("estimate", "se", "z", "p", "estimate_ml", "se_ml")
        rows = {r["name"]: {k: float(r[k]) for k in keys} for r in coef.to_dict(orient="records")}
        out: dict[str, Any] = {
            "model": "dynamic_sdm" if self.sdm else "dynamic_sar",
            "fe": self.fe,
            "lags": self.lags,
            "bias_corrected": self.bias_corrected,
            "coefficients": {k: v for k, v in rows.items() if k != "rho"},
            "rho": rows["rho"],
            "sigma2": self.sigma2,
            "sigma2_ml": self.sigma2_ml,
            "log_likelihood": self.log_likelihood,
            "n_units": self.n_units,
            "n_periods": self.n_periods,
            "stable": self.stable,
        }
        if self.effects is not None:
            eff: dict[str, Any] = {}
            for r in self.effects.to_dict(orient="records"):
                eff.setdefault(r["horizon"], {}).setdefault(r["effect"], {})[r["variable"]] = {
                    k: r[k] for k in ("estimate", "se", "z", "p")
                }
            out["effects"] = eff
            out["effects_draws"] = self.effects_draws
            out["effects_seed"] = self.effects_seed
        if self.notes:
            out["notes"] = list(self.notes)
        return out


# --------------------------------------------------------------------------------------------
# Effects
# --------------------------------------------------------------------------------------------
def dynamic_effects(
    sw: SpectralW | SparseW,
    tau: np.ndarray,
    eta: np.ndarray,
    rho: np.ndarray,
    beta: np.ndarray,
    theta: np.ndarray,
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Short- and long-run direct, indirect and total effects (Debarsy-Ertur-LeSage 2012).

    Parameters
    ----------
    sw : SpectralW or SparseW
        Weights operator.
    tau, eta, rho : ndarray, shape (D,)
        Time lag, space-time lag and spatial lag, one per draw.
    beta, theta : ndarray, shape (D, K)
        Coefficients of X and W X.

    Returns
    -------
    dict
        ``{"short": (direct, indirect, total), "long": (...)}``, each array (D, K).
    """
    tau = np.asarray(tau, dtype=float)
    short = sw.effects(np.asarray(rho, dtype=float), beta, theta)
    # ((1 - tau) I - (rho + eta) W)^-1 = (I - rho* W)^-1 / (1 - tau), rho* = (rho + eta)/(1 - tau)
    g = 1.0 / (1.0 - tau)
    rstar = (np.asarray(rho) + np.asarray(eta)) * g
    long = sw.effects(rstar, beta * g[:, None], theta * g[:, None])
    return {"short": short, "long": long}


def _is_stable(sw: SpectralW | SparseW, tau: float, eta: float, rho: float) -> bool:
    """Stationarity of y_t = A y_{t-1} + ...: spectral radius of (I - rho W)^-1 (tau I + eta W).

    Uses the eigenvalues when they are known (same eigenvectors for I and W); otherwise the
    sufficient row-standardised condition |tau| + |eta| < 1 - |rho|.
    """
    lo, hi = sw.rho_bounds
    if not lo < rho < hi:
        return False
    ev = getattr(sw, "eigenvalues", None)
    if ev is not None:
        a = (tau + eta * ev) / (1.0 - rho * ev)
        return bool(np.max(np.abs(a)) < 1.0)
    return abs(tau) + abs(eta) < 1.0 - abs(rho)


# --------------------------------------------------------------------------------------------
# Estimation
# --------------------------------------------------------------------------------------------
def _information(
    Zd: np.ndarray,
    Wm: sparse.csr_matrix,
    sw: SpectralW | SparseW,
    delta: np.ndarray,
    rho: float,
    sig2: float,
    T: int,
    N: int,
) -> np.ndarray:
    """Information matrix of (delta, rho, sigma2) (Yu-de Jong-Lee 2008, Sigma times NT)."""
    tr1, tr2, tr3 = sw.traces(rho)
    zb = (Zd @ delta).reshape(T, N)
    S = (sparse.identity(N, format="csc") - rho * Wm).tocsc()
    from scipy.sparse.linalg import splu

    gz = spatial_lag(Wm, splu(S).solve(np.ascontiguousarray(zb.T)).T).ravel()
    k = Zd.shape[1]
    info = np.zeros((k + 2, k + 2))
    info[:k, :k] = Zd.T @ Zd / sig2
    info[:k, k] = info[k, :k] = Zd.T @ gz / sig2
    info[k, k] = T * (tr2 + tr3) + gz @ gz / sig2
    info[k, k + 1] = info[k + 1, k] = T * tr1 / sig2
    info[k + 1, k + 1] = N * T / (2.0 * sig2**2)
    return info


def _bias_vector(
    Wd: np.ndarray, tau: float, eta: float, rho: float, sig2: float, lag_ops: list[str], k: int
) -> np.ndarray:
    """b of Yu-de Jong-Lee (2008): the O(1/T) bias of the score per observation."""
    N = Wd.shape[0]
    eye = np.eye(N)
    Sinv = np.linalg.inv(eye - rho * Wd)
    A = Sinv @ (tau * eye + eta * Wd)
    C = np.linalg.solve(eye - A, Sinv)
    G = Wd @ Sinv
    b = np.zeros(k + 2)
    coefs = {"time": tau, "space": eta}
    b_rho = np.trace(G) / N
    for j, op in enumerate(lag_ops):
        LC = C if op == "time" else Wd @ C
        b[j] = np.trace(LC) / N
        b_rho += coefs[op] * np.trace(G @ LC) / N
    b[k] = b_rho
    b[k + 1] = 1.0 / (2.0 * sig2)
    return b


def fit_dynamic_panel(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray | SpectralW | SparseW,
    *,
    names: Sequence[str],
    y_name: str = "y",
    fe: str = "unit",
    lags: str = "both",
    durbin: Sequence[str] | None = None,
    sdm: bool = True,
    bias_correction: bool = True,
    effects: bool = True,
    draws: int = 1000,
    seed: int | None = 12345,
) -> DynamicPanelResult:
    """Fit the dynamic spatial (Durbin) panel by concentrated quasi-ML, bias-corrected.

    Parameters
    ----------
    Y : ndarray, shape (T0, N)
        Dependent variable for T0 >= 3 consecutive periods (the first gives y_0 only).
    X : ndarray, shape (T0, N, K)
        Regressors (the first period is not used).
    W : sparse matrix, ndarray or operator
        N x N weights as used in the model.
    names : sequence of str
        Names of the K regressors.
    y_name : str
        Name of y in the lag labels (``y(t-1)``, ``W*y(t-1)``).
    fe : {'unit', 'twoways'}
        Unit fixed effects, or unit and time fixed effects (row-standardised W).
    lags : {'time', 'spacetime', 'both'}
        y_{t-1} only, W y_{t-1} only, or both (xsmle ``dlag(1|2|3)``).
    durbin : sequence of str, optional
        Regressors whose W-lag enters (default: all when ``sdm``).
    sdm : bool
        Include W X (dynamic SDM); False gives the dynamic SAR.
    bias_correction : bool
        Report the bias-corrected estimates (the uncorrected ones are kept as ``*_ml``).
    effects : bool
        Short- and long-run effects.
    draws : int
        Parameter draws for the effects' SEs.
    seed : int or None
        Seed of the draws.

    Returns
    -------
    DynamicPanelResult

    Raises
    ------
    ValueError
        Bad shapes, fewer than 3 periods, unknown options, non-finite data, collinear
        regressors, or a W too large for the dense bias correction.
    """
    if fe not in DYNAMIC_FE:
        raise ValueError(f"fe must be one of {DYNAMIC_FE} for a dynamic panel, not {fe!r}")
    if lags not in LAGS:
        raise ValueError(f"lags must be one of {LAGS}, not {lags!r}")
    T0 = np.shape(Y)[0]
    if T0 < 3:
        raise ValueError(f"a dynamic panel needs at least 3 periods, the panel has {T0}")
    Y, X, names, sw = checked_arrays(Y, X, names, W)
    N = Y.shape[1]
    if fe == "twoways" and not sw.row_stochastic:
        raise ValueError("time effects in the dynamic panel need a row-standardised W")
    if bias_correction and N > DYNAMIC_DENSE_LIMIT:
        raise ValueError(
            f"the bias correction uses dense N x N matrices: N = {N} > {DYNAMIC_DENSE_LIMIT}"
        )
    Wm = sw.W
    T = T0 - 1
    y1 = Y[1:]
    ylag = Y[:-1]
    cols: list[np.ndarray] = []
    znames: list[str] = []
    lag_ops: list[str] = []
    if lags in ("time", "both"):
        cols.append(ylag[:, :, None])
        znames.append(f"{y_name}(t-1)")
        lag_ops.append("time")
    if lags in ("spacetime", "both"):
        cols.append(spatial_lag(Wm, ylag)[:, :, None])
        znames.append(f"W*{y_name}(t-1)")
        lag_ops.append("space")
    Xt = X[1:]
    cols.append(Xt)
    znames += names
    durbin_idx: list[int] = []
    if sdm:
        dn = names if durbin is None else list(durbin)
        unknown = [d for d in dn if d not in names]
        if unknown:
            raise ValueError(f"durbin variables not among the regressors: {unknown}")
        durbin_idx = [names.index(d) for d in dn]
        if durbin_idx:
            cols.append(spatial_lag(Wm, Xt[:, :, durbin_idx]))
            znames += [f"W*{d}" for d in dn]
    Z = np.concatenate(cols, axis=2)
    k = Z.shape[2]
    yd = demean(y1, fe).ravel()
    Zd = demean(Z, fe).reshape(T * N, k)
    if np.linalg.matrix_rank(Zd) < k:
        raise ValueError(f"regressors {', '.join(znames)} are collinear after demeaning ({fe})")
    Wy = demean(spatial_lag(Wm, y1), fe).ravel()
    b0 = np.linalg.lstsq(Zd, yd, rcond=None)[0]
    b1 = np.linalg.lstsq(Zd, Wy, rcond=None)[0]
    e0 = yd - Zd @ b0
    e1 = Wy - Zd @ b1
    nobs = N * T

    def negll(r: float) -> float:
        e = e0 - r * e1
        return 0.5 * nobs * np.log(e @ e / nobs) - T * float(sw.logdet(r))

    lo, hi = sw.rho_bounds
    res = minimize_scalar(negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
    rho = float(res.x)
    delta = b0 - rho * b1
    e = e0 - rho * e1
    sig2 = float(e @ e / nobs)
    ll = float(-0.5 * nobs * (np.log(2 * np.pi * sig2) + 1.0) + T * sw.logdet(rho))
    info = _information(Zd, Wm, sw, delta, rho, sig2, T, N)
    cov_ml = np.linalg.inv(info)[: k + 1, : k + 1]
    ntl = len(lag_ops)
    tau = float(delta[lag_ops.index("time")]) if "time" in lag_ops else 0.0
    eta = float(delta[lag_ops.index("space")]) if "space" in lag_ops else 0.0
    notes: list[str] = []
    p_rep, r_rep, s_rep, cov = delta, rho, sig2, cov_ml
    if bias_correction:
        if not _is_stable(sw, tau, eta, rho):
            notes.append(
                "the uncorrected estimates are not stable (spectral radius of "
                "(I - rho W)^-1 (tau I + eta W) >= 1): the bias correction assumes stability"
            )
        Wd = Wm.toarray()
        Sigma = info / nobs
        b = _bias_vector(Wd, tau, eta, rho, sig2, lag_ops, k)
        theta_hat = np.r_[delta, rho, sig2]
        theta_c = theta_hat + np.linalg.solve(Sigma, b) / T
        if fe == "twoways":
            c = np.zeros(k + 2)
            c[k] = 1.0 / (1.0 - rho)
            c[k + 1] = 1.0 / (2.0 * sig2)
            theta_c = theta_c + np.linalg.solve(Sigma, c) / N
        p_rep, r_rep, s_rep = theta_c[:k], float(theta_c[k]), float(theta_c[k + 1])
        if not lo < r_rep < hi or s_rep <= 0:
            raise ValueError("the bias-corrected estimates leave the parameter space")
        cov = np.linalg.inv(_information(Zd, Wm, sw, p_rep, r_rep, s_rep, T, N))[: k + 1, : k + 1]
    tau_r = float(p_rep[lag_ops.index("time")]) if "time" in lag_ops else 0.0
    eta_r = float(p_rep[lag_ops.index("space")]) if "space" in lag_ops else 0.0
    stable = _is_stable(sw, tau_r, eta_r, r_rep) and tau_r < 1.0
    result = DynamicPanelResult(
        fe=fe,
        lags=lags,
        names=znames,
        params=np.asarray(p_rep, dtype=float),
        rho=r_rep,
        sigma2=s_rep,
        cov=cov,
        params_ml=np.asarray(delta, dtype=float),
        rho_ml=rho,
        sigma2_ml=sig2,
        cov_ml=cov_ml,
        log_likelihood=ll,
        n_units=N,
        n_periods=T,
        bias_corrected=bias_correction,
        stable=stable,
        residuals=e.reshape(T, N),
        sdm=bool(durbin_idx),
        notes=notes,
    )
    if effects:
        if not stable:
            result.notes.append("the estimates are not stable: long-run effects are not defined")
        result.effects = _effects_table(result, sw, names, ntl, durbin_idx, draws, seed)
        result.effects_draws = draws
        result.effects_seed = seed
    return result


def _effects_table(
    res: DynamicPanelResult,
    sw: SpectralW | SparseW,
    base: list[str],
    ntl: int,
    durbin_idx: list[int],
    draws: int,
    seed: int | None,
) -> pd.DataFrame:
    """Short- and long-run effects at the estimates, SEs from draws of N(estimate, cov)."""
    kx = len(base)
    itau = res.lags in ("time", "both")
    ieta = res.lags in ("spacetime", "both")
    irho = len(res.params)

    def split(vec: np.ndarray) -> tuple[np.ndarray, ...]:
        vec = np.atleast_2d(vec)
        d = vec.shape[0]
        tau = vec[:, 0] if itau else np.zeros(d)
        eta = vec[:, ntl - 1] if ieta else np.zeros(d)
        beta = vec[:, ntl : ntl + kx]
        theta = np.zeros_like(beta)
        if durbin_idx:
            theta[:, durbin_idx] = vec[:, ntl + kx : ntl + kx + len(durbin_idx)]
        return tau, eta, vec[:, irho], beta, theta

    point = np.r_[res.params, res.rho]
    est = dynamic_effects(sw, *split(point))
    if not res.stable:
        est["long"] = tuple(np.full_like(a, np.nan) for a in est["long"])
    ses: dict[str, list[np.ndarray]] = {h: [np.full(kx, np.nan)] * 3 for h in est}
    if draws > 0:
        rng = np.random.default_rng(seed)
        sims = rng.multivariate_normal(point, res.cov, size=draws, method="eigh")
        tau_d, eta_d, rho_d = split(sims)[:3]
        keep = np.array(
            [
                _is_stable(sw, float(a), float(b), float(c)) and a < 1.0
                for a, b, c in zip(tau_d, eta_d, rho_d, strict=True)
            ]
        )
        sims = sims[keep]
        if len(sims) > 1:
            drawn = dynamic_effects(sw, *split(sims))
            for h in ("short", "long"):
                if h == "long" and not res.stable:
                    continue
                ses[h] = [a.std(axis=0, ddof=1) for a in drawn[h]]
    rows = []
    for h in ("short", "long"):
        for label, e_arr, se in zip(("direct", "indirect", "total"), est[h], ses[h], strict=True):
            for j, name in enumerate(base):
                v = float(e_arr[0][j])
                s = float(se[j])
                z = v / s if s > 0 else np.nan
                rows.append(
                    {
                        "horizon": h,
                        "effect": label,
                        "variable": name,
                        "estimate": v,
                        "se": s,
                        "z": float(z),
                        "p": float(_pvalue(np.asarray(z))),
                    }
                )
    return pd.DataFrame(rows)
