"""Conley spatial-HAC and two-way clustered SEs of every regression-type DID estimator.

References, all computed here independently of the package's code paths:

- Fixed-effects regressions (TWFE, event study, Sun-Abraham, PSM-DID): the Conley covariance
  as a direct numpy sandwich, the regressors purged of unit and year dummies by a dense
  least-squares fit and the meat summed pair by pair with the Bartlett or uniform kernel
  (Conley 1999; Hsiang 2010 panel form).
- Imputation DID (Borusyak, Jaravel and Spiess 2024): the estimator's weights
  ``v = w1`` on treated and ``-Z0 (Z0'Z0)^+ Z1' w1`` on untreated observations from dense
  dummy matrices, its residuals rebuilt from the definitions, and the unit, two-way (unit and
  year, Cameron, Gelbach and Miller 2011) and Conley sums taken pair by pair.
- Two-way clustering of the front-end against pyfixest's ``vcov={"CRV1": "unit+year"}``.

The panel is SYNTHETIC (generator below): 24 units at random points of a 300 km square,
8 years, adoption in 2013 or 2015 or never, true effect 0.5, errors correlated in space
(exponential decay, range 80 km) and unit effects.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from policylink.spatial.did import PanelSpec
from policylink.spatial.did.conley import ConleySpec

N_UNITS, YEARS = 24, list(range(2010, 2018))
SPEC = PanelSpec("y", first_treated="first_treated", source="SYNTHETIC inference panel")


def synthetic(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SYNTHETIC panel and unit coordinates in km (true effect 0.5)."""
    rng = np.random.default_rng(seed)
    ids = [f"u{i:02d}" for i in range(N_UNITS)]
    xy = rng.uniform(0, 300, size=(N_UNITS, 2))
    coords = pd.DataFrame({"x_km": xy[:, 0], "y_km": xy[:, 1]}, index=ids)
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    L = np.linalg.cholesky(np.exp(-d / 80.0) + 1e-9 * np.eye(N_UNITS))
    first = rng.choice([2013, 2015, 0], size=N_UNITS)
    T = len(YEARS)
    e = (L @ rng.normal(size=(N_UNITS, T))).ravel()
    df = pd.DataFrame(
        {
            "unit": np.repeat(ids, T),
            "year": np.tile(YEARS, N_UNITS),
            "first_treated": np.repeat(first, T),
            "x1": rng.normal(size=N_UNITS * T),
        }
    )
    treated = ((df.year >= df.first_treated) & (df.first_treated > 0)).to_numpy(float)
    df["y"] = 0.5 * treated + 0.3 * df.x1 + e + np.repeat(rng.normal(size=N_UNITS), T)
    return df, coords


def kernel(d: float, spec: ConleySpec) -> float:
    x = d / spec.cutoff_km
    if spec.kernel == "bartlett":
        return max(0.0, 1.0 - x)
    return 1.0 if x < 1.0 else 0.0


def pair_weights(
    unit: np.ndarray, time: np.ndarray, coords: pd.DataFrame, spec: ConleySpec
) -> np.ndarray:
    """k_ab pair by pair: the kernel within a year, 1 for the same unit in other years."""
    n = len(unit)
    K = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            if unit[a] == unit[b]:
                K[a, b] = 1.0
            elif time[a] == time[b]:
                da = coords.loc[unit[a]].to_numpy() - coords.loc[unit[b]].to_numpy()
                K[a, b] = kernel(float(np.hypot(*da)), spec)
    return K


def dummies(values: np.ndarray, drop_first: bool) -> np.ndarray:
    levels = sorted(set(values))
    if drop_first:
        levels = levels[1:]
    return np.column_stack([(values == v).astype(float) for v in levels])


def numpy_conley(
    data: pd.DataFrame, regressors: list[str], coords: pd.DataFrame, spec: ConleySpec
) -> np.ndarray:
    """Conley covariance of ``y ~ regressors | unit + year`` by dense FWL and pairwise meat."""
    D = np.column_stack([dummies(data.unit.to_numpy(), False), dummies(data.year.to_numpy(), True)])

    def purge(v: np.ndarray) -> np.ndarray:
        return v - D @ np.linalg.lstsq(D, v, rcond=None)[0]

    X = np.column_stack([purge(data[c].to_numpy(float)) for c in regressors])
    y = purge(data.y.to_numpy(float))
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    S = X * (y - X @ beta)[:, None]
    K = pair_weights(data.unit.to_numpy(), data.year.to_numpy(), coords, spec)
    bread = np.linalg.inv(X.T @ X)
    return bread @ (S.T @ K @ S) @ bread


