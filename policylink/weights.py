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
``queen^2``, ``rook^1-3`` (higher-order contiguity), ``idw:METRES[:POWER]``, ``kernel:K[:F]``,
``kernel:fixed:METRES[:F]``
    Derived from the pairs of the kinds above by :func:`derive_pairs` (one Python rule for the
    database and for layers; see :class:`WeightsSpec`).
``links``
    The coordination-link network (``coordination_link_summary_at``), from the database only.

Distances and tolerances are always in metres on an equal-area projection, whatever the layer's
CRS: China Albers (the projection of ``admin_unit.geom_eq``, :data:`CHINA_ALBERS`) for layers
inside China's extent, else a Lambert azimuthal equal-area projection centred on the layer. A
layer without a CRS is refused (metres cannot be known). Weights are stored untransformed
(binary, inverse distances or kernel values); the analyses apply the libpysal transformation
(:data:`TRANSFORMS`) chosen apart. :func:`describe` reports the connectivity.
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
KINDS = ("queen", "rook", "knn", "distance", "idw", "kernel", "links")
#: Kernel functions of ``kernel:...`` weights (Anselin and Rey 2014, p. 78; libpysal's names).
KERNEL_FUNCTIONS = ("triangular", "uniform", "quadratic", "quartic", "gaussian")
#: Adaptive kernel bandwidth = K-th neighbour distance x this factor (libpysal's ``eps``), so
#: the K-th neighbour keeps a small positive weight.
KERNEL_EPS: float = 1.0000001
#: Weights transformations, as libpysal names them: r row-standardised, b binary, v variance
#: stabilising, d doubly standardised, o original (the stored values, e.g. inverse distances).
TRANSFORMS = ("r", "b", "v", "d", "o")

_NUM = r"(\d+(?:\.\d*)?)"
_HELP = (
    "use queen or rook (optionally ^ORDER or ^LOW-HIGH for higher-order contiguity and "
    ":TOLERANCE_M, e.g. queen^2, rook^1-3:0), knn:K, distance:METRES, idw:METRES[:POWER], "
    "kernel:K[:FUNCTION] (adaptive bandwidth), kernel:fixed:METRES[:FUNCTION] or links; "
    "FUNCTION is one of " + ", ".join(KERNEL_FUNCTIONS)
)


