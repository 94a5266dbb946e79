"""Processing algorithm ``adoptionperiod``: units by the period of their first adoption.

The database is read with :func:`policylink.mapdata.read_adoption_windows`, the function behind
the ``policylink map`` command and the HTML report (seed 001 Fig. 1).
"""

from __future__ import annotations

import pandas as pd
from qgis.core import QgsProcessing, QgsWkbTypes

from ...core.i18n import tr
from ..map_algorithm import _MapAlgorithm, period_of, write_geo
from ..postprocess import style_on_load


class AdoptionPeriodLayer(_MapAlgorithm):
    """Units coloured by the period in which they first adopted a policy (seed 001 Fig. 1)."""

    _name = "adoptionperiod"
    _requires = ("maps",)
    _display = "Adoption by period"
    _help = (
        "Units with the period in which they first adopted a policy of a programme (default "
        "jjj_policy_adoption: the seed 001 Fig. 1 inter-city industrial-coordination policies) and "
        "the year of their first event. A unit counts through its own events only (a county's "
        "policy does not make its prefecture an adopter), as in seed 001 and the HTML report. "
        "Periods are the database's analysis_period labels, scheme seed001: before 2008, "
        "2008-2014, 2014-2016, after 2016; units without any event get 'none'. The layer "
        "animates with the Temporal Controller. Without the database: a units layer with a "
        "code field and a first-year field (empty = never), periods of the same scheme."
    )
    default_programme = "jjj_policy_adoption"

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_map_inputs()
        self.add_layer_inputs(first_year=True)
        self.add_output(tr("Adoption by period"), QgsProcessing.TypeVectorPolygon)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        if self.uses_layer(parameters, context):
            out = self.units_from_layer(parameters, context, need=("first_year",))
            out["period"] = [period_of(y) for y in out["first_year"]]
            out = out[["code", "name_zh", "first_year", "period", "geometry"]]
        else:
            from policylink import mapdata

            programme, level, within = self.common(parameters, context)
            with self.connect(parameters, context) as conn:
                units = mapdata.read_units(conn, level, within)
                first = mapdata.read_adoption_windows(
                    conn, level=level, within=within, programme=programme
                )
            out = units[["code", "name_zh", "geometry"]].merge(
                first[["code", "first_year", "period"]], on="code", how="left"
            )
        out["first_year"] = pd.array(out["first_year"], dtype="Int64")
        out["period"] = out["period"].fillna("none")
        import geopandas as gpd

        gdf = gpd.GeoDataFrame(out, geometry="geometry", crs=4326)
        dest = write_geo(self, parameters, context, "OUTPUT", gdf, QgsWkbTypes.MultiPolygon)
        style_on_load(context, dest, "adoption_period", temporal=("first_year", None))
        counts = gdf["period"].value_counts()
        feedback.pushInfo(", ".join(f"{k}: {v}" for k, v in counts.items()))
        return {"OUTPUT": dest, "COUNTS": {str(k): int(v) for k, v in counts.items()}}