def event_dummies(df: pd.DataFrame, names: list[str], leads: int, lags: int) -> pd.DataFrame:
    """The event-time dummies from their definitions: e = year - first_treated, ends binned."""
    e = np.where(df.first_treated > 0, df.year - df.first_treated, np.nan)
    ev = df.copy()
    for name in names:
        if name == "x1":
            continue
        k = 0 if name == "current" else int(name.split("_")[1])
        k = -k if name.startswith("pre") else k
        if k == -leads:
            ev[name] = (e <= -leads).astype(float)
        elif k == lags:
            ev[name] = (e >= lags).astype(float)
        else:
            ev[name] = (e == k).astype(float)
    return ev


@pytest.mark.parametrize("kern", ["bartlett", "uniform"])
def test_twfe_and_event_study_conley_equal_a_numpy_sandwich(kern: str) -> None:
    from policylink.spatial.did import event_study, twfe_did

    df, coords = synthetic()
    conley = ConleySpec(120.0, kern)
    spec = SPEC.with_(controls=["x1"])
    res = twfe_did(df, spec, conley=conley, coords_km=coords)
    base = twfe_did(df, spec)
    assert res.coef() == pytest.approx(base.coef(), abs=1e-10)
    assert res.info["inference"].startswith(f"Conley spatial HAC ({kern} kernel, cutoff 120 km")
    data = df.assign(did=((df.year >= df.first_treated) & (df.first_treated > 0)).astype(float))
    V = numpy_conley(data, ["did", "x1"], coords, conley)
    np.testing.assert_allclose(res.coefficients["se"], np.sqrt(np.diag(V)), rtol=1e-7)
    # the event study: every lead / lag dummy of the fit, with the same reference
    es = event_study(df, spec, leads=2, lags=2, conley=conley, coords_km=coords)
    names = list(es.model.coefficients.index)
    Ve = numpy_conley(event_dummies(df, names, 2, 2), names, coords, conley)
    np.testing.assert_allclose(es.model.coefficients["se"], np.sqrt(np.diag(Ve)), rtol=1e-7)


def test_sun_abraham_and_psm_use_the_conley_covariance() -> None:
    from policylink.spatial.did import sun_abraham
    from policylink.spatial.did.psm import psm_did

    df, coords = synthetic()
    conley = ConleySpec(90.0)
    sa = sun_abraham(df, SPEC, conley=conley, coords_km=coords)
    names = [n for n in sa.model.coefficients.index if n.startswith("sa_")]
    data = df.copy()
    for n in names:
        g, k = n[4:8], n.split("_e")[1]
        k = -int(k[1:]) if k[0] == "m" else int(k[1:])
        data[n] = ((df.first_treated == int(g)) & (df.year - df.first_treated == k)).astype(float)
    V = numpy_conley(data, names, coords, conley)
    np.testing.assert_allclose(
        sa.model.coefficients.loc[names, "se"], np.sqrt(np.diag(V)), rtol=1e-7
    )
    # the event-time effect at e = 0 is w' V w, w the cohorts' shares of treated observations
    terms = [n for n in names if n.endswith("_ep0")]
    counts = np.array([float(data[t].sum()) for t in terms])
    w = counts / counts.sum()
    idx = [names.index(t) for t in terms]
    se0 = float(sa.table.set_index("rel_time").loc[0, "se"])
    assert se0 == pytest.approx(float(np.sqrt(w @ V[np.ix_(idx, idx)] @ w)), rel=1e-7)
    psm = psm_did(df, SPEC.with_(controls=["x1"]), seed=1, conley=conley, coords_km=coords)
    assert psm.did.info["inference"].startswith("Conley spatial HAC")
    units = set(psm.pairs.treated) | set(psm.pairs.control)
    m = df[df.unit.isin(units)].reset_index(drop=True)
    m["did"] = ((m.year >= m.first_treated) & (m.first_treated > 0)).astype(float)
    Vm = numpy_conley(m, ["did", "x1"], coords, conley)
    assert psm.did.se() == pytest.approx(float(np.sqrt(Vm[0, 0])), rel=1e-7)


