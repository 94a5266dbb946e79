"""Family base of the policy-diffusion algorithms (issue 18): the database's cascades and risk sets.

The inputs are built exactly as ``policylink diffusion eha|netinf|curve`` builds them: an
:class:`policylink.diffusion_inputs.EhaSource` read by the ``load_*_inputs`` functions on the
chosen database; the analyses are :mod:`policylink.analyses.diffusion`.
"""

from __future__ import annotations

from typing import Any

from qgis.core import QgsProcessingException, QgsProcessingParameterNumber

from ..core.i18n import tr
from .map_algorithm import _MapAlgorithm


def split_list(text: str) -> tuple[str, ...]:
    """``"a, b,,c"`` -> ``("a", "b", "c")``."""
    return tuple(v.strip() for v in (text or "").split(",") if v.strip())


class _DiffusionAlgorithm(_MapAlgorithm):
    """Database, programme(s), level, within and (optionally) a window of years."""

    YEAR_FROM = "YEAR_FROM"
    YEAR_TO = "YEAR_TO"

    _group = "Policy diffusion"
    _group_id = "diffusion"
    default_programme = "low_carbon_pilot"

    def add_years(self) -> None:
        """Add ``YEAR_FROM`` and ``YEAR_TO`` (the analyses' default window)."""
        from policylink.diffusion_inputs import DEFAULT_YEARS

        for name, label, default in (
            (self.YEAR_FROM, tr("First year"), DEFAULT_YEARS[0]),
            (self.YEAR_TO, tr("Last year"), DEFAULT_YEARS[1]),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(
                    name, label, QgsProcessingParameterNumber.Integer, default, False, 1900, 2100
                )
            )

    def source(self, parameters: dict, context: Any, *, neighbours: str = "queen") -> Any:
        """The :class:`~policylink.diffusion_inputs.EhaSource` of the chosen inputs.

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.
        neighbours : str
            Neighbour kind of the exposure (``queen``, ``rook``, ``knn:K``).

        Returns
        -------
        policylink.diffusion_inputs.EhaSource
        """
        from policylink.diffusion_inputs import DEFAULT_YEARS, EhaSource

        programme, level, within = self.common(parameters, context)
        years = DEFAULT_YEARS
        if self.parameterDefinition(self.YEAR_FROM) is not None:
            years = (
                self.parameterAsInt(parameters, self.YEAR_FROM, context),
                self.parameterAsInt(parameters, self.YEAR_TO, context),
            )
            if years[0] > years[1]:
                raise QgsProcessingException(
                    tr("The first year {a} is after the last year {b}.").format(
                        a=years[0], b=years[1]
                    )
                )
        return EhaSource(
            programmes=split_list(programme) or split_list(self.default_programme),
            level=level,
            within=split_list(within or "") or None,
            years=years,
            neighbours=neighbours,
            database_url=self.connection(parameters, context),
        )

    def open_inputs(self, parameters: dict, context: Any, loader: Any, *args: Any, **kw: Any):
        """Call a ``load_*_inputs`` function on an open connection to the chosen database.

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.
        loader : callable
            ``load_eha_inputs``, ``load_netinf_inputs`` or ``load_cascade_inputs``.
        *args, **kw
            Passed to ``loader`` (the source first).

        Returns
        -------
        object
            What ``loader`` returns.
        """
        with self.connect(parameters, context) as conn:
            return loader(*args, conn=conn, **kw)
