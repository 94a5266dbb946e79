"""Concurrency: simultaneous loads, and `views refresh` while readers query.

The real CLI runs as subprocesses; the server's own views (``pg_stat_activity``) show that the
operations really overlapped.
"""

from __future__ import annotations

import csv
import json
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from harness import sessions, spawn_cli, wait_until
from psycopg import errors
from test_crash_safety import BASE, _insert_units, load_base

from policylink.etl.migrate import refresh_materialized_views


def _reader_latencies(url: str, n: int, lock_timeout_ms: int) -> list[float]:
    """Run ``n`` reads of the test view, each allowed to wait at most ``lock_timeout_ms``."""
    out = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")  # sql-ok: integer literal
        for _ in range(n):
            t0 = time.monotonic()
            conn.execute("SELECT count(*) FROM t_slow_mv").fetchone()
            out.append(time.monotonic() - t0)
    return out


@pytest.fixture
def slow_view_url(make_db) -> str:
    """A database with 8 units and a materialized view that takes ~2 s to refresh.

    Each row sleeps ``policylink_test.row_sleep`` seconds (unset: 0), which is set for the
    database's new sessions only after the first population, so that one is instant (it ran
    through a `views refresh` process and slept 2 s of the test's time before).
    """
    url = make_db()
    with psycopg.connect(url, autocommit=True) as conn:
        _insert_units(conn, "province")
        _insert_units(conn, "prefecture")
        conn.execute(
            "CREATE MATERIALIZED VIEW t_slow_mv AS SELECT a.code, a.name_zh FROM admin_unit a, "
            "LATERAL pg_sleep(coalesce(nullif(current_setting('policylink_test.row_sleep', true), "
            "'')::float8, 0) + 0 * length(a.code)) s WITH NO DATA"
        )
        conn.execute("CREATE UNIQUE INDEX ON t_slow_mv (code)")
        refresh_materialized_views(conn)  # first population (cannot be concurrent)
        db = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(
            psycopg.sql.SQL("ALTER DATABASE {} SET policylink_test.row_sleep = '0.25'").format(
                psycopg.sql.Identifier(db)
            )
        )
    return url


@pytest.mark.slow
def test_views_refresh_does_not_block_readers(slow_view_url):
    url = slow_view_url
    app = f"refresh_{uuid.uuid4().hex[:8]}"
    proc = spawn_cli(["views", "refresh"], url, app)
    try:
        wait_until(
            lambda: any(
                s["state"] == "active" and "t_slow_mv" in s["query"] for s in sessions(url, app)
            ),
            "the refresh of t_slow_mv to run",
            proc=proc,
        )
        lat = _reader_latencies(url, 20, lock_timeout_ms=200)
        still = any(
            "t_slow_mv" in s["query"] and s["state"] == "active" for s in sessions(url, app)
        )
    finally:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert still, "the refresh ended before the reads: they did not overlap"
    # each read ran with lock_timeout = 200 ms, so none waited for the refresh's lock; the
    # bound below only guards against a read queued behind the whole refresh (~2 s)
    assert max(lat) < 1.5, lat


def test_plain_refresh_would_block_readers(slow_view_url):
    # Control for the test above: a non-concurrent REFRESH takes an ACCESS EXCLUSIVE lock and
    # a reader with a lock timeout fails, so the test above can tell blocking from not.
    app = f"plain_{uuid.uuid4().hex[:8]}"

    def refresh() -> None:
        with psycopg.connect(slow_view_url, autocommit=True, application_name=app) as conn:
            try:
                conn.execute("REFRESH MATERIALIZED VIEW t_slow_mv")
            except errors.QueryCanceled:
                pass  # cancelled below once the reader has failed: no need to sleep it out

    t = threading.Thread(target=refresh)
    t.start()
    wait_until(
        lambda: any(s["state"] == "active" for s in sessions(slow_view_url, app)),
        "the plain REFRESH to run",
    )
    try:
        with pytest.raises(errors.LockNotAvailable):
            _reader_latencies(slow_view_url, 1, lock_timeout_ms=200)
    finally:
        with psycopg.connect(slow_view_url, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                (app,),
            )
        t.join()


