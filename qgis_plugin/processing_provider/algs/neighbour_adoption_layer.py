"""Processing algorithm ``neighbouradoption``: share of neighbours already treated, per unit and year.

``neighbour_share`` comes from :mod:`policylink.spatial.did.spatial_did`; the units and their
effective pilot years from :class:`.pilot_batch_layer.PilotBatchLayer`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ...core.i18n import tr
from ..map_algorithm import write_geo
from .pilot_batch_layer import PilotBatchLayer


class NeighbourAdoptionLayer(PilotBatchLayer):
    """Share of contiguous neighbours already treated, per unit and year."""

    YEARS = "YEARS"

    _name = "neighbouradoption"
    _requires = ("maps",)
    _display = "Neighbour adoption by year"
    _help = (
        "For every unit and year: treated (the unit's effective pilot year has come) and "
        "share_treated, the share of its queen-contiguous neighbours already treated "
        "((W D)_it with row-standardised W, policylink.spatial.did.neighbour_share). One feature per unit "
        "and year, with temporal properties on 'year' so the Temporal Controller steps through "
        "the diffusion."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_pilot_inputs()
        self.addParameter(
            QgsProcessingParameterString(
                self.YEARS, tr("Years (first-last)"), defaultValue="2009-2019"
            )
        )
        self.add_output(tr("Neighbour adoption"), QgsProcessing.TypeVectorPolygon)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        import geopandas as gpd

        from policylink.spatial.did.panel import PanelSpec, prepare_panel
        from policylink.spatial.did.spatial_did import neighbour_share

        gdf = self.frame(parameters, context)
        text = self.parameterAsString(parameters, "YEARS", context)
        try:
            y0, y1 = (int(v) for v in text.split("-"))
        except ValueError as exc:
            raise QgsProcessingException(tr("Years must look like 2009-2019.")) from exc
        w = self.queen_weights(parameters, context, gdf)
        years = list(range(y0, y1 + 1))
        panel = pd.DataFrame(
            {
                "unit": np.repeat(gdf["code"].to_numpy(), len(years)),
                "year": np.tile(years, len(gdf)),
                "first_treated": np.repeat(
                    gdf["first_year"].fillna(0).astype(int).to_numpy(), len(years)
                ),
                "y": 0.0,
            }
        )
        spec = PanelSpec(outcome="y", unit="unit", time="year", first_treated="first_treated")
        prepared, spec = prepare_panel(panel, spec)  # codes 0 = never treated
        share, info = neighbour_share(prepared, spec, w)
        shares = pd.DataFrame(
            {
                "unit": prepared["unit"].to_numpy(),
                "year": prepared["year"].to_numpy(),
                "share_treated": share.to_numpy(),
            }
        )
        panel = panel.merge(shares, on=["unit", "year"], how="left")
        panel["treated"] = (
            (panel["first_treated"] > 0) & (panel["year"] >= panel["first_treated"])
        ).astype(int)
        if info.get("islands"):
            feedback.pushWarning(
                tr("Units without neighbours (islands), kept with a zero spatial lag: ")
                + ", ".join(info["islands"][:20])
            )
        out = panel.merge(
            gdf[["code", "name_zh", "geometry"]], left_on="unit", right_on="code"
        ).drop(columns=["unit", "y"])
        out = gpd.GeoDataFrame(
            out[
                ["code", "name_zh", "year", "first_treated", "treated", "share_treated", "geometry"]
            ],
            geometry="geometry",
            crs=4326,
        )
        dest = write_geo(self, parameters, context, "OUTPUT", out, QgsWkbTypes.MultiPolygon)
        if context.willLoadLayerOnCompletion(dest):
            context.layerToLoadOnCompletionDetails(dest).setPostProcessor(_ShareStyle.make())
        return {"OUTPUT": dest, "N_FEATURES": len(out)}


class _ShareStyle:
    """Post-processor: graduated choropleth of share_treated + yearly temporal properties."""

    @staticmethod
    def make():
        from qgis.core import QgsProcessingLayerPostProcessorInterface

        from ...core.styling import graduated_choropleth, set_yearly_temporal

        class _Post(QgsProcessingLayerPostProcessorInterface):
            def postProcessLayer(self, layer, context, feedback):  # noqa: N802
                graduated_choropleth(layer, "share_treated", scheme="equal_interval", k=5)
                set_yearly_temporal(layer, "year", "year")

        post = _Post()
        from ..postprocess import StyleOutput

        StyleOutput._alive.append(post)
        return post
