"""de Chaisemartin-D'Haultfoeuille estimators for a binary treatment that can switch on and off.

- :math:`DID_M` (de Chaisemartin and D'Haultfoeuille 2020, AER): for every pair of consecutive
  periods, joiners (0 -> 1) against units untreated in both, and units treated in both against
  leavers (1 -> 0); the average over switching cells

  .. math:: DID_M = \\sum_t \\frac{N_{1,0,t}}{N_S} DID_{+,t} + \\frac{N_{0,1,t}}{N_S} DID_{-,t}

  (a period's term is dropped when its comparison group is empty).
- :math:`DID_\\ell` (de Chaisemartin and D'Haultfoeuille 2024, REStat; ``did_multiplegt_dyn``
  without weights or controls): for each unit whose treatment first changes in period
  :math:`F_g`, the change of its outcome from :math:`F_g-1` to :math:`F_g-1+\\ell` against the
  mean change of the units with the same initial treatment that have not switched by
  :math:`F_g-1+\\ell`; signed +1 for switchers in and -1 for switchers out, averaged over
  switchers. Placebos use :math:`F_g-1-\\ell` instead of :math:`F_g-1+\\ell`.

Standard errors: bootstrap over units (clusters), ``draws`` resamples with replacement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from policylink.spatial.errors import InputError, Problem


def _wide(
    df: pd.DataFrame, outcome: str, unit: str, time: str, treat: str, source: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcome and treatment matrices (units x periods) of a balanced 0/1 panel."""
    for c in (outcome, unit, time, treat):
        if c not in df.columns:
            raise InputError([Problem(source, None, c, None, "column not found")])
    d_num = pd.to_numeric(df[treat], errors="coerce")  # files may read it as text
    bad = ~d_num.isin([0, 1])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            [Problem(source, i + 1, treat, df[treat].iloc[i], "treatment must be 0 or 1")]
        )
    y = pd.to_numeric(df[outcome], errors="coerce")
    if y.isna().any():
        i = int(np.flatnonzero(y.isna().to_numpy())[0])
        raise InputError(
            [Problem(source, i + 1, outcome, df[outcome].iloc[i], "expected a number")]
        )
    n_u, n_t = df[unit].nunique(), df[time].nunique()
    if len(df) != n_u * n_t or df.duplicated([unit, time]).any():
        raise InputError(
            [
                Problem(
                    source,
                    None,
                    None,
                    None,
                    "the de Chaisemartin-D'Haultfoeuille estimators need a balanced panel "
                    f"(one row per unit and period); {n_u} units x {n_t} periods != {len(df)} rows",
                )
            ]
        )
    d = df.assign(_y=y, _d=d_num)
    Y = d.pivot(index=unit, columns=time, values="_y").sort_index(axis=1)
    D = d.pivot(index=unit, columns=time, values="_d").sort_index(axis=1)
    return Y.to_numpy(float), D.to_numpy(int), Y.columns.to_numpy()


def did_m(Y: np.ndarray, D: np.ndarray) -> tuple[float, int]:
    """:math:`DID_M` and the number of switching cells it averages.

    Parameters
    ----------
    Y, D : ndarray, shape (units, periods)
        Outcomes and 0/1 treatments.

    Returns
    -------
    (float, int)
        The estimate (NaN when no switch has a comparison group) and :math:`N_S`.
    """
    num, n_s = 0.0, 0
    for t in range(1, Y.shape[1]):
        d0, d1 = D[:, t - 1], D[:, t]
        dy = Y[:, t] - Y[:, t - 1]
        join, stay0 = (d0 == 0) & (d1 == 1), (d0 == 0) & (d1 == 0)
        leave, stay1 = (d0 == 1) & (d1 == 0), (d0 == 1) & (d1 == 1)
        if join.any() and stay0.any():
            num += join.sum() * (dy[join].mean() - dy[stay0].mean())
            n_s += int(join.sum())
        if leave.any() and stay1.any():
            num += leave.sum() * (dy[stay1].mean() - dy[leave].mean())
            n_s += int(leave.sum())
    return (num / n_s if n_s else float("nan")), n_s


def _first_switch(D: np.ndarray) -> np.ndarray:
    """Column of each unit's first treatment change (inf = never changes)."""
    ch = D[:, 1:] != D[:, :-1]
    return np.where(ch.any(axis=1), ch.argmax(axis=1) + 1, np.inf)


