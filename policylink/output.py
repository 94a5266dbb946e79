"""Output conventions shared by every command: ``--format table|json|csv`` (plus ``latex|docx``
paper tables where a command offers them) and progress bars."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from policylink.analyses.base import jsonable, to_json

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "emit",
    "export_result",
    "format_option",
    "jsonable",
    "progress",
    "render_table",
    "to_json",
]

FORMATS = ("table", "json", "csv")
#: Paper-table formats of the commands with ``format_option(export=True)``.
EXPORT_FORMATS = ("latex", "docx")
_OUT_KEY = "policylink.export_out"
_LANG_KEY = "policylink.export_lang"
T = TypeVar("T")


def __getattr__(name: str) -> Any:
    # jsonable / to_json are re-exported lazily: analyses.base imports pandas, which commands
    # such as `policylink db status` never need.
    if name in ("jsonable", "to_json"):
        from policylink.analyses import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Keep ``--out`` / ``--lang`` of the paper-table formats for :func:`export_result`."""
    ctx.meta[_OUT_KEY if param.name == "out" else _LANG_KEY] = value


def format_option(default: str = "table", *, export: bool = False) -> Callable:
    """Click decorator adding ``--format table|json|csv`` (stored as ``fmt``).

    Parameters
    ----------
    default : str
        Default format.
    export : bool
        Also offer ``latex`` and ``docx`` (the paper tables of :mod:`policylink.export`) and an
        ``--out FILE`` for them; the command hands its result to :func:`export_result`.

    Returns
    -------
    callable
        The click option decorator.
    """
    fmt = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS + EXPORT_FORMATS if export else FORMATS),
        default=default,
        show_default=True,
        help="Output format: aligned table for people, json or csv for programs"
        + ("; latex or docx: the paper table (docx needs --out)." if export else "."),
    )
    if not export:
        return fmt
    out = click.option(
        "--out",
        type=click.Path(dir_okay=False),
        default=None,
        expose_value=False,
        callback=_remember,
        help="--format latex|docx: file to write (latex without it goes to stdout).",
    )
    lang = click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="en",
        show_default=True,
        expose_value=False,
        callback=_remember,
        help="--format latex|docx: language of the paper table.",
    )

    def deco(fn: Callable) -> Callable:
        return fmt(out(lang(fn)))

    return deco


def export_result(result: Any, fmt: str) -> bool:
    """Write ``result``'s paper table when ``fmt`` is ``latex`` or ``docx``.

    Uses the ``--out`` and ``--lang`` of :func:`format_option` (``export=True``).

    Parameters
    ----------
    result : analysis result
        An SDM or DID TWFE result (:func:`policylink.export.tables_of`).
    fmt : str
        The ``--format`` given.

    Returns
    -------
    bool
        True when the table was written (the command has nothing more to print).

    Raises
    ------
    ConfigError
        A .docx without ``--out`` or a result without a paper table.
    """
    if fmt not in EXPORT_FORMATS:
        return False
    from policylink.export import export_tables

    meta = click.get_current_context().meta
    out = export_tables(result, fmt, meta.get(_OUT_KEY), lang=meta.get(_LANG_KEY) or "en")
    if isinstance(out, str):
        click.echo(out, nl=False)
    else:
        click.echo(f"{fmt} table written: {out}", err=True)
    return True


def _fmt_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:.4f}" if abs(v) < 1e6 else f"{v:.4g}"
    return str(v)


def render_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Render records as an aligned plain-text table.

    Parameters
    ----------
    rows : sequence of mappings
        One mapping per row.
    columns : sequence of str, optional
        Column order; defaults to the keys of the first row.

    Returns
    -------
    str
    """
    if not rows:
        return "(no rows)"
    cols = list(columns or rows[0].keys())
    cells = [[_fmt_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(str(c)), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    # numbers right-aligned (digits line up), text left-aligned
    numeric = [
        all(isinstance(r.get(c), int | float) and not isinstance(r.get(c), bool) for r in rows)
        for c in cols
    ]
    line = "  ".join(str(c).ljust(w) for c, w in zip(cols, widths, strict=True))
    sep = "  ".join("-" * w for w in widths)
    body = [
        "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(row, widths, numeric, strict=True)
        ).rstrip()
        for row in cells
    ]
    return "\n".join([line, sep, *body])


def emit(data: Any, fmt: str, *, title: str | None = None) -> None:
    """Print results in the chosen format.

    Parameters
    ----------
    data : DataFrame, list of dicts, or dict
        Tabular data (DataFrame / list of records) or a nested result (dict). A dict is shown
        as ``key  value`` lines in table format and is written as JSON for csv if not tabular.
    fmt : {'table', 'json', 'csv'}
        Output format.
    title : str, optional
        Heading printed above a table (table format only).
    """
    if fmt == "json":
        from policylink.analyses.base import to_json

        click.echo(to_json(data))
        return
    if (
        fmt == "table"
        and isinstance(data, Mapping)
        and any(isinstance(v, str) for v in data.values())
    ):
        # Key/value lines need no pandas (keeps `db status` fast). With a text value the frame's
        # value column would be of object dtype, which keeps every cell as it is: same output.
        if title:
            click.echo(title)
        rows = [{"key": k, "value": v} for k, v in data.items()]
        click.echo(render_table(rows, ["key", "value"] if rows else None))
        return
    import pandas as pd

    if isinstance(data, Mapping):
        frame = pd.DataFrame([{"key": k, "value": v} for k, v in data.items()])
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        frame = pd.DataFrame(list(data))
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
        return
    if title:
        click.echo(title)
    click.echo(render_table(frame.to_dict(orient="records"), list(frame.columns)))


def progress(items: Iterable[T], label: str, length: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar on a terminal; silently when stderr is not a TTY.

    Parameters
    ----------
    items : iterable
        Items to iterate over.
    label : str
        Text shown before the bar.
    length : int, optional
        Number of items, if ``items`` has no ``len``.

    Yields
    ------
    The items of ``items``.
    """
    if not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, label=label, length=length, file=sys.stderr) as bar:
        yield from bar
