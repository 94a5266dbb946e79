"""Imputation DID (Borusyak-Jaravel-Spiess): references are pyfixest ``did2s`` (Gardner's
two-stage estimator has the same point estimates; 1e-7 = the tolerance of its iterative
demeaning), closed forms, SYNTHETIC panels with known
effects and a Monte Carlo of the standard error."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from policylink.spatial.did import PanelSpec, twfe_did
from policylink.spatial.did.imputation import imputation_did
from policylink.spatial.did.simulate import simulate_staggered
from policylink.spatial.errors import InputError

SPEC = PanelSpec(outcome="y", first_treated="first_treated", controls=("x1", "x2"))


def _panel(seed: int = 3) -> pd.DataFrame:
    return simulate_staggered(
        n_units=80,
        years=range(2005, 2016),
        cohorts={2008: 15, 2010: 15, 2013: 15},
        tau=0.5,
        dynamic=0.2,
        cohort_shift={2013: 0.5},
        seed=seed,
    )


def _did2s(df: pd.DataFrame, treat: str, second: str, first: str = "x1 + x2"):
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.did2s(
            df,
            yname="y",
            first_stage=f"~ {first} | unit + year",
            second_stage=second,
            treatment=treat,
            cluster="unit",
        )


def test_overall_att_equals_pyfixest_did2s():
    df = _panel()
    res = imputation_did(df, SPEC, pretrends=0)
    fit = _did2s(df, "treat", "~ treat")
    assert res.overall["att"] == pytest.approx(float(fit.coef()["treat"]), abs=1e-7)
    assert res.overall["n_obs"] == int(df.treat.sum())
    # a different variance (BJS vs Gardner's GMM) but the same order of magnitude
    assert res.overall["se"] == pytest.approx(float(fit.se()["treat"]), rel=0.2)


def test_event_time_atts_equal_did2s_with_event_dummies():
    df = _panel(seed=4)
    res = imputation_did(df, SPEC, pretrends=0)
    e = np.where(df.treat == 1, df.year - df.first_treated, -1)
    names = []
    for k in sorted(set(e[e >= 0])):
        df[f"ev{k}"] = (e == k).astype(float)
        names.append(f"ev{k}")
    fit = _did2s(df, "treat", "~ 0 + " + " + ".join(names))
    got = res.event[res.event.kind == "effect"].set_index("rel_time").estimate
    for k in sorted(set(e[e >= 0])):
        assert got[k] == pytest.approx(float(fit.coef()[f"ev{k}"]), abs=1e-7)


def test_anticipation_equals_did2s_with_shifted_treatment():
    df = _panel(seed=5)
    df["treat_a"] = ((df.first_treated > 0) & (df.year >= df.first_treated - 1)).astype(int)
    res = imputation_did(df, SPEC, anticipation=1, pretrends=0)
    fit = _did2s(df, "treat_a", "~ treat_a")
    assert res.overall["att"] == pytest.approx(float(fit.coef()["treat_a"]), abs=1e-7)
    assert res.event.rel_time.min() == -1
    assert res.overall["n_obs"] == int(df.treat_a.sum())


def test_two_by_two_closed_form():
    df = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b"],
            "year": [1, 2, 1, 2],
            "y": [1.0, 4.0, 2.0, 3.5],
            "first_treated": [2, 2, 0, 0],
        }
    )
    res = imputation_did(df, PanelSpec(outcome="y", first_treated="first_treated"), pretrends=0)
    assert res.overall["att"] == pytest.approx((4.0 - 1.0) - (3.5 - 2.0), abs=1e-12)


def test_one_cohort_equals_did_against_the_pre_period_mean():
    """One cohort, no controls: tau_t = (treated_t - treated_pre) - (never_t - never_pre)."""
    df = simulate_staggered(
        n_units=30, years=range(2005, 2011), cohorts={2008: 10}, tau=0.5, dynamic=0.3, seed=5
    )
    res = imputation_did(df, PanelSpec(outcome="y", first_treated="first_treated"), pretrends=0)
    Y = df.pivot(index="unit", columns="year", values="y")
    g = df.groupby("unit").first_treated.first()
    tr, nv = Y[g == 2008], Y[g == 0]
    pre = [2005, 2006, 2007]
    got = res.event.set_index("rel_time").estimate
    for t in (2008, 2009, 2010):
        want = (tr[t].mean() - tr[pre].to_numpy().mean()) - (
            nv[t].mean() - nv[pre].to_numpy().mean()
        )
        assert got[t - 2008] == pytest.approx(want, abs=1e-10)


def test_recovers_dynamic_effects_where_twfe_is_biased():
    """SYNTHETIC: effects grow 0.4 per year; TWFE uses already-treated units as controls."""
    df = simulate_staggered(
        n_units=120,
        years=range(2005, 2017),
        cohorts={2007: 50, 2011: 50},
        tau=0.0,
        dynamic=0.4,
        sigma=0.5,
        seed=0,
    )
    truth = df.te[df.treat == 1].mean()
    res = imputation_did(df, SPEC, pretrends=0)
    tw = twfe_did(df, SPEC)
    assert abs(res.overall["att"] - truth) < 2.5 * res.overall["se"]
    assert abs(tw.coef() - truth) > 5 * tw.se()  # the TWFE bias
    ev = res.event.set_index("rel_time")
    for e in (0, 3, 6):
        assert abs(ev.estimate[e] - 0.4 * e) < 3 * ev.se[e]


def test_standard_error_matches_monte_carlo_spread():
    """SYNTHETIC Monte Carlo (homogeneous effect 0.5, 120 draws): mean SE vs SD of estimates."""
    spec = PanelSpec(outcome="y", first_treated="first_treated", controls=("x1",))
    est, ses = [], []
    for s in range(120):
        df = simulate_staggered(
            n_units=80,
            years=range(2000, 2008),
            cohorts={2003: 25, 2005: 25},
            tau=0.5,
            beta=(0.3,),
            seed=1000 + s,
        )
        r = imputation_did(df, spec, pretrends=0)
        est.append(r.overall["att"])
        ses.append(r.overall["se"])
    ratio = np.mean(ses) / np.std(est, ddof=1)
    assert 0.85 < ratio < 1.15
    assert abs(np.mean(est) - 0.5) < 3 * np.std(est) / np.sqrt(len(est))


def test_pretrend_test_detects_anticipation_and_anticipation_option_absorbs_it():
    df = _panel(seed=7)
    # units react one year early by 1.0
    early = (df.first_treated > 0) & (df.year == df.first_treated - 1)
    df.loc[early, "y"] += 1.0
    res = imputation_did(df, SPEC)
    assert res.pretrend["p"] < 0.01
    assert set(res.event[res.event.kind == "pretrend"].rel_time) == {-5, -4, -3, -2, -1}
    res_a = imputation_did(df, SPEC, anticipation=1)
    ev = res_a.event[res_a.event.kind == "effect"].set_index("rel_time")
    assert abs(ev.estimate[-1] - 1.0) < 3 * ev.se[-1]
    assert res_a.pretrend["p"] > 0.01


def test_refusals_and_degenerate_inference():
    df = _panel()
    never = df.assign(first_treated=0)
    with pytest.raises(InputError, match="no treated"):
        imputation_did(never, SPEC)
    # an exact fit: outcome = unit + year effects + a constant effect -> no inference
    exact = df.assign(y=df.year * 0.1 + df.unit.str[3:].astype(int) + 2.0 * df.treat)
    res = imputation_did(exact, PanelSpec(outcome="y", first_treated="first_treated"))
    assert res.overall["att"] == pytest.approx(2.0, abs=1e-8)
    assert not (res.overall["p"] < 0.05)


def test_units_never_untreated_are_left_out_with_a_note():
    df = _panel()
    df.loc[df.unit == "SYN001", "first_treated"] = 2005  # treated in every panel year
    res = imputation_did(df, SPEC, pretrends=0)
    assert any("cannot be imputed" in n for n in res.notes)
    assert "SYN001" not in set(res.tau.unit)


def test_cli_imputation_json_table_and_plot(tmp_path, capsys):
    """``policylink did imputation``: JSON equals did2s on the file, SYNTHETIC labelled."""
    import json

    from policylink.cli import main

    path = tmp_path / "syn.csv"
    assert main(["did", "simulate", "--out", str(path), "--units", "120", "--seed", "2"]) == 0
    args = ["did", "imputation", str(path), "-y", "y", "--first-treated", "first_treated"]
    args += ["--controls", "x1,x2", "--horizons", "4"]
    capsys.readouterr()
    png = tmp_path / "imp.png"
    assert main([*args, "--format", "json", "--plot", str(png)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["analysis"] == "did_imputation" and out["synthetic"] is True
    df = pd.read_csv(path, dtype={"unit": str})
    fit = _did2s(df, "treat", "~ treat")
    assert out["imputation"]["att"]["att"] == pytest.approx(float(fit.coef()["treat"]), abs=1e-7)
    effects = [r for r in out["imputation"]["event_study"] if r["kind"] == "effect"]
    assert [r["rel_time"] for r in effects] == [0, 1, 2, 3, 4]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main([*args, "--format", "table"]) == 0
    text = capsys.readouterr().out
    assert "Imputation DID" in text and "SYNTHETIC" in text
    # bad option: one clear message, exit 2
    assert main([*args, "--anticipation", "-1"]) == 2
    assert "anticipation" in capsys.readouterr().err


def test_run_imputation_result_conventions():
    from policylink.analyses.did import ImputationOptions, run_imputation
    from policylink.did_inputs import did_inputs_from_frame

    df = _panel()
    inputs = did_inputs_from_frame(df, SPEC, source="sim", synthetic=["y"])
    res = run_imputation(inputs, ImputationOptions(horizons=3, pretrends=2))
    direct = imputation_did(df, SPEC, horizons=3, pretrends=2)
    assert res.att == pytest.approx(direct.overall["att"], abs=1e-12)
    d = res.to_dict()
    assert d["synthetic"] is True and d["synthetic_variables"] == ["y"]
    assert d["options"] == {
        "horizons": 3,
        "pretrends": 2,
        "anticipation": 0,
        "conley_km": None,
        "kernel": "bartlett",
    }
    assert "SYNTHETIC" in res.title("en") and "插补法" in res.title("zh")
    assert "相对政策年份" in res.table("zh").columns
    assert list(res.frame().rel_time) == [-2, -1, 0, 1, 2, 3]
    assert "SYNTHETIC" in res.csv_frame().source.iloc[0]
