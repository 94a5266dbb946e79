"""PSM-DID (seed 004 Table 5 col. 1, Fig. 3): logit propensity, 1:1 nearest-neighbour matching
without replacement, balance table, then the TWFE DID on the matched units.

Matching is done at the unit level: each unit's covariates are averaged over the baseline years
(the panel years before the first adoption year; the first year alone if adoption starts in it),
the propensity :math:`e(x) = \\Pr(\\text{ever treated} \\mid x)` is a logit fitted by
Newton-Raphson, and treated units are matched in random (seeded) order to the untreated unit
with the closest propensity score that is still available (Rosenbaum and Rubin 1985). With a
caliper, a treated unit whose nearest available control lies farther away stays unmatched
and is dropped.

Standardised bias (Rosenbaum and Rubin 1985; Stata ``pstest``):
:math:`SB = 100\\,(\\bar x_T - \\bar x_C)/\\sqrt{(s^2_T + s^2_C)/2}` with the variances of the
unmatched sample in the denominator both before and after matching, so that the reduction
reflects the change in means only.

References
----------
Rosenbaum, P. R., & Rubin, D. B. (1985). Constructing a control group using multivariate
matched sampling methods that incorporate the propensity score. The American Statistician,
39(1), 33-38.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from policylink.spatial.did.conley import ConleySpec
from policylink.spatial.did.panel import DID_COL, FIRST_COL, PanelSpec, prepare_panel
from policylink.spatial.did.twfe import DIDResult, check_identified, fit_fe


def logit_fit(
    X: np.ndarray, y: np.ndarray, *, tol: float = 1e-10, maxiter: int = 100
) -> np.ndarray:
    """Maximum-likelihood logit coefficients by Newton-Raphson (an intercept is added).

    Parameters
    ----------
    X : ndarray, shape (n, k)
        Covariates (without intercept).
    y : ndarray, shape (n,)
        0/1 outcome.
    tol : float
        Convergence tolerance on the largest coefficient change.
    maxiter : int
        Maximum number of iterations.

    Returns
    -------
    ndarray, shape (k + 1,)
        Intercept first, then one coefficient per column of ``X``.

    Raises
    ------
    ValueError
        If the likelihood does not converge (e.g. perfect separation).
    """
    Z = np.column_stack([np.ones(len(X)), X])
    b = np.zeros(Z.shape[1])
    for _ in range(maxiter):
        p = 1.0 / (1.0 + np.exp(-(Z @ b)))
        H = Z.T @ (Z * (p * (1 - p))[:, None])
        step = np.linalg.solve(H, Z.T @ (y - p))
        b = b + step
        if np.max(np.abs(step)) < tol:
            return b
    raise ValueError("logit did not converge (perfect separation of treated and controls?)")


def nearest_neighbour_match(
    score: np.ndarray, treated: np.ndarray, *, caliper: float | None = None, seed: int = 0
) -> list[tuple[int, int, float]]:
    """1:1 nearest-neighbour matching on a score, without replacement.

    Parameters
    ----------
    score : ndarray
        Propensity score per unit.
    treated : ndarray of bool
        Treatment status per unit.
    caliper : float, optional
        Largest allowed absolute score distance.
    seed : int
        Seed of the random order in which treated units pick their match.

    Returns
    -------
    list of (treated index, control index, distance)
    """
    rng = np.random.default_rng(seed)
    t_idx = np.flatnonzero(treated)[rng.permutation(int(treated.sum()))]
    avail = np.flatnonzero(~treated)
    free = np.ones(len(avail), bool)
    pairs = []
    for i in t_idx:
        if not free.any():
            break
        d = np.abs(score[avail] - score[i])
        d[~free] = np.inf
        j = int(np.argmin(d))
        if caliper is not None and d[j] > caliper:
            continue
        free[j] = False
        pairs.append((int(i), int(avail[j]), float(d[j])))
    return pairs


@dataclass
class PSMResult:
    """PSM-DID result.

    Attributes
    ----------
    did : DIDResult
        TWFE DID on all years of the matched units.
    balance : DataFrame
        Per covariate: ``mean_treated_before``, ``mean_control_before``, ``bias_before`` (%),
        ``mean_treated_after``, ``mean_control_after``, ``bias_after`` (%),
        ``bias_reduction`` (%), ``t_after``, ``p_after`` (two-sample t-test after matching).
    pairs : DataFrame
        ``treated``, ``control`` unit ids, their scores and ``distance``.
    pscore : DataFrame
        Unit, treated flag, baseline covariates and propensity score.
    logit : Series
        Logit coefficients (``Intercept`` first).
    unmatched : list
        Treated units left without a match (caliper or no control left).
    """

    did: DIDResult
    balance: pd.DataFrame
    pairs: pd.DataFrame
    pscore: pd.DataFrame
    logit: pd.Series
    unmatched: list[Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON ``psm`` block: matched units, balance table, DID on the matched sample."""
        return {
            "matched_units": int(2 * len(self.pairs)),
            "matched_pairs": int(len(self.pairs)),
            "unmatched_treated": [str(u) for u in self.unmatched],
            "balance": self.balance.reset_index().to_dict(orient="records"),
            "did": self.did.to_dict(),
        }


