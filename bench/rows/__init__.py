"""Benchmark rows; importing this package registers every case in :data:`bench.harness.REGISTRY`.

A module added here with cases registered by :func:`bench.harness.case` (for example a
reliability benchmark) is picked up by listing it in ``ROW_MODULES``. Modules outside this
package that define ``run()`` are handled by :mod:`bench.extra`.
"""

from __future__ import annotations

import importlib

ROW_MODULES = (
    "weights",
    "moran",
    "sdm",
    "did",
    "etl",
    "demo",
    "selftest",
    "startup",
    "diffusion",
    "did_cs",
    "did_e2e",
    "curve",
)

for _name in ROW_MODULES:
    importlib.import_module(f"bench.rows.{_name}")
