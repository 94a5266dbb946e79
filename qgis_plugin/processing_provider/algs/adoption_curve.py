"""Processing algorithm ``adoptioncurve``: cumulative adoption per year with fitted curves.

The series and fits are :func:`policylink.analyses.diffusion.run_curve` on the cascade of
:func:`policylink.diffusion_inputs.load_cascade_inputs` (as ``policylink diffusion curve``);
the plot is written as a PNG and, optionally, an HTML page.
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
)

from ...core.htmlreport import write_html
from ...core.i18n import tr
from ..base import write_table
from ..checks import check_output_file
from ..diffusion_algorithm import _DiffusionAlgorithm


def curve_figure(series, title: str):
    """Cumulative adopters per year (points) with the fitted curves (lines).

    Parameters
    ----------
    series : pandas.DataFrame
        ``year, cumulative`` and ``fitted_<model>`` columns (:class:`CurveAnalysis.series`).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.2), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    ax.bar(series["year"], series["new"], color="#c6dbef", label=tr("New adopters"))
    ax.plot(series["year"], series["cumulative"], "o", color="#08519c", label=tr("Cumulative"))
    for col, colour in zip(
        [c for c in series.columns if c.startswith("fitted_")], ("#e6550d", "#31a354"), strict=False
    ):
        ax.plot(series["year"], series[col], "-", color=colour, label=col.removeprefix("fitted_"))
    ax.set_xlabel(tr("Year"))
    ax.set_ylabel(tr("Adopters"))
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


class AdoptionCurve(_DiffusionAlgorithm):
    """Cumulative adoption of a programme with logistic and Bass curves; table and plot."""

    PNG = "PNG"
    OUTPUT_HTML = "OUTPUT_HTML"
    FITS = "FITS"

    _name = "adoptioncurve"
    _requires = ("diffusion",)
    _display = "Cumulative adoption curve"
    _help = (
        "New and cumulative adopters of a programme per year of the window, with logistic and "
        "Bass (1969) curves fitted by nonlinear least squares. Outputs: the yearly series with "
        "fitted values, the curve parameters with standard errors, a PNG plot and optionally an "
        "HTML page. Same inputs and numbers as `policylink diffusion curve`."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_map_inputs()
        self.add_years()
        self.add_output(tr("Adoption per year"), QgsProcessing.TypeVector)
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.FITS, tr("Curve parameters"), QgsProcessing.TypeVector, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.PNG, tr("Plot (PNG)"), fileFilter="PNG (*.png)"
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT_HTML, tr("Results page"), fileFilter="HTML (*.html)", optional=True
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.diffusion import run_curve
        from policylink.diffusion_inputs import load_cascade_inputs

        source = self.source(parameters, context)
        with self.connect(parameters, context) as conn:
            inputs = load_cascade_inputs(source, conn=conn)
        analysis = run_curve(inputs)
        for note in analysis.provenance.notes:
            feedback.pushWarning(note)
        series = analysis.series.copy()
        series["year"] = series["year"].astype("int64")
        out = {
            self.OUTPUT: write_table(self, parameters, context, self.OUTPUT, series),
            "CUMULATIVE": int(series["cumulative"].iloc[-1]),
            "N_UNITS": analysis.provenance.n_units,
        }
        fits = analysis.table("en")
        fits.columns = [str(c).replace(" ", "_").lower() for c in fits.columns]
        if parameters.get(self.FITS):
            out[self.FITS] = write_table(self, parameters, context, self.FITS, fits)
        title = analysis.title("en")
        feedback.pushInfo(title)
        fig = curve_figure(series, title)
        png = self.parameterAsFileOutput(parameters, self.PNG, context)
        if png:
            fig.savefig(check_output_file(png))
            out[self.PNG] = png
        html_path = self.parameterAsFileOutput(parameters, self.OUTPUT_HTML, context)
        if html_path:
            out[self.OUTPUT_HTML] = write_html(
                check_output_file(html_path),
                tr("Cumulative adoption curve"),
                [(title, fig), (tr("Adoption per year"), series), (tr("Curve parameters"), fits)],
            )
        return out
