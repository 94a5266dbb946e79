"""``policylink db ...``, ``policylink migrate`` and ``policylink views ...``."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import click

from policylink.etl import db as dbmod
from policylink.output import emit, format_option

if TYPE_CHECKING:
    import psycopg

# psycopg and the migration code are imported inside the commands that use them, so that
# `policylink db status` on a stopped database starts in a fraction of a second.


@click.group("db")
def db_group() -> None:
    """Manage the embedded PostGIS database of this checkout.

    With DATABASE_URL set, PolicyLink uses that server instead and these commands only report it.
    """


def _external() -> bool:
    return bool(os.environ.get("DATABASE_URL"))


@db_group.command("up")
def db_up() -> None:
    """Start the embedded database (creating it on first use) and apply migrations."""
    if _external():
        url = dbmod.database_url()
        click.echo(f"Using DATABASE_URL ({dbmod.redact(url)}); nothing to start.")
    else:
        cluster = dbmod.embedded_cluster()
        t0 = time.monotonic()
        started = cluster.start()
        what = "started" if started else "already running"
        click.echo(f"Embedded database {what} at {cluster.home} ({time.monotonic() - t0:.1f} s)")
        url = cluster.url()
    from policylink.etl.migrate import migrate

    with dbmod.connect(url, schema=False) as conn:
        applied = migrate(conn)
    if applied:
        click.echo("Applied: " + ", ".join(applied))
    else:
        click.echo("Schema is up to date.")


@db_group.command("down")
def db_down() -> None:
    """Stop the embedded database (data is kept)."""
    if _external():
        click.echo("DATABASE_URL is set: PolicyLink does not manage that server.")
        return
    stopped = dbmod.embedded_cluster().stop()
    click.echo("Embedded database stopped." if stopped else "Embedded database was not running.")


@db_group.command("status")
@format_option()
def db_status(fmt: str) -> None:
    """Say which database is used, where it lives and whether it runs."""
    if _external():
        info = {"mode": "external", "url": dbmod.redact(os.environ["DATABASE_URL"])}
    else:
        c = dbmod.embedded_cluster()
        info = {
            "mode": "embedded",
            "home": str(c.home),
            "initialised": c.initialised(),
            "running": c.running(),
            "socket_dir": str(c.sockdir),
            "url": c.url(),
        }
    if info["mode"] == "external" or info.get("running"):
        try:
            with dbmod.connect(dbmod.database_url(start=False), schema=False) as conn:
                info["migrations"] = conn.execute(
                    "SELECT count(*) FROM schema_migration"
                ).fetchone()[0]
                info["postgis"] = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
        except Exception as exc:  # report, do not fail: status must always answer
            info["error"] = dbmod.redact(str(exc)).splitlines()[0]
    emit(info, fmt)


@db_group.command("url")
def db_url() -> None:
    """Print the connection URL (starts the embedded database if needed)."""
    click.echo(dbmod.database_url())


#: Login role names accepted by ``db reader --create`` (a plain lower-case SQL identifier).
_ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _read_password(name: str, password_file: Path | None) -> str:
    """The new login's password: the first line of ``password_file``, else a hidden prompt
    typed twice. Never echoed; an empty password is refused."""
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = click.prompt(
            f"Password for {name}", hide_input=True, confirmation_prompt=True, err=True
        )
    if not password:
        raise click.ClickException("the password is empty; give one (it is never printed)")
    return password


def reader_connection_line(url: str, name: str) -> str:
    """psql / QGIS connection URL of login ``name`` on the database of ``url`` (no password).

    Parameters
    ----------
    url : str
        URL of the PolicyLink database (any user).
    name : str
        Login role.

    Returns
    -------
    str
        ``postgresql://NAME@HOST:PORT/DBNAME`` (a unix-socket directory as ``?host=``).
    """
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(url)
    host, port, db = info.get("host", ""), info.get("port"), info.get("dbname", "")
    if host.startswith("/"):
        return f"postgresql://{name}@/{db}?host={quote(host, safe='/')}"
    netloc = f"{host}:{port}" if port else host
    return f"postgresql://{name}@{netloc}/{db}"


def create_reader_login(
    conn: psycopg.Connection, name: str, password: str, *, reset: bool = False
) -> str:
    """Create (or with ``reset`` re-password) a LOGIN role that is a member of policylink_reader.

    The password reaches the server only as a SCRAM-SHA-256 verifier computed here (libpq's
    ``PQencryptPasswordConn``), so it is in no statement, server log or command line.

    Parameters
    ----------
    conn : psycopg.Connection
        Connection of a role allowed to create roles.
    name : str
        Login name (lower-case identifier).
    password : str
        Its password.
    reset : bool
        The role exists: set its new password (and make sure it is a reader) instead of failing.

    Returns
    -------
    str
        ``created`` or ``updated``.

    Raises
    ------
    click.ClickException
        Bad name, an existing role without ``reset``, or a role that could write.
    """
    from psycopg import sql

    if not _ROLE_RE.match(name):
        raise click.ClickException(
            f"{name!r} is not a plain lower-case role name (letters, digits, _; max 63)"
        )
    verifier = conn.pgconn.encrypt_password(
        password.encode("utf-8"), name.encode("utf-8"), b"scram-sha-256"
    ).decode("ascii")
    role = sql.Identifier(name)
    row = conn.execute(
        "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls "
        "FROM pg_roles WHERE rolname = %s",
        (name,),
    ).fetchone()
    if row is not None and not reset:
        raise click.ClickException(f"role {name} exists; use --reset to give it a new password")
    if row is not None and row[0]:
        raise click.ClickException(f"role {name} has more than read rights; not changed")
    with conn.transaction():
        if row is None:
            conn.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE "
                    "NOREPLICATION PASSWORD {}"
                ).format(role, sql.Literal(verifier))
            )
        else:
            conn.execute(
                sql.SQL("ALTER ROLE {} LOGIN INHERIT PASSWORD {}").format(
                    role, sql.Literal(verifier)
                )
            )
        conn.execute(sql.SQL("GRANT policylink_reader TO {}").format(role))
        comment = "PolicyLink analyst login: member of policylink_reader (read-only)."
        conn.execute(sql.SQL("COMMENT ON ROLE {} IS {}").format(role, sql.Literal(comment)))
    return "created" if row is None else "updated"


@db_group.command("reader")
@click.option(
    "--create",
    "name",
    required=True,
    metavar="NAME",
    help="Login to create as a member of policylink_reader (SELECT only).",
)
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the password from the first line of this file instead of a hidden prompt.",
)
@click.option("--reset", is_flag=True, help="The login exists: give it a new password.")
def db_reader(name: str, password_file: Path | None, reset: bool) -> None:
    """Create a read-only login for analysts and QGIS (member of policylink_reader).

    The password is read from a hidden prompt (typed twice) or --password-file, never echoed
    or logged; the server receives only its SCRAM-SHA-256 verifier. Prints the psql / QGIS
    connection line (without the password).
    """
    from psycopg.conninfo import conninfo_to_dict

    from policylink.etl.migrate import migrate

    password = _read_password(name, password_file)
    url = dbmod.database_url()
    with dbmod.connect(url) as conn:
        migrate(conn)  # policylink_reader and its grants exist
        what = create_reader_login(conn, name, password, reset=reset)
    line = reader_connection_line(url, name)
    info = conninfo_to_dict(url)
    click.echo(f"Login {name} {what}: member of policylink_reader (read-only).")
    click.echo(f"psql:  psql '{line}'")
    click.echo(
        "QGIS:  Layer > Data Source Manager > PostgreSQL > New: "
        f"Host {info.get('host', '')}, Port {info.get('port') or 5432}, "
        f"Database {info.get('dbname', '')}, Authentication Basic: User name {name} "
        "and the password (store it in a QGIS authentication configuration)."
    )
    if not _external():
        click.echo(
            "Note: the embedded database listens on its unix socket only and trusts it; "
            "on a server, pg_hba.conf should ask for scram-sha-256."
        )


@click.command("migrate")
def migrate_cmd() -> None:
    """Apply pending schema migrations and changed view definitions."""
    from policylink.etl.migrate import migrate

    with dbmod.connect(schema=False) as conn:
        applied = migrate(conn)
    click.echo("Applied: " + ", ".join(applied) if applied else "Schema is up to date.")


@click.group("views")
def views_group() -> None:
    """Create and refresh the SQL views (the public interface for database users)."""


@views_group.command("apply")
@click.option("--force", is_flag=True, help="Re-create every view, not only changed ones.")
def views_apply(force: bool) -> None:
    """(Re)create view definitions from sql/views/ that are new or changed."""
    from policylink.etl.migrate import apply_views

    with dbmod.connect(schema=False) as conn:
        done = apply_views(conn, force=force)
    click.echo("Applied: " + ", ".join(done) if done else "Views are up to date.")


@views_group.command("refresh")
@click.option(
    "--stale",
    is_flag=True,
    help="Only the views whose data changed since their last refresh (per level set for the "
    "contiguity views), as policylink demo does.",
)
def views_refresh(stale: bool) -> None:
    """Refresh the materialized views (concurrently where possible, readers are not blocked)."""
    from policylink.etl.migrate import migrate, refresh_materialized_views

    t0 = time.monotonic()
    with dbmod.connect() as conn:
        migrate(conn)

        def say(name: str) -> None:
            click.echo(f"  refreshing {name} ...", err=True)

        names = refresh_materialized_views(conn, progress=say, only_stale=stale)
    if stale and not names:
        click.echo("Materialized views are up to date.")
        return
    click.echo(f"Refreshed {len(names)} materialized view(s) in {time.monotonic() - t0:.1f} s")


def register(group: click.Group) -> None:
    """Add the database commands to the main CLI group."""
    group.add_command(db_group)
    group.add_command(migrate_cmd)
    group.add_command(views_group)
