"""Processing algorithm ``netinfties``: inferred diffusion ties (NetInf) as a line layer.

The ties are those of :func:`policylink.analyses.diffusion.run_netinf` on the inputs of
:func:`policylink.diffusion_inputs.load_netinf_inputs` (as ``policylink diffusion netinf``);
optionally the observed coordination links of :func:`policylink.mapdata.read_links` come as a
second layer, so the two networks can be drawn side by side.
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ...core.i18n import tr
from ..diffusion_algorithm import _DiffusionAlgorithm
from ..map_algorithm import write_geo
from ..postprocess import style_on_load

NETINF_MODELS = ("exponential", "power")
"""Values of ``MODEL``, in the order of its options."""


class NetinfTieLayer(_DiffusionAlgorithm):
    """NetInf diffusion ties between units, drawn as arrows; observed links beside them."""

    TIES = "TIES"
    P_VALUE = "P_VALUE"
    MODEL = "MODEL"
    LINK_PROGRAMME = "LINK_PROGRAMME"
    LINKS = "LINKS"

    _name = "netinfties"
    _requires = ("diffusion",)
    _display = "Inferred diffusion ties (NetInf)"
    _help = (
        "NetInf (Gomez-Rodriguez, Leskovec & Krause 2010): the most likely ties along which the "
        "programmes' adoptions spread, each programme's first adoption dates being one cascade. "
        "Programmes: comma-separated, empty = every programme with events. One arrow per tie "
        "from source to target unit (representative points), with the likelihood gain, its "
        "one-sided p-value, the cascades it explains and whether the pair is a coordination "
        "link or contiguous. Ties: a number, or 0 to add ties while the next one's p-value is "
        "at most the threshold. Optionally also the observed coordination links (of one programme, "
        "or of all as in the comparison), to draw beside the ties. Same inputs and numbers as `policylink diffusion netinf`."
    )
    default_programme = ""

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_map_inputs()
        programme = self.parameterDefinition(self.PROGRAMME)  # empty = every programme
        programme.setFlags(programme.flags() | QgsProcessingParameterDefinition.FlagOptional)
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TIES,
                tr("Number of ties (0 = by the p-value threshold)"),
                QgsProcessingParameterNumber.Integer,
                0,
                False,
                0,
                10000,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.P_VALUE,
                tr("p-value threshold"),
                QgsProcessingParameterNumber.Double,
                0.05,
                False,
                0.0001,
                0.9999,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.MODEL,
                tr("Transmission-time model"),
                options=[tr("Exponential"), tr("Power law")],
                defaultValue=0,
            )
        )
        self.add_output(tr("Inferred diffusion ties"), QgsProcessing.TypeVectorLine)
        self.addParameter(
            QgsProcessingParameterString(
                self.LINK_PROGRAMME,
                tr("Programme of the observed coordination links (empty = all)"),
                defaultValue="",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.LINKS,
                tr("Observed coordination links"),
                QgsProcessing.TypeVectorLine,
                optional=True,
                createByDefault=False,
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        import geopandas as gpd
        import pandas as pd
        import shapely

        from policylink import mapdata
        from policylink.analyses.diffusion import NetinfOptions, run_netinf
        from policylink.diffusion_inputs import load_netinf_inputs

        source = self.source(parameters, context)
        programmes = self.parameterAsString(parameters, self.PROGRAMME, context).strip()
        ties = self.parameterAsInt(parameters, self.TIES, context)
        options = NetinfOptions(
            n_edges=ties or None,
            p_value=self.parameterAsDouble(parameters, self.P_VALUE, context),
            model=NETINF_MODELS[self.parameterAsEnum(parameters, self.MODEL, context)],
        )
        with self.connect(parameters, context) as conn:
            inputs = load_netinf_inputs(source, conn=conn, all_programmes=not programmes)
            analysis = run_netinf(inputs, options)
            units = mapdata.read_units(conn, source.level, source.within)
            links = None
            if parameters.get(self.LINKS):
                link_programme = (
                    self.parameterAsString(parameters, self.LINK_PROGRAMME, context) or ""
                ).strip()
                # empty: every programme, the network the ties are compared with
                links = mapdata.read_links(
                    conn, link_programme or None, source.level, source.within
                )
        for note in analysis.provenance.notes:
            feedback.pushWarning(note)
        pts = dict(zip(units["code"], units.geometry.representative_point(), strict=True))
        edges = analysis.edges().reset_index(drop=True)
        edges.insert(0, "rank", range(1, len(edges) + 1))
        cols = [
            "rank",
            "source",
            "source_name",
            "target",
            "target_name",
            "gain",
            "p_value",
            "n_cascades",
            "link",
            "contiguous",
        ]
        frame = edges[cols].copy()
        for c in ("rank", "n_cascades"):
            frame[c] = frame[c].astype("int64")
        for c in ("link", "contiguous"):
            frame[c] = frame[c].astype(bool)
        geoms = [
            shapely.LineString([pts[s], pts[t]]) if s in pts and t in pts else None
            for s, t in zip(frame["source"], frame["target"], strict=True)
        ]
        gdf = gpd.GeoDataFrame(pd.DataFrame(frame), geometry=geoms, crs=4326)
        dest = write_geo(self, parameters, context, self.OUTPUT, gdf, QgsWkbTypes.LineString)
        style_on_load(context, dest, "netinf_ties")
        out = {
            self.OUTPUT: dest,
            "N_TIES": len(gdf),
            "STOPPED_BY": analysis.result.stopped_by,
            "PRECISION_LINKS": analysis.comparison["links"]["precision"],
            "PRECISION_CONTIGUITY": analysis.comparison["contiguity"]["precision"],
        }
        feedback.pushInfo(analysis.title("en"))
        if links is not None:
            pairs = links.pairs.rename(columns={"kind": "link_type"})
            pairs = pairs[["a", "b", "name_a", "name_b", "link_type", "n_events", "geometry"]]
            pairs["n_events"] = pairs["n_events"].astype("int64")
            out[self.LINKS] = write_geo(
                self, parameters, context, self.LINKS, pairs, QgsWkbTypes.LineString
            )
            style_on_load(context, out[self.LINKS], "coordination_links")
        return out
