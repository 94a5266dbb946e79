"""Analysis inputs from files (issue 17): GBK panels, header-only tables and point layers.

Each case runs ``policylink`` through ``main`` in this process (``tests/cli_here.py``: exit code
and standard streams as a user sees them) on SYNTHETIC files written here (a 5 x 5 lattice of
10 km squares in EPSG:3857, random values from a fixed seed). References are independent:
the same panel saved as UTF-8 (the decoding must not change a number) and esda's Moran's I on
libpysal's own k-nearest-neighbour weights of the same points.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_here import run_here


def same(a: object, b: object) -> bool:
    """Equal JSON values, numbers to 1e-9 (the fits are iterative: last-digit noise)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12, nan_ok=True)
    return a == b


def clean_refusal(res: subprocess.CompletedProcess, *needles: str) -> None:
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and 'File "' not in res.stderr, res.stderr
    assert res.stderr.startswith("error: "), res.stderr
    for needle in needles:
        assert needle in res.stderr, res.stderr


def tie_free_points(x: pd.Series, y: pd.Series, k: int):  # noqa: ANN201
    """Jittered lattice centres whose k-th and (k+1)-th nearest distances differ by > 2 % at
    every point, so that the k nearest neighbours do not depend on the (equal-area) projection
    used to measure them. The first seed of a fixed sequence that satisfies this."""
    import geopandas as gpd
    from scipy.spatial import cKDTree

    for seed in range(100):
        rng = np.random.default_rng(seed)
        xy = np.column_stack(
            [x + rng.uniform(-3e3, 3e3, len(x)), y + rng.uniform(-3e3, 3e3, len(y))]
        )
        d, _ = cKDTree(xy).query(xy, k=k + 2)  # self, then k + 1 neighbours
        if np.all(d[:, k + 1] > 1.02 * d[:, k]):
            return gpd.points_from_xy(xy[:, 0], xy[:, 1], crs=3857)
    raise AssertionError("no tie-free layout found")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """SYNTHETIC lattice, points and panels (UTF-8, GBK, header only); Chinese headers."""
    import geopandas as gpd
    from shapely.geometry import box

    d = tmp_path_factory.mktemp("edges_files")
    rng = np.random.default_rng(1717)
    cells = [(i, j) for i in range(5) for j in range(5)]
    units = gpd.GeoDataFrame(
        {"code": [f"c{i}{j}" for i, j in cells]},
        geometry=[box(i * 1e4, j * 1e4, (i + 1) * 1e4, (j + 1) * 1e4) for i, j in cells],
        crs=3857,
    )
    units.to_file(d / "units.gpkg")
    points = units.assign(v=rng.normal(size=25))
    points["geometry"] = tie_free_points(units.centroid.x, units.centroid.y, k=4)
    points.to_file(d / "points.gpkg")
    years = range(2010, 2016)
    panel = pd.DataFrame(
        [(c, t) for t in years for c in units["code"]], columns=["代码", "年份"]
    ).assign(
        产出=lambda f: rng.normal(size=len(f)),
        投入=lambda f: rng.normal(size=len(f)),
        ft=lambda f: np.where(f["代码"] < "c2", 2013, 0),
    )
    panel.to_csv(d / "panel_utf8.csv", index=False, encoding="utf-8")
    panel.to_csv(d / "panel_gbk.csv", index=False, encoding="gbk")
    panel.head(0).to_csv(d / "header_only.csv", index=False, encoding="utf-8")
    return {p.stem: p for p in d.iterdir()}


PANEL = ["--id", "代码", "--time", "年份"]


def test_gbk_panel_in_sdm_equals_the_utf8_panel(files: dict[str, Path], capfd) -> None:
    out = {}
    for name in ("panel_utf8", "panel_gbk"):
        res = run_here(
            ["sdm", "--panel", str(files[name]), *PANEL, "--boundaries", str(files["units"])]
            + ["--boundary-id", "code", "--y", "产出", "--x", "投入", "--format", "json"],
            capfd,
        )
        assert res.returncode == 0, res.stderr
        out[name] = json.loads(res.stdout)
    # the same numbers: only the file name differs
    gbk = json.loads(json.dumps(out["panel_gbk"]).replace("panel_gbk", "panel_utf8"))
    assert same(gbk, out["panel_utf8"])


def test_gbk_panel_in_did_equals_the_utf8_panel(files: dict[str, Path], capfd) -> None:
    est = {}
    for name in ("panel_utf8", "panel_gbk"):
        res = run_here(
            ["did", "twfe", str(files[name]), "-y", "产出", "--unit", "代码", "--time", "年份"]
            + ["--first-treated", "ft", "--format", "json"],
            capfd,
        )
        assert res.returncode == 0, res.stderr
        est[name] = json.loads(res.stdout.replace("panel_gbk", "panel_utf8"))
    assert same(est["panel_gbk"], est["panel_utf8"])


@pytest.mark.parametrize(
    "args",
    [
        ["moran", "--variable", "产出"],
        ["sdm", "--y", "产出", "--x", "投入"],
    ],
    ids=["moran", "sdm"],
)
def test_header_only_panel_is_refused_by_the_analyses(args: list[str], files: dict, capfd) -> None:
    res = run_here(
        [*args, "--panel", str(files["header_only"]), *PANEL]
        + ["--boundaries", str(files["units"]), "--boundary-id", "code"],
        capfd,
    )
    clean_refusal(res, "header_only.csv", "no data rows")
    assert "zero-size array" not in res.stderr


def test_header_only_panel_is_refused_by_did(files: dict[str, Path], capfd) -> None:
    res = run_here(
        ["did", "twfe", str(files["header_only"]), "-y", "产出", "--unit", "代码"]
        + ["--time", "年份", "--first-treated", "ft"],
        capfd,
    )
    clean_refusal(res, "header_only.csv", "no data rows")


@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_moran_on_points_with_contiguity_is_refused(
    kind: str, files: dict[str, Path], capfd
) -> None:
    res = run_here(
        ["moran", "--variable", "v", "--layer", str(files["points"]), "--id", "code"]
        + ["--weights-kind", kind],
        capfd,
    )
    clean_refusal(res, "points.gpkg", "needs polygons", "knn:K")
    assert not res.stdout


def test_moran_on_points_with_knn_equals_esda(files: dict[str, Path], capfd) -> None:
    import esda
    import geopandas as gpd
    from libpysal.weights import KNN

    res = run_here(
        ["moran", "--variable", "v", "--layer", str(files["points"]), "--id", "code"]
        + ["--weights-kind", "knn:4", "--permutations", "0", "--format", "json"],
        capfd,
    )
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    row = rows[0] if isinstance(rows, list) else rows["results"][0]
    pts = gpd.read_file(files["points"])
    # the layout has no near ties: any equal-area projection gives the same 4 neighbours
    w = KNN.from_dataframe(pts, k=4, ids=pts["code"].tolist(), use_index=False)
    w.transform = "r"
    ref = esda.Moran(pts["v"].to_numpy(), w, permutations=0)
    assert row["I"] == pytest.approx(ref.I, rel=1e-10)
    assert np.isfinite(row["I"])
