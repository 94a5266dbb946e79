"""Geary's C, local Geary, local bivariate Moran, EB-rate and differential Moran, FDR.

Reference: esda (an independent implementation of the same statistics) on the same weights and
data: statistics and analytic moments to 1e-10; permutation p-values in distribution (different
random streams: the same seed scheme is not required), i.e. close on average and highly
correlated across units.
"""

from __future__ import annotations

import esda
import libpysal
import numpy as np
import pytest
from esda.smoothing import assuncao_rate

from policylink.spatial.esda_more import (
    adjust_pvalues,
    differential_moran,
    eb_rate,
    fdr_threshold,
    geary,
    local_bivariate_moran,
    local_geary,
    rate_moran,
)


def _field(rows: int = 12, cols: int = 12, seed: int = 3) -> tuple[libpysal.weights.W, np.ndarray]:
    """A rook lattice and a spatially smooth variable (a trend plus smoothed noise)."""
    w = libpysal.weights.lat2W(rows, cols, rook=True)
    rng = np.random.default_rng(seed)
    e = rng.normal(size=rows * cols)
    wr = libpysal.weights.lat2W(rows, cols, rook=True)
    wr.transform = "r"
    y = np.arange(rows * cols) % cols * 0.3 + e + 0.8 * (wr.sparse @ e)
    return w, y


def _fresh(w):
    return libpysal.weights.W(w.neighbors, w.weights, id_order=w.id_order, silence_warnings=True)


@pytest.mark.parametrize("transformation", ["r", "b"])
def test_geary_equals_esda(transformation):
    w, y = _field()
    ours = geary(y, w, transformation=transformation, permutations=999, seed=1)
    np.random.seed(2)
    ref = esda.Geary(y, _fresh(w), transformation=transformation, permutations=999)
    for a, b in [
        (ours.C, ref.C),
        (ours.VC_norm, ref.VC_norm),
        (ours.VC_rand, ref.VC_rand),
        (ours.z_norm, ref.z_norm),
        (ours.z_rand, ref.z_rand),
        (ours.p_norm, ref.p_norm),
        (ours.p_rand, ref.p_rand),
    ]:
        assert a == pytest.approx(b, rel=1e-10, abs=1e-14)
    assert ours.C < 1 and ours.p_sim == pytest.approx(ref.p_sim, abs=0.01)
    assert ours.EC_sim == pytest.approx(ref.EC_sim, abs=0.02)


def test_geary_is_seeded_and_refuses_constants():
    w, y = _field()
    a = geary(y, w, permutations=99, seed=5)
    b = geary(y, w, permutations=99, seed=5)
    assert a.p_sim == b.p_sim and a.z_sim == b.z_sim
    with pytest.raises(ValueError, match="constant"):
        geary(np.full(w.n, 3.0), w)


def test_geary_under_the_null_is_not_significant_too_often():
    """Independent noise: the permutation test rejects at about its level (simulation)."""
    w = libpysal.weights.lat2W(8, 8)
    rng = np.random.default_rng(11)
    p = [geary(rng.normal(size=64), w, permutations=199, seed=k).p_sim for k in range(200)]
    # folded one-sided p: P(p <= 0.05) ~ 0.10 under H0
    assert 0.04 < np.mean(np.asarray(p) <= 0.05) < 0.17


def test_local_geary_equals_esda():
    w, y = _field()
    ours = local_geary(y, w, permutations=999, seed=1)
    ref = esda.Geary_Local(connectivity=_fresh(w), permutations=999, seed=2, labels=True).fit(y)
    np.testing.assert_allclose(ours.statistic, ref.localG, rtol=1e-10)
    assert np.corrcoef(ours.p_sim, ref.p_sim)[0, 1] > 0.95
    assert np.mean(np.abs(ours.p_sim - ref.p_sim)) < 0.02
    # significant labels: esda codes 1 (c_i small, y high), 2 (small, low), 3 (large)
    lab = {1: "high-high", 2: "low-low", 3: "negative"}
    mine = local_geary(y, w, permutations=999, seed=2)
    both = (mine.p_sim <= 0.05) & (ref.p_sim <= 0.05)
    assert both.sum() > 5
    assert [lab[int(c)] for c in ref.labs[both]] == list(mine.label[both])


