"""Event study (dynamic TWFE) with binned end points and a joint pre-trend test (seed 004 Table 4).

.. math:: y_{it} = \\sum_{e \\ne -1} \\beta_e\\,1\\{t - G_i = e\\} + \\rho' X_{it} + \\eta_t +
          \\lambda_i + \\varepsilon_{it}

Event time :math:`e = t - G_i` for ever-treated units (never-treated units have all dummies 0).
Event times at or below ``-leads`` are pooled in one bin (``pre_<leads>``), those at or above
``lags`` in another (``post_<lags>``); ``e = -1`` is the reference (omitted). Terms are named
as in seed 004: ``pre_k`` (k years before), ``current`` (adoption year), ``post_k``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from policylink.spatial.did.conley import ConleySpec
from policylink.spatial.did.panel import DID_COL, FIRST_COL, PanelSpec, prepare_panel
from policylink.spatial.did.twfe import DIDResult, check_identified, fit_fe


def event_term(e: int) -> str:
    """Name of the dummy for event time ``e`` (``pre_2``, ``current``, ``post_3``)."""
    if e < 0:
        return f"pre_{-e}"
    return "current" if e == 0 else f"post_{e}"


def add_event_dummies(
    panel: pd.DataFrame, spec: PanelSpec, leads: int, lags: int, reference: int = -1
) -> list[str]:
    """Add binned event-time dummy columns to ``panel`` in place.

    Parameters
    ----------
    panel : DataFrame
        Prepared panel (has ``first_treated``).
    spec : PanelSpec
        Column roles.
    leads, lags : int
        Window ``[-leads, lags]``; event times beyond it are pooled into the end bins.
    reference : int
        Omitted event time (default -1).

    Returns
    -------
    list of str
        Dummy names in event-time order, without the reference.
    """
    if leads < 1 or lags < 0:
        raise ValueError("leads must be >= 1 and lags >= 0")
    if not -leads <= reference <= lags:
        raise ValueError("reference must lie inside the window")
    e = panel[spec.time] - panel[FIRST_COL]
    ever = np.isfinite(panel[FIRST_COL])
    e = e.where(ever).clip(lower=-leads, upper=lags)
    names = []
    for k in range(-leads, lags + 1):
        if k == reference:
            continue
        name = event_term(k)
        panel[name] = ((e == k) & ever).astype(int)
        if panel[name].any():
            names.append(name)
    return names


@dataclass
class EventStudyResult:
    """Event-study coefficients and the joint pre-trend test.

    Attributes
    ----------
    table : DataFrame
        One row per event time (``rel_time``, ``term``, ``estimate``, ``se``, ``t``, ``p``,
        ``ci_low``, ``ci_high``); the reference period is included with estimate 0 and missing
        standard error. End bins are flagged in ``binned``.
    pretrend : dict
        Joint Wald test that all lead coefficients are zero: ``wald`` (chi-square statistic),
        ``df``, ``p_chi2``, ``F`` (= wald / df), ``df_denom`` (clusters - 1), ``p_F``.
    model : DIDResult
        The underlying regression (controls included).
    """

    table: pd.DataFrame
    pretrend: dict[str, float]
    model: DIDResult

    def to_records(self) -> list[dict[str, Any]]:
        """``event_study`` JSON list: rel_time, estimate, se, p (reference has se/p null)."""
        return [
            {
                "rel_time": int(r.rel_time),
                "term": r.term,
                "estimate": float(r.estimate),
                "se": float(r.se),
                "p": float(r.p),
            }
            for r in self.table.itertuples()
        ]


def wald_zero(est: np.ndarray, vcov: np.ndarray, n_clusters: int) -> dict[str, float]:
    """Wald test of :math:`H_0: b = 0` for a coefficient block.

    Parameters
    ----------
    est : ndarray, shape (q,)
        Coefficients.
    vcov : ndarray, shape (q, q)
        Their (cluster-robust) covariance.
    n_clusters : int
        Number of clusters G; the F version uses (q, G-1) degrees of freedom as Stata's
        ``test`` after clustered regressions.

    Returns
    -------
    dict
        ``wald``, ``df``, ``p_chi2``, ``F``, ``df_denom``, ``p_F``.
    """
    q = len(est)
    if q == 0:
        return {
            "wald": np.nan,
            "df": 0,
            "p_chi2": np.nan,
            "F": np.nan,
            "df_denom": np.nan,
            "p_F": np.nan,
        }
    w = float(est @ np.linalg.solve(vcov, est))
    dfd = max(int(n_clusters) - 1, 1)
    return {
        "wald": w,
        "df": q,
        "p_chi2": float(stats.chi2.sf(w, q)),
        "F": w / q,
        "df_denom": dfd,
        "p_F": float(stats.f.sf(w / q, q, dfd)),
    }


def event_study(
    df: pd.DataFrame,
    spec: PanelSpec,
    *,
    leads: int = 5,
    lags: int = 5,
    reference: int = -1,
    conley: ConleySpec | None = None,
    coords_km: pd.DataFrame | None = None,
) -> EventStudyResult:
    """Dynamic TWFE event study with end bins and a joint pre-trend test.

    Parameters
    ----------
    df : DataFrame
        Long panel.
    spec : PanelSpec
        Column roles (controls and clustering apply).
    leads : int
        Number of pre-periods shown; ``e <= -leads`` is pooled (seed 004: 5, ``pre_5``).
    lags : int
        Number of post-periods shown; ``e >= lags`` is pooled (seed 004: 5, ``post_5``).
    reference : int
        Omitted event time (default -1, the year before adoption).
    conley : ConleySpec, optional
        Conley spatial-HAC standard errors (and pre-trend test) instead of the cluster-robust
        ones of ``spec.cluster``.
    coords_km : DataFrame, optional
        Unit coordinates in km (index unit id, columns ``x_km``, ``y_km``), with ``conley``.

    Returns
    -------
    EventStudyResult

    Notes
    -----
    The leads test parallel pre-trends only under homogeneous effects; with staggered timing
    and heterogeneous effects the TWFE leads can be contaminated by other periods' effects
    (Sun and Abraham 2021): compare with :func:`policylink.spatial.did.staggered.sun_abraham`.

    References
    ----------
    Sun, L., & Abraham, S. (2021). Estimating dynamic treatment effects in event studies with
    heterogeneous treatment effects. Journal of Econometrics, 225(2), 175-199.
    """
    panel, spec = prepare_panel(df, spec)
    # the event-time dummies sum to the treatment: they are identified only when it is
    check_identified(panel, spec, [DID_COL])
    names = add_event_dummies(panel, spec, leads, lags, reference)
    model = fit_fe(
        panel,
        spec,
        names,
        label="event study",
        conley=conley,
        coords_km=coords_km,
        leads=leads,
        lags=lags,
        reference=reference,
    )
    co = model.coefficients
    rows = []
    for k in range(-leads, lags + 1):
        name = event_term(k)
        binned = (k == -leads) or (k == lags)
        if k == reference:
            rows.append((k, name, 0.0, np.nan, np.nan, np.nan, 0.0, 0.0, binned))
        elif name in co.index:
            r = co.loc[name]
            rows.append((k, name, r.estimate, r.se, r.t, r.p, r.ci_low, r.ci_high, binned))
    table = pd.DataFrame(
        rows,
        columns=["rel_time", "term", "estimate", "se", "t", "p", "ci_low", "ci_high", "binned"],
    )
    lead_names = [
        event_term(k) for k in range(-leads, 0) if k != reference and event_term(k) in co.index
    ]
    b = co.loc[lead_names, "estimate"].to_numpy(float)
    V = model.vcov.loc[lead_names, lead_names].to_numpy(float)
    n_clusters = (
        int(np.min(np.atleast_1d(model.fit._G))) if model.fit is not None else model.n_units
    )
    pretrend = wald_zero(b, V, n_clusters)
    pretrend["terms"] = lead_names  # type: ignore[assignment]
    return EventStudyResult(table=table, pretrend=pretrend, model=model)
