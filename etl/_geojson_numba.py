"""Compiled scanner of :mod:`policylink.etl.geojson_arrays` (numba; imported only when reading).

:func:`scan` reads the ``coordinates`` arrays of many Polygon / MultiPolygon geometries in one
pass: the nesting of the brackets gives the parts (depth 1 a geometry, 2 a polygon, 3 a ring, 4
a position) and each number is read by Clinger's fast path: its digits as an integer ``M`` and
its count of decimals ``k``; when ``M < 2**53`` and ``k <= 22`` both are exact doubles and
``M / 10**k`` is one correctly rounded division, which is the double nearest the decimal
number: what a correctly rounding ``strtod`` returns (glibc's, GEOS's reader). Anything outside
it (an exponent, digits making M >= 2**53, a stray character, a position without exactly two
numbers separated by one comma) stops the scan, and the caller falls back to GEOS.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_POW10 = np.array([10.0**i for i in range(23)])  # 1e0 ... 1e22, all exact doubles
_EXACT = 2**53


@njit(cache=True)
def scan(text: np.ndarray) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read bracket-nested coordinate arrays (``uint8`` text) into positions and part counts.

    Returns
    -------
    (ok, xy, per_ring, per_poly, per_geom)
        ``ok`` False when the text is outside what the scanner reads (then the rest is empty);
        ``xy`` the ``(n, 2)`` positions; the number of positions per ring, rings per polygon
        and polygons per geometry.
    """
    n = text.shape[0]
    opens = 0
    for i in range(n):
        if text[i] == 91:  # [
            opens += 1
    xy = np.empty((opens, 2))
    per_ring = np.zeros(opens, dtype=np.int64)
    per_poly = np.zeros(opens, dtype=np.int64)
    per_geom = np.zeros(opens, dtype=np.int64)
    fail = (False, xy[:0], per_ring[:0], per_poly[:0], per_geom[:0])
    depth = 0
    g = p = r = q = -1  # current geometry, polygon, ring, position
    k = 0  # numbers read in the current position
    comma = False  # a comma read since the last number of the position
    i = 0
    while i < n:
        c = text[i]
        if c == 91:  # [
            depth += 1
            if depth == 1:
                g += 1
            elif depth == 2:
                p += 1
                per_geom[g] += 1
            elif depth == 3:
                r += 1
                per_poly[p] += 1
            elif depth == 4:
                q += 1
                per_ring[r] += 1
                k = 0
                comma = False
            else:
                return fail
            i += 1
        elif c == 93:  # ]
            if depth == 4 and k != 2:
                return fail
            depth -= 1
            if depth < 0:
                return fail
            i += 1
        elif c == 44:  # ,
            if depth == 4:
                if k != 1 or comma:
                    return fail
                comma = True
            i += 1
        elif c == 32 or c == 10 or c == 13 or c == 9:  # JSON whitespace
            i += 1
        elif c == 45 or (c >= 48 and c <= 57):  # - or a digit: a number
            if depth != 4 or k > 1 or (k == 1 and not comma):
                return fail
            negative = c == 45
            if negative:
                i += 1
            mantissa = 0
            digits = 0
            decimals = 0
            point = False
            while i < n:
                c = text[i]
                if c >= 48 and c <= 57:
                    mantissa = mantissa * 10 + (c - 48)
                    digits += 1
                    if point:
                        decimals += 1
                    if digits > 18:  # int64 stays exact to 18 digits; the test below needs it
                        return fail
                elif c == 46 and not point:  # .
                    point = True
                else:
                    break
                i += 1
            if digits == 0 or mantissa >= _EXACT or decimals > 22:
                return fail
            if i < n and (text[i] == 101 or text[i] == 69):  # e E: leave exponents to GEOS
                return fail
            value = mantissa / _POW10[decimals]
            xy[q, k] = -value if negative else value
            k += 1
            comma = False
        else:
            return fail
    if depth != 0:
        return fail
    return True, xy[: q + 1], per_ring[: r + 1], per_poly[: p + 1], per_geom[: g + 1]
