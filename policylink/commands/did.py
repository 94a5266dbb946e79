"""``policylink did ...``: staggered difference-in-differences on a panel file.

Every subcommand reads a long panel (CSV or XLSX, one row per unit and year), codes the
treatment from ``--first-treated COL`` (year, 0/empty = never) or ``--treat COL`` (0/1), and
prints results with ``--format table|json|csv``. ``--table FILE`` writes a paper-style table
(.md, .tex or .csv by extension) and ``--plot FILE.png`` the matching figure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from policylink.commands._common import parse_years, split_list
from policylink.errors import ConfigError, InputError, Problem
from policylink.output import emit, format_option, progress

TABLE_EXT = {".md": "markdown", ".markdown": "markdown", ".tex": "latex", ".csv": "csv"}


def read_panel(path: str, unit: str) -> pd.DataFrame:
    """Read a CSV/XLSX panel, keeping the unit column as text (adcodes keep leading zeros).

    Parameters
    ----------
    path : str
        File name (.csv, .txt, .xlsx, .xls).
    unit : str
        Unit column, read as str.

    Returns
    -------
    DataFrame

    Raises
    ------
    InputError
        If the file cannot be read.
    """
    p = Path(path)
    try:
        if p.suffix.lower() in (".xlsx", ".xls"):
            return pd.read_excel(p, dtype={unit: str})
        return pd.read_csv(p, dtype={unit: str}, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError([Problem(p.name, None, None, None, f"cannot read panel: {exc}")]) from exc


def panel_options(fn: Callable) -> Callable:
    """Options shared by every analysis subcommand."""
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
            default="low_carbon_pilot",
            show_default=True,
            help="--db: policy_event.programme whose designations define the treatment.",
        ),
        click.option(
            "--effective-years",
            default="2011,2013,2017",
            show_default=True,
            help="--db: first treated year of batch 1, 2, 3, ... (seed 004 rule).",
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
        format_option(),
    ]
    for o in reversed(opts):
        fn = o(fn)
    return fn


def _spec(
    kw: dict[str, Any], attributes: tuple[str, ...] = (), variables: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, Any]:
    """Panel and PanelSpec from the options (file or database).

    ``attributes`` (unit_attribute schemes) and ``variables`` (further observation variables:
    mediators, covariates, alternative outcomes) are only used with ``--db``.
    """
    from policylink.spatial.did import PanelSpec

    controls = tuple(split_list(kw["controls"]))
    if kw.get("from_db"):
        if kw["panel_file"] or kw["treat"] or kw["first_treated"]:
            raise ConfigError("--db takes no PANEL_FILE, --treat or --first-treated")
        df = read_db_panel(
            kw["outcome"],
            controls,
            programme=kw["programme"],
            effective_years=_effective(kw["effective_years"]),
            within=kw["within"],
            attributes=attributes,
            extra_variables=variables,
            county_pilots=kw["county_pilots"],
        )
        spec = PanelSpec(
            outcome=kw["outcome"],
            unit="code",
            time="year",
            first_treated="first_treated",
            controls=controls,
            cluster=kw["cluster"],
            source="database (observation, policy_event)",
        )
        return df, spec
    if not kw["panel_file"]:
        raise ConfigError("give a PANEL_FILE or --db")
    if (kw["treat"] is None) == (kw["first_treated"] is None):
        raise ConfigError("give exactly one of --treat and --first-treated")
    df = read_panel(kw["panel_file"], kw["unit"])
    spec = PanelSpec(
        outcome=kw["outcome"],
        unit=kw["unit"],
        time=kw["time_col"],
        treat=kw["treat"],
        first_treated=kw["first_treated"],
        controls=controls,
        cluster=kw["cluster"],
        source=Path(kw["panel_file"]).name,
    )
    return df, spec


def _effective(value: str) -> dict[int, int]:
    years = parse_years(value, "--effective-years")
    if not years:
        raise click.BadParameter("--effective-years needs at least one year")
    return {batch: year for batch, year in enumerate(years, start=1)}


def read_db_panel(
    outcome: str,
    controls: tuple[str, ...] = (),
    *,
    programme: str = "low_carbon_pilot",
    effective_years: dict[int, int] | None = None,
    within: str | None = None,
    attributes: tuple[str, ...] = (),
    extra_variables: tuple[str, ...] = (),
    county_pilots: bool = False,
    url: str | None = None,
) -> pd.DataFrame:
    """Prefecture panel from the database with the pilot timing of a programme.

    Outcome and controls come from ``observation`` (:func:`policylink.dbread.read_panel`,
    complete unit-years only); the treatment from the ``adoption_panel_rules`` view function
    (:func:`policylink.dbread.read_adoption`): a designated province covers its prefectures,
    the earliest designation wins and batch b is first treated in ``effective_years[b]``
    (seed 004: 2011, 2013, 2017); other units are never treated (``first_treated = 0``).
    ``attributes`` adds ``unit_attribute`` schemes as columns (``region``, ``city_size``,
    ``resource_dependent``) for heterogeneity.

    Parameters
    ----------
    outcome : str
        Outcome variable name.
    controls : tuple of str
        Control variable names.
    programme : str
        ``policy_event.programme``.
    effective_years : dict, optional
        Batch -> first treated year (default ``{1: 2011, 2: 2013, 3: 2017}``).
    within : str, optional
        Comma-separated codes restricting the prefectures.
    attributes : tuple of str
        ``unit_attribute`` schemes to add as columns.
    extra_variables : tuple of str
        Further variables to read (mediators, matching covariates, alternative outcomes).
    county_pilots : bool
        A county-level pilot treats its prefecture (seed 004: no).
    url : str, optional
        Database URL (default: :func:`policylink.etl.db.database_url`).

    Returns
    -------
    DataFrame
        ``code, year, <outcome>, <controls>, first_treated, batch, <attributes>``, plus
        ``source`` that says SYNTHETIC when any variable is flagged synthetic.
    """
    from policylink import dbread
    from policylink.etl import db as dbmod

    eff = effective_years or {1: 2011, 2: 2013, 3: 2017}
    years = [eff[b] for b in sorted(eff)]
    if sorted(eff) != list(range(1, len(eff) + 1)):
        raise ConfigError("--effective-years must give batches 1, 2, 3, ... in order")
    variables = list(dict.fromkeys([outcome, *controls, *extra_variables]))
    with dbmod.connect(url) as conn:
        panel = dbread.read_panel(conn, variables, "prefecture", within, complete=True)
        if panel.empty:
            raise InputError(
                [
                    Problem(
                        "database",
                        None,
                        outcome,
                        None,
                        "no complete unit-years for these variables",
                    )
                ]
            )
        rules = dbread.AdoptionRules(
            programme=programme, effective_years=tuple(years), county_pilots=county_pilots
        )
        span = (int(panel["year"].min()), int(panel["year"].max()))
        adoption = dbread.read_adoption(conn, "prefecture", within, span, rules)
        catalogue = dbread.read_variables(conn, variables)
        synthetic = list(catalogue.loc[catalogue["is_synthetic"], "name"])
        attr = {s: dbread.read_unit_attribute(conn, s) for s in attributes}
    per_unit = adoption.groupby("code").agg(
        first_year=("first_year", "first"), batch=("batch", "first")
    )
    panel["first_treated"] = panel["code"].map(per_unit["first_year"]).fillna(0).astype(int)
    panel["batch"] = panel["code"].map(per_unit["batch"]).fillna(0).astype(int)
    for scheme, vals in attr.items():
        panel[scheme] = panel["code"].map(vals)
    panel["source"] = (
        f"database; SYNTHETIC variables: {', '.join(synthetic)}" if synthetic else "database"
    )
    return panel


def _note(df: pd.DataFrame, path: str | None) -> str:
    synth = "source" in df and df["source"].astype(str).str.contains("SYNTHETIC").any()
    name = Path(path).name if path else "database"
    return f"Data: {name}" + (" (SYNTHETIC)" if synth else "")


def _write_table(results: list, kw: dict[str, Any], **extra: Any) -> None:
    if not kw.get("table_file"):
        return
    from policylink.spatial.did.tables import regression_table

    path = Path(kw["table_file"])
    fmt = TABLE_EXT.get(path.suffix.lower())
    if fmt is None:
        raise ConfigError(f"--table must end in .md, .tex or .csv, not {path.suffix!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = extra.pop("text", None)
    path.write_text(
        text(fmt) if text else regression_table(results, fmt=fmt, **extra), encoding="utf-8"
    )
    click.echo(f"table written: {path}", err=True)


def _write_plot(fig: Any, path: str | None) -> None:
    if path:
        from policylink.spatial.did.plots import save_png

        click.echo(f"plot written: {save_png(fig, path)}", err=True)


def _coef_frame(res: Any) -> pd.DataFrame:
    return res.coefficients.reset_index(names="term")


def _guard(fn: Callable) -> Callable:
    """Turn estimator ValueErrors into user-facing configuration errors."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except (ValueError, np.linalg.LinAlgError) as exc:
            if isinstance(exc, InputError):
                raise
            raise ConfigError(
                f"{fn.__name__.removesuffix('_cmd').replace('_', '-')}: {exc}"
            ) from exc

    return wrapper


