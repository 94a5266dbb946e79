"""Markov dynamics of a panel: classic, spatial and LISA Markov transition matrices.

A panel ``y`` (n units x T periods) is discretised into classes (quantiles of all values
pooled, quantiles of each period, given cut-offs, or a variable that already is a state such
as adoption 0/1); the transitions between consecutive periods are counted and their maximum
likelihood estimate is the row-normalised count matrix (Anderson & Goodman 1957).

- :func:`markov`: the classic chain with its steady state, mean first passage times (Kemeny &
  Snell 1976) and sojourn times.
- :func:`spatial_markov`: transitions conditioned on the class of the spatial lag in the
  period of origin (Rey 2001), with the tests of giddy's ``Spatial_Markov``: a chi-square of
  each conditional matrix against the pooled one, their sum, and Bickenbach & Bode's (2003)
  homogeneity tests (Q and likelihood ratio).
- :func:`lisa_markov`: transitions between the Moran scatter-plot quadrants (HH=1, LH=2,
  LL=3, HL=4) with the sixteen move types (Rey 2001; Rey, Murray & Anselin 2011).

The numerics follow giddy 2.3 (``giddy.markov``) without depending on it (giddy pins an older
esda); ``tests/data/giddy/`` holds giddy's output on a fixed input for the comparison.

References
----------
Anderson, T. W. & Goodman, L. A. (1957). Statistical inference about Markov chains. *Annals of
Mathematical Statistics* 28(1), 89-110.
Bickenbach, F. & Bode, E. (2003). Evaluating the Markov property in studies of economic
convergence. *International Regional Science Review* 26(3), 363-392.
Kemeny, J. G. & Snell, J. L. (1976). *Finite Markov Chains*. Springer.
Rey, S. J. (2001). Spatial empirics for economic growth and convergence. *Geographical
Analysis* 33(3), 195-214.
Rey, S. J., Murray, A. T. & Anselin, L. (2011). Visualizing regional income distribution
dynamics. *Letters in Spatial and Resource Sciences* 4(1), 81-90.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components

#: How a continuous panel becomes classes.
CLASSINGS: tuple[str, ...] = ("pooled", "period", "cutoffs", "discrete")
#: Names of the LISA quadrants 1..4 (giddy's default numbering, not GeoDa's).
QUADRANTS: tuple[str, ...] = ("HH", "LH", "LL", "HL")


# --------------------------------------------------------------------------------------------
# classes
# --------------------------------------------------------------------------------------------
def quantile_bins(y: Any, k: int) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes (mapclassify's ``Quantiles`` rule).

    The bounds are the ``100 i / k`` percentiles (linear interpolation), duplicates removed,
    so ties can leave fewer than ``k`` classes.

    Parameters
    ----------
    y : array_like
        Values.
    k : int
        Number of classes.

    Returns
    -------
    numpy.ndarray
        Sorted upper bounds; the last is the maximum.
    """
    if k < 1:
        raise ValueError("the number of classes must be at least 1")
    v = np.asarray(y, float).ravel()
    pct = np.linspace(100.0 / k, 100.0, k)
    return np.unique(np.percentile(v, pct))


def classify(y: Any, bins: Any) -> np.ndarray:
    """Class of each value: ``i`` when ``bins[i-1] < y <= bins[i]`` (values above the last
    bound fall in one more class).

    Parameters
    ----------
    y : array_like
        Values (any shape).
    bins : array_like
        Sorted upper bounds.

    Returns
    -------
    numpy.ndarray of int
        Same shape as ``y``.
    """
    return np.searchsorted(np.asarray(bins, float), np.asarray(y, float), side="left")


