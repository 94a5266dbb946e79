"""The pyfixest-free fast path of the DID placebo test (issue 21, item 2).

References: explicit unit and year dummies solved by ``numpy.linalg.lstsq`` (the within
transformation), and pyfixest ``feols`` (the observed fit: every coefficient, CRV1 standard
error, t, p, confidence interval, R2 and covariance). All data are SYNTHETIC
(policylink.spatial.did.simulate, true parameters in ``attrs['truth']``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from policylink.spatial.did import PanelSpec, placebo_did, simulate_staggered
from policylink.spatial.did.panel import fe_codes
from policylink.spatial.did.placebo import _t_tail_and_quantile, _Within

SPEC = PanelSpec(
    outcome="y", unit="unit", time="year", first_treated="first_treated", controls=("x1", "x2")
)


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate_staggered(tau=0.5, seed=11)


def _unbalanced(sim: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(8)
    return sim.drop(index=rng.choice(sim.index, size=400, replace=False)).reset_index(drop=True)


def test_exact_within_equals_dummy_regression(sim: pd.DataFrame) -> None:
    panel = _unbalanced(sim)
    codes = fe_codes(panel, SPEC)
    n = len(panel)
    dummies = np.zeros((n, int(codes[:, 0].max()) + 1 + int(codes[:, 1].max()) + 1))
    dummies[np.arange(n), codes[:, 0]] = 1.0
    dummies[np.arange(n), int(codes[:, 0].max()) + 1 + codes[:, 1]] = 1.0
    Z = np.random.default_rng(3).normal(size=(n, 5))
    ref = Z - dummies @ np.linalg.lstsq(dummies, Z, rcond=None)[0]
    np.testing.assert_allclose(_Within(codes)(Z), ref, rtol=0, atol=1e-10)
    # the same with the factors swapped (the one with fewer levels is always solved densely)
    np.testing.assert_allclose(_Within(codes[:, ::-1].copy())(Z), ref, rtol=0, atol=1e-10)


@pytest.mark.parametrize("balanced", [True, False])
def test_observed_fit_equals_pyfixest(sim: pd.DataFrame, balanced: bool) -> None:
    data = sim if balanced else _unbalanced(sim)
    fast = placebo_did(data, SPEC, draws=4, seed=1)
    assert fast.observed.fit is None  # no pyfixest on the fast path
    ref = pf.feols("y ~ treat + x1 + x2 | unit + year", data, vcov={"CRV1": "unit"})
    tid = ref.tidy()
    ci = ref.confint()
    got = fast.observed.coefficients
    for col, ref_col in (("estimate", "Estimate"), ("se", "Std. Error"), ("t", "t value")):
        np.testing.assert_allclose(got[col], tid[ref_col], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(got["p"], tid["Pr(>|t|)"], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(got["ci_low"], ci.iloc[:, 0], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(got["ci_high"], ci.iloc[:, 1], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(fast.observed.vcov.to_numpy(), ref._vcov, rtol=1e-7, atol=1e-14)
    assert fast.observed.r2 == pytest.approx(ref._r2, abs=1e-10)
    assert fast.observed.r2_within == pytest.approx(ref._r2_within, abs=1e-10)
    assert fast.observed.n_obs == ref._N
    # the draws' CRV1 factor is pyfixest's small-sample correction
    slow = placebo_did(data, SPEC, draws=4, seed=1, method="loop")
    assert float(np.ravel(slow.observed.fit._ssc)[0]) == pytest.approx(
        len(data["unit"].unique())
        / (len(data["unit"].unique()) - 1)
        * (len(data) - 1)
        / (len(data) - 3 - data["year"].nunique()),
        rel=1e-12,
    )
    np.testing.assert_allclose(fast.ses, slow.ses, rtol=0, atol=1e-8)


def test_cli_placebo_does_not_import_pyfixest(sim: pd.DataFrame, tmp_path: Path) -> None:
    csv = tmp_path / "panel_SYNTHETIC.csv"
    sim.to_csv(csv, index=False)
    out = tmp_path / "draws.csv"
    code = (
        "import sys, runpy; sys.argv = ['policylink'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('policylink.cli', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "print('HEAVY', sorted(m for m in ('pyfixest', 'scipy', 'matplotlib', "
        "'libpysal', 'geopandas') if m in sys.modules))\n"
    )
    args = ["did", "placebo", str(csv), "-y", "y", "--first-treated", "first_treated"]
    args += ["--controls", "x1,x2", "--draws", "50", "--seed", "3", "--format", "json"]
    args += ["--draws-out", str(out)]
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY []"
    body = json.loads("\n".join(proc.stdout.strip().splitlines()[:-1]))
    ref = pf.feols("y ~ treat + x1 + x2 | unit + year", sim, vcov={"CRV1": "unit"})
    assert body["coefficients"]["did"]["estimate"] == pytest.approx(
        float(ref.coef()["treat"]), abs=1e-8
    )
    assert len(pd.read_csv(out)) == 50


@pytest.mark.parametrize("df", [1, 2, 5, 30, 217, 5000])
def test_student_t_equals_scipy(df: int) -> None:
    from scipy.special import stdtr, stdtrit

    t = np.array([0.0, 0.3, 1.0, 1.96, 3.5, 8.0, 40.0])
    p, q = _t_tail_and_quantile(t, df)
    np.testing.assert_allclose(p, 2.0 * stdtr(df, -t), rtol=1e-10, atol=1e-300)
    assert q == pytest.approx(float(stdtrit(df, 0.975)), rel=1e-12)
