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

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from policylink.spatial.did.panel import (
    DID_COL,
    FIRST_COL,
    PanelSpec,
    check_fixed_effects,
    fe_codes,
    prepare_panel,
)
from policylink.spatial.did.twfe import DIDResult, check_identified, fit_fe

MODES = ("units", "timing", "both")
_DEMEAN_TOL = 1e-10
#: Largest number of levels of the smaller fixed effect solved exactly (a dense k x k system).
_EXACT_MAX_LEVELS = 2000


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


class _Within:
    """Exact two-way within transformation: residuals on unit and year dummies.

    The factor with more levels (``a``, the units) is absorbed by group means; the one with
    fewer levels (``b``, the years) is then projected out exactly through its small normal
    equations :math:`G = B'M_A B` (a ``k_b x k_b`` matrix, pseudo-inverted so that a rank
    deficiency, one level per connected set, is harmless):

    .. math:: M_{[A,B]} Z = M_A Z - M_A B\\, G^{+} B' M_A Z

    Same projection as pyfixest's alternating projections (to their 1e-10 tolerance), without
    iterating and without importing pyfixest (most of the start-up of a short placebo run).
    """

    def __init__(self, codes: np.ndarray) -> None:
        a = np.asarray(codes[:, 0], dtype=np.intp)
        b = np.asarray(codes[:, 1], dtype=np.intp)
        na, nb = int(a.max()) + 1, int(b.max()) + 1
        if nb > na:
            a, b, na, nb = b, a, nb, na
        self.a, self.b = a, b
        self._order_a, self._starts_a = self._groups(a)
        self._order_b, self._starts_b = self._groups(b)
        self.count_a = np.bincount(a, minlength=na).astype(float)
        N = np.zeros((na, nb))
        np.add.at(N, (a, b), 1.0)
        self.share = N / self.count_a[:, None]  # row a: distribution of a's rows over b
        G = np.diag(N.sum(axis=0)) - self.share.T @ N
        w, V = np.linalg.eigh(G)
        keep = w > 1e-10 * max(float(w.max()), 1.0)
        self.G_pinv = (V[:, keep] / w[keep]) @ V[:, keep].T

    @staticmethod
    def _groups(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(codes, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
        return order, starts

    def _sums(self, Z: np.ndarray, order: np.ndarray, starts: np.ndarray) -> np.ndarray:
        return np.add.reduceat(Z[order], starts, axis=0)

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        """Residual of every column of ``Z`` (n x k) on both sets of dummies."""
        Za = Z - (self._sums(Z, self._order_a, self._starts_a) / self.count_a[:, None])[self.a]
        coef = self.G_pinv @ self._sums(Za, self._order_b, self._starts_b)
        return Za - coef[self.b] + (self.share @ coef)[self.a]

    @staticmethod
    def usable(codes: np.ndarray) -> bool:
        """True when the exact transformation is affordable (small dense level matrices)."""
        if codes.shape[0] == 0:
            return False
        n_levels = sorted(int(c.max()) + 1 for c in codes.T)
        return n_levels[0] <= _EXACT_MAX_LEVELS and n_levels[0] * n_levels[1] <= 50_000_000


class _FWL:
    """Partialled-out design: demeaned y and controls, reused for every treatment column."""

    def __init__(self, panel: pd.DataFrame, spec: PanelSpec) -> None:
        self.flist = fe_codes(panel, spec)
        if _Within.usable(self.flist):
            self._within: Any = _Within(self.flist)
        else:
            from pyfixest.estimation import demean

            self._within = None
            self._demean = demean
        self.w = np.ones(len(panel))
        cols = [spec.outcome, *spec.controls]
        self.y = panel[spec.outcome].to_numpy(float)
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
        self.n_years = int(panel[spec.time].nunique())

    def _dm(self, A: np.ndarray) -> np.ndarray:
        if self._within is not None:
            return self._within(np.asarray(A, dtype=float))
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

    def crv1_factor(self, k: int) -> float:
        """pyfixest's CRV1 small-sample factor for unit clusters, unit and year effects.

        :math:`\\frac{G}{G-1}\\frac{N-1}{N-k-T}`: the unit effects are nested in the clusters
        and not counted (pyfixest's default ``k_fixef='nonnested'``), the year effects count
        as ``T`` parameters (``T - 1`` plus the intercept that the nested unit effects drop).
        """
        n = len(self.yt)
        return self.G / (self.G - 1) * (n - 1) / (n - k - self.n_years)

    def observed(self, panel: pd.DataFrame, spec: PanelSpec, label: str) -> DIDResult | None:
        """The actual TWFE DID (DID and controls) from the partialled design, CRV1 by unit.

        Returns None when the demeaned design is (nearly) collinear: pyfixest then drops
        columns, and the caller refits with pyfixest to report exactly that.
        """
        names = [DID_COL, *spec.controls]
        Z = np.column_stack([self._dm(panel[[DID_COL]].to_numpy(float)), self.Xt])
        ZtZ = Z.T @ Z
        w = np.linalg.eigvalsh(ZtZ)
        if not (w[0] > 1e-10 * max(float(w[-1]), 1e-300)):
            return None
        bread = np.linalg.inv(ZtZ)
        beta = bread @ (Z.T @ self.yt)
        e = self.yt - Z @ beta
        scores = np.zeros((self.G, Z.shape[1]))
        np.add.at(scores, self.clusters, Z * e[:, None])
        V = self.crv1_factor(Z.shape[1]) * bread @ (scores.T @ scores) @ bread
        se = np.sqrt(np.diag(V))
        if not (np.isfinite(se[0]) and se[0] > 0):
            return None
        tstat = beta / se
        p, q = _t_tail_and_quantile(np.abs(tstat), self.G - 1)
        ssr = float(e @ e)
        coefs = pd.DataFrame(
            {
                "estimate": beta,
                "se": se,
                "t": tstat,
                "p": p,
                "ci_low": beta - q * se,
                "ci_high": beta + q * se,
            },
            index=names,
        )
        info = {
            "outcome": spec.outcome,
            "controls": list(spec.controls),
            "fixed_effects": [spec.unit, spec.time],
            "cluster": spec.cluster,
            "vcov": "CRV1",
            "estimator": "exact two-way within transformation + OLS (pyfixest-equivalent CRV1)",
            "label": label,
        }
        return DIDResult(
            coefficients=coefs,
            n_obs=len(e),
            n_units=int(panel[spec.unit].nunique()),
            r2=1.0 - ssr / float(np.sum((self.y - self.y.mean()) ** 2)),
            r2_within=1.0 - ssr / float(self.yt @ self.yt),
            vcov=pd.DataFrame(V, index=names, columns=names),
            label=label,
            info=info,
        )

    def fit(self, D: np.ndarray, ssc: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and CRV1 SEs of each column of D (n x R) in y ~ D + X | FE."""
        dstar = self._resid_x(self._dm(D))
        dd = np.einsum("ij,ij->j", dstar, dstar)
        beta = (dstar.T @ self.ystar) / dd
        if ssc is None:
            return beta, np.full_like(beta, np.nan)
        resid = self.ystar[:, None] - dstar * beta[None, :]
        order, starts = _Within._groups(self.clusters)
        scores = np.add.reduceat((dstar * resid)[order], starts, axis=0)
        se = np.sqrt(ssc * np.einsum("gj,gj->j", scores, scores)) / dd
        return beta, se


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b) (Lentz's continued fraction)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):  # the fraction converges fast on this side only
        return 1.0 - _betainc(b, a, 1.0 - x)
    tiny = 1e-300
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return front * h / a


def _t_two_sided(abs_t: float, df: int) -> float:
    """P(|T| >= abs_t) for Student's t with ``df`` degrees of freedom."""
    return _betainc(df / 2.0, 0.5, df / (df + abs_t * abs_t))


def _t_tail_and_quantile(abs_t: np.ndarray, df: int) -> tuple[np.ndarray, float]:
    """Two-sided p-values of |t| and the 97.5 % quantile of Student's t with ``df`` dof.

    Computed here (incomplete beta function, quantile by bisection) rather than with
    ``scipy.special``, whose import costs more than the rest of a short placebo run's fit.
    """
    p = np.array([_t_two_sided(float(v), df) for v in np.ravel(abs_t)]).reshape(np.shape(abs_t))
    lo, hi = 0.0, 1.0
    while _t_two_sided(hi, df) > 0.05:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _t_two_sided(mid, df) > 0.05:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return p, 0.5 * (lo + hi)


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
    fwl = observed = None
    if method == "fast":
        # refuse degenerate panels (no rows left, no treated unit) before the partialling
        check_fixed_effects(panel, spec)
        if spec.cluster == "unit":
            check_identified(panel, spec, [DID_COL])
        fwl = _FWL(panel, spec)
        if spec.cluster == "unit":
            # the same fit as fit_fe from the partialled design: no pyfixest on this path
            observed = fwl.observed(panel, spec, "TWFE DID")
    if observed is None:
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
    if fwl is not None:
        ssc = fwl.crv1_factor(1 + len(spec.controls)) if spec.cluster == "unit" else None
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
