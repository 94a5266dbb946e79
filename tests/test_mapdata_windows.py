"""Adoption windows and periods of ``policylink.mapdata`` on the bundled JJJ data (seed 001).

References: seed 001 section 2.3 and Fig. 1 (before 2008 Beijing, Tianjin, Tangshan; "至2014年
地级市增加了承德、保定"; after 2014 all 13 prefecture-level cities), the ``analysis_period`` rows
of the seed001 scheme (2008-2014 inclusive, 2014-2016 = 2015-2016), and the bundled events file
read directly with PyYAML for the first coordination link year per unit (the documented link
rule of sql/README.md, applied here by hand to the file).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import psycopg
import pytest
import yaml

from policylink import mapdata
from policylink.errors import ConfigError

JJJ = ["110000", "120000", "130000"]
EVENTS = Path(__file__).resolve().parents[1] / "data" / "events" / "jjj_coordination_seed001.yaml"


@pytest.fixture
def jjj(bundled_url: str) -> str:
    """The session's bundled database (provinces, prefectures, JJJ counties, events, ...);
    read-only."""
    return bundled_url


def _link_period(conn: psycopg.Connection, year: int) -> str:
    """Period the database gives a link of ``year`` (two throwaway units, one agreement)."""
    eid = f"t-period-{year}"
    conn.execute(
        "INSERT INTO policy_event (id, event_date, title_zh, level, kind, programme, source) "
        "VALUES (%s, make_date(%s, 6, 1), 't', 'prefecture', 'coordination_agreement', "
        "'t_periods', 't')",
        (eid, year),
    )
    conn.execute(
        "INSERT INTO event_participant (event_id, unit_code, role) "
        "VALUES (%s, '970100', 'party'), (%s, '970200', 'party')",
        (eid, eid),
    )
    rows = conn.execute(
        "SELECT period FROM coordination_link_in_period_at(p_programme => 't_periods') "
        "WHERE event_id = %s",
        (eid,),
    ).fetchall()
    assert len(rows) == 1, rows  # one link, in exactly one period
    return rows[0][0]


def test_periods_come_from_analysis_period(pg_conn: psycopg.Connection) -> None:
    periods = mapdata.read_periods(pg_conn)
    assert periods == (
        ("before 2008", 2007),
        ("2008-2014", 2014),
        ("2014-2016", 2016),
        ("after 2016", None),
        ("undated", None),  # the views' column of the events without a date
    )
    assert mapdata.read_periods(pg_conn, undated=False) == periods[:-1]
    assert mapdata.adoption_windows(pg_conn) == {1: "before 2008", 2: "2008-2014", 3: "2014-2016"}
    assert mapdata.adoption_windows(pg_conn, "zh")[2] == "2008—2014年"
    with pytest.raises(ConfigError, match="no_such"):
        mapdata.read_periods(pg_conn, "no_such")
    # The period of a link is the database's (coordination_link_in_period_at): rolled back.
    for i, code in enumerate(("970100", "970200")):
        pg_conn.execute(
            "INSERT INTO admin_unit (code, name_zh, level, geom, source) VALUES "
            "(%s, %s, 'prefecture', ST_Multi(ST_MakeEnvelope(%s, 0, %s, 1, 4326)), 't')",
            (code, f"测{i}", i, i + 1),
        )
    years = (2007, 2008, 2014, 2015, 2016, 2017)
    assert [_link_period(pg_conn, y) for y in years] == [
        "before 2008",
        "2008-2014",
        "2008-2014",
        "2014-2016",
        "2014-2016",
        "after 2016",
    ]


#: The municipalities' province-level codes and their prefecture-level units (GB/T 2260): one
#: territory each, so an event coded on 110000 is Beijing's at prefecture level too.
MUNICIPALITIES = {"110000": "110100", "120000": "120100", "310000": "310100", "500000": "500100"}


def _first_link_years() -> dict[str, int]:
    """First dated link year per JJJ prefecture straight from the events file (sql/README.md).

    A link: two distinct prefectures (districts and counties rolled up, a municipality's
    province code = its prefecture) acting together in one event of a link kind, party with
    party or sender with receiver; other provinces, issuers, plans, targets and designations
    make none. Undated events (no ``date``) give no year.
    """
    doc = yaml.safe_load(EVENTS.read_text(encoding="utf-8"))
    ref: dict[str, int] = {}
    for ev in doc["events"]:
        if ev["programme"] != "jjj_coordination" or ev["kind"] not in LINK_KINDS:
            continue
        if "date" not in ev:
            assert ev["date_precision"] == "undated"
            continue
        year = int(str(ev["date"])[:4])
        by_role: dict[str, set[str]] = {"party": set(), "sender": set(), "receiver": set()}
        for p in ev.get("participants", []):
            code, role = str(p["code"]), p.get("role", "party")
            code = MUNICIPALITIES.get(code, code)
            if code.endswith("0000") or role not in by_role:
                continue  # other provinces and issuers are no link ends
            by_role[role].add(code[:4] + "00")  # JJJ districts and counties -> prefecture
        pairs = {(a, b) for a in by_role["party"] for b in by_role["party"] if a < b}
        pairs |= {(s, r) for s in by_role["sender"] for r in by_role["receiver"] if s != r}
        for pair in pairs:
            for code in pair:
                ref[code] = min(year, ref.get(code, year))
    return ref


LINK_KINDS = {
    "coordination_agreement",
    "industrial_transfer",
    "co_construction",
    "division_of_labour",
    "innovation_cooperation",
    "other",
}


def test_adoption_windows_and_first_event_year(jjj: str) -> None:
    """Both per-unit readers on the session's bundled data."""
    with psycopg.connect(jjj) as conn:
        win = mapdata.read_adoption_windows(conn, within=JJJ)
        old_name = mapdata.read_first_policy_period(conn, within=JJJ)
        zh = mapdata.read_adoption_windows(conn, within=",".join(JJJ), lang="zh")
        got = mapdata.read_first_event_year(conn, within=JJJ)
        first_adopted = conn.execute(
            "SELECT unit_code, min(period_ordinal) FROM period_adoption("
            "'jjj_policy_adoption', 'prefecture', 'seed001', %s, true) WHERE adopted = 1 "
            "GROUP BY 1",
            (JJJ,),
        ).fetchall()
        view_first = conn.execute(
            "SELECT code, first_year FROM coordination_link_node_at('prefecture', "
            "p_programme => 'jjj_coordination', p_within => %s)",
            (JJJ,),
        ).fetchall()
    # seed 001 Fig. 1 / section 2.3
    by = win.groupby("period")["code"].apply(set).to_dict()
    assert by["before 2008"] == {"110100", "120100", "130200"}
    assert by["2008-2014"] == {"130600", "130800"}  # Chengde and Baoding only
    assert len(by["2014-2016"]) == 8 and "130700" in by["2014-2016"]  # Zhangjiakou
    assert len(win) == 13
    assert win.set_index("code").loc["130800", "batch"] == 2
    assert old_name.equals(win[["code", "first_year", "period"]])
    assert list(zh["code"]) == list(win["code"])
    assert zh.set_index("code").loc["130600", "period"] == "2008—2014年"
    # the window is the first period in which the view marks the unit adopted (cumulative)
    assert dict(zip(win["code"], win["batch"], strict=True)) == dict(first_adopted)
    # first coordination link year, counties rolled up: the view, and the events file itself
    firsts = dict(zip(got["code"], got["first_year"], strict=True))
    assert {c: (None if pd.isna(y) else y) for c, y in firsts.items()} == dict(view_first)
    dated = {c: int(y) for c, y in firsts.items() if not pd.isna(y)}
    assert dated == _first_link_years()
    # Beijing: Ring-Beijing zone 1988 (the 1982 territorial planning study is a plan, not a
    # link); Tianjin: first linked to Beijing by the Langfang Consensus (2004, coded on the
    # municipalities' province codes 110000/120000, which are Beijing and Tianjin at prefecture
    # level); Tangshan: Shougang's move (2005).
    assert (dated["110100"], dated["120100"], dated["130200"]) == (1988, 2004, 2005)
    # Shijiazhuang, Qinhuangdao and Cangzhou are linked by undated projects only: no year
    assert {c for c, y in firsts.items() if pd.isna(y)} == {"130100", "130300", "130900"}
