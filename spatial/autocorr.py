"""Global and local spatial autocorrelation: Moran's I by year, LISA, Getis-Ord Gi*, bivariate Moran.

The analytic moments come from esda (Cliff and Ord 1981); permutation inference is seeded here so
that results are reproducible (``seed`` argument), which esda's global statistics do not offer,
and batched: a block of permuted copies goes through one sparse-matrix product (global Moran),
and the conditional permutation of the local Moran keeps one table of the values its draws read,
updated from unit to unit (one matrix-vector product per unit).

References
----------
Cliff, A. D. and Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion.
Anselin, L. (1995). Local indicators of spatial association - LISA. *Geographical Analysis* 27(2).
Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis* 24(3); Ord and Getis (1995) for Gi*.
Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1).
Wartenberg, D. (1985). Multivariate spatial correlation. *Geographical Analysis* 17(4).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import esda
import libpysal
import numpy as np
import pandas as pd
from scipy import stats

INFERENCE_KINDS = ("normality", "randomization", "permutation")
QUADRANT_LABELS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
NOT_SIGNIFICANT = "not significant"
# esda announces a future change of its default alternative; we keep (and document) the current
# folded, one-sided pseudo p-value of conditional randomisation, as GeoDa reports it.
_CRAND_NOTICE = "The alternative hypothesis for conditional randomization"


#: Weights transformations as libpysal names them ('o' = the stored values).
TRANSFORMATIONS = ("r", "b", "v", "d", "o")


def _weights(w: libpysal.weights.W, transformation: str) -> libpysal.weights.W:
    """A copy of ``w`` with a libpysal transformation (:data:`TRANSFORMATIONS`)."""
    if transformation not in TRANSFORMATIONS:
        raise ValueError(
            "transformation must be 'r' (row-standardised), 'b' (binary), 'v' (variance "
            f"stabilising), 'd' (doubly standardised) or 'o' (stored), not {transformation!r}"
        )
    wc = libpysal.weights.W(w.neighbors, w.weights, id_order=w.id_order, silence_warnings=True)
    if transformation != "o":
        wc.transform = transformation.upper()
    return wc


#: Relative spread below which a variable counts as constant: its statistics are undefined.
CONSTANT_RTOL = 1e-10
#: Fewest units of a global Moran test (the randomisation variance divides by n - 3).
MIN_UNITS_GLOBAL = 4


def is_constant(y: np.ndarray) -> bool:
    """True when ``y`` is constant or varies only by rounding (sd <= 1e-10 x max(1, max|y|)).

    Parameters
    ----------
    y : ndarray
        Finite values.

    Returns
    -------
    bool
    """
    yv = np.asarray(y, dtype=float).ravel()
    if yv.size == 0:
        return True
    return float(np.std(yv)) <= CONSTANT_RTOL * max(1.0, float(np.max(np.abs(yv))))


def check_global(yv: np.ndarray, w: libpysal.weights.W, what: str = "y") -> None:
    """Refuse inputs on which a global statistic is undefined (before esda divides by zero).

    Parameters
    ----------
    yv : ndarray
        The variable (finite).
    w : libpysal.weights.W
        Weights.
    what : str
        Name of the variable for the message.

    Raises
    ------
    ValueError
        Fewer than :data:`MIN_UNITS_GLOBAL` units, no unit with a neighbour, or a constant
        (or near-constant) variable.
    """
    if w.n < MIN_UNITS_GLOBAL:
        raise ValueError(
            f"{w.n} unit(s): a global Moran test needs at least {MIN_UNITS_GLOBAL} units"
        )
    if w.s0 == 0 or all(c == 0 for c in w.cardinalities.values()):
        raise ValueError("no unit has a neighbour in these weights: Moran's I is undefined")
    if is_constant(yv):
        raise ValueError(
            f"{what} is constant (or varies only by rounding): Moran's I is undefined "
            "(zero variance), no p-value is reported"
        )


def _lag(wc: libpysal.weights.W, z: np.ndarray) -> np.ndarray:
    return np.asarray(wc.sparse @ z).ravel()


def _p_from_z(z: float, alternative: str) -> float:
    if alternative == "greater":
        return float(stats.norm.sf(z))
    if alternative == "less":
        return float(stats.norm.cdf(z))
    return float(2.0 * stats.norm.sf(abs(z)))


#: Permutations evaluated together in one sparse-matrix product. 64-128 columns keep the n x
#: block operands in cache; larger blocks get slower again (measured on the county W).
PERMUTATION_BLOCK = 128


def permutation_blocks(n: int, permutations: int, seed: int | None) -> Iterator[np.ndarray]:
    """Random permutations of ``range(n)`` in blocks, one permutation per column.

    Parameters
    ----------
    n : int
        Number of units.
    permutations : int
        Total number of permutations.
    seed : int or None
        Seed of numpy's ``default_rng``. Permutation k is the k-th ``rng.permutation(n)`` of that
        generator, so ``y[block[:, k]]`` equals what a loop of ``rng.permutation(y)`` draws.

    Yields
    ------
    ndarray of shape (n, b)
        Indices; ``b`` is at most :data:`PERMUTATION_BLOCK`.
    """
    rng = np.random.default_rng(seed)
    for start in range(0, permutations, PERMUTATION_BLOCK):
        b = min(PERMUTATION_BLOCK, permutations - start)
        yield np.ascontiguousarray(np.stack([rng.permutation(n) for _ in range(b)], axis=1))


def permuted_quadratic_forms(
    zs: np.ndarray, wsp: Any, permutations: int, seed: int | None
) -> np.ndarray:
    """``z_p' W z_p`` for random permutations ``p``, the same permutations for every row of ``zs``.

    Each block of permuted copies goes through one sparse-matrix product (W times an n x b
    matrix) instead of one product per permutation.

    Parameters
    ----------
    zs : ndarray of shape (T, n)
        One variable per row (e.g. one period per row), in the order of the weights.
    wsp : scipy.sparse matrix of shape (n, n)
        The (transformed) weights.
    permutations : int
        Number of permutations.
    seed : int or None
        Seed of :func:`permutation_blocks`.

    Returns
    -------
    ndarray of shape (T, permutations)
    """
    import scipy.sparse as sp

    zs = np.atleast_2d(np.asarray(zs, dtype=float))
    n_vars, n = zs.shape
    wcsr = sp.csr_matrix(wsp)
    # z'Wz = z'Uz with U the upper triangle of W + W' (and W's diagonal): half the products
    upper = sp.csr_matrix(sp.triu(wcsr + wcsr.T, k=1) + sp.diags(wcsr.diagonal()))
    out = np.empty((n_vars, permutations))
    start = 0
    for idx in permutation_blocks(n, permutations, seed):
        stop = start + idx.shape[1]
        for t, z in enumerate(zs):
            zp = np.take(z, idx)  # (n, b): column k is z permuted by permutation k
            out[t, start:stop] = np.einsum("ij,ij->j", zp, upper @ zp)
        start = stop
    return out


def _perm_inference(value: float, sims: np.ndarray, alternative: str) -> tuple[float, float]:
    """Permutation z and pseudo p-value (r + 1) / (m + 1) of ``value`` against ``sims``."""
    if alternative == "greater":
        extreme = np.sum(sims >= value)
    elif alternative == "less":
        extreme = np.sum(sims <= value)
    else:
        extreme = np.sum(np.abs(sims - sims.mean()) >= abs(value - sims.mean()))
    p_perm = float((extreme + 1.0) / (sims.shape[0] + 1.0))
    z_perm = float((value - sims.mean()) / sims.std(ddof=1))
    return z_perm, p_perm


@dataclass
class MoranResult:
    """Global Moran's I of one variable in one period.

    Attributes
    ----------
    period : object
        Period label (e.g. the year), or None for a single cross-section.
    n : int
        Number of units.
    I, EI : float
        Moran's I and its expectation under no autocorrelation, -1/(n-1).
    var_norm, z_norm, p_norm : float
        Variance, z and p under the normality assumption (Cliff and Ord 1981, eq. 2.37).
    var_rand, z_rand, p_rand : float
        The same under randomisation (Cliff and Ord 1981, eq. 2.39, with sample kurtosis).
    z_perm, p_perm : float
        Permutation z ((I - mean) / sd of the permuted I) and pseudo p-value (r + 1) / (m + 1),
        where r counts permuted values at least as extreme; NaN when ``permutations`` is 0.
    alternative : str
        'greater' (one-sided, positive autocorrelation, as in seed 000 Table 4), 'less' or
        'two-sided'.
    """

    period: Any
    n: int
    I: float  # noqa: E741 - the statistic's name
    EI: float
    var_norm: float
    z_norm: float
    p_norm: float
    var_rand: float
    z_rand: float
    p_rand: float
    z_perm: float
    p_perm: float
    permutations: int
    alternative: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``I``, ``EI`` and per inference kind ``z`` and ``p``."""
        return {
            "period": self.period,
            "n": self.n,
            "I": self.I,
            "EI": self.EI,
            "alternative": self.alternative,
            "permutations": self.permutations,
            "normality": {"var": self.var_norm, "z": self.z_norm, "p": self.p_norm},
            "randomization": {"var": self.var_rand, "z": self.z_rand, "p": self.p_rand},
            "permutation": {"z": self.z_perm, "p": self.p_perm},
            "z": {
                "normality": self.z_norm,
                "randomization": self.z_rand,
                "permutation": self.z_perm,
            },
            "p": {
                "normality": self.p_norm,
                "randomization": self.p_rand,
                "permutation": self.p_perm,
            },
        }


