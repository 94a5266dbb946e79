"""Shared parts of the PolicyLink Processing algorithms: groups, weights parameters, table sinks.

Every algorithm (one module each in :mod:`.algs`) derives from :class:`PolicyLinkAlgorithm`,
directly or through a family base (:mod:`.layer_statistic`, :mod:`.local_statistic`,
:mod:`.database_algorithm`, :mod:`.map_algorithm`).
"""

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
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtGui import QIcon

from policylink.analyses.base import DEFAULT_SEED
from policylink.errors import PolicyLinkError

from ..core.deps import requirements_of
from ..core.i18n import tr
from ..core.resources import ICON
from ..core.results import cell, qvariant_type
from ..core.weights import (
    KINDS,
    database_connection,
    read_weights_file,
    weights_from_database,
    weights_from_frame,
)
from .checks import check_weights_file, guarded

__all__ = ["PolicyLinkAlgorithm", "cell", "qvariant_type", "table_fields", "write_table"]


class PolicyLinkAlgorithm(QgsProcessingAlgorithm):
    """Base class: translation, icon, group and ``createInstance`` for every algorithm.

    Subclasses set ``_name`` (the algorithm id), ``_display``, ``_group``, ``_group_id`` and
    ``_help`` (English; translated on display) and declare their parameter keys as class
    constants, as QGIS's own algorithms do.
    """

    SEED = "SEED"
    WEIGHTS_KIND = "WEIGHTS_KIND"
    KNN_K = "KNN_K"
    WEIGHTS_FILE = "WEIGHTS_FILE"

    _name = ""
    _display = ""
    _group = ""
    _group_id = ""
    _help = ""
    #: Families of :data:`..core.deps.NEEDS` whose packages this algorithm imports.
    _requires: tuple[str, ...] = ()

    @classmethod
    def requirements(cls) -> tuple[str, ...]:
        """Pip names of the packages this algorithm needs (the plugin's core included).

        Returns
        -------
        tuple of str
        """
        return requirements_of(cls._requires)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Guard each ``processAlgorithm``: input errors end in one message (see :func:`.checks.guarded`)."""
        super().__init_subclass__(**kwargs)
        process = cls.__dict__.get("processAlgorithm")
        if process is not None and not getattr(process, "__guarded__", False):
            cls.processAlgorithm = guarded(process)

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
        needs = ", ".join(self.requirements())
        return (
            tr(self._help) + "\n\n" + tr("Needs the Python packages: {names}").format(names=needs)
        )

    def icon(self) -> QIcon:  # noqa: D102
        return QIcon(str(ICON))

    # -- common parameters ---------------------------------------------------------------------
    def add_seed(self) -> None:
        """Add ``SEED``, the random seed of permutations and simulation draws (default: the analyses' seed)."""
        self.addParameter(
            QgsProcessingParameterNumber(
                self.SEED, tr("Random seed"), QgsProcessingParameterNumber.Integer, DEFAULT_SEED
            )
        )

    def add_optional_layer(self, name: str, label: str, fields: list[tuple[str, str]]) -> None:
        """Add an optional table/layer input ``name`` and optional fields chosen from it.

        Parameters
        ----------
        name, label : str
            Parameter name and (translated) label of the layer.
        fields : list of (str, str)
            Field parameters (name, translated label) whose parent is the layer.
        """
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                name, label, [QgsProcessing.TypeVector], optional=True
            )
        )
        for field, field_label in fields:
            self.addParameter(
                QgsProcessingParameterField(
                    field, field_label, parentLayerParameterName=name, optional=True
                )
            )

    # -- weights ---------------------------------------------------------------------------------
    def add_weights_parameters(self) -> None:
        """Add WEIGHTS_KIND, KNN_K and WEIGHTS_FILE (a GAL/GWT file overrides the kind)."""
        self.addParameter(
            QgsProcessingParameterEnum(
                self.WEIGHTS_KIND,
                tr("Spatial weights from the layer's geometries"),
                options=[tr("Queen contiguity"), tr("Rook contiguity"), tr("k nearest neighbours")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.KNN_K,
                tr("k (nearest neighbours)"),
                QgsProcessingParameterNumber.Integer,
                5,
                False,
                1,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.WEIGHTS_FILE,
                tr("Weights file (GAL or GWT; overrides the choice above)"),
                extension="",
                optional=True,
                fileFilter="GeoDa weights (*.gal *.gwt *.GAL *.GWT)",
            )
        )

    def weights(
        self,
        parameters: dict,
        context: Any,
        frame: pd.DataFrame,
        id_field: str,
        feedback,
        layer: Any = None,
    ):
        """Build or read the weights for ``frame`` and warn about islands.

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.
        frame : pandas.DataFrame
            The units (``layer_to_frame`` output, with ``fid`` and geometry).
        id_field : str
            Column of ``frame`` with the unique unit ids.
        feedback : QgsProcessingFeedback
            Receives the islands warning and a summary of the weights.
        layer : QgsVectorLayer, optional
            The layer ``frame`` was read from: when it is a PostgreSQL layer of the PolicyLink
            unit table, queen / rook contiguity is read from the database's views.

        Returns
        -------
        libpysal.weights.W
            From ``WEIGHTS_FILE`` when given, else from the database (contiguity of a database
            unit layer), else built with ``WEIGHTS_KIND`` and ``KNN_K``.
        """
        path = self.parameterAsFile(parameters, self.WEIGHTS_FILE, context)
        if path:
            check_weights_file(path)
        try:
            if path:
                w = read_weights_file(path, frame[id_field].tolist())
            else:
                kind = KINDS[self.parameterAsEnum(parameters, self.WEIGHTS_KIND, context)]
                k = self.parameterAsInt(parameters, self.KNN_K, context)
                conninfo = database_connection(layer) if kind in ("queen", "rook") else None
                w = weights_from_database(conninfo, frame, id_field, kind) if conninfo else None
                if w is not None:
                    feedback.pushInfo(
                        tr("Contiguity read from the database views (w_{kind}).").format(kind=kind)
                    )
                else:
                    w = weights_from_frame(frame, id_field, kind, k)
        except (ValueError, KeyError, PolicyLinkError) as exc:
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


def table_fields(frame: pd.DataFrame) -> QgsFields:
    """QgsFields matching the columns of a DataFrame."""
    fields = QgsFields()
    for col in frame.columns:
        fields.append(QgsField(str(col), qvariant_type(frame[col])))
    return fields


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
