"""Spatial panel models (SAR, SEM, SDM) for balanced panels by concentrated maximum likelihood.

Models, for units i = 1..N and periods t = 1..T, with W the N x N spatial weights:

- SAR:  y_t = rho W y_t + X_t beta + mu + xi_t 1 + e_t
- SDM:  y_t = rho W y_t + X_t beta + W X_t theta + mu + xi_t 1 + e_t   (SAR with W*X regressors)
- SEM:  y_t = X_t beta + mu + xi_t 1 + u_t,   u_t = lambda W u_t + e_t

with unit effects mu (``fe='unit'``), time effects xi (``fe='time'``), both (``fe='twoways'``) or
neither (``fe='none'``, pooled with an intercept); random unit effects for SAR/SDM with
:func:`fit_random_effects`. Fixed effects are removed by demeaning (Elhorst 2014, ch. 3) and the
concentrated log-likelihood is maximised over rho (lambda) on the stable interval.

The log-determinant log|I - rho W| = sum_j log(1 - rho w_j) uses the eigenvalues w_j of W,
computed once. When W = D^-1 A with A symmetric (row-standardised contiguity, or W symmetric)
the eigen-decomposition comes from the symmetric D^-1/2 A D^-1/2 (``numpy.linalg.eigh``), so every
trace the estimator, its information matrix and the effects need is a sum over eigenvalues.
Other W fall back to a general (complex) eigen-decomposition.

References
----------
Anselin, L., Le Gallo, J. and Jayet, H. (2008). Spatial panel econometrics. In Matyas and Sevestre
(eds.) *The Econometrics of Panel Data*. Springer.
Elhorst, J. P. (2014). *Spatial Econometrics: From Cross-Sectional Data to Spatial Panels*.
Springer (ch. 3: estimators, information matrix, LM tests; ch. 2.7: effects).
Lee, L.-F. and Yu, J. (2010). Estimation of spatial autoregressive panel data models with fixed
effects. *Journal of Econometrics* 154(2), 165-185.
LeSage, J. and Pace, R. K. (2009). *Introduction to Spatial Econometrics*. CRC (ch. 2.7, effects).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import libpysal
import numpy as np
import pandas as pd
import scipy.linalg
from scipy import sparse, stats
from scipy.optimize import minimize_scalar
from scipy.sparse.linalg import splu

from policylink.spatial.sparse_w import SparseW, checked_weights, stable_interval

MODELS = ("sar", "sem", "sdm")
FIXED_EFFECTS = ("none", "unit", "time", "twoways")
DENSE_LIMIT = 8000  # largest N for which tr(M'M) uses one dense inverse (N^2 doubles of memory)
EIGEN_LIMIT = 2000  # above this N, method "auto" uses the sparse operator (no N x N matrix)
W_METHODS = ("auto", "eigen", "sparse")


# --------------------------------------------------------------------------------------------
# Weights: eigen-decomposition and the traces built from it
# --------------------------------------------------------------------------------------------
class SpectralW:
    """Eigen-decomposition of a weights matrix and the quantities the estimators need.

    Parameters
    ----------
    W : scipy.sparse matrix or ndarray, shape (N, N)
        Spatial weights (zero diagonal), as used in the model (already row-standardised if
        wanted).

    Attributes
    ----------
    W : scipy.sparse.csr_matrix
        The weights.
    eigenvalues : ndarray
        Eigenvalues of W (real when W is similar to a symmetric matrix, complex otherwise).
    symmetric_similar : bool
        True when W = D^-1 A with A symmetric and D diagonal, so that the fast symmetric path
        (``eigh`` of D^-1/2 A D^-1/2) was used.
    rho_bounds : tuple of float
        Open interval (1 / w_min, 1 / w_max) on which I - rho W is non-singular and the model
        stable.
    row_stochastic : bool
        Every row of W sums to one.

    Notes
    -----
    With W = P L P^-1 (L the eigenvalues), for any rho inside the bounds:
    log|I - rho W| = sum log(1 - rho l_j); tr(W (I - rho W)^-1) = sum l_j / (1 - rho l_j);
    1'(I - rho W)^-1 1 = sum_j (1'p_j)(q_j'1) / (1 - rho l_j) with q_j' the rows of P^-1.
    In the symmetric-similar case P = D^-1/2 Q, P^-1 = Q' D^1/2, and
    tr(M'M) for M = W (I - rho W)^-1 equals m' C m with m_j = l_j / (1 - rho l_j) and
    C = (Q' D^-1 Q) o (Q' D Q) (Hadamard product), precomputed once.
    """

    def __init__(self, W: sparse.spmatrix | np.ndarray) -> None:
        Wc = checked_weights(W)
        n = Wc.shape[0]
        self.W = Wc
        self.n = n
        rows = np.asarray(Wc.sum(axis=1)).ravel()
        self.row_stochastic = bool(np.allclose(rows, 1.0))
        d = self._symmetrising_diagonal(Wc)
        self.symmetric_similar = d is not None
        self._d = d
        self._ab_cache: np.ndarray | None = None
        dense = Wc.toarray()
        if d is not None:
            sq = np.sqrt(d)
            S = (sq[:, None] * dense) / sq[None, :]
            self._S = 0.5 * (S + S.T)
            self._S_sparse = sparse.csr_matrix(self._S)
            self.eigenvalues = np.linalg.eigvalsh(self._S)
        else:
            self._S = None
            self.eigenvalues = np.linalg.eigvals(dense)
        re = np.real(self.eigenvalues)
        lo, hi = re.min(), re.max()
        self.rho_bounds = stable_interval(lo, hi)

    @staticmethod
    def _symmetrising_diagonal(W: sparse.csr_matrix) -> np.ndarray | None:
        """Return d > 0 with diag(d) W symmetric, or None when there is none.

        W = D^-1 A with A symmetric means w_ij / w_ji = d_j / d_i on every link, so d is found
        by propagating these ratios over each connected component (breadth-first, O(links))
        and then verified. Covers symmetric W (d = 1) and row-standardised symmetric weights of
        any kind (contiguity, distance bands, inverse distance).
        """
        from scipy.sparse.csgraph import breadth_first_order

        n = W.shape[0]
        if W.nnz == 0 or abs(W - W.T).max() < 1e-12:
            return np.ones(n)
        P = (W != 0).astype(np.int8)
        if (P - P.T).nnz:
            return None  # asymmetric pattern (e.g. k nearest neighbours)
        # Row-standardised binary weights (contiguity, distance bands): d_i = 1 / w_ij, checked.
        rowmax = np.asarray(abs(W).max(axis=1).todense()).ravel()
        d = np.where(rowmax > 0, 1.0 / np.where(rowmax > 0, rowmax, 1.0), 1.0)
        A = sparse.diags(d) @ W
        if abs(A - A.T).max() < 1e-10 * max(1.0, abs(A).max()):
            return d
        d = np.zeros(n)
        Wc = W.tocsr()
        Wt = W.T.tocsr()
        for root in range(n):
            if d[root] > 0:
                continue
            d[root] = 1.0
            order, pred = breadth_first_order(Wc, root, directed=False)
            for node in order[1:]:
                p = pred[node]
                # d_node = d_p * w_{p,node} / w_{node,p}
                d[node] = d[p] * Wc[p, node] / Wt[p, node]
        A = sparse.diags(d) @ W
        if abs(A - A.T).max() < 1e-10 * max(1.0, abs(A).max()):
            return d
        return None

    def logdet(self, rho: float | np.ndarray) -> float | np.ndarray:
        """log|I - rho W| (real part; the imaginary parts cancel for real W)."""
        r = np.asarray(rho, dtype=float)
        val = np.sum(np.log(1.0 - np.multiply.outer(r, self.eigenvalues)), axis=-1)
        return np.real(val)

    def _m(self, rho: float) -> np.ndarray:
        return self.eigenvalues / (1.0 - rho * self.eigenvalues)

    @property
    def _ab(self) -> np.ndarray:
        """(1'p_j)(q_j'1) for W = P L P^-1; eigenvectors are computed only when first needed."""
        if self._ab_cache is None:
            ones = np.ones(self.n)
            if self._S is not None:
                lam, Q = np.linalg.eigh(self._S)
                self.eigenvalues = lam  # same values, same (ascending) order as eigvalsh
                sq = np.sqrt(self._d)
                self._ab_cache = (Q.T @ (ones / sq)) * (Q.T @ (ones * sq))
            else:
                lam, P = np.linalg.eig(self.W.toarray())
                self.eigenvalues = lam
                self._ab_cache = (ones @ P) * np.linalg.solve(P, ones)
        return self._ab_cache

    def traces(self, rho: float, block: int = 512) -> tuple[float, float, float]:
        """tr(M), tr(M M) and tr(M'M) for M = W (I - rho W)^-1.

        The first two are eigenvalue sums; tr(M'M) = ||W (I - rho W)^-1||_F^2 comes from one
        dense inverse for N <= ``DENSE_LIMIT``, otherwise it is accumulated over blocks of
        columns of (I - rho W)^-1 from one sparse LU factorisation (exact, memory-bounded).
        """
        m = self._m(rho)
        tr1 = float(np.real(m.sum()))
        tr2 = float(np.real((m * m).sum()))
        A = sparse.identity(self.n, format="csc") - rho * self.W
        if self.n <= DENSE_LIMIT and self._S is not None:
            # W = D^-1/2 S D^1/2, so M = D^-1/2 S B D^1/2 with B = (I - rho S)^-1, and I - rho S
            # is symmetric positive definite on the stable interval: Cholesky inverse (potrf +
            # potri, about half the work of a general inverse).
            c, info = scipy.linalg.lapack.dpotrf(np.eye(self.n) - rho * self._S, lower=False)
            if info == 0:
                B, info = scipy.linalg.lapack.dpotri(c, lower=False)
            if info == 0:
                B = np.triu(B) + np.triu(B, 1).T
                R = self._S_sparse @ B
                sq = np.sqrt(self._d)
                R *= sq[None, :]
                R /= sq[:, None]
                return tr1, tr2, float(np.sum(R * R))
        if self.n <= DENSE_LIMIT:  # one LAPACK inverse: fastest up to several thousand units
            Ainv = scipy.linalg.inv(A.toarray(), overwrite_a=True, check_finite=False)
            M = self.W @ Ainv
            return tr1, tr2, float(np.sum(M * M))
        lu = splu(A.tocsc())
        tr3 = 0.0
        for start in range(0, self.n, block):
            stop = min(start + block, self.n)
            E = np.zeros((self.n, stop - start))
            E[np.arange(start, stop), np.arange(stop - start)] = 1.0
            Mb = self.W @ lu.solve(E)
            tr3 += float(np.sum(Mb * Mb))
        return tr1, tr2, tr3

    def effects(
        self, rho: np.ndarray, beta: np.ndarray, theta: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Average direct, indirect and total effects (LeSage and Pace 2009, eq. 2.46).

        For S_k = (I - rho W)^-1 (beta_k I + theta_k W): direct = tr(S_k) / N,
        total = 1' S_k 1 / N, indirect = total - direct.

        Parameters
        ----------
        rho : ndarray, shape (D,)
            Spatial lag parameter, one per draw.
        beta, theta : ndarray, shape (D, K)
            Coefficients of X and W*X (theta = 0 for SAR).

        Returns
        -------
        direct, indirect, total : ndarray, shape (D, K)
        """
        inv = 1.0 / (1.0 - np.multiply.outer(rho, self.eigenvalues))  # (D, N)
        s0 = inv.sum(axis=1)
        s1 = (inv * self.eigenvalues).sum(axis=1)
        n = self.n
        if self.row_stochastic:  # W 1 = 1, so (I - rho W)^-1 1 = 1 / (1 - rho): exact
            t0 = n / (1.0 - rho)
            t1 = t0
        else:
            t0 = (inv * self._ab).sum(axis=1)
            t1 = (inv * (self._ab * self.eigenvalues)).sum(axis=1)
        direct = np.real(beta * s0[:, None] + theta * s1[:, None]) / n
        total = np.real(beta * t0[:, None] + theta * t1[:, None]) / n
        return direct, total - direct, total


@contextlib.contextmanager
def fit_threads(n_units: int) -> Iterator[int]:
    """Limit the BLAS / OpenMP threads of a fit; yields the number chosen.

    Above ``EIGEN_LIMIT`` units the work is sparse (LU factorisations, sparse products: one
    thread each), so extra BLAS threads only spin and contend with other processes: one thread.
    Below it the dense eigen-decomposition and inverse use the cores that the load average
    leaves free (at least one). Fixing the count keeps the time of a fit stable on a shared,
    loaded machine (no oversubscription).
    """
    from threadpoolctl import threadpool_limits

    if n_units > EIGEN_LIMIT:
        n = 1
    else:
        cores = os.cpu_count() or 1
        n = max(1, min(cores, cores - int(os.getloadavg()[0] + 0.5) + 1))
    with threadpool_limits(limits=n):
        yield n


def weights_operator(
    W: sparse.spmatrix | np.ndarray | SpectralW | SparseW, method: str = "auto"
) -> SpectralW | SparseW:
    """The weights operator the estimators use: eigen-decomposition or sparse.

    Parameters
    ----------
    W : sparse matrix, ndarray or an operator
        Spatial weights (zero diagonal, already transformed). An operator is returned as is.
    method : {"auto", "eigen", "sparse"}
        ``eigen`` (:class:`SpectralW`): exact traces and effects from every eigenvalue, O(N^3)
        time and O(N^2) memory. ``sparse`` (:class:`policylink.spatial.sparse_w.SparseW`): exact
        log-determinant by sparse LU, stochastic higher-order traces, memory linear in the
        links. ``auto``: eigen up to ``EIGEN_LIMIT`` units, sparse above.

    Returns
    -------
    SpectralW or SparseW
    """
    if isinstance(W, SpectralW | SparseW):
        return W
    if method not in W_METHODS:
        raise ValueError(f"method must be one of {W_METHODS}, not {method!r}")
    Wc = sparse.csr_matrix(W, dtype=float)
    if method == "eigen" or (method == "auto" and Wc.shape[0] <= EIGEN_LIMIT):
        return SpectralW(Wc)
    return SparseW(Wc, SpectralW._symmetrising_diagonal(Wc))


def weights_matrix(w: libpysal.weights.W, transformation: str = "r") -> sparse.csr_matrix:
    """Sparse matrix of a libpysal W in ``w.id_order`` with the given transformation.

    Parameters
    ----------
    w : libpysal.weights.W
        Weights (not modified).
    transformation : {'r', 'b'}
        Row-standardised or binary.

    Returns
    -------
    scipy.sparse.csr_matrix
    """
    wc = libpysal.weights.W(w.neighbors, w.weights, id_order=w.id_order, silence_warnings=True)
    wc.transform = transformation.upper()
    return sparse.csr_matrix(wc.sparse, dtype=float)


# --------------------------------------------------------------------------------------------
# Panel helpers
# --------------------------------------------------------------------------------------------
def demean(a: np.ndarray, fe: str) -> np.ndarray:
    """Remove fixed effects from an array shaped (T, N) or (T, N, K).

    Parameters
    ----------
    a : ndarray
        Periods along axis 0, units along axis 1.
    fe : {'none', 'unit', 'time', 'twoways'}
        Which means to remove ('twoways': x_it - x_i. - x_.t + x_..).

    Returns
    -------
    ndarray
    """
    if fe == "none":
        return a.copy()
    if fe == "unit":
        return a - a.mean(axis=0, keepdims=True)
    if fe == "time":
        return a - a.mean(axis=1, keepdims=True)
    if fe == "twoways":
        return (
            a - a.mean(axis=0, keepdims=True) - a.mean(axis=1, keepdims=True) + a.mean(axis=(0, 1))
        )
    raise ValueError(f"fe must be one of {FIXED_EFFECTS}, not {fe!r}")


def spatial_lag(W: sparse.csr_matrix, a: np.ndarray) -> np.ndarray:
    """Apply W to every period of an array.

    Parameters
    ----------
    W : scipy.sparse matrix, shape (N, N)
        Weights.
    a : ndarray, shape (T, N) or (T, N, K)
        Periods along axis 0, units along axis 1.

    Returns
    -------
    ndarray
        Same shape as ``a``: (I_T kron W) applied to each column.
    """
    if a.ndim == 2:
        return (W @ a.T).T
    T, N, K = a.shape
    out = W @ a.transpose(1, 0, 2).reshape(N, T * K)
    return out.reshape(N, T, K).transpose(1, 0, 2)


def _dims(n: int, t: int, fe: str, lee_yu: bool) -> tuple[float, float, float]:
    """Effective (observations, periods in the Jacobian, units removed) under Lee-Yu (2010).

    The transformation approach drops one period with unit effects (T-1 periods) and, for
    row-standardised W, one cross-sectional dimension with time effects (N-1 units), whose
    Jacobian loses the eigenvalue 1: log|I - rho W| - log(1 - rho).
    """
    if not lee_yu or fe == "none":
        return n * t, t, 0
    te = t - 1 if fe in ("unit", "twoways") else t
    ne = n - 1 if fe in ("time", "twoways") else n
    return ne * te, te, 1 if fe in ("time", "twoways") else 0


def _pvalue(z: np.ndarray) -> np.ndarray:
    return 2.0 * stats.norm.sf(np.abs(z))


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class SpatialPanelResult:
    """Estimates of a spatial panel model.

    Attributes
    ----------
    model : {'sar', 'sem', 'sdm', 'sac', 'sdem', 'gns'}
        The last three come from :mod:`policylink.spatial.panel_models`.
    fe : {'none', 'unit', 'time', 'twoways', 'random', 'random+time'}
    names : list of str
        Regressor names; spatially lagged regressors are named ``W*<var>``.
    params : ndarray
        Estimates of the regressors, in the order of ``names``.
    rho : float or None
        Spatial lag parameter (SAR, SDM, SAC, GNS).
    lam : float or None
        Spatial error parameter (SEM, SAC, SDEM, GNS).
    sigma2 : float
        Residual variance (Lee-Yu: divided by the effective number of observations).
    cov : ndarray
        Covariance of (params, rho, lambda) (the spatial parameters that are fitted) from the
        inverse information matrix or the negative inverse Hessian.
    log_likelihood : float
        Maximised log-likelihood including constants.
    r2, r2_within : float
        Overall R2 (1 - SSR / TSS of the original y with fitted fixed effects) and within R2
        (squared correlation of demeaned y and its fitted value).
    n_units, n_periods : int
    lee_yu : bool
        Whether the Lee-Yu (2010) transformation approach was used.
    effects : DataFrame or None
        Long table (effect, variable, estimate, se, z, p) for SAR / SDM.
    residuals : ndarray, shape (T, N)
        Residuals e (demeaned scale).
    """

    model: str
    fe: str
    names: list[str]
    params: np.ndarray
    rho: float | None
    lam: float | None
    sigma2: float
    cov: np.ndarray
    log_likelihood: float
    r2: float
    r2_within: float
    n_units: int
    n_periods: int
    lee_yu: bool
    residuals: np.ndarray
    effects: pd.DataFrame | None = None
    effects_draws: int = 0
    effects_seed: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def spatial_name(self) -> str:
        """'rho' for SAR/SDM, 'lambda' for SEM (the first of :attr:`spatial_names`)."""
        return self.spatial_names[0]

    @property
    def spatial_names(self) -> list[str]:
        """Spatial parameters in the order of ``cov``: 'rho' (if fitted) then 'lambda'."""
        out = [n for n, v in (("rho", self.rho), ("lambda", self.lam)) if v is not None]
        return out or ["rho"]

    @property
    def coefficients(self) -> pd.DataFrame:
        """Tidy table: name, estimate, se, z, p for the regressors, rho and / or lambda."""
        spatial = [v for v in (self.rho, self.lam) if v is not None]
        est = np.r_[self.params, spatial]
        se = np.sqrt(np.diag(self.cov))
        z = est / se
        return pd.DataFrame(
            {
                "name": [*self.names, *self.spatial_names],
                "estimate": est,
                "se": se,
                "z": z,
                "p": _pvalue(z),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the keys of the CLI contract."""
        coef = self.coefficients
        out: dict[str, Any] = {
            "model": self.model,
            "fe": self.fe,
            "lee_yu": self.lee_yu,
            "coefficients": {
                r["name"]: {k: r[k] for k in ("estimate", "se", "z", "p")}
                for r in coef.to_dict(orient="records")
                if r["name"] not in self.spatial_names
            },
            **{
                name: {k: coef.set_index("name").loc[name][k] for k in ("estimate", "se", "z", "p")}
                for name in self.spatial_names
            },
            "sigma2": self.sigma2,
            "log_likelihood": self.log_likelihood,
            "r2": self.r2,
            "r2_within": self.r2_within,
            "n_units": self.n_units,
            "n_periods": self.n_periods,
        }
        if self.effects is not None:
            eff: dict[str, dict[str, dict[str, float]]] = {}
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


def stars(p: float) -> str:
    """Significance stars: *** p < 0.01, ** p < 0.05, * p < 0.1 (as seed 000 Table 5)."""
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def paper_table(results: dict[str, SpatialPanelResult], *, digits: int = 4) -> pd.DataFrame:
    """Paper-style table: estimates with stars, standard errors in parentheses below.

    With one result the columns are the coefficients followed by the direct, indirect and total
    effects (seed 000 Table 5 layout); with several (e.g. groups) one coefficient column per
    result. Footer rows give rho / lambda, sigma2, log-likelihood, R2, N and T.

    Parameters
    ----------
    results : dict
        Column label -> fitted result.
    digits : int
        Decimals shown.

    Returns
    -------
    DataFrame
        Strings only, first column ``variable``.
    """

    def cell(est: float, p: float) -> str:
        return f"{est:.{digits}f}{stars(p)}"

    def se_cell(se: float) -> str:
        return f"({se:.{digits}f})" if np.isfinite(se) else ""

    columns: dict[str, dict[str, str]] = {}
    order: list[str] = []

    def put(col: str, row: str, value: str) -> None:
        columns.setdefault(col, {})[row] = value
        if row not in order:
            order.append(row)

    single = len(results) == 1
    for label, res in results.items():
        coef_col = "coefficient" if single else label
        for r in res.coefficients.to_dict(orient="records"):
            put(coef_col, r["name"], cell(r["estimate"], r["p"]))
            put(coef_col, r["name"] + " ", se_cell(r["se"]))
        if single and res.effects is not None:
            for r in res.effects.to_dict(orient="records"):
                put(r["effect"], r["variable"], cell(r["estimate"], r["p"]))
                put(r["effect"], r["variable"] + " ", se_cell(r["se"]))
        put(coef_col, "sigma2", f"{res.sigma2:.{digits}f}")
        put(coef_col, "log-likelihood", f"{res.log_likelihood:.2f}")
        put(coef_col, "R2", f"{res.r2:.4f}")
        put(coef_col, "R2 within", f"{res.r2_within:.4f}")
        put(coef_col, "N x T", f"{res.n_units} x {res.n_periods}")
        put(
            coef_col,
            "model",
            f"{res.model.upper()}, FE {res.fe}" + (", Lee-Yu" if res.lee_yu else ""),
        )
    rows = []
    for name in order:
        row = {"variable": "" if name.endswith(" ") else name}
        for col, vals in columns.items():
            row[col] = vals.get(name, "")
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Estimation
# --------------------------------------------------------------------------------------------
def checked_arrays(
    Y: np.ndarray,
    X: np.ndarray,
    names: Sequence[str],
    W: sparse.spmatrix | np.ndarray | SpectralW | SparseW,
) -> tuple[np.ndarray, np.ndarray, list[str], SpectralW | SparseW]:
    """Validate the arrays every spatial panel fit takes and build the weights operator.

    Parameters
    ----------
    Y : ndarray, shape (T, N)
        Outcome.
    X : ndarray, shape (T, N, K) or (T, N)
        Regressors.
    names : sequence of str
        One name per column of X.
    W : sparse matrix, ndarray or weights operator
        N x N spatial weights.

    Returns
    -------
    Y, X, names, sw
        Float arrays (X always 3-D), the names as a list and the weights operator.

    Raises
    ------
    ValueError
        Shapes that do not match, a name count that differs from K, non-finite values, or a W
        of another size.
    """
    Y = np.asarray(Y, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[:, :, None]
    T, N = Y.shape
    if X.shape[:2] != (T, N):
        raise ValueError(f"X has shape {X.shape}, expected ({T}, {N}, K)")
    names = list(names)
    if len(names) != X.shape[2]:
        raise ValueError("names must have one entry per column of X")
    if not (np.all(np.isfinite(Y)) and np.all(np.isfinite(X))):
        raise ValueError("Y and X must be finite (balanced panel without missing values)")
    sw = weights_operator(W)
    if sw.n != N:
        raise ValueError(f"W is {sw.n} x {sw.n} but the panel has {N} units")
    return Y, X, names, sw


def durbin_design(
    X: np.ndarray, names: list[str], Wm: sparse.spmatrix, durbin: Sequence[str] | None
) -> tuple[np.ndarray, list[str], list[int]]:
    """Append the spatial lags W*x of the Durbin variables to X.

    Parameters
    ----------
    X : ndarray, shape (T, N, K)
        Regressors.
    names : list of str
        Their names.
    Wm : sparse matrix
        N x N weights.
    durbin : sequence of str or None
        Variables to lag; None lags every regressor.

    Returns
    -------
    Xfull, xnames, durbin_idx
        X with the lags appended (named ``W*name``) and the column indices lagged.

    Raises
    ------
    ValueError
        A Durbin variable that is not a regressor.
    """
    dn = list(names) if durbin is None else list(durbin)
    unknown = [d for d in dn if d not in names]
    if unknown:
        raise ValueError(f"durbin variables not among the regressors: {unknown}")
    idx = [names.index(d) for d in dn]
    if not idx:
        return X, list(names), []
    Xfull = np.concatenate([X, spatial_lag(Wm, X[:, :, idx])], axis=2)
    return Xfull, [*names, *(f"W*{d}" for d in dn)], idx


def _ols(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(X, y, rcond=None)[0]


def fit_arrays(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray | SpectralW | SparseW,
    *,
    names: Sequence[str],
    model: str = "sdm",
    fe: str = "twoways",
    durbin: Sequence[str] | None = None,
    lee_yu: bool = False,
    effects: bool = True,
    draws: int = 1000,
    seed: int | None = 12345,
) -> SpatialPanelResult:
    """Fit a SAR, SEM or SDM panel model to arrays.

    Parameters
    ----------
    Y : ndarray, shape (T, N)
        Dependent variable, periods by units.
    X : ndarray, shape (T, N, K)
        Regressors (no constant; one is added when ``fe='none'``).
    W : sparse matrix, ndarray, SpectralW or SparseW
        N x N weights as used in the model (see :func:`weights_operator`); pass an operator to reuse its
        eigen-decomposition across fits.
    names : sequence of str
        Names of the K regressors.
    model : {'sar', 'sem', 'sdm'}
        Model; SDM adds W*X for the variables in ``durbin``.
    fe : {'none', 'unit', 'time', 'twoways'}
        Fixed effects removed by demeaning.
    durbin : sequence of str, optional
        Regressors whose spatial lag enters an SDM (default: all).
    lee_yu : bool
        Use the Lee and Yu (2010) transformation approach: with unit effects sigma2 is divided by
        N(T-1) instead of NT (rho and beta unchanged); with time effects and row-standardised W
        the likelihood uses (N-1) units and log|I - rho W| - log(1 - rho), which also corrects
        rho. The information matrix uses the same effective dimensions.
    effects : bool
        Compute direct / indirect / total effects (SAR, SDM).
    draws : int
        Parameter draws for the effects' standard errors (LeSage and Pace 2009).
    seed : int or None
        Seed of the draws.

    Returns
    -------
    SpatialPanelResult
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, not {model!r}")
    if fe not in FIXED_EFFECTS:
        raise ValueError(f"fe must be one of {FIXED_EFFECTS}, not {fe!r}")
    Y, X, names, sw = checked_arrays(Y, X, names, W)
    T, N = Y.shape
    if lee_yu and fe in ("time", "twoways") and not sw.row_stochastic:
        raise ValueError("the Lee-Yu correction with time effects needs a row-standardised W")
    Wm = sw.W

    xnames = list(names)
    Xfull = X
    durbin_idx: list[int] = []
    if model == "sdm":
        Xfull, xnames, durbin_idx = durbin_design(X, names, Wm, durbin)
    if fe == "none":
        Xfull = np.concatenate([np.ones((T, N, 1)), Xfull], axis=2)
        xnames = ["const", *xnames]

    yd = demean(Y, fe).ravel()
    Xd = demean(Xfull, fe).reshape(T * N, -1)
    scale = np.abs(Xfull).reshape(T * N, -1).max(axis=0) + 1.0
    flat = [n for n, sd, sc in zip(xnames, Xd.std(axis=0), scale, strict=True) if sd <= 1e-10 * sc]
    if fe == "none":
        flat = [n for n in flat if n != "const"]
    if flat:
        raise ValueError(
            f"regressor(s) {', '.join(flat)} do not vary once the {fe} fixed effects are removed"
        )
    if np.linalg.matrix_rank(Xd) < Xd.shape[1]:
        raise ValueError(f"regressors {', '.join(xnames)} are collinear after demeaning ({fe})")
    Wy = demean(spatial_lag(Wm, Y), fe).ravel()
    nobs, teff, drop = _dims(N, T, fe, lee_yu)

    def jac(r: float) -> float:
        v = teff * sw.logdet(r)
        if drop:
            v -= teff * np.log(1.0 - r)
        return float(v)

    lo, hi = sw.rho_bounds
    if model in ("sar", "sdm"):
        b0 = _ols(Xd, yd)
        b1 = _ols(Xd, Wy)
        e0 = yd - Xd @ b0
        e1 = Wy - Xd @ b1

        def negll(r: float) -> float:
            e = e0 - r * e1
            return 0.5 * nobs * np.log(e @ e / nobs) - jac(r)

        res = minimize_scalar(negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
        rho = float(res.x)
        beta = b0 - rho * b1
        e = e0 - rho * e1
        sig2 = float(e @ e / nobs)
        # Information matrix (Elhorst 2014, eq. 3.17), order (beta, rho, sigma2)
        tr1, tr2, tr3 = sw.traces(rho)
        if drop:
            tr1, tr2, tr3 = _lee_yu_traces(sw, rho, tr1, tr2, tr3)
        xb = (Xd @ beta).reshape(T, N)
        wxb = spatial_lag(Wm, _solve_lag(sw, rho, xb))  # W (I - rho W)^-1 X beta
        if drop:  # Lee-Yu: F'M F F'x = F'M x lives in the complement of the constant vector
            wxb = demean(wxb, "time")
        wxb = wxb.ravel()
        k = Xd.shape[1]
        info = np.zeros((k + 2, k + 2))
        info[:k, :k] = Xd.T @ Xd / sig2
        info[:k, k] = info[k, :k] = Xd.T @ wxb / sig2
        info[k, k] = teff * (tr2 + tr3) + wxb @ wxb / sig2
        info[k, k + 1] = info[k + 1, k] = teff * tr1 / sig2
        info[k + 1, k + 1] = nobs / (2.0 * sig2**2)
        cov = np.linalg.inv(info)[: k + 1, : k + 1]
        fitted_d = yd - e
        lam_ = None
        rho_ = rho
    else:
        WXd = demean(spatial_lag(Wm, Xfull), fe).reshape(T * N, -1)

        def sem_fit(lmb: float) -> tuple[np.ndarray, np.ndarray]:
            ys = yd - lmb * Wy
            xs = Xd - lmb * WXd
            b = _ols(xs, ys)
            return b, ys - xs @ b

        def negll(lmb: float) -> float:
            _, e = sem_fit(lmb)
            return 0.5 * nobs * np.log(e @ e / nobs) - jac(lmb)

        res = minimize_scalar(negll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
        lmb = float(res.x)
        beta, e = sem_fit(lmb)
        sig2 = float(e @ e / nobs)
        tr1, tr2, tr3 = _sem_traces(sw, lmb, drop)
        xs = Xd - lmb * WXd
        k = Xd.shape[1]
        # Information matrix (Elhorst 2014, eq. 3.24): beta block-diagonal to (lambda, sigma2)
        cov_b = sig2 * np.linalg.inv(xs.T @ xs)
        v = np.array(
            [[teff * (tr2 + tr3), teff * tr1 / sig2], [teff * tr1 / sig2, nobs / (2 * sig2**2)]]
        )
        cov = np.zeros((k + 1, k + 1))
        cov[:k, :k] = cov_b
        cov[k, k] = np.linalg.inv(v)[0, 0]
        beta = np.asarray(beta)
        u = yd - Xd @ beta
        fitted_d = yd - u
        lam_ = lmb
        rho_ = None
    ll = float(-0.5 * nobs * (np.log(2 * np.pi * sig2) + 1.0) + jac(rho_ if lam_ is None else lam_))

    # R2: within = corr(demeaned y, fitted)^2; overall uses the fitted fixed effects
    r2_within = float(np.corrcoef(yd, fitted_d)[0, 1] ** 2)
    resid_raw = Y.ravel() - (Xfull.reshape(T * N, -1) @ beta)
    if rho_ is not None:
        resid_raw = resid_raw - rho_ * spatial_lag(Wm, Y).ravel()
    # fixed effects are the means of the raw residual that demeaning removed
    fe_part = resid_raw.reshape(T, N) - demean(resid_raw.reshape(T, N), fe)
    fitted_raw = Y.ravel() - resid_raw + fe_part.ravel()
    yc = Y.ravel() - Y.mean()
    r2 = float(1.0 - np.sum((Y.ravel() - fitted_raw) ** 2) / (yc @ yc))

    result = SpatialPanelResult(
        model=model,
        fe=fe,
        names=xnames,
        params=np.asarray(beta, dtype=float),
        rho=rho_,
        lam=lam_,
        sigma2=sig2,
        cov=cov,
        log_likelihood=ll,
        r2=r2,
        r2_within=r2_within,
        n_units=N,
        n_periods=T,
        lee_yu=lee_yu,
        residuals=e.reshape(T, N),
    )
    if effects and model in ("sar", "sdm"):
        result.effects = _effects_table(result, sw, names, durbin_idx, draws, seed)
        result.effects_draws = draws
        result.effects_seed = seed
    return result


def _solve_lag(sw: SpectralW | SparseW, rho: float, xb: np.ndarray) -> np.ndarray:
    """(I - rho W)^-1 applied to every period of xb (T, N), by sparse LU."""
    A = (sparse.identity(sw.n, format="csc") - rho * sw.W).tocsc()
    lu = splu(A)
    return lu.solve(np.ascontiguousarray(xb.T)).T


def _sem_traces(sw: SpectralW | SparseW, lam: float, drop: int) -> tuple[float, float, float]:
    tr1, tr2, tr3 = sw.traces(lam)
    if drop:
        tr1, tr2, tr3 = _lee_yu_traces(sw, lam, tr1, tr2, tr3)
    return tr1, tr2, tr3


def _lee_yu_traces(
    sw: SpectralW | SparseW, rho: float, tr1: float, tr2: float, tr3: float
) -> tuple[float, float, float]:
    """Traces of M* = F' M F for the Lee-Yu transformed W* = F' W F (row-standardised W).

    F (N x N-1) is an orthonormal basis of the complement of the constant vector, J = 11'/N and
    g = 1 / (1 - rho) (M 1 = g 1). Then tr(M*) = tr(M) - g, tr(M* M*) = tr(M M) - g^2 and
    tr(M*'M*) = tr(M'M) - ||M'1||^2 / N, with M'1 = (I - rho W')^-1 W'1 from one sparse solve.
    """
    g = 1.0 / (1.0 - rho)
    A = (sparse.identity(sw.n, format="csc") - rho * sw.W.T).tocsc()
    colsum = np.asarray(sw.W.sum(axis=0)).ravel()
    mt1 = splu(A).solve(colsum)
    return tr1 - g, tr2 - g * g, tr3 - float(mt1 @ mt1) / sw.n


def _effects_table(
    res: SpatialPanelResult,
    sw: SpectralW | SparseW,
    base: list[str],
    durbin_idx: list[int],
    draws: int,
    seed: int | None,
) -> pd.DataFrame:
    """Effects at the point estimates, with SEs from draws of N(estimate, cov)."""
    k = len(base)
    off = 1 if res.names and res.names[0] == "const" else 0
    idx_b = np.arange(off, off + k)
    idx_t = np.arange(off + k, off + k + len(durbin_idx))
    irho = len(res.params)

    def split(vec: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        vec = np.atleast_2d(vec)
        beta = vec[:, idx_b]
        theta = np.zeros_like(beta)
        if durbin_idx:
            theta[:, durbin_idx] = vec[:, idx_t]
        return vec[:, irho], beta, theta

    point = np.r_[res.params, res.rho]
    r0, b0, t0 = split(point)
    d0, i0, tot0 = (a[0] for a in sw.effects(r0, b0, t0))
    if draws > 0:
        rng = np.random.default_rng(seed)
        try:
            sims = rng.multivariate_normal(point, res.cov, size=draws, method="cholesky")
        except np.linalg.LinAlgError:  # covariance only semi-definite (collinear regressors)
            sims = rng.multivariate_normal(point, res.cov, size=draws, method="eigh")
        lo, hi = sw.rho_bounds
        sims = sims[(sims[:, irho] > lo) & (sims[:, irho] < hi)]
        rd, bd, td = split(sims)
        dd, idd, totd = sw.effects(rd, bd, td)
        ses = [dd.std(axis=0, ddof=1), idd.std(axis=0, ddof=1), totd.std(axis=0, ddof=1)]
    else:
        ses = [np.full(k, np.nan)] * 3
    rows = []
    for label, est, se in zip(("direct", "indirect", "total"), (d0, i0, tot0), ses, strict=True):
        for j, name in enumerate(base):
            z = est[j] / se[j] if se[j] > 0 else np.nan
            rows.append(
                {
                    "effect": label,
                    "variable": name,
                    "estimate": float(est[j]),
                    "se": float(se[j]),
                    "z": float(z),
                    "p": float(_pvalue(np.asarray(z))),
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Long-panel front end
# --------------------------------------------------------------------------------------------
def panel_arrays(
    panel: pd.DataFrame,
    *,
    y: str,
    x: Sequence[str],
    id_col: str,
    time_col: str,
    ids: Sequence[Any],
) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Turn a long balanced panel into Y (T, N) and X (T, N, K) in the order of ``ids``.

    Parameters
    ----------
    panel : DataFrame
        One row per unit and period.
    y, x, id_col, time_col : str
        Column names.
    ids : sequence
        Unit order (that of the weights).

    Returns
    -------
    Y, X, periods

    Raises
    ------
    ValueError
        Naming the unit/period or column when the panel is unbalanced, duplicated or has missing
        values.
    """
    cols = [id_col, time_col, y, *x]
    missing = [c for c in cols if c not in panel.columns]
    if missing:
        raise ValueError(f"columns not in the panel: {missing}")
    df = panel[cols]
    dup = df.duplicated([id_col, time_col])
    if dup.any():
        r = df[dup].iloc[0]
        raise ValueError(f"unit {r[id_col]!r} has more than one row for period {r[time_col]!r}")
    idset = set(ids)
    extra = set(df[id_col]) - idset
    if extra:
        raise ValueError(f"{len(extra)} unit(s) are not in the weights, e.g. {sorted(extra)[0]!r}")
    periods = sorted(df[time_col].unique())
    full = pd.MultiIndex.from_product([periods, list(ids)], names=[time_col, id_col])
    wide = df.set_index([time_col, id_col]).reindex(full)
    for c in [y, *x]:
        bad = wide[c].isna()
        if bad.any():
            t, i = wide.index[bad.to_numpy().nonzero()[0][0]]
            raise ValueError(
                f"unbalanced panel: column {c!r} is missing for unit {i!r} in period {t!r}"
            )
    T, N = len(periods), len(ids)
    Y = wide[y].to_numpy(dtype=float).reshape(T, N)
    X = wide[list(x)].to_numpy(dtype=float).reshape(T, N, len(x))
    return Y, X, periods


def fit_spatial_panel(
    panel: pd.DataFrame,
    w: libpysal.weights.W,
    *,
    y: str,
    x: Sequence[str],
    id_col: str,
    time_col: str,
    model: str = "sdm",
    fe: str = "twoways",
    transformation: str = "r",
    durbin: Sequence[str] | None = None,
    lee_yu: bool = False,
    effects: bool = True,
    draws: int = 1000,
    seed: int | None = 12345,
    w_method: str = "auto",
) -> SpatialPanelResult:
    """Fit a spatial panel model to a long DataFrame with libpysal weights.

    Parameters
    ----------
    panel : DataFrame
        Balanced long panel (one row per unit and period).
    w : libpysal.weights.W
        Weights whose ids are the values of ``id_col``.
    y : str
        Dependent variable.
    x : sequence of str
        Regressors.
    id_col, time_col : str
        Unit and period columns.
    model, fe, durbin, lee_yu, effects, draws, seed
        See :func:`fit_arrays` (SAC, SDEM, GNS:
        :func:`policylink.spatial.panel_models.fit_panel_general`).
    transformation : {'r', 'b'}
        Weights transformation (row-standardised by default, as xsmle and Elhorst).
    w_method : {'auto', 'eigen', 'sparse'}
        How log-determinants and traces are computed (see :func:`weights_operator`).

    Returns
    -------
    SpatialPanelResult
    """
    Y, X, _ = panel_arrays(panel, y=y, x=x, id_col=id_col, time_col=time_col, ids=w.id_order)
    with fit_threads(len(w.id_order)):
        W = weights_operator(weights_matrix(w, transformation), w_method)
        return fit_arrays(
            Y,
            X,
            W,
            names=list(x),
            model=model,
            fe=fe,
            durbin=durbin,
            lee_yu=lee_yu,
            effects=effects,
            draws=draws,
            seed=seed,
        )


def fit_sdm(panel: pd.DataFrame, w: libpysal.weights.W, **kwargs: Any) -> SpatialPanelResult:
    """Spatial Durbin panel model: :func:`fit_spatial_panel` with ``model='sdm'``.

    Parameters
    ----------
    panel : DataFrame
        Balanced long panel.
    w : libpysal.weights.W
        Weights.
    **kwargs
        Passed to :func:`fit_spatial_panel` (``y``, ``x``, ``id_col``, ``time_col`` required).

    Returns
    -------
    SpatialPanelResult
    """
    return fit_spatial_panel(panel, w, model="sdm", **kwargs)


# --------------------------------------------------------------------------------------------
# Random effects (SAR / SDM)
# --------------------------------------------------------------------------------------------
def _re_loglik(
    params: np.ndarray, yd: Any, sw: SpectralW | SparseW, Y: np.ndarray, Xc: np.ndarray
) -> float:
    """Full log-likelihood of the random-effects SAR (Elhorst 2014, eq. 3.36).

    ``params`` = (beta incl. intercept, rho, phi, sigma2); the data are quasi-demeaned with
    weight 1 - phi on the unit means: y* = y - (1 - phi) ybar_i.
    """
    T, N = Y.shape
    k = Xc.shape[2]
    beta, rho, phi, sig2 = params[:k], params[k], params[k + 1], params[k + 2]
    ys = Y - (1 - phi) * Y.mean(axis=0, keepdims=True)
    wy = spatial_lag(sw.W, Y)
    wys = wy - (1 - phi) * wy.mean(axis=0, keepdims=True)
    xs = Xc - (1 - phi) * Xc.mean(axis=0, keepdims=True)
    e = (ys - rho * wys - xs @ beta).ravel()
    return float(
        -0.5 * N * T * np.log(2 * np.pi * sig2)
        + T * sw.logdet(rho)
        + 0.5 * N * np.log(phi**2)
        - e @ e / (2 * sig2)
    )


def fit_random_effects(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray | SpectralW | SparseW,
    *,
    names: Sequence[str],
    model: str = "sdm",
    durbin: Sequence[str] | None = None,
    tol: float = 1e-8,
    max_iter: int = 200,
    time_effects: bool = False,
    effects: bool = True,
    draws: int = 1000,
    seed: int | None = 12345,
) -> SpatialPanelResult:
    """Random unit effects SAR or SDM by iterated concentrated ML (Elhorst 2014, sec. 3.4.2).

    The unit effects mu_i ~ N(0, sigma2_mu) are handled by quasi-demeaning with
    phi^2 = sigma2 / (T sigma2_mu + sigma2): given phi, (beta, rho) come from the concentrated
    SAR likelihood of the transformed data; given (beta, rho), phi maximises
    -NT/2 log(e(phi)'e(phi)) + N/2 log(phi^2). The two steps alternate until phi changes by less
    than ``tol``. Standard errors come from the numerical Hessian of the full log-likelihood
    in (beta, rho, phi, sigma2).

    Parameters
    ----------
    Y, X, W, names, durbin
        As in :func:`fit_arrays`.
    model : {'sar', 'sdm'}
        Spatial lag model with or without W*X.
    tol, max_iter : float, int
        Convergence settings for phi.
    time_effects : bool
        Add time fixed effects (random unit + fixed time effects, Elhorst's model 3): y and X
        are demeaned by period first and no intercept is estimated.
    effects, draws, seed
        Direct / indirect / total effects and their simulation settings (see
        :func:`fit_arrays`).

    Returns
    -------
    SpatialPanelResult
        ``fe='random'`` (``'random+time'`` with time effects); ``names`` start with ``const``
        without time effects; ``notes`` carries phi and its SE; ``effects`` as in
        :func:`fit_arrays`.
    """
    if model not in ("sar", "sdm"):
        raise ValueError("random effects are implemented for 'sar' and 'sdm'")
    Y = np.asarray(Y, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[:, :, None]
    T, N = Y.shape
    sw = weights_operator(W)
    names = list(names)
    Xfull, xnames = X, list(names)
    if model == "sdm":
        dn = list(names) if durbin is None else list(durbin)
        idx = [names.index(d) for d in dn]
        Xfull = np.concatenate([X, spatial_lag(sw.W, X[:, :, idx])], axis=2)
        xnames += [f"W*{d}" for d in dn]
    if time_effects:
        Y = demean(Y, "time")
        Xc = demean(Xfull, "time")
    else:
        Xc = np.concatenate([np.ones((T, N, 1)), Xfull], axis=2)
        xnames = ["const", *xnames]
    k = Xc.shape[2]
    wy = spatial_lag(sw.W, Y)
    lo, hi = sw.rho_bounds
    phi = 1.0
    rho = 0.0
    beta = np.zeros(k)
    for _ in range(max_iter):
        ys = (Y - (1 - phi) * Y.mean(axis=0, keepdims=True)).ravel()
        wys = (wy - (1 - phi) * wy.mean(axis=0, keepdims=True)).ravel()
        xs = (Xc - (1 - phi) * Xc.mean(axis=0, keepdims=True)).reshape(T * N, k)
        b0, b1 = _ols(xs, ys), _ols(xs, wys)
        e0, e1 = ys - xs @ b0, wys - xs @ b1

        def negll_rho(r: float, e0: np.ndarray = e0, e1: np.ndarray = e1) -> float:
            e = e0 - r * e1
            return 0.5 * N * T * np.log(e @ e) - T * float(sw.logdet(r))

        rho = float(
            minimize_scalar(
                negll_rho, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}
            ).x
        )
        beta = b0 - rho * b1
        ybar, wybar, xbar = Y.mean(axis=0), wy.mean(axis=0), Xc.mean(axis=0)
        a = Y - rho * wy - Xc @ beta  # residual before removing the unit means
        abar = ybar - rho * wybar - xbar @ beta

        def negll_phi(p: float, a: np.ndarray = a, abar: np.ndarray = abar) -> float:
            e = (a - (1 - p) * abar[None, :]).ravel()
            return 0.5 * N * T * np.log(e @ e) - 0.5 * N * np.log(p * p)

        new_phi = float(
            minimize_scalar(
                negll_phi, bounds=(1e-6, 1.0), method="bounded", options={"xatol": 1e-10}
            ).x
        )
        if abs(new_phi - phi) < tol:
            phi = new_phi
            break
        phi = new_phi
    ys = Y - (1 - phi) * Y.mean(axis=0, keepdims=True)
    wys = wy - (1 - phi) * wy.mean(axis=0, keepdims=True)
    xs = Xc - (1 - phi) * Xc.mean(axis=0, keepdims=True)
    e = (ys - rho * wys - xs @ beta).ravel()
    sig2 = float(e @ e / (N * T))
    theta = np.r_[beta, rho, phi, sig2]
    hess = _num_hessian(lambda p: _re_loglik(p, None, sw, Y, Xc), theta)
    cov_full = np.linalg.inv(-hess)
    cov = cov_full[: k + 1, : k + 1]
    fitted = ys.ravel() - e
    r2w = float(np.corrcoef(ys.ravel(), fitted)[0, 1] ** 2)
    yc = Y.ravel() - Y.mean()
    r2 = float(1 - e @ e / (yc @ yc))
    result = SpatialPanelResult(
        model=model,
        fe="random+time" if time_effects else "random",
        names=xnames,
        params=beta,
        rho=rho,
        lam=None,
        sigma2=sig2,
        cov=cov,
        log_likelihood=_re_loglik(theta, None, sw, Y, Xc),
        r2=r2,
        r2_within=r2w,
        n_units=N,
        n_periods=T,
        lee_yu=False,
        residuals=e.reshape(T, N),
        notes=[f"phi = {phi:.6g} (se {np.sqrt(cov_full[k + 1, k + 1]):.3g})"],
    )
    if effects:
        durbin_idx = [names.index(d) for d in (list(names) if durbin is None else durbin)]
        result.effects = _effects_table(
            result, sw, names, durbin_idx if model == "sdm" else [], draws, seed
        )
        result.effects_draws = draws
        result.effects_seed = seed
    return result


def _num_hessian(f: Any, x: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of a scalar function (steps scaled to each parameter)."""
    n = x.size
    h = 1e-4 * np.maximum(np.abs(x), 1e-2)
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = h[i]
            ej[j] = h[j]
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * h[i] * h[j]
            )
            H[i, j] = H[j, i] = v
    return H


# --------------------------------------------------------------------------------------------
# Group heterogeneity
# --------------------------------------------------------------------------------------------
def fit_by_group(
    panel: pd.DataFrame,
    w: libpysal.weights.W,
    *,
    group_col: str,
    y: str,
    x: Sequence[str],
    id_col: str,
    time_col: str,
    fitter: Any = None,
    **kwargs: Any,
) -> dict[Any, SpatialPanelResult]:
    """Fit the same model on every subgroup, with the weights restricted to the group.

    As seed 000 Tables 6-7 (resource-dependent cities vs others): W is cut to the links inside
    the group and then transformed again (row-standardised by default), so a unit whose
    neighbours are all in other groups becomes an island with a zero row.

    Parameters
    ----------
    panel : DataFrame
        Balanced long panel; ``group_col`` must be constant within each unit.
    w : libpysal.weights.W
        Weights for all units.
    group_col : str
        Column with the group of each unit.
    y, x, id_col, time_col, **kwargs
        As in :func:`fit_spatial_panel`.
    fitter : callable, optional
        The long-panel estimator (default :func:`fit_spatial_panel`; e.g.
        :func:`policylink.spatial.panel_models.fit_panel_general` for SAC / SDEM / GNS).

    Returns
    -------
    dict
        Group value -> SpatialPanelResult, in sorted group order.
    """
    if group_col not in panel.columns:
        raise ValueError(f"column {group_col!r} not in the panel")
    per_unit = panel.groupby(id_col)[group_col].nunique()
    if (per_unit > 1).any():
        bad = per_unit[per_unit > 1].index[0]
        raise ValueError(f"unit {bad!r} changes group over time in column {group_col!r}")
    groups = panel.groupby(id_col)[group_col].first()
    out: dict[Any, SpatialPanelResult] = {}
    for g in sorted(groups.unique()):
        in_group = set(groups.index[groups == g])
        members = [i for i in w.id_order if i in in_group]
        mset = set(members)
        neighbors = {i: [j for j in w.neighbors[i] if j in mset] for i in members}
        weights = {
            i: [wt for j, wt in zip(w.neighbors[i], w.weights[i], strict=True) if j in mset]
            for i in members
        }
        wg = libpysal.weights.W(neighbors, weights, id_order=members, silence_warnings=True)
        sub = panel[panel[id_col].isin(members)]
        fit = fitter or fit_spatial_panel
        out[g] = fit(sub, wg, y=y, x=x, id_col=id_col, time_col=time_col, **kwargs)
    return out
