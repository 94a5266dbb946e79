"""Defaults of the DID analyses, in a module light enough for ``policylink did --help``.

:mod:`policylink.analyses.did` re-exports them; the command line takes them from here so that
building its options imports neither numpy nor pandas.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_DCDH_DRAWS",
    "DEFAULT_LAGS",
    "DEFAULT_LEADS",
    "DEFAULT_PLACEBO_DRAWS",
    "DEFAULT_REFERENCE",
    "DEFAULT_SDID_REPLICATIONS",
]

#: Event-study pre-periods shown; ``e <= -leads`` is pooled (seed 004: 5).
DEFAULT_LEADS = 5
#: Event-study post-periods shown; ``e >= lags`` is pooled (seed 004: 5).
DEFAULT_LAGS = 5
#: Omitted event time: the year before adoption.
DEFAULT_REFERENCE = -1
#: Random treatment reassignments of the placebo test (seed 004 Fig. 2: 1,000).
DEFAULT_PLACEBO_DRAWS = 1000
#: Placebo / bootstrap replications of the synthetic DID SE (synthdid's default).
DEFAULT_SDID_REPLICATIONS = 200
#: Bootstrap draws of the de Chaisemartin-D'Haultfoeuille standard errors.
DEFAULT_DCDH_DRAWS = 200
