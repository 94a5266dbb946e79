"""Database reader: the only place where the SQL views become DataFrames and libpysal weights.

Every function takes an open :class:`psycopg.Connection` or a connection URL, reads one of the
public views or view functions of ``sql/views`` (documented in ``sql/README.md``) and returns
pandas / geopandas / libpysal objects for ``spatial/``, the DID suite, maps and the QGIS plugin.

Conventions
-----------
- Units are GB/T 2260 codes (text). Rows and weights ids are sorted by code, ascending.
- ``level`` is a level set: ``province``, ``prefecture`` or ``county`` (county-level units
  include the prefecture-level codes flagged ``also_county``, 2,875 in the bundled data).
- ``within`` selects the units whose code or any ancestor code is listed (``["110000",
  "120000", "130000"]`` = Jing-Jin-Ji); weights are then the induced sub-graph (only pairs with
  both ends inside), and k-nearest / distance-band neighbours are searched inside the subset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import psycopg

from policylink.errors import ConfigError
from policylink.weights import (
    GAP_TOLERANCE_M,
    WeightsSpec,
    as_spec,
    derive_pairs,
    links_pairs,
    pairs_to_w,
)

if TYPE_CHECKING:  # libpysal, geopandas and shapely are imported where used (start-up time)
    import geopandas as gpd
    import libpysal

Conn = psycopg.Connection | str
LEVELS = ("province", "prefecture", "county")


@contextmanager
def _connection(conn: Conn) -> Iterator[psycopg.Connection]:
    """Use an open connection as is, or open (and close) one from a URL."""
    if isinstance(conn, psycopg.Connection):
        yield conn
        return
    from policylink.etl.db import session_conninfo

    with psycopg.connect(session_conninfo(conn)) as c:
        yield c


def _codes(within: str | Sequence[str] | None) -> list[str] | None:
    """Normalise ``within`` (comma-separated text or a sequence) to a list of codes or None."""
    if within is None:
        return None
    items = within.split(",") if isinstance(within, str) else [str(c) for c in within]
    codes = [c.strip() for c in items if c.strip()]
    bad = [c for c in codes if not re.fullmatch(r"[0-9]{6}", c)]
    if bad:
        raise ConfigError(f"--within: not six-digit GB/T 2260 codes: {', '.join(bad)}")
    return codes or None


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ConfigError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return level


def _rows_within(
    c: psycopg.Connection,
    select: psycopg.sql.SQL,
    args: Sequence[object],
    level: str,
    within: str | Sequence[str] | None,
) -> list[tuple]:
    """Rows of ``select`` kept for the units of ``level`` within ``within``, ordered by 1, 2.

    ``select`` (a constant ``psycopg.sql.SQL``) reads a view function aliased ``a`` that has a ``unit_code`` column; the units
    come from the ``unit_within`` view function.
    """
    query = psycopg.sql.SQL(
        "{} JOIN unit_within(%s, %s) w ON w.code = a.unit_code ORDER BY 1, 2"
    ).format(select)
    return c.execute(query, (*args, _codes(within), level)).fetchall()


def unit_codes(
    conn: Conn, level: str = "prefecture", within: str | Sequence[str] | None = None
) -> list[str]:
    """Codes of the units of a level set, optionally within some codes, sorted.

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Codes whose units (the code itself or any descendant) are kept.

    Returns
    -------
    list of str
    """
    _check_level(level)
    with _connection(conn) as c:
        rows = c.execute(
            "SELECT code FROM unit_within(%s, %s) ORDER BY code", (_codes(within), level)
        ).fetchall()
    return [r[0] for r in rows]


def read_units(
    conn: Conn,
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    *,
    equal_area: bool = False,
) -> gpd.GeoDataFrame:
    """Read unit boundaries as a GeoDataFrame.

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Keep units whose code or an ancestor code is listed.
    equal_area : bool
        Return ``geom_eq`` (China Albers equal-area, metres; the geometry the weights are
        computed on) instead of WGS 84.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code, name_zh, name_en, level, parent_code, also_county, geometry``, one row
        per unit sorted by code. CRS EPSG:4326, or the China Albers PROJ string for
        ``equal_area=True``.
    """
    _check_level(level)
    with _connection(conn) as c:
        rows = c.execute(
            "SELECT u.code, u.name_zh, u.name_en, u.level, u.parent_code, u.also_county, "
            "ST_AsBinary(CASE WHEN %s THEN u.geom_eq ELSE u.geom END) "
            "FROM unit_within(%s, %s) w JOIN admin_unit u ON u.code = w.code ORDER BY u.code",
            (equal_area, _codes(within), level),
        ).fetchall()
        crs = 4326
        if equal_area:
            crs = c.execute("SELECT proj4text FROM spatial_ref_sys WHERE srid = 990001").fetchone()[
                0
            ]
    cols = ["code", "name_zh", "name_en", "level", "parent_code", "also_county"]
    frame = pd.DataFrame([r[:6] for r in rows], columns=cols)
    import geopandas as gpd
    import shapely

    geoms = shapely.from_wkb([bytes(r[6]) for r in rows]) if rows else []
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=crs)


def _reads_contiguity_views(spec: WeightsSpec) -> bool:
    """Queen / rook of any order with the views' gap tolerance: read from the materialized
    contiguity views (another tolerance is computed by ``contiguity_pairs``)."""
    return spec.contiguity and spec.tolerance_m == GAP_TOLERANCE_M


def read_pairs(
    conn: Conn,
    kind: str | WeightsSpec = "queen",
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read weights as neighbour pairs (both directions for symmetric kinds).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    kind : str or WeightsSpec
        ``queen``, ``rook`` (views ``w_queen`` / ``w_rook``: contiguity on ``geom_eq`` with a
        1 m gap tolerance), ``knn:K`` (``w_knn``: K nearest centroids) or ``distance:METRES``
        (``w_distance``: centroid distance <= METRES), distances in China Albers metres.
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Restrict to units within these codes (induced sub-graph; KNN searched inside).

    Returns
    -------
    pandas.DataFrame
        Columns ``i, j, weight, distance_m`` (binary weights; ``distance_m`` between centroids
        for knn/distance, NaN for contiguity), sorted by ``i, j``.
    """
    spec = as_spec(kind)
    if spec.kind == "links":
        return links_pairs(read_links(conn, level, within, summary=True))
    if spec.derived:  # higher orders, idw, kernels: one Python rule over the views' base pairs
        return derive_pairs(read_pairs(conn, spec.base, level, within), spec)
    _check_level(level)
    codes = _codes(within)
    with _connection(conn) as c:
        if spec.contiguity and not _reads_contiguity_views(spec):
            # another tolerance than the views': the views' own function, both directions;
            # the contact test (3x the time of the pairs) only for rook
            rows = c.execute(
                "WITH s AS (SELECT code FROM unit_within(%(w)s, %(l)s)), "
                "p AS (SELECT code_i, code_j FROM contiguity_pairs(%(l)s, %(t)s, %(rook)s) "
                "      WHERE rook OR NOT %(rook)s) "
                "SELECT i, j, 1.0::float8, NULL::float8 FROM ("
                "SELECT code_i AS i, code_j AS j FROM p UNION SELECT code_j, code_i FROM p) q "
                "JOIN s si ON si.code = q.i JOIN s sj ON sj.code = q.j ORDER BY i, j",
                {"w": codes, "l": level, "t": spec.tolerance_m, "rook": spec.kind == "rook"},
            ).fetchall()
        elif spec.contiguity:
            view = psycopg.sql.Identifier("w_" + spec.kind)
            query = psycopg.sql.SQL(
                "WITH s AS (SELECT code FROM unit_within(%(w)s, %(l)s)) "
                "SELECT q.i, q.j, q.weight, NULL::float8 FROM {} q "
                "JOIN s si ON si.code = q.i JOIN s sj ON sj.code = q.j "
                "WHERE q.level = %(l)s ORDER BY q.i, q.j"
            ).format(view)
            rows = c.execute(query, {"w": codes, "l": level}).fetchall()
        elif spec.kind == "knn":
            rows = c.execute(
                "SELECT i, j, weight, distance_m FROM w_knn(%s, %s, %s) ORDER BY i, j",
                (level, spec.k, codes),
            ).fetchall()
        else:
            rows = c.execute(
                "SELECT i, j, weight, distance_m FROM w_distance(%s, %s, %s) ORDER BY i, j",
                (level, spec.band_m, codes),
            ).fetchall()
    frame = pd.DataFrame(rows, columns=["i", "j", "weight", "distance_m"])
    return frame.astype({"weight": float, "distance_m": float})


