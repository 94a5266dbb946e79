"""``python -m bench.worker``: measure one case in this fresh process (see :mod:`bench.harness`)."""

from __future__ import annotations

import sys

from bench.harness import worker_main

if __name__ == "__main__":
    sys.exit(worker_main(sys.stdin.read()))
