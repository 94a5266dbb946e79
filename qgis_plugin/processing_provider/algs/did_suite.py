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
from ..base import PolicyLinkAlgorithm, write_table
from ..regression import add_outputs, panel_field

CLUSTERS = ("unit", "twoway")
"""Values of ``CLUSTER``, in the order of its options."""


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

    _name = "didsuite"
    _display = "Difference-in-differences suite (TWFE, event study, placebo)"
    _group = "Regression"
    _group_id = "regression"
    _help = (
        "Staggered difference-in-differences on a long panel (seed 004): two-way fixed-effects DID "
        "with controls and cluster-robust errors (pyfixest), an event study with binned leads and "
        "lags (reference: the year before adoption) and a joint pre-trend test, and optionally a "
        "placebo test with random reassignments of treatment. Treatment is a 0/1 column or the "
        "first treated year (0 or empty = never), e.g. from the adoption_panel view. Outputs: "
        "coefficient table, event-study table and an HTML page with the plots."
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

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.did import SuiteOptions, run_suite
        from policylink.did_inputs import did_inputs_from_frame
        from policylink.errors import PolicyLinkError
        from policylink.spatial.did import PanelSpec

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
        options = SuiteOptions(
            leads=self.parameterAsInt(parameters, "LEADS", context),
            lags=self.parameterAsInt(parameters, "LAGS", context),
            draws=draws,
            seed=self.parameterAsInt(parameters, "SEED", context),
            psm=False,
            staggered=False,
        )
        try:
            # the one DID pipeline (as `policylink did run` and the report)
            if first_by_unit is not None:
                df[spec.unit] = df[spec.unit].map(str)
            inputs = did_inputs_from_frame(
                df, spec, source=layer.name(), first_treated_by_unit=first_by_unit
            )
            suite = run_suite(inputs, options)
        except (PolicyLinkError, ValueError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        if suite.provenance.is_synthetic:
            feedback.pushWarning(tr("SYNTHETIC data."))
        did, es = suite.twfe.result, suite.event_study.result
        placebo = suite.placebo.result if suite.placebo is not None else None
        feedback.setProgress(60)
        coef = did.coefficients.reset_index(names="name")
        out = {
            "OUTPUT": write_table(self, parameters, context, "OUTPUT", coef),
            "DID": did.coef(),
            "DID_SE": did.se(),
            "N_OBS": did.n_obs,
            "PRETREND_P": es.pretrend.get("p_F"),
        }
        if placebo is not None:
            out["PLACEBO_P"] = placebo.p_value
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
