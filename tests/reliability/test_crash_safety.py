"""Crash safety: a load or a view refresh killed with SIGKILL leaves a consistent database.

The real CLI runs as a subprocess under ``crashpoint.py``, which freezes it at a chosen point
(a COPY in progress, a transaction that has written one table but not the next, a REFRESH
running on the server). The test checks on the server that the point was really reached,
SIGKILLs the client, and then asserts:

- the database is identical to before (every table's row count and checksum; see
  ``dbsnapshot.py``): PostgreSQL rolls back the transaction of a vanished client;
- a re-run of the same command succeeds and leaves no duplicates.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from dbsnapshot import matviews, refreshed_snapshot, snapshot
from harness import kill, run_cli, sessions, spawn_frozen, wait_sessions_gone, wait_until

CAT = Path(__file__).resolve().parent / "catalogue"
BASE = CAT / "base"


def load_boundaries(url: str, level: str, path: Path, *extra: str):
    """Run ``policylink load boundaries`` and return the completed process."""
    return run_cli(
        [
            "load",
            "boundaries",
            str(path),
            "--level",
            level,
            "--code-field",
            "code",
            "--name-field",
            "name",
            *extra,
        ],
        url,
    )


def load_base(url: str, levels: tuple[str, ...] = ("province", "prefecture")) -> None:
    """Load the catalogue's synthetic units through the ETL API (set-up, not under test)."""
    from policylink.etl.boundaries import load_boundary_file

    with psycopg.connect(url) as conn:
        for level in levels:
            path = BASE / f"synthetic_{level}.geojson"
            load_boundary_file(conn, path, level=level, code_field="code", name_field="name")


@pytest.fixture
def base_url(make_db) -> str:
    """A fresh database with the synthetic provinces and prefectures of the catalogue."""
    url = make_db()
    load_base(url)
    return url


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            "county": conn.execute(
                "SELECT count(*) FROM admin_unit WHERE level = 'county'"
            ).fetchone()[0],
            "done": conn.execute(
                "SELECT count(*) FROM load_batch WHERE status = 'done' AND file_name = %s",
                ("synthetic_county.geojson",),
            ).fetchone()[0],
            "running": conn.execute(
                "SELECT count(*) FROM load_batch WHERE status = 'running'"
            ).fetchone()[0],
        }


def _kill_county_load_at(url: str, point: str, tmp_path: Path, check) -> None:
    app = f"crash_{uuid.uuid4().hex[:8]}"
    before = snapshot(url)
    flag = tmp_path / "reached"
    args = [
        "load",
        "boundaries",
        str(BASE / "synthetic_county.geojson"),
        "--level",
        "county",
        "--code-field",
        "code",
        "--name-field",
        "name",
    ]
    proc = spawn_frozen(args, url, point, flag, app)
    try:
        wait_until(flag.exists, f"crash point {point}", proc=proc)
        state = wait_until(lambda: sessions(url, app), "the loader's session")
        check(state)
    finally:
        kill(proc)
    wait_sessions_gone(url, app)
    diff = before.diff(snapshot(url))
    assert not diff, f"killed at {point}, the database changed:\n" + "\n".join(diff)
    # a re-run completes and leaves each unit once, under one current batch
    res = load_boundaries(url, "county", BASE / "synthetic_county.geojson")
    assert res.returncode == 0, res.stderr
    assert _counts(url) == {"county": 4, "done": 1, "running": 0}


@pytest.mark.slow
def test_kill_during_copy(base_url, tmp_path):
    def in_copy(state):
        assert any(
            s["copying"] and s["query"].lstrip().upper().startswith("COPY") for s in state
        ), state

    _kill_county_load_at(base_url, "copy:2", tmp_path, in_copy)


@pytest.mark.slow
def test_kill_between_tables(base_url, tmp_path):
    # load_batch has been written in the load's transaction, admin_unit not yet
    def wrote_batch(state):
        assert state and all(s["in_xact"] for s in state), state
        with psycopg.connect(base_url) as conn:
            n = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE pid = ANY(%s) AND granted "
                "AND relation = 'load_batch'::regclass AND mode = 'RowExclusiveLock'",
                ([s["pid"] for s in state],),
            ).fetchone()[0]
        assert n == 1, "the loader had not written load_batch yet"

    _kill_county_load_at(base_url, "sql:INSERT INTO admin_unit", tmp_path, wrote_batch)


def _events_counts(url: str) -> tuple:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT (SELECT count(*) FROM policy_event), (SELECT count(*) FROM event_participant), "
            "(SELECT string_agg(title_zh, ',') FROM policy_event), "
            "(SELECT count(*) FROM load_batch WHERE kind = 'events' AND status = 'done'), "
            "(SELECT count(*) FROM load_batch WHERE status = 'running')"
        ).fetchone()


