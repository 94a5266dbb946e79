"""The PolicyLink Processing provider; only the plugin object imports this module."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..core.deps import Requirement, importable, missing_requirements
from ..core.i18n import tr
from ..core.resources import ICON
from .algs import all_algorithms


class PolicyLinkProvider(QgsProcessingProvider):
    """Registers under the id ``policylink`` every PolicyLink algorithm whose packages are present.

    Parameters
    ----------
    present : callable, optional
        ``present(module) -> bool``; default: this Python can find the module. An algorithm whose
        ``requirements()`` are not all present is left out and listed in :attr:`unavailable`.
    """

    def __init__(self, present: Callable[[str], bool] = importable) -> None:
        super().__init__()
        self.present = present
        #: algorithm id -> the requirements it lacks (filled by ``loadAlgorithms``).
        self.unavailable: dict[str, list[Requirement]] = {}

    def id(self) -> str:  # noqa: D102
        return "policylink"

    def name(self) -> str:  # noqa: D102
        return "PolicyLink"

    def longName(self) -> str:  # noqa: N802, D102
        return tr("PolicyLink: policy diffusion and spatial statistics")

    def icon(self) -> QIcon:  # noqa: D102
        return QIcon(str(ICON))

    def loadAlgorithms(self) -> None:  # noqa: N802, D102
        self.unavailable = {}
        for alg in all_algorithms():
            lacking = missing_requirements(names=alg.requirements(), present=self.present)
            if lacking:
                self.unavailable[alg.name()] = lacking
            else:
                self.addAlgorithm(alg)
