"""Helpers for crash and concurrency tests: run the real CLI as a subprocess and watch the server.

Sessions of a subprocess are recognised by their ``application_name``, set through libpq's
``PGAPPNAME`` environment variable, so the tests see exactly what the server sees
(``pg_stat_activity``, ``pg_locks``, ``pg_stat_progress_copy``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def cli_env(url: str, appname: str | None = None, **extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess using database ``url``."""
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT))
    if appname:
        env["PGAPPNAME"] = appname
    env.update(extra)
    return env


def run_cli(args: list[str], url: str, *, timeout: float = 300, **extra: str):
    """Run ``policylink ARGS`` to completion in a subprocess.

    Returns
    -------
    subprocess.CompletedProcess
    """
    return subprocess.run(
        [sys.executable, "-m", "policylink.cli", *args],
        capture_output=True,
        text=True,
        env=cli_env(url, **extra),
        cwd=ROOT,
        timeout=timeout,
    )


def spawn_cli(args: list[str], url: str, appname: str, **extra: str) -> subprocess.Popen:
    """Start ``policylink ARGS`` in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "policylink.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(url, appname, **extra),
        cwd=ROOT,
    )


def spawn_frozen(
    args: list[str], url: str, point: str, flag: Path, appname: str, **extra: str
) -> subprocess.Popen:
    """Start the CLI under :mod:`crashpoint`, which freezes it at ``point``."""
    env = cli_env(url, appname, CRASHPOINT=point, CRASHPOINT_FILE=str(flag), **extra)
    return subprocess.Popen(
        [sys.executable, str(HERE / "crashpoint.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def wait_until(pred: Callable[[], Any], what: str, timeout: float = 120, proc=None) -> Any:
    """Poll ``pred`` until it returns a truthy value; fail with ``what`` after ``timeout`` s.

    If ``proc`` ends before that, fail with its output (the point was never reached).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        val = pred()
        if val:
            return val
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(
                f"process ended (rc {proc.returncode}) before {what}:\n{out}\n{err}"
            )
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def sessions(url: str, appname: str) -> list[dict]:
    """Server sessions of ``appname``: pid, state, wait event, query, and whether in COPY."""
    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        return conn.execute(
            """
            SELECT a.pid, a.state, a.wait_event_type, a.query, a.xact_start IS NOT NULL AS in_xact,
                   p.pid IS NOT NULL AS copying
            FROM pg_stat_activity a LEFT JOIN pg_stat_progress_copy p ON p.pid = a.pid
            WHERE a.application_name = %s AND a.pid <> pg_backend_pid()
            """,
            (appname,),
        ).fetchall()


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL a process and reap it."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stdout:
        proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()


def wait_sessions_gone(url: str, appname: str, timeout: float = 60) -> None:
    """Wait until the server has ended every session of ``appname``."""
    wait_until(lambda: not sessions(url, appname), f"sessions of {appname} to end", timeout)