@click.group("did")
def did_group() -> None:
    """Staggered difference-in-differences (TWFE, event study, placebo, PSM, CS, Bacon, spatial).

    \b
    Example (seed 004 layout: outcome NP, pilots coded by first treated year):
      policylink did twfe cities.csv -y NP --first-treated pilot_year \\
          --controls Gov,Density,Fdi,lngdp,RCL,Fin --table table3.md
      policylink did simulate --out synthetic.csv     # SYNTHETIC panel to try the commands
    """


@did_group.command("twfe")
@panel_options
@_guard
def twfe_cmd(**kw: Any) -> None:
    """Two-way fixed-effects DID with controls (seed 004 eq. 1, Table 3)."""
    from policylink.spatial.did import twfe_did

    df, spec = _spec(kw)
    res = twfe_did(df, spec)
    _write_table([res], kw, rename={"did": "DID"})
    emit(res.to_dict() if kw["fmt"] == "json" else _coef_frame(res), kw["fmt"], title=_title(res))


def _title(res: Any) -> str:
    return f"{res.label}: N = {res.n_obs}, units = {res.n_units}, within R2 = {res.r2_within:.4f}"


@did_group.command("event-study")
@panel_options
@click.option("--leads", default=5, show_default=True, help="Pre-periods (e <= -leads binned).")
@click.option("--lags", default=5, show_default=True, help="Post-periods (e >= lags binned).")
@click.option("--reference", default=-1, show_default=True, help="Omitted event time.")
@click.option(
    "--plot", default=None, type=click.Path(dir_okay=False), help="PNG of the coefficients."
)
@_guard
def event_study_cmd(leads: int, lags: int, reference: int, plot: str | None, **kw: Any) -> None:
    """Event study with leads/lags and a joint pre-trend test (seed 004 Table 4, Fig. 1)."""
    from policylink.spatial.did import event_study
    from policylink.spatial.did.plots import plot_event_study
    from policylink.spatial.did.tables import event_study_table

    df, spec = _spec(kw)
    es = event_study(df, spec, leads=leads, lags=lags, reference=reference)
    _write_table([es.model], kw, text=lambda f: event_study_table(es, fmt=f))
    _write_plot(plot_event_study(es.table, note=_note(df, kw["panel_file"])), plot)
    pt = es.pretrend
    if kw["fmt"] == "json":
        emit({"event_study": es.to_records(), "pretrend": pt, **_counts(es.model)}, "json")
    else:
        title = f"Pre-trend Wald chi2({pt['df']}) = {pt['wald']:.3f}, p = {pt['p_chi2']:.4f}"
        emit(es.table.drop(columns="binned"), kw["fmt"], title=title)


