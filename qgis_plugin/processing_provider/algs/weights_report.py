"""Processing algorithm ``weightsreport``: connectivity of spatial weights, as GeoDa shows it.

The numbers are :func:`policylink.weights.describe`'s, the function behind the command
``policylink weights report``.
"""

from __future__ import annotations

import pandas as pd
from qgis.core import QgsProcessingParameterFeatureSink

from ...core.i18n import tr
from ..base import TABLE, write_table
from ..layer_statistic import _LayerStatistic


class WeightsReport(_LayerStatistic):
    """Cardinality histogram, islands, connected components and asymmetry of a weights matrix."""

    OUTPUT = "OUTPUT"
    HISTOGRAM = "HISTOGRAM"

    _name = "weightsreport"
    _requires = ("weights",)
    _display = "Weights connectivity report"
    _help = (
        "Connectivity of the spatial weights of a layer (queen, rook, k nearest neighbours) or of "
        "a GAL/GWT file, as GeoDa shows on creating weights and as the command `policylink "
        "weights report` prints: the histogram of the number of neighbours, the islands (units "
        "without neighbours), the connected components and the units whose neighbour relation "
        "is not returned (asymmetry, usual for k nearest neighbours). Outputs: a table per unit "
        "(neighbours, component, island, asymmetric) and the histogram table; the summary "
        "(units, links, density, islands, components, symmetric) as results and in the log."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_layer_inputs()
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Connectivity per unit"), TABLE)
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.HISTOGRAM, tr("Histogram of the number of neighbours"), TABLE
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.weights import describe

        _layer, _id, _frame, w = self.read_units(parameters, context, feedback, [])
        rep = describe(w)
        component = {u: k + 1 for k, members in enumerate(rep.components) for u in members}
        islands, asym = set(rep.islands), set(rep.asymmetric)
        ids = [str(i) for i in w.id_order]
        units = pd.DataFrame(
            {
                "unit": ids,
                "neighbours": [rep.cardinalities[i] for i in ids],
                "component": [component[i] for i in ids],
                "island": [int(i in islands) for i in ids],
                "asymmetric": [int(i in asym) for i in ids],
            }
        )
        hist = pd.DataFrame(
            {"neighbours": list(rep.histogram), "units": list(rep.histogram.values())}
        )
        out = write_table(self, parameters, context, self.OUTPUT, units)
        out_hist = write_table(self, parameters, context, self.HISTOGRAM, hist)
        summary = rep.summary
        feedback.pushInfo(
            tr(
                "{n} units, {links} links, {islands} islands, {components} components, "
                "symmetric: {symmetric}"
            ).format(
                n=summary["n"],
                links=summary["links"],
                islands=summary["n_islands"],
                components=summary["n_components"],
                symmetric=summary["symmetric"],
            )
        )
        return {
            self.OUTPUT: out,
            self.HISTOGRAM: out_hist,
            "N_UNITS": summary["n"],
            "N_LINKS": summary["links"],
            "DENSITY": summary["density"],
            "MEAN_NEIGHBOURS": summary["mean_neighbours"],
            "N_ISLANDS": summary["n_islands"],
            "N_COMPONENTS": summary["n_components"],
            "LARGEST_COMPONENT": summary["largest_component"],
            "SYMMETRIC": summary["symmetric"],
        }
