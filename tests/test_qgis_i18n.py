"""Chinese (zh_CN) and English UI: every plugin string is translated and the .qm loads in QGIS."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import update_plugin_ts  # noqa: E402

pytestmark = pytest.mark.qgis
TS = ROOT / "qgis_plugin" / "i18n" / "policylink_zh_CN.ts"


def test_every_string_has_a_chinese_translation():
    strings = update_plugin_ts.plugin_strings()
    assert len(strings) > 80
    done = update_plugin_ts.read_ts(TS)
    missing = [s for s in strings if s not in done]
    assert not missing, f"untranslated (run scripts/update_plugin_ts.py): {missing[:5]}"
    for s in strings:
        # Placeholders survive translation, and the translation is Chinese where the text is words.
        assert set(re.findall(r"\{[^}]*\}", s)) == set(re.findall(r"\{[^}]*\}", done[s])), s
        if re.search(r"[a-z]{4,}", s) and s not in ("Bonferroni",):
            assert re.search(r"[\u4e00-\u9fff]", done[s]), (s, done[s])


def test_zh_cn_translator_translates_ui_and_algorithms(qgis_app):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], check=True)
    from qgis_plugin.core.i18n import install_translator, remove_translator, tr
    from qgis_plugin.core.styling import apply_style

    try:
        assert install_translator("zh_CN").endswith("policylink_zh_CN.qm")
        assert tr("Legend") == "图例"
        from qgis_plugin.processing_provider.algs.local_moran import LocalMoran

        assert LocalMoran().displayName() == "局部 Moran's I（LISA 聚类）"
        from qgis.core import QgsVectorLayer

        layer = QgsVectorLayer("Polygon?crs=EPSG:4326", "l", "memory")
        apply_style(layer, "lisa")
        labels = [c.label() for c in layer.renderer().categories()]
        assert labels == ["高-高", "低-低", "低-高", "高-低", "不显著"]
    finally:
        remove_translator()
    assert tr("Legend") == "Legend"  # English is the source language
