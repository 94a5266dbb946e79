"""``policylink diffusion ...``: who adopts a policy when, and from whom.

Thin front-ends: the options become a :class:`policylink.diffusion_inputs.EhaSource` and the
options of one analysis of :mod:`policylink.analyses.diffusion`; the cascades and risk sets are
the views' (``eha_cascade``, ``eha_risk_set``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

# Only light modules at the top: `policylink diffusion --help` builds every subcommand's options
# but runs no analysis, so numpy, pandas, psycopg and the inputs load inside the commands.
from policylink.analyses.base import DEFAULT_PERMUTATIONS, DEFAULT_SEED
from policylink.analyses.diffusion_defaults import (
    DEFAULT_CURVES,
    DEFAULT_DEPENDENCE,
    DEFAULT_DYAD_REGRESSORS,
    DEFAULT_EHA_REGRESSORS,
    DEFAULT_LINK,
    DEFAULT_MARKOV_K,
    DEFAULT_NETINF_MODEL,
    DEFAULT_NETINF_P,
)
from policylink.commands._common import parse_years, split_list
from policylink.errors import ConfigError
from policylink.input_defaults import DEFAULT_DIFFUSION_YEARS as DEFAULT_YEARS
from policylink.output import emit, format_option

if TYPE_CHECKING:
    from policylink.diffusion_inputs import EhaSource

JJJ = "110000,120000,130000"


def _source(
    programme: str,
    level: str,
    within: str | None,
    years: str | None,
    neighbours: str,
    covers: bool,
    rollup: bool,
    covariates: str | None,
    lag: int,
) -> EhaSource:
    from policylink.diffusion_inputs import CascadeRules, EhaSource

    yrs = parse_years(years) if years else list(DEFAULT_YEARS)
    if not yrs:
        raise ConfigError("--years: give a range such as 2009-2022")
    progs = tuple(split_list(programme))
    if not progs:
        raise ConfigError("--programme: name at least one programme")
    codes = tuple(split_list(within)) or None
    return EhaSource(
        programmes=progs,
        level=level,
        within=codes,
        years=(min(yrs), max(yrs)),
        neighbours=neighbours,
        rules=CascadeRules(covers=covers, rollup=rollup),
        covariates=tuple(split_list(covariates)),
        lag=lag,
    )


def _source_options(f: Any) -> Any:
    opts = [
        click.option(
            "--programme",
            default="low_carbon_pilot",
            show_default=True,
            help="policy_event.programme; several (comma-separated) = pooled EHA with "
            "programme-specific baselines.",
        ),
        click.option("--level", default="prefecture", show_default=True, help="Unit level."),
        click.option("--within", default=None, help=f"Units within these codes (e.g. {JJJ})."),
        click.option(
            "--years",
            default=None,
            help=f"Window, e.g. 2009-2022 (default {DEFAULT_YEARS[0]}-{DEFAULT_YEARS[1]}).",
        ),
        click.option(
            "--neighbours",
            default="queen",
            show_default=True,
            help="queen, rook, knn:K, distance:METRES (the views' weights) or links (the "
            "coordination-link network).",
        ),
        click.option(
            "--covers/--no-covers",
            default=False,
            show_default=True,
            help="A participating province adopts for its units.",
        ),
        click.option(
            "--rollup/--no-rollup",
            default=False,
            show_default=True,
            help="A participating county adopts for its prefecture.",
        ),
        click.option(
            "--covariates",
            default=None,
            help="Panel variables (observation) lagged one year, comma-separated.",
        ),
        click.option(
            "--lag",
            type=int,
            default=1,
            show_default=True,
            help="Years between a neighbour's (or source's) adoption and the row's year.",
        ),
        click.option(
            "--link",
            type=click.Choice(["logit", "cloglog"]),
            default=DEFAULT_LINK,
            show_default=True,
            help="Hazard link (cloglog: exp(b) is a hazard ratio).",
        ),
        click.option(
            "--duration",
            type=click.Choice(["dummies", "cubic", "log", "none"]),
            default=DEFAULT_DEPENDENCE,
            show_default=True,
            help="Duration dependence: period dummies, cubic in t (Carter-Signorino), log t.",
        ),
        click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _notes(notes: Any) -> None:
    for n in notes:
        click.echo(f"note: {n}", err=True)


@click.group("diffusion")
def diffusion() -> None:
    """Policy diffusion: event history analysis, dyads, networks and dynamics of adoption."""


@diffusion.command("eha")
@_source_options
@click.option(
    "--regressors",
    default=None,
    help="Risk-set columns as regressors (default: "
    f"{','.join(DEFAULT_EHA_REGRESSORS)} plus the covariates); also neighbour_count.",
)
@format_option()
def eha_cmd(
    link: str, duration: str, regressors: str | None, lang: str, fmt: str, **src: Any
) -> None:
    """Discrete-time event history analysis of adoption (Berry & Berry 1990).

    One row per unit and year at risk (until adoption); logit or cloglog hazard with duration
    dependence, the lagged neighbour-adoption share, the lagged adoption of a higher-level unit
    and covariates; SEs clustered by unit; average marginal effects.

    \b
      policylink diffusion eha --programme low_carbon_pilot --neighbours knn:5
      policylink diffusion eha --programme low_carbon_pilot,low_carbon_transport_pilot
    """
    from policylink.analyses.diffusion import EhaOptions, run_eha
    from policylink.diffusion_inputs import load_eha_inputs

    source = _source(**src)
    inp = load_eha_inputs(source)
    regs = tuple(split_list(regressors)) or (*DEFAULT_EHA_REGRESSORS, *source.covariates)
    res = run_eha(inp, EhaOptions(regressors=regs, link=link, dependence=duration))
    _notes(res.provenance.notes)
    emit(res.to_dict() if fmt == "json" else res.table(lang), fmt, title=res.title(lang))


@diffusion.command("dyad")
@_source_options
@click.option(
    "--regressors",
    default=None,
    help=f"Dyad columns (default: {','.join(DEFAULT_DYAD_REGRESSORS)} plus absdiff_<covariate> "
    "for each covariate).",
)
@format_option()
def dyad_cmd(
    link: str, duration: str, regressors: str | None, lang: str, fmt: str, **src: Any
) -> None:
    """Directed-dyad EHA (Volden 2006): does a unit adopt after similar or close earlier adopters?

    Dyads (i, j, t): i at risk in t, j adopted before t; regressors: shared border, log
    distance, coordination link, same province, |covariate difference|; SEs clustered by i.
    """
    from policylink.analyses.diffusion import DyadOptions, run_dyad
    from policylink.diffusion_inputs import load_dyad_inputs

    source = _source(**src)
    inp = load_dyad_inputs(source)
    regs = tuple(split_list(regressors)) or (
        *DEFAULT_DYAD_REGRESSORS,
        *(f"absdiff_{v}" for v in source.covariates),
    )
    res = run_dyad(inp, DyadOptions(regressors=regs, link=link, dependence=duration))
    _notes(res.provenance.notes)
    emit(res.to_dict() if fmt == "json" else res.table(lang), fmt, title=res.title(lang))


@diffusion.command("cascade")
@click.option("--programme", default="low_carbon_pilot", show_default=True)
@click.option("--level", default=None, help="Unit level (default: participants as encoded).")
@click.option("--within", default=None, help=f"Units within these codes (e.g. {JJJ}).")
@click.option("--covers/--no-covers", default=False, show_default=True)
@click.option("--rollup/--no-rollup", default=False, show_default=True)
@format_option()
def cascade_cmd(
    programme: str, level: str | None, within: str | None, covers: bool, rollup: bool, fmt: str
) -> None:
    """The adoption cascade of a programme: each unit's first adoption date and its precision."""
    from policylink.diffusion_inputs import CascadeRules, read_cascade
    from policylink.etl import db as dbmod

    with dbmod.connect(dbmod.database_url()) as c:
        frame = read_cascade(c, programme, level, within, CascadeRules(covers, rollup))
    emit(frame, fmt, title=f"Adoption cascade of {programme} (real policy events)")


