"""Processing algorithms for regression models: spatial panel SAR/SEM/SDM and the DID suite.

Estimates come from :mod:`policylink.spatial.panel` and :mod:`policylink.spatial.did`; these classes read layers and
write tables and an HTML page.
"""

from __future__ import annotations

import pandas as pd
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ..core.htmlreport import write_html
from ..core.i18n import tr
from ..core.layers import layer_to_frame
from .autocorrelation import _LayerStatistic
from .base import PolicyLinkAlgorithm, write_table

MODELS = ("sar", "sem", "sdm")
FIXED_EFFECTS = ("twoways", "unit", "time", "none")
CLUSTERS = ("unit", "twoway")


def _panel_field(
    name: str, label: str, numeric: bool = False, multiple: bool = False, optional: bool = False
):
    return QgsProcessingParameterField(
        name,
        label,
        parentLayerParameterName="PANEL",
        type=QgsProcessingParameterField.Numeric if numeric else QgsProcessingParameterField.Any,
        allowMultiple=multiple,
        optional=optional,
    )


def _add_outputs(alg: PolicyLinkAlgorithm, table: str, extra: str, extra_label: str) -> None:
    """``OUTPUT`` table, an optional second table ``extra`` and the optional ``OUTPUT_HTML`` page."""
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


class SpatialPanelModel(_LayerStatistic):
    """SAR / SEM / SDM panel with fixed effects and direct / indirect / total effects."""

    _name = "spatialpanel"
    _display = "Spatial panel model (SAR / SEM / SDM) with effects"
    _group = "Regression"
    _group_id = "regression"
    _help = (
        "Spatial lag (SAR), spatial error (SEM) or spatial Durbin (SDM) model for a balanced panel, "
        "with unit, time or two-way fixed effects, estimated by concentrated maximum likelihood "
        "(Elhorst 2014), optional Lee-Yu (2010) bias correction, standard errors from the "
        "information matrix. For SAR and SDM: direct, indirect and total effects (LeSage and "
        "Pace 2009) with standard errors from simulated parameter draws, as in seed 000 Table 5. "
        "The panel is a table (unit id, year, y, x...), e.g. the emission_panel view or a CSV "
        "layer; weights come from the unit layer or a GAL/GWT file. Outputs: coefficient table, "
        "effects table and an HTML page."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_layer_inputs()
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                "PANEL", tr("Panel table (unit, year, variables)"), [QgsProcessing.TypeVector]
            )
        )
        self.addParameter(_panel_field("PANEL_ID", tr("Panel unit id field")))
        self.addParameter(_panel_field("PANEL_TIME", tr("Panel year field")))
        self.addParameter(_panel_field("Y", tr("Dependent variable"), numeric=True))
        self.addParameter(
            _panel_field("X", tr("Explanatory variables"), numeric=True, multiple=True)
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                "MODEL", tr("Model"), options=["SAR", "SEM", "SDM"], defaultValue=2
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                "FE",
                tr("Fixed effects"),
                options=[tr("Two-way (unit and time)"), tr("Unit"), tr("Time"), tr("None")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                "LEE_YU", tr("Lee-Yu bias correction"), defaultValue=False
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "DRAWS",
                tr("Simulation draws for the effects"),
                QgsProcessingParameterNumber.Integer,
                1000,
                False,
                10,
                100000,
            )
        )
        self.add_seed()
        _add_outputs(self, tr("Coefficients"), "EFFECTS", tr("Effects"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.spatial.panel import fit_spatial_panel, paper_table

        _layer, _id, _frame, w = self.read_units(parameters, context, feedback, [])
        pid, ptime, y = (
            self.parameterAsString(parameters, p, context) for p in ("PANEL_ID", "PANEL_TIME", "Y")
        )
        xs = self.parameterAsFields(parameters, "X", context)
        if not xs:
            raise QgsProcessingException(tr("Choose at least one explanatory variable."))
        table = layer_to_frame(
            self.parameterAsVectorLayer(parameters, "PANEL", context),
            [pid, ptime, y, *xs],
            geometry=False,
        )
        table[pid] = table[pid].map(str)
        table = table[table[pid].isin(set(w.id_order))].drop(columns="fid")
        model = MODELS[self.parameterAsEnum(parameters, "MODEL", context)]
        fe = FIXED_EFFECTS[self.parameterAsEnum(parameters, "FE", context)]
        feedback.pushInfo(
            tr("Fitting {m} with {fe} fixed effects on {n} rows").format(
                m=model.upper(), fe=fe, n=len(table)
            )
        )
        try:
            res = fit_spatial_panel(
                table,
                w,
                y=y,
                x=xs,
                id_col=pid,
                time_col=ptime,
                model=model,
                fe=fe,
                lee_yu=self.parameterAsBool(parameters, "LEE_YU", context),
                draws=self.parameterAsInt(parameters, "DRAWS", context),
                seed=self.parameterAsInt(parameters, "SEED", context),
            )
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        out = {"OUTPUT": write_table(self, parameters, context, "OUTPUT", res.coefficients)}
        out.update(
            {
                "LOG_LIKELIHOOD": res.log_likelihood,
                "SIGMA2": res.sigma2,
                "R2": res.r2,
                "R2_WITHIN": res.r2_within,
                "N_UNITS": res.n_units,
                "N_PERIODS": res.n_periods,
            }
        )
        if res.effects is not None and parameters.get("EFFECTS"):
            out["EFFECTS"] = write_table(self, parameters, context, "EFFECTS", res.effects)
        html_path = self.parameterAsFileOutput(parameters, "OUTPUT_HTML", context)
        if html_path:
            stats = pd.DataFrame(
                {
                    "statistic": [
                        "log-likelihood",
                        "sigma2",
                        "R2",
                        "R2 within",
                        "units",
                        "periods",
                    ],
                    "value": [
                        res.log_likelihood,
                        res.sigma2,
                        res.r2,
                        res.r2_within,
                        res.n_units,
                        res.n_periods,
                    ],
                }
            )
            sections = [
                (tr("Coefficients"), paper_table({model.upper(): res}).reset_index()),
                (tr("Fit"), stats),
            ]
            if res.effects is not None:
                sections.append((tr("Effects"), res.effects))
            sections.append(
                (
                    tr("Method"),
                    tr(
                        "Concentrated maximum likelihood, {fe} fixed effects; effects from {d} draws (seed {s})."
                    ).format(fe=fe, d=res.effects_draws, s=res.effects_seed),
                )
            )
            out["OUTPUT_HTML"] = write_html(
                html_path, tr("Spatial panel model") + f" ({model.upper()})", sections
            )
        return out


class DIDSuite(PolicyLinkAlgorithm):
    """TWFE DID, event study and placebo test with plots."""

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
                "PANEL", tr("Panel table (unit, year, variables)"), [QgsProcessing.TypeVector]
            )
        )
        self.addParameter(_panel_field("UNIT", tr("Unit id field")))
        self.addParameter(_panel_field("TIME", tr("Year field"), numeric=True))
        self.addParameter(_panel_field("OUTCOME", tr("Outcome"), numeric=True))
        self.addParameter(
            _panel_field("TREAT", tr("Treatment 0/1 field"), numeric=True, optional=True)
        )
        self.addParameter(
            _panel_field(
                "FIRST_TREATED", tr("Or: first treated year field"), numeric=True, optional=True
            )
        )
        self.addParameter(
            _panel_field("CONTROLS", tr("Controls"), numeric=True, multiple=True, optional=True)
        )
        self.add_optional_layer(
            "TREATMENT_LAYER",
            tr("Or: first treated year from another layer (e.g. Pilot batches)"),
            [
                ("TREATMENT_ID", tr("Its unit id field")),
                ("TREATMENT_YEAR", tr("Its first treated year field")),
            ],
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                "CLUSTER",
                tr("Clustered standard errors"),
                options=[tr("By unit"), tr("By unit and year")],
                defaultValue=0,
            )
        )
        for name, label, default in (("LEADS", tr("Leads"), 5), ("LAGS", tr("Lags"), 5)):
            self.addParameter(
                QgsProcessingParameterNumber(
                    name, label, QgsProcessingParameterNumber.Integer, default, False, 1, 30
                )
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                "PLACEBO_DRAWS",
                tr("Placebo draws (0 = no placebo test)"),
                QgsProcessingParameterNumber.Integer,
                0,
                False,
                0,
                100000,
            )
        )
        self.add_seed()
        _add_outputs(self, tr("DID coefficients"), "EVENT_STUDY", tr("Event study"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.spatial.did import PanelSpec, event_study, placebo_did, twfe_did

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
            years = pd.to_numeric(t[tyear], errors="coerce")
            first = dict(zip(t[tid].map(str), years, strict=True))
            # Units missing from the treatment layer or without a year are never treated (0).
            got = df[names["UNIT"]].map(str).map(first)
            df["first_treated"] = got.fillna(0).astype(int)
            names["FIRST_TREATED"] = "first_treated"
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
        try:
            did = twfe_did(df, spec)
            feedback.setProgress(30)
            es = event_study(
                df,
                spec,
                leads=self.parameterAsInt(parameters, "LEADS", context),
                lags=self.parameterAsInt(parameters, "LAGS", context),
            )
            feedback.setProgress(60)
            draws = self.parameterAsInt(parameters, "PLACEBO_DRAWS", context)
            placebo = (
                placebo_did(
                    df, spec, draws=draws, seed=self.parameterAsInt(parameters, "SEED", context)
                )
                if draws > 0
                else None
            )
        except (
            Exception
        ) as exc:  # InputError / ValueError from the suite: show as a Processing error
            raise QgsProcessingException(str(exc)) from exc
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
