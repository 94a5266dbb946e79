"""Map layers read from the database: units with geometry, pilot batches, links, periods.

Geometries come from ``admin_unit`` (EPSG:4326, units selected with ``unit_within``); pilot
batches and coordination links from ``policy_event`` / ``event_participant``; values from
``observation``, labels from the variable catalogue (:func:`policylink.dbread.read_variables`).
Periods and per-unit adoption windows are the database's (``analysis_period`` and the
``period_adoption`` view function, through :mod:`policylink.dbread`), never re-implemented here.
Every reader returns plain (Geo)DataFrames for :mod:`policylink.maps`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import psycopg
import shapely

from policylink import dbread
from policylink.errors import ConfigError

#: Chinese labels of the ``analysis_period`` labels (the table stores English labels only);
#: seed 001 section 1 writes the windows as "2008年之前、2008—2014年、2014—2016年".
PERIOD_LABELS_ZH: dict[str, str] = {
    "before 2008": "2008年之前",
    "2008-2014": "2008—2014年",
    "2014-2016": "2014—2016年",
    "after 2016": "2016年之后",
}


def period_label(label: str, lang: str = "en") -> str:
    """Label of an ``analysis_period`` row in ``lang`` (``en`` as stored, ``zh`` translated).

    Parameters
    ----------
    label : str
        ``analysis_period.label``.
    lang : {'en', 'zh'}
        Language.

    Returns
    -------
    str
        The translation, or ``label`` itself when there is none.
    """
    return PERIOD_LABELS_ZH.get(label, label) if lang == "zh" else label


def _period_rows(conn: psycopg.Connection, scheme: str) -> list[tuple[int, str, int | None]]:
    """``(ordinal, label, last_year)`` of a scheme of ``analysis_period``; unknown scheme raises."""
    rows = conn.execute(
        "SELECT ordinal, label, last_year FROM analysis_period WHERE scheme = %s ORDER BY ordinal",
        (scheme,),
    ).fetchall()
    if not rows:
        raise ConfigError(f"no period scheme {scheme!r} in analysis_period")
    return [(int(o), str(lab), last) for o, lab, last in rows]


def read_periods(
    conn: psycopg.Connection, scheme: str = "seed001"
) -> tuple[tuple[str, int | None], ...]:
    """Period scheme as (label, last year inclusive) from the ``analysis_period`` table.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    scheme : str
        Scheme name (``seed001``: before 2008 / 2008-2014 / 2014-2016 / after 2016, seed 001
        section 1 and 2.3; see ``sql/migrations/0020_views_support.sql``).

    Returns
    -------
    tuple of (str, int or None)
        In period order; ``None`` = open-ended.

    Raises
    ------
    ConfigError
        When the scheme has no rows.
    """
    return tuple((label, last) for _, label, last in _period_rows(conn, scheme))


def adoption_windows(
    conn: psycopg.Connection, lang: str = "en", scheme: str = "seed001"
) -> dict[int, str]:
    """The adoption windows of a period scheme: ordinal -> label, closed periods only.

    Seed 001 Fig. 1 has three windows (before 2008, 2008-2014, 2014-2016); the scheme's
    open-ended last period (after 2016) lies outside the paper and is not a window.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    lang : {'en', 'zh'}
        Label language (see :func:`period_label`).
    scheme : str
        ``analysis_period.scheme``.

    Returns
    -------
    dict of int to str
        ``analysis_period.ordinal`` -> label, in period order.
    """
    return {
        o: period_label(label, lang)
        for o, label, last in _period_rows(conn, scheme)
        if last is not None
    }


def read_adoption_windows(
    conn: psycopg.Connection,
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    lang: str = "en",
    programme: str = "jjj_policy_adoption",
    scheme: str = "seed001",
) -> pd.DataFrame:
    """Period in which each unit first adopted a policy (seed 001 Fig. 1).

    The one reader of "adoption window per unit": the first period of the database's
    ``period_adoption`` view function (``analysis_period`` scheme, cumulative) in which the unit
    is adopted. Seed 001 reports adoption per window separately for prefecture-level cities and
    for counties, so a unit counts only through events it takes part in itself (a district's
    policy does not make its prefecture an adopter): at prefecture level the bundled data give
    3 / 2 / 8 cities (Beijing, Tianjin, Tangshan / Chengde, Baoding / the other eight).

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Keep units whose code or an ancestor code is listed.
    lang : {'en', 'zh'}
        Language of ``period``.
    programme : str
        ``policy_event.programme`` of the adoption events.
    scheme : str
        ``analysis_period.scheme``.

    Returns
    -------
    DataFrame
        ``code, batch, first_year, period``, adopters only, sorted by code: ``batch`` is the
        period's ordinal (the key of :func:`adoption_windows`), ``first_year`` the year of the
        unit's earliest event, ``period`` the label in ``lang``.
    """
    long = dbread.read_period_adoption(
        conn, programme, level, parse_codes(within), scheme=scheme, cumulative=True
    )
    first = long[long["adopted"] == 1].sort_values(["code", "period_ordinal"])
    first = first.drop_duplicates("code").reset_index(drop=True)
    return pd.DataFrame(
        {
            "code": first["code"],
            "batch": first["period_ordinal"].astype(int),
            "first_year": first["first_year"].astype(int),
            "period": [period_label(p, lang) for p in first["period"]],
        }
    )


_UNITS_SQL = """
SELECT a.code, a.name_zh, a.name_en, a.level, a.parent_code, a.source,
       ST_AsBinary(CASE WHEN %(tol)s > 0
                        THEN ST_SimplifyPreserveTopology(a.geom, %(tol)s) ELSE a.geom END) AS wkb
