"""Policy events ETL: formats, dates, name resolution, transactions, bundled seed events."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from policylink.errors import InputError
from policylink.etl.boundaries import load_cnmaps
from policylink.etl.bundle import load_bundled
from policylink.etl.events import UnitResolver, load_events
from policylink.etl.validate import parse_date


def test_parse_date_precisions_and_rejections():
    assert parse_date("2012年11月") == (dt.date(2012, 11, 1), "month")
    assert parse_date("2012年11月29日") == (dt.date(2012, 11, 29), "day")
    assert parse_date("２０１７年") == (dt.date(2017, 1, 1), "year")  # full-width digits
    assert parse_date("2010/7/19") == (dt.date(2010, 7, 19), "day")
    assert parse_date(2008) == (dt.date(2008, 1, 1), "year")
    assert parse_date(dt.date(2010, 9, 27)) == (dt.date(2010, 9, 27), "day")
    for bad in ("2012-13-40", "2012-02-30", "yesterday", "", "12/11/2012", "1812"):
        with pytest.raises(ValueError):
            parse_date(bad)


RESOLVER = UnitResolver(
    [
        ("220000", "吉林省", "province", None),
        ("220200", "吉林市", "prefecture", "220000"),
        ("130000", "河北省", "province", None),
        ("130600", "保定市", "prefecture", "130000"),
        ("110000", "北京市", "province", None),
        ("110100", "北京市", "prefecture", "110000"),
        ("330000", "浙江省", "province", None),
        ("330100", "杭州市", "prefecture", "330000"),
        ("330106", "西湖区", "county", "330100"),
        ("360000", "江西省", "province", None),
        ("360100", "南昌市", "prefecture", "360000"),
        ("360102", "西湖区", "county", "360100"),
    ]
)


def test_resolver_names_codes_and_ambiguity():
    assert RESOLVER.resolve(name="保定") == ("130600", None)
    assert RESOLVER.resolve(name="保定市", province="河北") == ("130600", None)
    assert RESOLVER.resolve(name="吉林市") == ("220200", None)  # exact full name wins
    code, err = RESOLVER.resolve(name="吉林")
    assert code is None and "220000" in err and "220200" in err
    assert RESOLVER.resolve(name="北京", level="province") == ("110000", None)
    code, err = RESOLVER.resolve(name="北京")
    assert code is None and "110000" in err and "110100" in err
    code, err = RESOLVER.resolve(name="西湖区")
    assert code is None and "330106" in err and "360102" in err
    assert RESOLVER.resolve(name="西湖区", province="江西") == ("360102", None)
    assert RESOLVER.resolve(name="西湖区", province="330000") == ("330106", None)
    assert RESOLVER.resolve(name="保定", province="浙江")[0] is None
    assert RESOLVER.resolve(code="130600") == ("130600", None)
    assert RESOLVER.resolve(code=130600.0) == ("130600", None)
    assert RESOLVER.resolve(code="999999")[0] is None
    assert "not 杭州" in RESOLVER.resolve(code="130600", name="杭州")[1]


@pytest.fixture
def small_db(make_db):
    url = make_db()
    with psycopg.connect(url) as conn:
        load_cnmaps(conn, levels=("prefecture",), within=["130000", "110000", "220000"])
        conn.commit()
    return url


CSV_OK = """event_id,date,title_zh,level,kind,programme,batch,source,participant_code,participant_name,participant_province,participant_level,role,participant_note
e1,2012年11月,第二批试点,national,pilot_designation,low_carbon_pilot,2,notice X,,保定,河北,,party,
e1,2012年11月,第二批试点,national,pilot_designation,low_carbon_pilot,2,notice X,110000,,,,party,
e2,2014-02-26,京冀协议,provincial,coordination_agreement,jjj_coordination,,paper Y,,吉林市,,,sender,
e2,2014-02-26,京冀协议,provincial,coordination_agreement,jjj_coordination,,paper Y,,北京,,prefecture,receiver,note
"""


def _counts(conn):
    return conn.execute(
        "SELECT (SELECT count(*) FROM policy_event), (SELECT count(*) FROM event_participant)"
    ).fetchone()


def test_csv_round_trip_reload_noop_and_replacement(small_db, tmp_path):
    f = tmp_path / "events.csv"
    f.write_text(CSV_OK, encoding="gbk")  # GBK on purpose: encoding is detected
    with psycopg.connect(small_db) as conn:
        res = load_events(conn, f)
        assert res.status == "done" and res.rows_loaded == 2
        assert res.details["participants"] == 4
        rows = conn.execute(
            "SELECT e.id, e.event_date, e.date_precision, e.batch, p.unit_code, p.role, p.note "
            "FROM policy_event e JOIN event_participant p ON p.event_id = e.id ORDER BY 1, 5"
        ).fetchall()
        assert rows == [
            ("e1", dt.date(2012, 11, 1), "month", 2, "110000", "party", None),
            ("e1", dt.date(2012, 11, 1), "month", 2, "130600", "party", None),
            ("e2", dt.date(2014, 2, 26), "day", None, "110100", "receiver", "note"),
            ("e2", dt.date(2014, 2, 26), "day", None, "220200", "sender", None),
        ]
        again = load_events(conn, f)
        assert again.status == "unchanged"
        assert _counts(conn) == (2, 4)
        # corrected file of the same source: e2 dropped, e1 keeps one participant
        f.write_text(
            CSV_OK.splitlines()[0] + "\n" + CSV_OK.splitlines()[1] + "\n", encoding="utf-8"
        )
        fixed = load_events(conn, f)
        assert fixed.details["replaced_events"] == 2
        assert _counts(conn) == (1, 1)


def test_bad_events_file_lists_problems_and_changes_nothing(small_db, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(
        """