@dataclass(frozen=True)
class WeightsSpec:
    """A weights kind with its parameters (the neighbour set and its values, never the transformation).

    Grammar (the one parser, :meth:`parse`)::

        queen | rook [^ORDER | ^LOW-HIGH] [:TOLERANCE_M]
        knn:K
        distance:METRES
        idw:METRES[:POWER]                   w_ij = d_ij ** -POWER within METRES (POWER 1)
        kernel:K[:FUNCTION]                  adaptive: h_i = distance of i's K-th neighbour
        kernel:fixed:METRES[:FUNCTION]       fixed bandwidth h = METRES
        links                                coordination links (database only)

    Attributes
    ----------
    kind : {'queen', 'rook', 'knn', 'distance', 'idw', 'kernel', 'links'}
        Weights family.
    k : int or None
        Number of neighbours for ``knn`` and adaptive ``kernel``.
    band_m : float or None
        Distance band in metres for ``distance`` and ``idw``; bandwidth of a fixed ``kernel``.
    tolerance_m : float
        Gap tolerance in metres for ``queen`` / ``rook`` (0 = polygons must touch).
    order : int
        Highest contiguity order (1 = first-order neighbours).
    low_order : int
        Lowest contiguity order kept: ``queen^2`` keeps exactly order 2 (libpysal
        ``higher_order(w, 2)``), ``queen^1-2`` orders 1 and 2 (``lower_order=True``).
    power : float
        Distance-decay exponent of ``idw``.
    function : str
        Kernel function of ``kernel`` (:data:`KERNEL_FUNCTIONS`).
    """

    kind: str
    k: int | None = None
    band_m: float | None = None
    tolerance_m: float = GAP_TOLERANCE_M
    order: int = 1
    low_order: int = 1
    power: float = 1.0
    function: str = "triangular"

    @classmethod
    def parse(cls, text: str, tolerance_m: float | None = None) -> WeightsSpec:
        """Parse a weights kind (grammar in the class docstring).

        Parameters
        ----------
        text : str
            The specification, e.g. ``queen``, ``queen^2``, ``knn:6``, ``idw:200000:2``,
            ``kernel:8:gaussian``, ``kernel:fixed:150000``, ``links``.
        tolerance_m : float, optional
            Gap tolerance for contiguity when ``text`` does not give one.

        Returns
        -------
        WeightsSpec

        Raises
        ------
        ConfigError
            For anything else, naming what would be accepted.
        """
        t = str(text).strip().lower()
        tol = GAP_TOLERANCE_M if tolerance_m is None else float(tolerance_m)
        m = re.fullmatch(r"(queen|rook)(?:\^(\d+)(?:-(\d+))?)?(?::" + _NUM + ")?", t)
        if m:
            if m.group(4) is not None:
                tol = float(m.group(4))
            if not np.isfinite(tol) or tol < 0:
                raise ConfigError(f"gap tolerance {tol!r}: use a distance in metres >= 0")
            lo = hi = 1
            if m.group(2) is not None:
                lo = hi = int(m.group(2))
                if m.group(3) is not None:
                    hi = int(m.group(3))
            if not 1 <= lo <= hi:
                raise ConfigError(
                    f"weights kind {text!r}: contiguity orders must be 1 <= LOW <= HIGH; {_HELP}"
                )
            return cls(m.group(1), tolerance_m=tol, order=hi, low_order=lo)
        m = re.fullmatch(r"knn:(\d+)", t)
        if m and int(m.group(1)) > 0:
            return cls("knn", k=int(m.group(1)))
        m = re.fullmatch(r"distance:" + _NUM, t)
        if m and float(m.group(1)) > 0:
            return cls("distance", band_m=float(m.group(1)))
        m = re.fullmatch(r"idw:" + _NUM + r"(?::" + _NUM + ")?", t)
        if m and float(m.group(1)) > 0 and (m.group(2) is None or float(m.group(2)) > 0):
            return cls("idw", band_m=float(m.group(1)), power=float(m.group(2) or 1.0))
        funcs = "|".join(KERNEL_FUNCTIONS)
        m = re.fullmatch(r"kernel:(\d+)(?::(" + funcs + "))?", t)
        if m and int(m.group(1)) > 0:
            return cls("kernel", k=int(m.group(1)), function=m.group(2) or "triangular")
        m = re.fullmatch(r"kernel:fixed:" + _NUM + r"(?::(" + funcs + "))?", t)
        if m and float(m.group(1)) > 0:
            return cls("kernel", band_m=float(m.group(1)), function=m.group(2) or "triangular")
        if t == "links":
            return cls("links")
        raise ConfigError(f"weights kind {text!r}: {_HELP}")

    @property
    def contiguity(self) -> bool:
        """True for queen / rook (of any order)."""
        return self.kind in ("queen", "rook")

    @property
    def binary(self) -> bool:
        """True when every stored weight is 1 (all kinds but ``idw`` and ``kernel``)."""
        return self.kind not in ("idw", "kernel")

    @property
    def base(self) -> WeightsSpec:
        """The neighbour set the database views and :func:`build_pairs` build directly.

        First-order contiguity for higher orders, ``distance:METRES`` for ``idw`` and a fixed
        kernel, ``knn:K`` for an adaptive kernel; the spec itself otherwise. :func:`derive_pairs`
        turns the base pairs into this kind, so the database and a layer share one rule.
        """
        if self.contiguity and self.order > 1:
            return WeightsSpec(self.kind, tolerance_m=self.tolerance_m)
        if self.kind == "idw" or (self.kind == "kernel" and self.k is None):
            return WeightsSpec("distance", band_m=self.band_m)
        if self.kind == "kernel":
            return WeightsSpec("knn", k=self.k)
        return self

    @property
    def derived(self) -> bool:
        """True when the pairs are derived from :attr:`base` by :func:`derive_pairs`."""
        return self.base != self

    def __str__(self) -> str:
        if self.kind == "knn":
            return f"knn:{self.k}"
        if self.kind == "distance":
            return f"distance:{self.band_m:g}"
        if self.kind == "idw":
            return f"idw:{self.band_m:g}" + (f":{self.power:g}" if self.power != 1.0 else "")
        if self.kind == "kernel":
            head = f"kernel:{self.k}" if self.k is not None else f"kernel:fixed:{self.band_m:g}"
            return head + (f":{self.function}" if self.function != "triangular" else "")
        if self.kind == "links":
            return "links"
        out = self.kind
        if self.order > 1:
            out += (
                f"^{self.order}"
                if self.low_order == self.order
                else f"^{self.low_order}-{self.order}"
            )
        if self.tolerance_m != GAP_TOLERANCE_M:
            out += f":{self.tolerance_m:g}"
        return out

    def describe(self) -> str:
        """Human-readable description for titles and result metadata."""
        if self.kind == "knn":
            return f"{self.k} nearest neighbours (centroids, equal-area metres)"
        if self.kind == "distance":
            return f"distance band {self.band_m:g} m (centroids, equal-area metres)"
        if self.kind == "idw":
            return f"inverse distance ^{self.power:g} within {self.band_m:g} m (centroids)"
        if self.kind == "kernel":
            bw = (
                f"adaptive bandwidth ({self.k} nearest)"
                if self.k is not None
                else f"fixed bandwidth {self.band_m:g} m"
            )
            return f"{self.function} kernel, {bw} (centroids, equal-area metres)"
        if self.kind == "links":
            return "coordination-link network (units linked by policy events)"
        orders = ""
        if self.order > 1:
            orders = (
                f" of order {self.order}"
                if self.low_order == self.order
                else f" of orders {self.low_order}-{self.order}"
            )
        return f"{self.kind} contiguity{orders} (gap tolerance {self.tolerance_m:g} m)"


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
        The layer has no CRS, or its coordinates cannot be in that CRS (metres in a
        geographic CRS, or coordinates that reproject outside the globe).
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
    crs_name = gdf.crs.to_string()
    if gdf.crs.is_geographic:
        _check_degrees(gdf.total_bounds, source, crs_name, reprojected=False)
    geo = gdf.to_crs(4326)
    # a projected CRS whose coordinates do not fit it (e.g. degrees under a UTM claim) ends
    # outside the globe or at infinity here
    _check_degrees(geo.total_bounds, source, crs_name, reprojected=True)
    x0, y0, x1, y1 = geo.total_bounds
    bx0, by0, bx1, by1 = CHINA_BOX
    if bx0 <= x0 and x1 <= bx1 and by0 <= y0 and y1 <= by1:
        return gdf.to_crs(CHINA_ALBERS)
    lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    return gdf.to_crs(f"+proj=laea +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m")


