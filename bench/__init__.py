"""PolicyLink benchmarks: every figure is a ratio against an anchor measured in the same run.

Run with ``make bench`` (``python -m bench``). Each benchmark *case* (our implementation or an
anchor such as libpysal, esda, spreg or pyfixest) runs in its own Python subprocess, so the peak
resident memory reported for it belongs to that case alone; see :mod:`bench.harness`.
"""
