"""JIT is off in every PolicyLink session and in the SQL functions that PostGIS costs mislead.

PostGIS declares its functions costly, so small queries cross ``jit_above_cost`` and would
spend about a second compiling (``policylink.etl.db.SESSION_OPTIONS``).
"""

from __future__ import annotations

import psycopg
import psycopg.conninfo
import psycopg.sql

from policylink import dbread
from policylink.etl import db


def test_connect_turns_jit_off_and_keeps_the_urls_own_options(pg_url):
    dbname = psycopg.sql.Identifier(psycopg.conninfo.conninfo_to_dict(pg_url)["dbname"])
    with psycopg.connect(pg_url) as conn:
        conn.execute(psycopg.sql.SQL("ALTER DATABASE {} SET jit = on").format(dbname))
    try:
        with db.connect(pg_url, schema=False) as conn:
            assert conn.execute("SHOW jit").fetchone()[0] == "off"
        with db.connect(f"{pg_url}&options=-c%20statement_timeout%3D12345", schema=False) as conn:
            assert conn.execute("SHOW statement_timeout").fetchone()[0] == "12345ms"
            assert conn.execute("SHOW jit").fetchone()[0] == "off"
        # the readers that take a URL open their session the same way
        with dbread._connection(pg_url) as conn:
            assert conn.execute("SHOW jit").fetchone()[0] == "off"
        # a plain session of this database has JIT on: the options above did it
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SHOW jit").fetchone()[0] == "on"
    finally:
        with psycopg.connect(pg_url) as conn:
            conn.execute(psycopg.sql.SQL("ALTER DATABASE {} RESET jit").format(dbname))


def test_embedded_cluster_and_weight_functions_have_jit_off(pg_url):
    with psycopg.connect(pg_url) as conn:
        # the test cluster is an EmbeddedCluster: its server default
        assert (
            conn.execute("SELECT reset_val FROM pg_settings WHERE name = 'jit'").fetchone()[0]
            == "off"
        )
        for fn in ("w_knn", "w_distance"):
            cfg = conn.execute(
                "SELECT proconfig FROM pg_proc WHERE proname = %s", (fn,)
            ).fetchone()[0]
            assert "jit=off" in cfg, (fn, cfg)
