"""Turn result tables into QGIS layers and files (memory layers with statistic fields, CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from qgis.core import QgsFeature, QgsField, QgsVectorLayer, QgsWkbTypes
from qgis.PyQt.QtCore import QVariant


def qvariant_type(series: pd.Series) -> int:
    """QVariant type for a pandas column (integers, floats, booleans, else text)."""
    if pd.api.types.is_bool_dtype(series):
        return QVariant.Bool
    if pd.api.types.is_integer_dtype(series):
        return QVariant.LongLong
    if pd.api.types.is_float_dtype(series):
        return QVariant.Double
    return QVariant.String


def cell(value: Any) -> Any:
    """Convert a pandas cell to a value QGIS accepts (NaN, NA, NaT -> NULL; numpy -> Python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def layer_with_columns(
    source: QgsVectorLayer,
    id_field: str,
    table: pd.DataFrame,
    columns: dict[str, str],
    name: str,
) -> QgsVectorLayer:
    """Copy a layer into memory and append result columns matched on the unit id.

    Parameters
    ----------
    source : QgsVectorLayer
        Units layer.
    id_field : str
        Field of ``source`` holding the unit id (compared as text with ``table['id']``).
    table : DataFrame
        Result table with an ``id`` column.
    columns : dict
        ``{output field name: table column}``.
    name : str
        Name of the new layer.

    Returns
    -------
    QgsVectorLayer
        A memory layer in the CRS of ``source``.
    """
    geom = QgsWkbTypes.displayString(source.wkbType())
    crs = source.crs().authid() or source.crs().toWkt()
    out = QgsVectorLayer(f"{geom}?crs={crs}", name, "memory")
    prov = out.dataProvider()
    fields = [f for f in source.fields()]
    fields += [QgsField(k, qvariant_type(table[v])) for k, v in columns.items()]
    prov.addAttributes(fields)
    out.updateFields()
    indexed = table.assign(id=table["id"].map(str)).set_index("id")
    feats = []
    for feat in source.getFeatures():
        key = str(feat[id_field])
        extra = [
            cell(indexed.at[key, c]) if key in indexed.index else None for c in columns.values()
        ]
        f = QgsFeature(out.fields())
        f.setGeometry(feat.geometry())
        f.setAttributes(list(feat.attributes()) + extra)
        feats.append(f)
    prov.addFeatures(feats)
    out.updateExtents()
    return out


def write_csv(table: pd.DataFrame, path: str | Path) -> str:
    """Write a result table as UTF-8 CSV with a BOM (so spreadsheet programs read Chinese text)."""
    table.to_csv(path, index=False, encoding="utf-8-sig")
    return str(path)
