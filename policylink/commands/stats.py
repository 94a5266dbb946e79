"""``policylink moran``, ``policylink lisa`` and ``policylink sdm``: spatial statistics.

Inputs come from the database (default: units of ``admin_unit`` by ``--level`` / ``--within``,
values from ``observation``, groups from ``unit_attribute``; queen contiguity built from the unit
geometries) or from files: a long panel CSV (``--panel``, ``--id``, ``--time``)
with weights from a GAL/GWT file (``--weights``) or contiguity built from a boundary layer
(``--boundaries``); a layer file with attributes (``--layer``) gives one cross-section.
All statistics come from :mod:`policylink.spatial.autocorr`, :mod:`policylink.spatial.panel` and
:mod:`policylink.spatial.model_choice`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pandas as pd

from policylink.commands._common import parse_years, split_list
from policylink.errors import ConfigError, InputError, Problem
from policylink.output import emit, format_option, to_json

JJJ = "110000,120000,130000"


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
@dataclass
class Inputs:
    """A long panel (or one cross-section), its weights and where they came from."""

    panel: pd.DataFrame
    w: Any  # libpysal.weights.W with ids = values of id_col
    id_col: str
    time_col: str | None
    source: str
    geometry: Any = None  # GeoDataFrame indexed by id, when the input had geometries
    synthetic: tuple[str, ...] = ()  # variables flagged is_synthetic in the catalogue
    weights: str = "queen contiguity"  # what the weights are, for titles

    @property
    def label(self) -> str:
        """Source for titles, with a SYNTHETIC warning when any variable used is synthetic."""
        if self.synthetic:
            return f"{self.source}; SYNTHETIC data: {', '.join(self.synthetic)}"
        return self.source


def _years(text: str | None) -> list[int] | None:
    """``--years`` as sorted distinct years; None (all years) when not given."""
    return sorted(set(parse_years(text))) if text else None


def _numeric(df: pd.DataFrame, columns: list[str], file: str) -> pd.DataFrame:
    """Coerce columns to numbers; InputError naming file, row and column on failure."""
    problems: list[Problem] = []
    total = 0
    out = df.copy()
    for c in columns:
        conv = pd.to_numeric(out[c], errors="coerce")
        bad = conv.isna() & out[c].notna() & (out[c].astype(str).str.strip() != "")
        total += int(bad.sum())
        for idx in list(out.index[bad])[: max(0, 20 - len(problems))]:
            problems.append(Problem(file, int(idx) + 1, c, out.at[idx, c], "not a number"))
        out[c] = conv
    if problems:
        raise InputError(problems, truncated=total - len(problems))
    return out


def _read_table(path: str, needed: list[str]) -> pd.DataFrame:
    p = Path(path)
    if not p.exists():
        raise InputError([Problem(path, None, None, None, "file not found")])
    try:
        if p.suffix.lower() in (".xlsx", ".xls"):
            df = pd.read_excel(p, dtype=str)
        else:
            df = pd.read_csv(p, dtype=str, comment=None, encoding="utf-8-sig")
    except Exception as exc:  # parser errors: report them as input problems
        raise InputError([Problem(path, None, None, None, f"cannot read: {exc}")]) from exc
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise InputError(
            [
                Problem(path, None, c, None, f"column not found (columns: {', '.join(df.columns)})")
                for c in missing
            ]
        )
    return df


def _read_layer(path: str) -> Any:
    import geopandas as gpd

    if not Path(path).exists():
        raise InputError([Problem(path, None, None, None, "file not found")])
    try:
        return gpd.read_file(path)
    except Exception as exc:
        raise InputError([Problem(path, None, None, None, f"cannot read layer: {exc}")]) from exc


def _contiguity(gdf: Any, id_col: str, path: str) -> Any:
    """Queen contiguity from polygons (libpysal fuzzy_contiguity: shared points or edges)."""
    import libpysal

    if id_col not in gdf.columns:
        raise InputError([Problem(path, None, id_col, None, "id column not found in the layer")])
    ids = gdf[id_col].astype(str).tolist()
    dup = pd.Series(ids)[pd.Series(ids).duplicated()]
    if len(dup):
        raise InputError(
            [Problem(path, int(dup.index[0]) + 1, id_col, dup.iloc[0], "duplicate unit id")]
        )
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        i = int(empty.to_numpy().nonzero()[0][0])
        raise InputError([Problem(path, i + 1, "geometry", ids[i], "empty geometry")])
    g = gdf.reset_index(drop=True)
    wi = libpysal.weights.fuzzy_contiguity(g, buffering=False, silence_warnings=True)
    nb = {ids[i]: [ids[j] for j in wi.neighbors[i]] for i in range(len(ids))}
    return libpysal.weights.W(nb, id_order=ids, silence_warnings=True)


def _read_weights(path: str) -> Any:
    import libpysal

    if not Path(path).exists():
        raise InputError([Problem(path, None, None, None, "file not found")])
    try:
        w = libpysal.io.open(path).read()
    except Exception as exc:
        raise InputError([Problem(path, None, None, None, f"cannot read weights: {exc}")]) from exc
    ids = [str(i) for i in w.id_order]
    nb = {str(i): [str(j) for j in w.neighbors[i]] for i in w.id_order}
    wt = {str(i): list(w.weights[i]) for i in w.id_order}
    return libpysal.weights.W(nb, wt, id_order=ids, silence_warnings=True)


def _align(panel: pd.DataFrame, w: Any, id_col: str, file: str) -> Any:
    """Restrict the weights to the units of the panel; units without weights are an error."""
    import libpysal

    ids_panel = set(panel[id_col])
    unknown = sorted(ids_panel - set(w.id_order))
    if unknown:
        row = int(panel.index[panel[id_col] == unknown[0]][0]) + 1
        raise InputError(
            [Problem(file, row, id_col, unknown[0], "unit not in the weights / boundaries")]
        )
    if ids_panel == set(w.id_order):
        return w
    keep = [i for i in w.id_order if i in ids_panel]
    return libpysal.weights.w_subset(w, keep, silence_warnings=True)


def _cross_section(
    inp: Inputs, frame: pd.DataFrame, columns: list[str], period: Any = None
) -> pd.DataFrame:
    """One row per unit of the weights, in weights order; a missing value is an InputError."""
    sub = frame.drop_duplicates(inp.id_col).set_index(inp.id_col).reindex(list(inp.w.id_order))
    for c in columns:
        if sub[c].isna().any():
            bad = sub.index[sub[c].isna()][0]
            where = f" in {period}" if period is not None else ""
            raise InputError(
                [Problem(inp.source, None, c, bad, f"missing value for unit {bad}{where}")]
            )
    return sub


def load_inputs(
    *,
    variables: list[str],
    extra: list[str] | None = None,
    panel_file: str | None,
    layer_file: str | None,
    id_col: str | None,
    time_col: str | None,
    weights_file: str | None,
    boundaries_file: str | None,
    boundary_id: str | None,
    level: str,
    within: str | None,
    years: list[int] | None,
    weights_kind: str = "queen",
) -> Inputs:
    """Read a panel and weights from files or the database (see the module docstring).

    Parameters
    ----------
    variables : list of str
        Numeric columns / panel variables needed.
    extra : list of str, optional
        Further columns kept as text (e.g. a group column).
    panel_file, layer_file, weights_file, boundaries_file : str or None
        File inputs (``--panel``, ``--layer``, ``--weights``, ``--boundaries``).
    id_col, time_col, boundary_id : str or None
        Column names in the files.
    level, within, years, weights_kind
        Database selection (``--level``, ``--within``, ``--years``, ``--weights-kind``).

    Returns
    -------
    Inputs

    Raises
    ------
    InputError
        A bad file, with file, row and column.
    ConfigError
        Inconsistent options.
    """
    if layer_file:
        if not id_col:
            raise ConfigError("--layer needs --id (the unit id field)")
        gdf = _read_layer(layer_file)
        for c in variables:
            if c not in gdf.columns:
                raise InputError([Problem(layer_file, None, c, None, "field not found")])
        w = _contiguity(gdf, id_col, layer_file)
        df = pd.DataFrame({id_col: gdf[id_col].astype(str), **{c: gdf[c] for c in variables}})
        df = _numeric(df, variables, layer_file)
        geo = gdf.assign(**{id_col: gdf[id_col].astype(str)}).set_index(id_col)
        return Inputs(df, w, id_col, None, layer_file, geo, weights="queen contiguity of the layer")
    if panel_file:
        if not id_col or not time_col:
            raise ConfigError("--panel needs --id and --time")
        if bool(weights_file) == bool(boundaries_file):
            raise ConfigError("--panel needs exactly one of --weights FILE or --boundaries FILE")
        df = _read_table(panel_file, [id_col, time_col, *variables, *(extra or [])])
        df = _numeric(df, [time_col, *variables], panel_file)
        df[id_col] = df[id_col].astype(str).str.strip()
        if years is not None:
            df = df[df[time_col].isin(years)]
            if df.empty:
                raise InputError([Problem(panel_file, None, time_col, None, "no rows in --years")])
        geo = None
        if weights_file:
            w = _read_weights(weights_file)
        else:
            gdf = _read_layer(boundaries_file)
            bid = boundary_id or id_col
            w = _contiguity(gdf, bid, boundaries_file)
            geo = gdf.assign(**{bid: gdf[bid].astype(str)}).set_index(bid)
        w = _align(df, w, id_col, panel_file)
        kind = (
            f"weights file {Path(weights_file).name}"
            if weights_file
            else f"queen contiguity of {Path(boundaries_file).name}"
        )
        return Inputs(df, w, id_col, time_col, panel_file, geo, weights=kind)
    if weights_file or boundaries_file:
        raise ConfigError("--weights / --boundaries go with --panel FILE")
    return _from_database(variables, list(extra or []), level, within, years, weights_kind)


def _from_database(
    variables: list[str],
    extra: list[str],
    level: str,
    within: str | None,
    years: list[int] | None,
    weights: str = "queen",
) -> Inputs:
    """Balanced panel, unit geometries and weights from the database (via policylink.dbread).

    Units, values and weights come from :mod:`policylink.dbread` (``read_units``,
    ``read_panel``, ``read_weights`` on the ``w_queen`` / ``w_rook`` / ... views, binary as
    stored; the commands transform them); text columns such as groups from ``unit_attribute``
    (``read_unit_attribute``, scheme = column name) and the SYNTHETIC flags from the variable
    catalogue (``read_variables``). Units lacking a value in any selected year are dropped (and reported
    on stderr), because every statistic here needs a balanced panel; the weights are the
    sub-graph among the kept units.
    """
    import psycopg

    from policylink import dbread
    from policylink.etl import db as dbmod

    codes = split_list(within) or None
    where = f"level {level}" + (f" within {within}" if within else "")
    try:
        with dbmod.connect(dbmod.database_url()) as conn:
            units = dbread.read_units(conn, level, codes)
            if units.empty:
                raise ConfigError(f"no units at {where} in the database; load boundaries first")
            panel = dbread.read_panel(conn, variables, level, codes, years, complete=True)
            attrs = {c: dbread.read_unit_attribute(conn, c, level, codes) for c in extra}
            catalogue = dbread.read_variables(conn, variables)
            synthetic = tuple(sorted(catalogue.loc[catalogue["is_synthetic"], "name"]))
            if panel.empty:
                raise ConfigError(
                    f"no complete observations of {', '.join(variables)} at {where}; load a "
                    "panel first (policylink load ...) or use --panel FILE"
                )
            yrs = sorted(panel["year"].unique()) if years is None else sorted(years)
            counts = panel[panel["year"].isin(yrs)].groupby("code")["year"].nunique()
            keep = sorted(counts[counts == len(yrs)].index)
            if len(keep) < 3:
                raise ConfigError(f"fewer than 3 units with complete data at {where}")
            w = dbread.read_weights(conn, weights, level, codes, ids=keep)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"the database could not be read ({first}); run 'policylink db up' to apply the "
            "migrations, load data, or use --panel FILE"
        ) from exc
    if w.s0 == 0:
        raise ConfigError(
            f"the {weights} weights at {where} have no links; refresh the views "
            "('policylink views refresh') after loading boundaries"
        )
    dropped = sorted(set(panel["code"]) - set(keep))
    if dropped:
        click.echo(
            f"note: {len(dropped)} unit(s) without complete data in the selected years were "
            f"left out: {', '.join(dropped[:10])}{' ...' if len(dropped) > 10 else ''}",
            err=True,
        )
    panel = panel[panel["code"].isin(keep) & panel["year"].isin(yrs)].copy()
    panel["year"] = panel["year"].astype(int)
    for c in extra:
        panel[c] = panel["code"].map(attrs[c])
        if panel[c].isna().any():
            bad = panel.loc[panel[c].isna(), "code"].iloc[0]
            raise ConfigError(f"unit {bad} has no '{c}' in unit_attribute")
    geo = units[units["code"].isin(keep)].set_index("code")
    return Inputs(
        panel.reset_index(drop=True),
        w,
        "code",
        "year",
        "database",
        geo,
        synthetic,
        weights=f"{weights} weights (database)",
    )


def _input_options(f: Any) -> Any:
    """Input options shared by the three commands.

    ``--transformation`` reaches the command as ``transformation``; the other options are the
    keyword arguments of :func:`load_inputs` (the commands collect them as ``**src``).
    """
    opts = [
        click.option(
            "--level",
            default="prefecture",
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
            help="Polygon layer for --panel; queen contiguity built from it.",
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
            help="Database input: weights view to use: queen, rook, knn:K or distance:METRES.",
        ),
        click.option(
            "--transformation",
            type=click.Choice(["r", "b"]),
            default="r",
            show_default=True,
            help="Weights: r = row-standardised, b = binary.",
        ),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _permutation_options(help_text: str) -> Any:
    """``--permutations`` (default 999, described by ``help_text``) and ``--seed`` (12345)."""

    def deco(f: Any) -> Any:
        f = click.option(
            "--seed", type=int, default=12345, show_default=True, help="Permutation seed."
        )(f)
        return click.option(
            "--permutations", type=int, default=999, show_default=True, help=help_text
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
@format_option()
def moran_cmd(
    variable: str,
    years: str | None,
    transformation: str,
    permutations: int,
    seed: int,
    alternative: str,
    other: str | None,
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
    from policylink.spatial.autocorr import moran, moran_by_year

    yrs = _years(years)
    inp = load_inputs(variables=[variable] + ([other] if other else []), years=yrs, **src)
    if other:
        _bivariate(inp, variable, other, permutations, alternative, seed, fmt)
        return
    try:
        if inp.time_col is None:
            y = _cross_section(inp, inp.panel, [variable])[variable]
            results = [
                moran(
                    y.to_numpy(float),
                    inp.w,
                    transformation=transformation,
                    permutations=permutations,
                    alternative=alternative,
                    seed=seed,
                )
            ]
        else:
            results = moran_by_year(
                inp.panel,
                inp.w,
                variable=variable,
                id_col=inp.id_col,
                time_col=inp.time_col,
                periods=yrs,
                transformation=transformation,
                permutations=permutations,
                alternative=alternative,
                seed=seed,
            ).results
    except ValueError as exc:
        raise InputError([Problem(inp.source, None, variable, None, str(exc))]) from exc
    records = []
    for r in results:
        d = r.to_dict()
        period = d.pop("period")
        records.append(
            {"year": None if period is None else int(period), **d, "synthetic": bool(inp.synthetic)}
        )
    if fmt == "json":
        emit(records, fmt)
        return
    rows = [
        {
            "year": d["year"],
            "n": d["n"],
            "I": d["I"],
            "EI": d["EI"],
            "z": d["z"]["normality"],
            "p": d["p"]["normality"],
            "z_rand": d["z"]["randomization"],
            "p_rand": d["p"]["randomization"],
            "p_perm": d["p"]["permutation"],
        }
        for d in records
    ]
    emit(
        pd.DataFrame(rows),
        fmt,
        title=f"Global Moran's I of {variable} ({inp.weights}, "
        f"{'row-standardised' if transformation == 'r' else 'binary'}; p {alternative}; "
        f"z, p under normality; permutations={permutations}, seed={seed}; source: {inp.label})",
    )


def _bivariate(
    inp: Inputs, x: str, y: str, permutations: int, alternative: str, seed: int, fmt: str
) -> None:
    """Bivariate Moran of x with the lag of y, per period (or once for a cross-section)."""
    from policylink.spatial.autocorr import bivariate_moran

    if inp.time_col is None:
        frames = [(None, inp.panel)]
    else:
        frames = [(t, g) for t, g in inp.panel.groupby(inp.time_col, sort=True)]
    records = []
    for k, (t, g) in enumerate(frames):
        sub = _cross_section(inp, g, [x, y], t)
        r = bivariate_moran(
            sub[x].to_numpy(float),
            sub[y].to_numpy(float),
            inp.w,
            permutations=permutations,
            alternative=alternative,
            seed=seed + k,
        )
        records.append(
            {
                "year": None if t is None else int(t),
                "x": x,
                "y": y,
                **r.to_dict(),
                "synthetic": bool(inp.synthetic),
            }
        )
    if fmt == "json":
        emit(records, fmt)
        return
    rows = [
        {
            "year": d["year"],
            "I": d["I"],
            "z_perm": d["z"]["permutation"],
            "p_perm": d["p"]["permutation"],
        }
        for d in records
    ]
    emit(
        pd.DataFrame(rows),
        fmt,
        title=f"Bivariate Moran's I of {x} with W*{y} (row-standardised weights; p {alternative}, "
        f"{permutations} permutations, seed {seed}; source: {inp.label})",
    )


# --------------------------------------------------------------------------------------------
# lisa
# --------------------------------------------------------------------------------------------
@click.command("lisa")
@click.option("--variable", required=True, help="Variable (panel column / layer field).")
@click.option("--year", type=int, default=None, help="Year of a panel (required for panels).")
@_input_options
@click.option(
    "--statistic",
    type=click.Choice(["local_moran", "gi_star"]),
    default="local_moran",
    show_default=True,
    help="Local Moran (LISA clusters) or Getis-Ord Gi* hot spots.",
)
@_permutation_options("Conditional permutations per unit.")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level.")
@click.option(
    "--adjust",
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
    from policylink.spatial.autocorr import getis_ord_gi_star, local_moran

    inp = load_inputs(variables=[variable], years=[year] if year else None, **src)
    df = inp.panel
    if inp.time_col is not None:
        if year is None:
            raise ConfigError("--year is required with a panel")
        df = df[df[inp.time_col] == year]
    y = _cross_section(inp, df, [variable], year)[variable]
    if statistic == "local_moran":
        res = local_moran(
            y.to_numpy(float),
            inp.w,
            permutations=permutations,
            seed=seed,
            alpha=alpha,
            adjust=adjust,
            transformation=transformation,
        )
    else:
        res = getis_ord_gi_star(
            y.to_numpy(float),
            inp.w,
            permutations=permutations,
            seed=seed,
            alpha=alpha,
            adjust=adjust,
        )
    if out_file:
        if inp.geometry is None:
            raise ConfigError("--out needs geometries: use --layer, --boundaries or the database")
        import geopandas as gpd

        geo = inp.geometry.reindex(res.table["id"])
        layer = gpd.GeoDataFrame(
            res.table.assign(variable=variable, year=year),
            geometry=geo.geometry.to_numpy(),
            crs=inp.geometry.crs,
        )
        layer.to_file(out_file)
    if fmt == "json":
        emit(
            {**res.to_dict(), "source": inp.source, "synthetic_variables": list(inp.synthetic)}, fmt
        )
        return
    if fmt == "table":
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(res.counts().items()))
        click.echo(
            f"{statistic} of {variable}{f' in {year}' if year else ''}: alpha={alpha}, "
            f"adjust={adjust}, permutations={permutations}, seed={seed}; {counts} "
            f"(source: {inp.label})"
        )
    emit(res.table, fmt)


# --------------------------------------------------------------------------------------------
# sdm
# --------------------------------------------------------------------------------------------
@click.command("sdm")
@click.option("--y", "y_var", required=True, help="Dependent variable.")
@click.option("--x", "x_vars", required=True, help="Comma-separated regressors.")
@click.option(
    "--model",
    type=click.Choice(["sdm", "sar", "sem"]),
    default="sdm",
    show_default=True,
    help="Spatial Durbin, spatial lag or spatial error model.",
)
@click.option(
    "--fe",
    type=click.Choice(["twoways", "unit", "time", "none", "random"]),
    default="twoways",
    show_default=True,
    help="Fixed effects removed by demeaning; 'random' = random unit effects (SAR/SDM).",
)
@click.option(
    "--durbin",
    default=None,
    help="SDM: comma-separated regressors whose W* lag enters (default: all).",
)
@click.option("--lee-yu", is_flag=True, help="Lee-Yu (2010) bias-corrected (transformation) ML.")
@click.option(
    "--draws",
    type=int,
    default=1000,
    show_default=True,
    help="Parameter draws for the SEs of direct/indirect/total effects.",
)
@click.option("--seed", type=int, default=12345, show_default=True, help="Seed of the draws.")
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
@click.option("--years", default=None, help="Years to use, e.g. 2006-2019 (default: all).")
@_input_options
@format_option()
def sdm_cmd(
    y_var: str,
    x_vars: str,
    model: str,
    fe: str,
    durbin: str | None,
    lee_yu: bool,
    draws: int,
    seed: int,
    group_col: str | None,
    run_tests: bool,
    years: str | None,
    transformation: str,
    fmt: str,
    **src: Any,
) -> None:
    """Spatial panel model (SDM, SAR or SEM) with fixed effects and LeSage-Pace effects.

    Balanced panels only. Prints coefficients (lagged regressors named W*<var>), rho or lambda,
    sigma2, log-likelihood, R2 and, for SAR/SDM, direct / indirect / total effects with SEs from
    --draws parameter draws. --format table gives a paper-style table (SE in parentheses,
    *** p<0.01, ** p<0.05, * p<0.1).
    """
    from policylink.spatial.model_choice import model_choice
    from policylink.spatial.panel import (
        fit_by_group,
        fit_random_effects,
        fit_spatial_panel,
        panel_arrays,
        paper_table,
        weights_matrix,
    )

    xs = split_list(x_vars)
    if not xs:
        raise ConfigError("--x needs at least one regressor")
    if src["layer_file"]:
        raise ConfigError("sdm needs a panel: use --panel or the database")
    if fe == "random" and (model == "sem" or lee_yu or group_col):
        raise ConfigError("--fe random works with --model sar|sdm, without --lee-yu or --groups")
    inp = load_inputs(
        variables=[y_var, *xs],
        extra=[group_col] if group_col else None,
        years=_years(years),
        **src,
    )
    if inp.time_col is None:
        raise ConfigError("the database panel has no year column")
    kw = dict(y=y_var, x=xs, id_col=inp.id_col, time_col=inp.time_col)
    opts = dict(
        model=model,
        durbin=split_list(durbin) or None,
        lee_yu=lee_yu,
        draws=draws,
        seed=seed,
        transformation=transformation,
    )
    try:
        if group_col:
            fits = fit_by_group(inp.panel, inp.w, group_col=group_col, fe=fe, **kw, **opts)
            results = {f"{group_col}={g}": r for g, r in fits.items()}
        elif fe == "random":
            Y, X, _ = panel_arrays(inp.panel, ids=inp.w.id_order, **kw)
            W = weights_matrix(inp.w, transformation)
            results = {
                "all": fit_random_effects(
                    Y, X, W, names=xs, model=model, durbin=opts["durbin"], draws=draws, seed=seed
                )
            }
        else:
            results = {"all": fit_spatial_panel(inp.panel, inp.w, fe=fe, **kw, **opts)}
        choice = None
        if run_tests:
            Y, X, _ = panel_arrays(inp.panel, ids=inp.w.id_order, **kw)
            W = weights_matrix(inp.w, transformation)
            choice = model_choice(
                Y, X, W, names=xs, fe="twoways" if fe in ("random", "none") else fe
            )
    except ValueError as exc:
        raise InputError([Problem(inp.source, None, None, None, str(exc))]) from exc

    if fmt == "json":
        if len(results) == 1 and not group_col:
            out = next(iter(results.values())).to_dict()
        else:
            out = {"groups": {k: r.to_dict() for k, r in results.items()}}
        if choice is not None:
            out["model_choice"] = choice.to_dict()
        out["source"] = inp.source
        out["synthetic_variables"] = list(inp.synthetic)
        click.echo(to_json(out))
        return
    if fmt == "csv":
        frames = []
        for label, r in results.items():
            c = r.coefficients.assign(group=label, effect="coefficient")
            frames.append(c.rename(columns={"name": "variable"}))
            if r.effects is not None:
                frames.append(r.effects.assign(group=label))
        emit(
            pd.concat(frames, ignore_index=True)[
                ["group", "effect", "variable", "estimate", "se", "z", "p"]
            ],
            fmt,
        )
        return
    head = (
        f"{model.upper()} panel, y = {y_var}, FE {fe}; effects SE from {draws} draws "
        f"(seed {seed}); {inp.weights}; source: {inp.label}"
    )
    if group_col:
        # one Table-5-style table per group (seed 000 Tables 6-7), then the side-by-side view
        for label, r in results.items():
            emit(paper_table({label: r}), "table", title=f"{label}: {head}")
            click.echo("")
        emit(paper_table(results), "table", title=f"Coefficients by group: {head}")
    else:
        emit(paper_table(results), "table", title=head)
    if choice is not None:
        click.echo("")
        emit(choice.table, "table", title="Model choice")
        for line in choice.verdict:
            click.echo(f"- {line}")


def register(group: click.Group) -> None:
    """Add ``moran``, ``lisa`` and ``sdm`` to the CLI."""
    group.add_command(moran_cmd)
    group.add_command(lisa_cmd)
    group.add_command(sdm_cmd)
