"""Property tests: SAC / SDEM / GNS, the model comparison and random-effects SEM either fit with
finite estimates or refuse with one clean PolicyLink error (no traceback), on arbitrary small
SYNTHETIC layers (the generators of ``tests/test_properties.py``)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from policylink.errors import PolicyLinkError
from tests.test_properties import SETTINGS, clean, inputs, layers


@SETTINGS
@given(
    layers(),
    st.sampled_from(["sac", "sdem", "gns", "sem-random"]),
    st.sampled_from(["twoways", "none"]),
)
def test_new_models_fit_or_refuse_cleanly(spec: dict, model: str, fe: str) -> None:
    from policylink.analyses.sdm import SdmOptions, run_sdm

    if model == "sem-random":
        model, fe = "sem", "random"
    try:
        inp = inputs(spec, ["a", "b"])
        options = SdmOptions(y="a", x=("b",), model=model, fe=fe, draws=20, compare=fe == "none")
        res = run_sdm(inp, options)
    except PolicyLinkError as exc:
        clean(exc)
        return
    assert np.isfinite(res.main.coefficients["estimate"].to_numpy(float)).all()
