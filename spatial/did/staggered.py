"""Heterogeneity-robust staggered DID: Callaway-Sant'Anna, Sun-Abraham, Goodman-Bacon.

- :func:`callaway_santanna`: group-time ATT(g, t) (unconditional parallel trends, never-treated
  or not-yet-treated controls, varying or universal base period), analytic standard errors from
  the influence functions, and the simple / dynamic (event-time) / group aggregations with the
  influence function of the estimated weights (Callaway and Sant'Anna 2021, Sec. 4; the R
  ``did`` package's ``aggte``).
- :func:`sun_abraham`: interaction-weighted event study: a saturated regression of the outcome
  on cohort x event-time dummies with unit and year fixed effects (pyfixest), aggregated per
  event time with the cohort shares as weights (Sun and Abraham 2021).
- :func:`bacon_decomposition`: the TWFE DID coefficient as a weighted average of all 2x2 DIDs
  (Goodman-Bacon 2021, Theorem 1); exact on a balanced panel without controls.

References
----------
Callaway, B., & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
periods. Journal of Econometrics, 225(2), 200-230.
Sant'Anna, P. H. C., & Zhao, J. (2020). Doubly robust difference-in-differences estimators.
Journal of Econometrics, 219(1), 101-122.
Sun, L., & Abraham, S. (2021). Estimating dynamic treatment effects in event studies with
heterogeneous treatment effects. Journal of Econometrics, 225(2), 175-199.
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
Journal of Econometrics, 225(2), 254-277.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from policylink.spatial.did.conley import ConleySpec
from policylink.spatial.did.panel import DID_COL, FIRST_COL, PanelSpec, is_balanced, prepare_panel
from policylink.spatial.did.twfe import DIDResult, check_identified, fit_fe
from policylink.spatial.errors import InputError, Problem


def _require_balanced(panel: pd.DataFrame, spec: PanelSpec, what: str) -> None:
    if not is_balanced(panel, spec):
        raise InputError(
            [
                Problem(
                    spec.source,
                    None,
                    None,
                    None,
                    f"{what} needs a balanced panel (every unit in every year); "
                    f"{panel[spec.unit].nunique()} units x {panel[spec.time].nunique()} years "
                    f"!= {len(panel)} rows",
                )
            ]
        )


def _wide(panel: pd.DataFrame, spec: PanelSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcome matrix (units x years), sorted years and the first-treated year per unit."""
    Y = panel.pivot(index=spec.unit, columns=spec.time, values=spec.outcome).sort_index(axis=1)
    G = panel.groupby(spec.unit)[FIRST_COL].first().reindex(Y.index).to_numpy(float)
    return Y.to_numpy(float), Y.columns.to_numpy(int), G


def _se(inf: np.ndarray) -> float:
    """Standard error from a per-unit influence function: sqrt(sum IF^2) / n."""
    n = len(inf)
    return float(np.sqrt(np.sum(inf**2)) / n)