def _counts(res: Any) -> dict[str, Any]:
    return {"n_obs": res.n_obs, "n_units": res.n_units, "r2_within": res.r2_within}


@did_group.command("placebo")
@panel_options
@click.option("--draws", default=1000, show_default=True, help="Random reassignments R.")
@click.option(
    "--mode",
    type=click.Choice(["units", "timing", "both"]),
    default="units",
    show_default=True,
    help="Shuffle first-treated years across units, draw random years, or both.",
)
@click.option("--seed", default=0, show_default=True, help="Random seed.")
@click.option(
    "--method",
    type=click.Choice(["fast", "loop"]),
    default="fast",
    show_default=True,
    help="FWL fast path or pyfixest loop.",
)
@click.option(
    "--plot", default=None, type=click.Path(dir_okay=False), help="PNG of the distribution."
)
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
    from policylink.spatial.did import placebo_did
    from policylink.spatial.did.plots import plot_placebo

    df, spec = _spec(kw)
    res = placebo_did(df, spec, draws=draws, mode=mode, seed=seed, method=method, progress=progress)
    _write_plot(
        plot_placebo(
            res.estimates,
            res.observed.coef(),
            p_value=res.p_value,
            note=_note(df, kw["panel_file"]),
        ),
        plot,
    )
    if draws_out:
        pd.DataFrame(
            {"draw": np.arange(1, draws + 1), "estimate": res.estimates, "se": res.ses}
        ).to_csv(draws_out, index=False)
    s = res.summary()
    if kw["fmt"] == "json":
        emit({"placebo": s, **res.observed.to_dict()}, "json")
    else:
        emit(s, kw["fmt"], title="Placebo distribution of the DID coefficient")


