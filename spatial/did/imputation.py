"""Imputation DID (Borusyak, Jaravel and Spiess 2024; the same point estimates as Gardner's two-stage).

1. Fit :math:`y_{it} = \\alpha_i + \\lambda_t + X_{it}'\\delta + \\varepsilon_{it}` by OLS on the
   untreated observations :math:`\\Omega_0` only (never-treated units, and treated units before
   ``first_treated - anticipation``).
2. Impute :math:`\\hat Y_{it}(0) = \\hat\\alpha_i + \\hat\\lambda_t + X_{it}'\\hat\\delta` for the
   treated observations :math:`\\Omega_1` and take :math:`\\hat\\tau_{it} = Y_{it} - \\hat Y_{it}(0)`.
3. Average: the overall ATT over all of :math:`\\Omega_1` (equal weights per observation) and the
   event-time ATTs over the observations with :math:`t - G_i = e`.

Each estimate is linear in :math:`Y`, :math:`\\hat\\tau_w = \\sum_{it} v_{it} Y_{it}` with
:math:`v = w` on :math:`\\Omega_1` and :math:`v_0 = -Z_0 (Z_0'Z_0)^{-1} Z_1' w_1` on
:math:`\\Omega_0` (BJS eq. 5). The standard error is the BJS conservative variance (Theorem 3),
clustered by unit: :math:`\\hat\\sigma^2 = \\sum_i (\\sum_t v_{it}\\tilde\\varepsilon_{it})^2`
with :math:`\\tilde\\varepsilon` the first-stage residuals on :math:`\\Omega_0` and
:math:`\\hat\\tau_{it} - \\bar\\tau_{G_i,t}` on :math:`\\Omega_1`, where
:math:`\\bar\\tau_{G_i,t}` is the leave-out mean of the other effects in the cohort x year cell
(BJS's default ``avgeffectsby`` in its leave-out version). The same scores
:math:`s_{it} = v_{it}\\tilde\\varepsilon_{it}` give the two-way clustered variance (unit and year,
Cameron, Gelbach and Miller 2011: :math:`\\sum_i (\\sum_t s)^2 + \\sum_t (\\sum_i s)^2 - \\sum s^2`)
and the Conley spatial-HAC variance (:func:`policylink.spatial.did.conley.conley_meat`).

Pre-trends are tested as BJS recommend (Test 1), separately from the estimation: on
:math:`\\Omega_0`, regress the outcome on the fixed effects, the controls and lead dummies
:math:`1\\{t - G_i = k\\}` for :math:`k = -K, \\dots, -1 - \\text{anticipation}` (pyfixest, CRV1 by
unit) and report the coefficients and the joint Wald test.

References
----------
Borusyak, K., Jaravel, X., & Spiess, J. (2024). Revisiting event-study designs: robust and
efficient estimation. Review of Economic Studies, 91(6), 3253-3285.
Gardner, J. (2022). Two-stage differences in differences. arXiv:2207.05943.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from scipy.sparse.linalg import splu

from policylink.spatial.did.conley import ConleySpec, conley_meat
from policylink.spatial.did.panel import FIRST_COL, PanelSpec, check_fixed_effects, prepare_panel
from policylink.spatial.errors import InputError, Problem

__all__ = ["ImputationResult", "imputation_did"]


def _pval(est: float, se: float) -> float:
    if not (np.isfinite(se) and se > 0):
        return float("nan")
    return float(2 * stats.norm.sf(abs(est / se)))


@dataclass
class ImputationResult:
    """Imputation DID estimates.

    Attributes
    ----------
    overall : dict
        ``att``, ``se``, ``p``, ``n_obs`` (treated observations averaged).
    event : DataFrame
        ``rel_time``, ``estimate``, ``se``, ``p``, ``n_obs``, ``kind``: imputation ATTs for
        event times from ``-anticipation`` on (``kind='effect'``) and the pre-trend lead
        coefficients (``kind='pretrend'``).
    pretrend : dict
        Joint Wald test of the leads: ``stat`` (chi2), ``df``, ``p`` (NaN when no leads).
    tau : DataFrame
        Per treated observation: unit, time, ``group`` (first treated year), ``rel_time``,
        ``tau`` (observed minus imputed outcome).
    anticipation : int
        Periods of anticipation (observations from ``first_treated - anticipation`` on count
        as treated).
    n_obs : int
        Observations used (untreated + imputed treated).
    n_units : int
        Units used.
    n_untreated : int
        Observations of the first stage.
    controls : list of str
        Controls of the first stage.
    notes : list of str
        What was left out and why.
    influence : dict
        Per-unit :math:`\\sum_t v_{it}\\tilde\\varepsilon_{it}` of each estimate (key
        ``'overall'`` and event times), for bootstrap or aggregation.
    inference : str
        Which variance was used (clustering or Conley).
    """

    overall: dict[str, float]
    event: pd.DataFrame
    pretrend: dict[str, float]
    tau: pd.DataFrame
    anticipation: int
    n_obs: int
    n_units: int
    n_untreated: int
    controls: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    influence: dict[Any, np.ndarray] = field(default_factory=dict, repr=False)
    inference: str = "Borusyak-Jaravel-Spiess conservative, clustered by unit"

    def to_dict(self) -> dict[str, Any]:
        """JSON ``imputation`` block."""
        return {
            "att": dict(self.overall),
            "event_study": [
                {
                    "rel_time": int(r.rel_time),
                    "estimate": float(r.estimate),
                    "se": float(r.se),
                    "p": float(r.p),
                    "n_obs": int(r.n_obs),
                    "kind": r.kind,
                }
                for r in self.event.itertuples()
            ],
            "pretrend": dict(self.pretrend),
            "anticipation": self.anticipation,
            "n_obs": self.n_obs,
            "n_units": self.n_units,
            "n_untreated": self.n_untreated,
            "controls": list(self.controls),
            "notes": list(self.notes),
            "variance": self.inference,
            "inference": self.inference,
        }


def _problem(spec: PanelSpec, column: str | None, text: str) -> InputError:
    return InputError([Problem(spec.source, None, column, None, text)])


def imputation_did(
    df: pd.DataFrame,
    spec: PanelSpec,
    *,
    horizons: int | None = None,
    pretrends: int = 5,
    anticipation: int = 0,
    conley: ConleySpec | None = None,
    coords_km: pd.DataFrame | None = None,
) -> ImputationResult:
    """Borusyak-Jaravel-Spiess imputation DID with event-time effects and a pre-trend test.

    Parameters
    ----------
    df : DataFrame
        Long panel (need not be balanced).
    spec : PanelSpec
        Column roles; the controls enter the first stage. Standard errors are clustered as
        ``spec.cluster`` says (by unit, or two-way by unit and year).
    horizons : int, optional
        Largest event time reported (the overall ATT always uses every treated observation).
        Default: all.
    pretrends : int
        Leads in the pre-trend test (0 = no test).
    anticipation : int
        Periods before ``first_treated`` in which units may already react; they are left out
        of the first stage and get imputed effects (event times ``-anticipation .. -1``).
    conley : ConleySpec, optional
        Conley spatial-HAC variance of the same scores instead of the clustered one (the
        pre-trend test stays cluster-robust).
    coords_km : DataFrame, optional
        Unit coordinates in km (index unit id, columns ``x_km``, ``y_km``), with ``conley``.

    Returns
    -------
    ImputationResult

    Raises
    ------
    policylink.spatial.errors.InputError
        No treated or no untreated observations, or nothing can be imputed (every treated
        observation belongs to a unit or year without untreated observations).
    """
    if anticipation < 0 or pretrends < 0:
        raise ValueError("anticipation and pretrends must be >= 0")
    if conley is not None:
        conley.check()
        if coords_km is None:
            raise ValueError("Conley standard errors need the units' coordinates")
    panel, spec = prepare_panel(df, spec)
    controls = list(spec.controls)
    panel = panel.reset_index(drop=True)
    G = panel[FIRST_COL].to_numpy(float)
    t = panel[spec.time].to_numpy(int)
    treated = t >= G - anticipation  # G = inf for never treated
    notes: list[str] = []
    if not treated.any():
        raise _problem(spec, spec.time, "no treated observations: nothing to impute")
    if treated.all():
        raise _problem(spec, spec.time, "no untreated observations: nothing to fit Y(0) on")
    # units and years need untreated observations for their fixed effects
    unit = panel[spec.unit].to_numpy()
    ok_units = set(unit[~treated])
    ok_years = set(t[~treated])
    bad = treated & ~(pd.Series(unit).isin(ok_units).to_numpy() & np.isin(t, list(ok_years)))
    if bad.any():
        n_u = len(set(unit[bad & ~pd.Series(unit).isin(ok_units).to_numpy()]))
        n_y = len(set(t[bad & ~np.isin(t, list(ok_years))]))
        notes.append(
            f"{int(bad.sum())} treated observations cannot be imputed and are left out "
            f"({n_u} units treated in every year, {n_y} years without untreated units)"
        )
        panel = panel[~bad].reset_index(drop=True)
        G, t, treated, unit = G[~bad], t[~bad], treated[~bad], unit[~bad]
    if not treated.any():
        raise _problem(spec, spec.time, "no treated observation can be imputed")
    y = panel[spec.outcome].to_numpy(float)
    n = len(panel)
    u_code, u_lev = pd.factorize(unit)
    t_code, t_lev = pd.factorize(t, sort=True)
    # design: all unit dummies, year dummies except one year with untreated observations
    ref_year = int(t_code[~treated][0])
    keep_t = np.array([j for j in range(len(t_lev)) if j != ref_year])
    t_map = -np.ones(len(t_lev), dtype=int)
    t_map[keep_t] = np.arange(len(keep_t))
    nu, nt = len(u_lev), len(keep_t)
    rows = np.arange(n)
    Zu = sp.csr_matrix((np.ones(n), (rows, u_code)), shape=(n, nu))
    has_t = t_map[t_code] >= 0
    Zt = sp.csr_matrix((np.ones(has_t.sum()), (rows[has_t], t_map[t_code][has_t])), shape=(n, nt))
    X = panel[controls].to_numpy(float) if controls else np.zeros((n, 0))
    Z = sp.hstack([Zu, Zt, sp.csr_matrix(X)]).tocsr()
    Z0, Z1 = Z[~treated], Z[treated]
    A = (Z0.T @ Z0).tocsc()
    try:
        lu = splu(A)
        coef = lu.solve(np.asarray(Z0.T @ y[~treated]).ravel())
    except RuntimeError as exc:  # singular: controls collinear with the fixed effects
        raise _problem(
            spec,
            None,
            "the first stage (unit and year effects and controls on untreated observations) "
            "is singular: drop controls that are constant within units or years",
        ) from exc
    if not np.all(np.isfinite(coef)) or not np.allclose(
        A @ coef, np.asarray(Z0.T @ y[~treated]).ravel(), rtol=1e-7, atol=1e-8
    ):
        raise _problem(spec, None, "the first stage is singular (collinear controls)")
    yhat = np.asarray(Z @ coef).ravel()
    resid = y - yhat  # Omega_0: first-stage residual; Omega_1: tau_hat
    tau = resid[treated]
    e_all = np.where(np.isfinite(G), t - G, np.nan)
    e1 = e_all[treated].astype(int)
    # residuals of treated observations: tau minus its cohort x year mean
    # (leave-out: minus the mean of the other observations of the cell, as BJS suggest)
    grp = pd.Series(tau).groupby([G[treated], t[treated]])
    cell, size = grp.transform("mean").to_numpy(), grp.transform("size").to_numpy()
    eps = resid.copy()
    eps[treated] = np.where(size > 1, (tau - cell) * size / np.maximum(size - 1, 1), 0.0)
    if (size == 1).any():
        notes.append(
            f"{int((size == 1).sum())} treated observations are alone in their cohort x year "
            "cell; their effect heterogeneity does not enter the standard errors"
        )
    # estimands: overall and each event time
    ev = sorted(set(e1))
    if horizons is not None:
        ev = [e for e in ev if e <= horizons]
    W1 = [np.full(len(tau), 1.0 / len(tau))]
    for e in ev:
        m = e1 == e
        W1.append(m / m.sum())
    W1m = np.column_stack(W1)
    V0 = -(Z0 @ lu.solve(np.asarray(Z1.T @ W1m)))  # (n0, k)
    V = np.zeros((n, W1m.shape[1]))
    V[treated] = W1m
    V[~treated] = V0
    contrib = V * eps[:, None]
    per_unit = np.zeros((nu, W1m.shape[1]))
    np.add.at(per_unit, u_code, contrib)
    var = (per_unit**2).sum(axis=0)
    inference = "Borusyak-Jaravel-Spiess conservative, clustered by unit"
    if conley is not None:
        coords = coords_km.copy()  # type: ignore[union-attr]
        coords.index = coords.index.map(str)
        try:
            var = np.diag(conley_meat(contrib, unit, t, coords, conley)).copy()
        except ValueError as exc:
            raise _problem(spec, spec.unit, str(exc)) from exc
        inference = "Borusyak-Jaravel-Spiess conservative, " + conley.describe()
    elif spec.cluster == "twoway":
        # one observation per unit-year: the intersection clusters are the observations
        per_year = np.zeros((len(t_lev), W1m.shape[1]))
        np.add.at(per_year, t_code, contrib)
        var = var + (per_year**2).sum(axis=0) - (contrib**2).sum(axis=0)
        inference = "Borusyak-Jaravel-Spiess conservative, clustered by unit and year (two-way)"
    se = np.sqrt(np.clip(var, 0.0, None))
    est = W1m.T @ tau
    scale = max(float(np.std(y)), 1.0)
    se = np.where(se > 1e-10 * scale, se, np.nan)  # exact fits: no inference
    influence = {"overall": per_unit[:, 0]}
    for j, e in enumerate(ev, start=1):
        influence[int(e)] = per_unit[:, j]
    overall = {
        "att": float(est[0]),
        "se": float(se[0]),
        "p": _pval(float(est[0]), float(se[0])),
        "n_obs": int(len(tau)),
    }
    event_rows = [
        (int(e), float(est[j]), float(se[j]), _pval(est[j], se[j]), int((e1 == e).sum()), "effect")
        for j, e in enumerate(ev, start=1)
    ]
    pre_rows, pretrend = _pretrend_test(panel, spec, G, t, treated, pretrends, anticipation)
    event = pd.DataFrame(
        pre_rows + event_rows, columns=["rel_time", "estimate", "se", "p", "n_obs", "kind"]
    ).sort_values("rel_time", kind="stable")
    tau_frame = pd.DataFrame(
        {
            spec.unit: unit[treated],
            spec.time: t[treated],
            "group": G[treated].astype(int),
            "rel_time": e1,
            "tau": tau,
        }
    )
    return ImputationResult(
        overall=overall,
        event=event.reset_index(drop=True),
        pretrend=pretrend,
        tau=tau_frame,
        anticipation=int(anticipation),
        n_obs=int(n),
        n_units=int(nu),
        n_untreated=int((~treated).sum()),
        controls=controls,
        notes=notes,
        influence=influence,
        inference=inference,
    )


def _pretrend_test(
    panel: pd.DataFrame,
    spec: PanelSpec,
    G: np.ndarray,
    t: np.ndarray,
    treated: np.ndarray,
    leads: int,
    anticipation: int,
) -> tuple[list[tuple], dict[str, float]]:
    """BJS Test 1: lead dummies on the untreated observations (pyfixest, CRV1 by ``spec.cluster``)."""
    empty = {"stat": float("nan"), "df": 0, "p": float("nan")}
    if leads == 0:
        return [], empty
    import pyfixest as pf

    from policylink.spatial.did.twfe import _q

    data = panel[~treated].copy()
    e = (t - G)[~treated]
    names, ks = [], []
    for k in range(-leads - anticipation, -anticipation):
        m = e == k  # never treated: e = -inf, no lead
        if m.sum() == 0:
            continue
        name = f"lead_{abs(k)}"
        data[name] = m.astype(float)
        names.append(name)
        ks.append(k)
    if not names or data[spec.unit].nunique() < 2 or data[spec.time].nunique() < 2:
        return [], empty
    try:
        # the untreated subset may be all singletons: pyfixest's demeaning would abort
        check_fixed_effects(data, spec)
    except InputError:
        return [], empty
    rhs = " + ".join(_q(c) for c in [*names, *spec.controls])
    formula = f"{_q(spec.outcome)} ~ {rhs} | {_q(spec.unit)} + {_q(spec.time)}"
    try:
        fit = pf.feols(formula, data, vcov=spec.vcov())
    except Exception:  # noqa: BLE001 - the test is optional; the estimates stand without it
        return [], empty
    tid = fit.tidy()
    coefs = tid["Estimate"]
    ses = tid["Std. Error"]
    rows, kept = [], []
    for name, k in zip(names, ks, strict=True):
        if name not in coefs.index:
            continue
        b, s = float(coefs[name]), float(ses[name])
        rows.append((k, b, s, _pval(b, s), int(data[name].sum()), "pretrend"))
        kept.append(name)
    if not kept:
        return [], empty
    idx = [list(coefs.index).index(c) for c in kept]
    b = coefs.to_numpy(float)[idx]
    Vb = np.asarray(fit._vcov)[np.ix_(idx, idx)]
    try:
        stat = float(b @ np.linalg.solve(Vb, b))
    except np.linalg.LinAlgError:
        return rows, empty
    if not np.isfinite(stat):
        return rows, empty
    return rows, {"stat": stat, "df": len(kept), "p": float(stats.chi2.sf(stat, len(kept)))}
