"""One question, one answer: the CLI, the report, QGIS Processing and plain SQL agree.

On one database (the bundled real JJJ boundaries with the SYNTHETIC JJJ panel, the session's
``bundled_url``) the same questions are asked through every front-end:

- Moran's I of ``syn_lnco2`` by year with its p-values (normality, randomisation, 999 seeded
  permutations): ``policylink moran``, the report's seed 000 Table 4, the Processing algorithm
  ``globalmoran`` on the layer of ``loadpanel``, and I computed in plain SQL from the ``w_queen``
  view and ``observation`` (an independent implementation of the formula);
- LISA labels of 2019: ``policylink lisa``, the Processing algorithm ``localmoran`` and the LISA
  map of ``policylink map lisa`` / the report;
- SDM coefficients and effects (two-way FE, 99 draws): ``policylink sdm``, the report's Table 5
  and the Processing algorithm ``spatialpanel``.

Every number must be identical (to floating-point round-off where a sum is formed in another
order), not merely close: the front-ends call the same analysis on the same inputs.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import psycopg
import pytest

from policylink.cli import main

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

JJJ = "110000,120000,130000"
Y = "syn_lnco2"
XS = ["syn_lnisu", "syn_lngdp", "syn_lnei", "syn_lnopen", "syn_lnurban", "syn_lntech"]
YEARS = list(range(2006, 2020))


def _cli(monkeypatch, capsys, url: str, *args: str) -> object:
    monkeypatch.setenv("DATABASE_URL", url)
    rc = main([*args, "--format", "json"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return json.loads(out.out)


@pytest.fixture(scope="module")
def report_dir(bundled_url, tmp_path_factory):
    """The report's Moran and SDM sections built once on the bundled database (English, 99
    draws, seed 12345): the tables compared here (the other sections, ~7 s, are built in the
    demo and report tests)."""
    from policylink.report import build_report

    out = tmp_path_factory.mktemp("report")
    with psycopg.connect(bundled_url) as conn:
        build_report(
            conn,
            out,
            lang="en",
            seed=12345,
            draws=99,
            log=lambda _m: None,
            sections=["moran", "sdm"],
        )
    return out


@pytest.fixture(scope="module")
def loaded(qgis_app, bundled_url):
    """Processing ``loadpanel``: the JJJ prefectures with ``<variable>_<year>`` fields."""
    import processing

    from qgis_plugin.plugin import PolicyLinkPlugin

    plugin = PolicyLinkPlugin(None)
    plugin.initGui()
    res = processing.run(
        "policylink:loadpanel",
        {
            "DATABASE_URL": bundled_url,
            "LEVEL": 1,
            "WITHIN": JJJ,
            "VARIABLES": ",".join([Y, *XS]),
            "YEAR_FROM": YEARS[0],
            "YEAR_TO": YEARS[-1],
            "UNITS": "memory:",
            "PANEL": "memory:",
        },
    )
    yield res
    plugin.unload()


def _sql_moran(url: str) -> dict[int, float]:
    """Moran's I per year in plain SQL: row-standardised w_queen, deviations from the mean."""
    query = """
        WITH units AS (SELECT code FROM unit_within(%(w)s, 'prefecture')),
        y AS (SELECT o.unit_code AS code, o.year, o.value
              FROM observation o JOIN units u ON u.code = o.unit_code
              WHERE o.variable = %(v)s),
        z AS (SELECT code, year, value - avg(value) OVER (PARTITION BY year) AS z FROM y),
        w AS (SELECT q.i, q.j, 1.0 / count(*) OVER (PARTITION BY q.i) AS wij
              FROM w_queen q JOIN units a ON a.code = q.i JOIN units b ON b.code = q.j
              WHERE q.level = 'prefecture'),
        cross_products AS (
              SELECT zi.year, sum(w.wij * zi.z * zj.z) AS zwz
              FROM w JOIN z zi ON zi.code = w.i JOIN z zj ON zj.code = w.j AND zj.year = zi.year
              GROUP BY zi.year),
        squares AS (SELECT year, sum(z * z) AS zz, count(*) AS n FROM z GROUP BY year)
        SELECT s.year, (s.n / (SELECT count(DISTINCT i) FROM w)::float8) * c.zwz / s.zz
        FROM squares s JOIN cross_products c USING (year) ORDER BY s.year
    """
    with psycopg.connect(url) as conn:
        rows = conn.execute(query, {"w": JJJ.split(","), "v": Y}).fetchall()
    return {int(y): float(i) for y, i in rows}


