"""``policylink model dynamic|cross-section|lm``: dynamic panels, one-year models, LM tests.

Thin front-ends over :mod:`policylink.analyses.models`; the inputs (database or files) come from
the same options and the same inputs layer as ``policylink sdm``.
"""

from __future__ import annotations

from typing import Any

import click

from policylink.analyses.base import DEFAULT_SEED
from policylink.analyses.sdm_defaults import DEFAULT_DRAWS
from policylink.commands._common import split_list
from policylink.commands.stats import _input_options, _inputs, _years
from policylink.errors import ConfigError
from policylink.output import emit, format_option

_LANG = click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the table headings and title.",
)


def _xy(f: Any) -> Any:
    f = click.option("--x", "x_vars", required=True, help="Comma-separated regressors.")(f)
    return click.option("--y", "y_var", required=True, help="Dependent variable.")(f)


def _draws(f: Any) -> Any:
    f = click.option(
        "--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the draws."
    )(f)
    return click.option(
        "--draws",
        type=int,
        default=DEFAULT_DRAWS,
        show_default=True,
        help="Parameter draws for the SEs of direct/indirect/total effects.",
    )(f)


def _show(res: Any, fmt: str, lang: str, *, extra: Any = None) -> None:
    """Print a model result: JSON, CSV (long frame) or the tables with titles."""
    if fmt == "json":
        click.echo(res.to_json())
        return
    if fmt == "csv":
        emit(res.frame(), fmt)
        return
    emit(res.table(lang), "table", title=res.title(lang))
    eff = res.effects_table(lang) if hasattr(res, "effects_table") else None
    if eff is not None:
        click.echo("")
        emit(eff, "table", title="Effects" if lang == "en" else "效应")
    for line in extra or []:
        click.echo(f"- {line}")
    for note in getattr(getattr(res, "result", None), "notes", []) or []:
        click.echo(f"note: {note}", err=True)


@click.group("model")
def model_group() -> None:
    """Dynamic spatial panels, one-year SAR/SEM/SDM by ML or GMM, and LM tests after fitting."""


@model_group.command("dynamic")
@_xy
@click.option(
    "--fe",
    type=click.Choice(["unit", "twoways"]),
    default="unit",
    show_default=True,
    help="Unit fixed effects, or unit and time fixed effects (row-standardised W).",
)
@click.option(
    "--lags",
    type=click.Choice(["both", "time", "spacetime"]),
    default="both",
    show_default=True,
    help="y(t-1) and W*y(t-1), only y(t-1), or only W*y(t-1) (xsmle dlag 3, 1, 2).",
)
@click.option("--no-durbin", is_flag=True, help="Leave out W*X (dynamic SAR instead of SDM).")
@click.option(
    "--no-bias-correction",
    is_flag=True,
    help="Report the uncorrected quasi-ML (default: Yu-de Jong-Lee / Lee-Yu corrected).",
)
@_draws
@click.option("--years", default=None, help="Years to use, e.g. 2006-2019 (default: all).")
@_LANG
@_input_options
@format_option()
def dynamic_cmd(
    y_var: str,
    x_vars: str,
    fe: str,
    lags: str,
    no_durbin: bool,
    no_bias_correction: bool,
    draws: int,
    seed: int,
    years: str | None,
    lang: str,
    transformation: str,
    fmt: str,
    **src: Any,
) -> None:
    """Dynamic spatial panel: y(t-1), W*y(t-1), W*y, X, W*X with fixed effects.

    Quasi-ML with the Yu-de Jong-Lee (2008) bias correction (plus Lee-Yu 2010 with time
    effects); the uncorrected estimates are shown beside. Short- and long-run direct /
    indirect / total effects with SEs from --draws parameter draws. Balanced panels with
    consecutive years only.
    """
    from policylink.analyses.models import DynamicOptions, run_dynamic_panel

    if src["layer_file"]:
        raise ConfigError("model dynamic needs a panel: use --panel or the database")
    xs = split_list(x_vars)
    yrs = _years(years)
    options = DynamicOptions(
        y=y_var,
        x=tuple(xs),
        fe=fe,
        lags=lags,
        durbin=not no_durbin,
        bias_correction=not no_bias_correction,
        draws=draws,
        seed=seed,
        transformation=transformation,
        years=tuple(yrs) if yrs else None,
    )
    options.check()
    inp = _inputs([y_var, *xs], src, years=yrs)
    _show(run_dynamic_panel(inp, options), fmt, lang)


@model_group.command("cross-section")
@_xy
@click.option("--year", type=int, default=None, help="Year to fit (required with a panel).")
@click.option(
    "--model",
    type=click.Choice(["sar", "sem", "sdm"]),
    default="sar",
    show_default=True,
    help="Spatial lag, spatial error or spatial Durbin model.",
)
@click.option(
    "--method",
    type=click.Choice(["ml", "gmm"]),
    default="ml",
    show_default=True,
    help="Maximum likelihood, or GMM (2SLS for SAR/SDM, heteroskedastic GMM for SEM).",
)
@_draws
@_LANG
@_input_options
@format_option()
def cross_section_cmd(
    y_var: str,
    x_vars: str,
    year: int | None,
    model: str,
    method: str,
    draws: int,
    seed: int,
    lang: str,
    transformation: str,
    fmt: str,
    **src: Any,
) -> None:
    """Cross-sectional SAR, SEM or SDM for one year by ML or GMM (spreg), with effects.

    With a panel (database or --panel) --year picks the year; a --layer is one cross-section.
    """
    from policylink.analyses.models import CrossSectionOptions, run_cross_section

    xs = split_list(x_vars)
    options = CrossSectionOptions(
        y=y_var,
        x=tuple(xs),
        year=year,
        model=model,
        method=method,
        draws=draws,
        seed=seed,
        transformation=transformation,
    )
    options.check()
    inp = _inputs([y_var, *xs], src, years=[year] if year is not None else None)
    _show(run_cross_section(inp, options), fmt, lang)


@model_group.command("lm")
@_xy
@click.option(
    "--fe",
    type=click.Choice(["twoways", "unit", "time", "none"]),
    default="twoways",
    show_default=True,
    help="Fixed effects of the fitted models (removed by demeaning).",
)
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Level of the verdict.")
@click.option("--years", default=None, help="Years to use, e.g. 2006-2019 (default: all).")
@_LANG
@_input_options
@format_option()
def lm_cmd(
    y_var: str,
    x_vars: str,
    fe: str,
    alpha: float,
    years: str | None,
    lang: str,
    transformation: str,
    fmt: str,
    **src: Any,
) -> None:
    """LM tests after fitting: lag/error (and robust) after the FE model, error | lag after
    the SAR, lag | error after the SEM.
    """
    from policylink.analyses.models import PanelLmOptions, run_panel_lm

    if src["layer_file"]:
        raise ConfigError("model lm needs a panel: use --panel or the database")
    xs = split_list(x_vars)
    yrs = _years(years)
    options = PanelLmOptions(
        y=y_var,
        x=tuple(xs),
        fe=fe,
        alpha=alpha,
        transformation=transformation,
        years=tuple(yrs) if yrs else None,
    )
    options.check()
    inp = _inputs([y_var, *xs], src, years=yrs)
    res = run_panel_lm(inp, options)
    _show(res, fmt, lang, extra=res.verdict() if fmt == "table" else None)


def register(group: click.Group) -> None:
    """Add the ``model`` group (``dynamic``, ``cross-section``, ``lm``) to the CLI."""
    group.add_command(model_group)