def _check_degrees(bounds: np.ndarray, source: str, crs_name: str, reprojected: bool) -> None:
    """Refuse coordinates that cannot be longitudes and latitudes (a wrong CRS claim)."""
    x0, y0, x1, y1 = (float(b) for b in bounds)
    if np.isfinite([x0, y0, x1, y1]).all() and -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90:
        return
    span = f"x {x0:.6g} to {x1:.6g}, y {y0:.6g} to {y1:.6g}"
    if reprojected:
        text = (
            f"the layer's CRS is {crs_name}, but its coordinates reprojected to WGS 84 span "
            f"{span}, outside the globe: the CRS does not match the coordinates; set the "
            "layer's true CRS"
        )
    else:
        text = (
            f"the layer's CRS is {crs_name} (degrees), but its coordinates span {span}, which "
            "are not longitudes (-180 to 180) and latitudes (-90 to 90): metres in a degrees "
            "CRS? set the layer's true CRS"
        )
    raise InputError([Problem(source, None, "geometry", None, text)])


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
    # touching = intersecting, the views' ST_Intersects (a distance of 0 gives the same pairs
    # but computes every full-resolution distance: ~10x slower on the prefecture boundaries)
    touching = shapely.intersects(a, b)
    rook = np.zeros(len(left), dtype=bool)
    if touching.any():
        # DE-9IM: interiors overlap in 2-D ('2' first) or boundaries share a line ('1' fifth),
        # of the pair clipped to the overlap of their boxes + 1 m, as the views do
        # (pair_contact_matrix): the intersection lies inside both boxes, so the relation is
        # the same, and the relate sees a few hundred vertices instead of whole boundaries.
        ca, cb = _clip_to_common_box(a[touching], b[touching], 0.0, 1.0)
        rel = shapely.relate(ca, cb)
        rook[touching] = [m[0] == "2" or m[4] == "1" for m in rel]
    near = ~touching
    if near.any():
        # the boundary of a within tol of b, both clipped to the overlap of their boxes
        # expanded by tol, then by tol again (pair_contact_near)
        ca, cb = _clip_to_common_box(a[near], b[near], tol, tol)
        near_len = shapely.length(
            shapely.intersection(shapely.boundary(ca), shapely.buffer(cb, tol))
        )
        rook[near] = near_len > 2 * tol
    return list(zip(left[rook].tolist(), right[rook].tolist(), strict=True))


