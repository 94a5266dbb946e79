"""Calibration cases of the harness itself (used by the smoke test, not part of any row).

``selftest.sleep`` sleeps a known time and ``selftest.alloc`` touches a known number of bytes,
so the measured median and peak memory can be checked against exact references.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bench.harness import Prepared, case


@case("selftest.sleep", row="0", side="ours", label="sleep a known time", runs=3)
def setup_sleep(p: dict[str, Any]) -> Prepared:
    """``time.sleep(p['seconds'])`` per run."""
    seconds = float(p.get("seconds", 0.05))
    return Prepared(run=lambda: time.sleep(seconds), summarise=lambda _: {"seconds": seconds})


@case("selftest.alloc", row="0", side="anchor", label="touch a known number of bytes", runs=1)
def setup_alloc(p: dict[str, Any]) -> Prepared:
    """Allocate and write ``p['mib']`` MiB (freed after the run)."""
    nbytes = int(float(p.get("mib", 200)) * 1024 * 1024)

    def run() -> int:
        a = np.ones(nbytes // 8)  # written, so every page is resident
        return int(a.nbytes)

    return Prepared(run=run, summarise=lambda n: {"bytes": n})
