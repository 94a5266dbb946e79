"""Join-count statistics of binary adoption maps (adopted = black, not yet = white).

For a binary map y on symmetric binary weights, the joins (unordered neighbour pairs) are
counted by colour: BB (both adopted), BW (one adopted, one not) and WW (Cliff & Ord 1981,
ch. 1-2). Many BB joins, or few BW joins, mean adopters cluster in space. Inference is by
random permutation of the map (nonfree sampling: the number of adopters is kept), computed by
``esda.Join_Counts``; here the permutations are seeded so that results are reproducible
(esda draws from numpy's global generator, whose state is restored afterwards).

References
----------
Cliff, A. D. & Ord, J. K. (1981). *Spatial Processes: Models and Applications*. London: Pion.
Rey, S. J. & Anselin, L. (2007). PySAL: a Python library of spatial analytical methods.
*The Review of Regional Studies* 37(1), 5-27.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass
class JoinCountResult:
    """Join counts of one binary map with permutation inference.

    Attributes
    ----------
    n : int
        Units.
    n_black : int
        Units coded 1 (adopters).
    joins : float
        Joins J (unordered neighbour pairs).
    bb, bw, ww : float
        Black-black, black-white and white-white joins.
    mean_bb, mean_bw : float
        Means of BB and BW over the permutations (NaN without permutations).
    p_bb : float
        One-sided pseudo p-value for more BB joins than under randomness.
    p_bw : float
        esda's one-sided pseudo p-value for more BW joins than under randomness (the share of
        permutations with at least as many; dispersion); NaN without permutations.
    p_bw_fewer : float
        One-sided pseudo p-value for fewer BW joins than under randomness (clustering).
    permutations : int
        Permutations drawn.
    """

    n: int
    n_black: int
    joins: float
    bb: float
    bw: float
    ww: float
    mean_bb: float
    mean_bw: float
    p_bb: float
    p_bw: float
    p_bw_fewer: float
    permutations: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def as_binary_w(W: Any, ids: Sequence[Any] | None = None) -> Any:
    """A libpysal W from a libpysal W or a (sparse) 0/1 matrix over ``ids``.

    Parameters
    ----------
    W : libpysal.weights.W or scipy.sparse matrix or numpy.ndarray
        Weights; the nonzero entries of a matrix are the neighbours.
    ids : sequence, optional
        Unit ids of a matrix (default 0..n-1).

    Returns
    -------
    libpysal.weights.W
    """
    from libpysal.weights import W as PysalW

    if isinstance(W, PysalW):
        return W
    from scipy import sparse

    M = sparse.csr_matrix(W)
    n = M.shape[0]
    ids = list(ids) if ids is not None else list(range(n))
    neigh = {ids[i]: [ids[j] for j in M.indices[M.indptr[i] : M.indptr[i + 1]]] for i in range(n)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands are reported by the caller
        return PysalW(neigh, id_order=ids, silence_warnings=True)


def join_counts(
    y: Any,
    W: Any,
    *,
    ids: Sequence[Any] | None = None,
    permutations: int = 999,
    seed: int | None = 12345,
) -> JoinCountResult:
    """BB, BW and WW join counts of a binary map with permutation p-values (esda).

    Parameters
    ----------
    y : array_like of {0, 1}
        The binary map (1 = adopted), aligned with the weights.
    W : libpysal.weights.W or scipy.sparse matrix or numpy.ndarray
        Symmetric binary weights (a matrix is read as 0/1 neighbours over ``ids``).
    ids : sequence, optional
        Unit ids of a matrix ``W``.
    permutations : int
        Random permutations of ``y`` (0 = none).
    seed : int or None
        Seed of the permutations.

    Returns
    -------
    JoinCountResult

    Raises
    ------
    ValueError
        ``y`` not binary, or all units of one colour (no test possible).
    """
    from esda.join_counts import Join_Counts

    y = np.asarray(y, dtype=float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("join counts need a binary map (0 = not adopted, 1 = adopted)")
    nb = int(y.sum())
    if nb in (0, len(y)):
        raise ValueError("every unit has the same colour: join counts cannot be tested")
    w = as_binary_w(W, ids)
    w.transform = "b"
    state = np.random.get_state()
    try:
        if seed is not None:
            np.random.seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jc = Join_Counts(y, w, permutations=permutations)
    finally:
        np.random.set_state(state)
    nan = float("nan")
    if permutations:
        sim_bw = np.asarray(jc.sim_bw, float)
        fewer = float(((sim_bw <= jc.bw).sum() + 1) / (permutations + 1))
        mean_bb, mean_bw = float(jc.mean_bb), float(jc.mean_bw)
        p_bb, p_bw = float(jc.p_sim_bb), float(jc.p_sim_bw)
    else:
        mean_bb = mean_bw = p_bb = p_bw = fewer = nan
    return JoinCountResult(
        n=len(y),
        n_black=nb,
        joins=float(jc.J),
        bb=float(jc.bb),
        bw=float(jc.bw),
        ww=float(jc.ww),
        mean_bb=mean_bb,
        mean_bw=mean_bw,
        p_bb=p_bb,
        p_bw=p_bw,
        p_bw_fewer=fewer,
        permutations=int(permutations),
    )
