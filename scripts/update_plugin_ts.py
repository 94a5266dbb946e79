"""Refresh the plugin's Qt translation sources (``qgis_plugin/i18n/policylink_*.ts``) from the code.

Collects every user-visible English string of the plugin -- literal arguments of ``tr(...)``, the
``_display`` / ``_group`` / ``_help`` texts of the Processing algorithms and the legend labels of
``core/styling.py`` -- and rewrites each ``.ts`` so that it lists exactly those strings, keeping
existing translations and marking new ones ``unfinished`` (what ``pylupdate5`` does, without
needing it). Translate in Qt Linguist or by editing the XML, then ``make translations``.
"""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "qgis_plugin"
CONTEXT = "PolicyLink"
LABEL_DICTS = {
    "LISA_LABELS",
    "GI_LABELS",
    "PERIOD_LABELS",
    "BATCH_LABELS",
    "LINK_LABELS",
    "ANALYSIS_MESSAGES",  # core/i18n.py: known messages of the analyses layer
}
CLASS_TEXTS = {"_display", "_group", "_help"}


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def plugin_strings() -> list[str]:
    """Every translatable string of the plugin, in first-seen order.

    Returns
    -------
    list of str
    """
    found: dict[str, None] = {}
    for path in sorted(PLUGIN.rglob("*.py")):
        if "test" in path.relative_to(PLUGIN).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                fn = node.func
                name = (
                    fn.id
                    if isinstance(fn, ast.Name)
                    else fn.attr
                    if isinstance(fn, ast.Attribute)
                    else ""
                )
                if name == "tr" and (s := _text(node.args[0])) is not None:
                    found.setdefault(s)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                tname = target.id if isinstance(target, ast.Name) else ""
                if tname in CLASS_TEXTS and (s := _text(node.value)):
                    found.setdefault(s)
                elif tname in LABEL_DICTS and isinstance(node.value, ast.Dict):
                    for v in node.value.values:
                        if (s := _text(v)) is not None:
                            found.setdefault(s)
    return list(found)


def read_ts(path: Path) -> dict[str, str]:
    """Finished translations of a ``.ts`` file: ``{source: translation}``."""
    if not path.exists():
        return {}
    out = {}
    for msg in ET.parse(path).getroot().iter("message"):
        src = msg.findtext("source")
        tr = msg.find("translation")
        if src is not None and tr is not None and tr.text and tr.get("type") != "unfinished":
            out[src] = tr.text
    return out


def write_ts(path: Path, language: str, strings: list[str], translations: dict[str, str]) -> int:
    """Write a ``.ts`` file; return the number of untranslated strings."""
    root = ET.Element("TS", version="2.1", language=language)
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    missing = 0
    for s in strings:
        msg = ET.SubElement(ctx, "message")
        ET.SubElement(msg, "source").text = s
        tr = ET.SubElement(msg, "translation")
        if s in translations:
            tr.text = translations[s]
        else:
            tr.set("type", "unfinished")
            missing += 1
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )
    return missing


def main() -> int:
    """Refresh every ``policylink_*.ts``; exit 1 when a translation is missing."""
    strings = plugin_strings()
    status = 0
    for ts in sorted((PLUGIN / "i18n").glob("policylink_*.ts")):
        language = ts.stem.split("_", 1)[1]
        missing = write_ts(ts, language, strings, read_ts(ts))
        print(f"{ts.name}: {len(strings)} strings, {missing} untranslated")
        status = status or int(missing > 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
