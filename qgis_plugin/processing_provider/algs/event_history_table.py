"""Processing algorithm ``eha``: discrete-time event history analysis of adoption (hazard ratios).

The model is :func:`policylink.analyses.diffusion.run_eha` on the risk set of
:func:`policylink.diffusion_inputs.load_eha_inputs` (as ``policylink diffusion eha``). Outputs:
the coefficient table (odds or hazard ratios, average marginal effects of the neighbour share)
and a per-unit layer of each unit's first adoption year, lagged neighbour exposure and its hazard
(cloglog) or odds (logit) ratio in its last year at risk, styled by that ratio.
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ...core.i18n import tr
from ..base import write_table
from ..diffusion_algorithm import _DiffusionAlgorithm, split_list
from ..map_algorithm import write_geo

LINKS = ("logit", "cloglog")
"""Values of ``LINK``, in the order of its options."""
NEIGHBOURS = ("queen", "rook")
"""Values of ``NEIGHBOURS``, in the order of its options."""
COLUMNS = ("variable", "coefficient", "se", "p", "ratio", "ame", "ame_se")
"""Field names of the coefficient table (the English table's columns, as field names)."""


class EventHistoryTable(_DiffusionAlgorithm):
    """Hazard of adoption with neighbour and higher-level effects; per-unit exposure layer."""

    NEIGHBOURS = "NEIGHBOURS"
    LINK = "LINK"
    COVARIATES = "COVARIATES"
    UNITS = "UNITS"

    _name = "eha"
    _requires = ("diffusion",)
    _display = "Event history analysis of adoption (hazard ratios)"
    _help = (
        "Discrete-time event history analysis (Berry & Berry 1990): the yearly hazard that a unit "
        "still at risk adopts the programme, by the lagged share of its neighbours that adopted, "
        "whether its higher-level unit adopted, optional covariates from the database (lagged one "
        "year) and a cubic duration term. Several programmes (comma-separated) are pooled with "
        "programme-specific baselines. Logit gives odds ratios, cloglog hazard ratios; standard "
        "errors are clustered by unit. Outputs: the coefficient table with ratios and average "
        "marginal effects, and a unit layer with each unit's first adoption year, years at risk, "
        "neighbour share in its last year at risk and its hazard (odds) ratio then, exp of the "
        "regressors times their coefficients with a 95% interval, against a unit with every "
        "regressor at 0, coloured by that ratio. Same inputs and numbers as "
        "`policylink diffusion eha`."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_map_inputs()
        self.add_years()
        self.addParameter(
            QgsProcessingParameterEnum(
                self.NEIGHBOURS,
                tr("Neighbours"),
                options=[tr("Queen contiguity"), tr("Rook contiguity")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LINK,
                tr("Hazard link"),
                options=[tr("Logit (odds ratios)"), tr("Complementary log-log (hazard ratios)")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.COVARIATES, tr("Covariates (variables, comma-separated)"), optional=True
            )
        )
        self.add_output(tr("Hazard model coefficients"), QgsProcessing.TypeVector)
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.UNITS,
                tr("Units with adoption year, neighbour exposure and hazard ratio"),
                QgsProcessing.TypeVectorPolygon,
                optional=True,
                createByDefault=False,
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from dataclasses import replace

        import pandas as pd

        from policylink import mapdata
        from policylink.analyses.diffusion import EhaOptions, run_eha
        from policylink.diffusion_inputs import load_eha_inputs

        from ..postprocess import label_output, style_on_load

        neighbours = NEIGHBOURS[self.parameterAsEnum(parameters, self.NEIGHBOURS, context)]
        source = self.source(parameters, context, neighbours=neighbours)
        covariates = split_list(self.parameterAsString(parameters, self.COVARIATES, context))
        source = replace(source, covariates=covariates)
        options = EhaOptions(
            regressors=(*EhaOptions().regressors, *covariates),
            link=LINKS[self.parameterAsEnum(parameters, self.LINK, context)],
        )
        with self.connect(parameters, context) as conn:
            inputs = load_eha_inputs(source, conn=conn)
            analysis = run_eha(inputs, options)
            units = (
                mapdata.read_units(conn, source.level, source.within)
                if parameters.get(self.UNITS)
                else None
            )
        for note in analysis.provenance.notes:
            feedback.pushWarning(note)
        table = analysis.table("en")
        table.columns = list(COLUMNS[: len(table.columns)])
        dest = write_table(self, parameters, context, self.OUTPUT, table)
        synthetic = tuple(analysis.provenance.synthetic)
        label_output(context, dest, synthetic, True, analysis.title("en"))
        feedback.pushInfo(analysis.title("en"))
        ratio = dict(zip(table["variable"], table["ratio"], strict=True))
        out = {
            self.OUTPUT: dest,
            "N_EVENTS": int(sum(analysis.n_events.values())),
            "N_UNIT_YEARS": int(analysis.result.fit.nobs),
            "NEIGHBOUR_RATIO": ratio.get("neighbour_share"),
        }
        if units is not None:
            risk = inputs.risk
            last = risk.sort_values("year").groupby("code").tail(1).set_index("code")
            first = risk[risk["event"] == 1].groupby("code")["year"].min()
            per_unit = pd.DataFrame(
                {
                    "years_at_risk": risk.groupby("code").size(),
                    "neighbour_share": last["neighbour_share"],
                }
            )
            gdf = units[["code", "name_zh", "name_en", "geometry"]].copy()
            gdf["first_year"] = gdf["code"].map(first).astype("Int64")
            gdf["years_at_risk"] = gdf["code"].map(per_unit["years_at_risk"]).astype("Int64")
            gdf["neighbour_share"] = gdf["code"].map(per_unit["neighbour_share"]).astype(float)
            ratios = analysis.unit_ratios().set_index("code")
            for col, field in (
                ("ratio", "hazard_ratio"),
                ("ratio_low", "ratio_low"),
                ("ratio_high", "ratio_high"),
            ):
                gdf[field] = gdf["code"].map(ratios[col]).astype(float)
            out[self.UNITS] = write_geo(
                self, parameters, context, self.UNITS, gdf, QgsWkbTypes.MultiPolygon
            )
            style_on_load(context, out[self.UNITS], "hazard_ratio")
            label_output(context, out[self.UNITS], synthetic, True, analysis.title("en"))
        return out
