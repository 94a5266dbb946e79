"""A one-year model with no residual degrees of freedom is refused with one clear error.

SYNTHETIC data: 9 units on a 3 x 3 queen lattice, y and four regressors standard normal (seed 3).
"""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest

from policylink.analyses.models import CrossSectionOptions, run_cross_section
from policylink.errors import InputError
from policylink.inputs import AnalysisInputs

XS = ("a", "b", "c", "d")


def _inputs() -> AnalysisInputs:
    w = libpysal.weights.lat2W(3, 3, rook=False)
    w.remap_ids([f"u{i}" for i in range(9)])
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.normal(size=(9, 5)), columns=["y", *XS]).assign(
        id=[f"u{i}" for i in range(9)]
    )
    return AnalysisInputs(df, w, "id", None, "synthetic lattice")


def test_sdm_with_more_parameters_than_units_is_refused() -> None:
    # SDM: constant + 4 beta + 4 theta + rho = 10 parameters for 9 units
    with pytest.raises(InputError, match="9 units for the 10 parameters"):
        run_cross_section(_inputs(), CrossSectionOptions(y="y", x=XS, model="sdm", draws=0))


def test_sar_with_residual_degrees_of_freedom_runs() -> None:
    res = run_cross_section(_inputs(), CrossSectionOptions(y="y", x=XS, model="sar", draws=0))
    assert res.result.n == 9
