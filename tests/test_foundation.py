"""Foundation: embedded cluster life cycle, migrations, CLI skeleton, QGIS + PostGIS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from policylink.cli import cli
from policylink.etl.db import redact, sqlalchemy_url
from policylink.etl.embedded import EmbeddedCluster
from policylink.etl.migrate import MigrationError, migrate, migration_files

CORE_TABLES = {
    "admin_unit",
    "event_participant",
    "load_batch",
    "observation",
    "policy_event",
    "schema_migration",
    "unit_attribute",
    "variable",
}


def _tables(conn: psycopg.Connection) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    ).fetchall()
    return {r[0] for r in rows}


def test_migrations_create_core_tables(pg_conn):
    assert CORE_TABLES <= _tables(pg_conn)
    version = pg_conn.execute("SELECT postgis_lib_version()").fetchone()[0]
    assert tuple(int(x) for x in version.split(".")[:2]) >= (3, 3)
    recorded = [r[0] for r in pg_conn.execute("SELECT name FROM schema_migration ORDER BY version")]
    assert recorded == [f.name for f in migration_files()]


def test_migrate_twice_is_a_noop(make_db):
    url = make_db()
    with psycopg.connect(url) as conn:
        assert migrate(conn) == []


def test_derived_geometries_follow_geom(pg_conn):
    # A 1 x 1 degree square at the equator-ish latitude of 30N: the equal-area copy must give
    # the spherical-zone area, an independent closed form (R^2 * dlon * (sin b2 - sin b1)).
    import math

    pg_conn.execute(
        "INSERT INTO admin_unit(code, name_zh, level, geom, source) VALUES "
        "('990100', '测试', 'province', "
        "ST_Multi(ST_GeomFromText('POLYGON((110 30,111 30,111 31,110 31,110 30))', 4326)), 'test')"
    )
    area, inside = pg_conn.execute(
        "SELECT ST_Area(geom_eq), ST_Contains(geom, rep_point) FROM admin_unit WHERE code='990100'"
    ).fetchone()
    r_authalic = 6371007.181
    expected = (
        r_authalic**2 * math.radians(1) * (math.sin(math.radians(31)) - math.sin(math.radians(30)))
    )
    assert area == pytest.approx(expected, rel=2e-3)
    assert inside


def test_edited_migration_is_refused(make_db, monkeypatch, tmp_path):
    url = make_db()
    import policylink.etl.migrate as m

    files = migration_files()
    for f in files:
        (tmp_path / f.path.name).write_text(f.text)
    (tmp_path / files[0].path.name).write_text(files[0].text + "\n-- edited\n")
    monkeypatch.setattr(m, "MIGRATIONS_DIR", tmp_path)
    with psycopg.connect(url) as conn, pytest.raises(MigrationError, match="edited"):
        migrate(conn)


def test_failed_migration_rolls_back(make_db, monkeypatch, tmp_path):
    url = make_db()
    import policylink.etl.migrate as m

    for f in migration_files():
        (tmp_path / f.path.name).write_text(f.text)
    (tmp_path / "9999_broken.sql").write_text(
        "CREATE TABLE half_done(x int);\nSELECT * FROM no_such_table;\n"
    )
    monkeypatch.setattr(m, "MIGRATIONS_DIR", tmp_path)
    with psycopg.connect(url) as conn:
        with pytest.raises(MigrationError, match="9999_broken"):
            migrate(conn)
        assert "half_done" not in _tables(conn)
        n = conn.execute("SELECT count(*) FROM schema_migration WHERE version='9999'").fetchone()[0]
        assert n == 0


def test_embedded_cluster_lifecycle():
    home = Path(tempfile.mkdtemp(prefix="policylink-life-"))
    os.chmod(home, 0o755)
    c = EmbeddedCluster(home, dbname="life", durable=False)
    try:
        assert c.start() is True
        assert c.start() is False  # second up is a no-op
        with psycopg.connect(c.url()) as conn:
            conn.execute("CREATE TABLE kept(x int); INSERT INTO kept VALUES (42)")
        # listens on no TCP address: only the unix socket
        with psycopg.connect(c.url()) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
            # PostGIS is loaded by the postmaster, not by each new connection
            assert conn.execute("SHOW shared_preload_libraries").fetchone()[0] == "postgis-3"
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            assert conn.execute("SELECT ST_AsText(ST_Point(1, 2))").fetchone()[0] == "POINT(1 2)"
        assert c.stop() is True
        assert not c.running()
        c.start()
        with psycopg.connect(c.url()) as conn:
            assert conn.execute("SELECT x FROM kept").fetchone()[0] == 42
    finally:
        c.destroy()
    assert not home.exists()


def test_redact_hides_passwords():
    assert redact("postgresql://bob:s3cret@db:5432/x") == "postgresql://bob:***@db:5432/x"
    assert "s3cret" not in redact("host=db password=s3cret dbname=x")
    assert sqlalchemy_url("postgresql://u@/d?host=/s") == "postgresql+psycopg://u@/d?host=/s"


def _all_commands(group, prefix=()):
    import click

    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the main group is lazy: ask it, do not read .commands
        cmd = group.get_command(ctx, name)
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from _all_commands(cmd, (*prefix, name))


def test_every_command_has_help():
    runner = CliRunner()
    commands = list(_all_commands(cli))
    assert ("db", "up") in commands and ("migrate",) in commands
    for path in commands:
        res = runner.invoke(cli, [*path, "--help"])
        assert res.exit_code == 0, (path, res.output)
        assert "Usage:" in res.output


def test_console_script_version_and_db_status_json(pg_url):
    exe = Path(sys.executable).with_name("policylink")
    env = {**os.environ, "DATABASE_URL": pg_url}
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert "0.1.0" in out.stdout
    out = subprocess.run(
        [exe, "db", "status", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    info = json.loads(out.stdout)
    assert info["mode"] == "external" and info["migrations"] >= 1


@pytest.mark.qgis
def test_qgis_loads_a_postgis_layer(qgis_app, pg_cluster, pg_url):
    from qgis.core import QgsDataSourceUri, QgsVectorLayer

    with psycopg.connect(pg_url) as conn:
        conn.execute(
            "INSERT INTO admin_unit(code, name_zh, level, geom, source) VALUES "
            "('990200', '图层测试', 'province', "
            "ST_Multi(ST_GeomFromText('POLYGON((100 20,101 20,101 21,100 21,100 20))', 4326)), 'test') "
            "ON CONFLICT DO NOTHING"
        )
    uri = QgsDataSourceUri()
    uri.setConnection(str(pg_cluster.sockdir), "5432", pg_cluster.dbname, "postgres", "")
    uri.setDataSource("public", "admin_unit", "geom", "code = '990200'", "code")
    layer = QgsVectorLayer(uri.uri(False), "units", "postgres")
    assert layer.isValid(), layer.dataProvider().error().message()
    feats = list(layer.getFeatures())
    assert len(feats) == 1
    assert feats[0]["name_zh"] == "图层测试"
    assert layer.crs().authid() == "EPSG:4326"
    with psycopg.connect(pg_url) as conn:
        conn.execute("DELETE FROM admin_unit WHERE code = '990200'")


def test_docker_migrate_script_matches_python_runner(make_db, pg_cluster):
    """The psql script used by docker-compose records migrations exactly as `migrate` does."""
    url = make_db(migrated=False)
    dbname = url.split("?")[0].rsplit("/", 1)[-1]
    env = {
        **os.environ,
        "PGHOST": str(pg_cluster.sockdir),
        "PGUSER": "postgres",
        "PGDATABASE": dbname,
        "SQL_DIR": str(Path(__file__).resolve().parents[1] / "sql"),
    }
    script = Path(__file__).resolve().parents[1] / "scripts" / "docker_migrate.sh"
    res = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    with psycopg.connect(url) as conn:
        assert migrate(conn) == []  # nothing left for the Python runner
        assert CORE_TABLES <= _tables(conn)


def test_unreachable_database_is_one_clear_line(tmp_path):
    exe = Path(sys.executable).with_name("policylink")
    bad = f"postgresql://bob:s3cret@/nodb?host={tmp_path}"  # no server listens there
    res = subprocess.run(
        [exe, "migrate"], capture_output=True, text=True, env={**os.environ, "DATABASE_URL": bad}
    )
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "cannot use the database" in res.stderr
    assert "s3cret" not in res.stderr + res.stdout


def test_json_output_handles_database_and_numpy_types():
    from decimal import Decimal

    import numpy as np

    from policylink.output import to_json

    data = {"n": Decimal("1.25"), "x": np.float64("nan"), "k": np.int64(3), "rows": [Decimal("2")]}
    assert json.loads(to_json(data)) == {"n": 1.25, "x": None, "k": 3, "rows": [2.0]}


def test_garbage_collector_is_on_during_the_tests():
    """conftest turns the collector off while an xdist worker imports and collects, and back on
    (with the collection's objects frozen) before the first test."""
    import gc

    assert gc.isenabled()
