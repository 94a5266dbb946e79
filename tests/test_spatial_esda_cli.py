"""``policylink geary``, ``lisa --statistic local_geary|bivariate_moran``, ``moran --rate|--diff``.

End to end from files: a lattice layer / panel + boundaries go through the inputs layer, the
weights rule and the analyses; the numbers are compared with esda on weights built by libpysal
from the lattice itself (``lat2W``), an independent route to the same neighbours.
"""

from __future__ import annotations

import json

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import psycopg
import pytest
from shapely.geometry import box

ROWS, COLS = 7, 8


def _lattice_w() -> libpysal.weights.W:
    w = libpysal.weights.lat2W(ROWS, COLS, rook=True)
    return libpysal.weights.W(
        {f"u{i:03d}": [f"u{j:03d}" for j in nb] for i, nb in w.neighbors.items()},
        silence_warnings=True,
    )


def _values(seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = ROWS * COLS
    w = libpysal.weights.lat2W(ROWS, COLS, rook=True)
    w.transform = "r"
    e = rng.normal(size=n)
    y = np.arange(n) % COLS * 0.4 + e + (w.sparse @ e)
    pop = rng.integers(10_000, 300_000, size=n).astype(float)
    return {
        "y": y,
        "x": y + rng.normal(size=n),
        "pop": pop,
        "cases": rng.poisson(pop * (0.002 + 0.0004 * (y - y.min()))).astype(float),
        "flat": np.full(n, 2.5),
    }


@pytest.fixture(scope="module")
def layer(tmp_path_factory):
    size, x0, y0 = 10_000.0, 500_000.0, 3_300_000.0
    cells = [
        box(x0 + c * size, y0 + r * size, x0 + (c + 1) * size, y0 + (r + 1) * size)
        for r in range(ROWS)
        for c in range(COLS)
    ]
    gdf = gpd.GeoDataFrame(
        {"code": [f"u{k:03d}" for k in range(ROWS * COLS)], **_values()},
        geometry=cells,
        crs=32649,
    )
    path = tmp_path_factory.mktemp("esda") / "lattice.gpkg"
    gdf.to_file(path)
    return path, gdf


def _run(capsys, *args: str) -> tuple[int, str, str]:
    from policylink.cli import main

    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _src(path) -> list[str]:
    return ["--layer", str(path), "--id", "code", "--weights-kind", "rook"]


def test_geary_cli_equals_esda(layer, capsys):
    path, gdf = layer
    code, out, err = _run(capsys, "geary", "--variable", "y", *_src(path), "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    rec = d["years"][0]
    ref = esda.Geary(gdf["y"].to_numpy(), _lattice_w(), permutations=0)
    assert rec["C"] == pytest.approx(ref.C, rel=1e-10)
    assert rec["z_rand"] == pytest.approx(ref.z_rand, rel=1e-10)
    assert rec["p_norm"] == pytest.approx(ref.p_norm, rel=1e-10)
    assert rec["p_sim"] < 0.01 and d["synthetic"] is False and rec["synthetic"] is False
    code, out, _ = _run(capsys, "geary", "--variable", "y", *_src(path), "--lang", "zh")
    assert code == 0 and "Geary's C" in out and "正态" in out
    code, _, err = _run(capsys, "geary", "--variable", "flat", *_src(path))
    assert code == 2 and "constant" in err and "Traceback" not in err


def test_local_geary_and_bivariate_lisa_cli_equal_esda(layer, capsys):
    path, gdf = layer
    w = _lattice_w()
    code, out, err = _run(
        capsys, "lisa", "--variable", "y", "--statistic", "local_geary", *_src(path),
        "--format", "json", "--correction", "fdr",
    )  # fmt: skip
    assert code == 0, err
    units = pd.DataFrame(json.loads(out)["units"]).set_index("id").loc[w.id_order]
    ref = esda.Geary_Local(connectivity=w, permutations=0).fit(gdf["y"].to_numpy())
    np.testing.assert_allclose(units["ci"], ref.localG, rtol=1e-10)
    assert json.loads(out)["adjust"] == "fdr"
    code, out, err = _run(
        capsys, "lisa", "--variable", "x", "--with", "y", *_src(path), "--format", "json"
    )
    assert code == 0, err
    units = pd.DataFrame(json.loads(out)["units"]).set_index("id").loc[w.id_order]
    ref = esda.Moran_Local_BV(gdf["x"].to_numpy(), gdf["y"].to_numpy(), w, permutations=0)
    np.testing.assert_allclose(units["Ii_bv"], ref.Is, rtol=1e-10)
    assert set(units["cluster"]) <= {"HH", "LL", "HL", "LH", "not significant"}


def test_rate_moran_cli_equals_esda(layer, capsys):
    path, gdf = layer
    code, out, err = _run(
        capsys, "moran", "--variable", "cases", "--rate", "pop", *_src(path),
        "--permutations", "0", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    rec = json.loads(out)[0]
    ref = esda.Moran_Rate(
        gdf["cases"].to_numpy(), gdf["pop"].to_numpy(), _lattice_w(), adjusted=True, permutations=0
    )
    assert rec["I"] == pytest.approx(ref.I, rel=1e-10)


def test_differential_moran_cli_equals_esda(layer, tmp_path, capsys):
    path, gdf = layer
    rng = np.random.default_rng(5)
    before = rng.normal(50, 10, size=len(gdf))
    panel = pd.concat(
        [
            pd.DataFrame({"code": gdf["code"], "year": 2010, "v": before}),
            pd.DataFrame({"code": gdf["code"], "year": 2015, "v": before + gdf["y"]}),
            pd.DataFrame({"code": gdf["code"], "year": 2019, "v": before + 2 * gdf["x"]}),
        ]
    )
    csv = tmp_path / "panel.csv"
    panel.to_csv(csv, index=False)
    code, out, err = _run(
        capsys, "moran", "--variable", "v", "--diff", "2010", "--panel", str(csv), "--id",
        "code", "--time", "year", "--boundaries", str(path), "--weights-kind", "rook",
        "--permutations", "0", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    recs = {r["year"]: r for r in json.loads(out)}
    assert sorted(recs) == [2015, 2019]
    w = _lattice_w()
    for year, change in ((2015, gdf["y"]), (2019, 2 * gdf["x"])):
        ref = esda.Moran(change.to_numpy(), w, permutations=0)
        assert recs[year]["I"] == pytest.approx(ref.I, rel=1e-10)
    code, _, err = _run(
        capsys, "moran", "--variable", "v", "--diff", "2011", "--panel", str(csv), "--id",
        "code", "--time", "year", "--boundaries", str(path),
    )  # fmt: skip
    assert code == 2 and "2011" in err and "Traceback" not in err


def test_neighbourless_units_are_never_significant(layer, tmp_path, capsys):
    _, gdf = layer
    far = gdf.iloc[[0]].copy()
    far["code"] = "island"
    far["geometry"] = far.geometry.translate(xoff=500_000)
    far["y"] = 100.0  # an extreme value: still never significant
    path = tmp_path / "with_island.gpkg"
    pd.concat([gdf, far]).pipe(gpd.GeoDataFrame, crs=gdf.crs).to_file(path)
    for stat in ("local_geary", "bivariate_moran"):
        extra = ["--with", "x"] if stat == "bivariate_moran" else []
        code, out, err = _run(
            capsys, "lisa", "--variable", "y", "--statistic", stat, *extra, *_src(path),
            "--format", "json",
        )  # fmt: skip
        assert code == 0, err
        units = pd.DataFrame(json.loads(out)["units"]).set_index("id")
        assert units.loc["island", "cluster"] == "neighbourless"
        assert not units.loc["island", "significant"]


@pytest.mark.slow
def test_geary_on_the_real_prefectures_equals_esda(bundled_url):
    """Real units: the 370 prefectures of the bundled boundaries as a layer (rule built in
    Python) against esda on queen weights read from the database views; the variable is each
    unit's log equal-area size (real geography, no panel needed)."""
    from policylink import dbread
    from policylink.analyses.geary import GearyOptions, run_geary
    from policylink.analyses.lisa import LisaOptions, run_lisa
    from policylink.inputs import inputs_from_frame

    with psycopg.connect(bundled_url) as conn:
        units = dbread.read_units(conn, "prefecture")
        w = dbread.read_weights(conn, "queen", "prefecture")
    units["log_area"] = np.log(units.geometry.area)
    inp = inputs_from_frame(units, id_col="code", variables=["log_area"], weights="queen")
    res = run_geary(inp, GearyOptions("log_area", permutations=199))
    y = units.set_index("code").loc[w.id_order, "log_area"].to_numpy()
    ref = esda.Geary(y, w, permutations=0)
    rec = res.records()[0]
    assert rec["n"] == w.n and rec["C"] == pytest.approx(ref.C, rel=1e-10)
    assert rec["z_norm"] == pytest.approx(ref.z_norm, rel=1e-10)
    # local Geary on the same inputs: islands (Hainan's prefectures...) are neighbourless
    loc = run_lisa(inp, LisaOptions("log_area", statistic="local_geary", permutations=99))
    t = loc.local.table.set_index("id")
    islands = [c for c in w.id_order if w.cardinalities[c] == 0]
    assert islands and (t.loc[islands, "cluster"] == "neighbourless").all()
    assert not t.loc[islands, "significant"].any()