def read_weights(
    conn: Conn,
    kind: str | WeightsSpec = "queen",
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    *,
    transform: str | None = None,
    ids: Sequence[str] | None = None,
) -> libpysal.weights.W:
    """Read spatial weights as a libpysal ``W``.

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    kind : str or WeightsSpec
        ``queen``, ``rook``, ``knn:K`` or ``distance:METRES`` (see :func:`read_pairs`).
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Restrict to units within these codes (induced sub-graph).
    transform : str, optional
        libpysal transformation to apply (``'r'`` row-standardised, ``'b'`` binary, ...);
        None keeps the binary weights as stored.
    ids : sequence of str, optional
        Id order of the result (must be a subset of the level's units); default: every unit
        of the level (within ``within``) sorted by code.

    Returns
    -------
    libpysal.weights.W
        ``id_order`` = ``ids`` or the sorted codes. Units without neighbours (islands, see the
        ``w_islands`` view) are kept with an empty neighbour list, never dropped.
    """
    pairs = read_pairs(conn, kind, level, within)
    order = list(ids) if ids is not None else unit_codes(conn, level, within)
    if ids is not None:
        known = set(unit_codes(conn, level, within))
        missing = [c for c in order if c not in known]
        if missing:
            raise ConfigError(
                f"ids not among the {level} units{' within ' + str(within) if within else ''}: "
                + ", ".join(missing[:10])
            )
    return pairs_to_w(pairs, order, transform)  # induced sub-graph over `order`


