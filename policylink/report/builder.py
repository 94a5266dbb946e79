"""Report model and writer: sections with figures and tables -> one self-contained HTML file.

Every figure is written as a PNG under ``<out>/figures/`` and embedded in the HTML as base64;
every table is written as CSV under ``<out>/tables/`` and shown as an HTML table. Re-running
replaces the files of the previous run (the two folders are emptied first).
"""

from __future__ import annotations

import base64
import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from policylink.maps import save_figure

TEMPLATE_DIR = Path(__file__).with_name("templates")


@dataclass
class ReportFigure:
    """A figure of the report (PNG on disk, embedded as base64)."""

    name: str
    caption: str
    path: Path

    @property
    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI."""
        return "data:image/png;base64," + base64.b64encode(self.path.read_bytes()).decode("ascii")


@dataclass
class ReportTable:
    """A table of the report (CSV on disk, HTML in the page)."""

    name: str
    caption: str
    frame: pd.DataFrame
    path: Path
    note: str = ""

    def html(self) -> str:
        """HTML rendering (numbers to 4 significant decimals, NaN blank)."""
        return self.frame.to_html(
            index=False, na_rep="", float_format=lambda v: f"{v:.4g}", border=0, classes="tbl"
        )


@dataclass
class Section:
    """One section of the report.

    Attributes
    ----------
    key : str
        Short identifier (file-name prefix of its figures and tables).
    title : str
        Heading.
    mirrors : str
        Which seed section, table or figure it mirrors.
    data : str
        ``real``, ``synthetic`` or ``real + synthetic`` (shown as a badge).
    paragraphs : list of str
        Text (HTML allowed, already escaped by the author).
    figures, tables : list
        Content.
    html : list of str
        Extra HTML blocks (the interactive map).
    missing : list of str
        What could not be computed and why; shown plainly in a warning box.
    failed : str or None
        Error text when the section crashed (the demo then exits non-zero).
    seconds : float
        Time spent building the section.
    """

    key: str
    title: str
    mirrors: str
    data: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[ReportFigure] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: str | None = None
    seconds: float = 0.0


class ReportWriter:
    """Collects figures and tables of a report under one output folder.

    Parameters
    ----------
    out_dir : Path
        Output folder; ``figures/`` and ``tables/`` inside it are emptied on creation.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.fig_dir = self.out_dir / "figures"
        self.tab_dir = self.out_dir / "tables"
        for d in (self.fig_dir, self.tab_dir):
            if d.exists():
                shutil.rmtree(d)
            d.mkdir(parents=True)
        self.written: list[Path] = []

    def figure(self, section: Section, name: str, fig: MplFigure, caption: str) -> ReportFigure:
        """Save ``fig`` as ``figures/<section>_<name>.png`` and attach it to ``section``."""
        path = save_figure(fig, self.fig_dir / f"{section.key}_{name}.png")
        self.written.append(path)
        rf = ReportFigure(name, caption, path)
        section.figures.append(rf)
        return rf

    def table(
        self, section: Section, name: str, frame: pd.DataFrame, caption: str, note: str = ""
    ) -> ReportTable:
        """Save ``frame`` as ``tables/<section>_<name>.csv`` and attach it to ``section``."""
        path = self.tab_dir / f"{section.key}_{name}.csv"
        frame.to_csv(path, index=False)
        self.written.append(path)
        rt = ReportTable(name, caption, frame, path, note)
        section.tables.append(rt)
        return rt


def run_section(
    builder: Callable[..., Section], *args: Any, on_error: Callable[[Section], None] | None = None
) -> Section:
    """Run one section builder, timing it; a crash becomes a failed section, not an exit.

    Parameters
    ----------
    builder : callable
        Returns a :class:`Section`. Its ``__doc__`` first line names the section on failure.
    *args
        Passed to ``builder``.
    on_error : callable, optional
        Called with the failed section.

    Returns
    -------
    Section
    """
    t0 = time.monotonic()
    try:
        sec = builder(*args)
    except Exception as exc:  # noqa: BLE001 - reported in the page and by a non-zero exit
        name = getattr(builder, "__name__", "section").removeprefix("section_")
        sec = Section(name, name, "-", "-", failed=f"{type(exc).__name__}: {exc}")
        if on_error:
            on_error(sec)
    sec.seconds = time.monotonic() - t0
    return sec


def render_html(
    sections: list[Section],
    *,
    lang: str,
    database: str,
    title: str,
    intro: str,
) -> str:
    """Render the report page with the jinja2 template.

    Parameters
    ----------
    sections : list of Section
        Content in order.
    lang : {'zh', 'en'}
        Language of the page chrome.
    database : str
        Redacted database URL shown in the header.
    title, intro : str
        Page title and introduction (HTML).

    Returns
    -------
    str
        The complete HTML page.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    tpl = env.get_template("report.html.j2")
    labels = {
        "zh": {
            "mirrors": "对应",
            "data": "数据",
            "real": "真实数据",
            "synthetic": "合成数据 SYNTHETIC",
            "real + synthetic": "真实 + 合成 SYNTHETIC",
            "missing": "尚未提供",
            "failed": "计算失败",
            "csv": "CSV",
            "png": "PNG",
            "generated": "生成时间",
            "database": "数据库",
            "contents": "目录",
            "seconds": "秒",
        },
        "en": {
            "mirrors": "Mirrors",
            "data": "Data",
            "real": "real",
            "synthetic": "SYNTHETIC",
            "real + synthetic": "real + SYNTHETIC",
            "missing": "Not available",
            "failed": "Failed",
            "csv": "CSV",
            "png": "PNG",
            "generated": "Generated",
            "database": "Database",
            "contents": "Contents",
            "seconds": "s",
        },
    }[lang]
    return tpl.render(
        sections=sections,
        L=labels,
        lang=lang,
        database=database,
        title=title,
        intro=intro,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