@did_group.command("psm")
@panel_options
@click.option("--covariates", default=None, help="Matching covariates (default: the controls).")
@click.option("--caliper", type=float, default=None, help="Largest propensity-score distance.")
@click.option("--seed", default=0, show_default=True, help="Seed of the matching order.")
@click.option(
    "--plot", default=None, type=click.Path(dir_okay=False), help="PNG of the balance (Fig. 3)."
)
@_guard
def psm_cmd(
    covariates: str | None, caliper: float | None, seed: int, plot: str | None, **kw: Any
) -> None:
    """PSM-DID: logit propensity, 1:1 nearest neighbour without replacement (seed 004 Table 5)."""
    from policylink.spatial.did.plots import plot_balance
    from policylink.spatial.did.psm import psm_did

    covs = split_list(covariates) if covariates else None
    df, spec = _spec(kw, variables=tuple(covs or ()))
    res = psm_did(df, spec, covs, caliper=caliper, seed=seed)
    _write_table([res.did], kw, rename={"did": "DID"})
    _write_plot(plot_balance(res.balance, note=_note(df, kw["panel_file"])), plot)
    if kw["fmt"] == "json":
        emit({"psm": res.to_dict(), **res.did.to_dict()}, "json")
    else:
        title = f"{len(res.pairs)} matched pairs; PSM-DID = {res.did.coef():.4f} (se {res.did.se():.4f})"
        emit(res.balance.reset_index(), kw["fmt"], title=title)


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
    "--bands",
    default=0,
    show_default=True,
    help="Multiplier-bootstrap draws for uniform (simultaneous) 95% bands; 0 = none.",
)
@click.option("--seed", default=0, show_default=True, help="Seed of the bootstrap.")
@click.option(
    "--plot", default=None, type=click.Path(dir_okay=False), help="PNG of the event-time ATTs."
)
@_guard
def cs_cmd(
    control: str,
    base_period: str,
    covariates: str | None,
    bands: int,
    seed: int,
    plot: str | None,
    **kw: Any,
) -> None:
    """Callaway-Sant'Anna group-time ATTs with simple, dynamic and group aggregations.

    Without --covariates: unconditional parallel trends. With --covariates: conditional
    parallel trends, outcome-regression estimator (covariates at the base period).
    """
    from policylink.spatial.did import callaway_santanna
    from policylink.spatial.did.plots import plot_event_study

    covs = split_list(covariates)
    df, spec = _spec(kw, variables=tuple(covs))
    res = callaway_santanna(df, spec, control=control, base_period=base_period, covariates=covs)
    dyn = res.dynamic.rename(columns={"att": "estimate"})
    _write_plot(
        plot_event_study(
            dyn, title="Callaway-Sant'Anna ATT by event time", note=_note(df, kw["panel_file"])
        ),
        plot,
    )
    table = res.dynamic
    out = res.to_dict()
    if bands > 0:
        from policylink.spatial.did.staggered import cs_uniform_bands

        ub = cs_uniform_bands(res, draws=bands, seed=seed)
        out["uniform_bands"] = ub
        table = table.merge(ub[["rel_time", "se_boot", "lower", "upper"]], on="rel_time")
    if kw["fmt"] == "json":
        emit({"cs": out}, "json")
    else:
        o = res.overall
        emit(
            table,
            kw["fmt"],
            title=f"CS overall ATT = {o['att']:.4f} (se {o['se']:.4f}, p {o['p']:.4f}); by event time:",
        )