def read_unit_weights(
    conn: Conn, kind: str | WeightsSpec, ids: Sequence[str]
) -> libpysal.weights.W | None:
    """Contiguity weights of a set of unit codes from the materialized views, if they are units.

    The one reader behind front-ends that hold units of the database without knowing their
    level (the QGIS plugin with a PostgreSQL layer of ``admin_unit``): the level is the one
    level set holding every code, and the weights are the views' pairs among the codes (the
    induced sub-graph, which for contiguity is what the geometries of these units alone give).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    kind : str or WeightsSpec
        ``queen`` or ``rook`` with the views' 1 m gap tolerance.
    ids : sequence of str
        Unit codes, in the order wanted (the result's ``id_order``).

    Returns
    -------
    libpysal.weights.W or None
        Binary weights with ``id_order = ids``; None when the kind is not the views' contiguity,
        the codes are not all units of exactly one level set (or repeat), or the contiguity
        view of that level is empty (not refreshed): then the caller builds the weights from
        the geometries.
    """
    spec = as_spec(kind)
    order = [str(i) for i in ids]
    if (
        not _reads_contiguity_views(spec)
        or spec.derived
        or not order
        or len(set(order)) != len(order)
    ):
        return None
    with _connection(conn) as c:
        levels = [
            r[0]
            for r in c.execute(
                "SELECT level FROM unit_level WHERE code = ANY(%s) GROUP BY level "
                "HAVING count(*) = %s",
                (order, len(order)),
            ).fetchall()
        ]
        if len(levels) != 1:
            return None
        # the level set's own materialized view (sql/views/21_contiguity.sql) must be populated
        # and hold pairs: reading an unpopulated one through w_contiguity_queen is an error
        populated = c.execute(
            "SELECT c.relispopulated FROM pg_class c WHERE c.oid = to_regclass(%s)",
            (f"public.w_contiguity_queen_{levels[0]}",),
        ).fetchone()
        if not populated or not populated[0]:
            return None
        refreshed = c.execute(
            "SELECT EXISTS (SELECT 1 FROM w_contiguity_queen WHERE level = %s)", (levels[0],)
        ).fetchone()
        if not refreshed or not refreshed[0]:
            return None
        return read_weights(c, spec, levels[0], ids=order)


def stale_contiguity_views(conn: Conn, level: str, kind: str | WeightsSpec = "queen") -> list[str]:
    """The contiguity views of ``level`` that are older than its units, when ``kind`` is read
    from them.

    The contiguity views are materialized per level set and counted per level set (migration
    0061): a view is stale when units of its level set were written since its last refresh.
    Which views those are is the database's record (``matview_source``: the views computed from
    the counter ``admin_unit:<level>``, filled by the view files), not a naming rule here.
    Only queen / rook weights (of any order) with the views' gap tolerance read them
    (:func:`read_pairs`); other kinds get an empty list without a query.

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : str
        Level set (``province``, ``prefecture`` or ``county``).
    kind : str or WeightsSpec
        The weights that would be read.

    Returns
    -------
    list of str
        Names of the stale views (empty when up to date or not read).
    """
    from policylink.etl.migrate import stale_materialized_views

    if not _reads_contiguity_views(as_spec(kind)):
        return []
    with _connection(conn) as c:
        return stale_materialized_views(c, source_key=f"admin_unit:{level}")


def read_islands(conn: Conn, level: str = "prefecture") -> pd.DataFrame:
    """Units without contiguity neighbours (view ``w_islands``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : {'province', 'prefecture', 'county'}
        Level set.

    Returns
    -------
    pandas.DataFrame
        ``code, name_zh, name_en, queen_island, rook_island`` sorted by code.
    """
    _check_level(level)
    with _connection(conn) as c:
        rows = c.execute(
            "SELECT code, name_zh, name_en, queen_island, rook_island FROM w_islands "
            "WHERE level = %s ORDER BY code",
            (level,),
        ).fetchall()
    return pd.DataFrame(rows, columns=["code", "name_zh", "name_en", "queen_island", "rook_island"])


def read_panel(
    conn: Conn,
    variables: Sequence[str],
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    years: Sequence[int] | tuple[int, int] | None = None,
    *,
    wide: bool = True,
    complete: bool = False,
) -> pd.DataFrame:
    """Read panel variables from ``observation`` at a level (view function ``observation_at``).

    A value loaded under a code of the same territory counts for the unit of the level
    (seed 002 codes Beijing's 2010 values on 110000: they are 110100's at prefecture level);
    a unit's value under its own code wins, and values never move to another territory.

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    variables : sequence of str
        Variable names (``variable.name``); unknown names raise.
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Keep units within these codes.
    years : sequence of int, optional
        Years to keep (any iterable of years; a ``range`` works). None = all.
    wide : bool
        One column per variable (``code, year, v1, v2, ...``); else long
        ``code, year, variable, value``.
    complete : bool
        Wide only: drop unit-years where any variable is missing.

    Returns
    -------
    pandas.DataFrame
        Sorted by code and year; variables in the order given.
    """
    _check_level(level)
    variables = list(variables)
    with _connection(conn) as c:
        read_variables(c, variables)  # raises on unknown names
        yrs = None if years is None else [int(y) for y in years]
        rows = c.execute(
            "SELECT o.unit_code, o.year, o.variable, o.value "
            "FROM observation_at(%s, %s) o JOIN unit_within(%s, %s) w ON w.code = o.unit_code "
            "WHERE (%s::int[] IS NULL OR o.year = ANY(%s::int[])) "
            "ORDER BY o.unit_code, o.year",
            (level, variables, _codes(within), level, yrs, yrs),
        ).fetchall()
    long = pd.DataFrame(rows, columns=["code", "year", "variable", "value"])
    long = long.astype({"year": int, "value": float})
    if not wide:
        return long
    if long.empty:
        return pd.DataFrame({"code": [], "year": [], **{v: [] for v in variables}})
    out = long.pivot(index=["code", "year"], columns="variable", values="value")
    out = out.reindex(columns=variables)
    if complete:
        out = out.dropna()
    out = out.reset_index()
    out.columns.name = None
    return out.sort_values(["code", "year"]).reset_index(drop=True)


