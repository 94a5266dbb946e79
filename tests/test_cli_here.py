"""``tests/cli_here.run_here`` shows what a process would: C-level output, warnings, exit code."""

from __future__ import annotations

import os
import warnings

import click
import pytest

from policylink import cli
from policylink.errors import InputError
from tests.cli_here import run_here


@pytest.fixture
def noisy_command():
    """A throwaway ``policylink noisy`` command that warns, writes to fd 2 and refuses its input."""

    @click.command("noisy")
    def noisy() -> None:
        warnings.warn("a stray warning", UserWarning, stacklevel=1)
        warnings.warn("an old API", DeprecationWarning, stacklevel=1)  # hidden, as in python
        os.write(2, b"from C: GDAL says hello\n")
        click.echo("result")
        raise InputError(["probe.csv, row 1, column 'x': not a number"])

    cli.cli.add_command(noisy)
    yield
    cli.cli.commands.pop("noisy")


def test_streams_warnings_and_exit_code_are_those_of_a_process(noisy_command, capfd) -> None:
    res = run_here(["noisy"], capfd, env={"POLICYLINK_PROBE": "1"})
    assert res.returncode == 2
    assert res.stdout == "result\n"
    assert res.stderr.count("probe.csv, row 1, column 'x': not a number") == 1
    assert "UserWarning: a stray warning" in res.stderr
    assert "GDAL says hello" in res.stderr
    assert "an old API" not in res.stderr
    assert "POLICYLINK_PROBE" not in os.environ  # the environment is restored


def test_an_exception_main_does_not_handle_propagates(capfd) -> None:
    @click.command("boom")
    def boom() -> None:
        raise RuntimeError("not a user error")

    cli.cli.add_command(boom)
    try:
        with pytest.raises(RuntimeError, match="not a user error"):
            run_here(["boom"], capfd)
    finally:
        cli.cli.commands.pop("boom")


def test_a_commands_exit_code_reaches_the_process(capfd) -> None:
    """``ctx.exit(n)`` in a command: ``main`` returns n (click hands it back without
    standalone mode instead of raising)."""

    @click.command("quits")
    @click.pass_context
    def quits(ctx: click.Context) -> None:
        ctx.exit(4)

    cli.cli.add_command(quits)
    try:
        assert run_here(["quits"], capfd).returncode == 4
    finally:
        cli.cli.commands.pop("quits")
