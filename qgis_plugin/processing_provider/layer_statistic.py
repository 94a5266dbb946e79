"""Family base of the algorithms that read a unit layer and its spatial weights.

Used by the autocorrelation algorithms (``buildweights``, ``globalmoran``, ``localmoran``,
``gistar``) and by ``spatialpanel``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
)

from policylink.analyses.base import DEFAULT_ALPHA, DEFAULT_PERMUTATIONS

from ..core.i18n import tr
from ..core.layers import layer_to_frame
from ..core.synthetic import synthetic_of
from ..core.weights import KINDS
from .base import PolicyLinkAlgorithm
from .checks import check_fields, check_units_layer

if TYPE_CHECKING:
    from libpysal.weights import W


def analysis_inputs(
    panel: pd.DataFrame,
    w: W,
    id_col: str,
    time_col: str | None,
    source: str,
    synthetic: tuple[str, ...] = (),
) -> Any:
    """The one inputs object of :mod:`policylink.inputs` for a layer's panel and weights.

    Units are put in the canonical order (ids sorted as text), as for the CLI and the database,
    so the same seed gives the same permutation p-values everywhere.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit (``time_col`` None) or per unit and period; ids as text.
    w : libpysal.weights.W
        Weights over the units (ids as text).
    id_col, time_col : str, str or None
        Unit and period columns.
    source : str
        Layer name (titles, messages).
    synthetic : tuple of str
        Fields the input layer's metadata flags synthetic (see :func:`used_synthetic`).

    Returns
    -------
    policylink.inputs.AnalysisInputs
    """
    from policylink.inputs import AnalysisInputs, canonical

    return canonical(
        AnalysisInputs(
            panel,
            w,
            id_col,
            time_col,
            source,
            synthetic=tuple(synthetic),
            weights=f"weights of layer {source}",
        )
    )


def used_synthetic(layer: QgsVectorLayer | None, fields: list[str]) -> tuple[tuple[str, ...], bool]:
    """The fields among ``fields`` that the layer's PolicyLink metadata flags synthetic.

    Parameters
    ----------
    layer : QgsVectorLayer or None
        An input layer (written by ``loadpanel`` when it comes from the database).
    fields : list of str
        The fields an algorithm reads.

    Returns
    -------
    tuple
        ``(synthetic fields, known)``; ``known`` is False for layers of other origin, whose
        synthetic status cannot be checked.
    """
    flagged, known = synthetic_of(layer)
    return tuple(f for f in fields if f in flagged), known


class _LayerStatistic(PolicyLinkAlgorithm):
    """Common inputs: polygon layer, unique id field, weights."""

    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    PERMUTATIONS = "PERMUTATIONS"
    ALPHA = "ALPHA"
    ADJUST = "ADJUST"

    _group = "Spatial autocorrelation"
    _group_id = "autocorrelation"

    def add_layer_inputs(self) -> None:
        """Add ``INPUT`` (the units), ``ID_FIELD`` and the weights parameters."""
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.INPUT,
                tr("Units (any polygon or point layer)"),
                [QgsProcessing.TypeVectorAnyGeometry],
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.ID_FIELD, tr("Unit id field (unique)"), parentLayerParameterName=self.INPUT
            )
        )
        self.add_weights_parameters()

    def add_inference(self, with_alpha: bool = True) -> None:
        """Add ``PERMUTATIONS`` and ``SEED``, and with ``with_alpha`` also ``ALPHA`` and ``ADJUST``.

        Parameters
        ----------
        with_alpha : bool
            Whether the statistic flags significant units (a significance level and a
            multiple-testing control).
        """
        self.addParameter(
            QgsProcessingParameterNumber(
                self.PERMUTATIONS,
                tr("Permutations"),
                QgsProcessingParameterNumber.Integer,
                DEFAULT_PERMUTATIONS,
                False,
                0,
                99999,
            )
        )
        self.add_seed()
        if with_alpha:
            self.addParameter(
                QgsProcessingParameterNumber(
                    self.ALPHA,
                    tr("Significance level"),
                    QgsProcessingParameterNumber.Double,
                    DEFAULT_ALPHA,
                    False,
                    0.0001,
                    0.5,
                )
            )
            self.addParameter(
                QgsProcessingParameterEnum(
                    self.ADJUST,
                    tr("Multiple-testing control"),
                    options=[
                        tr("None"),
                        tr("False discovery rate (Benjamini-Hochberg)"),
                        tr("Bonferroni"),
                    ],
                    defaultValue=0,
                )
            )

    def check_units(
        self,
        parameters: dict,
        context: Any,
        layer: QgsVectorLayer,
        id_field: str,
        value_fields: list[str],
    ) -> None:
        """Refuse a layer, field or weights choice that cannot work, before anything is computed.

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.
        layer : QgsVectorLayer
            The units.
        id_field : str
            The unit id field.
        value_fields : list of str
            Fields that must be numeric.

        Raises
        ------
        QgsProcessingException
            From :mod:`.checks`, naming the layer, field or file.
        """
        if layer is None:
            raise QgsProcessingException(tr("Choose a unit layer."))
        check_fields(layer, [id_field, *value_fields], numeric=value_fields)
        path = (
            self.parameterAsFile(parameters, self.WEIGHTS_FILE, context)
            if self.parameterDefinition(self.WEIGHTS_FILE) is not None
            else ""
        )
        kind = None if path else KINDS[self.parameterAsEnum(parameters, self.WEIGHTS_KIND, context)]
        check_units_layer(layer, kind=kind, weights_file=path or None)

    def read_units(
        self, parameters: dict, context: Any, feedback: Any, value_fields: list[str]
    ) -> tuple[QgsVectorLayer, str, pd.DataFrame, W]:
        """Read the unit layer and its weights.

        Parameters
        ----------
        parameters, context, feedback
            What Processing passes to ``processAlgorithm``.
        value_fields : list of str
            Fields of the unit layer to read besides the id field.

        Returns
        -------
        tuple
            ``(layer, id_field, frame, w)``: the layer, the name of its id field, its features as
            a DataFrame (ids as text, ``fid``, geometry and ``value_fields``) and the weights.
        """
        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context)
        self.check_units(parameters, context, layer, id_field, value_fields)
        frame = layer_to_frame(layer, [id_field, *value_fields], feedback=feedback)
        frame[id_field] = frame[id_field].map(lambda v: None if v is None else str(v))
        w = self.weights(parameters, context, frame, id_field, feedback, layer)
        return layer, id_field, frame, w