@dataclass
class CSResult:
    """Callaway-Sant'Anna group-time ATTs and aggregations.

    Attributes
    ----------
    att_gt : DataFrame
        One row per (group, time): ``group``, ``time``, ``rel_time``, ``att``, ``se``, ``p``,
        ``n_group``, ``n_control``, ``base``.
    overall : dict
        ``att``, ``se``, ``p`` of the simple aggregation (weighted by group size over post
        periods).
    dynamic : DataFrame
        Event-time aggregation: ``rel_time``, ``att``, ``se``, ``p``.
    dynamic_overall : dict
        Average of the post-treatment event-time effects (e >= 0).
    group : DataFrame
        Group aggregation: ``group``, ``att``, ``se``, ``p`` (mean over post periods).
    group_overall : dict
        Group effects averaged with group-size weights.
    control : str
        ``never`` or ``notyet``.
    base_period : str
        ``varying`` or ``universal``.
    covariates : list of str
        Covariates of the outcome regression (empty = unconditional).
    influence : dict
        Per-unit influence functions of each ATT(g, t) (keys ``(g, t)``), of the event-time
        effects (keys ``('dynamic', e)``), group effects (``('group', g)``), calendar-time
        effects (``('calendar', t)``), of the simple aggregation (key ``'simple'``) and of the
        overall dynamic / group / calendar aggregations (``'dynamic_overall'``, ...).
    calendar : DataFrame
        Calendar-time aggregation: ``time``, ``att``, ``se``, ``p`` (groups treated by t,
        weighted by group size).
    calendar_overall : dict
        Mean of the calendar-time effects.
    estimator : str
        ``or``, ``ipw`` or ``dr`` (used only with covariates).
    anticipation : int
        Anticipation years.
    """

    att_gt: pd.DataFrame
    overall: dict[str, float]
    dynamic: pd.DataFrame
    dynamic_overall: dict[str, float]
    group: pd.DataFrame
    group_overall: dict[str, float]
    control: str
    base_period: str
    covariates: list[str] = field(default_factory=list)
    influence: dict[Any, np.ndarray] = field(default_factory=dict, repr=False)
    calendar: pd.DataFrame | None = None
    calendar_overall: dict[str, float] = field(default_factory=dict)
    estimator: str = "or"
    anticipation: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON ``cs`` block: att overall and by event time (plus groups and settings)."""
        cal = self.calendar if self.calendar is not None else pd.DataFrame(columns=["time"])
        return {
            "by_calendar_time": [
                {"time": int(r.time), "att": r.att, "se": r.se, "p": r.p} for r in cal.itertuples()
            ],
            "calendar_overall": self.calendar_overall,
            "estimator": self.estimator if self.covariates else "unconditional",
            "anticipation": self.anticipation,
            "att": self.overall,
            "by_event_time": [
                {"rel_time": int(r.rel_time), "att": r.att, "se": r.se, "p": r.p}
                for r in self.dynamic.itertuples()
            ],
            "dynamic_overall": self.dynamic_overall,
            "by_group": [
                {"group": int(r.group), "att": r.att, "se": r.se, "p": r.p}
                for r in self.group.itertuples()
            ],
            "group_overall": self.group_overall,
            "control": self.control,
            "base_period": self.base_period,
            "covariates": list(self.covariates),
        }


def _pval(est: float, se: float) -> float:
    if not np.isfinite(se) or se <= 0:
        return float("nan")
    # 2 * norm.sf(|z|) without scipy's per-call overhead (~0.15 ms; ~770 calls a bootstrap
    # of 10 fits): the same function, erfc(|z| / sqrt 2)
    return math.erfc(abs(est / se) / math.sqrt(2.0))


def _aggregate(
    atts: np.ndarray, infs: np.ndarray, pg: np.ndarray, member: np.ndarray
) -> tuple[float, np.ndarray]:
    """Weighted average of ATTs with weights pg / sum(pg) and its influence function.

    ``infs`` is (n_units, k) for the k ATTs, ``pg`` the group shares of their groups and
    ``member`` (n_units, k) the 0/1 indicators 1{G_i = g_k}. The influence function includes
    the estimation of the weights (Callaway and Sant'Anna 2021; ``did::aggte`` ``wif``).
    """
    S = pg.sum()
    w = pg / S
    est = float(w @ atts)
    if1 = (member - pg[None, :]) / S
    if2 = np.sum(member - pg[None, :], axis=1, keepdims=True) * (pg[None, :] / S**2)
    wif = if1 - if2
    inf = infs @ w + wif @ atts
    return est, inf


def _or_att(dy: np.ndarray, d: np.ndarray, X: np.ndarray) -> tuple[float, np.ndarray]:
    """Outcome-regression DID on a panel subsample (Sant'Anna and Zhao 2020, ``reg_did_panel``).

    Parameters
    ----------
    dy : ndarray
        Outcome changes of the subsample (treated group and comparison units).
    d : ndarray
        1 for the treated group, 0 for comparison units.
    X : ndarray, shape (n, k)
        Covariates (an intercept is added).

    Returns
    -------
    att : float
    inf : ndarray
        Influence function on the subsample (variance = mean(inf^2) / n).
    """
    n = len(dy)
    Z = np.column_stack([np.ones(n), X])
    c = 1.0 - d
    beta = np.linalg.lstsq(Z[c == 1], dy[c == 1], rcond=None)[0]
    pred = Z @ beta
    pt = d.mean()
    eta_t = np.mean(d * dy) / pt
    eta_c = np.mean(d * pred) / pt
    xpx_inv = np.linalg.inv((Z * c[:, None]).T @ Z / n)
    lin_ols = (c * (dy - pred))[:, None] * Z @ xpx_inv
    m1 = np.mean(d[:, None] * Z, axis=0)
    inf_t = (d * dy - d * eta_t) / pt
    inf_c = (d * pred - d * eta_c + lin_ols @ m1) / pt
    return float(eta_t - eta_c), inf_t - inf_c


def _logit_ps(d: np.ndarray, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logit propensity score by Newton-Raphson; ``Z`` includes the intercept.

    Returns the fitted scores and ``n (Z'WZ)^{-1}`` (the inverse Hessian per observation, as
    ``vcov(glm) * n`` in the R ``DRDID`` package).
    """
    n, k = Z.shape
    b = np.zeros(k)
    if np.linalg.matrix_rank(Z) < k:
        raise ValueError("the propensity-score covariates are collinear")
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(Z @ b, -30, 30)))
        H = (Z * (p * (1 - p))[:, None]).T @ Z
        step = np.linalg.solve(H, Z.T @ (d - p))
        b = b + step
        if np.max(np.abs(step)) < 1e-12:
            break
    p = 1.0 / (1.0 + np.exp(-np.clip(Z @ b, -30, 30)))
    if p[d == 0].max(initial=0.0) >= 0.999:
        raise ValueError(
            "propensity scores reach 0.999 (treated and comparison units barely overlap in the "
            "covariates): use --estimator or, or fewer covariates"
        )
    H = (Z * (p * (1 - p))[:, None]).T @ Z
    return p, n * np.linalg.inv(H)


