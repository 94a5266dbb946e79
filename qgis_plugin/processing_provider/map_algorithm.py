"""Family base of the policy-map algorithms, and their writer of GeoDataFrames to feature sinks.

The policy maps read the database with :mod:`policylink.mapdata` (the same functions the
``policylink map`` command and the HTML report use, so plugin, CLI and report show the same units
and links).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
)

from ..core.i18n import tr
from .base import cell, qvariant_type
from .database_algorithm import _DatabaseAlgorithm

if TYPE_CHECKING:
    import geopandas as gpd

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def write_geo(
    alg: QgsProcessingAlgorithm,
    parameters: dict,
    context: Any,
    name: str,
    frame: gpd.GeoDataFrame,
    wkb_type: int,
) -> str:
    """Write a GeoDataFrame (EPSG:4326) to a feature sink; return the destination id.

    Parameters
    ----------
    alg : QgsProcessingAlgorithm
        The running algorithm.
    parameters, context
        What Processing passes to ``processAlgorithm``.
    name : str
        The feature-sink parameter.
    frame : geopandas.GeoDataFrame
        One feature per row; the columns other than ``geometry`` become fields.
    wkb_type : QgsWkbTypes.Type
        Geometry type of the sink.

    Returns
    -------
    str
        The destination id.
    """
    cols = [c for c in frame.columns if c != "geometry"]
    fields = QgsFields()
    for c in cols:
        fields.append(QgsField(str(c), qvariant_type(frame[c])))
    sink, dest = alg.parameterAsSink(parameters, name, context, fields, wkb_type, WGS84)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, name))
    for row, geom in zip(frame[cols].itertuples(index=False), frame.geometry, strict=True):
        feat = QgsFeature(fields)
        if geom is not None:
            g = QgsGeometry()
            g.fromWkb(geom.wkb)
            feat.setGeometry(g)
        feat.setAttributes([cell(v) for v in row])
        sink.addFeature(feat, QgsFeatureSink.FastInsert)
    return dest


def parse_years(text: str) -> dict[int, int]:
    """``"2011,2013,2017"`` -> ``{1: 2011, 2: 2013, 3: 2017}`` (batch -> effective year).

    Parameters
    ----------
    text : str
        Years separated by commas, one per batch.

    Returns
    -------
    dict of int to int

    Raises
    ------
    QgsProcessingException
        When a part is not a whole number.
    """
    try:
        years = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise QgsProcessingException(
            tr("Effective years must be years separated by commas.")
        ) from exc
    return {i: y for i, y in enumerate(years, start=1)}


class _MapAlgorithm(_DatabaseAlgorithm):
    """Database inputs plus programme, level and codes to stay within."""

    PROGRAMME = "PROGRAMME"
    OUTPUT = "OUTPUT"

    _group = "Policy maps"
    _group_id = "policymaps"
    default_programme = ""
    levels = ("prefecture", "county")

    def add_map_inputs(self) -> None:
        """Add the database inputs, ``PROGRAMME``, and ``LEVEL`` / ``WITHIN`` over ``levels``."""
        self.add_database_inputs()
        self.addParameter(
            QgsProcessingParameterString(
                self.PROGRAMME, tr("Programme"), defaultValue=self.default_programme
            )
        )
        self.add_level_and_within([tr(v.capitalize()) for v in self.levels], default=0)

    def add_output(self, label: str, layer_type: int) -> None:
        """Add the ``OUTPUT`` feature sink.

        Parameters
        ----------
        label : str
            Its label, already translated.
        layer_type : QgsProcessing.SourceType
            The layer type of the output.
        """
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, label, layer_type))

    def common(self, parameters: dict, context: Any) -> tuple[str, str, str | None]:
        """The chosen programme, level name and ``WITHIN`` codes (None when empty).

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.

        Returns
        -------
        tuple of (str, str, str or None)
        """
        programme = self.parameterAsString(parameters, self.PROGRAMME, context).strip()
        level = self.levels[self.parameterAsEnum(parameters, self.LEVEL, context)]
        within = (self.parameterAsString(parameters, self.WITHIN, context) or "").strip() or None
        return programme, level, within
