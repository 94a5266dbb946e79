"""Run ``policylink`` through :func:`policylink.cli.main` in the test's own process.

What a user sees of a command is its exit code and what it writes on the standard streams.
``run_here`` gives both as :class:`subprocess.CompletedProcess`, like a subprocess run, without
the ~1-3 s of interpreter and library start-up each new process pays (pandas, geopandas,
pyogrio, libpysal): the tests that start ``policylink`` as a process for its exit code and
messages alone spent ~20 s of CPU a run on start-ups. The streams are captured at the file
descriptor level (pytest's ``capfd``), so what C libraries print (GDAL, PROJ) is seen too, and
Python's warnings are shown as a fresh interpreter shows them (pytest would otherwise collect
them out of sight): a stray warning fails a check on stderr here as it would in a process.

An exception that ``main`` does not turn into a message propagates and fails the test, where a
process would print a traceback. What only a process shows stays tested with processes: the
console script (``test_packaging.py``, ``test_foundation.py``), start-up time
(``test_startup.py``), kills and concurrent runs (``tests/reliability``), and a fifth of the
bad-input catalogue again as processes (``test_catalogue.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """``warnings.showwarning`` as a fresh interpreter has it: to ``sys.stderr``."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


@contextmanager
def _as_a_fresh_interpreter(env: dict[str, str], cwd: Path | None) -> Iterator[None]:
    old_env = {k: os.environ.get(k) for k in env}
    old_cwd = Path.cwd()
    with warnings.catch_warnings():
        # Python's default filters (no -W option, no PYTHONWARNINGS), shown on stderr
        warnings.resetwarnings()
        warnings.simplefilter("default")
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning):
            warnings.simplefilter("ignore", category)
        warnings.simplefilter("ignore", ResourceWarning)
        warnings.filterwarnings("ignore", message="Unable to import Axes3D", category=UserWarning)
        warnings.showwarning = _show
        os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        try:
            yield
        finally:
            os.chdir(old_cwd)
            for k, v in old_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def run_here(
    args: list[str],
    capfd: pytest.CaptureFixture[str],
    *,
    url: str | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """``policylink ARGS`` in this process; the result has the fields of ``subprocess.run``.

    Parameters
    ----------
    args : list of str
        Command-line arguments after ``policylink``.
    capfd : pytest.CaptureFixture
        The test's ``capfd`` fixture; what was captured before the call is discarded.
    url : str, optional
        ``DATABASE_URL`` for the command (restored afterwards).
    cwd : Path, optional
        Working directory for the command (restored afterwards).
    env : dict, optional
        Further environment variables for the command (restored afterwards).

    Returns
    -------
    subprocess.CompletedProcess
        ``returncode``, ``stdout`` and ``stderr`` (text).
    """
    from policylink.cli import main

    variables = dict(env or {})
    if url is not None:
        variables["DATABASE_URL"] = url
    capfd.readouterr()
    with _as_a_fresh_interpreter(variables, cwd):
        rc = main(list(args))
    out = capfd.readouterr()
    return subprocess.CompletedProcess(["policylink", *args], rc, out.out, out.err)
