"""Diffusion inputs, analyses and CLI on the real bundled policy events: the readers give the
views' cascades and risk sets, the neighbour share equals a direct count over w_queen, and the
EHA and dyad fits on the real low-carbon pilot risk set equal statsmodels GLM on the same rows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import psycopg
import psycopg.sql
import pytest
from click.testing import CliRunner

from policylink import diffusion_inputs as di
from policylink.analyses.diffusion import DyadOptions, EhaOptions, run_dyad, run_eha

sm = pytest.importorskip("statsmodels.api")
JJJ = ("110000", "120000", "130000")


@pytest.fixture(scope="module")
def conn(bundled_url):
    with psycopg.connect(bundled_url) as c:
        yield c
        c.rollback()


def test_readers_cascade_programmes_links_centroids(conn):
    casc = di.read_cascade(conn, "low_carbon_pilot")
    assert len(casc) == 87 and casc["code"].is_unique
    assert set(casc["date_precision"]) == {"day", "month"}
    progs = di.read_programmes(conn).set_index("programme")
    assert progs.loc["low_carbon_pilot", "n_participants"] == 87
    links = di.read_link_pairs(conn, "prefecture", JJJ)
    assert len(links) > 0 and (links["i"] != links["j"]).all()
    assert set(zip(links["i"], links["j"], strict=True)) == set(
        zip(links["j"], links["i"], strict=True)
    )  # both directions
    cen = di.read_centroids(conn, "prefecture", JJJ)
    assert len(cen) == 13 and set(cen["province"]) == set(JJJ)


def test_eha_inputs_neighbour_share_is_a_direct_count(conn):
    inp = di.load_eha_inputs(di.EhaSource(), conn=conn)
    risk = inp.risk
    # nobody at risk after adoption; one event per adopter
    last = risk.groupby("code")["year"].max()
    adopters = risk[risk["event"] == 1]
    assert adopters["code"].is_unique
    assert (adopters.set_index("code")["year"] == last[adopters["code"]]).all()
    # direct count: queen neighbours whose first year (eha_cascade, prefecture) < t
    rows = conn.execute(
        "SELECT r.unit_code, r.year, count(c.unit_code) FROM eha_risk_set('low_carbon_pilot') r "
        "LEFT JOIN w_queen q ON q.level = 'prefecture' AND q.i = r.unit_code "
        "LEFT JOIN eha_cascade('low_carbon_pilot', 'prefecture') c "
        "  ON c.unit_code = q.j AND c.first_year < r.year GROUP BY 1, 2"
    ).fetchall()
    direct = pd.DataFrame(rows, columns=["code", "year", "n"]).set_index(["code", "year"])["n"]
    ours = risk.set_index(["code", "year"])["neighbour_count"]
    assert len(direct) == len(ours)
    np.testing.assert_array_equal(ours.sort_index().to_numpy(), direct.sort_index().to_numpy())


def _statsmodels(design, clusters):
    r = sm.GLM(design.y, design.X, family=sm.families.Binomial())
    # Newton-Raphson until no parameter moves by 1e-10: the real cascades are bunched, so the
    # baseline terms sit on a flat likelihood where a deviance tolerance is a poor stopping
    # rule; set below double precision (1e-13) IRLS ran until two deviances happened to be
    # bit-identical (204 iterations, ~13 s, on the 169,057 dyads; Newton stops after 14)
    return r.fit(
        method="newton",
        cov_type="cluster",
        cov_kwds={"groups": pd.factorize(clusters)[0]},
        tol=1e-10,
        maxiter=200,
    )


@pytest.mark.parametrize("neighbours", ["queen", "knn:5"])
def test_real_pilot_eha_equals_statsmodels(conn, neighbours):
    inp = di.load_eha_inputs(di.EhaSource(neighbours=neighbours), conn=conn)
    res = run_eha(inp, EhaOptions())
    d = res.result.design
    ref = _statsmodels(d, d.rows["code"])
    np.testing.assert_allclose(res.result.fit.params, ref.params, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(res.result.fit.se, ref.bse, rtol=1e-4)
    assert res.n_events == {"low_carbon_pilot": int(inp.risk["event"].sum())}
    out = res.to_dict()
    assert out["synthetic"] is False and "real policy events" in res.title()
    assert list(res.table("zh").columns)[0] == "变量"


def test_real_pilot_dyads_equal_statsmodels(conn):
    inp = di.load_dyad_inputs(di.EhaSource(), conn=conn)
    dy = inp.dyads
    assert (dy["source_year"] < dy["year"]).all()
    res = run_dyad(inp, DyadOptions())
    d = res.result.design
    ref = _statsmodels(d, d.rows["i"])
    np.testing.assert_allclose(res.result.fit.params, ref.params, rtol=1e-6, atol=1e-8)
    # the pair regressors' SEs agree to 1e-4; the cubic baseline's (SEs in the hundreds: the
    # hazard is ~0 outside 2012 and 2017) to 1e-2, since statsmodels clips fitted
    # probabilities below 2.2e-16 in its weights and we do not
    k = [d.names.index(c) for c in d.covariates]
    np.testing.assert_allclose(res.result.fit.se[k], ref.bse[k], rtol=1e-4)
    np.testing.assert_allclose(res.result.fit.se, ref.bse, rtol=1e-2)


def test_synthetic_covariate_is_labelled_and_cli_runs(conn, bundled_url, monkeypatch):
    from policylink.cli import cli

    monkeypatch.setenv("DATABASE_URL", bundled_url)
    runner = CliRunner()
    args = [
        "diffusion",
        "eha",
        "--programme",
        "jjj_policy_adoption",
        "--within",
        ",".join(JJJ),
        "--years",
        "2006-2019",
        "--covariates",
        "syn_lngdp",
        "--regressors",
        "neighbour_share,syn_lngdp",
        "--duration",
        "none",
        "--format",
        "json",
    ]
    r = runner.invoke(cli, args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output[r.output.index("{") :])
    assert out["synthetic"] is True and out["synthetic_variables"] == ["syn_lngdp"]
    r = runner.invoke(cli, [*args[:-2], "--format", "table"])
    assert "SYNTHETIC" in r.output
    r = runner.invoke(cli, ["diffusion", "cascade", "--format", "csv"])
    assert r.exit_code == 0 and len(r.output.strip().splitlines()) == 88
    r = runner.invoke(cli, ["diffusion", "dyad", "--format", "csv"])
    assert r.exit_code == 0 and "log_distance_km" in r.output


def test_unit_ratios_on_the_real_pilots_equal_statsmodels(conn):
    """Each unit's ratio in its last year at risk: exp(b' x) with statsmodels' b, x read from
    the risk set (the latest year of the unit)."""
    inp = di.load_eha_inputs(di.EhaSource(), conn=conn)
    res = run_eha(inp, EhaOptions())
    d = res.result.design
    ref = _statsmodels(d, d.rows["code"])
    names = list(d.names)
    regs = list(EhaOptions().regressors)
    b = np.array([float(np.asarray(ref.params)[names.index(r)]) for r in regs])
    last = inp.risk.sort_values("year").groupby("code").tail(1).set_index("code")
    got = res.unit_ratios().set_index("code")
    assert set(got.index) == set(inp.risk["code"])
    assert (got["year"] == last.loc[got.index, "year"]).all()
    expected = np.exp(last.loc[got.index, regs].to_numpy(float) @ b)
    np.testing.assert_allclose(got["ratio"], expected, rtol=1e-5)
    assert (got["ratio_low"] <= got["ratio"]).all() and (got["ratio"] <= got["ratio_high"]).all()


@pytest.mark.parametrize(
    ("neighbours", "pairs_sql"),
    [
        (
            "links",
            psycopg.sql.SQL(
                "SELECT code_a AS i, code_b AS j FROM coordination_link_summary_at('prefecture', "
                "p_within => %(w)s) UNION SELECT code_b, code_a FROM coordination_link_summary_at("
                "'prefecture', p_within => %(w)s)"
            ),
        ),
        (
            "distance:150000",
            psycopg.sql.SQL("SELECT i, j FROM w_distance('prefecture', 150000, %(w)s)"),
        ),
    ],
)
def test_neighbour_share_from_links_and_distance_is_a_direct_count(conn, neighbours, pairs_sql):
    """The neighbour count from the coordination-link network and from a distance band equals a
    SQL count over those pairs and eha_cascade (JJJ prefectures, adopted before the year)."""
    src = di.EhaSource(
        programmes=("jjj_policy_adoption",), within=JJJ, years=(2006, 2019), neighbours=neighbours
    )
    risk = di.load_eha_inputs(src, conn=conn).risk
    query = psycopg.sql.SQL(
        "WITH p AS ({}), c AS (SELECT unit_code, first_year FROM "
        "eha_cascade('jjj_policy_adoption', 'prefecture', %(w)s)) "
        "SELECT p.i, count(*) FILTER (WHERE c.first_year IS NOT NULL), "
        "array_agg(c.first_year) FROM p LEFT JOIN c ON c.unit_code = p.j GROUP BY p.i"
    ).format(pairs_sql)
    rows = conn.execute(query, {"w": list(JJJ)}).fetchall()
    firsts = {i: [y for y in ys if y is not None] for i, _, ys in rows}
    assert sum(len(v) for v in firsts.values()) > 0  # some neighbour adopted
    for code, year, count in risk[["code", "year", "neighbour_count"]].itertuples(index=False):
        assert count == sum(y <= year - 1 for y in firsts.get(code, [])), (code, year)