def moran(
    y: Sequence[float] | np.ndarray,
    w: libpysal.weights.W,
    *,
    transformation: str = "r",
    permutations: int = 999,
    alternative: str = "greater",
    seed: int | None = 12345,
    period: Any = None,
) -> MoranResult:
    """Global Moran's I with normality, randomisation and permutation inference.

    Parameters
    ----------
    y : array-like, shape (n,)
        Variable, in the order of ``w.id_order``.
    w : libpysal.weights.W
        Spatial weights (copied; not modified).
    transformation : {'r', 'b', 'v', 'd', 'o'}
        'r' row-standardises the weights, 'b' uses binary weights. For Moran's I the z and p under
        normality differ between the two.
    permutations : int
        Number of random permutations for the pseudo p-value (0 to skip).
    alternative : {'greater', 'less', 'two-sided'}
        Alternative hypothesis. Seed 000 Table 4 reports one-sided 'greater' p-values.
    seed : int or None
        Seed of the permutation generator (numpy ``default_rng``).
    period : object, optional
        Label stored in the result.

    Returns
    -------
    MoranResult

    Notes
    -----
    I = (n / S0) z'Wz / z'z with z the deviations from the mean. E[I] = -1/(n-1). The variances
    under normality and randomisation are Cliff and Ord's (1981) closed forms, computed by esda.
    """
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError("alternative must be 'greater', 'less' or 'two-sided'")
    yv = np.asarray(y, dtype=float).ravel()
    if yv.shape[0] != w.n:
        raise ValueError(f"y has {yv.shape[0]} values but the weights have {w.n} units")
    if not np.all(np.isfinite(yv)):
        raise ValueError("y contains missing or infinite values")
    check_global(yv, w, "the variable")
    return _moran_periods([yv], w, [period], transformation, permutations, alternative, seed)[0]


