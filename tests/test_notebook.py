"""The tutorial notebook (docs/tutorial.ipynb) runs top to bottom in a fresh database.

It is executed with nbclient in a real kernel; ``DATABASE_URL`` points the notebook at a new,
migrated, empty test database. Besides "no cell fails", the outputs are checked: rich HTML
tables for the results, the DID with controls recovers the simulated effect (true 0.5, within
four standard errors), and the map cell shows the offline page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"


def _outputs(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        for kind in ("text/html", "text/plain"):
            parts.append(out.get("data", {}).get(kind, ""))
    return "\n".join(parts)


def test_tutorial_runs(make_db, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", make_db())
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # the kernel is stopped, not asked to shut down: the last cell closes its connection, and a
    # graceful shutdown waits ~2-3 s for the interpreter to release the scientific stack
    client = nbclient.NotebookClient(
        nb,
        timeout=240,
        kernel_name="python3",
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    out = {c.source.splitlines()[-1]: _outputs(c) for c in code if c.source.strip()}
    assert "<table" in out["moran"] and "Moran" in out["moran"]
    assert "<table" in out["sdm"] and "SYNTHETIC" in out["sdm"]
    assert "W*syn_lnisu" in out["sdm"]
    assert "<table" in out["did[1]"]
    latex = out['print(export_tables(did, "latex", lang="en"))']
    m = re.search(r"^DID & ([-\d.]+)\S* & ([-\d.]+)", latex, flags=re.M)
    se = re.search(r"^ & \(([\d.]+)\) & \(([\d.]+)\)", latex, flags=re.M)
    assert m and se, latex
    assert abs(float(m.group(2)) - 0.5) < 4 * float(se.group(2))
    assert "iframe" in out["HTML(iframe(page))"] and "pl-year" in out["HTML(iframe(page))"]
