"""Property tests: random small layers and panels through every analysis and the CLI.

Hypothesis draws SYNTHETIC lattices of unit squares (1 to 5 x 1 to 5, cells removed to make
islands, a single unit), values with constants, ties, missing values and one or several
periods, and DID panels with one period, one unit, gaps, no or all units treated. Every analysis
(run_moran, run_bivariate_moran, run_geary, run_lisa with its four statistics and with 0
permutations, run_sdm, run_twfe, run_event_study, run_placebo, and the staggered estimators
Callaway-Sant'Anna, Sun-Abraham, imputation, Bacon and PSM) must return finite numbers or refuse
with a PolicyLinkError that has a message; the CLI must exit 0 or 2 (bad input) and never raise.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylink.errors import PolicyLinkError

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)

#: Value kinds of a column: random, a constant, ties among a few levels, near-constant.
KINDS = ("normal", "constant", "ties", "near")


@st.composite
def layers(draw: st.DrawFn) -> dict:
    """A lattice of unit squares (EPSG:3857 km) with 1-3 periods of two variables."""
    nx, ny = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    cells = [(i, j) for i in range(nx) for j in range(ny)]
    drop = draw(st.sets(st.integers(0, len(cells) - 1), max_size=max(0, len(cells) - 1)))
    cells = [c for k, c in enumerate(cells) if k not in drop]
    periods = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    kinds = (draw(st.sampled_from(KINDS)), draw(st.sampled_from(KINDS)))
    missing = draw(st.booleans()) and draw(st.integers(0, 4)) == 0
    weights = draw(st.sampled_from(["queen", "rook", "knn:1", "knn:3", "distance:1500"]))
    return {
        "cells": cells,
        "periods": periods,
        "seed": seed,
        "kinds": kinds,
        "missing": missing,
        "weights": weights,
    }


def column(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "constant":
        return np.full(n, 2.5)
    if kind == "ties":
        return rng.integers(0, 2, size=n).astype(float)
    if kind == "near":
        return 7.0 + 1e-13 * rng.normal(size=n)
    return rng.normal(size=n)


def layer_frame(spec: dict):  # noqa: ANN201
    """GeoDataFrame: one row per unit and period (code, year, a, b, geometry)."""
    import geopandas as gpd
    from shapely.geometry import box

    rng = np.random.default_rng(spec["seed"])
    cells = spec["cells"]
    rows = []
    for t in range(spec["periods"]):
        a = column(spec["kinds"][0], len(cells), rng)
        b = column(spec["kinds"][1], len(cells), rng)
        for k, (i, j) in enumerate(cells):
            rows.append(
                (
                    f"c{i}{j}",
                    2000 + t,
                    a[k],
                    b[k],
                    box(i * 1e3, j * 1e3, (i + 1) * 1e3, (j + 1) * 1e3),
                )
            )
    gdf = gpd.GeoDataFrame(rows, columns=["code", "year", "a", "b", "geometry"], crs=3857)
    if spec["missing"]:
        gdf.loc[0, "a"] = np.nan
    return gdf


def inputs(spec: dict, variables: list[str]):  # noqa: ANN201
    from policylink.inputs import inputs_from_frame

    gdf = layer_frame(spec)
    time_col = "year" if spec["periods"] > 1 else None
    if time_col is None:
        gdf = gdf.drop(columns="year")
    return inputs_from_frame(
        gdf, id_col="code", variables=variables, time_col=time_col, weights=spec["weights"]
    )


def finite(*values: float) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) for v in values)


def clean(exc: PolicyLinkError) -> None:
    """A refusal: a PolicyLinkError whose message says something."""
    assert str(exc).strip(), type(exc)


@SETTINGS
@given(layers())
def test_moran_and_bivariate(spec: dict) -> None:
    from policylink.analyses.moran import (
        BivariateOptions,
        MoranOptions,
        run_bivariate_moran,
        run_moran,
    )

    try:
        inp = inputs(spec, ["a", "b"])
        res = run_moran(inp, MoranOptions("a", permutations=19))
    except PolicyLinkError as exc:
        clean(exc)
    else:
        for r in res.results:
            assert finite(r.I, r.EI, r.z_norm, r.p_norm, r.z_rand, r.p_rand, r.p_perm), r
            assert 0.0 <= r.p_norm <= 1.0 and 0.0 < r.p_perm <= 1.0
    try:
        inp = inputs(spec, ["a", "b"])
        bv = run_bivariate_moran(inp, BivariateOptions("a", "b", permutations=19))
    except PolicyLinkError as exc:
        clean(exc)
    else:
        for row in bv.rows:
            assert finite(row["I"], row["p"]["permutation"]), row


@SETTINGS
@given(layers())
def test_geary(spec: dict) -> None:
    from policylink.analyses.geary import GearyOptions, run_geary

    try:
        res = run_geary(inputs(spec, ["a"]), GearyOptions("a", permutations=19))
    except PolicyLinkError as exc:
        clean(exc)
        return
    for _, r in res.results:
        assert finite(r.C, r.EC, r.z_norm, r.p_norm, r.z_rand, r.p_rand, r.p_sim), r
        assert 0.0 <= r.p_norm <= 1.0 and 0.0 < r.p_sim <= 1.0


#: Column of the local statistic in each table.
LOCAL_STAT = {
    "local_moran": "Ii",
    "gi_star": "Gi_star",
    "local_geary": "ci",
    "bivariate_moran": "Ii_bv",
}


@SETTINGS
@given(
    layers(),
    st.sampled_from(sorted(LOCAL_STAT)),
    st.sampled_from([19, 19, 19, 0]),  # 0 permutations: refused (no p-value exists then)
)
def test_local_statistics(spec: dict, statistic: str, permutations: int) -> None:
    from policylink.analyses.lisa import NEIGHBOURLESS, LisaOptions, run_lisa

    other = "b" if statistic == "bivariate_moran" else None
    try:
        inp = inputs(spec, ["a", "b"])
        year = inp.periods()[0]
        res = run_lisa(inp, LisaOptions("a", year, statistic, permutations, other=other))
    except PolicyLinkError as exc:
        clean(exc)
        return
    assert permutations > 0
    t = res.local.table
    tested = t[t["cluster"] != NEIGHBOURLESS]
    stat = LOCAL_STAT[statistic]
    assert np.isfinite(tested[stat].to_numpy(float)).all()
    assert np.isfinite(tested["p_sim"].to_numpy(float)).all()
    # a unit without neighbours is never significant
    islands = [i for i in inp.w.id_order if inp.w.cardinalities[i] == 0]
    assert not t.set_index("id").loc[islands, "significant"].any()


@SETTINGS
@given(layers(), st.sampled_from(["sdm", "sar", "sem"]))
def test_spatial_panel(spec: dict, model: str) -> None:
    from policylink.analyses.sdm import SdmOptions, run_sdm

    try:
        inp = inputs(spec, ["a", "b"])
        res = run_sdm(inp, SdmOptions(y="a", x=("b",), model=model, draws=20))
    except PolicyLinkError as exc:
        clean(exc)
        return
    co = res.main.coefficients
    assert np.isfinite(co["estimate"].to_numpy(float)).all()


@st.composite
def did_panels(draw: st.DrawFn) -> pd.DataFrame:
    """Long DID panels: 1-6 units, 1-5 years, gaps, random adoption (0 = never)."""
    n_units, n_years = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    years = list(range(2010, 2010 + n_years))
    first = {f"u{k}": draw(st.sampled_from([0, *years, years[-1] + 1])) for k in range(n_units)}
    kind = draw(st.sampled_from(KINDS))
    rows = [(u, t) for u in first for t in years]
    gaps = draw(st.sets(st.integers(0, len(rows) - 1), max_size=len(rows) // 2))
    rows = [r for k, r in enumerate(rows) if k not in gaps] or rows[:1]
    y = column(kind, len(rows), rng)
    x = rng.normal(size=len(rows))
    return pd.DataFrame(
        {
            "unit": [u for u, _ in rows],
            "year": [t for _, t in rows],
            "y": y,
            "x": x,
            "first_treated": [first[u] for u, _ in rows],
        }
    )


@SETTINGS
@given(did_panels(), st.sampled_from(["twfe", "event_study", "placebo"]))
def test_did_analyses(df: pd.DataFrame, analysis: str) -> None:
    from policylink.analyses.did import (
        EventStudyOptions,
        PlaceboOptions,
        run_event_study,
        run_placebo,
        run_twfe,
    )
    from policylink.did_inputs import did_inputs_from_frame
    from policylink.spatial.did import PanelSpec

    spec = PanelSpec("y", first_treated="first_treated", controls=("x",), source="syn")
    try:
        inp = did_inputs_from_frame(df, spec)
        if analysis == "twfe":
            r = run_twfe(inp).result
            assert finite(r.coef(), r.se()) and r.se() > 0
        elif analysis == "event_study":
            es = run_event_study(inp, EventStudyOptions(leads=2, lags=2)).result
            shown = es.table[es.table["rel_time"] != -1]
            assert np.isfinite(shown["estimate"].to_numpy(float)).all()
        else:
            pl = run_placebo(inp, PlaceboOptions(draws=9)).result
            assert finite(pl.p_value, pl.observed.coef())
    except PolicyLinkError as exc:
        clean(exc)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(df=did_panels(), spec=layers())
def test_cli_exits_cleanly(df: pd.DataFrame, spec: dict, tmp_path: Path) -> None:
    """Exit 0 with output or 2 with a message; any other exception fails the test."""
    from policylink.cli import main

    panel = tmp_path / "did.csv"
    df.to_csv(panel, index=False)
    rc = main(["did", "twfe", str(panel), "-y", "y", "--first-treated", "first_treated"])
    assert rc in (0, 2)
    gdf = layer_frame(spec)
    layer = tmp_path / "units.gpkg"
    gdf.drop_duplicates("code").drop(columns="year").to_file(layer)
    long = tmp_path / "panel.csv"
    gdf.drop(columns="geometry").to_csv(long, index=False)
    kind = spec["weights"]
    argv = ["--weights-kind", kind, "--permutations", "9", "--format", "json"]
    rc = main(["moran", "--variable", "a", "--layer", str(layer), "--id", "code", *argv])
    assert rc in (0, 2)
    rc = main(
        ["moran", "--variable", "a", "--panel", str(long), "--id", "code", "--time", "year"]
        + ["--boundaries", str(layer), *argv]
    )
    assert rc in (0, 2)
    rc = main(
        ["lisa", "--variable", "b", "--layer", str(layer), "--id", "code"]
        + ["--statistic", "gi_star", *argv]
    )
    assert rc in (0, 2)


@pytest.mark.parametrize("stat", ["local_moran", "gi_star"])
def test_single_unit_layer_is_refused(stat: str) -> None:
    """One explicit degenerate case (a layer with one feature), as Processing sees it."""
    from policylink.analyses.lisa import LisaOptions, run_lisa

    spec = {
        "cells": [(0, 0)],
        "periods": 1,
        "seed": 1,
        "kinds": ("normal", "normal"),
        "missing": False,
        "weights": "queen",
    }
    with pytest.raises(PolicyLinkError, match="have neighbours"):
        run_lisa(inputs(spec, ["a"]), LisaOptions("a", statistic=stat))


#: The staggered-adoption DID estimators, run with their default options.
STAGGERED = ("callaway_santanna", "sun_abraham", "imputation", "bacon", "psm")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(did_panels(), st.sampled_from(STAGGERED))
def test_staggered_did_analyses(df: pd.DataFrame, analysis: str) -> None:
    """The staggered DID estimators on the same random panels: a result that serialises without
    infinities, or a clean refusal (any other exception fails)."""
    run_staggered(df, analysis)


def run_staggered(df: pd.DataFrame, analysis: str) -> None:
    """Run ``run_<analysis>`` with default options; accept a result or a PolicyLinkError."""
    from policylink.analyses import did
    from policylink.did_inputs import did_inputs_from_frame
    from policylink.spatial.did import PanelSpec

    spec = PanelSpec("y", first_treated="first_treated", controls=("x",), source="syn")
    try:
        inp = did_inputs_from_frame(df, spec)
        res = getattr(did, f"run_{analysis}")(inp)
        text = res.to_json()
    except PolicyLinkError as exc:
        clean(exc)
        return
    assert "Infinity" not in text, text[:500]


def two_by_two(first: list[int]) -> pd.DataFrame:
    """Hypothesis' smallest failing panel shape: units u0, u1 in 2010-2011 (SYNTHETIC)."""
    return pd.DataFrame(
        {
            "unit": ["u0", "u0", "u1", "u1"],
            "year": [2010, 2011, 2010, 2011],
            "y": [0.125730, -0.132105, 0.640423, 0.104900],
            "x": [-0.535669, 0.361595, 1.304000, 0.947081],
            "first_treated": [first[0], first[0], first[1], first[1]],
        }
    )


#: Found by the property test above when it drew these estimators too: on these degenerate
#: panels they raised a plain Python error instead of a PolicyLinkError (now refused: no treated
#: unit or every unit treated throughout by ``check_identified``, an exact fit by its zero
#: standard errors).


@pytest.mark.parametrize(
    ("analysis", "first"),
    [
        # no treated unit: "need at least one array to concatenate"
        pytest.param("callaway_santanna", [0, 0], id="cs-no-treated"),
        # no treated unit: "logit did not converge"
        pytest.param("psm", [0, 0], id="psm-no-treated"),
        # every unit treated from the first year: "cannot convert float NaN to integer"
        pytest.param("sun_abraham", [2010, 2010], id="sa-all-treated"),
        # one never-treated unit, one adopting in the second year: ZeroDivisionError
        pytest.param("sun_abraham", [0, 2011], id="sa-two-by-two"),
    ],
)
def test_degenerate_panels_of_the_staggered_estimators(analysis: str, first: list[int]) -> None:
    run_staggered(two_by_two(first), analysis)