@pytest.mark.slow
def test_kill_during_event_replacement(base_url, tmp_path):
    # A corrected events file replaces the rows of its source: DELETE the old events, INSERT
    # the new ones. Killed after the DELETE and before the INSERT, the old events must survive.
    src = CAT / "events" / "date_chinese_month.yaml"
    path = tmp_path / "events.yaml"
    path.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    res = run_cli(["load", "events", str(path)], base_url)
    assert res.returncode == 0, res.stderr
    assert _events_counts(base_url) == (1, 2, "合成测试事件", 1, 0)
    path.write_text(
        src.read_text(encoding="utf-8").replace("合成测试事件", "更正后的事件"), encoding="utf-8"
    )
    before = snapshot(base_url)
    app = f"crash_{uuid.uuid4().hex[:8]}"
    flag = tmp_path / "reached"
    proc = spawn_frozen(
        ["load", "events", str(path)], base_url, "sql:INSERT INTO policy_event", flag, app
    )
    try:
        wait_until(flag.exists, "the INSERT after the DELETE", proc=proc)
        state = wait_until(lambda: sessions(base_url, app), "the loader's session")
        assert all(s["in_xact"] for s in state), state
    finally:
        kill(proc)
    wait_sessions_gone(base_url, app)
    diff = before.diff(snapshot(base_url))
    assert not diff, "killed mid-replacement, the database changed:\n" + "\n".join(diff)
    assert _events_counts(base_url) == (1, 2, "合成测试事件", 1, 0)
    res = run_cli(["load", "events", str(path)], base_url)
    assert res.returncode == 0, res.stderr
    assert _events_counts(base_url) == (1, 2, "更正后的事件", 1, 0)


def _insert_units(conn: psycopg.Connection, level: str) -> None:
    """Insert the catalogue's synthetic units of one level directly (no loader involved)."""
    import geopandas as gpd

    gdf = gpd.read_file(BASE / f"synthetic_{level}.geojson")
    for code, name, geom in zip(gdf["code"], gdf["name"], gdf.geometry, strict=True):
        conn.execute(
            "INSERT INTO admin_unit (code, name_zh, level, geom, source) "
            "VALUES (%s, %s, %s, ST_Multi(ST_GeomFromText(%s, 4326)), 'SYNTHETIC test')",
            (code, name, level, geom.wkt),
        )


@pytest.mark.slow
def test_kill_during_view_refresh(make_db, tmp_path):
    url = make_db()
    # A materialized view of our own (so the test does not depend on which views exist), with a
    # unique index: `views refresh` refreshes it CONCURRENTLY once populated.
    with psycopg.connect(url, autocommit=True) as conn:
        _insert_units(conn, "province")
        conn.execute("CREATE TABLE t_crash_gate ()")
        conn.execute(
            "CREATE MATERIALIZED VIEW t_crash_mv AS SELECT code, name_zh FROM admin_unit "
            "WHERE (SELECT count(*) FROM t_crash_gate) = 0"
        )
        conn.execute("CREATE UNIQUE INDEX ON t_crash_mv (code)")
        _insert_units(conn, "prefecture")  # the view is now stale: 2 rows, table 8
    before = snapshot(url)
    app = f"crash_{uuid.uuid4().hex[:8]}"
    flag = tmp_path / "reached"
    with psycopg.connect(url) as blocker:
        # only t_crash_mv reads the gate table: its refresh provably runs (waiting for the
        # gate) inside the server when the client is killed
        blocker.execute("LOCK TABLE t_crash_gate IN ACCESS EXCLUSIVE MODE")
        proc = spawn_frozen(["views", "refresh"], url, "sent:t_crash_mv", flag, app)
        try:
            wait_until(flag.exists, "REFRESH sent", proc=proc)
            wait_until(
                lambda: any(
                    s["state"] == "active"
                    and "REFRESH" in s["query"]
                    and s["wait_event_type"] == "Lock"
                    for s in sessions(url, app)
                ),
                "the REFRESH to wait inside the server",
            )
        finally:
            kill(proc)
        # the server cancels the statement of the dead client while the lock is still held
        # (client_connection_check_interval, set by migration 0050), instead of finishing it
        wait_sessions_gone(url, app)
        blocker.rollback()
    after, fresh = snapshot(url), refreshed_snapshot(url)
    # tables are untouched; t_crash_mv (killed mid-refresh) is as before; every other
    # materialized view is either as before or completely refreshed, never in between
    assert after.relations == before.relations
    for name, value in after.tables.items():
        if name in matviews(after) and name != "public.t_crash_mv":
            assert value in (before.tables[name], fresh.tables[name]), name
        elif name != "public.matview_refresh":  # refresh bookkeeping: checked below
            assert value == before.tables[name], name
    # migration 0060 records a view's refresh only once it is complete
    with psycopg.connect(url) as conn:
        recorded = {v for (v,) in conn.execute("SELECT view FROM matview_refresh")}
    assert "t_crash_mv" not in recorded
    for view in recorded:
        assert after.tables[f"public.{view}"] == fresh.tables[f"public.{view}"], view
    res = run_cli(["views", "refresh"], url)
    assert res.returncode == 0, res.stderr
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT code, name_zh FROM t_crash_mv ORDER BY code").fetchall()
        want = conn.execute("SELECT code, name_zh FROM admin_unit ORDER BY code").fetchall()
    assert rows == want and len(rows) == 8