def _clip_to_common_box(a: Any, b: Any, grow: float, margin: float) -> tuple[Any, Any]:
    """``a`` and ``b`` clipped to the overlap of their bounding boxes each expanded by
    ``grow``, the overlap then expanded by ``margin`` (``ST_ClipByBox2D`` of the views)."""
    import shapely

    ba, bb = shapely.bounds(a), shapely.bounds(b)
    lo = np.maximum(ba[:, :2], bb[:, :2]) - grow - margin
    hi = np.minimum(ba[:, 2:], bb[:, 2:]) + grow + margin
    rects = np.column_stack([lo, hi]).tolist()
    # clip_by_rect takes one rectangle per call
    ca = np.array([shapely.clip_by_rect(g, *r) for g, r in zip(a, rects, strict=True)])
    cb = np.array([shapely.clip_by_rect(g, *r) for g, r in zip(b, rects, strict=True)])
    return ca, cb


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
    if spec.kind == "links":
        raise ConfigError(
            "links weights are the coordination links of the database: choose database input "
            "(--level / --within), or another weights kind for a layer or file"
        )
    if spec.derived:
        return derive_pairs(build_pairs(gdf, id_col, spec.base, source), spec)
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


def _kernel(z: np.ndarray, function: str) -> np.ndarray:
    """Kernel values at z = d / h (Anselin and Rey 2014, p. 78)."""
    if function == "triangular":
        return 1.0 - z
    if function == "uniform":
        return np.full_like(z, 0.5)
    if function == "quadratic":
        return 0.75 * (1.0 - z**2)
    if function == "quartic":
        return (15.0 / 16.0) * (1.0 - z**2) ** 2
    return np.exp(-(z**2) / 2.0) / np.sqrt(2.0 * np.pi)


