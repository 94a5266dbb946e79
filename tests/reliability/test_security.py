"""Security: read-only role, unix-socket-only embedded database, no password in output.

References: PostgreSQL 15 documentation, "Privileges" (5.7) and "Connections and
Authentication" (``listen_addresses``, ``unix_socket_permissions``).
"""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql
from psycopg.conninfo import make_conninfo

from tests.cli_here import run_here

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Pw-" + uuid.uuid4().hex[:10]


# -- embedded database: unix socket only --------------------------------------------------------


def _listening_tcp_inodes() -> set[str]:
    """Socket inodes of TCP listeners (state 0A) from /proc/net/tcp and tcp6."""
    inodes = set()
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(f):
            continue
        for line in Path(f).read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A":
                inodes.add(parts[9])
    return inodes


def test_embedded_cluster_listens_on_unix_socket_only(pg_cluster):
    with psycopg.connect(pg_cluster.url()) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
        assert conn.execute("SHOW unix_socket_permissions").fetchone()[0] == "0700"
        assert conn.execute("SELECT inet_server_addr()").fetchone()[0] is None
    # the socket directory is private to its owner
    mode = stat.S_IMODE(os.stat(pg_cluster.sockdir).st_mode)
    assert mode & 0o077 == 0, oct(mode)
    # and the postmaster holds no listening TCP socket (checked in the kernel's tables)
    pid = int((pg_cluster.datadir / "postmaster.pid").read_text().splitlines()[0])
    fds = Path(f"/proc/{pid}/fd")
    socks = {
        os.readlink(fds / fd)[len("socket:[") : -1]
        for fd in os.listdir(fds)
        if os.readlink(fds / fd).startswith("socket:[")
    }
    assert socks, "could not see the postmaster's sockets"
    assert not socks & _listening_tcp_inodes()


# -- read-only role -----------------------------------------------------------------------------


@pytest.fixture
def reader_url(make_db):
    """URL of a fresh migrated database, connecting as a login role granted policylink_reader."""
    url = make_db()
    role = f"t_reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT policylink_reader TO {}").format(sql.Identifier(role)))
    try:
        yield url, make_conninfo(url, user=role)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def _relations(url: str, kinds: tuple[str, ...]) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = ANY(%s) "
            "AND c.relname NOT IN ('spatial_ref_sys') ORDER BY 1",
            (list(kinds),),
        ).fetchall()
    return [r[0] for r in rows]


def _denied(conn: psycopg.Connection, stmt: sql.Composable) -> bool:
    try:
        with conn.transaction():
            conn.execute(stmt)
    except errors.InsufficientPrivilege:
        return True
    return False


def test_reader_role_cannot_write_or_create(reader_url):
    owner_url, url = reader_url
    tables = _relations(owner_url, ("r", "p"))
    assert "admin_unit" in tables and "observation" in tables
    with psycopg.connect(url) as conn:
        for t in tables:
            ident = sql.Identifier(t)
            assert _denied(conn, sql.SQL("INSERT INTO {} DEFAULT VALUES").format(ident)), t
            assert _denied(conn, sql.SQL("DELETE FROM {}").format(ident)), t
            assert _denied(conn, sql.SQL("TRUNCATE {}").format(ident)), t
            col = conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum = 1",
                (t,),
            ).fetchone()[0]
            c = sql.Identifier(col)
            assert _denied(conn, sql.SQL("UPDATE {} SET {} = {}").format(ident, c, c)), t
        for stmt in (
            "CREATE TABLE t_reader_probe (x int)",
            "CREATE VIEW t_reader_probe AS SELECT 1",
            "CREATE SCHEMA t_reader_probe",
            "CREATE FUNCTION t_reader_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        ):
            assert _denied(conn, sql.SQL(stmt)), stmt
        for m in _relations(owner_url, ("m",)):
            # only the owner may refresh a materialized view
            assert _denied(
                conn, sql.SQL("REFRESH MATERIALIZED VIEW {}").format(sql.Identifier(m))
            ), m


def test_reader_role_can_read_every_view(reader_url):
    owner_url, url = reader_url
    views = _relations(owner_url, ("v", "m"))
    assert views, "no views found"
    with psycopg.connect(url) as conn:
        for v in views:
            conn.execute(sql.SQL("SELECT * FROM {} LIMIT 1").format(sql.Identifier(v))).fetchall()


# -- no password in messages --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["db", "status"],
        ["db", "up"],
        ["migrate"],
        ["views", "refresh"],
        ["load", "events", str(ROOT / "tests/reliability/catalogue/events/unknown_role.yaml")],
    ],
    ids=lambda a: "-".join(a[:2]),
)
def test_unreachable_server_error_shows_no_password(args, capfd):
    # port 1 on loopback: connection refused, the error path is taken; through ``main`` in this
    # process (tests/cli_here.py): what the command prints and its exit code, as in a process
    url = f"postgresql://analyst:{SECRET}@127.0.0.1:1/policylink"
    res = run_here(args, capfd, url=url)
    out = res.stdout + res.stderr
    assert SECRET not in out
    if args != ["db", "status"]:
        assert res.returncode != 0
    else:  # status always answers, with the URL redacted
        assert "analyst:***@" in out


def test_server_log_has_no_password(pg_cluster):
    # a password given to the server in a statement must not end up in its log
    role = f"t_pw_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(SECRET)
            )
        )
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    assert SECRET not in pg_cluster.logfile.read_text(errors="replace")
