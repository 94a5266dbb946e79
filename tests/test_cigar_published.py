"""Baltagi's cigarette demand panel against Elhorst's published numbers.

Data: ``tests/data/cigar/`` (46 US states, 1963-1992; see its README). Following Elhorst (2014,
sec. 3.6.2), y = log per-capita sales, x = log real price (price / cpi) and log real per-capita
disposable income (ndi / cpi).

Published numbers checked (Elhorst, J. P. 2014, *Spatial Econometrics: From Cross-Sectional
Data to Spatial Panels*, Springer, sec. 3.6.2 "Cigarette demand", Table 3.2 and its text):

- non-spatial two-way fixed effects: log(P) = -1.035, log(Y) = 0.529 (Table 3.2, three
  decimals; tolerance 0.0006, half a unit of the last printed digit plus float noise);
- LR test of the joint insignificance of the spatial fixed effects: 2315.7 (46 df), and of the
  time-period fixed effects: 473.1 (30 df) (text of sec. 3.6.2; tolerance 0.06, half a unit of
  the last printed digit plus float noise);
- the direction of the LM tests of the two-way FE model (text of sec. 3.6.2): classic LM lag and
  LM error both reject at 1 %, robust LM error rejects at 1 %, robust LM lag does not reject at
  5 %.

The weights are our own binary contiguity matrix of the 46 states (rook: a shared border, see the
README), not Elhorst's file, so only the W-free numbers are compared digit by digit and the LM
tests by their verdict; with these weights the unit-FE SAR and SEM must equal spreg's
``Panel_FE_Lag`` / ``Panel_FE_Error`` (a second implementation) on the same real panel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from policylink.spatial.panel_lm import panel_lm
from policylink.spatial.panel_models import fit_general

DATA = Path(__file__).parent / "data" / "cigar"
# rho fixed at 0 has no standard error: its z is 0/0.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide")


@pytest.fixture(scope="module")
def cigar() -> tuple[np.ndarray, np.ndarray, sparse.csr_matrix]:
    """Y (T, N), X (T, N, 2) and the row-standardised contiguity W, states in code order."""
    d = pd.read_csv(DATA / "cigar.csv").sort_values(["year", "state"])
    codes = sorted(d["state"].unique())
    n, t = len(codes), d["year"].nunique()
    assert (n, t) == (46, 30)
    y = np.log(d["sales"]).to_numpy().reshape(t, n)
    x = np.stack([np.log(d["price"] / d["cpi"]), np.log(d["ndi"] / d["cpi"])], axis=-1).reshape(
        t, n, 2
    )
    pos = {c: i for i, c in enumerate(codes)}
    links = pd.read_csv(DATA / "contiguity_46.csv")
    i = links["state_i"].map(pos).to_numpy()
    j = links["state_j"].map(pos).to_numpy()
    b = sparse.coo_matrix((np.ones(2 * len(i)), (np.r_[i, j], np.r_[j, i])), shape=(n, n)).tocsr()
    deg = np.asarray(b.sum(axis=1)).ravel()
    assert deg.min() >= 1  # no islands
    w = sparse.diags(1.0 / deg) @ b
    return y, x, w.tocsr()


def _ols(cigar, fe: str):
    y, x, w = cigar
    # The SAR family with rho fixed at 0 is the non-spatial model by ML (sigma2 = e'e / NT).
    return fit_general(
        y, x, w, names=["logp", "logy"], model="sar", fe=fe, fix_rho=0.0, effects=False
    )


def test_two_way_fe_coefficients_match_elhorst_table_3_2(cigar) -> None:
    r = _ols(cigar, "twoways")
    est = r.coefficients.set_index("name")["estimate"]
    assert est["logp"] == pytest.approx(-1.035, abs=6e-4)
    assert est["logy"] == pytest.approx(0.529, abs=6e-4)


def test_lr_tests_of_the_fixed_effects_match_elhorst(cigar) -> None:
    ll = {fe: _ols(cigar, fe).log_likelihood for fe in ("twoways", "unit", "time")}
    assert 2 * (ll["twoways"] - ll["time"]) == pytest.approx(2315.7, abs=0.06)
    assert 2 * (ll["twoways"] - ll["unit"]) == pytest.approx(473.1, abs=0.06)


def test_lm_tests_of_the_two_way_model_point_where_elhorst_says(cigar) -> None:
    y, x, w = cigar
    tests, _ = panel_lm(y, x, w, names=["logp", "logy"], fe="twoways", after=("ols",))
    p = {t.name: t.p for t in tests}
    assert p["LM lag"] < 0.01
    assert p["LM error"] < 0.01
    assert p["LM error (robust)"] < 0.01
    assert p["LM lag (robust)"] > 0.05


@pytest.mark.parametrize(("model", "ref_cls"), [("sar", "Panel_FE_Lag"), ("sem", "Panel_FE_Error")])
def test_spatial_unit_fe_on_cigar_equal_spreg(cigar, model: str, ref_cls: str) -> None:
    """A second implementation on the real panel: spreg's fixed-effects panel ML."""
    import libpysal
    import spreg

    from policylink.spatial.panel import fit_arrays

    y, x, w = cigar
    t, n = y.shape
    nb = {i: [int(j) for j in w[i].indices] for i in range(n)}
    lw = libpysal.weights.W(nb, silence_warnings=True)
    lw.transform = "r"
    res = fit_arrays(y, x, w, names=["logp", "logy"], model=model, fe="unit", effects=False)
    ref = getattr(spreg, ref_cls)(y.reshape(-1, 1), x.reshape(t * n, 2), lw)
    spatial = res.rho if model == "sar" else res.lam
    np.testing.assert_allclose(np.r_[res.params, spatial], ref.betas.ravel(), atol=1e-4)
    np.testing.assert_allclose(np.sqrt(np.diag(res.cov)), ref.std_err, rtol=1e-3)
