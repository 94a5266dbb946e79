"""Materialized views are refreshed only when their source tables changed (migration 0060)."""

from __future__ import annotations

import re

import psycopg

from policylink.etl.migrate import MATVIEW_SOURCES, refresh_materialized_views

MATVIEWS = {"unit_point", "w_contiguity_queen", "w_contiguity_rook"}


def _square(x0: float) -> str:
    return f"POLYGON(({x0} 30,{x0 + 1} 30,{x0 + 1} 31,{x0} 31,{x0} 30))"


_INSERT = (
    "INSERT INTO admin_unit(code, name_zh, level, geom, source) "
    "VALUES (%s, '测试', 'province', ST_Multi(ST_GeomFromText(%s, 4326)), 'test')"
)


def _queen_pairs(conn: psycopg.Connection) -> set[tuple[str, str]]:
    rows = conn.execute("SELECT code_i, code_j FROM w_contiguity_queen").fetchall()
    return {(a, b) for a, b in rows}


def test_only_views_of_changed_sources_are_refreshed(make_db):
    url = make_db()
    with psycopg.connect(url) as conn:
        conn.cursor().executemany(_INSERT, [("990100", _square(110)), ("990200", _square(111))])
        conn.commit()
        # two touching squares: every view is stale, then every view is fresh
        assert set(refresh_materialized_views(conn, only_stale=True)) == MATVIEWS
        assert _queen_pairs(conn) == {("990100", "990200")}
        assert refresh_materialized_views(conn, only_stale=True) == []
        # a forced refresh (policylink views refresh) always runs
        assert set(refresh_materialized_views(conn)) == MATVIEWS
        assert refresh_materialized_views(conn, only_stale=True) == []
        # any write statement makes them stale: UPDATE, DELETE, COPY, INSERT
        conn.execute("UPDATE admin_unit SET name_en = 'test' WHERE code = '990100'")
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == MATVIEWS
        conn.execute("DELETE FROM admin_unit WHERE code = '990200'")
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == MATVIEWS
        assert _queen_pairs(conn) == set()  # and their contents follow the data
        with conn.cursor().copy(
            "COPY admin_unit (code, name_zh, level, geom, source) FROM STDIN"
        ) as cp:
            cp.write_row(
                (
                    "990200",
                    "测试",
                    "province",
                    "SRID=4326;MULTIPOLYGON(((111 30,112 30,112 31,111 31,111 30)))",
                    "test",
                )
            )
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == MATVIEWS
        assert _queen_pairs(conn) == {("990100", "990200")}
        # a write rolled back leaves them fresh (the counter is rolled back with it)
        conn.execute("UPDATE admin_unit SET name_en = 'x'")
        conn.rollback()
        assert refresh_materialized_views(conn, only_stale=True) == []
        # a view re-created by a view file has a new oid: its old record does not count
        conn.execute("UPDATE matview_refresh SET view_oid = 0 WHERE view = 'unit_point'")
        conn.commit()
        assert refresh_materialized_views(conn, only_stale=True) == ["unit_point"]


def test_materialized_views_read_only_the_tracked_tables(pg_conn):
    """Every table a materialized view reads, through views and SQL functions, is one of
    MATVIEW_SOURCES: otherwise a write to it would leave the view stale without a refresh.
    (PostGIS's own functions and spatial_ref_sys are left out: extension objects.)"""
    tables = {
        r
        for (r,) in pg_conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'f') AND NOT EXISTS "
            "(SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
        )
    }
    views = dict(
        pg_conn.execute(
            "SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')"
        ).fetchall()
    )
    funcs: dict[str, str] = {}
    for name, src in pg_conn.execute(
        "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "JOIN pg_language l ON l.oid = p.prolang "
        "WHERE n.nspname = 'public' AND l.lanname IN ('sql', 'plpgsql') AND NOT EXISTS "
        "(SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
    ):
        funcs[name] = funcs.get(name, "") + "\n" + src
    assert MATVIEWS <= set(views)
    for mv in MATVIEWS:
        seen: set[str] = set()
        todo = [views[mv]]
        read: set[str] = set()
        while todo:
            words = set(re.findall(r"[a-z_][a-z0-9_]*", todo.pop().lower()))
            read |= words & tables
            for w in words - seen:
                seen.add(w)
                if w in views and w not in MATVIEWS:
                    todo.append(views[w])
                if w in funcs:
                    todo.append(funcs[w])
        assert read and read <= set(MATVIEW_SOURCES), (mv, read)
