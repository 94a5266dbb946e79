"""Shared parts of the PolicyLink Processing algorithms: groups, weights parameters, table sinks."""

from __future__ import annotations

from typing import Any

import pandas as pd
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant
from qgis.PyQt.QtGui import QIcon

from ..core.i18n import tr
from ..core.weights import KINDS, read_weights_file, weights_from_frame
from .provider import ICON


class PolicyLinkAlgorithm(QgsProcessingAlgorithm):
    """Base class: translation, icon, group and ``createInstance`` for every algorithm."""

    _name = ""
    _display = ""
    _group = ""
    _group_id = ""
    _help = ""

    def tr(self, text: str) -> str:
        """Translate ``text`` in the plugin's context."""
        return tr(text)

    def createInstance(self):  # noqa: N802, D102
        return type(self)()

    def name(self) -> str:  # noqa: D102
        return self._name

    def displayName(self) -> str:  # noqa: N802, D102
        return tr(self._display)

    def group(self) -> str:  # noqa: D102
        return tr(self._group)

    def groupId(self) -> str:  # noqa: N802, D102
        return self._group_id

    def shortHelpString(self) -> str:  # noqa: N802, D102
        return tr(self._help)

    def icon(self) -> QIcon:  # noqa: D102
        return QIcon(str(ICON))

    # -- weights ---------------------------------------------------------------------------------
    def add_weights_parameters(self) -> None:
        """Add WEIGHTS_KIND, KNN_K and WEIGHTS_FILE (a GAL/GWT file overrides the kind)."""
        self.addParameter(
            QgsProcessingParameterEnum(
                "WEIGHTS_KIND",
                tr("Spatial weights from the layer's geometries"),
                options=[tr("Queen contiguity"), tr("Rook contiguity"), tr("k nearest neighbours")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "KNN_K",
                tr("k (nearest neighbours)"),
                QgsProcessingParameterNumber.Integer,
                5,
                False,
                1,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                "WEIGHTS_FILE",
                tr("Weights file (GAL or GWT; overrides the choice above)"),
                extension="",
                optional=True,
                fileFilter="GeoDa weights (*.gal *.gwt *.GAL *.GWT)",
            )
        )

    def weights(self, parameters: dict, context: Any, frame: pd.DataFrame, id_field: str, feedback):
        """Build or read the weights for ``frame`` and warn about islands."""
        path = self.parameterAsFile(parameters, "WEIGHTS_FILE", context)
        try:
            if path:
                w = read_weights_file(path, frame[id_field].tolist())
            else:
                kind = KINDS[self.parameterAsEnum(parameters, "WEIGHTS_KIND", context)]
                k = self.parameterAsInt(parameters, "KNN_K", context)
                w = weights_from_frame(frame, id_field, kind, k)
        except (ValueError, KeyError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        if w.islands:
            feedback.pushWarning(
                tr("Units without neighbours (islands), kept with a zero spatial lag: ")
                + ", ".join(str(i) for i in w.islands[:20])
            )
        feedback.pushInfo(
            tr("Weights: {n} units, {links} links, mean {mean:.2f} neighbours").format(
                n=w.n,
                links=w.s0 if w.transform == "B" else sum(w.cardinalities.values()),
                mean=w.mean_neighbors,
            )
        )
        return w


def qvariant_type(series: pd.Series) -> int:
    """QVariant type for a pandas column (integers, floats, booleans, else text)."""
    if pd.api.types.is_bool_dtype(series):
        return QVariant.Bool
    if pd.api.types.is_integer_dtype(series):
        return QVariant.LongLong
    if pd.api.types.is_float_dtype(series):
        return QVariant.Double
    return QVariant.String


def table_fields(frame: pd.DataFrame) -> QgsFields:
    """QgsFields matching the columns of a DataFrame."""
    fields = QgsFields()
    for col in frame.columns:
        fields.append(QgsField(str(col), qvariant_type(frame[col])))
    return fields


def cell(value: Any) -> Any:
    """Convert a pandas cell to a value QGIS accepts (NaN, NA, NaT -> NULL; numpy -> Python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def write_table(
    alg: QgsProcessingAlgorithm, parameters: dict, context: Any, name: str, frame: pd.DataFrame
) -> str:
    """Write a DataFrame to a geometry-less feature sink parameter and return its id."""
    fields = table_fields(frame)
    sink, dest = alg.parameterAsSink(parameters, name, context, fields, QgsWkbTypes.NoGeometry)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, name))
    for row in frame.itertuples(index=False):
        feat = QgsFeature(fields)
        feat.setAttributes([cell(v) for v in row])
        sink.addFeature(feat, QgsFeatureSink.FastInsert)
    return dest


TABLE = QgsProcessing.TypeVector
