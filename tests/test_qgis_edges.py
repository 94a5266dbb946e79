"""User mistakes in the QGIS Processing algorithms end in one clear message, never a traceback.

Each case runs a real algorithm through ``processing.run`` in a real headless QGIS and asserts a
``QgsProcessingException`` whose text names the layer, field, file, folder or database and
what would be accepted, and holds no Python traceback. Layers are tiny memory layers built here
(a strip of unit squares, EPSG:3857 metres), so nothing depends on the bundled data.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.qgis

FIELDS = "&field=code:string&field=v:double&field=txt:string"


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


def strip(n: int, *, crs: str | None = "EPSG:3857", points: bool = False, name: str = "units"):
    """A memory layer of ``n`` unit squares in a row (or their centres), fields code, v, txt."""
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsRectangle, QgsVectorLayer

    geom = "Point" if points else "Polygon"
    uri = f"{geom}?crs={crs or ''}{FIELDS}"  # an empty crs= gives no CRS (else EPSG:4326)
    layer = QgsVectorLayer(uri, name, "memory")
    assert layer.isValid()
    feats = []
    for i in range(n):
        f = QgsFeature(layer.fields())
        if points:
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(i * 1000 + 500, (i % 3) * 1000)))
        else:
            f.setGeometry(QgsGeometry.fromRect(QgsRectangle(i * 1000, 0, (i + 1) * 1000, 1000)))
        f.setAttributes([f"u{i}", float(i * i % 7), f"t{i}"])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.updateExtents()
    return layer


def refused(alg: str, params: dict) -> str:
    """Run ``alg`` and return the text of the QgsProcessingException it must raise."""
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as info:
        processing.run(alg, params)
    text = str(info.value)
    assert "Traceback" not in text and 'File "' not in text, text
    return text


def moran(layer, **extra) -> dict:
    return {"INPUT": layer, "ID_FIELD": "code", "VALUE_FIELDS": ["v"], "OUTPUT": "memory:", **extra}


def test_id_field_that_does_not_exist(plugin):
    text = refused("policylink:localmoran", {**moran(strip(8)), "ID_FIELD": "nope", "FIELD": "v"})
    assert "'units'" in text and "'nope'" in text and "code, v, txt" in text


def test_value_field_that_does_not_exist(plugin):
    text = refused("policylink:localmoran", {**moran(strip(8)), "FIELD": "co2"})
    assert "'units'" in text and "'co2'" in text and "code, v, txt" in text


def test_text_field_for_global_moran(plugin):
    text = refused("policylink:globalmoran", moran(strip(8), VALUE_FIELDS=["txt"]))
    assert "'txt'" in text and "'units'" in text
    assert re.search(r"numeric field: v\.", text), text  # names what would be accepted


def test_text_field_in_a_long_panel_table(plugin):
    from qgis.core import QgsFeature, QgsVectorLayer

    table = QgsVectorLayer(
        "None?field=unit:string&field=year:integer&field=val:string", "panel", "memory"
    )
    f = QgsFeature(table.fields())
    f.setAttributes(["u0", 2010, "x"])
    table.dataProvider().addFeatures([f])
    params = moran(strip(8), VALUE_FIELDS=[], PANEL=table, PANEL_ID="unit", PANEL_TIME="year")
    text = refused("policylink:globalmoran", {**params, "PANEL_VALUE": "val"})
    assert "'val'" in text and "'panel'" in text


def test_empty_layer(plugin):
    text = refused("policylink:globalmoran", moran(strip(0)))
    assert "'units'" in text and "no features" in text


@pytest.mark.parametrize("alg", ["policylink:globalmoran", "policylink:localmoran"])
def test_one_feature(plugin, alg):
    text = refused(alg, {**moran(strip(1)), "FIELD": "v"})
    assert "'units'" in text and "only 1 feature" in text


def test_layer_without_crs(plugin):
    text = refused("policylink:globalmoran", moran(strip(8, crs=None)))
    assert "'units'" in text and "coordinate reference system" in text and "weights file" in text


def test_layer_without_crs_with_a_weights_file_runs(plugin, tmp_path):
    """A weights file needs no CRS: the stated way out of the refusal above works."""
    import processing

    out = tmp_path / "w.gal"
    processing.run(
        "policylink:buildweights",
        {"INPUT": strip(8), "ID_FIELD": "code", "WEIGHTS_KIND": 2, "KNN_K": 2, "OUTPUT": str(out)},
    )
    res = processing.run(
        "policylink:globalmoran", moran(strip(8, crs=None), WEIGHTS_FILE=str(out), PERMUTATIONS=0)
    )
    assert res["OUTPUT"].featureCount() == 1


def test_metres_in_a_degrees_crs(plugin):
    text = refused("policylink:globalmoran", moran(strip(8, crs="EPSG:4326")))
    assert "'units'" in text and "EPSG:4326" in text and "degrees" in text


@pytest.mark.parametrize("kind", [0, 1])
def test_points_for_contiguity_weights(plugin, kind):
    text = refused("policylink:globalmoran", moran(strip(8, points=True), WEIGHTS_KIND=kind))
    assert "'units'" in text and "k nearest neighbours" in text


def test_points_with_knn_run(plugin):
    import processing

    res = processing.run(
        "policylink:globalmoran",
        moran(strip(8, points=True), WEIGHTS_KIND=2, KNN_K=2, PERMUTATIONS=0),
    )
    assert res["OUTPUT"].featureCount() == 1


def test_missing_weights_file(plugin, tmp_path):
    path = tmp_path / "missing.gal"
    text = refused("policylink:globalmoran", moran(strip(8), WEIGHTS_FILE=str(path)))
    assert str(path) in text and "does not exist" in text


def test_unreadable_weights_file(plugin, tmp_path):
    path = tmp_path / "garbage.gal"
    path.write_text("garbage\nxx yy\n", encoding="utf-8")
    text = refused("policylink:globalmoran", moran(strip(8), WEIGHTS_FILE=str(path)))
    assert "garbage.gal" in text


def test_weights_file_of_other_units(plugin, tmp_path):
    import processing

    out = tmp_path / "w5.gal"
    processing.run(
        "policylink:buildweights",
        {"INPUT": strip(5), "ID_FIELD": "code", "WEIGHTS_KIND": 1, "OUTPUT": str(out)},
    )
    text = refused("policylink:globalmoran", moran(strip(8), WEIGHTS_FILE=str(out)))
    assert "w5.gal" in text and "u7" in text


def test_output_folder_that_cannot_be_created(plugin, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "sub" / "w.gal"
    text = refused(
        "policylink:buildweights", {"INPUT": strip(8), "ID_FIELD": "code", "OUTPUT": str(target)}
    )
    assert str(blocker / "sub") in text and "cannot be created" in text


def test_stopped_database(plugin):
    url = "postgresql://nobody:secret@127.0.0.1:1/policylink"
    text = refused(
        "policylink:loadpanel",
        {
            "DATABASE_URL": url,
            "VARIABLES": "co2",
            "UNITS": "memory:",
            "PANEL": "memory:",
        },
    )
    assert "127.0.0.1:1/policylink" in text and "secret" not in text
    assert "policylink db url" in text


def test_not_a_database_url(plugin):
    text = refused("policylink:pilotbatches", {"DATABASE_URL": "not a url", "OUTPUT": "memory:"})
    assert "'not a url'" in text and "postgresql://" in text


def test_no_database_chosen(plugin):
    text = refused("policylink:coordinationlinks", {"OUTPUT": "memory:"})
    assert "database URL" in text


def test_wrong_database_name(plugin, pg_url):
    from urllib.parse import urlparse

    url = urlparse(pg_url)._replace(path="/no_such_db").geturl()
    text = refused("policylink:pilotbatches", {"DATABASE_URL": url, "OUTPUT": "memory:"})
    assert "no_such_db" in text and "Cannot connect" in text


def test_messages_are_translated(plugin):
    import subprocess
    import sys
    from pathlib import Path

    from qgis_plugin.core.i18n import install_translator, remove_translator

    script = Path(__file__).resolve().parents[1] / "scripts" / "build_translations.py"
    subprocess.run([sys.executable, str(script)], check=True)

    try:
        install_translator("zh_CN")
        text = refused("policylink:globalmoran", moran(strip(0)))
    finally:
        remove_translator()
    assert "'units'" in text and re.search(r"[\u4e00-\u9fff]", text), text


def test_layout_scale_bar_without_crs_claims_no_kilometres(plugin, tmp_path):
    """A layer without a CRS gets a scale bar in map units, labelled so; with a CRS, kilometres."""
    from qgis.core import QgsProject, QgsUnitTypes

    from qgis_plugin.core.layout import build_layout, export_layout

    project = QgsProject()  # a project of its own: no project CRS to fall back on
    bare, metric = strip(4, crs=None, name="bare"), strip(4, name="metric")
    for layer in (bare, metric):
        project.addMapLayer(layer, False)
    layout = build_layout([bare], title="t", source_note="n", project=project)
    bar = layout.itemById("scalebar")
    assert bar.units() != QgsUnitTypes.DistanceKilometers
    assert "km" not in bar.unitLabel() and "map units" in bar.unitLabel()
    assert export_layout(layout, tmp_path / "bare", dpi=40)["pdf"]
    metric_layout = build_layout([metric], title="t", source_note="n", project=project)
    bar = metric_layout.itemById("scalebar")
    assert bar.units() == QgsUnitTypes.DistanceKilometers and bar.unitLabel() == "km"


def test_local_statistic_without_permutations(plugin):
    text = refused("policylink:localmoran", {**moran(strip(8)), "FIELD": "v", "PERMUTATIONS": 0})
    assert "permutations" in text and "99" in text


def test_missing_package_is_named_with_its_install_command(plugin):
    """An algorithm whose package is missing says which and how to install it (no traceback)."""
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

    from qgis_plugin.processing_provider.base import PolicyLinkAlgorithm

    class NeedsPackage(PolicyLinkAlgorithm):
        _name = "needspackage"
        _display = "Global Moran's I by year"

        def initAlgorithm(self, config=None):  # noqa: N802
            pass

        def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
            import importlib

            importlib.import_module("esda_not_installed_here")  # as a missing esda would fail
            return {}

    alg = NeedsPackage()
    with pytest.raises(QgsProcessingException) as info:
        alg.processAlgorithm({}, QgsProcessingContext(), QgsProcessingFeedback())
    text = str(info.value)
    assert "'esda_not_installed_here'" in text and "-m pip install" in text
    assert "Global Moran's I by year" in text and "Traceback" not in text
