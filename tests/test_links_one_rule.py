"""One link rule: the report, the ``policylink map links`` data and plain SQL agree (seed 001).

The coordination links live in the view functions of ``sql/views/23_links.sql`` only. On the
bundled Jing-Jin-Ji data, the links per kind and period shown by the report's JJJ links table,
the data the link map draws (``policylink map links``: its legend and its summary) and a plain
``GROUP BY`` on the view are the same numbers, and those numbers are the ones the documented
rule gives when applied by hand to the events file (``data/events/jjj_coordination_seed001.yaml``,
read with PyYAML).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import psycopg
import pytest
import yaml

from policylink import mapdata, maps
from policylink.cli import main
from policylink.figures import MapRequest, render_map
from policylink.report.builder import ReportWriter
from policylink.report.sections import Context, section_jjj_adoption, section_jjj_links

JJJ = "110000,120000,130000"
EVENTS = Path(__file__).resolve().parents[1] / "data" / "events" / "jjj_coordination_seed001.yaml"
LINK_KINDS = {
    "coordination_agreement",
    "industrial_transfer",
    "co_construction",
    "division_of_labour",
    "innovation_cooperation",
    "other",
}

# Plain SQL on the view: link rows (event x prefecture pair) per kind and seed 001 period.
VIEW_SQL = """
SELECT kind, period, count(*) FROM coordination_link_in_period_at(
    'prefecture', 'seed001', p_programme => 'jjj_coordination', p_within => %s)
