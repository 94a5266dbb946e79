"""The wheel: what it contains, and that it works installed in a fresh virtual environment.

The wheel is built once per session from the checkout (see ``wheel_fixture``). Its content is
compared with the source tree, so a sub-package or data folder missing from the packaging
configuration of ``pyproject.toml`` fails here. The installed wheel is then run from outside the
checkout: imports, package data found through ``policylink.paths``, and the ``policylink``
console script on a small lattice, checked against esda computed in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from wheel_fixture import REPO_ROOT, is_source_file, session_wheel

#: Source folder -> folder inside the wheel (the package-dir mapping of pyproject.toml).
PACKAGE_DIRS: dict[str, str] = {
    "policylink": "policylink",
    "etl": "policylink/etl",
    "spatial": "policylink/spatial",
    "sql": "policylink/sql",
    "data": "policylink/data",
}

SIDE = 5  # the lattice is SIDE x SIDE cells, rook contiguity


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PolicyLink wheel of this session."""
    return session_wheel(tmp_path_factory)


def _source_files(folder: str) -> set[str]:
    """Files of a source folder, relative to it, with ``/`` separators."""
    root = REPO_ROOT / folder
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and is_source_file(p, root)
    }


def _expected_wheel_files() -> set[str]:
    """Every file the wheel must hold, as wheel paths."""
    expected: set[str] = set()
    for folder, target in PACKAGE_DIRS.items():
        expected |= {f"{target}/{rel}" for rel in _source_files(folder)}
    return expected


def test_wheel_holds_every_source_and_data_file(wheel: Path) -> None:
    """Every module, template, SQL file and data file of the checkout is in the wheel."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(
            zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")
        )
    expected = _expected_wheel_files()
    # The source tree must itself hold what the checks below rely on.
    assert {"policylink/cli.py", "policylink/etl/migrate.py", "policylink/paths.py"} <= expected
    assert any(n.startswith("policylink/spatial/did/") for n in expected)
    assert any(n.startswith("policylink/sql/migrations/") and n.endswith(".sql") for n in expected)
    assert any(n.startswith("policylink/sql/views/") and n.endswith(".sql") for n in expected)
    missing = sorted(expected - names)
    assert not missing, (
        "files of the checkout missing from the wheel (add the sub-package to "
        "[tool.setuptools] packages or the files to package-data):\n  " + "\n  ".join(missing)
    )
    stray = sorted(n for n in names if not n.startswith(("policylink/", "policylink-")))
    assert not stray, f"wheel entries outside the policylink namespace: {stray}"
    assert "policylink = policylink.cli:entry" in entry_points


# --------------------------------------------------------------------------------------------
# The wheel installed in a fresh virtual environment
# --------------------------------------------------------------------------------------------
def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command; return its stdout, failing the test with its output on error."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} exited with {proc.returncode}\n"
        f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return proc.stdout


def _sys_path(python: str, cwd: Path) -> list[str]:
    """``sys.path`` of an interpreter in isolated mode (no PYTHONPATH, no script folder)."""
    out = _run([python, "-I", "-c", "import json, sys; print(json.dumps(sys.path))"], cwd)
    return json.loads(out)


def _clean_env(tmp: Path) -> dict[str, str]:
    """Environment for the installed package: no PYTHONPATH, outputs in ``tmp``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(
        POLICYLINK_OUT=str(tmp / "out"),
        POLICYLINK_HOME=str(tmp / "home"),
        MPLBACKEND="Agg",
        PYTHONNOUSERSITE="1",
    )
    return env


@dataclass(frozen=True)
class Installed:
    """The wheel installed in a fresh venv, and how to run it from outside the checkout.

    Attributes
    ----------
    env_dir : pathlib.Path
        The venv folder (resolved).
    python, script : str
        The venv's interpreter and its ``policylink`` console script.
    cwd : pathlib.Path
        A working directory outside the checkout.
    env : dict of str to str
        Environment without PYTHONPATH, with outputs redirected to a temporary folder.
    """

    env_dir: Path
    python: str
    script: str
    cwd: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel installed with ``--no-deps`` into a fresh venv outside the checkout.

    The third-party dependencies come from the environment running the tests: a ``_deps.pth``
    lists its ``sys.path`` folders (minus the standard library and anything inside the
    checkout). Plain folder lines in a ``.pth`` only extend ``sys.path``; the ``.pth`` files
    inside those folders (such as the editable finder of the checkout) are not executed.
    """
    tmp = tmp_path_factory.mktemp("installed")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = str(bindir / ("python.exe" if os.name == "nt" else "python"))
    cwd = tmp / "elsewhere"
    cwd.mkdir()
    purelib = _run(
        [python, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd
    ).strip()
    own = set(_sys_path(python, cwd))
    root = REPO_ROOT.resolve()

    def in_sources(p: str) -> bool:
        # the checkout itself and its source folders, but not a venv inside it (.venv/...)
        rp = Path(p).resolve()
        if not rp.is_relative_to(root):
            return False
        return not any(part.startswith(".") for part in rp.relative_to(root).parts)

    deps = [
        p
        for p in _sys_path(sys.executable, cwd)
        if p and p not in own and Path(p).is_dir() and not in_sources(p)
    ]
    Path(purelib, "_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q"]
        + ["--no-deps", "--no-index", "--ignore-installed", str(wheel)],
        cwd,
    )
    return Installed(
        env_dir=env_dir.resolve(),
        python=python,
        script=str(bindir / ("policylink.exe" if os.name == "nt" else "policylink")),
        cwd=cwd,
        env=_clean_env(tmp),
    )


_PROBE = """
import json
import policylink, policylink.etl, policylink.spatial, policylink.paths as p

