"""Processing algorithms of the heterogeneity-robust DID toolkit: ``didcs``, ``didimputation``,
``didhonest``.

Each calls its one analysis function of :mod:`policylink.analyses.did` (as ``policylink did
cs|imputation|honest`` and the report): :func:`~policylink.analyses.did.run_callaway_santanna`,
:func:`~policylink.analyses.did.run_imputation`, :func:`~policylink.analyses.did.run_honest`.
These classes only read the panel table, write the tables and, for Callaway-Sant'Anna, the
unit-level effects layer (each unit with its cohort's ATT, joined to a unit layer).
``didimputation`` and ``didhonest`` also take the CLI's standard-error choices (clusters by unit
or two-way, or Conley with the units located by the centroids of a unit layer).
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
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

from ...core.i18n import tr
from ...core.layers import layer_to_frame
from ..base import PolicyLinkAlgorithm, cell, write_table
from ..regression import add_inference_parameters, panel_field


class _DidPanelAlgorithm(PolicyLinkAlgorithm):
    """A long panel table with unit, year, outcome, first treated year and controls."""

    PANEL = "PANEL"
    UNIT = "UNIT"
    TIME = "TIME"
    OUTCOME = "OUTCOME"
    FIRST_TREATED = "FIRST_TREATED"
    CONTROLS = "CONTROLS"
    OUTPUT = "OUTPUT"

    CLUSTER = "CLUSTER"
    INFERENCE = "INFERENCE"
    CONLEY_KM = "CONLEY_KM"
    KERNEL = "KERNEL"
    UNITS = "UNITS"
    UNITS_ID = "UNITS_ID"

    _requires = ("did",)
    _group = "Regression"
    _group_id = "regression"

    def add_inference_parameters(self) -> None:
        """Add the standard errors: clusters (unit or two-way), or Conley with a unit layer.

        The same choices as ``--cluster``, ``--conley-km`` and ``--kernel`` of the CLI; the
        units' coordinates are the centroids of the unit layer (as in ``didsuite``).
        """
        self.addParameter(
            QgsProcessingParameterEnum(
                self.CLUSTER,
                tr("Clustered standard errors"),
                options=[tr("By unit"), tr("By unit and year")],
                defaultValue=0,
            )
        )
        add_inference_parameters(self, tr("Standard errors"))
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.UNITS,
                tr("Optional: unit boundaries (their centroids locate the units for Conley)"),
                [QgsProcessing.TypeVectorAnyGeometry],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.UNITS_ID,
                tr("Unit id field of the boundaries"),
                parentLayerParameterName=self.UNITS,
                optional=True,
            )
        )

    def inference_options(self, parameters: dict, context: Any) -> dict[str, Any]:
        """``conley_km`` and ``kernel`` for the analysis options (``conley_km`` None = clusters).

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.

        Returns
        -------
        dict
            Keyword arguments of :class:`policylink.analyses.did.InferenceOptions`.
        """
        from .did_suite import INFERENCES, KERNELS

        if self.parameterDefinition(self.INFERENCE) is None:
            return {}
        if INFERENCES[self.parameterAsEnum(parameters, self.INFERENCE, context)] != "conley":
            return {"conley_km": None}
        return {
            "conley_km": self.parameterAsDouble(parameters, self.CONLEY_KM, context),
            "kernel": KERNELS[self.parameterAsEnum(parameters, self.KERNEL, context)],
        }

    def unit_coords(self, parameters: dict, context: Any, feedback: Any) -> Any:
        """Centroids (km, equal-area projection) of the unit layer, for Conley errors.

        Raises
        ------
        QgsProcessingException
            No unit layer or id field, or a layer without a CRS.
        """
        from policylink.weights import centroids_km

        from ..checks import check_fields

        layer = self.parameterAsVectorLayer(parameters, self.UNITS, context)
        id_field = self.parameterAsString(parameters, self.UNITS_ID, context)
        if layer is None or not id_field:
            raise QgsProcessingException(
                tr(
                    "Conley standard errors need the units' locations: give the unit "
                    "boundaries layer and its unit id field."
                )
            )
        check_fields(layer, [id_field])
        if not layer.crs().isValid():
            raise QgsProcessingException(
                tr(
                    "Layer '{layer}' has no coordinate reference system (CRS), so the distances "
                    "of the Conley standard errors cannot be measured; set its CRS (Layer "
                    "Properties, Source)."
                ).format(layer=layer.name())
            )
        frame = layer_to_frame(layer, [id_field], feedback=feedback)
        frame[id_field] = frame[id_field].map(lambda v: None if v is None else str(v))
        return centroids_km(frame, id_field, source=layer.name())

    def add_panel_inputs(self, controls: bool = True) -> None:
        """Add ``PANEL`` and its unit, year, outcome, first-treated-year (and control) fields."""
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.PANEL, tr("Panel table (unit, year, variables)"), [QgsProcessing.TypeVector]
            )
        )
        self.addParameter(panel_field(self.UNIT, tr("Unit id field")))
        self.addParameter(panel_field(self.TIME, tr("Year field"), numeric=True))
        self.addParameter(panel_field(self.OUTCOME, tr("Outcome"), numeric=True))
        self.addParameter(
            panel_field(
                self.FIRST_TREATED,
                tr("First treated year field (0 or empty = never)"),
                numeric=True,
            )
        )
        if controls:
            self.addParameter(
                panel_field(
                    self.CONTROLS, tr("Controls"), numeric=True, multiple=True, optional=True
                )
            )

    def did_inputs(self, parameters: dict, context: Any, feedback: Any) -> Any:
        """The panel as :class:`policylink.did_inputs.DidInputs` (the one DID input reader).

        Parameters
        ----------
        parameters, context, feedback
            What Processing passes to ``processAlgorithm``.

        Returns
        -------
        policylink.did_inputs.DidInputs
        """
        from policylink.did_inputs import did_inputs_from_frame
        from policylink.spatial.did import PanelSpec

        names = {
            p: self.parameterAsString(parameters, p, context)
            for p in (self.UNIT, self.TIME, self.OUTCOME, self.FIRST_TREATED)
        }
        controls = (
            self.parameterAsFields(parameters, self.CONTROLS, context)
            if self.parameterDefinition(self.CONTROLS) is not None
            else []
        )
        layer = self.parameterAsVectorLayer(parameters, self.PANEL, context)
        cols = [*names.values(), *controls]
        df = layer_to_frame(layer, cols, geometry=False, feedback=feedback).drop(columns="fid")
        df[names[self.UNIT]] = df[names[self.UNIT]].map(lambda v: None if v is None else str(v))
        cluster = {}
        if self.parameterDefinition(self.CLUSTER) is not None:
            from .did_suite import CLUSTERS

            cluster["cluster"] = CLUSTERS[self.parameterAsEnum(parameters, self.CLUSTER, context)]
        spec = PanelSpec(
            outcome=names[self.OUTCOME],
            unit=names[self.UNIT],
            time=names[self.TIME],
            first_treated=names[self.FIRST_TREATED],
            controls=tuple(controls),
            source=layer.name(),
            **cluster,
        )
        self._panel_layer = layer
        inputs = did_inputs_from_frame(df, spec, source=layer.name())
        if self.inference_options(parameters, context).get("conley_km") is not None:
            inputs = inputs.with_coords(self.unit_coords(parameters, context, feedback))
        return inputs

    def log_inference(self, inference: str | None, feedback: Any) -> str:
        """Log the standard errors used (the estimator's own words) and return them."""
        text = inference or ""
        feedback.pushInfo(tr("Standard errors: {inference}").format(inference=text))
        return text

    def finish(self, analysis: Any, parameters: dict, context: Any, feedback: Any) -> dict:
        """Write ``OUTPUT`` (the analysis table), label it, log the title; return the results."""
        from ..layer_statistic import used_synthetic
        from ..postprocess import label_output

        if analysis.provenance.is_synthetic:
            feedback.pushWarning(tr("SYNTHETIC data."))
        title = analysis.title("en")
        feedback.pushInfo(title)
        dest = write_table(self, parameters, context, self.OUTPUT, analysis.table("en"))
        outcome = self.parameterAsString(parameters, self.OUTCOME, context)
        label_output(context, dest, *used_synthetic(self._panel_layer, [outcome]), title)
        return {self.OUTPUT: dest}


class DIDCallawaySantAnna(_DidPanelAlgorithm):
    """Callaway-Sant'Anna group-time ATTs, aggregations and a unit-level effects layer."""

    ESTIMATOR = "ESTIMATOR"
    CONTROL = "CONTROL"
    AGGREGATE = "AGGREGATE"
    ANTICIPATION = "ANTICIPATION"
    BANDS = "BANDS"
    AGGREGATIONS = "AGGREGATIONS"
    UNITS = "UNITS"
    UNITS_ID = "UNITS_ID"
    UNIT_EFFECTS = "UNIT_EFFECTS"

    _name = "didcs"
    _display = "Callaway-Sant'Anna DID"
    _help = (
        "Callaway and Sant'Anna (2021) group-time average treatment effects for staggered "
        "adoption (policylink.analyses.did.run_callaway_santanna, as `policylink did cs`): "
        "outcome-regression, inverse-probability-weighting or doubly-robust estimator (with "
        "controls; without, all three are the unconditional DID), never-treated, not-yet-treated "
        "or automatic comparison group, anticipation years, and the simple, dynamic (event-time), "
        "group and calendar aggregations; optional multiplier bootstrap with uniform 95% bands. "
        "With a unit layer, also the unit-level effects: every unit with its cohort (first "
        "treated year) and the cohort's ATT, se and p, joined to the unit geometries for mapping."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        from policylink.analyses.did import CS_AGGREGATIONS, CS_CONTROLS, CS_ESTIMATORS

        self.add_panel_inputs()
        labels = {
            "or": tr("Outcome regression"),
            "ipw": tr("Inverse probability weighting"),
            "dr": tr("Doubly robust"),
            "never": tr("Never treated"),
            "notyet": tr("Not yet treated"),
            "auto": tr("Never treated if any, else not yet treated"),
            "dynamic": tr("Dynamic (event time)"),
            "simple": tr("Simple (overall)"),
            "group": tr("Group (cohort)"),
            "calendar": tr("Calendar year"),
        }
        for key, label, values in (
            (self.ESTIMATOR, tr("Estimator"), CS_ESTIMATORS),
            (self.CONTROL, tr("Comparison group"), CS_CONTROLS),
            (self.AGGREGATE, tr("Aggregation of the main table"), CS_AGGREGATIONS),
        ):
            self.addParameter(
                QgsProcessingParameterEnum(
                    key, label, options=[labels[v] for v in values], defaultValue=0
                )
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.ANTICIPATION,
                tr("Anticipation years"),
                QgsProcessingParameterNumber.Integer,
                0,
                False,
                0,
                10,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.BANDS,
                tr("Bootstrap draws for uniform bands (0 = none)"),
                QgsProcessingParameterNumber.Integer,
                0,
                False,
                0,
                100000,
            )
        )
        self.add_seed()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Callaway-Sant'Anna ATTs"), QgsProcessing.TypeVector
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.AGGREGATIONS, tr("Aggregations"), QgsProcessing.TypeVector, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.UNITS,
                tr("Optional: unit layer for the unit-level effects"),
                [QgsProcessing.TypeVectorAnyGeometry],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.UNITS_ID,
                tr("Unit id field of the unit layer"),
                parentLayerParameterName=self.UNITS,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.UNIT_EFFECTS,
                tr("Unit-level effects (cohort ATT per unit)"),
                QgsProcessing.TypeVectorAnyGeometry,
                optional=True,
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.did import (
            CS_AGGREGATIONS,
            CS_CONTROLS,
            CS_ESTIMATORS,
            CsOptions,
            run_callaway_santanna,
        )

        inputs = self.did_inputs(parameters, context, feedback)
        options = CsOptions(
            control=CS_CONTROLS[self.parameterAsEnum(parameters, self.CONTROL, context)],
            covariates=tuple(inputs.spec.controls),
            bands=self.parameterAsInt(parameters, self.BANDS, context),
            seed=self.parameterAsInt(parameters, self.SEED, context),
            estimator=CS_ESTIMATORS[self.parameterAsEnum(parameters, self.ESTIMATOR, context)],
            anticipation=self.parameterAsInt(parameters, self.ANTICIPATION, context),
            aggregate=CS_AGGREGATIONS[self.parameterAsEnum(parameters, self.AGGREGATE, context)],
        )
        analysis = run_callaway_santanna(inputs, options)
        out = self.finish(analysis, parameters, context, feedback)
        if parameters.get(self.AGGREGATIONS):
            out[self.AGGREGATIONS] = write_table(
                self, parameters, context, self.AGGREGATIONS, analysis.aggregations("en")
            )
        if parameters.get(self.UNIT_EFFECTS):
            out[self.UNIT_EFFECTS] = self.unit_effects(parameters, context, inputs, analysis)
        out.update({"ATT": analysis.att, "SE": analysis.se, "CONTROL": analysis.result.control})
        return out

    def unit_effects(self, parameters: dict, context: Any, inputs: Any, analysis: Any) -> str:
        """Write each unit of ``UNITS`` with its cohort and the cohort's ATT, se and p.

        Units never treated (or absent from the panel) keep empty effect fields.
        """
        layer = self.parameterAsVectorLayer(parameters, self.UNITS, context)
        id_field = self.parameterAsString(parameters, self.UNITS_ID, context)
        if layer is None or not id_field:
            raise QgsProcessingException(
                tr("The unit-level effects need the unit layer and its unit id field.")
            )
        spec = inputs.spec
        cohort = (
            inputs.panel.groupby(spec.unit)[spec.first_treated].first().rename(index=str).to_dict()
        )
        groups = analysis.result.group.set_index("group")
        fields = QgsFields(layer.fields())
        for name, qtype in (
            ("cohort", QVariant.Int),
            ("cohort_att", QVariant.Double),
            ("cohort_se", QVariant.Double),
            ("cohort_p", QVariant.Double),
        ):
            fields.append(QgsField(name, qtype))
        sink, dest = self.parameterAsSink(
            parameters, self.UNIT_EFFECTS, context, fields, layer.wkbType(), layer.sourceCrs()
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.UNIT_EFFECTS))
        for feat in layer.getFeatures():
            g = cohort.get(str(feat[id_field]))
            extra: list[Any] = [None, None, None, None]
            if g is not None and pd.notna(g) and g in groups.index:
                row = groups.loc[g]
                extra = [int(g), cell(row["att"]), cell(row["se"]), cell(row["p"])]
            out = QgsFeature(fields)
            out.setGeometry(feat.geometry())
            out.setAttributes(list(feat.attributes()) + extra)
            sink.addFeature(out, QgsFeatureSink.FastInsert)
        return dest


