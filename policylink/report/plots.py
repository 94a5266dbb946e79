"""Statistical figures of the report: Moran scatter, event study, placebo, PSM balance.

Every function takes a tidy table from :mod:`policylink.spatial` and returns a matplotlib Figure with the
CJK font configured, so Chinese titles and axis labels render.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from policylink.maps import use_cjk_font


def _finish(
    fig: Figure,
    ax: plt.Axes,
    *,
    title: str,
    xlabel: str,
    ylabel: str | None = None,
    note: str = "",
    legend_loc: str = "best",
) -> Figure:
    """Title, axis labels, legend and the footnote below the axes; tight layout."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc=legend_loc)
    if note:
        fig.text(0.01, 0.01, note, fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def moran_scatter_plot(
    scatter: pd.DataFrame,
    moran_i: float,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    labels: Mapping[str, str] | None = None,
    note: str = "",
) -> Figure:
    """Moran scatter plot (Anselin 1996): standardised y against its spatial lag.

    Parameters
    ----------
    scatter : DataFrame
        ``id``, ``z``, ``wz``, ``quadrant`` (from :func:`policylink.spatial.autocorr.moran_scatter`).
    moran_i : float
        Moran's I (the slope of the fitted line through the origin for row-standardised W).
    title, xlabel, ylabel : str
        Texts.
    labels : mapping, optional
        Unit id -> name written beside each point.
    note : str
        Footnote (e.g. SYNTHETIC data).

    Returns
    -------
    Figure
    """
    use_cjk_font()
    fig, ax = plt.subplots(figsize=(6.0, 5.5), dpi=120)
    colours = {"HH": "#d7191c", "LL": "#2c7bb6", "LH": "#abd9e9", "HL": "#fdae61"}
    for q, colour in colours.items():
        sel = scatter[scatter["quadrant"] == q]
        ax.scatter(
            sel["z"], sel["wz"], s=36, color=colour, edgecolor="#333333", label=f"{q} ({len(sel)})"
        )
    lim = float(np.nanmax(np.abs(np.r_[scatter["z"], scatter["wz"]]))) * 1.15 or 1.0
    xs = np.linspace(-lim, lim, 2)
    ax.plot(xs, moran_i * xs, color="#444444", lw=1.2, label=f"I = {moran_i:.3f}")
    ax.axhline(0, color="#999999", lw=0.8)
    ax.axvline(0, color="#999999", lw=0.8)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    if labels:
        for r in scatter.itertuples():
            ax.annotate(labels.get(str(r.id), str(r.id)), (r.z, r.wz), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")  # fmt: skip
    return _finish(
        fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, note=note, legend_loc="upper left"
    )


def event_study_plot(
    table: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, true_effect: float | None = None,
    note: str = "",
) -> Figure:  # fmt: skip
    """Event-study coefficients with 95 % confidence intervals (seed 004 Fig. 1 layout).

    Parameters
    ----------
    table : DataFrame
        ``rel_time``, ``estimate``, ``ci_low``, ``ci_high`` (reference period with estimate 0).
    title, xlabel, ylabel : str
        Texts.
    true_effect : float, optional
        True post-treatment effect of a synthetic DGP, drawn as a dashed line.
    note : str
        Footnote.

    Returns
    -------
    Figure
    """
    use_cjk_font()
    fig, ax = plt.subplots(figsize=(7.0, 4.5), dpi=120)
    t = table.sort_values("rel_time")
    x = t["rel_time"].to_numpy(float)
    est = t["estimate"].to_numpy(float)
    lo = t["ci_low"].to_numpy(float)
    hi = t["ci_high"].to_numpy(float)
    ok = np.isfinite(lo) & np.isfinite(hi)
    ax.vlines(x[ok], lo[ok], hi[ok], color="#2c7bb6", lw=1.5, label="95% CI")
    ax.plot(x, est, "o-", color="#2c7bb6", ms=5, label="estimate")
    ax.axhline(0, color="#666666", lw=0.8)
    ax.axvline(-0.5, color="#999999", lw=0.8, ls=":")
    if true_effect is not None:
        ax.hlines(
            true_effect,
            0,
            x.max(),
            colors="#d7191c",
            linestyles="--",
            label=f"true = {true_effect:g}",
        )
    ax.set_xticks(x)
    return _finish(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, note=note)


def placebo_plot(
    estimates: np.ndarray, observed: float, p_value: float, *, title: str, xlabel: str,
    ylabel: str, note: str = "",
) -> Figure:  # fmt: skip
    """Distribution of placebo DID coefficients with the observed one (seed 004 Fig. 2).

    Parameters
    ----------
    estimates : ndarray
        Placebo coefficients.
    observed : float
        Coefficient with the real assignment.
    p_value : float
        Permutation p-value (shown in the legend).
    title, xlabel, ylabel, note : str
        Texts.

    Returns
    -------
    Figure
    """
    use_cjk_font()
    fig, ax = plt.subplots(figsize=(7.0, 4.5), dpi=120)
    est = np.asarray(estimates, float)
    est = est[np.isfinite(est)]
    ax.hist(est, bins=40, color="#abd9e9", edgecolor="#2c7bb6", label=f"placebo (R = {len(est)})")
    ax.axvline(
        observed, color="#d7191c", lw=2, label=f"observed = {observed:.4g} (p = {p_value:.3g})"
    )
    ax.axvline(0, color="#666666", lw=0.8)
    return _finish(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, note=note)


def balance_plot(balance: pd.DataFrame, *, title: str, xlabel: str, note: str = "") -> Figure:
    """Standardised bias of each covariate before and after matching (seed 004 Fig. 3).

    Parameters
    ----------
    balance : DataFrame
        Index = covariate; ``bias_before`` and ``bias_after`` in percent
        (Rosenbaum and Rubin 1985 standardised difference).
    title, xlabel, note : str
        Texts.

    Returns
    -------
    Figure
    """
    use_cjk_font()
    fig, ax = plt.subplots(figsize=(7.0, 0.6 * len(balance) + 2.0), dpi=120)
    y = np.arange(len(balance))
    ax.scatter(balance["bias_before"], y, marker="o", color="#d7191c", label="before / 匹配前")
    ax.scatter(balance["bias_after"], y, marker="x", color="#2c7bb6", s=50, label="after / 匹配后")
    ax.axvline(0, color="#666666", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([str(i) for i in balance.index])
    return _finish(fig, ax, title=title, xlabel=xlabel, note=note)
