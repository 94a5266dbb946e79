"""Materialized views are refreshed only when their sources changed (migrations 0060, 0061)."""

from __future__ import annotations

import re

import psycopg

from policylink.etl.migrate import MATVIEW_SOURCES, refresh_materialized_views

LEVELS = ("province", "prefecture", "county")
#: The contiguity views per level set (sql/views/21_contiguity.sql).
CONTIGUITY = {f"w_contiguity_{k}_{lv}" for k in ("queen", "rook") for lv in LEVELS}
MATVIEWS = {"unit_point"} | CONTIGUITY


def _of(level: str) -> set[str]:
    return {"unit_point", f"w_contiguity_queen_{level}", f"w_contiguity_rook_{level}"}


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
        # any write statement makes the views of its level set stale: UPDATE, DELETE, COPY,
        # INSERT (the squares are provinces)
        conn.execute("UPDATE admin_unit SET name_en = 'test' WHERE code = '990100'")
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == _of("province")
        conn.execute("DELETE FROM admin_unit WHERE code = '990200'")
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == _of("province")
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
        assert set(refresh_materialized_views(conn, only_stale=True)) == _of("province")
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


def _unit(code: str, level: str, x0: float, also_county: bool = False) -> tuple:
    return (code, level, _square(x0), also_county)


_INSERT_LEVEL = (
    "INSERT INTO admin_unit(code, name_zh, level, geom, source, also_county) "
    "VALUES (%s, '测试', %s, ST_Multi(ST_GeomFromText(%s, 4326)), 'test', %s)"
)


def _pairs_by_level(conn: psycopg.Connection) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {lv: set() for lv in LEVELS}
    for lv, a, b in conn.execute("SELECT level, code_i, code_j FROM w_contiguity_queen"):
        out[lv].add((a, b))
    return out


def test_a_write_refreshes_only_the_views_of_its_level_sets(make_db):
    """Contiguity is materialized per level set (migration 0061): a write to counties leaves
    the province and prefecture views fresh, a prefecture-level unit that also counts as a
    county (also_county) makes both sets stale, TRUNCATE all three; and what a partial refresh
    leaves is what a full one computes (touching unit squares: the pairs are known)."""
    url = make_db()
    with psycopg.connect(url) as conn:
        conn.cursor().executemany(
            _INSERT_LEVEL,
            [
                _unit("910000", "province", 100),
                _unit("920000", "province", 101),
                _unit("910100", "prefecture", 110),
                _unit("910200", "prefecture", 111),
                _unit("910300", "prefecture", 112, also_county=True),
                _unit("910301", "county", 113),
            ],
        )
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == MATVIEWS
        want = {
            "province": {("910000", "920000")},
            "prefecture": {("910100", "910200"), ("910200", "910300")},
            "county": {("910300", "910301")},  # the also_county prefecture is in the county set
        }
        assert _pairs_by_level(conn) == want
        # a county: only the county set (and unit_point, which reads every level)
        conn.execute(_INSERT_LEVEL, _unit("910302", "county", 114))
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == _of("county")
        want["county"].add(("910301", "910302"))
        assert _pairs_by_level(conn) == want
        # the also_county prefecture: both sets it belongs to
        conn.execute("UPDATE admin_unit SET name_en = 'x' WHERE code = '910300'")
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == _of("prefecture") | _of(
            "county"
        )
        # a DELETE over two levels: those two
        conn.execute("DELETE FROM admin_unit WHERE code IN ('920000', '910302')")
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == _of("province") | _of(
            "county"
        )
        want["province"] = set()
        want["county"].discard(("910301", "910302"))
        assert _pairs_by_level(conn) == want
        # the partial refreshes left what a full refresh computes
        assert set(refresh_materialized_views(conn)) == MATVIEWS
        assert _pairs_by_level(conn) == want
        # TRUNCATE: every level set (and the views empty)
        conn.execute("TRUNCATE admin_unit CASCADE")
        conn.commit()
        assert set(refresh_materialized_views(conn, only_stale=True)) == MATVIEWS
        assert _pairs_by_level(conn) == {lv: set() for lv in LEVELS}


