"""Sparse weights operator for spatial panels too large for an eigen-decomposition.

:class:`policylink.spatial.panel.SpectralW` computes every eigenvalue of W once: exact, and the
fastest choice up to a few thousand units, but O(N^3) time and O(N^2) memory (about 13 GB of
doubles for 40,000 units). :class:`SparseW` offers the same interface with memory and time that
grow with the number of links instead:

- log|I - rho W| exactly, from a sparse LU factorisation of I - rho W at every rho the
  optimiser tries (sum of log |u_ii|; the determinant is positive on the stable interval);
- the stable interval of rho from the extreme eigenvalues by Lanczos (``eigsh``, shift-invert for
  the smallest) when W is similar to a symmetric matrix, (-1, 1) for other row-stochastic W (every
  |eigenvalue| <= 1), the Gershgorin bound otherwise;
- traces of powers of W, tr(W^k): exact for k <= 6 (sparse products), stochastic (Hutchinson)
  for higher k with a fixed seed, as LeSage and Pace (2009, ch. 4.4) do for large samples. The
  traces the information matrix and the effects need are power series in rho of these:
  tr(W (I - rho W)^-1) = sum_k rho^k tr(W^(k+1)), tr((I - rho W)^-1) = sum_k rho^k tr(W^k);
- tr(M'M) = ||M||_F^2 for M = W (I - rho W)^-1: exact for the leading terms W + rho W^2 +
  rho^2 W^3 (sparse products), Hutchinson's estimator E ||M z||^2 with Rademacher z only for the
  remainder (one LU solve for all probes).

Point estimates (they depend on W only through the exact log-determinant) equal the eigen path;
standard errors and effects carry a small Monte Carlo error (``tests/test_spatial_panel_sparse.py``
bounds it against the exact eigen path).

References
----------
Barry, R. P. and Pace, R. K. (1999). Monte Carlo estimates of the log determinant of large sparse
matrices. *Linear Algebra and its Applications* 289, 41-54.
Hutchinson, M. F. (1990). A stochastic estimator of the trace of the influence matrix for
Laplacian smoothing splines. *Communications in Statistics - Simulation and Computation* 19(2).
LeSage, J. and Pace, R. K. (2009). *Introduction to Spatial Econometrics*. CRC (ch. 4.4).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import ArpackNoConvergence, eigsh, splu

PROBES = 64  # fewest Rademacher probe vectors of the stochastic traces
PROBE_BUDGET = 1_000_000  # probes x N: small maps (larger relative MC error per probe) get more
TRACE_SEED = 20260531  # fixed: the same data give the same standard errors on every run
EXACT_POWERS = 6  # tr(W^k) exact up to this k (from W^2 and W^3)
_EDGE = 1e-6  # distance kept from the singular values of rho
NEUMANN_MAX_TERMS = 400  # tr(M'M) probes by a power series up to this many terms, else LU


def checked_weights(W: sparse.spmatrix | np.ndarray) -> sparse.csr_matrix:
    """W as a float CSR matrix, checked square with a zero diagonal.

    Parameters
    ----------
    W : sparse matrix or ndarray

    Returns
    -------
    scipy.sparse.csr_matrix
    """
    Wc = sparse.csr_matrix(W, dtype=float)
    n = Wc.shape[0]
    if Wc.shape != (n, n):
        raise ValueError("W must be square")
    if np.any(Wc.diagonal() != 0):
        raise ValueError("W must have a zero diagonal")
    return Wc


def stable_interval(lo: float, hi: float) -> tuple[float, float]:
    """Open interval of rho on which I - rho W is non-singular, from W's extreme eigenvalues.

    Parameters
    ----------
    lo, hi : float
        Smallest and largest (real) eigenvalue of W.

    Returns
    -------
    tuple of float
        (1 / lo, 1 / hi) kept ``_EDGE`` inside; -1 / 1 when an end has no eigenvalue of that sign.
    """
    return (
        (1.0 / lo + _EDGE) if lo < 0 else -1.0 + _EDGE,
        (1.0 / hi - _EDGE) if hi > 0 else 1.0 - _EDGE,
    )


class SparseW:
    """Weights operator for large N: exact log-determinant, stochastic higher-order traces.

    Parameters
    ----------
    W : scipy.sparse matrix, shape (N, N)
        Spatial weights with a zero diagonal (already transformed, e.g. row-standardised).
    symmetrising_diagonal : ndarray, optional
        d with diag(d) W symmetric, when known (W similar to a symmetric matrix).
    probes : int, optional
        Number of Rademacher probe vectors of the stochastic traces (default: PROBE_BUDGET / N,
        between PROBES and 1024; the relative error of a stochastic trace falls with N).
    seed : int
        Seed of the probe vectors.

    Attributes
    ----------
    W : scipy.sparse.csr_matrix
    n : int
    row_stochastic : bool
    symmetric_similar : bool
    rho_bounds : tuple of float
    """

    exact = False

    def __init__(
        self,
        W: sparse.spmatrix,
        symmetrising_diagonal: np.ndarray | None = None,
        *,
        probes: int | None = None,
        seed: int = TRACE_SEED,
    ) -> None:
        Wc = checked_weights(W)
        n = Wc.shape[0]
        self.W = Wc
        self.n = n
        self.row_stochastic = bool(np.allclose(np.asarray(Wc.sum(axis=1)).ravel(), 1.0))
        self._d = symmetrising_diagonal
        self.symmetric_similar = symmetrising_diagonal is not None
        self.probes = (
            int(probes) if probes else int(np.clip(PROBE_BUDGET // max(n, 1), PROBES, 1024))
        )
        self.seed = int(seed)
        self._identity = sparse.identity(n, format="csc")
        self._lu_cache: tuple[float, object] | None = None
        self._powers: np.ndarray | None = None
        self._ones_powers: np.ndarray | None = None
        self._low: tuple[sparse.csr_matrix, sparse.csr_matrix] | None = None
        self.extreme_eigenvalues = self._extremes()
        self.rho_bounds = stable_interval(*self.extreme_eigenvalues)

    # ---------------------------------------------------------------------------------------
    def _extremes(self) -> tuple[float, float]:
        """Smallest and largest (real) eigenvalue of W, or a safe enclosure of them."""
        if self.n < 3:
            ev = np.linalg.eigvals(self.W.toarray()).real
            return float(ev.min()), float(ev.max())
        radius = float(abs(self.W).sum(axis=1).max())  # Gershgorin: |eigenvalue| <= max row sum
        if self._d is not None:
            sq = np.sqrt(self._d)
            S = (sparse.diags(sq) @ self.W @ sparse.diags(1.0 / sq)).tocsc()
            S = 0.5 * (S + S.T)
            try:
                # largest: 1 for a row-stochastic W; smallest by shift-invert Lanczos just below
                # the Gershgorin bound (S - sigma I is positive definite, one factorisation)
                hi = (
                    1.0
                    if self.row_stochastic
                    else float(eigsh(S, k=1, which="LA", return_eigenvectors=False, tol=1e-10)[0])
                )
                sigma = -radius * (1.0 + 1e-3) - 1e-9
                lo = eigsh(S, k=1, sigma=sigma, which="LM", return_eigenvectors=False, tol=1e-10)
                return float(lo[0]), hi
            except (ArpackNoConvergence, RuntimeError):
                pass
        if self.row_stochastic:
            return -1.0, 1.0  # every eigenvalue of a row-stochastic matrix has modulus <= 1
        return -radius, radius

    def _lu(self, rho: float) -> object:
        if self._lu_cache is not None and self._lu_cache[0] == rho:
            return self._lu_cache[1]
        lu = splu((self._identity - rho * self.W).tocsc(), permc_spec="MMD_AT_PLUS_A")
        self._lu_cache = (rho, lu)
        return lu

    def logdet(self, rho: float | np.ndarray) -> float | np.ndarray:
        """log|I - rho W|, exact, from a sparse LU factorisation.

        Parameters
        ----------
        rho : float or ndarray
            Inside :attr:`rho_bounds`.

        Returns
        -------
        float or ndarray
        """
        r = np.asarray(rho, dtype=float)
        if r.ndim:
            return np.array([self.logdet(float(v)) for v in r.ravel()]).reshape(r.shape)
        if r == 0.0:
            return 0.0
        lu = self._lu(float(r))
        return float(np.sum(np.log(np.abs(lu.U.diagonal()))))  # type: ignore[attr-defined]

    def solve(self, rho: float, b: np.ndarray) -> np.ndarray:
        """(I - rho W)^-1 b by the cached LU factorisation."""
        return self._lu(float(rho)).solve(np.ascontiguousarray(b))  # type: ignore[attr-defined]

    # ---------------------------------------------------------------------------------------
    def _probe_matrix(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        return rng.choice(np.array([-1.0, 1.0]), size=(self.n, self.probes))

    def power_traces(self, order: int) -> np.ndarray:
        """tr(W^k) for k = 0..order (exact up to k = 6, stochastic above).

        Parameters
        ----------
        order : int
            Highest power.

        Returns
        -------
        ndarray, shape (order + 1,)
        """
        have = -1 if self._powers is None else len(self._powers) - 1
        if order <= have:
            return self._powers[: order + 1]  # type: ignore[index]
        W = self.W
        t = np.zeros(order + 1)
        t[0] = self.n
        if order >= 1:
            t[1] = float(W.diagonal().sum())
        if order >= 2:
            t[2] = float(W.multiply(W.T).sum())
        if order >= 3:
            # tr(A B) = sum(A o B'): exact traces of W^3..W^6 from the sparse W^2 and W^3
            W2, W3 = self._low_powers()
            for k, (a, b) in zip(range(3, 7), ((W2, W), (W2, W2), (W3, W2), (W3, W3)), strict=True):
                if k <= order:
                    t[k] = float(a.multiply(b.T).sum())
        if order > EXACT_POWERS:
            Z = self._probe_matrix()
            V = Z.copy()
            for k in range(1, order + 1):
                V = W @ V
                if k > EXACT_POWERS:
                    t[k] = float(np.mean(np.einsum("ij,ij->j", Z, V)))
        self._powers = t
        return t

    def ones_powers(self, order: int) -> np.ndarray:
        """1' W^k 1 for k = 0..order (exact, by repeated products with the vector of ones)."""
        have = -1 if self._ones_powers is None else len(self._ones_powers) - 1
        if order <= have:
            return self._ones_powers[: order + 1]  # type: ignore[index]
        out = np.zeros(order + 1)
        v = np.ones(self.n)
        for k in range(order + 1):
            out[k] = v.sum()
            v = self.W @ v
        self._ones_powers = out
        return out

    def _order(self, rho: np.ndarray) -> int:
        """Number of power-series terms for |rho| * spectral radius to fall below 1e-10."""
        radius = max(abs(self.extreme_eigenvalues[0]), abs(self.extreme_eigenvalues[1]), 1e-12)
        q = float(np.max(np.abs(rho))) * radius
        if q <= 0.0:
            return EXACT_POWERS + 1
        q = min(q, 1.0 - 1e-6)
        return int(min(5000, max(EXACT_POWERS + 1, np.ceil(np.log(1e-10) / np.log(q)) + 1)))

    def traces(self, rho: float) -> tuple[float, float, float]:
        """tr(M), tr(M M) and tr(M'M) for M = W (I - rho W)^-1.

        Parameters
        ----------
        rho : float

        Returns
        -------
        tuple of float
        """
        K = self._order(np.asarray([rho]))
        t = self.power_traces(K + 2)
        pw = rho ** np.arange(K + 1)
        tr1 = float(pw @ t[1 : K + 2])
        tr2 = float((np.arange(1, K + 2) * pw) @ t[2 : K + 3])
        # tr(M'M) = ||M||_F^2: exact for the leading terms L = W + rho W^2 + rho^2 W^3 (sparse),
        # Hutchinson only for the rest (L is a control variate: E ||Mz||^2 - ||Lz||^2 is small).
        W2, W3 = self._low_powers()
        L = self.W + rho * W2 + rho**2 * W3
        exact = float(L.multiply(L).sum())
        Z = self._probe_matrix()
        if K <= NEUMANN_MAX_TERMS:
            # M Z = sum_k rho^k W^(k+1) Z to the same 1e-10 truncation as the power traces: K
            # sparse products, much cheaper than an LU solve with hundreds of right-hand sides
            V = self.W @ Z
            MZ = V.copy()
            for _ in range(K):
                V = self.W @ V
                V *= rho
                MZ += V
        else:
            MZ = self.W @ self.solve(rho, Z)
        LZ = L @ Z
        rest = np.einsum("ij,ij->j", MZ, MZ) - np.einsum("ij,ij->j", LZ, LZ)
        return tr1, tr2, exact + float(np.mean(rest))

    def _low_powers(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        if self._low is None:
            W2 = (self.W @ self.W).tocsr()
            self._low = (W2, (W2 @ self.W).tocsr())
        return self._low

    def effects(
        self, rho: np.ndarray, beta: np.ndarray, theta: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Average direct, indirect and total effects (LeSage and Pace 2009, eq. 2.46).

        Parameters
        ----------
        rho : ndarray, shape (D,)
        beta, theta : ndarray, shape (D, K)

        Returns
        -------
        direct, indirect, total : ndarray, shape (D, K)
        """
        rho = np.asarray(rho, dtype=float)
        K = self._order(rho)
        t = self.power_traces(K + 1)
        P = np.power.outer(rho, np.arange(K + 1))  # (D, K+1)
        s0 = P @ t[: K + 1]  # tr((I - rho W)^-1)
        s1 = P @ t[1 : K + 2]  # tr(W (I - rho W)^-1)
        n = self.n
        if self.row_stochastic:
            t0 = n / (1.0 - rho)
            t1 = t0
        else:
            o = self.ones_powers(K + 1)
            t0 = P @ o[: K + 1]
            t1 = P @ o[1 : K + 2]
        direct = (beta * s0[:, None] + theta * s1[:, None]) / n
        total = (beta * t0[:, None] + theta * t1[:, None]) / n
        return direct, total - direct, total