def test_local_bivariate_moran_equals_esda():
    w, y = _field()
    rng = np.random.default_rng(9)
    x = y + rng.normal(size=y.size)
    ours = local_bivariate_moran(x, y, w, permutations=999, seed=1)
    ref = esda.Moran_Local_BV(x, y, _fresh(w), permutations=999, seed=2)
    np.testing.assert_allclose(ours.statistic, ref.Is, rtol=1e-10)
    assert np.corrcoef(ours.p_sim, ref.p_sim)[0, 1] > 0.95
    assert np.mean(np.abs(ours.p_sim - ref.p_sim)) < 0.02
    quads = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    sig = ours.significant
    assert [quads[int(q)] for q in ref.q[sig]] == list(ours.label[sig])


def test_local_statistics_leave_islands_untested():
    w, y = _field(4, 4)
    nb = {k: [j for j in v if j != 0] for k, v in w.neighbors.items()}
    nb[0] = []
    wi = libpysal.weights.W(nb, silence_warnings=True)
    for res in (
        local_geary(y, wi, permutations=99, seed=1),
        local_bivariate_moran(y, y[::-1], wi, permutations=99, seed=1),
    ):
        assert np.isnan(res.p_sim[0]) and np.isnan(res.statistic[0])
        assert not res.significant[0] and res.label[0] == "neighbourless"
    with pytest.raises(ValueError, match="constant"):
        local_bivariate_moran(y, np.ones_like(y), w)


def test_eb_rate_and_rate_moran_equal_esda():
    w, y = _field()
    rng = np.random.default_rng(4)
    pop = rng.integers(5_000, 200_000, size=w.n).astype(float)
    events = rng.poisson(pop * (0.001 + 0.0002 * (y - y.min())))
    np.testing.assert_allclose(eb_rate(events, pop), assuncao_rate(events, pop), rtol=1e-10)
    ours = rate_moran(events, pop, w, permutations=0)
    ref = esda.Moran_Rate(events, pop, _fresh(w), adjusted=True, permutations=0)
    assert ours.I == pytest.approx(ref.I, rel=1e-10)
    assert ours.z_norm == pytest.approx(ref.z_norm, rel=1e-10)
    with pytest.raises(ValueError, match="> 0"):
        eb_rate(events, np.where(np.arange(w.n) == 0, 0.0, pop))


def test_differential_moran_is_moran_of_the_change():
    w, y = _field()
    rng = np.random.default_rng(8)
    before = rng.normal(size=w.n) * 5 + 100
    after = before + y  # unit effects cancel; the change is the smooth field
    ours = differential_moran(before, after, w, permutations=0)
    ref = esda.Moran(after - before, _fresh(w), permutations=0)
    assert ours.I == pytest.approx(ref.I, rel=1e-10) and ours.I > 0.3
    with pytest.raises(ValueError, match="constant"):
        differential_moran(before, before + 2.0, w)


def test_fdr_and_bonferroni_by_hand_and_against_esda():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, np.nan, 0.6])
    # BH at 0.05 with m = 9 tested: k alpha / m = 0.0056, 0.0111, 0.0167, 0.0222, ...
    assert list(np.flatnonzero(adjust_pvalues(p, "fdr", 0.05))) == [0, 1]
    assert list(np.flatnonzero(adjust_pvalues(p, "bonferroni", 0.05))) == [0]
    assert not adjust_pvalues(p, "none", 0.05)[8]
    rng = np.random.default_rng(0)
    for _ in range(20):
        q = np.concatenate([rng.uniform(size=80), rng.uniform(0, 0.01, size=20)])
        assert fdr_threshold(q, 0.05) == pytest.approx(esda.fdr(q, 0.05))
        assert (adjust_pvalues(q, "fdr", 0.05) == (q <= esda.fdr(q, 0.05))).all()
