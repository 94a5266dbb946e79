"""The PolicyLink Processing provider."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..core.i18n import tr

ICON = Path(__file__).resolve().parents[1] / "icons" / "icon.svg"


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
        from .algorithms import all_algorithms

        for alg in all_algorithms():
            self.addAlgorithm(alg)
