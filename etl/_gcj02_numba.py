"""Compiled kernels of :mod:`policylink.etl.gcj02` (numba; imported only when converting).

:func:`offset` repeats ``gcj02._offset`` for one point with the same floating-point operations
in the same order, so the compiled iteration gives bit-identical results to the numpy one
(``tests/test_etl_boundaries.py`` compares them); keep the two in step.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# The constants of gcj02 (not imported from it: gcj02 imports this module, and import cycles
# are not allowed); a difference fails the test that compares the two iterations.
_A = 6378245.0
_EE = 0.00669342162296594323
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271


@njit(cache=True, inline="always")
def offset(lon: float, lat: float) -> tuple[float, float]:
    """``gcj02._offset`` for one point: the same operations in the same order."""
    if not (lon >= _LON_MIN and lon <= _LON_MAX and lat >= _LAT_MIN and lat <= _LAT_MAX):
        return 0.0, 0.0
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * math.sqrt(abs(x))
        + common
        + (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * math.sin(y / 12.0 * pi) + 320.0 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * math.sqrt(abs(x))
        + common
        + (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * pi
    s = math.sin(radlat)
    magic = 1.0 - _EE * (s * s)
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(radlat) * pi)
    return dlon, dlat


@njit(cache=True)
def step(g_lon: np.ndarray, g_lat: np.ndarray, w_lon: np.ndarray, w_lat: np.ndarray) -> float:
    """One step ``w <- w - (F(w) - g)`` for every point, in place.

    Returns the largest absolute correction, NaN if a correction is NaN (as numpy's max: the
    iteration then never converges).
    """
    worst = 0.0
    for i in range(g_lon.shape[0]):
        dlon, dlat = offset(w_lon[i], w_lat[i])
        e_lon = (w_lon[i] + dlon) - g_lon[i]
        e_lat = (w_lat[i] + dlat) - g_lat[i]
        w_lon[i] = w_lon[i] - e_lon
        w_lat[i] = w_lat[i] - e_lat
        if e_lon != e_lon or e_lat != e_lat:
            worst = math.nan
        elif worst == worst:
            worst = max(worst, abs(e_lon), abs(e_lat))
    return worst


@njit(cache=True)
def distinct(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``(a, b)`` int64 pairs (hash table): first index of each, and each pair's number.

    Returns ``(first, inverse)`` with ``a[first[inverse]] == a`` (and the same for ``b``).
    """
    n = a.shape[0]
    bits = 1
    while (1 << bits) < 2 * n:
        bits += 1
    size = 1 << bits
    shift = np.uint64(64 - bits)
    table = np.full(size, -1, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    inverse = np.empty(n, dtype=np.int64)
    m = 0
    for i in range(n):
        # multiplicative (Fibonacci) hash of the two bit patterns, top bits; uint64 wraps
        h = (np.uint64(a[i]) * np.uint64(0x9E3779B97F4A7C15)) ^ (
            np.uint64(b[i]) * np.uint64(0xC2B2AE3D27D4EB4F)
        )
        slot = np.int64(h >> shift)
        while True:
            j = table[slot]
            if j < 0:
                table[slot] = m
                first[m] = i
                inverse[i] = m
                m += 1
                break
            k = first[j]
            if a[k] == a[i] and b[k] == b[i]:
                inverse[i] = j
                break
            slot = (slot + 1) & (size - 1)
    return first[:m].copy(), inverse
