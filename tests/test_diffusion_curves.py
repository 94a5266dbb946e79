"""Diffusion curves: the Bass closed form (Bass 1969) solves the Bass differential equation,
simulated Bass and logistic curves are recovered within 2 SE, the fits and SEs equal
``scipy.optimize.curve_fit`` (a second implementation), and ``policylink diffusion curve`` on
the real bundled cascade counts the adopters of ``eha_cascade`` and fits them as the numerics."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import psycopg
import pytest
from click.testing import CliRunner
from scipy.optimize import curve_fit

from policylink.analyses.diffusion import CurveOptions, adoption_series, run_curve
from policylink.spatial.curves import (
    bass_cumulative,
    bass_fraction,
    fit_bass,
    fit_logistic,
    logistic_cumulative,
)

P, Q, M = 0.03, 0.4, 100.0
T = np.arange(1, 21, dtype=float)


def test_bass_closed_form_solves_the_bass_equation():
    # closed form written out here; F(0) = 0 and dF/dt = (p + q F)(1 - F) (Bass 1969, eq. 4)
    t = np.linspace(0, 30, 3001)
    e = np.exp(-(P + Q) * t)
    closed = (1 - e) / (1 + (Q / P) * e)
    np.testing.assert_allclose(bass_fraction(t, P, Q), closed, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(bass_cumulative(t, P, Q, M), M * closed, rtol=1e-14)
    assert bass_fraction(0.0, P, Q) == 0.0
    dF = np.gradient(closed, t, edge_order=2)
    np.testing.assert_allclose(dF, (P + Q * closed) * (1 - closed), atol=1e-6)
    # peak of adoptions at t* = ln(q/p) / (p + q)
    tstar = np.log(Q / P) / (P + Q)
    assert abs(t[np.argmax(dF)] - tstar) < 0.02
    # logistic: K / 2 at t0
    assert logistic_cumulative(7.0, 80.0, 0.5, 7.0) == pytest.approx(40.0)


@pytest.mark.parametrize(
    ("model", "t", "params"),
    [
        ("bass", T, (0.03, 0.4, 100.0)),
        ("bass", T, (0.003, 1.5, 40.0)),  # q / p = 500: the imitation term dominates
        ("bass", np.linspace(0.0, 60.0, 25), (0.3, 0.0, 7.0)),  # q = 0, F(0) = 0, saturated
        ("logistic", np.arange(2005, 2025, dtype=float), (80.0, 0.6, 2014.0)),
        ("logistic", np.arange(2005, 2025, dtype=float), (3.0, 4.0, 2006.5)),  # steep, early
    ],
)
def test_jacobians_equal_central_differences(model, t, params):
    """The fits' analytic Jacobians equal central finite differences of the curves."""
    from policylink.spatial.curves import _FUNCS, _JACOBIANS

    f, jac = _FUNCS[model], _JACOBIANS[model]
    b = np.asarray(params, float)
    got = jac(t, *b)
    assert got.shape == (len(t), 3)
    h = 1e-6  # absolute: the parameters' scales differ (p ~ 0.003, t0 ~ 2000)
    for k in range(3):
        up, down = b.copy(), b.copy()
        up[k] += h
        down[k] -= h
        numeric = (f(t, *up) - f(t, *down)) / (2 * h)
        scale = 1e-6 * np.abs(f(t, *b)).max()
        np.testing.assert_allclose(got[:, k], numeric, rtol=1e-5, atol=scale)


def test_bass_simulation_recovery_within_two_se():
    rng = np.random.default_rng(20261130)
    within = []
    for _ in range(200):
        y = bass_cumulative(T, P, Q, M) + rng.normal(0, 0.5, len(T))
        f = fit_bass(T, y)
        assert f.converged and not f.at_bound
        within.append(np.abs(f.params - [P, Q, M]) <= 2 * f.se)
    within = np.array(within)
    # each parameter within 2 SE of the truth in about 93 % of the replications (2 SE under
    # t with 17 df); 200 replications put the observed share within +-0.05 of it
    assert (within.mean(axis=0) >= 0.87).all(), within.mean(axis=0)


