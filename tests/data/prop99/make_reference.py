"""Write synthdid_py_reference.json: the reference implementation's output on Proposition 99.

Not run by the tests (synthdid-py is not a dependency of PolicyLink). Made in a separate
environment with ``pip install synthdid-py==0.1.0`` (a port of the R package synthdid that
follows R/vcov.R; its placebo SE draws ``numpy.random.default_rng(seed).permutation(N0)``).
Run from the repository root: ``python tests/data/prop99/make_reference.py``.
"""

import json
from pathlib import Path

import synthdid as sd

here = Path(__file__).parent
setup = sd.load_california_prop99()
pm = sd.panel_matrices(setup)
est = {
    "sdid": sd.synthdid_estimate(pm.Y, pm.N0, pm.T0),
    "sc": sd.sc_estimate(pm.Y, pm.N0, pm.T0),
    "did": sd.did_estimate(pm.Y, pm.N0, pm.T0),
}
out = {
    "tool": "synthdid-py 0.1.0 (port of R synthdid)",
    "data": "california_prop99.csv (this folder)",
    "estimate": {k: float(v) for k, v in est.items()},
    "placebo_se_sdid_200": {
        str(seed): sd.placebo_se(est["sdid"], 200, random_state=seed) for seed in (0, 1)
    },
}
(here / "synthdid_py_reference.json").write_text(json.dumps(out, indent=2) + "\n")
