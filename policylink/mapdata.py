"""Map layers read from the database: units with geometry, pilot batches, links, periods.

Geometries come from ``admin_unit`` (EPSG:4326); pilot batches and coordination links from
``policy_event`` / ``event_participant``; values from ``observation`` / ``variable``. Where
the SQL views of the views area exist (``coordination_link_summary``), they are used.
Every reader returns plain (Geo)DataFrames for :mod:`policylink.maps`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import psycopg
import shapely

#: Periods of seed 001 Fig. 1 (first JJJ regional meeting 2008; the "seven requirements" of
#: February 2014; the paper's window ends in 2016) as (label, last year inclusive). The same
#: scheme is stored in the ``analysis_period`` table (scheme ``seed001``), which wins when present.
SEED001_PERIODS: tuple[tuple[str, int | None], ...] = (
    ("before 2008", 2007),
    ("2008-2013", 2013),
    ("2014-2016", 2016),
    ("after 2016", None),
)


#: Adoption windows of seed 001 Fig. 1, by ``batch`` of programme ``jjj_policy_adoption``.
ADOPTION_WINDOWS: dict[str, dict[int, str]] = {
    "zh": {1: "2008年之前", 2: "2008—2014年", 3: "2014—2016年"},
    "en": {1: "before 2008", 2: "2008-2014", 3: "2014-2016"},
}


def read_adoption_windows(
    conn: psycopg.Connection,
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    lang: str = "en",
    programme: str = "jjj_policy_adoption",
) -> pd.DataFrame:
    """Window in which each unit first adopted a policy (seed 001 Fig. 1 facts).

    Seed 001 reports adoption per window (before 2008, 2008-2014, 2014-2016), separately for
    prefecture-level cities and for counties, so units are matched at their own level (a
    district's policy does not make its prefecture an adopter). The events of programme
    ``jjj_policy_adoption`` carry the window as ``batch`` (1, 2, 3); the earliest wins.

    Returns
    -------
    DataFrame
        ``code, batch, period`` (period label in ``lang``).
    """
    sql = """
        SELECT p.unit_code, min(e.batch)
        FROM policy_event e
        JOIN event_participant p ON p.event_id = e.id
        JOIN admin_unit u ON u.code = p.unit_code
        WHERE e.programme = %(prog)s AND e.batch IS NOT NULL
          AND (u.level = %(level)s OR (%(level)s = 'county' AND u.also_county))
        GROUP BY p.unit_code
    """
    rows = conn.execute(sql, {"prog": programme, "level": level}).fetchall()
    df = pd.DataFrame(rows, columns=["code", "batch"])
    if within is not None and not df.empty:
        keep = set(read_units(conn, level, within)["code"])
        df = df[df["code"].isin(keep)]
    labels = ADOPTION_WINDOWS[lang]
    df["period"] = df["batch"].map(lambda b: labels.get(int(b), str(b)))
    return df.sort_values("code").reset_index(drop=True)


def read_periods(
    conn: psycopg.Connection, scheme: str = "seed001"
) -> tuple[tuple[str, int | None], ...]:
    """Period scheme as (label, last year inclusive) from ``analysis_period`` (or the default).

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    scheme : str
        Scheme name.

    Returns
    -------
    tuple of (str, int or None)
    """
    exists = conn.execute("SELECT to_regclass('analysis_period') IS NOT NULL").fetchone()[0]
    if exists:
        rows = conn.execute(
            "SELECT label, last_year FROM analysis_period WHERE scheme = %s ORDER BY ordinal",
            (scheme,),
        ).fetchall()
        if rows:
            return tuple((r[0], r[1]) for r in rows)
    return SEED001_PERIODS


_UNITS_SQL = """
WITH RECURSIVE sel AS (
    SELECT code FROM admin_unit WHERE %(within)s::text[] IS NULL OR code = ANY(%(within)s::text[])
    UNION
    SELECT a.code FROM admin_unit a JOIN sel ON a.parent_code = sel.code
    WHERE %(within)s::text[] IS NOT NULL
)
SELECT a.code, a.name_zh, a.name_en, a.level, a.parent_code, a.source,
       ST_AsBinary(CASE WHEN %(tol)s > 0
                        THEN ST_SimplifyPreserveTopology(a.geom, %(tol)s) ELSE a.geom END) AS wkb
FROM admin_unit a JOIN sel USING (code)
WHERE a.level = %(level)s OR (%(level)s = 'county' AND a.also_county)
ORDER BY a.code
"""


def parse_codes(within: str | Sequence[str] | None) -> list[str] | None:
    """Split ``--within`` (``"110000,120000"``) into a list of codes (None = everything)."""
    if within is None:
        return None
    if isinstance(within, str):
        items = [c.strip() for c in within.split(",") if c.strip()]
    else:
        items = [str(c).strip() for c in within]
    return items or None


def read_units(
    conn: psycopg.Connection,
    level: str,
    within: str | Sequence[str] | None = None,
    simplify: float = 0.0,
) -> gpd.GeoDataFrame:
    """Read administrative units with geometry.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    level : {'province', 'prefecture', 'county'}
        Unit level.
    within : str or sequence of str, optional
        Codes; keeps units whose code or any ancestor code is listed (CONTRACTS ``--within``).
    simplify : float
        Douglas-Peucker tolerance in degrees (``ST_SimplifyPreserveTopology``); 0 = exact.

    Returns
    -------
    GeoDataFrame
        ``code, name_zh, name_en, level, parent_code, source, geometry`` in EPSG:4326.
    """
    codes = parse_codes(within)
    rows = conn.execute(_UNITS_SQL, {"within": codes, "level": level, "tol": simplify}).fetchall()
    cols = ["code", "name_zh", "name_en", "level", "parent_code", "source"]
    df = pd.DataFrame([r[:-1] for r in rows], columns=cols)
    geoms = shapely.from_wkb([bytes(r[-1]) for r in rows]) if rows else []
    return gpd.GeoDataFrame(df, geometry=list(geoms), crs=4326)


def read_pilots(conn: psycopg.Connection, programme: str = "low_carbon_pilot") -> pd.DataFrame:
    """Pilot batches per prefecture from the designation events of a programme.

    A designated prefecture is a ``city`` pilot; a designated province covers all its
    prefectures (``scope = 'province'``); county-level pilots roll up to nothing (seed 004
    rule: county pilots are not prefecture pilots). A unit keeps its earliest batch.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    programme : str
        ``policy_event.programme`` value.

    Returns
    -------
    DataFrame
        ``code, batch, scope, event_date, event_id`` (one row per prefecture).
    """
    sql = """
        SELECT u.code, e.batch, 'city' AS scope, e.event_date, e.id
        FROM policy_event e
        JOIN event_participant p ON p.event_id = e.id
        JOIN admin_unit u ON u.code = p.unit_code AND u.level = 'prefecture'
        WHERE e.programme = %(prog)s AND e.kind = 'pilot_designation' AND e.batch IS NOT NULL
        UNION ALL
        SELECT c.code, e.batch, 'province', e.event_date, e.id
        FROM policy_event e
        JOIN event_participant p ON p.event_id = e.id
        JOIN admin_unit pr ON pr.code = p.unit_code AND pr.level = 'province'
        JOIN admin_unit c ON c.parent_code = pr.code AND c.level = 'prefecture'
        WHERE e.programme = %(prog)s AND e.kind = 'pilot_designation' AND e.batch IS NOT NULL
    """
    rows = conn.execute(sql, {"prog": programme}).fetchall()
    df = pd.DataFrame(rows, columns=["code", "batch", "scope", "event_date", "event_id"])
    if df.empty:
        return df
    df["batch"] = df["batch"].astype(int)
    # Earliest batch wins; within a batch a city designation is shown over province coverage.
    df = df.sort_values(["code", "batch", "scope"]).drop_duplicates("code", keep="first")
    return df.reset_index(drop=True)


@dataclass(frozen=True)
class LinkRows:
    """Coordination links at one level: per event and pair, and per pair and kind (with lines)."""

    events: pd.DataFrame
    pairs: gpd.GeoDataFrame


def read_links(
    conn: psycopg.Connection,
    programme: str = "jjj_coordination",
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
) -> LinkRows:
    """Coordination links between units, rolled up to ``level``.

    One link per event and unordered pair of distinct participating units (after rolling
    counties up to their prefecture); a transfer event (``sender`` -> ``receiver``) links its
    senders to its receivers only. Lines join the units' representative points.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    programme : str
        ``policy_event.programme`` of the coordination events.
    level : {'prefecture', 'county'}
        Level the participants are rolled up to (counties -> prefecture).
    within : str or sequence, optional
        Keep links whose both ends are inside these codes.

    Returns
    -------
    LinkRows
        ``events``: ``event_id, year, kind, a, b``; ``pairs``: ``a, b, name_a, name_b,
        kind, n_events, first_year, last_year, geometry``.
    """
    sql = """
        WITH part AS (
            SELECT p.event_id, p.role,
                   CASE WHEN u.level = 'county' AND %(level)s = 'prefecture' THEN u.parent_code
                        ELSE u.code END AS code
            FROM event_participant p JOIN admin_unit u ON u.code = p.unit_code
            WHERE u.level <> 'province'
        ), ev AS (
            SELECT id, extract(year FROM event_date)::int AS year, kind
            FROM policy_event WHERE programme = %(prog)s
        )
        SELECT DISTINCT ev.id, ev.year, ev.kind, LEAST(x.code, y.code), GREATEST(x.code, y.code)
        FROM ev
        JOIN part x ON x.event_id = ev.id
        JOIN part y ON y.event_id = ev.id AND x.code < y.code
        WHERE (x.role IN ('party', 'issuer') AND y.role IN ('party', 'issuer'))
           OR (x.role = 'sender' AND y.role = 'receiver')
           OR (x.role = 'receiver' AND y.role = 'sender')
    """
    rows = conn.execute(sql, {"prog": programme, "level": level}).fetchall()
    events = pd.DataFrame(rows, columns=["event_id", "year", "kind", "a", "b"])
    units = read_units(conn, level, within)
    keep = set(units["code"])
    events = events[events["a"].isin(keep) & events["b"].isin(keep)].reset_index(drop=True)
    if events.empty:
        empty = gpd.GeoDataFrame(
            columns=["a", "b", "name_a", "name_b", "kind", "n_events", "first_year", "last_year"],
            geometry=[],
            crs=4326,
        )
        return LinkRows(events, empty)
    pairs = (
        events.groupby(["a", "b", "kind"])
        .agg(
            n_events=("event_id", "nunique"), first_year=("year", "min"), last_year=("year", "max")
        )
        .reset_index()
    )
    pts = units.set_index("code").geometry.representative_point()
    names = units.set_index("code")
    pairs["name_a"] = pairs["a"].map(names["name_zh"])
    pairs["name_b"] = pairs["b"].map(names["name_zh"])
    geoms = [
        shapely.LineString([pts[a], pts[b]]) for a, b in zip(pairs["a"], pairs["b"], strict=True)
    ]
    return LinkRows(events, gpd.GeoDataFrame(pairs, geometry=geoms, crs=4326))


def period_of(year: int, periods: Sequence[tuple[str, int | None]] = SEED001_PERIODS) -> str:
    """Return the label of the period containing ``year`` (last years are inclusive)."""
    for label, last in periods:
        if last is None or year <= last:
            return label
    raise ValueError(f"year {year} is after the last period")  # pragma: no cover


def read_first_policy_period(
    conn: psycopg.Connection,
    programme: str = "jjj_coordination",
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    periods: Sequence[tuple[str, int | None]] | None = None,
) -> pd.DataFrame:
    """Period in which each unit first took part in an event of ``programme``.

    Counties roll up to their prefecture when ``level='prefecture'`` (seed 001 counts a
    prefecture as active when it or its districts issued a policy).

    Returns
    -------
    DataFrame
        ``code, first_year, period``.
    """
    sql = """
        SELECT CASE WHEN u.level = 'county' AND %(level)s = 'prefecture' THEN u.parent_code
                    ELSE u.code END AS code,
               min(extract(year FROM e.event_date))::int AS first_year
        FROM policy_event e
        JOIN event_participant p ON p.event_id = e.id
        JOIN admin_unit u ON u.code = p.unit_code
        WHERE e.programme = %(prog)s AND u.level <> 'province'
        GROUP BY 1
    """
    rows = conn.execute(sql, {"prog": programme, "level": level}).fetchall()
    df = pd.DataFrame(rows, columns=["code", "first_year"])
    if within is not None:
        keep = set(read_units(conn, level, within)["code"])
        df = df[df["code"].isin(keep)]
    df = df.groupby("code", as_index=False)["first_year"].min()
    periods = periods or read_periods(conn)
    df["period"] = [period_of(int(y), periods) for y in df["first_year"]]
    return df.reset_index(drop=True)


def read_values(
    conn: psycopg.Connection, variable: str, year: int
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Values of one panel variable in one year, and its catalogue entry.

    Returns
    -------
    (DataFrame, dict)
        ``code, value`` and ``{label_zh, label_en, unit, source, is_synthetic}``.

    Raises
    ------
    ConfigError
        If the variable is not in the catalogue.
    """
    from policylink.errors import ConfigError

    meta = conn.execute(
        "SELECT label_zh, label_en, unit, source, is_synthetic FROM variable WHERE name = %s",
        (variable,),
    ).fetchone()
    if meta is None:
        known = [r[0] for r in conn.execute("SELECT name FROM variable ORDER BY name")]
        raise ConfigError(
            f"unknown variable {variable!r}; known: {', '.join(known) or '(none loaded)'}"
        )
    rows = conn.execute(
        "SELECT unit_code, value FROM observation WHERE variable = %s AND year = %s",
        (variable, year),
    ).fetchall()
    info = dict(zip(["label_zh", "label_en", "unit", "source", "is_synthetic"], meta, strict=True))
    return pd.DataFrame(rows, columns=["code", "value"]), info
