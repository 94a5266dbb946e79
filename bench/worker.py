"""``python -m bench.worker``: measure one case in this fresh process (see :mod:`bench.harness`)."""

from __future__ import annotations

import gc
import sys

from bench.harness import worker_main

if __name__ == "__main__":
    code = worker_main(sys.stdin.read())
    # The result is written; skip the interpreter's shutdown walk over every object of the
    # measured stack (~1 s with libpysal or statsmodels loaded; see policylink.cli.entry).
    gc.freeze()
    sys.exit(code)