VARIABLE_COLUMNS = [
    "name",
    "label_zh",
    "label_en",
    "unit",
    "description",
    "source",
    "is_synthetic",
    "is_derived",
]


def read_variables(conn: Conn, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Read the variable catalogue (table ``variable``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    names : sequence of str, optional
        Variables to return, in this order; a name not in the catalogue raises. None = the
        whole catalogue sorted by name.

    Returns
    -------
    pandas.DataFrame
        ``name, label_zh, label_en, unit, description, source, is_synthetic, is_derived``;
        ``is_synthetic`` marks generated data that maps and reports must label SYNTHETIC.

    Raises
    ------
    ConfigError
        When a requested name is not in the catalogue.
    """
    wanted = None if names is None else list(dict.fromkeys(str(n) for n in names))
    with _connection(conn) as c:
        rows = c.execute(
            "SELECT name, label_zh, label_en, unit, description, source, is_synthetic, "
            "is_derived FROM variable "
            "WHERE %(n)s::text[] IS NULL OR name = ANY(%(n)s::text[]) ORDER BY name",
            {"n": wanted},
        ).fetchall()
    frame = pd.DataFrame(rows, columns=VARIABLE_COLUMNS).astype(
        {"is_synthetic": bool, "is_derived": bool}
    )
    if wanted is None:
        return frame
    unknown = [v for v in wanted if v not in set(frame["name"])]
    if unknown:
        raise ConfigError(f"unknown variable(s): {', '.join(unknown)} (see the variable table)")
    return frame.set_index("name").loc[wanted].reset_index()


def read_unit_attributes(
    conn: Conn,
    schemes: str | Sequence[str],
    level: str | None = None,
    within: str | Sequence[str] | None = None,
    *,
    wide: bool = True,
) -> pd.DataFrame:
    """Read categorical unit classifications (table ``unit_attribute``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    schemes : str or sequence of str
        ``unit_attribute.scheme`` names (``region``, ``city_size``, ``resource_dependent``,
        ...). A scheme without any row is not an error: its column is all missing.
    level : {'province', 'prefecture', 'county'}, optional
        Keep units of this level set; None = any level.
    within : str or sequence of str, optional
        Keep units whose code or an ancestor code is listed.
    wide : bool
        One column per scheme (``code, <scheme>, ...``, units that have at least one of the
        schemes); else long ``code, scheme, value, source``.

    Returns
    -------
    pandas.DataFrame
        Sorted by code (and scheme, in the order given, for long rows).
    """
    schemes = [schemes] if isinstance(schemes, str) else list(dict.fromkeys(schemes))
    if level is not None:
        _check_level(level)
    with _connection(conn) as c:
        rows = c.execute(
            "SELECT a.unit_code, a.scheme, a.value, a.source FROM unit_attribute a "
            "WHERE a.scheme = ANY(%(s)s) AND (%(all)s OR a.unit_code IN "
            "(SELECT code FROM unit_within(%(w)s, %(l)s))) ORDER BY a.unit_code",
            {
                "s": schemes,
                "all": level is None and within is None,
                "w": _codes(within),
                "l": level,
            },
        ).fetchall()
    long = pd.DataFrame(rows, columns=["code", "scheme", "value", "source"])
    rank = long["scheme"].map({s: k for k, s in enumerate(schemes)})
    long = long.assign(_r=rank).sort_values(["code", "_r"]).drop(columns="_r")
    if not wide:
        return long.reset_index(drop=True)
    out = long.pivot(index="code", columns="scheme", values="value").reindex(columns=schemes)
    out = out.reset_index()
    out.columns.name = None
    return out


def read_unit_attribute(
    conn: Conn,
    scheme: str,
    level: str | None = None,
    within: str | Sequence[str] | None = None,
) -> pd.Series:
    """One classification as a Series ``code -> value`` (see :func:`read_unit_attributes`).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    scheme : str
        ``unit_attribute.scheme``.
    level : {'province', 'prefecture', 'county'}, optional
        Keep units of this level set.
    within : str or sequence of str, optional
        Keep units within these codes.

    Returns
    -------
    pandas.Series
        Named ``scheme``, indexed by unit code (sorted); empty when the scheme has no rows.
    """
    frame = read_unit_attributes(conn, [scheme], level, within)
    return frame.set_index("code")[scheme]


@dataclass(frozen=True)
class AdoptionRules:
    """Rules that turn the events of a programme into adoption (defaults: seed 004, §3).

    Adoption is taking part in an event of the programme (``adoption_first_rules``): the
    designations of a pilot programme, the adoption events of any other. Use
    :meth:`for_programme` for a programme other than the low-carbon pilots, so that seed 004's
    effective years are not applied to its batches.

    Attributes
    ----------
    programme : str
        ``policy_event.programme`` (policy family) of the events.
    effective_years : tuple of int or None
        First treated year of batch 1, 2, 3, ... (seed 004: 2011, 2013, 2017 for the notices
        of July 2010, November 2012 and January 2017); batches beyond use their event year;
        ``()`` = event years; None = the programme's own (``programme.effective_years``, event
        years when it has none).
    province_covers : bool
        A province-level participant treats all units of the level inside it (its own
        same-territory unit, e.g. 110000 -> 110100, always).
    county_pilots : bool
        A county-level participant treats its prefecture.
    kinds : tuple of str or None
        Event kinds that count; None = every kind of the programme.
    """

    programme: str = "low_carbon_pilot"
    effective_years: tuple[int, ...] | None = (2011, 2013, 2017)
    province_covers: bool = True
    county_pilots: bool = False
    kinds: tuple[str, ...] | None = None

    @classmethod
    def for_programme(cls, programme: str, **rules: object) -> AdoptionRules:
        """Rules for any programme: its own effective years (``programme`` table), else the
        event years; other rules as given (``province_covers``, ``county_pilots``, ``kinds``).

        Parameters
        ----------
        programme : str
            ``policy_event.programme``, e.g. ``jjj_policy_adoption``.
        **rules
            Other fields of :class:`AdoptionRules`.

        Returns
        -------
        AdoptionRules
        """
        rules.setdefault("effective_years", None)
        return cls(programme=programme, **rules)  # type: ignore[arg-type]


def _rule_args(
    rules: AdoptionRules | None, level: str, years: tuple[int, int] | None = None
) -> tuple:
    """Arguments of the ``*_rules`` view functions: programme, level, [years,] rules."""
    r = rules or AdoptionRules()
    span = () if years is None else (int(years[0]), int(years[1]))
    eff = None if r.effective_years is None else [int(y) for y in r.effective_years]
    kinds = None if r.kinds is None else list(r.kinds)
    return (r.programme, level, *span, eff, r.province_covers, r.county_pilots, kinds)


def read_adoption(
    conn: Conn,
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    years: tuple[int, int] = (2009, 2022),
    rules: AdoptionRules | None = None,
) -> pd.DataFrame:
    """Read the balanced treatment panel (view function ``adoption_panel_rules``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Keep units within these codes.
    years : (int, int)
        First and last year (inclusive); default seed 004's 2009-2022.
    rules : AdoptionRules, optional
        Coding rules (default: seed 004's).

    Returns
    -------
    pandas.DataFrame
        ``code, year, treated (0/1), first_year, batch, source_event, programme,
        date_precision``; never-treated units have NaN/None in ``first_year, batch,
        source_event, date_precision``. A unit whose only adoption is undated has ``treated``
        and ``first_year`` missing (``Int64`` NA): its year is unknown. Sorted by code and year.
    """
    _check_level(level)
    with _connection(conn) as c:
        rows = _rows_within(
            c,
            psycopg.sql.SQL(
                "SELECT a.unit_code, a.year, a.treated, a.first_year, a.batch, a.source_event, "
                "a.programme, a.date_precision "
                "FROM adoption_panel_rules(%s, %s, %s, %s, %s::int[], %s, %s, %s::text[]) a"
            ),
            _rule_args(rules, level, years),
            level,
            within,
        )
    cols = ["code", "year", "treated", "first_year", "batch", "source_event", "programme",
            "date_precision"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=cols)
    treated = "Int64" if frame["treated"].isna().any() else int
    return frame.astype({"year": int, "treated": treated, "first_year": "Int64", "batch": "Int64"})


def read_period_adoption(
    conn: Conn,
    programme: str,
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    *,
    scheme: str = "seed001",
    cumulative: bool = True,
    wide: bool = False,
) -> pd.DataFrame:
    """Unit x period adoption table (view function ``period_adoption``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    programme : str
        Programme of the events (e.g. ``jjj_policy_adoption`` for seed 001's Fig. 1).
    level : {'province', 'prefecture', 'county'}
        Level set; only participants of that level count.
    within : str or sequence of str, optional
        Keep units within these codes.
    scheme : str
        ``analysis_period.scheme``.
    cumulative : bool
        Adopted in or before the period (True) or within it only.
    wide : bool
        One 0/1 column per period label (seed 001's 13 x 3 layout) instead of long rows.

    Returns
    -------
    pandas.DataFrame
        Long: ``code, name_zh, period_ordinal, period, adopted, first_year, n_events,
        n_undated, programme`` (``n_undated``: the unit's undated events of the programme,
        which no period holds). Wide: ``code, name_zh`` and one 0/1 column per period.
    """
    _check_level(level)
    with _connection(conn) as c:
        rows = c.execute(
            "SELECT unit_code, name_zh, period_ordinal, period, adopted, first_year, n_events, "
            "n_undated, programme "
            "FROM period_adoption(%s, %s, %s, %s, %s) ORDER BY unit_code, period_ordinal",
            (programme, level, scheme, _codes(within), cumulative),
        ).fetchall()
    cols = ["code", "name_zh", "period_ordinal", "period", "adopted", "first_year", "n_events",
            "n_undated", "programme"]  # fmt: skip
    long = pd.DataFrame(rows, columns=cols)
    if not wide:
        return long
    order = long.drop_duplicates("period_ordinal").sort_values("period_ordinal")["period"]
    out = long.pivot(index=["code", "name_zh"], columns="period", values="adopted")
    out = out.reindex(columns=list(order)).reset_index()
    out.columns.name = None
    return out


def read_adoption_first(
    conn: Conn,
    programme: str,
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    *,
    scheme: str = "seed001",
) -> pd.DataFrame:
    """Adoption window per unit (view function ``period_adoption_first``; seed 001 Fig. 1).

    The first period of ``scheme`` in which :func:`read_period_adoption` (cumulative) marks the
    unit adopted: only the unit's own events count, as in ``period_adoption``.

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    programme : str
        Programme of the events (``jjj_policy_adoption`` for seed 001's Fig. 1).
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Keep units within these codes.
    scheme : str
        ``analysis_period.scheme``.

    Returns
    -------
    pandas.DataFrame
        ``code, name_zh, period_ordinal, period, first_year`` (adopters only, sorted by code;
        ``first_year`` = year of the unit's first event of the programme).
    """
    _check_level(level)
    with _connection(conn) as c:
        rows = c.execute(
            "SELECT unit_code, name_zh, period_ordinal, period, first_year "
            "FROM period_adoption_first(%s, %s, %s, %s) ORDER BY unit_code",
            (programme, level, scheme, _codes(within)),
        ).fetchall()
    out = pd.DataFrame(rows, columns=["code", "name_zh", "period_ordinal", "period", "first_year"])
    return out.astype({"period_ordinal": int, "first_year": int})


def _lines(rows: list[tuple], cols: list[str]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame([r[:-1] for r in rows], columns=cols)
    import geopandas as gpd
    import shapely

    geoms = shapely.from_wkb([bytes(r[-1]) for r in rows]) if rows else []
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=4326)


#: Columns of ``coordination_link_at`` (geometry apart), in order.
LINK_COLUMNS = [
    "event_id",
    "event_year",
    "kind",
    "programme",
    "directed",
    "from_code",
    "to_code",
    "from_name",
    "to_name",
    "event_date",
    "date_precision",
    "title_zh",
    "title_en",
]
_SUMMARY_COLUMNS = ["code_a", "code_b", "name_a", "name_b", "n_events", "n_directed",
                    "first_year", "last_year", "kinds", "n_undated", "programmes"]  # fmt: skip
_KIND_COLUMNS = ["code_a", "code_b", "name_a", "name_b", "kind", "n_events", "n_directed",
                 "first_year", "last_year", "n_undated", "programmes"]  # fmt: skip
#: dtypes of the per-pair link readers (years of the dated events: NA when all are undated).
_PAIR_DTYPES = {"n_events": int, "n_directed": int, "first_year": "Int64", "last_year": "Int64",
                "n_undated": int}  # fmt: skip
_NODE_COLUMNS = ["code", "name_zh", "name_en", "n_links", "n_events", "n_partners",
                 "first_year", "last_year", "n_undated", "programmes"]  # fmt: skip


def _link_filters(
    level: str | None, within: str | Sequence[str] | None, programme: str | None
) -> dict[str, object]:
    """Named arguments shared by the ``coordination_link_*_at`` view functions."""
    if level is not None:
        _check_level(level)
    return {"l": level, "p": programme, "w": _codes(within)}


def _link_rows(
    c: psycopg.Connection,
    function: str,
    columns: Sequence[str],
    args: dict[str, object],
    order: Sequence[str],
    *,
    geometry: bool = True,
) -> list[tuple]:
    """Rows of a ``coordination_link_*_at`` view function called with the shared filters by
    name (plus ``p_scheme`` when ``args`` has ``s``); the line as WKB last when ``geometry``."""
    ident = psycopg.sql.Identifier
    select = [ident(col) for col in columns]
    if geometry:
        select.append(psycopg.sql.SQL("ST_AsBinary(geom)"))
    scheme = psycopg.sql.SQL(", p_scheme => %(s)s::text" if "s" in args else "")
    query = psycopg.sql.SQL(
        "SELECT {} FROM {}(p_level => %(l)s::text, p_programme => %(p)s::text, "
        "p_within => %(w)s::text[]{}) ORDER BY {}"
    ).format(
        psycopg.sql.SQL(", ").join(select),
        ident(function),
        scheme,
        psycopg.sql.SQL(", ").join(ident(col) for col in order),
    )
    return c.execute(query, args).fetchall()


def read_links(
    conn: Conn,
    level: str | None = None,
    within: str | Sequence[str] | None = None,
    *,
    programme: str | None = None,
    summary: bool = False,
    scheme: str | None = None,
) -> gpd.GeoDataFrame:
    """Coordination links (``coordination_link_at``) or their per-pair summary.

    The link rule (which events and roles make a link, how participants roll up) lives in the
    view functions of ``sql/views/23_links.sql`` only; this reader filters nothing itself.

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : {'province', 'prefecture', 'county'}, optional
        Roll participants up to this level (counties -> their prefecture); None = as encoded.
    within : str or sequence of str, optional
        Keep links whose two ends are both within these codes.
    programme : str, optional
        Only events of this programme.
    summary : bool
        One row per unordered pair (``coordination_link_summary_at``: events, directed events,
        first/last year, kinds).
    scheme : str, optional
        With link rows: add the ``analysis_period`` of this scheme holding each link's year
        (``coordination_link_in_period_at``: ``period_ordinal, period``; ``period`` is
        ``undated`` for undated events, NULL outside every period).

    Returns
    -------
    geopandas.GeoDataFrame
        Links: :data:`LINK_COLUMNS` (``event_id, event_year, kind, programme, directed,
        from_code, to_code, from_name, to_name, event_date, date_precision, title_zh,
        title_en``, plus ``period_ordinal, period`` with ``scheme``), ordered by year (undated
        last), event and ends; ``event_year`` is ``Int64``, NA for undated events. Summary:
        ``code_a, code_b, name_a, name_b, n_events, n_directed, first_year, last_year, kinds,
        n_undated, programmes`` ordered by the pair (years of the dated events, NA when all
        are undated); line geometry in EPSG:4326.
    """
    args = _link_filters(level, within, programme)
    function, cols = "coordination_link_at", LINK_COLUMNS
    order = ["event_year", "event_id", "from_code", "to_code"]
    if summary:
        function, cols = "coordination_link_summary_at", _SUMMARY_COLUMNS
        order = ["code_a", "code_b"]
    elif scheme is not None:
        function = "coordination_link_in_period_at"
        cols = [*LINK_COLUMNS, "period_ordinal", "period"]
        args["s"] = scheme
    with _connection(conn) as c:
        rows = _link_rows(c, function, cols, args, order)
    out = _lines(rows, cols)
    if summary:
        return out.astype(_PAIR_DTYPES)
    out = out.astype({"event_year": "Int64", "directed": bool})
    if scheme is not None:
        out["period_ordinal"] = out["period_ordinal"].astype("Int64")
    return out


def read_link_kinds(
    conn: Conn,
    level: str | None = None,
    within: str | Sequence[str] | None = None,
    *,
    programme: str | None = None,
) -> gpd.GeoDataFrame:
    """Links per unordered pair and event kind (``coordination_link_kind_at``): the map layer.

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : {'province', 'prefecture', 'county'}, optional
        Roll participants up to this level; None = as encoded.
    within : str or sequence of str, optional
        Keep links whose two ends are both within these codes.
    programme : str, optional
        Only events of this programme.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code_a, code_b, name_a, name_b, kind, n_events, n_directed, first_year, last_year,
        n_undated, programmes`` and a line (EPSG:4326), ordered by pair and kind; the years are
        those of the dated events (``Int64``, NA when all are undated).
    """
    args = _link_filters(level, within, programme)
    with _connection(conn) as c:
        rows = _link_rows(
            c, "coordination_link_kind_at", _KIND_COLUMNS, args, ["code_a", "code_b", "kind"]
        )
    out = _lines(rows, _KIND_COLUMNS)
    return out.astype(_PAIR_DTYPES)


def read_link_nodes(
    conn: Conn,
    level: str | None = None,
    within: str | Sequence[str] | None = None,
    *,
    programme: str | None = None,
) -> pd.DataFrame:
    """Linked units with their links, partners and first link year (``coordination_link_node_at``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : {'province', 'prefecture', 'county'}, optional
        Roll participants up to this level; None = as encoded.
    within : str or sequence of str, optional
        Count only links whose two ends are both within these codes.
    programme : str, optional
        Only events of this programme.

    Returns
    -------
    pandas.DataFrame
        ``code, name_zh, name_en, n_links`` (link rows: strength), ``n_events, n_partners``
        (degree), ``first_year, last_year`` (dated links; ``Int64``, NA when all are
        undated), ``n_undated, programmes``; units with at least one link, sorted by code.
    """
    args = _link_filters(level, within, programme)
    with _connection(conn) as c:
        rows = _link_rows(
            c, "coordination_link_node_at", _NODE_COLUMNS, args, ["code"], geometry=False
        )
    out = pd.DataFrame(rows, columns=_NODE_COLUMNS)
    ints = ["n_links", "n_events", "n_partners", "n_undated"]
    return out.astype({**dict.fromkeys(ints, int), "first_year": "Int64", "last_year": "Int64"})


def read_neighbor_adoption(
    conn: Conn,
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    years: tuple[int, int] = (2009, 2022),
    rules: AdoptionRules | None = None,
) -> pd.DataFrame:
    """Share of queen neighbours already treated per unit and year (``neighbor_adoption_rules``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Keep rows of units within these codes (neighbours outside still count: the share is
        a property of the national map).
    years : (int, int)
        First and last year.
    rules : AdoptionRules, optional
        Adoption rules (default seed 004's).

    Returns
    -------
    pandas.DataFrame
        ``code, year, treated, n_neighbors, n_treated_neighbors, share, first_neighbor_year,
        programme``; ``share`` = (W_rs D)_it with W queen contiguity, NaN for islands. Any
        programme: ``rules=AdoptionRules.for_programme("jjj_policy_adoption")``.
    """
    _check_level(level)
    with _connection(conn) as c:
        rows = _rows_within(
            c,
            psycopg.sql.SQL(
                "SELECT a.* FROM neighbor_adoption_rules("
                "%s, %s, %s, %s, %s::int[], %s, %s, %s::text[]) a"
            ),
            _rule_args(rules, level, years),
            level,
            within,
        )
    cols = ["code", "year", "treated", "n_neighbors", "n_treated_neighbors", "share",
            "first_neighbor_year", "programme"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=cols)
    return frame.astype({"share": float, "first_neighbor_year": "Int64"})


def read_diffusion_edges(
    conn: Conn,
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    rules: AdoptionRules | None = None,
) -> gpd.GeoDataFrame:
    """Directed diffusion edges i -> j (``diffusion_edge_rules``): j adopted after i.

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Keep edges with both ends within these codes.
    rules : AdoptionRules, optional
        Adoption rules (default seed 004's).

    Returns
    -------
    geopandas.GeoDataFrame
        ``from_code, to_code, from_year, to_year, lag_years, via, programme`` and a line
        (EPSG:4326). Any programme: ``rules=AdoptionRules.for_programme(name)``; units whose
        adoption is undated are in no edge.
    """
    _check_level(level)
    with _connection(conn) as c:
        rows = c.execute(
            "WITH s AS (SELECT code FROM unit_within(%s, %s)) "
            "SELECT e.from_code, e.to_code, e.from_year, e.to_year, e.lag_years, e.via, "
            "e.programme, ST_AsBinary(e.geom) "
            "FROM diffusion_edge_rules(%s, %s, %s::int[], %s, %s, %s::text[]) e "
            "WHERE e.from_code IN (SELECT code FROM s) AND e.to_code IN (SELECT code FROM s) "
            "ORDER BY 1, 2",
            (_codes(within), level, *_rule_args(rules, level)),
        ).fetchall()
    return _lines(
        rows, ["from_code", "to_code", "from_year", "to_year", "lag_years", "via", "programme"]
    )


def read_distance_rings(
    conn: Conn,
    core: str | Sequence[str],
    level: str = "prefecture",
    *,
    expansion_m: float = 100_000.0,
    radiation_m: float | None = None,
    within: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Core / expansion / radiation rings around a core (``distance_rings``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    core : str or sequence of str
        Codes of the core (their units of the level, or the units themselves).
    level : {'province', 'prefecture', 'county'}
        Level set.
    expansion_m : float
        Units within this polygon distance (metres, China Albers) of the core are ``expansion``.
    radiation_m : float, optional
        Units within this distance are ``radiation``; beyond, ``outside``. None = no limit.
    within : str or sequence of str, optional
        Keep rows of units within these codes.

    Returns
    -------
    pandas.DataFrame
        ``code, name_zh, distance_m, ring`` sorted by code.
    """
    _check_level(level)
    with _connection(conn) as c:
        rows = c.execute(
            "SELECT r.unit_code, r.name_zh, r.distance_m, r.ring "
            "FROM distance_rings(%s, %s, %s, %s, %s) r ORDER BY 1",
            (_codes(core), level, expansion_m, radiation_m, _codes(within)),
        ).fetchall()
    return pd.DataFrame(rows, columns=["code", "name_zh", "distance_m", "ring"])


def read_spatial_lag(
    conn: Conn,
    variable: str,
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    *,
    kind: str = "queen",
) -> pd.DataFrame:
    """``W * y`` of one panel variable per unit and year (``spatial_lag``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    variable : str
        Observation variable name.
    level : {'province', 'prefecture', 'county'}
        Level set (neighbours over the whole level).
    within : str or sequence of str, optional
        Keep rows of units within these codes.
    kind : {'queen', 'rook'}
        Contiguity.

    Returns
    -------
    pandas.DataFrame
        ``code, year, value, lag, n_neighbors, n_observed``; ``lag`` is the mean of the
        neighbours observed that year (row-standardised W over observed neighbours).
    """
    _check_level(level)
    if kind not in ("queen", "rook"):
        raise ConfigError("spatial lag kind must be queen or rook")
    with _connection(conn) as c:
        rows = _rows_within(
            c,
            psycopg.sql.SQL("SELECT a.* FROM spatial_lag(%s, %s, %s) a"),
            (variable, level, kind),
            level,
            within,
        )
    frame = pd.DataFrame(
        rows, columns=["code", "year", "value", "lag", "n_neighbors", "n_observed"]
    )
    return frame.astype({"value": float, "lag": float})
