"""Shared parameters of the regression algorithms (``spatialpanel`` and ``didsuite``)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
)

from ..core.i18n import tr


def panel_field(
    name: str, label: str, numeric: bool = False, multiple: bool = False, optional: bool = False
) -> QgsProcessingParameterField:
    """A field parameter of the ``PANEL`` table.

    Parameters
    ----------
    name, label : str
        Parameter name and (translated) label.
    numeric : bool
        Only numeric fields.
    multiple : bool
        Several fields may be chosen.
    optional : bool
        The parameter is optional.

    Returns
    -------
    QgsProcessingParameterField
    """
    return QgsProcessingParameterField(
        name,
        label,
        parentLayerParameterName="PANEL",
        type=QgsProcessingParameterField.Numeric if numeric else QgsProcessingParameterField.Any,
        allowMultiple=multiple,
        optional=optional,
    )


def add_outputs(alg: QgsProcessingAlgorithm, table: str, extra: str, extra_label: str) -> None:
    """Add the ``OUTPUT`` table, an optional second table ``extra`` and the optional ``OUTPUT_HTML`` page.

    Parameters
    ----------
    alg : QgsProcessingAlgorithm
        The algorithm being initialised.
    table : str
        Translated label of ``OUTPUT``.
    extra, extra_label : str
        Name and translated label of the second table.
    """
    alg.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", table, QgsProcessing.TypeVector))
    alg.addParameter(
        QgsProcessingParameterFeatureSink(
            extra, extra_label, QgsProcessing.TypeVector, optional=True
        )
    )
    alg.addParameter(
        QgsProcessingParameterFileDestination(
            "OUTPUT_HTML", tr("Results page"), fileFilter="HTML (*.html)", optional=True
        )
    )