def _trim(ps: np.ndarray, d: np.ndarray, level: float = 0.995) -> tuple[np.ndarray, np.ndarray]:
    """Cap scores at 1 - 1e-6 and drop comparison units with scores >= ``level`` (DRDID)."""
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.where(d == 0, ps < level, True).astype(float)
    return ps, trim


def _ipw_att(dy: np.ndarray, d: np.ndarray, X: np.ndarray) -> tuple[float, np.ndarray]:
    """Standardised (Hajek) IPW DID on a panel subsample (Sant'Anna and Zhao 2020, eq. 2.4;
    ``DRDID::std_ipw_did_panel``): the comparison units are weighted by p(X) / (1 - p(X)).

    Returns the ATT and its influence function on the subsample (including the logit's).
    """
    n = len(dy)
    Z = np.column_stack([np.ones(n), X])
    ps, hess = _logit_ps(d, Z)
    ps, trim = _trim(ps, d)
    w_t = trim * d
    w_c = trim * ps * (1 - d) / (1 - ps)
    att_t, att_c = w_t * dy, w_c * dy
    eta_t = att_t.mean() / w_t.mean()
    eta_c = att_c.mean() / w_c.mean()
    lin_ps = ((d - ps)[:, None] * Z) @ hess
    inf_t = (att_t - w_t * eta_t) / w_t.mean()
    m2 = np.mean((w_c * (dy - eta_c))[:, None] * Z, axis=0)
    inf_c = (att_c - w_c * eta_c + lin_ps @ m2) / w_c.mean()
    return float(eta_t - eta_c), inf_t - inf_c


def _dr_att(dy: np.ndarray, d: np.ndarray, X: np.ndarray) -> tuple[float, np.ndarray]:
    """Doubly robust DID on a panel subsample (Sant'Anna and Zhao 2020, eq. 3.1;
    ``DRDID::drdid_panel``): the IPW DID of the outcome change minus its regression prediction
    from the comparison units. Consistent when either the propensity score or the outcome
    regression is correctly specified.

    Returns the ATT and its influence function on the subsample (logit and OLS included).
    """
    n = len(dy)
    Z = np.column_stack([np.ones(n), X])
    ps, hess = _logit_ps(d, Z)
    ps, trim = _trim(ps, d)
    c = 1.0 - d
    beta = np.linalg.lstsq(Z[c == 1], dy[c == 1], rcond=None)[0]
    out = Z @ beta
    w_t = trim * d
    w_c = trim * ps * c / (1 - ps)
    r = dy - out
    dr_t, dr_c = w_t * r, w_c * r
    eta_t = dr_t.mean() / w_t.mean()
    eta_c = dr_c.mean() / w_c.mean()
    xpx_inv = np.linalg.inv((Z * c[:, None]).T @ Z / n)
    lin_ols = (c * r)[:, None] * Z @ xpx_inv
    lin_ps = ((d - ps)[:, None] * Z) @ hess
    m1 = np.mean(w_t[:, None] * Z, axis=0)
    inf_t = (dr_t - w_t * eta_t - lin_ols @ m1) / w_t.mean()
    m2 = np.mean((w_c * (r - eta_c))[:, None] * Z, axis=0)
    m3 = np.mean(w_c[:, None] * Z, axis=0)
    inf_c = (dr_c - w_c * eta_c + lin_ps @ m2 - lin_ols @ m3) / w_c.mean()
    return float(eta_t - eta_c), inf_t - inf_c


_ESTIMATORS = {"or": _or_att, "ipw": _ipw_att, "dr": _dr_att}


