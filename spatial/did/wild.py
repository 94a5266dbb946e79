"""Wild cluster bootstrap of the TWFE DID coefficient (WCR: restricted, Cameron, Gelbach and
Miller 2008; Rademacher or Webb 2023 six-point weights).

Under :math:`H_0: \\beta_{DID} = 0` the model without the DID term (unit and year effects and
the controls) gives fitted values :math:`\\hat y_r` and residuals :math:`\\hat u_r`. Each draw
multiplies the residuals of cluster g by one weight :math:`v_g` and refits the full model on
:math:`y^* = \\hat y_r + v_g \\hat u_r`; the p-value is the share of draws with
:math:`|t^*| \\ge |t|` (symmetric test), with CRV1 t statistics throughout.

Computation by Frisch-Waugh-Lovell (as the placebo test): with :math:`d^*` the DID column
partialled out of the fixed effects and controls, :math:`\\beta^* = d^{*\\prime}(v \\circ \\hat u_r)
/ d^{*\\prime}d^*` and the cluster scores of the refit are linear in :math:`v`:
:math:`s^* = K v` with :math:`K` built once from the residuals of cluster h projected off the
fixed effects, controls and :math:`d^*`. All draws are then two matrix products.
With Rademacher weights and :math:`2^G \\le` ``draws`` every sign pattern is enumerated once
(the exact wild bootstrap distribution).

References
----------
Cameron, A. C., Gelbach, J. B., & Miller, D. L. (2008). Bootstrap-based improvements for
inference with clustered errors. Review of Economics and Statistics, 90(3), 414-427.
Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors. Canadian
Journal of Economics, 56(3), 839-858.
MacKinnon, J. G., Nielsen, M. O., & Webb, M. D. (2023). Fast and reliable jackknife and
bootstrap methods for cluster-robust inference. Journal of Applied Econometrics, 38(5), 671-694.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from policylink.spatial.did.panel import DID_COL, PanelSpec, prepare_panel
from policylink.spatial.did.placebo import _FWL, drop_singletons
from policylink.spatial.errors import InputError, Problem

__all__ = ["WildBootstrapResult", "wild_cluster_bootstrap", "wild_weights"]

WEIGHTS = ("rademacher", "webb")


def wild_weights(kind: str, G: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster weights, shape ``(G, draws)``: Rademacher (+-1) or Webb's six points
    (+-sqrt(1/2), +-1, +-sqrt(3/2), each with probability 1/6).

    Parameters
    ----------
    kind : {'rademacher', 'webb'}
        Weight distribution.
    G : int
        Clusters.
    draws : int
        Draws.
    rng : numpy.random.Generator
        Random generator.

    Returns
    -------
    ndarray
    """
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(G, draws))
    if kind == "webb":
        pts = np.sqrt(np.array([0.5, 1.0, 1.5]))
        pts = np.concatenate([-pts, pts])
        return rng.choice(pts, size=(G, draws))
    raise ValueError(f"weights must be one of {WEIGHTS}, not {kind!r}")


