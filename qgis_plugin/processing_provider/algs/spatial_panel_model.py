"""Processing algorithm ``spatialpanel``: spatial panel SAR / SEM / SDM / SAC / SDEM / GNS.

Estimates come from the one analysis :func:`policylink.analyses.sdm.run_sdm` (as
``policylink sdm`` and the report); this class reads the layers and writes tables and an HTML page.
"""

from __future__ import annotations

import pandas as pd
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ...core.htmlreport import write_html
from ...core.i18n import tr
from ...core.layers import layer_to_frame
from ..base import write_table
from ..layer_statistic import _LayerStatistic
from ..regression import add_outputs, panel_field

MODELS = ("sar", "sem", "sdm", "sac", "sdem", "gns")
"""Values of ``MODEL``, in the order of its options (new models appended: indices are stable)."""
FIXED_EFFECTS = ("twoways", "unit", "time", "none", "random")
"""Values of ``FE``, in the order of its options."""


class SpatialPanelModel(_LayerStatistic):
    """SAR / SEM / SDM / SAC / SDEM / GNS panel with fixed or random effects and LeSage-Pace
    direct / indirect / total effects."""

    PANEL = "PANEL"
    PANEL_ID = "PANEL_ID"
    PANEL_TIME = "PANEL_TIME"
    Y = "Y"
    X = "X"
    MODEL = "MODEL"
    FE = "FE"
    LEE_YU = "LEE_YU"
    DRAWS = "DRAWS"
    OUTPUT = "OUTPUT"
    EFFECTS = "EFFECTS"
    COMPARISON = "COMPARISON"
    OUTPUT_HTML = "OUTPUT_HTML"

    _name = "spatialpanel"
    _requires = ("models",)
    _display = "Spatial panel model (SAR / SEM / SDM / SAC / SDEM / GNS) with effects"
    _group = "Regression"
    _group_id = "regression"
    _help = (
        "Spatial lag (SAR), spatial error (SEM), spatial Durbin (SDM), lag and error (SAC), spatial "
        "Durbin error (SDEM) or general nesting (GNS) model for a balanced panel, with unit, time "
        "or two-way fixed effects (random unit effects for SAR, SEM and SDM), estimated by "
        "concentrated maximum likelihood (Elhorst 2014), optional Lee-Yu (2010) bias correction. "
        "GNS is weakly identified: use it for comparison, not interpretation. Except for SEM: "
        "direct, indirect and total effects (LeSage and Pace 2009) with standard errors from "
        "simulated parameter draws (SDEM in closed form), as in seed 000 Table 5. "
        "The panel is a table (unit id, year, y, x...), e.g. the emission_panel view or a CSV "
        "layer; weights come from the unit layer or a GAL/GWT file. Outputs: coefficient table, "
        "effects table and an HTML page."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_layer_inputs()
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.PANEL, tr("Panel table (unit, year, variables)"), [QgsProcessing.TypeVector]
            )
        )
        self.addParameter(panel_field(self.PANEL_ID, tr("Panel unit id field")))
        self.addParameter(panel_field(self.PANEL_TIME, tr("Panel year field")))
        self.addParameter(panel_field(self.Y, tr("Dependent variable"), numeric=True))
        self.addParameter(
            panel_field(self.X, tr("Explanatory variables"), numeric=True, multiple=True)
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.MODEL,
                tr("Model"),
                options=["SAR", "SEM", "SDM", "SAC", "SDEM", "GNS"],
                defaultValue=2,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.FE,
                tr("Fixed effects"),
                options=[
                    tr("Two-way (unit and time)"),
                    tr("Unit"),
                    tr("Time"),
                    tr("None"),
                    tr("Random unit effects (SAR, SEM, SDM)"),
                ],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.LEE_YU, tr("Lee-Yu bias correction"), defaultValue=False
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.DRAWS,
                tr("Simulation draws for the effects"),
                QgsProcessingParameterNumber.Integer,
                1000,
                False,
                10,
                100000,
            )
        )
        self.add_seed()
        add_outputs(self, tr("Coefficients"), self.EFFECTS, tr("Effects"))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.COMPARISON,
                tr("Model comparison (SAR, SEM, SDM, SAC, SDEM, GNS: AIC, BIC, LR tests)"),
                QgsProcessing.TypeVector,
                optional=True,
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.sdm import SdmOptions, run_sdm
        from policylink.errors import PolicyLinkError
        from policylink.spatial.panel import paper_table

        from ..layer_statistic import analysis_inputs, used_synthetic
        from ..postprocess import label_output

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
        for c in [y, *xs]:
            table[c] = pd.to_numeric(table[c], errors="coerce")
        options = SdmOptions(
            y=y,
            x=tuple(xs),
            model=model,
            fe=fe,
            lee_yu=self.parameterAsBool(parameters, "LEE_YU", context),
            draws=self.parameterAsInt(parameters, "DRAWS", context),
            seed=self.parameterAsInt(parameters, "SEED", context),
            # the comparison table is computed only when its output is asked for
            compare=bool(parameters.get("COMPARISON")),
        )
        try:
            # the one spatial panel analysis (as `policylink sdm` and the report)
            synthetic = used_synthetic(
                self.parameterAsVectorLayer(parameters, "PANEL", context), [y, *xs]
            )
            inputs = analysis_inputs(table, w, pid, ptime, _layer.name(), synthetic[0])
            analysis = run_sdm(inputs, options)
        except (ValueError, PolicyLinkError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        if analysis.provenance.is_synthetic:
            feedback.pushWarning(tr("SYNTHETIC data."))
        res = analysis.main
        if model == "gns":
            feedback.pushWarning(
                tr(
                    "GNS is weakly identified: LeSage-Pace and Elhorst advise against "
                    "interpreting its estimates."
                )
            )
        out = {"OUTPUT": write_table(self, parameters, context, "OUTPUT", res.coefficients)}
        label_output(context, out["OUTPUT"], *synthetic, analysis.title("en"))
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
        if analysis.comparison is not None:
            out["COMPARISON"] = write_table(
                self, parameters, context, "COMPARISON", analysis.comparison.frame()
            )
            label_output(context, out["COMPARISON"], *synthetic, analysis.title("en"))
        if res.effects is not None and parameters.get("EFFECTS"):
            out["EFFECTS"] = write_table(self, parameters, context, "EFFECTS", res.effects)
            label_output(context, out["EFFECTS"], *synthetic, analysis.title("en"))
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
            if analysis.comparison is not None:
                sections.append((tr("Model comparison"), analysis.comparison.table))
                sections.append((tr("LR tests"), analysis.comparison.lr_table))
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
