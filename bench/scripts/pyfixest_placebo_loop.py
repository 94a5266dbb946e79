"""The anchor of benchmark row 12: a plain pyfixest placebo loop, as a user would script it.

``python pyfixest_placebo_loop.py PANEL.csv DRAWS SEED OUT.csv``: reads a long panel (columns
unit, year, first_treated (0 = never), y, c1..c6), shuffles the first-treated years across
units ``DRAWS`` times (``numpy.random.default_rng(SEED)``, one ``rng.permutation`` per draw,
units in sorted order: the draws of ``policylink did placebo --mode units --seed SEED``), fits
``y ~ placebo_d + c1..c6 | unit + year`` with CRV1 errors by unit for each draw and writes
the coefficients to OUT.csv. It imports nothing from PolicyLink.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pyfixest as pf


def main(argv: list[str]) -> int:
    """Run the loop; see the module docstring for the arguments."""
    path, draws, seed, out = argv[0], int(argv[1]), int(argv[2]), argv[3]
    data = pd.read_csv(path).sort_values(["unit", "year"]).reset_index(drop=True)
    units, uidx = np.unique(data["unit"].to_numpy(), return_inverse=True)
    first = data.groupby("unit")["first_treated"].first().reindex(units).to_numpy(float)
    first[first == 0] = np.inf
    rng = np.random.default_rng(seed)
    t = data["year"].to_numpy(float)
    fml = "y ~ placebo_d + c1 + c2 + c3 + c4 + c5 + c6 | unit + year"
    est = []
    for _ in range(draws):
        f = first[rng.permutation(len(units))]
        data["placebo_d"] = (t >= f[uidx]).astype(float)
        fit = pf.feols(fml, data, vcov={"CRV1": "unit"})
        est.append(float(fit.coef()["placebo_d"]))
    pd.DataFrame({"estimate": est}).to_csv(out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
