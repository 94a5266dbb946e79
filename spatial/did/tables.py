"""Paper-style regression tables (Markdown, LaTeX, CSV) for the DID suite.

Layout of seed 004 Tables 3-8: one column per model, a coefficient row with significance stars
(``*`` p < 0.1, ``**`` p < 0.05, ``***`` p < 0.01) followed by its standard error in
parentheses, then rows for the fixed effects, controls, N and R2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np

from policylink.spatial.did.event_study import EventStudyResult
from policylink.spatial.did.twfe import DIDResult

FORMATS = ("markdown", "latex", "csv")


def stars(p: float) -> str:
    """Significance stars: ``***`` p < 0.01, ``**`` p < 0.05, ``*`` p < 0.1."""
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def _num(x: float, decimals: int) -> str:
    if x is None or not np.isfinite(x):
        return ""
    s = f"{x:.{decimals}f}"
    return "0." + "0" * decimals if s == "-0." + "0" * decimals else s


def _grid(
    results: Sequence[DIDResult],
    keep: Sequence[str] | None,
    labels: Sequence[str] | None,
    rename: dict[str, str] | None,
    decimals: int,
    outcome: str | None,
) -> tuple[list[str], list[list[str]], int]:
    """Header and body cells; returns the index of the first statistics row."""
    rename = rename or {}
    names: list[str] = []
    for r in results:
        for n in r.coefficients.index:
            if (keep is None or n in keep) and n not in names:
                names.append(n)
    if keep is not None:
        names = [n for n in keep if n in names]
    heads = list(labels) if labels else [r.label or f"({i + 1})" for i, r in enumerate(results)]
    header = [outcome or "", *[f"({i + 1})" for i in range(len(results))]]
    body = [["", *heads]]
    for n in names:
        est, se = [rename.get(n, n)], [""]
        for r in results:
            if n in r.coefficients.index:
                c = r.coefficients.loc[n]
                est.append(_num(c.estimate, decimals) + stars(c.p))
                se.append(f"({_num(c.se, decimals)})")
            else:
                est.append("")
                se.append("")
        body += [est, se]
    stat_at = len(body)
    controls = ["Controls", *["YES" if r.info.get("controls") else "NO" for r in results]]
    body.append(controls)
    body.append(["Unit FE", *["YES"] * len(results)])
    body.append(["Year FE", *["YES"] * len(results)])
    body.append(["N", *[str(r.n_obs) for r in results]])
    body.append(["R2", *[_num(r.r2, 3) for r in results]])
    body.append(["Within R2", *[_num(r.r2_within, 3) for r in results]])
    return header, body, stat_at


def regression_table(
    results: Sequence[DIDResult],
    *,
    fmt: str = "markdown",
    keep: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    rename: dict[str, str] | None = None,
    decimals: int = 3,
    note: str | None = None,
) -> str:
    """Side-by-side regression table with stars and standard errors in parentheses.

    Parameters
    ----------
    results : sequence of DIDResult
        One column each.
    fmt : {'markdown', 'latex', 'csv'}
        Output format.
    keep : sequence of str, optional
        Coefficients to show, in this order (default: all, first-seen order).
    labels : sequence of str, optional
        Column labels (default: each result's ``label``).
    rename : dict, optional
        Display names of coefficients (e.g. ``{'did': 'DID'}``).
    decimals : int
        Decimals of estimates and standard errors (seed 004: 3).
    note : str, optional
        Note under the table (default states the standard errors and the stars).

    Returns
    -------
    str
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}")
    outcome = results[0].info.get("outcome") if results else None
    header, body, stat_at = _grid(results, keep, labels, rename, decimals, outcome)
    clusters = {r.info.get("cluster", "unit") for r in results}
    note = note or (
        "Standard errors clustered by "
        + (" and ".join(sorted(clusters)) if clusters else "unit")
        + " in parentheses (two-way = unit and year). * p<0.1, ** p<0.05, *** p<0.01. "
        "Fixed-effects estimates (pyfixest); the intercept is absorbed by the fixed effects."
    )
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(body)
        return buf.getvalue()
    if fmt == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines) + f"\n\n{note}\n"
    esc = _latex_escape
    cols = "l" + "c" * (len(header) - 1)
    lines = [
        f"\\begin{{tabular}}{{{cols}}}",
        "\\hline\\hline",
        " & ".join(esc(h) for h in header) + " \\\\",
        " & ".join(esc(h) for h in body[0]) + " \\\\",
        "\\hline",
    ]
    for i, row in enumerate(body[1:], start=1):
        if i == stat_at:
            lines.append("\\hline")
        lines.append(" & ".join(_latex_cell(c) for c in row) + " \\\\")
    lines += [
        "\\hline\\hline",
        f"\\multicolumn{{{len(header)}}}{{l}}{{\\footnotesize {esc(note)}}} \\\\",
        "\\end{tabular}",
    ]
    return "\n".join(lines) + "\n"


def _latex_escape(s: str) -> str:
    for a, b in (
        ("\\", "\\textbackslash{}"),
        ("_", "\\_"),
        ("%", "\\%"),
        ("&", "\\&"),
        ("#", "\\#"),
    ):
        s = s.replace(a, b)
    return s


def _latex_cell(c: str) -> str:
    """Stars as superscripts, everything else escaped."""
    base = c.rstrip("*")
    n = len(c) - len(base)
    return _latex_escape(base) + (f"$^{{{'*' * n}}}$" if n else "")


def event_study_table(es: EventStudyResult, *, fmt: str = "markdown", decimals: int = 3) -> str:
    """Seed 004 Table 4 layout: one column, rows ``pre_k`` ... ``current`` ... ``post_k``.

    Parameters
    ----------
    es : EventStudyResult
        Event-study result (the reference period is not shown, as in the paper).
    fmt : {'markdown', 'latex', 'csv'}
        Output format.
    decimals : int
        Decimals.

    Returns
    -------
    str
    """
    keep = [t for t in es.table.term if t in es.model.coefficients.index]
    p = es.pretrend
    note = (
        f"Reference period: {int(es.model.info.get('reference', -1))} (omitted); end bins pool "
        f"earlier/later years. Joint pre-trend test: Wald chi2({p['df']}) = {p['wald']:.2f}, "
        f"p = {p['p_chi2']:.3f}; F({p['df']}, {p['df_denom']}) = {p['F']:.2f}, "
        f"p = {p['p_F']:.3f}. * p<0.1, ** p<0.05, *** p<0.01."
    )
    return regression_table([es.model], fmt=fmt, keep=keep, decimals=decimals, note=note)
