"""Policy facts straight (issue 16): levels, dates and programmes in the link, adoption, period
and diffusion views, on the bundled real events (session database, read-only).

References are independent of the views: the events files read with PyYAML, the GB/T 2260
municipality codes written out by hand, seed 001 section 2.3 / Fig. 1 (3 / 2 / 8 of the 13 JJJ
cities adopting before 2008 / 2008-2014 / 2014-2016), seed 002 Tables 1-2 read with the csv
module, and libpysal queen contiguity built from the unit geometries.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import psycopg
import pytest
import yaml

from policylink import dbread, mapdata
from policylink.etl.events import UnitResolver, validate_events
from policylink.figures import MapRequest, render_map
from policylink.report.builder import ReportWriter
from policylink.report.sections import Context, section_jjj_links

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "data" / "events"
JJJ = ["110000", "120000", "130000"]
#: GB/T 2260: the municipalities' province-level codes and their prefecture-level units.
MUNICIPALITIES = {"110000": "110100", "120000": "120100", "310000": "310100", "500000": "500100"}
LINK_KINDS = {
    "coordination_agreement",
    "industrial_transfer",
    "co_construction",
    "division_of_labour",
    "innovation_cooperation",
    "other",
}


def _events(name: str = "*.yaml") -> list[dict]:
    out = []
    for f in sorted(EVENTS.glob(name)):
        out.extend(yaml.safe_load(f.read_text(encoding="utf-8"))["events"])
    return out


def test_unit_equivalent_resolves_municipalities(bundled_url: str) -> None:
    with psycopg.connect(bundled_url) as conn:
        for prov, pref in MUNICIPALITIES.items():
            q = "SELECT unit_equivalent_code(%s, %s)"
            assert conn.execute(q, (prov, "prefecture")).fetchone()[0] == pref
            assert conn.execute(q, (pref, "province")).fetchone()[0] == prov
            assert conn.execute(q, (prov, "province")).fetchone()[0] == prov
        rows = dict(
            conn.execute(
                "SELECT code || ':' || level, via FROM unit_equivalent "
                "WHERE code IN ('130000', '110108', '130209')"
            ).fetchall()
        )
    # 河北省 is no prefecture; 海淀区 and 曹妃甸区 stand in for their prefectures as ancestors
    assert "130000:prefecture" not in rows
    assert rows["110108:prefecture"] == rows["130209:prefecture"] == "ancestor"


def test_municipalities_keep_their_links_at_prefecture_level(bundled_url: str) -> None:
    """Every link-kind event whose parties include two municipalities' province codes links
    those municipalities at prefecture and at province level (seed 001: Beijing-Tianjin 2004,
    2008, 2013)."""
    expected = {}
    for ev in _events():
        parties = {
            str(p["code"]) for p in ev.get("participants", []) if p.get("role", "party") == "party"
        }
        munis = sorted(parties & set(MUNICIPALITIES))
        if ev["kind"] in LINK_KINDS and len(munis) >= 2:
            expected[ev["id"]] = (munis, int(str(ev["date"])[:4]))
    bj_tj = {e: y for e, (m, y) in expected.items() if m[:2] == ["110000", "120000"]}
    assert sorted(bj_tj.values()) == [2004, 2008, 2013]
    with psycopg.connect(bundled_url) as conn:
        for level in ("prefecture", "province"):
            rows = conn.execute(
                "SELECT event_id, from_code, to_code, event_year FROM coordination_link_at(%s) "
                "WHERE event_id = ANY(%s)",
                (level, list(expected)),
            ).fetchall()
            got = {(e, a, b, y) for e, a, b, y in rows}
            for eid, (munis, year) in expected.items():
                codes = [MUNICIPALITIES[m] if level == "prefecture" else m for m in munis]
                for i, a in enumerate(codes):
                    for b in codes[i + 1 :]:
                        assert (eid, a, b, year) in got, (level, eid, a, b)
    summary = dbread.read_links(bundled_url, "prefecture", JJJ, summary=True)
    pair = summary.set_index(["code_a", "code_b"]).loc[("110100", "120100")]
    assert pair["first_year"] == 2004


def _link_rows_by_period(url: str) -> Counter:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT period, count(*) FROM coordination_link_in_period_at('prefecture', 'seed001', "
            "p_programme => 'jjj_coordination', p_within => %s) GROUP BY 1",
            (JJJ,),
        ).fetchall()
    return Counter(dict(rows))


def test_jjj_links_per_period_equal_report_and_seed(bundled_url: str, tmp_path: Path) -> None:
    by_period = _link_rows_by_period(bundled_url)
    with psycopg.connect(bundled_url) as conn:
        per_pair = dict(
            conn.execute(
                "SELECT period, sum(n_events) FROM coordination_link_period_at('prefecture', "
                "p_programme => 'jjj_coordination', p_within => %s) GROUP BY 1",
                (JJJ,),
            ).fetchall()
        )
        ctx = Context(conn, ReportWriter(tmp_path), lang="en", region=",".join(JJJ), log=print)
        sec = section_jjj_links(ctx)
        assert not sec.missing
        windows = dbread.read_adoption_first(bundled_url, "jjj_policy_adoption", "prefecture", JJJ)
        cumulative = dbread.read_period_adoption(
            bundled_url, "jjj_policy_adoption", "prefecture", JJJ, wide=True
        )
    assert {p: int(n) for p, n in per_pair.items()} == dict(by_period)
    report = pd.read_csv(tmp_path / "tables" / "jjj_links_links_by_kind_period.csv")
    totals = report.set_index("kind").loc["total"]
    for period in ("before 2008", "2008-2014", "2014-2016", "after 2016", "undated"):
        assert totals[period] == by_period.get(period, 0), period
    assert totals["total"] == sum(by_period.values())
    # seed 001 section 2.3 / Fig. 1: 13 cities, 3 / 2 / 8 new, 3 / 5 / 13 cumulative
    assert windows["period"].value_counts().to_dict() == {
        "before 2008": 3,
        "2008-2014": 2,
        "2014-2016": 8,
    }
    assert cumulative[["before 2008", "2008-2014", "2014-2016"]].sum().tolist() == [3, 5, 13]


def test_undated_events_are_counted_as_undated(bundled_url: str) -> None:
    evs = _events("jjj_coordination_seed001.yaml")
    undated = {e["id"] for e in evs if "date" not in e}
    assert all(e["date_precision"] == "undated" for e in evs if e["id"] in undated)
    assert all("undated in the seed" in e["notes"] for e in evs if e["id"] in undated)
    linking = set()
    for e in evs:
        ends = {
            str(p["code"])[:4] + "00"
            for p in e["participants"]
            if p.get("role", "party") in ("party", "sender", "receiver")
        }
        if e["id"] in undated and e["kind"] in LINK_KINDS and len(ends) >= 2:
            linking.add(e["id"])
    assert len(undated) == 12 and len(linking) == 11
    with psycopg.connect(bundled_url) as conn:
        stored = conn.execute(
            "SELECT id, event_date, date_precision FROM policy_event "
            "WHERE programme = 'jjj_coordination' AND date_precision = 'undated'"
        ).fetchall()
        in_period = conn.execute(
            "SELECT DISTINCT event_id, period, period_ordinal, event_year "
            "FROM coordination_link_in_period_at('prefecture', p_programme => 'jjj_coordination') "
            "WHERE date_precision = 'undated'"
        ).fetchall()
        per_year = dict(
            conn.execute(
                "SELECT event_year, count(DISTINCT event_id) FROM coordination_link_at("
                "'prefecture', p_programme => 'jjj_coordination') GROUP BY 1"
            ).fetchall()
        )
        nodes = conn.execute(
            "SELECT sum(n_undated) FROM coordination_link_kind_at('prefecture', "
            "p_programme => 'jjj_coordination')"
        ).fetchone()[0]
    assert {r[0] for r in stored} == undated and all(r[1] is None for r in stored)
    assert {r[0] for r in in_period} == linking
    assert {(p, o, y) for _, p, o, y in in_period} == {("undated", None, None)}
    assert per_year.get(None) == 11 and 2016 not in per_year  # no made-up 2016 spike
    assert nodes == 15  # undated link rows per pair and kind (drawn dashed on the map)


def test_undated_links_are_drawn_dashed_with_a_legend(bundled_url: str) -> None:
    with psycopg.connect(bundled_url) as conn:
        fig, summary = render_map(conn, MapRequest("links", lang="en", within=",".join(JJJ)))
    from policylink import maps

    legend = maps.legend_texts(fig)
    assert "undated events (dashed, 15)" in legend
    dashed = [
        line
        for ax in fig.axes
        for coll in ax.collections
        for line in [coll]
        if any(ls[1] is not None for ls in coll.get_linestyle())
    ]
    assert dashed, "no dashed link lines drawn"
    assert summary["mapped"] == sum(_link_rows_by_period(bundled_url).values())


def test_period_rule_for_year_precision_and_undated(pg_conn: psycopg.Connection) -> None:
    """Periods are whole years: a year-precision 2014 is in 2008-2014 (seed 001: 2014 closes the
    second window); an undated event is in period 'undated', in no year."""
    for i, code in enumerate(("970100", "970200")):
        pg_conn.execute(
            "INSERT INTO admin_unit (code, name_zh, level, geom, source) VALUES "
            "(%s, %s, 'prefecture', ST_Multi(ST_MakeEnvelope(%s, 0, %s, 1, 4326)), 't')",
            (code, f"测{i}", i, i + 1),
        )
    cases = {"t-y2014": ("2014-01-01", "year"), "t-m2015": ("2015-01-01", "month"),
             "t-nodate": (None, "undated")}  # fmt: skip
    for eid, (date, precision) in cases.items():
        pg_conn.execute(
            "INSERT INTO policy_event (id, event_date, date_precision, title_zh, level, kind, "
            "programme, source) VALUES (%s, %s, %s, 't', 'prefecture', 'coordination_agreement', "
            "'t_periods', 't')",
            (eid, date, precision),
        )
        pg_conn.execute(
            "INSERT INTO event_participant (event_id, unit_code, role) "
            "VALUES (%s, '970100', 'party'), (%s, '970200', 'party')",
            (eid, eid),
        )
    got = dict(
        pg_conn.execute(
            "SELECT event_id, period FROM coordination_link_in_period_at("
            "p_programme => 't_periods')"
        ).fetchall()
    )
    assert got == {"t-y2014": "2008-2014", "t-m2015": "2014-2016", "t-nodate": "undated"}
    with pytest.raises(psycopg.errors.CheckViolation):
        pg_conn.execute(
            "INSERT INTO policy_event (id, event_date, date_precision, title_zh, level, kind, "
            "source) VALUES ('t-bad', '2016-01-01', 'undated', 't', 'prefecture', 'plan', 't')"
        )


def test_etl_reads_date_precision() -> None:
    resolver = UnitResolver([("110100", "北京市", "prefecture", "110000")])
    base = {"title_zh": "t", "level": "prefecture", "kind": "plan", "source": "s",
            "participants": [{"code": "110100"}]}  # fmt: skip
    records = [
        {**base, "id": "a", "date_precision": "undated", "_row": 1},
        {**base, "id": "b", "date": "2016", "_row": 2},
        {**base, "id": "c", "date": "2016", "date_precision": "undated", "_row": 3},
        {**base, "id": "d", "_row": 4},
        {**base, "id": "e", "date": "2016-05", "date_precision": "day", "_row": 5},
    ]

    class Probs(list):
        def add(self, row, col, value, msg):
            self.append((row, col, msg))

    probs = Probs()
    events = validate_events(records, probs, resolver)
    assert [(e.id, e.event_date, e.date_precision) for e in events][:1] == [("a", None, "undated")]
    assert [e.date_precision for e in events] == ["undated", "year"]
    assert {r for r, _, _ in probs} == {3, 4, 5}
    assert any("undated" in m for r, _, m in probs if r == 4)


def test_zhangjiakou_earlier_adopting_neighbours(bundled_url: str, libpysal_contiguity) -> None:
    """Under the JJJ adoption programme (seed 001 Fig. 1), Zhangjiakou (2014-2016) borders
    Beijing (before 2008), Baoding and Chengde (2008-2014) among earlier adopters."""
    seed_window = {"110100": 1, "120100": 1, "130200": 1, "130600": 2, "130800": 2}
    queen = libpysal_contiguity("prefecture", "vertex").pairs  # libpysal's Queen criterion
    expected = {j for i, j in queen if i == "130700" and seed_window.get(j, 3) < 3}
    assert expected == {"110100", "130600", "130800"}
    rules = dbread.AdoptionRules.for_programme("jjj_policy_adoption")
    edges = dbread.read_diffusion_edges(bundled_url, "prefecture", rules=rules)
    into = edges[edges["to_code"] == "130700"]
    assert set(into[into["via"].str.contains("contiguity")]["from_code"]) == expected
    assert set(into["programme"]) == {"jjj_policy_adoption"}
    share = dbread.read_neighbor_adoption(
        bundled_url, "prefecture", ["130700"], years=(2015, 2015), rules=rules
    ).iloc[0]
    assert share["n_treated_neighbors"] == 3 and share["treated"] == 0
    assert share["n_neighbors"] == sum(i == "130700" for i, _ in queen)
    with psycopg.connect(bundled_url) as conn:
        first = dict(
            conn.execute(
                "SELECT unit_code, first_year FROM adoption_first_rules('jjj_policy_adoption') "
                "WHERE unit_code = ANY(%s)",
                (["130700", *expected],),
            ).fetchall()
        )
    assert first == {"130700": 2016, "110100": 2007, "130600": 2014, "130800": 2014}


def test_programme_is_a_column_and_filter(bundled_url: str) -> None:
    with psycopg.connect(bundled_url) as conn:
        everything = conn.execute(
            "SELECT DISTINCT programme FROM coordination_link_period_at('prefecture')"
        ).fetchall()
        jjj = conn.execute(
            "SELECT DISTINCT programme FROM coordination_link_period_at('prefecture', "
            "p_programme => 'jjj_coordination', p_within => %s)",
            (JJJ,),
        ).fetchall()
        progs = {
            f: {
                r[0]
                for r in conn.execute(
                    psycopg.sql.SQL("SELECT DISTINCT programme FROM {}").format(
                        psycopg.sql.Identifier(f)
                    )
                ).fetchall()
            }
            for f in ("adoption_first", "adoption_panel", "neighbor_adoption", "diffusion_edge")
        }
        labelled = dict(conn.execute("SELECT name, label_en FROM programme").fetchall())
    linking = {e["programme"] for e in _events() if e["kind"] in LINK_KINDS}
    assert {r[0] for r in everything} == linking and len(linking) > 1
    assert jjj == [("jjj_coordination",)]
    assert all(v == {"low_carbon_pilot"} for v in progs.values())
    assert {e.get("programme") for e in _events()} - {None} <= set(labelled)


def test_panel_values_coded_on_municipality_reach_prefecture_maps(bundled_url: str) -> None:
    """Seed 002 Tables 1-2 code Beijing's and Shanghai's 2010 values on 110000 / 310000; a
    prefecture map shows them on 110100 / 310100 and never moves a province's value to a city."""
    with open(ROOT / "data/real/seed002_pilots_2010.csv", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f)][1:]
    values = {r[0]: float(r[6]) for r in rows if r[6] not in ("", "—")}
    assert values["110000"] == 8.4 and values["310000"] == 10.0
    with psycopg.connect(bundled_url) as conn:  # rolled back: the session database stays as is
        conn.execute("INSERT INTO variable (name) VALUES ('co2_per_capita') ON CONFLICT DO NOTHING")
        conn.execute("DELETE FROM observation WHERE variable = 'co2_per_capita' AND year = 2010")
        for code, v in values.items():
            conn.execute(
                "INSERT INTO observation (unit_code, year, variable, value) "
                "VALUES (%s, 2010, 'co2_per_capita', %s)",
                (code, v),
            )
        got, _ = mapdata.read_values(conn, "co2_per_capita", 2010, level="prefecture")
        panel = dbread.read_panel(conn, ["co2_per_capita"], "prefecture", years=[2010])
        _, summary = render_map(
            conn, MapRequest("choropleth", lang="en", variable="co2_per_capita", year=2010)
        )
        conn.rollback()
    got = dict(zip(got["code"], got["value"], strict=True))
    assert got["110100"] == values["110000"] and got["310100"] == values["310000"]
    assert got["120100"] == values["120100"]  # coded on the prefecture: unchanged
    prefectures = set(dbread.unit_codes(bundled_url, "prefecture"))
    # own prefecture codes plus the municipalities coded on their province codes; Guangdong's,
    # Liaoning's, ... province values stay off the prefecture map
    expected = {c for c in values if c in prefectures} | {
        MUNICIPALITIES[c] for c in values if c in MUNICIPALITIES
    }
    assert set(got) == expected
    assert summary["mapped"] == len(expected)
    assert dict(zip(panel["code"], panel["co2_per_capita"], strict=True)) == got
