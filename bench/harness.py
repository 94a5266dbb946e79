"""Measurement harness: cases, one subprocess per measurement, medians and peak memory.

A *case* is one side of a benchmark row: our implementation or an anchor (libpysal, esda, spreg,
pyfixest, plain SQL ...). Each case is registered with :func:`case` and has a ``setup(params)``
function that does the untimed preparation and returns a :class:`Prepared` whose ``run()`` is the
timed work.

:func:`run_case` starts a fresh Python process per case (``python -m bench.worker``), so imports,
caches and memory of one case never flatter or burden another. Inside the worker
(:func:`measure`):

1. ``setup`` runs (untimed); an optional warm-up call of ``run()`` pays one-off costs such as
   numba JIT compilation, which a user pays once per session.
2. The peak-RSS counter of the worker (and of the PostgreSQL backend serving it, when the case
   says which) is reset by writing ``5`` to ``/proc/<pid>/clear_refs`` (Linux >= 4.0).
3. ``run()`` is timed ``runs`` times with :func:`time.perf_counter` (wall clock: the database
   server and BLAS threads count too); ``between()`` runs untimed before each run.
4. The peak resident set size (``VmHWM`` in ``/proc/<pid>/status``) since the reset is read:
   the honest maximum of real memory during the timed runs, including numpy buffers that
   ``tracemalloc`` would miss, and for subprocess cases the children's ``ru_maxrss``.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Unavailable(Exception):
    """A case cannot run because an upstream piece (module, view, command) does not exist yet."""


@dataclass
class Prepared:
    """What a case's ``setup`` hands to the timer.

    Attributes
    ----------
    run : callable
        The timed work; its return value of the last run goes to ``summarise``.
    summarise : callable, optional
        Turns the last result into a small JSON-ready dict used to check that ours and the
        anchor computed the same thing (e.g. number of links, Moran's I per year).
    between : callable, optional
        Untimed reset before every run (e.g. empty the tables a load writes to).
    backend_pid : int, optional
        PostgreSQL backend process serving the case; its peak RSS is reported too.
    rows : int, optional
        Rows processed per run, for a rows-per-second figure.
    children : bool
        The work runs in child processes (e.g. a CLI command); report their peak RSS.
    cleanup : callable, optional
        Called once after the runs.
    note : str
        Free text shown in the results (sizes, settings).
    """

    run: Callable[[], Any]
    summarise: Callable[[Any], dict[str, Any]] | None = None
    between: Callable[[], None] | None = None
    backend_pid: int | None = None
    rows: int | None = None
    children: bool = False
    cleanup: Callable[[], None] | None = None
    note: str = ""


@dataclass(frozen=True)
class Case:
    """A registered benchmark case (one side of a row)."""

    name: str
    row: str
    side: str
    label: str
    setup: Callable[[dict[str, Any]], Prepared]
    warmup: bool = False
    runs: int = 3


@dataclass
class Measurement:
    """Result of one case: timings, memory and an agreement summary.

    Attributes
    ----------
    times : list of float
        Wall-clock seconds of each timed run.
    median : float or None
        Median of ``times`` (None when the case failed or was unavailable).
    peak_rss_mb : float or None
        Peak resident memory of the worker (or its children) during the timed runs, MiB.
    setup_rss_mb : float or None
        Resident memory right before the timed runs (after setup), MiB.
    backend_peak_rss_mb : float or None
        Peak resident memory of the PostgreSQL backend during the timed runs, MiB.
    status : str
        ``ok``, ``unavailable`` (upstream piece missing) or ``error``.
    """

    case: str
    row: str
    side: str
    label: str
    status: str = "ok"
    times: list[float] = field(default_factory=list)
    median: float | None = None
    runs: int = 0
    peak_rss_mb: float | None = None
    setup_rss_mb: float | None = None
    backend_peak_rss_mb: float | None = None
    peak_method: str = ""
    rows: int | None = None
    rows_per_s: float | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field."""
        return asdict(self)


REGISTRY: dict[str, Case] = {}


def case(
    name: str, *, row: str, side: str, label: str, warmup: bool = False, runs: int = 3
) -> Callable[[Callable[[dict[str, Any]], Prepared]], Callable[[dict[str, Any]], Prepared]]:
    """Register a benchmark case (decorator of its ``setup`` function).

    Parameters
    ----------
    name : str
        Unique case id, e.g. ``"weights.fuzzy"``.
    row : str
        Benchmark row it belongs to (``"1"`` ... ``"7"``).
    side : {'ours', 'anchor'}
        Whether it measures PolicyLink or a reference tool.
    label : str
        Human-readable description for the results table.
    warmup : bool
        Run once untimed before timing (JIT compilation, first-import costs).
    runs : int
        Number of timed runs in full mode (quick mode always uses 1).

    Returns
    -------
    callable
        The decorator.
    """
    if side not in ("ours", "anchor"):
        raise ValueError("side must be 'ours' or 'anchor'")

    def deco(fn: Callable[[dict[str, Any]], Prepared]) -> Callable[[dict[str, Any]], Prepared]:
        if name in REGISTRY:
            raise ValueError(f"benchmark case {name!r} registered twice")
        REGISTRY[name] = Case(name, row, side, label, fn, warmup, runs)
        return fn

    return deco


# -- memory -------------------------------------------------------------------------------
def _status_kib(pid: int | str, key: str) -> int | None:
    """Read a ``kB`` field (``VmRSS``, ``VmHWM``) of ``/proc/<pid>/status``."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak(pid: int | str = "self") -> bool:
    """Reset the peak-RSS counter (``VmHWM``) of a process to its current RSS.

    Parameters
    ----------
    pid : int or 'self'
        Process id.

    Returns
    -------
    bool
        False when the kernel or permissions do not allow it (the peak then counts from start).
    """
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def rss_mb(pid: int | str = "self") -> float | None:
    """Current resident set size of a process in MiB (None if unreadable)."""
    kib = _status_kib(pid, "VmRSS")
    return None if kib is None else kib / 1024.0


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """Peak resident set size (``VmHWM``) of a process in MiB (None if unreadable)."""
    kib = _status_kib(pid, "VmHWM")
    return None if kib is None else kib / 1024.0


# -- measuring inside the worker ----------------------------------------------------------
def measure(c: Case, params: dict[str, Any], runs: int, warmup: bool) -> Measurement:
    """Set up a case and time it (called inside the worker process).

    Parameters
    ----------
    c : Case
        The case.
    params : dict
        Run parameters (sizes, database URL, seed, quick flag, scratch directory).
    runs : int
        Number of timed runs.
    warmup : bool
        Whether to run once untimed first.

    Returns
    -------
    Measurement
        With ``status='unavailable'`` when setup raised :class:`Unavailable`.
    """
    m = Measurement(case=c.name, row=c.row, side=c.side, label=c.label)
    try:
        prep = c.setup(params)
    except Unavailable as exc:
        m.status, m.message = "unavailable", str(exc)
        return m
    m.note = prep.note
    try:
        if warmup:
            if prep.between:
                prep.between()
            prep.run()
        result = None
        m.setup_rss_mb = rss_mb()
        own_reset = reset_peak()
        backend_reset = reset_peak(prep.backend_pid) if prep.backend_pid else False
        for _ in range(runs):
            if prep.between:
                prep.between()
            t0 = time.perf_counter()
            result = prep.run()
            m.times.append(time.perf_counter() - t0)
        if prep.children:
            m.peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
            m.peak_method = "children ru_maxrss"
        else:
            m.peak_rss_mb = peak_rss_mb()
            m.peak_method = "VmHWM after reset" if own_reset else "VmHWM since process start"
        if prep.backend_pid:
            m.backend_peak_rss_mb = peak_rss_mb(prep.backend_pid)
            if not backend_reset:
                m.peak_method += "; backend VmHWM since connect"
        if prep.summarise is not None:
            m.summary = prep.summarise(result)
    except Unavailable as exc:
        m.status, m.message = "unavailable", str(exc)
    finally:
        if prep.cleanup:
            prep.cleanup()
    if m.times:
        m.runs = len(m.times)
        m.median = statistics.median(m.times)
        m.rows = prep.rows
        if prep.rows and m.median > 0:
            m.rows_per_s = prep.rows / m.median
    return m


# -- running a case in its own process ----------------------------------------------------
def run_case(
    name: str,
    params: dict[str, Any],
    *,
    runs: int | None = None,
    timeout: float = 3600.0,
) -> Measurement:
    """Measure one registered case in a fresh Python subprocess.

    Parameters
    ----------
    name : str
        Case id (see :data:`REGISTRY`).
    params : dict
        JSON-serialisable parameters handed to the case's ``setup``.
    runs : int, optional
        Timed runs (default: the case's own number, or 1 when ``params['quick']``).
    timeout : float
        Seconds before the worker is killed and the case recorded as an error.

    Returns
    -------
    Measurement
        ``status='error'`` with the worker's last stderr lines when it failed.
    """
    from bench import rows  # noqa: F401  (registers every case)

    c = REGISTRY[name]
    n = runs if runs is not None else (1 if params.get("quick") else c.runs)
    with tempfile.TemporaryDirectory(prefix="plbench-") as tmp:
        out = Path(tmp) / "result.json"
        req = {"case": name, "params": params, "runs": n, "warmup": c.warmup, "out": str(out)}
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "bench.worker"],
                input=json.dumps(req),
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=ROOT,
                env=env,
            )
        except subprocess.TimeoutExpired:
            return Measurement(
                case=name,
                row=c.row,
                side=c.side,
                label=c.label,
                status="error",
                message=f"timed out after {timeout:.0f} s",
            )
        if proc.returncode != 0 or not out.exists():
            tail = "\n".join((proc.stderr or "").strip().splitlines()[-12:])
            return Measurement(
                case=name,
                row=c.row,
                side=c.side,
                label=c.label,
                status="error",
                message=tail or f"worker exited with {proc.returncode}",
            )
        data = json.loads(out.read_text(encoding="utf-8"))
    return Measurement(**data)


def worker_main(stdin_text: str) -> int:
    """Entry point of ``python -m bench.worker``: measure one case, write its JSON result.

    Parameters
    ----------
    stdin_text : str
        JSON request ``{"case", "params", "runs", "warmup", "out"}``.

    Returns
    -------
    int
        Process exit code (0 also for ``unavailable``; 1 on an unexpected exception).
    """
    from bench import rows  # noqa: F401  (registers every case)

    req = json.loads(stdin_text)
    c = REGISTRY[req["case"]]
    try:
        m = measure(c, req["params"], int(req["runs"]), bool(req["warmup"]))
    except Exception as exc:  # report, do not crash the whole benchmark
        m = Measurement(
            case=c.name,
            row=c.row,
            side=c.side,
            label=c.label,
            status="error",
            message=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}",
        )
    Path(req["out"]).write_text(json.dumps(m.to_dict(), default=float), encoding="utf-8")
    return 0
