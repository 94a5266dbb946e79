"""Defaults of the inputs layer, in a module light enough for the commands' ``--help``.

:mod:`policylink.inputs` and :mod:`policylink.diffusion_inputs` re-export them; the command
line takes them from here so that building its options imports neither numpy, pandas nor
psycopg.
"""

from __future__ import annotations

__all__ = ["DEFAULT_DIFFUSION_YEARS", "DEFAULT_LEVEL"]

#: Unit level used when none is given (prefecture-level cities, the seeds' unit).
DEFAULT_LEVEL = "prefecture"
#: Observation window of diffusion risk sets unless the user asks otherwise
#: (``policylink.diffusion_inputs.DEFAULT_YEARS``).
DEFAULT_DIFFUSION_YEARS: tuple[int, int] = (2009, 2022)
