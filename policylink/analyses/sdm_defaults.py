"""Defaults of the spatial panel models, in a module light enough for ``policylink sdm --help``.

:mod:`policylink.analyses.sdm` re-exports them; the command line takes them from here so that
building its options imports neither numpy nor pandas.
"""

from __future__ import annotations

__all__ = ["DEFAULT_DRAWS", "MODELS"]

#: Spatial panel models offered.
MODELS = ("sdm", "sar", "sem", "sac", "sdem", "gns")
#: Parameter draws for the standard errors of direct / indirect / total effects.
DEFAULT_DRAWS = 1000
