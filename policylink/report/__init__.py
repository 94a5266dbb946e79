"""The PolicyLink HTML report: seed studies reproduced from the database.

:func:`build_report` runs the sections of :mod:`policylink.report.sections` (every one by
default) and writes ``report.html`` (self-contained: figures embedded as base64 PNG, the
interactive map inline), ``figures/*.png``, ``tables/*.csv`` and ``interactive_map.html`` under
the output folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg

from policylink.analyses.base import DEFAULT_SEED
from policylink.report.builder import ReportWriter, Section, render_html, run_section


@dataclass
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes
    ----------
    path : Path
        ``report.html``.
    sections : list of Section
        Sections in order (with their missing / failed notes).
    files : list of Path
        Every file written (figures, tables, interactive map, report).
    """

    path: Path
    sections: list[Section]
    files: list[Path]

    @property
    def failed(self) -> list[Section]:
        """Sections that crashed."""
        return [s for s in self.sections if s.failed]


def build_report(
    conn: psycopg.Connection,
    out_dir: Path,
    *,
    lang: str = "zh",
    seed: int = DEFAULT_SEED,
    draws: int = 1000,
    region: str | None = None,
    database: str = "",
    log: Callable[[str], None] = print,
    sections: Sequence[str] | None = None,
) -> ReportResult:
    """Run the report sections (every one by default) and write the report.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection to a database with the bundled data loaded.
    out_dir : Path
        Output folder (``figures/`` and ``tables/`` inside it are replaced).
    lang : {'zh', 'en'}
        Language of labels, captions and headings.
    seed : int
        Seed of every random draw.
    draws : int
        Draws for simulated inference (SDM effects, placebo DID).
    region : str, optional
        Codes of the regional case study (default Jing-Jin-Ji).
    database : str
        Redacted database URL shown in the header.
    log : callable
        Receives one line per section with its time and status.
    sections : sequence of str, optional
        Keys of the sections to run (see :func:`policylink.report.sections.section_keys`), in
        report order whatever the order given; None runs every section.

    Returns
    -------
    ReportResult

    Raises
    ------
    ConfigError
        For an unknown language or section key.
    """
    from policylink.report.sections import (
        Context,
        all_sections,
        check_lang,
        check_sections,
        section_keys,
    )

    check_lang(lang)
    builders = all_sections()
    if sections is not None:
        check_sections(sections)
        chosen = set(sections)
        builders = [b for b, k in zip(builders, section_keys(), strict=True) if k in chosen]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = ReportWriter(out_dir)
    ctx = Context(conn, writer, lang=lang, seed=seed, draws=draws, log=log)
    if region:
        ctx.region = region
    done: list[Section] = []
    for builder in builders:
        t0 = time.monotonic()
        before = len(writer.written)
        sec = run_section(builder, ctx)
        # A failed statement leaves the transaction aborted; the next section starts clean.
        conn.rollback()
        status = (
            "FAILED: " + sec.failed
            if sec.failed
            else ("missing: " + sec.missing[0] if sec.missing else "ok")
        )
        new = writer.written[before:]
        log(
            f"  {sec.key:<14} {time.monotonic() - t0:6.1f}s  {status}"
            + (f"  ({len(new)} files)" if new else "")
        )
        for path in new:
            log(f"      wrote {path}")
        for note in sec.missing[1:]:
            log(f"      missing: {note}")
        done.append(sec)
    title = ctx.t(
        "PolicyLink 报告：政策扩散与碳排放",
        "PolicyLink report: policy diffusion and carbon emissions",
    )
    intro = ctx.t(
        "本报告由 <code>policylink demo</code> 从数据库自动生成，复现种子文献的主要图表。每一节标明对应的种子章节，"
        "以及数据是真实数据还是<strong>合成数据（SYNTHETIC）</strong>。合成数据仅用于演示方法，"
        "其真实参数与估计值并列给出。",
        "Generated from the database by <code>policylink demo</code>; it reproduces the main tables "
        "and figures of the seed studies. Every section names the seed section it mirrors and "
        "whether its data are real or <strong>SYNTHETIC</strong>. Synthetic data only demonstrate "
        "the methods; their true parameters are printed beside the estimates.",
    )
    page = render_html(done, lang=lang, database=database, title=title, intro=intro)
    path = out_dir / "report.html"
    path.write_text(page, encoding="utf-8")
    return ReportResult(path, done, [*writer.written, path])
