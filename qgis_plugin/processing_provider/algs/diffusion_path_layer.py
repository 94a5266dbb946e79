"""Processing algorithm ``diffusionpaths``: arrows from earlier to later adopting neighbours.

The units and their effective pilot years come from
:class:`.pilot_batch_layer.PilotBatchLayer`; contiguity from :meth:`.pilot_batch_layer.PilotBatchLayer.queen_weights` (the database views for database units).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from qgis.core import QgsProcessing, QgsWkbTypes

from ...core.i18n import tr
from ..map_algorithm import write_geo
from ..postprocess import style_on_load
from .pilot_batch_layer import PilotBatchLayer


class DiffusionPathLayer(PilotBatchLayer):
    """Arrows from earlier to later adopting contiguous units."""

    _name = "diffusionpaths"
    _requires = ("maps",)
    _display = "Diffusion paths"
    _help = (
        "Directed edges i -> j between queen-contiguous units where j adopted after i (effective "
        "pilot years), drawn as arrows between representative points, with lag_years = first "
        "year of j - first year of i. The layer animates from the year j adopted."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_pilot_inputs()
        self.add_output(tr("Diffusion paths"), QgsProcessing.TypeVectorLine)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        import geopandas as gpd
        import shapely

        gdf = self.frame(parameters, context)
        w = self.queen_weights(parameters, context, gdf)
        first = dict(zip(gdf["code"], gdf["first_year"], strict=True))
        pts = dict(zip(gdf["code"], gdf.geometry.representative_point(), strict=True))
        rows: list[dict[str, Any]] = []
        for i in w.id_order:
            for j in w.neighbors[i]:
                fi, fj = first[i], first[j]
                if pd.notna(fi) and pd.notna(fj) and int(fi) < int(fj):
                    rows.append(
                        {
                            "source": i,
                            "target": j,
                            "source_year": int(fi),
                            "target_year": int(fj),
                            "lag_years": int(fj) - int(fi),
                            "geometry": shapely.LineString([pts[i], pts[j]]),
                        }
                    )
        cols = ["source", "target", "source_year", "target_year", "lag_years"]
        edges = gpd.GeoDataFrame(
            pd.DataFrame(rows, columns=[*cols, "geometry"]), geometry="geometry", crs=4326
        )
        for c in cols[2:]:
            edges[c] = edges[c].astype("int64")
        dest = write_geo(self, parameters, context, "OUTPUT", edges, QgsWkbTypes.LineString)
        style_on_load(context, dest, "diffusion_arrows", temporal=("target_year", None))
        return {"OUTPUT": dest, "N_EDGES": len(edges)}