def callaway_santanna(
    df: pd.DataFrame,
    spec: PanelSpec,
    *,
    control: str = "never",
    base_period: str = "varying",
    covariates: Sequence[str] | None = None,
    estimator: str = "or",
    anticipation: int = 0,
) -> CSResult:
    """Callaway-Sant'Anna group-time average treatment effects with aggregations.

    .. math:: ATT(g,t) = E[Y_t - Y_{b} \\mid G = g] - E[Y_t - Y_{b} \\mid C]

    with base period :math:`b = g - 1` for :math:`t \\ge g` (and :math:`b = t - 1` for
    pre-periods under ``varying``), and comparison units :math:`C` the never-treated
    (``control='never'``) or the not-yet-treated at :math:`\\max(t, b)` plus never-treated
    (``control='notyet'``, own group excluded).

    Parameters
    ----------
    df : DataFrame
        Long balanced panel.
    spec : PanelSpec
        Column roles; controls are not used (unconditional parallel trends).
    control : {'never', 'notyet'}
        Comparison group.
    base_period : {'varying', 'universal'}
        Pre-period comparisons to the previous year (``varying``, the default of the R ``did``
        package) or all to ``g - 1`` (``universal``).
    covariates : sequence of str, optional
        Conditional parallel trends given these covariates (taken in the base period): the
        outcome-regression estimator of Sant'Anna and Zhao (2020) -- regress
        :math:`Y_t - Y_b` on the covariates among the comparison units, and
        :math:`ATT = E[\\Delta Y - X'\\hat\\beta \\mid G=g]` -- with its influence function
        (estimation of :math:`\\hat\\beta` included). Default: unconditional.
    estimator : {'or', 'ipw', 'dr'}
        With covariates: outcome regression (``or``), standardised inverse probability
        weighting with a logit propensity score (``ipw``, ``DRDID::std_ipw_did_panel``) or the
        doubly robust DID (``dr``, ``DRDID::drdid_panel``) of Sant'Anna and Zhao (2020). Without
        covariates the three coincide with the unconditional estimator.
    anticipation : int
        Years before adoption in which units may already react: the base period of group g is
        the last year before ``g - anticipation`` and not-yet-treated comparison units must be
        untreated until ``max(t, b) + anticipation`` (R ``did``'s ``anticipation``).

    Returns
    -------
    CSResult

    Notes
    -----
    Units treated in the first panel year have no pre-period and are dropped. Standard errors
    are analytic, :math:`\\sqrt{\\sum_i \\psi_i^2}/n` from the per-unit influence function
    :math:`\\psi` (clustered by unit), not the multiplier bootstrap.
    """
    if control not in ("never", "notyet"):
        raise ValueError("control must be 'never' or 'notyet'")
    if base_period not in ("varying", "universal"):
        raise ValueError("base_period must be 'varying' or 'universal'")
    if estimator not in _ESTIMATORS:
        raise ValueError("estimator must be 'or', 'ipw' or 'dr'")
    if anticipation < 0:
        raise ValueError("anticipation must be >= 0")
    covs = list(covariates or ())
    panel, spec = prepare_panel(df, spec, extra=covs)
    check_identified(panel, spec, [DID_COL])  # no treated unit: refused, not a numpy error
    _require_balanced(panel, spec, "Callaway-Sant'Anna")
    Y, years, G = _wide(panel, spec)
    XW = None
    if covs:
        XW = np.stack(
            [
                panel.pivot(index=spec.unit, columns=spec.time, values=c)
                .sort_index(axis=1)
                .to_numpy(float)
                for c in covs
            ],
            axis=2,
        )
    keep = ~(G <= years[0] + anticipation)  # drop units without an untreated base year
    Y, G = Y[keep], G[keep]
    if XW is not None:
        XW = XW[keep]
    groups = np.array(sorted(set(G[np.isfinite(G)])))
    if control == "never" and not np.isinf(G).any():
        raise InputError(
            [Problem(spec.source, None, None, None, "no never-treated units: use control='notyet'")]
        )
    pos = {int(y): i for i, y in enumerate(years)}
    pg_all = {g: float(np.mean(G == g)) for g in groups}
    rows, infl = [], {}
    for g in groups:
        gi = G == g
        b_post = years[years + anticipation < g].max()
        for j in range(1, len(years)):
            t = years[j]
            if t >= g - anticipation:  # treated or anticipating: the last unaffected year
                b = b_post
            elif base_period == "varying":
                b = years[j - 1]
            else:
                b = b_post
                if t == b:
                    continue
            if control == "never":
                ci = np.isinf(G)
            else:
                ci = np.isinf(G) | ((G > max(t, b) + anticipation) & (G != g))
            if ci.sum() == 0:
                continue
            dY = Y[:, pos[int(t)]] - Y[:, pos[int(b)]]
            if XW is None:
                mg, mc = dY[gi].mean(), dY[ci].mean()
                att = mg - mc
                pgi, pci = gi.mean(), ci.mean()
                inf = np.where(gi, (dY - mg) / pgi, 0.0) - np.where(ci, (dY - mc) / pci, 0.0)
            else:
                # covariates at the base period b (as the R did package for panel data)
                sub = gi | ci
                att, inf_sub = _ESTIMATORS[estimator](
                    dY[sub], gi[sub].astype(float), XW[sub, pos[int(b)], :]
                )
                inf = np.zeros(len(G))
                inf[sub] = len(G) / sub.sum() * inf_sub
            se = _se(inf)
            rows.append(
                (
                    int(g),
                    int(t),
                    int(t - g),
                    att,
                    se,
                    _pval(att, se),
                    int(gi.sum()),
                    int(ci.sum()),
                    int(b),
                )
            )
            infl[(int(g), int(t))] = inf
    att_gt = pd.DataFrame(
        rows,
        columns=["group", "time", "rel_time", "att", "se", "p", "n_group", "n_control", "base"],
    )

    def agg(sel: pd.DataFrame) -> tuple[float, np.ndarray]:
        keys = list(zip(sel.group, sel.time, strict=True))
        infs = np.column_stack([infl[k] for k in keys])
        pg = np.array([pg_all[g] for g in sel.group])
        member = np.column_stack([(G == g).astype(float) for g in sel.group])
        return _aggregate(sel.att.to_numpy(float), infs, pg, member)

    def block(est: float, inf: np.ndarray) -> dict[str, float]:
        se = _se(inf)
        return {"att": est, "se": se, "p": _pval(est, se)}

    post = att_gt[att_gt.rel_time >= 0]
    if post.empty:
        # every (cohort, year) cell was skipped: nothing to aggregate
        raise InputError(
            [
                Problem(
                    spec.source,
                    None,
                    FIRST_COL,
                    None,
                    "no group-time ATT after adoption could be estimated: each cohort needs "
                    "comparison units (never or not yet treated) in its base year and later "
                    "years, more of them than covariates",
                )
            ]
        )
    est, inf = agg(post)
    overall = block(est, inf)
    infl["simple"] = inf

    dyn_rows, dyn_infs = [], {}
    for e, sel in att_gt.groupby("rel_time"):
        est, inf = agg(sel)
        dyn_infs[int(e)] = (est, inf)
        infl[("dynamic", int(e))] = inf
        b = block(est, inf)
        dyn_rows.append((int(e), b["att"], b["se"], b["p"]))
    dynamic = pd.DataFrame(dyn_rows, columns=["rel_time", "att", "se", "p"])
    post_e = [e for e in dyn_infs if e >= 0]
    d_est = float(np.mean([dyn_infs[e][0] for e in post_e]))
    d_inf = np.mean(np.column_stack([dyn_infs[e][1] for e in post_e]), axis=1)
    dynamic_overall = block(d_est, d_inf)
    infl["dynamic_overall"] = d_inf

    cal_rows, c_atts, c_infs = [], [], []
    for t, sel in post.groupby("time"):
        est, inf = agg(sel)
        infl[("calendar", int(t))] = inf
        b = block(est, inf)
        cal_rows.append((int(t), b["att"], b["se"], b["p"]))
        c_atts.append(est)
        c_infs.append(inf)
    calendar = pd.DataFrame(cal_rows, columns=["time", "att", "se", "p"])
    c_inf = np.mean(np.column_stack(c_infs), axis=1)
    calendar_overall = block(float(np.mean(c_atts)), c_inf)
    infl["calendar_overall"] = c_inf

    grp_rows, g_atts, g_infs = [], [], []
    # a cohort adopting after the panel's last year has no post cell: not in the group summary
    groups = np.array([g for g in groups if (post.group == g).any()])
    for g in groups:
        sel = post[post.group == g]
        est = float(sel.att.mean())
        inf = np.mean(np.column_stack([infl[(int(g), int(t))] for t in sel.time]), axis=1)
        b = block(est, inf)
        infl[("group", int(g))] = inf
        grp_rows.append((int(g), b["att"], b["se"], b["p"]))
        g_atts.append(est)
        g_infs.append(inf)
    group = pd.DataFrame(grp_rows, columns=["group", "att", "se", "p"])
    pg = np.array([pg_all[g] for g in groups])
    member = np.column_stack([(G == g).astype(float) for g in groups])
    est, inf = _aggregate(np.array(g_atts), np.column_stack(g_infs), pg, member)
    group_overall = block(est, inf)
    infl["group_overall"] = inf
    return CSResult(
        att_gt=att_gt,
        overall=overall,
        dynamic=dynamic,
        dynamic_overall=dynamic_overall,
        group=group,
        group_overall=group_overall,
        control=control,
        base_period=base_period,
        covariates=covs,
        influence=infl,
        calendar=calendar,
        calendar_overall=calendar_overall,
        estimator=estimator,
        anticipation=int(anticipation),
    )


