"""``policylink did ...`` end to end on a SYNTHETIC panel file written by ``did simulate``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyfixest as pf
import pytest

from policylink.cli import main
from policylink.spatial.did.tables import regression_table, stars
from policylink.spatial.did.twfe import twfe_did

ARGS = ["-y", "y", "--first-treated", "first_treated", "--controls", "x1,x2"]


@pytest.fixture(scope="module")
def panel_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("did") / "syn.csv"
    assert main(["did", "simulate", "--out", str(path), "--units", "120", "--seed", "2"]) == 0
    return path


def run_json(capsys: pytest.CaptureFixture, argv: list[str]) -> dict:
    capsys.readouterr()
    assert main([*argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_simulated_file_is_labelled(panel_file: Path) -> None:
    df = pd.read_csv(panel_file)
    assert df.source.str.contains("SYNTHETIC").all()
    assert len(df) == 120 * 14


def test_twfe_json_and_tables(
    panel_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    md = tmp_path / "t3.md"
    out = run_json(capsys, ["did", "twfe", str(panel_file), *ARGS, "--table", str(md)])
    df = pd.read_csv(panel_file, dtype={"unit": str})
    ref = pf.feols("y ~ treat + x1 + x2 | unit + year", df, vcov={"CRV1": "unit"})
    assert out["coefficients"]["did"]["estimate"] == pytest.approx(
        float(ref.coef()["treat"]), abs=1e-8
    )
    assert set(out["coefficients"]["did"]) == {"estimate", "se", "t", "p"}
    assert out["n_obs"] == 1680 and out["n_units"] == 120
    assert out["r2_within"] == pytest.approx(ref._r2_within)
    text = md.read_text()
    est, se = float(ref.coef()["treat"]), float(ref.se()["treat"])
    p = float(ref.pvalue()["treat"])
    assert f"| DID | {est:.3f}{stars(p)} |" in text
    assert f"({se:.3f})" in text
    tex = tmp_path / "t3.tex"
    assert main(["did", "twfe", str(panel_file), *ARGS, "--table", str(tex)]) == 0
    assert "\\begin{tabular}" in tex.read_text() and "$^{***}$" in tex.read_text()


def test_table_two_columns_csv(panel_file: Path) -> None:
    from policylink.spatial.did import PanelSpec

    df = pd.read_csv(panel_file, dtype={"unit": str})
    spec = PanelSpec(outcome="y", first_treated="first_treated")
    a = twfe_did(df, spec, label="no controls")
    b = twfe_did(df, spec.with_(controls=("x1",)), label="x1")
    rows = regression_table([a, b], fmt="csv").splitlines()
    assert rows[1] == ",no controls,x1"
    assert rows[2].startswith(f"did,{a.coef():.3f}{stars(float(a.coefficients.loc['did', 'p']))},")
    assert rows[4].startswith("x1,,")  # x1 only in column 2
    assert "N,1680,1680" in rows


def test_run_json_keys_and_plots(
    panel_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    plots = tmp_path / "plots"
    out = run_json(
        capsys,
        ["did", "run", str(panel_file), *ARGS, "--draws", "100", "--plots", str(plots)],
    )
    for key in (
        "coefficients",
        "n_obs",
        "n_units",
        "r2_within",
        "event_study",
        "placebo",
        "psm",
        "cs",
    ):
        assert key in out
    assert {"rel_time", "estimate", "se", "p"} <= set(out["event_study"][0])
    assert {"draws", "mean", "sd", "p_value"} <= set(out["placebo"])
    assert out["placebo"]["draws"] == 100
    assert {"matched_units", "balance"} <= set(out["psm"])
    assert {"att", "by_event_time"} <= set(out["cs"])
    assert [r["rel_time"] for r in out["sun_abraham"]] == list(range(-5, 6))
    for name in ("event_study.png", "event_study_compare.png", "placebo.png", "psm_balance.png"):
        assert (plots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_other_subcommands(panel_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = run_json(capsys, ["did", "cs", str(panel_file), *ARGS, "--bands", "200"])
    assert len(out["cs"]["uniform_bands"]) == len(out["cs"]["by_event_time"])
    out = run_json(capsys, ["did", "bacon", str(panel_file), *ARGS])
    assert out["weighted_sum"] == pytest.approx(out["twfe"], abs=1e-10)
    out = run_json(
        capsys, ["did", "sun-abraham", str(panel_file), *ARGS, "--leads", "3", "--lags", "3"]
    )
    assert [r["rel_time"] for r in out["event_study"]] == list(range(-3, 4))
    out = run_json(capsys, ["did", "robust", str(panel_file), *ARGS, "--drop-years", "2020-2022"])
    assert out["models"][1]["n_obs"] == 120 * 11
    units = sorted(pd.read_csv(panel_file).unit.unique())
    w = tmp_path / "w.csv"
    pd.DataFrame(
        [(units[i], units[(i + 1) % 120]) for i in range(120)]
        + [(units[(i + 1) % 120], units[i]) for i in range(120)],
        columns=["i", "j"],
    ).to_csv(w, index=False)
    out = run_json(capsys, ["did", "spatial", str(panel_file), *ARGS, "--weights", str(w)])
    assert set(out["effects"]) == {"direct", "spillover"}
    out = run_json(capsys, ["did", "mechanism", str(panel_file), *ARGS, "--mediator", "x1"])
    assert "x1_x_did" in out["models"][0]["coefficients"]


def test_bad_input_exit_code_and_message(
    panel_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    df = pd.read_csv(panel_file)
    df["y"] = df["y"].astype(object)
    df.loc[9, "y"] = "abc"
    bad = tmp_path / "bad.csv"
    df.to_csv(bad, index=False)
    capsys.readouterr()
    assert main(["did", "twfe", str(bad), *ARGS]) == 2
    err = capsys.readouterr().err
    assert "bad.csv, row 10, column 'y'" in err and "'abc'" in err
    assert (
        main(
            [
                "did",
                "twfe",
                str(panel_file),
                "-y",
                "y",
                "--treat",
                "treat",
                "--first-treated",
                "first_treated",
            ]
        )
        == 2
    )
    assert main(["did", "twfe", str(panel_file), "-y", "nope", "--treat", "treat"]) == 2
    assert "column not found" in capsys.readouterr().err
    # fewer units than the three batches treat: one message, nothing written
    small = tmp_path / "small.csv"
    assert main(["did", "simulate", "--out", str(small), "--units", "60"]) == 2
    err = capsys.readouterr().err
    assert "--units 60: 60 units for 96 treated units" in err and "Traceback" not in err
    assert not small.exists()
