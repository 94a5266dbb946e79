"""Spatial weights for layer inputs: contiguity or k-nearest neighbours from geometries, or a file.

This only adapts a layer to :mod:`policylink.weights` (the one definition of every weights kind)
and reads/writes weights files; no statistic is computed here. Database users get the same
neighbours from the ``w_queen`` / ``w_rook`` / ``w_knn`` / ``w_distance`` views, and a layer
that *is* the database's unit table (a PostgreSQL layer of ``admin_unit``) has its contiguity
read from those views (:func:`weights_from_database`) instead of rebuilt from its polygons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: Kinds offered in the plugin's menus (``distance`` is accepted by the function with ``band_m``).
KINDS = ("queen", "rook", "knn")


def weights_from_frame(
    frame: pd.DataFrame,
    id_field: str,
    kind: str = "queen",
    k: int = 5,
    *,
    tolerance_m: float | None = None,
    band_m: float | None = None,
) -> Any:
    """Build weights from the geometries of a layer by PolicyLink's one rule of each kind.

    The rule is :func:`policylink.weights.build_weights`, the twin of the database views
    (``w_queen``, ``w_rook``, ``w_knn``, ``w_distance``): contiguity with a gap tolerance in
    metres, kNN and distance bands on centroids, all in equal-area metres whatever the layer's
    CRS; so a layer and the database give the same neighbours for the same units.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        One row per unit, with a ``geometry`` column and a CRS.
    id_field : str
        Column whose values become the weights ids (must be unique and not missing).
    kind : {'queen', 'rook', 'knn', 'distance'}
        Weights kind.
    k : int
        Number of neighbours for ``knn``.
    tolerance_m : float, optional
        Gap tolerance of contiguity in metres (default the views' 1 m; 0 = must touch).
    band_m : float, optional
        Distance band in metres for ``distance``.

    Returns
    -------
    libpysal.weights.W
        Binary weights, ``id_order`` = the id values in the order of ``frame``; islands are
        kept (reported in ``w.islands``) so the caller can warn about them.

    Raises
    ------
    ValueError
        Missing ids or an unknown kind.
    policylink.errors.InputError
        Duplicate ids, empty geometries, no CRS, contiguity asked of points.
    """
    from libpysal import weights

    from policylink.weights import WeightsSpec, build_pairs

    ids = frame[id_field]
    if ids.isna().any():
        raise ValueError(
            f"field {id_field!r} is empty for feature {int(frame['fid'][ids.isna()].iloc[0])}"
        )
    if kind in ("queen", "rook"):
        spec = WeightsSpec.parse(kind, tolerance_m=tolerance_m)
    elif kind == "knn":
        spec = WeightsSpec("knn", k=int(k))
    elif kind == "distance":
        if not band_m or band_m <= 0:
            raise ValueError("distance weights need a distance band in metres > 0")
        spec = WeightsSpec("distance", band_m=float(band_m))
    else:
        raise ValueError(f"unknown weights kind {kind!r}; use queen, rook, knn or distance")
    gdf = frame.reset_index(drop=True).assign(_pl_id=ids.astype(str).str.strip().to_numpy())
    pairs = build_pairs(gdf, "_pl_id", spec, source=f"field {id_field!r}")
    back = dict(zip(gdf["_pl_id"], ids.tolist(), strict=True))
    neighbors: dict[Any, list[Any]] = {v: [] for v in ids.tolist()}
    for i, j in pairs[["i", "j"]].itertuples(index=False):
        neighbors[back[i]].append(back[j])
    return weights.W(neighbors, id_order=ids.tolist(), silence_warnings=True)


#: Tables of the PolicyLink database whose features are units with their ``code``.
UNIT_TABLES = ("admin_unit",)


def database_connection(layer: Any) -> str | None:
    """The libpq connection string of a PostgreSQL layer of the PolicyLink unit table.

    Parameters
    ----------
    layer : QgsVectorLayer or None

    Returns
    -------
    str or None
        ``connectionInfo`` of the layer's data source when the layer is a ``postgres`` provider
        layer of ``admin_unit`` (schema ``public`` or unqualified), else None.
    """
    if layer is None or layer.providerType() != "postgres":
        return None
    from qgis.core import QgsDataSourceUri

    uri = QgsDataSourceUri(layer.source())
    if uri.table() not in UNIT_TABLES or uri.schema() not in ("", "public"):
        return None
    return uri.connectionInfo(True)


def weights_from_database(conninfo: str, frame: pd.DataFrame, id_field: str, kind: str) -> Any:
    """Contiguity weights of a database layer's units, read from the materialized views.

    The views hold the contiguity of ``geom_eq`` by the same rule as
    :func:`weights_from_frame` (``policylink.weights``), computed once in the database, so
    this gives the same neighbours without rebuilding them from full-resolution polygons.

    Parameters
    ----------
    conninfo : str
        libpq connection string (:func:`database_connection`).
    frame : pandas.DataFrame
        The layer's features; ``id_field`` holds the unit codes.
    id_field : str
        Column with the unit codes.
    kind : str
        ``queen`` or ``rook``.

    Returns
    -------
    libpysal.weights.W or None
        ``id_order`` = the ids in frame order (values as in ``frame``); None when the ids are
        not the codes of units of one level set, the kind is not contiguity, or the database
        cannot be read (the caller then builds the weights from the geometries).
    """
    import psycopg
    from libpysal import weights

    from policylink import dbread

    ids = frame[id_field].tolist()
    if kind not in ("queen", "rook") or any(v is None for v in ids):
        return None
    codes = [str(v).strip() for v in ids]
    try:
        w = dbread.read_unit_weights(conninfo, kind, codes)
    except psycopg.Error:
        return None
    if w is None:
        return None
    back = dict(zip(codes, ids, strict=True))
    return weights.W(
        {back[i]: [back[j] for j in w.neighbors[i]] for i in codes},
        id_order=ids,
        silence_warnings=True,
    )


def read_weights_file(path: str | Path, ids: list[Any]) -> Any:
    """Read GAL or GWT weights (GeoDa / libpysal format) and align them to the layer's ids.

    Parameters
    ----------
    path : str or Path
        ``.gal`` or ``.gwt`` file.
    ids : list
        Unit ids of the layer, in layer order. Ids in the file are matched as text.

    Returns
    -------
    libpysal.weights.W
        Weights with ``id_order`` equal to ``ids``.

    Raises
    ------
    ValueError
        When the file's ids and the layer's ids differ.
    policylink.errors.InputError
        A missing or unreadable file.
    """
    from libpysal import weights

    from policylink.inputs import read_weights_file as read_file

    w = read_file(str(path))  # the one weights-file reader (ids as text)
    as_text = {str(i): i for i in w.id_order}
    want = [str(i) for i in ids]
    extra = sorted(set(as_text) - set(want))
    lacking = sorted(set(want) - set(as_text))
    if extra or lacking:
        raise ValueError(
            f"{Path(path).name}: ids differ from the layer's "
            f"(in file only: {extra[:5]}, in layer only: {lacking[:5]})"
        )
    neighbors = {str(i): [str(j) for j in w.neighbors[as_text[str(i)]]] for i in want}
    wts = {str(i): list(w.weights[as_text[str(i)]]) for i in want}
    back = dict(zip(want, ids, strict=True))
    return weights.W(
        {back[i]: [back[j] for j in nb] for i, nb in neighbors.items()},
        {back[i]: v for i, v in wts.items()},
        id_order=list(ids),
        silence_warnings=True,
    )


def write_weights_file(w: Any, path: str | Path) -> str:
    """Write weights as GAL (binary contiguity) or GWT (with weights), by file suffix.

    Parameters
    ----------
    w : libpysal.weights.W
    path : str or Path
        Target; ``.gwt`` writes weights, anything else GAL.

    Returns
    -------
    str
        The path written.
    """
    from libpysal import io

    path = str(path)
    f = io.open(path, "w")
    try:
        f.write(w)
    finally:
        f.close()
    return path