GROUP BY 1, 2
"""


@pytest.fixture(scope="module")
def bundled(bundled_url: str) -> str:
    """The session's bundled database (provinces, prefectures, JJJ counties, events, ...);
    read-only, loaded once for the run."""
    return bundled_url


@pytest.fixture(scope="module")
def report_tables(bundled, tmp_path_factory) -> Path:
    """The two JJJ sections of the report (English) written to a folder; returns ``tables/``."""
    out = tmp_path_factory.mktemp("links_report")
    with psycopg.connect(bundled) as conn:
        ctx = Context(conn, ReportWriter(out), lang="en", region=JJJ, log=lambda m: None)
        for build in (section_jjj_adoption, section_jjj_links):
            sec = build(ctx)
            assert not sec.missing, sec.missing
    return out / "tables"


#: The municipalities' province-level codes and their prefecture-level units (GB/T 2260).
MUNICIPALITIES = {"110000": "110100", "120000": "120100", "310000": "310100", "500000": "500100"}


def _seed_period(year: int | None) -> str:
    """Seed 001's windows (section 1 and 2.3): before 2008, 2008-2014, 2014-2016 (= 2015-16);
    events the seed does not date are ``undated``, in no window."""
    if year is None:
        return "undated"
    if year <= 2007:
        return "before 2008"
    if year <= 2014:
        return "2008-2014"
    return "2014-2016" if year <= 2016 else "after 2016"


def _expected_from_file() -> Counter:
    """Link rows per (kind, period) from the events file, the documented rule applied by hand.

    Two distinct prefecture-level units acting together in one event of a link kind: party
    with party, sender with receiver; districts and counties count for their prefecture, a
    municipality's province code (110000) for the municipality (110100); other province-coded
    participants, issuers, plans, targets and designations make no link. Events without a
    date (``date_precision: undated``) are counted as undated.
    """
    doc = yaml.safe_load(EVENTS.read_text(encoding="utf-8"))
    counts: Counter = Counter()
    for ev in doc["events"]:
        if ev["programme"] != "jjj_coordination" or ev["kind"] not in LINK_KINDS:
            continue
        ends: dict[str, set[str]] = {"party": set(), "sender": set(), "receiver": set()}
        for p in ev.get("participants", []):
            code, role = str(p["code"]), p.get("role", "party")
            code = MUNICIPALITIES.get(code, code)
            if code.endswith("0000") or role not in ends:
                continue
            ends[role].add(code[:4] + "00")
        pairs = {(a, b) for a in ends["party"] for b in ends["party"] if a < b}
        pairs |= {(s, r) for s in ends["sender"] for r in ends["receiver"] if s != r}
        year = int(str(ev["date"])[:4]) if "date" in ev else None
        counts[(ev["kind"], _seed_period(year))] += len(pairs)
    return +counts


def _cells(tab: pd.DataFrame) -> Counter:
    """Non-zero (kind, period) cells of a kind x period table without its totals."""
    body = tab[tab["kind"] != "total"].set_index("kind").drop(columns="total")
    return +Counter({(k, p): int(v) for (k, p), v in body.stack().items()})


def test_links_per_kind_and_period_are_one_rule(
    bundled, report_tables, tmp_path, monkeypatch, capsys
):
    with psycopg.connect(bundled) as conn:
        view = Counter({(k, p): int(n) for k, p, n in conn.execute(VIEW_SQL, (JJJ.split(","),))})
        per_period = dict(
            conn.execute(
                "SELECT period, sum(n_events) FROM coordination_link_period_at('prefecture', "
                "p_programme => 'jjj_coordination', p_within => %s) GROUP BY 1",
                (JJJ.split(","),),
            ).fetchall()
        )
        map_data = mapdata.read_links(conn, level="prefecture", within=JJJ)
        fig, summary = render_map(conn, MapRequest("links", lang="en", within=JJJ))
        legend = maps.legend_texts(fig)
    # 1. plain SQL on the view = the rule applied by hand to the events file
    assert view == _expected_from_file()
    # seed 001: Ring-Beijing zone (1988: Beijing, Baoding, Langfang = 3 pairs), the Langfang
    # Consensus (2004, Beijing-Tianjin on 110000/120000) and Shougang's move to Caofeidian (2005)
    # before 2008; the 1982 Beijing-Tianjin-Tangshan planning study is a plan. 2008-2014: the
    # 2008 joint meeting and the 2013 agreement, Beijing-Tianjin on their province codes.
    assert view[("coordination_agreement", "before 2008")] == 4
    assert view[("industrial_transfer", "before 2008")] == 1
    assert sum(n for (_, p), n in view.items() if p == "before 2008") == 5
    assert view[("coordination_agreement", "2008-2014")] == 2
    # the 11 undated inter-city projects of seed 001 §2.1/§3.2 that link two cities: undated,
    # not a 2016 spike (15 city pairs; 涉县's zone names no partner)
    assert sum(n for (_, p), n in view.items() if p == "2014-2016") == 0
    assert sum(n for (_, p), n in view.items() if p == "undated") == 15
    # per pair and period the view counts the same links
    assert {p: int(n) for p, n in per_period.items()} == {
        p: sum(n for (_, q), n in view.items() if q == p) for p in per_period
    }
    # 2. the report's JJJ links table
    report = pd.read_csv(report_tables / "jjj_links_links_by_kind_period.csv")
    assert list(report.columns) == [
        "kind", "before 2008", "2008-2014", "2014-2016", "after 2016", "undated", "total",
    ]  # fmt: skip
    assert _cells(report) == view
    assert report.set_index("kind").loc["total", "total"] == sum(view.values())
    # 3. the data of `policylink map links`: link rows by kind and period, the per pair and kind
    # layer, the legend and the CLI summary
    rows = map_data.events
    assert Counter(zip(rows["kind"], rows["period"], strict=True)) == view
    by_kind = Counter()
    for (k, _), n in view.items():
        by_kind[k] += n
    layer = map_data.pairs.groupby("kind")["n_events"].sum().to_dict()
    assert layer == dict(by_kind)
    for kind, n in by_kind.items():
        assert f"{maps.KIND_LABELS['en'][kind]} ({n})" in legend
    assert summary["mapped"] == sum(view.values())
    monkeypatch.setenv("DATABASE_URL", bundled)
    rc = main(["map", "links", "--lang", "en", "--out", str(tmp_path / "links.png"),
               "--format", "json"])  # fmt: skip
    assert rc == 0
    assert json.loads(capsys.readouterr().out)["mapped"] == sum(view.values())


def test_first_link_years_and_nodes_are_the_views(bundled, report_tables):
    with psycopg.connect(bundled) as conn:
        summary = {
            (a, b): first
            for a, b, first in conn.execute(
                "SELECT code_a, code_b, first_year FROM coordination_link_summary_at("
                "'prefecture', p_programme => 'jjj_coordination', p_within => %s)",
                (JJJ.split(","),),
            )
        }
        nodes = conn.execute(
            "SELECT code, n_links, n_partners, first_year FROM coordination_link_node_at("
            "'prefecture', p_programme => 'jjj_coordination', p_within => %s) ORDER BY code",
            (JJJ.split(","),),
        ).fetchall()
        first = mapdata.read_first_event_year(conn, within=JJJ)
    # Beijing-Tianjin: first linked by the Langfang Consensus (2004, coded on 110000/120000, the
    # same territories as 110100/120100), not by the 1982 planning study (a plan names the
    # units, it links none).
    assert summary[("110100", "120100")] == 2004
    pairs = pd.read_csv(report_tables / "jjj_links_pairs.csv", dtype={"a": str, "b": str})
    firsts = pairs.groupby(["a", "b"])["first_year"].min()
    assert {k: (None if pd.isna(v) else int(v)) for k, v in firsts.items()} == summary
    # the report's network table takes degree and strength from the view
    table = pd.read_csv(report_tables / "jjj_links_network_nodes.csv", dtype={"code": str})
    got = sorted(zip(table["code"], table["strength"], table["degree"], strict=True))
    assert got == [(c, n, d) for c, n, d, _ in nodes]
    assert [
        (c, None if pd.isna(y) else y)
        for c, y in zip(first["code"], first["first_year"], strict=True)
    ] == [(c, y) for c, _, _, y in nodes]


def test_report_adoption_table_keeps_the_seed_facts(report_tables):
    """Seed 001 section 2.3: 13 JJJ cities adopting 3 / 2 / 8 by window, cumulative 3 / 5 / 13."""
    units = pd.read_csv(report_tables / "jjj_adoption_units_by_period.csv", dtype={"code": str})
    body = units[units["code"].notna()]
    windows = ["before 2008", "2008-2014", "2014-2016"]
    assert len(body) == 13
    assert body[windows].sum().tolist() == [3, 5, 13]
    assert units.iloc[-1][windows].tolist() == [3, 5, 13]
    assert body.set_index("code").loc[["110100", "120100", "130200"], "before 2008"].eq(1).all()
