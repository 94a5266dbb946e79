"""``policylink demo``: the main job (load bundled data, refresh views, analyses, report)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from policylink.analyses.base import DEFAULT_SEED
from policylink.errors import PolicyLinkError
from policylink.etl import db as dbmod
from policylink.paths import default_out_dir


class DemoFailed(PolicyLinkError):
    """At least one report section crashed (the report was still written)."""

    exit_code = 1


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Output directory (default: out/ in the checkout, or $POLICYLINK_OUT).",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of map labels, captions and report headings.",
)
@click.option(
    "--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of random draws."
)
@click.option(
    "--draws",
    type=int,
    default=1000,
    show_default=True,
    help="Draws for simulated effects and placebo DID.",
)
@click.option(
    "--skip-load",
    is_flag=True,
    help="Do not load the bundled data (use what the database already holds).",
)
@click.option(
    "--sections",
    default=None,
    metavar="KEYS",
    help="Build only these report sections, comma-separated (e.g. moran,did; an unknown key "
    "is refused with the list of keys). Default: every section.",
)
def demo(
    out_dir: str | None,
    lang: str,
    seed: int,
    draws: int,
    skip_load: bool,
    sections: str | None,
) -> None:
    """Run the main job and write out/report.html plus every figure (PNG) and table (CSV).

    Steps: connect (starting the embedded PostGIS if needed), apply migrations, load the
    bundled data (idempotent: a second run loads nothing), refresh the materialized views whose
    source tables changed since their last refresh, then build each report section (pilot map,
    JJJ adoption and links, Moran/LISA, spatial Durbin model, DID) and write the report. Each
    step prints its time and what it wrote; re-running replaces the outputs. Exits 1 if a
    section failed (the report still says which).
    """
    from policylink.etl.migrate import migrate, refresh_materialized_views
    from policylink.report import build_report
    from policylink.report.sections import check_sections

    chosen = None
    if sections is not None:  # checked before any database work
        chosen = [k.strip() for k in sections.split(",") if k.strip()]
        check_sections(chosen)
    out = Path(out_dir) if out_dir else default_out_dir()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()

    def say(msg: str) -> None:
        click.echo(f"[{time.monotonic() - t0:6.1f}s] {msg}")

    url = dbmod.database_url()
    say(f"database ready: {dbmod.redact(url)}")
    with dbmod.connect(url) as conn:
        applied = migrate(conn)
        say(f"migrations and views applied: {len(applied)} new")
        if skip_load:
            say("bundled data: skipped (--skip-load)")
        else:
            _load_bundled(conn, say)
        # only the views whose source tables changed since their last refresh (migration 0060)
        refreshed = refresh_materialized_views(conn, only_stale=True)
        say(
            f"materialized views refreshed: {len(refreshed)}"
            if refreshed
            else "materialized views: up to date"
        )
        say(f"building the report ({lang}) in {out}")
        result = build_report(
            conn,
            out,
            lang=lang,
            seed=seed,
            draws=draws,
            database=dbmod.redact(url),
            log=click.echo,
            sections=chosen,
        )
    n_png = sum(1 for p in result.files if p.suffix == ".png")
    n_csv = sum(1 for p in result.files if p.suffix == ".csv")
    say(f"wrote {n_png} figures in {out / 'figures'}")
    say(f"wrote {n_csv} tables in {out / 'tables'}")
    say(
        f"wrote {out / 'interactive_map.html'}"
        if (out / "interactive_map.html").exists()
        else "no interactive map"
    )
    say(f"wrote {result.path}")
    missing = [s.key for s in result.sections if s.missing and not s.failed]
    if missing:
        click.echo(f"sections with missing inputs (stated in the report): {', '.join(missing)}")
    if result.failed:
        raise DemoFailed(
            "report sections failed: "
            + "; ".join(f"{s.key}: {s.failed}" for s in result.failed)
            + f" (the report was written to {result.path})"
        )


def _load_bundled(conn, say) -> None:
    try:
        from policylink.etl.bundle import load_bundled
    except ImportError:
        say("bundled data: loader not available in this version (etl.bundle); using what is loaded")
        return
    t = time.monotonic()

    def progress(what: str, n: int) -> None:
        say(f"  loading {what} ({n})")

    results = load_bundled(conn, progress=progress)
    done = [r for r in results if getattr(r, "status", "") == "done"]
    say(
        f"bundled data: {len(results)} batches, {len(done)} loaded, "
        f"{len(results) - len(done)} unchanged ({time.monotonic() - t:.1f}s)"
    )


def register(group: click.Group) -> None:
    """Add ``demo`` to the main CLI group."""
    group.add_command(demo)
