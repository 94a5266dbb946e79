"""Processing algorithms for spatial autocorrelation: weights, global Moran by year, LISA, Gi*.

Every number comes from :mod:`policylink.spatial.autocorr` (esda underneath); these classes only read the
layers, call it and write the results.
"""

from __future__ import annotations

import pandas as pd
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

from ..core.i18n import tr
from ..core.layers import layer_to_frame, numeric_column
from ..core.weights import write_weights_file
from .base import PolicyLinkAlgorithm, cell, write_table
from .postprocess import style_on_load

ALTERNATIVES = ("greater", "two-sided", "less")
ADJUSTMENTS = ("none", "fdr", "bonferroni")


class _LayerStatistic(PolicyLinkAlgorithm):
    """Common inputs: polygon layer, unique id field, weights."""

    _group = "Spatial autocorrelation"
    _group_id = "autocorrelation"

    def add_layer_inputs(self) -> None:
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                "INPUT",
                tr("Units (any polygon or point layer)"),
                [QgsProcessing.TypeVectorAnyGeometry],
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                "ID_FIELD", tr("Unit id field (unique)"), parentLayerParameterName="INPUT"
            )
        )
        self.add_weights_parameters()

    def add_inference(self, with_alpha: bool = True) -> None:
        self.addParameter(
            QgsProcessingParameterNumber(
                "PERMUTATIONS",
                tr("Permutations"),
                QgsProcessingParameterNumber.Integer,
                999,
                False,
                0,
                99999,
            )
        )
        self.add_seed()
        if with_alpha:
            self.addParameter(
                QgsProcessingParameterNumber(
                    "ALPHA",
                    tr("Significance level"),
                    QgsProcessingParameterNumber.Double,
                    0.05,
                    False,
                    0.0001,
                    0.5,
                )
            )
            self.addParameter(
                QgsProcessingParameterEnum(
                    "ADJUST",
                    tr("Multiple-testing control"),
                    options=[
                        tr("None"),
                        tr("False discovery rate (Benjamini-Hochberg)"),
                        tr("Bonferroni"),
                    ],
                    defaultValue=0,
                )
            )

    def read_units(self, parameters, context, feedback, value_fields):
        layer = self.parameterAsVectorLayer(parameters, "INPUT", context)
        id_field = self.parameterAsString(parameters, "ID_FIELD", context)
        frame = layer_to_frame(layer, [id_field, *value_fields], feedback=feedback)
        frame[id_field] = frame[id_field].map(lambda v: None if v is None else str(v))
        w = self.weights(parameters, context, frame, id_field, feedback)
        return layer, id_field, frame, w


