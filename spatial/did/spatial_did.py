"""Spatial DID: direct effect of a unit's own treatment and spillover from treated neighbours.

SLX form (default), estimated by TWFE on pyfixest with cluster-robust errors:

.. math:: y_{it} = \\beta\\,D_{it} + \\theta\\,(WD)_{it} + \\rho'X_{it} [+ \\gamma'(WX)_{it}]
          + \\eta_t + \\lambda_i + \\varepsilon_{it}

:math:`(WD)_{it} = \\sum_j w_{ij} D_{jt}` is the share of unit i's neighbours already treated in
year t (row-standardised W). :math:`\\beta` is the direct effect, :math:`\\theta` the spillover of
neighbours' treatment (Delgado and Florax 2015; Butts 2023 on spillovers in DID).

SDM form (``model='sdm'``): the spatial Durbin panel model with two-way fixed effects by
maximum likelihood (:func:`policylink.spatial.panel.fit_spatial_panel`), regressors D and X with the
spatial lag of D (and optionally of X); the direct and indirect (spillover) effects of D are the
LeSage-Pace summary effects, which account for the feedback through :math:`\\rho W y`.

References
----------
Delgado, M. S., & Florax, R. J. G. M. (2015). Difference-in-differences techniques for spatial
data: Local autocorrelation and spatial interaction. Economics Letters, 137, 123-126.
Butts, K. (2023). Difference-in-differences with spatial spillovers. arXiv:2105.03737.
LeSage, J., & Pace, R. K. (2009). Introduction to Spatial Econometrics. CRC Press.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from policylink.spatial.did.conley import ConleySpec
from policylink.spatial.did.panel import DID_COL, FIRST_COL, PanelSpec, prepare_panel
from policylink.spatial.did.twfe import DIDResult, fit_fe
from policylink.spatial.errors import InputError, Problem

WD_COL = "w_did"


def _dense_weights(W: Any, ids: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """(n, n) binary-or-weighted matrix and unit ids from a libpysal W or an array + ids."""
    if hasattr(W, "full") and hasattr(W, "id_order"):
        M, order = W.full()
        return np.asarray(M, float), [str(i) for i in order]
    if ids is None:
        raise ValueError("ids are required when W is an array")
    M = W.toarray() if hasattr(W, "toarray") else np.asarray(W, float)
    if M.shape != (len(ids), len(ids)):
        raise ValueError("W must be square with one row per id")
    return M, [str(i) for i in ids]


def neighbour_share(
    panel: pd.DataFrame, spec: PanelSpec, W: Any, ids: Sequence[str] | None = None
) -> tuple[pd.Series, dict[str, Any]]:
    """Share of treated neighbours :math:`(WD)_{it}` for each row of a prepared panel.

    W is restricted to the panel's units and row-standardised again (so a neighbour outside the
    sample does not count); units without any neighbour in the sample get 0.

    Parameters
    ----------
    panel : DataFrame
        Prepared panel (has ``first_treated``).
    spec : PanelSpec
        Column roles.
    W : libpysal.weights.W or array-like
        Spatial weights (any scale; re-standardised here).
    ids : sequence of str, optional
        Unit ids of the rows of an array ``W``.

    Returns
    -------
    share : Series
        Aligned with ``panel``.
    info : dict
        ``islands`` (units with no neighbour in the sample) and ``n_links``.
    """
    M, order = _dense_weights(W, ids)
    units = panel[spec.unit].unique()
    pos = {u: i for i, u in enumerate(order)}
    missing = [u for u in units if u not in pos]
    if missing:
        raise InputError(
            [
                Problem(spec.source, None, spec.unit, u, "unit is not in the spatial weights")
                for u in missing[:20]
            ],
            max(0, len(missing) - 20),
        )
    idx = np.array([pos[u] for u in units])
    S = (M[np.ix_(idx, idx)] != 0) * M[np.ix_(idx, idx)]
    np.fill_diagonal(S, 0.0)
    rs = S.sum(axis=1)
    islands = [str(u) for u, r in zip(units, rs, strict=True) if r == 0]
    S = np.divide(S, rs[:, None], out=np.zeros_like(S), where=rs[:, None] > 0)
    first = panel.groupby(spec.unit)[FIRST_COL].first().reindex(units).to_numpy(float)
    years = np.sort(panel[spec.time].unique())
    D = (years[None, :] >= first[:, None]).astype(float)  # units x years
    WD = S @ D
    uix = pd.Index(units).get_indexer(panel[spec.unit])
    tix = pd.Index(years).get_indexer(panel[spec.time])
    share = pd.Series(WD[uix, tix], index=panel.index, name=WD_COL)
    return share, {"islands": islands, "n_links": int((S > 0).sum())}


@dataclass
class SpatialDIDResult:
    """Direct and spillover effects of the treatment.

    Attributes
    ----------
    effects : DataFrame
        Rows ``direct`` and ``spillover`` (and ``total`` for SDM): ``estimate``, ``se``, ``p``.
    model : str
        ``slx`` or ``sdm``.
    fit : DIDResult or spatial.panel.SpatialPanelResult
        Full regression.
    info : dict
        Islands, number of links, specification.
    """

    effects: pd.DataFrame
    model: str
    fit: Any
    info: dict[str, Any]

    @property
    def inference(self) -> str:
        """How the standard errors were computed (titles and JSON say it)."""
        return str(self.info.get("inference", ""))

    def to_dict(self) -> dict[str, Any]:
        """JSON block with ``effects``, ``inference`` and the full model's ``coefficients``."""
        return {
            "model": self.model,
            "inference": self.inference,
            "effects": {k: {c: float(v) for c, v in r.items()} for k, r in self.effects.iterrows()},
            "fit": self.fit.to_dict(),
            "info": self.info,
        }


