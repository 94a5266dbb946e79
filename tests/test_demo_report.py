"""The HTML report on the SYNTHETIC grid of ``demo_fixtures``: sections, files, network, offline map.

The grid stands in for the regional case study (``region=990000``); expectations are derived by
hand from the fixture's events or recomputed independently (pandas) in the test.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from demo_fixtures import (
    PROVINCE,
    control_codes,
    load_synthetic,
    load_synthetic_panel,
    prefecture_codes,
)

from policylink import dbread, mapdata
from policylink.errors import ConfigError
from policylink.etl.migrate import refresh_materialized_views
from policylink.report import build_report
from policylink.report import network as net
from policylink.report.sections import all_sections, section_keys


@pytest.fixture(scope="module")
def grid_url(database_copies, clone_migrated):
    """A migrated database holding the synthetic grid."""
    name, url = clone_migrated("t_rep_")
    with psycopg.connect(url) as conn:
        load_synthetic(conn)
        load_synthetic_panel(conn)
        conn.commit()
        refresh_materialized_views(conn)
        conn.commit()
    yield url
    database_copies.drop(name)


@pytest.fixture(scope="module")
def report(grid_url, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    stale = out / "figures" / "stale_from_last_run.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    with psycopg.connect(grid_url) as conn:
        result = build_report(conn, out, lang="en", region=PROVINCE, draws=50, log=lambda m: None)
    return out, result


def test_every_section_is_in_the_page(report):
    out, result = report
    page = result.path.read_text(encoding="utf-8")
    keys = [s.key for s in result.sections]
    assert len(keys) == len(all_sections())
    for key in keys:
        assert f'data-section="{key}"' in page
    assert not result.failed, [s.failed for s in result.failed]
    # Each section names the seed section it mirrors and its data status.
    assert page.count("Mirrors:") == len(all_sections())
    # The grid's events are SYNTHETIC and the page says so.
    assert "SYNTHETIC" in page


def test_figures_are_embedded_and_written(report):
    out, result = report
    page = result.path.read_text(encoding="utf-8")
    pngs = sorted((out / "figures").glob("*.png"))
    assert {p.name for p in pngs} >= {"pilots_map.png", "jjj_adoption_map.png", "jjj_links_map.png"}
    # Every PNG on disk is embedded byte for byte.
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    decoded = {base64.b64decode(e) for e in embedded}
    for p in pngs:
        assert p.read_bytes() in decoded, p.name
    # Re-running replaced the previous outputs.
    assert not (out / "figures" / "stale_from_last_run.png").exists()
    # The page references no remote resources (self-contained).
    assert not re.search(r'<(?:img|script|link)[^>]+(?:src|href)="https?://', page)


def test_tables_written_as_csv(report):
    out, result = report
    csvs = {p.name for p in (out / "tables").glob("*.csv")}
    assert "jjj_links_network_nodes.csv" in csvs
    # DID section: the estimator comparison has the synthetic DID row; HonestDiD table and plot
    cmp_ = pd.read_csv(out / "tables" / "did_estimator_comparison.csv")
    assert cmp_.iloc[:, 0].str.startswith("Synthetic DID").any()
    assert "did_honest.csv" in csvs and (out / "figures" / "did_honest.png").exists()
    nodes = pd.read_csv(out / "tables" / "jjj_links_network_nodes.csv", dtype={"code": str})
    # Independent count from the fixture: links are (event, pair) rows; A joins syn-co-1 (A-B),
    # syn-co-2 (A-B, A-D), syn-co-3 (A-B) -> strength 4, partners {B, D} -> degree 2.
    a = prefecture_codes()[0]
    row = nodes.set_index("code").loc[a]
    assert (row["strength"], row["degree"]) == (4, 2)
    units = pd.read_csv(out / "tables" / "jjj_adoption_units_by_period.csv", dtype={"code": str})
    # Cumulative adoption (seed 001 windows): A, B; + D; + E. Last row holds the totals.
    body = units[units["code"].notna()]
    assert body[["before 2008", "2008-2014", "2014-2016"]].sum().tolist() == [2, 3, 4]
    assert units.iloc[-1][["before 2008", "2008-2014", "2014-2016"]].tolist() == [2, 3, 4]


def test_truth_shown_only_for_its_own_units(report):
    """The bundled truth files describe the JJJ / national panels, not the test grid."""
    out, result = report
    t5 = pd.read_csv(out / "tables" / "sdm_table5.csv")
    assert not [c for c in t5.columns if c.startswith("true")]
    base = pd.read_csv(out / "tables" / "did_baseline.csv")
    assert base["true"].isna().all()
    sdm = next(s for s in result.sections if s.key == "sdm")
    assert any("describes other units" in m for m in sdm.missing)


def test_network_table_matches_pandas(grid_url):
    """The view's degree/strength equal networkx's multigraph and a groupby on the link rows."""
    with psycopg.connect(grid_url) as conn:
        ev = mapdata.read_links(conn, within=PROVINCE).events
        link_nodes = dbread.read_link_nodes(
            conn, "prefecture", PROVINCE, programme="jjj_coordination"
        )
        periods = [label for label, _ in mapdata.read_periods(conn)]
    nodes = net.node_table(link_nodes, ev).set_index("code")
    graph = net.link_graph(ev)
    assert dict(graph.degree()) == nodes["strength"].to_dict()  # parallel edges = events
    ends = pd.concat([ev[["from_code", "to_code"]].set_axis(["u", "v"], axis=1),
                      ev[["to_code", "from_code"]].set_axis(["u", "v"], axis=1)])  # fmt: skip
    strength = ends.groupby("u").size()
    degree = ends.groupby("u")["v"].nunique()
    pd.testing.assert_series_equal(
        nodes["strength"].sort_index(), strength.sort_index(), check_names=False
    )
    pd.testing.assert_series_equal(
        nodes["degree"].sort_index(), degree.sort_index(), check_names=False
    )
    tab = net.links_by_kind_and_period(ev, periods).set_index("kind")
    assert tab.loc["total", "total"] == len(ev)
    # syn-co-2 (2010): A-B, A-D, B-D; syn-co-3 (2015): A-B.
    assert tab.loc["coordination_agreement", "2008-2014"] == 3
    assert tab.loc["coordination_agreement", "2014-2016"] == 1


def test_interactive_map_is_offline(report):
    out, _ = report
    page = (out / "interactive_map.html").read_text(encoding="utf-8")
    assert not re.search(r'<script[^>]+src="https?://', page)
    assert not re.search(r'<link[^>]+href="https?://', page)
    assert "L.version" in page or "Leaflet" in page  # Leaflet itself is inlined
    # Hover data: every unit's name, its first policy year and link count are in the GeoJSON.
    # City A's first link: the syn-co-1 transfer A -> B (2005).
    assert '"name": "City A"' in page and '"first_link_year": "2005"' in page
    assert '"adoption_window": "before 2008"' in page
    assert '"links": "4"' in page
    if shutil.which("node"):
        scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
        assert scripts
        for i, js in enumerate(scripts):
            path = out / f"script_{i}.js"
            path.write_text(js, encoding="utf-8")
            proc = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr


def test_report_chinese(grid_url, tmp_path):
    with psycopg.connect(grid_url) as conn:
        # the draws of the English report (the default 1,000 took ~4 s more for labels)
        result = build_report(
            conn, tmp_path, lang="zh", region=PROVINCE, draws=50, log=lambda m: None
        )
    page = result.path.read_text(encoding="utf-8")
    assert "对应" in page and "合成数据" in page
    assert Path(tmp_path / "figures" / "pilots_map.png").exists()


def _long(grid_url, variable: str) -> pd.DataFrame:
    with psycopg.connect(grid_url) as conn:
        rows = conn.execute(
            "SELECT unit_code, year, value FROM observation WHERE variable = %s", (variable,)
        ).fetchall()
    return pd.DataFrame(rows, columns=["code", "year", "value"])


def test_moran_table_matches_esda(report, grid_url):
    """Table 4 numbers equal esda's Moran on queen weights of the same squares."""
    import esda
    import libpysal
    import shapely
    from scipy.stats import norm

    from policylink.report.analysis_sections import NAMES

    out, _ = report
    t4 = pd.read_csv(out / "tables" / "moran_table4.csv")
    df = _long(grid_url, NAMES.jjj_y)
    codes = prefecture_codes()
    # The grid squares, rebuilt here: 3 x 3 one-degree boxes, row by row from the south-west.
    geoms = [shapely.box(114 + i % 3, 37 + i // 3, 115 + i % 3, 38 + i // 3) for i in range(9)]
    w = libpysal.weights.Queen.from_iterable(geoms, ids=codes)
    w.transform = "r"
    for year in (2006, 2019):
        y = df[df["year"] == year].set_index("code").loc[codes, "value"].to_numpy()
        mi = esda.Moran(y, w, permutations=0)
        row = t4[t4["year"] == year].iloc[0]
        assert row["Moran's I"] == pytest.approx(mi.I, abs=1e-10)
        assert row["z"] == pytest.approx(mi.z_norm, abs=1e-8)
        # Seed 000 Table 4 reports the one-sided (positive autocorrelation) p-value.
        assert row["p"] == pytest.approx(norm.sf(mi.z_norm), abs=1e-8)


def test_did_baseline_matches_pyfixest(report, grid_url):
    """Baseline DID equals pyfixest feols with the treatment coded by hand from the fixture."""
    import pyfixest as pf

    from policylink.report.analysis_sections import NAMES

    out, _ = report
    base = pd.read_csv(out / "tables" / "did_baseline.csv")
    df = _long(grid_url, NAMES.did_y)
    for i, c in enumerate(NAMES.did_controls):
        ctrl = _long(grid_url, c).rename(columns={"value": f"c{i}"})
        df = df.merge(ctrl, on=["code", "year"])
    codes = prefecture_codes()
    # Seed 004 effective years: batch 1 (city A) 2011, batch 2 (the province) 2013; the
    # control province never. Batch 3 names city E, already covered in 2013.
    first = {c: (2011 if c == codes[0] else 2013) for c in codes} | dict.fromkeys(
        control_codes(), 0
    )
    df["treat"] = [
        int(first[c] != 0 and y >= first[c]) for c, y in zip(df["code"], df["year"], strict=True)
    ]
    rhs = " + ".join(["treat", *(f"c{i}" for i in range(len(NAMES.did_controls)))])
    fit = pf.feols(f"value ~ {rhs} | code + year", data=df, vcov={"CRV1": "code"})
    assert base.loc[0, "estimate"] == pytest.approx(float(fit.coef()["treat"]), abs=1e-8)
    assert base.loc[0, "se"] == pytest.approx(float(fit.se()["treat"]), rel=1e-6)


def test_missing_inputs_are_stated(make_db, tmp_path):
    """On an empty database every section says what is missing; nothing crashes."""
    url = make_db()
    with psycopg.connect(url) as conn:
        result = build_report(conn, tmp_path, lang="en", log=lambda m: None)
    assert not result.failed, [s.failed for s in result.failed]
    assert all(s.missing for s in result.sections)
    assert "Not available" in result.path.read_text(encoding="utf-8")
    # the keys build_report(sections=...) accepts are those of the sections built
    assert [s.key for s in result.sections] == section_keys()


def test_a_chosen_subset_of_sections(make_db, tmp_path):
    url = make_db()
    with psycopg.connect(url) as conn:
        result = build_report(
            conn, tmp_path, lang="en", log=lambda m: None, sections=["sdm", "moran"]
        )
        assert [s.key for s in result.sections] == ["moran", "sdm"]  # in report order
        page = result.path.read_text(encoding="utf-8")
        assert 'data-section="moran"' in page and 'data-section="did"' not in page
        with pytest.raises(ConfigError, match="unknown report section.*'morans'.*moran, sdm"):
            build_report(conn, tmp_path, lang="en", log=lambda m: None, sections=["morans"])


def test_demo_sections_option(make_db, tmp_path, monkeypatch, capsys):
    from policylink.cli import main

    monkeypatch.setenv("DATABASE_URL", make_db())
    out = tmp_path / "out"
    args = ["demo", "--skip-load", "--lang", "en", "--out", str(out)]
    assert main([*args, "--sections", "moran"]) == 0  # missing inputs are stated, not errors
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'data-section="moran"' in page and 'data-section="pilots"' not in page
    capsys.readouterr()
    # refused before any database work, naming the key and the valid ones; nothing written
    for bad, said in (("moran,morans", "'morans'"), (" , ", "no report section named")):
        shutil.rmtree(out, ignore_errors=True)
        assert main([*args, "--sections", bad]) == 2
        err = capsys.readouterr().err
        assert said in err and "pilots, jjj_adoption" in err, err
        assert not out.exists()


def test_true_sdm_effects_closed_forms():
    """Implied true effects: rho = 0 gives direct = beta, indirect = theta (row-standardised W,
    zero diagonal); theta = 0 gives total = beta / (1 - rho) (LeSage and Pace 2009, ch. 2.7)."""
    from policylink.report.analysis_sections import true_sdm_values

    nb = {"a": ["b"], "b": ["a", "c"], "c": ["b"]}
    t0 = true_sdm_values(
        {"rho": 0.0, "beta": {"x": 0.7}, "theta": {"x": -0.2}, "neighbours": nb}, ["syn_x"]
    )
    assert t0["effects"]["direct"]["syn_x"] == pytest.approx(0.7)
    assert t0["effects"]["indirect"]["syn_x"] == pytest.approx(-0.2)
    t1 = true_sdm_values(
        {"rho": 0.3, "beta": {"x": 0.7}, "theta": {"x": 0.0}, "neighbours": nb}, ["syn_x"]
    )
    assert t1["effects"]["total"]["syn_x"] == pytest.approx(0.7 / (1 - 0.3))
    assert t1["beta"]["syn_x"] == 0.7