class BuildWeights(_LayerStatistic):
    """Build contiguity or k-nearest-neighbour weights from a layer and save them as GAL/GWT."""

    _name = "buildweights"
    _display = "Build spatial weights (GAL/GWT)"
    _help = (
        "Builds queen or rook contiguity or k-nearest-neighbour weights from the geometries of a "
        "layer (libpysal) and writes them as a GAL (binary) or GWT file that GeoDa, libpysal and "
        "every PolicyLink algorithm can read. Units without neighbours (islands) are reported. "
        "For the database, the w_queen and w_rook views hold the same contiguity; refresh them "
        "with the command `policylink views refresh`."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_layer_inputs()
        self.removeParameter("WEIGHTS_FILE")
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "OUTPUT", tr("Weights file"), fileFilter="GAL (*.gal);;GWT (*.gwt)"
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        _layer, _id, _frame, w = self.read_units(parameters, context, feedback, [])
        out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        write_weights_file(w, out)
        return {
            "OUTPUT": out,
            "N_UNITS": w.n,
            "N_LINKS": int(sum(w.cardinalities.values())),
            "ISLANDS": len(w.islands),
        }


class GlobalMoran(_LayerStatistic):
    """Global Moran's I for one variable over several years: one table row per year."""

    _name = "globalmoran"
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
                "VALUE_FIELDS",
                tr("Value fields of the unit layer, one per year"),
                parentLayerParameterName="INPUT",
                type=QgsProcessingParameterField.Numeric,
                allowMultiple=True,
                optional=True,
            )
        )
        self.add_optional_layer(
            "PANEL",
            tr("Or: long panel table (unit, year, value)"),
            [("PANEL_ID", tr("Panel unit id field")), ("PANEL_TIME", tr("Panel year field"))],
        )
        self.addParameter(
            QgsProcessingParameterField(
                "PANEL_VALUE",
                tr("Panel value field"),
                parentLayerParameterName="PANEL",
                type=QgsProcessingParameterField.Numeric,
                optional=True,
            )
        )
        self.add_inference(with_alpha=False)
        self.addParameter(
            QgsProcessingParameterEnum(
                "ALTERNATIVE",
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
                "OUTPUT", tr("Moran's I by year"), QgsProcessing.TypeVector
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.spatial.autocorr import moran_by_year

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
        else:
            names = [
                self.parameterAsString(parameters, p, context)
                for p in ("PANEL_ID", "PANEL_TIME", "PANEL_VALUE")
            ]
            if not all(names):
                raise QgsProcessingException(
                    tr("With a panel table, choose its unit id, year and value fields.")
                )
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
        try:
            result = moran_by_year(
                panel,
                w,
                variable="value",
                id_col="unit",
                time_col="period",
                periods=periods,
                permutations=self.parameterAsInt(parameters, "PERMUTATIONS", context),
                alternative=ALTERNATIVES[self.parameterAsEnum(parameters, "ALTERNATIVE", context)],
                seed=self.parameterAsInt(parameters, "SEED", context),
            )
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        table = result.table
        table["period"] = table["period"].map(str)
        dest = write_table(self, parameters, context, "OUTPUT", table)
        for r in result.results:
            feedback.pushInfo(f"{r.period}: I = {r.I:.4f}, z = {r.z_norm:.3f}, p = {r.p_norm:.4f}")
        return {"OUTPUT": dest}


class _LocalStatistic(_LayerStatistic):
    """LISA and Gi*: one output feature per input feature with the statistic's fields appended."""

    prefix = ""
    style = ""

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_layer_inputs()
        self.addParameter(
            QgsProcessingParameterField(
                "FIELD",
                tr("Variable"),
                parentLayerParameterName="INPUT",
                type=QgsProcessingParameterField.Numeric,
            )
        )
        self.add_inference()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "OUTPUT", tr(self._display), QgsProcessing.TypeVectorAnyGeometry
            )
        )

    def compute(self, y, w, parameters, context):
        raise NotImplementedError

    def out_columns(self) -> list[tuple[str, str, int]]:
        raise NotImplementedError

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        field = self.parameterAsString(parameters, "FIELD", context)
        layer, id_field, frame, w = self.read_units(parameters, context, feedback, [field])
        try:
            y = numeric_column(frame, field, layer.name())
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        result = self.compute(y, w, parameters, context)
        table = result.table.set_index("id")
        fields = QgsFields(layer.fields())
        for out_name, _col, qtype in self.out_columns():
            fields.append(QgsField(out_name, qtype))
        sink, dest = self.parameterAsSink(
            parameters, "OUTPUT", context, fields, layer.wkbType(), layer.sourceCrs()
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
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
            feedback.setProgress(100.0 * n / total)
        counts = result.counts()
        feedback.pushInfo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
        style_on_load(context, dest, self.style)
        return {"OUTPUT": dest, "COUNTS": counts}

    def _settings(self, parameters, context) -> dict:
        return {
            "permutations": self.parameterAsInt(parameters, "PERMUTATIONS", context),
            "seed": self.parameterAsInt(parameters, "SEED", context),
            "alpha": self.parameterAsDouble(parameters, "ALPHA", context),
            "adjust": ADJUSTMENTS[self.parameterAsEnum(parameters, "ADJUST", context)],
        }


class LocalMoran(_LocalStatistic):
    """Local Moran's I (LISA) with cluster labels, styled in GeoDa colours."""

    _name = "localmoran"
    _display = "Local Moran's I (LISA clusters)"
    _help = (
        "Local Moran's I (Anselin 1995) with conditional permutation p-values (seeded) and "
        "optional FDR or Bonferroni control. Output fields: lisa_i (local I), lisa_q (quadrant "
        "HH, LH, LL, HL), lisa_z, lisa_p (pseudo p), lisa_sig and lisa_cl (the quadrant when "
        "significant, else 'not significant'), styled with GeoDa's LISA colours."
    )
    style = "lisa"

    def compute(self, y, w, parameters, context):  # noqa: D102
        from policylink.spatial.autocorr import local_moran

        return local_moran(y, w, **self._settings(parameters, context))

    def out_columns(self):  # noqa: D102
        return [
            ("lisa_i", "Ii", QVariant.Double),
            ("lisa_q", "quadrant", QVariant.String),
            ("lisa_z", "z_sim", QVariant.Double),
            ("lisa_p", "p_sim", QVariant.Double),
            ("lisa_sig", "significant", QVariant.Bool),
            ("lisa_cl", "cluster", QVariant.String),
        ]


class GetisOrdGiStar(_LocalStatistic):
    """Getis-Ord Gi* hot and cold spots."""

    _name = "gistar"
    _display = "Getis-Ord Gi* hot spots"
    _help = (
        "Getis-Ord Gi* (Ord and Getis 1995; each unit in its own neighbourhood) with analytic z "
        "and seeded permutation p-values. Output fields: gi_g, gi_z (analytic z), gi_zsim, gi_p, "
        "gi_sig and gi_cl ('hot spot', 'cold spot', 'not significant')."
    )
    style = "gistar"

    def compute(self, y, w, parameters, context):  # noqa: D102
        from policylink.spatial.autocorr import getis_ord_gi_star

        return getis_ord_gi_star(y, w, **self._settings(parameters, context))

    def out_columns(self):  # noqa: D102
        return [
            ("gi_g", "Gi_star", QVariant.Double),
            ("gi_z", "z_norm", QVariant.Double),
            ("gi_zsim", "z_sim", QVariant.Double),
            ("gi_p", "p_sim", QVariant.Double),
            ("gi_sig", "significant", QVariant.Bool),
            ("gi_cl", "cluster", QVariant.String),
        ]
