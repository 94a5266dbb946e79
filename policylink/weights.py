"""One definition per weights kind, built the same way from the database or from any layer.

The kinds (``WeightsSpec``):

``queen`` / ``rook``
    Contiguity with a gap tolerance in metres (default :data:`GAP_TOLERANCE_M` = 1 m, 0 allowed):
    two units are queen neighbours when their polygons touch, overlap or lie within the
    tolerance of each other; rook neighbours when they share a boundary line (for a gap pair:
    when more than twice the tolerance of one boundary lies within the tolerance of the other).
    This is the rule of the SQL function ``contiguity_pairs`` and of the views ``w_queen`` /
    ``w_rook`` (sql/views/21_contiguity.sql), which hold it for the database; the Python builder
    below is its twin for layers and files.
``knn:K``
    The K nearest units by centroid distance, ties at the K-th distance broken by unit id (SQL
    function ``w_knn``).
``distance:METRES``
    Units whose centroids lie within METRES (SQL function ``w_distance``).

Distances and tolerances are always in metres on an equal-area projection, whatever the layer's
CRS: China Albers (the projection of ``admin_unit.geom_eq``, :data:`CHINA_ALBERS`) for layers
inside China's extent, else a Lambert azimuthal equal-area projection centred on the layer. A
layer without a CRS is refused (metres cannot be known). Weights are binary here; the
analyses apply the libpysal transformation (``r``, ``b``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from policylink.errors import ConfigError, InputError, Problem

#: Gap tolerance of contiguity in metres (the ``w_queen`` / ``w_rook`` views use the same).
GAP_TOLERANCE_M: float = 1.0
#: China Albers equal-area projection of ``admin_unit.geom_eq`` (SRID 990001 in the database).
CHINA_ALBERS: str = (
    "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
)
#: Longitude / latitude box in which a layer is projected with :data:`CHINA_ALBERS`.
CHINA_BOX: tuple[float, float, float, float] = (70.0, 0.0, 140.0, 56.0)
KINDS = ("queen", "rook", "knn", "distance")


@dataclass(frozen=True)
class WeightsSpec:
    """A weights kind with its parameters.

    Attributes
    ----------
    kind : {'queen', 'rook', 'knn', 'distance'}
        Weights family.
    k : int or None
        Number of neighbours for ``knn``.
    band_m : float or None
        Distance band in metres for ``distance``.
    tolerance_m : float
        Gap tolerance in metres for ``queen`` / ``rook`` (0 = polygons must touch).
    """

    kind: str
    k: int | None = None
    band_m: float | None = None
    tolerance_m: float = GAP_TOLERANCE_M

    @classmethod
    def parse(cls, text: str, tolerance_m: float | None = None) -> WeightsSpec:
        """Parse ``queen``, ``rook``, ``queen:TOL_M``, ``knn:K`` or ``distance:METRES``.

        Parameters
        ----------
        text : str
            The specification.
        tolerance_m : float, optional
            Gap tolerance for contiguity when ``text`` does not give one.

        Returns
        -------
        WeightsSpec

        Raises
        ------
        ConfigError
            For anything else.
        """
        t = str(text).strip().lower()
        tol = GAP_TOLERANCE_M if tolerance_m is None else float(tolerance_m)
        m = re.fullmatch(r"(queen|rook)(?::(\d+(?:\.\d*)?))?", t)
        if m:
            if m.group(2) is not None:
                tol = float(m.group(2))
            if not np.isfinite(tol) or tol < 0:
                raise ConfigError(f"gap tolerance {tol!r}: use a distance in metres >= 0")
            return cls(m.group(1), tolerance_m=tol)
        m = re.fullmatch(r"knn:(\d+)", t)
        if m and int(m.group(1)) > 0:
            return cls("knn", k=int(m.group(1)))
        m = re.fullmatch(r"distance:(\d+(?:\.\d*)?)", t)
        if m and float(m.group(1)) > 0:
            return cls("distance", band_m=float(m.group(1)))
        raise ConfigError(
            f"weights kind {text!r}: use queen, rook (optionally queen:TOLERANCE_M), "
            "knn:K (K >= 1) or distance:METRES (> 0)"
        )

    @property
    def contiguity(self) -> bool:
        """True for queen / rook."""
        return self.kind in ("queen", "rook")

    def __str__(self) -> str:
        if self.kind == "knn":
            return f"knn:{self.k}"
        if self.kind == "distance":
            return f"distance:{self.band_m:g}"
        if self.tolerance_m != GAP_TOLERANCE_M:
            return f"{self.kind}:{self.tolerance_m:g}"
        return self.kind

    def describe(self) -> str:
        """Human-readable description for titles and result metadata."""
        if self.kind == "knn":
            return f"{self.k} nearest neighbours (centroids, equal-area metres)"
        if self.kind == "distance":
            return f"distance band {self.band_m:g} m (centroids, equal-area metres)"
        return f"{self.kind} contiguity (gap tolerance {self.tolerance_m:g} m)"


def as_spec(kind: str | WeightsSpec) -> WeightsSpec:
    """Return ``kind`` as a :class:`WeightsSpec` (parsing text).

    Parameters
    ----------
    kind : str or WeightsSpec
        A spec or its text form.

    Returns
    -------
    WeightsSpec
    """
    return kind if isinstance(kind, WeightsSpec) else WeightsSpec.parse(kind)


def equal_area(gdf: Any, source: str = "layer") -> Any:
    """Project a GeoDataFrame to the equal-area CRS used for weights (metres).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Units with a CRS.
    source : str
        Name of the input for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        China Albers inside China's extent, else Lambert azimuthal equal-area at the centre.

    Raises
    ------
    InputError
        The layer has no CRS.
    """
    if gdf.crs is None:
        raise InputError(
            [
                Problem(
                    source,
                    None,
                    "geometry",
                    None,
                    "the layer has no coordinate reference system: distances in metres cannot "
                    "be known; set its CRS (e.g. EPSG:4326) and try again",
                )
            ]
        )
    geo = gdf.to_crs(4326)
    x0, y0, x1, y1 = geo.total_bounds
    bx0, by0, bx1, by1 = CHINA_BOX
    if bx0 <= x0 and x1 <= bx1 and by0 <= y0 and y1 <= by1:
        return gdf.to_crs(CHINA_ALBERS)
    lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    return gdf.to_crs(f"+proj=laea +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m")


def _check_units(gdf: Any, id_col: str, source: str) -> list[str]:
    """Ids as text; duplicate ids or empty geometries are input errors."""
    if id_col not in gdf.columns:
        raise InputError([Problem(source, None, id_col, None, "id field not found in the layer")])
    ids = gdf[id_col].astype(str).str.strip().tolist()
    seen: set[str] = set()
    for n, code in enumerate(ids):
        if code in seen:
            raise InputError([Problem(source, n + 1, id_col, code, "duplicate unit id")])
        seen.add(code)
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        n = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError([Problem(source, n + 1, "geometry", ids[n], "empty geometry")])
    return ids


def _contiguity_pairs(geoms: Any, spec: WeightsSpec) -> list[tuple[int, int]]:
    """Index pairs (i < j) of neighbours among projected polygons (the SQL rule)."""
    import shapely

    arr = np.asarray(geoms, dtype=object)
    tol = float(spec.tolerance_m)
    tree = shapely.STRtree(arr)
    if tol > 0:
        left, right = tree.query(arr, predicate="dwithin", distance=tol)
    else:
        left, right = tree.query(arr, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if spec.kind == "queen" or len(left) == 0:
        return list(zip(left.tolist(), right.tolist(), strict=True))
    a, b = arr[left], arr[right]
    gap = shapely.distance(a, b)
    touching = gap == 0
    rook = np.zeros(len(left), dtype=bool)
    if touching.any():
        # DE-9IM: interiors overlap in 2-D ('2' first) or boundaries share a line ('1' fifth)
        rel = shapely.relate(a[touching], b[touching])
        rook[touching] = [m[0] == "2" or m[4] == "1" for m in rel]
    near = ~touching
    if near.any():
        near_len = shapely.length(
            shapely.intersection(shapely.boundary(a[near]), shapely.buffer(b[near], tol))
        )
        rook[near] = near_len > 2 * tol
    return list(zip(left[rook].tolist(), right[rook].tolist(), strict=True))


def _centroids(gdf_ea: Any) -> np.ndarray:
    c = gdf_ea.geometry.centroid
    return np.column_stack([c.x.to_numpy(), c.y.to_numpy()])


def centroids_km(gdf: Any, id_col: str, source: str = "layer") -> Any:
    """Unit centroids in km on the equal-area projection of the weights (for distance cutoffs).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Units with a CRS (or a GeoDataFrame indexed by id when ``id_col`` is not a column).
    id_col : str
        Unit id field.
    source : str
        Input name for messages.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit id (text), columns ``x_km``, ``y_km``.

    Raises
    ------
    InputError
        Missing id field, duplicate ids, empty geometries or no CRS.
    """
    import pandas as pd

    frame = gdf if id_col in gdf.columns else gdf.reset_index(names=id_col)
    ids = _check_units(frame, id_col, source)
    xy = _centroids(equal_area(frame, source)) / 1000.0
    return pd.DataFrame({"x_km": xy[:, 0], "y_km": xy[:, 1]}, index=pd.Index(ids, name=id_col))


def build_pairs(gdf: Any, id_col: str, kind: str | WeightsSpec, source: str = "layer") -> Any:
    """Neighbour pairs of a layer by the one rule of each kind (see the module docstring).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Units (polygons for contiguity; polygons or points for knn / distance) with a CRS.
    id_col : str
        Unit id field.
    kind : str or WeightsSpec
        Weights kind.
    source : str
        Input name for messages.

    Returns
    -------
    pandas.DataFrame
        Columns ``i, j, weight, distance_m`` (binary; both directions for symmetric kinds),
        sorted by ``i, j`` -- the same columns as :func:`policylink.dbread.read_pairs`.

    Raises
    ------
    InputError
        Missing id field, duplicate ids, empty geometries, no CRS, or contiguity asked of points.
    """
    import pandas as pd
    from scipy.spatial import cKDTree

    spec = as_spec(kind)
    ids = _check_units(gdf, id_col, source)
    gtypes = set(gdf.geometry.geom_type.dropna())
    if spec.contiguity and not gtypes <= {"Polygon", "MultiPolygon"}:
        raise InputError(
            [
                Problem(
                    source,
                    None,
                    "geometry",
                    ", ".join(sorted(gtypes)),
                    f"{spec.kind} contiguity needs polygons; for points choose knn:K or "
                    "distance:METRES weights",
                )
            ]
        )
    ea = equal_area(gdf, source)
    rows: list[tuple[str, str, float, float]] = []
    if spec.contiguity:
        for i, j in _contiguity_pairs(ea.geometry.to_numpy(), spec):
            rows += [(ids[i], ids[j], 1.0, np.nan), (ids[j], ids[i], 1.0, np.nan)]
    else:
        xy = _centroids(ea)
        tree = cKDTree(xy)
        n = len(ids)
        if spec.kind == "knn":
            if spec.k >= n:
                raise ConfigError(
                    f"knn:{spec.k} needs more than {spec.k} units (the layer has {n})"
                )
            kq = min(n, spec.k + 9)
            dist, idx = tree.query(xy, k=kq)
            for a in range(n):
                cand = sorted(
                    ((float(d), ids[b]) for d, b in zip(dist[a], idx[a], strict=True) if b != a),
                )[: spec.k]
                rows += [(ids[a], code, 1.0, d) for d, code in cand]
        else:
            for a, b in tree.query_pairs(spec.band_m, output_type="ndarray"):
                d = float(np.hypot(*(xy[a] - xy[b])))
                rows += [(ids[a], ids[b], 1.0, d), (ids[b], ids[a], 1.0, d)]
    frame = pd.DataFrame(rows, columns=["i", "j", "weight", "distance_m"])
    return frame.sort_values(["i", "j"], ignore_index=True)


def pairs_to_w(pairs: Any, ids: Sequence[str], transform: str | None = None) -> Any:
    """Turn neighbour pairs into a libpysal ``W`` over ``ids`` (islands kept with no neighbours).

    Parameters
    ----------
    pairs : pandas.DataFrame
        Columns ``i, j, weight``.
    ids : sequence of str
        Id order of the result; pairs outside it are dropped (induced sub-graph).
    transform : str, optional
        libpysal transformation to apply; None keeps the stored (binary) weights.

    Returns
    -------
    libpysal.weights.W
    """
    import libpysal

    order = [str(c) for c in ids]
    keep = set(order)
    neighbors: dict[str, list[str]] = {c: [] for c in order}
    weights: dict[str, list[float]] = {c: [] for c in order}
    for i, j, wt in pairs[["i", "j", "weight"]].itertuples(index=False):
        if i in keep and j in keep:
            neighbors[i].append(j)
            weights[i].append(float(wt))
    w = libpysal.weights.W(neighbors, weights, id_order=order, silence_warnings=True)
    if transform is not None:
        w.transform = transform
    return w


def build_weights(
    gdf: Any,
    id_col: str,
    kind: str | WeightsSpec = "queen",
    *,
    source: str = "layer",
    transform: str | None = None,
) -> Any:
    """Weights of a layer by the one rule of each kind, as a libpysal ``W`` (ids = ``id_col``).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Units with a CRS.
    id_col : str
        Unit id field (ids become text).
    kind : str or WeightsSpec
        Weights kind (see the module docstring).
    source : str
        Input name for messages.
    transform : str, optional
        libpysal transformation; None = binary.

    Returns
    -------
    libpysal.weights.W
        ``id_order`` follows the layer's feature order.
    """
    pairs = build_pairs(gdf, id_col, kind, source)
    return pairs_to_w(pairs, gdf[id_col].astype(str).str.strip().tolist(), transform)
