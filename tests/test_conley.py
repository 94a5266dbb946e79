"""Conley spatial-HAC standard errors of the spatial DID: hand computation, exact limits, size.

References: a hand computation on a 3-unit, 2-year example written with explicit loops; the two
exact limits of the estimator against pyfixest (cluster by unit, and two-way by unit and year,
both without small-sample factors); and a simulation with known truth (SYNTHETIC lattice panels
with spatially correlated errors and spatially clustered adoption, true spillover 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W, lat2W

from policylink.spatial.did import PanelSpec, spatial_did
from policylink.spatial.did.conley import ConleySpec, conley_vcov
from policylink.spatial.did.twfe import within_residual


def test_hand_computation_three_units_two_years() -> None:
    coords = pd.DataFrame({"x_km": [0.0, 10.0, 30.0], "y_km": [0.0, 0.0, 0.0]}, index=list("abc"))
    unit = ["a", "b", "c", "a", "b", "c"]
    time = [1, 1, 1, 2, 2, 2]
    x = np.array([1.0, -2.0, 0.5, 3.0, 1.0, -1.0])
    e = np.array([0.3, -0.1, 0.4, -0.2, 0.5, 0.1])
    spec = ConleySpec(20.0, "bartlett")
    got = conley_vcov(x[:, None], e, unit, time, coords, spec)
    # by hand: Bartlett weights 1 - d/20 -> (a,b): 0.5, (a,c): 0, (b,c): 0 within a year;
    # weight 1 for the same unit in the other year
    s = x * e
    meat = 0.0
    for p in range(6):
        for q in range(6):
            if time[p] == time[q]:
                d = abs(coords.at[unit[p], "x_km"] - coords.at[unit[q], "x_km"])
                meat += max(0.0, 1 - d / 20.0) * s[p] * s[q]
            elif unit[p] == unit[q]:
                meat += s[p] * s[q]
    expected = meat / (x @ x) ** 2
    assert got.shape == (1, 1)
    assert got[0, 0] == pytest.approx(expected, rel=1e-12)
    # uniform kernel: the pair (b, c) at 20 km is outside (d < cutoff), (a, b) fully in
    uni = conley_vcov(x[:, None], e, unit, time, coords, ConleySpec(20.0, "uniform"))
    m2 = sum(s[p] * s[q] for p in range(6) for q in range(6) if unit[p] == unit[q])
    m2 += 2 * (s[0] * s[1] + s[3] * s[4])
    assert uni[0, 0] == pytest.approx(m2 / (x @ x) ** 2, rel=1e-12)


def fe_panel(seed: int = 3, n: int = 20, t: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    units = [f"u{i:02d}" for i in range(n)]
    df = pd.DataFrame({"unit": np.repeat(units, t), "year": np.tile(np.arange(2000, 2000 + t), n)})
    df["x1"] = rng.normal(size=len(df))
    df["x2"] = rng.normal(size=len(df)) + 0.3 * df["x1"]
    df["y"] = 1.0 * df["x1"] - 0.5 * df["x2"] + rng.normal(size=len(df))
    coords = pd.DataFrame(
        {"x_km": rng.uniform(0, 500, n), "y_km": rng.uniform(0, 500, n)}, index=units
    )
    return df, coords


def fwl(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    spec = PanelSpec("y", first_treated="x1")  # column roles only (unit, year)
    X = np.column_stack([within_residual(df[c].to_numpy(), df, spec) for c in ("x1", "x2")])
    y = within_residual(df["y"].to_numpy(), df, spec)
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    return X, y - X @ beta, beta


def test_small_cutoff_is_cluster_by_unit_and_large_uniform_is_two_way() -> None:
    import pyfixest as pf

    df, coords = fe_panel()
    X, resid, _ = fwl(df)
    ssc = pf.ssc(k_adj=False, G_adj=False)
    by_unit = pf.feols("y ~ x1 + x2 | unit + year", df, vcov={"CRV1": "unit"}, ssc=ssc)
    tiny = conley_vcov(X, resid, df.unit, df.year, coords, ConleySpec(1e-6))
    np.testing.assert_allclose(tiny, np.asarray(by_unit._vcov), rtol=1e-8)
    two = pf.feols("y ~ x1 + x2 | unit + year", df, vcov={"CRV1": "unit+year"}, ssc=ssc)
    big = conley_vcov(X, resid, df.unit, df.year, coords, ConleySpec(1e6, "uniform"))
    np.testing.assert_allclose(big, np.asarray(two._vcov), rtol=1e-8)


def test_conley_refuses_a_unit_without_coordinates_and_a_bad_cutoff() -> None:
    df, coords = fe_panel()
    X, resid, _ = fwl(df)
    with pytest.raises(ValueError, match="no coordinates"):
        conley_vcov(X, resid, df.unit, df.year, coords.iloc[1:], ConleySpec(100.0))
    with pytest.raises(ValueError, match="km > 0"):
        conley_vcov(X, resid, df.unit, df.year, coords, ConleySpec(0.0))


SIDE, T = 12, 8


def lattice() -> tuple[W, pd.DataFrame, np.ndarray]:
    """12 x 12 queen lattice of 10 km cells: weights, coordinates, row-standardised matrix."""
    n = SIDE * SIDE
    w0 = lat2W(SIDE, SIDE, rook=False)
    ids = [f"u{i:03d}" for i in range(n)]
    w = W({ids[i]: [ids[j] for j in w0.neighbors[i]] for i in range(n)}, id_order=ids)
    M = np.zeros((n, n))
    for i in range(n):
        M[i, list(w0.neighbors[i])] = 1.0
    M /= M.sum(axis=1, keepdims=True)
    coords = pd.DataFrame(
        {"x_km": 10.0 * (np.arange(n) % SIDE), "y_km": 10.0 * (np.arange(n) // SIDE)}, index=ids
    )
    return w, coords, M


def synthetic_panel(rng: np.random.Generator, M: np.ndarray, ids: list[str]) -> pd.DataFrame:
    """SYNTHETIC panel: adoption by 3 x 3 blocks of cells (random year or never), direct effect
    0.5, true spillover 0, errors e_t = (I + 3 M) u_t (spatial moving average) plus unit effects."""
    n = len(ids)
    cell = np.arange(n)
    blocks = (cell % SIDE) // 3 + (SIDE // 3) * ((cell // SIDE) // 3)
    first = rng.choice([2012, 2014, 2016, 0, 0], size=(SIDE // 3) ** 2)[blocks]
    A = np.eye(n) + 3.0 * M
    e = A @ rng.normal(size=(n, T))
    df = pd.DataFrame(
        {
            "unit": np.repeat(ids, T),
            "year": np.tile(np.arange(2010, 2010 + T), n),
            "first_treated": np.repeat(first, T),
        }
    )
    d = ((df.year >= df.first_treated) & (df.first_treated > 0)).to_numpy(float)
    df["y"] = 0.5 * d + e.ravel() + np.repeat(rng.normal(size=n), T)
    return df


def test_size_near_nominal_under_spatial_correlation_where_clustering_over_rejects() -> None:
    w, coords, M = lattice()
    rng = np.random.default_rng(1)
    spec = PanelSpec("y", first_treated="first_treated", source="SYNTHETIC lattice")
    conley = ConleySpec(60.0)
    est, se_k, se_c, rej_k, rej_c = [], [], [], 0, 0
    reps = 150
    for _ in range(reps):
        df = synthetic_panel(rng, M, list(w.id_order))
        res = spatial_did(df, spec, w, conley=conley, coords_km=coords)
        eff = res.effects.loc["spillover"]
        cluster = res.fit.fit  # the same fit's pyfixest CRV1-by-unit inference
        est.append(eff["estimate"])
        se_k.append(eff["se"])
        se_c.append(float(cluster.se()["w_did"]))
        rej_k += eff["p"] < 0.05
        rej_c += float(cluster.pvalue()["w_did"]) < 0.05
        assert res.inference.startswith("Conley spatial HAC (bartlett kernel, cutoff 60 km")
    sd = float(np.std(est, ddof=1))
    size_k, size_c = rej_k / reps, rej_c / reps
    # Conley: close to the nominal 5 % (Monte Carlo sd ~1.8 points); SEs near the true sd
    assert 0.02 <= size_k <= 0.09, (size_k, size_c)
    assert 0.85 <= np.mean(se_k) / sd <= 1.15
    # unit clustering ignores the spatial correlation: smaller SEs, more rejections
    assert np.mean(se_c) / sd < np.mean(se_k) / sd - 0.05
    assert size_c > size_k