def test_logistic_simulation_recovery_within_two_se():
    rng = np.random.default_rng(7)
    within = []
    years = np.arange(2005, 2025, dtype=float)
    for _ in range(200):
        y = logistic_cumulative(years, 80.0, 0.6, 2014.0) + rng.normal(0, 0.5, len(years))
        f = fit_logistic(years, y)
        within.append(np.abs(f.params - [80.0, 0.6, 2014.0]) <= 2 * f.se)
    within = np.array(within)
    assert (within.mean(axis=0) >= 0.87).all(), within.mean(axis=0)


def test_fits_equal_curve_fit():
    rng = np.random.default_rng(3)
    y = bass_cumulative(T, P, Q, M) + rng.normal(0, 1.0, len(T))
    f = fit_bass(T, y)
    po, pc = curve_fit(bass_cumulative, T, y, p0=[0.05, 0.3, 90.0], maxfev=20000)
    np.testing.assert_allclose(f.params, po, rtol=1e-6)
    np.testing.assert_allclose(f.se, np.sqrt(np.diag(pc)), rtol=1e-4)
    years = np.arange(2005, 2025, dtype=float)
    y = logistic_cumulative(years, 80.0, 0.6, 2014.0) + rng.normal(0, 1.0, len(years))
    f = fit_logistic(years, y)
    po, pc = curve_fit(logistic_cumulative, years, y, p0=[70.0, 0.5, 2013.0], maxfev=20000)
    np.testing.assert_allclose(f.params, po, rtol=1e-6)
    np.testing.assert_allclose(f.se, np.sqrt(np.diag(pc)), rtol=1e-4)


def test_run_curve_counts_and_fits():
    first = [2008, 2010, 2010, 2011, 2012, 2012, 2012, 2013, 2015, 2016, 2024]
    s = adoption_series(first, (2009, 2016), 20)
    assert s["new"].tolist() == [0, 2, 1, 3, 1, 0, 1, 1]
    assert s["cumulative"].tolist() == [1, 3, 4, 7, 8, 8, 9, 10]
    assert s["share"].iloc[-1] == pytest.approx(0.5)
    inp = SimpleNamespace(
        programme="demo",
        cascade=pd.DataFrame({"first_year": first}),
        ids=[str(k) for k in range(20)],
        years=(2009, 2016),
        source="test",
        notes=[],
    )
    res = run_curve(inp, CurveOptions())
    direct = fit_bass(np.arange(1, 9), s["cumulative"])
    np.testing.assert_allclose(res.fits["bass"].params, direct.params, rtol=1e-10)
    assert res.origin == 2008 and "fitted_logistic" in res.series
    assert any("after 2016" in n for n in res.provenance.notes)
    assert any("before 2009" in n for n in res.provenance.notes)
    assert list(res.table("zh").columns)[0] == "模型"
    assert json.loads(res.to_json())["synthetic"] is False


def test_curve_command_on_the_real_cascade(bundled_url, monkeypatch):
    from policylink.cli import cli

    monkeypatch.setenv("DATABASE_URL", bundled_url)
    with psycopg.connect(bundled_url) as c:
        fy = [
            r[0]
            for r in c.execute(
                "SELECT first_year FROM eha_cascade('low_carbon_pilot', 'prefecture')"
            ).fetchall()
        ]
        n = c.execute("SELECT count(*) FROM admin_unit WHERE level = 'prefecture'").fetchone()[0]
    runner = CliRunner()
    r = runner.invoke(cli, ["diffusion", "curve", "--programme", "low_carbon_pilot", "--format",
                            "json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    out = json.loads(r.output[r.output.index("{") :])
    years = np.arange(2009, 2023)
    cum = [sum(1 for y in fy if y <= yr) for yr in years]
    assert [row["cumulative"] for row in out["series"]] == cum
    assert out["n_units"] == n and out["synthetic"] is False
    direct = fit_bass(years - 2008, cum)
    got = [p["estimate"] for p in out["fits"]["bass"]["parameters"]]
    np.testing.assert_allclose(got, direct.params, rtol=1e-8)
    r = runner.invoke(cli, ["diffusion", "curve", "--format", "csv"])
    assert r.exit_code == 0 and r.output.startswith("year,new,cumulative,share,fitted_logistic")
    r = runner.invoke(cli, ["diffusion", "curve", "--lang", "zh"])
    assert r.exit_code == 0 and "扩散曲线" in r.output
