"""Staggered difference-in-differences suite (pure: no database or Qt imports).

Public API (documented in ``docs/did.md``):

- :func:`prepare_panel`, :class:`PanelSpec` -- panel checks and treatment coding
- :func:`twfe_did` -- two-way fixed-effects DID with controls and clustered errors (pyfixest)
- :func:`event_study` -- leads/lags with end bins and a joint pre-trend Wald test
- :func:`placebo_did` -- randomisation test, fast by Frisch-Waugh-Lovell
- :func:`callaway_santanna`, :func:`sun_abraham`, :func:`bacon_decomposition` -- staggered timing
- :func:`imputation_did` -- Borusyak-Jaravel-Spiess imputation DID (event-time effects)
- :func:`~policylink.spatial.did.sdid.synthetic_did` -- synthetic DID by adoption cohort (numba)
- :mod:`~policylink.spatial.did.honest` -- Rambachan-Roth bounds, breakdown value, pre-trend power
- :mod:`~policylink.spatial.did.wild` -- wild cluster bootstrap (WCR) of the TWFE DID
- :func:`psm_did` -- propensity-score matched DID with a balance table
- :func:`robustness_checks`, :func:`mechanism_did`, :func:`heterogeneity_did` -- Tables 5-8
- :func:`spatial_did` -- direct effect and spillover of treated neighbours (SLX or SDM)
- :mod:`policylink.spatial.did.tables`, :mod:`policylink.spatial.did.plots` -- paper-style tables and PNG figures
- :func:`simulate_staggered` -- SYNTHETIC staggered panels with known effects
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# Names are imported on first use (PEP 562): a command that needs the panel checks or the
# placebo test does not pay for scipy.stats, pyfixest or matplotlib through this package.
_LAZY = {
    "EventStudyResult": "event_study",
    "event_study": "event_study",
    "ImputationResult": "imputation",
    "imputation_did": "imputation",
    "PanelSpec": "panel",
    "prepare_panel": "panel",
    "PlaceboResult": "placebo",
    "placebo_did": "placebo",
    "PSMResult": "psm",
    "psm_did": "psm",
    "HeterogeneityResult": "robustness",
    "heterogeneity_did": "robustness",
    "mechanism_did": "robustness",
    "robustness_checks": "robustness",
    "ring_weights": "simulate",
    "simulate_staggered": "simulate",
    "SpatialDIDResult": "spatial_did",
    "spatial_did": "spatial_did",
    "BaconResult": "staggered",
    "CSResult": "staggered",
    "SunAbrahamResult": "staggered",
    "bacon_decomposition": "staggered",
    "callaway_santanna": "staggered",
    "sun_abraham": "staggered",
    "DIDResult": "twfe",
    "twfe_did": "twfe",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from policylink.spatial.did.event_study import EventStudyResult, event_study
    from policylink.spatial.did.imputation import ImputationResult, imputation_did
    from policylink.spatial.did.panel import PanelSpec, prepare_panel
    from policylink.spatial.did.placebo import PlaceboResult, placebo_did
    from policylink.spatial.did.psm import PSMResult, psm_did
    from policylink.spatial.did.robustness import (
        HeterogeneityResult,
        heterogeneity_did,
        mechanism_did,
        robustness_checks,
    )
    from policylink.spatial.did.simulate import ring_weights, simulate_staggered
    from policylink.spatial.did.spatial_did import SpatialDIDResult, spatial_did
    from policylink.spatial.did.staggered import (
        BaconResult,
        CSResult,
        SunAbrahamResult,
        bacon_decomposition,
        callaway_santanna,
        sun_abraham,
    )
    from policylink.spatial.did.twfe import DIDResult, twfe_did


def __getattr__(name: str) -> Any:
    """Import a public name's submodule on first access (PEP 562)."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """Public names, including the lazily imported ones."""
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """Keeps ``event_study`` and ``spatial_did`` the functions once their submodules load.

    Importing a submodule binds it on the package under its own name; two public functions
    share their submodule's name, so that binding is replaced by the function.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "BaconResult",
    "CSResult",
    "SunAbrahamResult",
    "bacon_decomposition",
    "callaway_santanna",
    "sun_abraham",
    "DIDResult",
    "EventStudyResult",
    "HeterogeneityResult",
    "ImputationResult",
    "imputation_did",
    "PSMResult",
    "SpatialDIDResult",
    "heterogeneity_did",
    "mechanism_did",
    "psm_did",
    "robustness_checks",
    "spatial_did",
    "PanelSpec",
    "PlaceboResult",
    "event_study",
    "placebo_did",
    "prepare_panel",
    "ring_weights",
    "simulate_staggered",
    "twfe_did",
]
