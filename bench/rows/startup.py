"""Row 8: start-up of the ``policylink`` command, whole process, one case per command.

Each timed run starts the installed console script as a new process (``policylink --help``,
``policylink db status``, ``policylink <command> --help`` for every top-level command) and waits
for it to exit: interpreter start, imports, argument parsing and output, as a user waits for
them. The anchor is ``python -c "import click"`` in the same run: the floor of any click
program on this interpreter, so the ratio says how much PolicyLink adds on top of it.

``db status`` is measured on a home without a cluster (``POLICYLINK_HOME`` pointing at an empty
folder, no ``DATABASE_URL``: what it answers on a stopped database) and, as a second case, on
the benchmark's running database (``DATABASE_URL``), where it also connects and queries.

Set-up (untimed) runs each command once through a small wrapper that lists which heavy
libraries the process imported; that list is the row's *agreement* column.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import Prepared, case
from policylink.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]

#: Libraries whose import a light command must not pay for (reported per case).
HEAVY = (
    "numpy",
    "pandas",
    "geopandas",
    "libpysal",
    "esda",
    "spreg",
    "pyfixest",
    "matplotlib",
    "psycopg",
)
RUNS = 5
MARK = "@@startup@@"

#: Case id -> (arguments of ``policylink``, label). ``--help`` of every top-level command.
COMMAND_CASES: dict[str, tuple[list[str], str]] = {
    "startup.help": (["--help"], "policylink --help"),
    "startup.db_status": (["db", "status"], "policylink db status (no cluster)"),
    "startup.db_status_running": (
        ["db", "status"],
        "policylink db status (running database)",
    ),
    **{
        f"startup.{name}_help": ([name, "--help"], f"policylink {name} --help")
        for name in sorted(COMMANDS)
    },
}


def _exe() -> list[str]:
    exe = Path(sys.executable).with_name("policylink")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "policylink.cli"]


def _env(p: dict[str, Any], running: bool, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["POLICYLINK_HOME"] = str(home)
    if running:
        env["DATABASE_URL"] = p["url"]
    return env


def _imported(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``policylink ARGS`` once in a wrapper; return its exit code and heavy imports."""
    code = (
        "import json, sys\n"
        "from policylink.cli import main\n"
        f"rc = main({args!r})\n"
        f"found = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        f"print({MARK!r} + json.dumps([rc, found]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    lines = [x for x in proc.stdout.splitlines() if x.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
        raise RuntimeError(f"policylink {' '.join(args)} failed:\n{tail}")
    rc, found = json.loads(lines[-1][len(MARK) :])
    return {"exit_code": rc, "heavy_imports": found}


def _setup_command(name: str, p: dict[str, Any]) -> Prepared:
    args, _label = COMMAND_CASES[name]
    home = Path(tempfile.mkdtemp(prefix="plbench-home-"))
    env = _env(p, name == "startup.db_status_running", home / "no-cluster")
    summary = _imported(args, env)
    cmd = [*_exe(), *args]

    def run() -> int:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
            raise RuntimeError(f"{' '.join(args)} exited with {proc.returncode}:\n{tail}")
        return proc.returncode

    def cleanup() -> None:
        import shutil

        shutil.rmtree(home, ignore_errors=True)

    return Prepared(
        run=run,
        summarise=lambda _rc: summary,
        children=True,
        cleanup=cleanup,
        note="whole process: console script start to exit",
    )


def _register(name: str, label: str) -> None:
    case(name, row="8", side="ours", label=label, runs=RUNS)(
        lambda p, _name=name: _setup_command(_name, p)
    )


for _name, (_args, _label) in COMMAND_CASES.items():
    _register(_name, _label)


@case("startup.click", row="8", side="anchor", label='python -c "import click"', runs=RUNS)
def setup_click(p: dict[str, Any]) -> Prepared:
    """The floor of a click program: start the interpreter and import click."""
    cmd = [sys.executable, "-c", "import click"]

    def run() -> int:
        return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True).returncode

    return Prepared(
        run=run,
        summarise=lambda _rc: {"exit_code": 0, "heavy_imports": []},
        children=True,
        note="same interpreter and site-packages as the console script",
    )
