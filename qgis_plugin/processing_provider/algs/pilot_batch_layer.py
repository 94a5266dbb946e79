"""Processing algorithm ``pilotbatches``: units with the batch of a pilot programme.

The database is read with :mod:`policylink.mapdata` (as by the ``policylink map`` command and the
HTML report). :class:`PilotBatchLayer` is also the base of ``neighbouradoption`` and
``diffusionpaths``, which start from the same units and effective years.
"""

from __future__ import annotations

import pandas as pd
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ...core.i18n import tr
from ..map_algorithm import _MapAlgorithm, parse_years, write_geo
from ..postprocess import style_on_load


class PilotBatchLayer(_MapAlgorithm):
    """Units with the batch of a pilot programme (a designated province covers its prefectures)."""

    EFFECTIVE_YEARS = "EFFECTIVE_YEARS"

    _name = "pilotbatches"
    _requires = ("maps",)
    _display = "Pilot batches (adoption layer)"
    _help = (
        "Prefecture units with the batch in which they became pilots of a programme (default the "
        "national low-carbon pilots: batches of 2010, 2012 and 2017, seed 002 Fig. 2). A designated "
        "province covers all its prefectures, the earliest batch wins, county-level pilots do not "
        "make their prefecture a pilot (seed 004 rules). first_year is the effective year of the "
        "batch (default 2011, 2013, 2017 as in seed 004). Styled by batch. Without the "
        "database: a units layer with a code field and a batch field (turned into years by the "
        "effective years) or a first-year field."
    )
    default_programme = "low_carbon_pilot"
    levels = ("prefecture",)

    def add_pilot_inputs(self) -> None:
        """Map inputs, a units layer instead of the database, and the effective years."""
        self.add_map_inputs()
        self.add_layer_inputs(first_year=True, batch=True)
        self.addParameter(
            QgsProcessingParameterString(
                self.EFFECTIVE_YEARS,
                tr("Effective year of each batch"),
                defaultValue="2011,2013,2017",
            )
        )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_pilot_inputs()
        self.add_output(tr("Pilot batches"), QgsProcessing.TypeVectorPolygon)

    def frame(self, parameters, context):
        """Units with ``batch``, ``scope``, ``event_date`` and effective ``first_year``."""
        eff = parse_years(self.parameterAsString(parameters, self.EFFECTIVE_YEARS, context))
        if self.uses_layer(parameters, context):
            return self.frame_from_layer(parameters, context, eff)
        from policylink import mapdata

        programme, level, within = self.common(parameters, context)
        with self.connect(parameters, context) as conn:
            units = mapdata.read_units(conn, level, within)
            pilots = mapdata.read_pilots(conn, programme)
        if units.empty:
            raise QgsProcessingException(tr("No units in the database for these codes."))
        out = units[["code", "name_zh", "geometry"]].merge(
            pilots[["code", "batch", "scope", "event_date", "event_id"]]
            if not pilots.empty
            else pd.DataFrame(columns=["code", "batch", "scope", "event_date", "event_id"]),
            on="code",
            how="left",
        )
        out["batch"] = pd.array(out["batch"], dtype="Int64")
        out["first_year"] = pd.array(
            [eff.get(int(b)) if pd.notna(b) else None for b in out["batch"]], dtype="Int64"
        )
        out["event_date"] = out["event_date"].map(lambda d: None if pd.isna(d) else str(d))
        import geopandas as gpd

        return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)

    def queen_weights(self, parameters, context, gdf):
        """Queen contiguity of :meth:`frame`'s units (ids = ``code``).

        Units read from the database get the database's materialized pairs
        (``policylink.dbread.read_unit_weights``) instead of contiguity rebuilt from their
        full-resolution polygons; a ``UNITS`` layer (or units the views cannot place in one
        level set) gets the geometric rule of :func:`core.weights.weights_from_frame`.
        """
        from ...core.weights import weights_from_frame

        if not self.uses_layer(parameters, context):
            from policylink import dbread

            with self.connect(parameters, context) as conn:
                w = dbread.read_unit_weights(conn, "queen", gdf["code"].tolist())
            if w is not None:
                return w
        return weights_from_frame(gdf.assign(fid=range(len(gdf))), "code", "queen")

    def frame_from_layer(self, parameters, context, eff: dict[int, int]):
        """:meth:`frame` from the ``UNITS`` layer: its batch or first-year field, no database."""
        units = self.units_from_layer(parameters, context, need=("first_year", "batch"))
        if "batch" not in units:
            units["batch"] = pd.array([None] * len(units), dtype="Int64")
        if "first_year" not in units:
            unknown = sorted({int(b) for b in units["batch"].dropna()} - set(eff))
            if unknown:
                raise QgsProcessingException(
                    tr("Batches {batches} have no effective year; give one per batch.").format(
                        batches=", ".join(map(str, unknown))
                    )
                )
            units["first_year"] = pd.array(
                [eff.get(int(b)) if pd.notna(b) else None for b in units["batch"]], dtype="Int64"
            )
        for c in ("scope", "event_date", "event_id"):
            units[c] = None
        cols = ["code", "name_zh", "batch", "scope", "event_date", "event_id", "first_year"]
        return units[[*cols, "geometry"]]

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        gdf = self.frame(parameters, context)
        dest = write_geo(self, parameters, context, "OUTPUT", gdf, QgsWkbTypes.MultiPolygon)
        counts = gdf["batch"].value_counts().sort_index()
        feedback.pushInfo(", ".join(f"batch {int(b)}: {n}" for b, n in counts.items()))
        style_on_load(context, dest, "pilot_batch")
        return {"OUTPUT": dest, "N_PILOTS": int(gdf["batch"].notna().sum())}
