"""Processing algorithm ``coordinationlinks``: lines between units sharing coordination events.

The links come from :func:`policylink.mapdata.read_links`, the function behind the
``policylink map`` command and the HTML report (seed 001 Fig. 2).
"""

from __future__ import annotations

import pandas as pd
from qgis.core import QgsProcessing, QgsWkbTypes

from ...core.i18n import tr
from ..map_algorithm import _MapAlgorithm, write_geo
from ..postprocess import style_on_load


class CoordinationLinkLayer(_MapAlgorithm):
    """Lines between units that share coordination events (seed 001 Fig. 2)."""

    _name = "coordinationlinks"
    _requires = ("maps",)
    _display = "Coordination links"
    _help = (
        "One line per pair of units and link type, between their representative points, for the "
        "events of a programme (default jjj_coordination, seed 001): multi-party events link every "
        "pair of parties, transfers link senders to receivers; at prefecture level counties roll "
        "up to their prefecture. Fields: a, b, name_a, name_b, link_type (event kind), n_events, "
        "first_year, last_year. Width follows n_events, colour the link type; the layer animates "
        "from each link's first year. Without the database: a units layer with a code field "
        "and a link table with one row per event and pair of codes (optional link type, year "
        "and event id fields; without an event id every row is one event)."
    )
    default_programme = "jjj_coordination"

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_map_inputs()
        self.add_layer_inputs(first_year=False)
        self.add_link_inputs()
        self.add_output(tr("Coordination links"), QgsProcessing.TypeVectorLine)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        if self.uses_layer(parameters, context):
            units = self.units_from_layer(parameters, context)
            pairs, n_rows = self.links_from_table(parameters, context, units)
        else:
            from policylink import mapdata

            programme, level, within = self.common(parameters, context)
            with self.connect(parameters, context) as conn:
                links = mapdata.read_links(conn, programme, level, within)
            pairs = links.pairs.rename(columns={"kind": "link_type"})
            n_rows = len(links.events)
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
        pairs["n_events"] = pairs["n_events"].astype("int64")
        for c in ("first_year", "last_year"):  # NULL for pairs linked by undated events only
            pairs[c] = pd.array(pd.to_numeric(pairs[c]).round(), dtype="Int64")
        dest = write_geo(self, parameters, context, "OUTPUT", pairs, QgsWkbTypes.LineString)
        style_on_load(context, dest, "coordination_links", temporal=("first_year", None))
        feedback.pushInfo(tr("{n} links from {e} event-pairs").format(n=len(pairs), e=n_rows))
        return {"OUTPUT": dest, "N_LINKS": len(pairs), "N_EVENT_PAIRS": n_rows}
