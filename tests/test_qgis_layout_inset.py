"""Print layouts of China-wide maps carry the South China Sea inset; regional maps do not.

Data: SYNTHETIC rectangles (generator below; no real boundaries): a national grid of 40 cells
over 75-134 E, 18-53 N plus one small "island" cell at 112 E, 10 N; a regional grid over
Jing-Jin-Ji (114-120 E, 36-42 N). Reference: the inset extent of the CLI maps,
``policylink.maps._south_sea_inset``, run with matplotlib on the same cells.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qgis


def synthetic_cells(lon0, lat0, lon1, lat1, nx, ny, island=None):
    """SYNTHETIC cells in EPSG:3857 (nx x ny lon/lat grid, optional 1-degree island cell)."""
    from qgis.core import (
        QgsCoordinateReferenceSystem,
        QgsCoordinateTransform,
        QgsFeature,
        QgsGeometry,
        QgsProject,
        QgsRectangle,
        QgsVectorLayer,
    )

    tr = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"),
        QgsCoordinateReferenceSystem("EPSG:3857"),
        QgsProject.instance(),
    )
    rects = []
    dx, dy = (lon1 - lon0) / nx, (lat1 - lat0) / ny
    for i in range(nx):
        for j in range(ny):
            x, y = lon0 + i * dx, lat0 + j * dy
            rects.append((x, y, x + dx, y + dy))
    if island:
        rects.append((island[0], island[1], island[0] + 1, island[1] + 1))
    layer = QgsVectorLayer("Polygon?crs=EPSG:3857&field=code:string", "SYNTHETIC cells", "memory")
    feats = []
    for k, (a, b, c, d) in enumerate(rects):
        f = QgsFeature(layer.fields())
        g = QgsGeometry.fromRect(QgsRectangle(a, b, c, d))
        g.transform(tr)
        f.setGeometry(g)
        f.setAttributes([f"{k:06d}"])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.updateExtents()
    return layer


def items_by_id(layout):
    from qgis.core import QgsLayoutItem

    return {i.id(): i for i in layout.items() if isinstance(i, QgsLayoutItem) and i.id()}


def test_national_layout_has_framed_inset_equal_to_cli(qgis_app, tmp_path):
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shapely
    from qgis.core import QgsProject

    from policylink.maps import _south_sea_inset
    from qgis_plugin.core.layout import build_layout, export_layout

    layer = synthetic_cells(75, 18, 134, 53, 8, 5, island=(112, 10))
    project = QgsProject()
    project.addMapLayer(layer)
    layout = build_layout(
        [layer], title="SYNTHETIC", source_note="SYNTHETIC cells", project=project
    )
    items = items_by_id(layout)
    assert {"map", "inset_map", "inset_title", "legend", "scalebar"} <= set(items)
    inset, main = items["inset_map"], items["map"]
    assert inset.frameEnabled() and inset.layers() == [layer]
    assert inset.crs().authid() == "EPSG:3857"
    assert items["inset_title"].text() == "South China Sea islands"

    # The CLI's inset on the same cells (matplotlib axes limits, EPSG:3857 metres).
    gdf = gpd.GeoDataFrame(
        {"code": [f["code"] for f in layer.getFeatures()]},
        geometry=[shapely.from_wkb(bytes(f.geometry().asWkb())) for f in layer.getFeatures()],
        crs="EPSG:3857",
    )
    fig, ax = plt.subplots()
    ins = _south_sea_inset(ax, gdf, "en")
    assert ins is not None
    ext = inset.extent()
    assert (ext.xMinimum(), ext.xMaximum()) == pytest.approx(ins.get_xlim(), rel=1e-9)
    assert (ext.yMinimum(), ext.yMaximum()) == pytest.approx(ins.get_ylim(), rel=1e-9)
    plt.close(fig)

    # The island is in the inset and outside the main map; the inset sits inside the main frame.
    island = next(f for f in layer.getFeatures() if f["code"] == "000040").geometry()
    assert not main.extent().intersects(island.boundingBox())
    assert ext.contains(island.boundingBox())
    main_box = main.sceneBoundingRect()
    assert main_box.contains(inset.sceneBoundingRect())
    out = export_layout(layout, tmp_path / "national")
    assert (tmp_path / "national.pdf").stat().st_size > 0 and out["png"].endswith(".png")


def test_regional_layout_has_no_inset(qgis_app):
    from qgis.core import QgsProject

    from qgis_plugin.core.layout import build_layout, is_china_wide

    layer = synthetic_cells(114, 36, 120, 42, 4, 4)
    project = QgsProject()
    project.addMapLayer(layer)
    layout = build_layout([layer], title="SYNTHETIC", source_note="SYNTHETIC", project=project)
    assert "inset_map" not in items_by_id(layout)
    from qgis.core import QgsRectangle

    assert is_china_wide(QgsRectangle(73, 18, 135, 53.6))
    assert not is_china_wide(QgsRectangle(114, 36, 120, 42))  # Jing-Jin-Ji
    assert not is_china_wide(QgsRectangle(-10, 35, 40, 70))  # Europe