def bjs_reference(df: pd.DataFrame, coords: pd.DataFrame, spec: ConleySpec) -> dict[str, float]:
    """Variance of the overall imputation ATT: unit-clustered, two-way and Conley, by hand."""
    treated = ((df.year >= df.first_treated) & (df.first_treated > 0)).to_numpy()
    Z = np.column_stack([dummies(df.unit.to_numpy(), False), dummies(df.year.to_numpy(), True)])
    Z0, Z1 = Z[~treated], Z[treated]
    y = df.y.to_numpy(float)
    coef = np.linalg.lstsq(Z0, y[~treated], rcond=None)[0]
    tau = y[treated] - Z1 @ coef
    w1 = np.full(treated.sum(), 1.0 / treated.sum())
    v = np.zeros(len(df))
    v[treated] = w1
    v[~treated] = -Z0 @ np.linalg.pinv(Z0.T @ Z0) @ Z1.T @ w1
    eps = np.zeros(len(df))
    eps[~treated] = y[~treated] - Z0 @ coef
    # treated: tau minus the mean of the other taus of its cohort x year cell
    sub = df[treated].assign(tau=tau)
    out = []
    for _cell_id, cell in sub.groupby(["first_treated", "year"]):
        for i in cell.index:
            others = cell.tau.drop(i)
            out.append((i, cell.tau[i] - others.mean() if len(others) else 0.0))
    for i, r in out:
        eps[i] = r
    s = v * eps
    unit, year = df.unit.to_numpy(), df.year.to_numpy()
    same_u = unit[:, None] == unit[None, :]
    same_t = year[:, None] == year[None, :]
    K = pair_weights(unit, year, coords, spec)
    return {
        "unit": float(np.sqrt(s @ same_u @ s)),
        "twoway": float(np.sqrt(s @ (same_u | same_t) @ s)),
        "conley": float(np.sqrt(s @ K @ s)),
        "att": float(tau.mean()),
    }


def test_imputation_unit_twoway_and_conley_variances_equal_hand_sums() -> None:
    from policylink.spatial.did.imputation import imputation_did

    df, coords = synthetic()
    conley = ConleySpec(150.0)
    ref = bjs_reference(df, coords, conley)
    one = imputation_did(df, SPEC, pretrends=0)
    two = imputation_did(df, SPEC.with_(cluster="twoway"), pretrends=0)
    con = imputation_did(df, SPEC, pretrends=0, conley=conley, coords_km=coords)
    for res in (one, two, con):
        assert res.overall["att"] == pytest.approx(ref["att"], abs=1e-10)
    assert one.overall["se"] == pytest.approx(ref["unit"], rel=1e-8)
    assert two.overall["se"] == pytest.approx(ref["twoway"], rel=1e-8)
    assert con.overall["se"] == pytest.approx(ref["conley"], rel=1e-8)
    assert (
        "two-way" in two.inference
        and con.inference.endswith(conley.describe())
        and "clustered by unit" in one.inference
    )
    with pytest.raises(ValueError, match="coordinates"):
        imputation_did(df, SPEC, conley=conley)


def write_inputs(tmp_path, df: pd.DataFrame, coords: pd.DataFrame) -> tuple[str, str]:  # noqa: ANN001
    """The panel as CSV and the units as small squares around their points (GPKG).

    The squares are drawn in the documented China Albers projection of the weights
    (``policylink.weights.CHINA_ALBERS``), 3,000 km north of its origin so that the
    layer lies in China's box: the package's equal-area centroids are then the points
    themselves (a shift does not change distances).
    """
    import geopandas as gpd
    from shapely.geometry import box

    albers = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +datum=WGS84 +units=m"
    geoms = [
        box(x * 1000 - 50, (y + 3000) * 1000 - 50, x * 1000 + 50, (y + 3000) * 1000 + 50)
        for x, y in coords.to_numpy()
    ]
    layer = gpd.GeoDataFrame({"unit": coords.index}, geometry=geoms, crs=albers)
    gpkg = tmp_path / "units.gpkg"
    layer.to_file(gpkg)
    panel = tmp_path / "panel.csv"
    df.to_csv(panel, index=False)
    return str(panel), str(gpkg)