FROM unit_within(%(within)s::text[], %(level)s) w JOIN admin_unit a ON a.code = w.code
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


def period_of(year: int, periods: Sequence[tuple[str, int | None]]) -> str:
    """Label of the period containing ``year``.

    Parameters
    ----------
    year : int
        Calendar year.
    periods : sequence of (str, int or None)
        ``(label, last year inclusive)`` in order, as from :func:`read_periods`; None =
        open-ended.

    Returns
    -------
    str
    """
    for label, last in periods:
        if last is None or year <= last:
            return label
    raise ValueError(f"year {year} is after the last period")  # pragma: no cover


def read_first_event_year(
    conn: psycopg.Connection,
    programme: str = "jjj_coordination",
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Year in which each unit first took part in an event of ``programme``.

    Not the seed 001 adoption window (see :func:`read_adoption_windows`): this is the first
    inter-city event a unit joined, and at prefecture level a county's participation counts for
    its prefecture (as the coordination links of :func:`read_links` roll counties up).

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    programme : str
        ``policy_event.programme``.
    level : {'prefecture', 'county'}
        Level the participants are counted at (counties roll up at prefecture level).
    within : str or sequence of str, optional
        Keep units within these codes.

    Returns
    -------
    DataFrame
        ``code, first_year`` sorted by code.
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
        df = df[df["code"].isin(set(read_units(conn, level, within)["code"]))]
    return df.sort_values("code").reset_index(drop=True)


def read_first_policy_period(
    conn: psycopg.Connection,
    programme: str = "jjj_policy_adoption",
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    scheme: str = "seed001",
) -> pd.DataFrame:
    """Deprecated alias of :func:`read_adoption_windows`: ``code, first_year, period``.

    It used to roll county events up to their prefecture, which put Zhangjiakou in 2008-2014
    through two of its counties although seed 001 names only Chengde and Baoding at
    prefecture scale; it now returns the same windows as :func:`read_adoption_windows`.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    programme : str
        ``policy_event.programme``.
    level : {'province', 'prefecture', 'county'}
        Level set.
    within : str or sequence of str, optional
        Keep units within these codes.
    scheme : str
        ``analysis_period.scheme``.

    Returns
    -------
    DataFrame
        ``code, first_year, period`` (English period labels).
    """
    windows = read_adoption_windows(conn, level, within, "en", programme, scheme)
    return windows[["code", "first_year", "period"]]


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
    catalogue = dbread.read_variables(conn).set_index("name")
    if variable not in catalogue.index:
        raise ConfigError(
            f"unknown variable {variable!r}; known: {', '.join(catalogue.index) or '(none loaded)'}"
        )
    meta = catalogue.loc[variable]
    rows = conn.execute(
        "SELECT unit_code, value FROM observation WHERE variable = %s AND year = %s",
        (variable, year),
    ).fetchall()
    keys = ["label_zh", "label_en", "unit", "source", "is_synthetic"]
    info = {k: meta[k] for k in keys}
    info["is_synthetic"] = bool(info["is_synthetic"])
    return pd.DataFrame(rows, columns=["code", "value"]), info
