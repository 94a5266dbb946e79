"""``policylink did ...``: staggered difference-in-differences on a panel file or the database.

Every subcommand collects its options, assembles the panel with
:func:`policylink.did_inputs.load_did_inputs` (a long CSV/XLSX panel with ``--first-treated COL``
or ``--treat COL``, or ``--db``: observations and the pilot designations of the database), runs
one analysis of :mod:`policylink.analyses.did` and prints its result with
``--format table|json|csv`` (every format says SYNTHETIC when the data are). ``--table FILE``
writes the result's paper-style table (.md, .tex or .csv by extension) and ``--plot FILE.png``
its figure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

# Only light modules at the top: `policylink did --help` builds every subcommand's options but
# runs no analysis, so numpy, pandas and the estimators are imported inside the commands.
from policylink.analyses.base import DEFAULT_SEED
from policylink.analyses.did_defaults import (
    DEFAULT_DCDH_DRAWS,
    DEFAULT_LAGS,
    DEFAULT_LEADS,
    DEFAULT_PLACEBO_DRAWS,
    DEFAULT_REFERENCE,
    DEFAULT_SDID_REPLICATIONS,
)
from policylink.commands._common import parse_years, split_list
from policylink.errors import ConfigError, InputError
from policylink.output import emit, export_result, format_option, progress

TABLE_EXT = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".csv": "csv"}


def panel_options(fn: Callable, export: bool = False) -> Callable:
    """Options shared by every analysis subcommand (``export``: --format latex|docx too)."""
    opts = [
        click.argument("panel_file", required=False, type=click.Path(exists=True, dir_okay=False)),
        click.option(
            "-y", "--outcome", required=True, help="Outcome column (with --db: variable)."
        ),
        click.option(
            "--db",
            "from_db",
            is_flag=True,
            help="Read the panel from the database instead of PANEL_FILE: outcome and controls "
            "from observation, treatment from the pilot designations (see --programme).",
        ),
        click.option(
            "--programme",
            default=None,
            help="--db: policy_event.programme whose designations define the treatment "
            "(default: the adoption rules' programme, seed 004's low-carbon city pilots).",
        ),
        click.option(
            "--effective-years",
            default=None,
            help="--db: first treated year of batch 1, 2, 3, ... (default: the adoption "
            "rules' years, seed 004's rule).",
        ),
        click.option(
            "--within",
            default=None,
            help="--db: comma-separated codes; prefectures whose code or an ancestor is listed.",
        ),
        click.option(
            "--county-pilots",
            is_flag=True,
            help="--db: a county-level pilot treats its prefecture (seed 004: no).",
        ),
        click.option("--unit", default="unit", show_default=True, help="Unit (adcode) column."),
        click.option("--time", "time_col", default="year", show_default=True, help="Year column."),
        click.option("--treat", default=None, help="0/1 treatment column (absorbing)."),
        click.option(
            "--first-treated",
            default=None,
            help="First treated year column (0 or empty = never treated).",
        ),
        click.option("--controls", default="", help="Comma-separated control columns."),
        click.option(
            "--cluster",
            type=click.Choice(["unit", "twoway"]),
            default="unit",
            show_default=True,
            help="Cluster-robust SEs by unit, or two-way by unit and year.",
        ),
        click.option(
            "--table",
            "table_file",
            default=None,
            type=click.Path(dir_okay=False),
            help="Write a paper-style table: .md, .tex or .csv.",
        ),
        format_option(export=export),
    ]
    for o in reversed(opts):
        fn = o(fn)
    return fn


def inference_options(fn: Callable) -> Callable:
    """Conley spatial-HAC options shared by the regression-type subcommands.

    ``--cluster`` (unit or two-way) is a panel option; ``--conley-km`` replaces the clustered
    errors by Conley's, with the units' coordinates from the database or ``--coords``.
    """
    opts = [
        click.option(
            "--conley-km",
            type=float,
            default=None,
            help="Conley spatial-HAC standard errors with this distance cutoff in km, robust "
            "to spatial correlation between units; default: cluster-robust by --cluster.",
        ),
        click.option(
            "--kernel",
            type=click.Choice(["bartlett", "uniform"]),
            default="bartlett",
            show_default=True,
            help="Kernel of the Conley weights.",
        ),
        click.option(
            "--coords",
            "coords_file",
            default=None,
            type=click.Path(dir_okay=False),
            help="PANEL_FILE: boundary layer (GPKG/SHP/GeoJSON, id field = --unit) for "
            "--conley-km; with --db the database's unit geometries are used.",
        ),
    ]
    for o in reversed(opts):
        fn = o(fn)
    return fn


def _inference(kw: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Take the :func:`inference_options` out of ``kw``: option values and the coordinates file."""
    coords_file = kw.pop("coords_file", None)
    conley = {"conley_km": kw.pop("conley_km", None), "kernel": kw.pop("kernel", "bartlett")}
    if coords_file and kw.get("from_db"):
        raise ConfigError("--coords goes with PANEL_FILE (--db reads the unit geometries)")
    return conley, coords_file


