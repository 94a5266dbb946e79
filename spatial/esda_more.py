"""More exploratory spatial data analysis: Geary's C, local Geary, local bivariate Moran, Moran's I
of empirical-Bayes standardised rates, differential Moran, and multiple-testing control.

Own vectorised implementations (esda is the independent reference in the tests). Permutation
inference is seeded (``numpy.random.default_rng(seed)``): global statistics permute the whole
variable; local statistics use conditional permutations (the unit held fixed, its neighbours
drawn from the other n - 1 units; one set of draws shared by all units, as esda's ``crand``).
Pseudo p-values are folded and one-sided, ``(r + 1) / (m + 1)`` with r the number of draws at or
beyond the observed value in the tail it lies in (GeoDa, esda). Units without neighbours get no
local statistic and no p-value (never significant).

References
----------
Geary, R. C. (1954). The contiguity ratio and statistical mapping. *The Incorporated
Statistician* 5(3). Moments: Cliff, A. D. and Ord, J. K. (1981). *Spatial Processes*. Pion.
Anselin, L. (2019). A local indicator of multivariate spatial association: extending Geary's c.
*Geographical Analysis* 51(2).
Anselin, L., Syabri, I. and Smirnov, O. (2002). Visualizing multivariate spatial correlation
with dynamically linked windows (local bivariate Moran).
Assuncao, R. M. and Reis, E. A. (1999). A new proposal to adjust Moran's I for population
density. *Statistics in Medicine* 18(16).
Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import libpysal
import numpy as np
from scipy import stats

from policylink.spatial.autocorr import MoranResult, _weights, check_global, is_constant, moran

#: Local Geary labels (GeoDa): small c_i = similar neighbours (positive association).
GEARY_LABELS = ("high-high", "low-low", "other positive", "negative")
NOT_SIGNIFICANT = "not significant"
NEIGHBOURLESS = "neighbourless"


def _edges(wc: libpysal.weights.W) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Focal index, neighbour index and weight of every non-zero w_ij (i != j)."""
    sp = wc.sparse.tocoo()
    keep = (sp.row != sp.col) & (sp.data != 0)
    return sp.row[keep], sp.col[keep], sp.data[keep].astype(float)


