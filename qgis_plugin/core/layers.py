"""Turn QGIS vector layers (any provider: PostGIS, GeoPackage, shapefile, CSV) into pandas objects.

The Processing algorithms and the dock hand their inputs to the ``spatial`` package through these
functions, so a GeoPackage, a PostGIS view and a shapefile give the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from qgis.core import QgsFeatureRequest, QgsVectorLayer
from qgis.PyQt.QtCore import QDate, QDateTime, QVariant


def _py(value: Any) -> Any:
    """Convert a QGIS attribute value to a plain Python value (NULL -> None)."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    if isinstance(value, QDate | QDateTime):
        return value.toPyDate() if isinstance(value, QDate) else value.toPyDateTime()
    return value


def layer_to_frame(
    layer: QgsVectorLayer,
    fields: list[str] | None = None,
    *,
    geometry: bool = True,
    feedback: Any = None,
) -> pd.DataFrame:
    """Read a vector layer into a (Geo)DataFrame, one row per feature in feature-id order.

    Parameters
    ----------
    layer : QgsVectorLayer
        Any vector layer; a layer without geometry gives a plain DataFrame.
    fields : list of str, optional
        Attributes to read (all when None).
    geometry : bool
        Also read geometries into a ``geometry`` column (a GeoDataFrame in the layer CRS).
    feedback : QgsProcessingFeedback or QgsFeedback, optional
        Checked for cancellation every 500 features.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        Columns ``fid`` (QGIS feature id) and the requested attributes (plus ``geometry``).
    """
    names = [f.name() for f in layer.fields()] if fields is None else list(fields)
    missing = [n for n in names if layer.fields().indexOf(n) < 0]
    if missing:
        raise KeyError(f"layer {layer.name()!r} has no field(s) {', '.join(missing)}")
    request = QgsFeatureRequest()
    with_geom = geometry and layer.isSpatial()
    if not with_geom:
        request.setFlags(QgsFeatureRequest.NoGeometry)
    request.setSubsetOfAttributes(names, layer.fields())
    rows: list[list[Any]] = []
    wkbs: list[bytes | None] = []
    fids: list[int] = []
    for n, feat in enumerate(layer.getFeatures(request)):
        if feedback is not None and n % 500 == 0 and feedback.isCanceled():
            raise InterruptedError("cancelled")
        fids.append(feat.id())
        rows.append([_py(feat[name]) for name in names])
        if with_geom:
            geom = feat.geometry()
            wkbs.append(None if geom.isNull() else bytes(geom.asWkb()))
    frame = pd.DataFrame(rows, columns=names)
    frame.insert(0, "fid", np.asarray(fids, dtype=np.int64))
    if not with_geom:
        return frame
    import geopandas as gpd
    import shapely

    geoms = shapely.from_wkb(np.array(wkbs, dtype=object))
    crs = layer.crs().toWkt() if layer.crs().isValid() else None
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=crs)


def numeric_column(frame: pd.DataFrame, name: str, layer_name: str) -> np.ndarray:
    """Return a column as float64, with a clear error naming the first bad feature.

    Parameters
    ----------
    frame : DataFrame
        From :func:`layer_to_frame` (has a ``fid`` column).
    name : str
        Field name.
    layer_name : str
        Layer name for the message.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        When a value is missing or not a number; the message names layer, feature id and field.
    """
    values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"layer {layer_name!r}, feature {int(frame['fid'].iloc[i])}, field {name!r}: "
            f"value {frame[name].iloc[i]!r} is missing or not a number "
            f"({bad.size} such feature(s)); filter or fill them first"
        )
    return values


def frame_to_layer(frame: Any, name: str, fields: list[str]) -> QgsVectorLayer:
    """A memory layer from a GeoDataFrame (unit geometries read by :mod:`policylink.inputs`).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Units with a CRS; the index is kept as field ``code`` when it is not a column.
    name : str
        Layer name.
    fields : list of str
        Attribute columns to copy (text unless numeric).

    Returns
    -------
    QgsVectorLayer
        A memory layer in the frame's CRS.
    """
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsFeature,
        QgsField,
        QgsGeometry,
        QgsWkbTypes,
    )

    gdf = frame if "code" in frame.columns else frame.reset_index()
    crs = QgsCoordinateReferenceSystem.fromWkt(gdf.crs.to_wkt()) if gdf.crs else None
    geom_type = "MultiPolygon" if gdf.geom_type.isin(["Polygon", "MultiPolygon"]).all() else "Point"
    uri = f"{geom_type}?crs={crs.authid() or 'EPSG:4326'}" if crs else geom_type
    layer = QgsVectorLayer(uri, name, "memory")
    prov = layer.dataProvider()
    qfields = []
    for f in fields:
        numeric = pd.api.types.is_numeric_dtype(gdf[f]) and not pd.api.types.is_bool_dtype(gdf[f])
        qfields.append(QgsField(f, QVariant.Double if numeric else QVariant.String))
    prov.addAttributes(qfields)
    layer.updateFields()
    feats = []
    for row in gdf.itertuples(index=False):
        feat = QgsFeature(layer.fields())
        geom = QgsGeometry()
        geom.fromWkb(getattr(row, gdf.geometry.name).wkb)
        if geom_type == "MultiPolygon" and not QgsWkbTypes.isMultiType(geom.wkbType()):
            geom.convertToMultiType()
        feat.setGeometry(geom)
        feat.setAttributes([_py_cell(getattr(row, f)) for f in fields])
        feats.append(feat)
    prov.addFeatures(feats)
    layer.updateExtents()
    return layer


def _py_cell(value: Any) -> Any:
    """A pandas cell as a QGIS attribute (NaN -> NULL, numpy -> Python)."""
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value if isinstance(value, int | float) else str(value)
