"""``policylink did ... --db``: treatment from the pilot designations in a real PostGIS database.

A throwaway database (``make_db``) gets two provinces of 12 square prefectures each, a
SYNTHETIC outcome and control in ``observation``, a region attribute, and three pilot events:
province 410000 in batch 1 (covers all its prefectures), prefecture 420100 in batch 2 and 420200
in batch 3 (and 420100 again in batch 3: the earliest batch wins). The test codes the same
timing by hand and compares with pyfixest.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import psycopg
import pyfixest as pf
import pytest

from policylink.cli import main

YEARS = range(2009, 2021)


def _square(x: int, y: int) -> str:
    return f"MULTIPOLYGON((({x} {y},{x + 1} {y},{x + 1} {y + 1},{x} {y + 1},{x} {y})))"


@pytest.fixture
def db(make_db: Callable[..., str]) -> tuple[str, pd.DataFrame]:
    url = make_db()
    rng = np.random.default_rng(5)
    prefs = [f"41{k:02d}00" for k in range(1, 13)] + [f"42{k:02d}00" for k in range(1, 13)]
    first = {c: (2011 if c.startswith("41") else 0) for c in prefs}
    first["420100"], first["420200"] = 2013, 2017
    rows = []
    a = rng.normal(size=len(prefs))
    for i, c in enumerate(prefs):
        for t in YEARS:
            x = rng.normal() + 0.3 * a[i]
            d = float(first[c] > 0 and t >= first[c])
            y = a[i] + 0.05 * (t - 2009) + 0.4 * x + 0.6 * d + rng.normal(scale=0.3)
            rows.append((c, t, y, x))
    with psycopg.connect(url) as conn:
        for p, x0 in (("410000", 0), ("420000", 20)):
            conn.execute(
                "INSERT INTO admin_unit (code, name_zh, level, geom, source) "
                "VALUES (%s, %s, 'province', ST_GeomFromText(%s, 4326), 'SYNTHETIC test')",
                (p, f"省{p}", _square(x0, 0)),
            )
        for i, c in enumerate(prefs):
            conn.execute(
                "INSERT INTO admin_unit (code, name_zh, level, parent_code, geom, source) "
                "VALUES (%s, %s, 'prefecture', %s, ST_GeomFromText(%s, 4326), 'SYNTHETIC test')",
                (c, f"市{c}", c[:2] + "0000", _square(i, 5)),
            )
            conn.execute(
                "INSERT INTO unit_attribute (unit_code, scheme, value, source) "
                "VALUES (%s, 'region', %s, 'SYNTHETIC test')",
                (c, "east" if i % 2 else "west"),
            )
        conn.execute(
            "INSERT INTO variable (name, is_synthetic, source) VALUES "
            "('np_syn', true, 'SYNTHETIC test'), ('x_syn', true, 'SYNTHETIC test')"
        )
        with conn.cursor().copy(
            "COPY observation (unit_code, year, variable, value) FROM STDIN"
        ) as cp:
            for c, t, y, x in rows:
                cp.write_row((c, t, "np_syn", y))
                cp.write_row((c, t, "x_syn", x))
        for eid, date, batch, unit in (
            ("t-b1", "2010-07-19", 1, "410000"),
            ("t-b2", "2012-11-29", 2, "420100"),
            ("t-b3", "2017-01-07", 3, "420200"),
            ("t-b3b", "2017-01-07", 3, "420100"),
        ):
            conn.execute(
                "INSERT INTO policy_event (id, event_date, title_zh, level, kind, programme, "
                "batch, source) VALUES (%s, %s, 'test', 'national', 'pilot_designation', "
                "'low_carbon_pilot', %s, 'SYNTHETIC test')",
                (eid, date, batch),
            )
            conn.execute(
                "INSERT INTO event_participant (event_id, unit_code, role) "
                "VALUES (%s, %s, 'party')",
                (eid, unit),
            )
    ref = pd.DataFrame(rows, columns=["code", "year", "y", "x"])
    ref["treat"] = [
        int(first[c] > 0 and t >= first[c]) for c, t in zip(ref.code, ref.year, strict=True)
    ]
    ref["region"] = ref.code.map(lambda c: "east" if prefs.index(c) % 2 else "west")
    return url, ref


def _json(capsys: pytest.CaptureFixture, argv: list[str]) -> dict:
    capsys.readouterr()
    assert main([*argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_twfe_from_database_equals_hand_coded_timing(
    db: tuple[str, pd.DataFrame], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ref = db
    monkeypatch.setenv("DATABASE_URL", url)
    out = _json(capsys, ["did", "twfe", "--db", "-y", "np_syn", "--controls", "x_syn"])
    fit = pf.feols("y ~ treat + x | code + year", ref, vcov={"CRV1": "code"})
    assert out["coefficients"]["did"]["estimate"] == pytest.approx(
        float(fit.coef()["treat"]), abs=1e-8
    )
    assert out["coefficients"]["did"]["se"] == pytest.approx(float(fit.se()["treat"]), abs=1e-8)
    assert out["n_obs"] == 24 * len(YEARS) and out["n_units"] == 24
    # --within restricts to one province's prefectures plus nothing else: 12 units
    out = _json(
        capsys,
        ["did", "twfe", "--db", "-y", "np_syn", "--within", "420000", "--controls", "x_syn"],
    )
    assert out["n_units"] == 12


def test_heterogeneity_reads_unit_attribute(
    db: tuple[str, pd.DataFrame], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ref = db
    monkeypatch.setenv("DATABASE_URL", url)
    out = _json(
        capsys,
        [
            "did",
            "heterogeneity",
            "--db",
            "-y",
            "np_syn",
            "--controls",
            "x_syn",
            "--group",
            "region",
        ],
    )
    for g in ("east", "west"):
        fit = pf.feols("y ~ treat + x | code + year", ref[ref.region == g], vcov={"CRV1": "code"})
        got = out["groups"][g]["coefficients"]["did"]["estimate"]
        assert got == pytest.approx(float(fit.coef()["treat"]), abs=1e-8)


def test_db_rules_and_errors(
    db: tuple[str, pd.DataFrame], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ref = db
    monkeypatch.setenv("DATABASE_URL", url)
    capsys.readouterr()
    assert main(["did", "twfe", "--db", "-y", "no_such_var"]) == 2
    assert "unknown variable" in capsys.readouterr().err
    # only batch 1 given an effective year: later batches start in their notice year
    # (420100: 2012-11-29 -> 2012; 420200: 2017-01-07 -> 2017)
    out = _json(
        capsys,
        ["did", "twfe", "--db", "-y", "np_syn", "--controls", "x_syn", "--effective-years", "2011"],
    )
    first = {"420100": 2012, "420200": 2017}
    treat = [
        int(t >= 2011) if c.startswith("41") else int(c in first and t >= first[c])
        for c, t in zip(ref.code, ref.year, strict=True)
    ]
    fit = pf.feols("y ~ d + x | code + year", ref.assign(d=treat), vcov={"CRV1": "code"})
    assert out["coefficients"]["did"]["estimate"] == pytest.approx(float(fit.coef()["d"]), abs=1e-8)


def test_spatial_did_with_database_weights(
    db: tuple[str, pd.DataFrame], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ref = db
    monkeypatch.setenv("DATABASE_URL", url)
    from policylink.etl.migrate import refresh_materialized_views

    with psycopg.connect(url) as conn:
        refresh_materialized_views(conn)
    out = _json(
        capsys,
        ["did", "spatial", "--db", "-y", "np_syn", "--controls", "x_syn", "--weights", "rook"],
    )
    # the prefectures are unit squares in two rows of 12 (x = 0..23, y = 5): rook neighbours
    # are the left and right squares; W*D = share of those neighbours treated
    codes = sorted(ref.code.unique())
    first = ref[ref.treat == 1].groupby("code").year.min()
    wd = []
    for c, t in zip(ref.code, ref.year, strict=True):
        i = codes.index(c)
        nb = [codes[k] for k in (i - 1, i + 1) if 0 <= k < len(codes)]
        wd.append(np.mean([float(n in first.index and t >= first[n]) for n in nb]))
    fit = pf.feols("y ~ treat + wd + x | code + year", ref.assign(wd=wd), vcov={"CRV1": "code"})
    assert out["effects"]["spillover"]["estimate"] == pytest.approx(
        float(fit.coef()["wd"]), abs=1e-8
    )
    assert out["effects"]["direct"]["estimate"] == pytest.approx(
        float(fit.coef()["treat"]), abs=1e-8
    )


@pytest.mark.slow
def test_bundled_national_panel_end_to_end(
    clone_boundaries: Callable[[], str],
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path,  # noqa: ANN001
) -> None:
    """Real pilot events + adoption view + the bundled SYNTHETIC national panel (true ATT -0.05)."""
    from pathlib import Path

    from policylink.etl.bundle import load_bundled

    url = clone_boundaries()  # provinces, prefectures (and the JJJ counties) already loaded
    with psycopg.connect(url) as conn:
        load_bundled(
            conn,
            parts=[
                "events",
                "catalogue",
                "attributes",
                "synthetic_did",
            ],
        )
    truth = json.loads(
        (Path(__file__).parents[1] / "data" / "synthetic" / "national_did_truth.json").read_text()
    )
    monkeypatch.setenv("DATABASE_URL", url)
    args = [
        "--db",
        "-y",
        "syn_did_lnco2_intensity",
        "--controls",
        "syn_did_lngdp,syn_did_secondary_share",
    ]
    out = _json(capsys, ["did", "run", *args, "--draws", "200", "--plots", str(tmp_path)])
    assert out["n_units"] == truth["units"]
    did = out["coefficients"]["did"]
    assert abs(did["estimate"] - truth["true_att"]) < 2 * did["se"]
    assert abs(out["cs"]["att"]["att"] - truth["true_att"]) < 2 * out["cs"]["att"]["se"]
    assert out["placebo"]["p_value"] < 0.05
    # the adoption view's coding gives the generator's cohorts (seed 004 rules)
    from policylink.did_inputs import read_db_panel

    panel = read_db_panel("syn_did_lnco2_intensity", url=url)
    sizes = panel.groupby("code").first_treated.first().value_counts()
    assert {str(k): int(v) for k, v in sizes.items() if k} == truth["cohorts"]
    assert "SYNTHETIC" in panel.source.iloc[0]
