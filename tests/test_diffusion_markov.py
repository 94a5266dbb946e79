"""Markov dynamics (policylink.spatial.markov) against closed forms, simulation and giddy.

References: (a) Kemeny & Snell's Land of Oz chain (steady state and mean first passage times
printed in *Finite Markov Chains*, 1976, pp. 218-219) and hand counts on tiny panels;
(b) recovery of a known transition matrix from simulated chains; (c) giddy 2.3.8 run outside
the project environment on a fixed 20-unit panel (``tests/data/giddy/``, README there).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from policylink.spatial import markov as mk

DATA = Path(__file__).parent / "data" / "giddy"
OZ = np.array([[0.5, 0.25, 0.25], [0.5, 0.0, 0.5], [0.25, 0.25, 0.5]])


# ------------------------------------------------------------------------------------------
# (a) closed forms and hand counts
# ------------------------------------------------------------------------------------------
def test_land_of_oz_steady_state_and_passage_times():
    np.testing.assert_allclose(mk.steady_state(OZ), [0.4, 0.2, 0.4])
    published = [[2.5, 4.0, 10 / 3], [8 / 3, 5.0, 8 / 3], [10 / 3, 4.0, 2.5]]
    np.testing.assert_allclose(mk.first_passage_times(OZ), published)
    np.testing.assert_allclose(mk.sojourn_times(OZ), [2.0, 1.0, 2.0])


def test_absorbing_adoption_chain_closed_form():
    h = 0.2  # hazard: geometric waiting time, mean 1 / h
    P = np.array([[1 - h, h], [0.0, 1.0]])
    np.testing.assert_allclose(mk.steady_state(P), [0.0, 1.0])
    M = mk.first_passage_times(P)
    assert M[0, 1] == pytest.approx(1 / h) and M[1, 1] == 1.0
    assert np.isinf(M[1, 0]) and np.isinf(M[0, 0])
    assert mk.sojourn_times(P)[0] == pytest.approx(1 / h) and np.isinf(mk.sojourn_times(P)[1])
    assert mk.recurrent_classes(P) == [[1]]


def test_two_recurrent_classes_have_no_unique_steady_state():
    P = np.eye(3)
    P[1] = [0.5, 0.0, 0.5]
    assert np.isnan(mk.steady_state(P)).all()
    M = mk.first_passage_times(P)
    assert np.isinf(M[1, 0])  # from 1 the chain may be absorbed in 2 instead


def test_hand_counted_transitions_and_classes():
    y = np.array([[1.0, 2.0, 3.0], [4.0, 3.0, 1.0], [2.0, 2.0, 4.0]])
    ids, k, cuts = mk.panel_classes(y, classing="cutoffs", cutoffs=[2.0])
    # class 0: y <= 2, class 1: y > 2
    np.testing.assert_array_equal(ids, [[0, 0, 1], [1, 1, 0], [0, 0, 1]])
    assert k == 2 and cuts == [2.0]
    res = mk.markov(y, classing="cutoffs", cutoffs=[2.0])
    np.testing.assert_array_equal(res.counts, [[2, 2], [1, 1]])
    np.testing.assert_allclose(res.p, [[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_allclose(res.steady_state, [0.5, 0.5])
    np.testing.assert_allclose(res.fmpt, [[2, 2], [2, 2]])


def test_spatial_markov_hand_counts_on_a_path():
    # path 0-1-2; adoption spreads from unit 0
    y = np.array([[1, 1, 1], [0, 1, 1], [0, 0, 0]], float)
    W = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], float)
    r = mk.spatial_markov(y, W, classing="discrete", lag_cutoffs=[0.0])
    # lags (row-standardised): t0 [0, .5, 0], t1 [1, .5, 1]
    np.testing.assert_array_equal(r.lag_ids[:, :2], [[0, 1], [1, 1], [0, 1]])
    # lag class 0 (no neighbour adopted): 0: 1->1 (t0); 2: 0->0 (t0)
    np.testing.assert_array_equal(r.counts[0], [[1, 0], [0, 1]])
    # lag class 1: 1: 0->1 (t0), 1->1 (t1); 0: 1->1 (t1); 2: 0->0 (t1)
    np.testing.assert_array_equal(r.counts[1], [[1, 1], [0, 2]])
    np.testing.assert_allclose(r.p[1], [[0.5, 0.5], [0.0, 1.0]])


def test_homogeneity_of_identical_regimes_is_zero():
    T = np.array([[[8, 2], [3, 7]], [[16, 4], [6, 14]]], float)
    h = mk.homogeneity(T)
    assert h.q == pytest.approx(0.0, abs=1e-12) and h.lr == pytest.approx(0.0, abs=1e-12)
    assert h.dof == 2  # (b_i - 1)(a_i - 1) = 1 per row


def test_chi2_against_is_pearson_of_a_row_homogeneity_table():
    # one row: observed [10, 0] vs null probabilities [0.5, 0.5] -> chi2 = 5 + 5
    x2, _, _ = mk.chi2_against(np.array([[10.0, 0.0], [0, 0]]), np.array([[5.0, 5.0], [1, 1]]))
    assert x2 == pytest.approx(10.0)


def test_lisa_quadrants_and_move_types_by_hand():
    W = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], float)
    y = np.array([[3.0, 0.0], [2.0, 1.0], [-5.0, 2.0]])
    # t0: z = [3, 2, -5], lag = [2, -1, 2] -> HH, HL, LH ; t1: z = [-1, 0, 1], lag = [0, 0, 0]
    # -> LL, LL, HL
    q = mk.lisa_quadrants(y, W)
    np.testing.assert_array_equal(q, [[1, 3], [4, 3], [2, 4]])
    r = mk.lisa_markov(y, W)
    np.testing.assert_array_equal(r.move_types[:, 0], [3, 15, 8])
    assert r.move_counts["HH->LL"] == 1 and r.move_counts["HL->LL"] == 1
    assert r.move_counts["LH->HL"] == 1 and sum(r.move_counts.values()) == 3


def test_bad_panels_are_refused():
    with pytest.raises(ValueError, match="two periods"):
        mk.markov(np.ones((3, 1)))
    with pytest.raises(ValueError, match="missing"):
        mk.markov(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="increase"):
        mk.markov(np.ones((2, 2)), classing="cutoffs", cutoffs=[1.0, 0.5])


# ------------------------------------------------------------------------------------------
# (b) simulation recovery
# ------------------------------------------------------------------------------------------
def test_simulated_chain_recovers_the_true_matrix():
    rng = np.random.default_rng(7)
    P = np.array([[0.7, 0.2, 0.1], [0.15, 0.7, 0.15], [0.05, 0.25, 0.7]])
    n, T = 400, 12
    s = np.zeros((n, T), int)
    s[:, 0] = rng.integers(0, 3, n)
    cum = P.cumsum(axis=1)
    for t in range(1, T):
        u = rng.random(n)
        s[:, t] = (u[:, None] > cum[s[:, t - 1]]).sum(axis=1)
    r = mk.markov(s.astype(float), classing="discrete")
    N = r.counts.sum(axis=1, keepdims=True)
    se = np.sqrt(P * (1 - P) / N)
    assert (np.abs(r.p - P) < 3.5 * se).all()
    # the estimated steady state is close to the true one
    np.testing.assert_allclose(r.steady_state, mk.steady_state(P), atol=0.03)


def test_simulated_neighbour_effect_is_found_and_homogeneity_holds_without_it():
    rng = np.random.default_rng(11)
    side = 20
    n = side * side
    W = np.zeros((n, n))
    for i in range(n):
        r, c = divmod(i, side)
        for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= rr < side and 0 <= cc < side:
                W[i, rr * side + cc] = 1
    Wr = W / W.sum(axis=1, keepdims=True)

    def simulate(beta):
        a = np.zeros((n, 12))
        a[rng.choice(n, 20, replace=False), 0] = 1
        for t in range(1, 12):
            h = 0.03 + beta * (Wr @ a[:, t - 1])
            a[:, t] = np.maximum(a[:, t - 1], rng.random(n) < h)
        return a

    hazards = []
    for beta, expect_reject in ((0.4, True), (0.0, False)):
        a = simulate(beta)
        r = mk.spatial_markov(a, W, classing="discrete", lag_cutoffs=[0.0])
        assert r.homogeneity.lr_p < 0.01 if expect_reject else r.homogeneity.lr_p > 0.01
        hazards.append((r.p[0][0, 1], r.p[1][0, 1]))
    # with the effect the hazard is higher next to adopters; without it both are about 0.03
    assert hazards[0][1] > 2 * hazards[0][0]
    assert abs(hazards[1][0] - 0.03) < 0.01 and abs(hazards[1][1] - 0.03) < 0.02


def test_homogeneity_size_under_the_null():
    """Under one common matrix the LR test rejects at about its nominal 5 %."""
    rng = np.random.default_rng(3)
    P = np.array([[0.8, 0.2], [0.3, 0.7]])
    rej = 0
    reps = 300
    for _ in range(reps):
        T = np.zeros((3, 2, 2))
        for g in range(3):
            for i in range(2):
                T[g, i] = rng.multinomial(150, P[i])
        rej += mk.homogeneity(T).lr_p < 0.05
    lo, hi = stats.binom.ppf([0.001, 0.999], reps, 0.05)
    assert lo <= rej <= hi


# ------------------------------------------------------------------------------------------
# (c) giddy, run outside the project environment
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def giddy_case():
    import libpysal

    panel = pd.read_csv(DATA / "panel.csv", dtype={"unit": str})
    y = panel.pivot(index="unit", columns="period", values="y")
    a = panel.pivot(index="unit", columns="period", values="adopted")
    w = libpysal.io.open(str(DATA / "lattice.gal")).read()
    w = libpysal.weights.W(w.neighbors, id_order=list(y.index))
    ref = json.loads((DATA / "reference.json").read_text(encoding="utf-8"))
    return y.to_numpy(float), a.to_numpy(float), w.sparse, ref


def _same_spatial(r: mk.SpatialMarkovResult, g: dict) -> None:
    np.testing.assert_array_equal(r.chain.class_ids, g["class_ids"])
    np.testing.assert_array_equal(r.lag_ids, g["lclass_ids"])
    np.testing.assert_allclose(r.chain.counts, g["transitions"])
    np.testing.assert_allclose(r.chain.p, g["p"])
    np.testing.assert_allclose(r.counts, g["T"])
    np.testing.assert_allclose(r.p, g["P"])
    for mine, theirs in zip(r.chi2, g["chi2"], strict=True):
        np.testing.assert_allclose(mine[:2], theirs[:2], rtol=1e-10)
        assert mine[2] == theirs[2]
    assert r.x2 == pytest.approx(g["x2"])
    if r.m == r.chain.k and (r.counts.sum(axis=2) > 0).all():
        assert r.x2_dof == g["x2_dof"] and r.x2_p == pytest.approx(g["x2_pvalue"])
    else:  # giddy's k (k - 1)^2 assumes m = k lag classes; here the per-class dofs add up
        assert r.x2_dof == sum(c[2] for c in g["chi2"])
    h = r.homogeneity
    assert h.q == pytest.approx(g["Q"]) and h.q_p == pytest.approx(g["Q_p_value"])
    assert h.lr == pytest.approx(g["LR"]) and h.lr_p == pytest.approx(g["LR_p_value"])
    assert h.dof == g["dof_hom"]


def test_classic_markov_equals_giddy(giddy_case):
    y, _, _, ref = giddy_case
    g = ref["markov_pooled_k4"]
    r = mk.markov(y, 4)
    np.testing.assert_allclose(r.counts, g["transitions"])
    np.testing.assert_allclose(r.p, g["p"])
    np.testing.assert_allclose(r.steady_state, g["steady_state"], rtol=1e-8)
    np.testing.assert_allclose(r.fmpt, g["mfpt"], rtol=1e-8)


def test_spatial_markov_pooled_quantiles_equals_giddy(giddy_case):
    y, _, W, ref = giddy_case
    g = ref["spatial_fixed_k4_m4"]
    r = mk.spatial_markov(y, W, 4, 4)
    _same_spatial(r, g)
    np.testing.assert_allclose(r.chain.cutoffs, g["cutoffs"])
    np.testing.assert_allclose(r.lag_cutoffs, g["lag_cutoffs"])
    np.testing.assert_allclose(r.steady_states, np.array(g["S"], float), rtol=1e-8)
    np.testing.assert_allclose(r.fmpt, g["F"], rtol=1e-8)


def test_spatial_markov_period_quantiles_equals_giddy(giddy_case):
    y, _, W, ref = giddy_case
    _same_spatial(mk.spatial_markov(y, W, 3, 3, classing="period"), ref["spatial_period_k3_m3"])


def test_spatial_markov_cutoffs_equals_giddy(giddy_case):
    y, _, W, ref = giddy_case
    r = mk.spatial_markov(
        y, W, classing="cutoffs", cutoffs=[-0.5, 0.0, 0.5], lag_cutoffs=[-0.2, 0.2]
    )
    _same_spatial(r, ref["spatial_cutoffs"])


def test_adoption_markov_conditioned_on_neighbours_equals_giddy(giddy_case):
    _, a, W, ref = giddy_case
    r = mk.spatial_markov(a, W, classing="discrete", lag_cutoffs=[0.0])
    _same_spatial(r, ref["spatial_adoption"])


def test_lisa_markov_equals_giddy(giddy_case):
    y, _, W, ref = giddy_case
    g = ref["lisa"]
    r = mk.lisa_markov(y, W)
    np.testing.assert_array_equal(r.quadrants, g["q"])
    np.testing.assert_array_equal(r.move_types, g["move_types"])
    np.testing.assert_allclose(r.chain.counts, g["transitions"])
    np.testing.assert_allclose(r.chain.p, g["p"])
    np.testing.assert_allclose(r.chain.steady_state, g["steady_state"], rtol=1e-8)
    np.testing.assert_allclose(r.chain.fmpt, g["mfpt"], rtol=1e-8)


# ------------------------------------------------------------------------------------------
# degenerate inputs of run_markov
# ------------------------------------------------------------------------------------------
def _cascade_inputs(first_years: dict[str, int]):
    from types import SimpleNamespace

    from scipy import sparse

    ids = [f"u{i}" for i in range(4)]
    W = sparse.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]]))
    casc = pd.DataFrame({"code": list(first_years), "first_year": list(first_years.values())})
    return SimpleNamespace(programme="demo", cascade=casc, ids=ids, years=(2010, 2014), W=W,
                           weights="path", source="test", notes=[])  # fmt: skip


def test_run_markov_refuses_a_state_that_never_varies():
    from policylink.analyses.diffusion import run_markov
    from policylink.errors import InputError

    with pytest.raises(InputError, match="never varies"):
        run_markov(_cascade_inputs({}))
    with pytest.raises(InputError, match="never varies"):
        run_markov(_cascade_inputs({u: 2005 for u in ("u0", "u1", "u2", "u3")}))


def test_run_markov_adoption_by_hand_and_no_test_without_degrees_of_freedom():
    from policylink.analyses.diffusion import MarkovOptions, run_markov

    res = run_markov(_cascade_inputs({"u0": 2010, "u1": 2012}))
    # 2010-2014: u0 adopted throughout; u1 adopts 2012 next to u0; u2, u3 never
    r = res.result
    # lag class 1 (some neighbour adopted by t), moves t -> t + 1 for t = 2010..2013:
    # u1 (next to u0) 0->0, 0->1, 1->1, 1->1; u0 (next to u1) 1->1 from 2012 twice;
    # u2 (next to u1) 0->0 from 2012 twice; u3 never has an adopted neighbour
    np.testing.assert_array_equal(r.counts[1], [[3, 1], [0, 4]])
    np.testing.assert_array_equal(r.counts[0], [[6, 0], [0, 2]])
    assert r.p[1][0, 1] == pytest.approx(0.25) and r.p[0][0, 1] == 0.0
    t = res.tests("en")
    # the adopted row is absorbing in both classes; every test has a p-value or none at all
    assert t["p"].isna().sum() + t["p"].notna().sum() == len(t)
    classic = run_markov(_cascade_inputs({"u0": 2010, "u1": 2012}), MarkovOptions(kind="classic"))
    assert np.isinf(classic.chain.sojourn[1]) and classic.chain.steady_state.tolist() == [0, 1]
    assert list(classic.table("zh").columns)[:3] == ["空间滞后类别", "起始状态", "转移次数"]
    assert json.loads(classic.to_json())["synthetic"] is False
