"""Defaults of the diffusion analyses, in a module light enough for ``policylink diffusion --help``.

:mod:`policylink.analyses.diffusion` re-exports them; the command line takes them from here so
that building its options imports neither numpy nor pandas.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_CURVES",
    "DEFAULT_DEPENDENCE",
    "DEFAULT_DYAD_REGRESSORS",
    "DEFAULT_EHA_REGRESSORS",
    "DEFAULT_LINK",
    "DEFAULT_MARKOV_K",
    "DEFAULT_NETINF_MODEL",
    "DEFAULT_NETINF_P",
]

#: Regressors of a monadic EHA unless the user asks otherwise: the lagged neighbour-adoption
#: share (Berry & Berry 1990) and the lagged adoption of a higher-level unit.
DEFAULT_EHA_REGRESSORS: tuple[str, ...] = ("neighbour_share", "higher_adopted")
#: Pair regressors of a dyad EHA unless the user asks otherwise (Volden 2006).
DEFAULT_DYAD_REGRESSORS: tuple[str, ...] = ("border", "log_distance_km", "link", "same_province")
#: Hazard link unless the user asks otherwise.
DEFAULT_LINK = "logit"
#: Duration dependence unless the user asks otherwise (Carter & Signorino 2010).
DEFAULT_DEPENDENCE = "cubic"
#: Stopping rule of NetInf unless the user gives a number of ties: the next tie's one-sided
#: p-value (NetworkInference's criterion, Desmarais, Harden & Boehmke 2015).
DEFAULT_NETINF_P = 0.05
#: Transmission-time density of NetInf unless the user asks otherwise.
DEFAULT_NETINF_MODEL = "exponential"
#: Curves fitted unless the user asks otherwise.
DEFAULT_CURVES: tuple[str, ...] = ("logistic", "bass")
#: Quantile classes of the variable and of its spatial lag unless the user asks otherwise.
DEFAULT_MARKOV_K = 4
