"""Family base of the local statistics (LISA and Gi*): the input layer with fields appended.

Every number comes from the one local-statistic analysis,
:func:`policylink.analyses.lisa.run_lisa` (as ``policylink lisa`` and the report's LISA map);
the subclasses ``localmoran`` and ``gistar`` only say which statistic and which columns to keep.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
)
from qgis.PyQt.QtCore import QVariant

from policylink.errors import PolicyLinkError

from ..core.i18n import tr
from ..core.layers import numeric_column
from .base import cell
from .layer_statistic import _LayerStatistic, analysis_inputs, used_synthetic
from .postprocess import label_output, style_on_load

ADJUSTMENTS = ("none", "fdr", "bonferroni")
"""Values of ``ADJUST`` for :mod:`policylink.spatial.autocorr`, in the order of its options."""


class _LocalStatistic(_LayerStatistic):
    """LISA and Gi*: one output feature per input feature with the statistic's fields appended."""

    FIELD = "FIELD"
    OUTPUT = "OUTPUT"

    SIGNIFICANCE = "SIGNIFICANCE"

    prefix = ""
    style = ""
    #: Also write the significance map (``SIGNIFICANCE``: the units with ``<prefix>_pcl``, the
    #: class of the pseudo p-value, styled ``<style>_significance``).
    significance_map = False
    _source = ""
    _synthetic: tuple[tuple[str, ...], bool] = ((), False)

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_layer_inputs()
        self.addParameter(
            QgsProcessingParameterField(
                self.FIELD,
                tr("Variable"),
                parentLayerParameterName=self.INPUT,
                type=QgsProcessingParameterField.Numeric,
            )
        )
        self.add_inference()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr(self._display), QgsProcessing.TypeVectorAnyGeometry
            )
        )
        if self.significance_map:
            self.addParameter(
                QgsProcessingParameterFeatureSink(
                    self.SIGNIFICANCE,
                    tr("Significance map (pseudo p-value classes)"),
                    QgsProcessing.TypeVectorAnyGeometry,
                    optional=True,
                    createByDefault=True,
                )
            )

    #: ``statistic`` of :class:`policylink.analyses.lisa.LisaOptions` (set by each subclass).
    statistic = "local_moran"

    def compute(self, y: np.ndarray, w: Any, parameters: dict, context: Any) -> Any:
        """Run the one local-statistic analysis (:func:`policylink.analyses.lisa.run_lisa`).

        Parameters
        ----------
        y : numpy.ndarray
            The variable, one value per unit in the order of ``w.id_order``.
        w : libpysal.weights.W
            The weights (ids as text).
        parameters, context
            What Processing passes to ``processAlgorithm``.

        Returns
        -------
        policylink.analyses.lisa.LisaAnalysis
            With ``local.table`` (one row per unit, column ``id``) and ``counts()``.
        """
        from policylink.analyses.lisa import LisaOptions, run_lisa

        panel = pd.DataFrame({"id": [str(i) for i in w.id_order], "value": y})
        inputs = analysis_inputs(panel, w, "id", None, self._source, self._synthetic[0])
        options = LisaOptions("value", None, self.statistic, **self._settings(parameters, context))
        try:
            return run_lisa(inputs, options)
        except PolicyLinkError as exc:
            raise QgsProcessingException(str(exc)) from exc

    def out_columns(self) -> list[tuple[str, str, int]]:
        """The appended fields.

        Returns
        -------
        list of (str, str, int)
            ``(output field name, column of the result table, QVariant type)``.
        """
        raise NotImplementedError

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        field = self.parameterAsString(parameters, "FIELD", context)
        if self.parameterAsInt(parameters, self.PERMUTATIONS, context) < 1:
            # local p-values are permutation p-values: 0 permutations give none
            raise QgsProcessingException(
                tr("Local statistics need permutations for their p-values; give at least 99.")
            )
        layer, id_field, frame, w = self.read_units(parameters, context, feedback, [field])
        try:
            y = numeric_column(frame, field, layer.name())
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        self._source = layer.name()
        self._synthetic = used_synthetic(layer, [field])
        result = self.compute(y, w, parameters, context)
        table = result.local.table.set_index("id")
        fields = QgsFields(layer.fields())
        for out_name, _col, qtype in self.out_columns():
            fields.append(QgsField(out_name, qtype))
        sink, dest = self.parameterAsSink(
            parameters, "OUTPUT", context, fields, layer.wkbType(), layer.sourceCrs()
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        sig_sink, sig_dest, p_column = None, None, None
        if self.significance_map and parameters.get(self.SIGNIFICANCE) is not None:
            from ..core.styling import significance_class

            p_column = next(col for name, col, _t in self.out_columns() if name.endswith("_p"))
            sig_fields = QgsFields(layer.fields())
            sig_fields.append(QgsField(f"{self.prefix}_p", QVariant.Double))
            sig_fields.append(QgsField(f"{self.prefix}_pcl", QVariant.String))
            sig_sink, sig_dest = self.parameterAsSink(
                parameters,
                self.SIGNIFICANCE,
                context,
                sig_fields,
                layer.wkbType(),
                layer.sourceCrs(),
            )
        by_fid = dict(zip(frame["fid"], frame[id_field], strict=True))
        total = max(1, layer.featureCount())
        for n, feat in enumerate(layer.getFeatures()):
            if feedback.isCanceled():
                break
            row = table.loc[by_fid[feat.id()]]
            out = QgsFeature(fields)
            out.setGeometry(feat.geometry())
            out.setAttributes(
                list(feat.attributes()) + [cell(row[col]) for _n, col, _t in self.out_columns()]
            )
            sink.addFeature(out, QgsFeatureSink.FastInsert)
            if sig_sink is not None:
                p = cell(row[p_column])
                sig = QgsFeature(sig_fields)
                sig.setGeometry(feat.geometry())
                sig.setAttributes(list(feat.attributes()) + [p, significance_class(p)])
                sig_sink.addFeature(sig, QgsFeatureSink.FastInsert)
            feedback.setProgress(100.0 * n / total)
        counts = result.counts()
        if result.provenance.is_synthetic:
            feedback.pushWarning(tr("SYNTHETIC data."))
        feedback.pushInfo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
        style_on_load(context, dest, self.style)
        label_output(
            context,
            dest,
            *self._synthetic,
            tr("{what} of field {field} of layer {layer}.").format(
                what=tr(self._display), field=field, layer=layer.name()
            ),
        )
        if sig_dest is not None:
            style_on_load(context, sig_dest, f"{self.style}_significance")
            return {"OUTPUT": dest, self.SIGNIFICANCE: sig_dest, "COUNTS": counts}
        return {"OUTPUT": dest, "COUNTS": counts}

    def _settings(self, parameters, context) -> dict:
        return {
            "permutations": self.parameterAsInt(parameters, self.PERMUTATIONS, context),
            "seed": self.parameterAsInt(parameters, self.SEED, context),
            "alpha": self.parameterAsDouble(parameters, self.ALPHA, context),
            "adjust": ADJUSTMENTS[self.parameterAsEnum(parameters, self.ADJUST, context)],
        }
