"""The SDM model-choice verdict and the fitted model agree, or the output says why they differ.

SYNTHETIC panels with known truth on a 7 x 7 queen lattice: an SDM with unit and time effects
(the tests must support SDM with two-way FE and the two-way SDM table carries no note), and
an SDM with unit effects only (the LR test must not support time effects, so the two-way table
says why it differs). The rule is checked against the test table's own p-values.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W, lat2W

from policylink.analyses.sdm import SdmOptions, run_sdm
from policylink.inputs import AnalysisInputs, canonical

SIDE, T = 7, 8


def sdm_panel(time_effects: bool, seed: int) -> AnalysisInputs:
    """y = (I - 0.4 W)^-1 (x b + W x th + unit + [time] + e), SYNTHETIC."""
    n = SIDE * SIDE
    w0 = lat2W(SIDE, SIDE, rook=False)
    ids = [f"c{i:02d}" for i in range(n)]
    w = W({ids[i]: [ids[j] for j in w0.neighbors[i]] for i in range(n)}, id_order=ids)
    M = np.zeros((n, n))
    for i in range(n):
        M[i, list(w0.neighbors[i])] = 1.0
    M /= M.sum(axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    A = np.linalg.inv(np.eye(n) - 0.4 * M)
    mu = rng.normal(size=n) * 2.0
    rows = []
    for t in range(T):
        x = rng.normal(size=n)
        lam = 3.0 * np.sin(t) if time_effects else 0.0
        y = A @ (1.0 * x + 0.8 * (M @ x) + mu + lam + rng.normal(scale=0.5, size=n))
        rows += [(ids[i], 2000 + t, y[i], x[i]) for i in range(n)]
    panel = pd.DataFrame(rows, columns=["id", "year", "y", "x"])
    return canonical(AnalysisInputs(panel, w, "id", "year", "lattice (SYNTHETIC)"))


def supported_from_table(table: pd.DataFrame, alpha: float) -> tuple[str | None, str]:
    p = table.set_index("test")["p"]
    rej_sar = p["Wald SDM vs SAR"] < alpha and p["LR SDM vs SAR"] < alpha
    rej_sem = p["Wald SDM vs SEM"] < alpha and p["LR SDM vs SEM"] < alpha
    model = {(True, True): "sdm", (False, True): "sar", (True, False): "sem"}.get(
        (rej_sar, rej_sem)
    )
    unit, time = p["LR two-way vs time FE"] < alpha, p["LR two-way vs unit FE"] < alpha
    fe = {(1, 1): "twoways", (1, 0): "unit", (0, 1): "time", (0, 0): "none"}[(unit, time)]
    return model, fe


def test_two_way_sdm_truth_gives_no_disagreement() -> None:
    res = run_sdm(sdm_panel(True, 1), SdmOptions(y="y", x=("x",), draws=50, tests=True))
    mc = res.choice
    assert (mc.model, mc.fe) == ("sdm", "twoways") == supported_from_table(mc.table, mc.alpha)
    assert res.choice_note() is None and res.verdict() == mc.verdict
    # the same data fitted as SAR: the output says the tests support the SDM
    sar = run_sdm(
        sdm_panel(True, 1), SdmOptions(y="y", x=("x",), model="sar", draws=50, tests=True)
    )
    note = sar.choice_note()
    assert note is not None and "the tests support SDM, not SAR" in note
    assert sar.verdict()[-1] == note
    assert json.loads(sar.to_json())["model_choice"]["disagreement"] == note


def test_unit_effects_truth_makes_the_two_way_table_explain_itself() -> None:
    res = run_sdm(sdm_panel(False, 2), SdmOptions(y="y", x=("x",), draws=50, tests=True))
    mc = res.choice
    assert (mc.model, mc.fe) == supported_from_table(mc.table, mc.alpha)
    assert mc.fe == "unit"  # the truth: unit effects, no time effects
    assert "they support unit fixed effects, not two-way" in res.choice_note()
    # fitting what the tests support removes the note
    unit = run_sdm(
        sdm_panel(False, 2), SdmOptions(y="y", x=("x",), fe="unit", draws=50, tests=True)
    )
    if unit.choice.fe == "unit" and unit.choice.model == "sdm":
        assert unit.choice_note() is None


@pytest.mark.parametrize("fmt", ["table"])
def test_cli_prints_the_disagreement(tmp_path, capsys: pytest.CaptureFixture, fmt: str) -> None:  # noqa: ANN001
    """``policylink sdm --tests`` prints the verdict and the note under the table."""
    from policylink.cli import main

    inp = sdm_panel(False, 2)
    panel = tmp_path / "p.csv"
    inp.panel.to_csv(panel, index=False)
    gal = tmp_path / "w.gal"
    lines = [f"0 {inp.w.n}"]
    for i in inp.w.id_order:
        lines += [f"{i} {len(inp.w.neighbors[i])}", " ".join(inp.w.neighbors[i])]
    gal.write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    argv = ["sdm", "--y", "y", "--x", "x", "--tests", "--draws", "20"]
    argv += ["--panel", str(panel), "--id", "id", "--time", "year", "--weights", str(gal)]
    assert main([*argv, "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "- The table fits SDM with two-way (unit and time) fixed effects as asked" in out
