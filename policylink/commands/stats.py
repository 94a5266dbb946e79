"""``policylink moran``, ``lisa``, ``geary`` and ``sdm``: spatial statistics.

Thin front-ends: the options become an :class:`policylink.inputs.InputSource` and the options
of one analysis; :func:`policylink.inputs.load_inputs` assembles the inputs (database or files)
and :mod:`policylink.analyses` computes the result that is printed here. The report, the QGIS
Processing algorithms and the dock call the same functions, so they show the same numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

# Only light modules at the top: `policylink moran --help` (and lisa, geary, sdm, model) builds
# the options but runs no analysis, so numpy, pandas and the inputs layer load in the commands.
from policylink.analyses.base import DEFAULT_PERMUTATIONS, DEFAULT_SEED
from policylink.analyses.sdm_defaults import DEFAULT_DRAWS
from policylink.analyses.sdm_defaults import MODELS as SDM_MODELS
from policylink.commands._common import parse_years, split_list
from policylink.errors import ConfigError
from policylink.input_defaults import DEFAULT_LEVEL
from policylink.output import emit, export_result, format_option

if TYPE_CHECKING:
    from policylink.inputs import AnalysisInputs

JJJ = "110000,120000,130000"


def _years(text: str | None) -> list[int] | None:
    """``--years`` as sorted distinct years; None (all years) when not given."""
    return sorted(set(parse_years(text))) if text else None


def _inputs(
    variables: list[str],
    src: dict[str, Any],
    *,
    extra: list[str] | None = None,
    years: list[int] | None = None,
) -> AnalysisInputs:
    """The command's inputs through the one inputs layer; notes go to stderr."""
    from policylink.inputs import InputSource, load_inputs

    source = InputSource.from_options(**src)
    inp = load_inputs(source, variables, extra=extra or (), years=years)
    for note in inp.notes:
        click.echo(f"note: {note}", err=True)
    return inp