def panel_classes(
    y: Any, k: int = 4, *, classing: str = "pooled", cutoffs: Sequence[float] | None = None
) -> tuple[np.ndarray, int, list[float] | None]:
    """Discretise a panel (units x periods).

    Parameters
    ----------
    y : array_like, shape (n, T)
        The panel.
    k : int
        Number of quantile classes (``pooled`` and ``period``).
    classing : {'pooled', 'period', 'cutoffs', 'discrete'}
        Quantiles of all values; quantiles of each period; ``cutoffs`` (class i holds
        ``cutoffs[i-1] < y <= cutoffs[i]``, plus a class above the last); or the distinct
        values themselves (sorted) as the states.
    cutoffs : sequence of float, optional
        Cut-offs for ``classing='cutoffs'``.

    Returns
    -------
    class_ids : numpy.ndarray of int, shape (n, T)
    k : int
        Number of classes.
    cutoffs : list of float or None
        Inner cut-offs used (pooled and given cut-offs), None otherwise.
    """
    y = np.asarray(y, float)
    if y.ndim != 2 or y.shape[1] < 2:
        raise ValueError("a Markov chain needs a panel of units x at least two periods")
    if not np.isfinite(y).all():
        raise ValueError("the panel has missing values")
    if classing == "pooled":
        bins = quantile_bins(y, k)
        return classify(y, bins), len(bins), bins[:-1].tolist()
    if classing == "period":
        ids = np.column_stack([classify(y[:, t], quantile_bins(y[:, t], k))
                               for t in range(y.shape[1])])  # fmt: skip
        return ids, int(k), None
    if classing == "cutoffs":
        if cutoffs is None or len(cutoffs) == 0:
            raise ValueError("classing 'cutoffs' needs at least one cut-off")
        c = np.asarray(cutoffs, float)
        if np.any(np.diff(c) <= 0):
            raise ValueError("cut-offs must increase")
        return classify(y, c), len(c) + 1, c.tolist()
    if classing == "discrete":
        states, ids = np.unique(y, return_inverse=True)
        return ids.reshape(y.shape), len(states), None
    raise ValueError(f"classing {classing!r}: use {', '.join(CLASSINGS)}")


# --------------------------------------------------------------------------------------------
# chains
# --------------------------------------------------------------------------------------------
def transition_counts(class_ids: Any, k: int) -> np.ndarray:
    """Transitions between consecutive periods: ``N[i, j]`` = moves from class i to class j.

    Parameters
    ----------
    class_ids : array_like of int, shape (n, T)
        Classes 0..k-1.
    k : int
        Number of classes.

    Returns
    -------
    numpy.ndarray, shape (k, k)
    """
    c = np.asarray(class_ids, int)
    N = np.zeros((k, k))
    np.add.at(N, (c[:, :-1].ravel(), c[:, 1:].ravel()), 1.0)
    return N


def transition_probabilities(counts: Any) -> np.ndarray:
    """Row-normalised counts (the ML estimate); a row without transitions stays zero.

    Parameters
    ----------
    counts : array_like, shape (..., k, k)

    Returns
    -------
    numpy.ndarray
    """
    N = np.asarray(counts, float)
    rs = N.sum(axis=-1, keepdims=True)
    return N / np.where(rs == 0, 1.0, rs)


def _stochastic(P: np.ndarray) -> np.ndarray:
    """Give rows without transitions a self-loop, so that the matrix is stochastic."""
    P = np.array(P, float)
    empty = P.sum(axis=1) == 0
    P[empty, empty] = 1.0
    return P


def recurrent_classes(P: Any) -> list[list[int]]:
    """Closed communicating classes of a transition matrix (rows without data: self-loops).

    Parameters
    ----------
    P : array_like, shape (k, k)

    Returns
    -------
    list of list of int
        State indices of each recurrent class.
    """
    P = _stochastic(np.asarray(P, float))
    ncomp, lab = connected_components(sparse.csr_matrix(P > 0), connection="strong")
    out = []
    for c in range(ncomp):
        members = np.flatnonzero(lab == c)
        outside = np.setdiff1d(np.arange(len(P)), members)
        if not (P[np.ix_(members, outside)] > 0).any():
            out.append(members.tolist())
    return out


