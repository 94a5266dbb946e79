"""The sparse weights operator (large N) against the exact eigen path and closed forms.

The eigen path (:class:`SpectralW`) is the reference: every eigenvalue of W, exact traces. The
sparse path (:class:`SparseW`) must give the same log-determinant and point estimates (to
rounding) and standard errors / effects within a small Monte Carlo tolerance.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.sparse.linalg import spsolve

from policylink.spatial.panel import (
    EIGEN_LIMIT,
    SpectralW,
    fit_spatial_panel,
    weights_matrix,
    weights_operator,
)
from policylink.spatial.sparse_w import SparseW


def _lattice(side: int, transform: str = "r") -> libpysal.weights.W:
    w = libpysal.weights.lat2W(side, side, rook=False)
    w.transform = transform
    return w


def _knn(n: int = 400, k: int = 5, seed: int = 3) -> libpysal.weights.W:
    pts = np.random.default_rng(seed).uniform(size=(n, 2))
    w = libpysal.weights.KNN.from_array(pts, k=k)
    w.transform = "r"
    return w


def _panel(w: libpysal.weights.W, T: int = 8, rho: float = 0.45, seed: int = 1) -> pd.DataFrame:
    """SYNTHETIC SDM panel: y = rho W y + 0.5 x1 - 0.3 x2 + 0.2 W x1 + unit effect + e."""
    n = w.n
    rng = np.random.default_rng(seed)
    W = w.sparse
    A = (sparse.identity(n) - rho * W).tocsc()
    mu = rng.normal(size=n)
    x1, x2 = rng.normal(size=(T, n)), rng.normal(size=(T, n))
    y = np.vstack(
        [
            spsolve(A, mu + 0.5 * x1[t] - 0.3 * x2[t] + 0.2 * (W @ x1[t]) + rng.normal(size=n))
            for t in range(T)
        ]
    )
    ids = np.asarray(w.id_order)
    return pd.DataFrame(
        {
            "code": np.tile(ids, T),
            "year": np.repeat(np.arange(T), n),
            "y": y.ravel(),
            "x1": x1.ravel(),
            "x2": x2.ravel(),
        }
    )


@pytest.mark.parametrize("make", [lambda: _lattice(20), lambda: _lattice(20, "b"), _knn])
def test_logdet_and_bounds_match_the_eigenvalues(make) -> None:
    w = make()
    W = weights_matrix(w, w.transform.lower() if w.transform else "r")
    dense = SpectralW(W)
    sp = weights_operator(W, "sparse")
    assert isinstance(sp, SparseW)
    lo, hi = dense.rho_bounds
    for r in np.linspace(max(lo, -0.99), min(hi, 0.99) * 0.999, 7):
        # closed form: log|I - rho W| = sum log(1 - rho lambda_j)
        assert sp.logdet(r) == pytest.approx(float(dense.logdet(r)), rel=1e-10, abs=1e-9)
    if dense.symmetric_similar:
        assert sp.rho_bounds == pytest.approx(dense.rho_bounds, rel=1e-8)
    else:  # row-stochastic but not symmetrisable (kNN): the safe interval (-1, 1)
        assert sp.rho_bounds[0] >= dense.rho_bounds[0] - 1e-9
        assert sp.rho_bounds[1] <= dense.rho_bounds[1] + 1e-9


def test_exact_power_traces() -> None:
    W = weights_matrix(_lattice(12), "r")
    sp = SparseW(W, SpectralW._symmetrising_diagonal(W))
    t = sp.power_traces(6)
    D = W.toarray()
    ref = [np.trace(np.linalg.matrix_power(D, k)) for k in range(7)]
    np.testing.assert_allclose(t, ref, rtol=1e-12, atol=1e-10)
    ones = sp.ones_powers(4)
    np.testing.assert_allclose(
        ones, [np.ones(144) @ np.linalg.matrix_power(D, k) @ np.ones(144) for k in range(5)]
    )


def test_traces_close_to_exact() -> None:
    W = weights_matrix(_lattice(25), "r")
    dense = SpectralW(W)
    sp = weights_operator(W, "sparse")
    for r in (-0.5, 0.3, 0.7):
        ref = dense.traces(r)
        got = sp.traces(r)
        np.testing.assert_allclose(got[:2], ref[:2], rtol=3e-3)
        assert got[2] == pytest.approx(ref[2], rel=5e-3)


@pytest.mark.parametrize(("model", "fe"), [("sdm", "twoways"), ("sar", "unit"), ("sem", "unit")])
def test_fit_sparse_equals_eigen(model: str, fe: str) -> None:
    w = _lattice(24)
    panel = _panel(w)
    kw = {
        "y": "y",
        "x": ["x1", "x2"],
        "id_col": "code",
        "time_col": "year",
        "model": model,
        "fe": fe,
        "effects": model != "sem",
        "draws": 400,
        "seed": 7,
    }
    a = fit_spatial_panel(panel, w, w_method="eigen", **kw)
    b = fit_spatial_panel(panel, w, w_method="sparse", **kw)
    np.testing.assert_allclose(b.params, a.params, rtol=1e-6, atol=1e-7)
    assert (b.rho or b.lam) == pytest.approx(a.rho or a.lam, abs=1e-6)
    assert b.log_likelihood == pytest.approx(a.log_likelihood, rel=1e-9)
    np.testing.assert_allclose(np.sqrt(np.diag(b.cov)), np.sqrt(np.diag(a.cov)), rtol=1e-2)
    if model != "sem":
        ea, eb = a.effects, b.effects
        np.testing.assert_allclose(eb["estimate"], ea["estimate"], rtol=2e-3, atol=1e-4)
        np.testing.assert_allclose(eb["se"], ea["se"], rtol=3e-2)


def test_binary_weights_not_row_stochastic() -> None:
    """Binary contiguity (spectral radius > 1): bounds, total effects by the power series."""
    w = _lattice(15, "b")
    panel = _panel(w, rho=0.08)
    kw = {
        "y": "y",
        "x": ["x1", "x2"],
        "id_col": "code",
        "time_col": "year",
        "model": "sdm",
        "fe": "unit",
        "transformation": "b",
        "draws": 200,
        "seed": 3,
    }
    a = fit_spatial_panel(panel, w, w_method="eigen", **kw)
    b = fit_spatial_panel(panel, w, w_method="sparse", **kw)
    assert b.rho == pytest.approx(a.rho, abs=1e-8)
    np.testing.assert_allclose(b.effects["estimate"], a.effects["estimate"], rtol=2e-3, atol=1e-4)


def test_auto_switches_above_the_limit() -> None:
    side = int(np.ceil(np.sqrt(EIGEN_LIMIT + 1)))
    W = weights_matrix(_lattice(side), "r")
    assert isinstance(weights_operator(W), SparseW)
    assert isinstance(weights_operator(weights_matrix(_lattice(10), "r")), SpectralW)
    with pytest.raises(ValueError, match="method must be one of"):
        weights_operator(W, "dense")
