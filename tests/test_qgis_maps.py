"""Styled maps and print layouts in a real headless QGIS: rendered pixels are checked.

Data: the SYNTHETIC lattice of ``test_qgis_plugin.py`` and hand-made link lines (synthetic).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_qgis_plugin import synthetic_lattice

pytestmark = pytest.mark.qgis


def render(layers, size=400):
    """Render layers to an RGBA numpy array (white background)."""
    from qgis.core import QgsMapRendererParallelJob, QgsMapSettings, QgsRectangle
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    ext = QgsRectangle(layers[0].extent())
    for lyr in layers[1:]:
        ext.combineExtentWith(lyr.extent())
    ext.scale(1.1)
    settings.setExtent(ext)
    settings.setOutputSize(QSize(size, size))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage().convertToFormat(5)  # QImage.Format_ARGB32
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    arr = np.frombuffer(ptr, dtype=np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return arr[:, : img.width(), [2, 1, 0, 3]].copy()  # BGRA -> RGBA


def count_colour(arr, hex_colour, tol=6):
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(arr[..., :3].astype(int) - rgb).max(axis=-1) <= tol).sum())


@pytest.fixture(scope="module")
def lattice(qgis_app, tmp_path_factory):
    return synthetic_lattice(tmp_path_factory.mktemp("maps") / "lattice.gpkg")


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


@pytest.fixture(scope="module")
def lisa_layer(plugin, lattice):
    import processing

    from qgis_plugin.core.styling import apply_style

    res = processing.run(
        "policylink:localmoran",
        {
            "INPUT": lattice,
            "ID_FIELD": "code",
            "FIELD": "y2010",
            "PERMUTATIONS": 499,
            "OUTPUT": "memory:",
        },
    )
    layer = res["OUTPUT"]
    apply_style(layer, "lisa")
    return layer


def test_lisa_map_renders_geoda_colours(lisa_layer):
    from qgis_plugin.core.styling import LISA_COLOURS

    arr = render([lisa_layer])
    assert arr[..., :3].std() > 10, "blank image"
    counts = {
        k: sum(1 for f in lisa_layer.getFeatures() if f["lisa_cl"] == k) for k in LISA_COLOURS
    }
    # Each cluster present in the data shows up in its GeoDa colour; absent ones do not.
    for label, colour in LISA_COLOURS.items():
        pixels = count_colour(arr, colour)
        if counts[label]:
            assert pixels > 200 * counts[label], (label, pixels)
        else:
            assert pixels < 50, (label, pixels)
    assert counts["HH"] and counts["LL"]
    # More HH units -> proportionally more red pixels than a single unit's area.
    unit_px = count_colour(arr, LISA_COLOURS["HH"]) / counts["HH"]
    assert unit_px == pytest.approx(count_colour(arr, LISA_COLOURS["LL"]) / counts["LL"], rel=0.25)


def link_layer():
    """Three SYNTHETIC links: 1, 3 and 6 events, of three types, far apart."""
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    layer = QgsVectorLayer(
        "LineString?crs=EPSG:4326&field=link_type:string&field=n_events:integer",
        "links (synthetic)",
        "memory",
    )
    feats = []
    for y, kind, n in (
        (0, "coordination_agreement", 1),
        (1, "industrial_transfer", 3),
        (2, "co_construction", 6),
    ):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromPolylineXY([QgsPointXY(0, y), QgsPointXY(3, y)]))
        f.setAttributes([kind, n])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.updateExtents()
    return layer


def test_link_map_colour_by_type_and_width_by_events(qgis_app):
    from qgis_plugin.core.styling import LINK_COLOURS, apply_style

    layer = link_layer()
    apply_style(layer, "coordination_links")
    arr = render([layer])
    assert arr[..., :3].std() > 5
    px = {
        k: count_colour(arr, LINK_COLOURS[k], tol=40)
        for k in ("coordination_agreement", "industrial_transfer", "co_construction")
    }
    assert all(v > 0 for v in px.values()), px
    # Same length, widths 0.9, 1.9 and 3.4 mm: pixel counts must grow with the number of events.
    assert px["coordination_agreement"] < px["industrial_transfer"] < px["co_construction"], px
    assert count_colour(arr, LINK_COLOURS["division_of_labour"], tol=20) == 0


def test_every_shipped_style_loads_and_matches_code(qgis_app):
    from qgis.core import QgsVectorLayer

    from qgis_plugin.core.styling import BUILDERS, LINE_STYLES, STYLES, apply_style

    assert set(STYLES) == set(BUILDERS)
    for name in STYLES:
        geom = "LineString" if name in LINE_STYLES else "Polygon"
        layer = QgsVectorLayer(f"{geom}?crs=EPSG:4326", name, "memory")
        apply_style(layer, name)
        shipped = layer.renderer()
        built = BUILDERS[name]()
        assert shipped.type() == built.type()
        if hasattr(built, "classAttribute"):  # not a single-symbol renderer
            assert shipped.classAttribute() == built.classAttribute()
        else:
            assert shipped.symbol().color().name() == built.symbol().color().name()
        if hasattr(built, "categories"):
            # QML stores category values as text; QGIS matches them against field values as text.
            def text(v):
                return "" if v is None else str(v)

            assert [text(c.value()) for c in shipped.categories()] == [
                text(c.value()) for c in built.categories()
            ]
            assert [c.symbol().color().name() for c in shipped.categories()] == [
                c.symbol().color().name() for c in built.categories()
            ]


def test_graduated_choropleth_uses_mapclassify_bins(lattice):
    import mapclassify
    from qgis.core import QgsVectorLayer

    from qgis_plugin.core.styling import graduated_choropleth

    layer = QgsVectorLayer(lattice.source(), "choropleth", "ogr")
    values = np.array([f["y2010"] for f in layer.getFeatures()])
    bins = graduated_choropleth(layer, "y2010", scheme="fisher_jenks", k=4)
    np.testing.assert_allclose(bins, mapclassify.FisherJenks(values, k=4).bins)
    ranges = layer.renderer().ranges()
    assert [r.upperValue() for r in ranges] == pytest.approx(bins)
    arr = render([layer])
    colours = {tuple(r.symbol().color().getRgb()[:3]) for r in ranges}
    assert len(colours) == 4
    for c in colours:
        assert count_colour(arr, "#{:02x}{:02x}{:02x}".format(*c)) > 0


def test_temporal_properties_animate_by_year(qgis_app):
    from qgis.core import (
        QgsDateTimeRange,
        QgsFeature,
        QgsFeatureRequest,
        QgsGeometry,
        QgsRectangle,
        QgsVectorLayer,
        QgsVectorLayerTemporalContext,
    )
    from qgis.PyQt.QtCore import QDate, QDateTime, QTime

    from qgis_plugin.core.styling import set_yearly_temporal

    layer = QgsVectorLayer(
        "Polygon?crs=EPSG:4326&field=code:string&field=first_year:integer", "adoption", "memory"
    )
    feats = []
    for i, year in enumerate((2011, 2013, 2017)):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(i, 0, i + 1, 1)))
        f.setAttributes([str(i), year])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    set_yearly_temporal(layer, "first_year")
    props = layer.temporalProperties()
    assert props.isActive()
    ctx = QgsVectorLayerTemporalContext()
    ctx.setLayer(layer)

    def visible(year):
        rng = QgsDateTimeRange(
            QDateTime(QDate(year, 1, 1), QTime(0, 0)), QDateTime(QDate(year, 12, 31), QTime(0, 0))
        )
        expr = props.createFilterString(ctx, rng)
        return sorted(
            f["first_year"]
            for f in layer.getFeatures(QgsFeatureRequest().setFilterExpression(expr))
        )

    # Cumulative adoption: a unit appears in its first year and stays.
    assert visible(2010) == []
    assert visible(2012) == [2011]
    assert visible(2013) == [2011, 2013]
    assert visible(2020) == [2011, 2013, 2017]


def test_print_layout_exports_pdf_and_png(lisa_layer, tmp_path):
    from qgis.core import QgsProject

    from qgis_plugin.core.layout import build_layout, export_layout

    project = QgsProject.instance()
    project.addMapLayer(lisa_layer, False)
    layout = build_layout(
        [lisa_layer],
        title="LISA (synthetic lattice)",
        source_note="Source: SYNTHETIC data; Anselin (1995)",
        project=project,
    )
    ids = {item.id() for item in layout.items() if hasattr(item, "id")}
    assert {"map", "title", "legend", "scalebar", "north_arrow", "source_note"} <= ids
    assert layout.itemById("north_arrow").picturePath().endswith(".svg")
    out = export_layout(layout, tmp_path / "lisa_map", dpi=60)
    pdf = open(out["pdf"], "rb").read()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    from qgis.PyQt.QtGui import QImage

    img = QImage(out["png"]).convertToFormat(5)
    assert img.width() > 600 and img.height() > 400
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    arr = np.frombuffer(ptr, dtype=np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    arr = arr[:, : img.width(), [2, 1, 0, 3]]
    # Inside the map frame (10-215 mm x 20-190 mm): the HH and LL units are drawn in GeoDa red
    # and blue, not only in the legend.
    px = img.width() / 297.0
    inside = arr[int(22 * px) : int(188 * px), int(12 * px) : int(213 * px)]
    n_hh = sum(1 for f in lisa_layer.getFeatures() if f["lisa_cl"] == "HH")
    assert count_colour(inside, "#ff0000") > 50 * n_hh
    assert count_colour(inside, "#0000ff") > 50
    project.removeMapLayer(lisa_layer.id())