def files(d):
    return sorted(
        f.relative_to(d).as_posix()
        for f in d.rglob("*")
        if f.is_file() and "__pycache__" not in f.parts
    )

print(json.dumps({
    "modules": [policylink.__file__, policylink.etl.__file__, policylink.spatial.__file__],
    "checkout": None if p.CHECKOUT is None else str(p.CHECKOUT),
    "dirs": {
        n: {"path": str(getattr(p, n)), "is_dir": getattr(p, n).is_dir(),
            "files": files(getattr(p, n))}
        for n in ("MIGRATIONS_DIR", "VIEWS_DIR", "DATA_DIR")
    },
}))
"""


def test_installed_package_runs_from_the_venv(installed: Installed) -> None:
    """Modules and package data resolve inside the fresh venv, not in the checkout."""
    probe = json.loads(_run([installed.python, "-c", _PROBE], installed.cwd, installed.env))
    env_dir = installed.env_dir
    for module in probe["modules"]:
        assert Path(module).resolve().is_relative_to(env_dir), module
    assert probe["checkout"] is None, "an installed package must not think it runs from a checkout"
    sources = {
        "MIGRATIONS_DIR": _source_files("sql/migrations"),
        "VIEWS_DIR": _source_files("sql/views"),
        "DATA_DIR": _source_files("data"),
    }
    for name, expected in sources.items():
        d = probe["dirs"][name]
        assert d["is_dir"], f"{name} = {d['path']} is not a directory"
        assert Path(d["path"]).resolve().is_relative_to(env_dir), f"{name} = {d['path']}"
        assert set(d["files"]) == expected, f"{name} differs from the source folder"


def _lattice_panel(tmp: Path) -> tuple[Path, Path, dict[int, np.ndarray], libpysal.weights.W]:
    """A 5 x 5 rook lattice (GAL file) and a two-year panel with known spatial patterns.

    2010 is a diagonal gradient (strong positive autocorrelation), 2011 a checkerboard (every
    neighbour differs: strong negative autocorrelation). Values are in ``w.id_order``.
    """
    w = libpysal.weights.lat2W(SIDE, SIDE)
    gal = tmp / "w.gal"
    f = libpysal.io.open(str(gal), "w")
    try:
        f.write(w)
    finally:
        f.close()
    row, col = np.divmod(np.arange(SIDE * SIDE), SIDE)
    values = {2010: (row + col).astype(float), 2011: ((row + col) % 2).astype(float)}
    panel = pd.concat(
        pd.DataFrame({"code": w.id_order, "year": year, "y": y}) for year, y in values.items()
    )
    csv = tmp / "panel.csv"
    panel.to_csv(csv, index=False)
    return csv, gal, values, w


def test_console_script_moran_matches_esda(installed: Installed) -> None:
    """``policylink moran`` of the installed wheel equals esda.Moran on the same lattice."""
    cwd = installed.cwd
    csv, gal, values, w = _lattice_panel(cwd)
    cmd = [installed.script, "moran", "--panel", csv.name, "--id", "code", "--time", "year"]
    cmd += ["--weights", gal.name, "--variable", "y", "--permutations", "99", "--format", "json"]
    records = {r["year"]: r for r in json.loads(_run(cmd, cwd, installed.env))}
    assert sorted(records) == sorted(values)
    for year, y in values.items():
        ref = esda.Moran(y, w, transformation="r", permutations=0)
        got = records[year]
        assert got["n"] == SIDE * SIDE
        assert got["I"] == pytest.approx(ref.I, rel=1e-10)
        assert got["EI"] == pytest.approx(ref.EI, rel=1e-10)
        assert got["normality"]["z"] == pytest.approx(ref.z_norm, rel=1e-8)
        assert got["randomization"]["z"] == pytest.approx(ref.z_rand, rel=1e-8)
        # --alternative greater (the default): upper tail of the normal.
        assert got["normality"]["p"] == pytest.approx(stats.norm.sf(ref.z_norm), rel=1e-6)
    assert records[2010]["I"] > 0.5
    assert records[2010]["permutation"]["p"] == pytest.approx(1 / 100)
    assert records[2011]["I"] < -0.9
    assert records[2011]["permutation"]["p"] > 0.9