def cs_uniform_bands(
    cs: CSResult,
    *,
    draws: int = 999,
    alpha: float = 0.05,
    seed: int = 0,
    aggregation: str = "dynamic",
) -> pd.DataFrame:
    r"""Multiplier-bootstrap standard errors and uniform confidence bands for the event-time ATTs.

    Each draw multiplies the per-unit influence functions by Mammen (1993) two-point weights
    :math:`V_i` (mean 0, variance 1) and takes :math:`\sum_i V_i \psi_i / n`; the bootstrap
    standard error is the interquartile range of the draws divided by that of N(0, 1), and the
    critical value is the :math:`1-\alpha` quantile of :math:`\max_e |\hat\theta^*_e /
    \hat\sigma_e|` over event times (Callaway and Sant'Anna 2021, Sec. 4.1; R ``did`` with
    ``bstrap = TRUE, cband = TRUE``).

    Parameters
    ----------
    cs : CSResult
        Result of :func:`callaway_santanna`.
    draws : int
        Bootstrap draws.
    alpha : float
        1 - confidence level.
    seed : int
        Seed of the multiplier draws.
    aggregation : {'dynamic', 'group', 'calendar', 'gt'}
        Which effects the band covers: event times (default), groups, calendar years or all
        group-time ATTs.

    Returns
    -------
    DataFrame
        ``rel_time`` (``group`` / ``time`` / ``group`` and ``time`` for the other
        aggregations), ``att``, ``se_boot``, ``crit`` (uniform critical value, same for all rows),
        ``lower``, ``upper`` (simultaneous band), ``pointwise_lower``, ``pointwise_upper``.
    """
    if aggregation == "dynamic":
        keys = pd.DataFrame({"rel_time": [int(e) for e in cs.dynamic.rel_time]})
        inf_keys = [("dynamic", e) for e in keys.rel_time]
        att = cs.dynamic.att.to_numpy(float)
    elif aggregation == "group":
        keys = pd.DataFrame({"group": [int(g) for g in cs.group.group]})
        inf_keys = [("group", g) for g in keys.group]
        att = cs.group.att.to_numpy(float)
    elif aggregation == "calendar":
        cal = cs.calendar if cs.calendar is not None else pd.DataFrame(columns=["time", "att"])
        keys = pd.DataFrame({"time": [int(t) for t in cal.time]})
        inf_keys = [("calendar", t) for t in keys.time]
        att = cal.att.to_numpy(float)
    elif aggregation == "gt":
        keys = cs.att_gt[["group", "time"]].astype(int).reset_index(drop=True)
        inf_keys = list(zip(keys.group, keys.time, strict=True))
        att = cs.att_gt.att.to_numpy(float)
    else:
        raise ValueError("aggregation must be 'dynamic', 'group', 'calendar' or 'gt'")
    psi = np.column_stack([cs.influence[k] for k in inf_keys])
    n = psi.shape[0]
    rng = np.random.default_rng(seed)
    s5 = np.sqrt(5.0)
    p_low = (s5 + 1) / (2 * s5)  # Mammen: (1 - sqrt5)/2 with prob (sqrt5 + 1)/(2 sqrt5)
    V = np.where(rng.random((draws, n)) < p_low, (1 - s5) / 2, (1 + s5) / 2)
    boot = V @ psi / n  # draws x event times
    q75, q25 = np.quantile(boot, [0.75, 0.25], axis=0)
    se = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    ok = se > np.sqrt(np.finfo(float).eps) * 10
    if not ok.any():
        crit = float("nan")  # no sampling variation: no band
    else:
        crit = float(np.quantile(np.max(np.abs(boot[:, ok]) / se[ok], axis=1), 1 - alpha))
    se = np.where(ok, se, np.nan)
    z = stats.norm.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {
            **{c: keys[c].to_numpy() for c in keys.columns},
            "att": att,
            "se_boot": se,
            "crit": crit,
            "lower": att - crit * se,
            "upper": att + crit * se,
            "pointwise_lower": att - z * se,
            "pointwise_upper": att + z * se,
        }
    )


