"""Placebo (randomisation) test of the TWFE DID (seed 004 Fig. 2), fast by Frisch-Waugh-Lovell.

Each draw reassigns the treatment at random (``units``: the observed first-treated years are
shuffled across units, so the number of pilots and the batch sizes are kept; ``timing``: the
treated units keep their status but get random adoption years; ``both``: random units and
random years) and re-estimates the DID coefficient.

The unit and year fixed effects and the controls are the same in every draw, so by the
Frisch-Waugh-Lovell theorem the DID coefficient of draw r is

.. math:: \\hat\\beta_r = \\frac{d_r^{*\\prime} y^*}{d_r^{*\\prime} d_r^*},\\qquad
          y^* = M_{\\tilde X}\\tilde y,\\quad d_r^* = M_{\\tilde X}\\tilde D_r

where a tilde is the two-way within transformation (alternating projections, pyfixest's
demeaner) and :math:`M_{\\tilde X}` residualises on the demeaned controls. ``y`` and ``X`` are
demeaned once; all draws are demeaned together as one matrix. Cluster-robust (CRV1, by unit)
standard errors follow from the same partition:
:math:`V_r = c \\sum_g (\\sum_{i \\in g} d^*_{ir} e_{ir})^2 / (d_r^{*\\prime} d_r^*)^2` with
pyfixest's small-sample factor :math:`c`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from policylink.spatial.did.panel import DID_COL, FIRST_COL, PanelSpec, fe_codes, prepare_panel
from policylink.spatial.did.twfe import DIDResult, fit_fe

MODES = ("units", "timing", "both")
_DEMEAN_TOL = 1e-10


@dataclass
class PlaceboResult:
    """Distribution of placebo DID coefficients and the permutation p-value.

    Attributes
    ----------
    estimates : ndarray, shape (R,)
        Placebo DID coefficients, one per draw.
    ses : ndarray, shape (R,)
        Their CRV1 standard errors (clustered by unit; NaN for two-way clustering).
    first_treated : ndarray, shape (R, n_units)
        The reassigned first-treated year of every unit in every draw (``inf`` = never).
    units : ndarray
        Unit identifiers in the column order of ``first_treated``.
    observed : DIDResult
        The actual TWFE DID estimate.
    p_value : float
        Two-sided permutation p-value :math:`(1 + \\#\\{|\\hat\\beta_r| \\ge |\\hat\\beta|\\})/(R+1)`.
    p_value_one_sided : float
        Same with :math:`\\hat\\beta_r \\ge \\hat\\beta` (or :math:`\\le` for a negative estimate).
    mode : str
        ``units``, ``timing`` or ``both``.
    seed : int
        Seed of the generator.
    method : str
        ``fast`` (FWL) or ``loop`` (one pyfixest fit per draw).
    seconds : float
        Wall time of the draws.
    """

    estimates: np.ndarray
    ses: np.ndarray
    first_treated: np.ndarray
    units: np.ndarray
    observed: DIDResult
    p_value: float
    p_value_one_sided: float
    mode: str
    seed: int
    method: str
    seconds: float

    def summary(self) -> dict[str, Any]:
        """JSON ``placebo`` block: draws, mean, sd, p_value, plus quantiles and the estimate."""
        b = self.estimates
        return {
            "draws": int(len(b)),
            "mean": float(np.mean(b)),
            "sd": float(np.std(b, ddof=1)) if len(b) > 1 else float("nan"),
            "p_value": float(self.p_value),
            "p_value_one_sided": float(self.p_value_one_sided),
            "observed": self.observed.coef(),
            "q025": float(np.quantile(b, 0.025)),
            "q975": float(np.quantile(b, 0.975)),
            "mode": self.mode,
            "seed": int(self.seed),
            "method": self.method,
            "seconds": float(self.seconds),
        }


def drop_singletons(panel: pd.DataFrame, spec: PanelSpec) -> pd.DataFrame:
    """Drop rows whose unit or year occurs once (as pyfixest does), until none is left."""
    while True:
        cu = panel.groupby(spec.unit)[spec.unit].transform("size")
        ct = panel.groupby(spec.time)[spec.time].transform("size")
        keep = (cu > 1) & (ct > 1)
        if keep.all():
            return panel
        panel = panel[keep].reset_index(drop=True)


def placebo_assignments(
    unit_first: np.ndarray, years: np.ndarray, draws: int, mode: str, rng: np.random.Generator
) -> np.ndarray:
    """Random first-treated years for every unit and draw.

    Parameters
    ----------
    unit_first : ndarray, shape (n_units,)
        Observed first-treated year per unit (``inf`` = never).
    years : ndarray
        Sorted panel years; random adoption years are drawn uniformly from ``years[1:]`` (so
        every placebo-treated unit has at least one pre-period).
    draws : int
        Number of draws R.
    mode : {'units', 'timing', 'both'}
        What is reassigned (see module docstring).
    rng : numpy.random.Generator
        Random generator.

    Returns
    -------
    ndarray, shape (R, n_units)
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    n = len(unit_first)
    treated = np.isfinite(unit_first)
    out = np.full((draws, n), np.inf)
    choices = np.asarray(years[1:], float)
    for r in range(draws):
        if mode == "units":
            out[r] = unit_first[rng.permutation(n)]
        elif mode == "timing":
            out[r, treated] = rng.choice(choices, size=int(treated.sum()))
        else:
            pick = rng.choice(n, size=int(treated.sum()), replace=False)
            out[r, pick] = rng.choice(choices, size=len(pick))
    return out


