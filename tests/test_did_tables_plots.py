"""Paper-style tables and figures of the DID suite: stars, escaping, plotted values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policylink.spatial.did import PanelSpec, event_study, simulate_staggered, twfe_did
from policylink.spatial.did.plots import plot_balance, plot_event_study, plot_placebo, save_png
from policylink.spatial.did.tables import event_study_table, regression_table, stars

SPEC = PanelSpec(outcome="y", first_treated="first_treated", controls=("x1",))


@pytest.mark.parametrize(
    ("p", "s"),
    [
        (0.0099, "***"),
        (0.01, "**"),
        (0.0499, "**"),
        (0.05, "*"),
        (0.0999, "*"),
        (0.1, ""),
        (float("nan"), ""),
    ],
)
def test_stars_thresholds(p: float, s: str) -> None:
    assert stars(p) == s


def test_latex_escapes_and_event_table() -> None:
    sim = simulate_staggered(n_units=80, cohorts={2011: 20, 2013: 20}, seed=1)
    sim = sim.rename(columns={"x1": "fin_%"})
    spec = SPEC.with_(controls=("fin_%",))
    tex = regression_table([twfe_did(sim, spec)], fmt="latex")
    assert "fin\\_\\%" in tex and "fin_%" not in tex
    es = event_study(sim, spec, leads=3, lags=2)
    md = event_study_table(es, fmt="markdown")
    # Table 4 layout: leads, current, lags, no reference row, pre-trend test in the note
    order = [
        line.split("|")[1].strip()
        for line in md.splitlines()
        if line.startswith("| pre_") or line.startswith("| current") or line.startswith("| post_")
    ]
    assert order == ["pre_3", "pre_2", "current", "post_1", "post_2"]
    assert f"chi2({es.pretrend['df']}) = {es.pretrend['wald']:.2f}" in md


def test_plots_draw_the_numbers(tmp_path) -> None:  # noqa: ANN001
    tab = pd.DataFrame(
        {
            "rel_time": [-2, -1, 0, 1],
            "estimate": [0.1, 0.0, 0.5, 0.7],
            "se": [0.05, np.nan, 0.1, 0.2],
        }
    )
    fig = plot_event_study(tab, note="SYNTHETIC test")
    ax = fig.axes[0]
    line = ax.lines[0]  # the markers of errorbar
    np.testing.assert_allclose(line.get_xdata(), [-2, -1, 0, 1])
    np.testing.assert_allclose(line.get_ydata(), [0.1, 0.0, 0.5, 0.7])
    assert any("SYNTHETIC" in t.get_text() for t in fig.texts)
    est = np.random.default_rng(0).normal(size=500)
    fig = plot_placebo(est, 2.5, p_value=0.002)
    vline = [ln for ln in fig.axes[0].lines if np.allclose(ln.get_xdata(), 2.5)]
    assert vline, "the actual estimate is drawn as a vertical line"
    bal = pd.DataFrame(
        {"bias_before": [30.0, -12.0], "bias_after": [2.0, 1.0]}, index=["gov", "fdi"]
    )
    fig = plot_balance(bal)
    offsets = fig.axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(np.asarray(offsets)[:, 0], [30.0, -12.0])
    path = save_png(fig, tmp_path / "sub" / "b.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