def plot_option(what: str) -> Callable:
    """``--plot FILE.png`` of ``what``."""
    return click.option(
        "--plot", default=None, type=click.Path(dir_okay=False), help=f"PNG of {what}."
    )


def seed_option(what: str = "Random seed.") -> Callable:
    """``--seed`` with the project's default seed."""
    return click.option("--seed", default=DEFAULT_SEED, show_default=True, help=what)


def replications_option(what: str) -> Callable:
    """``--replications`` of the synthetic DID's placebo / bootstrap, with its default."""
    return click.option(
        "--replications", default=DEFAULT_SDID_REPLICATIONS, show_default=True, help=what
    )


#: ``--anticipation`` of the estimators that allow it (CS, imputation).
anticipation_option = click.option(
    "--anticipation",
    default=0,
    show_default=True,
    help="Years before adoption in which units may already react.",
)


def _effective(value: str) -> tuple[int, ...]:
    years = parse_years(value, "--effective-years")
    if not years:
        raise click.BadParameter("--effective-years needs at least one year")
    return tuple(years)


def _inputs(
    kw: dict[str, Any],
    *,
    variables: tuple[str, ...] = (),
    attributes: tuple[str, ...] = (),
    weights: str | None = None,
    coordinates: str | None = None,
) -> Any:
    """The DID inputs of the options (file or database); notes go to stderr.

    ``variables`` are further numeric columns (mediators, covariates, alternative outcomes),
    ``attributes`` grouping columns (``unit_attribute`` schemes with ``--db``), ``weights`` a
    weights file or (with ``--db``) a weights kind.
    """
    from policylink.did_inputs import (
        DEFAULT_EFFECTIVE_YEARS,
        DEFAULT_PROGRAMME,
        DidSource,
        load_did_inputs,
    )

    if kw.get("from_db"):
        if kw["panel_file"] or kw["treat"] or kw["first_treated"]:
            raise ConfigError("--db takes no PANEL_FILE, --treat or --first-treated")
        files: dict[str, Any] = {}
    else:
        if not kw["panel_file"]:
            raise ConfigError("give a PANEL_FILE or --db")
        if (kw["treat"] is None) == (kw["first_treated"] is None):
            raise ConfigError("give exactly one of --treat and --first-treated")
        files = {
            "panel_file": kw["panel_file"],
            "unit": kw["unit"],
            "time": kw["time_col"],
            "treat": kw["treat"],
            "first_treated": kw["first_treated"],
        }
    source = DidSource.from_options(
        kw["outcome"],
        controls=kw["controls"],
        within=kw["within"] if kw.get("from_db") else None,
        effective_years=(
            (
                _effective(kw["effective_years"])
                if kw["effective_years"]
                else DEFAULT_EFFECTIVE_YEARS
            )
            if kw.get("from_db")
            else None
        ),
        variables=variables,
        attributes=attributes,
        cluster=kw["cluster"],
        weights=weights,
        coordinates=coordinates,
        programme=kw["programme"] or DEFAULT_PROGRAMME,
        county_pilots=kw["county_pilots"],
        **files,
    )
    inputs = load_did_inputs(source)
    for note in inputs.notes:
        click.echo(f"note: {note}", err=True)
    return inputs


