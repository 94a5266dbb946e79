"""Callaway-Sant'Anna against the published results on the reference data set of Callaway and
Sant'Anna (2021): ``mpdta`` (500 US counties, 2003-2007, teen employment and state minimum wage
rises; the real data shipped with the R package ``did``, stored in tests/data/mpdta/).

References (copied by hand from the documents named; see tests/data/mpdta/README.md):

- R ``did`` vignette "Getting Started with the did Package" (did-basics, did 2.x, the
  minimum-wage example): ``att_gt(yname="lemp", gname="first.treat", idname="countyreal",
  tname="year", xformla=~1, data=mpdta)`` -- every ATT(g,t) and ``aggte(type="dynamic")`` (the
  overall ATT and the per-event-time effects), printed to 4 decimals.
- R ``did`` README (the same call with ``est_method="reg"``, which without covariates is the same
  estimator): ``aggte(out, type="group")`` -- overall and per-group ATT.
  The SEs in both are multiplier-bootstrap SEs (``bstrap=TRUE``, 1000 draws, unseeded): the
  project's analytic SEs (and its bootstrap event-time SEs, seed 1) are checked against them
  within 15 % (builds of the did vignette and README print different bootstrap SEs for the same
  estimate, e.g. 0.0243 / 0.0248 / 0.0235 / 0.0244 for ATT(2004,2004)).
- Stata ``csdid`` README, "Replication" section (F. Rios-Avila, csdid/drdid for Stata):
  ``csdid lemp lpop, ivar(countyreal) time(year) gvar(first_treat) method(dripw)`` -- the doubly
  robust estimator with the covariate ``lpop`` (R ``did``'s default ``est_method="dr"``), with
  analytic SEs, and ``estat simple / calendar / group / event``, printed to 7 decimals.

Point estimates are deterministic: tolerance half a unit of the last printed digit. The paper's
own Table 3 uses the full 2001-2007 county panel, not this subset, so it is not compared here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policylink.analyses.did import CsOptions, run_callaway_santanna
from policylink.did_inputs import did_inputs_from_frame
from policylink.spatial.did import PanelSpec

DATA = Path(__file__).parent / "data" / "mpdta"
SPEC = PanelSpec(
    outcome="lemp",
    unit="countyreal",
    time="year",
    first_treated="first.treat",
    source="mpdta.csv",
)

# did-basics vignette, summary(mw.attgt): (group, time) -> (ATT, bootstrap SE)
VIGNETTE_ATT_GT = {
    (2004, 2004): (-0.0105, 0.0243),
    (2004, 2005): (-0.0704, 0.0331),
    (2004, 2006): (-0.1373, 0.0412),
    (2004, 2007): (-0.1008, 0.0358),
    (2006, 2004): (0.0065, 0.0230),
    (2006, 2005): (-0.0028, 0.0210),
    (2006, 2006): (-0.0046, 0.0175),
    (2006, 2007): (-0.0412, 0.0196),
    (2007, 2004): (0.0305, 0.0147),
    (2007, 2005): (-0.0027, 0.0156),
    (2007, 2006): (-0.0311, 0.0179),
    (2007, 2007): (-0.0261, 0.0175),
}
# did-basics vignette, summary(mw.dyn): overall and event time -> (ATT, bootstrap SE)
VIGNETTE_DYNAMIC_OVERALL = (-0.0772, 0.0203)
VIGNETTE_DYNAMIC = {
    -3: (0.0305, 0.0157),
    -2: (-0.0006, 0.0136),
    -1: (-0.0245, 0.0144),
    0: (-0.0199, 0.0124),
    1: (-0.0510, 0.0163),
    2: (-0.1373, 0.0402),
    3: (-0.1008, 0.0354),
}
# did README, summary(aggte(out, type = "group")): overall ("-0.031" = -0.0310) and groups
README_GROUP_OVERALL = (-0.0310, 0.0125)
README_GROUP = {2004: (-0.0797, 0.0283), 2006: (-0.0229, 0.0168), 2007: (-0.0261, 0.0176)}

# Stata csdid README, method(dripw) with lpop: (group, time) -> (ATT, analytic SE)
CSDID_DR_ATT_GT = {
    (2004, 2004): (-0.0145297, 0.0221292),
    (2004, 2005): (-0.0764219, 0.0286713),
    (2004, 2006): (-0.1404483, 0.0353782),
    (2004, 2007): (-0.1069039, 0.0328865),
    (2006, 2004): (-0.0004721, 0.0222234),
    (2006, 2005): (-0.0062025, 0.0184957),
    (2006, 2006): (0.0009606, 0.0194002),
    (2006, 2007): (-0.0412939, 0.0197211),
    (2007, 2004): (0.0267278, 0.0140657),
    (2007, 2005): (-0.0045766, 0.0157178),
    (2007, 2006): (-0.0284475, 0.0181809),
}
CSDID_DR_SIMPLE = (-0.0417518, 0.0115028)
CSDID_DR_CALENDAR = {
    2004: (-0.0145297, 0.0221292),
    2005: (-0.0764219, 0.0286713),
    2006: (-0.0461757, 0.0212107),
    2007: (-0.0395822, 0.0129299),
}
CSDID_DR_GROUP = {
    2004: (-0.0845759, 0.0245649),
    2006: (-0.0201666, 0.0174696),
    2007: (-0.0287814, 0.0162390),  # printed ".016239"
}
CSDID_DR_EVENT = {
    -3: (0.0267278, 0.0140657),
    -2: (-0.0036165, 0.0129283),
    -1: (-0.0232440, 0.0144851),
    0: (-0.0210604, 0.0114942),
    1: (-0.0530032, 0.0163465),
    2: (-0.1404483, 0.0353782),
    3: (-0.1069039, 0.0328865),
}

HALF_4DP = 0.5e-4  # half a unit of the 4th decimal (R did prints)
HALF_7DP = 0.5e-7  # half a unit of the 7th decimal (Stata csdid prints)
BOOT_RTOL = 0.15  # analytic SE vs the published (unseeded, 1000-draw) bootstrap SE


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(DATA / "mpdta.csv")


def test_mpdta_is_the_reference_panel(mpdta: pd.DataFrame) -> None:
    # 500 counties x 2003-2007; cohorts as documented for data(mpdta)
    assert list(mpdta.columns) == ["year", "countyreal", "lpop", "lemp", "first.treat", "treat"]
    assert len(mpdta) == 2500 and mpdta.countyreal.nunique() == 500
    assert sorted(mpdta.year.unique()) == [2003, 2004, 2005, 2006, 2007]
    cohorts = mpdta.groupby("countyreal")["first.treat"].first().value_counts().to_dict()
    assert cohorts == {0: 309, 2007: 131, 2006: 40, 2004: 20}
    # head(mpdta) as printed in the R documentation
    first = mpdta[(mpdta.countyreal == 8001) & (mpdta.year == 2003)].iloc[0]
    assert first.lpop == pytest.approx(5.896761, abs=5e-7)
    assert first.lemp == pytest.approx(8.461469, abs=5e-7)


@pytest.fixture(scope="module")
def unconditional(mpdta: pd.DataFrame):
    return run_callaway_santanna(did_inputs_from_frame(mpdta, SPEC), CsOptions(control="never"))


def test_att_gt_equals_the_did_vignette(unconditional) -> None:
    gt = unconditional.result.att_gt.set_index(["group", "time"])
    assert sorted(gt.index) == sorted(VIGNETTE_ATT_GT)
    for key, (att, se) in VIGNETTE_ATT_GT.items():
        assert gt.loc[key, "att"] == pytest.approx(att, abs=HALF_4DP), key
        assert gt.loc[key, "se"] == pytest.approx(se, rel=BOOT_RTOL), key


def test_dynamic_aggregation_equals_the_did_vignette(unconditional) -> None:
    r = unconditional.result
    att, se = VIGNETTE_DYNAMIC_OVERALL
    assert r.dynamic_overall["att"] == pytest.approx(att, abs=HALF_4DP)
    assert r.dynamic_overall["se"] == pytest.approx(se, rel=BOOT_RTOL)
    dyn = r.dynamic.set_index("rel_time")
    assert sorted(dyn.index) == sorted(VIGNETTE_DYNAMIC)
    for e, (att, se) in VIGNETTE_DYNAMIC.items():
        assert dyn.loc[e, "att"] == pytest.approx(att, abs=HALF_4DP), e
        assert dyn.loc[e, "se"] == pytest.approx(se, rel=BOOT_RTOL), e


def test_group_aggregation_equals_the_did_readme(unconditional) -> None:
    r = unconditional.result
    att, se = README_GROUP_OVERALL
    assert r.group_overall["att"] == pytest.approx(att, abs=HALF_4DP)
    assert r.group_overall["se"] == pytest.approx(se, rel=BOOT_RTOL)
    grp = r.group.set_index("group")
    for g, (att, se) in README_GROUP.items():
        assert grp.loc[g, "att"] == pytest.approx(att, abs=HALF_4DP), g
        assert grp.loc[g, "se"] == pytest.approx(se, rel=BOOT_RTOL), g


def test_bootstrap_ses_match_the_did_vignette(mpdta: pd.DataFrame) -> None:
    # the vignette's event-time SEs are multiplier-bootstrap SEs; the project's own bootstrap
    # (cs_uniform_bands, 1000 draws, fixed seed) must agree within the same 15 %
    opts = CsOptions(control="never", bands=1000, seed=1, aggregate="dynamic")
    bands = run_callaway_santanna(did_inputs_from_frame(mpdta, SPEC), opts).bands
    boot = bands.set_index("rel_time")["se_boot"]
    assert sorted(boot.index) == sorted(VIGNETTE_DYNAMIC)
    for e, (_, se) in VIGNETTE_DYNAMIC.items():
        assert boot.loc[e] == pytest.approx(se, rel=BOOT_RTOL), e


@pytest.fixture(scope="module")
def doubly_robust(mpdta: pd.DataFrame):
    opts = CsOptions(control="never", covariates=("lpop",), estimator="dr")
    return run_callaway_santanna(did_inputs_from_frame(mpdta, SPEC), opts)


def _close(ours: float, printed: float, what: object) -> None:
    assert ours == pytest.approx(printed, abs=HALF_7DP), what


def test_dr_with_lpop_equals_stata_csdid(doubly_robust) -> None:
    r = doubly_robust.result
    gt = r.att_gt.set_index(["group", "time"])
    for key, (att, se) in CSDID_DR_ATT_GT.items():
        _close(gt.loc[key, "att"], att, ("att", key))
        _close(gt.loc[key, "se"], se, ("se", key))
    _close(r.overall["att"], CSDID_DR_SIMPLE[0], "simple att")
    _close(r.overall["se"], CSDID_DR_SIMPLE[1], "simple se")
    tables = {
        "calendar": (r.calendar.set_index("time"), CSDID_DR_CALENDAR),
        "group": (r.group.set_index("group"), CSDID_DR_GROUP),
        "event": (r.dynamic.set_index("rel_time"), CSDID_DR_EVENT),
    }
    for name, (ours, ref) in tables.items():
        assert sorted(ours.index) == sorted(ref), name
        for k, (att, se) in ref.items():
            _close(ours.loc[k, "att"], att, (name, "att", k))
            _close(ours.loc[k, "se"], se, (name, "se", k))
    # ATT(2007, 2007) is the 2007 group effect (one post period)
    _close(gt.loc[(2007, 2007), "att"], CSDID_DR_GROUP[2007][0], "att (2007, 2007)")


def test_the_covariate_changes_the_estimates(unconditional, doubly_robust) -> None:
    # guards against the covariate being silently ignored: the printed values differ
    a = unconditional.result.att_gt.att.to_numpy()
    b = doubly_robust.result.att_gt.att.to_numpy()
    assert np.abs(a - b).max() > 1e-3