def _folded(sim: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Folded one-sided pseudo p-value along the first axis of ``sim`` (draws)."""
    m = sim.shape[0]
    larger = (sim >= observed).sum(axis=0)
    larger = np.where(m - larger < larger, m - larger, larger)
    return (larger + 1.0) / (m + 1.0)


def _check_local(yv: np.ndarray, what: str) -> None:
    if yv.size < 3:
        raise ValueError(f"{yv.size} unit(s): a local statistic needs at least 3 units")
    if is_constant(yv):
        raise ValueError(
            f"{what} is constant (or varies only by rounding): the statistic is undefined, "
            "no p-value is reported"
        )


@dataclass
class GearyResult:
    """Global Geary's C with analytic and permutation inference.

    Attributes
    ----------
    C : float
        Geary's C (1 under no autocorrelation; below 1 = positive autocorrelation).
    EC : float
        Expected value (1).
    VC_norm, VC_rand : float
        Variance under normality and under randomisation.
    z_norm, z_rand, p_norm, p_rand : float
        z = (C - 1) / sd and the one-sided p-value in the direction of C - 1 (as esda).
    permutations : int
        Random permutations (0 = none).
    seed : int or None
        Permutation seed.
    p_sim, z_sim, EC_sim : float
        Folded pseudo p-value, z against the permutation distribution, its mean (NaN without
        permutations).
    n : int
        Units.
    """

    C: float
    EC: float
    VC_norm: float
    VC_rand: float
    z_norm: float
    z_rand: float
    p_norm: float
    p_rand: float
    permutations: int
    seed: int | None
    p_sim: float
    z_sim: float
    EC_sim: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return dict(self.__dict__)


def geary(
    y: Sequence[float] | np.ndarray,
    w: libpysal.weights.W,
    *,
    transformation: str = "r",
    permutations: int = 999,
    seed: int | None = 12345,
) -> GearyResult:
    """Global Geary's C: ``(n - 1) sum_ij w_ij (y_i - y_j)^2 / (2 S0 sum_i (y_i - ybar)^2)``.

    Parameters
    ----------
    y : array-like, shape (n,)
        Variable in the order of ``w.id_order``.
    w : libpysal.weights.W
        Weights (transformed here; ``w`` itself is left alone).
    transformation : {'r', 'b', 'v', 'd', 'o'}
        Weights transformation (esda's default 'r').
    permutations : int
        Random permutations of ``y`` (0 = none).
    seed : int or None
        Permutation seed.

    Returns
    -------
    GearyResult

    Raises
    ------
    ValueError
        Fewer than 4 units, no neighbours, or a constant variable.
    """
    yv = np.asarray(y, dtype=float).ravel()
    check_global(yv, w, "y")
    wc = _weights(w, transformation)
    n = yv.size
    fi, ni, wt = _edges(wc)
    s0, s1, s2 = float(wc.s0), float(wc.s1), float(wc.s2)
    d = yv - yv.mean()
    m2 = float((d**2).sum())
    den = 2.0 * s0 * m2
    c = (n - 1) * float((wt * (yv[fi] - yv[ni]) ** 2).sum()) / den
    k = float((d**4).mean() / (d**2).mean() ** 2)
    n2 = n * n
    s02 = s0 * s0
    vc_norm = ((2 * s1 + s2) * (n - 1) - 4 * s02) / (2 * (n + 1) * s02)
    vc_rand = (
        (n - 1) * s1 * (n2 - 3 * n + 3 - (n - 1) * k)
        - 0.25 * (n - 1) * s2 * (n2 + 3 * n - 6 - (n2 - n + 2) * k)
        + s02 * (n2 - 3 - (n - 1) ** 2 * k)
    ) / (n * (n - 2) * (n - 3) * s02)
    z_norm = (c - 1.0) / np.sqrt(vc_norm)
    z_rand = (c - 1.0) / np.sqrt(vc_rand)
    tail = stats.norm.sf if c > 1.0 else stats.norm.cdf
    p_sim = z_sim = ec_sim = float("nan")
    if permutations:
        rng = np.random.default_rng(seed)
        ys = rng.permuted(np.broadcast_to(yv, (permutations, n)), axis=1)
        sim = (n - 1) * ((ys[:, fi] - ys[:, ni]) ** 2 @ wt) / den
        p_sim = float(_folded(sim[:, None], np.array([c]))[0])
        ec_sim = float(sim.mean())
        z_sim = float((c - ec_sim) / sim.std())
    return GearyResult(
        C=float(c),
        EC=1.0,
        VC_norm=float(vc_norm),
        VC_rand=float(vc_rand),
        z_norm=float(z_norm),
        z_rand=float(z_rand),
        p_norm=float(tail(z_norm)),
        p_rand=float(tail(z_rand)),
        permutations=int(permutations),
        seed=seed,
        p_sim=p_sim,
        z_sim=z_sim,
        EC_sim=ec_sim,
        n=n,
    )


def _conditional_draws(n: int, kmax: int, permutations: int, seed: int | None) -> np.ndarray:
    """(permutations, kmax) indices into the n - 1 other units, distinct within a row."""
    rng = np.random.default_rng(seed)
    kmax = max(1, min(kmax, n - 1))
    return np.argsort(rng.random((permutations, n - 1)), axis=1)[:, :kmax]


def _local_permutations(
    wc: libpysal.weights.W,
    observed: np.ndarray,
    stat: Any,
    permutations: int,
    seed: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Conditional-permutation pseudo p-values and z-scores of a local statistic.

    ``stat(i, wi, j)`` returns the statistic of unit i for neighbour draws ``j`` (shape
    (permutations, k_i)) with weights ``wi`` (shape (k_i,)).
    """
    n = wc.n
    sp = wc.sparse.tocsr()
    card = np.diff(sp.indptr)
    p = np.full(n, np.nan)
    z = np.full(n, np.nan)
    if not permutations:
        return p, z
    draws = _conditional_draws(n, int(card.max()) if n else 1, permutations, seed)
    for i in range(n):
        ki = int(card[i])
        if ki == 0:
            continue
        wi = sp.data[sp.indptr[i] : sp.indptr[i + 1]].astype(float)
        j = draws[:, :ki]
        j = j + (j >= i)  # skip the unit itself
        sim = stat(i, wi, j)
        p[i] = _folded(sim[:, None], np.array([observed[i]]))[0]
        sd = sim.std()
        z[i] = (observed[i] - sim.mean()) / sd if sd > 0 else np.nan
    return p, z


def adjust_pvalues(p: np.ndarray, method: str, alpha: float) -> np.ndarray:
    """Significance flags after multiple-testing control over the tested (non-NaN) p-values.

    Parameters
    ----------
    p : ndarray
        Pseudo p-values; NaN = not tested (e.g. a neighbourless unit), never significant.
    method : {'none', 'fdr', 'bonferroni'}
        No control; Benjamini-Hochberg false discovery rate (the largest k with
        ``p_(k) <= k alpha / m``; esda ``fdr`` gives the same threshold); Bonferroni
        ``p <= alpha / m``. m = number of tested units.
    alpha : float
        Level.

    Returns
    -------
    ndarray of bool

    Raises
    ------
    ValueError
        An unknown method.
    """
    p = np.asarray(p, dtype=float)
    flags = np.zeros(p.shape, dtype=bool)
    tested = np.flatnonzero(~np.isnan(p))
    m = tested.size
    if m == 0:
        if method not in ("none", "fdr", "bonferroni"):
            raise ValueError("adjust must be 'none', 'fdr' or 'bonferroni'")
        return flags
    pt = p[tested]
    if method == "none":
        flags[tested] = pt <= alpha
    elif method == "bonferroni":
        flags[tested] = pt <= alpha / m
    elif method == "fdr":
        order = np.argsort(pt, kind="stable")
        ok = pt[order] <= alpha * np.arange(1, m + 1) / m
        if ok.any():
            flags[tested[order[: int(np.flatnonzero(ok).max()) + 1]]] = True
    else:
        raise ValueError("adjust must be 'none', 'fdr' or 'bonferroni'")
    return flags


def fdr_threshold(p: np.ndarray, alpha: float = 0.05) -> float:
    """Benjamini-Hochberg cut-off ``k alpha / m`` (k = the largest rank with ``p_(k) <= k alpha / m``).

    Parameters
    ----------
    p : ndarray
        P-values (NaN = untested, ignored).
    alpha : float
        False discovery rate.

    Returns
    -------
    float
        p-values at or below it are significant; ``alpha / m`` when none passes (esda ``fdr``'s
        convention; esda compares with ``<``, the step-up rule and this function with ``<=``,
        which differ only for a p-value exactly on the line).
    """
    pv = np.asarray(p, dtype=float)
    pt = np.sort(pv[~np.isnan(pv)])
    m = pt.size
    line = alpha * np.arange(1, m + 1) / m
    ok = np.flatnonzero(pt <= line)
    return float(line[ok.max()]) if ok.size else alpha / m


@dataclass
class LocalStat:
    """A local statistic with conditional-permutation inference.

    Attributes
    ----------
    ids : list of str
        Unit ids (weights order).
    statistic : ndarray
        Local values (NaN for neighbourless units).
    p_sim, z_sim : ndarray
        Folded pseudo p-values and z-scores (NaN when untested).
    significant : ndarray of bool
        After ``adjust`` at ``alpha``; False for untested units.
    label : ndarray of str
        Category when significant, else 'not significant' ('neighbourless' for islands).
    """

    ids: list[str]
    statistic: np.ndarray
    p_sim: np.ndarray
    z_sim: np.ndarray
    significant: np.ndarray
    label: np.ndarray


def _islands(wc: libpysal.weights.W) -> np.ndarray:
    return np.diff(wc.sparse.tocsr().indptr) == 0


def local_geary(
    y: Sequence[float] | np.ndarray,
    w: libpysal.weights.W,
    *,
    permutations: int = 999,
    seed: int | None = 12345,
    alpha: float = 0.05,
    adjust: str = "none",
) -> LocalStat:
    """Local Geary ``c_i = sum_j w_ij (z_i - z_j)^2`` (row-standardised w, z-scores with ddof 0).

    Parameters
    ----------
    y : array-like, shape (n,)
        Variable in the order of ``w.id_order``.
    w : libpysal.weights.W
        Weights (row-standardised here, as esda ``Geary_Local`` and GeoDa).
    permutations, seed : int
        Conditional permutations and their seed.
    alpha : float
        Significance level.
    adjust : {'none', 'fdr', 'bonferroni'}
        Multiple-testing control.

    Returns
    -------
    LocalStat
        Labels (GeoDa): c_i below the mean of the c_i = positive association, 'high-high'
        when y_i is above its mean, 'low-low' below; c_i above the mean = 'negative'.

    Raises
    ------
    ValueError
        A constant variable or fewer than 3 units.
    """
    yv = np.asarray(y, dtype=float).ravel()
    _check_local(yv, "y")
    wc = _weights(w, "r")
    z = (yv - yv.mean()) / yv.std()
    fi, ni, wt = _edges(wc)
    c = np.bincount(fi, weights=wt * (z[fi] - z[ni]) ** 2, minlength=yv.size)
    isl = _islands(wc)
    c[isl] = np.nan

    def stat(i: int, wi: np.ndarray, j: np.ndarray) -> np.ndarray:
        return ((z[i] - z[j]) ** 2) @ wi

    p, zs = _local_permutations(wc, c, stat, permutations, seed)
    sig = adjust_pvalues(p, adjust, alpha)
    cm = np.nanmean(c)
    cat = np.where(c > cm, "negative", np.where(yv > yv.mean(), "high-high", "low-low"))
    label = np.where(sig, cat, NOT_SIGNIFICANT).astype(object)
    label[isl] = NEIGHBOURLESS
    return LocalStat([str(i) for i in wc.id_order], c, p, zs, sig, label)


#: Local bivariate Moran quadrants (x at i against the lag of y), esda's codes 1-4.
BV_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def local_bivariate_moran(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    w: libpysal.weights.W,
    *,
    transformation: str = "r",
    permutations: int = 999,
    seed: int | None = 12345,
    alpha: float = 0.05,
    adjust: str = "none",
) -> LocalStat:
    """Local bivariate Moran ``I_i = (n - 1) zx_i sum_j w_ij zy_j / sum zx^2`` (z-scores, ddof 0).

    Parameters
    ----------
    x, y : array-like, shape (n,)
        Focal variable and the variable whose spatial lag is taken.
    w : libpysal.weights.W
        Weights.
    transformation : {'r', 'b', 'v', 'd', 'o'}
        Weights transformation.
    permutations, seed : int
        Conditional permutations of y around each fixed x_i, and their seed.
    alpha : float
        Significance level.
    adjust : {'none', 'fdr', 'bonferroni'}
        Multiple-testing control.

    Returns
    -------
    LocalStat
        Labels HH (x high, lag of y high), LH, LL, HL when significant.

    Raises
    ------
    ValueError
        Different lengths, a constant variable or fewer than 3 units.
    """
    xv = np.asarray(x, dtype=float).ravel()
    yv = np.asarray(y, dtype=float).ravel()
    if xv.size != yv.size:
        raise ValueError("x and y must have the same length")
    _check_local(xv, "x")
    _check_local(yv, "the lagged variable y")
    wc = _weights(w, transformation)
    zx = (xv - xv.mean()) / xv.std()
    zy = (yv - yv.mean()) / yv.std()
    n = xv.size
    scale = (n - 1) / float((zx * zx).sum())
    lag = np.asarray(wc.sparse @ zy).ravel()
    stat_obs = scale * zx * lag
    isl = _islands(wc)

    def stat(i: int, wi: np.ndarray, j: np.ndarray) -> np.ndarray:
        return scale * zx[i] * (zy[j] @ wi)

    p, zs = _local_permutations(wc, stat_obs, stat, permutations, seed)
    stat_obs = np.where(isl, np.nan, stat_obs)
    sig = adjust_pvalues(p, adjust, alpha)
    quad = np.where(zx > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3))
    cat = np.array([BV_QUADRANTS[int(q)] for q in quad], dtype=object)
    label = np.where(sig, cat, NOT_SIGNIFICANT).astype(object)
    label[isl] = NEIGHBOURLESS
    return LocalStat([str(i) for i in wc.id_order], stat_obs, p, zs, sig, label)


def eb_rate(events: Sequence[float] | np.ndarray, base: Sequence[float] | np.ndarray) -> np.ndarray:
    """Empirical-Bayes standardised rates (Assuncao and Reis 1999).

    ``z_i = (r_i - b) / sqrt(a + b / P_i)`` with ``r_i = e_i / P_i``, ``b = sum e / sum P``,
    ``a = sum P_i (r_i - b)^2 / sum P - b / mean(P)``; where ``a + b / P_i < 0`` the variance is
    ``b / P_i``.

    Parameters
    ----------
    events, base : array-like, shape (n,)
        Event counts (numerators, >= 0) and populations at risk (> 0).

    Returns
    -------
    ndarray
        Standardised rates.

    Raises
    ------
    ValueError
        A base <= 0, negative events, or no events at all.
    """
    e = np.asarray(events, dtype=float).ravel()
    pop = np.asarray(base, dtype=float).ravel()
    if e.size != pop.size:
        raise ValueError("events and base must have the same length")
    if (pop <= 0).any():
        raise ValueError("the base (population at risk) must be > 0 for every unit")
    if (e < 0).any() or e.sum() <= 0:
        raise ValueError("events must be >= 0 and not all zero")
    r = e / pop
    b = e.sum() / pop.sum()
    a = float((pop * (r - b) ** 2).sum() / pop.sum()) - b / pop.mean()
    v = a + b / pop
    v = np.where(v < 0, b / pop, v)
    return (r - b) / np.sqrt(v)


def rate_moran(
    events: Sequence[float] | np.ndarray,
    base: Sequence[float] | np.ndarray,
    w: libpysal.weights.W,
    **kwargs: Any,
) -> MoranResult:
    """Moran's I of empirical-Bayes standardised rates (esda ``Moran_Rate(adjusted=True)``).

    Parameters
    ----------
    events, base : array-like, shape (n,)
        Event counts and populations at risk.
    w : libpysal.weights.W
        Weights.
    **kwargs
        Passed to :func:`policylink.spatial.autocorr.moran` (transformation, permutations,
        seed, alternative).

    Returns
    -------
    MoranResult
    """
    return moran(eb_rate(events, base), w, **kwargs)


def differential_moran(
    y_before: Sequence[float] | np.ndarray,
    y_after: Sequence[float] | np.ndarray,
    w: libpysal.weights.W,
    **kwargs: Any,
) -> MoranResult:
    """Differential Moran's I: Moran's I of the change ``y_after - y_before`` (GeoDa).

    Taking the difference removes time-invariant unit effects before testing for spatial
    clustering of the change.

    Parameters
    ----------
    y_before, y_after : array-like, shape (n,)
        The variable in two periods, same units and order.
    w : libpysal.weights.W
        Weights.
    **kwargs
        Passed to :func:`policylink.spatial.autocorr.moran`.

    Returns
    -------
    MoranResult

    Raises
    ------
    ValueError
        Different lengths, or a constant change.
    """
    a = np.asarray(y_before, dtype=float).ravel()
    b = np.asarray(y_after, dtype=float).ravel()
    if a.size != b.size:
        raise ValueError("the two periods must have the same units")
    return moran(b - a, w, **kwargs)
