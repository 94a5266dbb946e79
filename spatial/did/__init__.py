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
