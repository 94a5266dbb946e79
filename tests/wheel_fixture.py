"""Build the PolicyLink wheel once per test run, for the packaging and architecture tests.

The wheel is built from a copy of the source tree in a temporary directory, so the build never
writes ``build/`` or ``*.egg-info`` into the checkout. The build is isolated: ``uv build`` (uv
sits in the venv) or, without uv, ``pip wheel`` fetches the build backend named in
``[build-system]`` (for pip, set ``PIP_NO_BUILD_ISOLATION=0`` to build offline with an
installed, recent enough setuptools).
Under pytest-xdist the workers of one run share the wheel: the first one to ask builds it (under
a file lock in the run's common temporary folder), the others wait and reuse it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: The source checkout (the folder of ``pyproject.toml``).
REPO_ROOT: Path = Path(__file__).resolve().parents[1]

#: Folder names never copied into the build tree nor expected in the wheel.
SKIPPED_DIRS: frozenset[str] = frozenset({"__pycache__", "build", "dist", "out"})

_wheels: dict[str, Path] = {}


def is_source_file(path: Path, root: Path) -> bool:
    """Tell whether a file below ``root`` is a source file (not a cache, build or hidden file).

    Parameters
    ----------
    path : pathlib.Path
        A file below ``root``.
    root : pathlib.Path
        The folder the relative parts of ``path`` are taken from.

    Returns
    -------
    bool
        False for bytecode, hidden files and anything inside a hidden, cache, build or
        ``*.egg-info`` folder.
    """
    parts = path.relative_to(root).parts
    if path.suffix in (".pyc", ".pyo"):
        return False
    return not any(p.startswith(".") or p in SKIPPED_DIRS or p.endswith(".egg-info") for p in parts)


def _ignore(directory: str, names: list[str]) -> set[str]:
    """``shutil.copytree`` filter: skip what :func:`is_source_file` rejects."""
    base = Path(directory)
    return {n for n in names if not is_source_file(base / n, base)}


def build_wheel(workdir: Path) -> Path:
    """Build the PolicyLink wheel from a copy of the checkout.

    Parameters
    ----------
    workdir : pathlib.Path
        Empty directory; receives ``src/`` (the copy) and ``dist/`` (the wheel).

    Returns
    -------
    pathlib.Path
        The built ``.whl`` file.
    """
    src = workdir / "src"
    dist = workdir / "dist"
    shutil.copytree(REPO_ROOT, src, ignore=_ignore, symlinks=True)
    # uv (installed into the venv by scripts/install_python.sh) keeps the build backend in its
    # cache: ~2.4 s instead of pip's ~5.5 s, which sets up the isolated build environment
    # anew; both run the backend of [build-system] and gave the same files, byte for byte
    uv = Path(sys.executable).with_name("uv")
    if uv.exists():
        cmd = [str(uv), "build", "--wheel", "-q", "--python", sys.executable, "-o", str(dist)]
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist)]
    proc = subprocess.run(cmd + [str(src)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{cmd[0]} failed:\n{proc.stdout}\n{proc.stderr}"
    wheels = sorted(dist.glob("policylink-*.whl"))
    assert len(wheels) == 1, f"expected one policylink wheel in {dist}, found {wheels}"
    return wheels[0]


def session_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the wheel of this test run, building it on first use.

    Test modules define their own session fixture that calls this function; the wheel is
    built once however many modules (and xdist workers) ask for it.

    Parameters
    ----------
    tmp_path_factory : pytest.TempPathFactory
        The session's temporary directory factory.

    Returns
    -------
    pathlib.Path
        The built ``.whl`` file.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, common to its workers
    key = str(base)
    if key not in _wheels:
        with open(base / "policylink-wheel.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            workdir = base / "policylink-wheel"
            built = sorted((workdir / "dist").glob("policylink-*.whl"))
            if len(built) == 1:
                _wheels[key] = built[0]
            else:
                shutil.rmtree(workdir, ignore_errors=True)  # a failed earlier attempt
                workdir.mkdir()
                _wheels[key] = build_wheel(workdir)
    return _wheels[key]
