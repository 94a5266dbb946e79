"""Processing algorithm ``dynamicpanel``: dynamic spatial (Durbin) panel with bias correction.

Estimates come from the one analysis :func:`policylink.analyses.models.run_dynamic_panel` (as
``policylink model dynamic`` and the report); this class reads the layers and writes tables and an
HTML page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ...core.htmlreport import write_html
from ...core.i18n import tr
from ...core.layers import layer_to_frame
from ..base import write_table
from ..layer_statistic import _LayerStatistic
from ..regression import add_outputs, panel_field

DYNAMIC_FE = ("unit", "twoways")
"""Values of ``FE``, in the order of its options."""
DYNAMIC_LAGS = ("both", "time", "spacetime")
"""Values of ``LAGS``, in the order of its options."""


def add_panel_inputs(alg: _LayerStatistic) -> None:
    """Add the units, the ``PANEL`` table and its id, year, y and x fields.

    Parameters
    ----------
    alg : _LayerStatistic
        The algorithm being initialised.
    """
    alg.add_layer_inputs()
    alg.addParameter(
        QgsProcessingParameterVectorLayer(
            "PANEL", tr("Panel table (unit, year, variables)"), [QgsProcessing.TypeVector]
        )
    )
    alg.addParameter(panel_field("PANEL_ID", tr("Panel unit id field")))
    alg.addParameter(panel_field("PANEL_TIME", tr("Panel year field")))
    alg.addParameter(panel_field("Y", tr("Dependent variable"), numeric=True))
    alg.addParameter(panel_field("X", tr("Explanatory variables"), numeric=True, multiple=True))


def add_draws(alg: _LayerStatistic) -> None:
    """Add ``DRAWS`` (effects' simulation draws) and ``SEED``.

    Parameters
    ----------
    alg : _LayerStatistic
        The algorithm being initialised.
    """
    alg.addParameter(
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
    alg.add_seed()


def read_panel_inputs(
    alg: _LayerStatistic, parameters: dict, context: Any, feedback: Any
) -> tuple[Any, str, tuple[str, ...], tuple[tuple[str, ...], bool]]:
    """Read the units, weights and panel into the one inputs object of the analyses.

    Parameters
    ----------
    alg : _LayerStatistic
        The running algorithm.
    parameters, context, feedback
        As passed to ``processAlgorithm``.

    Returns
    -------
    inputs : policylink.inputs.AnalysisInputs
    y : str
    xs : tuple of str
    synthetic : tuple
        The fields flagged synthetic and whether any is (see ``used_synthetic``).
    """
    from ..layer_statistic import analysis_inputs, used_synthetic

    layer, _id, _frame, w = alg.read_units(parameters, context, feedback, [])
    pid, ptime, y = (
        alg.parameterAsString(parameters, p, context) for p in ("PANEL_ID", "PANEL_TIME", "Y")
    )
    xs = alg.parameterAsFields(parameters, "X", context)
    if not xs:
        raise QgsProcessingException(tr("Choose at least one explanatory variable."))
    panel_layer = alg.parameterAsVectorLayer(parameters, "PANEL", context)
    table = layer_to_frame(panel_layer, [pid, ptime, y, *xs], geometry=False)
    table[pid] = table[pid].map(str)
    table = table[table[pid].isin(set(w.id_order))].drop(columns="fid")
    for c in [ptime, y, *xs]:
        table[c] = pd.to_numeric(table[c], errors="coerce")
    synthetic = used_synthetic(panel_layer, [y, *xs])
    inputs = analysis_inputs(table, w, pid, ptime, layer.name(), synthetic[0])
    return inputs, y, tuple(xs), synthetic


def run_model_tables(
    alg: _LayerStatistic,
    run: Any,
    inputs: Any,
    options: Any,
    parameters: dict,
    context: Any,
    feedback: Any,
    synthetic: tuple[tuple[str, ...], bool],
) -> tuple[Any, dict[str, Any], str]:
    """Run one model analysis and write its coefficient and (optional) effects tables.

    Parameters
    ----------
    alg : _LayerStatistic
        The running algorithm (outputs ``OUTPUT`` and ``EFFECTS``).
    run : callable
        The analysis function, ``run(inputs, options)``.
    inputs, options
        Its arguments.
    parameters, context, feedback
        As passed to ``processAlgorithm``.
    synthetic : tuple
        As returned by :func:`read_panel_inputs`.

    Returns
    -------
    analysis, out, title
        The analysis object, the outputs written so far and the English title they carry.
    """
    from policylink.errors import PolicyLinkError

    from ..postprocess import label_output

    try:
        analysis = run(inputs, options)
    except (ValueError, PolicyLinkError) as exc:
        raise QgsProcessingException(str(exc)) from exc
    if analysis.provenance.is_synthetic:
        feedback.pushWarning(tr("SYNTHETIC data."))
    res = analysis.result
    title = analysis.title("en")
    out = {"OUTPUT": write_table(alg, parameters, context, "OUTPUT", res.coefficients)}
    label_output(context, out["OUTPUT"], *synthetic, title)
    if res.effects is not None and parameters.get("EFFECTS"):
        out["EFFECTS"] = write_table(alg, parameters, context, "EFFECTS", res.effects)
        label_output(context, out["EFFECTS"], *synthetic, title)
    return analysis, out, title


class DynamicSpatialPanel(_LayerStatistic):
    """Dynamic spatial (Durbin) panel: y_{t-1}, W y_{t-1}, W y_t, X and W X, bias-corrected
    quasi-ML, short- and long-run effects."""

    FE = "FE"
    LAGS = "LAGS"
    DURBIN = "DURBIN"
    BIAS_CORRECTION = "BIAS_CORRECTION"
    OUTPUT = "OUTPUT"
    EFFECTS = "EFFECTS"
    OUTPUT_HTML = "OUTPUT_HTML"

    _name = "dynamicpanel"
    _requires = ("models",)
    _display = "Dynamic spatial panel (time and space-time lags) with bias correction"
    _group = "Regression"
    _group_id = "regression"
    _help = (
        "Dynamic spatial Durbin (or SAR) panel y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + "
        "X_t beta + W X_t theta + unit (and time) fixed effects, as Stata xsmle dlag, estimated by "
        "quasi-maximum likelihood with the Yu-de Jong-Lee (2008) / Lee-Yu bias correction. "
        "Short-run and long-run direct, indirect and total effects with standard errors from "
        "simulated parameter draws. Needs a balanced panel with equally spaced years; time "
        "effects need row-standardised weights. Outputs: coefficient table (corrected and "
        "uncorrected), effects table and an HTML page."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        add_panel_inputs(self)
        self.addParameter(
            QgsProcessingParameterEnum(
                self.FE,
                tr("Fixed effects"),
                options=[tr("Unit"), tr("Two-way (unit and time)")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LAGS,
                tr("Dynamic lags"),
                options=[
                    tr("Time and space-time lags (y_{t-1}, W y_{t-1})"),
                    tr("Time lag only (y_{t-1})"),
                    tr("Space-time lag only (W y_{t-1})"),
                ],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.DURBIN, tr("Spatial lags of the explanatory variables (W X)"), True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(self.BIAS_CORRECTION, tr("Bias correction"), True)
        )
        add_draws(self)
        add_outputs(self, tr("Coefficients"), self.EFFECTS, tr("Effects"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.models import DynamicOptions, run_dynamic_panel

        inputs, y, xs, synthetic = read_panel_inputs(self, parameters, context, feedback)
        options = DynamicOptions(
            y=y,
            x=xs,
            fe=DYNAMIC_FE[self.parameterAsEnum(parameters, self.FE, context)],
            lags=DYNAMIC_LAGS[self.parameterAsEnum(parameters, self.LAGS, context)],
            durbin=self.parameterAsBool(parameters, self.DURBIN, context),
            bias_correction=self.parameterAsBool(parameters, self.BIAS_CORRECTION, context),
            draws=self.parameterAsInt(parameters, "DRAWS", context),
            seed=self.parameterAsInt(parameters, "SEED", context),
        )
        # the one dynamic panel analysis (as `policylink model dynamic` and the report)
        analysis, out, title = run_model_tables(
            self, run_dynamic_panel, inputs, options, parameters, context, feedback, synthetic
        )
        res = analysis.result
        out.update(
            {
                "LOG_LIKELIHOOD": res.log_likelihood,
                "N_UNITS": res.n_units,
                "N_PERIODS": res.n_periods,
            }
        )
        html_path = self.parameterAsFileOutput(parameters, "OUTPUT_HTML", context)
        if html_path:
            sections = [(tr("Coefficients"), res.coefficients)]
            if res.effects is not None:
                sections.append((tr("Effects"), res.effects))
            sections.append((tr("Method"), title))
            out["OUTPUT_HTML"] = write_html(html_path, tr("Dynamic spatial panel"), sections)
        return out