def derive_pairs(base: Any, kind: str | WeightsSpec) -> Any:
    """Turn the pairs of ``spec.base`` into the pairs of a derived kind (one rule for all inputs).

    Parameters
    ----------
    base : pandas.DataFrame
        Pairs ``i, j, weight, distance_m`` of ``WeightsSpec.base`` (from the database views or
        :func:`build_pairs`).
    kind : str or WeightsSpec
        The derived kind: higher-order contiguity (pairs whose shortest path in the first-order
        graph has ``low_order`` to ``order`` steps), ``idw`` (``d ** -power``) or ``kernel``
        (``K(d / h)``; adaptive ``h_i`` = distance of i's K-th neighbour x :data:`KERNEL_EPS`,
        fixed ``h`` = the band). No unit is its own neighbour.

    Returns
    -------
    pandas.DataFrame
        ``i, j, weight, distance_m`` sorted by ``i, j``.

    Raises
    ------
    ConfigError
        Two units at distance 0 under ``idw``.
    """
    import pandas as pd
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    spec = as_spec(kind)
    cols = ["i", "j", "weight", "distance_m"]
    out = base[cols].copy()
    if spec.contiguity:
        nodes = sorted(set(out["i"]) | set(out["j"]))
        pos = {c: n for n, c in enumerate(nodes)}
        if not nodes:
            return out.reset_index(drop=True)
        a = coo_matrix(
            (np.ones(len(out)), (out["i"].map(pos), out["j"].map(pos))),
            shape=(len(nodes), len(nodes)),
        ).tocsr()
        steps = dijkstra(a, directed=False, unweighted=True, limit=spec.order + 0.5)
        ii, jj = np.nonzero((steps >= spec.low_order) & (steps <= spec.order))
        keep = ii != jj
        names = np.asarray(nodes, dtype=object)
        out = pd.DataFrame(
            {"i": names[ii[keep]], "j": names[jj[keep]], "weight": 1.0, "distance_m": np.nan}
        )
    elif spec.kind == "idw":
        d = out["distance_m"].to_numpy(dtype=float)
        if (d <= 0).any():
            n = int(np.flatnonzero(d <= 0)[0])
            raise ConfigError(
                f"idw: units {out['i'].iloc[n]} and {out['j'].iloc[n]} are at distance 0 "
                "(coincident centroids); inverse distance is undefined, use distance:METRES "
                "or kernel weights"
            )
        out["weight"] = d ** (-spec.power)
    elif spec.kind == "kernel":
        d = out["distance_m"].to_numpy(dtype=float)
        if spec.k is not None:
            h = out.groupby("i")["distance_m"].transform("max").to_numpy(dtype=float) * KERNEL_EPS
        else:
            h = np.full(len(out), float(spec.band_m))
        out["weight"] = _kernel(d / h, spec.function)
    return out.sort_values(["i", "j"], ignore_index=True)


def links_pairs(summary: Any) -> Any:
    """Binary, symmetric weights of the coordination-link network.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per linked unordered pair with ``code_a, code_b`` (e.g.
        ``policylink.dbread.read_links(..., summary=True)``, the view function
        ``coordination_link_summary_at``).

    Returns
    -------
    pandas.DataFrame
        ``i, j, weight, distance_m`` (weight 1, distance NaN), both directions, sorted.
    """
    import pandas as pd

    a = summary["code_a"].astype(str).to_numpy()
    b = summary["code_b"].astype(str).to_numpy()
    keep = a != b
    frame = pd.DataFrame(
        {
            "i": np.concatenate([a[keep], b[keep]]),
            "j": np.concatenate([b[keep], a[keep]]),
            "weight": 1.0,
            "distance_m": np.nan,
        }
    )
    return frame.drop_duplicates(["i", "j"]).sort_values(["i", "j"], ignore_index=True)


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


def transformed(w: Any, transform: str | None) -> Any:
    """A copy of ``w`` with a libpysal transformation (the neighbour set is left alone).

    Parameters
    ----------
    w : libpysal.weights.W
        Weights (stored values, e.g. binary or inverse distances).
    transform : {'r', 'b', 'v', 'd', 'o'} or None
        :data:`TRANSFORMS`; None or ``'o'`` keeps the stored values.

    Returns
    -------
    libpysal.weights.W

    Raises
    ------
    ConfigError
        An unknown transformation.
    """
    import libpysal

    if transform is not None and str(transform).lower() not in TRANSFORMS:
        raise ConfigError(
            f"weights transformation {transform!r}: use r (row-standardised), b (binary), "
            "v (variance stabilising), d (doubly standardised) or o (stored values)"
        )
    neighbors = {i: list(w.neighbors[i]) for i in w.id_order}
    weights = {i: list(w.weights[i]) for i in w.id_order}
    wc = libpysal.weights.W(neighbors, weights, id_order=list(w.id_order), silence_warnings=True)
    if transform is not None and str(transform).lower() != "o":
        wc.transform = str(transform).upper()
    return wc


