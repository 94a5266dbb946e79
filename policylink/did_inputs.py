"""DID inputs: one assembly of a difference-in-differences panel, from the database or a file.

Every front-end (``policylink did ...``, the report's DID section, the QGIS DID suite and the
dock) asks this module for its panel and gets one :class:`DidInputs`: a long panel (one row per
unit and year), the :class:`~policylink.spatial.did.PanelSpec` naming its columns, optional
spatial weights, and the provenance that every output carries (source, SYNTHETIC variables,
notes). Sources:

- the database (:func:`load_did_inputs` with ``DidSource(panel_file=None)``): outcome, controls
  and further variables from ``observation`` (:func:`policylink.dbread.read_panel`), kept for
  the units observed in every year (a balanced panel; units left out are named in ``notes``);
  the treatment from the ``adoption_panel_rules`` view function
  (:func:`policylink.dbread.read_adoption` with :class:`policylink.dbread.AdoptionRules`): the
  designations of a programme, a designated province covers its units, the earliest designation
  wins, batch b is first treated in the b-th effective year (batches beyond the list in their
  notice year), other units are never treated (``first_treated = 0``); groups from
  ``unit_attribute``; SYNTHETIC flags from the variable catalogue; weights from the views;
- a long panel file (CSV in UTF-8 or GBK/GB18030, XLSX; :func:`policylink.inputs.read_table`)
  with the treatment as a 0/1 column or a first-treated-year column; a ``source`` column that
  says SYNTHETIC (as ``policylink did simulate`` writes) flags the variables used; weights from
  a CSV of pairs ``i, j[, w]`` or a GAL/GWT file;
- a table already in memory (a layer handed over by QGIS): :func:`did_inputs_from_frame`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from policylink import dbread
from policylink.errors import ConfigError, InputError, Problem
from policylink.spatial.did.panel import PanelSpec

_RULES = dbread.AdoptionRules()
#: Programme whose designations define the treatment (seed 004: the low-carbon city pilots).
DEFAULT_PROGRAMME: str = _RULES.programme
#: First treated year of batch 1, 2, 3 (seed 004: 2011, 2013, 2017); owned by the adoption rules.
DEFAULT_EFFECTIVE_YEARS: tuple[int, ...] = tuple(_RULES.effective_years)
#: Unit level of database panels (prefecture-level cities, the seed's unit).
DEFAULT_LEVEL = "prefecture"
#: Unit, year and first-treated columns of a database panel.
DB_UNIT, DB_TIME, DB_FIRST = "code", "year", "first_treated"
#: Column of a panel file whose text flags the file as SYNTHETIC.
SOURCE_COL = "source"
#: Cluster-robust variance choices of :class:`~policylink.spatial.did.PanelSpec`.
CLUSTERS = ("unit", "twoway")


@dataclass(frozen=True)
class DidSource:
    """Where a DID panel comes from and how its treatment is coded (what front-ends collect).

    Attributes
    ----------
    outcome : str
        Outcome column (database: variable name).
    controls : tuple of str
        Control columns (database: variable names).
    variables : tuple of str
        Further numeric columns needed (mediators, matching covariates, alternative outcomes).
    attributes : tuple of str
        Grouping columns kept as text (database: ``unit_attribute`` schemes, e.g. ``region``).
    cluster : {'unit', 'twoway'}
        Cluster-robust standard errors by unit or by unit and year.
    weights : str or None
        Spatial weights: a file (CSV of pairs ``i, j[, w]``, ``.gal``, ``.gwt``) or, for the
        database, a weights kind of the views (``queen``, ``rook``, ``knn:K``,
        ``distance:METRES``); None = no weights.
    panel_file : str or None
        Long panel file; None = the database.
    unit, time : str
        File: unit (adcode) and year columns.
    treat, first_treated : str or None
        File: a 0/1 absorbing treatment column or a first-treated-year column (0 or empty =
        never); exactly one.
    level : str
        Database: unit level.
    within : tuple of str or None
        Database: codes whose units (or descendants) are kept; None = all.
    programme : str
        Database: ``policy_event.programme`` whose designations define the treatment.
    effective_years : tuple of int
        Database: first treated year of batch 1, 2, 3, ...
    county_pilots : bool
        Database: a county-level pilot treats its prefecture (seed 004: no).
    database_url : str or None
        Database to read; None = ``DATABASE_URL`` or the embedded database.
    coordinates : str or None
        File: a vector layer (GPKG/SHP/GeoJSON) with the units' geometries and the unit
        column as id field, for distance-based inference (Conley SEs); the database reads
        the units' geometries itself.
    """

    outcome: str
    controls: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    cluster: str = "unit"
    weights: str | None = None
    panel_file: str | None = None
    unit: str = "unit"
    time: str = "year"
    treat: str | None = None
    first_treated: str | None = None
    level: str = DEFAULT_LEVEL
    within: tuple[str, ...] | None = None
    programme: str = DEFAULT_PROGRAMME
    effective_years: tuple[int, ...] = DEFAULT_EFFECTIVE_YEARS
    county_pilots: bool = False
    database_url: str | None = None
    coordinates: str | None = None

    @classmethod
    def from_options(
        cls,
        outcome: str,
        *,
        controls: str | Sequence[str] = (),
        within: str | Sequence[str] | None = None,
        effective_years: Sequence[int] | Mapping[int, int] | None = None,
        **options: Any,
    ) -> DidSource:
        """Build a source from front-end options (lists as ``"a,b"`` text allowed).

        Parameters
        ----------
        outcome : str
            Outcome column or variable.
        controls : str or sequence of str
            Controls (``"x1,x2"`` or a sequence).
        within : str or sequence of str, optional
            Database codes (``"110000,120000"`` or a sequence).
        effective_years : sequence of int or mapping, optional
            First treated year per batch, in batch order, or ``{batch: year}`` for batches
            1, 2, 3, ...; None = :data:`DEFAULT_EFFECTIVE_YEARS`.
        **options
            Any other field of :class:`DidSource` (sequences become tuples).

        Returns
        -------
        DidSource
        """
        for name in ("variables", "attributes"):
            if name in options:
                options[name] = _names(options[name])
        return cls(
            outcome=outcome,
            controls=_names(controls),
            within=_names(within) or None,
            effective_years=_effective(effective_years),
            **options,
        )

    @property
    def from_database(self) -> bool:
        """True when no panel file is given."""
        return not self.panel_file

    @property
    def rules(self) -> dbread.AdoptionRules:
        """The adoption rules of the database treatment."""
        return dbread.AdoptionRules(
            programme=self.programme,
            effective_years=tuple(self.effective_years),
            county_pilots=self.county_pilots,
        )

    def numeric(self) -> list[str]:
        """Numeric variables read: outcome, controls and further variables, without repeats."""
        return list(dict.fromkeys([self.outcome, *self.controls, *self.variables]))

    def check(self) -> None:
        """Refuse inconsistent options with a sentence (ConfigError)."""
        if not self.outcome:
            raise ConfigError("the DID needs an outcome")
        if self.cluster not in CLUSTERS:
            raise ConfigError(f"cluster {self.cluster!r}: use {' or '.join(CLUSTERS)}")
        if self.from_database:
            if self.treat or self.first_treated:
                raise ConfigError(
                    "the database codes the treatment from the designations: no treatment column"
                )
            if not self.effective_years:
                raise ConfigError("the effective years need at least one year (batch 1)")
        elif (self.treat is None) == (self.first_treated is None):
            raise ConfigError("a panel file needs exactly one of treat and first_treated")


def _names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"a, b"`` or a sequence -> ``('a', 'b')`` (stripped, empty items dropped)."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return tuple(v.strip() for v in items if v.strip())


def _effective(value: Sequence[int] | Mapping[int, int] | None) -> tuple[int, ...]:
    """Effective years in batch order from a sequence or a ``{batch: year}`` mapping."""
    if value is None:
        return DEFAULT_EFFECTIVE_YEARS
    if isinstance(value, Mapping):
        if sorted(value) != list(range(1, len(value) + 1)):
            raise ConfigError("the effective years must give batches 1, 2, 3, ... in order")
        return tuple(int(value[b]) for b in sorted(value))
    return tuple(int(y) for y in value)


@dataclass
class DidInputs:
    """A long DID panel, its column roles, optional weights and provenance.

    Attributes
    ----------
    panel : pandas.DataFrame
        One row per unit and year with the outcome, controls, further variables, the
        treatment column and the grouping attributes.
    spec : policylink.spatial.did.PanelSpec
        Column roles (outcome, unit, time, treatment, controls, clustering, source).
    source : str
        Where the data came from ("database", a file or layer name).
    synthetic : tuple of str
        Variables flagged SYNTHETIC; non-empty means every output must say so.
    notes : list of str
        Things the user should know (units left out, ...); front-ends show them.
    w : libpysal.weights.W or None
        Spatial weights over the panel's units (ids = unit values), when asked for.
    weights : str
        What the weights are, for titles ("none" without weights).
    treatment : str
        How the treatment was coded, for titles and notes.
    coords : pandas.DataFrame or None
        Unit centroids in km on an equal-area projection (index unit id, columns ``x_km``,
        ``y_km``), for distance-based inference; None when no geometries were given.
    """

    panel: pd.DataFrame
    spec: PanelSpec
    source: str
    synthetic: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    w: Any = None
    weights: str = "none"
    treatment: str = ""
    coords: Any = None

    @property
    def is_synthetic(self) -> bool:
        """True when any variable used is SYNTHETIC."""
        return bool(self.synthetic)

    @property
    def label(self) -> str:
        """Source for titles, with a SYNTHETIC warning when any variable used is synthetic."""
        if self.synthetic:
            return f"{self.source}; SYNTHETIC data: {', '.join(self.synthetic)}"
        return self.source

    @property
    def n_units(self) -> int:
        """Number of units in the panel."""
        return int(self.panel[self.spec.unit].nunique())

    def first_treated(self) -> pd.Series:
        """First treated year per unit (``inf`` = never), coded as the estimators code it.

        Returns
        -------
        pandas.Series
            Indexed by unit id (text).
        """
        from policylink.spatial.did.panel import FIRST_COL, prepare_panel

        prepared, _ = prepare_panel(self.panel, self.spec)
        return prepared.groupby(self.spec.unit)[FIRST_COL].first()

    @property
    def n_treated(self) -> int:
        """Number of units treated in some year of the panel or later."""
        import numpy as np

        return int(np.isfinite(self.first_treated()).sum())

    @property
    def has_never_treated(self) -> bool:
        """True when some unit is never treated (a never-treated comparison group exists)."""
        import numpy as np

        return bool(np.isinf(self.first_treated()).any())

    def with_weights(self, w: Any, description: str) -> DidInputs:
        """A copy carrying spatial weights.

        Parameters
        ----------
        w : libpysal.weights.W
            Weights whose ids include the panel's units.
        description : str
            What the weights are.

        Returns
        -------
        DidInputs
        """
        return replace(self, w=w, weights=description, notes=list(self.notes))

    def with_coords(self, coords: Any) -> DidInputs:
        """A copy carrying unit coordinates in km (see ``coords``).

        Parameters
        ----------
        coords : pandas.DataFrame
            Index unit id, columns ``x_km``, ``y_km``.

        Returns
        -------
        DidInputs
        """
        coords = coords.copy()
        coords.index = coords.index.map(lambda u: str(u).strip())
        return replace(self, coords=coords, notes=list(self.notes))


# --------------------------------------------------------------------------------------------
# the one entry point
# --------------------------------------------------------------------------------------------
def load_did_inputs(source: DidSource, *, conn: Any = None) -> DidInputs:
    """Assemble the DID panel from the database or from a panel file.

    Parameters
    ----------
    source : DidSource
        Variables, treatment coding, weights and where the data come from.
    conn : psycopg.Connection, optional
        Database: an open connection to read through (left open); default: a connection to
        ``source.database_url`` or the default database, closed afterwards.

    Returns
    -------
    DidInputs

    Raises
    ------
    InputError
        A bad file or cell, naming file, row and column.
    ConfigError
        Inconsistent options, an unknown variable, nothing usable in the database, or no
        treated unit.
    """
    source.check()
    if source.from_database:
        return _from_database(source, conn)
    return _from_file(source)


def did_inputs_from_frame(
    frame: pd.DataFrame,
    spec: PanelSpec,
    *,
    source: str | None = None,
    synthetic: Sequence[str] | None = None,
    notes: Sequence[str] = (),
    w: Any = None,
    weights: str = "given weights",
    treatment: str | None = None,
    first_treated_by_unit: Mapping[str, Any] | pd.Series | None = None,
) -> DidInputs:
    """DID inputs from a long table already in memory (a file read, a layer handed over by QGIS).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit and year with the columns named in ``spec``.
    spec : PanelSpec
        Column roles.
    source : str, optional
        Name of the input for messages and titles (default ``spec.source``).
    synthetic : sequence of str, optional
        Variables known to be SYNTHETIC; None = the outcome, controls and further numeric
        columns when a ``source`` column says SYNTHETIC, else none.
    notes : sequence of str
        Things the user should know.
    w : libpysal.weights.W, optional
        Spatial weights over the units.
    weights : str
        What the weights are (ignored without ``w``).
    treatment : str, optional
        How the treatment is coded (default: the column named in ``spec``).
    first_treated_by_unit : mapping or pandas.Series, optional
        First treated year per unit id from another table (e.g. a layer of pilot batches):
        written to the column ``spec.first_treated`` (``first_treated`` when unset), which then
        codes the treatment; units absent or without a year are never treated (0).

    Returns
    -------
    DidInputs

    Raises
    ------
    InputError
        A column of ``spec`` is missing (listing the columns found).
    """
    name = source or spec.source
    if first_treated_by_unit is not None:
        col = spec.first_treated or DB_FIRST
        years = pd.Series(first_treated_by_unit, dtype=object)
        years.index = years.index.map(lambda u: str(u).strip())
        years = pd.to_numeric(years, errors="coerce")
        units = frame[spec.unit].astype(str).str.strip()
        frame = frame.assign(**{col: units.map(years).fillna(0).astype(int).to_numpy()})
        spec = spec.with_(first_treated=col, treat=None)
        treatment = treatment or "first treated year per unit from another table"
    need = [spec.unit, spec.time, spec.outcome, spec.treat or spec.first_treated, *spec.controls]
    missing = [c for c in dict.fromkeys(need) if c and c not in frame.columns]
    if missing:
        cols = ", ".join(map(str, frame.columns))
        raise InputError(
            [Problem(name, None, c, None, f"column not found (columns: {cols})") for c in missing]
        )
    panel = frame.reset_index(drop=True).copy()
    panel[spec.unit] = panel[spec.unit].astype(str).str.strip()
    if synthetic is None:
        synthetic = _synthetic_by_source_column(panel, [spec.outcome, *spec.controls])
    if treatment is None:
        treatment = (
            f"0/1 column {spec.treat}" if spec.treat else f"first treated year {spec.first_treated}"
        )
    inp = DidInputs(
        panel,
        spec,
        name,
        tuple(dict.fromkeys(synthetic)),
        list(notes),
        treatment=treatment,
    )
    return inp if w is None else inp.with_weights(w, weights)


def _synthetic_by_source_column(panel: pd.DataFrame, variables: Sequence[str]) -> list[str]:
    """The variables used when a ``source`` column says SYNTHETIC (the simulator's label)."""
    if SOURCE_COL not in panel.columns:
        return []
    text = panel[SOURCE_COL].dropna().astype(str)
    if text.str.contains("SYNTHETIC", case=False).any():
        return list(dict.fromkeys(variables))
    return []


# --------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------
def _from_file(source: DidSource) -> DidInputs:
    from policylink.inputs import read_table

    path = str(source.panel_file)
    tcol = source.treat or source.first_treated
    needed = [source.unit, source.time, *source.numeric(), tcol, *source.attributes]
    frame = read_table(path, list(dict.fromkeys(c for c in needed if c)))
    name = Path(path).name
    spec = PanelSpec(
        outcome=source.outcome,
        unit=source.unit,
        time=source.time,
        treat=source.treat,
        first_treated=source.first_treated,
        controls=tuple(source.controls),
        cluster=source.cluster,
        source=name,
    )
    frame = frame.reset_index(drop=True)
    synthetic = _synthetic_by_source_column(frame, source.numeric())
    inp = did_inputs_from_frame(frame, spec, source=name, synthetic=synthetic)
    if source.weights:
        inp = inp.with_weights(*read_weights_source(source.weights))
    if source.coordinates:
        from policylink.inputs import read_layer
        from policylink.weights import centroids_km

        layer = read_layer(source.coordinates)
        inp = inp.with_coords(centroids_km(layer, source.unit, source=source.coordinates))
    return inp


def read_pair_weights(path: str) -> Any:
    """Spatial weights from a CSV of pairs (columns ``i, j`` and an optional weight ``w``).

    Parameters
    ----------
    path : str
        The file (UTF-8 or GBK/GB18030).

    Returns
    -------
    libpysal.weights.W
        Ids (text) sorted; a repeated pair keeps its last weight.

    Raises
    ------
    InputError
        Missing columns or a weight that is not a number, naming file and row.
    """
    import libpysal
    import numpy as np

    from policylink.etl.validate import detect_encoding

    p = Path(path)
    try:
        pairs = pd.read_csv(p, dtype=str, encoding=detect_encoding(p))
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError([Problem(p.name, None, None, None, f"cannot read: {exc}")]) from exc
    pairs.columns = [str(c).strip().lower() for c in pairs.columns]
    if not {"i", "j"} <= set(pairs.columns):
        raise InputError(
            [Problem(p.name, None, None, None, "weights CSV needs columns i, j (and optional w)")]
        )
    pairs["i"] = pairs["i"].astype(str).str.strip()
    pairs["j"] = pairs["j"].astype(str).str.strip()
    wt = (
        pd.to_numeric(pairs["w"], errors="coerce")
        if "w" in pairs.columns
        else pd.Series(1.0, index=pairs.index)
    )
    bad = wt.isna()
    if bad.any():
        r = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError([Problem(p.name, r + 1, "w", pairs.at[r, "w"], "expected a number")])
    ids = sorted(set(pairs["i"]) | set(pairs["j"]))
    pos = {u: k for k, u in enumerate(ids)}
    M = np.zeros((len(ids), len(ids)))
    M[pairs["i"].map(pos).to_numpy(), pairs["j"].map(pos).to_numpy()] = wt.to_numpy(float)
    neighbors = {u: [ids[j] for j in np.flatnonzero(M[k])] for k, u in enumerate(ids)}
    weights = {u: [float(M[k, j]) for j in np.flatnonzero(M[k])] for k, u in enumerate(ids)}
    return libpysal.weights.W(neighbors, weights, id_order=ids, silence_warnings=True)


def read_weights_source(path: str) -> tuple[Any, str]:
    """Spatial weights from a file: a CSV of pairs, or a GAL / GWT file.

    Parameters
    ----------
    path : str
        The file.

    Returns
    -------
    (libpysal.weights.W, str)
        The weights (ids as text) and their description.

    Raises
    ------
    ConfigError
        ``path`` is not a file.
    InputError
        An unreadable file.
    """
    from policylink.inputs import read_weights_file

    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            f"weights: give a weights file (CSV of pairs, .gal, .gwt); {path!r} is not a file"
        )
    if p.suffix.lower() in (".gal", ".gwt"):
        return read_weights_file(str(p)), f"weights file {p.name}"
    return read_pair_weights(str(p)), f"weights file {p.name}"


