"""Processing algorithm ``globalmoran``: global Moran's I of one variable, one table row per year.

Every number comes from :func:`policylink.spatial.autocorr.moran_by_year` (esda underneath).
"""

from __future__ import annotations

import pandas as pd
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
)

from ...core.i18n import tr
from ...core.layers import layer_to_frame, numeric_column
from ..base import write_table
from ..checks import check_fields
from ..layer_statistic import _LayerStatistic

ALTERNATIVES = ("greater", "two-sided", "less")
"""Values of ``ALTERNATIVE`` for :func:`moran_by_year`, in the order of its options."""


class GlobalMoran(_LayerStatistic):
    """Global Moran's I for one variable over several years: one table row per year."""

    VALUE_FIELDS = "VALUE_FIELDS"
    PANEL = "PANEL"
    PANEL_ID = "PANEL_ID"
    PANEL_TIME = "PANEL_TIME"
    PANEL_VALUE = "PANEL_VALUE"
    ALTERNATIVE = "ALTERNATIVE"
    OUTPUT = "OUTPUT"

    _name = "globalmoran"
    _requires = ("esda",)
    _display = "Global Moran's I by year"
    _help = (
        "Global Moran's I (Moran 1950) for each year, with E[I] = -1/(n-1), and z and p under "
        "normality, randomisation (Cliff and Ord 1981) and permutation (seeded). Give the values "
        "either as several fields of the unit layer (one per year, e.g. co2_2006 ... co2_2019) or "
        "as a long table (unit id, year, value), e.g. the emission_panel view of the PolicyLink "
        "database or a CSV layer. Weights are row-standardised. p is one-sided ('greater') by "
        "default, as in seed 000 Table 4."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_layer_inputs()
        self.addParameter(
            QgsProcessingParameterField(
                self.VALUE_FIELDS,
                tr("Value fields of the unit layer, one per year"),
                parentLayerParameterName=self.INPUT,
                type=QgsProcessingParameterField.Numeric,
                allowMultiple=True,
                optional=True,
            )
        )
        self.add_optional_layer(
            self.PANEL,
            tr("Or: long panel table (unit, year, value)"),
            [
                (self.PANEL_ID, tr("Panel unit id field")),
                (self.PANEL_TIME, tr("Panel year field")),
            ],
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.PANEL_VALUE,
                tr("Panel value field"),
                parentLayerParameterName=self.PANEL,
                type=QgsProcessingParameterField.Numeric,
                optional=True,
            )
        )
        self.add_inference(with_alpha=False)
        self.addParameter(
            QgsProcessingParameterEnum(
                self.ALTERNATIVE,
                tr("Alternative hypothesis"),
                options=[
                    tr("Positive autocorrelation (one-sided)"),
                    tr("Two-sided"),
                    tr("Negative autocorrelation (one-sided)"),
                ],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Moran's I by year"), QgsProcessing.TypeVector
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.moran import MoranOptions, run_moran
        from policylink.errors import PolicyLinkError
        from policylink.spatial.autocorr import MoranByYear

        from ..layer_statistic import analysis_inputs, used_synthetic
        from ..postprocess import label_output

        value_fields = self.parameterAsFields(parameters, "VALUE_FIELDS", context)
        panel_layer = self.parameterAsVectorLayer(parameters, "PANEL", context)
        if not value_fields and panel_layer is None:
            raise QgsProcessingException(
                tr("Give value fields of the unit layer or a long panel table.")
            )
        layer, id_field, frame, w = self.read_units(parameters, context, feedback, value_fields)
        if value_fields:
            for f in value_fields:
                numeric_column(frame, f, layer.name())
            panel = frame.melt(
                id_vars=[id_field], value_vars=value_fields, var_name="period", value_name="value"
            )
            panel = panel.rename(columns={id_field: "unit"})
            periods = list(value_fields)
            synthetic = used_synthetic(layer, list(value_fields))
        else:
            names = [
                self.parameterAsString(parameters, p, context)
                for p in ("PANEL_ID", "PANEL_TIME", "PANEL_VALUE")
            ]
            if not all(names):
                raise QgsProcessingException(
                    tr("With a panel table, choose its unit id, year and value fields.")
                )
            check_fields(panel_layer, names, numeric=[names[2]])
            table = layer_to_frame(panel_layer, names, geometry=False, feedback=feedback)
            panel = pd.DataFrame(
                {
                    "unit": table[names[0]].map(str),
                    "period": table[names[1]],
                    "value": pd.to_numeric(table[names[2]], errors="coerce"),
                }
            )
            panel = panel[panel["unit"].isin(set(w.id_order))]
            periods = sorted(panel["period"].dropna().unique())
            synthetic = used_synthetic(panel_layer, [names[2]])
        inputs = analysis_inputs(panel, w, "unit", "period", layer.name(), synthetic[0])
        options = MoranOptions(
            "value",
            tuple(periods),
            permutations=self.parameterAsInt(parameters, "PERMUTATIONS", context),
            seed=self.parameterAsInt(parameters, "SEED", context),
            alternative=ALTERNATIVES[self.parameterAsEnum(parameters, "ALTERNATIVE", context)],
        )
        try:
            # the one Moran analysis (as `policylink moran` and the report)
            analysis = run_moran(inputs, options)
        except PolicyLinkError as exc:
            raise QgsProcessingException(str(exc)) from exc
        if analysis.provenance.is_synthetic:
            feedback.pushWarning(tr("SYNTHETIC data."))
        result = MoranByYear("value", analysis.results)
        table = result.table
        table["period"] = table["period"].map(str)
        if synthetic[0]:
            table["synthetic"] = ", ".join(synthetic[0])
        dest = write_table(self, parameters, context, "OUTPUT", table)
        label_output(
            context,
            dest,
            *synthetic,
            tr("Global Moran's I by year, layer {layer}.").format(layer=layer.name()),
        )
        for r in result.results:
            feedback.pushInfo(f"{r.period}: I = {r.I:.4f}, z = {r.z_norm:.3f}, p = {r.p_norm:.4f}")
        return {"OUTPUT": dest}
