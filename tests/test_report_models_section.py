"""The report's dynamic-panel and cross-section section on the SYNTHETIC grid of demo_fixtures.

The section must show what the one analysis layer computes, and its one-year SAR by ML must equal
spreg's ``ML_Lag`` on the same year read straight from the observation table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import pytest
import spreg
from demo_fixtures import PROVINCE, load_synthetic, load_synthetic_panel

from policylink.etl.migrate import refresh_materialized_views
from policylink.report.analysis_sections import NAMES
from policylink.report.builder import ReportWriter
from policylink.report.context import Context
from policylink.report.models_section import section_models
from policylink.report.sections import all_sections

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grid_url(database_copies, clone_migrated):
    """A migrated database (a copy of the run's migrated template) holding the SYNTHETIC grid
    and its random panel."""
    name, url = clone_migrated("t_repm_")
    with psycopg.connect(url) as conn:
        load_synthetic(conn)
        load_synthetic_panel(conn)
        conn.commit()
        refresh_materialized_views(conn)
        conn.commit()
    yield url
    database_copies.drop(name)


def _section(url: str, tmp_path, lang: str):
    with psycopg.connect(url) as conn:
        ctx = Context(conn, ReportWriter(tmp_path), lang=lang, region=PROVINCE, draws=50)
        return section_models(ctx)


def test_section_is_registered() -> None:
    assert section_models in all_sections()


def test_section_matches_the_analysis_and_spreg(grid_url, tmp_path) -> None:
    from policylink.analyses.models import (
        CrossSectionOptions,
        DynamicOptions,
        run_cross_section,
        run_dynamic_panel,
    )
    from policylink.inputs import InputSource, load_inputs

    sec = _section(grid_url, tmp_path, "en")
    assert not sec.failed
    assert sec.data == "synthetic"
    names = [t.name for t in sec.tables]
    assert "dynamic" in names and "dynamic_effects" in names and "cross_section" in names
    y, xs = NAMES.jjj_y, tuple(NAMES.jjj_x)
    with psycopg.connect(grid_url) as conn:
        inp = load_inputs(
            InputSource.from_options(level="prefecture", within=PROVINCE), [y, *xs], conn=conn
        )
        obs = pd.DataFrame(
            conn.execute(
                "SELECT unit_code, variable, value FROM observation WHERE year = 2019"
            ).fetchall(),
            columns=["code", "variable", "value"],
        ).pivot(index="code", columns="variable", values="value")
    # The dynamic table is the analysis function's own output (one truth).
    dyn = run_dynamic_panel(inp, DynamicOptions(y=y, x=xs, draws=50))
    shown = sec.tables[names.index("dynamic")].frame
    np.testing.assert_allclose(shown["estimate"], dyn.result.coefficients["estimate"])
    # One-year SAR by ML against spreg on the 2019 values read from the observation table.
    cross = sec.tables[names.index("cross_section")].frame.set_index(["model", "method"])
    ids = list(inp.w.id_order)
    w = inp.w
    w.transform = "r"
    ref = spreg.ML_Lag(
        obs.loc[ids, [y]].to_numpy(), obs.loc[ids, list(xs)].to_numpy(), w, method="full"
    )
    assert cross.loc[("SAR", "ML"), "estimate"] == pytest.approx(float(ref.rho), abs=1e-4)
    assert cross.loc[("SAR", "ML"), "log L"] == pytest.approx(float(ref.logll), abs=1e-3)
    sar = run_cross_section(inp, CrossSectionOptions(y=y, x=xs, year=2019, draws=0))
    assert cross.loc[("SAR", "ML"), "SE"] == pytest.approx(sar.result.coefficients["se"].iloc[-1])
    # The page marks SYNTHETIC data in the notes.
    assert all("SYNTHETIC" in t.note for t in sec.tables if t.name != "cross_sdm_effects")


def test_section_in_chinese_has_chinese_headings(grid_url, tmp_path) -> None:
    sec = _section(grid_url, tmp_path, "zh")
    assert sec.title.startswith("动态空间面板")
    cross = next(t for t in sec.tables if t.name == "cross_section").frame
    assert {"模型", "方法", "空间参数", "估计值"} <= set(cross.columns)
    dyn = next(t for t in sec.tables if t.name == "dynamic").frame
    assert "估计值" in dyn.columns