# --------------------------------------------------------------------------------------------
# database
# --------------------------------------------------------------------------------------------
def _from_database(source: DidSource, conn: Any = None) -> DidInputs:
    """Balanced panel with the adoption view's treatment, from the database (via dbread)."""
    from contextlib import nullcontext

    import psycopg

    from policylink.etl import db as dbmod

    level, within = source.level, list(source.within) if source.within else None
    where = f"{level} units" + (f" within {','.join(within)}" if within else "")
    variables = source.numeric()
    try:
        opened = (
            nullcontext(conn)
            if conn is not None
            else dbmod.connect(source.database_url or dbmod.database_url())
        )
        with opened as c:
            panel = dbread.read_panel(c, variables, level, within, complete=True)
            if panel.empty:
                raise ConfigError(
                    f"no complete observations of {', '.join(variables)} for the {where}; load "
                    "a panel first (policylink load ...) or give a panel file"
                )
            panel, notes = _balanced(panel)
            span = (int(panel[DB_TIME].min()), int(panel[DB_TIME].max()))
            adoption = dbread.read_adoption(c, level, within, span, source.rules)
            catalogue = dbread.read_variables(c, variables)
            synthetic = tuple(catalogue.loc[catalogue["is_synthetic"], "name"])
            attrs = {s: dbread.read_unit_attribute(c, s, level, within) for s in source.attributes}
            w = desc = coords = None
            if source.weights:
                w, desc = _database_weights(c, source, sorted(panel[DB_UNIT].unique()))
                from policylink.weights import centroids_km

                units = dbread.read_units(c, level, within)
                units = units[units["code"].isin(set(panel[DB_UNIT]))]
                coords = centroids_km(units, "code", source="database")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"the database could not be read ({first}); run 'policylink db up' to apply the "
            "migrations, load data, or give a panel file"
        ) from exc
    per_unit = adoption.dropna(subset=["first_year"]).groupby("code").first()
    panel[DB_FIRST] = panel[DB_UNIT].map(per_unit["first_year"]).fillna(0).astype(int)
    panel["batch"] = panel[DB_UNIT].map(per_unit["batch"]).fillna(0).astype(int)
    for scheme, values in attrs.items():
        panel[scheme] = panel[DB_UNIT].map(values)
        lacking = sorted(panel.loc[panel[scheme].isna(), DB_UNIT].unique())
        if lacking:
            notes.append(
                f"{len(lacking)} unit(s) have no '{scheme}' in unit_attribute: "
                f"{', '.join(lacking[:10])}{' ...' if len(lacking) > 10 else ''}"
            )
    panel[SOURCE_COL] = (
        f"database; SYNTHETIC variables: {', '.join(synthetic)}" if synthetic else "database"
    )
    years = ",".join(str(y) for y in source.effective_years)
    treatment = (
        f"{source.programme} designations (adoption_panel_rules: effective years {years}; "
        f"province covers its units; earliest wins; county pilots "
        f"{'count' if source.county_pilots else 'do not count'})"
    )
    if not (panel[DB_FIRST] > 0).any():
        raise ConfigError(
            f"no unit is treated: no {source.programme} designation covers the {where}; "
            "load the policy events (policylink load events) or check --programme"
        )
    spec = PanelSpec(
        outcome=source.outcome,
        unit=DB_UNIT,
        time=DB_TIME,
        first_treated=DB_FIRST,
        controls=tuple(source.controls),
        cluster=source.cluster,
        source="database (observation, policy_event)",
    )
    inp = DidInputs(panel, spec, "database", synthetic, notes, treatment=treatment)
    if coords is not None:
        inp = inp.with_coords(coords)
    return inp if w is None else inp.with_weights(w, desc)


