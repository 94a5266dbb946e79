"""One DID pipeline: the CLI, the report's DID section and ``run_twfe`` give the same numbers.

A throwaway PostGIS database gets two provinces of 12 square prefectures each, the report's
DID variables (outcome and two controls, flagged SYNTHETIC) plus an unflagged copy of each, and
three pilot designations: province 410000 in batch 1 (covers all its prefectures), prefecture
420100 in batch 2 and 420200 in batch 3 (420100 again in batch 3: the earliest batch wins), and a
county-level pilot in 420300 (not a prefecture pilot under seed 004's rules). The test codes the
same timing by hand and checks every front-end against pyfixest ``feols`` on that panel, and
that every output format says SYNTHETIC exactly when the outcome or a control is synthetic.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pyfixest as pf
import pytest

from policylink.analyses.did import (
    SuiteOptions,
    TwfeAnalysis,
    run_suite,
    run_twfe,
)
from policylink.cli import main
from policylink.did_inputs import DidSource, load_did_inputs
from policylink.report.analysis_sections import NAMES, section_did
from policylink.report.builder import ReportWriter
from policylink.report.context import Context

YEARS = range(2009, 2021)
Y, (C1, C2) = NAMES.did_y, NAMES.did_controls
REAL = {Y: "real_y", C1: "real_c1", C2: "real_c2"}  # unflagged copies of the same values
PREFS = [f"41{k:02d}00" for k in range(1, 13)] + [f"42{k:02d}00" for k in range(1, 13)]
#: Seed 004 coding by hand: batch 1 (province 410000) 2011, 420100 batch 2 -> 2013,
#: 420200 batch 3 -> 2017; the county pilot in 420300 does not count.
FIRST = {c: (2011 if c.startswith("41") else 0) for c in PREFS} | {"420100": 2013, "420200": 2017}


def _square(x: int, y: int) -> str:
    return f"MULTIPOLYGON((({x} {y},{x + 1} {y},{x + 1} {y + 1},{x} {y + 1},{x} {y})))"


def _panel() -> pd.DataFrame:
    """The SYNTHETIC panel with a true effect of 0.6 and the hand-coded treatment."""
    rng = np.random.default_rng(11)
    a = rng.normal(size=len(PREFS))
    rows = []
    for i, c in enumerate(PREFS):
        for t in YEARS:
            x1, x2 = rng.normal() + 0.3 * a[i], rng.normal()
            d = int(FIRST[c] > 0 and t >= FIRST[c])
            y = a[i] + 0.05 * (t - 2009) + 0.4 * x1 - 0.2 * x2 + 0.6 * d + rng.normal(scale=0.3)
            rows.append((c, t, y, x1, x2, d))
    return pd.DataFrame(rows, columns=["code", "year", "y", "c1", "c2", "treat"])


def _load(conn: psycopg.Connection, ref: pd.DataFrame) -> None:
    for p, x0 in (("410000", 0), ("420000", 20)):
        conn.execute(
            "INSERT INTO admin_unit (code, name_zh, level, geom, source) "
            "VALUES (%s, %s, 'province', ST_GeomFromText(%s, 4326), 'SYNTHETIC test')",
            (p, f"省{p}", _square(x0, 0)),
        )
    for i, c in enumerate(PREFS):
        conn.execute(
            "INSERT INTO admin_unit (code, name_zh, level, parent_code, geom, source) "
            "VALUES (%s, %s, 'prefecture', %s, ST_GeomFromText(%s, 4326), 'SYNTHETIC test')",
            (c, f"市{c}", c[:2] + "0000", _square(i, 5)),
        )
    conn.execute(
        "INSERT INTO admin_unit (code, name_zh, level, parent_code, geom, source) VALUES "
        "('420301', '县420301', 'county', '420300', ST_GeomFromText(%s, 4326), 'SYNTHETIC test')",
        (_square(14, 5),),
    )
    for name in (Y, C1, C2):
        conn.execute(
            "INSERT INTO variable (name, is_synthetic, source) VALUES (%s, true, 'SYNTHETIC test')",
            (name,),
        )
        conn.execute(
            "INSERT INTO variable (name, is_synthetic, source) VALUES (%s, false, 'test')",
            (REAL[name],),
        )
    with conn.cursor().copy("COPY observation (unit_code, year, variable, value) FROM STDIN") as cp:
        for r in ref.itertuples():
            for name, v in ((Y, r.y), (C1, r.c1), (C2, r.c2)):
                cp.write_row((r.code, r.year, name, v))
                cp.write_row((r.code, r.year, REAL[name], v))
    for eid, date, batch, unit in (
        ("t-b1", "2010-07-19", 1, "410000"),
        ("t-b2", "2012-11-29", 2, "420100"),
        ("t-b3", "2017-01-07", 3, "420200"),
        ("t-b3b", "2017-01-07", 3, "420100"),
        ("t-b3c", "2017-01-07", 3, "420301"),
    ):
        conn.execute(
            "INSERT INTO policy_event (id, event_date, title_zh, level, kind, programme, batch, "
            "source) VALUES (%s, %s, 'test', 'national', 'pilot_designation', "
            "'low_carbon_pilot', %s, 'SYNTHETIC test')",
            (eid, date, batch),
        )
        conn.execute(
            "INSERT INTO event_participant (event_id, unit_code, role) VALUES (%s, %s, 'party')",
            (eid, unit),
        )


@pytest.fixture(scope="module")
def did_db(database_copies, clone_migrated) -> Iterator[tuple[str, pd.DataFrame]]:  # noqa: ANN001
    """URL of a migrated database holding the panel, and the hand-coded panel."""
    from policylink.etl.migrate import refresh_materialized_views

    name, url = clone_migrated("t_didan_")
    ref = _panel()
    with psycopg.connect(url) as conn:
        _load(conn, ref)
        conn.commit()
        refresh_materialized_views(conn)
        conn.commit()
    yield url, ref
    database_copies.drop(name)


def _cli(capsys: pytest.CaptureFixture, argv: list[str], fmt: str) -> str:
    capsys.readouterr()
    assert main([*argv, "--format", fmt]) == 0
    return capsys.readouterr().out


def _reference(ref: pd.DataFrame) -> tuple[float, float]:
    fit = pf.feols("y ~ treat + c1 + c2 | code + year", ref, vcov={"CRV1": "code"})
    return float(fit.coef()["treat"]), float(fit.se()["treat"])


@pytest.fixture(scope="module")
def report_section(did_db, tmp_path_factory):  # noqa: ANN001, ANN201
    url, _ = did_db
    out = tmp_path_factory.mktemp("did_report")
    with psycopg.connect(url) as conn:
        ctx = Context(conn, ReportWriter(out), lang="en", draws=50, log=lambda m: None)
        sec = section_did(ctx)
    assert sec.failed is None
    return sec


def _table(sec, name: str):  # noqa: ANN001, ANN202
    return next(t for t in sec.tables if t.name == name)


def test_cli_report_and_run_twfe_give_the_same_att_and_se(
    did_db: tuple[str, pd.DataFrame],
    report_section,  # noqa: ANN001
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, ref = did_db
    monkeypatch.setenv("DATABASE_URL", url)
    out = json.loads(
        _cli(capsys, ["did", "twfe", "--db", "-y", Y, "--controls", f"{C1},{C2}"], "json")
    )
    cli = (out["coefficients"]["did"]["estimate"], out["coefficients"]["did"]["se"])
    base = _table(report_section, "baseline").frame.set_index("term")
    report = (float(base.loc["did", "estimate"]), float(base.loc["did", "se"]))
    with psycopg.connect(url) as conn:
        inputs = load_did_inputs(DidSource(Y, (C1, C2)), conn=conn)
    direct = run_twfe(inputs)
    assert isinstance(direct, TwfeAnalysis)
    # one pipeline: the three front-ends agree to the last bit
    assert cli == report == (direct.att, direct.se)
    # independent reference: pyfixest on the hand-coded panel
    att, se = _reference(ref)
    assert direct.att == pytest.approx(att, abs=1e-8)
    assert direct.se == pytest.approx(se, abs=1e-8)
    assert out["n_obs"] == len(ref) and out["n_units"] == len(PREFS)
    # the adoption view's treated set is the hand-coded one (the county pilot does not count)
    first = inputs.first_treated()
    treated = sorted(first.index[np.isfinite(first)])
    assert treated == sorted(c for c, f in FIRST.items() if f)
    assert {c: int(first[c]) for c in treated} == {c: f for c, f in FIRST.items() if f}
    # the spatial DID of the report is `did spatial --db` (queen weights of the views)
    out = json.loads(
        _cli(capsys, ["did", "spatial", "--db", "-y", Y, "--controls", f"{C1},{C2}"], "json")
    )
    spatial = _table(report_section, "spatial_did").frame.set_index("effect")
    for effect in ("direct", "spillover"):
        assert out["effects"][effect]["estimate"] == spatial.loc[effect, "estimate"]
        assert out["effects"][effect]["se"] == spatial.loc[effect, "se"]


def test_report_tables_come_from_the_same_analyses(
    did_db: tuple[str, pd.DataFrame],
    report_section,  # noqa: ANN001
) -> None:
    """Event study, placebo seed and CS of the report equal the suite run directly."""
    url, _ = did_db
    with psycopg.connect(url) as conn:
        inputs = load_did_inputs(DidSource(Y, (C1, C2)), conn=conn)
    suite = run_suite(inputs, SuiteOptions(draws=50))
    es = _table(report_section, "event_study").frame
    pd.testing.assert_frame_equal(
        es.reset_index(drop=True), suite.event_study.table("en").reset_index(drop=True)
    )
    cs = _table(report_section, "callaway_santanna").frame
    assert cs.loc[0, "att"] == suite.cs.att and cs.loc[0, "se"] == suite.cs.se
    psm = _table(report_section, "psm_did").frame.set_index("term")
    assert psm.loc["did", "estimate"] == suite.psm.att
    assert not suite.skipped
    # the estimator comparison: TWFE and CS as above, imputation = pyfixest did2s
    cmp_ = _table(report_section, "estimator_comparison").frame
    assert list(cmp_.estimate[:2]) == [suite.twfe.att, suite.cs.att]
    assert len(cmp_) == 5  # TWFE, CS, imputation, SA, synthetic DID
    from policylink.spatial.did.sdid import synthetic_did

    sdid = synthetic_did(inputs.panel, inputs.spec, se="none")
    assert cmp_.estimate.iloc[4] == pytest.approx(sdid.att, abs=1e-12)
    first = inputs.panel[inputs.spec.unit].map(inputs.first_treated()).astype(float)
    panel = inputs.panel.assign(treat=(inputs.panel[inputs.spec.time] >= first).astype(int))
    fit = pf.did2s(
        panel,
        yname=Y,
        first_stage=f"~ {C1} + {C2} | {inputs.spec.unit} + {inputs.spec.time}",
        second_stage="~ treat",
        treatment="treat",
        cluster=inputs.spec.unit,
    )
    assert cmp_.estimate[2] == pytest.approx(float(fit.coef()["treat"]), abs=1e-7)


def test_synthetic_in_every_format(
    did_db: tuple[str, pd.DataFrame],
    report_section,  # noqa: ANN001
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    url, _ = did_db
    monkeypatch.setenv("DATABASE_URL", url)
    synthetic_outcome = ["did", "twfe", "--db", "-y", Y, "--controls", f"{C1},{C2}"]
    synthetic_control = ["did", "twfe", "--db", "-y", REAL[Y], "--controls", f"{REAL[C1]},{C2}"]
    real = ["did", "twfe", "--db", "-y", REAL[Y], "--controls", f"{REAL[C1]},{REAL[C2]}"]
    for argv, flagged in ((synthetic_outcome, [Y, C1, C2]), (synthetic_control, [C2])):
        title = _cli(capsys, argv, "table").splitlines()[0]
        assert "SYNTHETIC" in title and all(v in title for v in flagged)
        out = json.loads(_cli(capsys, argv, "json"))
        assert out["synthetic"] is True and out["synthetic_variables"] == flagged
        csv = pd.read_csv(io.StringIO(_cli(capsys, argv, "csv")))
        assert csv["source"].str.contains("SYNTHETIC").all()
        md = tmp_path / "t.md"
        capsys.readouterr()
        assert main([*argv, "--table", str(md)]) == 0
        assert "SYNTHETIC" in md.read_text(encoding="utf-8")
    # real data: no SYNTHETIC anywhere
    assert "SYNTHETIC" not in _cli(capsys, real, "table")
    assert "SYNTHETIC" not in _cli(capsys, real, "csv")
    out = json.loads(_cli(capsys, real, "json"))
    assert out["synthetic"] is False and out["synthetic_variables"] == []
    # the other analyses carry the flag too (event study, suite)
    out = json.loads(
        _cli(capsys, ["did", "run", "--db", "-y", Y, "--controls", C1, "--draws", "20"], "json")
    )
    assert out["synthetic"] is True and out["synthetic_variables"] == [Y, C1]
    title = _cli(capsys, ["did", "event-study", "--db", "-y", Y], "table").splitlines()[0]
    assert "SYNTHETIC" in title
    # the report's DID tables say SYNTHETIC in their notes
    for t in report_section.tables:
        assert "SYNTHETIC" in t.note, t.name
    # a direct call: title (both languages), JSON and CSV
    with psycopg.connect(url) as conn:
        res = run_twfe(load_did_inputs(DidSource(Y, (C1, C2)), conn=conn))
    assert "SYNTHETIC" in res.title("en") and "SYNTHETIC" in res.title("zh")
    assert json.loads(res.to_json())["synthetic"] is True
    assert res.csv_frame()["source"].str.contains("SYNTHETIC").all()
    assert list(res.table("zh").columns[:3]) == ["变量", "估计值", "标准误"]


def test_panel_file_gbk_and_synthetic_source_column(tmp_path: Path) -> None:
    """A GBK-encoded panel file gives the same inputs and ATT as pyfixest; its ``source``
    column saying SYNTHETIC flags the variables used."""
    ref = _panel()
    df = ref.assign(
        name=[f"城市{c}" for c in ref.code],
        first_treated=ref.code.map(FIRST),
        source="SYNTHETIC test panel（合成）",
    ).drop(columns="treat")
    gbk = tmp_path / "panel_gbk.csv"
    df.to_csv(gbk, index=False, encoding="gbk")
    source = DidSource.from_options(
        "y",
        controls="c1,c2",
        panel_file=str(gbk),
        unit="code",
        first_treated="first_treated",
    )
    inputs = load_did_inputs(source)
    assert inputs.synthetic == ("y", "c1", "c2") and inputs.source == "panel_gbk.csv"
    assert inputs.panel["name"].iloc[0] == "城市410100"
    res = run_twfe(inputs)
    att, se = _reference(ref)
    assert res.att == pytest.approx(att, abs=1e-8) and res.se == pytest.approx(se, abs=1e-8)
    assert "SYNTHETIC" in res.title()
    # the same panel without the SYNTHETIC label is not flagged
    plain = tmp_path / "panel.csv"
    df.drop(columns="source").to_csv(plain, index=False, encoding="utf-8")
    res = run_twfe(load_did_inputs(DidSource("y", ("c1", "c2"), panel_file=str(plain),
                                             unit="code", first_treated="first_treated")))  # fmt: skip
    assert res.att == pytest.approx(att, abs=1e-8)
    assert not res.provenance.is_synthetic and "SYNTHETIC" not in res.title()


def test_report_section_is_complete(report_section) -> None:  # noqa: ANN001
    """Every DID table of the report is there and nothing is reported missing."""
    names = {t.name for t in report_section.tables}
    assert names == {
        "baseline",
        "event_study",
        "psm_balance",
        "psm_did",
        "callaway_santanna",
        "estimator_comparison",
        "honest",
        "spatial_did",
    }
    assert {f.name for f in report_section.figures} >= {
        "event_study",
        "estimator_comparison",
        "honest",
    }
    assert not report_section.missing
    spatial = _table(report_section, "spatial_did").frame.set_index("effect")
    assert set(spatial.index) == {"direct", "spillover"}


def test_first_treated_from_another_table() -> None:
    """A layer of first treated years (QGIS 'treatment layer') codes the same treatment as the
    column; units missing from it are never treated."""
    from policylink.did_inputs import did_inputs_from_frame
    from policylink.spatial.did.panel import PanelSpec

    ref = _panel()
    years = {c: f for c, f in FIRST.items() if f}  # never-treated units absent
    inputs = did_inputs_from_frame(
        ref.drop(columns="treat"),
        PanelSpec("y", unit="code", controls=("c1", "c2")),
        source="layer",
        first_treated_by_unit=years,
    )
    res = run_twfe(inputs)
    att, se = _reference(ref)
    assert res.att == pytest.approx(att, abs=1e-8) and res.se == pytest.approx(se, abs=1e-8)
    assert inputs.n_treated == len(years) and inputs.has_never_treated