def test_every_materialized_view_can_refresh_concurrently(pg_url):
    # REFRESH ... CONCURRENTLY needs a unique index on plain columns covering all rows
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'm' AND n.nspname = 'public' AND NOT EXISTS (
                SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique
                AND i.indpred IS NULL AND i.indexprs IS NULL)
            """
        ).fetchall()
    assert not rows, f"materialized views without a unique index: {[r[0] for r in rows]}"


def _race(url: str, table: str, commands: list[list[str]], ready, what: str, settle: float = 0.0):
    """Run CLI commands so that they provably overlap, then check each one succeeded.

    ``table`` is held in ACCESS EXCLUSIVE mode while the commands start; once ``ready`` (given
    the commands' server sessions) is true, the lock is released and they race.
    """
    app = f"conc_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url) as gate:
        gate.execute(
            psycopg.sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                psycopg.sql.Identifier(table)
            )
        )
        procs = [spawn_cli(cmd, url, app) for cmd in commands]
        wait_until(lambda: ready(sessions(url, app)), what, proc=procs[0])
        time.sleep(settle)
        gate.rollback()
    results = [p.communicate(timeout=180) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err


def _split_counties(tmp_path: Path) -> tuple[Path, Path]:
    doc = json.loads((BASE / "synthetic_county.geojson").read_text(encoding="utf-8"))
    out = []
    for prefix in ("13", "32"):
        part = dict(
            doc, features=[f for f in doc["features"] if f["properties"]["code"].startswith(prefix)]
        )
        p = tmp_path / f"counties_{prefix}.geojson"
        p.write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
        out.append(p)
    return out[0], out[1]


@pytest.mark.slow
def test_two_loads_at_once(make_db, tmp_path):
    url = make_db()
    load_base(url)
    a, b = _split_counties(tmp_path)
    args = ["--level", "county", "--code-field", "code", "--name-field", "name"]
    # Hold the table so both loads are provably in flight at the same time, then let them race.
    _race(
        url,
        "admin_unit",
        [["load", "boundaries", str(p), *args] for p in (a, b)],
        lambda ss: len([s for s in ss if s["state"] == "active"]) == 2,
        "both loads to wait at the same time",
    )
    with psycopg.connect(url) as conn:
        counties = conn.execute(
            "SELECT code, count(*) FROM admin_unit WHERE level = 'county' GROUP BY code ORDER BY 1"
        ).fetchall()
        batches = conn.execute(
            "SELECT file_name, status FROM load_batch WHERE file_name LIKE 'counties_%%' ORDER BY 1"
        ).fetchall()
    assert counties == [("130102", 1), ("130602", 1), ("320106", 1), ("320302", 1)]
    assert batches == [("counties_13.geojson", "done"), ("counties_32.geojson", "done")]


def test_load_benchmark_smoke(make_db):
    # The 50-client benchmark (bench/load_views.py, `make bench`) at smoke size: it must not
    # error and must time every view.
    from bench.load_views import public_views, run

    url = make_db()
    with psycopg.connect(url, autocommit=True) as conn:
        _insert_units(conn, "province")
        _insert_units(conn, "prefecture")
    res = run(url, clients=4, rounds=1)  # as policylink_reader
    assert set(res["per_view"]) == set(public_views(url))
    assert res["overall"]["n"] == 4 * len(res["per_view"])
    assert all(v["p50_ms"] <= v["p95_ms"] <= v["max_ms"] for v in res["per_view"].values())


@pytest.mark.slow
def test_same_file_twice_at_once(make_db):
    # Two users load the same file at the same moment: the result must be as if they had
    # loaded it one after the other (one `done` batch, one `unchanged`, each unit once).
    url = make_db()
    load_base(url)
    args = ["load", "boundaries", str(BASE / "synthetic_county.geojson"), "--level", "county"]
    args += ["--code-field", "code", "--name-field", "name"]
    _race(
        url,
        "admin_unit",
        [args, args],
        lambda ss: len([s for s in ss if s["state"] == "active"]) >= 1 and len(ss) == 2,
        "both loads to be connected, at least one waiting",
        settle=0.3,
    )
    with psycopg.connect(url) as conn:
        statuses = conn.execute(
            "SELECT status FROM load_batch WHERE file_name = 'synthetic_county.geojson' ORDER BY 1"
        ).fetchall()
        n = conn.execute("SELECT count(*) FROM admin_unit WHERE level = 'county'").fetchone()[0]
    assert n == 4
    assert [s[0] for s in statuses] == ["done", "unchanged"]


@pytest.mark.slow
def test_two_panel_loads_at_once(make_db, tmp_path):
    # Two analysts load different panels into a database without a variable catalogue yet:
    # both loads upsert the bundled catalogue, then write their own observations.
    url = make_db()
    load_base(url)
    files = []
    for code, value in (("130100", "3401"), ("130200", "4469")):
        p = tmp_path / f"gdp_{code}.csv"
        p.write_text(f"code,year,variable,value\n{code},2010,gdp,{value}\n", encoding="utf-8")
        files.append(p)
    _race(
        url,
        "variable",
        [["load", "panel", str(p)] for p in files],
        lambda ss: len([s for s in ss if s["wait_event_type"] == "Lock"]) == 2,
        "both loads to wait for the catalogue at the same time",
    )
    with psycopg.connect(url) as conn:
        obs = conn.execute(
            "SELECT unit_code, value FROM observation WHERE variable = 'gdp' ORDER BY 1"
        ).fetchall()
        nvar = conn.execute("SELECT count(*) FROM variable").fetchone()[0]
    assert obs == [("130100", 3401.0), ("130200", 4469.0)]
    catalogue = Path(__file__).resolve().parents[2] / "data" / "catalogue" / "variables.csv"
    with open(catalogue, encoding="utf-8", newline="") as fh:
        assert nvar == len(list(csv.DictReader(fh)))  # every catalogue variable, once
