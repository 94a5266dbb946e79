"""Conley (1999) spatial-HAC covariance for fixed-effects panel regressions.

For a regression :math:`\\tilde y = \\tilde X \\beta + \\tilde u` on data already purged of the
fixed effects (Frisch-Waugh-Lovell), with scores :math:`s_a = \\tilde x_a \\hat u_a` for
observation :math:`a = (i, t)`:

.. math:: \\hat V = (\\tilde X'\\tilde X)^{-1}
          \\Big(\\sum_{a, b} k_{ab}\\, s_a s_b'\\Big) (\\tilde X'\\tilde X)^{-1}

with :math:`k_{ab} = K(d_{ij} / c)` when :math:`t_a = t_b` (spatial correlation within a year up
to the cutoff :math:`c` in km) and :math:`k_{ab} = 1` when :math:`i_a = i_b` (any serial
correlation within a unit, as clustering by unit allows); other pairs get 0. The kernel is
Bartlett, :math:`K(x) = \\max(0, 1 - x)` (Conley 1999; positive semi-definite on a line), or
uniform, :math:`K(x) = 1\\{x < 1\\}`. No small-sample factor is applied.

Two limits are exact and serve as checks: a cutoff below the nearest distance gives the CRV0
cluster-by-unit covariance, and the uniform kernel with a cutoff beyond every distance gives
the CRV0 two-way (unit and year) covariance of Cameron, Gelbach and Miller (2011).

References
----------
Conley, T. G. (1999). GMM estimation with cross sectional dependence. Journal of
Econometrics, 92(1), 1-45.
Hsiang, S. M. (2010). Temperatures and cyclones strongly associated with economic production in
the Caribbean and Central America. PNAS, 107(35), 15367-15372 (panel form with unit serial
correlation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

KERNELS = ("bartlett", "uniform")


@dataclass(frozen=True)
class ConleySpec:
    """How the Conley covariance is computed.

    Attributes
    ----------
    cutoff_km : float
        Distance beyond which two units' errors are taken as uncorrelated (km, > 0).
    kernel : {'bartlett', 'uniform'}
        Weight of a pair at distance d: ``1 - d / cutoff`` (Bartlett) or 1 (uniform) below the
        cutoff.
    """

    cutoff_km: float
    kernel: str = "bartlett"

    def check(self) -> None:
        """Refuse a cutoff that is not a positive number or an unknown kernel (ValueError)."""
        if not (np.isfinite(self.cutoff_km) and self.cutoff_km > 0):
            raise ValueError(f"Conley cutoff {self.cutoff_km!r}: give a distance in km > 0")
        if self.kernel not in KERNELS:
            raise ValueError(f"kernel {self.kernel!r}: use {' or '.join(KERNELS)}")

    def describe(self) -> str:
        """Text for titles and result metadata."""
        return (
            f"Conley spatial HAC ({self.kernel} kernel, cutoff {self.cutoff_km:g} km, "
            "serial correlation within units)"
        )


def kernel_weights(d_km: np.ndarray, spec: ConleySpec) -> np.ndarray:
    """Kernel weight of each distance.

    Parameters
    ----------
    d_km : ndarray
        Distances in km (>= 0).
    spec : ConleySpec
        Cutoff and kernel.

    Returns
    -------
    ndarray
        Same shape as ``d_km``; 1 at distance 0.
    """
    x = np.asarray(d_km, float) / spec.cutoff_km
    if spec.kernel == "bartlett":
        return np.clip(1.0 - x, 0.0, None)
    return (x < 1.0).astype(float)


def conley_vcov(
    X: np.ndarray,
    resid: np.ndarray,
    unit: Sequence[object],
    time: Sequence[object],
    coords_km: pd.DataFrame,
    spec: ConleySpec,
) -> np.ndarray:
    """Conley spatial-HAC covariance of OLS coefficients on fixed-effects-purged data.

    Parameters
    ----------
    X : ndarray, shape (n, k)
        Regressors after removing the fixed effects.
    resid : ndarray, shape (n,)
        Residuals of the regression.
    unit, time : sequence, length n
        Unit id and period of each row.
    coords_km : DataFrame
        Indexed by unit id (as text), columns ``x_km``, ``y_km``: planar coordinates in km
        (e.g. centroids on an equal-area projection).
    spec : ConleySpec
        Cutoff and kernel.

    Returns
    -------
    ndarray, shape (k, k)

    Raises
    ------
    ValueError
        A unit without coordinates, non-finite inputs, or a singular design.
    """
    spec.check()
    X = np.asarray(X, float)
    if X.ndim == 1:
        X = X[:, None]
    e = np.asarray(resid, float).ravel()
    if X.shape[0] != e.shape[0]:
        raise ValueError("X and resid must have one entry per row")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(e))):
        raise ValueError("regressors and residuals must be finite")
    meat = conley_meat(X * e[:, None], unit, time, coords_km, spec)
    xtx = X.T @ X
    try:
        bread = np.linalg.inv(xtx)
    except np.linalg.LinAlgError as exc:
        raise ValueError("the regressors are collinear: no covariance") from exc
    V = bread @ meat @ bread
    return (V + V.T) / 2.0


def conley_meat(
    scores: np.ndarray,
    unit: Sequence[object],
    time: Sequence[object],
    coords_km: pd.DataFrame,
    spec: ConleySpec,
) -> np.ndarray:
    """Kernel-weighted sum of score cross-products, :math:`\\sum_{a,b} k_{ab} s_a s_b'`.

    The "meat" of every Conley covariance here: of OLS coefficients (scores
    :math:`\\tilde x_a \\hat u_a`, :func:`conley_vcov`) and of estimators linear in the
    outcome, such as the imputation DID (scores :math:`v_a \\tilde\\varepsilon_a`).

    Parameters
    ----------
    scores : ndarray, shape (n,) or (n, k)
        One score (vector) per row.
    unit, time : sequence, length n
        Unit id and period of each row.
    coords_km : DataFrame
        Indexed by unit id (as text), columns ``x_km``, ``y_km`` in km.
    spec : ConleySpec
        Cutoff and kernel.

    Returns
    -------
    ndarray, shape (k, k)

    Raises
    ------
    ValueError
        A unit without coordinates, non-finite scores or coordinates, or lengths that differ.
    """
    spec.check()
    S = np.asarray(scores, float)
    if S.ndim == 1:
        S = S[:, None]
    if len(unit) != S.shape[0] or len(time) != S.shape[0]:
        raise ValueError("scores, unit and time must have one entry per row")
    if not np.all(np.isfinite(S)):
        raise ValueError("scores must be finite")
    units = pd.Index([str(u) for u in unit])
    uniq = units.unique()
    lacking = [u for u in uniq if u not in coords_km.index]
    if lacking:
        raise ValueError(f"{len(lacking)} unit(s) have no coordinates, e.g. {lacking[0]!r}")
    xy = coords_km.loc[list(uniq), ["x_km", "y_km"]].to_numpy(float)
    if not np.all(np.isfinite(xy)):
        raise ValueError("unit coordinates must be finite")
    uidx = uniq.get_indexer(units)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    K = kernel_weights(d, spec)
    k = S.shape[1]
    meat = np.zeros((k, k))
    tcodes, _ = pd.factorize(pd.Index(list(time)))
    # unit sums of the scores: serial correlation within a unit at any lag
    G = np.zeros((len(uniq), k))
    np.add.at(G, uidx, S)
    meat += G.T @ G
    for t in np.unique(tcodes):
        rows = np.flatnonzero(tcodes == t)
        Gt = np.zeros((len(uniq), k))
        np.add.at(Gt, uidx[rows], S[rows])
        # spatial pairs within the period, minus the same-unit pairs already counted above
        meat += Gt.T @ K @ Gt - Gt.T @ Gt
    return meat


def conley_table(
    names: Sequence[str], beta: np.ndarray, V: np.ndarray, level: float = 0.95
) -> pd.DataFrame:
    """Coefficient table with Conley SEs and normal p-values / intervals.

    Parameters
    ----------
    names : sequence of str
        Coefficient names.
    beta : ndarray, shape (k,)
        Estimates.
    V : ndarray, shape (k, k)
        Covariance.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        Index ``names``; columns ``estimate``, ``se``, ``t``, ``p``, ``ci_low``, ``ci_high``.
    """
    b = np.asarray(beta, float)
    se = np.sqrt(np.clip(np.diag(V), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = b / se
    from scipy import stats  # here: the placebo CLI path imports this module without scipy

    p = 2.0 * stats.norm.sf(np.abs(t))
    z = stats.norm.ppf(0.5 + level / 2.0)
    return pd.DataFrame(
        {
            "estimate": b,
            "se": se,
            "t": t,
            "p": p,
            "ci_low": b - z * se,
            "ci_high": b + z * se,
        },
        index=list(names),
    )