@dataclass
class SunAbrahamResult:
    """Sun-Abraham interaction-weighted event study.

    Attributes
    ----------
    table : DataFrame
        ``rel_time``, ``estimate``, ``se``, ``t``, ``p`` (normal), reference row with 0.
    cohort_effects : DataFrame
        Cohort-specific effects CATT(g, e): ``group``, ``rel_time``, ``estimate``, ``se``,
        ``weight`` (share of cohort g among treated observations at event time e).
    control_cohort : str
        ``never`` or the last-treated cohort used as control.
    model : DIDResult
        The saturated pyfixest regression.
    overall : dict
        ``att``, ``se``, ``p``: the average of the post-adoption CATT(g, e) (e >= 0) weighted by
        their numbers of treated observations (the average effect on the treated observations;
        SE by w'Vw).
    """

    table: pd.DataFrame
    cohort_effects: pd.DataFrame
    control_cohort: str
    model: DIDResult
    overall: dict[str, float] = field(default_factory=dict)

    def to_records(self) -> list[dict[str, Any]]:
        """JSON list of rel_time, estimate, se, p."""
        return [
            {"rel_time": int(r.rel_time), "estimate": r.estimate, "se": r.se, "p": r.p}
            for r in self.table.itertuples()
        ]


def sun_abraham(
    df: pd.DataFrame,
    spec: PanelSpec,
    *,
    leads: int | None = None,
    lags: int | None = None,
    conley: ConleySpec | None = None,
    coords_km: pd.DataFrame | None = None,
) -> SunAbrahamResult:
    """Sun-Abraham interaction-weighted event-study estimator on pyfixest.

    .. math:: y_{it} = \\lambda_i + \\eta_t + \\sum_{g}\\sum_{e \\ne -1}
              \\delta_{g,e}\\,1\\{G_i = g\\}\\,1\\{t - g = e\\} + \\rho'X_{it} + \\varepsilon_{it}

    :math:`\\hat\\delta_{g,e}` estimates CATT(g, e) against the never-treated (or, when every
    unit is eventually treated, the last-treated cohort, whose periods from its adoption on are
    dropped). The event-time effect is
    :math:`\\hat\\nu_e = \\sum_g \\Pr(G = g \\mid G \\in C_e)\\,\\hat\\delta_{g,e}`.

    Parameters
    ----------
    df : DataFrame
        Long panel.
    spec : PanelSpec
        Column roles (controls and clustering apply).
    leads, lags : int, optional
        Report only event times in ``[-leads, lags]`` (the regression stays fully saturated).
    conley : ConleySpec, optional
        Conley spatial-HAC covariance of the interactions instead of the cluster-robust one.
    coords_km : DataFrame, optional
        Unit coordinates in km (index unit id, columns ``x_km``, ``y_km``), with ``conley``.

    Returns
    -------
    SunAbrahamResult

    Notes
    -----
    Standard errors treat the cohort shares as fixed: :math:`w' V w` with the cluster-robust
    covariance :math:`V` of the :math:`\\hat\\delta_{g,e}`.
    """
    panel, spec = prepare_panel(df, spec)
    check_identified(panel, spec, [DID_COL])  # as the event study: the dummies sum to it
    years = np.sort(panel[spec.time].unique())
    G = panel[FIRST_COL]
    panel = panel[~(G <= years[0])].reset_index(drop=True)  # always-treated: no pre-period
    G = panel[FIRST_COL]
    if np.isinf(G).any():
        control = "never"
    else:
        last = G.max()
        control = f"last-treated cohort {int(last)}"
        panel = panel[panel[spec.time] < last].reset_index(drop=True)
        G = panel[FIRST_COL].where(panel[FIRST_COL] != last, np.inf)
        panel[FIRST_COL] = G
    e = panel[spec.time] - G
    names, meta = [], []
    for g in sorted(set(G[np.isfinite(G)])):
        for k in sorted(set(e[G == g].astype(int))):
            if k == -1:
                continue
            name = f"sa_g{int(g)}_e{'m' if k < 0 else 'p'}{abs(k)}"
            panel[name] = ((G == g) & (e == k)).astype(int)
            names.append(name)
            meta.append((int(g), int(k), name))
    model = fit_fe(
        panel,
        spec,
        names,
        label="Sun-Abraham",
        conley=conley,
        coords_km=coords_km,
        control=control,
    )
    co, V = model.coefficients, model.vcov
    ses = co.loc[co.index.intersection(names), "se"].to_numpy(float)
    if ses.size and not (np.isfinite(ses) & (ses > 0)).any():
        # an exact fit (e.g. two units, two years): every standard error is 0, no inference
        raise InputError(
            [
                Problem(
                    spec.source,
                    None,
                    DID_COL,
                    None,
                    "the regression fits the outcome exactly (standard error 0.0): no "
                    "inference is possible; give more units or years",
                )
            ]
        )
    # cohort shares among treated observations at each event time
    obs = pd.DataFrame(meta, columns=["group", "rel_time", "term"])
    obs = obs[obs.term.isin(co.index)]
    obs["n"] = [int(panel[t].sum()) for t in obs.term]
    obs["weight"] = obs.n / obs.groupby("rel_time").n.transform("sum")
    obs["estimate"] = co.loc[obs.term, "estimate"].to_numpy()
    obs["se"] = co.loc[obs.term, "se"].to_numpy()
    rows = []
    for k, sel in obs.groupby("rel_time"):
        w = sel.weight.to_numpy()
        est = float(w @ sel.estimate.to_numpy())
        Vs = V.loc[sel.term, sel.term].to_numpy()
        se = float(np.sqrt(w @ Vs @ w))
        rows.append((int(k), est, se, est / se, _pval(est, se)))
    rows.append((-1, 0.0, np.nan, np.nan, np.nan))
    table = pd.DataFrame(rows, columns=["rel_time", "estimate", "se", "t", "p"]).sort_values(
        "rel_time"
    )
    if leads is not None:
        table = table[table.rel_time >= -leads]
    if lags is not None:
        table = table[table.rel_time <= lags]
    cohort = obs[["group", "rel_time", "estimate", "se", "weight"]].reset_index(drop=True)
    post = obs[obs.rel_time >= 0]
    overall = {"att": float("nan"), "se": float("nan"), "p": float("nan")}
    if len(post):
        w = (post.n / post.n.sum()).to_numpy(float)
        est = float(w @ post.estimate.to_numpy())
        se = float(np.sqrt(w @ V.loc[post.term, post.term].to_numpy() @ w))
        overall = {"att": est, "se": se, "p": _pval(est, se)}
    return SunAbrahamResult(table.reset_index(drop=True), cohort, control, model, overall)