source: test
events:
  - id: ok-1
    date: 2010-07-19
    title_zh: 好
    level: national
    kind: pilot_designation
    participants: [{code: "130600"}]
  - id: bad-1
    date: 2012-13-40
    title_zh: 坏
    level: planet
    kind: treaty
    participants:
      - {name: 吉林}
      - {code: "130600", role: boss}
      - {code: "13060"}
      - {code: "520100"}
  - id: ok-1
    date: 2011
    title_zh: 重复
    level: national
    kind: other
    colour: red
""",
        encoding="utf-8",
    )
    with psycopg.connect(small_db) as conn:
        before = _counts(conn)
        with pytest.raises(InputError) as ei:
            load_events(conn, f)
        conn.rollback()
        assert _counts(conn) == before
        assert (
            conn.execute("SELECT count(*) FROM load_batch WHERE kind='events'").fetchone()[0] == 0
        )
    got = {(p.row, p.column) for p in ei.value.problems}
    for want in [
        (2, "date"),
        (2, "level"),
        (2, "kind"),
        (2, "participant_name"),  # ambiguous 吉林
        (2, "role"),
        (2, "participant_code"),  # malformed and not-loaded codes
        (3, "id"),  # duplicate id
        (3, "colour"),  # unknown field
    ]:
        assert want in got, want
    text = str(ei.value)
    assert "220000" in text and "220200" in text  # candidates listed
    assert "bad.yaml" in text and "2012-13-40" in text


def test_empty_and_missing_column_files(small_db, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("event_id,date\ne1,2010\n", encoding="utf-8")
    with psycopg.connect(small_db) as conn:
        with pytest.raises(InputError, match="empty"):
            load_events(conn, empty)
        with pytest.raises(InputError) as ei:
            load_events(conn, nocol)
    assert {p.column for p in ei.value.problems} >= {"title_zh", "level", "kind", "source"}


def test_bundled_events_load_87_pilot_units_and_are_idempotent(clone_boundaries):
    url = clone_boundaries()  # the boundaries are loaded (their load: test_etl_boundaries.py)
    with psycopg.connect(url) as conn:
        first = load_bundled(conn, parts=("provinces", "prefectures", "counties_jjj", "events"))
        assert {r.status for r in first if r.kind == "events"} == {"done"}
        # provinces, prefectures and JJJ counties were there; the events part adds the 8
        # pilot counties outside Jing-Jin-Ji
        bounds = [r.status for r in first if r.kind == "boundaries"]
        assert bounds == ["unchanged"] * 3 + ["done"]
        per_batch = dict(
            conn.execute(
                "SELECT e.batch, count(*) FROM policy_event e JOIN event_participant p "
                "ON p.event_id = e.id WHERE e.programme = 'low_carbon_pilot' GROUP BY 1"
            ).fetchall()
        )
        # the three NDRC notices: 13 + 29 + 45 = 87 (seed 003 also says 87)
        assert per_batch == {1: 13, 2: 29, 3: 45}
        distinct = conn.execute(
            "SELECT count(DISTINCT unit_code) FROM event_participant p JOIN policy_event e "
            "ON e.id = p.event_id WHERE e.programme = 'low_carbon_pilot'"
        ).fetchone()[0]
        assert distinct == 87
        # seed 002: ETS pilots 2011-10-29 with 7 participants
        ets = conn.execute(
            "SELECT e.event_date, count(*) FROM policy_event e JOIN event_participant p "
            "ON p.event_id = e.id WHERE e.programme = 'ets_pilot' GROUP BY 1"
        ).fetchall()
        assert ets == [(dt.date(2011, 10, 29), 7)]
        # seed 001: Shougang moved from Shijingshan to Caofeidian (sender -> receiver)
        sg = conn.execute(
            "SELECT role, unit_code FROM event_participant WHERE event_id = "
            "'jjj-shougang-caofeidian' ORDER BY role"
        ).fetchall()
        assert sg == [("receiver", "130209"), ("sender", "110107")]
        # adoption by period covers all 13 JJJ prefecture-level units by 2016
        adopted = conn.execute(
            "SELECT count(DISTINCT p.unit_code) FROM event_participant p JOIN policy_event e "
            "ON e.id = p.event_id JOIN admin_unit u ON u.code = p.unit_code "
            "WHERE e.programme = 'jjj_policy_adoption' AND u.level = 'prefecture'"
        ).fetchone()[0]
        assert adopted == 13
        before = _counts(conn)
        again = load_bundled(conn, parts=("provinces", "prefectures", "counties_jjj", "events"))
        assert {r.status for r in again} == {"unchanged"}
        assert _counts(conn) == before
