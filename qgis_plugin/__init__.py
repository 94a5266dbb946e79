"""PolicyLink QGIS plugin: Processing provider and "Policy diffusion" dock.

QGIS imports this package and calls :func:`classFactory`. When the plugin is installed from the zip
built by ``make plugin``, the ``policylink`` package it calls (``policylink.spatial`` and the readers
it needs, with the SQL and bundled data) lives in ``_vendor/policylink/`` beside this file, and
``_vendor`` is put on ``sys.path`` here, before anything imports it: that adds the one name
``policylink``, never a generic one. An installed ``policylink`` (pip) is used when there is no
``_vendor``.
"""

from __future__ import annotations

import sys
from pathlib import Path

_VENDOR = Path(__file__).resolve().parent / "_vendor"
if _VENDOR.is_dir() and str(_VENDOR) not in sys.path:
    sys.path.insert(0, str(_VENDOR))


def classFactory(iface):  # noqa: N802 - name fixed by QGIS
    """Create the plugin object (QGIS entry point).

    Parameters
    ----------
    iface : qgis.gui.QgisInterface
        The QGIS interface handed over by QGIS.

    Returns
    -------
    PolicyLinkPlugin
    """
    from .plugin import PolicyLinkPlugin

    return PolicyLinkPlugin(iface)
