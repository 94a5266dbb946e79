"""Processing algorithm ``crosssection``: SAR / SEM / SDM for one year by ML or GMM.

Estimates come from the one analysis :func:`policylink.analyses.models.run_cross_section` (as
``policylink model cross-section`` and the report); this class reads the layers and writes tables
and an HTML page.
"""

from __future__ import annotations

import pandas as pd
from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
)

from ...core.htmlreport import write_html
from ...core.i18n import tr
from ..layer_statistic import _LayerStatistic
from ..regression import add_outputs
from .dynamic_spatial_panel import add_draws, add_panel_inputs, read_panel_inputs, run_model_tables

CROSS_MODELS = ("sar", "sem", "sdm")
"""Values of ``MODEL``, in the order of its options."""
CROSS_METHODS = ("ml", "gmm")
"""Values of ``METHOD``, in the order of its options."""


class CrossSectionModel(_LayerStatistic):
    """Cross-sectional SAR / SEM / SDM for one year of the panel, by ML or GMM, with effects."""

    YEAR = "YEAR"
    MODEL = "MODEL"
    METHOD = "METHOD"
    OUTPUT = "OUTPUT"
    EFFECTS = "EFFECTS"
    OUTPUT_HTML = "OUTPUT_HTML"

    _name = "crosssection"
    _requires = ("models",)
    _display = "Cross-sectional spatial model for one year (SAR / SEM / SDM, ML or GMM)"
    _group = "Regression"
    _group_id = "regression"
    _help = (
        "Spatial lag (SAR), spatial error (SEM) or spatial Durbin (SDM) model fitted to one year "
        "of the panel, by maximum likelihood (spreg ML_Lag / ML_Error) or by GMM (spatial 2SLS "
        "for SAR and SDM, Arraiz-Drukker-Kelejian-Prucha GMM for SEM). SAR and SDM: direct, "
        "indirect and total effects (LeSage and Pace 2009) with standard errors from simulated "
        "parameter draws. Outputs: coefficient table, effects table and an HTML page."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        add_panel_inputs(self)
        self.addParameter(
            QgsProcessingParameterNumber(
                self.YEAR, tr("Year"), QgsProcessingParameterNumber.Integer, 2019, False, 1000, 3000
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.MODEL, tr("Model"), options=["SAR", "SEM", "SDM"], defaultValue=0
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.METHOD,
                tr("Estimation method"),
                options=[tr("Maximum likelihood"), tr("GMM")],
                defaultValue=0,
            )
        )
        add_draws(self)
        add_outputs(self, tr("Coefficients"), self.EFFECTS, tr("Effects"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.models import CrossSectionOptions, run_cross_section

        inputs, y, xs, synthetic = read_panel_inputs(self, parameters, context, feedback)
        year = self.parameterAsInt(parameters, self.YEAR, context)
        if year not in set(inputs.panel[inputs.time_col].dropna().astype(int)):
            raise QgsProcessingException(tr("Year {year} is not in the panel.").format(year=year))
        options = CrossSectionOptions(
            y=y,
            x=xs,
            year=year,
            model=CROSS_MODELS[self.parameterAsEnum(parameters, self.MODEL, context)],
            method=CROSS_METHODS[self.parameterAsEnum(parameters, self.METHOD, context)],
            draws=self.parameterAsInt(parameters, "DRAWS", context),
            seed=self.parameterAsInt(parameters, "SEED", context),
        )
        # the one cross-section analysis (as `policylink model cross-section` and the report)
        analysis, out, title = run_model_tables(
            self, run_cross_section, inputs, options, parameters, context, feedback, synthetic
        )
        res = analysis.result
        out.update(
            {
                "LOG_LIKELIHOOD": res.log_likelihood,
                "AIC": res.aic,
                "PSEUDO_R2": res.pseudo_r2,
                "N_UNITS": res.n,
            }
        )
        html_path = self.parameterAsFileOutput(parameters, "OUTPUT_HTML", context)
        if html_path:
            stats = pd.DataFrame(
                {
                    "statistic": ["log-likelihood", "AIC", "pseudo R2", "units"],
                    "value": [res.log_likelihood, res.aic, res.pseudo_r2, res.n],
                }
            )
            sections = [(tr("Coefficients"), res.coefficients), (tr("Fit"), stats)]
            if res.effects is not None:
                sections.append((tr("Effects"), res.effects))
            sections.append((tr("Method"), title))
            out["OUTPUT_HTML"] = write_html(
                html_path, tr("Cross-sectional spatial model"), sections
            )
        return out