@dataclass(frozen=True)
class WeightsReport:
    """Connectivity of a weights matrix (what GeoDa's weights manager and libpysal report).

    Attributes
    ----------
    n : int
        Units.
    links : int
        Non-zero ``w_ij`` (ordered pairs, i != j).
    cardinalities : dict
        Unit id -> number of neighbours.
    histogram : dict
        Number of neighbours -> number of units having it (ascending).
    islands : tuple of str
        Units without neighbours.
    components : tuple of tuple of str
        Connected components (links in either direction), largest first, ids sorted.
    asymmetric : tuple of str
        Units i with a neighbour j that does not have i as a neighbour (``w_ij > 0``,
        ``w_ji = 0``); values are not compared (row standardisation makes every non-constant
        row asymmetric in value).
    """

    n: int
    links: int
    cardinalities: dict[str, int]
    histogram: dict[int, int]
    islands: tuple[str, ...]
    components: tuple[tuple[str, ...], ...]
    asymmetric: tuple[str, ...]

    @property
    def summary(self) -> dict[str, Any]:
        """Scalars: n, links, density, min/mean/median/max cardinality, islands, components."""
        card = np.asarray(list(self.cardinalities.values()), dtype=float)
        return {
            "n": self.n,
            "links": self.links,
            "density": self.links / (self.n * (self.n - 1)) if self.n > 1 else 0.0,
            "min_neighbours": int(card.min()) if self.n else 0,
            "mean_neighbours": float(card.mean()) if self.n else 0.0,
            "median_neighbours": float(np.median(card)) if self.n else 0.0,
            "max_neighbours": int(card.max()) if self.n else 0,
            "n_islands": len(self.islands),
            "n_components": len(self.components),
            "largest_component": len(self.components[0]) if self.components else 0,
            "symmetric": not self.asymmetric,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the summary, the histogram, islands, component sizes and asymmetry."""
        return {
            **self.summary,
            "histogram": {str(k): v for k, v in self.histogram.items()},
            "islands": list(self.islands),
            "component_sizes": [len(c) for c in self.components],
            "components": [list(c) for c in self.components],
            "asymmetric": list(self.asymmetric),
        }


def describe(w: Any) -> WeightsReport:
    """Connectivity report of a weights matrix.

    Parameters
    ----------
    w : libpysal.weights.W
        Any weights (a neighbour is a non-zero weight; the diagonal is ignored).

    Returns
    -------
    WeightsReport
        Cardinality histogram, islands, connected components
        (``scipy.sparse.csgraph.connected_components``, weak connection) and asymmetric units.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ids = [str(c) for c in w.id_order]
    pos = {c: n for n, c in enumerate(w.id_order)}
    rows, cols = [], []
    for i in w.id_order:
        for j, v in zip(w.neighbors[i], w.weights[i], strict=True):
            if v != 0 and j != i:
                rows.append(pos[i])
                cols.append(pos[j])
    n = len(ids)
    a = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    a.sum_duplicates()
    a.data[:] = 1.0
    card = np.asarray(a.sum(axis=1)).ravel().astype(int)
    values, counts = np.unique(card, return_counts=True)
    n_comp, label = connected_components(a, directed=True, connection="weak")
    groups = [tuple(sorted(ids[k] for k in np.flatnonzero(label == c))) for c in range(n_comp)]
    groups.sort(key=lambda g: (-len(g), g))
    asym = (a - a.T).tocsr()
    asym.eliminate_zeros()
    one_way = np.unique(asym.tocoo().row[asym.tocoo().data > 0])
    return WeightsReport(
        n=n,
        links=int(a.nnz),
        cardinalities=dict(zip(ids, card.tolist(), strict=True)),
        histogram={int(k): int(c) for k, c in zip(values, counts, strict=True)},
        islands=tuple(ids[k] for k in np.flatnonzero(card == 0)),
        components=tuple(groups),
        asymmetric=tuple(sorted(ids[k] for k in one_way)),
    )
