"""One definition per weights kind: built in SQL (the views) or in Python (layers), the same pairs.

The database builds contiguity, kNN and distance-band weights with the views of
sql/views/21_contiguity.sql and 22_weights.sql; a layer or file gets them from
:func:`policylink.weights.build_pairs`. On the 370 real prefecture-level units of the bundled
boundaries (read back from the database as a WGS 84 layer, as QGIS or a file would hand them
over) every kind must give the same ordered neighbour pairs, whatever the layer's CRS.
"""

from __future__ import annotations

import psycopg
import pytest

from policylink import dbread
from policylink.errors import InputError
from policylink.weights import WeightsSpec, build_pairs, build_weights

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prefectures(bundled_url):
    with psycopg.connect(bundled_url) as conn:
        return dbread.read_units(conn, "prefecture")


def _pairs(frame) -> set[tuple[str, str]]:
    return set(zip(frame["i"], frame["j"], strict=True))


@pytest.mark.parametrize(
    "kind",
    [
        "queen",
        "rook",
        "knn:5",
        "distance:150000",
        "queen^2",
        "rook^1-2",
        "idw:150000:2",
        "kernel:5",
    ],
)
def test_python_rule_equals_the_views(bundled_url, prefectures, kind):
    with psycopg.connect(bundled_url) as conn:
        sql = _pairs(dbread.read_pairs(conn, kind, "prefecture"))
    py = _pairs(build_pairs(prefectures, "code", kind, source="prefectures"))
    assert len(sql) > 0
    assert py == sql, (sorted(py - sql)[:5], sorted(sql - py)[:5])


def test_the_rule_does_not_depend_on_the_layer_crs(prefectures):
    """The same units in Web Mercator give the same pairs as in WGS 84 (metres are equal-area).

    On the prefectures of five provinces from Beijing to Inner Mongolia (97-126 E, 35-53 N,
    where Web Mercator's scale varies by 1.4x); the whole nation took 5 s for the same check."""
    north = prefectures[prefectures["code"].str[:2].isin(["11", "12", "13", "14", "15"])]
    assert len(north) == 36
    for kind in ("queen", "knn:4", "distance:100000"):
        a = _pairs(build_pairs(north, "code", kind))
        b = _pairs(build_pairs(north.to_crs(3857), "code", kind))
        # (distance:100000 gives 26 ordered pairs here; raw Mercator metres would give 4)
        assert a == b and len(a) > 20, kind


def test_zero_tolerance_equals_the_sql_function(bundled_url, prefectures):
    """queen:0 (polygons must touch) = contiguity_pairs(level, 0) through dbread; never more
    pairs than the 1 m tolerance of the views."""
    spec = WeightsSpec.parse("queen:0")
    with psycopg.connect(bundled_url) as conn:
        sql = _pairs(dbread.read_pairs(conn, spec, "prefecture", "130000"))
        tolerant = _pairs(dbread.read_pairs(conn, "queen", "prefecture", "130000"))
    hebei = prefectures[prefectures["code"].str.startswith("13")]
    assert _pairs(build_pairs(hebei, "code", spec)) == sql
    assert sql <= tolerant


@pytest.mark.parametrize("kind", ["rook:0", "rook:50", "queen:50"])
def test_other_tolerances_equal_the_sql_function_on_counties(bundled_url, kind):
    """A tolerance other than the views' through dbread (contiguity_pairs, with the contact
    test only for rook) and through a layer: the same pairs on Hebei's counties."""
    with psycopg.connect(bundled_url) as conn:
        sql = _pairs(dbread.read_pairs(conn, kind, "county", "130000"))
        counties = dbread.read_units(conn, "county", "130000")
    assert len(counties) > 150 and len(sql) > 600
    assert _pairs(build_pairs(counties, "code", kind)) == sql


def test_layers_that_cannot_give_metres_or_contiguity_are_refused(prefectures):
    no_crs = prefectures.set_crs(None, allow_override=True)
    with pytest.raises(InputError, match="coordinate reference system"):
        build_weights(no_crs, "code", "queen")
    points = prefectures.assign(geometry=prefectures.geometry.representative_point())
    with pytest.raises(InputError, match="needs polygons"):
        build_weights(points, "code", "queen")
    # points are fine for kNN and distance bands
    assert build_weights(points, "code", "knn:3").n == len(points)


@pytest.mark.parametrize("kind", ["idw:150000:2", "kernel:6:gaussian", "kernel:fixed:120000"])
def test_weighted_kinds_have_the_same_values_from_the_views_and_a_layer(
    bundled_url, prefectures, kind
):
    with psycopg.connect(bundled_url) as conn:
        sql = dbread.read_pairs(conn, kind, "prefecture")
    py = build_pairs(prefectures, "code", kind, source="prefectures")
    assert list(zip(sql["i"], sql["j"], strict=True)) == list(zip(py["i"], py["j"], strict=True))
    assert (sql["weight"] > 0).all()
    # ST_Distance in PostGIS and numpy's hypot differ in the last bits only
    assert sql["weight"].to_numpy() == pytest.approx(py["weight"].to_numpy(), rel=1e-9)


def test_link_weights_are_the_coordination_link_pairs(bundled_url):
    """``links`` = one neighbour pair per linked unordered pair of the link view, both ways."""
    with psycopg.connect(bundled_url) as conn:
        pairs = dbread.read_pairs(conn, "links", "prefecture")
        with conn.cursor() as cur:
            cur.execute(
                "SELECT DISTINCT least(code_a, code_b), greatest(code_a, code_b) "
                "FROM coordination_link_summary_at(p_level => %s) WHERE code_a <> code_b",
                ("prefecture",),
            )
            expected = {p for a, b in cur.fetchall() for p in ((a, b), (b, a))}
        w = dbread.read_weights(conn, "links", "prefecture")
    assert len(expected) > 0
    assert _pairs(pairs) == expected
    assert set(pairs["weight"]) == {1.0}
    assert w.n == len(dbread.unit_codes(bundled_url, "prefecture"))
