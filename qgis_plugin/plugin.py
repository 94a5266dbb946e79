"""The plugin object QGIS creates: translator, dependency check, Processing provider, dock, menu."""

from __future__ import annotations

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .core.deps import (
    CORE,
    Requirement,
    install_command,
    missing_message,
    missing_requirements,
    requirements_of,
)
from .core.i18n import install_translator, remove_translator, tr
from .core.resources import ICON

MENU = "&PolicyLink"
#: What the dock needs to open (Moran and LISA on a layer, with plots); its database, panel and
#: DID buttons name their own missing packages when pressed.
DOCK_NEEDS = requirements_of(("esda", "models"))


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
        self.install_action = None
        self.install_task = None
        self.missing: list[Requirement] = []
        install_translator()

    def initProcessing(self) -> None:  # noqa: N802 - QGIS hook
        """Register the Processing provider (QGIS calls this also without a GUI).

        Without the core packages (numpy, pandas, scipy) nothing is registered; otherwise every
        algorithm whose packages are present is, and the others are named with what they need.
        """
        self.missing = missing_requirements()
        if missing_requirements(names=CORE):
            self._report_missing()
            return
        if self.provider is None:
            from .processing_provider.provider import PolicyLinkProvider

            provider = PolicyLinkProvider()
            # addProvider refuses a second provider with the same id (and deletes it).
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider
                if provider.unavailable:
                    listed = "; ".join(
                        f"{alg} ({', '.join(r.name for r in reqs)})"
                        for alg, reqs in sorted(provider.unavailable.items())
                    )
                    QgsMessageLog.logMessage(
                        tr("Algorithms left out until their packages are installed: {list}").format(
                            list=listed
                        ),
                        "PolicyLink",
                        Qgis.Warning,
                    )
                    self._report_missing()
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
        self.install_action = QAction(
            tr("Install missing Python packages"), self.iface.mainWindow()
        )
        self.install_action.triggered.connect(self.install_missing)
        self.iface.addPluginToMenu(MENU, self.install_action)

    def install_missing(
        self,
        *_args,
        requirements: list[Requirement] | None = None,
        python: str | None = None,
        env: dict[str, str] | None = None,
        pip_options: dict | None = None,
        on_done=None,
    ):
        """Install the missing packages into QGIS's Python (user site) in a background task.

        Parameters
        ----------
        requirements : list of Requirement, optional
            What to install; default: every line of ``requirements.txt`` QGIS's Python lacks.
        python : str, optional
            The interpreter; default :func:`.core.installer.qgis_python`.
        env : dict, optional
            Environment of pip (default: QGIS's).
        pip_options : dict, optional
            Extra keyword arguments of :func:`.core.installer.pip_arguments` (e.g. a local
            ``find_links`` folder for an offline installation).
        on_done : callable, optional
            ``on_done(ok, output)`` after the plugin's own outcome message.

        Returns
        -------
        InstallTask or None
            None when nothing is missing (a message says so).
        """
        from .core.installer import InstallTask, pip_arguments, qgis_python

        missing = missing_requirements() if requirements is None else requirements
        if not missing:
            self._message(tr("All Python packages PolicyLink needs are installed."), Qgis.Success)
            return None
        try:
            python = python or qgis_python()
        except FileNotFoundError as exc:
            self._message(str(exc), Qgis.Critical)
            return None
        args = pip_arguments([r.spec for r in missing], python, **(pip_options or {}))
        names = ", ".join(r.name for r in missing)

        def done(ok: bool, output: str) -> None:
            self.install_task = None
            if ok:
                text = tr("Installed {names}. Restart QGIS to use them.").format(names=names)
            else:
                last = "\n".join(output.strip().splitlines()[-3:])
                text = tr("Installing {names} failed: {error}").format(names=names, error=last)
            self._message(text, Qgis.Success if ok else Qgis.Critical)
            if on_done is not None:
                on_done(ok, output)

        self.install_task = InstallTask(
            tr("Installing {names}").format(names=names), args, done, env=env
        )
        QgsApplication.taskManager().addTask(self.install_task)
        return self.install_task

    def _message(self, text: str, level) -> None:
        QgsMessageLog.logMessage(text, "PolicyLink", level)
        if self.iface is not None and hasattr(self.iface, "messageBar"):
            self.iface.messageBar().pushMessage("PolicyLink", text, level=level, duration=0)

    def toggle_dock(self, checked: bool = True) -> None:
        """Show or hide the "Policy diffusion" dock (created on first use)."""
        if missing_requirements(names=DOCK_NEEDS):
            self._report_missing()
            return
        if self.dock is None:
            from .gui.dock import PolicyDiffusionDock

            self.dock = PolicyDiffusionDock(self.iface)
            self.dock.install_button.clicked.connect(self.install_missing)
            self.dock.install_button.setVisible(bool(missing_requirements()))
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
                tr(
                    "Missing Python packages: {names}. Use Plugins > PolicyLink > Install missing "
                    "Python packages, or install with: {cmd}"
                ).format(
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
            if self.install_action is not None:
                self.iface.removePluginMenu(MENU, self.install_action)
                self.install_action = None
            if self.dock is not None:
                self.dock.cancel_all()
                self.iface.removeDockWidget(self.dock)
                self.dock.deleteLater()
                self.dock = None
        remove_translator()