class _FWL:
    """Partialled-out design: demeaned y and controls, reused for every treatment column."""

    def __init__(self, panel: pd.DataFrame, spec: PanelSpec) -> None:
        from pyfixest.estimation import demean

        self._demean = demean
        self.flist = fe_codes(panel, spec)
        self.w = np.ones(len(panel))
        cols = [spec.outcome, *spec.controls]
        Z = self._dm(panel[cols].to_numpy(float))
        self.yt = Z[:, 0]
        self.Xt = Z[:, 1:]
        if self.Xt.shape[1]:
            self.XtX_inv = np.linalg.inv(self.Xt.T @ self.Xt)
            self.ystar = self._resid_x(self.yt[:, None])[:, 0]
        else:
            self.XtX_inv = None
            self.ystar = self.yt
        self.clusters = pd.factorize(panel[spec.unit])[0]
        self.G = int(self.clusters.max()) + 1

    def _dm(self, A: np.ndarray) -> np.ndarray:
        out, ok = self._demean(
            np.ascontiguousarray(A, dtype=float),
            self.flist,
            self.w,
            tol=_DEMEAN_TOL,
            maxiter=100_000,
        )
        if not ok:
            raise RuntimeError("fixed-effects demeaning did not converge")
        return out

    def _resid_x(self, A: np.ndarray) -> np.ndarray:
        if self.XtX_inv is None:
            return A
        return A - self.Xt @ (self.XtX_inv @ (self.Xt.T @ A))

    def fit(self, D: np.ndarray, ssc: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and CRV1 SEs of each column of D (n x R) in y ~ D + X | FE."""
        dstar = self._resid_x(self._dm(D))
        dd = np.einsum("ij,ij->j", dstar, dstar)
        beta = (dstar.T @ self.ystar) / dd
        if ssc is None:
            return beta, np.full_like(beta, np.nan)
        resid = self.ystar[:, None] - dstar * beta[None, :]
        scores = np.zeros((self.G, D.shape[1]))
        np.add.at(scores, self.clusters, dstar * resid)
        se = np.sqrt(ssc * np.einsum("gj,gj->j", scores, scores)) / dd
        return beta, se


def _p_values(est: np.ndarray, obs: float) -> tuple[float, float]:
    R = len(est)
    p2 = (1 + int(np.sum(np.abs(est) >= abs(obs) - 1e-12))) / (R + 1)
    if obs >= 0:
        p1 = (1 + int(np.sum(est >= obs - 1e-12))) / (R + 1)
    else:
        p1 = (1 + int(np.sum(est <= obs + 1e-12))) / (R + 1)
    return p2, p1


def placebo_did(
    df: pd.DataFrame,
    spec: PanelSpec,
    *,
    draws: int = 1000,
    mode: str = "units",
    seed: int = 0,
    method: str = "fast",
    chunk: int = 250,
    progress: Any = None,
) -> PlaceboResult:
    """Placebo test: re-estimate the DID under R random treatment reassignments.

    Parameters
    ----------
    df : DataFrame
        Long panel.
    spec : PanelSpec
        Column roles (controls and unit/year fixed effects as in :func:`twfe_did`).
    draws : int
        Number of random reassignments R (seed 004: 1,000).
    mode : {'units', 'timing', 'both'}
        ``units`` shuffles first-treated years across units (same batch sizes), ``timing``
        draws random years for the actual pilots, ``both`` draws random units and years.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same draws in both
        methods.
    method : {'fast', 'loop'}
        ``fast`` uses Frisch-Waugh-Lovell partialling (module docstring); ``loop`` refits
        pyfixest for every draw (reference implementation, ~20x slower or more).
    chunk : int
        Draws demeaned per batch in the fast method (bounds memory to n x chunk floats).
    progress : callable, optional
        ``progress(iterable, label, length)`` wrapper (e.g. :func:`policylink.output.progress`).

    Returns
    -------
    PlaceboResult

    References
    ----------
    Frisch, R., & Waugh, F. V. (1933). Partial time regressions as compared with individual
    trends. Econometrica, 1(4), 387-401. Lovell, M. C. (1963). Seasonal adjustment of economic
    time series and multiple regression analysis. JASA, 58(304), 993-1010.
    """
    import time as _time

    if draws < 1:
        raise ValueError("draws must be >= 1")
    if method not in ("fast", "loop"):
        raise ValueError("method must be 'fast' or 'loop'")
    panel, spec = prepare_panel(df, spec)
    panel = drop_singletons(panel, spec)
    observed = fit_fe(panel, spec, [DID_COL], label="TWFE DID")
    units, uidx = np.unique(panel[spec.unit].to_numpy(), return_inverse=True)
    unit_first = panel.groupby(spec.unit)[FIRST_COL].first().reindex(units).to_numpy(float)
    years = np.sort(panel[spec.time].unique())
    rng = np.random.default_rng(seed)
    F = placebo_assignments(unit_first, years, draws, mode, rng)
    t = panel[spec.time].to_numpy(float)
    wrap = progress or (lambda it, label, length: it)
    t0 = _time.perf_counter()
    est = np.empty(draws)
    ses = np.empty(draws)
    if method == "fast":
        fwl = _FWL(panel, spec)
        ssc = float(np.ravel(observed.fit._ssc)[0]) if spec.cluster == "unit" else None
        starts = range(0, draws, chunk)
        for s in wrap(starts, "placebo draws", len(starts)):
            block = F[s : s + chunk]
            D = (t[:, None] >= block[:, uidx].T).astype(float)
            est[s : s + chunk], ses[s : s + chunk] = fwl.fit(D, ssc)
    else:
        import pyfixest as pf

        from policylink.spatial.did.twfe import fe_formula

        fml = fe_formula(spec, ["placebo_d"])
        demeaner = pf.MapDemeaner(fixef_tol=1e-10)
        data = panel.copy()
        for r in wrap(range(draws), "placebo draws", draws):
            data["placebo_d"] = (t >= F[r, uidx]).astype(float)
            fit = pf.feols(fml, data, vcov={"CRV1": spec.unit}, demeaner=demeaner)
            est[r] = float(fit.coef()["placebo_d"])
            ses[r] = float(fit.se()["placebo_d"]) if spec.cluster == "unit" else np.nan
    secs = _time.perf_counter() - t0
    p2, p1 = _p_values(est, observed.coef())
    return PlaceboResult(
        estimates=est,
        ses=ses,
        first_treated=F,
        units=units,
        observed=observed,
        p_value=p2,
        p_value_one_sided=p1,
        mode=mode,
        seed=seed,
        method=method,
        seconds=secs,
    )