@did_group.command("sun-abraham")
@panel_options
@click.option("--leads", default=None, type=int, help="Show event times >= -leads.")
@click.option("--lags", default=None, type=int, help="Show event times <= lags.")
@click.option(
    "--plot", default=None, type=click.Path(dir_okay=False), help="PNG of the IW event study."
)
@_guard
def sun_abraham_cmd(leads: int | None, lags: int | None, plot: str | None, **kw: Any) -> None:
    """Sun-Abraham interaction-weighted event study (saturated cohort x event-time TWFE)."""
    from policylink.spatial.did import sun_abraham
    from policylink.spatial.did.plots import plot_event_study

    df, spec = _spec(kw)
    res = sun_abraham(df, spec, leads=leads, lags=lags)
    _write_plot(
        plot_event_study(
            res.table, title="Sun-Abraham event study", note=_note(df, kw["panel_file"])
        ),
        plot,
    )
    if kw["fmt"] == "json":
        emit(
            {"event_study": res.to_records(), "control": res.control_cohort, **_counts(res.model)},
            "json",
        )
    else:
        emit(res.table, kw["fmt"], title=f"Sun-Abraham (control: {res.control_cohort})")


@did_group.command("bacon")
@panel_options
@click.option(
    "--plot", default=None, type=click.Path(dir_okay=False), help="PNG: estimate vs weight."
)
@_guard
def bacon_cmd(plot: str | None, **kw: Any) -> None:
    """Goodman-Bacon decomposition of the TWFE DID (balanced panel, no controls)."""
    from policylink.spatial.did import bacon_decomposition
    from policylink.spatial.did.plots import plot_bacon

    df, spec = _spec(kw)
    res = bacon_decomposition(df, spec)
    _write_plot(plot_bacon(res.table, res.twfe, note=_note(df, kw["panel_file"])), plot)
    if kw["fmt"] == "json":
        emit(
            {
                "twfe": res.twfe,
                "weighted_sum": res.weighted_sum,
                "by_type": res.by_type,
                "comparisons": res.table,
            },
            "json",
        )
    else:
        emit(
            res.by_type,
            kw["fmt"],
            title=f"TWFE = {res.twfe:.4f} = sum of weight x 2x2 estimate ({res.weighted_sum:.4f})",
        )


def read_weights(path: str) -> tuple[np.ndarray, list[str]]:
    """Spatial weights from a CSV of pairs (columns i, j[, w]) or a GAL/GWT file.

    Parameters
    ----------
    path : str
        File name.

    Returns
    -------
    (matrix, ids)
    """
    p = Path(path)
    if p.suffix.lower() in (".gal", ".gwt"):
        import libpysal

        w = libpysal.io.open(str(p)).read()
        M, ids = w.full()
        return M, [str(i) for i in ids]
    pairs = pd.read_csv(p, dtype=str)
    cols = [c.lower() for c in pairs.columns]
    pairs.columns = cols
    if not {"i", "j"} <= set(cols):
        raise InputError(
            [Problem(p.name, None, None, None, "weights CSV needs columns i, j (and optional w)")]
        )
    w = (
        pd.to_numeric(pairs["w"], errors="coerce")
        if "w" in cols
        else pd.Series(1.0, index=pairs.index)
    )
    bad = w.isna()
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise InputError([Problem(p.name, r + 1, "w", pairs.at[r, "w"], "expected a number")])
    ids = sorted(set(pairs.i) | set(pairs.j))
    pos = {u: k for k, u in enumerate(ids)}
    M = np.zeros((len(ids), len(ids)))
    M[pairs.i.map(pos).to_numpy(), pairs.j.map(pos).to_numpy()] = w.to_numpy(float)
    return M, ids


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
@_guard
def spatial_cmd(weights_src: str | None, model: str, lag_controls: bool, **kw: Any) -> None:
    """Spatial DID: direct effect and spillover from the share of treated neighbours."""
    from policylink.spatial.did.spatial_did import spatial_did

    df, spec = _spec(kw)
    if weights_src and Path(weights_src).is_file():
        M, ids = read_weights(weights_src)
    elif kw.get("from_db"):
        from policylink import dbread
        from policylink.etl import db as dbmod

        codes = sorted(df["code"].unique())
        with dbmod.connect() as conn:
            w = dbread.read_weights(conn, weights_src or "queen", "prefecture", ids=codes)
        M, ids = w.full()[0], [str(i) for i in w.id_order]
    else:
        raise ConfigError(
            "--weights: give a weights file (CSV of pairs, .gal, .gwt)"
            + (f"; {weights_src!r} is not a file" if weights_src else "")
        )
    res = spatial_did(df, spec, M, ids=ids, model=model, lag_controls=lag_controls)
    if model == "slx":
        _write_table([res.fit], kw, rename={"did": "DID", "w_did": "W*DID"})
    if kw["fmt"] == "json":
        emit(res.to_dict(), "json")
    else:
        emit(res.effects.reset_index(names="effect"), kw["fmt"], title=f"Spatial DID ({model})")


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
    from policylink.spatial.did.robustness import robustness_checks

    df, spec = _spec(kw, variables=tuple(split_list(alt_outcomes)))
    res = robustness_checks(
        df,
        spec,
        drop_years=parse_years(drop_years, "--drop-years"),
        drop_units=split_list(drop_units),
        alt_outcomes=split_list(alt_outcomes),
    )
    _write_table(res, kw, keep=["did"], rename={"did": "DID"})
    _emit_models(res, kw["fmt"])