def _balanced(panel: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Keep the units observed in every year of the panel; name the others in a note."""
    years = sorted(panel[DB_TIME].unique())
    counts = panel.groupby(DB_UNIT)[DB_TIME].nunique()
    keep = set(counts[counts == len(years)].index)
    notes: list[str] = []
    dropped = sorted(set(panel[DB_UNIT]) - keep)
    if dropped:
        notes.append(
            f"{len(dropped)} unit(s) without complete data in every year "
            f"{years[0]}-{years[-1]} were left out (balanced panel): "
            f"{', '.join(dropped[:10])}{' ...' if len(dropped) > 10 else ''}"
        )
    if not keep:
        raise ConfigError(
            f"no unit has complete data in every year {years[0]}-{years[-1]}: the DID needs a "
            "balanced panel"
        )
    out = panel[panel[DB_UNIT].isin(keep)].reset_index(drop=True)
    out[DB_TIME] = out[DB_TIME].astype(int)
    return out, notes


def _database_weights(conn: Any, source: DidSource, codes: list[str]) -> tuple[Any, str]:
    """Weights over ``codes``: a file, or a weights kind read from the views."""
    from policylink.weights import as_spec

    if source.weights and Path(source.weights).is_file():
        return read_weights_source(source.weights)
    spec = as_spec(source.weights or "queen")
    w = dbread.read_weights(conn, spec, source.level, ids=codes)
    if w.s0 == 0:
        raise ConfigError(
            f"the {spec} weights among these units have no links; refresh the views "
            "('policylink views refresh') after loading boundaries"
        )
    return w, f"{spec.describe()} (database views)"


def database_weights(
    inputs: DidInputs, kind: str = "queen", *, level: str = DEFAULT_LEVEL, conn: Any = None
) -> DidInputs:
    """Add weights of a kind from the database views over the units of database inputs.

    Parameters
    ----------
    inputs : DidInputs
        Inputs read from the database.
    kind : str
        ``queen``, ``rook``, ``knn:K`` or ``distance:METRES`` (or a weights file).
    level : str
        Unit level of the inputs.
    conn : psycopg.Connection, optional
        Open connection (default: the default database).

    Returns
    -------
    DidInputs
        A copy with ``w`` and ``weights`` set.

    Raises
    ------
    ConfigError
        The weights have no links among these units.
    """
    from contextlib import nullcontext

    from policylink.etl import db as dbmod

    opened = nullcontext(conn) if conn is not None else dbmod.connect()
    codes = sorted(inputs.panel[inputs.spec.unit].unique())
    with opened as c:
        w, desc = _database_weights(
            c, DidSource(inputs.spec.outcome, weights=kind, level=level), codes
        )
    return inputs.with_weights(w, desc)


def read_db_panel(
    outcome: str,
    controls: Sequence[str] = (),
    *,
    programme: str = DEFAULT_PROGRAMME,
    effective_years: Sequence[int] | Mapping[int, int] | None = None,
    within: str | Sequence[str] | None = None,
    attributes: Sequence[str] = (),
    extra_variables: Sequence[str] = (),
    county_pilots: bool = False,
    url: str | None = None,
) -> pd.DataFrame:
    """The database DID panel as a table (the panel of :func:`load_did_inputs`).

    Parameters
    ----------
    outcome : str
        Outcome variable name.
    controls : sequence of str
        Control variable names.
    programme : str
        ``policy_event.programme``.
    effective_years : sequence of int or mapping, optional
        First treated year per batch (default :data:`DEFAULT_EFFECTIVE_YEARS`).
    within : str or sequence of str, optional
        Codes restricting the units.
    attributes : sequence of str
        ``unit_attribute`` schemes to add as columns.
    extra_variables : sequence of str
        Further variables to read.
    county_pilots : bool
        A county-level pilot treats its prefecture.
    url : str, optional
        Database URL (default: ``DATABASE_URL`` or the embedded database).

    Returns
    -------
    pandas.DataFrame
        ``code, year, <variables>, first_treated, batch, <attributes>, source``; ``source``
        says SYNTHETIC when any variable is flagged synthetic.
    """
    source = DidSource.from_options(
        outcome,
        controls=controls,
        within=within,
        effective_years=effective_years,
        variables=extra_variables,
        attributes=attributes,
        programme=programme,
        county_pilots=county_pilots,
        database_url=url,
    )
    return load_did_inputs(source).panel
