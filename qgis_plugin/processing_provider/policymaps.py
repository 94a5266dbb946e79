"""Processing algorithms that draw policy-diffusion layers from the PolicyLink database.

Pilot batches, adoption by period, coordination links, neighbour adoption and diffusion paths.
The database is read with :mod:`policylink.mapdata` (the same functions the ``policylink map``
command and the HTML report use, so plugin, CLI and report show the same units and links);
``neighbour_share`` comes from :mod:`policylink.spatial.did.spatial_did`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..core.i18n import tr
from ..core.weights import weights_from_frame
from .base import cell, qvariant_type
from .database import _DatabaseAlgorithm
from .postprocess import style_on_load

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def write_geo(alg, parameters, context, name: str, frame, wkb_type) -> str:
    """Write a GeoDataFrame (EPSG:4326) to a feature sink; return the destination id."""
    cols = [c for c in frame.columns if c != "geometry"]
    fields = QgsFields()
    for c in cols:
        fields.append(QgsField(str(c), qvariant_type(frame[c])))
    sink, dest = alg.parameterAsSink(parameters, name, context, fields, wkb_type, WGS84)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, name))
    for row, geom in zip(frame[cols].itertuples(index=False), frame.geometry, strict=True):
        feat = QgsFeature(fields)
        if geom is not None:
            g = QgsGeometry()
            g.fromWkb(geom.wkb)
            feat.setGeometry(g)
        feat.setAttributes([cell(v) for v in row])
        sink.addFeature(feat, QgsFeatureSink.FastInsert)
    return dest


def parse_years(text: str) -> dict[int, int]:
    """``"2011,2013,2017"`` -> ``{1: 2011, 2: 2013, 3: 2017}`` (batch -> effective year)."""
    try:
        years = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise QgsProcessingException(
            tr("Effective years must be years separated by commas.")
        ) from exc
    return {i: y for i, y in enumerate(years, start=1)}


class _MapAlgorithm(_DatabaseAlgorithm):
    """Database inputs plus programme, level and codes to stay within."""

    _group = "Policy maps"
    _group_id = "policymaps"
    default_programme = ""
    levels = ("prefecture", "county")

    def add_map_inputs(self) -> None:
        self.add_database_inputs()
        self.addParameter(
            QgsProcessingParameterString(
                "PROGRAMME", tr("Programme"), defaultValue=self.default_programme
            )
        )
        self.add_level_and_within([tr(v.capitalize()) for v in self.levels], default=0)

    def add_output(self, label: str, layer_type: int) -> None:
        """The ``OUTPUT`` feature sink (``label`` already translated)."""
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", label, layer_type))

    def connect(self, parameters, context):
        """An open psycopg connection to the chosen database."""
        import psycopg

        url = self.parameterAsString(parameters, "DATABASE_URL", context) or ""
        conninfo = url or self.database(parameters, context).connectionInfo(True)
        try:
            return psycopg.connect(conninfo)
        except psycopg.Error as exc:
            raise QgsProcessingException(
                tr("Cannot connect to the database: {e}").format(e=exc)
            ) from exc

    def common(self, parameters, context) -> tuple[str, str, str | None]:
        programme = self.parameterAsString(parameters, "PROGRAMME", context).strip()
        level = self.levels[self.parameterAsEnum(parameters, "LEVEL", context)]
        within = (self.parameterAsString(parameters, "WITHIN", context) or "").strip() or None
        return programme, level, within


class PilotBatchLayer(_MapAlgorithm):
    """Units with the batch of a pilot programme (a designated province covers its prefectures)."""

    _name = "pilotbatches"
    _display = "Pilot batches (adoption layer)"
    _help = (
        "Prefecture units with the batch in which they became pilots of a programme (default the "
        "national low-carbon pilots: batches of 2010, 2012 and 2017, seed 002 Fig. 2). A designated "
        "province covers all its prefectures, the earliest batch wins, county-level pilots do not "
        "make their prefecture a pilot (seed 004 rules). first_year is the effective year of the "
        "batch (default 2011, 2013, 2017 as in seed 004). Styled by batch."
    )
    default_programme = "low_carbon_pilot"
    levels = ("prefecture",)

    def add_pilot_inputs(self) -> None:
        """Map inputs plus the effective year of each batch (``EFFECTIVE_YEARS``)."""
        self.add_map_inputs()
        self.addParameter(
            QgsProcessingParameterString(
                "EFFECTIVE_YEARS", tr("Effective year of each batch"), defaultValue="2011,2013,2017"
            )
        )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_pilot_inputs()
        self.add_output(tr("Pilot batches"), QgsProcessing.TypeVectorPolygon)

    def frame(self, parameters, context):
        """Units with ``batch``, ``scope``, ``event_date`` and effective ``first_year``."""
        from policylink import mapdata

        programme, level, within = self.common(parameters, context)
        eff = parse_years(self.parameterAsString(parameters, "EFFECTIVE_YEARS", context))
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

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        gdf = self.frame(parameters, context)
        dest = write_geo(self, parameters, context, "OUTPUT", gdf, QgsWkbTypes.MultiPolygon)
        counts = gdf["batch"].value_counts().sort_index()
        feedback.pushInfo(", ".join(f"batch {int(b)}: {n}" for b, n in counts.items()))
        style_on_load(context, dest, "pilot_batch")
        return {"OUTPUT": dest, "N_PILOTS": int(gdf["batch"].notna().sum())}


class AdoptionPeriodLayer(_MapAlgorithm):
    """Units coloured by the period in which they first adopted a policy (seed 001 Fig. 1)."""

    _name = "adoptionperiod"
    _display = "Adoption by period"
    _help = (
        "Units with the period in which they first adopted a policy of a programme (default "
        "jjj_policy_adoption: the seed 001 Fig. 1 inter-city industrial-coordination policies) and "
        "the year of their first event. A unit counts through its own events only (a county's "
        "policy does not make its prefecture an adopter), as in seed 001 and the HTML report. "
        "Periods are the database's analysis_period labels, scheme seed001: before 2008, "
        "2008-2014, 2014-2016, after 2016; units without any event get 'none'. The layer "
        "animates with the Temporal Controller."
    )
    default_programme = "jjj_policy_adoption"

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_map_inputs()
        self.add_output(tr("Adoption by period"), QgsProcessing.TypeVectorPolygon)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
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


class CoordinationLinkLayer(_MapAlgorithm):
    """Lines between units that share coordination events (seed 001 Fig. 2)."""

    _name = "coordinationlinks"
    _display = "Coordination links"
    _help = (
        "One line per pair of units and link type, between their representative points, for the "
        "events of a programme (default jjj_coordination, seed 001): multi-party events link every "
        "pair of parties, transfers link senders to receivers; at prefecture level counties roll "
        "up to their prefecture. Fields: a, b, name_a, name_b, link_type (event kind), n_events, "
        "first_year, last_year. Width follows n_events, colour the link type; the layer animates "
        "from each link's first year."
    )
    default_programme = "jjj_coordination"

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_map_inputs()
        self.add_output(tr("Coordination links"), QgsProcessing.TypeVectorLine)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink import mapdata

        programme, level, within = self.common(parameters, context)
        with self.connect(parameters, context) as conn:
            links = mapdata.read_links(conn, programme, level, within)
        pairs = links.pairs.rename(columns={"kind": "link_type"})
        pairs = pairs[
            [
                "a",
                "b",
                "name_a",
                "name_b",
                "link_type",
                "n_events",
                "first_year",
                "last_year",
                "geometry",
            ]
        ]
        for c in ("n_events", "first_year", "last_year"):
            pairs[c] = pairs[c].astype("int64")
        dest = write_geo(self, parameters, context, "OUTPUT", pairs, QgsWkbTypes.LineString)
        style_on_load(context, dest, "coordination_links", temporal=("first_year", None))
        feedback.pushInfo(
            tr("{n} links from {e} event-pairs").format(n=len(pairs), e=len(links.events))
        )
        return {"OUTPUT": dest, "N_LINKS": len(pairs), "N_EVENT_PAIRS": len(links.events)}


class NeighbourAdoptionLayer(PilotBatchLayer):
    """Share of contiguous neighbours already treated, per unit and year."""

    _name = "neighbouradoption"
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
                "YEARS", tr("Years (first-last)"), defaultValue="2009-2019"
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
        w = weights_from_frame(gdf.assign(fid=range(len(gdf))), "code", "queen")
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


class DiffusionPathLayer(PilotBatchLayer):
    """Arrows from earlier to later adopting contiguous units."""

    _name = "diffusionpaths"
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
        w = weights_from_frame(gdf.assign(fid=range(len(gdf))), "code", "queen")
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


class _ShareStyle:
    """Post-processor: graduated choropleth of share_treated + yearly temporal properties."""

    @staticmethod
    def make():
        from qgis.core import QgsProcessingLayerPostProcessorInterface

        from ..core.styling import graduated_choropleth, set_yearly_temporal

        class _Post(QgsProcessingLayerPostProcessorInterface):
            def postProcessLayer(self, layer, context, feedback):  # noqa: N802
                graduated_choropleth(layer, "share_treated", scheme="equal_interval", k=5)
                set_yearly_temporal(layer, "year", "year")

        post = _Post()
        from .postprocess import StyleOutput

        StyleOutput._alive.append(post)
        return post