def _emit_models(res: list, fmt: str) -> None:
    if fmt == "json":
        emit({"models": [r.to_dict() for r in res]}, "json")
        return
    rows = [
        {
            "model": r.label,
            "estimate": r.coef(),
            "se": r.se(),
            "p": float(r.coefficients.loc["did", "p"]),
            "n_obs": r.n_obs,
            "r2": r.r2,
        }
        for r in res
    ]
    emit(pd.DataFrame(rows), fmt, title="DID coefficient by specification")


@did_group.command("mechanism")
@panel_options
@click.option(
    "--mediator", required=True, help="Mediator column(s), comma-separated: one model each."
)
@click.option("--main-effects", is_flag=True, help="Also include DID and the mediator alone.")
@_guard
def mechanism_cmd(mediator: str, main_effects: bool, **kw: Any) -> None:
    """Mechanism regressions with mediator x DID (seed 004 Table 6)."""
    from policylink.spatial.did.robustness import mechanism_did

    df, spec = _spec(kw, variables=tuple(split_list(mediator)))
    res = [mechanism_did(df, spec, m, main_effects=main_effects) for m in split_list(mediator)]
    _write_table(
        res,
        kw,
        keep=[f"{m}_x_did" for m in split_list(mediator)] + (["did"] if main_effects else []),
    )
    if kw["fmt"] == "json":
        emit({"models": [r.to_dict() for r in res]}, "json")
    else:
        rows = [
            {
                "model": r.label,
                **r.coefficients.loc[f"{m}_x_did", ["estimate", "se", "p"]].to_dict(),
                "n_obs": r.n_obs,
            }
            for r, m in zip(res, split_list(mediator), strict=True)
        ]
        emit(pd.DataFrame(rows), kw["fmt"], title="mediator x DID")


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
    from policylink.spatial.did.robustness import heterogeneity_did

    df, spec = _spec(kw, attributes=(group_col,))
    res = heterogeneity_did(df, spec, group_col)
    _write_table(
        list(res.by_group.values()),
        kw,
        keep=["did"],
        rename={"did": "DID"},
        labels=[str(g) for g in res.by_group],
    )
    if kw["fmt"] == "json":
        emit(
            {
                "groups": {str(g): r.to_dict() for g, r in res.by_group.items()},
                "equality": res.equality,
            },
            "json",
        )
    else:
        eq = res.equality
        emit(
            res.table(),
            kw["fmt"],
            title=f"Equal effects: Wald chi2({eq['df']}) = {eq['wald']:.3f}, p = {eq['p']:.4f}",
        )


