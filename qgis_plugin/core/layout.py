"""One-click print layout: map, title, legend, scale bar, north arrow and source note, to PDF and PNG."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsProject,
    QgsRectangle,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QFont

from .i18n import tr

# A4 landscape, millimetres.
PAGE_W, PAGE_H = 297.0, 210.0
MAP_W, MAP_H = 205.0, 170.0


def _north_arrow_svg() -> str:
    """Path of QGIS's own north-arrow SVG (shipped with every QGIS install)."""
    for base in QgsApplication.svgPaths():
        candidate = Path(base) / "arrows" / "NorthArrow_02.svg"
        if candidate.is_file():
            return str(candidate)
    return ""


def build_layout(
    layers: list[QgsVectorLayer],
    *,
    title: str,
    source_note: str,
    project: QgsProject | None = None,
    extent: QgsRectangle | None = None,
) -> QgsPrintLayout:
    """Build an A4 landscape print layout for the given layers.

    Parameters
    ----------
    layers : list of QgsVectorLayer
        Layers to draw, top first; they must belong to ``project``.
    title : str
        Map title.
    source_note : str
        Data source and method note printed at the bottom (e.g. "Source: PolicyLink database,
        events from seed 001; LISA 999 permutations"). Synthetic data must say so here.
    project : QgsProject, optional
        Defaults to the current project.
    extent : QgsRectangle, optional
        Map extent in the project CRS; defaults to the combined extent of ``layers``.

    Returns
    -------
    QgsPrintLayout
        With items whose ids are ``map``, ``title``, ``legend``, ``scalebar``, ``north_arrow``
        and ``source_note``.
    """
    project = project or QgsProject.instance()
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(title)

    title_item = QgsLayoutItemLabel(layout)
    title_item.setId("title")
    title_item.setText(title)
    title_item.setFont(QFont("Noto Sans CJK SC", 18, QFont.Bold))
    title_item.attemptMove(QgsLayoutPoint(10, 6, QgsUnitTypes.LayoutMillimeters))
    title_item.attemptResize(QgsLayoutSize(PAGE_W - 20, 12, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(title_item)

    map_item = QgsLayoutItemMap(layout)
    map_item.setId("map")
    layout.addLayoutItem(map_item)
    map_item.attemptMove(QgsLayoutPoint(10, 20, QgsUnitTypes.LayoutMillimeters))
    map_item.attemptResize(QgsLayoutSize(MAP_W, MAP_H, QgsUnitTypes.LayoutMillimeters))
    map_item.setLayers(layers)
    map_item.setCrs(project.crs() if project.crs().isValid() else layers[0].crs())
    if extent is None:
        extent = QgsRectangle()
        for lyr in layers:
            ext = lyr.extent()
            if lyr.crs() != map_item.crs():
                from qgis.core import QgsCoordinateTransform

                ext = QgsCoordinateTransform(
                    lyr.crs(), map_item.crs(), project
                ).transformBoundingBox(ext)
            if extent.isNull():
                extent = QgsRectangle(ext)
            else:
                extent.combineExtentWith(ext)
        extent.scale(1.05)
    # Grow the extent to the frame's aspect ratio and set it (zoomToExtent gives an empty extent
    # for a freshly built item in QGIS 3.22).
    frame_ratio = MAP_W / MAP_H
    cx, cy = extent.center().x(), extent.center().y()
    w, h = max(extent.width(), 1e-9), max(extent.height(), 1e-9)
    if w / h < frame_ratio:
        w = h * frame_ratio
    else:
        h = w / frame_ratio
    map_item.setExtent(QgsRectangle(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    map_item.setFrameEnabled(True)
    map_item.setKeepLayerSet(True)

    legend = QgsLayoutItemLegend(layout)
    legend.setId("legend")
    legend.setTitle(tr("Legend"))
    legend.setLinkedMap(map_item)
    legend.setAutoUpdateModel(False)
    legend.setLegendFilterByMapEnabled(True)  # only the classes present on the map
    root = legend.model().rootGroup()
    root.clear()
    for lyr in layers:
        root.addLayer(lyr)
    legend.attemptMove(QgsLayoutPoint(220, 20, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(legend)

    scalebar = QgsLayoutItemScaleBar(layout)
    scalebar.setId("scalebar")
    scalebar.setStyle("Single Box")
    scalebar.setLinkedMap(map_item)
    scalebar.setNumberOfSegmentsLeft(0)
    scalebar.setNumberOfSegments(2)
    if map_item.crs().isValid():
        scalebar.applyDefaultSize(QgsUnitTypes.DistanceKilometers)  # sets units and label "km"
    else:
        # Without a CRS the distance unit is unknown: a bar in map units, never "km".
        scalebar.applyDefaultSize(QgsUnitTypes.DistanceUnknownUnit)
        scalebar.setUnitLabel(tr("map units (no CRS)"))
    scalebar.setBackgroundEnabled(True)
    scalebar.attemptMove(QgsLayoutPoint(14, 172, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(scalebar)

    arrow = QgsLayoutItemPicture(layout)
    arrow.setId("north_arrow")
    arrow.setPicturePath(_north_arrow_svg())
    arrow.setLinkedMap(map_item)
    arrow.setNorthMode(QgsLayoutItemPicture.GridNorth)
    arrow.attemptMove(QgsLayoutPoint(198, 23, QgsUnitTypes.LayoutMillimeters))
    arrow.attemptResize(QgsLayoutSize(14, 14, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(arrow)

    note = QgsLayoutItemLabel(layout)
    note.setId("source_note")
    note.setText(source_note)
    note.setFont(QFont("Noto Sans CJK SC", 8))
    note.attemptMove(QgsLayoutPoint(10, 193, QgsUnitTypes.LayoutMillimeters))
    note.attemptResize(QgsLayoutSize(PAGE_W - 20, 12, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(note)
    return layout


def export_layout(
    layout: QgsPrintLayout, out_base: str | Path, *, dpi: int = 150
) -> dict[str, str]:
    """Export a layout to ``<out_base>.pdf`` and ``<out_base>.png``.

    Parameters
    ----------
    layout : QgsPrintLayout
    out_base : str or Path
        Output path without suffix; parent folders are created.
    dpi : int
        Resolution of the PNG (the PDF keeps vectors).

    Returns
    -------
    dict
        ``{"pdf": path, "png": path}``.

    Raises
    ------
    RuntimeError
        When QGIS reports an export error.
    """
    base = Path(out_base)
    base.parent.mkdir(parents=True, exist_ok=True)
    exporter = QgsLayoutExporter(layout)
    pdf = str(base.with_suffix(".pdf"))
    png = str(base.with_suffix(".png"))
    status = exporter.exportToPdf(pdf, QgsLayoutExporter.PdfExportSettings())
    if status != QgsLayoutExporter.Success:
        raise RuntimeError(f"PDF export to {pdf} failed: {exporter.errorMessage()}")
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = dpi
    status = exporter.exportToImage(png, settings)
    if status != QgsLayoutExporter.Success:
        raise RuntimeError(f"PNG export to {png} failed: {exporter.errorMessage()}")
    return {"pdf": pdf, "png": png}
