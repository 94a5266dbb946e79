"""Cross-sectional spatial models for one period: SAR, SEM and SDM by ML or GMM (spreg).

Thin wrappers over PySAL's spreg, so that one year of the panel can be fitted as GeoDa / spreg
users expect:

===========  ==========================================  ==========================================
model        ``method='ml'``                             ``method='gmm'``
===========  ==========================================  ==========================================
``sar``      ``ML_Lag`` (Ord 1975; Anselin 1988)         ``GM_Lag``: 2SLS, instruments W X, W^2 X
``sdm``      ``ML_Lag(slx_lags=1)``: X and W X           ``GM_Lag(slx_lags=1)``: instruments W^2 X
``sem``      ``ML_Error``                                ``GMM_Error(estimator='het')``
                                                         (Arraiz, Drukker, Kelejian and Prucha 2010)
===========  ==========================================  ==========================================

A constant is always included. Direct / indirect / total effects of SAR and SDM (LeSage and Pace
2009) come from :meth:`policylink.spatial.panel.SpectralW.effects` (the same code as the panel
models), with SEs from draws of N(estimate, covariance).

References
----------
Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer.
Arraiz, I., Drukker, D. M., Kelejian, H. H. and Prucha, I. R. (2010). A spatial Cliff-Ord-type
model with heteroskedastic innovations. *Journal of Regional Science* 50(2), 592-614.
Kelejian, H. H. and Prucha, I. R. (1998). A generalized spatial two-stage least squares
procedure. *Journal of Real Estate Finance and Economics* 17(1), 99-121.
Rey, S. J. and Anselin, L. (2010). PySAL. In *Handbook of Applied Spatial Analysis*, Springer.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import libpysal
import numpy as np
import pandas as pd
from scipy import sparse, stats

from policylink.spatial.panel import weights_operator

CROSS_MODELS = ("sar", "sem", "sdm")
CROSS_METHODS = ("ml", "gmm")


def _pvalue(z: np.ndarray) -> np.ndarray:
    return 2.0 * stats.norm.sf(np.abs(z))


@dataclass
class CrossSectionResult:
    """A fitted cross-sectional spatial model.

    Attributes
    ----------
    model : {'sar', 'sem', 'sdm'}
    method : {'ml', 'gmm'}
    names : list of str
        ``const``, the regressors and, for SDM, ``W*<x>``.
    params : ndarray
        Coefficients in the order of ``names``.
    spatial : float
        rho (SAR, SDM) or lambda (SEM).
    cov : ndarray
        Covariance of (params, spatial) as spreg reports it.
    sigma2 : float
        Residual variance.
    log_likelihood, aic, bic : float or None
        ML only.
    pseudo_r2 : float
        Squared correlation of y and its fitted value (spreg ``pr2``).
    n : int
        Units.
    effects : DataFrame or None
        Direct / indirect / total effects (SAR, SDM).
    """

    model: str
    method: str
    names: list[str]
    params: np.ndarray
    spatial: float
    cov: np.ndarray
    sigma2: float
    log_likelihood: float | None
    aic: float | None
    bic: float | None
    pseudo_r2: float
    n: int
    residuals: np.ndarray
    effects: pd.DataFrame | None = None
    effects_draws: int = 0
    effects_seed: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def spatial_name(self) -> str:
        """'lambda' for SEM, 'rho' otherwise."""
        return "lambda" if self.model == "sem" else "rho"

    @property
    def coefficients(self) -> pd.DataFrame:
        """Tidy table: name, estimate, se, z, p (regressors, then rho or lambda)."""
        est = np.r_[self.params, self.spatial]
        se = np.sqrt(np.diag(self.cov))
        z = est / se
        return pd.DataFrame(
            {
                "name": [*self.names, self.spatial_name],
                "estimate": est,
                "se": se,
                "z": z,
                "p": _pvalue(z),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        coef = self.coefficients
        rows = {
            r["name"]: {k: float(r[k]) for k in ("estimate", "se", "z", "p")}
            for r in coef.to_dict(orient="records")
        }
        out: dict[str, Any] = {
            "model": self.model,
            "method": self.method,
            "coefficients": {k: v for k, v in rows.items() if k != self.spatial_name},
            self.spatial_name: rows[self.spatial_name],
            "sigma2": self.sigma2,
            "log_likelihood": self.log_likelihood,
            "aic": self.aic,
            "bic": self.bic,
            "pseudo_r2": self.pseudo_r2,
            "n_units": self.n,
        }
        if self.effects is not None:
            eff: dict[str, Any] = {}
            for r in self.effects.to_dict(orient="records"):
                eff.setdefault(r["effect"], {})[r["variable"]] = {
                    k: r[k] for k in ("estimate", "se", "z", "p")
                }
            out["effects"] = eff
            out["effects_draws"] = self.effects_draws
            out["effects_seed"] = self.effects_seed
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def _as_libpysal(W: sparse.spmatrix) -> libpysal.weights.W:
    """A libpysal W holding exactly the (already transformed) matrix, as spreg wants it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.WSP(sparse.csr_matrix(W, dtype=float)).to_W(silence_warnings=True)
    return w