@diffusion.command("netinf")
@click.option(
    "--programme",
    default=None,
    help="Programmes whose cascades are used, comma-separated (default: every programme with "
    "events).",
)
@click.option("--level", default="prefecture", show_default=True, help="Unit level.")
@click.option("--within", default=None, help=f"Units within these codes (e.g. {JJJ}).")
@click.option("--covers/--no-covers", default=False, show_default=True)
@click.option("--rollup/--no-rollup", default=False, show_default=True)
@click.option(
    "--ties",
    type=int,
    default=None,
    help="Number of ties to infer (default: add ties while the next one's one-sided p-value "
    "is at most --p-value).",
)
@click.option("--p-value", type=float, default=DEFAULT_NETINF_P, show_default=True)
@click.option(
    "--model",
    type=click.Choice(["exponential", "power"]),
    default=DEFAULT_NETINF_MODEL,
    show_default=True,
    help="Transmission-time density (times in years).",
)
@click.option("--rate", type=float, default=None, help="Rate or power-law exponent.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@format_option()
def netinf_cmd(
    programme: str | None,
    level: str,
    within: str | None,
    covers: bool,
    rollup: bool,
    ties: int | None,
    p_value: float,
    model: str,
    rate: float | None,
    lang: str,
    fmt: str,
) -> None:
    """NetInf: the most likely diffusion ties behind several programmes' cascades.

    Each programme's cascade (first adoption dates) is one cascade (Gomez-Rodriguez, Leskovec &
    Krause 2010); the ties are compared with the coordination links and queen contiguity
    (precision, recall, chance precision). CSV gives the ties.

    \b
      policylink diffusion netinf --ties 20
      policylink diffusion netinf --programme low_carbon_pilot,ets_pilot --format json
    """
    from policylink.analyses.diffusion import NetinfOptions, run_netinf
    from policylink.diffusion_inputs import CascadeRules, EhaSource, load_netinf_inputs

    progs = tuple(split_list(programme))
    source = EhaSource(
        programmes=progs or ("low_carbon_pilot",),
        level=level,
        within=tuple(split_list(within)) or None,
        rules=CascadeRules(covers=covers, rollup=rollup),
    )
    inp = load_netinf_inputs(source, all_programmes=not progs)
    res = run_netinf(inp, NetinfOptions(n_edges=ties, p_value=p_value, model=model, rate=rate))
    _notes(res.provenance.notes)
    if fmt == "json":
        emit(res.to_dict(), fmt)
    elif fmt == "csv":
        emit(res.frame(), fmt)
    else:
        emit(res.table(lang), fmt, title=res.title(lang))
        emit(res.summary(), fmt, title="precision / recall" if lang == "en" else "精确率 / 召回率")


def _one_programme_options(f: Any) -> Any:
    opts = [
        click.option("--programme", default="low_carbon_pilot", show_default=True),
        click.option("--level", default="prefecture", show_default=True, help="Unit level."),
        click.option("--within", default=None, help=f"Units within these codes (e.g. {JJJ})."),
        click.option(
            "--years",
            default=None,
            help=f"Window, e.g. 2009-2022 (default {DEFAULT_YEARS[0]}-{DEFAULT_YEARS[1]}).",
        ),
        click.option("--covers/--no-covers", default=False, show_default=True),
        click.option("--rollup/--no-rollup", default=False, show_default=True),
        click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _one_source(
    programme: str,
    level: str,
    within: str | None,
    years: str | None,
    covers: bool,
    rollup: bool,
    neighbours: str = "queen",
) -> EhaSource:
    return _source(programme, level, within, years, neighbours, covers, rollup, None, 1)


@diffusion.command("curve")
@_one_programme_options
@click.option(
    "--models",
    default=",".join(DEFAULT_CURVES),
    show_default=True,
    help="logistic (K, r, t0) and/or bass (p, q, m).",
)
@format_option()
def curve_cmd(models: str, lang: str, fmt: str, **src: Any) -> None:
    """Cumulative adoption per year with fitted logistic and Bass (1969) curves.

    Nonlinear least squares with SEs from the Jacobian; Bass time counts from the year before
    the window (its first year is t = 1). Table: the parameters, then the yearly series; CSV:
    the yearly series with fitted values.

    \b
      policylink diffusion curve --programme low_carbon_pilot
      policylink diffusion curve --programme low_carbon_pilot --models bass --format json
    """
    from policylink.analyses.diffusion import CurveOptions, run_curve
    from policylink.diffusion_inputs import load_cascade_inputs

    inp = load_cascade_inputs(_one_source(**src))
    res = run_curve(inp, CurveOptions(models=tuple(split_list(models))))
    _notes(res.provenance.notes)
    if fmt == "json":
        emit(res.to_dict(), fmt)
    elif fmt == "csv":
        emit(res.frame(), fmt)
    else:
        emit(res.table(lang), fmt, title=res.title(lang))
        emit(res.frame(), fmt, title="cumulative adoption" if lang == "en" else "累计采纳")


@diffusion.command("joincount")
@_one_programme_options
@click.option(
    "--neighbours",
    default="queen",
    show_default=True,
    help="queen, rook, knn:K, distance:METRES (the views' weights) or links.",
)
@click.option("--permutations", type=int, default=DEFAULT_PERMUTATIONS, show_default=True)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@format_option()
def joincount_cmd(
    neighbours: str, permutations: int, seed: int, lang: str, fmt: str, **src: Any
) -> None:
    """Join counts (BB, BW) of the adoption map per year (Cliff & Ord 1981).

    A unit is black in a year when it adopted by then; many BB joins (or few BW joins) than
    under random permutation of the map mean adopters cluster. Seeded permutations (esda).

    \b
      policylink diffusion joincount --programme low_carbon_pilot
      policylink diffusion joincount --neighbours knn:5 --format csv
    """
    from policylink.analyses.diffusion import JoinCountOptions, run_joincount
    from policylink.diffusion_inputs import load_cascade_inputs

    inp = load_cascade_inputs(_one_source(**src, neighbours=neighbours), weights=True)
    res = run_joincount(inp, JoinCountOptions(permutations=permutations, seed=seed))
    _notes(res.provenance.notes)
    if fmt == "json":
        emit(res.to_dict(), fmt)
    elif fmt == "csv":
        emit(res.frame(), fmt)
    else:
        emit(res.table(lang), fmt, title=res.title(lang))


def _floats(text: str | None, option: str) -> tuple[float, ...] | None:
    if not text:
        return None
    try:
        return tuple(float(x) for x in split_list(text))
    except ValueError as exc:
        raise ConfigError(f"{option}: give numbers separated by commas, e.g. 0,0.5") from exc


@diffusion.command("markov")
@_one_programme_options
@click.option(
    "--neighbours",
    default="queen",
    show_default=True,
    help="queen, rook, knn:K, distance:METRES (the views' weights) or links (adoption state); "
    "the weights kind of a panel variable.",
)
@click.option(
    "--variable",
    default=None,
    help="Panel variable (database observation or --panel column; all its years unless "
    "--years is given); default: the adoption state of --programme.",
)
@click.option(
    "--kind",
    type=click.Choice(["classic", "spatial", "lisa"]),
    default="spatial",
    show_default=True,
    help="Classic chain, transitions conditioned on the spatial lag's class, or LISA quadrants.",
)
@click.option("--k", "k", type=int, default=DEFAULT_MARKOV_K, show_default=True,
              help="Quantile classes of the variable.")  # fmt: skip
@click.option("--m", "m", type=int, default=DEFAULT_MARKOV_K, show_default=True,
              help="Quantile classes of the spatial lag.")  # fmt: skip
@click.option(
    "--classing",
    type=click.Choice(["pooled", "period", "cutoffs"]),
    default="pooled",
    show_default=True,
    help="Quantiles of all values, of each period, or --cutoffs.",
)
@click.option("--cutoffs", default=None, help="Class bounds of the variable, e.g. -1,0,1.")
@click.option(
    "--lag-cutoffs",
    default=None,
    help="Class bounds of the spatial lag (adoption state: share of adopted neighbours, "
    "default 0 = none versus some).",
)
@click.option("--panel", "panel_file", type=click.Path(dir_okay=False), default=None,
              help="Long panel CSV/XLSX instead of the database (with --variable).")  # fmt: skip
@click.option("--id", "id_col", default=None, help="Unit id column of --panel.")
@click.option("--time", "time_col", default=None, help="Period column of --panel.")
@click.option("--weights", "weights_file", type=click.Path(dir_okay=False), default=None,
              help="GAL/GWT weights file for --panel.")  # fmt: skip
@format_option()
def markov_cmd(
    neighbours: str,
    variable: str | None,
    kind: str,
    k: int,
    m: int,
    classing: str,
    cutoffs: str | None,
    lag_cutoffs: str | None,
    panel_file: str | None,
    id_col: str | None,
    time_col: str | None,
    weights_file: str | None,
    lang: str,
    fmt: str,
    **src: Any,
) -> None:
    """Markov transition matrices of adoption or of a panel variable (Rey 2001).

    Classic chain, spatial Markov (transitions conditioned on the class of the spatial lag,
    with chi-square and Bickenbach-Bode homogeneity tests) or LISA Markov (moves between
    Moran quadrants); steady states and mean first passage times in JSON. Without
    --variable the state is adoption of --programme, conditioned on the share of adopted
    neighbours.

    \b
      policylink diffusion markov --programme low_carbon_pilot
      policylink diffusion markov --variable co2_intensity --years 2006-2019 --kind lisa
    """
    from policylink.analyses.diffusion import MarkovOptions, run_markov

    opts = MarkovOptions(
        kind=kind,
        k=k,
        m=m,
        classing=classing,
        cutoffs=_floats(cutoffs, "--cutoffs"),
        lag_cutoffs=_floats(lag_cutoffs, "--lag-cutoffs"),
    )
    opts.check()
    if variable is None:
        if panel_file:
            raise ConfigError(
                "--panel needs --variable (the adoption state comes from the database)"
            )
        from policylink.diffusion_inputs import load_cascade_inputs

        inp = load_cascade_inputs(_one_source(**src, neighbours=neighbours), weights=True)
        res = run_markov(inp, opts)
    else:
        from policylink.inputs import InputSource, load_inputs

        if src["covers"] or src["rollup"]:
            raise ConfigError("--covers / --rollup belong to the adoption state, not --variable")
        yrs = parse_years(src["years"]) if src["years"] else None
        source = InputSource.from_options(
            level=src["level"],
            within=src["within"],
            weights_kind=neighbours,
            panel_file=panel_file,
            id_col=id_col,
            time_col=time_col,
            weights_file=weights_file,
        )
        inp = load_inputs(source, [variable], years=sorted(set(yrs)) if yrs else None)
        res = run_markov(inp, opts, variable=variable)
    _notes(res.provenance.notes)
    if fmt == "json":
        emit(res.to_dict(), fmt)
    elif fmt == "csv":
        emit(res.frame(), fmt)
    else:
        emit(res.table(lang), fmt, title=res.title(lang))
        if kind == "spatial":
            emit(res.tests(lang), fmt, title="tests" if lang == "en" else "检验")
        elif kind == "lisa":
            emit(res.moves(), fmt, title="moves" if lang == "en" else "象限移动")


def register(group: click.Group) -> None:
    """Add ``policylink diffusion`` to the main command group."""
    group.add_command(diffusion)
