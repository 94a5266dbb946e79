"""QGIS edges of issue 17 not covered elsewhere: the dock's load button on a stopped database,
a one-period panel in the DID suite, and the dock's error line in Chinese.

Real headless QGIS, real Processing; the panel is a SYNTHETIC table built here. The Chinese
text is read from the .ts file with ElementTree (independently of Qt's translator).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


def table_layer(frame: pd.DataFrame, name: str):
    """Memory table (no geometry) holding a DataFrame of text, integer and double columns."""
    from qgis.core import QgsFeature, QgsVectorLayer

    kinds = {"f": "double", "i": "integer", "u": "integer"}
    spec = [f"field={c}:{kinds.get(frame[c].dtype.kind, 'string')}" for c in frame.columns]
    layer = QgsVectorLayer("None?" + "&".join(spec), name, "memory")
    feats = []
    for row in frame.itertuples(index=False):
        f = QgsFeature(layer.fields())
        f.setAttributes([v.item() if hasattr(v, "item") else v for v in row])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def test_dock_load_button_on_a_stopped_database_shows_one_line(plugin) -> None:
    """Used to segfault QGIS (an invalid postgres layer asked for its error)."""
    from qgis_plugin.gui.dock import PolicyDiffusionDock

    dock = PolicyDiffusionDock(None)
    dock.url.setText("postgresql://nobody:secret@127.0.0.1:1/policylink")
    dock.fill_variables()  # the load button's slot
    text = dock.status.text()
    assert dock.last_error is not None
    assert "127.0.0.1" in text and "secret" not in text, text
    assert "Traceback" not in text
    assert dock.variable.count() == 0


def test_one_period_panel_in_the_did_suite_is_refused(plugin) -> None:
    """A panel of one year: pyfixest's compiled code used to abort the process."""
    import processing
    from qgis.core import QgsProcessingException

    df = pd.DataFrame(
        {
            "unit": ["a", "b", "c", "d"],
            "year": [2015] * 4,
            "y": [1.0, 2.0, 1.5, 3.0],
            "first_treated": [2015, 2015, 0, 0],
        }
    )
    with pytest.raises(QgsProcessingException) as info:
        processing.run(
            "policylink:didsuite",
            {
                "PANEL": table_layer(df, "one year (SYNTHETIC)"),
                "UNIT": "unit",
                "TIME": "year",
                "OUTCOME": "y",
                "FIRST_TREATED": "first_treated",
                "OUTPUT": "memory:",
            },
        )
    text = str(info.value)
    assert "Traceback" not in text and "panicked" not in text
    assert "1 year(s)" in text and "at least two years" in text, text


def test_dock_error_line_is_translated(plugin) -> None:
    import subprocess
    import sys

    from policylink.errors import InputError, Problem
    from qgis_plugin.core.i18n import install_translator, remove_translator
    from qgis_plugin.gui.dock import PolicyDiffusionDock

    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], check=True)
    ts = ET.parse(ROOT / "qgis_plugin" / "i18n" / "policylink_zh_CN.ts").getroot()
    zh = {m.findtext("source"): m.findtext("translation") for m in ts.iter("message")}
    dock = PolicyDiffusionDock(None)
    exc = InputError(
        [Problem("database", None, "syn_lnco2", None, "missing value for unit 130100")]
    )
    try:
        assert install_translator("zh_CN")
        dock._show_error(exc)
    finally:
        remove_translator()
    text = dock.status.text()
    assert zh["missing value for unit {unit}"].format(unit="130100") in text, text
    assert "missing value" not in text