@dataclass
class BaconResult:
    """Goodman-Bacon decomposition of the TWFE DID coefficient.

    Attributes
    ----------
    table : DataFrame
        One row per 2x2 comparison: ``type`` (``treated vs never``, ``earlier vs later``
        (later group not yet treated as control), ``later vs earlier`` (already-treated
        earlier group as control), ``later vs always treated``), ``treated``, ``control``
        (``inf`` = never treated), ``estimate``, ``weight``.
    by_type : DataFrame
        Weights and weighted-average estimates per comparison type.
    twfe : float
        The TWFE DID coefficient (pyfixest, same sample, no controls).
    weighted_sum : float
        :math:`\\sum_k s_k \\hat\\beta_k`, equal to ``twfe`` on a balanced panel.
    """

    table: pd.DataFrame
    by_type: pd.DataFrame
    twfe: float
    weighted_sum: float


def bacon_decomposition(df: pd.DataFrame, spec: PanelSpec) -> BaconResult:
    """Goodman-Bacon (2021) decomposition of the two-way fixed-effects DID estimate.

    With timing groups k (first treated year), never-treated U, group shares :math:`n_k` and
    the share of periods :math:`\\bar D_k` each group spends treated, Theorem 1 writes the TWFE
    coefficient as :math:`\\sum s_{kU}\\hat\\beta_{kU} + \\sum_{k<l}(s^k_{kl}\\hat\\beta^k_{kl} +
    s^l_{kl}\\hat\\beta^l_{kl})` with weights (eq. 10)

    .. math::
        s_{kU} &= (n_k+n_U)^2\\,n_{kU}(1-n_{kU})\\,\\bar D_k(1-\\bar D_k) / \\hat V^D \\\\
        s^k_{kl} &= ((n_k+n_l)(1-\\bar D_l))^2\\,n_{kl}(1-n_{kl})\\,
            \\frac{\\bar D_k-\\bar D_l}{1-\\bar D_l}\\frac{1-\\bar D_k}{1-\\bar D_l} / \\hat V^D \\\\
        s^l_{kl} &= ((n_k+n_l)\\bar D_k)^2\\,n_{kl}(1-n_{kl})\\,
            \\frac{\\bar D_l}{\\bar D_k}\\frac{\\bar D_k-\\bar D_l}{\\bar D_k} / \\hat V^D

    :math:`n_{ab} = n_a/(n_a+n_b)`, :math:`\\hat V^D` the variance of the two-way demeaned
    treatment. Units treated from the first year on form a group with :math:`\\bar D = 1`.

    Parameters
    ----------
    df : DataFrame
        Long balanced panel.
    spec : PanelSpec
        Column roles; controls are ignored (the theorem is for the regression without them).

    Returns
    -------
    BaconResult
    """
    panel, spec = prepare_panel(df, spec.with_(controls=()))
    _require_balanced(panel, spec, "the Goodman-Bacon decomposition")
    Y, years, G = _wide(panel, spec)
    N, T = Y.shape
    D = (years[None, :] >= G[:, None]).astype(float)
    Dt = D - D.mean(1, keepdims=True) - D.mean(0, keepdims=True) + D.mean()
    VD = float(np.mean(Dt**2))
    labels = sorted(set(G))  # inf (never) last
    info = {}
    for g in labels:
        m = G == g
        info[g] = (m.sum() / N, float(D[m][0].mean()), Y[m].mean(axis=0))
    rows = []

    def dd(a: np.ndarray, b: np.ndarray, post: np.ndarray, pre: np.ndarray) -> float:
        return float((a[post].mean() - a[pre].mean()) - (b[post].mean() - b[pre].mean()))

    never = [g for g in labels if np.isinf(g)]
    timing = [g for g in labels if np.isfinite(g)]
    if never:
        nU, _, yU = info[never[0]]
        for k in timing:
            nk, Dk, yk = info[k]
            if Dk in (0.0, 1.0):
                continue
            post, pre = years >= k, years < k
            s = (nk + nU) ** 2 * (nk / (nk + nU)) * (nU / (nk + nU)) * Dk * (1 - Dk) / VD
            rows.append(("treated vs never", k, np.inf, dd(yk, yU, post, pre), s))
    for i, k in enumerate(timing):
        for l in timing[i + 1 :]:  # noqa: E741  (l as in the paper)
            nk, Dk, yk = info[k]
            nl, Dl, yl = info[l]
            nkl = nk / (nk + nl)
            if Dl < 1 and Dk > Dl:
                # earlier k treated, later l (not yet treated) as control: years before l
                win = years < l
                s = (
                    ((nk + nl) * (1 - Dl)) ** 2
                    * nkl
                    * (1 - nkl)
                    * ((Dk - Dl) / (1 - Dl))
                    * ((1 - Dk) / (1 - Dl))
                    / VD
                )
                if s > 0:
                    est = dd(yk[win], yl[win], years[win] >= k, years[win] < k)
                    rows.append(("earlier vs later", k, l, est, s))
            if Dl > 0 and Dk > Dl:
                # later l treated, earlier k (already treated) as control: years from k on
                win = years >= k
                s = ((nk + nl) * Dk) ** 2 * nkl * (1 - nkl) * (Dl / Dk) * ((Dk - Dl) / Dk) / VD
                if s > 0:
                    est = dd(yl[win], yk[win], years[win] >= l, years[win] < l)
                    kind = "later vs always treated" if Dk == 1.0 else "later vs earlier"
                    rows.append((kind, l, k, est, s))
    table = pd.DataFrame(rows, columns=["type", "treated", "control", "estimate", "weight"])
    table["weighted"] = table.estimate * table.weight
    by_type = table.groupby("type").agg(weight=("weight", "sum"), weighted=("weighted", "sum"))
    by_type["estimate"] = by_type.weighted / by_type.weight
    by_type = by_type.drop(columns="weighted").reset_index()
    twfe = fit_fe(panel, spec, [DID_COL]).coef()
    return BaconResult(
        table=table.drop(columns="weighted"),
        by_type=by_type,
        twfe=twfe,
        weighted_sum=float(table.weighted.sum()),
    )


def twfe_reference(df: pd.DataFrame, spec: PanelSpec) -> DIDResult:
    """TWFE DID without controls on the same sample (the target of the Bacon decomposition)."""
    panel, spec = prepare_panel(df, spec.with_(controls=()))
    return fit_fe(panel, spec, [DID_COL])