def _bias(a: np.ndarray, b: np.ndarray, denom: float) -> float:
    return float(100.0 * (a.mean() - b.mean()) / denom) if denom > 0 else float("nan")


def psm_did(
    df: pd.DataFrame,
    spec: PanelSpec,
    covariates: Sequence[str] | None = None,
    *,
    caliper: float | None = None,
    seed: int = 0,
    conley: ConleySpec | None = None,
    coords_km: pd.DataFrame | None = None,
) -> PSMResult:
    """Propensity-score matched DID.

    Parameters
    ----------
    df : DataFrame
        Long panel.
    spec : PanelSpec
        Column roles; the DID on the matched sample uses ``spec.controls``.
    covariates : sequence of str, optional
        Matching covariates (default: the controls, as in seed 004).
    caliper : float, optional
        Maximum absolute propensity-score distance of a match.
    seed : int
        Seed of the matching order.
    conley : ConleySpec, optional
        Conley spatial-HAC standard errors of the matched-sample DID instead of the
        cluster-robust ones.
    coords_km : DataFrame, optional
        Unit coordinates in km (index unit id, columns ``x_km``, ``y_km``), with ``conley``.

    Returns
    -------
    PSMResult
    """
    covs = list(covariates if covariates is not None else spec.controls)
    if not covs:
        raise ValueError("psm_did needs at least one covariate (or controls in the spec)")
    panel, spec = prepare_panel(df, spec, extra=covs)
    check_identified(panel, spec, [DID_COL])  # no treated unit: refused before the logit
    first = panel[FIRST_COL]
    years = np.sort(panel[spec.time].unique())
    g0 = first[np.isfinite(first)].min() if np.isfinite(first).any() else years[-1] + 1
    base = panel[panel[spec.time] < g0]
    if base.empty:
        base = panel[panel[spec.time] == years[0]]
    unit_x = base.groupby(spec.unit)[covs].mean()
    status = panel.groupby(spec.unit)[FIRST_COL].first().reindex(unit_x.index)
    treated = np.isfinite(status.to_numpy())
    X = unit_x.to_numpy(float)
    beta = logit_fit(X, treated.astype(float))
    score = 1.0 / (1.0 + np.exp(-(np.column_stack([np.ones(len(X)), X]) @ beta)))
    pairs = nearest_neighbour_match(score, treated, caliper=caliper, seed=seed)
    ids = unit_x.index.to_numpy()
    ti = np.array([p[0] for p in pairs], int)
    ci = np.array([p[1] for p in pairs], int)
    rows = []
    for k, c in enumerate(covs):
        xt, xc = X[treated, k], X[~treated, k]
        denom = np.sqrt((xt.var(ddof=1) + xc.var(ddof=1)) / 2)
        b0 = _bias(xt, xc, denom)
        at, ac = X[ti, k], X[ci, k]
        b1 = _bias(at, ac, denom)
        tt = stats.ttest_ind(at, ac) if len(ti) > 1 else None
        rows.append(
            {
                "covariate": c,
                "mean_treated_before": xt.mean(),
                "mean_control_before": xc.mean(),
                "bias_before": b0,
                "mean_treated_after": at.mean() if len(ti) else np.nan,
                "mean_control_after": ac.mean() if len(ci) else np.nan,
                "bias_after": b1 if len(ti) else np.nan,
                "bias_reduction": 100.0 * (abs(b0) - abs(b1)) / abs(b0) if b0 else np.nan,
                "t_after": float(tt.statistic) if tt is not None else np.nan,
                "p_after": float(tt.pvalue) if tt is not None else np.nan,
            }
        )
    balance = pd.DataFrame(rows).set_index("covariate")
    keep = set(ids[ti]) | set(ids[ci])
    matched = panel[panel[spec.unit].isin(keep)].reset_index(drop=True)
    did = fit_fe(
        matched,
        spec,
        [DID_COL],
        label="PSM-DID",
        conley=conley,
        coords_km=coords_km,
        matching="logit propensity, 1:1 nearest neighbour without replacement",
        caliper=caliper,
        covariates=covs,
    )
    pairs_df = pd.DataFrame(
        {
            "treated": ids[ti],
            "control": ids[ci],
            "score_treated": score[ti],
            "score_control": score[ci],
            "distance": [p[2] for p in pairs],
        }
    )
    pscore = unit_x.reset_index().assign(treated=treated, pscore=score)
    matched_t = set(ids[ti])
    unmatched = [u for u, t in zip(ids, treated, strict=True) if t and u not in matched_t]
    return PSMResult(
        did=did,
        balance=balance,
        pairs=pairs_df,
        pscore=pscore,
        logit=pd.Series(beta, index=["Intercept", *covs]),
        unmatched=unmatched,
    )