def did_l(Y: np.ndarray, D: np.ndarray, ell: int) -> tuple[float, int]:
    """:math:`DID_\\ell` (``ell`` >= 1) or the placebo :math:`DID^{pl}_{|\\ell|}` (``ell`` <= -1).

    Parameters
    ----------
    Y, D : ndarray, shape (units, periods)
        Outcomes and 0/1 treatments.
    ell : int
        Periods since the first switch (1 = the switch period); negative for placebos.

    Returns
    -------
    (float, int)
        The estimate (NaN when no switcher has controls) and the number of switchers used.
    """
    T = Y.shape[1]
    F = _first_switch(D)
    base = D[:, 0]
    vals = []
    k = abs(ell)
    for g in np.flatnonzero(np.isfinite(F)):
        f = int(F[g])
        end = f - 1 + k  # last period the controls must not have switched by
        target = f - 1 + ell if ell > 0 else f - 1 - k
        if end > T - 1 or target < 0:
            continue
        ctrl = (base == base[g]) & (F > end)
        if not ctrl.any():
            continue
        sign = 1.0 if base[g] == 0 else -1.0
        own = Y[g, target] - Y[g, f - 1]
        other = (Y[ctrl, target] - Y[ctrl, f - 1]).mean()
        vals.append(sign * (own - other))
    return (float(np.mean(vals)) if vals else float("nan")), len(vals)


@dataclass
class DCDHResult:
    """DID_M, event-study DID_l and placebos with bootstrap standard errors.

    Attributes
    ----------
    did_m : dict
        estimate, se, p, n_switches.
    event : DataFrame
        rel_time (1..effects: effects; -1..-placebos: placebos), estimate, se, p, n_switchers.
    draws : int
        Bootstrap draws.
    n_units, n_periods : int
        Panel size.
    seed : int
        Seed of the bootstrap.
    """

    did_m: dict[str, float]
    event: pd.DataFrame
    draws: int
    n_units: int
    n_periods: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """JSON block: did_m, event_study rows, counts."""
        return {
            "did_m": dict(self.did_m),
            "event_study": self.event.to_dict(orient="records"),
            "draws": self.draws,
            "n_units": self.n_units,
            "n_periods": self.n_periods,
            "seed": self.seed,
        }


def _p(est: float, se: float) -> float:
    return float(2 * stats.norm.sf(abs(est / se))) if se > 0 and np.isfinite(est) else np.nan


def dcdh(
    df: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treat: str,
    effects: int = 3,
    placebos: int = 2,
    draws: int = 200,
    seed: int = 0,
    source: str = "panel",
) -> DCDHResult:
    """de Chaisemartin-D'Haultfoeuille :math:`DID_M` and :math:`DID_\\ell` with bootstrap SEs.

    Parameters
    ----------
    df : DataFrame
        Balanced long panel; ``treat`` is 0/1 and may switch on and off.
    outcome, unit, time, treat : str
        Column names.
    effects, placebos : int
        Number of dynamic effects (:math:`\\ell = 1..effects`) and placebos.
    draws : int
        Bootstrap resamples of units (0 = no standard errors).
    seed : int
        Seed of the bootstrap.
    source : str
        Name of the input for error messages.

    Returns
    -------
    DCDHResult

    Raises
    ------
    InputError
        Missing columns, a treatment other than 0/1, a non-numeric outcome, an unbalanced
        panel, or no switch with a comparison group.
    """
    Y, D, periods = _wide(df, outcome, unit, time, treat, source)
    ells = [*range(1, effects + 1), *range(-1, -placebos - 1, -1)]

    def all_stats(Yb: np.ndarray, Db: np.ndarray) -> np.ndarray:
        return np.array([did_m(Yb, Db)[0], *(did_l(Yb, Db, e)[0] for e in ells)])

    est = all_stats(Y, D)
    m, n_s = did_m(Y, D)
    if n_s == 0:
        raise InputError(
            [
                Problem(
                    source,
                    None,
                    treat,
                    None,
                    "no unit switches treatment with a comparison group in the same periods "
                    "(needs joiners and units untreated in both periods, or leavers and units "
                    "treated in both)",
                )
            ]
        )
    rng = np.random.default_rng(seed)
    n = len(Y)
    if draws > 1:
        boot = np.array(
            [all_stats(Y[i], D[i]) for i in (rng.integers(0, n, n) for _ in range(draws))]
        )
        se = np.nanstd(boot, axis=0, ddof=1)
    else:
        se = np.full(len(est), np.nan)
    rows = []
    for k, e in enumerate(ells, start=1):
        rows.append(
            {
                "rel_time": e,
                "estimate": est[k],
                "se": se[k],
                "p": _p(est[k], se[k]),
                "n_switchers": did_l(Y, D, e)[1],
            }
        )
    event = pd.DataFrame(rows).sort_values("rel_time").reset_index(drop=True)
    return DCDHResult(
        did_m={"estimate": m, "se": float(se[0]), "p": _p(m, se[0]), "n_switches": n_s},
        event=event,
        draws=draws,
        n_units=n,
        n_periods=len(periods),
        seed=seed,
    )