def _input_options(f: Any) -> Any:
    """Input options shared by the three commands.

    ``--transformation`` reaches the command as ``transformation``; the other options are the
    fields of :class:`policylink.inputs.InputSource` (the commands collect them as ``**src``).
    """
    opts = [
        click.option(
            "--level",
            default=DEFAULT_LEVEL,
            show_default=True,
            help="Database input: unit level (prefecture or county).",
        ),
        click.option(
            "--within",
            default=None,
            help=f"Database input: comma-separated codes (e.g. {JJJ} = Jing-Jin-Ji); "
            "units whose code or an ancestor is listed.",
        ),
        click.option(
            "--panel",
            "panel_file",
            type=click.Path(dir_okay=False),
            default=None,
            help="Long panel CSV/XLSX (one row per unit and period) instead of the database.",
        ),
        click.option(
            "--layer",
            "layer_file",
            type=click.Path(dir_okay=False),
            default=None,
            help="Polygon layer (GPKG/SHP/GeoJSON) with attributes: one cross-section; "
            "contiguity is built from it.",
        ),
        click.option("--id", "id_col", default=None, help="Unit id column of --panel / --layer."),
        click.option("--time", "time_col", default=None, help="Period column of --panel."),
        click.option(
            "--weights",
            "weights_file",
            type=click.Path(dir_okay=False),
            default=None,
            help="Weights file for --panel (GAL or GWT, read by libpysal).",
        ),
        click.option(
            "--boundaries",
            "boundaries_file",
            type=click.Path(dir_okay=False),
            default=None,
            help="Polygon layer for --panel; weights of --weights-kind built from it (the same "
            "rule as the database views).",
        ),
        click.option(
            "--boundary-id",
            default=None,
            help="Id field of --boundaries (default: the --id column name).",
        ),
        click.option(
            "--weights-kind",
            default="queen",
            show_default=True,
            help="Weights: queen, rook (gap tolerance 1 m; queen:0 for none, queen:TOL in "
            "metres; queen^2 = order 2, queen^1-2 = orders 1-2), knn:K, distance:METRES, "
            "idw:METRES[:POWER], kernel:K[:FUNCTION], kernel:fixed:METRES[:FUNCTION] or links "
            "(coordination links, database only), on an equal-area projection; the same rule "
            "for the database views and for layers.",
        ),
        click.option(
            "--transformation",
            "--transform",
            "transformation",
            type=click.Choice(["r", "b", "v", "d", "o"]),
            default="r",
            show_default=True,
            help="Weights (libpysal): r = row-standardised, b = binary, v = variance "
            "stabilising, d = doubly standardised, o = stored values (e.g. inverse distances).",
        ),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _permutation_options(help_text: str) -> Any:
    """``--permutations`` (default 999, described by ``help_text``) and ``--seed`` (12345)."""

    def deco(f: Any) -> Any:
        f = click.option(
            "--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Permutation seed."
        )(f)
        return click.option(
            "--permutations",
            type=int,
            default=DEFAULT_PERMUTATIONS,
            show_default=True,
            help=help_text,
        )(f)

    return deco


# --------------------------------------------------------------------------------------------
# moran
# --------------------------------------------------------------------------------------------
@click.command("moran")
@click.option("--variable", required=True, help="Variable to test (panel column / layer field).")
@click.option("--years", default=None, help="Years, e.g. 2006-2019 or 2010,2015 (default: all).")
@_input_options
@_permutation_options("Random permutations for the pseudo p-value (0 = none).")
@click.option(
    "--alternative",
    type=click.Choice(["greater", "less", "two-sided"]),
    default="greater",
    show_default=True,
    help="Alternative hypothesis (seed 000 Table 4 reports one-sided 'greater').",
)
@click.option(
    "--with",
    "other",
    default=None,
    help="Bivariate Moran: correlation of --variable with the spatial lag of this variable "
    "(permutation inference only).",
)
@click.option(
    "--rate",
    "rate_base",
    default=None,
    help="Moran's I for rates: --variable holds event counts and this column the population "
    "at risk; tests the empirical-Bayes standardised rates (Assuncao-Reis).",
)
@click.option(
    "--diff",
    "change_from",
    type=int,
    default=None,
    help="Differential Moran: test the change of --variable since this year, for every later "
    "year of --years.",
)
@format_option()
def moran_cmd(
    variable: str,
    years: str | None,
    transformation: str,
    permutations: int,
    seed: int,
    alternative: str,
    other: str | None,
    rate_base: str | None,
    change_from: int | None,
    fmt: str,
    **src: Any,
) -> None:
    """Global Moran's I of --variable for every year, in one table.

    For each year: Moran's I, E[I] = -1/(n-1), and z and p under normality, randomisation and
    permutation. Example (seed 000 Table 4 layout):

    \b
      policylink moran --variable co2_intensity --years 2006-2019 \\
          --level prefecture --within 110000,120000,130000
    """
    from policylink.analyses.moran import (
        BivariateOptions,
        MoranOptions,
        run_bivariate_moran,
        run_moran,
    )

    yrs = _years(years)
    if other and (rate_base or change_from is not None):
        raise ConfigError("--with (bivariate) goes without --rate / --diff")
    load = None if yrs is None or change_from is None else sorted({*yrs, change_from})
    inp = _inputs(
        [variable] + [c for c in (other, rate_base) if c], src, years=load if load else yrs
    )
    if other:
        res = run_bivariate_moran(
            inp, BivariateOptions(variable, other, permutations, seed, alternative)
        )
        emit(res.rows if fmt == "json" else res.table(), fmt, title=res.title())
        return
    res = run_moran(
        inp,
        MoranOptions(
            variable,
            tuple(yrs) if yrs else None,
            transformation,
            permutations,
            seed,
            alternative,
            rate_base,
            change_from,
        ),
    )
    emit(res.records() if fmt == "json" else res.frame(), fmt, title=res.title())


# --------------------------------------------------------------------------------------------
# lisa
# --------------------------------------------------------------------------------------------
@click.command("lisa")
@click.option("--variable", required=True, help="Variable (panel column / layer field).")
@click.option("--year", type=int, default=None, help="Year of a panel (required for panels).")
@_input_options
@click.option(
    "--statistic",
    type=click.Choice(["local_moran", "gi_star", "local_geary", "bivariate_moran"]),
    default="local_moran",
    show_default=True,
    help="Local Moran (LISA clusters), Getis-Ord Gi* hot spots, local Geary, or the local "
    "bivariate Moran of --variable with the lag of --with (implied by --with).",
)
@click.option(
    "--with",
    "--bivariate",
    "other",
    default=None,
    help="Local bivariate Moran: --variable at each unit against the spatial lag of this one.",
)
@_permutation_options("Conditional permutations per unit.")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level.")
@click.option(
    "--adjust",
    "--correction",
    "adjust",
    type=click.Choice(["none", "fdr", "bonferroni"]),
    default="none",
    show_default=True,
    help="Multiple-testing control across units.",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write a layer (GPKG/GeoJSON) with the statistic and a 'cluster' field "
    "(needs geometries: --layer, --boundaries or the database).",
)
@format_option()
def lisa_cmd(
    variable: str,
    year: int | None,
    transformation: str,
    statistic: str,
    other: str | None,
    permutations: int,
    seed: int,
    alpha: float,
    adjust: str,
    out_file: str | None,
    fmt: str,
    **src: Any,
) -> None:
    """Local spatial autocorrelation: LISA clusters (HH, LL, HL, LH) or Gi* hot/cold spots.

    Permutation p-values (seeded), optional FDR (Benjamini-Hochberg) or Bonferroni control;
    units that are not significant are labelled 'not significant'.
    """
    from policylink.analyses.lisa import LisaOptions, run_lisa

    if year is None and not src["layer_file"]:
        raise ConfigError("--year is required with a panel")
    if other and statistic == "local_moran":
        statistic = "bivariate_moran"
    options = LisaOptions(
        variable, year, statistic, permutations, seed, alpha, adjust, transformation, other
    )
    options.validate()  # before reading the inputs: a mistake is reported at once
    inp = _inputs([variable] + ([other] if other else []), src, years=[year] if year else None)
    res = run_lisa(inp, options)
    if out_file:
        res.layer().to_file(out_file)
    if fmt == "json":
        emit(res.to_dict(), fmt)
        return
    if fmt == "table":
        click.echo(res.title())
    emit(res.table(), fmt)


# --------------------------------------------------------------------------------------------
# geary
# --------------------------------------------------------------------------------------------
@click.command("geary")
@click.option("--variable", required=True, help="Variable to test (panel column / layer field).")
@click.option("--years", default=None, help="Years, e.g. 2006-2019 or 2010,2015 (default: all).")
@_input_options
@_permutation_options("Random permutations for the pseudo p-value (0 = none).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@format_option()
def geary_cmd(
    variable: str,
    years: str | None,
    transformation: str,
    permutations: int,
    seed: int,
    lang: str,
    fmt: str,
    **src: Any,
) -> None:
    """Global Geary's C of --variable for every year (C < 1: similar neighbours).

    z and one-sided p under normality and randomisation (Cliff and Ord), and a seeded
    permutation p. Local Geary: ``policylink lisa --statistic local_geary``.

    \b
      policylink geary --variable co2_intensity --years 2006-2019 --within 110000,120000,130000
    """
    from policylink.analyses.geary import GearyOptions, run_geary

    yrs = _years(years)
    inp = _inputs([variable], src, years=yrs)
    res = run_geary(
        inp,
        GearyOptions(variable, tuple(yrs) if yrs else None, transformation, permutations, seed),
    )
    if fmt == "json":
        emit(res.to_dict(), fmt)
        return
    emit(res.table(lang) if fmt == "table" else res.frame(), fmt, title=res.title(lang))


# --------------------------------------------------------------------------------------------
# sdm
# --------------------------------------------------------------------------------------------
@click.command("sdm")
@click.option("--y", "y_var", required=True, help="Dependent variable.")
@click.option("--x", "x_vars", required=True, help="Comma-separated regressors.")
@click.option(
    "--model",
    type=click.Choice(list(SDM_MODELS)),
    default="sdm",
    show_default=True,
    help="Spatial Durbin, lag, error, SAC (lag + error), Durbin error or general nesting model.",
)
@click.option(
    "--fe",
    type=click.Choice(["twoways", "unit", "time", "none", "random"]),
    default="twoways",
    show_default=True,
    help="Fixed effects removed by demeaning; 'random' = random unit effects (SAR/SDM/SEM).",
)
@click.option(
    "--effects",
    "effects_kind",
    type=click.Choice(["fe", "re"]),
    default="fe",
    show_default=True,
    help="Unit effects: fixed (as --fe) or random ('re' = --fe random).",
)
@click.option(
    "--durbin",
    default=None,
    help="SDM/SDEM/GNS: comma-separated regressors whose W* lag enters (default: all).",
)
@click.option("--lee-yu", is_flag=True, help="Lee-Yu (2010) bias-corrected (transformation) ML.")
@click.option(
    "--draws",
    type=int,
    default=DEFAULT_DRAWS,
    show_default=True,
    help="Parameter draws for the SEs of direct/indirect/total effects.",
)
@click.option(
    "--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the draws."
)
@click.option(
    "--groups",
    "group_col",
    default=None,
    help="Fit the model per value of this column, weights restricted to each group.",
)
@click.option(
    "--tests",
    "run_tests",
    is_flag=True,
    help="Also run the model-choice tests (LM, Wald, LR, Hausman) with a verdict.",
)
@click.option(
    "--compare",
    is_flag=True,
    help="Also fit SAR/SEM/SDM/SAC/SDEM/GNS and compare logL, AIC, BIC and LR tests.",
)
@click.option("--years", default=None, help="Years to use, e.g. 2006-2019 (default: all).")
@_input_options
@format_option(export=True)
def sdm_cmd(
    y_var: str,
    x_vars: str,
    model: str,
    fe: str,
    effects_kind: str,
    durbin: str | None,
    lee_yu: bool,
    draws: int,
    seed: int,
    group_col: str | None,
    run_tests: bool,
    compare: bool,
    years: str | None,
    transformation: str,
    fmt: str,
    **src: Any,
) -> None:
    """Spatial panel model (SDM, SAR, SEM, SAC, SDEM or GNS) with LeSage-Pace effects.

    Balanced panels only. Prints coefficients (lagged regressors named W*<var>), rho and / or
    lambda, sigma2, log-likelihood, R2 and, except for SEM, direct / indirect / total effects
    (SEs from --draws parameter draws; SDEM in closed form). --format table gives a paper-style
    table (SE in parentheses, *** p<0.01, ** p<0.05, * p<0.1). GNS is weakly identified: its
    result carries a warning. --compare adds the six models side by side (logL, AIC, BIC) and the
    LR tests of their nested restrictions.
    """
    from policylink.analyses.sdm import SdmOptions, run_sdm

    if src["layer_file"]:
        raise ConfigError("sdm needs a panel: use --panel or the database")
    if effects_kind == "re":
        if fe not in ("twoways", "random"):
            raise ConfigError(f"--effects re means random unit effects: drop --fe {fe}")
        fe = "random"
    xs = split_list(x_vars)
    yrs = _years(years)
    options = SdmOptions(
        y=y_var,
        x=tuple(xs),
        model=model,
        fe=fe,
        durbin=tuple(split_list(durbin)) or None,
        lee_yu=lee_yu,
        draws=draws,
        seed=seed,
        group_col=group_col,
        tests=run_tests,
        compare=compare,
        transformation=transformation,
        years=tuple(yrs) if yrs else None,
    )
    options.check()
    inp = _inputs([y_var, *xs], src, extra=[group_col] if group_col else None, years=yrs)
    res = run_sdm(inp, options)
    for note in res.main.notes if not group_col else []:
        click.echo(f"note: {note}", err=True)  # e.g. the GNS identification warning
    if export_result(res, fmt):
        return
    if fmt == "json":
        click.echo(res.to_json())
        return
    if fmt == "csv":
        emit(res.comparison.frame() if compare else res.frame(), fmt)
        return
    head = res.title()
    if group_col:
        from policylink.spatial.panel import paper_table

        # one Table-5-style table per group (seed 000 Tables 6-7), then the side-by-side view
        for label, r in res.results.items():
            emit(paper_table({label: r}), "table", title=f"{label}: {head}")
            click.echo("")
        emit(res.table(), "table", title=f"Coefficients by group: {head}")
    else:
        emit(res.table(), "table", title=head)
    if res.choice is not None:
        click.echo("")
        emit(res.choice.table, "table", title="Model choice")
        for line in res.verdict():
            click.echo(f"- {line}")
    if res.comparison is not None:
        cmp = res.comparison
        click.echo("")
        emit(cmp.table, "table", title="Model comparison (same data and fixed effects)")
        click.echo("")
        emit(cmp.lr_table, "table", title="LR tests of the nested restrictions")
        click.echo(f"- smallest AIC: {cmp.best('aic')}; smallest BIC: {cmp.best('bic')}")
        for note in sorted({n for r in cmp.fits.values() for n in r.notes}):
            click.echo(f"- {note}")


def register(group: click.Group) -> None:
    """Add ``moran``, ``lisa``, ``geary`` and ``sdm`` to the CLI."""
    group.add_command(moran_cmd)
    group.add_command(geary_cmd)
    group.add_command(lisa_cmd)
    group.add_command(sdm_cmd)