@did_group.command("run")
@panel_options
@click.option("--draws", default=1000, show_default=True, help="Placebo draws.")
@click.option("--seed", default=0, show_default=True, help="Seed (placebo and matching).")
@click.option("--leads", default=5, show_default=True, help="Event-study pre-periods (binned).")
@click.option("--lags", default=5, show_default=True, help="Event-study post-periods (binned).")
@click.option(
    "--plots",
    "plot_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Directory for event_study.png, event_study_compare.png (TWFE, Sun-Abraham, "
    "Callaway-Sant'Anna), placebo.png, psm_balance.png.",
)
@_guard
def run_cmd(draws: int, seed: int, leads: int, lags: int, plot_dir: str | None, **kw: Any) -> None:
    """The whole seed 004 pipeline: TWFE, event study, placebo, PSM-DID, plus Callaway-Sant'Anna
    and Sun-Abraham for staggered timing.

    JSON keys: coefficients, n_obs, n_units, r2_within, event_study, pretrend, placebo, psm, cs,
    sun_abraham.
    """
    from policylink.spatial.did import (
        callaway_santanna,
        event_study,
        placebo_did,
        sun_abraham,
        twfe_did,
    )
    from policylink.spatial.did.plots import plot_balance, plot_event_study, plot_placebo
    from policylink.spatial.did.psm import psm_did

    df, spec = _spec(kw)
    base = twfe_did(df, spec)
    es = event_study(df, spec, leads=leads, lags=lags)
    pl = placebo_did(df, spec, draws=draws, seed=seed, progress=progress)
    psm = psm_did(df, spec, seed=seed) if spec.controls else None
    cs = callaway_santanna(df, spec, control="never" if _has_never(df, spec) else "notyet")
    sa = sun_abraham(df, spec, leads=leads, lags=lags)
    if plot_dir:
        note = _note(df, kw["panel_file"])
        d = Path(plot_dir)
        _write_plot(plot_event_study(es.table, note=note), str(d / "event_study.png"))
        dyn = cs.dynamic.rename(columns={"att": "estimate"})
        dyn = dyn[(dyn.rel_time >= -leads) & (dyn.rel_time <= lags)]
        compare = plot_event_study(
            es.table,
            title="Event study: TWFE (binned ends), Sun-Abraham, Callaway-Sant'Anna",
            note=note,
            extra={"Sun-Abraham": sa.table, "Callaway-Sant'Anna": dyn},
        )
        _write_plot(compare, str(d / "event_study_compare.png"))
        _write_plot(
            plot_placebo(pl.estimates, pl.observed.coef(), p_value=pl.p_value, note=note),
            str(d / "placebo.png"),
        )
        if psm is not None:
            _write_plot(plot_balance(psm.balance, note=note), str(d / "psm_balance.png"))
    _write_table([base] + ([psm.did] if psm else []), kw, rename={"did": "DID"})
    out = base.to_dict()
    out.update(
        event_study=es.to_records(),
        pretrend=es.pretrend,
        placebo=pl.summary(),
        psm=psm.to_dict() if psm else None,
        cs=cs.to_dict(),
        sun_abraham=sa.to_records(),
    )
    if kw["fmt"] == "json":
        emit(out, "json")
        return
    rows = [
        {
            "analysis": "TWFE DID",
            "estimate": base.coef(),
            "se": base.se(),
            "p": float(base.coefficients.loc["did", "p"]),
        },
        {
            "analysis": "pre-trend Wald (p)",
            "estimate": es.pretrend["wald"],
            "se": None,
            "p": es.pretrend["p_chi2"],
        },
        {
            "analysis": f"placebo ({draws} draws) sd",
            "estimate": pl.summary()["sd"],
            "se": None,
            "p": pl.p_value,
        },
    ]
    if psm:
        rows.append(
            {
                "analysis": "PSM-DID",
                "estimate": psm.did.coef(),
                "se": psm.did.se(),
                "p": float(psm.did.coefficients.loc["did", "p"]),
            }
        )
    rows.append(
        {
            "analysis": f"Callaway-Sant'Anna ({cs.control})",
            "estimate": cs.overall["att"],
            "se": cs.overall["se"],
            "p": cs.overall["p"],
        }
    )
    emit(pd.DataFrame(rows), kw["fmt"], title=_title(base))


def _has_never(df: pd.DataFrame, spec: Any) -> bool:
    from policylink.spatial.did.panel import FIRST_COL, prepare_panel

    panel, _ = prepare_panel(df, spec)
    return bool(np.isinf(panel[FIRST_COL]).any())


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

    df = simulate_staggered(n_units=units, tau=tau, dynamic=dynamic, seed=seed)
    df["source"] = (
        f"SYNTHETIC (policylink.spatial.did.simulate seed={seed} tau={tau} dynamic={dynamic})"
    )
    Path(out_file).parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out_file, index=False)
    click.echo(f"SYNTHETIC panel written: {out_file} ({len(df)} rows, true tau = {tau})")


def register(group: click.Group) -> None:
    """Add ``policylink did`` to the main CLI group."""
    group.add_command(did_group)
