"""Estimator comparison (TWFE vs Callaway-Sant'Anna vs imputation vs Sun-Abraham): each row
against an independent reference (pyfixest feols / did2s, CS with a universal base period)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from policylink.spatial.did import PanelSpec, callaway_santanna, sun_abraham
from policylink.spatial.did.simulate import simulate_staggered


def test_sun_abraham_overall_is_the_obs_weighted_cs_universal_average():
    """Never-treated controls, no controls: CATT(g, e) = ATT(g, g+e) of CS with a universal
    base (Sun and Abraham 2021, Prop. 3); the overall SA effect weights them by treated
    observations (balanced panel: cohort sizes)."""
    df = simulate_staggered(
        n_units=90, years=range(2008, 2016), cohorts={2010: 20, 2013: 25}, dynamic=0.2, seed=8
    )
    spec = PanelSpec(outcome="y", first_treated="first_treated")
    sa = sun_abraham(df, spec)
    cs = callaway_santanna(df, spec, base_period="universal")
    post = cs.att_gt[cs.att_gt.rel_time >= 0]
    want = float(np.average(post.att, weights=post.n_group))
    assert sa.overall["att"] == pytest.approx(want, abs=1e-8)
    assert sa.overall["se"] > 0 and sa.overall["p"] < 0.05


def test_cli_compare_rows_equal_references(tmp_path, capsys):
    import pyfixest as pf

    from policylink.cli import main

    path = tmp_path / "syn.csv"
    assert main(["did", "simulate", "--out", str(path), "--units", "120", "--seed", "6"]) == 0
    argv = ["did", "compare", str(path), "-y", "y", "--first-treated", "first_treated"]
    argv += ["--controls", "x1,x2", "--leads", "3", "--lags", "3"]
    png = tmp_path / "cmp.png"
    capsys.readouterr()
    opts = ["--replications", "60", "--seed", "3"]  # the synthetic DID row's placebo draws
    assert main([*argv, *opts, "--format", "json", "--plot", str(png)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["synthetic"] is True and not out["skipped"]
    rows = {r["estimator"].split(" (")[0]: r for r in out["comparison"]}
    assert set(rows) == {
        "TWFE DID",
        "Callaway-Sant'Anna",
        "Imputation",
        "Sun-Abraham",
        "Synthetic DID",
    }
    df = pd.read_csv(path, dtype={"unit": str})
    fe = pf.feols("y ~ treat + x1 + x2 | unit + year", df, vcov={"CRV1": "unit"})
    assert rows["TWFE DID"]["estimate"] == pytest.approx(float(fe.coef()["treat"]), abs=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.did2s(
            df,
            yname="y",
            first_stage="~ x1 + x2 | unit + year",
            second_stage="~ treat",
            treatment="treat",
            cluster="unit",
        )
    assert rows["Imputation"]["estimate"] == pytest.approx(float(fit.coef()["treat"]), abs=1e-7)
    cs = callaway_santanna(df, PanelSpec(outcome="y", first_treated="first_treated"))
    assert rows["Callaway-Sant'Anna"]["estimate"] == pytest.approx(cs.overall["att"], abs=1e-12)
    from policylink.spatial.did.sdid import synthetic_did

    sdid = synthetic_did(
        df,
        PanelSpec(outcome="y", first_treated="first_treated"),
        se="auto",
        replications=60,
        seed=3,
    )
    assert rows["Synthetic DID"]["estimate"] == pytest.approx(sdid.att, abs=1e-12)
    assert rows["Synthetic DID"]["se"] == pytest.approx(sdid.se, abs=1e-12)
    for name, ev in out["event_time"].items():
        assert all(-3 <= r["rel_time"] <= 3 for r in ev), name
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main([*argv, "--format", "table"]) == 0
    assert "Estimator comparison" in capsys.readouterr().out
