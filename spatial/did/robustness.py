"""Robustness, mechanism and heterogeneity regressions around the TWFE DID (seed 004 Tables 5-8).

- :func:`robustness_checks`: the baseline DID re-estimated without some years (seed 004 drops
  2020-2022), without some units (municipalities), and with alternative outcomes.
- :func:`mechanism_did`: the DID interacted with a mediator, ``mediator x DID`` (seed 004
  Table 6: ``Upgrade*DID``, ``JC*DID``).
- :func:`heterogeneity_did`: the DID by sub-sample (city size > 5 million, resource-based,
  east / central / west / northeast; seed 004 Tables 7-8) plus a Wald test that the DID effect is
  equal across groups in a pooled model with group-specific DID terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from policylink.spatial.did.panel import DID_COL, PanelSpec, prepare_panel
from policylink.spatial.did.twfe import DIDResult, fit_fe


def robustness_checks(
    df: pd.DataFrame,
    spec: PanelSpec,
    *,
    drop_years: Iterable[int] = (),
    drop_units: Iterable[str] = (),
    alt_outcomes: Sequence[str] = (),
) -> list[DIDResult]:
    """Baseline DID and its re-estimates under common robustness checks.

    Parameters
    ----------
    df : DataFrame
        Long panel.
    spec : PanelSpec
        Baseline specification.
    drop_years : iterable of int
        Years removed in one re-estimate (e.g. 2020-2022, the pandemic years).
    drop_units : iterable of str
        Units removed in one re-estimate (e.g. the municipalities 110000, 120000, 310000,
        500000).
    alt_outcomes : sequence of str
        Alternative outcome columns, one re-estimate each.

    Returns
    -------
    list of DIDResult
        Baseline first, then one result per check, each with a ``label``.
    """
    panel, spec = prepare_panel(df, spec, extra=list(alt_outcomes))
    out = [fit_fe(panel, spec, [DID_COL], label="baseline")]
    years = sorted({int(y) for y in drop_years})
    if years:
        sub = panel[~panel[spec.time].isin(years)]
        out.append(
            fit_fe(sub, spec, [DID_COL], label=f"drop years {_span(years)}", dropped_years=years)
        )
    units = sorted({str(u) for u in drop_units})
    if units:
        sub = panel[~panel[spec.unit].isin(units)]
        out.append(
            fit_fe(sub, spec, [DID_COL], label=f"drop {len(units)} units", dropped_units=units)
        )
    for y in alt_outcomes:
        out.append(fit_fe(panel, spec.with_(outcome=y), [DID_COL], label=f"outcome {y}"))
    return out


def _span(years: list[int]) -> str:
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]}-{years[-1]}"
    return ",".join(map(str, years))


def mechanism_did(
    df: pd.DataFrame, spec: PanelSpec, mediator: str, *, main_effects: bool = False
) -> DIDResult:
    """Mechanism regression with the interaction ``mediator x DID`` (seed 004 Table 6).

    .. math:: y_{it} = \\alpha + \\theta\\,(M_{it} \\times DID_{it}) + \\rho'X_{it} + \\eta_t
              + \\lambda_i + \\varepsilon_{it}

    Parameters
    ----------
    df : DataFrame
        Long panel with the mediator column.
    spec : PanelSpec
        Baseline specification.
    mediator : str
        Mediator column (e.g. tertiary/secondary value-added ratio, employment).
    main_effects : bool
        Also include ``DID`` and the mediator on their own (a fully specified interaction
        model); seed 004 reports the interaction alone (False).

    Returns
    -------
    DIDResult
        Term ``<mediator>_x_did`` (and ``did`` / the mediator when ``main_effects``).

    Notes
    -----
    An interaction coefficient is evidence of effect moderation, not a causal mediation
    estimate; seed 004 reads it as a mechanism.
    """
    panel, spec = prepare_panel(df, spec, extra=[mediator])
    term = f"{mediator}_x_did"
    panel[term] = panel[mediator] * panel[DID_COL]
    regs = [term, DID_COL, mediator] if main_effects else [term]
    regs = [r for r in regs if r not in spec.controls]
    return fit_fe(panel, spec, regs, label=f"mechanism {mediator}", mediator=mediator)


@dataclass
class HeterogeneityResult:
    """DID by sub-sample and a test of equal effects.

    Attributes
    ----------
    by_group : dict
        Group value -> DIDResult on that sub-sample (own fixed effects and controls).
    equality : dict
        Wald test that the group-specific DID coefficients of the pooled model (common fixed
        effects and controls, DID interacted with group dummies) are all equal: ``wald``,
        ``df``, ``p``, and the pooled ``estimates``.
    group_col : str
        Grouping column.
    """

    by_group: dict[Any, DIDResult]
    equality: dict[str, Any]
    group_col: str

    def table(self) -> pd.DataFrame:
        """One row per group: estimate, se, p, n_obs, n_units."""
        rows = [
            {
                "group": g,
                "estimate": r.coef(),
                "se": r.se(),
                "p": float(r.coefficients.loc[DID_COL, "p"]),
                "n_obs": r.n_obs,
                "n_units": r.n_units,
                "r2": r.r2,
            }
            for g, r in self.by_group.items()
        ]
        return pd.DataFrame(rows)


def heterogeneity_did(df: pd.DataFrame, spec: PanelSpec, group_col: str) -> HeterogeneityResult:
    """DID by groups of units (split samples) with a pooled test of equal effects.

    Parameters
    ----------
    df : DataFrame
        Long panel with a grouping column (constant within unit, e.g. ``region`` with values
        east / central / west / northeast, ``large_city`` 0/1, ``resource_based`` 0/1).
    spec : PanelSpec
        Baseline specification.
    group_col : str
        Grouping column.

    Returns
    -------
    HeterogeneityResult
    """
    panel, spec = prepare_panel(df, spec)
    if group_col not in panel.columns:
        from policylink.spatial.errors import InputError, Problem

        raise InputError([Problem(spec.source, None, group_col, None, "column not found")])
    panel = panel[panel[group_col].notna()].reset_index(drop=True)
    groups = sorted(panel[group_col].unique(), key=str)
    # a group without treated or without untreated observations has no DID of its own
    groups = [g for g in groups if panel.loc[panel[group_col] == g, DID_COL].nunique() == 2]
    if not groups:
        raise ValueError(f"no group of {group_col!r} has both treated and untreated observations")
    by_group, skipped = {}, []
    for g in groups:
        sub = panel[panel[group_col] == g]
        res = fit_fe(sub, spec, [DID_COL], label=f"{group_col}={g}", group=str(g))
        if DID_COL in res.coefficients.index:
            by_group[g] = res
        else:  # DID collinear with the year effects (e.g. one adoption year and no controls)
            skipped.append(str(g))
    groups = list(by_group)
    if not groups:
        raise ValueError(f"the DID is not identified within any group of {group_col!r}")
    # the pooled model covers the same groups as the split samples
    panel = panel[panel[group_col].isin(groups)].reset_index(drop=True)
    terms = []
    for k, g in enumerate(groups):
        name = f"did_g{k}"
        panel[name] = panel[DID_COL] * (panel[group_col] == g)
        terms.append(name)
    pooled = fit_fe(panel, spec, terms, label="pooled interactions")
    b = pooled.coefficients.loc[terms, "estimate"].to_numpy(float)
    V = pooled.vcov.loc[terms, terms].to_numpy(float)
    q = len(terms) - 1
    if q >= 1:
        R = np.zeros((q, len(terms)))
        R[:, 0] = 1.0
        R[np.arange(q), np.arange(1, q + 1)] = -1.0
        rb = R @ b
        w = float(rb @ np.linalg.solve(R @ V @ R.T, rb))
        p = float(stats.chi2.sf(w, q))
    else:
        w, p = float("nan"), float("nan")
    equality = {
        "wald": w,
        "df": q,
        "p": p,
        "estimates": {str(g): float(x) for g, x in zip(groups, b, strict=True)},
        "skipped_groups": skipped,
    }
    return HeterogeneityResult(by_group=by_group, equality=equality, group_col=group_col)
