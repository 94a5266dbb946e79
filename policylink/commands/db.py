"""``policylink db ...``, ``policylink migrate`` and ``policylink views ...``."""

from __future__ import annotations

import os
import time

import click

from policylink.etl import db as dbmod
from policylink.etl.migrate import apply_views, migrate, refresh_materialized_views
from policylink.output import emit, format_option


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
    with dbmod.connect(url) as conn:
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
            with dbmod.connect(dbmod.database_url(start=False)) as conn:
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


@click.command("migrate")
def migrate_cmd() -> None:
    """Apply pending schema migrations and changed view definitions."""
    with dbmod.connect() as conn:
        applied = migrate(conn)
    click.echo("Applied: " + ", ".join(applied) if applied else "Schema is up to date.")


@click.group("views")
def views_group() -> None:
    """Create and refresh the SQL views (the public interface for database users)."""


@views_group.command("apply")
@click.option("--force", is_flag=True, help="Re-create every view, not only changed ones.")
def views_apply(force: bool) -> None:
    """(Re)create view definitions from sql/views/ that are new or changed."""
    with dbmod.connect() as conn:
        done = apply_views(conn, force=force)
    click.echo("Applied: " + ", ".join(done) if done else "Views are up to date.")


@views_group.command("refresh")
def views_refresh() -> None:
    """Refresh the materialized views (concurrently where possible, readers are not blocked)."""
    t0 = time.monotonic()
    with dbmod.connect() as conn:
        migrate(conn)

        def say(name: str) -> None:
            click.echo(f"  refreshing {name} ...", err=True)

        names = refresh_materialized_views(conn, progress=say)
    click.echo(f"Refreshed {len(names)} materialized view(s) in {time.monotonic() - t0:.1f} s")


def register(group: click.Group) -> None:
    """Add the database commands to the main CLI group."""
    group.add_command(db_group)
    group.add_command(migrate_cmd)
    group.add_command(views_group)
