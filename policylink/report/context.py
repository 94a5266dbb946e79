"""What every report section receives: the connection, the writer, language and seeds.

Its own module so that the section modules import it downward (no section imports another).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from policylink.analyses.base import DEFAULT_SEED
from policylink.figures import JJJ
from policylink.report.builder import ReportWriter


@dataclass
class Context:
    """What every section builder needs.

    Attributes
    ----------
    conn : psycopg.Connection
        Open connection (sections only read).
    writer : ReportWriter
        Writes figures and tables.
    lang : {'zh', 'en'}
        Report language.
    seed : int
        Seed for every random draw (permutations, simulated effects, placebo).
    draws : int
        Number of draws for simulated inference (effects, placebo).
    region : str
        Codes of the regional case study (default Jing-Jin-Ji: ``110000,120000,130000``).
    log : callable
        ``log(message)`` prints progress lines.
    cache : dict
        Values shared between sections (e.g. the JJJ units).
    """

    conn: psycopg.Connection
    writer: ReportWriter
    lang: str = "zh"
    seed: int = DEFAULT_SEED
    draws: int = 1000
    region: str = JJJ
    log: Callable[[str], None] = print
    cache: dict[str, Any] = field(default_factory=dict)

    def t(self, zh: str, en: str) -> str:
        """Pick the text for the report language."""
        return zh if self.lang == "zh" else en

    def count(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run a ``SELECT count(*)`` style query and return the integer."""
        return int(self.conn.execute(sql, params).fetchone()[0])

    def relation_exists(self, name: str) -> bool:
        """True when a table or view of that name exists."""
        return bool(self.conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0])