def test_views_refresh_stale_refreshes_the_changed_level_set_only(make_db, monkeypatch):
    from click.testing import CliRunner

    from policylink.cli import cli

    url = make_db()
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()
    with psycopg.connect(url) as conn:
        conn.execute(_INSERT_LEVEL, _unit("910301", "county", 113))
        conn.commit()
    r = runner.invoke(cli, ["views", "refresh", "--stale"])
    assert r.exit_code == 0, r.output
    assert "Refreshed 7 materialized view(s)" in r.output  # never refreshed: all of them
    with psycopg.connect(url) as conn:
        conn.execute(_INSERT_LEVEL, _unit("910302", "county", 114))
        conn.commit()
    r = runner.invoke(cli, ["views", "refresh", "--stale"])
    assert r.exit_code == 0, r.output
    refreshed = set(re.findall(r"refreshing (\w+) \.\.\.", r.output))
    assert refreshed == _of("county") and "Refreshed 3 materialized view(s)" in r.output
    r = runner.invoke(cli, ["views", "refresh", "--stale"])
    assert r.exit_code == 0 and "Materialized views are up to date." in r.output
    r = runner.invoke(cli, ["views", "refresh"])  # without --stale: every view
    assert r.exit_code == 0 and "Refreshed 7 materialized view(s)" in r.output


def test_a_load_names_the_views_it_made_stale(make_db, monkeypatch, tmp_path):
    import json

    from click.testing import CliRunner

    from policylink.cli import cli
    from policylink.etl.migrate import stale_materialized_views

    url = make_db()
    monkeypatch.setenv("DATABASE_URL", url)
    with psycopg.connect(url) as conn:
        conn.execute(_INSERT_LEVEL, _unit("130181", "county", 113))
        conn.commit()
        refresh_materialized_views(conn)
        assert stale_materialized_views(conn) == []
    ring = [[114, 30], [115, 30], [115, 31], [114, 31], [114, 30]]  # beside the first
    square = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "130182", "name": "测试县"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    path = tmp_path / "county.geojson"
    path.write_text(json.dumps(square), encoding="utf-8")
    args = ["load", "boundaries", str(path), "--level", "county"]
    r = CliRunner().invoke(cli, [*args, "--code-field", "code", "--name-field", "name"])
    assert r.exit_code == 0, r.output
    # the county set's views and unit_point, and the command that refreshes them
    line = next(x for x in r.output.splitlines() if "out of date:" in x)
    named = set(line.split("out of date: ")[1].split(";")[0].split(", "))
    assert named == _of("county") and "policylink views refresh --stale" in line
    with psycopg.connect(url) as conn:
        assert set(stale_materialized_views(conn)) == _of("county")
        refresh_materialized_views(conn, only_stale=True)
        assert stale_materialized_views(conn) == []


def test_analyses_note_contiguity_views_older_than_their_units(make_db):
    # every front-end assembles database inputs through policylink.inputs.load_inputs: its notes
    # say when the contiguity weights read are older than the level's units
    from demo_fixtures import PROVINCE, load_synthetic

    from policylink.inputs import InputSource, load_inputs, with_source

    url = make_db()
    source = InputSource(level="prefecture", within=(PROVINCE,), database_url=url)
    with psycopg.connect(url) as conn:
        load_synthetic(conn)
        conn.commit()
        refresh_materialized_views(conn)

        def notes(src: InputSource) -> list[str]:
            got = load_inputs(src, ["syn_value"], conn=conn).notes
            conn.rollback()
            return [n for n in got if "older than its boundaries" in n]

        assert notes(source) == []
        conn.execute("UPDATE admin_unit SET name_en = 'x' WHERE level = 'prefecture'")
        conn.commit()
        (note,) = notes(source)
        assert "w_contiguity_queen_prefecture" in note and "views refresh --stale" in note
        assert notes(with_source(source, weights="knn:3")) == []  # not the contiguity views
        assert notes(with_source(source, weights="queen:0")) == []  # contiguity_pairs(), live
        assert len(notes(with_source(source, weights="queen^2"))) == 1  # the views' pairs
        # the level's views, by the database's record of what each view is computed from
        from policylink import dbread

        assert sorted(dbread.stale_contiguity_views(conn, "prefecture", "rook")) == [
            "w_contiguity_queen_prefecture",
            "w_contiguity_rook_prefecture",
        ]
        assert dbread.stale_contiguity_views(conn, "county") == []
        assert dbread.stale_contiguity_views(conn, "province") == []
        # the record decides, not the names: a view no longer keyed to the level is not listed
        conn.execute("DELETE FROM matview_source WHERE view = 'w_contiguity_rook_prefecture'")
        assert dbread.stale_contiguity_views(conn, "prefecture", "rook") == [
            "w_contiguity_queen_prefecture"
        ]
        conn.rollback()
        refresh_materialized_views(conn, only_stale=True)
        assert notes(source) == []
