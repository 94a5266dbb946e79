"""Global and local spatial autocorrelation: Moran's I by year, LISA, Getis-Ord Gi*, bivariate Moran.

The analytic moments come from esda (Cliff and Ord 1981); permutation inference is seeded here so
that results are reproducible (``seed`` argument), which esda's global statistics do not offer.

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

import warnings
from collections.abc import Sequence
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
    wc = _weights(w, transformation)
    mi = esda.Moran(yv, wc, transformation=transformation, permutations=0, two_tailed=False)
    z_perm = p_perm = float("nan")
    if permutations > 0:
        rng = np.random.default_rng(seed)
        z = yv - yv.mean()
        zz = float(z @ z)
        sims = np.empty(permutations)
        wsp = wc.sparse
        for k in range(permutations):
            zp = rng.permutation(z)
            sims[k] = float(zp @ (wsp @ zp))
        sims *= wc.n / wc.s0 / zz
        if alternative == "greater":
            extreme = np.sum(sims >= mi.I)
        elif alternative == "less":
            extreme = np.sum(sims <= mi.I)
        else:
            extreme = np.sum(np.abs(sims - sims.mean()) >= abs(mi.I - sims.mean()))
        p_perm = float((extreme + 1.0) / (permutations + 1.0))
        z_perm = float((mi.I - sims.mean()) / sims.std(ddof=1))
    return MoranResult(
        period=period,
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
        As in :func:`moran`; period k uses seed ``seed + k`` so periods are independent.

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
    ids = list(w.id_order)
    out = MoranByYear(variable=variable)
    for k, t in enumerate(periods):
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
            out.results.append(
                moran(
                    yv,
                    w,
                    transformation=transformation,
                    permutations=permutations,
                    alternative=alternative,
                    seed=None if seed is None else seed + k,
                    period=t,
                )
            )
        except ValueError as exc:
            raise ValueError(f"period {t}: {exc}") from exc
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
        Conditional permutations per unit (esda ``Moran_Local``). ``p_sim`` is the folded
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
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_CRAND_NOTICE, category=DeprecationWarning)
        lm = esda.Moran_Local(
            yv, wc, transformation=transformation, permutations=permutations, seed=seed, n_jobs=1
        )
    p = np.asarray(lm.p_sim, dtype=float)
    sig = _adjust(p, adjust, alpha)
    labels = np.array([QUADRANT_LABELS[int(q)] for q in lm.q], dtype=object)
    table = pd.DataFrame(
        {
            "id": list(w.id_order),
            "Ii": np.asarray(lm.Is, dtype=float),
            "quadrant": labels,
            "z_sim": np.asarray(lm.z_sim, dtype=float),
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
        # star=1.0: each unit enters its own neighbourhood with weight 1 (Ord and Getis 1995)
        g = esda.G_Local(
            yv, wc, transform="R", permutations=permutations, star=1.0, seed=seed, n_jobs=1
        )
    # esda stores p_sim in float32; snap back to the (r + 1) / (m + 1) grid
    p = np.round(np.asarray(g.p_sim, dtype=float) * (permutations + 1)) / (permutations + 1)
    sig = _adjust(p, adjust, alpha)
    zs = np.asarray(g.Zs, dtype=float)
    kind = np.where(zs > 0, "hot spot", "cold spot")
    table = pd.DataFrame(
        {
            "id": list(w.id_order),
            "Gi_star": np.asarray(g.Gs, dtype=float),
            "z_norm": zs,
            "z_sim": np.asarray(g.z_sim, dtype=float),
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
        rng = np.random.default_rng(seed)
        sims = (
            np.array([float(zx @ (wsp @ rng.permutation(zy))) for _ in range(permutations)]) / wc.s0
        )
        if alternative == "greater":
            extreme = np.sum(sims >= value)
        elif alternative == "less":
            extreme = np.sum(sims <= value)
        else:
            extreme = np.sum(np.abs(sims - sims.mean()) >= abs(value - sims.mean()))
        p_perm = float((extreme + 1.0) / (permutations + 1.0))
        z_perm = float((value - sims.mean()) / sims.std(ddof=1))
    return BivariateMoranResult(value, z_perm, p_perm, int(permutations), alternative)
