"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021).

For one block -- ``N0`` control units, ``N1`` treated units adopting together, ``T0`` pre
periods, ``T1`` post periods -- SDID chooses unit weights :math:`\\omega` (simplex) so that the
weighted controls track the treated mean in the pre periods up to a constant,

.. math:: \\min_{\\omega_0, \\omega} \\sum_{t \\le T_0} \\Big(\\omega_0 + \\sum_i \\omega_i Y_{it}
          - \\bar Y_{tr,t}\\Big)^2 + \\zeta^2 T_0 \\lVert\\omega\\rVert^2,\\qquad
          \\zeta = (N_1 T_1)^{1/4}\\,\\hat\\sigma,

with :math:`\\hat\\sigma` the standard deviation of the first differences of the controls' pre
period outcomes, and time weights :math:`\\lambda` (simplex) so that the weighted pre periods
track the post-period mean of every control up to a constant (ridge :math:`10^{-6}\\hat\\sigma`).
The estimate is the weighted double difference

.. math:: \\hat\\tau = \\big(\\bar Y_{tr,post} - \\lambda' \\bar Y_{tr,pre}\\big)
          - \\big(\\omega' \\bar Y_{co,post} - \\omega'Y_{co,pre}\\lambda\\big).

Both problems are solved as in the paper's reference code: Frank-Wolfe on the column-demeaned
problem (the intercept), 100 iterations, then sparsification (weights below a quarter of the
largest set to zero) and up to 10,000 further iterations, stopping when the objective falls by
less than :math:`(10^{-5}\\hat\\sigma)^2`. ``method='sc'`` gives synthetic control (no time
weights, no intercept, ridge :math:`10^{-6}\\hat\\sigma`) and ``method='did'`` the plain DID
(uniform weights), the other two columns of the paper's Table 1.

Staggered adoption (Clarke, Pailanir, Athey & Imbens 2023, Stata ``sdid``): each adoption
cohort is compared with the never-treated units over all periods (pre = years before its
adoption); the overall ATT averages the cohort estimates with weights :math:`N_a T_{1,a}`
(treated units times post periods).

Standard errors (the paper's Algorithms 2-4): ``placebo`` -- treated units are assigned at random
to controls (keeping the cohort sizes), the estimator is re-run on controls only, SE = sd of
the placebo estimates; ``jackknife`` -- leave one unit out with the weights held fixed (needs
two or more treated units per cohort); ``bootstrap`` -- resample units, re-estimate.

References
----------
Arkhangelsky, D., Athey, S., Hirshberg, D. A., Imbens, G. W., & Wager, S. (2021). Synthetic
difference-in-differences. American Economic Review, 111(12), 4088-4118.
Clarke, D., Pailanir, D., Athey, S., & Imbens, G. (2023). On synthetic difference-in-differences
and related estimation methods in Stata. IZA DP 16437.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from policylink.spatial.did.panel import FIRST_COL, PanelSpec, is_balanced, prepare_panel
from policylink.spatial.errors import InputError, Problem

METHODS = ("sdid", "sc", "did")
SE_METHODS = ("placebo", "jackknife", "bootstrap", "none", "auto")
#: Replications of the placebo and bootstrap SEs (synthdid's default).
DEFAULT_REPLICATIONS = 200
#: Frank-Wolfe iterations before sparsification, and the cap after it (synthdid's defaults).
ITER_PRE_SPARSIFY = 100
MAX_ITER = 10_000


# --------------------------------------------------------------------------------------------
# solver
# --------------------------------------------------------------------------------------------
def _fw_loop(
    G: np.ndarray,
    c: np.ndarray,
    bb: float,
    x: np.ndarray,
    eta: float,
    z2: float,
    tol: float,
    n: float,
    max_iter: int,
) -> np.ndarray:
    """Frank-Wolfe iterations on the Gram matrix (see simplex_ridge_weights)."""
    k = x.shape[0]
    Gx = G @ x
    xGx = x @ Gx
    xx = x @ x
    cx = c @ x
    prev = np.inf
    hg = np.empty(k)
    for t in range(max_iter):
        # half the gradient of n * objective; move towards its smallest vertex
        i = 0
        hx = 0.0
        for j in range(k):
            hg[j] = Gx[j] - c[j] + eta * x[j]
            hx += hg[j] * x[j]
            if hg[j] < hg[i]:
                i = j
        xi = x[i]
        # exact line search along e_i - x
        num = hx - hg[i]
        den = G[i, i] - 2.0 * Gx[i] + xGx + eta * (1.0 - 2.0 * xi + xx)
        s = 0.0
        if den > 0:
            s = min(1.0, max(0.0, num / den))
        if s > 0.0:
            r = 1.0 - s
            xGx = r * r * xGx + 2.0 * s * r * Gx[i] + s * s * G[i, i]
            xx = r * r * xx + 2.0 * s * r * xi + s * s
            cx = r * cx + s * c[i]
            for j in range(k):
                Gx[j] = r * Gx[j] + s * G[j, i]
                x[j] *= r
            x[i] += s
        val = z2 * xx + (xGx - 2.0 * cx + bb) / n
        if t >= 1 and prev - val <= tol:
            break
        prev = val
    return x


try:  # compiled when numba is there (about 100x faster); same code interpreted otherwise
    from numba import njit

    _fw_loop = njit(cache=True)(_fw_loop)
except ImportError:  # pragma: no cover - numba is a dependency; QGIS's Python may lack it
    pass


def simplex_ridge_weights(
    Y: np.ndarray,
    zeta: float,
    *,
    intercept: bool = True,
    x0: np.ndarray | None = None,
    min_decrease: float = 1e-3,
    max_iter: int = MAX_ITER,
) -> np.ndarray:
    """Weights on the simplex fitting the last column of ``Y`` by the others (Frank-Wolfe).

    Minimises :math:`\\zeta^2 \\lVert x\\rVert^2 + \\lVert A x - b\\rVert^2 / n` over the simplex,
    ``A = Y[:, :-1]``, ``b = Y[:, -1]``, ``n`` rows, after demeaning every column when
    ``intercept`` (a free constant in the fit). Each step moves towards the vertex with the
    smallest gradient with an exact line search; the iteration works on the Gram matrix
    :math:`A'A` with rank-one updates, so a step costs O(k) instead of O(nk).

    Parameters
    ----------
    Y : ndarray, shape (n, k + 1)
        Regressors and, in the last column, the target.
    zeta : float
        Ridge penalty (on the scale of the outcome).
    intercept : bool
        Allow a constant shift (demean the columns).
    x0 : ndarray, optional
        Starting weights (default uniform).
    min_decrease : float
        Stop when the objective falls by less than ``min_decrease ** 2`` in one step.
    max_iter : int
        Iteration cap.

    Returns
    -------
    ndarray, shape (k,)
        The weights (non-negative, sum 1).
    """
    Y = np.asarray(Y, float)
    if intercept:
        Y = Y - Y.mean(axis=0)
    n, k1 = Y.shape
    A, b = Y[:, : k1 - 1], Y[:, k1 - 1]
    x = np.full(k1 - 1, 1.0 / (k1 - 1)) if x0 is None else np.asarray(x0, float).copy()
    G = np.ascontiguousarray(A.T @ A)
    c = A.T @ b
    bb = float(b @ b)
    eta = n * zeta**2
    return _fw_loop(G, c, bb, x, eta, zeta**2, min_decrease**2, float(n), int(max_iter))


def _sparsify(x: np.ndarray) -> np.ndarray:
    x = np.where(x <= x.max() / 4, 0.0, x)
    return x / x.sum()


def _two_stage(
    Y: np.ndarray, zeta: float, intercept: bool, x0: np.ndarray | None, min_decrease: float
) -> np.ndarray:
    """Short run, sparsify, long run (the reference code's schedule)."""
    x = simplex_ridge_weights(
        Y, zeta, intercept=intercept, x0=x0, min_decrease=min_decrease, max_iter=ITER_PRE_SPARSIFY
    )
    return simplex_ridge_weights(
        Y, zeta, intercept=intercept, x0=_sparsify(x), min_decrease=min_decrease, max_iter=MAX_ITER
    )


def noise_level(Y: np.ndarray, N0: int, T0: int) -> float:
    """Standard deviation (ddof 1) of the first differences of the controls' pre-period outcomes."""
    d = np.diff(Y[:N0, :T0], axis=1)
    return float(np.std(d, ddof=1)) if d.size > 1 else 0.0


@dataclass
class BlockFit:
    """SDID (or SC / DID) on one block with controls first, treated last.

    Attributes
    ----------
    tau : float
        The estimate.
    omega : ndarray, shape (N0,)
        Unit weights of the controls.
    lam : ndarray, shape (T0,)
        Time weights of the pre periods.
    zeta_omega, zeta_lambda, min_decrease : float
        Regularisation and stopping rule used (kept for the placebo / bootstrap re-fits).
    """

    tau: float
    omega: np.ndarray
    lam: np.ndarray
    zeta_omega: float
    zeta_lambda: float
    min_decrease: float


def _tau(Y: np.ndarray, N0: int, T0: int, omega: np.ndarray, lam: np.ndarray) -> float:
    N1, T1 = Y.shape[0] - N0, Y.shape[1] - T0
    w_unit = np.concatenate([-omega, np.full(N1, 1.0 / N1)])
    w_time = np.concatenate([-lam, np.full(T1, 1.0 / T1)])
    return float(w_unit @ Y @ w_time)


def fit_block(
    Y: np.ndarray,
    N0: int,
    T0: int,
    method: str = "sdid",
    *,
    reg: tuple[float, float, float] | None = None,
    omega0: np.ndarray | None = None,
    lambda0: np.ndarray | None = None,
) -> BlockFit:
    """Estimate on one block: rows ``[:N0]`` controls, ``[N0:]`` treated; columns ``[:T0]`` pre.

    Parameters
    ----------
    Y : ndarray, shape (N, T)
        Outcomes.
    N0, T0 : int
        Number of controls and of pre periods.
    method : {'sdid', 'sc', 'did'}
        Estimator.
    reg : tuple of float, optional
        ``(zeta_omega, zeta_lambda, min_decrease)`` to reuse (placebo / bootstrap); default
        computed from ``Y`` as in the paper.
    omega0, lambda0 : ndarray, optional
        Starting unit and time weights (the re-fits start from the original weights, as the
        reference code does).

    Returns
    -------
    BlockFit
    """
    N, T = Y.shape
    N1, T1 = N - N0, T - T0
    if reg is None:
        sigma = noise_level(Y, N0, T0)
        eta_omega = (N1 * T1) ** 0.25 if method == "sdid" else 1e-6
        reg = (eta_omega * sigma, 1e-6 * sigma, 1e-5 * sigma)
    z_om, z_la, min_dec = reg
    if method == "did":
        omega, lam = np.full(N0, 1.0 / N0), np.full(T0, 1.0 / T0)
        return BlockFit(_tau(Y, N0, T0, omega, lam), omega, lam, z_om, z_la, min_dec)
    # collapsed form: treated rows -> their mean, post columns -> their mean
    Yc = np.empty((N0 + 1, T0 + 1))
    Yc[:N0, :T0] = Y[:N0, :T0]
    Yc[:N0, T0] = Y[:N0, T0:].mean(axis=1)
    Yc[N0, :T0] = Y[N0:, :T0].mean(axis=0)
    Yc[N0, T0] = Y[N0:, T0:].mean()
    if method == "sdid":
        lam = _two_stage(Yc[:N0, :], z_la, True, lambda0, min_dec)
    else:
        lam = np.zeros(T0)
    omega = _two_stage(Yc[:, :T0].T, z_om, method == "sdid", omega0, min_dec)
    return BlockFit(_tau(Y, N0, T0, omega, lam), omega, lam, z_om, z_la, min_dec)


# --------------------------------------------------------------------------------------------
# staggered adoption
# --------------------------------------------------------------------------------------------
@dataclass
class _Design:
    """Wide outcomes and adoption columns of a balanced panel."""

    Y: np.ndarray
    units: np.ndarray
    years: np.ndarray
    adopt: np.ndarray  # column index of adoption; -1 = never treated (in the window)


def _design(panel: pd.DataFrame, spec: PanelSpec) -> tuple[_Design, list[str]]:
    if not is_balanced(panel, spec):
        raise InputError(
            [
                Problem(
                    spec.source,
                    None,
                    None,
                    None,
                    "synthetic DID needs a balanced panel (every unit in every year); "
                    f"{panel[spec.unit].nunique()} units x {panel[spec.time].nunique()} years "
                    f"!= {len(panel)} rows",
                )
            ]
        )
    if panel[spec.outcome].isna().any():
        raise InputError(
            [
                Problem(
                    spec.source, None, spec.outcome, None, "synthetic DID needs no missing outcome"
                )
            ]
        )
    wide = panel.pivot(index=spec.unit, columns=spec.time, values=spec.outcome).sort_index(axis=1)
    first = panel.groupby(spec.unit)[FIRST_COL].first().reindex(wide.index).to_numpy(float)
    years = wide.columns.to_numpy(int)
    notes: list[str] = []
    adopt = np.full(len(first), -1)
    inside = np.isfinite(first) & (first <= years[-1])
    adopt[inside] = np.searchsorted(years, first[inside], side="left")
    always = inside & (adopt == 0)
    if always.any():
        notes.append(
            f"{int(always.sum())} unit(s) treated from the first year left out (no pre period)"
        )
    later = np.isfinite(first) & (first > years[-1])
    if later.any():
        notes.append(f"{int(later.sum())} unit(s) adopting after {years[-1]} used as never treated")
    keep = ~always
    d = _Design(wide.to_numpy(float)[keep], wide.index.to_numpy()[keep], years, adopt[keep])
    return d, notes


@dataclass
class _Cohorts:
    """Per-cohort fits of a design: ATT and the pieces reported."""

    att: float
    cohorts: list[int]  # adoption column per cohort
    fits: list[BlockFit]
    n_treated: list[int]
    n_post: list[int]
    weights: np.ndarray


def _estimate(
    Y: np.ndarray,
    adopt: np.ndarray,
    method: str,
    regs: dict[int, tuple[float, float, float]] | None = None,
    init: dict[int, BlockFit] | None = None,
    co_index: np.ndarray | None = None,
) -> _Cohorts:
    """Cohort-by-cohort estimates on never-treated controls and their weighted average.

    ``init`` holds original fits whose weights start the re-fits; ``co_index`` gives, for each
    row of ``Y``, its position among the original controls (to carry their omega over).
    """
    T = Y.shape[1]
    co = np.flatnonzero(adopt < 0)
    cohorts = sorted(int(a) for a in np.unique(adopt[adopt >= 0]))
    fits, n1s, t1s = [], [], []
    for a in cohorts:
        tr = np.flatnonzero(adopt == a)
        block = np.vstack([Y[co], Y[tr]])
        om0 = lam0 = None
        if init is not None and a in init and co_index is not None:
            om0 = _sum_normalize(init[a].omega[co_index[co]])
            lam0 = init[a].lam
        fits.append(
            fit_block(
                block,
                len(co),
                a,
                method,
                reg=None if regs is None else regs.get(a),
                omega0=om0,
                lambda0=lam0,
            )
        )
        n1s.append(len(tr))
        t1s.append(T - a)
    w = np.array(n1s, float) * np.array(t1s, float)
    w = w / w.sum()
    att = float(np.dot(w, [f.tau for f in fits]))
    return _Cohorts(att, cohorts, fits, n1s, t1s, w)


def _sum_normalize(x: np.ndarray) -> np.ndarray:
    t = x.sum()
    return x / t if t != 0 else np.full(len(x), 1.0 / len(x))


def _fixed_weights_att(
    Y: np.ndarray, adopt: np.ndarray, keep: np.ndarray, base: _Cohorts, co: np.ndarray
) -> float:
    """ATT with the unit and time weights of ``base`` held fixed, on the units in ``keep``."""
    taus, ws = [], []
    co_keep = keep[co]
    for a, fit, t1 in zip(base.cohorts, base.fits, base.n_post, strict=True):
        tr = np.flatnonzero((adopt == a) & keep)
        if len(tr) == 0 or not co_keep.any():
            continue
        om = fit.omega[co_keep]
        if om.sum() <= 0:
            return np.nan
        om = om / om.sum()
        block = np.vstack([Y[co[co_keep]], Y[tr]])
        taus.append(_tau(block, len(om), a, om, fit.lam))
        ws.append(len(tr) * t1)
    if not taus:
        return np.nan
    return float(np.dot(ws, taus) / np.sum(ws))


@dataclass
class SDIDResult:
    """Synthetic DID estimate, weights and standard error.

    Attributes
    ----------
    att : float
        Overall ATT (cohort estimates weighted by treated units x post periods).
    se : float
        Standard error (NaN when ``se_method='none'``).
    se_method : str
        ``placebo``, ``jackknife``, ``bootstrap`` or ``none``.
    method : str
        ``sdid``, ``sc`` or ``did``.
    cohorts : DataFrame
        cohort (adoption year), n_treated, n_pre, n_post, estimate, weight.
    unit_weights : DataFrame
        cohort, unit, omega (controls; zeros kept so every control is listed).
    time_weights : DataFrame
        cohort, year, lambda (pre periods).
    trajectories : DataFrame
        cohort, year, treated (mean of the cohort), control (omega-weighted controls).
    replications : ndarray
        Placebo / bootstrap / jackknife estimates behind the SE.
    n_units, n_control, n_treated, n_periods : int
        Counts.
    notes : list of str
        Units left out or recoded.
    seed : int
        Seed of the placebo / bootstrap draws.
    seconds : float
        Wall time.
    """

    att: float
    se: float
    se_method: str
    method: str
    cohorts: pd.DataFrame
    unit_weights: pd.DataFrame
    time_weights: pd.DataFrame
    trajectories: pd.DataFrame
    replications: np.ndarray
    n_units: int
    n_control: int
    n_treated: int
    n_periods: int
    notes: list[str] = field(default_factory=list)
    seed: int = 0
    seconds: float = 0.0

    @property
    def z(self) -> float:
        """Normal-approximation statistic ``att / se``."""
        return self.att / self.se if self.se > 0 else float("nan")

    @property
    def p(self) -> float:
        """Two-sided normal p-value."""
        z = self.z
        return float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan")

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        """Normal confidence interval."""
        q = stats.norm.ppf(0.5 + level / 2)
        return self.att - q * self.se, self.att + q * self.se

    def to_dict(self) -> dict[str, Any]:
        """JSON block: estimate, se, p, CI, counts, cohorts, unit and time weights."""
        lo, hi = self.ci()
        return {
            "method": self.method,
            "att": self.att,
            "se": self.se,
            "se_method": self.se_method,
            "p": self.p,
            "ci_low": lo,
            "ci_high": hi,
            "replications": len(self.replications),
            "n_units": self.n_units,
            "n_control": self.n_control,
            "n_treated": self.n_treated,
            "n_periods": self.n_periods,
            "cohorts": self.cohorts.to_dict(orient="records"),
            "unit_weights": self.unit_weights[self.unit_weights.omega > 0].to_dict(
                orient="records"
            ),
            "time_weights": self.time_weights[self.time_weights["lambda"] > 0].to_dict(
                orient="records"
            ),
            "notes": list(self.notes),
            "seed": self.seed,
        }


def _problem(spec: PanelSpec, text: str) -> InputError:
    return InputError([Problem(spec.source, None, None, None, text)])


def synthetic_did(
    df: pd.DataFrame,
    spec: PanelSpec,
    *,
    method: str = "sdid",
    se: str = "placebo",
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 0,
) -> SDIDResult:
    """Synthetic DID (or SC / DID) with staggered adoption by cohort and its standard error.

    Parameters
    ----------
    df : DataFrame
        Balanced long panel (absorbing treatment; checked by
        :func:`policylink.spatial.did.prepare_panel`). Controls (covariates) are not used.
    spec : PanelSpec
        Column roles.
    method : {'sdid', 'sc', 'did'}
        Estimator (all share the cohort design and the SEs).
    se : {'placebo', 'jackknife', 'bootstrap', 'none', 'auto'}
        Standard-error method; ``auto`` = placebo when there are more controls than treated
        units, bootstrap otherwise.
    replications : int
        Placebo / bootstrap replications.
    seed : int
        Seed of the draws.

    Returns
    -------
    SDIDResult

    Raises
    ------
    InputError
        Unbalanced panel, missing outcomes, no never-treated or no treated units, a cohort
        with fewer than two pre periods, or an SE method the design cannot support.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if se not in SE_METHODS:
        raise ValueError(f"se must be one of {', '.join(SE_METHODS)}, not {se!r}")
    if replications < 2 and se in ("placebo", "bootstrap"):
        raise ValueError("replications must be 2 or more")
    t_start = time.perf_counter()
    panel, spec = prepare_panel(df, spec.with_(controls=()))
    d, notes = _design(panel, spec)
    Y, adopt, years = d.Y, d.adopt, d.years
    co = np.flatnonzero(adopt < 0)
    tr_all = np.flatnonzero(adopt >= 0)
    if len(co) < 2:
        raise _problem(spec, "synthetic DID needs two or more never-treated units as controls")
    if len(tr_all) == 0:
        raise _problem(spec, "synthetic DID needs treated units (none adopt inside the panel)")
    short = sorted({int(years[a]) for a in adopt[tr_all] if a < 2})
    if short:
        raise _problem(
            spec,
            "synthetic DID needs two or more pre periods per cohort; cohort(s) "
            f"{', '.join(map(str, short))} have fewer (drop them or use a longer panel)",
        )
    if se == "auto":
        se = "placebo" if len(co) > len(tr_all) else "bootstrap"
    base = _estimate(Y, adopt, method)
    regs = {
        a: (f.zeta_omega, f.zeta_lambda, f.min_decrease)
        for a, f in zip(base.cohorts, base.fits, strict=True)
    }
    init = dict(zip(base.cohorts, base.fits, strict=True))
    rng = np.random.default_rng(seed)
    reps = np.array([])
    if se == "placebo":
        if len(co) <= len(tr_all):
            raise _problem(
                spec,
                f"placebo SEs need more controls ({len(co)}) than treated units ({len(tr_all)}); "
                "use --se jackknife or bootstrap",
            )
        # treated units' adoption columns handed to random controls (cohort sizes kept)
        pattern = adopt[tr_all]
        out = []
        for _ in range(replications):
            perm = rng.permutation(co)
            lab = np.full(len(co), -1)
            lab[np.searchsorted(co, perm[len(co) - len(pattern) :])] = pattern
            est = _estimate(Y[co], lab, method, regs, init, np.arange(len(co)))
            out.append(est.att)
        reps = np.asarray(out)
        se_val = float(np.sqrt((replications - 1) / replications) * np.std(reps, ddof=1))
    elif se == "jackknife":
        small = [int(years[a]) for a, n in zip(base.cohorts, base.n_treated, strict=True) if n < 2]
        if small:
            raise _problem(
                spec,
                "jackknife SEs need two or more treated units in every cohort; cohort(s) "
                f"{', '.join(map(str, small))} have one (use --se placebo)",
            )
        n = len(adopt)
        out = []
        for i in range(n):
            keep = np.ones(n, bool)
            keep[i] = False
            out.append(_fixed_weights_att(Y, adopt, keep, base, co))
        reps = np.asarray(out)
        se_val = float(np.sqrt((n - 1) / n * np.sum((reps - reps.mean()) ** 2)))
    elif se == "bootstrap":
        n = len(adopt)
        out = []
        while len(out) < replications:
            ind = np.sort(rng.integers(0, n, n))
            if not (adopt[ind] < 0).any() or not (adopt[ind] >= 0).any():
                continue  # a draw needs controls and treated units
            b_adopt = adopt[ind]
            b_cohorts = set(np.unique(b_adopt[b_adopt >= 0]).tolist())
            pos = np.searchsorted(co, ind)  # original control position of each drawn row
            pos[adopt[ind] >= 0] = 0
            out.append(
                _estimate(Y[ind], b_adopt, method, {a: regs[a] for a in b_cohorts}, init, pos).att
            )
        reps = np.asarray(out)
        se_val = float(np.sqrt((replications - 1) / replications) * np.std(reps, ddof=1))
    else:
        se_val = float("nan")

    rows_c, rows_u, rows_t, rows_tr = [], [], [], []
    for a, fit, n1, t1, w in zip(
        base.cohorts, base.fits, base.n_treated, base.n_post, base.weights, strict=True
    ):
        year = int(years[a])
        rows_c.append(
            {
                "cohort": year,
                "n_treated": n1,
                "n_pre": a,
                "n_post": t1,
                "estimate": fit.tau,
                "weight": float(w),
            }
        )
        rows_u += [
            {"cohort": year, "unit": u, "omega": float(o)}
            for u, o in zip(d.units[co], fit.omega, strict=True)
        ]
        rows_t += [
            {"cohort": year, "year": int(y), "lambda": float(v)}
            for y, v in zip(years[:a], fit.lam, strict=True)
        ]
        treated = Y[adopt == a].mean(axis=0)
        control = fit.omega @ Y[co]
        rows_tr += [
            {"cohort": year, "year": int(y), "treated": float(t), "control": float(c)}
            for y, t, c in zip(years, treated, control, strict=True)
        ]
    return SDIDResult(
        att=base.att,
        se=se_val,
        se_method=se,
        method=method,
        cohorts=pd.DataFrame(rows_c),
        unit_weights=pd.DataFrame(rows_u),
        time_weights=pd.DataFrame(rows_t),
        trajectories=pd.DataFrame(rows_tr),
        replications=reps,
        n_units=len(adopt),
        n_control=len(co),
        n_treated=len(tr_all),
        n_periods=len(years),
        notes=notes,
        seed=seed,
        seconds=time.perf_counter() - t_start,
    )