def spatial_did(
    df: pd.DataFrame,
    spec: PanelSpec,
    W: Any,
    *,
    ids: Sequence[str] | None = None,
    model: str = "slx",
    lag_controls: bool = False,
    draws: int = 1000,
    seed: int = 12345,
    conley: ConleySpec | None = None,
    coords_km: pd.DataFrame | None = None,
) -> SpatialDIDResult:
    """Spatial DID with the share of treated neighbours as a regressor.

    Parameters
    ----------
    df : DataFrame
        Long panel (balanced for ``model='sdm'``).
    spec : PanelSpec
        Column roles (controls and clustering apply to the SLX form).
    W : libpysal.weights.W or array-like
        Spatial weights over the units.
    ids : sequence of str, optional
        Unit ids for the rows of an array ``W``.
    model : {'slx', 'sdm'}
        TWFE with :math:`WD` (and :math:`WX` when ``lag_controls``), or the ML spatial Durbin
        panel model.
    lag_controls : bool
        Also include spatial lags of the controls (SLX: :math:`WX`; SDM: Durbin terms).
    draws, seed : int
        Simulation draws and seed for the SDM effects' standard errors.
    conley : ConleySpec, optional
        SLX: Conley spatial-HAC standard errors with this cutoff and kernel
        (:mod:`policylink.spatial.did.conley`) instead of the cluster-robust ones, which
        assume units' errors independent across clusters and over-reject when errors and
        treatment are spatially correlated.
    coords_km : DataFrame, optional
        Unit coordinates in km (index unit id, columns ``x_km``, ``y_km``); required with
        ``conley``.

    Returns
    -------
    SpatialDIDResult
        ``info['inference']`` says which standard errors were used.
    """
    if conley is not None:
        conley.check()
        if model != "slx":
            raise ValueError("Conley standard errors are offered for the SLX form (model='slx')")
        if coords_km is None:
            raise ValueError("Conley standard errors need the units' coordinates")
    panel, spec = prepare_panel(df, spec)
    share, info = neighbour_share(panel, spec, W, ids)
    panel[WD_COL] = share.to_numpy()
    if model == "slx":
        regs = [DID_COL, WD_COL]
        if lag_controls:
            for c in spec.controls:
                panel[f"w_{c}"] = _lag_column(panel, spec, W, ids, c)
                regs.append(f"w_{c}")
        res: DIDResult = fit_fe(
            panel,
            spec,
            regs,
            label="spatial DID (SLX)",
            conley=conley,
            coords_km=coords_km,
            **info,
        )
        info["inference"] = res.info["inference"]
        co = res.coefficients
        eff = pd.DataFrame(
            {
                "estimate": [co.loc[DID_COL, "estimate"], co.loc[WD_COL, "estimate"]],
                "se": [co.loc[DID_COL, "se"], co.loc[WD_COL, "se"]],
                "p": [co.loc[DID_COL, "p"], co.loc[WD_COL, "p"]],
            },
            index=["direct", "spillover"],
        )
        return SpatialDIDResult(eff, "slx", res, info)
    if model != "sdm":
        raise ValueError("model must be 'slx' or 'sdm'")
    from libpysal.weights import W as PysalW

    from policylink.spatial.panel import fit_spatial_panel

    M, order = _dense_weights(W, ids)
    units = list(panel[spec.unit].unique())
    pos = {u: i for i, u in enumerate(order)}
    idx = np.array([pos[u] for u in units])
    S = M[np.ix_(idx, idx)]
    neigh = {u: [units[j] for j in np.flatnonzero(S[i]) if j != i] for i, u in enumerate(units)}
    wts = {u: [float(S[i, j]) for j in np.flatnonzero(S[i]) if j != i] for i, u in enumerate(units)}
    w = PysalW(neigh, wts, id_order=units, silence_warnings=True)
    durbin = [DID_COL, *(spec.controls if lag_controls else [])]
    fit = fit_spatial_panel(
        panel,
        w,
        y=spec.outcome,
        x=[DID_COL, *spec.controls],
        id_col=spec.unit,
        time_col=spec.time,
        model="sdm",
        fe="twoways",
        durbin=durbin,
        effects=True,
        draws=draws,
        seed=seed,
    )
    e = fit.effects
    e = e[e["variable"] == DID_COL].set_index("effect")
    names = {"direct": "direct", "indirect": "spillover", "total": "total"}
    eff = pd.DataFrame(
        {
            "estimate": [e.loc[k, "estimate"] for k in names],
            "se": [e.loc[k, "se"] for k in names],
            "p": [e.loc[k, "p"] for k in names],
        },
        index=list(names.values()),
    )
    info["rho"] = float(fit.rho) if fit.rho is not None else None
    info["inference"] = f"ML information matrix with {draws} parameter draws for the effects"
    return SpatialDIDResult(eff, "sdm", fit, info)


def _lag_column(
    panel: pd.DataFrame, spec: PanelSpec, W: Any, ids: Sequence[str] | None, col: str
) -> np.ndarray:
    """Spatial lag of a column within each year (row-standardised W over the sample)."""
    M, order = _dense_weights(W, ids)
    out = np.zeros(len(panel))
    for _, rows in panel.groupby(spec.time).groups.items():
        sub = panel.loc[rows]
        pos = {u: i for i, u in enumerate(order)}
        idx = np.array([pos[u] for u in sub[spec.unit]])
        S = M[np.ix_(idx, idx)].copy()
        np.fill_diagonal(S, 0.0)
        rs = S.sum(axis=1)
        S = np.divide(S, rs[:, None], out=np.zeros_like(S), where=rs[:, None] > 0)
        out[panel.index.get_indexer(rows)] = S @ sub[col].to_numpy(float)
    return out
