"""Processing algorithm ``didsuite``: TWFE DID, event study and placebo test with plots.

Estimates come from the one DID pipeline, :func:`policylink.analyses.did.run_suite` (as
``policylink did run`` and the report); this class reads the layers and writes tables and an
HTML page.
"""

from __future__ import annotations

import pandas as pd
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ...core.htmlreport import write_html
from ...core.i18n import tr
from ...core.layers import layer_to_frame
from ...core.weights import KINDS
from ..base import PolicyLinkAlgorithm, write_table
from ..regression import add_inference_parameters, add_outputs, panel_field

CLUSTERS = ("unit", "twoway")
"""Values of ``CLUSTER``, in the order of its options."""
INFERENCES = ("cluster", "conley")
"""Values of ``INFERENCE`` (standard errors of the spatial DID), in the order of its options."""
KERNELS = ("bartlett", "uniform")
"""Values of ``KERNEL`` (weights of the Conley covariance), in the order of its options."""


class DIDSuite(PolicyLinkAlgorithm):
    """TWFE DID, event study and placebo test with plots."""

    PANEL = "PANEL"
    UNIT = "UNIT"
    TIME = "TIME"
    OUTCOME = "OUTCOME"
    TREAT = "TREAT"
    FIRST_TREATED = "FIRST_TREATED"
    CONTROLS = "CONTROLS"
    TREATMENT_LAYER = "TREATMENT_LAYER"
    TREATMENT_ID = "TREATMENT_ID"
    TREATMENT_YEAR = "TREATMENT_YEAR"
    CLUSTER = "CLUSTER"
    LEADS = "LEADS"
    LAGS = "LAGS"
    PLACEBO_DRAWS = "PLACEBO_DRAWS"
    OUTPUT = "OUTPUT"
    EVENT_STUDY = "EVENT_STUDY"
    OUTPUT_HTML = "OUTPUT_HTML"
    UNITS = "UNITS"
    UNITS_ID = "UNITS_ID"
    INFERENCE = "INFERENCE"
    CONLEY_KM = "CONLEY_KM"
    KERNEL = "KERNEL"
    SPATIAL = "SPATIAL"

    _name = "didsuite"
    _requires = ("did",)
    _display = "Difference-in-differences suite (TWFE, event study, placebo)"
    _group = "Regression"
    _group_id = "regression"
    _help = (
        "Staggered difference-in-differences on a long panel (seed 004): two-way fixed-effects DID "
        "with controls and cluster-robust errors (pyfixest), an event study with binned leads and "
        "lags (reference: the year before adoption) and a joint pre-trend test, and optionally a "
        "placebo test with random reassignments of treatment. Treatment is a 0/1 column or the "
        "first treated year (0 or empty = never), e.g. from the adoption_panel view. Outputs: "
        "coefficient table, event-study table and an HTML page with the plots. With a layer of the "
        "units' boundaries, also the spatial DID (SLX: TWFE with the share of treated neighbours, "
        "W*D, weights from the boundaries or a GAL/GWT file): its direct effect and spillover, "
        "with either cluster-robust standard errors (as chosen above; they assume errors "
        "independent across clusters) or Conley spatial-HAC standard errors with a distance "
        "cutoff in km (errors of units closer than the cutoff may be correlated). Conley also "
        "replaces the clustered errors of the TWFE DID and the event study (units located by "
        "the centroids of the boundaries layer). The outputs INFERENCE (TWFE) and "
        "INFERENCE_SPATIAL say which standard errors were used."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.PANEL, tr("Panel table (unit, year, variables)"), [QgsProcessing.TypeVector]
            )
        )
        self.addParameter(panel_field(self.UNIT, tr("Unit id field")))
        self.addParameter(panel_field(self.TIME, tr("Year field"), numeric=True))
        self.addParameter(panel_field(self.OUTCOME, tr("Outcome"), numeric=True))
        self.addParameter(
            panel_field(self.TREAT, tr("Treatment 0/1 field"), numeric=True, optional=True)
        )
        self.addParameter(
            panel_field(
                self.FIRST_TREATED,
                tr("Or: first treated year field"),
                numeric=True,
                optional=True,
            )
        )
        self.addParameter(
            panel_field(self.CONTROLS, tr("Controls"), numeric=True, multiple=True, optional=True)
        )
        self.add_optional_layer(
            self.TREATMENT_LAYER,
            tr("Or: first treated year from another layer (e.g. Pilot batches)"),
            [
                (self.TREATMENT_ID, tr("Its unit id field")),
                (self.TREATMENT_YEAR, tr("Its first treated year field")),
            ],
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.CLUSTER,
                tr("Clustered standard errors"),
                options=[tr("By unit"), tr("By unit and year")],
                defaultValue=0,
            )
        )
        from policylink.analyses.did import DEFAULT_LAGS, DEFAULT_LEADS

        leads_lags = (
            (self.LEADS, tr("Leads"), DEFAULT_LEADS),
            (self.LAGS, tr("Lags"), DEFAULT_LAGS),
        )
        for name, label, default in leads_lags:
            self.addParameter(
                QgsProcessingParameterNumber(
                    name, label, QgsProcessingParameterNumber.Integer, default, False, 1, 30
                )
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.PLACEBO_DRAWS,
                tr("Placebo draws (0 = no placebo test)"),
                QgsProcessingParameterNumber.Integer,
                0,
                False,
                0,
                100000,
            )
        )
        self.add_seed()
        add_outputs(self, tr("DID coefficients"), self.EVENT_STUDY, tr("Event study"))
        self.add_spatial_parameters()

    def add_spatial_parameters(self) -> None:
        """Add the optional spatial DID: units layer, weights, inference, Conley cutoff, table."""
        from qgis.core import QgsProcessingParameterFeatureSink, QgsProcessingParameterField

        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.UNITS,
                tr("Optional: unit boundaries for the spatial DID (SLX)"),
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
        self.add_weights_parameters()
        add_inference_parameters(self, tr("Standard errors (TWFE, event study and spatial DID)"))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.SPATIAL,
                tr("Spatial DID effects"),
                QgsProcessing.TypeVector,
                optional=True,
            )
        )

    def spatial_inputs(self, parameters, context, feedback) -> tuple:
        """Weights and centroids (km) of the units layer, or ``(None, None, "")`` without one.

        Parameters
        ----------
        parameters, context, feedback
            What Processing passes to ``processAlgorithm``.

        Returns
        -------
        tuple
            ``(w, coords, description)``.
        """
        from policylink.weights import centroids_km

        from ..checks import check_fields, check_units_layer

        layer = self.parameterAsVectorLayer(parameters, self.UNITS, context)
        conley = INFERENCES[self.parameterAsEnum(parameters, self.INFERENCE, context)] == "conley"
        if layer is None:
            if conley:
                raise QgsProcessingException(
                    tr(
                        "Conley standard errors need the units' locations: give the unit "
                        "boundaries layer and its unit id field."
                    )
                )
            return None, None, ""
        id_field = self.parameterAsString(parameters, self.UNITS_ID, context)
        check_fields(layer, [id_field])
        path = self.parameterAsFile(parameters, self.WEIGHTS_FILE, context)
        kind = None if path else KINDS[self.parameterAsEnum(parameters, self.WEIGHTS_KIND, context)]
        check_units_layer(layer, kind=kind, weights_file=path or None)
        if conley and not layer.crs().isValid():
            raise QgsProcessingException(
                tr(
                    "Layer '{layer}' has no coordinate reference system (CRS), so neighbours in "
                    "metres cannot be found; set its CRS (Layer Properties, Source) or give a "
                    "weights file (GAL or GWT)."
                ).format(layer=layer.name())
            )
        frame = layer_to_frame(layer, [id_field], feedback=feedback)
        frame[id_field] = frame[id_field].map(lambda v: None if v is None else str(v))
        w = self.weights(parameters, context, frame, id_field, feedback, layer)
        coords = centroids_km(frame, id_field, source=layer.name()) if conley else None
        return w, coords, f"weights of layer {layer.name()}"

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.did import (
            SpatialDidOptions,
            SuiteOptions,
            run_spatial_did,
            run_suite,
        )
        from policylink.did_inputs import did_inputs_from_frame
        from policylink.errors import PolicyLinkError
        from policylink.spatial.did import PanelSpec

        from ..layer_statistic import used_synthetic
        from ..postprocess import label_output

        names = {
            p: self.parameterAsString(parameters, p, context)
            for p in ("UNIT", "TIME", "OUTCOME", "TREAT", "FIRST_TREATED")
        }
        treatment_layer = self.parameterAsVectorLayer(parameters, "TREATMENT_LAYER", context)
        chosen = (names["TREAT"], names["FIRST_TREATED"], treatment_layer is not None)
        if sum(map(bool, chosen)) != 1:
            raise QgsProcessingException(
                tr(
                    "Choose exactly one of the treatment field, the first treated year field "
                    "and a treatment layer."
                )
            )
        controls = self.parameterAsFields(parameters, "CONTROLS", context)
        layer = self.parameterAsVectorLayer(parameters, "PANEL", context)
        treat_cols = (
            [] if treatment_layer is not None else [names["TREAT"] or names["FIRST_TREATED"]]
        )
        cols = [names["UNIT"], names["TIME"], names["OUTCOME"], *treat_cols, *controls]
        df = layer_to_frame(layer, cols, geometry=False, feedback=feedback).drop(columns="fid")
        if treatment_layer is not None:
            tid, tyear = (
                self.parameterAsString(parameters, p, context)
                for p in ("TREATMENT_ID", "TREATMENT_YEAR")
            )
            if not (tid and tyear):
                raise QgsProcessingException(
                    tr("With a treatment layer, choose its unit id and first treated year fields.")
                )
            t = layer_to_frame(treatment_layer, [tid, tyear], geometry=False)
            # Units missing from the treatment layer or without a year are never treated (0).
            first_by_unit = dict(
                zip(t[tid].map(str), pd.to_numeric(t[tyear], errors="coerce"), strict=True)
            )
            names["FIRST_TREATED"] = "first_treated"
        else:
            first_by_unit = None
        spec = PanelSpec(
            outcome=names["OUTCOME"],
            unit=names["UNIT"],
            time=names["TIME"],
            treat=names["TREAT"] or None,
            first_treated=names["FIRST_TREATED"] or None,
            controls=tuple(controls),
            cluster=CLUSTERS[self.parameterAsEnum(parameters, "CLUSTER", context)],
            source=layer.name(),
        )
        draws = self.parameterAsInt(parameters, "PLACEBO_DRAWS", context)
        conley = INFERENCES[self.parameterAsEnum(parameters, "INFERENCE", context)] == "conley"
        # Conley replaces the clustered errors of TWFE and the event study as well (as --conley-km)
        inference = (
            {
                "conley_km": self.parameterAsDouble(parameters, "CONLEY_KM", context),
                "kernel": KERNELS[self.parameterAsEnum(parameters, "KERNEL", context)],
            }
            if conley
            else {}
        )
        options = SuiteOptions(
            leads=self.parameterAsInt(parameters, "LEADS", context),
            lags=self.parameterAsInt(parameters, "LAGS", context),
            draws=draws,
            seed=self.parameterAsInt(parameters, "SEED", context),
            psm=False,
            staggered=False,
            **inference,
        )
        try:
            # the one DID pipeline (as `policylink did run` and the report)
            if first_by_unit is not None:
                df[spec.unit] = df[spec.unit].map(str)
            w, coords, weights = self.spatial_inputs(parameters, context, feedback)
            inputs = did_inputs_from_frame(
                df,
                spec,
                source=layer.name(),
                first_treated_by_unit=first_by_unit,
                w=w,
                weights=weights or "given weights",
            )
            if coords is not None:
                inputs = inputs.with_coords(coords)
            suite = run_suite(inputs, options)
            spatial = None
            if w is not None:
                km = self.parameterAsDouble(parameters, "CONLEY_KM", context)
                spatial = run_spatial_did(
                    inputs,
                    SpatialDidOptions(
                        model="slx",
                        conley_km=km if coords is not None else None,
                        kernel=KERNELS[self.parameterAsEnum(parameters, "KERNEL", context)],
                        seed=self.parameterAsInt(parameters, "SEED", context),
                    ),
                )
        except (PolicyLinkError, ValueError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        if suite.provenance.is_synthetic:
            feedback.pushWarning(tr("SYNTHETIC data."))
        did, es = suite.twfe.result, suite.event_study.result
        placebo = suite.placebo.result if suite.placebo is not None else None
        feedback.setProgress(60)
        coef = did.coefficients.reset_index(names="name")
        synthetic = used_synthetic(layer, [names["OUTCOME"], *controls])
        out = {
            "OUTPUT": write_table(self, parameters, context, "OUTPUT", coef),
            "DID": did.coef(),
            "DID_SE": did.se(),
            "N_OBS": did.n_obs,
            "PRETREND_P": es.pretrend.get("p_F"),
        }
        if placebo is not None:
            out["PLACEBO_P"] = placebo.p_value
        label_output(context, out["OUTPUT"], *synthetic, suite.twfe.title("en"))
        cluster = CLUSTERS[self.parameterAsEnum(parameters, "CLUSTER", context)]
        out["INFERENCE"] = (
            did.info.get("inference", "")
            if conley
            else "cluster-robust by unit"
            if cluster == "unit"
            else "cluster-robust by unit and year"
        )
        if spatial is not None:
            effects = spatial.result.effects.reset_index(names="effect")
            out["INFERENCE_SPATIAL"] = spatial.result.inference
            out["SPILLOVER"] = float(spatial.result.effects.loc["spillover", "estimate"])
            out["SPILLOVER_SE"] = float(spatial.result.effects.loc["spillover", "se"])
            out["DIRECT"] = float(spatial.result.effects.loc["direct", "estimate"])
            out["DIRECT_SE"] = float(spatial.result.effects.loc["direct", "se"])
            feedback.pushInfo(
                tr("Spatial DID standard errors: {inference}").format(
                    inference=spatial.result.inference
                )
            )
            if parameters.get("SPATIAL"):
                effects["inference"] = spatial.result.inference
                out["SPATIAL"] = write_table(self, parameters, context, "SPATIAL", effects)
        feedback.pushInfo(
            tr("TWFE standard errors: {inference}").format(inference=out["INFERENCE"])
        )
        if parameters.get("EVENT_STUDY"):
            out["EVENT_STUDY"] = write_table(self, parameters, context, "EVENT_STUDY", es.table)
        html_path = self.parameterAsFileOutput(parameters, "OUTPUT_HTML", context)
        if html_path:
            from policylink.spatial.did.plots import plot_event_study, plot_placebo

            sections = [
                (tr("TWFE DID"), coef),
                (tr("Event study"), es.table),
                (tr("Event-study plot"), plot_event_study(es.table)),
                (tr("Joint pre-trend test"), pd.DataFrame([es.pretrend])),
            ]
            if placebo is not None:
                sections.append(
                    (
                        tr("Placebo test"),
                        plot_placebo(placebo.estimates, did.coef(), p_value=placebo.p_value),
                    )
                )
            out["OUTPUT_HTML"] = write_html(html_path, tr("Difference-in-differences"), sections)
        feedback.setProgress(100)
        return out
