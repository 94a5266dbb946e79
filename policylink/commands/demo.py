"""``policylink demo``: the main job (load bundled data, refresh views, analyses, report)."""

from __future__ import annotations

import time

import click

from etl import db as dbmod
from etl.migrate import migrate, refresh_materialized_views
from policylink.paths import default_out_dir


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Output directory (default: out/ in the checkout, or $POLICYLINK_OUT).",
)
def demo(out_dir: str | None) -> None:
    """Run the main job on the default database and write maps and a report."""
    from pathlib import Path

    out = Path(out_dir) if out_dir else default_out_dir()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    url = dbmod.database_url()
    click.echo(f"[{time.monotonic() - t0:5.1f}s] database ready: {dbmod.redact(url)}")
    with dbmod.connect(url) as conn:
        applied = migrate(conn)
        click.echo(f"[{time.monotonic() - t0:5.1f}s] migrations applied: {len(applied)}")
        refreshed = refresh_materialized_views(conn)
        click.echo(
            f"[{time.monotonic() - t0:5.1f}s] materialized views refreshed: {len(refreshed)}"
        )
    report = out / "report.html"
    report.write_text(
        "<!doctype html><meta charset='utf-8'><title>PolicyLink report</title>"
        "<h1>PolicyLink</h1><p>Loading, analyses and maps are not built yet.</p>",
        encoding="utf-8",
    )
    click.echo("Not built yet: data loading, analyses, maps (see the open issues).")
    click.echo(f"Wrote {report}")


def register(group: click.Group) -> None:
    """Add ``demo`` to the main CLI group."""
    group.add_command(demo)
