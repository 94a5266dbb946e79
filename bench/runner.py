"""Benchmark runner: prepares the shared inputs, measures every case, compares with anchors."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import REGISTRY, Measurement, run_case
from bench.rows.curve import COMPARISONS as CURVE_COMPARISONS
from bench.rows.startup import COMMAND_CASES as STARTUP_CASES

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Row:
    """One benchmark row: what it measures and which cases are compared.

    Attributes
    ----------
    key : str
        Row number as a string.
    title : str
        Title in the results.
    comparisons : list of (ours, anchor)
        Case ids; the ratio is ours median / anchor median.
    needs : tuple of str
        Shared inputs the row needs: ``counties`` (boundaries in the benchmark database),
        ``weights`` (GAL of the county contiguity).
    """

    key: str
    title: str
    comparisons: list[tuple[str, str]]
    needs: tuple[str, ...] = ()

    @property
    def cases(self) -> list[str]:
        """Case ids in first-seen order."""
        seen: list[str] = []
        for pair in self.comparisons:
            for c in pair:
                if c not in seen:
                    seen.append(c)
        return seen


ROWS: dict[str, Row] = {
    r.key: r
    for r in (
        Row(
            "1",
            "County queen contiguity weights",
            [
                ("weights.view", "weights.fuzzy"),
                ("weights.view_county", "weights.fuzzy"),
                ("weights.refresh_queen", "weights.fuzzy"),
                ("weights.refresh_rook", "weights.fuzzy"),
                ("weights.refresh_rook", "weights.rook"),
                ("weights.refresh_all", "weights.fuzzy"),
                ("weights.view", "weights.queen"),
                ("weights.view", "weights.st_touches"),
            ],
            ("counties",),
        ),
        Row(
            "2",
            "Moran's I, 9,999 permutations, 20 years",
            [("moran.ours", "moran.esda")],
            ("counties", "weights"),
        ),
        Row(
            "3",
            "Two-way FE spatial Durbin panel with effects (1,000 draws), N counties x T=20",
            [("sdm.ours", "sdm.spreg"), ("sdm.ours", "sdm.sar")],
            ("counties", "weights"),
        ),
        Row(
            "11",
            "Local Moran (LISA), 9,999 conditional permutations",
            [("lisa.ours", "lisa.esda")],
            ("counties", "weights"),
        ),
        Row("4", "DID placebo, 1,000 draws, 218 x 14 panel", [("did.ours", "did.pyfixest")]),
        Row(
            "10",
            "Callaway-Sant'Anna, 999 bootstrap draws, 218 x 14 panel",
            [("did_cs.ours", "did_cs.csdid")],
        ),
        Row(
            "13",
            "Cost curve: N = 2,916 / 10,000 / 40,000 (SYNTHETIC grid), ratio to the smallest N",
            CURVE_COMPARISONS,
        ),
        Row(
            "12",
            "DID placebo end to end (whole process, CSV to draws), 1,000 draws, 218 x 14",
            [("did_e2e.ours", "did_e2e.pyfixest")],
        ),
        Row(
            "5",
            "ETL: county boundaries and a 2,875 x 20 x 10 panel",
            [
                ("etl.boundaries.first", "etl.boundaries.geopandas"),
                ("etl.boundaries.reload", "etl.boundaries.first"),
                ("etl.panel.first", "etl.panel.copy"),
                ("etl.panel.first", "etl.panel.copy_same_table"),
                ("etl.panel.reload", "etl.panel.first"),
            ],
        ),
        Row("6", "policylink demo end to end (set-up excluded)", [("demo.rerun", "demo.first")]),
        Row(
            "8",
            "Start-up of the policylink command, whole process",
            [(name, "startup.click") for name in STARTUP_CASES],
        ),
        Row(
            "9",
            "Diffusion: pooled EHA 370 x 15 x 6, NetInf 370 x 20 cascades, spatial Markov",
            [
                ("diffusion.eha.ours", "diffusion.eha.statsmodels"),
                ("diffusion.markov.ours", "diffusion.markov.loop"),
                ("diffusion.netinf.ours", "diffusion.netinf.ours"),
            ],
        ),
    )
}


def parameters(quick: bool) -> dict[str, Any]:
    """Sizes of the benchmark (full: the issue's sizes; quick: a smoke-test scale).

    Parameters
    ----------
    quick : bool
        Jing-Jin-Ji counties only, few permutations and draws, one run per case.

    Returns
    -------
    dict
        Parameters handed to every case.
    """
    if quick:
        return {
            "quick": True,
            "moran_years": 3,
            "moran_permutations": 99,
            "sdm_years": 5,
            "sdm_draws": 50,
            "did_draws": 20,
            "did_units": 60,
            "etl_years": 3,
        }
    return {
        "quick": False,
        "moran_years": 20,
        "moran_permutations": 9999,
        "sdm_years": 20,
        "sdm_draws": 1000,
        "did_draws": 1000,
        "did_units": None,
        "etl_years": 20,
    }


def build_weights(url: str, path: Path) -> dict[str, Any]:
    """Compute the county contiguity once (libpysal fuzzy_contiguity) and write it as GAL.

    Rows 2 and 3 read this file, so both sides of those rows use identical weights.

    Parameters
    ----------
    url : str
        Benchmark database URL (counties loaded).
    path : pathlib.Path
        GAL file to write.

    Returns
    -------
    dict
        ``n`` units kept, ``links``, number of ``islands`` dropped and their ``island_ids``.
    """
    import libpysal
    from libpysal.weights import fuzzy_contiguity

    from bench.data import read_units

    gdf = read_units(url, "county").set_index("code")
    w = fuzzy_contiguity(gdf, silence_warnings=True)
    islands = list(w.islands)
    if islands:
        # units without any neighbour (islands such as Changhai county 210224) would give
        # zero rows in W; both sides of rows 2-3 use the same island-free set
        keep = [i for i in w.id_order if i not in set(islands)]
        w = libpysal.weights.w_subset(w, keep, silence_warnings=True)
    fh = libpysal.io.open(str(path), "w")
    try:
        fh.write(w)
    finally:
        fh.close()
    return {"n": int(w.n), "links": int(w.nonzero), "islands": len(islands), "island_ids": islands}


def machine_info() -> dict[str, Any]:
    """Date, source commit, CPU, core count, load average and library versions of this run.

    The commit is ``$POLICYLINK_BENCH_COMMIT`` when set (runs from an exported tree), else
    ``git rev-parse`` of the checkout.
    """
    import importlib.metadata as md

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in ("numpy", "scipy", "libpysal", "esda", "spreg", "pyfixest", "geopandas", "shapely"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    commit = os.environ.get("POLICYLINK_BENCH_COMMIT")
    if not commit:
        import subprocess

        try:
            commit = subprocess.run(
                ["git", "-C", str(BENCH_DIR.parent), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            commit = None
    return {
        "commit": commit,
        "date_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_avg_start": list(os.getloadavg()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


@dataclass
class RunResult:
    """Everything one benchmark run measured."""

    params: dict[str, Any]
    machine: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)
    measurements: dict[str, Measurement] = field(default_factory=dict)
    extras: list[dict[str, Any]] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    seconds: float = 0.0
    row_runs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the content of ``bench/results.json``)."""
        return {
            "params": self.params,
            "machine": self.machine,
            "inputs": self.inputs,
            "rows": self.rows,
            "seconds": self.seconds,
            "measurements": {k: m.to_dict() for k, m in self.measurements.items()},
            "extras": self.extras,
            "row_runs": self.row_runs,
        }


def load_json(path: Path) -> RunResult:
    """Read a ``results.json`` written by :func:`write_json` back into a :class:`RunResult`.

    Parameters
    ----------
    path : pathlib.Path
        The JSON file.

    Returns
    -------
    RunResult
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    res = RunResult(
        params=data["params"],
        machine=data["machine"],
        inputs=data.get("inputs", {}),
        measurements={k: Measurement(**m) for k, m in data["measurements"].items()},
        extras=data.get("extras", []),
        rows=data.get("rows", []),
        seconds=data.get("seconds", 0.0),
    )
    res.row_runs = data.get("row_runs", {})
    return res


def merge(old: RunResult, new: RunResult) -> RunResult:
    """Replace the rows of ``old`` that ``new`` measured; keep the others.

    Each row's ours and anchors are still measured in one run; ``row_runs`` records, per row,
    the date, commit and load of the run that measured it.

    Parameters
    ----------
    old, new : RunResult
        Previous full results and a run of some rows.

    Returns
    -------
    RunResult
        ``new`` with the unmeasured rows (and extras) of ``old`` added.
    """
    runs = dict(getattr(old, "row_runs", {}) or {})
    for key in old.rows:
        runs.setdefault(key, _run_stamp(old))
    for key in new.rows:
        runs[key] = _run_stamp(new)
    keep = {name: m for name, m in old.measurements.items() if m.row not in new.rows}
    new.measurements = {**keep, **new.measurements}
    if "7" not in new.rows:
        new.extras = old.extras
    for k, v in old.inputs.items():
        new.inputs.setdefault(k, v)
    new.rows = [r for r in sorted([*ROWS, "7"], key=int) if r in set(old.rows) | set(new.rows)]
    new.row_runs = runs
    return new


def _run_stamp(res: RunResult) -> dict[str, Any]:
    m = res.machine
    return {
        "date_utc": m.get("date_utc"),
        "commit": m.get("commit"),
        "load_avg_start": m.get("load_avg_start"),
        "load_avg_end": m.get("load_avg_end"),
    }


def run(
    rows: list[str],
    *,
    quick: bool = False,
    runs: int | None = None,
    url: str | None = None,
    log: Callable[[str], None] = print,
) -> RunResult:
    """Run the selected benchmark rows.

    Parameters
    ----------
    rows : list of str
        Row keys (``"1"`` ... ``"6"``, and ``"7"`` for the extra modules).
    quick : bool
        Small sizes and one run per case (smoke check).
    runs : int, optional
        Override the number of timed runs of every case.
    url : str, optional
        Use this (migrated) database instead of a throwaway cluster.
    log : callable
        Progress printer.

    Returns
    -------
    RunResult
    """
    import contextlib

    from bench import rows as _rows  # noqa: F401  (registers cases)
    from bench.data import QUICK_WITHIN, bench_cluster, ensure_counties

    t0 = time.perf_counter()
    params = parameters(quick)
    result = RunResult(params=params, machine=machine_info(), rows=rows)
    needs = {n for r in rows if r in ROWS for n in ROWS[r].needs}
    with contextlib.ExitStack() as stack:
        if url is None:
            log("starting a throwaway PostGIS cluster for the benchmark ...")
            url = stack.enter_context(bench_cluster())
        params["url"] = url
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plbench-")))
        if needs:
            log("loading county boundaries (untimed set-up) ...")
            t = time.perf_counter()
            loader = ensure_counties(url, QUICK_WITHIN if quick else None)
            result.inputs["boundaries"] = {
                "loader": loader,
                "seconds": round(time.perf_counter() - t, 1),
            }
        if "weights" in needs:
            gal = scratch / "county_fuzzy.gal"
            result.inputs["weights"] = build_weights(url, gal)
            params["gal"] = str(gal)
        for key in rows:
            if key not in ROWS:
                continue
            for name in ROWS[key].cases:
                log(f"row {key}: {name} - {REGISTRY[name].label} ...")
                m = run_case(name, params, runs=runs)
                result.measurements[name] = m
                if m.status == "ok":
                    log(
                        f"    median {m.median:.3f} s over {m.runs} run(s), peak {m.peak_rss_mb or 0:.0f} MiB"
                    )
                else:
                    log(f"    {m.status}: {m.message.splitlines()[-1] if m.message else ''}")
        if "7" in rows:
            from bench.extra import run_extras

            result.extras = run_extras(url, quick, log)
    params.pop("url", None)
    params.pop("gal", None)
    result.machine["load_avg_end"] = list(os.getloadavg())
    result.seconds = round(time.perf_counter() - t0, 1)
    return result


def write_json(result: RunResult, path: Path) -> None:
    """Write ``results.json``."""
    path.write_text(json.dumps(result.to_dict(), indent=2, default=str), encoding="utf-8")
