"""Neighbour pairs by GEOS (through shapely), an implementation independent of PostGIS's."""

from __future__ import annotations

import shapely


def within_distance_pairs(
    geoms: object, ids: list[str], tol_m: float
) -> frozenset[tuple[str, str]]:
    """Ordered pairs of distinct polygons at most ``tol_m`` apart, by GEOS (shapely's STRtree
    with the exact ``dwithin`` predicate), independent of PostGIS's own distance code.

    libpysal's ``fuzzy_contiguity(buffering=True, buffer=tol_m / 2)`` asks the same question
    by buffering every polygon first (a polygonal approximation of the buffer, 3-4x slower on
    the full-resolution units); on the bundled prefectures both give the same pairs.

    Parameters
    ----------
    geoms : array of shapely geometries
        The polygons, in a metric CRS.
    ids : list of str
        Unit code of each polygon, in the same order.
    tol_m : float
        Largest distance of a pair, in the units of the CRS (metres).

    Returns
    -------
    frozenset of (str, str)
        Both orders of every pair.
    """
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=tol_m)
    return frozenset((ids[i], ids[j]) for i, j in zip(left, right, strict=True) if i != j)


def shared_vertex_pairs(geoms: object, ids: list[str]) -> frozenset[tuple[str, str]]:
    """Ordered pairs of distinct polygons that have an identical vertex (exactly equal
    coordinates); libpysal's ``Queen`` criterion, by sorting every vertex once.

    libpysal's ``Queen.from_dataframe`` walks the vertices in Python (~8 s on the 370
    full-resolution prefectures, this ~0.5 s); ``tests/test_views.py`` checks that both give
    the same pairs on the bundled provinces and Jing-Jin-Ji counties.

    Parameters
    ----------
    geoms : array of shapely geometries
        Polygons or multipolygons.
    ids : list of str
        Unit code of each geometry, in the same order.

    Returns
    -------
    frozenset of (str, str)
        Both orders of every pair.
    """
    import numpy as np

    xy, unit = shapely.get_coordinates(np.asarray(geoms), return_index=True)
    order = np.lexsort((unit, xy[:, 1], xy[:, 0]))
    xy, unit = xy[order], unit[order]
    new_point = np.r_[True, np.any(xy[1:] != xy[:-1], axis=1)]
    # one row per (point, unit): a ring's closing vertex and repeated vertices count once
    keep = new_point | np.r_[True, unit[1:] != unit[:-1]]
    point = np.cumsum(new_point)[keep] - 1
    unit = unit[keep]
    starts = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
    size = np.diff(np.r_[starts, len(point)])
    n = len(ids)
    two = starts[size == 2]  # most shared vertices lie on the border of exactly two units
    codes = set((unit[two].astype(np.int64) * n + unit[two + 1]).tolist())
    for s, k in zip(starts[size > 2], size[size > 2], strict=True):
        run = unit[s : s + k]
        codes |= {int(a) * n + int(b) for a in run for b in run if a != b}
    pairs = {(ids[c // n], ids[c % n]) for c in codes}
    return frozenset(pairs | {(b, a) for a, b in pairs})


def shared_edge_pairs(geoms: object, ids: list[str]) -> frozenset[tuple[str, str]]:
    """Ordered pairs of distinct polygons that have an identical edge: two consecutive
    vertices of one ring equal (exactly, in either order) two consecutive vertices of a ring
    of the other; libpysal's ``Rook`` criterion, by sorting every edge once.

    libpysal's ``Rook.from_dataframe`` walks the vertices in Python (~20 s on the 2,875
    full-resolution counties); ``tests/test_views.py`` checks that both give the same pairs
    on the bundled Jing-Jin-Ji counties (and they did on the provinces and prefectures when
    checked by hand).

    Parameters
    ----------
    geoms : array of shapely geometries
        Polygons or multipolygons.
    ids : list of str
        Unit code of each geometry, in the same order.

    Returns
    -------
    frozenset of (str, str)
        Both orders of every pair.
    """
    import numpy as np

    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, vertex_of = shapely.get_coordinates(rings, return_index=True)
    same_ring = vertex_of[1:] == vertex_of[:-1]
    a, b = xy[:-1][same_ring], xy[1:][same_ring]
    unit = part_of[ring_of[vertex_of[:-1][same_ring]]]
    # each edge as (lower endpoint, upper endpoint), endpoints ordered by (x, y)
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(swap[:, None], b, a)
    hi = np.where(swap[:, None], a, b)
    key = np.column_stack([lo, hi])
    order = np.lexsort((unit, key[:, 3], key[:, 2], key[:, 1], key[:, 0]))
    key, unit = key[order], unit[order]
    starts = np.flatnonzero(np.r_[True, np.any(key[1:] != key[:-1], axis=1)])
    size = np.diff(np.r_[starts, len(key)])
    # nearly every shared edge belongs to exactly two rings: pair them at once
    two = starts[size == 2]
    i, j = unit[two], unit[two + 1]
    n = len(ids)
    found = np.unique(i[i != j].astype(np.int64) * n + j[i != j])
    pairs = {(ids[c // n], ids[c % n]) for c in found} | {(ids[c % n], ids[c // n]) for c in found}
    many = size > 2  # an edge repeated in three or more rings (rare)
    for s, k in zip(starts[many], size[many], strict=True):
        run = np.unique(unit[s : s + k])
        pairs |= {(ids[a], ids[b]) for a in run for b in run if a != b}
    return frozenset(pairs)
