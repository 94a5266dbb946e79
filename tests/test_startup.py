"""Start-up: the lazy command table is complete, and light commands do not import the heavy stack.

Timing is measured by the bench row ``startup`` (bench/rows/startup.py), not here: these tests
only check what gets imported, which does not depend on how busy the machine is.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import policylink.commands
from policylink.cli import COMMANDS, cli

#: Libraries a start-up of ``--help`` or ``db status`` must not pay for.
HEAVY = (
    "numpy",
    "pandas",
    "geopandas",
    "libpysal",
    "esda",
    "spreg",
    "pyfixest",
    "matplotlib",
)
#: Also kept out of every ``--help``: the database driver (``db status`` may load it to connect).
DRIVERS = ("psycopg", "sqlalchemy")
MARK = "@@modules@@"
#: ``--help`` of every command group and of some subcommands: options are built, nothing runs.
HELP_ARGS = [
    ["--help"],
    ["db", "--help"],
    ["did", "--help"],
    ["weights", "--help"],
    ["weights", "report", "--help"],
    ["moran", "--help"],
    ["lisa", "--help"],
    ["geary", "--help"],
    ["sdm", "--help"],
    ["model", "--help"],
    ["model", "dynamic", "--help"],
    ["diffusion", "--help"],
    ["diffusion", "eha", "--help"],
    ["diffusion", "markov", "--help"],
    ["demo", "--help"],
    ["load", "--help"],
    ["load", "boundaries", "--help"],
    ["map", "--help"],
    ["migrate", "--help"],
    ["views", "--help"],
]


def _registered() -> dict[str, tuple[str, str]]:
    """What every ``policylink.commands.*`` module's ``register`` really adds, read eagerly."""
    found: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(policylink.commands.__path__):
        mod = importlib.import_module(f"policylink.commands.{info.name}")
        register = getattr(mod, "register", None)
        if register is None:
            continue
        group = click.Group("probe")
        register(group)
        for name, cmd in group.commands.items():
            assert name not in found, f"{name} is registered by two modules"
            found[name] = (info.name, cmd.get_short_help_str(limit=10_000))
    return found


def test_command_table_matches_register():
    # A command added to a module (or a new module) without a line in COMMANDS fails here.
    assert _registered() == COMMANDS


def test_lazy_help_equals_eager_help():
    # The help written from the table must be what click prints with every module imported.
    eager = click.Group(
        "policylink",
        callback=cli.callback,
        params=cli.params,
        help=cli.help,
        context_settings=cli.context_settings,
    )
    for info in pkgutil.iter_modules(policylink.commands.__path__):
        mod = importlib.import_module(f"policylink.commands.{info.name}")
        if hasattr(mod, "register"):
            mod.register(eager)
    runner = CliRunner()
    lazy_out = runner.invoke(cli, ["--help"], prog_name="policylink")
    eager_out = runner.invoke(eager, ["--help"], prog_name="policylink")
    assert lazy_out.exit_code == eager_out.exit_code == 0
    assert lazy_out.output == eager_out.output
    for name in COMMANDS:
        assert name in lazy_out.output


def _heavy_imports(
    args: list[str], env: dict[str, str], heavy: tuple[str, ...] = HEAVY
) -> tuple[int, list[str], str]:
    """Run ``policylink ARGS`` in a fresh interpreter; return its exit code, the libraries of
    ``heavy`` it imported and its output."""
    code = (
        "import json, sys\n"
        "from policylink.cli import main\n"
        f"rc = main({args!r})\n"
        f"heavy = {heavy!r}\n"
        "found = sorted({m.split('.')[0] for m in sys.modules} & set(heavy))\n"
        f"print({MARK!r} + json.dumps([rc, found]))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert res.returncode == 0, res.stderr
    line = [x for x in res.stdout.splitlines() if x.startswith(MARK)][-1]
    rc, found = json.loads(line[len(MARK) :])
    return rc, found, res.stdout


@pytest.fixture
def clean_env(tmp_path) -> dict[str, str]:
    """Environment with no DATABASE_URL and an embedded home that holds no cluster."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["POLICYLINK_HOME"] = str(tmp_path / "no-cluster-here")
    return env


@pytest.mark.parametrize("args", [*HELP_ARGS, ["db", "status"]])
def test_light_commands_import_no_heavy_library(args, clean_env):
    heavy = HEAVY if args[-1] != "--help" else HEAVY + DRIVERS
    rc, found, out = _heavy_imports(args, clean_env, heavy)
    assert rc == 0
    assert found == []
    if args == ["db", "status"]:
        assert "embedded" in out and "False" in out  # answered: not initialised, not running


def test_db_status_on_a_running_database_imports_no_heavy_library(pg_url, clean_env):
    # Connected, status also reads the migration count and PostGIS version (through psycopg).
    env = {**clean_env, "DATABASE_URL": pg_url}
    rc, found, out = _heavy_imports(["db", "status"], env)
    assert rc == 0
    assert found == []
    assert "postgis" in out and "migrations" in out and "error" not in out


def test_command_help_imports_only_its_module(clean_env):
    # `policylink moran --help` imports the stats module, and not (say) the DID commands.
    code = (
        "import sys\n"
        "from policylink.cli import main\n"
        "rc = main(['moran', '--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('policylink.commands.')))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "['policylink.commands._common', " + (
        "'policylink.commands.stats']"
    )


def test_unknown_command_is_one_clear_message():
    res = CliRunner().invoke(cli, ["no-such-command"], prog_name="policylink")
    assert res.exit_code == 2
    assert "No such command 'no-such-command'" in res.output


def test_database_error_is_recognised_without_importing_psycopg_up_front():
    import psycopg

    from policylink.cli import _database_error

    assert _database_error(psycopg.OperationalError("x"))
    assert not _database_error(ValueError("x"))


def test_console_entry_exits_with_mains_code_after_freezing_the_collector(monkeypatch):
    """``policylink`` (the console script, ``python -m policylink.cli``) is ``entry``: main's
    exit code, and the garbage collector frozen only once main has returned."""
    import gc

    import policylink.cli as cli_module

    calls: list[str] = []
    monkeypatch.setattr(cli_module, "main", lambda: calls.append("main") or 3)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    with pytest.raises(SystemExit) as exited:
        cli_module.entry()
    assert exited.value.code == 3 and calls == ["main", "freeze"]

    def failing() -> int:
        calls.append("main")
        raise KeyboardInterrupt

    calls.clear()
    monkeypatch.setattr(cli_module, "main", failing)
    with pytest.raises(KeyboardInterrupt):
        cli_module.entry()
    assert calls == ["main"]  # an interrupted run exits as Python does
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["policylink"] == "policylink.cli:entry"
