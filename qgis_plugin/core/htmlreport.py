"""Small self-contained HTML result pages (tables + PNG plots inline) for Processing outputs."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import pandas as pd


def figure_png(fig: Any) -> bytes:
    """Render a matplotlib figure to PNG bytes (150 dpi)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    return buf.getvalue()


def write_html(path: str | Path, title: str, sections: list[tuple[str, Any]]) -> str:
    """Write an HTML page with one heading per section.

    Parameters
    ----------
    path : str or Path
        Output file.
    title : str
        Page title.
    sections : list of (heading, content)
        ``content`` is a DataFrame (rendered as a table, floats to 4 decimals), a matplotlib
        figure (inline PNG) or text (escaped, one paragraph).

    Returns
    -------
    str
        The path written.
    """
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}</style>",
        f"</head><body><h1>{html.escape(title)}</h1>",
    ]
    for heading, content in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if isinstance(content, pd.DataFrame):
            parts.append(content.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep=""))
        elif hasattr(content, "savefig"):
            data = base64.b64encode(figure_png(content)).decode("ascii")
            parts.append(f"<img alt='{html.escape(heading)}' src='data:image/png;base64,{data}'>")
        else:
            parts.append(f"<p>{html.escape(str(content))}</p>")
    parts.append("</body></html>")
    Path(path).write_text("\n".join(parts), encoding="utf-8")
    return str(path)
