"""The PolicyLink Processing provider; only the plugin object imports this module."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..core.i18n import tr
from ..core.resources import ICON
from .algs import all_algorithms


class PolicyLinkProvider(QgsProcessingProvider):
    """Registers every PolicyLink algorithm under the id ``policylink``."""

    def id(self) -> str:  # noqa: D102
        return "policylink"

    def name(self) -> str:  # noqa: D102
        return "PolicyLink"

    def longName(self) -> str:  # noqa: N802, D102
        return tr("PolicyLink: policy diffusion and spatial statistics")

    def icon(self) -> QIcon:  # noqa: D102
        return QIcon(str(ICON))

    def loadAlgorithms(self) -> None:  # noqa: N802, D102
        for alg in all_algorithms():
            self.addAlgorithm(alg)