def steady_state(P: Any) -> np.ndarray:
    """Stationary distribution of a chain with one recurrent class.

    ``pi P = pi``, ``sum(pi) = 1``, solved on the recurrent class (transient states get 0).
    With several recurrent classes the stationary distribution is not unique: all NaN.

    Parameters
    ----------
    P : array_like, shape (k, k)
        Transition matrix (rows without transitions are read as staying put).

    Returns
    -------
    numpy.ndarray, shape (k,)
    """
    P = _stochastic(np.asarray(P, float))
    k = len(P)
    rc = recurrent_classes(P)
    if len(rc) != 1:
        return np.full(k, np.nan)
    c = rc[0]
    sub = P[np.ix_(c, c)]
    A = np.vstack([(sub.T - np.eye(len(c))), np.ones(len(c))])
    b = np.zeros(len(c) + 1)
    b[-1] = 1.0
    pi_c = np.linalg.lstsq(A, b, rcond=None)[0]
    pi = np.zeros(k)
    pi[c] = np.clip(pi_c, 0.0, None) / np.clip(pi_c, 0.0, None).sum()
    return pi


def first_passage_times(P: Any) -> np.ndarray:
    """Mean first passage times ``M[i, j]`` (periods to first reach j from i; ``M[j, j]`` is
    the mean recurrence time).

    For each destination j, ``m_ij = 1 + sum_{l != j} P[i, l] m_lj`` is solved on the states
    that reach j with probability one; from the others (those that can reach a state from
    which j is unreachable) the passage time is infinite. For an ergodic chain this equals
    Kemeny & Snell's ``(I - Z + E Z_dg) D`` and ``M[j, j] = 1 / pi_j``.

    Parameters
    ----------
    P : array_like, shape (k, k)
        Transition matrix (rows without transitions are read as staying put).

    Returns
    -------
    numpy.ndarray, shape (k, k)
        ``inf`` where j is not reached with certainty.
    """
    P = _stochastic(np.asarray(P, float))
    k = len(P)
    M = np.full((k, k), np.inf)
    adj = P > 0
    for j in range(k):
        others = [i for i in range(k) if i != j]
        # states from which j can be reached
        reach = {j}
        frontier = [j]
        while frontier:
            t = frontier.pop()
            for i in np.flatnonzero(adj[:, t]):
                if int(i) not in reach:
                    reach.add(int(i))
                    frontier.append(int(i))
        cannot = {i for i in others if i not in reach}
        # states that can enter a "cannot" state while avoiding j: j may never come
        bad = set(cannot)
        frontier = list(cannot)
        while frontier:
            t = frontier.pop()
            for i in np.flatnonzero(adj[:, t]):
                i = int(i)
                if i != j and i not in bad:
                    bad.add(i)
                    frontier.append(i)
        good = [i for i in others if i not in bad]
        m = np.full(k, np.inf)
        m[j] = 0.0
        if good:
            A = np.eye(len(good)) - P[np.ix_(good, good)]
            m[good] = np.linalg.solve(A, np.ones(len(good)))
        M[good, j] = m[good]
        nxt = P[j, others]
        if (nxt[np.isinf(m[others])] > 0).any():
            M[j, j] = np.inf
        else:
            M[j, j] = 1.0 + float(np.dot(nxt[nxt > 0], m[others][nxt > 0]))
    return M


def sojourn_times(P: Any) -> np.ndarray:
    """Expected stay in each state, ``1 / (1 - P[i, i])`` (inf for an absorbing state, NaN for
    a state never left nor entered from data).

    Parameters
    ----------
    P : array_like, shape (k, k)

    Returns
    -------
    numpy.ndarray, shape (k,)
    """
    P = np.asarray(P, float)
    d = np.diag(P)
    out = np.full(len(d), np.nan)
    seen = P.sum(axis=1) > 0
    with np.errstate(divide="ignore"):
        out[seen] = 1.0 / (1.0 - d[seen])
    return out