@dataclass
class WildBootstrapResult:
    """Wild cluster bootstrap test of the DID coefficient.

    Attributes
    ----------
    estimate : float
        DID coefficient.
    se : float
        CRV1 standard error (pyfixest's small-sample factor).
    t : float
        Observed t statistic.
    p_value : float
        Bootstrap p-value (symmetric, share of ``|t*| >= |t|``).
    draws : int
        Bootstrap draws (``2^G`` when enumerated).
    weights : str
        ``rademacher`` or ``webb``.
    clusters : int
        Number of clusters (units).
    enumerated : bool
        True when every Rademacher sign pattern was used.
    t_star : ndarray
        Bootstrap t statistics.
    V : ndarray
        The weights used, ``(G, draws)``.
    """

    estimate: float
    se: float
    t: float
    p_value: float
    draws: int
    weights: str
    clusters: int
    enumerated: bool
    t_star: np.ndarray
    V: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON ``wild_bootstrap`` block."""
        return {
            "estimate": self.estimate,
            "se": self.se,
            "t": self.t,
            "p_value": self.p_value,
            "draws": self.draws,
            "weights": self.weights,
            "clusters": self.clusters,
            "enumerated": self.enumerated,
            "method": "WCR (restricted, H0: DID = 0), CRV1 t statistics, clusters = units",
        }


def wild_cluster_bootstrap(
    df: pd.DataFrame,
    spec: PanelSpec,
    *,
    draws: int = 999,
    weights: str = "rademacher",
    seed: int = 0,
    V: np.ndarray | None = None,
) -> WildBootstrapResult:
    """WCR wild cluster bootstrap p-value of the TWFE DID coefficient (clusters = units).

    Parameters
    ----------
    df : DataFrame
        Long panel.
    spec : PanelSpec
        Column roles (controls included; clustering by unit).
    draws : int
        Bootstrap draws (Rademacher with ``2^G <= draws``: all sign patterns instead).
    weights : {'rademacher', 'webb'}
        Weight distribution.
    seed : int
        Seed of the weights.
    V : ndarray, optional
        Weights to use, ``(G, draws)`` with clusters in order of first appearance (for tests).

    Returns
    -------
    WildBootstrapResult
    """
    import pyfixest as pf

    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {WEIGHTS}, not {weights!r}")
    if draws < 1:
        raise ValueError("draws must be >= 1")
    panel, spec = prepare_panel(df, spec)
    panel = drop_singletons(panel, spec).reset_index(drop=True)
    fwl = _FWL(panel, spec)
    G = fwl.G
    if G < 2:
        raise InputError([Problem(spec.source, None, spec.unit, None, "needs two or more units")])
    d = fwl._resid_x(fwl._dm(panel[[DID_COL]].to_numpy(float)))[:, 0]
    dd = float(d @ d)
    if dd <= 1e-12 * len(d):
        raise InputError(
            [
                Problem(
                    spec.source,
                    None,
                    DID_COL,
                    None,
                    "the treatment has no variation left after unit and year effects",
                )
            ]
        )
    # observed fit (pyfixest's small-sample factor for the reported SE)
    from policylink.spatial.did.twfe import fe_formula

    fit = pf.feols(fe_formula(spec, [DID_COL]), panel, vcov={"CRV1": spec.unit})
    ssc = float(np.ravel(fit._ssc)[0])
    ur = fwl.ystar  # residuals of the restricted model (no DID term)
    beta = float(d @ ur / dd)
    u = ur - d * beta
    cl = fwl.clusters
    s = np.zeros(G)
    np.add.at(s, cl, d * u)
    se = float(np.sqrt(ssc * s @ s) / dd)
    t_obs = beta / se if se > 0 else np.nan
    # per-cluster pieces: U[:, h] = ur on cluster h
    U = np.zeros((len(ur), G))
    U[np.arange(len(ur)), cl] = ur
    w = d @ U / dd  # beta* = w' v
    Ut = fwl._resid_x(fwl._dm(U))
    Ut -= np.outer(d, d @ Ut) / dd
    K = np.zeros((G, G))
    np.add.at(K, cl, d[:, None] * Ut)
    enumerated = False
    if V is None:
        rng = np.random.default_rng(seed)
        if weights == "rademacher" and 2**G <= draws:
            V = np.array(list(itertools.product((-1.0, 1.0), repeat=G))).T
            enumerated = True
        else:
            V = wild_weights(weights, G, draws, rng)
    b_star = w @ V
    scores = K @ V
    se_star = np.sqrt(ssc * np.einsum("gj,gj->j", scores, scores)) / dd
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = b_star / se_star
    if not np.isfinite(t_obs):
        p = float("nan")
    else:
        ok = np.isfinite(t_star)
        p = float(np.mean(np.abs(t_star[ok]) >= abs(t_obs) - 1e-12)) if ok.any() else np.nan
    return WildBootstrapResult(
        estimate=beta,
        se=se,
        t=float(t_obs),
        p_value=p,
        draws=int(V.shape[1]),
        weights=weights,
        clusters=G,
        enumerated=enumerated,
        t_star=t_star,
        V=V,
    )