def _moran_periods(
    ys: list[np.ndarray],
    w: libpysal.weights.W,
    periods: Sequence[Any],
    transformation: str,
    permutations: int,
    alternative: str,
    seed: int | None,
) -> list[MoranResult]:
    """Moran's I of checked variables on the same weights; one block of permutations for all.

    Every variable is tested against the same permutations (common random numbers): each
    p-value has the exact permutation distribution, and the draws are generated once.
    """
    wc = _weights(w, transformation)
    zs = np.stack([yv - yv.mean() for yv in ys])
    sims = np.full((len(ys), 0), np.nan)
    if permutations > 0:
        sims = permuted_quadratic_forms(zs, wc.sparse, permutations, seed)
        sims *= wc.n / wc.s0 / np.einsum("ij,ij->i", zs, zs)[:, None]
    out = []
    for k, (yv, t) in enumerate(zip(ys, periods, strict=True)):
        mi = esda.Moran(yv, wc, transformation=transformation, permutations=0, two_tailed=False)
        z_perm = p_perm = float("nan")
        if permutations > 0:
            z_perm, p_perm = _perm_inference(float(mi.I), sims[k], alternative)
        out.append(
            MoranResult(
                period=t,
                n=int(wc.n),
                I=float(mi.I),
                EI=float(mi.EI),
                var_norm=float(mi.VI_norm),
                z_norm=float(mi.z_norm),
                p_norm=_p_from_z(float(mi.z_norm), alternative),
                var_rand=float(mi.VI_rand),
                z_rand=float(mi.z_rand),
                p_rand=_p_from_z(float(mi.z_rand), alternative),
                z_perm=z_perm,
                p_perm=p_perm,
                permutations=int(permutations),
                alternative=alternative,
            )
        )
    return out


