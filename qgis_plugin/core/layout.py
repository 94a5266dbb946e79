"""One-click print layout: map, title, legend, scale bar, north arrow and source note, to PDF and PNG."""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPointXY,
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
MAP_X, MAP_Y = 10.0, 20.0
INSET_H = 55.0

WGS84 = "EPSG:4326"
#: The South China Sea inset of national maps (lon/lat box), as the CLI maps draw it
#: (``policylink.maps._south_sea_inset``; tests/test_qgis_layout_inset.py checks they agree).
SOUTH_SEA_LONLAT = (105.0, 3.0, 123.0, 24.0)
#: Units south of this latitude are drawn in the inset only (the main map keeps Hainan).
MAINLAND_SOUTH_LAT = 17.0
#: Roughly China's bounding box (lon/lat); an extent is China-wide when it spans most of it.
CHINA_LONLAT = (73.0, 3.0, 135.5, 53.6)


def is_china_wide(extent_lonlat: QgsRectangle) -> bool:
    """Whether a lon/lat extent shows China as a whole (then the map needs the inset).

    Parameters
    ----------
    extent_lonlat : QgsRectangle
        The map's extent in degrees (EPSG:4326).

    Returns
    -------
    bool
        True when the extent lies mostly within China's bounding box and spans at least 30
        degrees of longitude and 15 of latitude (a province or a region like Jing-Jin-Ji does not).
    """
    x0, y0, x1, y1 = CHINA_LONLAT
    china = QgsRectangle(x0, y0, x1, y1)
    inter = extent_lonlat.intersect(china)
    if inter.isEmpty() or extent_lonlat.area() <= 0:
        return False
    inside = inter.area() / extent_lonlat.area()
    return inside >= 0.5 and inter.width() >= 30.0 and inter.height() >= 15.0


def _transform(
    rect: QgsRectangle, src: QgsCoordinateReferenceSystem, dst: QgsCoordinateReferenceSystem
) -> QgsRectangle:
    if src == dst:
        return QgsRectangle(rect)
    return QgsCoordinateTransform(src, dst, QgsProject.instance()).transformBoundingBox(rect)


def _fit(extent: QgsRectangle, ratio: float) -> QgsRectangle:
    """Grow ``extent`` about its centre to the width/height ``ratio`` of a frame."""
    cx, cy = extent.center().x(), extent.center().y()
    w, h = max(extent.width(), 1e-9), max(extent.height(), 1e-9)
    if w / h < ratio:
        w = h * ratio
    else:
        h = w / ratio
    return QgsRectangle(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


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
        and ``source_note``; when the extent is China-wide (:func:`is_china_wide`) also the
        framed South China Sea inset ``inset_map`` with its title ``inset_title``, and the main
        map then ends at :data:`MAINLAND_SOUTH_LAT`.
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
    map_item.attemptMove(QgsLayoutPoint(MAP_X, MAP_Y, QgsUnitTypes.LayoutMillimeters))
    map_item.attemptResize(QgsLayoutSize(MAP_W, MAP_H, QgsUnitTypes.LayoutMillimeters))
    map_item.setLayers(layers)
    map_item.setCrs(project.crs() if project.crs().isValid() else layers[0].crs())
    if extent is None:
        extent = QgsRectangle()
        for lyr in layers:
            ext = lyr.extent()
            if lyr.crs() != map_item.crs():
                ext = QgsCoordinateTransform(
                    lyr.crs(), map_item.crs(), project
                ).transformBoundingBox(ext)
            if extent.isNull():
                extent = QgsRectangle(ext)
            else:
                extent.combineExtentWith(ext)
        extent.scale(1.05)
    wgs84 = QgsCoordinateReferenceSystem(WGS84)
    china = map_item.crs().isValid() and is_china_wide(_transform(extent, map_item.crs(), wgs84))
    if china:
        # National maps: the main map ends south of Hainan, the islands go to the inset.
        lonlat = _transform(extent, map_item.crs(), wgs84)
        if lonlat.yMinimum() < MAINLAND_SOUTH_LAT:
            lonlat.setYMinimum(MAINLAND_SOUTH_LAT)
            extent = _transform(lonlat, wgs84, map_item.crs())
    # Grow the extent to the frame's aspect ratio and set it (zoomToExtent gives an empty extent
    # for a freshly built item in QGIS 3.22).
    map_item.setExtent(_fit(extent, MAP_W / MAP_H))
    map_item.setFrameEnabled(True)
    map_item.setKeepLayerSet(True)
    if china:
        _add_south_sea_inset(layout, map_item, layers)

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


def _add_south_sea_inset(
    layout: QgsPrintLayout, map_item: QgsLayoutItemMap, layers: list[QgsVectorLayer]
) -> QgsLayoutItemMap:
    """Add the framed South China Sea inset (items ``inset_map`` and ``inset_title``).

    The inset shows :data:`SOUTH_SEA_LONLAT` in the main map's CRS, at the bottom right of the
    main map, sized to the box's aspect ratio so that its extent is exactly the box.
    """
    # The box of the four transformed corners, as the CLI maps compute it.
    tr_ = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem(WGS84), map_item.crs(), QgsProject.instance()
    )
    x0, y0, x1, y1 = SOUTH_SEA_LONLAT
    corners = [tr_.transform(QgsPointXY(x, y)) for x in (x0, x1) for y in (y0, y1)]
    box = QgsRectangle(
        min(c.x() for c in corners),
        min(c.y() for c in corners),
        max(c.x() for c in corners),
        max(c.y() for c in corners),
    )
    width = INSET_H * box.width() / box.height()
    inset = QgsLayoutItemMap(layout)
    inset.setId("inset_map")
    layout.addLayoutItem(inset)
    inset.attemptMove(
        QgsLayoutPoint(
            MAP_X + MAP_W - width, MAP_Y + MAP_H - INSET_H, QgsUnitTypes.LayoutMillimeters
        )
    )
    inset.attemptResize(QgsLayoutSize(width, INSET_H, QgsUnitTypes.LayoutMillimeters))
    inset.setLayers(layers)
    inset.setKeepLayerSet(True)
    inset.setCrs(map_item.crs())
    inset.setExtent(box)
    inset.setFrameEnabled(True)
    inset.setBackgroundEnabled(True)
    label = QgsLayoutItemLabel(layout)
    label.setId("inset_title")
    label.setText(tr("South China Sea islands"))
    label.setFont(QFont("Noto Sans CJK SC", 7))
    label.attemptMove(
        QgsLayoutPoint(
            MAP_X + MAP_W - width + 1, MAP_Y + MAP_H - INSET_H + 1, QgsUnitTypes.LayoutMillimeters
        )
    )
    label.attemptResize(QgsLayoutSize(width - 2, 4, QgsUnitTypes.LayoutMillimeters))
    layout.addLayoutItem(label)
    return inset


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
