"""Processing algorithm ``exportlayout``: print layout (title, legend, scale bar, north arrow,
source note) to PDF + PNG."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProject,
)

from ...core.i18n import tr
from ...core.layout import build_layout, export_layout
from ..base import PolicyLinkAlgorithm
from ..checks import check_output_file


class ExportMapLayout(PolicyLinkAlgorithm):
    """A4 map of some layers with title, legend, scale bar, north arrow and source note."""

    LAYERS = "LAYERS"
    TITLE = "TITLE"
    SOURCE_NOTE = "SOURCE_NOTE"
    DPI = "DPI"
    OUTPUT = "OUTPUT"

    _name = "exportlayout"
    _requires = ("layout",)
    _display = "Export map (PDF + PNG)"
    _group = "Policy maps"
    _group_id = "policymaps"
    _help = (
        "Builds an A4 landscape print layout of the chosen layers (first = top) with their current "
        "styles: title, legend (only the classes on the map), scale bar in km, north arrow and a "
        "source note, and exports it to PDF and to a PNG beside it. Say where the data come from "
        "and that they are synthetic when they are."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.LAYERS, tr("Layers (top first)"), QgsProcessing.TypeVectorAnyGeometry
            )
        )
        self.addParameter(QgsProcessingParameterString(self.TITLE, tr("Title")))
        self.addParameter(
            QgsProcessingParameterString(self.SOURCE_NOTE, tr("Source note"), multiLine=True)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.DPI,
                tr("PNG resolution (dpi)"),
                QgsProcessingParameterNumber.Integer,
                200,
                False,
                50,
                600,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, tr("PDF file"), fileFilter="PDF (*.pdf)"
            )
        )

    def flags(self):  # noqa: D102 - layouts render on the main thread
        return super().flags() | self.FlagNoThreading

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        layers = self.parameterAsLayerList(parameters, "LAYERS", context)
        if not layers:
            raise QgsProcessingException(tr("Choose at least one layer."))
        project = context.project() or QgsProject.instance()
        for layer in layers:
            if project.mapLayer(layer.id()) is None:
                project.addMapLayer(layer, False)
        out = check_output_file(self.parameterAsFileOutput(parameters, "OUTPUT", context))
        layout = build_layout(
            layers,
            title=self.parameterAsString(parameters, "TITLE", context),
            source_note=self.parameterAsString(parameters, "SOURCE_NOTE", context),
            project=project,
        )
        try:
            paths = export_layout(
                layout,
                out[:-4] if out.lower().endswith(".pdf") else out,
                dpi=self.parameterAsInt(parameters, "DPI", context),
            )
        except RuntimeError as exc:
            raise QgsProcessingException(str(exc)) from exc
        return {"OUTPUT": paths["pdf"], "PNG": paths["png"]}
