"""The plugin object QGIS creates: translator, dependency check, Processing provider, dock, menu."""

from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .core.deps import install_command, missing_message, missing_requirements
from .core.i18n import install_translator, remove_translator, tr
from .core.resources import ICON

MENU = "&PolicyLink"


class PolicyLinkPlugin:
    """Registers the Processing provider and the "Policy diffusion" dock.

    Parameters
    ----------
    iface : qgis.gui.QgisInterface or None
        The QGIS interface; None when only the Processing provider is wanted (headless use).
    """

    def __init__(self, iface) -> None:
        self.iface = iface
        self.provider = None
        self.dock = None
        self.action = None
        self.missing = []
        install_translator()

    def initProcessing(self) -> None:  # noqa: N802 - QGIS hook
        """Register the Processing provider (QGIS calls this also without a GUI)."""
        self.missing = missing_requirements()
        if self.missing:
            self._report_missing()
            return
        if self.provider is None:
            from .processing_provider.provider import PolicyLinkProvider

            provider = PolicyLinkProvider()
            # addProvider refuses a second provider with the same id (and deletes it).
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider
            else:
                QgsMessageLog.logMessage(
                    "a Processing provider 'policylink' is already registered",
                    "PolicyLink",
                    Qgis.Warning,
                )

    def initGui(self) -> None:  # noqa: N802 - QGIS hook
        """Create the menu action and the dock (hidden until asked for)."""
        self.initProcessing()
        if self.iface is None:
            return
        self.action = QAction(QIcon(str(ICON)), tr("Policy diffusion"), self.iface.mainWindow())
        self.action.setCheckable(True)
        self.action.triggered.connect(self.toggle_dock)
        self.iface.addPluginToMenu(MENU, self.action)
        self.iface.addToolBarIcon(self.action)

    def toggle_dock(self, checked: bool = True) -> None:
        """Show or hide the "Policy diffusion" dock (created on first use)."""
        if self.missing:
            self._report_missing()
            return
        if self.dock is None:
            from .gui.dock import PolicyDiffusionDock

            self.dock = PolicyDiffusionDock(self.iface)
            self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
            self.dock.visibilityChanged.connect(lambda v: self.action and self.action.setChecked(v))
        self.dock.setVisible(checked)

    def _report_missing(self) -> None:
        text = missing_message(self.missing)
        QgsMessageLog.logMessage(text, "PolicyLink", Qgis.Warning)
        if self.iface is not None and hasattr(self.iface, "messageBar"):
            bar = self.iface.messageBar()
            bar.pushMessage(
                "PolicyLink",
                tr("Missing Python packages: {names}. Install with: {cmd}").format(
                    names=", ".join(r.name for r in self.missing), cmd=install_command(self.missing)
                ),
                level=Qgis.Warning,
                duration=0,
            )

    def unload(self) -> None:
        """Remove everything the plugin added to QGIS."""
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.iface is not None:
            if self.action is not None:
                self.iface.removePluginMenu(MENU, self.action)
                self.iface.removeToolBarIcon(self.action)
                self.action = None
            if self.dock is not None:
                self.dock.cancel_all()
                self.iface.removeDockWidget(self.dock)
                self.dock.deleteLater()
                self.dock = None
        remove_translator()