def fit_cross_section(
    y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray,
    *,
    names: Sequence[str],
    model: str = "sar",
    method: str = "ml",
    effects: bool = True,
    draws: int = 1000,
    seed: int | None = 12345,
) -> CrossSectionResult:
    """Fit SAR, SEM or SDM to one cross-section by ML or GMM (spreg).

    Parameters
    ----------
    y : ndarray, shape (N,)
        Dependent variable.
    X : ndarray, shape (N, K)
        Regressors (a constant is added).
    W : sparse matrix or ndarray, shape (N, N)
        Weights as used in the model (already transformed).
    names : sequence of str
        Names of the K regressors.
    model : {'sar', 'sem', 'sdm'}
    method : {'ml', 'gmm'}
    effects : bool
        Direct / indirect / total effects (SAR, SDM).
    draws : int
        Parameter draws for the effects' SEs.
    seed : int or None
        Seed of the draws.

    Returns
    -------
    CrossSectionResult

    Raises
    ------
    ValueError
        Unknown model or method, bad shapes, non-finite values, collinear regressors.
    """
    import spreg

    if model not in CROSS_MODELS:
        raise ValueError(f"model must be one of {CROSS_MODELS}, not {model!r}")
    if method not in CROSS_METHODS:
        raise ValueError(f"method must be one of {CROSS_METHODS}, not {method!r}")
    y = np.asarray(y, dtype=float).ravel()
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    N = y.size
    names = list(names)
    if X.shape != (N, len(names)):
        raise ValueError(f"X has shape {X.shape}, expected ({N}, {len(names)})")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(X))):
        raise ValueError("y and X must be finite (no missing values)")
    Ws = sparse.csr_matrix(W, dtype=float)
    if Ws.shape != (N, N):
        raise ValueError(f"W is {Ws.shape[0]} x {Ws.shape[1]} but there are {N} units")
    design = np.column_stack([np.ones(N), X] + ([Ws @ X] if model == "sdm" else []))
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ValueError(f"regressors {', '.join(names)} are collinear (with the constant)")
    w = _as_libpysal(Ws)
    slx = 1 if model == "sdm" else 0
    yy = y.reshape(-1, 1)
    # spreg prints progress lines for SLX models and warns about its optimiser options
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        if model in ("sar", "sdm") and method == "ml":
            reg = spreg.ML_Lag(yy, X, w, slx_lags=slx, spat_impacts=None, spat_diag=False)
        elif model in ("sar", "sdm"):
            reg = spreg.GM_Lag(yy, X, w=w, slx_lags=slx, spat_impacts=None, spat_diag=False)
        elif method == "ml":
            reg = spreg.ML_Error(yy, X, w)
        else:
            reg = spreg.GMM_Error(yy, X, w, estimator="het")
    betas = np.asarray(reg.betas, dtype=float).ravel()
    cov = np.asarray(reg.vm, dtype=float)[: betas.size, : betas.size]
    xnames = ["const", *names] + ([f"W*{v}" for v in names] if model == "sdm" else [])
    params, spatial = betas[:-1], float(betas[-1])
    if method == "ml":
        ll = float(reg.logll)
        aic, bic = float(reg.aic), float(reg.schwarz)
    else:
        ll = aic = bic = None
    if hasattr(reg, "sig2"):
        sig2 = float(np.asarray(reg.sig2).ravel()[0])
    else:  # GMM_Error: variance of the spatially filtered residuals
        ef = np.asarray(reg.e_filtered, dtype=float).ravel()
        sig2 = float(ef @ ef / N)
    res = CrossSectionResult(
        model=model,
        method=method,
        names=xnames,
        params=params,
        spatial=spatial,
        cov=cov,
        sigma2=sig2,
        log_likelihood=ll,
        aic=aic,
        bic=bic,
        pseudo_r2=float(reg.pr2),
        n=N,
        residuals=np.asarray(reg.u, dtype=float).ravel(),
    )
    if effects and model in ("sar", "sdm"):
        res.effects = _cross_effects(res, Ws, len(names), draws, seed)
        res.effects_draws = draws
        res.effects_seed = seed
    return res


def _cross_effects(
    res: CrossSectionResult, W: sparse.csr_matrix, k: int, draws: int, seed: int | None
) -> pd.DataFrame:
    """LeSage-Pace effects at the estimates; SEs from draws of N(estimate, cov)."""
    sw = weights_operator(W)
    point = np.r_[res.params, res.spatial]

    def split(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        v = np.atleast_2d(v)
        beta = v[:, 1 : 1 + k]
        theta = v[:, 1 + k : 1 + 2 * k] if res.model == "sdm" else np.zeros_like(beta)
        return v[:, -1], beta, theta

    est = sw.effects(*split(point))
    ses = [np.full(k, np.nan)] * 3
    if draws > 0:
        rng = np.random.default_rng(seed)
        sims = rng.multivariate_normal(point, res.cov, size=draws, method="eigh")
        lo, hi = sw.rho_bounds
        sims = sims[(sims[:, -1] > lo) & (sims[:, -1] < hi)]
        if len(sims) > 1:
            ses = [a.std(axis=0, ddof=1) for a in sw.effects(*split(sims))]
    rows = []
    base = [n for n in res.names[1 : 1 + k]]
    for label, e, se in zip(("direct", "indirect", "total"), est, ses, strict=True):
        for j, name in enumerate(base):
            v, s = float(e[0, j]), float(se[j])
            z = v / s if s > 0 else np.nan
            rows.append(
                {
                    "effect": label,
                    "variable": name,
                    "estimate": v,
                    "se": s,
                    "z": float(z),
                    "p": float(_pvalue(np.asarray(z))),
                }
            )
    return pd.DataFrame(rows)
