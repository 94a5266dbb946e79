"""Figures of the DID suite as matplotlib Figures (Agg; no display needed).

- :func:`plot_event_study`: coefficients with 95 % intervals by event time (seed 004 Fig. 1)
- :func:`plot_placebo`: distribution of placebo coefficients with the actual estimate (Fig. 2)
- :func:`plot_balance`: standardised bias before/after matching (Fig. 3)
- :func:`plot_bacon`: 2x2 estimates against their weights (Goodman-Bacon 2021, Fig. 6 style)
- :func:`plot_honest`: Rambachan-Roth sensitivity plot (confidence sets against M)
- :func:`plot_sdid`: synthetic DID, treated vs weighted controls with the time weights

Each function returns the Figure; :func:`save_png` writes it. Pass ``note`` to print the data
source (and the word SYNTHETIC for simulated data) under the plot. Figures are built with
:class:`matplotlib.figure.Figure` directly (no pyplot, no global backend switch), so they are
safe inside QGIS and headless.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats


def _fig(note: str | None, size: tuple[float, float] = (7.0, 4.2)) -> tuple[Figure, object]:
    fig = Figure(figsize=size, dpi=120)
    ax = fig.add_subplot(111)
    if note:
        fig.text(0.01, 0.01, note, fontsize=7, color="0.35", ha="left", va="bottom")
        fig.subplots_adjust(bottom=0.2)
    return fig, ax


def plot_event_study(
    table: pd.DataFrame,
    *,
    title: str = "Event study (reference: year before adoption)",
    note: str | None = None,
    extra: dict[str, pd.DataFrame] | None = None,
) -> Figure:
    """Event-study coefficients with 95 % confidence intervals.

    Parameters
    ----------
    table : DataFrame
        ``rel_time``, ``estimate``, ``se`` (e.g. ``EventStudyResult.table``, ``SunAbrahamResult
        .table`` or ``CSResult.dynamic`` renamed ``att`` -> ``estimate``).
    title : str
        Axes title.
    note : str, optional
        Source note under the plot.
    extra : dict, optional
        Further estimators to overlay, name -> table (same columns), drawn slightly shifted.

    Returns
    -------
    Figure
    """
    fig, ax = _fig(note)
    series = {"TWFE": table, **(extra or {})}
    z = stats.norm.ppf(0.975)
    width = 0.12 * (len(series) - 1)
    for k, (name, tab) in enumerate(series.items()):
        tab = tab.sort_values("rel_time")
        x = tab.rel_time.to_numpy(float) - width / 2 + 0.12 * k
        est = tab.estimate.to_numpy(float)
        se = np.nan_to_num(tab.se.to_numpy(float))
        ax.errorbar(x, est, yerr=z * se, fmt="o", ms=4, capsize=3, label=name if extra else None)
    ax.axhline(0, color="0.4", lw=0.8)
    ax.axvline(-0.5, color="0.4", lw=0.8, ls="--")
    ax.set_xlabel("Years relative to adoption (end points binned)")
    ax.set_ylabel("Estimate (95 % CI)")
    ax.set_title(title)
    if extra:
        ax.legend(frameon=False, fontsize=8)
    return fig


def plot_placebo(
    estimates: np.ndarray,
    observed: float,
    *,
    p_value: float | None = None,
    title: str = "Placebo test",
    note: str | None = None,
) -> Figure:
    """Histogram and kernel density of placebo coefficients with the actual estimate.

    Parameters
    ----------
    estimates : ndarray
        Placebo coefficients.
    observed : float
        Actual DID estimate (vertical line).
    p_value : float, optional
        Permutation p-value shown in the legend.
    title, note : str
        Title and source note.

    Returns
    -------
    Figure
    """
    fig, ax = _fig(note)
    est = np.asarray(estimates, float)
    est = est[np.isfinite(est)]
    ax.hist(est, bins=40, density=True, color="0.75", edgecolor="white")
    if len(est) > 2 and np.std(est) > 0:
        grid = np.linspace(min(est.min(), observed), max(est.max(), observed), 300)
        ax.plot(grid, stats.gaussian_kde(est)(grid), color="tab:blue", lw=1.2)
    lab = f"actual estimate {observed:.3f}"
    if p_value is not None:
        lab += f" (permutation p = {p_value:.3f})"
    ax.axvline(observed, color="tab:red", lw=1.5, ls="--", label=lab)
    ax.set_xlabel(f"Placebo DID coefficient ({len(est)} draws)")
    ax.set_ylabel("Density")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return fig


def plot_balance(
    balance: pd.DataFrame,
    *,
    title: str = "Standardised bias before and after matching",
    note: str | None = None,
) -> Figure:
    """Dot plot of standardised bias (%) per covariate before and after matching.

    Parameters
    ----------
    balance : DataFrame
        ``PSMResult.balance`` (index covariate; ``bias_before``, ``bias_after``).
    title, note : str
        Title and source note.

    Returns
    -------
    Figure
    """
    fig, ax = _fig(note, (6.0, 1.2 + 0.45 * len(balance)))
    y = np.arange(len(balance))
    ax.scatter(balance.bias_before, y, marker="o", color="tab:red", label="unmatched")
    ax.scatter(balance.bias_after, y, marker="x", color="tab:blue", label="matched")
    ax.set_yticks(y, [str(i) for i in balance.index])
    ax.axvline(0, color="0.4", lw=0.8)
    ax.set_xlabel("Standardised bias (%)")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    return fig


def plot_bacon(table: pd.DataFrame, twfe: float, *, note: str | None = None) -> Figure:
    """2x2 DID estimates against their weights, by comparison type.

    Parameters
    ----------
    table : DataFrame
        ``BaconResult.table``.
    twfe : float
        TWFE coefficient (horizontal line).
    note : str, optional
        Source note.

    Returns
    -------
    Figure
    """
    fig, ax = _fig(note)
    for kind, sel in table.groupby("type"):
        ax.scatter(sel.weight, sel.estimate, label=kind, s=25)
    ax.axhline(twfe, color="0.3", ls="--", lw=1, label=f"TWFE {twfe:.3f}")
    ax.set_xlabel("Weight")
    ax.set_ylabel("2x2 DID estimate")
    ax.set_title("Goodman-Bacon decomposition")
    ax.legend(frameon=False, fontsize=8)
    return fig


def plot_honest(result: object, *, note: str | None = None) -> Figure:
    """Rambachan-Roth sensitivity plot: the original interval and the confidence set per M.

    Parameters
    ----------
    result : policylink.spatial.did.honest.HonestResult
        The sensitivity analysis.
    note : str, optional
        Source note under the plot.

    Returns
    -------
    Figure
    """
    fig, ax = _fig(note)
    t = result.table  # type: ignore[attr-defined]
    o = result.original  # type: ignore[attr-defined]
    ms = t.M.to_numpy(float)
    step = (ms.max() - ms.min()) / max(len(ms), 1) if len(ms) > 1 else 1.0
    x0 = ms.min() - step
    ax.errorbar(
        [x0],
        [o["estimate"]],
        yerr=[[o["estimate"] - o["lower"]], [o["upper"] - o["estimate"]]],
        fmt="o",
        color="0.3",
        capsize=3,
        label="original (parallel trends)",
    )
    ok = t.lower.notna() & t.upper.notna()
    mid = (t.lower + t.upper) / 2
    ax.errorbar(
        ms[ok],
        mid[ok],
        yerr=[(mid - t.lower)[ok], (t.upper - mid)[ok]],
        fmt="none",
        color="tab:blue",
        capsize=3,
        label="robust confidence set",
    )
    ax.axhline(0, color="0.5", lw=0.8)
    b = result.breakdown  # type: ignore[attr-defined]
    kind = "relative magnitudes (Mbar)" if result.restriction == "rm" else "smoothness (M)"  # type: ignore[attr-defined]
    ax.set_xlabel(kind)
    ax.set_ylabel(f"effect: {result.target}")  # type: ignore[attr-defined]
    ax.set_title(f"Sensitivity to parallel-trends violations (breakdown M = {b:.3g})")
    ax.legend(fontsize=8)
    return fig


def plot_sdid(result: object, *, cohort: int | None = None, note: str | None = None) -> Figure:
    """Synthetic DID plot (Arkhangelsky et al. 2021, Fig. 1 style) for one adoption cohort.

    The treated mean and the omega-weighted controls by year, a dashed line at adoption and,
    along the bottom, the time weights lambda of the pre periods as shaded bars.

    Parameters
    ----------
    result : policylink.spatial.did.sdid.SDIDResult
        The estimate.
    cohort : int, optional
        Adoption year to show (default: the cohort with the largest weight).
    note : str, optional
        Source note under the plot.

    Returns
    -------
    Figure
    """
    fig, ax = _fig(note)
    coh = result.cohorts  # type: ignore[attr-defined]
    if cohort is None:
        cohort = int(coh.loc[coh.weight.idxmax(), "cohort"])
    tr = result.trajectories  # type: ignore[attr-defined]
    tr = tr[tr.cohort == cohort]
    tw = result.time_weights  # type: ignore[attr-defined]
    tw = tw[tw.cohort == cohort]
    ax.plot(tr.year, tr.treated, color="tab:red", lw=1.6, label=f"treated (adopt {cohort})")
    ax.plot(tr.year, tr.control, color="tab:blue", lw=1.6, label="synthetic control (omega)")
    ax.axvline(cohort - 0.5, color="0.4", ls="--", lw=0.9)
    lo, hi = ax.get_ylim()
    height = 0.25 * (hi - lo)
    lam = tw["lambda"].to_numpy(float)
    ax.bar(
        tw.year,
        lam / max(lam.max(), 1e-12) * height,
        bottom=lo,
        color="0.6",
        alpha=0.5,
        width=0.9,
        label="time weights (lambda, scaled)",
    )
    ax.set_ylim(lo, hi)
    est = float(coh.loc[coh.cohort == cohort, "estimate"].iloc[0])
    ax.set_title(
        f"Synthetic DID ({result.method}): cohort {cohort}, estimate {est:.3g}; "  # type: ignore[attr-defined]
        f"overall ATT {result.att:.3g}"  # type: ignore[attr-defined]
    )
    ax.set_xlabel("year")
    ax.legend(fontsize=8, frameon=False)
    return fig


def save_png(fig: Figure, path: str | Path) -> Path:
    """Write a Figure as PNG (parents created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", bbox_inches="tight")
    return path
