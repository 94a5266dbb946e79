"""Regenerate ``honestdid_reference.json`` with the honestdid package (not a PolicyLink dependency).

Identified sets of Rambachan and Roth (2023) for the relative-magnitudes (Delta^RM(Mbar)) and
smoothness (Delta^SD(M)) restrictions, computed by honestdid 0.1.1 (a Python port of the R
``HonestDiD`` package: ``_compute_IDset_DeltaRM`` / ``_compute_IDset_DeltaSD``) for the
event-study vectors below (pre-periods first, the reference period -1 omitted). Run it in a
separate virtual environment (never by the test suite)::

    python3 -m venv hd && hd/bin/pip install honestdid==0.1.1
    hd/bin/python tests/data/did_honestdid/make_reference.py
"""

import json
from importlib.metadata import version
from pathlib import Path

import numpy as np
from honestdid.core import _compute_IDset_DeltaRM, _compute_IDset_DeltaSD

HERE = Path(__file__).parent

CASES = [
    # beta (pre..., post...), number of pre-periods, l_vec (post)
    ([0.1, -0.05, 0.3, 0.5, 0.4], 2, [1.0, 0.0, 0.0]),
    ([0.1, -0.05, 0.3, 0.5, 0.4], 2, [0.0, 1.0, 0.0]),
    ([0.1, -0.05, 0.3, 0.5, 0.4], 2, [1 / 3, 1 / 3, 1 / 3]),
    ([-0.2, 0.04, -0.1, 0.02, 0.6, 0.8], 4, [0.5, 0.5]),
    ([0.08, 0.3, 0.5, 0.2], 1, [0.0, 0.0, 1.0]),
]
M_RM = [0.0, 0.5, 1.0, 2.0]
M_SD = [0.2, 0.35, 0.5, 1.0]


def main() -> None:
    out = {"versions": {p: version(p) for p in ("honestdid", "numpy", "scipy")}, "cases": []}
    for beta, n_pre, l_vec in CASES:
        n_post = len(beta) - n_pre
        b, lv = np.array(beta), np.array(l_vec)
        rm = [_compute_IDset_DeltaRM(m, b, lv, n_pre, n_post) for m in M_RM]
        sd = [_compute_IDset_DeltaSD(m, b, lv, n_pre, n_post) for m in M_SD]
        out["cases"].append(
            {
                "beta": beta,
                "rel_times": list(range(-n_pre - 1, -1)) + list(range(n_post)),
                "l_vec": l_vec,
                "rm": [
                    {"M": m, "lb": float(r["id_lb"]), "ub": float(r["id_ub"])}
                    for m, r in zip(M_RM, rm, strict=True)
                ],
                "sd": [
                    {"M": m, "lb": float(r["id_lb"]), "ub": float(r["id_ub"])}
                    for m, r in zip(M_SD, sd, strict=True)
                ],
            }
        )
    (HERE / "honestdid_reference.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
