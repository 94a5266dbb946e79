"""PSM-DID, robustness / mechanism / heterogeneity helpers and spatial DID.

References: pyfixest fits on the same (sub)samples built here by hand, pyfixest's logit,
closed forms (scaling of the outcome, two-group Wald statistic, standardised bias) and the
true parameters of the SYNTHETIC panels (policylink.spatial.did.simulate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from policylink.errors import InputError
from policylink.spatial.did import PanelSpec, ring_weights, simulate_staggered
from policylink.spatial.did.psm import logit_fit, psm_did
from policylink.spatial.did.robustness import heterogeneity_did, mechanism_did, robustness_checks
from policylink.spatial.did.spatial_did import neighbour_share, spatial_did

SPEC = PanelSpec(
    outcome="y", unit="unit", time="year", first_treated="first_treated", controls=("x1", "x2")
)
FML = "y ~ treat + x1 + x2 | unit + year"
N = 218
IDS = [f"SYN{i + 1:03d}" for i in range(N)]


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    W = ring_weights(N, 2)
    df = simulate_staggered(tau=0.5, W=W, theta=0.4, sigma=0.8, seed=17)
    df["region"] = np.where(df.unit.str[-1].astype(int) % 3 == 0, "east", "other")
    df["y2"] = 2.0 * df["y"] + 1.0
    return df


def test_logit_equals_pyfixest(sim: pd.DataFrame) -> None:
    u = sim.groupby("unit").agg(x1=("x1", "mean"), x2=("x2", "mean"), f=("first_treated", "first"))
    u["d"] = (u.f > 0).astype(int)
    ours = logit_fit(u[["x1", "x2"]].to_numpy(), u.d.to_numpy(float))
    ref = pf.feglm("d ~ x1 + x2", u.reset_index(), family="logit").coef().to_numpy()
    np.testing.assert_allclose(ours, ref, atol=1e-6)


def test_psm_did(sim: pd.DataFrame) -> None:
    res = psm_did(sim, SPEC, caliper=0.05, seed=3)
    pairs = res.pairs
    assert pairs.control.is_unique and pairs.treated.is_unique
    assert (pairs.distance <= 0.05).all()
    # greedy rule: each control was the nearest one still free when its treated unit chose
    ps = res.pscore.set_index("unit")
    taken: set[str] = set()
    controls = ps.index[~ps.treated]
    for r in pairs.itertuples():
        free = [c for c in controls if c not in taken]
        d = (ps.loc[free, "pscore"] - ps.loc[r.treated, "pscore"]).abs()
        assert d.min() == pytest.approx(r.distance)
        taken.add(r.control)
    # unmatched treated units had no free control within the caliper (checked at the end)
    free = [c for c in controls if c not in taken]
    for u in res.unmatched:
        assert (ps.loc[free, "pscore"] - ps.loc[u, "pscore"]).abs().min() > 0.05
    # standardised bias before matching, by its formula on baseline (pre-2011) means
    base = sim[sim.year < 2011].groupby("unit")[["x1"]].mean()
    tr = sim.groupby("unit").first_treated.first() > 0
    a, b = base.x1[tr], base.x1[~tr]
    sb = 100 * (a.mean() - b.mean()) / np.sqrt((a.var() + b.var()) / 2)
    assert res.balance.loc["x1", "bias_before"] == pytest.approx(sb)
    assert abs(res.balance.loc["x1", "bias_after"]) < abs(sb)
    # DID on the matched sample equals pyfixest on those units
    keep = set(pairs.treated) | set(pairs.control)
    ref = pf.feols(FML, sim[sim.unit.isin(keep)], vcov={"CRV1": "unit"})
    assert res.did.coef() == pytest.approx(float(ref.coef()["treat"]), abs=1e-8)
    assert res.to_dict()["matched_units"] == 2 * len(pairs)


def test_robustness_checks(sim: pd.DataFrame) -> None:
    out = robustness_checks(
        sim, SPEC, drop_years=[2020, 2021, 2022], drop_units=IDS[:4], alt_outcomes=["y2"]
    )
    assert [r.label for r in out] == [
        "baseline",
        "drop years 2020-2022",
        "drop 4 units",
        "outcome y2",
    ]
    ref = pf.feols(FML, sim[sim.year < 2020], vcov={"CRV1": "unit"})
    assert out[1].coef() == pytest.approx(float(ref.coef()["treat"]), abs=1e-8)
    assert out[1].n_obs == 218 * 11
    ref = pf.feols(FML, sim[~sim.unit.isin(IDS[:4])], vcov={"CRV1": "unit"})
    assert out[2].coef() == pytest.approx(float(ref.coef()["treat"]), abs=1e-8)
    # y2 = 2 y + 1: the coefficient and its SE double exactly
    assert out[3].coef() == pytest.approx(2 * out[0].coef(), rel=1e-9)
    assert out[3].se() == pytest.approx(2 * out[0].se(), rel=1e-9)


def test_mechanism_interaction(sim: pd.DataFrame) -> None:
    sim = sim.assign(m=np.abs(sim.x1) + 1.0)
    res = mechanism_did(sim, SPEC, "m")
    ref = pf.feols(
        "y ~ mxd + x1 + x2 | unit + year", sim.assign(mxd=sim.m * sim.treat), vcov={"CRV1": "unit"}
    )
    assert res.coef("m_x_did") == pytest.approx(float(ref.coef()["mxd"]), abs=1e-8)
    full = mechanism_did(sim, SPEC, "m", main_effects=True)
    assert {"m_x_did", "did", "m"} <= set(full.coefficients.index)


def test_heterogeneity(sim: pd.DataFrame) -> None:
    res = heterogeneity_did(sim, SPEC, "region")
    for g in ("east", "other"):
        ref = pf.feols(FML, sim[sim.region == g], vcov={"CRV1": "unit"})
        assert res.by_group[g].coef() == pytest.approx(float(ref.coef()["treat"]), abs=1e-8)
    # two groups: Wald = (b1 - b2)^2 / (V11 + V22 - 2 V12) in the pooled model
    pooled = pf.feols(
        "y ~ de + do + x1 + x2 | unit + year",
        sim.assign(de=sim.treat * (sim.region == "east"), do=sim.treat * (sim.region == "other")),
        vcov={"CRV1": "unit"},
    )
    b, V = pooled.coef(), pooled._vcov
    w = (b["de"] - b["do"]) ** 2 / (V[0, 0] + V[1, 1] - 2 * V[0, 1])
    assert res.equality["wald"] == pytest.approx(float(w), rel=1e-8)
    assert len(res.table()) == 2


def test_spatial_did_slx(sim: pd.DataFrame) -> None:
    W = ring_weights(N, 2)
    res = spatial_did(sim, SPEC, W, ids=IDS)
    # share of treated neighbours: the simulator computed W @ D directly
    ref = pf.feols("y ~ treat + wd + x1 + x2 | unit + year", sim, vcov={"CRV1": "unit"})
    assert res.effects.loc["direct", "estimate"] == pytest.approx(
        float(ref.coef()["treat"]), abs=1e-8
    )
    assert res.effects.loc["spillover", "estimate"] == pytest.approx(
        float(ref.coef()["wd"]), abs=1e-8
    )
    assert res.effects.loc["spillover", "se"] == pytest.approx(float(ref.se()["wd"]), abs=1e-8)
    truth = sim.attrs["truth"]
    assert (
        abs(res.effects.loc["direct", "estimate"] - truth["tau"])
        < 2 * res.effects.loc["direct", "se"]
    )
    assert (
        abs(res.effects.loc["spillover", "estimate"] - truth["theta"])
        < 2 * res.effects.loc["spillover", "se"]
    )


def test_neighbour_share_subsets_and_restandardises(sim: pd.DataFrame) -> None:
    from policylink.spatial.did.panel import prepare_panel

    W = ring_weights(N, 1)  # each unit: the previous and the next on the ring
    sub = sim[sim.unit != IDS[1]]  # drop unit 2: units 1 and 3 lose a neighbour
    panel, spec = prepare_panel(sub, SPEC)
    share, info = neighbour_share(panel, spec, W, IDS)
    first = sim.groupby("unit").first_treated.first()
    f3 = first[IDS[3]]
    row = panel.index[(panel.unit == IDS[2]) & (panel.year == 2022)][0]
    # unit 3 keeps one neighbour in the sample (unit 4): its share is D of unit 4
    assert share[row] == float(0 < f3 <= 2022)
    assert info["islands"] == []
    with pytest.raises(InputError, match="not in the spatial weights"):
        neighbour_share(panel, spec, W[:100, :100], IDS[:100])


def test_spatial_did_sdm_recovers_direct_and_spillover(sim: pd.DataFrame) -> None:
    # data have no rho * W y term, so the SDM's rho should be ~0 and its direct / indirect
    # effects of D should match the true own effect and spillover (within 2.5 SE)
    res = spatial_did(sim, SPEC, ring_weights(N, 2), ids=IDS, model="sdm", draws=500)
    truth = sim.attrs["truth"]
    eff = res.effects
    assert abs(eff.loc["direct", "estimate"] - truth["tau"]) < 2.5 * eff.loc["direct", "se"]
    assert abs(eff.loc["spillover", "estimate"] - truth["theta"]) < 2.5 * eff.loc["spillover", "se"]
    assert abs(res.info["rho"]) < 0.15
    total = eff.loc["direct", "estimate"] + eff.loc["spillover", "estimate"]
    assert eff.loc["total", "estimate"] == pytest.approx(total, rel=1e-8)