def test_moran_by_year_is_the_same_everywhere(bundled_url, report_dir, loaded, monkeypatch, capsys):
    import processing

    cli = pd.DataFrame(
        _cli(monkeypatch, capsys, bundled_url, "moran", "--variable", Y, "--within", JJJ)
    )
    cli = cli.set_index("year")
    assert list(cli.index) == YEARS
    assert cli["synthetic"].all()  # the SYNTHETIC panel says so in the JSON
    p = pd.json_normalize(cli["p"].tolist()).set_index(cli.index)

    # report: seed 000 Table 4 (I, z and p under normality, E[I], permutation p)
    t4 = pd.read_csv(report_dir / "tables" / "moran_table4.csv").set_index("year")
    # (a CSV round trip keeps about 16 significant digits)
    csv_equal = {"rtol": 1e-14, "atol": 1e-15}
    np.testing.assert_allclose(t4["Moran's I"].to_numpy(), cli["I"].to_numpy(), **csv_equal)
    np.testing.assert_allclose(t4["p"].to_numpy(), p["normality"].to_numpy(), **csv_equal)
    np.testing.assert_allclose(
        t4["p (999 permutations)"].to_numpy(), p["permutation"].to_numpy(), **csv_equal
    )

    # QGIS Processing on the database layer (weights built from its geometries by the same rule)
    fields = [f"{Y}_{y}" for y in YEARS]
    res = processing.run(
        "policylink:globalmoran",
        {
            "INPUT": loaded["UNITS"],
            "ID_FIELD": "code",
            "VALUE_FIELDS": fields,
            "PERMUTATIONS": 999,
            "SEED": 12345,
            "OUTPUT": "memory:",
        },
    )
    qg = pd.DataFrame(
        [
            {k: f[k] for k in ("period", "I", "p_norm", "p_rand", "p_perm")}
            for f in res["OUTPUT"].getFeatures()
        ]
    )
    qg["year"] = qg["period"].str.rsplit("_", n=1).str[-1].astype(int)
    qg = qg.set_index("year").loc[YEARS]
    np.testing.assert_allclose(qg["I"].to_numpy(), cli["I"].to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(qg["p_norm"].to_numpy(), p["normality"].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(qg["p_rand"].to_numpy(), p["randomization"].to_numpy(), atol=1e-12)
    np.testing.assert_array_equal(qg["p_perm"].to_numpy(), p["permutation"].to_numpy())

    # plain SQL on the views: the formula computed independently of esda and of our code
    sql_i = _sql_moran(bundled_url)
    np.testing.assert_allclose([sql_i[y] for y in YEARS], cli["I"].to_numpy(), atol=1e-12)


def test_lisa_labels_are_the_same_everywhere(bundled_url, loaded, monkeypatch, capsys):
    import processing

    from policylink.figures import MapRequest, render_map

    out = _cli(
        monkeypatch, capsys, bundled_url, "lisa", "--variable", Y, "--year", "2019", "--within", JJJ
    )
    assert out["synthetic"] is True
    cli = {u["id"]: u["cluster"] for u in out["units"]}
    res = processing.run(
        "policylink:localmoran",
        {
            "INPUT": loaded["UNITS"],
            "ID_FIELD": "code",
            "FIELD": f"{Y}_2019",
            "PERMUTATIONS": 999,
            "SEED": 12345,
            "OUTPUT": "memory:",
        },
    )
    qg = {f["code"]: f["lisa_cl"] for f in res["OUTPUT"].getFeatures()}
    assert qg == cli
    with psycopg.connect(bundled_url) as conn:
        _fig, summary = render_map(
            conn, MapRequest("lisa", lang="en", within=JJJ, variable=Y, year=2019)
        )
    counts: dict[str, int] = {}
    for label in cli.values():
        key = "ns" if label == "not significant" else label
        counts[key] = counts.get(key, 0) + 1
    assert {k[2:]: v for k, v in summary.items() if k.startswith("n_")} == counts


def test_sdm_is_the_same_everywhere(bundled_url, report_dir, loaded, monkeypatch, capsys):
    import processing

    from policylink.report.analysis_sections import _cell

    out = _cli(
        monkeypatch, capsys, bundled_url, "sdm", "--y", Y, "--x", ",".join(XS),
        "--within", JJJ, "--draws", "99",
    )  # fmt: skip
    assert out["synthetic"] is True
    coef = pd.DataFrame(out["coefficients"]).T
    coef.loc["rho"] = pd.Series(out["rho"])
    eff = pd.DataFrame(
        [
            {"effect": k, "variable": v, **vals}
            for k, by_var in out["effects"].items()
            for v, vals in by_var.items()
        ]
    )

    # report Table 5: the same numbers, printed by the report's own cell format
    t5 = pd.read_csv(report_dir / "tables" / "sdm_table5.csv", keep_default_na=False)
    t5 = t5.set_index("variable")
    for name in XS:
        assert t5.loc[name, "(1) coefficient"] == _cell(*coef.loc[name, ["estimate", "se", "p"]])
        for k, col in (
            ("direct", "(2) direct"),
            ("indirect", "(3) indirect"),
            ("total", "(4) total"),
        ):
            e = eff[(eff["effect"] == k) & (eff["variable"] == name)].iloc[0]
            assert t5.loc[name, col] == _cell(e["estimate"], e["se"], e["p"])

    # QGIS Processing on the loaded layers
    res = processing.run(
        "policylink:spatialpanel",
        {
            "INPUT": loaded["UNITS"],
            "ID_FIELD": "code",
            "PANEL": loaded["PANEL"],
            "PANEL_ID": "unit_code",
            "PANEL_TIME": "year",
            "Y": Y,
            "X": XS,
            "MODEL": 2,
            "FE": 0,
            "DRAWS": 99,
            "SEED": 12345,
            "OUTPUT": "memory:",
            "EFFECTS": "memory:",
        },
    )
    est = {f["name"]: (f["estimate"], f["se"]) for f in res["OUTPUT"].getFeatures()}
    for r in coef.itertuples():
        assert est[r.Index][0] == pytest.approx(r.estimate, abs=1e-10)
        assert est[r.Index][1] == pytest.approx(r.se, abs=1e-10)
    qeff = {(f["effect"], f["variable"]): f["estimate"] for f in res["EFFECTS"].getFeatures()}
    for r in eff.itertuples():
        assert qeff[(r.effect, r.variable)] == pytest.approx(r.estimate, abs=1e-10)