@dataclass
class MoranByYear:
    """Global Moran's I of one variable for several periods.

    Attributes
    ----------
    variable : str
        Name of the variable.
    results : list of MoranResult
        One result per period, in period order.
    """

    variable: str
    results: list[MoranResult] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        """Tidy table: one row per period with I, E[I], z and p for every inference kind."""
        rows = []
        for r in self.results:
            rows.append(
                {
                    "period": r.period,
                    "n": r.n,
                    "I": r.I,
                    "EI": r.EI,
                    "z_norm": r.z_norm,
                    "p_norm": r.p_norm,
                    "z_rand": r.z_rand,
                    "p_rand": r.p_rand,
                    "z_perm": r.z_perm,
                    "p_perm": r.p_perm,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON-ready list, one dict per period (see :meth:`MoranResult.to_dict`)."""
        return [r.to_dict() for r in self.results]


def moran_by_year(
    panel: pd.DataFrame,
    w: libpysal.weights.W,
    *,
    variable: str,
    id_col: str,
    time_col: str,
    periods: Sequence[Any] | None = None,
    transformation: str = "r",
    permutations: int = 999,
    alternative: str = "greater",
    seed: int | None = 12345,
) -> MoranByYear:
    """Global Moran's I of one variable for every period of a long panel, in one call.

    Parameters
    ----------
    panel : DataFrame
        Long panel with columns ``id_col``, ``time_col`` and ``variable``.
    w : libpysal.weights.W
        Weights whose ids are the values of ``id_col``; each period must cover all of them.
    variable, id_col, time_col : str
        Column names.
    periods : sequence, optional
        Periods to use (default: all, sorted).
    transformation, permutations, alternative, seed
        As in :func:`moran`. Every period is tested against the same ``permutations``
        permutations of the units (common random numbers, drawn once): period k's result
        equals ``moran(y_k, w, seed=seed)``, each p-value has the exact permutation
        distribution, and the permutation draws are paid for once rather than once per period.

    Returns
    -------
    MoranByYear

    Raises
    ------
    ValueError
        If a period lacks a unit of ``w`` or has missing values of ``variable``.
    """
    for col in (variable, id_col, time_col):
        if col not in panel.columns:
            raise ValueError(f"column {col!r} not in the panel")
    if periods is None:
        periods = sorted(panel[time_col].unique())
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError("alternative must be 'greater', 'less' or 'two-sided'")
    ids = list(w.id_order)
    ys = []
    for t in periods:
        sub = panel.loc[panel[time_col] == t, [id_col, variable]].set_index(id_col)[variable]
        if sub.index.duplicated().any():
            dup = sub.index[sub.index.duplicated()][0]
            raise ValueError(f"period {t}: unit {dup!r} appears more than once")
        missing = [i for i in ids if i not in sub.index]
        if missing:
            raise ValueError(
                f"period {t}: {len(missing)} unit(s) of the weights have no row, e.g. {missing[0]!r}"
            )
        yv = sub.reindex(ids).to_numpy(dtype=float)
        if not np.all(np.isfinite(yv)):
            bad = [i for i, v in zip(ids, yv, strict=True) if not np.isfinite(v)][0]
            raise ValueError(f"period {t}: {variable!r} is missing for unit {bad!r}")
        try:
            check_global(yv, w, "the variable")
        except ValueError as exc:
            raise ValueError(f"period {t}: {exc}") from exc
        ys.append(yv)
    out = MoranByYear(variable=variable)
    if ys:
        out.results = _moran_periods(
            ys, w, list(periods), transformation, permutations, alternative, seed
        )
    return out


def moran_scatter(
    y: Sequence[float] | np.ndarray, w: libpysal.weights.W, *, ids: Sequence[Any] | None = None
) -> pd.DataFrame:
    """Moran scatter-plot data: standardised y, its spatial lag and the quadrant.

    Parameters
    ----------
    y : array-like, shape (n,)
        Variable in the order of ``w.id_order``.
    w : libpysal.weights.W
        Weights (row-standardised internally, so the slope of Wz on z is Moran's I).
    ids : sequence, optional
        Unit ids for the output (default ``w.id_order``).

    Returns
    -------
    DataFrame
        Columns ``id``, ``z`` ((y - mean) / sd, population sd), ``wz`` (row-standardised lag
        of z) and ``quadrant`` (HH: z > 0 and wz > 0, LH, LL, HL; ties at 0 count as low).
    """
    yv = np.asarray(y, dtype=float).ravel()
    wc = _weights(w, "r")
    z = (yv - yv.mean()) / yv.std()
    wz = _lag(wc, z)
    quad = np.where(z > 0, np.where(wz > 0, "HH", "HL"), np.where(wz > 0, "LH", "LL"))
    return pd.DataFrame(
        {"id": list(ids if ids is not None else w.id_order), "z": z, "wz": wz, "quadrant": quad}
    )


def _adjust(p: np.ndarray, method: str, alpha: float) -> np.ndarray:
    """Significance flags after multiple-testing control."""
    n = p.shape[0]
    if method == "none":
        return p <= alpha
    if method == "bonferroni":
        return p <= alpha / n
    if method == "fdr":
        # Benjamini-Hochberg step-up: reject the k smallest p with p_(k) <= k alpha / n.
        order = np.argsort(p)
        ranked = p[order]
        ok = ranked <= alpha * np.arange(1, n + 1) / n
        flags = np.zeros(n, dtype=bool)
        if ok.any():
            kmax = int(np.nonzero(ok)[0].max())
            flags[order[: kmax + 1]] = True
        return flags
    raise ValueError("adjust must be 'none', 'fdr' or 'bonferroni'")


@dataclass
class LocalResult:
    """Local statistics (LISA or Gi*) with permutation inference.

    Attributes
    ----------
    table : DataFrame
        One row per unit: ``id``, the statistic (``Ii`` or ``Gi_star``), ``z_sim``, ``p_sim``,
        ``significant`` and ``cluster`` (LISA: HH, LL, HL, LH or 'not significant';
        Gi*: 'hot spot', 'cold spot' or 'not significant').
    statistic : str
        'local_moran' or 'gi_star'.
    permutations, seed : int
        Inference settings.
    alpha : float
        Significance level.
    adjust : str
        Multiple-testing control: 'none', 'fdr' (Benjamini-Hochberg) or 'bonferroni'.
    """

    table: pd.DataFrame
    statistic: str
    permutations: int
    seed: int | None
    alpha: float
    adjust: str

    def counts(self) -> dict[str, int]:
        """Number of units per cluster label."""
        return {str(k): int(v) for k, v in self.table["cluster"].value_counts().items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with settings, cluster counts and the per-unit records."""
        return {
            "statistic": self.statistic,
            "permutations": self.permutations,
            "seed": self.seed,
            "alpha": self.alpha,
            "adjust": self.adjust,
            "counts": self.counts(),
            "units": self.table.to_dict(orient="records"),
        }


#: Units whose simulated values are summarised together in the conditional permutation
#: (8 to 32 measured alike on the county W at 9,999 permutations).
CRAND_BATCH = 16


def ordered_samples(n_from: int, k: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` uniform random ordered samples of ``k`` distinct integers from ``range(n_from)``.

    Rows with a repeated value are redrawn whole (rejection), which leaves every ordered
    k-tuple of distinct values equally likely; with many expected repeats (k^2 > n_from) the
    rows are cut from full permutations instead.

    Parameters
    ----------
    n_from, k, m : int
        Population size, sample size (k <= n_from) and number of samples.
    rng : numpy.random.Generator
        Random generator.

    Returns
    -------
    ndarray of shape (m, k), integer
    """
    if k > n_from:
        raise ValueError(f"cannot draw {k} distinct values from {n_from}")
    if k == 0:
        return np.empty((m, 0), dtype=np.intp)
    if k * k > n_from:
        return np.stack([rng.permutation(n_from)[:k] for _ in range(m)])
    out = rng.integers(0, n_from, size=(m, k))
    bad = np.arange(m)
    while bad.size:
        srt = np.sort(out[bad], axis=1)
        bad = bad[(srt[:, 1:] == srt[:, :-1]).any(axis=1)]
        out[bad] = rng.integers(0, n_from, size=(bad.size, k))
    return out


def _one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """Context limiting BLAS to one thread (no limit where threadpoolctl is missing)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; QGIS's own Python may lack it
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def conditional_permutation_summary(
    z: np.ndarray,
    wsp: Any,
    observed: np.ndarray,
    permutations: int,
    seed: int | None,
    scale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conditional permutation inference for a local statistic ``scale_i * sum_j w_ij z_j``.

    The scheme of esda's ``crand`` (and GeoDa): unit i keeps its value and its k_i neighbours'
    values are replaced by k_i distinct values drawn from the other n - 1 units; one matrix of
    ``permutations`` ordered samples of ``max k_i`` positions is drawn once and unit i uses its
    first k_i columns (position j of "all units but i" is unit j below i, unit j + 1 from i on).

    The units are taken in index order with one table V of the values the draws read: a draw
    at position j reads z[j + 1] for the units up to j and z[j] after, so going from unit i to
    unit i + 1 changes only the draws at position i. With the draws sorted once by position,
    each step switches those few entries of V, and unit i's simulated values are one
    matrix-vector product of its scaled weights with the first k_i rows of V: exact (no
    difference of values) and no (permutations x k) gather per unit. Batches of
    :data:`CRAND_BATCH` units are then summarised together. Memory O(permutations x max k_i).
    The products run on one BLAS thread: each is small, and a second thread only contends.

    Parameters
    ----------
    z : ndarray of shape (n,)
        The (standardised) variable.
    wsp : scipy.sparse matrix of shape (n, n)
        Weights; the diagonal (self-weights) is ignored.
    observed : ndarray of shape (n,)
        Observed statistics.
    permutations : int
        Number of conditional permutations (> 0).
    seed : int or None
        Seed of numpy's ``default_rng``.
    scale : ndarray of shape (n,)
        Per-unit factor (for the local Moran: (n - 1) z_i / z'z).

    Returns
    -------
    larger : ndarray of int, shape (n,)
        Number of simulated values >= the observed one.
    mean, sd : ndarray of shape (n,)
        Mean and population sd of the simulated values.
    """
    import scipy.sparse as sp

    n = z.shape[0]
    m = permutations
    coo = sp.coo_matrix(wsp)
    off = coo.row != coo.col
    w = sp.csr_matrix((coo.data[off], (coo.row[off], coo.col[off])), shape=(n, n))
    w.sort_indices()
    card = np.diff(w.indptr)
    rng = np.random.default_rng(seed)
    kmax = int(card.max())
    draws = ordered_samples(n - 1, kmax, m, rng)
    # V[j, p] is what draw (p, j) reads, entry j * m + p of vt; it starts at z[pos + 1] (the
    # value for unit 0) and switches to z[pos] once the unit index passes pos
    pos = np.ascontiguousarray(draws.T).ravel()
    vt = z[pos + 1].reshape(kmax, m)
    vflat = vt.reshape(-1)
    # entries by position (a stable radix sort when positions fit 16 bits); the first
    # passed[i] of them lie below unit i
    order = np.argsort(pos.astype(np.int16) if n <= 2**15 else pos, kind="stable")
    spos = pos[order]
    below = z[spos]
    passed = np.searchsorted(spos, np.arange(n)).tolist()
    wscaled = w.data * np.repeat(scale, card)
    ptr = w.indptr.tolist()
    larger = np.zeros(n, dtype=np.int64)
    mean = np.zeros(n)
    sd = np.zeros(n)
    sims = np.empty((CRAND_BATCH, m))
    done = 0
    with _one_blas_thread():
        for a in range(0, n, CRAND_BATCH):
            b = min(n, a + CRAND_BATCH)
            for i in range(a, b):
                if passed[i] > done:
                    vflat[order[done : passed[i]]] = below[done : passed[i]]
                    done = passed[i]
                k = ptr[i + 1] - ptr[i]
                if k:
                    np.dot(wscaled[ptr[i] : ptr[i + 1]], vt[:k], out=sims[i - a])
                else:  # no neighbour: the lag and every simulated value are 0
                    sims[i - a] = 0.0
            s = sims[: b - a]
            larger[a:b] = np.count_nonzero(s >= observed[a:b, None], axis=1)
            mu = s.sum(axis=1) / m
            mean[a:b] = mu
            var = np.einsum("ij,ij->i", s, s) / m - mu * mu
            sd[a:b] = np.sqrt(np.maximum(var, 0.0))
    return larger, mean, sd


def _conditional_p(
    z: np.ndarray,
    wsp: Any,
    observed: np.ndarray,
    permutations: int,
    seed: int | None,
    scale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Folded pseudo p-value (r + 1) / (m + 1) of the tail the observed value lies in (esda
    'directed', GeoDa) and the z of the observed value among the draws, from
    :func:`conditional_permutation_summary` (same arguments)."""
    larger, mean, sd = conditional_permutation_summary(z, wsp, observed, permutations, seed, scale)
    larger = np.where(permutations - larger < larger, permutations - larger, larger)
    p = (larger + 1.0) / (permutations + 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = (observed - mean) / sd
    return p, z_sim


def local_moran(
    y: Sequence[float] | np.ndarray,
    w: libpysal.weights.W,
    *,
    permutations: int = 999,
    seed: int | None = 12345,
    alpha: float = 0.05,
    adjust: str = "none",
    transformation: str = "r",
) -> LocalResult:
    """Local Moran's I (Anselin 1995) with conditional permutation p-values and cluster labels.

    Parameters
    ----------
    y : array-like, shape (n,)
        Variable in the order of ``w.id_order``.
    w : libpysal.weights.W
        Weights.
    permutations : int
        Conditional permutations per unit (esda ``crand``'s scheme, computed by
        :func:`conditional_permutation_summary`; I_i, z and quadrants as esda ``Moran_Local``
        defines them, without its per-unit loop). ``p_sim`` is the folded
        one-sided pseudo p-value (r + 1) / (m + 1) of the tail the observed value lies in, as in
        GeoDa.
    seed : int or None
        Seed for the permutations.
    alpha : float
        Significance level.
    adjust : {'none', 'fdr', 'bonferroni'}
        Multiple-testing control across the n local tests.
    transformation : {'r', 'b', 'v', 'd', 'o'}
        Weights transformation.

    Returns
    -------
    LocalResult
        Quadrant codes follow esda: 1 HH, 2 LH, 3 LL, 4 HL; a unit gets its quadrant label only
        when significant, otherwise 'not significant'.
    """
    if permutations < 1:  # esda then sets no p_sim: no p-value, no cluster
        raise ValueError(f"{permutations} permutations: local p-values need at least 1 (99+)")
    yv = np.asarray(y, dtype=float).ravel()
    wc = _weights(w, transformation)
    n = yv.shape[0]
    # esda Moran_Local's definitions: z standardised (population sd), I_i = (n - 1) z_i lag_i / z'z
    with np.errstate(all="ignore"):
        z = (yv - yv.mean()) / yv.std()
    zl = _lag(wc, z)
    scale = (n - 1) * z / float(z @ z)
    Is = scale * zl
    # quadrants as esda codes them: 1 HH, 2 LH, 3 LL, 4 HL (0 counts as low)
    q = np.where(z > 0, np.where(zl > 0, 1, 4), np.where(zl > 0, 2, 3))
    p, z_sim = _conditional_p(z, wc.sparse, Is, permutations, seed, scale)
    sig = _adjust(p, adjust, alpha)
    labels = np.array([QUADRANT_LABELS[int(c)] for c in q], dtype=object)
    table = pd.DataFrame(
        {
            "id": list(w.id_order),
            "Ii": Is,
            "quadrant": labels,
            "z_sim": z_sim,
            "p_sim": p,
            "significant": sig,
            "cluster": np.where(sig, labels, NOT_SIGNIFICANT),
        }
    )
    return LocalResult(table, "local_moran", permutations, seed, alpha, adjust)


def getis_ord_gi_star(
    y: Sequence[float] | np.ndarray,
    w: libpysal.weights.W,
    *,
    permutations: int = 999,
    seed: int | None = 12345,
    alpha: float = 0.05,
    adjust: str = "none",
) -> LocalResult:
    """Getis-Ord Gi* hot and cold spots (Ord and Getis 1995), row-standardised weights.

    Parameters
    ----------
    y : array-like, shape (n,)
        Non-negative variable in the order of ``w.id_order``.
    w : libpysal.weights.W
        Weights (each unit is included in its own neighbourhood: the "star" variant).
    permutations, seed, alpha, adjust
        As in :func:`local_moran`.

    Returns
    -------
    LocalResult
        ``Gi_star``, its analytic z (``z_norm``), the permutation p and 'hot spot' / 'cold spot'
        labels (z_norm > 0 / < 0) for significant units.
    """
    if permutations < 1:  # esda then sets no p_sim: no p-value, no hot spot
        raise ValueError(f"{permutations} permutations: local p-values need at least 1 (99+)")
    yv = np.asarray(y, dtype=float).ravel()
    wc = _weights(w, "b")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_CRAND_NOTICE, category=DeprecationWarning)
        # star=1.0: each unit enters its own neighbourhood with weight 1 (Ord and Getis 1995);
        # only the statistic and its analytic z come from esda: its permutations run a numba
        # kernel whose compilation costs 30-70 s in every new process
        g = esda.G_Local(yv, wc, transform="R", permutations=0, star=1.0)
    # esda crand's conditional scheme: a simulated Gi*_i is (y_i + S_i) / ((k_i + 1) sum y),
    # S_i the sum of k_i values drawn from the other units. It increases with S_i, so the
    # folded pseudo p-value and the z of S_i against its draws are those of Gi*_i.
    s_obs = _lag(wc, yv)
    p, z_sim = _conditional_p(yv, wc.sparse, s_obs, permutations, seed, np.ones(yv.shape[0]))
    sig = _adjust(p, adjust, alpha)
    zs = np.asarray(g.Zs, dtype=float)
    kind = np.where(zs > 0, "hot spot", "cold spot")
    table = pd.DataFrame(
        {
            "id": list(w.id_order),
            "Gi_star": np.asarray(g.Gs, dtype=float),
            "z_norm": zs,
            "z_sim": z_sim,
            "p_sim": p,
            "significant": sig,
            "cluster": np.where(sig, kind, NOT_SIGNIFICANT),
        }
    )
    return LocalResult(table, "gi_star", permutations, seed, alpha, adjust)


@dataclass
class BivariateMoranResult:
    """Bivariate Moran's I of x with the spatial lag of y (Wartenberg 1985).

    Attributes
    ----------
    I : float
        z_x' W z_y / n with z standardised (population sd) and W row-standardised.
    z_perm, p_perm : float
        Permutation z and pseudo p-value (y permuted, ``alternative`` as in :func:`moran`).
    """

    I: float  # noqa: E741
    z_perm: float
    p_perm: float
    permutations: int
    alternative: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "I": self.I,
            "z": {"permutation": self.z_perm},
            "p": {"permutation": self.p_perm},
            "permutations": self.permutations,
            "alternative": self.alternative,
        }


def bivariate_moran(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    w: libpysal.weights.W,
    *,
    permutations: int = 999,
    alternative: str = "greater",
    seed: int | None = 12345,
) -> BivariateMoranResult:
    """Bivariate Moran's I between x and the spatial lag of y, with seeded permutation inference.

    Parameters
    ----------
    x, y : array-like, shape (n,)
        Variables in the order of ``w.id_order``.
    w : libpysal.weights.W
        Weights (row-standardised internally, as esda ``Moran_BV`` does).
    permutations, alternative, seed
        As in :func:`moran`.

    Returns
    -------
    BivariateMoranResult
    """
    xv = np.asarray(x, dtype=float).ravel()
    yv = np.asarray(y, dtype=float).ravel()
    for name, v in (("x", xv), ("y", yv)):
        if v.shape[0] != w.n:
            raise ValueError(f"{name} has {v.shape[0]} values but the weights have {w.n} units")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name} contains missing or infinite values")
        check_global(v, w, name)
    wc = _weights(w, "r")
    zx = (xv - xv.mean()) / xv.std()
    zy = (yv - yv.mean()) / yv.std()
    n = wc.n
    wsp = wc.sparse
    value = float(zx @ (wsp @ zy)) / n * (n / wc.s0)
    z_perm = p_perm = float("nan")
    if permutations > 0:
        # zx' W zy_p = (W' zx)' zy_p: one gather and one dense product per block of permutations
        a = np.asarray(wsp.T @ zx).ravel() / wc.s0
        sims = np.concatenate(
            [a @ np.take(zy, idx) for idx in permutation_blocks(n, permutations, seed)]
        )
        z_perm, p_perm = _perm_inference(value, sims, alternative)
    return BivariateMoranResult(value, z_perm, p_perm, int(permutations), alternative)