@dataclass
class MarkovResult:
    """A classic Markov chain estimated from a panel.

    Attributes
    ----------
    class_ids : numpy.ndarray of int, shape (n, T)
        State of each unit in each period.
    counts : numpy.ndarray, shape (k, k)
        Transitions from row class to column class.
    p : numpy.ndarray, shape (k, k)
        Transition probabilities (rows without transitions are zero).
    steady_state : numpy.ndarray, shape (k,)
        Stationary distribution (NaN when not unique).
    fmpt : numpy.ndarray, shape (k, k)
        Mean first passage times (diagonal: recurrence times).
    sojourn : numpy.ndarray, shape (k,)
        Expected stays.
    cutoffs : list of float or None
        Inner class bounds (pooled quantiles or given cut-offs).
    states : list
        Labels of the states (the values themselves for a discrete panel).
    recurrent : list of list of int
        Recurrent classes of the chain.
    """

    class_ids: np.ndarray
    counts: np.ndarray
    p: np.ndarray
    steady_state: np.ndarray
    fmpt: np.ndarray
    sojourn: np.ndarray
    cutoffs: list[float] | None = None
    states: list[Any] = field(default_factory=list)
    recurrent: list[list[int]] = field(default_factory=list)

    @property
    def k(self) -> int:
        """Number of states."""
        return len(self.p)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (class ids left out)."""
        return {
            "states": list(self.states),
            "cutoffs": self.cutoffs,
            "counts": self.counts.tolist(),
            "p": self.p.tolist(),
            "steady_state": self.steady_state.tolist(),
            "fmpt": self.fmpt.tolist(),
            "sojourn": self.sojourn.tolist(),
            "recurrent_classes": self.recurrent,
        }


def _chain(class_ids: np.ndarray, k: int, cutoffs: Any, states: list[Any]) -> MarkovResult:
    N = transition_counts(class_ids, k)
    P = transition_probabilities(N)
    return MarkovResult(
        class_ids=class_ids,
        counts=N,
        p=P,
        steady_state=steady_state(P),
        fmpt=first_passage_times(P),
        sojourn=sojourn_times(P),
        cutoffs=cutoffs,
        states=states,
        recurrent=recurrent_classes(P),
    )


def _state_labels(y: np.ndarray, k: int, classing: str) -> list[Any]:
    if classing == "discrete":
        return [v.item() if hasattr(v, "item") else v for v in np.unique(y)]
    return list(range(k))


def markov(
    y: Any, k: int = 4, *, classing: str = "pooled", cutoffs: Sequence[float] | None = None
) -> MarkovResult:
    """Classic Markov chain of a panel (giddy ``Markov`` on the same classes).

    Parameters
    ----------
    y : array_like, shape (n, T)
        The panel (units x periods).
    k : int
        Quantile classes.
    classing : {'pooled', 'period', 'cutoffs', 'discrete'}
        How values become classes (:func:`panel_classes`).
    cutoffs : sequence of float, optional
        Cut-offs of ``classing='cutoffs'``.

    Returns
    -------
    MarkovResult
    """
    y = np.asarray(y, float)
    ids, kk, cuts = panel_classes(y, k, classing=classing, cutoffs=cutoffs)
    return _chain(ids, kk, cuts, _state_labels(y, kk, classing))


# --------------------------------------------------------------------------------------------
# spatial Markov
# --------------------------------------------------------------------------------------------
def row_standardised(W: Any) -> sparse.csr_matrix:
    """Row-standardised sparse weights (rows of islands stay zero).

    Parameters
    ----------
    W : scipy.sparse matrix, numpy.ndarray or libpysal.weights.W
        Weights (a libpysal W is read in its ``id_order``).

    Returns
    -------
    scipy.sparse.csr_matrix
    """
    if hasattr(W, "sparse") and hasattr(W, "id_order"):
        W = W.sparse
    M = sparse.csr_matrix(W, dtype=float)
    rs = np.asarray(M.sum(axis=1)).ravel()
    return sparse.diags(np.where(rs == 0, 0.0, 1.0 / np.where(rs == 0, 1.0, rs))) @ M


def chi2_against(T1: Any, T2: Any) -> tuple[float, float, int]:
    """Chi-square of the transitions ``T1`` against probabilities formed from ``T2``.

    Expected counts ``E[i, j] = rowsum(T1)_i T2[i, j] / rowsum(T2)_i``; degrees of freedom
    ``(r1 - 1)(r2 - 1)`` with ``r`` the rows with transitions in each matrix (giddy's
    ``markov.chi2``, whose degrees of freedom these are).

    Parameters
    ----------
    T1, T2 : array_like, shape (k, k)
        Observed counts; counts forming the null probabilities.

    Returns
    -------
    (chi2, p-value, dof)
    """
    T1 = np.asarray(T1, float)
    T2 = np.asarray(T2, float)
    rs1, rs2 = T1.sum(axis=1), T2.sum(axis=1)
    dof = int(((rs1 > 0).sum() - 1) * ((rs2 > 0).sum() - 1))
    p = T2 / np.where(rs2 == 0, 1.0, rs2)[:, None]
    E = rs1[:, None] * p
    x2 = float((((T1 - E) ** 2) / np.where(E == 0, 1.0, E)).sum())
    return x2, float(stats.chi2.sf(x2, dof)) if dof > 0 else float("nan"), dof


@dataclass
class HomogeneityResult:
    """Bickenbach & Bode (2003) tests that the regimes share one transition matrix.

    Attributes
    ----------
    q, q_p : float
        Pearson-type Q and its chi-square p-value.
    lr, lr_p : float
        Likelihood ratio and its p-value.
    dof : int
        ``sum_i (b_i - 1)(a_i - 1)``: b_i regimes with transitions out of class i, a_i
        non-zero cells of row i of the pooled matrix.
    """

    q: float
    q_p: float
    lr: float
    lr_p: float
    dof: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"Q": self.q, "Q_p": self.q_p, "LR": self.lr, "LR_p": self.lr_p, "dof": self.dof}


def homogeneity(counts: Any) -> HomogeneityResult:
    """Homogeneity of Markov transition probabilities across regimes.

    Parameters
    ----------
    counts : array_like, shape (m, k, k)
        Transition counts of each regime.

    Returns
    -------
    HomogeneityResult
    """
    M = np.asarray(counts, float)
    T = M.sum(axis=0)
    p0 = transition_probabilities(T)
    den = np.where(p0 == 0, 1.0, p0)
    q = lr = 0.0
    b = np.zeros(T.shape[0])
    for n in M:
        ni = n.sum(axis=1)
        b += ni > 0
        pm = transition_probabilities(n)
        q += float((ni[:, None] * (pm - p0) ** 2 / den).sum())
        mask = (n > 0) & (p0 > 0)
        lr += float((n[mask] * np.log(pm[mask] / p0[mask])).sum())
    a = (T > 0).sum(axis=1)
    dof = int(((b - 1) * (a - 1)).sum())
    lr *= 2.0
    nan = float("nan")
    qp = float(stats.chi2.sf(q, dof)) if dof > 0 else nan
    lp = float(stats.chi2.sf(lr, dof)) if dof > 0 else nan
    return HomogeneityResult(q, qp, lr, lp, dof)


@dataclass
class SpatialMarkovResult:
    """Transitions conditioned on the class of the spatial lag (Rey 2001).

    Attributes
    ----------
    chain : MarkovResult
        The pooled (unconditional) chain.
    lag_ids : numpy.ndarray of int, shape (n, T)
        Class of each unit's spatial lag.
    lag_cutoffs : list of float or None
        Inner bounds of the lag classes.
    counts : numpy.ndarray, shape (m, k, k)
        Transitions by lag class of the period of origin.
    p : numpy.ndarray, shape (m, k, k)
        Conditional transition probabilities.
    steady_states : numpy.ndarray, shape (m, k)
        Stationary distribution of each conditional chain (NaN when not unique).
    fmpt : numpy.ndarray, shape (m, k, k)
        Mean first passage times of each conditional chain.
    chi2 : list of (float, float, int)
        Each conditional matrix against the pooled one (:func:`chi2_against`).
    x2, x2_p : float
        Sum of the chi-squares and its p-value.
    x2_dof : int
        Sum of the per-class degrees of freedom (giddy: ``k (k - 1)^2``, the same when there
        are as many lag classes as classes and every row has transitions).
    homogeneity : HomogeneityResult
        Bickenbach & Bode's Q and LR across the lag classes.
    """

    chain: MarkovResult
    lag_ids: np.ndarray
    lag_cutoffs: list[float] | None
    counts: np.ndarray
    p: np.ndarray
    steady_states: np.ndarray
    fmpt: np.ndarray
    chi2: list[tuple[float, float, int]]
    x2: float
    x2_p: float
    x2_dof: int
    homogeneity: HomogeneityResult

    @property
    def m(self) -> int:
        """Number of lag classes."""
        return self.counts.shape[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "chain": self.chain.to_dict(),
            "lag_cutoffs": self.lag_cutoffs,
            "counts": self.counts.tolist(),
            "p": self.p.tolist(),
            "steady_states": self.steady_states.tolist(),
            "fmpt": self.fmpt.tolist(),
            "chi2": [{"chi2": c, "p": p, "dof": d} for c, p, d in self.chi2],
            "x2": self.x2,
            "x2_p": self.x2_p,
            "x2_dof": self.x2_dof,
            "homogeneity": self.homogeneity.to_dict(),
        }


def spatial_markov(
    y: Any,
    W: Any,
    k: int = 4,
    m: int = 4,
    *,
    classing: str = "pooled",
    cutoffs: Sequence[float] | None = None,
    lag_classing: str | None = None,
    lag_cutoffs: Sequence[float] | None = None,
) -> SpatialMarkovResult:
    """Spatial Markov chain: transitions of ``y`` conditioned on the class of its spatial lag.

    The lag is ``W y`` with W row-standardised, in each period; a transition from t to t + 1
    is counted in the matrix of the lag class in t (giddy ``Spatial_Markov``).

    Parameters
    ----------
    y : array_like, shape (n, T)
        The panel.
    W : scipy.sparse matrix, numpy.ndarray or libpysal.weights.W
        Weights over the rows of ``y`` (row-standardised here).
    k, m : int
        Quantile classes of ``y`` and of the lag.
    classing : {'pooled', 'period', 'cutoffs', 'discrete'}
        Classes of ``y`` (:func:`panel_classes`).
    cutoffs : sequence of float, optional
        Cut-offs of ``y`` (``classing='cutoffs'``).
    lag_classing : str, optional
        Classes of the lag (default: as ``classing``, or ``pooled`` for a discrete ``y``;
        ``cutoffs`` when ``lag_cutoffs`` are given).
    lag_cutoffs : sequence of float, optional
        Cut-offs of the lag (for adoption 0/1: ``[0]`` splits "no neighbour adopted" from
        "some neighbour adopted").

    Returns
    -------
    SpatialMarkovResult
    """
    y = np.asarray(y, float)
    ids, kk, cuts = panel_classes(y, k, classing=classing, cutoffs=cutoffs)
    Wr = row_standardised(W)
    if Wr.shape[0] != y.shape[0]:
        raise ValueError(f"weights over {Wr.shape[0]} units, panel of {y.shape[0]}")
    lag = np.asarray(Wr @ y)
    if lag_cutoffs is not None:
        lc = "cutoffs"
    else:
        lc = lag_classing or ("pooled" if classing in ("discrete", "cutoffs") else classing)
    lag_ids, mm, lcuts = panel_classes(lag, m, classing=lc, cutoffs=lag_cutoffs)
    chain = _chain(ids, kk, cuts, _state_labels(y, kk, classing))
    T = np.zeros((mm, kk, kk))
    np.add.at(T, (lag_ids[:, :-1].ravel(), ids[:, :-1].ravel(), ids[:, 1:].ravel()), 1.0)
    P = transition_probabilities(T)
    chis = [chi2_against(T[i], chain.counts) for i in range(mm)]
    x2 = float(sum(c[0] for c in chis))
    # giddy uses k (k - 1)^2, the same when m = k and every row has transitions
    x2_dof = int(sum(c[2] for c in chis))
    return SpatialMarkovResult(
        chain=chain,
        lag_ids=lag_ids,
        lag_cutoffs=lcuts,
        counts=T,
        p=P,
        steady_states=np.array([steady_state(p) for p in P]),
        fmpt=np.array([first_passage_times(p) for p in P]),
        chi2=chis,
        x2=x2,
        x2_p=float(stats.chi2.sf(x2, x2_dof)) if x2_dof > 0 else float("nan"),
        x2_dof=x2_dof,
        homogeneity=homogeneity(T),
    )


# --------------------------------------------------------------------------------------------
# LISA Markov
# --------------------------------------------------------------------------------------------
def lisa_quadrants(y: Any, W: Any) -> np.ndarray:
    """Moran scatter-plot quadrant of each unit in each period: 1 HH, 2 LH, 3 LL, 4 HL.

    High means above the period's mean (``z > 0``); the lag is of the deviations under the
    row-standardised weights (esda ``Moran_Local.q``, ``geoda_quads=False``).

    Parameters
    ----------
    y : array_like, shape (n, T)
        The panel.
    W : scipy.sparse matrix, numpy.ndarray or libpysal.weights.W
        Weights over the rows of ``y``.

    Returns
    -------
    numpy.ndarray of int, shape (n, T)
    """
    y = np.asarray(y, float)
    z = y - y.mean(axis=0)
    lag = np.asarray(row_standardised(W) @ z)
    hi, lhi = z > 0, lag > 0
    return np.where(hi, np.where(lhi, 1, 4), np.where(lhi, 2, 3))


@dataclass
class LisaMarkovResult:
    """Transitions between LISA quadrants.

    Attributes
    ----------
    chain : MarkovResult
        The chain over states 1..4 (HH, LH, LL, HL; index 0..3 in the matrices).
    quadrants : numpy.ndarray of int, shape (n, T)
        Quadrant of each unit in each period.
    move_types : numpy.ndarray of int, shape (n, T - 1)
        ``4 (q_t - 1) + q_{t+1}``: 1 = HH->HH, 2 = HH->LH, ..., 16 = HL->HL.
    move_counts : dict of str to int
        Moves of each type, by name (``HH->LH``).
    """

    chain: MarkovResult
    quadrants: np.ndarray
    move_types: np.ndarray
    move_counts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"chain": self.chain.to_dict(), "move_counts": self.move_counts}


def move_name(move: int) -> str:
    """Name of a LISA move type 1..16 (``HH->LH``).

    Parameters
    ----------
    move : int
        Move type.

    Returns
    -------
    str
    """
    a, b = divmod(int(move) - 1, 4)
    return f"{QUADRANTS[a]}->{QUADRANTS[b]}"


def lisa_markov(y: Any, W: Any) -> LisaMarkovResult:
    """LISA Markov: transitions of each unit between the Moran scatter-plot quadrants.

    Parameters
    ----------
    y : array_like, shape (n, T)
        The panel.
    W : scipy.sparse matrix, numpy.ndarray or libpysal.weights.W
        Weights over the rows of ``y``.

    Returns
    -------
    LisaMarkovResult
    """
    y = np.asarray(y, float)
    if y.ndim != 2 or y.shape[1] < 2:
        raise ValueError("a Markov chain needs a panel of units x at least two periods")
    q = lisa_quadrants(y, W)
    chain = _chain(q - 1, 4, None, list(QUADRANTS))
    moves = 4 * (q[:, :-1] - 1) + q[:, 1:]
    counts = {move_name(t): int((moves == t).sum()) for t in range(1, 17)}
    return LisaMarkovResult(chain, q, moves, counts)