class DIDImputation(_DidPanelAlgorithm):
    """Borusyak-Jaravel-Spiess imputation DID with event-time effects and a pre-trend test."""

    HORIZONS = "HORIZONS"
    PRETRENDS = "PRETRENDS"
    ANTICIPATION = "ANTICIPATION"

    _name = "didimputation"
    _display = "Imputation DID (Borusyak-Jaravel-Spiess)"
    _help = (
        "Imputation difference-in-differences (Borusyak, Jaravel and Spiess 2024; "
        "policylink.analyses.did.run_imputation, as `policylink did imputation`): unit and year "
        "effects (and controls) fitted on the untreated observations, treated outcomes compared "
        "with their imputed counterfactual; overall ATT and event-time effects with the BJS "
        "conservative standard errors clustered by unit, two-way by unit and year, or Conley "
        "spatial HAC with a distance cutoff in km (units located by the centroids of a unit "
        "layer), and a pre-trend test on the untreated observations. Output: table rel_time, "
        "estimate, se, p, n_obs, kind (effect or pretrend); INFERENCE names the standard errors."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        from policylink.analyses.did import DEFAULT_LEADS

        self.add_panel_inputs()
        for key, label, default, low in (
            (self.HORIZONS, tr("Largest event time reported (0 = all)"), 0, 0),
            (self.PRETRENDS, tr("Leads in the pre-trend test (0 = none)"), DEFAULT_LEADS, 0),
            (self.ANTICIPATION, tr("Anticipation years"), 0, 0),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(
                    key, label, QgsProcessingParameterNumber.Integer, default, False, low, 50
                )
            )
        self.add_inference_parameters()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Imputation DID by event time"), QgsProcessing.TypeVector
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.did import ImputationOptions, run_imputation

        inputs = self.did_inputs(parameters, context, feedback)
        horizons = self.parameterAsInt(parameters, self.HORIZONS, context)
        analysis = run_imputation(
            inputs,
            ImputationOptions(
                horizons=horizons or None,
                pretrends=self.parameterAsInt(parameters, self.PRETRENDS, context),
                anticipation=self.parameterAsInt(parameters, self.ANTICIPATION, context),
                **self.inference_options(parameters, context),
            ),
        )
        out = self.finish(analysis, parameters, context, feedback)
        out.update(
            {
                "INFERENCE": self.log_inference(analysis.result.inference, feedback),
                "ATT": analysis.att,
                "SE": analysis.se,
                "PRETREND_P": float(analysis.result.pretrend.get("p", float("nan"))),
            }
        )
        return out


class DIDHonest(_DidPanelAlgorithm):
    """Rambachan-Roth (HonestDiD) sensitivity of the TWFE event study, with pre-trend power."""

    RESTRICTION = "RESTRICTION"
    M_VALUES = "M_VALUES"
    TARGET = "TARGET"
    LEADS = "LEADS"
    LAGS = "LAGS"
    ALPHA = "ALPHA"
    OUTPUT_PNG = "OUTPUT_PNG"

    _name = "didhonest"
    _display = "HonestDiD sensitivity (Rambachan-Roth)"
    _help = (
        "How robust is the event-study effect to violations of parallel trends (Rambachan and "
        "Roth 2023; policylink.analyses.did.run_honest, as `policylink did honest`): for each M, "
        "the identified set and the confidence set of the target (average of the post periods, "
        "the first, or one event time) under relative-magnitude (post violations at most M "
        "times the largest pre-period one) or smoothness restrictions (slope changes at most "
        "M per period), the breakdown value of M, and the power of the pre-trend test (Roth "
        "2022: linear trends detected with 50% and 80% probability). The event study's "
        "covariance is clustered by unit, two-way by unit and year, or Conley spatial HAC with a "
        "distance cutoff in km (units located by the centroids of a unit layer); INFERENCE "
        "names it. Optional PNG: the sensitivity plot."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        from policylink.analyses.did import DEFAULT_LAGS, DEFAULT_LEADS

        self.add_panel_inputs()
        self.addParameter(
            QgsProcessingParameterEnum(
                self.RESTRICTION,
                tr("Restriction"),
                options=[tr("Relative magnitudes"), tr("Smoothness")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.M_VALUES, tr("Values of M (comma-separated)"), defaultValue="0,0.5,1,1.5,2"
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.TARGET,
                tr("Target: average, first or an event time (0, 1, ...)"),
                defaultValue="average",
            )
        )
        for key, label, default in (
            (self.LEADS, tr("Leads"), DEFAULT_LEADS),
            (self.LAGS, tr("Lags"), DEFAULT_LAGS),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(
                    key, label, QgsProcessingParameterNumber.Integer, default, False, 1, 30
                )
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.ALPHA,
                tr("Significance level"),
                QgsProcessingParameterNumber.Double,
                0.05,
                False,
                0.001,
                0.5,
            )
        )
        self.add_seed()
        self.add_inference_parameters()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("HonestDiD sensitivity"), QgsProcessing.TypeVector
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT_PNG, tr("Sensitivity plot"), fileFilter="PNG (*.png)", optional=True
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.did import HONEST_RESTRICTIONS, HonestOptions, run_honest

        text = self.parameterAsString(parameters, self.M_VALUES, context)
        try:
            m_values = tuple(float(v) for v in text.split(",") if v.strip())
        except ValueError as exc:
            raise QgsProcessingException(
                tr("Values of M must be numbers separated by commas, e.g. 0,0.5,1.")
            ) from exc
        inputs = self.did_inputs(parameters, context, feedback)
        restriction = HONEST_RESTRICTIONS[
            self.parameterAsEnum(parameters, self.RESTRICTION, context)
        ]
        analysis = run_honest(
            inputs,
            HonestOptions(
                restriction=restriction,
                m_values=m_values,
                target=self.parameterAsString(parameters, self.TARGET, context).strip(),
                leads=self.parameterAsInt(parameters, self.LEADS, context),
                lags=self.parameterAsInt(parameters, self.LAGS, context),
                alpha=self.parameterAsDouble(parameters, self.ALPHA, context),
                seed=self.parameterAsInt(parameters, self.SEED, context),
                **self.inference_options(parameters, context),
            ),
        )
        out = self.finish(analysis, parameters, context, feedback)
        out["INFERENCE"] = self.log_inference(analysis.inference, feedback)
        png = self.parameterAsFileOutput(parameters, self.OUTPUT_PNG, context)
        if png:
            from ..checks import check_output_file

            png = check_output_file(png)
            analysis.figures()["honest"].savefig(png, dpi=150)
            out[self.OUTPUT_PNG] = png
        out.update(
            {
                "ESTIMATE": float(analysis.result.original["estimate"]),
                "BREAKDOWN_M": float(analysis.result.breakdown),
                "SLOPE_50": float(analysis.power.get("slope_50", float("nan"))),
                "SLOPE_80": float(analysis.power.get("slope_80", float("nan"))),
            }
        )
        return out
