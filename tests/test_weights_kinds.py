"""Weights kinds beyond first-order contiguity, transformations and the connectivity report.

References: libpysal builds the same definitions independently (``DistanceBand(binary=False)``,
``Kernel``, ``higher_order``), on the same projected coordinates; transformations and the
connectivity report are checked against closed forms on tiny lattices.
"""

from __future__ import annotations

import geopandas as gpd
import libpysal
import numpy as np
import pytest
from shapely.geometry import Point, box

from policylink.errors import ConfigError
from policylink.weights import (
    KERNEL_FUNCTIONS,
    WeightsSpec,
    build_pairs,
    build_weights,
    describe,
    equal_area,
    transformed,
)


def _points(n: int = 60, seed: int = 7) -> gpd.GeoDataFrame:
    """Random points in eastern China (lon/lat), ids p00..."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(112.0, 118.0, n)
    lat = rng.uniform(28.0, 34.0, n)
    return gpd.GeoDataFrame(
        {"code": [f"p{k:02d}" for k in range(n)]},
        geometry=[Point(x, y) for x, y in zip(lon, lat, strict=True)],
        crs=4326,
    )


def _lattice(rows: int, cols: int, size: float = 10_000.0) -> gpd.GeoDataFrame:
    """rows x cols unit squares (UTM 49N metres, in China); id = row-major index as text."""
    x0, y0 = 500_000.0, 3_300_000.0
    cells = [
        box(x0 + c * size, y0 + r * size, x0 + (c + 1) * size, y0 + (r + 1) * size)
        for r in range(rows)
        for c in range(cols)
    ]
    return gpd.GeoDataFrame(
        {"code": [f"{k:03d}" for k in range(rows * cols)]}, geometry=cells, crs=32649
    )


def _xy(gdf: gpd.GeoDataFrame) -> np.ndarray:
    ea = equal_area(gdf)
    return np.column_stack([ea.geometry.centroid.x, ea.geometry.centroid.y])


def _dense(w, order) -> np.ndarray:
    pos = {c: n for n, c in enumerate(order)}
    out = np.zeros((len(order), len(order)))
    for i in w.neighbors:
        for j, v in zip(w.neighbors[i], w.weights[i], strict=True):
            out[pos[i], pos[j]] = v
    return out


@pytest.mark.parametrize(
    "text",
    [
        "queen",
        "rook",
        "queen:0",
        "queen^2",
        "rook^1-3",
        "queen^2:0",
        "knn:6",
        "distance:150000",
        "idw:200000",
        "idw:200000:2",
        "kernel:8",
        "kernel:8:gaussian",
        "kernel:fixed:150000",
        "kernel:fixed:150000:quartic",
        "links",
    ],
)
def test_the_grammar_round_trips(text):
    spec = WeightsSpec.parse(text)
    assert str(spec) == text
    assert WeightsSpec.parse(str(spec)) == spec
    assert spec.describe()


@pytest.mark.parametrize(
    "text",
    ["queen^0", "queen^3-2", "idw:0", "idw:1000:0", "kernel:0", "kernel:5:cosine", "link", "knn"],
)
def test_bad_kinds_are_refused_with_the_grammar(text):
    with pytest.raises(ConfigError, match="kernel:K"):
        WeightsSpec.parse(text)


@pytest.mark.parametrize("power", [1.0, 2.0, 0.5])
def test_idw_equals_libpysal_distance_band(power):
    gdf = _points()
    band = 250_000.0
    w = build_weights(gdf, "code", f"idw:{band:g}:{power:g}")
    ref = libpysal.weights.DistanceBand(
        _xy(gdf), band, binary=False, alpha=-power, ids=list(gdf["code"]), silence_warnings=True
    )
    order = list(gdf["code"])
    np.testing.assert_allclose(_dense(w, order), _dense(ref, order), rtol=1e-10)
    assert w.nonzero > 0


@pytest.mark.parametrize("function", KERNEL_FUNCTIONS)
def test_adaptive_kernel_equals_libpysal_without_the_diagonal(function):
    gdf = _points()
    k = 6
    w = build_weights(gdf, "code", f"kernel:{k}:{function}")
    # libpysal queries k + 1 points (the unit itself first) and puts K(0) on the diagonal
    ref = libpysal.weights.Kernel(
        _xy(gdf), k=k, fixed=False, function=function, ids=list(gdf["code"])
    )
    order = list(gdf["code"])
    expected = _dense(ref, order)
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(_dense(w, order), expected, rtol=1e-9, atol=1e-15)
    assert all(len(w.neighbors[c]) == k for c in order)


@pytest.mark.parametrize("function", ["triangular", "gaussian"])
def test_fixed_kernel_equals_libpysal_without_the_diagonal(function):
    gdf = _points()
    band = 180_000.0
    w = build_weights(gdf, "code", f"kernel:fixed:{band:g}:{function}")
    ref = libpysal.weights.Kernel(
        _xy(gdf), bandwidth=band, fixed=True, function=function, ids=list(gdf["code"])
    )
    order = list(gdf["code"])
    expected = _dense(ref, order)
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(_dense(w, order), expected, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize(("text", "k", "lower"), [("rook^2", 2, False), ("rook^1-3", 3, True)])
def test_higher_order_contiguity_equals_libpysal(text, k, lower):
    lat = _lattice(5, 6)
    w = build_weights(lat, "code", text)
    first = libpysal.weights.lat2W(5, 6, rook=True, id_type="int")
    first = libpysal.weights.W(
        {f"{i:03d}": [f"{j:03d}" for j in nb] for i, nb in first.neighbors.items()},
        silence_warnings=True,
    )
    ref = libpysal.weights.higher_order(first, k, lower_order=lower, silence_warnings=True)
    order = list(lat["code"])
    np.testing.assert_array_equal(_dense(w, order), _dense(ref, order))


def test_queen_order_two_on_a_lattice_by_hand():
    """Queen order 2 of the centre of a 5x5 lattice: the 16 cells of the outer ring."""
    w = build_weights(_lattice(5, 5), "code", "queen^2")
    assert sorted(w.neighbors["012"]) == sorted(
        f"{r * 5 + c:03d}" for r in range(5) for c in range(5) if max(abs(r - 2), abs(c - 2)) == 2
    )
    assert "012" not in w.neighbors["012"]


def test_links_are_refused_for_layers():
    with pytest.raises(ConfigError, match="coordination links of the database"):
        build_pairs(_lattice(2, 2), "code", "links")


def test_idw_refuses_coincident_centroids():
    gdf = _points(5)
    gdf = gdf.assign(geometry=[gdf.geometry.iloc[0]] * 2 + list(gdf.geometry.iloc[2:]))
    with pytest.raises(ConfigError, match="distance 0"):
        build_weights(gdf, "code", "idw:500000")


def test_transformations_by_closed_forms():
    w = build_weights(_points(), "code", "idw:250000:1")
    order = list(w.id_order)
    raw = _dense(w, order)
    has = raw.sum(axis=1) > 0
    np.testing.assert_allclose(_dense(transformed(w, "o"), order), raw)
    np.testing.assert_allclose(_dense(transformed(w, "b"), order), (raw > 0).astype(float))
    r = _dense(transformed(w, "r"), order)
    np.testing.assert_allclose(r[has], raw[has] / raw[has].sum(axis=1, keepdims=True))
    np.testing.assert_allclose(_dense(transformed(w, "d"), order), raw / raw.sum())
    q = np.zeros(len(order))
    q[has] = 1.0 / np.sqrt((raw[has] ** 2).sum(axis=1))
    v = raw * q[:, None]
    np.testing.assert_allclose(_dense(transformed(w, "v"), order), v * len(order) / v.sum())
    # the stored weights are untouched
    np.testing.assert_allclose(_dense(w, order), raw)
    with pytest.raises(ConfigError, match="row-standardised"):
        transformed(w, "x")


def test_report_of_a_rook_lattice_by_closed_form():
    """3x3 rook: 4 corners with 2, 4 edges with 3, the centre with 4; 24 links; one component."""
    rep = describe(build_weights(_lattice(3, 3), "code", "rook"))
    assert rep.histogram == {2: 4, 3: 4, 4: 1}
    assert rep.links == 2 * 4 + 3 * 4 + 4 == 24
    s = rep.summary
    assert (s["n"], s["min_neighbours"], s["max_neighbours"]) == (9, 2, 4)
    assert s["mean_neighbours"] == pytest.approx(24 / 9)
    assert s["median_neighbours"] == 3.0
    assert s["n_components"] == 1 and s["symmetric"] and rep.islands == ()
    assert rep.cardinalities["004"] == 4 and rep.cardinalities["000"] == 2


def test_report_islands_components_and_asymmetry():
    # two 2x2 blocks far apart plus an isolated square: components 4, 4, 1; one island
    a = _lattice(2, 2)
    b = _lattice(2, 2).translate(xoff=100_000)
    c = _lattice(1, 1).translate(xoff=200_000)
    gdf = gpd.GeoDataFrame(
        {"code": [f"a{k}" for k in range(4)] + [f"b{k}" for k in range(4)] + ["c0"]},
        geometry=list(a.geometry) + list(b.geometry) + list(c.geometry),
        crs=32649,
    )
    rep = describe(build_weights(gdf, "code", "queen"))
    assert rep.islands == ("c0",)
    assert [len(g) for g in rep.components] == [4, 4, 1]
    assert rep.components[0] == ("a0", "a1", "a2", "a3")
    assert rep.asymmetric == ()
    # knn:1 on three points on a line at 0, 1, 3 km: 0 -> 1, 1 -> 0, 3 -> 1 (one-way)
    pts = gpd.GeoDataFrame(
        {"code": ["x", "y", "z"]},
        geometry=[Point(500_000, 3_300_000), Point(501_000, 3_300_000), Point(503_000, 3_300_000)],
        crs=32649,
    )
    rep = describe(build_weights(pts, "code", "knn:1"))
    assert rep.asymmetric == ("z",)
    assert rep.histogram == {1: 3} and len(rep.components) == 1
    assert rep.summary["symmetric"] is False


def test_rook_and_queen_of_squares_by_hand():
    """Rook pairs of hand-made squares (metres, UTM 49N): shared edges with the same vertices
    (A-B, B-C) and a T-junction (D on A's top edge, no common vertex) are rook; a corner (A-C)
    is queen only, also when its vertex is repeated in both polygons (a zero-length edge in
    both, which is not a shared line)."""
    from shapely.geometry import Polygon

    x0, y0 = 500_000.0, 3_300_000.0

    def poly(*xy: tuple[float, float]) -> Polygon:
        return Polygon([(x0 + 1000 * x, y0 + 1000 * y) for x, y in xy])

    def layer(**geoms: Polygon) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame({"code": list(geoms)}, geometry=list(geoms.values()), crs=32649)

    squares = layer(
        A=poly((0, 0), (10, 0), (10, 10), (0, 10)),
        B=poly((10, 0), (20, 0), (20, 10), (10, 10)),
        C=poly((10, 10), (20, 10), (20, 20), (10, 20)),
        D=poly((3, 10), (7, 10), (7, 15), (3, 15)),
    )
    pairs = build_pairs(squares, "code", "rook:0")
    rook = {tuple(sorted(p)) for p in zip(pairs["i"], pairs["j"], strict=True)}
    assert rook == {("A", "B"), ("B", "C"), ("A", "D")}
    queen = build_pairs(squares, "code", "queen:0")
    assert {tuple(sorted(p)) for p in zip(queen["i"], queen["j"], strict=True)} == rook | {
        ("A", "C")
    }

    corner = layer(
        A=poly((0, 0), (10, 0), (10, 10), (10, 10), (0, 10)),
        C=poly((10, 10), (10, 10), (20, 10), (20, 20), (10, 20)),
    )
    assert len(build_pairs(corner, "code", "rook:0")) == 0
    assert len(build_pairs(corner, "code", "queen:0")) == 2
