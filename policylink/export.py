"""Paper tables as LaTeX (booktabs + threeparttable) and Word (.docx), in Chinese or English.

The layouts and the cell texts are the ones the analyses already define: the spatial panel
model's :func:`policylink.spatial.panel.paper_table` (seed 000 Table 5: coefficients, W·x and
rho with direct, indirect and total effects beside them, estimates with stars and standard
errors in parentheses below; one such table per group, as seed 000 Tables 6-7) and the DID
suite's :func:`policylink.spatial.did.tables.regression_table` (seed 004 Table 3: one column
per model, e.g. without and with controls, then the controls and fixed-effects rows, N and R2).
This module only translates the row and column labels, adds the notes (standard errors, stars,
draws, source and any SYNTHETIC variables) and writes the two formats.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policylink.analyses.base import check_lang
from policylink.errors import ConfigError

#: Formats written by :func:`export_tables`.
EXPORT_FORMATS = ("latex", "docx")

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "variable": "变量",
        "coefficient": "系数",
        "direct": "直接效应",
        "indirect": "间接效应",
        "total": "总效应",
        "rho": "ρ",
        "lambda": "λ",
        "sigma2": "σ²",
        "log-likelihood": "对数似然值",
        "R2": "R²",
        "R2 within": "组内 R²",
        "N x T": "N × T",
        "model": "模型",
        "Controls": "控制变量",
        "Unit FE": "城市固定效应",
        "Year FE": "年份固定效应",
        "N": "观测值",
        "Within R2": "组内 R²",
        "YES": "是",
        "NO": "否",
        "did": "DID",
    },
    "en": {
        "variable": "Variable",
        "coefficient": "Coefficient",
        "direct": "Direct effect",
        "indirect": "Indirect effect",
        "total": "Total effect",
        "rho": "ρ",
        "lambda": "λ",
        "sigma2": "σ²",
        "log-likelihood": "Log-likelihood",
        "R2": "R²",
        "R2 within": "Within R²",
        "N x T": "N × T",
        "model": "Model",
        "Controls": "Controls",
        "Unit FE": "City FE",
        "Year FE": "Year FE",
        "N": "Observations",
        "Within R2": "Within R²",
        "YES": "Yes",
        "NO": "No",
        "did": "DID",
    },
}


#: How the DID's clustering (``PanelSpec.cluster``) reads in the notes.
_CLUSTERS: dict[str, dict[str, str]] = {
    "zh": {"unit": "城市", "twoway": "城市与年份（双向）"},
    "en": {"unit": "city", "twoway": "city and year (two-way)"},
}


@dataclass
class PaperTable:
    """A regression table ready to be written.

    Attributes
    ----------
    caption : str
        Table caption.
    header : list of str
        Column headings (the first is the row-label column's).
    rows : list of list of str
        Body rows; an estimate row is followed by its standard-error row (``(0.123)``).
    rules : list of int
        Indices of the rows a mid rule goes above (where the statistics start).
    notes : list of str
        Notes under the table.
    """

    caption: str
    header: list[str]
    rows: list[list[str]]
    rules: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _label(name: str, lang: str) -> str:
    """Display name of a row or column label; ``W*x`` becomes ``W·x``."""
    text = _LABELS[lang].get(name, name)
    return "W·" + text[2:] if text.startswith("W*") else text


def _stars_note(lang: str) -> str:
    return (
        "括号内为标准误；*** p<0.01，** p<0.05，* p<0.1。"
        if lang == "zh"
        else "Standard errors in parentheses; *** p<0.01, ** p<0.05, * p<0.1."
    )


def _source_note(result: Any, lang: str) -> str:
    head = "数据来源：" if lang == "zh" else "Source: "
    return head + result.provenance.label(lang)


def sdm_tables(result: Any, lang: str = "en") -> list[PaperTable]:
    """Seed 000 Table 5 layout of a spatial panel model, one table per fit (group).

    Parameters
    ----------
    result : policylink.analyses.sdm.SdmAnalysis
        The fitted model(s).
    lang : {'zh', 'en'}
        Language of labels, caption and notes.

    Returns
    -------
    list of PaperTable
        One per fit, in the order of ``result.results``.
    """
    from policylink.spatial.panel import paper_table

    lang = check_lang(lang)
    o = result.options
    tables = []
    for label, fit in result.results.items():
        frame = paper_table({label: fit})
        header = [_label("variable", lang), *(_label(c, lang) for c in frame.columns[1:])]
        rows = [[_label(r[0], lang), *r[1:]] for r in frame.astype(str).values.tolist()]
        rules = [i for i, r in enumerate(frame["variable"]) if r == "sigma2"]
        model = f"{fit.model.upper()}"
        group = "" if label == "all" else f" ({label})"
        caption = (
            f"{model} 空间面板模型估计结果{group}，被解释变量：{o.y}"
            if lang == "zh"
            else f"{model} spatial panel estimates{group}, dependent variable: {o.y}"
        )
        notes = [_stars_note(lang)]
        if fit.effects is not None:
            notes.append(
                f"直接、间接与总效应的标准误来自 {fit.effects_draws} 次参数抽样（种子 {fit.effects_seed}）。"
                if lang == "zh"
                else f"Standard errors of the direct, indirect and total effects from "
                f"{fit.effects_draws} parameter draws (seed {fit.effects_seed})."
            )
        notes.append(
            ("空间权重：" if lang == "zh" else "Weights: ") + str(result.provenance.weights)
        )
        notes.append(_source_note(result, lang))
        tables.append(PaperTable(caption, header, rows, rules, notes))
    return tables


def did_table(
    results: Any | Sequence[Any], lang: str = "en", labels: Sequence[str] | None = None
) -> PaperTable:
    """Seed 004 Table 3 layout of one or more two-way fixed-effects DID regressions.

    Parameters
    ----------
    results : TwfeAnalysis or sequence of TwfeAnalysis
        One column each (e.g. without and with controls).
    lang : {'zh', 'en'}
        Language of labels, caption and notes.
    labels : sequence of str, optional
        Column labels (default: each regression's label).

    Returns
    -------
    PaperTable
    """
    from policylink.spatial.did.tables import regression_table

    lang = check_lang(lang)
    seq = list(results) if isinstance(results, Sequence) else [results]
    if not seq or any(getattr(r, "kind", None) != "did_twfe" for r in seq):
        raise ConfigError("a DID paper table takes two-way fixed-effects results (did twfe)")
    fits = [r.result for r in seq]
    text = regression_table(fits, fmt="csv", labels=labels)
    grid = list(csv.reader(io.StringIO(text)))
    header, body = grid[0], grid[1:]
    header = [_label(header[0], lang), *header[1:]]
    rows = [[_label(r[0], lang), *(_LABELS[lang].get(c, c) for c in r[1:])] for r in body]
    rules = [1, next(i for i, r in enumerate(body) if r[0] == "Controls")]
    clusters = sorted({f.info.get("cluster", "unit") for f in fits})
    outcome = fits[0].info.get("outcome", "")
    caption = (
        f"基准回归结果（双向固定效应 DID），被解释变量：{outcome}"
        if lang == "zh"
        else f"Baseline regressions (two-way fixed-effects DID), dependent variable: {outcome}"
    )
    names = _CLUSTERS[lang]
    cl = ("、" if lang == "zh" else "; ").join(names.get(c, c) for c in clusters)
    notes = [
        _stars_note(lang),
        (
            f"标准误按{cl}聚类；截距项被固定效应吸收（pyfixest）。"
            if lang == "zh"
            else f"Standard errors clustered by {cl}; the intercept is absorbed by the fixed "
            "effects (pyfixest)."
        ),
        *dict.fromkeys(_source_note(r, lang) for r in seq),
    ]
    return PaperTable(caption, header, rows, rules, notes)


def tables_of(result: Any, lang: str = "en") -> list[PaperTable]:
    """The paper tables of a result that has them (SDM, DID TWFE).

    Parameters
    ----------
    result : SdmAnalysis, TwfeAnalysis or a sequence of TwfeAnalysis
        What to lay out.
    lang : {'zh', 'en'}
        Language.

    Returns
    -------
    list of PaperTable

    Raises
    ------
    ConfigError
        For a result without a LaTeX/Word paper table.
    """
    kind = getattr(result, "kind", None)
    if kind == "sdm":
        return sdm_tables(result, lang)
    if kind == "did_twfe" or (isinstance(result, Sequence) and result):
        return [did_table(result, lang)]
    raise ConfigError(
        f"--format latex|docx: {kind or type(result).__name__} has no paper table; "
        "it is available for 'policylink sdm' and 'policylink did twfe'"
    )


# --------------------------------------------------------------------------------------------
# LaTeX
# --------------------------------------------------------------------------------------------
_TEX_CHARS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX_MATH = {
    "ρ": r"$\rho$",
    "λ": r"$\lambda$",
    "σ²": r"$\sigma^2$",
    "R²": r"$R^2$",
    "×": r"$\times$",
    "·": r"$\cdot$",
    "<": r"$<$",
    ">": r"$>$",
}


def tex_escape(text: str) -> str:
    """Escape LaTeX specials; Greek letters, squares, times, dots and ``<``/``>`` as math."""
    out = "".join(_TEX_CHARS.get(c, c) for c in text)
    for a, b in _TEX_MATH.items():
        out = out.replace(a, b)
    return out


def _tex_cell(text: str) -> str:
    """A cell with its significance stars as a superscript."""
    m = re.fullmatch(r"(.*?)(\*+)", text)
    if m:
        return tex_escape(m.group(1)) + f"$^{{{m.group(2)}}}$"
    return tex_escape(text)


def to_latex(tables: Sequence[PaperTable], *, standalone: bool = False, lang: str = "en") -> str:
    """LaTeX ``table`` environments (booktabs rules, threeparttable notes).

    Parameters
    ----------
    tables : sequence of PaperTable
        Tables to write, one ``table`` environment each.
    standalone : bool
        Wrap in a complete document (``ctex`` for Chinese, to be compiled with XeLaTeX).
    lang : {'zh', 'en'}
        Language of the document class when ``standalone``.

    Returns
    -------
    str
        Needs ``\\usepackage{booktabs,threeparttable}`` in the preamble when not standalone.
    """
    parts = []
    for t in tables:
        ncol = len(t.header)
        lines = [
            r"\begin{table}[htbp]",
            r"\centering",
            r"\begin{threeparttable}",
            rf"\caption{{{tex_escape(t.caption)}}}",
            rf"\begin{{tabular}}{{l{'c' * (ncol - 1)}}}",
            r"\toprule",
            " & ".join(tex_escape(h) for h in t.header) + r" \\",
            r"\midrule",
        ]
        for i, row in enumerate(t.rows):
            if i in t.rules and i > 0:
                lines.append(r"\midrule")
            lines.append(" & ".join(_tex_cell(c) for c in row) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}", r"\begin{tablenotes}\footnotesize"]
        lines += [rf"\item {tex_escape(n)}" for n in t.notes]
        lines += [r"\end{tablenotes}", r"\end{threeparttable}", r"\end{table}"]
        parts.append("\n".join(lines))
    body = "\n\n".join(parts) + "\n"
    if not standalone:
        return body
    cls = r"\documentclass[UTF8]{ctexart}" if lang == "zh" else r"\documentclass{article}"
    return (
        f"{cls}\n\\usepackage{{booktabs}}\n\\usepackage{{threeparttable}}\n"
        f"\\begin{{document}}\n{body}\\end{{document}}\n"
    )


# --------------------------------------------------------------------------------------------
# Word
# --------------------------------------------------------------------------------------------
def _border(cell: Any, edge: str, size: int) -> None:
    """Set one border of a table cell (a three-line table draws only top/bottom rules)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    el = OxmlElement(f"w:{edge}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), "0")
    el.set(qn("w:color"), "000000")
    borders.append(el)


def _east_asian(run: Any, font: str) -> None:
    from docx.oxml.ns import qn

    r_pr = run._element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def to_docx(tables: Sequence[PaperTable], path: str | Path, *, lang: str = "en") -> Path:
    """Write the tables to a Word document (three-line tables, notes below each).

    Parameters
    ----------
    tables : sequence of PaperTable
        Tables, in order.
    path : str or Path
        ``.docx`` file to write.
    lang : {'zh', 'en'}
        Chinese text gets an East Asian font (SimSun).

    Returns
    -------
    Path
        The file written.
    """
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10)
    for n, t in enumerate(tables):
        if n:
            doc.add_paragraph()
        cap = doc.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = cap.add_run(t.caption)
        run.bold = True
        if lang == "zh":
            _east_asian(run, "SimSun")
        table = doc.add_table(rows=1 + len(t.rows), cols=len(t.header))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid = [t.header, *t.rows]
        for i, values in enumerate(grid):
            for j, value in enumerate(values):
                cell = table.cell(i, j)
                para = cell.paragraphs[0]
                para.alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER
                r = para.add_run(value)
                if lang == "zh":
                    _east_asian(r, "SimSun")
                if i == 0:
                    _border(cell, "top", 12)
                    _border(cell, "bottom", 6)
                if i - 1 in t.rules and i > 1:
                    _border(cell, "top", 6)
                if i == len(grid) - 1:
                    _border(cell, "bottom", 12)
        for note in t.notes:
            p = doc.add_paragraph()
            r = p.add_run(note)
            r.font.size = Pt(8)
            if lang == "zh":
                _east_asian(r, "SimSun")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def export_tables(
    result: Any, fmt: str, path: str | Path | None = None, *, lang: str = "en"
) -> str | Path:
    """Write a result's paper tables as LaTeX or Word.

    Parameters
    ----------
    result : SdmAnalysis, TwfeAnalysis or a sequence of TwfeAnalysis
        What to export.
    fmt : {'latex', 'docx'}
        Format.
    path : str or Path, optional
        File to write; LaTeX without a path is returned as text (a ``.docx`` needs a path).
    lang : {'zh', 'en'}
        Language.

    Returns
    -------
    str or Path
        The LaTeX text (no path) or the file written.

    Raises
    ------
    ConfigError
        Unknown format, a .docx without a path, or a result without paper tables.
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"format {fmt!r}: use {' or '.join(EXPORT_FORMATS)}")
    lang = check_lang(lang)
    tables = tables_of(result, lang)
    if fmt == "docx":
        if path is None:
            raise ConfigError("--format docx needs --out FILE.docx")
        return to_docx(tables, path, lang=lang)
    text = to_latex(tables, standalone=path is not None, lang=lang)
    if path is None:
        return text
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
