"""The report's weights section on the bundled database: its numbers against the SQL views."""

from __future__ import annotations

import psycopg
import pytest

from policylink.report.builder import ReportWriter
from policylink.report.context import Context
from policylink.report.weights_section import KINDS, section_weights

pytestmark = pytest.mark.slow


def test_weights_section_matches_the_views(bundled_url, tmp_path):
    with psycopg.connect(bundled_url) as conn:
        ctx = Context(conn, ReportWriter(tmp_path), lang="en")
        sec = section_weights(ctx)
        n = conn.execute("SELECT count(*) FROM unit_level WHERE level = 'prefecture'").fetchone()[0]
        islands = conn.execute(
            "SELECT count(*) FROM w_islands WHERE level = 'prefecture' AND queen_island"
        ).fetchone()[0]
        links = conn.execute("SELECT count(*) FROM w_queen WHERE level = 'prefecture'").fetchone()[
            0
        ]
    assert not sec.failed and not sec.missing
    summary = sec.tables[0].frame.set_index("weights")
    assert list(summary.index) == list(KINDS)
    assert summary.loc["queen", "units"] == n
    assert summary.loc["queen", "islands"] == islands
    assert summary.loc["queen", "links"] == links
    assert summary.loc["knn:6", "min"] == summary.loc["knn:6", "max"] == 6
    assert not summary.loc["knn:6", "symmetric"] and summary.loc["queen", "symmetric"]
    hist = sec.tables[2].frame
    assert hist["units"].sum() == n
    assert (tmp_path / "tables" / "weights_summary.csv").exists()
