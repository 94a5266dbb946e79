"""Cascades and risk sets of the EHA view functions (sql/views/27_diffusion_eha.sql) on the real
bundled policy events: the three low-carbon pilot notices name 87 units; nobody is at risk after
adopting; the risk set is the unit-year table of discrete-time event history analysis."""

from __future__ import annotations

import psycopg
import pytest


@pytest.fixture(scope="module")
def conn(bundled_url):
    with psycopg.connect(bundled_url) as c:
        yield c
        c.rollback()


def test_low_carbon_cascade_as_encoded_has_87_units_with_dates(conn):
    rows = conn.execute(
        "SELECT unit_code, first_date, date_precision, first_year, batch, via, n_events "
        "FROM eha_cascade('low_carbon_pilot')"
    ).fetchall()
    assert len(rows) == 87  # 13 + 29 + 45 (NDRC notices 2010, 2012, 2017; seed 003: 87)
    by_batch = {}
    for r in rows:
        by_batch[r[4]] = by_batch.get(r[4], 0) + 1
    assert by_batch == {1: 13, 2: 29, 3: 45}
    first = {r[0]: r for r in rows}
    assert str(first["130600"][1]) == "2010-07-19" and first["130600"][2] == "day"
    assert first["130600"][3] == 2010
    # batch 3 notice is known to the month (2017-01)
    assert {r[2] for r in rows if r[4] == 3} == {"month"}
    assert all(r[5] == "self" and r[6] == 1 for r in rows)
    # the same set as the participants table
    direct = conn.execute(
        "SELECT count(DISTINCT p.unit_code) FROM event_participant p JOIN policy_event e "
        "ON e.id = p.event_id WHERE e.programme = 'low_carbon_pilot'"
    ).fetchone()[0]
    assert direct == 87


def test_cascade_levels_covers_rollup_and_within(conn):
    own = conn.execute(
        "SELECT count(*) FROM eha_cascade('low_carbon_pilot', 'prefecture')"
    ).fetchone()[0]
    covered = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE via = 'ancestor province') "
        "FROM eha_cascade('low_carbon_pilot', 'prefecture', NULL, true)"
    ).fetchone()
    assert covered[0] > own and covered[1] > 0
    # the covers rule matches the DID adoption rule's set of treated prefectures
    did = conn.execute(
        "SELECT count(*) FROM adoption_first_rules('low_carbon_pilot', 'prefecture', "
        "ARRAY[2011, 2013, 2017], true, false)"
    ).fetchone()[0]
    assert covered[0] == did
    # rollup: a county pilot (e.g. 逊克县 231123) counts for its prefecture
    rolled = conn.execute(
        "SELECT via FROM eha_cascade('low_carbon_pilot', 'prefecture', NULL, false, true) "
        "WHERE unit_code = (SELECT parent_code FROM admin_unit WHERE code = '231123')"
    ).fetchall()
    assert rolled == [("descendant county",)]
    jjj = conn.execute(
        "SELECT unit_code FROM eha_cascade('low_carbon_pilot', 'prefecture', "
        "ARRAY['110000','120000','130000']) ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in jjj] == ["120100", "130100", "130300", "130600"]


def test_risk_set_nobody_at_risk_after_adoption(conn):
    rows = conn.execute(
        "SELECT unit_code, year, duration, event, first_year, higher_adopted "
        "FROM eha_risk_set('low_carbon_pilot', 'prefecture', 2009, 2020)"
    ).fetchall()
    n_units = conn.execute("SELECT count(*) FROM unit_level WHERE level = 'prefecture'").fetchone()[
        0
    ]
    units = {r[0] for r in rows}
    assert len(units) == n_units  # nobody adopted before 2009
    per_unit: dict[str, list] = {}
    for r in rows:
        per_unit.setdefault(r[0], []).append(r)
    events = 0
    for _code, rs in per_unit.items():
        rs.sort(key=lambda r: r[1])
        years = [r[1] for r in rs]
        assert years == list(range(2009, 2009 + len(rs)))  # contiguous from the window start
        assert [r[2] for r in rs] == [y - 2008 for y in years]
        fy = rs[0][4]
        ev = [r[3] for r in rs]
        if fy is None:
            assert sum(ev) == 0 and years[-1] == 2020  # right-censored
        else:
            assert ev[-1] == 1 and sum(ev) == 1 and years[-1] == fy  # leaves after adopting
            events += 1
    own = conn.execute(
        "SELECT count(*) FROM eha_cascade('low_carbon_pilot', 'prefecture') "
        "WHERE first_year BETWEEN 2009 AND 2020"
    ).fetchone()[0]
    assert events == own
    # higher-level exposure: Guangzhou (440100) is in Guangdong, a batch-1 pilot province (2010)
    gz = {r[1]: r[5] for r in per_unit["440100"]}
    assert gz[2010] == 0 and gz[2011] == 1


def test_risk_set_left_truncation_and_programme_view(conn):
    late = conn.execute(
        "SELECT count(DISTINCT unit_code) FROM eha_risk_set('low_carbon_pilot', 'prefecture', "
        "2011, 2020) WHERE first_year < 2011"
    ).fetchone()[0]
    assert late == 0
    progs = dict(conn.execute("SELECT programme, n_participants FROM eha_programme").fetchall())
    assert progs["low_carbon_pilot"] == 87 and progs["ets_pilot"] == 7
