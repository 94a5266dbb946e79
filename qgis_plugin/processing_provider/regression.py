"""Shared parameters of the regression algorithms (``spatialpanel`` and the DID algorithms)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
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


#: Default Conley distance cutoff (km) of the DID algorithms.
CONLEY_KM_DEFAULT = 100.0


def add_inference_parameters(alg: QgsProcessingAlgorithm, label: str) -> None:
    """Add the standard-error choice (cluster-robust or Conley), the cutoff and the kernel.

    The parameters are named ``INFERENCE``, ``CONLEY_KM`` and ``KERNEL``, as every DID
    algorithm reads them.

    Parameters
    ----------
    alg : QgsProcessingAlgorithm
        The algorithm being initialised.
    label : str
        Translated label of the standard-error choice.
    """
    alg.addParameter(
        QgsProcessingParameterEnum(
            "INFERENCE",
            label,
            options=[
                tr("Cluster-robust (clusters as chosen above)"),
                tr("Conley spatial HAC (distance cutoff below)"),
            ],
            defaultValue=0,
        )
    )
    alg.addParameter(
        QgsProcessingParameterNumber(
            "CONLEY_KM",
            tr("Conley distance cutoff (km)"),
            QgsProcessingParameterNumber.Double,
            CONLEY_KM_DEFAULT,
            False,
            0.001,
        )
    )
    alg.addParameter(
        QgsProcessingParameterEnum(
            "KERNEL",
            tr("Conley kernel"),
            options=[tr("Bartlett (weight falls linearly to the cutoff)"), tr("Uniform")],
            defaultValue=0,
        )
    )