def _show(result: Any, kw: dict[str, Any]) -> None:
    """Write the paper table (``--table``) and print the result in the chosen format."""
    if kw.get("table_file"):
        path = Path(kw["table_file"])
        fmt = TABLE_EXT.get(path.suffix.lower())
        if fmt is None:
            raise ConfigError(f"--table must end in .md, .tex or .csv, not {path.suffix!r}")
        text = result.paper_table(fmt)
        if text is None:
            click.echo("--table: this analysis has no paper-style table", err=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            click.echo(f"table written: {path}", err=True)
    for reason in getattr(result, "skipped", ()):
        click.echo(f"skipped: {reason}", err=True)
    for warning in getattr(result, "warnings", ()):
        click.echo(f"warning: {warning}", err=True)
    if export_result(result, kw["fmt"]):
        return
    fmt = kw["fmt"]
    if fmt == "json":
        emit(result.to_dict(), "json")
    elif fmt == "csv":
        emit(result.csv_frame(), "csv")
    else:
        emit(result.frame(), "table", title=result.title())


def _write_plot(fig: Any, path: str | None) -> None:
    if path:
        from policylink.spatial.did.plots import save_png

        click.echo(f"plot written: {save_png(fig, path)}", err=True)


def _guard(fn: Callable) -> Callable:
    """Turn estimator ValueErrors into user-facing configuration errors."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except ValueError as exc:  # numpy's LinAlgError is a ValueError
            if isinstance(exc, InputError):
                raise
            raise ConfigError(
                f"{fn.__name__.removesuffix('_cmd').replace('_', '-')}: {exc}"
            ) from exc

    return wrapper


@click.group("did")
def did_group() -> None:
    """Staggered DID: TWFE, event study, placebo, PSM, CS, imputation, SA, Bacon, HonestDiD, spatial.

    \b
    Example (seed 004 layout: outcome NP, pilots coded by first treated year):
      policylink did twfe cities.csv -y NP --first-treated pilot_year \\
          --controls Gov,Density,Fdi,lngdp,RCL,Fin --table table3.md
      policylink did simulate --out synthetic.csv     # SYNTHETIC panel to try the commands
    """


@did_group.command("twfe")
@functools.partial(panel_options, export=True)
@click.option(
    "--wild-bootstrap",
    "wild_draws",
    default=0,
    show_default=True,
    help="Wild cluster bootstrap (WCR) draws for the DID p-value; 0 = none.",
)
@click.option(
    "--wild-weights",
    type=click.Choice(["rademacher", "webb"]),
    default="rademacher",
    show_default=True,
)
@seed_option("Seed of the bootstrap.")
@inference_options
@_guard
def twfe_cmd(wild_draws: int, wild_weights: str, seed: int, **kw: Any) -> None:
    """Two-way fixed-effects DID with controls (seed 004 eq. 1, Table 3).

    --wild-bootstrap N adds the wild cluster bootstrap p-value (restricted, clusters = units;
    with Rademacher weights and 2^G <= N all sign patterns are enumerated).
    """
    from policylink.analyses.did import TwfeOptions, run_twfe

    if wild_draws < 0:
        raise ConfigError("--wild-bootstrap must be 0 or more")
    conley, coords = _inference(kw)
    opts = TwfeOptions(wild_draws=wild_draws, wild_weights=wild_weights, seed=seed, **conley)
    _show(run_twfe(_inputs(kw, coordinates=coords), opts), kw)


@did_group.command("event-study")
@panel_options
@click.option(
    "--leads", default=DEFAULT_LEADS, show_default=True, help="Pre-periods (e <= -leads binned)."
)
@click.option(
    "--lags", default=DEFAULT_LAGS, show_default=True, help="Post-periods (e >= lags binned)."
)
@click.option(
    "--reference", default=DEFAULT_REFERENCE, show_default=True, help="Omitted event time."
)
@plot_option("the coefficients")
@inference_options
@_guard
def event_study_cmd(leads: int, lags: int, reference: int, plot: str | None, **kw: Any) -> None:
    """Event study with leads/lags and a joint pre-trend test (seed 004 Table 4, Fig. 1)."""
    from policylink.analyses.did import EventStudyOptions, run_event_study

    conley, coords = _inference(kw)
    opts = EventStudyOptions(leads, lags, reference, **conley)
    res = run_event_study(_inputs(kw, coordinates=coords), opts)
    _write_plot(res.figures()["event_study"] if plot else None, plot)
    _show(res, kw)


@did_group.command("placebo")
@panel_options
@click.option(
    "--draws", default=DEFAULT_PLACEBO_DRAWS, show_default=True, help="Random reassignments R."
)
@click.option(
    "--mode",
    type=click.Choice(["units", "timing", "both"]),
    default="units",
    show_default=True,
    help="Shuffle first-treated years across units, draw random years, or both.",
)
@seed_option()
@click.option(
    "--method",
    type=click.Choice(["fast", "loop"]),
    default="fast",
    show_default=True,
    help="FWL fast path or pyfixest loop.",
)
@plot_option("the distribution")
@click.option(
    "--draws-out",
    default=None,
    type=click.Path(dir_okay=False),
    help="CSV of every draw's estimate.",
)
@_guard
def placebo_cmd(
    draws: int,
    mode: str,
    seed: int,
    method: str,
    plot: str | None,
    draws_out: str | None,
    **kw: Any,
) -> None:
    """Placebo test: R random treatment reassignments (seed 004 Fig. 2)."""
    from policylink.analyses.did import PlaceboOptions, run_placebo

    opts = PlaceboOptions(draws=draws, mode=mode, seed=seed, method=method)
    res = run_placebo(_inputs(kw), opts, progress=progress)
    _write_plot(res.figures()["placebo"] if plot else None, plot)
    if draws_out:
        res.draws_frame().to_csv(draws_out, index=False)
    _show(res, kw)


@did_group.command("psm")
@panel_options
@click.option("--covariates", default=None, help="Matching covariates (default: the controls).")
@click.option("--caliper", type=float, default=None, help="Largest propensity-score distance.")
@seed_option("Seed of the matching order.")
@plot_option("the balance (Fig. 3)")
@inference_options
@_guard
def psm_cmd(
    covariates: str | None, caliper: float | None, seed: int, plot: str | None, **kw: Any
) -> None:
    """PSM-DID: logit propensity, 1:1 nearest neighbour without replacement (seed 004 Table 5)."""
    from policylink.analyses.did import PsmOptions, run_psm

    covs = tuple(split_list(covariates)) or None
    conley, coords = _inference(kw)
    opts = PsmOptions(covs, caliper, seed, **conley)
    res = run_psm(_inputs(kw, variables=covs or (), coordinates=coords), opts)
    _write_plot(res.figures()["psm_balance"] if plot else None, plot)
    _show(res, kw)


@did_group.command("cs")
@panel_options
@click.option(
    "--control", type=click.Choice(["never", "notyet"]), default="never", show_default=True
)
@click.option(
    "--base-period",
    type=click.Choice(["varying", "universal"]),
    default="varying",
    show_default=True,
)
@click.option(
    "--covariates", default=None, help="Covariates for conditional parallel trends (a,b,...)."
)
@click.option(
    "--estimator",
    type=click.Choice(["or", "ipw", "dr"]),
    default="or",
    show_default=True,
    help="With --covariates: outcome regression, IPW or doubly robust (Sant'Anna-Zhao).",
)
@click.option(
    "--aggregate",
    type=click.Choice(["dynamic", "simple", "group", "calendar"]),
    default="dynamic",
    show_default=True,
    help="Aggregation shown (and covered by --bands).",
)
@anticipation_option
@click.option(
    "--bands",
    default=0,
    show_default=True,
    help="Multiplier-bootstrap draws for uniform (simultaneous) 95% bands; 0 = none.",
)
@seed_option("Seed of the bootstrap.")
@plot_option("the event-time ATTs")
@_guard
def cs_cmd(
    control: str,
    base_period: str,
    covariates: str | None,
    estimator: str,
    aggregate: str,
    anticipation: int,
    bands: int,
    seed: int,
    plot: str | None,
    **kw: Any,
) -> None:
    """Callaway-Sant'Anna group-time ATTs with simple, dynamic, group and calendar aggregations.

    Without --covariates: unconditional parallel trends. With --covariates: conditional
    parallel trends (covariates at the base period), estimated by outcome regression, IPW or
    the doubly robust DID (--estimator).
    """
    from policylink.analyses.did import CsOptions, run_callaway_santanna

    covs = tuple(split_list(covariates))
    opts = CsOptions(control, base_period, covs, bands, seed, estimator, anticipation, aggregate)
    res = run_callaway_santanna(_inputs(kw, variables=covs), opts)
    _write_plot(res.figures()["cs"] if plot else None, plot)
    _show(res, kw)


@did_group.command("sun-abraham")
@panel_options
@click.option("--leads", default=None, type=int, help="Show event times >= -leads.")
@click.option("--lags", default=None, type=int, help="Show event times <= lags.")
@plot_option("the IW event study")
@inference_options
@_guard
def sun_abraham_cmd(leads: int | None, lags: int | None, plot: str | None, **kw: Any) -> None:
    """Sun-Abraham interaction-weighted event study (saturated cohort x event-time TWFE)."""
    from policylink.analyses.did import SunAbrahamOptions, run_sun_abraham

    conley, coords = _inference(kw)
    res = run_sun_abraham(_inputs(kw, coordinates=coords), SunAbrahamOptions(leads, lags, **conley))
    _write_plot(res.figures()["sun_abraham"] if plot else None, plot)
    _show(res, kw)


@did_group.command("imputation")
@panel_options
@click.option("--horizons", default=None, type=int, help="Largest event time reported.")
@click.option(
    "--pretrends",
    default=DEFAULT_LEADS,
    show_default=True,
    help="Leads in the pre-trend test on untreated observations (0 = none).",
)
@anticipation_option
@plot_option("the event-time ATTs")
@inference_options
@_guard
def imputation_cmd(
    horizons: int | None, pretrends: int, anticipation: int, plot: str | None, **kw: Any
) -> None:
    """Imputation DID (Borusyak-Jaravel-Spiess; Gardner two-stage point estimates).

    Fits unit and year effects (and the controls) on untreated observations only, imputes
    the untreated outcome of treated observations and averages the differences: overall and
    by event time, with the BJS conservative standard errors (clustered by --cluster, or
    Conley with --conley-km) and a pre-trend test.
    """
    from policylink.analyses.did import ImputationOptions, run_imputation

    conley, coords = _inference(kw)
    opts = ImputationOptions(horizons, pretrends, anticipation, **conley)
    res = run_imputation(_inputs(kw, coordinates=coords), opts)
    _write_plot(res.figures()["imputation"] if plot else None, plot)
    _show(res, kw)


@did_group.command("sdid")
@panel_options
@click.option(
    "--method",
    type=click.Choice(["sdid", "sc", "did"]),
    default="sdid",
    show_default=True,
    help="Synthetic DID, synthetic control or plain DID (same design and SEs).",
)
@click.option(
    "--se",
    "se_method",
    type=click.Choice(["placebo", "jackknife", "bootstrap", "none", "auto"]),
    default="placebo",
    show_default=True,
    help="Standard errors: placebo (controls as fake treated), jackknife, bootstrap; "
    "auto = placebo if controls outnumber treated units, else bootstrap.",
)
@replications_option("Placebo / bootstrap replications.")
@seed_option("Seed of the draws.")
@click.option(
    "--weights-out",
    default=None,
    type=click.Path(dir_okay=False),
    help="CSV of the unit weights (cohort, unit, omega) and time weights (cohort, year, lambda).",
)
@click.option(
    "--plot",
    default=None,
    type=click.Path(dir_okay=False),
    help="PNG: treated vs synthetic control with the time weights.",
)
@_guard
def sdid_cmd(
    method: str,
    se_method: str,
    replications: int,
    seed: int,
    weights_out: str | None,
    plot: str | None,
    **kw: Any,
) -> None:
    """Synthetic DID (Arkhangelsky et al. 2021) by adoption cohort on never-treated controls.

    Each cohort gets unit weights (controls matching its pre-trend) and time weights (pre
    years matching the post period); the overall ATT weights cohorts by treated units x post
    years (as Stata sdid). Needs a balanced panel; --controls are not used.
    """
    from policylink.analyses.did import SdidOptions, run_sdid

    res = run_sdid(_inputs(kw), SdidOptions(method, se_method, replications, seed))
    if weights_out:
        import pandas as pd

        both = pd.concat(
            [
                res.unit_weights().assign(kind="unit").rename(columns={"omega": "weight"}),
                res.time_weights().assign(kind="time").rename(columns={"lambda": "weight"}),
            ],
            ignore_index=True,
        ).assign(source=res.provenance.label("en"))
        Path(weights_out).parent.mkdir(parents=True, exist_ok=True)
        both.to_csv(weights_out, index=False)
        click.echo(f"weights written: {weights_out}", err=True)
    _write_plot(res.figures()["sdid"] if plot else None, plot)
    _show(res, kw)


@did_group.command("dcdh")
@panel_options
@click.option("--effects", default=3, show_default=True, help="Dynamic effects DID_1..DID_n.")
@click.option("--placebos", default=2, show_default=True, help="Placebo estimators.")
@click.option(
    "--draws",
    default=DEFAULT_DCDH_DRAWS,
    show_default=True,
    help="Bootstrap resamples of units (0 = no SEs).",
)
@seed_option("Seed of the bootstrap.")
@plot_option("DID_l and placebos")
@_guard
def dcdh_cmd(
    effects: int, placebos: int, draws: int, seed: int, plot: str | None, **kw: Any
) -> None:
    """de Chaisemartin-D'Haultfoeuille DID_M and DID_l: treatments that switch on and off.

    Give the 0/1 --treat column (it may switch off again; balanced panel). DID_M compares
    joiners and leavers with units whose treatment did not change; DID_l follows units from
    their first switch, with placebos before it.
    """
    from policylink.analyses.did import DcdhOptions, run_dcdh

    res = run_dcdh(_inputs(kw), DcdhOptions(effects, placebos, draws, seed))
    _write_plot(res.figures()["dcdh"] if plot else None, plot)
    _show(res, kw)


@did_group.command("honest")
@panel_options
@click.option(
    "--restriction",
    type=click.Choice(["rm", "sd"]),
    default="rm",
    show_default=True,
    help="rm: relative magnitudes (Mbar); sd: smoothness (M).",
)
@click.option(
    "--m-values", default="0,0.5,1,1.5,2", show_default=True, help="Values of M (a,b,...)."
)
@click.option(
    "--target",
    default="average",
    show_default=True,
    help="average (of the post periods), first, or an event time (0, 1, ...).",
)
@click.option("--leads", default=DEFAULT_LEADS, show_default=True, help="Event-study leads.")
@click.option("--lags", default=DEFAULT_LAGS, show_default=True, help="Event-study lags.")
@seed_option("Seed (critical value).")
@plot_option("the sensitivity plot")
@inference_options
@_guard
def honest_cmd(
    restriction: str,
    m_values: str,
    target: str,
    leads: int,
    lags: int,
    seed: int,
    plot: str | None,
    **kw: Any,
) -> None:
    """Rambachan-Roth (HonestDiD) bounds on the TWFE event study, breakdown value, pre-trend power.

    The confidence sets project a simultaneous 95% box of the event-study coefficients
    through the restriction (valid, conservative).
    """
    from policylink.analyses.did import HonestOptions, run_honest

    try:
        ms = tuple(float(v) for v in split_list(m_values))
    except ValueError:
        raise ConfigError(f"--m-values {m_values!r}: give numbers such as 0,0.5,1") from None
    if not ms or min(ms) < 0:
        raise ConfigError("--m-values: give one or more numbers >= 0")
    conley, coords = _inference(kw)
    opts = HonestOptions(restriction, ms, target, leads, lags, 0.05, seed, **conley)
    res = run_honest(_inputs(kw, coordinates=coords), opts)
    _write_plot(res.figures()["honest"] if plot else None, plot)
    _show(res, kw)


@did_group.command("compare")
@panel_options
@click.option("--leads", default=DEFAULT_LEADS, show_default=True, help="Event times shown before.")
@click.option("--lags", default=DEFAULT_LAGS, show_default=True, help="Event times shown after.")
@replications_option("Placebo / bootstrap replications of the synthetic DID row.")
@seed_option("Seed of the synthetic DID row's replications.")
@plot_option("the four event studies")
@inference_options
@_guard
def compare_cmd(
    leads: int, lags: int, replications: int, seed: int, plot: str | None, **kw: Any
) -> None:
    """TWFE vs Callaway-Sant'Anna vs imputation vs Sun-Abraham vs synthetic DID: one table, one
    figure (SDID has no event-time path: a row of the table only)."""
    from policylink.analyses.did import ComparisonOptions, run_comparison

    conley, coords = _inference(kw)
    opts = ComparisonOptions(leads, lags, replications, seed, **conley)
    res = run_comparison(_inputs(kw, coordinates=coords), opts)
    _write_plot(res.figures()["compare"] if plot else None, plot)
    _show(res, kw)


@did_group.command("bacon")
@panel_options
@plot_option("estimate vs weight")
@_guard
def bacon_cmd(plot: str | None, **kw: Any) -> None:
    """Goodman-Bacon decomposition of the TWFE DID (balanced panel, no controls)."""
    from policylink.analyses.did import run_bacon

    res = run_bacon(_inputs(kw))
    _write_plot(res.figures()["bacon"] if plot else None, plot)
    _show(res, kw)


@did_group.command("spatial")
@panel_options
@click.option(
    "--weights",
    "weights_src",
    default=None,
    help="Weights: a CSV of pairs i,j[,w] or a .gal/.gwt file; with --db also a weights view "
    "kind: queen (default), rook, knn:K or distance:METRES.",
)
@click.option(
    "--model",
    type=click.Choice(["slx", "sdm"]),
    default="slx",
    show_default=True,
    help="TWFE with W*D (slx) or ML spatial Durbin panel (sdm).",
)
@click.option("--lag-controls", is_flag=True, help="Also include spatial lags of the controls.")
@inference_options
@_guard
def spatial_cmd(weights_src: str | None, model: str, lag_controls: bool, **kw: Any) -> None:
    """Spatial DID: direct effect and spillover from the share of treated neighbours.

    The title and the JSON (``inference``) say which standard errors were used.
    """
    from policylink.analyses.did import SpatialDidOptions, run_spatial_did

    if kw.get("from_db"):
        weights = weights_src or "queen"
    elif weights_src and Path(weights_src).is_file():
        weights = weights_src
    else:
        raise ConfigError(
            "--weights: give a weights file (CSV of pairs, .gal, .gwt)"
            + (f"; {weights_src!r} is not a file" if weights_src else "")
        )
    conley, coords_file = _inference(kw)
    opts = SpatialDidOptions(model=model, lag_controls=lag_controls, **conley)
    _show(run_spatial_did(_inputs(kw, weights=weights, coordinates=coords_file), opts), kw)


@did_group.command("robust")
@panel_options
@click.option("--drop-years", default=None, help="Years to drop, e.g. 2020-2022.")
@click.option(
    "--drop-units", default=None, help="Unit codes to drop, e.g. 110000,120000,310000,500000."
)
@click.option("--alt-outcomes", default=None, help="Alternative outcome columns.")
@_guard
def robust_cmd(
    drop_years: str | None, drop_units: str | None, alt_outcomes: str | None, **kw: Any
) -> None:
    """Robustness: drop years, drop units, alternative outcomes (seed 004 Table 5)."""
    from policylink.analyses.did import RobustnessOptions, run_robustness

    alts = tuple(split_list(alt_outcomes))
    opts = RobustnessOptions(
        drop_years=tuple(parse_years(drop_years, "--drop-years")),
        drop_units=tuple(split_list(drop_units)),
        alt_outcomes=alts,
    )
    _show(run_robustness(_inputs(kw, variables=alts), opts), kw)


@did_group.command("mechanism")
@panel_options
@click.option(
    "--mediator", required=True, help="Mediator column(s), comma-separated: one model each."
)
@click.option("--main-effects", is_flag=True, help="Also include DID and the mediator alone.")
@_guard
def mechanism_cmd(mediator: str, main_effects: bool, **kw: Any) -> None:
    """Mechanism regressions with mediator x DID (seed 004 Table 6)."""
    from policylink.analyses.did import MechanismOptions, run_mechanism

    mediators = tuple(split_list(mediator))
    opts = MechanismOptions(mediators, main_effects)
    _show(run_mechanism(_inputs(kw, variables=mediators), opts), kw)


@did_group.command("heterogeneity")
@panel_options
@click.option(
    "--group",
    "group_col",
    required=True,
    help="Grouping column (e.g. region, large_city, resource_based).",
)
@_guard
def heterogeneity_cmd(group_col: str, **kw: Any) -> None:
    """DID by groups of units with a test of equal effects (seed 004 Tables 7-8)."""
    from policylink.analyses.did import HeterogeneityOptions, run_heterogeneity

    inputs = _inputs(kw, attributes=(group_col,))
    _show(run_heterogeneity(inputs, HeterogeneityOptions(group_col)), kw)


@did_group.command("run")
@panel_options
@click.option("--draws", default=DEFAULT_PLACEBO_DRAWS, show_default=True, help="Placebo draws.")
@click.option(
    "--seed", default=DEFAULT_SEED, show_default=True, help="Seed (placebo and matching)."
)
@click.option(
    "--leads", default=DEFAULT_LEADS, show_default=True, help="Event-study pre-periods (binned)."
)
@click.option(
    "--lags", default=DEFAULT_LAGS, show_default=True, help="Event-study post-periods (binned)."
)
@click.option(
    "--plots",
    "plot_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Directory for event_study.png, event_study_compare.png (TWFE, Sun-Abraham, "
    "Callaway-Sant'Anna), placebo.png, psm_balance.png.",
)
@inference_options
@_guard
def run_cmd(draws: int, seed: int, leads: int, lags: int, plot_dir: str | None, **kw: Any) -> None:
    """The whole seed 004 pipeline: TWFE, event study, placebo, PSM-DID, plus Callaway-Sant'Anna
    and Sun-Abraham for staggered timing.

    JSON keys: coefficients, n_obs, n_units, r2_within, event_study, pretrend, placebo, psm, cs,
    sun_abraham, skipped (parts that could not be estimated on this panel), source, synthetic.
    """
    from policylink.analyses.did import SuiteOptions, run_suite

    conley, coords = _inference(kw)
    opts = SuiteOptions(leads=leads, lags=lags, draws=draws, seed=seed, **conley)
    res = run_suite(_inputs(kw, coordinates=coords), opts, progress=progress)
    if plot_dir:
        for name, fig in res.figures().items():
            _write_plot(fig, str(Path(plot_dir) / f"{name}.png"))
    _show(res, kw)


@did_group.command("simulate")
@click.option(
    "--out", "out_file", required=True, type=click.Path(dir_okay=False), help="CSV to write."
)
@click.option("--units", default=218, show_default=True)
@click.option("--tau", default=0.5, show_default=True, help="True effect at adoption.")
@click.option(
    "--dynamic", default=0.0, show_default=True, help="Added effect per year since adoption."
)
@click.option("--seed", default=0, show_default=True)
def simulate_cmd(out_file: str, units: int, tau: float, dynamic: float, seed: int) -> None:
    """Write a SYNTHETIC staggered panel (seed 004 shape: 2009-2022, batches 2011/2013/2017).

    Columns: unit (SYN001...), year, y, x1, x2, first_treated (0 = never), treat, te (true
    effect), source (says SYNTHETIC and the parameters). True parameters: tau, dynamic, beta = (0.3, -0.2), sigma = 1.
    """
    from policylink.spatial.did import simulate_staggered

    try:
        df = simulate_staggered(n_units=units, tau=tau, dynamic=dynamic, seed=seed)
    except ValueError as exc:  # too few units for the three batches
        raise ConfigError(f"--units {units}: {exc}") from exc
    df["source"] = (
        f"SYNTHETIC (policylink.spatial.did.simulate seed={seed} tau={tau} dynamic={dynamic})"
    )
    Path(out_file).parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out_file, index=False)
    click.echo(f"SYNTHETIC panel written: {out_file} ({len(df)} rows, true tau = {tau})")


def register(group: click.Group) -> None:
    """Add ``policylink did`` to the main CLI group."""
    group.add_command(did_group)