def test_cli_names_the_inference_and_two_way_equals_pyfixest(
    tmp_path,  # noqa: ANN001
    capsys: pytest.CaptureFixture,
) -> None:
    import pyfixest as pf

    from policylink.cli import main

    df, coords = synthetic()
    panel, gpkg = write_inputs(tmp_path, df, coords)
    base = ["--first-treated", "first_treated", "-y", "y", "--format", "json"]

    def run(*argv: str) -> dict:
        capsys.readouterr()
        assert main(["did", *argv]) == 0
        return json.loads(capsys.readouterr().out)

    data = df.assign(did=((df.year >= df.first_treated) & (df.first_treated > 0)).astype(float))
    fit = pf.feols("y ~ did | unit + year", data, vcov={"CRV1": "unit+year"})
    out = run("twfe", panel, *base, "--cluster", "twoway")
    assert out["inference"].startswith("cluster-robust (CRV1) by unit and year (two-way)")
    assert out["coefficients"]["did"]["se"] == pytest.approx(float(fit.se()["did"]), rel=1e-8)
    es = run("event-study", panel, *base, "--cluster", "twoway", "--leads", "2", "--lags", "2")
    assert "two-way" in es["inference"]
    # Conley through the CLI: coordinates from the layer's centroids (see write_inputs)
    conley = ConleySpec(120.0)
    V = numpy_conley(data, ["did"], coords, conley)
    out = run("twfe", panel, *base, "--conley-km", "120", "--coords", gpkg)
    assert out["inference"].startswith("Conley spatial HAC (bartlett kernel, cutoff 120 km")
    assert out["coefficients"]["did"]["se"] == pytest.approx(float(np.sqrt(V[0, 0])), rel=1e-6)
    imp = run("imputation", panel, *base, "--conley-km", "150", "--coords", gpkg)
    ref = bjs_reference(df, coords, ConleySpec(150.0))
    assert imp["imputation"]["att"]["se"] == pytest.approx(ref["conley"], rel=1e-6)
    assert "Conley" in imp["inference"]
    # the comparison passes the Conley choice to its regression-type rows
    cmp_ = run("compare", panel, *base, "--conley-km", "150", "--coords", gpkg)
    assert cmp_["inference"].startswith("Conley spatial HAC (bartlett kernel, cutoff 150 km")
    rows = {r["estimator"]: r for r in cmp_["comparison"]}
    imp_row = rows["Imputation (Borusyak-Jaravel-Spiess)"]
    assert imp_row["se"] == pytest.approx(ref["conley"], rel=1e-6)
    V150 = numpy_conley(data, ["did"], coords, ConleySpec(150.0))
    assert rows["TWFE DID"]["se"] == pytest.approx(float(np.sqrt(V150[0, 0])), rel=1e-6)
    # HonestDiD works on the Conley covariance of the event study; the suite on TWFE's
    hon = run(
        "honest",
        panel,
        *base,
        "--target",
        "first",
        "--leads",
        "2",
        "--lags",
        "2",
        "--conley-km",
        "120",
        "--coords",
        gpkg,
    )
    assert hon["inference"].startswith("Conley spatial HAC (bartlett kernel, cutoff 120 km")
    names = ["pre_2", "current", "post_1", "post_2"]
    Ve = numpy_conley(event_dummies(df, names, 2, 2), names, coords, ConleySpec(120.0))
    assert hon["honest"]["original"]["se"] == pytest.approx(float(np.sqrt(Ve[1, 1])), rel=1e-6)
    suite = run("run", panel, *base, "--draws", "0", "--conley-km", "120", "--coords", gpkg)
    assert suite["inference"].startswith("Conley spatial HAC")
    assert suite["coefficients"]["did"]["se"] == pytest.approx(float(np.sqrt(V[0, 0])), rel=1e-6)
    for cmd in ("sun-abraham", "psm"):
        extra = ["--controls", "x1"] if cmd == "psm" else []
        res = run(cmd, panel, *base, *extra, "--conley-km", "100", "--coords", gpkg)
        assert res["inference"].startswith("Conley spatial HAC")
    capsys.readouterr()
    assert main(["did", "twfe", panel, *base, "--conley-km", "100"]) == 2
    assert "need the units' coordinates" in capsys.readouterr().err
    capsys.readouterr()
    assert main(["did", "imputation", panel, *base, "--conley-km", "-5", "--coords", gpkg]) == 2
    err = capsys.readouterr().err
    assert "km > 0" in err and "Traceback" not in err
