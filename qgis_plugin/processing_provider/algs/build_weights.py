"""Processing algorithm ``buildweights``: contiguity or kNN weights of a layer, saved as GAL/GWT."""

from __future__ import annotations

from qgis.core import QgsProcessingParameterFileDestination

from ...core.i18n import tr
from ...core.weights import write_weights_file
from ..checks import check_output_file
from ..layer_statistic import _LayerStatistic


class BuildWeights(_LayerStatistic):
    """Build contiguity or k-nearest-neighbour weights from a layer and save them as GAL/GWT."""

    OUTPUT = "OUTPUT"

    _name = "buildweights"
    _requires = ("weights",)
    _display = "Build spatial weights (GAL/GWT)"
    _help = (
        "Builds queen or rook contiguity or k-nearest-neighbour weights from the geometries of a "
        "layer (libpysal) and writes them as a GAL (binary) or GWT file that GeoDa, libpysal and "
        "every PolicyLink algorithm can read. Units without neighbours (islands) are reported. "
        "For the database, the w_queen and w_rook views hold the same contiguity; refresh them "
        "with the command `policylink views refresh`."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_layer_inputs()
        self.removeParameter(self.WEIGHTS_FILE)
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, tr("Weights file"), fileFilter="GAL (*.gal);;GWT (*.gwt)"
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        _layer, _id, _frame, w = self.read_units(parameters, context, feedback, [])
        out = check_output_file(self.parameterAsFileOutput(parameters, "OUTPUT", context))
        write_weights_file(w, out)
        return {
            "OUTPUT": out,
            "N_UNITS": w.n,
            "N_LINKS": int(sum(w.cardinalities.values())),
            "ISLANDS": len(w.islands),
        }
