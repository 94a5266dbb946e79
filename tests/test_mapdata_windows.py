"""Adoption windows and periods of ``policylink.mapdata`` on the bundled JJJ data (seed 001).

References: seed 001 section 2.3 and Fig. 1 (before 2008 Beijing, Tianjin, Tangshan; "至2014年
地级市增加了承德、保定"; after 2014 all 13 prefecture-level cities), the ``analysis_period`` rows
of the seed001 scheme (2008-2014 inclusive, 2014-2016 = 2015-2016), and the bundled events file
read directly with PyYAML for the first coordination year per unit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
import yaml

from policylink import mapdata
from policylink.errors import ConfigError
from policylink.etl.bundle import load_bundled

JJJ = ["110000", "120000", "130000"]
EVENTS = Path(__file__).resolve().parents[1] / "data" / "events" / "jjj_coordination_seed001.yaml"


@pytest.fixture
def jjj(make_db: Callable[..., str]) -> str:
    """A database with the bundled provinces, prefectures, JJJ counties and events."""
    url = make_db()
    with psycopg.connect(url) as conn:
        load_bundled(conn, parts=("provinces", "prefectures", "counties_jjj", "events"))
    return url


def test_periods_come_from_analysis_period(pg_conn: psycopg.Connection) -> None:
    periods = mapdata.read_periods(pg_conn)
    assert periods == (
        ("before 2008", 2007),
        ("2008-2014", 2014),
        ("2014-2016", 2016),
        ("after 2016", None),
    )
    assert mapdata.adoption_windows(pg_conn) == {1: "before 2008", 2: "2008-2014", 3: "2014-2016"}
    assert mapdata.adoption_windows(pg_conn, "zh")[2] == "2008—2014年"
    with pytest.raises(ConfigError, match="no_such"):
        mapdata.read_periods(pg_conn, "no_such")
    years = (2007, 2008, 2014, 2015, 2016, 2017)
    assert [mapdata.period_of(y, periods) for y in years] == [
        "before 2008",
        "2008-2014",
        "2008-2014",
        "2014-2016",
        "2014-2016",
        "after 2016",
    ]


def test_adoption_windows_and_first_event_year(jjj: str) -> None:
    """One bundled load (the slow part) for both per-unit readers."""
    with psycopg.connect(jjj) as conn:
        win = mapdata.read_adoption_windows(conn, within=JJJ)
        old_name = mapdata.read_first_policy_period(conn, within=JJJ)
        zh = mapdata.read_adoption_windows(conn, within=",".join(JJJ), lang="zh")
        got = mapdata.read_first_event_year(conn, within=JJJ)
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
    # first coordination year, counties rolled up, against the events file itself
    doc = yaml.safe_load(EVENTS.read_text(encoding="utf-8"))
    ref: dict[str, int] = {}
    for ev in doc["events"]:
        if ev["programme"] != "jjj_coordination":
            continue
        year = int(str(ev["date"])[:4])
        for p in ev.get("participants", []):
            code = str(p["code"])
            if code.endswith("0000"):
                continue  # provinces do not count
            pref = code[:4] + "00"  # JJJ districts and counties sit under their prefecture
            ref[pref] = min(year, ref.get(pref, year))
    assert dict(zip(got["code"], got["first_year"], strict=True)) == ref
