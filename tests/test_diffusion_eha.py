"""Discrete-time EHA numerics (policylink.spatial.diffusion) against independent references:
statsmodels GLM (Binomial, logit / cloglog links) on the same risk set, statsmodels Logit's
average marginal effects, and recovery of known parameters from simulated adoption histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from policylink.spatial.diffusion import (
    dyad_risk_set,
    eha_design,
    fit_binary,
    fit_eha,
    neighbour_exposure,
    pair_lookup,
)

sm = pytest.importorskip("statsmodels.api")


def simulate_histories(
    n: int = 400, years: int = 12, beta=(-3.0, 0.8, 1.5), link: str = "logit", seed: int = 1
):
    """Adoption histories of n units on a ring (two neighbours each) with a covariate x and the
    lagged neighbour share; the hazard is g^{-1}(b0 + b1 x + b2 share)."""
    rng = np.random.default_rng(seed)
    ids = [f"u{i:03d}" for i in range(n)]
    rows = np.arange(n)
    W = sparse.csr_matrix(
        (np.ones(2 * n), (np.r_[rows, rows], np.r_[(rows + 1) % n, (rows - 1) % n])), (n, n)
    )
    x = rng.normal(size=n)
    first: dict[str, int | None] = {u: None for u in ids}
    recs = []
    for t in range(2001, 2001 + years):
        adopted = np.array([first[u] is not None and first[u] <= t - 1 for u in ids], float)
        share = (W @ adopted) / 2.0
        eta = beta[0] + beta[1] * x + beta[2] * share
        p = 1 / (1 + np.exp(-eta)) if link == "logit" else 1 - np.exp(-np.exp(eta))
        draw = rng.random(n)
        for k, u in enumerate(ids):
            if first[u] is not None:
                continue
            ev = int(draw[k] < p[k])
            recs.append((u, t, t - 2000, ev, x[k]))
            if ev:
                first[u] = t
    risk = pd.DataFrame(recs, columns=["unit", "year", "duration", "event", "x"])
    return risk, first, W, ids


def test_neighbour_exposure_matches_a_direct_count():
    risk, first, W, ids = simulate_histories(n=60, years=6)
    share, count = neighbour_exposure(risk["unit"], risk["year"], first, W, ids=ids)
    nb = {u: [ids[(k + 1) % 60], ids[(k - 1) % 60]] for k, u in enumerate(ids)}
    for (u, t), s, c in zip(
        risk[["unit", "year"]].itertuples(index=False), share, count, strict=True
    ):
        direct = sum(first[v] is not None and first[v] <= t - 1 for v in nb[u])
        assert c == direct and s == pytest.approx(direct / 2)
    # lag 0 counts same-year adopters too
    _, c0 = neighbour_exposure(risk["unit"], risk["year"], first, W, ids=ids, lag=0)
    assert (c0 >= count).all()


@pytest.mark.parametrize("link", ["logit", "cloglog"])
def test_glm_equals_statsmodels_on_the_same_risk_set(link):
    risk, first, W, ids = simulate_histories(link=link, seed=3)
    risk["share"], _ = neighbour_exposure(risk["unit"], risk["year"], first, W, ids=ids)
    res = fit_eha(risk, ["x", "share"], link=link, dependence="cubic", cluster="unit")
    d = res.design
    lk = sm.families.links.Logit() if link == "logit" else sm.families.links.CLogLog()
    ref = sm.GLM(d.y, d.X, family=sm.families.Binomial(link=lk))
    r0 = ref.fit()
    np.testing.assert_allclose(res.fit.params, r0.params, rtol=1e-6, atol=1e-8)
    assert res.fit.loglik == pytest.approx(r0.llf, rel=1e-9)
    ours_nonrobust = fit_binary(d.y, d.X, link=link)
    np.testing.assert_allclose(ours_nonrobust.se, r0.bse, rtol=1e-5)
    r1 = ref.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(d.rows["unit"])[0]})
    np.testing.assert_allclose(res.fit.se, r1.bse, rtol=1e-4)


def test_ame_equals_statsmodels_logit_margeff():
    risk, first, W, ids = simulate_histories(seed=5)
    risk["share"], _ = neighbour_exposure(risk["unit"], risk["year"], first, W, ids=ids)
    res = fit_eha(risk, ["x", "share"], link="logit", dependence="log", cluster=None)
    d = res.design
    m = sm.Logit(d.y, d.X).fit(disp=0).get_margeff(at="overall")
    k = [d.names.index(c) - 1 for c in ("x", "share")]  # margeff drops the constant
    np.testing.assert_allclose(res.ame["ame"], m.margeff[k], rtol=1e-6)
    np.testing.assert_allclose(res.ame["se"], m.margeff_se[k], rtol=1e-4)


def test_cloglog_ame_equals_numerical_derivative():
    risk, first, W, ids = simulate_histories(link="cloglog", seed=7)
    res = fit_eha(risk, ["x"], link="cloglog", dependence="none", cluster=None)
    X = res.design.X.copy()
    k = res.design.names.index("x")
    h = 1e-6
    Xp, Xm = X.copy(), X.copy()
    Xp[:, k] += h
    Xm[:, k] -= h
    num = (res.fit.predict(Xp) - res.fit.predict(Xm)).mean() / (2 * h)
    assert res.ame.loc[0, "ame"] == pytest.approx(num, rel=1e-6)


@pytest.mark.parametrize("link", ["logit", "cloglog"])
def test_simulation_recovers_the_true_coefficients(link):
    beta = (-3.0, 0.8, 1.5)
    risk, first, W, ids = simulate_histories(n=3000, years=10, beta=beta, link=link, seed=11)
    risk["share"], _ = neighbour_exposure(risk["unit"], risk["year"], first, W, ids=ids)
    res = fit_eha(risk, ["x", "share"], link=link, dependence="none", cluster="unit")
    c = res.coefficients().set_index("name")
    for name, true in (("const", beta[0]), ("x", beta[1]), ("share", beta[2])):
        assert abs(c.loc[name, "estimate"] - true) < 3.5 * c.loc[name, "se"], name


def test_period_dummies_drop_periods_without_events_and_match_statsmodels():
    risk, first, W, ids = simulate_histories(n=200, years=8, seed=2)
    # make 2003 event-free: those rows are perfectly predicted by a minus-infinity dummy
    risk = risk[~((risk["year"] == 2003) & (risk["event"] == 1))]
    res = fit_eha(risk, ["x"], dependence="dummies", cluster=None)
    assert ("all", 2003) in res.design.dropped_periods
    assert "period[2003]" not in res.design.names
    d = res.design
    r = sm.GLM(d.y, d.X, family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(res.fit.params, r.params, rtol=1e-6)


def test_pooled_eha_has_programme_specific_baselines():
    a, fa, Wa, ids = simulate_histories(n=300, years=8, beta=(-3.0, 0.8, 1.0), seed=21)
    b, fb, _, _ = simulate_histories(n=300, years=8, beta=(-2.0, 0.8, 1.0), seed=22)
    a["share"], _ = neighbour_exposure(a["unit"], a["year"], fa, Wa, ids=ids)
    b["share"], _ = neighbour_exposure(b["unit"], b["year"], fb, Wa, ids=ids)
    pooled = pd.concat([a.assign(programme="A"), b.assign(programme="B")], ignore_index=True)
    res = fit_eha(pooled, ["x", "share"], programme="programme", dependence="cubic")
    names = res.design.names
    assert {"A:const", "B:const", "A:t^1", "B:t^3"} <= set(names)
    d = res.design
    r = sm.GLM(d.y, d.X, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d.rows["unit"])[0]}
    )
    np.testing.assert_allclose(res.fit.params, r.params, rtol=1e-6)
    np.testing.assert_allclose(res.fit.se, r.bse, rtol=1e-4)


def test_dyad_risk_set_and_fit_against_statsmodels():
    risk, first, W, ids = simulate_histories(n=120, years=8, seed=9)
    dy = dyad_risk_set(risk, first, unit="unit")
    # every dyad: target at risk in t, source adopted before t
    assert (dy["source_year"] < dy["year"]).all()
    at_risk = set(zip(risk["unit"], risk["year"], strict=True))
    assert all((i, t) in at_risk for i, t in zip(dy["i"], dy["year"], strict=True))
    n_expected = sum(
        sum(1 for j, fy in first.items() if fy is not None and fy < t and j != u)
        for u, t in zip(risk["unit"], risk["year"], strict=True)
    )
    assert len(dy) == n_expected
    k = sparse.triu(W).tocoo()
    pairs = pd.DataFrame({"i": [ids[a] for a in k.row], "j": [ids[b] for b in k.col]})
    dy["border"] = pair_lookup(dy, pairs)
    assert dy["border"].sum() > 0
    d = eha_design(dy.assign(duration=dy["year"] - 2000), ["border"], dependence="none")
    ours = fit_binary(d.y, d.X, names=d.names, clusters=dy["i"].to_numpy())
    r = sm.GLM(d.y, d.X, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(dy["i"])[0]}
    )
    np.testing.assert_allclose(ours.params, r.params, rtol=1e-6)
    np.testing.assert_allclose(ours.se, r.bse, rtol=1e-4)


def test_refusals():
    with pytest.raises(ValueError, match="0/1"):
        fit_binary(np.array([0, 2.0]), np.ones((2, 1)))
    with pytest.raises(ValueError, match="no events"):
        fit_binary(np.zeros(5), np.ones((5, 1)))
    with pytest.raises(ValueError, match="rank"):
        fit_binary(np.array([0, 1, 0, 1.0]), np.ones((4, 2)))
    # separation: x predicts y perfectly
    x = np.r_[np.zeros(20), np.ones(20)]
    with pytest.raises(ValueError, match="separation"):
        fit_binary(x, np.column_stack([np.ones(40), x]))


def test_covariate_ratio_and_interval_equal_statsmodels():
    """exp(x_c' b_c) per row and its delta-method interval from statsmodels' cluster covariance."""
    risk, first, W, ids = simulate_histories(link="cloglog", seed=11)
    risk["share"], _ = neighbour_exposure(risk["unit"], risk["year"], first, W, ids=ids)
    res = fit_eha(risk, ["x", "share"], link="cloglog", dependence="cubic", cluster="unit")
    d = res.design
    lk = sm.families.links.CLogLog()
    ref = sm.GLM(d.y, d.X, family=sm.families.Binomial(link=lk)).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d.rows["unit"])[0]}
    )
    idx = [d.names.index("x"), d.names.index("share")]
    b = np.asarray(ref.params)[idx]
    V = np.asarray(ref.cov_params())[np.ix_(idx, idx)]
    xc = d.rows[["x", "share"]].to_numpy()
    eta = xc @ b
    se = np.sqrt(np.array([v @ V @ v for v in xc]))
    got = res.covariate_ratio(0.90)
    np.testing.assert_allclose(got["ratio"], np.exp(eta), rtol=1e-6)
    np.testing.assert_allclose(got["ratio_low"], np.exp(eta - 1.6448536 * se), rtol=1e-4)
    np.testing.assert_allclose(got["ratio_high"], np.exp(eta + 1.6448536 * se), rtol=1e-4)
    # a row with x = 0 and no adopted neighbour has ratio 1 exactly
    zero = pd.DataFrame({"x": [0.0], "share": [0.0]}).to_numpy() @ b
    assert np.exp(zero[0]) == 1.0


def test_jupyter_html_display_carries_the_estimates():
    """A result's rich display (``_repr_html_``, issue 22) is an HTML table whose coefficient
    and SE cells equal statsmodels' GLM on the same simulated risk set, and SYNTHETIC shows."""
    import io

    from policylink.analyses.base import Provenance
    from policylink.analyses.diffusion import EhaAnalysis, EhaOptions

    risk, first, W, ids = simulate_histories(seed=13)
    risk["share"], _ = neighbour_exposure(risk["unit"], risk["year"], first, W, ids=ids)
    res = fit_eha(risk, ["x", "share"], link="logit", dependence="log", cluster="unit")
    prov = Provenance("simulated histories", "ring", len(ids), ("x",))
    opts = EhaOptions(regressors=("x", "share"), dependence="log", cluster="unit")
    html = EhaAnalysis(prov, opts, res, ("sim",), {"sim": int(risk["event"].sum())})._repr_html_()
    assert "SYNTHETIC" in html
    table = pd.read_html(io.StringIO(html))[0]
    d = res.design
    ref = sm.GLM(d.y, d.X, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d.rows["unit"])[0]}
    )
    rows = {r.iloc[0]: r for _, r in table.iterrows()}
    for name in ("x", "share"):
        k = d.names.index(name)
        cells = [float(v) for v in rows[name].iloc[1:3]]
        assert cells[0] == pytest.approx(float(np.asarray(ref.params)[k]), abs=1e-3)
        assert cells[1] == pytest.approx(float(np.asarray(ref.bse)[k]), abs=1e-3)
