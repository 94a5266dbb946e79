"""Output conventions shared by every command: ``--format table|json|csv`` and progress bars."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from policylink.analyses.base import jsonable, to_json

__all__ = ["FORMATS", "emit", "format_option", "jsonable", "progress", "render_table", "to_json"]

FORMATS = ("table", "json", "csv")
T = TypeVar("T")


def __getattr__(name: str) -> Any:
    # jsonable / to_json are re-exported lazily: analyses.base imports pandas, which commands
    # such as `policylink db status` never need.
    if name in ("jsonable", "to_json"):
        from policylink.analyses import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def format_option(default: str = "table") -> Callable:
    """Click decorator adding ``--format table|json|csv`` (stored as ``fmt``).

    Parameters
    ----------
    default : str
        Default format.

    Returns
    -------
    callable
        The click option decorator.
    """
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
        help="Output format: aligned table for people, json or csv for programs.",
    )


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
