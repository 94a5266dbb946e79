"""Paths of the files the plugin ships besides its code (the icon).

A leaf module: it imports nothing of the plugin, so the plugin object, the Processing provider and
every algorithm can use it without importing one another.
"""

from __future__ import annotations

from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parents[1]
"""The plugin folder (``qgis_plugin/`` in the source tree, ``policylink_qgis/`` when installed)."""

ICON = PLUGIN_DIR / "icons" / "icon.svg"
"""Icon of the plugin's menu action, the Processing provider and every algorithm."""
