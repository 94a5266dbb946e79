"""The plugin declares the QGIS versions it supports and avoids APIs removed or deprecated in them.

The scan reads the plugin's Python sources (AST, no import) and flags the APIs listed in
``FORBIDDEN_*`` below (also listed in docs/qgis_plugin.md): each was removed in QGIS 3 or is
deprecated in the current LTR while its replacement already exists in QGIS 3.22, the oldest
supported version, so the plugin must use the replacement. The scanner is checked on a snippet
that uses every one of them.
"""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

import pytest

pytestmark = pytest.mark.qgis

PLUGIN = Path(__file__).resolve().parents[1] / "qgis_plugin"

#: Names of classes removed in QGIS 3 (QGIS 2 API) or renamed.
FORBIDDEN_NAMES = {
    "QgsMapLayerRegistry": "removed in QGIS 3: use QgsProject.instance()",
    "QgsComposition": "removed in QGIS 3: use QgsPrintLayout",
    "QgsComposerMap": "removed in QGIS 3: use QgsLayoutItemMap",
    "QgsDataSourceURI": "renamed in QGIS 3: QgsDataSourceUri",
    "QGis": "QGIS 2 name: use Qgis",
    "QgsSymbolV2": "removed in QGIS 3: use QgsSymbol",
    "QgsMapCanvasLayer": "removed in QGIS 3",
    "QgsLegendInterface": "removed in QGIS 3: use the layer tree",
    "QRegExp": "deprecated in Qt 5.15, removed in Qt 6: use QRegularExpression",
    "QDesktopWidget": "deprecated in Qt 5.15, removed in Qt 6: use QScreen",
}
#: Attributes (methods) removed or deprecated.
FORBIDDEN_ATTRIBUTES = {
    "exec_": "PyQt5 alias, removed in PyQt6 (QGIS 4): use exec()",
    "rendererV2": "removed in QGIS 3: use renderer()",
    "setRendererV2": "removed in QGIS 3: use setRenderer()",
    "pendingFields": "removed in QGIS 3: use fields()",
    "legendInterface": "removed in QGIS 3: use layerTreeView()",
    "mapRenderer": "removed in QGIS 3: use mapSettings()",
    "writeAsVectorFormat": "deprecated: use writeAsVectorFormatV3",
    "writeAsVectorFormatV2": "deprecated since 3.20: use writeAsVectorFormatV3",
    "fromPoint": "removed in QGIS 3: use QgsGeometry.fromPointXY",
    "fromPolyline": "takes QgsPoint in QGIS 3: use fromPolylineXY for XY points",
    "setLayerSet": "removed in QGIS 3: use setLayers()",
}


def scan(source: str, filename: str = "<snippet>") -> list[str]:
    """Return one line per forbidden API use in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(f"{where}: {node.id} ({FORBIDDEN_NAMES[node.id]})")
        elif isinstance(node, ast.alias) and node.name.split(".")[-1] in FORBIDDEN_NAMES:
            found.append(f"{where}: import {node.name}")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f"{where}: .{node.attr} ({FORBIDDEN_ATTRIBUTES[node.attr]})")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            # QgsCoordinateTransform(src, dst) without a context: deprecated since 3.0.
            if name == "QgsCoordinateTransform" and len(node.args) + len(node.keywords) == 2:
                found.append(f"{where}: QgsCoordinateTransform without a transform context")
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "attr", "") == "mapLayersByName"
        ):
            # mapLayersByName returns a (possibly empty or ambiguous) list: never index it blind.
            found.append(f"{where}: mapLayersByName(...)[i] without checking the list")
    return found


def test_scanner_finds_each_forbidden_use():
    snippet = "\n".join(
        [
            "from qgis.core import QgsMapLayerRegistry",
            "dlg.exec_()",
            "QgsCoordinateTransform(a, b)",
            "lyr = QgsProject.instance().mapLayersByName('x')[0]",
            "QgsVectorFileWriter.writeAsVectorFormat(l, 'p', 'utf-8')",
            "g = QgsGeometry.fromPoint(p)",
            "x = QRegExp('a')",
        ]
    )
    hits = scan(snippet)
    assert len(hits) == 7, hits
    assert scan("QgsCoordinateTransform(a, b, QgsProject.instance())") == []


def test_plugin_sources_use_no_deprecated_or_removed_api():
    hits = []
    for path in sorted(PLUGIN.rglob("*.py")):
        hits += scan(path.read_text(encoding="utf-8"), str(path.relative_to(PLUGIN)))
    assert hits == []


def test_metadata_declares_supported_versions_and_this_qgis_is_in_range(qgis_app):
    from qgis.core import Qgis

    meta = configparser.ConfigParser()
    meta.read(PLUGIN / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    low = tuple(int(v) for v in general["qgisMinimumVersion"].split("."))
    high = tuple(int(v) for v in general["qgisMaximumVersion"].split("."))
    assert low == (3, 22) and high == (3, 99)
    running = (Qgis.QGIS_VERSION_INT // 10000, Qgis.QGIS_VERSION_INT // 100 % 100)
    assert low <= running <= high
