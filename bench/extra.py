"""Row 7: benchmark modules of other areas that expose ``run()`` (e.g. concurrent view latency).

Any module ``bench/<name>.py`` that is not part of the harness and defines a top-level
``run()`` is called once (keyword arguments ``url`` and ``quick`` are passed when it accepts
them). Its return value (a dict, a list of dicts or text) is stored in ``results.json`` and
summarised in ``results.md``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HARNESS_MODULES = {"__init__", "__main__", "harness", "worker", "data", "runner", "report", "extra"}


def extra_modules() -> list[str]:
    """Names of ``bench/*.py`` modules outside the harness (candidates for :func:`run_extras`)."""
    here = Path(__file__).resolve().parent
    return sorted(p.stem for p in here.glob("*.py") if p.stem not in HARNESS_MODULES)


def _call(name: str, fn: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Call one ``run()``; never raise (errors are recorded)."""
    t0 = time.perf_counter()
    try:
        res = fn(**kwargs)
        status, text = "ok", res if isinstance(res, str) else json.dumps(res, default=str)
    except Exception as exc:  # report, do not stop the other rows
        res, status = None, "error"
        text = f"{type(exc).__name__}: {exc} {traceback.format_exc(limit=2)}"
    return {
        "module": f"bench.{name}",
        "kwargs": {k: v for k, v in kwargs.items() if k != "url"},
        "status": status,
        "seconds": time.perf_counter() - t0,
        "result": res,
        "text": text[:600],
    }


def run_extras(url: str, quick: bool, log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Call ``run()`` of every extra benchmark module.

    Parameters
    ----------
    url : str
        Benchmark database URL.
    quick : bool
        Smoke-test sizes.
    log : callable
        Progress printer.

    Returns
    -------
    list of dict
        ``module``, ``status`` (ok / error), ``seconds``, ``result`` and a one-line ``text``.
    """
    out = []
    for name in extra_modules():
        mod = importlib.import_module(f"bench.{name}")
        fn = getattr(mod, "run", None)
        if not callable(fn):
            continue
        log(f"row 7: bench.{name}.run() ...")
        sig = inspect.signature(fn).parameters
        kwargs = {k: v for k, v in (("url", url), ("quick", quick)) if k in sig}
        entry = _call(name, fn, kwargs)
        if entry["status"] == "ok" and "clients" in sig and not quick:
            # anchor measured in the same run: the same queries from a single client
            log(f"row 7: bench.{name}.run(clients=1) (anchor) ...")
            entry["anchor"] = _call(name, fn, {**kwargs, "clients": 1})
        out.append(entry)
    return out
