"""One inputs layer: analysis inputs assembled the same way from the database or from files.

Every front-end (CLI, report, QGIS Processing, the dock) asks this module for its inputs and gets
one :class:`AnalysisInputs`: a long panel (or one cross-section), binary weights built by the one
rule of their kind (:mod:`policylink.weights`, the SQL views for the database), unit geometries,
and the SYNTHETIC flags of the variables used. Sources:

- the database (default): units of ``admin_unit`` by level / within, values from ``observation``
  (balanced panel), weights from the views (``w_queen`` ...), groups from ``unit_attribute``,
  SYNTHETIC flags from the variable catalogue;
- a long panel file (CSV in UTF-8 or GBK/GB18030, XLSX) with weights from a GAL/GWT file or built
  from a boundary layer;
- a vector layer (any OGR format, or a GeoDataFrame handed over by QGIS): one cross-section, or a
  panel when a time field is given, with weights built from its geometries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from policylink.errors import ConfigError, InputError, Problem
from policylink.input_defaults import DEFAULT_LEVEL
from policylink.weights import WeightsSpec, as_spec, build_weights


@dataclass(frozen=True)
class InputSource:
    """Where the inputs of an analysis come from (the options every front-end collects).

    Attributes
    ----------
    level : str
        Database unit level (``province``, ``prefecture`` or ``county``).
    within : tuple of str or None
        Database: codes whose units (or descendants) are kept; None = all.
    weights : WeightsSpec
        Weights kind (database views or the same rule on a layer).
    panel_file, layer_file, weights_file, boundaries_file : str or None
        File inputs. ``panel_file`` needs ``id_col``, ``time_col`` and exactly one of
        ``weights_file`` / ``boundaries_file``; ``layer_file`` needs ``id_col``.
    id_col, time_col, boundary_id : str or None
        Field names in the files (``boundary_id`` defaults to ``id_col``).
    database_url : str or None
        Database to read; None = ``DATABASE_URL`` or the embedded database.
    """

    level: str = DEFAULT_LEVEL
    within: tuple[str, ...] | None = None
    weights: WeightsSpec = field(default_factory=lambda: WeightsSpec("queen"))
    panel_file: str | None = None
    layer_file: str | None = None
    id_col: str | None = None
    time_col: str | None = None
    weights_file: str | None = None
    boundaries_file: str | None = None
    boundary_id: str | None = None
    database_url: str | None = None

    @classmethod
    def from_options(
        cls,
        *,
        level: str = DEFAULT_LEVEL,
        within: str | Sequence[str] | None = None,
        weights_kind: str | WeightsSpec = "queen",
        **files: Any,
    ) -> InputSource:
        """Build a source from front-end options (``within`` as ``"110000,120000"`` allowed).

        Parameters
        ----------
        level, within, weights_kind
            Database selection and weights kind (``queen``, ``rook``, ``knn:K``, ...).
        **files
            ``panel_file``, ``layer_file``, ``id_col``, ``time_col``, ``weights_file``,
            ``boundaries_file``, ``boundary_id``, ``database_url``.

        Returns
        -------
        InputSource
        """
        if isinstance(within, str):
            codes = tuple(c.strip() for c in within.split(",") if c.strip()) or None
        else:
            codes = tuple(within) if within else None
        return cls(level=level, within=codes, weights=as_spec(weights_kind), **files)

    @property
    def from_database(self) -> bool:
        """True when no file input is given."""
        return not (self.panel_file or self.layer_file)


@dataclass
class AnalysisInputs:
    """A long panel (or one cross-section), its weights, geometries and provenance.

    Attributes
    ----------
    panel : pandas.DataFrame
        Long panel (``id_col``, ``time_col``, variables) or one row per unit.
    w : libpysal.weights.W
        Binary weights over the panel's units (ids = values of ``id_col``); analyses transform.
    id_col, time_col : str, str or None
        Unit and period columns (``time_col`` None for a cross-section).
    source : str
        Where the data came from ("database", a file name, a layer name).
    geometry : geopandas.GeoDataFrame or None
        Unit geometries indexed by id, when the input had them.
    synthetic : tuple of str
        Variables flagged SYNTHETIC (catalogue ``is_synthetic``, or named so in a file).
    weights : str
        What the weights are, for titles.
    notes : list of str
        Things the user should know (units left out, ...); front-ends show them.
    """

    panel: pd.DataFrame
    w: Any
    id_col: str
    time_col: str | None
    source: str
    geometry: Any = None
    synthetic: tuple[str, ...] = ()
    weights: str = "queen contiguity"
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """Source for titles, with a SYNTHETIC warning when any variable used is synthetic."""
        if self.synthetic:
            return f"{self.source}; SYNTHETIC data: {', '.join(self.synthetic)}"
        return self.source

    def periods(self) -> list[Any]:
        """Sorted distinct periods (``[None]`` for a cross-section)."""
        if self.time_col is None:
            return [None]
        return sorted(self.panel[self.time_col].dropna().unique().tolist())

    def cross_section(
        self, columns: Sequence[str], period: Any = None, frame: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """One row per unit of the weights, in weights order, for one period.

        Parameters
        ----------
        columns : sequence of str
            Columns that must have a value for every unit.
        period : optional
            Period to select (ignored for a cross-section).
        frame : pandas.DataFrame, optional
            Rows to use instead of ``panel``.

        Returns
        -------
        pandas.DataFrame
            Indexed by unit id in ``w.id_order``.

        Raises
        ------
        InputError
            A unit lacks a value, naming the unit, column and period.
        """
        df = self.panel if frame is None else frame
        if period is not None and self.time_col is not None:
            df = df[df[self.time_col] == period]
        sub = df.drop_duplicates(self.id_col).set_index(self.id_col).reindex(list(self.w.id_order))
        for c in columns:
            if sub[c].isna().any():
                bad = sub.index[sub[c].isna()][0]
                where = f" in {period}" if period is not None else ""
                raise InputError(
                    [Problem(self.source, None, c, bad, f"missing value for unit {bad}{where}")]
                )
        return sub


# --------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------
def _numeric(df: pd.DataFrame, columns: Sequence[str], file: str) -> pd.DataFrame:
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


def read_table(path: str, needed: Sequence[str]) -> pd.DataFrame:
    """Read a CSV (UTF-8 or GBK/GB18030) or XLSX table as text, checking needed columns.

    Parameters
    ----------
    path : str
        The file.
    needed : sequence of str
        Columns that must exist.

    Returns
    -------
    pandas.DataFrame
        All cells as text.

    Raises
    ------
    InputError
        Missing file, unreadable content, an encoding other than UTF-8/GBK, no data rows, or a
        missing column (listing the columns found).
    """
    from policylink.etl.validate import detect_encoding

    p = Path(path)
    if not p.is_file():
        raise InputError([Problem(path, None, None, None, "file not found")])
    try:
        if p.suffix.lower() in (".xlsx", ".xls"):
            df = pd.read_excel(p, dtype=str)
        else:
            df = pd.read_csv(p, dtype=str, comment=None, encoding=detect_encoding(p))
    except InputError:
        raise
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
    if df.empty:
        raise InputError([Problem(path, None, None, None, "the table has no data rows")])
    return df


def read_layer(path: str, layer: str | None = None) -> Any:
    """Read a vector layer file (GPKG/SHP/GeoJSON ...) as a GeoDataFrame.

    Parameters
    ----------
    path : str
        The file.
    layer : str, optional
        Layer name inside a multi-layer file.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    InputError
        Missing or unreadable file, or an empty layer.
    """
    import geopandas as gpd

    if not Path(path).exists():
        raise InputError([Problem(path, None, None, None, "file not found")])
    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:
        raise InputError([Problem(path, None, None, None, f"cannot read layer: {exc}")]) from exc
    if gdf.empty:
        raise InputError([Problem(path, None, None, None, "the layer has no features")])
    return gdf


def read_weights_file(path: str) -> Any:
    """Read a GAL or GWT weights file (ids as text).

    Parameters
    ----------
    path : str
        The file.

    Returns
    -------
    libpysal.weights.W

    Raises
    ------
    InputError
        Missing or unreadable file.
    """
    import libpysal

    if not Path(path).is_file():
        raise InputError([Problem(path, None, None, None, "file not found")])
    try:
        w = libpysal.io.open(path).read()
    except Exception as exc:
        raise InputError([Problem(path, None, None, None, f"cannot read weights: {exc}")]) from exc
    ids = [str(i) for i in w.id_order]
    nb = {str(i): [str(j) for j in w.neighbors[i]] for i in w.id_order}
    wt = {str(i): list(w.weights[i]) for i in w.id_order}
    return libpysal.weights.W(nb, wt, id_order=ids, silence_warnings=True)


def align_weights(panel: pd.DataFrame, w: Any, id_col: str, file: str) -> Any:
    """Restrict weights to the units of the panel; a unit without weights is an input error.

    Parameters
    ----------
    panel : pandas.DataFrame
        Panel with ``id_col``.
    w : libpysal.weights.W
        Weights whose ids include the panel's units.
    id_col : str
        Unit id column.
    file : str
        Panel file name for messages.

    Returns
    -------
    libpysal.weights.W
    """
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


def inputs_from_frame(
    frame: Any,
    *,
    id_col: str,
    variables: Sequence[str],
    time_col: str | None = None,
    extra: Sequence[str] = (),
    weights: str | WeightsSpec | Any = "queen",
    source: str = "layer",
    synthetic: Sequence[str] = (),
) -> AnalysisInputs:
    """Inputs from a table or GeoDataFrame already in memory (a layer handed over by QGIS).

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        One row per unit (or per unit and period when ``time_col`` is given).
    id_col : str
        Unit id field.
    variables : sequence of str
        Numeric fields used.
    time_col : str, optional
        Period field (panel); None = one cross-section.
    extra : sequence of str
        Further fields kept as they are (e.g. a group).
    weights : str, WeightsSpec or libpysal.weights.W
        A weights kind built from the geometries by the one rule of :mod:`policylink.weights`,
        or ready weights (e.g. read from the database or a file).
    source : str
        Name of the input for messages and titles.
    synthetic : sequence of str
        Variables known to be SYNTHETIC.

    Returns
    -------
    AnalysisInputs

    Raises
    ------
    InputError
        Missing fields, non-numeric values, duplicate ids, geometry problems.
    """
    import geopandas as gpd

    for c in [id_col, *variables, *extra, *([time_col] if time_col else [])]:
        if c not in frame.columns:
            raise InputError(
                [
                    Problem(
                        source,
                        None,
                        c,
                        None,
                        f"field not found (fields: {', '.join(map(str, frame.columns))})",
                    )
                ]
            )
    if len(frame) == 0:
        raise InputError([Problem(source, None, None, None, "the layer has no features")])
    cols = [id_col, *([time_col] if time_col else []), *variables, *extra]
    df = pd.DataFrame({c: frame[c].to_numpy() for c in dict.fromkeys(cols)})
    df[id_col] = df[id_col].astype(str).str.strip()
    df = _numeric(df, [*([time_col] if time_col else []), *variables], source)
    geo = None
    if isinstance(frame, gpd.GeoDataFrame):
        units = frame.assign(**{id_col: frame[id_col].astype(str).str.strip()})
        units = units.drop_duplicates(id_col)
        geo = units.set_index(id_col)
    if hasattr(weights, "id_order"):
        w = align_weights(df, weights, id_col, source)
        desc = "given weights"
    else:
        if geo is None:
            raise ConfigError(f"{source}: weights of kind {weights} need geometries")
        spec = as_spec(weights)
        if time_col is None:
            ids = df[id_col]
            dup = ids[ids.duplicated()]
            if len(dup):
                raise InputError(
                    [
                        Problem(
                            source, int(dup.index[0]) + 1, id_col, dup.iloc[0], "duplicate unit id"
                        )
                    ]
                )
        w = build_weights(units, id_col, spec, source=source)
        desc = f"{spec.describe()} of {source}"
    return canonical(
        AnalysisInputs(df, w, id_col, time_col, source, geo, tuple(sorted(synthetic)), weights=desc)
    )


def canonical(inputs: AnalysisInputs) -> AnalysisInputs:
    """Put units in one canonical order (ids sorted as text) in the weights and the panel.

    Permutation inference depends on the order of the units (the seeded draws are positional),
    so every source -- database, file, QGIS layer -- hands the analyses the same order, and the
    same seed gives the same pseudo p-values everywhere.

    Parameters
    ----------
    inputs : AnalysisInputs
        Inputs in any order.

    Returns
    -------
    AnalysisInputs
        The same object, reordered in place.
    """
    import libpysal

    order = sorted(str(i) for i in inputs.w.id_order)
    if [str(i) for i in inputs.w.id_order] != order:
        back = {str(i): i for i in inputs.w.id_order}
        inputs.w = libpysal.weights.w_subset(
            inputs.w, [back[i] for i in order], silence_warnings=True
        )
    keys = [inputs.id_col, *([inputs.time_col] if inputs.time_col else [])]
    inputs.panel = inputs.panel.sort_values(keys, kind="stable").reset_index(drop=True)
    return inputs


# --------------------------------------------------------------------------------------------
# the one entry point
# --------------------------------------------------------------------------------------------
def load_inputs(
    source: InputSource,
    variables: Sequence[str],
    *,
    extra: Sequence[str] = (),
    years: Sequence[int] | None = None,
    conn: Any = None,
) -> AnalysisInputs:
    """Assemble the inputs of an analysis from the database or from files.

    Parameters
    ----------
    source : InputSource
        Where the data come from.
    variables : sequence of str
        Numeric variables needed.
    extra : sequence of str
        Further columns kept as text (a group column; from ``unit_attribute`` in the database).
    years : sequence of int, optional
        Periods to keep; None = all.
    conn : psycopg.Connection, optional
        An open connection to read the database through (left open); default: a connection
        to ``source.database_url`` or the default database, closed afterwards.

    Returns
    -------
    AnalysisInputs

    Raises
    ------
    InputError
        A bad file, with file, row and column.
    ConfigError
        Inconsistent options, or nothing usable in the database.
    """
    variables = list(dict.fromkeys(variables))
    extra = list(extra)
    if source.layer_file:
        if not source.id_col:
            raise ConfigError("a layer input needs the unit id field (--id)")
        gdf = read_layer(source.layer_file)
        inp = inputs_from_frame(
            gdf,
            id_col=source.id_col,
            variables=variables,
            time_col=source.time_col,
            extra=extra,
            weights=source.weights,
            source=source.layer_file,
        )
        if years is not None and inp.time_col:
            inp.panel = inp.panel[inp.panel[inp.time_col].isin(list(years))]
        return inp
    if source.panel_file:
        return _from_panel_file(source, variables, extra, years)
    if source.weights_file or source.boundaries_file:
        raise ConfigError("--weights / --boundaries go with --panel FILE")
    return _from_database(source, variables, extra, years, conn)


def _from_panel_file(
    source: InputSource, variables: list[str], extra: list[str], years: Sequence[int] | None
) -> AnalysisInputs:
    if not source.id_col or not source.time_col:
        raise ConfigError("--panel needs --id and --time")
    if bool(source.weights_file) == bool(source.boundaries_file):
        raise ConfigError("--panel needs exactly one of --weights FILE or --boundaries FILE")
    id_col, time_col, path = source.id_col, source.time_col, source.panel_file
    df = read_table(path, [id_col, time_col, *variables, *extra])
    df = _numeric(df, [time_col, *variables], path)
    df[id_col] = df[id_col].astype(str).str.strip()
    if years is not None:
        df = df[df[time_col].isin(list(years))]
        if df.empty:
            raise InputError([Problem(path, None, time_col, None, "no rows in the selected years")])
    geo = None
    if source.weights_file:
        w = read_weights_file(source.weights_file)
        desc = f"weights file {Path(source.weights_file).name}"
    else:
        gdf = read_layer(source.boundaries_file)
        bid = source.boundary_id or id_col
        w = build_weights(gdf, bid, source.weights, source=source.boundaries_file)
        geo = gdf.assign(**{bid: gdf[bid].astype(str).str.strip()}).set_index(bid)
        desc = f"{source.weights.describe()} of {Path(source.boundaries_file).name}"
    w = align_weights(df, w, id_col, path)
    return canonical(AnalysisInputs(df, w, id_col, time_col, path, geo, weights=desc))


def _from_database(
    source: InputSource,
    variables: list[str],
    extra: list[str],
    years: Sequence[int] | None,
    conn: Any = None,
) -> AnalysisInputs:
    """Balanced panel, unit geometries and weights from the database (via policylink.dbread).

    Units lacking a value in any selected year are dropped (and said in ``notes``), because the
    statistics need a balanced panel; the weights are the sub-graph among the kept units.
    """
    from contextlib import nullcontext

    import psycopg

    from policylink import dbread
    from policylink.etl import db as dbmod

    level, codes = source.level, list(source.within) if source.within else None
    where = f"level {level}" + (f" within {','.join(codes)}" if codes else "")
    notes: list[str] = []
    try:
        opened = (
            nullcontext(conn)
            if conn is not None
            else dbmod.connect(source.database_url or dbmod.database_url())
        )
        with opened as conn:
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
            # the selected years that have data (a range may reach past the data)
            have = sorted(panel["year"].unique())
            yrs = have if years is None else [y for y in sorted(set(years)) if y in set(have)]
            if years is not None and len(yrs) < len(set(years)):
                gone = sorted(set(years) - set(yrs))
                notes.append(f"no complete data in {len(gone)} selected year(s): {gone}")
            counts = panel[panel["year"].isin(yrs)].groupby("code")["year"].nunique()
            keep = sorted(counts[counts == len(yrs)].index)
            if len(keep) < 3:
                raise ConfigError(f"fewer than 3 units with complete data at {where}")
            w = dbread.read_weights(conn, source.weights, level, codes, ids=keep)
            stale = dbread.stale_contiguity_views(conn, level, source.weights)
            if stale:
                notes.append(
                    f"the contiguity views of level {level} are older than its boundaries "
                    f"({', '.join(stale)}: units were written since their last refresh); run "
                    "'policylink views refresh --stale'"
                )
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"the database could not be read ({first}); run 'policylink db up' to apply the "
            "migrations, load data, or use --panel FILE"
        ) from exc
    if w.s0 == 0:
        raise ConfigError(
            f"the {source.weights} weights at {where} have no links; refresh the views "
            "('policylink views refresh') after loading boundaries"
        )
    dropped = sorted(set(panel["code"]) - set(keep))
    if dropped:
        notes.append(
            f"{len(dropped)} unit(s) without complete data in the selected years were left "
            f"out: {', '.join(dropped[:10])}{' ...' if len(dropped) > 10 else ''}"
        )
    panel = panel[panel["code"].isin(keep) & panel["year"].isin(yrs)].copy()
    panel["year"] = panel["year"].astype(int)
    for c in extra:
        panel[c] = panel["code"].map(attrs[c])
        if panel[c].isna().any():
            bad = panel.loc[panel[c].isna(), "code"].iloc[0]
            raise ConfigError(f"unit {bad} has no '{c}' in unit_attribute")
    geo = units[units["code"].isin(keep)].set_index("code")
    return AnalysisInputs(
        panel.reset_index(drop=True),
        w,
        "code",
        "year",
        "database",
        geo,
        synthetic,
        weights=f"{source.weights.describe()} (database views)",
        notes=notes,
    )


def with_source(source: InputSource, **changes: Any) -> InputSource:
    """Return a copy of ``source`` with some fields changed (weights given as text allowed).

    Parameters
    ----------
    source : InputSource
        The source.
    **changes
        Fields to change.

    Returns
    -------
    InputSource
    """
    if "weights" in changes:
        changes["weights"] = as_spec(changes["weights"])
    return replace(source, **changes)
