"""Row 3: two-way fixed-effects spatial Durbin panel with effects (1,000 draws).

Ours: PolicyLink's SDM estimator (issue 5, ``spatial/``) with two-way fixed effects and
LeSage-Pace direct / indirect / total effects simulated with 1,000 draws. Anchor: spreg
``Panel_FE_Lag`` (SAR, unit fixed effects, concentrated ML) on the same data with the spatially
lagged regressors W*x added and the year means removed first, which makes its estimates the
two-way FE SDM point estimates; spreg reports no effects, so the anchor does strictly less work.
Second comparison (issue 21): the same SDM with effects against PolicyLink's two-way FE SAR fit
alone (no effects) on the same panel; the target is at most 2x.
Input: a SYNTHETIC panel (:func:`bench.data.synthetic_sdm_panel`), N = all counties, T = 20.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.data import SDM_TRUTH, load_weights, synthetic_sdm_panel
from bench.harness import Prepared, Unavailable, case


def _inputs(p: dict[str, Any]) -> tuple[Any, Any, int]:
    w = load_weights(p["gal"])
    years = int(p["sdm_years"])
    return w, synthetic_sdm_panel(w, years), years


def _note(w: Any, years: int, draws: int | None = None) -> str:
    extra = f", {draws} effect draws" if draws else ""
    return (
        f"N={w.n}, T={years}{extra}; SYNTHETIC two-way FE SDM, rho={SDM_TRUTH['rho']}, "
        f"beta={list(SDM_TRUTH['beta'].values())}, theta={list(SDM_TRUTH['theta'].values())}"
    )


def _ours_fitter() -> Any:
    """PolicyLink's spatial panel estimator (issue 5) or ``Unavailable``."""
    try:
        from policylink.spatial.panel import fit_spatial_panel
    except ImportError as exc:
        raise Unavailable(
            "spatial.panel.fit_spatial_panel (issue 5) is not in the tree yet"
        ) from exc
    return fit_spatial_panel


@case("sdm.ours", row="3", side="ours", label="PolicyLink two-way FE SDM + effects (1,000 draws)")
def setup_ours(p: dict[str, Any]) -> Prepared:
    """Two-way FE SDM by concentrated ML with simulated effects."""
    fit = _ours_fitter()
    w, panel, years = _inputs(p)
    draws = int(p["sdm_draws"])
    kwargs: dict[str, Any] = {
        "y": "y",
        "x": ["x1", "x2"],
        "id_col": "code",
        "time_col": "year",
        "model": "sdm",
        "fe": "twoways",
        "effects": True,
        "draws": draws,
        "seed": 1,
    }

    def run() -> Any:
        return fit(panel, w, **kwargs)

    def summarise(res: Any) -> dict[str, Any]:
        return {
            "rho": round(float(res.rho), 6),
            "betas": [round(float(v), 6) for v in res.params],
            "names": list(res.names),
        }

    return Prepared(run=run, summarise=summarise, note=_note(w, years, draws))


@case("sdm.sar", row="3", side="anchor", label="PolicyLink two-way FE SAR, no effects")
def setup_sar(p: dict[str, Any]) -> Prepared:
    """The SAR fit alone on the same panel: the SDM with 1,000 effect draws should stay within
    2x of it (issue 21)."""
    fit = _ours_fitter()
    w, panel, years = _inputs(p)
    kwargs: dict[str, Any] = {
        "y": "y",
        "x": ["x1", "x2"],
        "id_col": "code",
        "time_col": "year",
        "model": "sar",
        "fe": "twoways",
        "effects": False,
    }

    # a different model: nothing to agree on with the SDM (the agreement column shows "—")
    return Prepared(
        run=lambda: fit(panel, w, **kwargs),
        summarise=lambda _res: {},
        note=_note(w, years) + "; SAR (no W*x), no effects",
    )


@case("sdm.spreg", row="3", side="anchor", label="spreg Panel_FE_Lag (SAR, W*x as regressors)")
def setup_spreg(p: dict[str, Any]) -> Prepared:
    """spreg ``Panel_FE_Lag`` on year-demeaned y and [x1, x2, W*x1, W*x2] (long, time-major)."""
    import warnings

    from spreg import Panel_FE_Lag

    w, panel, years = _inputs(p)
    n = w.n
    ws = w.sparse
    y = panel["y"].to_numpy().reshape(years, n)
    xs = [panel[c].to_numpy().reshape(years, n) for c in ("x1", "x2")]
    wx = [(ws @ x.T).T for x in xs]

    def demean_years(a: np.ndarray) -> np.ndarray:
        # removing each year's cross-sectional mean, then (inside spreg) each unit's mean,
        # is the two-way within transformation of a balanced panel
        return (a - a.mean(axis=1, keepdims=True)).reshape(-1, 1)

    yy = demean_years(y)
    xx = np.hstack([demean_years(a) for a in (*xs, *wx)])

    def run() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Panel_FE_Lag(yy, xx, w, name_x=["x1", "x2", "W*x1", "W*x2"])

    def summarise(res: Any) -> dict[str, Any]:
        b = np.asarray(res.betas).ravel()
        return {"rho": round(float(b[-1]), 6), "betas": [round(float(v), 6) for v in b[:-1]]}

    return Prepared(run=run, summarise=summarise, note=_note(w, years))
