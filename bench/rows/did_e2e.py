"""Row 12: DID placebo end to end, whole processes, from the panel CSV to the draws on disk.

Ours: ``policylink did placebo PANEL.csv --draws R --seed 4 --draws-out FILE`` (console script:
interpreter start, imports, reading, the observed fit, R draws, output). Anchor: a plain
pyfixest loop script (``bench/scripts/pyfixest_placebo_loop.py``), one ``feols`` per draw, on
the same draws, also a whole process. Row 4 measures the draws alone, in-process; this row
measures what a user waits for. Input: the SYNTHETIC panel of row 4
(:func:`bench.data.synthetic_did_panel`) written to a CSV, untimed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from bench.harness import Prepared, case
from bench.rows.did import SEED, _note, _panel

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "pyfixest_placebo_loop.py"


def _files(p: dict[str, Any]) -> tuple[Path, Path, str]:
    df, truth = _panel(p)
    tmp = Path(tempfile.mkdtemp(prefix="plbench-did-"))
    csv = tmp / "panel_SYNTHETIC.csv"
    df.to_csv(csv, index=False)
    return tmp, csv, _note(df, truth, int(p["did_draws"]))


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise RuntimeError(f"{' '.join(cmd[:3])} ... exited with {proc.returncode}:\n{tail}")


def _estimates(path: Path) -> dict[str, Any]:
    return {"estimates": [float(v) for v in pd.read_csv(path)["estimate"]]}


@case("did_e2e.ours", row="12", side="ours", label="policylink did placebo (whole process)")
def setup_ours(p: dict[str, Any]) -> Prepared:
    """The console script on the CSV, draws written with --draws-out."""
    tmp, csv, note = _files(p)
    out = tmp / "ours.csv"
    exe = Path(sys.executable).with_name("policylink")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "policylink.cli"]
    cmd += ["did", "placebo", str(csv), "-y", "y", "--first-treated", "first_treated"]
    cmd += ["--controls", "c1,c2,c3,c4,c5,c6", "--draws", str(p["did_draws"])]
    cmd += ["--seed", str(SEED), "--format", "json", "--draws-out", str(out)]
    return Prepared(
        run=lambda: _run(cmd),
        summarise=lambda _r: _estimates(out),
        children=True,
        cleanup=lambda: shutil.rmtree(tmp, ignore_errors=True),
        note=note,
    )


@case("did_e2e.pyfixest", row="12", side="anchor", label="pyfixest loop script (whole process)")
def setup_script(p: dict[str, Any]) -> Prepared:
    """``python bench/scripts/pyfixest_placebo_loop.py CSV R SEED OUT``."""
    tmp, csv, note = _files(p)
    out = tmp / "anchor.csv"
    cmd = [sys.executable, str(SCRIPT), str(csv), str(p["did_draws"]), str(SEED), str(out)]
    return Prepared(
        run=lambda: _run(cmd),
        summarise=lambda _r: _estimates(out),
        children=True,
        cleanup=lambda: shutil.rmtree(tmp, ignore_errors=True),
        note=note,
    )
