"""Map layers read from the database: units with geometry, pilot batches, links, periods.

Geometries come from ``admin_unit`` (EPSG:4326, units selected with ``unit_within``); pilot
batches from ``policy_event`` / ``event_participant``; values from ``observation``, labels from
the variable catalogue (:func:`policylink.dbread.read_variables`). Coordination links, their
periods and first-link years, and per-unit adoption windows are the database's (the
``coordination_link_*`` and ``period_adoption*`` view functions and ``analysis_period``, read
through :mod:`policylink.dbread`), never re-implemented here; so are the level rule that puts
a value coded on a municipality's province code on its prefecture (``observation_at``) and the
period ``undated`` of events without a date. Every reader returns plain
(Geo)DataFrames for :mod:`policylink.maps`.
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

#: Period label the link and adoption views give undated events (they are in no period).
UNDATED = "undated"

#: Chinese labels of the ``analysis_period`` labels (the table stores English labels only);
#: seed 001 section 1 writes the windows as "2008年之前、2008—2014年、2014—2016年".
PERIOD_LABELS_ZH: dict[str, str] = {
    "before 2008": "2008年之前",
    "2008-2014": "2008—2014年",
    "2014-2016": "2014—2016年",
    "after 2016": "2016年之后",
    UNDATED: "日期不详",
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
    conn: psycopg.Connection, scheme: str = "seed001", *, undated: bool = True
) -> tuple[tuple[str, int | None], ...]:
    """Period scheme as (label, last year inclusive) from the ``analysis_period`` table.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    scheme : str
        Scheme name (``seed001``: before 2008 / 2008-2014 / 2014-2016 / after 2016, seed 001
        section 1 and 2.3; see ``sql/migrations/0020_views_support.sql``).
    undated : bool
        End with ``(UNDATED, None)``: the column of the undated events, which the views count
        apart and place in no period (so that tables by period keep them).

    Returns
    -------
    tuple of (str, int or None)
        In period order; ``None`` = open-ended (and for ``undated``).

    Raises
    ------
    ConfigError
        When the scheme has no rows.
    """
    rows = tuple((label, last) for _, label, last in _period_rows(conn, scheme))
    return (*rows, (UNDATED, None)) if undated else rows


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

    The one reader of "adoption window per unit": the database's ``period_adoption_first`` view
    function (:func:`policylink.dbread.read_adoption_first`), the first period of the
    ``analysis_period`` scheme in which ``period_adoption`` (cumulative) marks the unit
    adopted. Seed 001 reports adoption per window separately for prefecture-level cities and
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
    first = dbread.read_adoption_first(conn, programme, level, parse_codes(within), scheme=scheme)
    return pd.DataFrame(
        {
            "code": first["code"],
            "batch": first["period_ordinal"].astype(int),
            "first_year": first["first_year"].astype(int),
            "period": [period_label(p, lang) for p in first["period"]],
        }
    )


# Display simplification: plain Douglas-Peucker keeping collapsed parts (islands stay). The
# topology-preserving variant took 4.3 s for the 404 national provinces and prefectures (of a
# 7 s pilots map), this one 0.15 s; a ring that self-intersects at 0.02 deg is not visible.
_UNITS_SQL = """
SELECT a.code, a.name_zh, a.name_en, a.level, a.parent_code, a.source,
       ST_AsBinary(CASE WHEN %(tol)s > 0 THEN ST_Simplify(a.geom, %(tol)s, true)
                        ELSE a.geom END) AS wkb
FROM unit_within(%(within)s::text[], %(level)s) w JOIN admin_unit a ON a.code = w.code
ORDER BY a.code
"""


#: A static map's polygons are simplified to this fraction of the larger side of their bounding
#: box: ~1/3 pixel of the 8-inch map saved at 150 dpi (0.02 degrees for China; the national
#: prefectures keep 41,000 of their 1.9 million vertices, and a national choropleth is drawn and
#: saved in ~2 s instead of ~4.5 s).
DISPLAY_FRACTION = 1.0 / 3000.0

_EXTENT_SQL = """
SELECT ST_XMax(x.e) - ST_XMin(x.e), ST_YMax(x.e) - ST_YMin(x.e)
FROM (
    SELECT ST_Extent(a.geom) AS e
    FROM unit_within(%(within)s::text[], %(level)s) w JOIN admin_unit a ON a.code = w.code
) x
"""


def display_tolerance(
    conn: psycopg.Connection, level: str, within: str | Sequence[str] | None = None
) -> float:
    """Simplification tolerance (degrees) for drawing the units of a static map.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    level : {'province', 'prefecture', 'county'}
        Unit level of the map.
    within : str or sequence of str, optional
        Codes, as :func:`read_units`.

    Returns
    -------
    float
        ``DISPLAY_FRACTION`` of the larger side of the units' bounding box; 0 when there are
        no units.
    """
    row = conn.execute(_EXTENT_SQL, {"within": parse_codes(within), "level": level}).fetchone()
    if row is None or row[0] is None:
        return 0.0
    return max(float(row[0]), float(row[1])) * DISPLAY_FRACTION


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
        Douglas-Peucker tolerance in degrees for display (``ST_Simplify``, collapsed parts
        kept); 0 = exact.

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
    """Coordination links at one level, as the database's link view functions give them.

    Attributes
    ----------
    events : GeoDataFrame
        One row per event and unit pair (``coordination_link_in_period_at``): the columns of
        :data:`policylink.dbread.LINK_COLUMNS` plus ``period_ordinal, period`` and a line.
    pairs : GeoDataFrame
        One row per unordered pair and event kind (``coordination_link_kind_at``): ``a, b,
        name_a, name_b, kind, n_events, n_directed, first_year, last_year`` and a line.
    """

    events: gpd.GeoDataFrame
    pairs: gpd.GeoDataFrame


def read_links(
    conn: psycopg.Connection,
    programme: str = "jjj_coordination",
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
    scheme: str = "seed001",
) -> LinkRows:
    """Coordination links of a programme rolled up to ``level`` (thin alias of dbread readers).

    The rule is the database's (``sql/views/23_links.sql``): party with party and sender with
    receiver of an event of a link kind (plans, targets and designations make no link, an
    issuer is no partner), participants rolled up to ``level``. See
    :func:`policylink.dbread.read_links` and :func:`policylink.dbread.read_link_kinds`.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    programme : str
        ``policy_event.programme`` of the coordination events.
    level : {'province', 'prefecture', 'county'}
        Level the participants are rolled up to (counties -> prefecture).
    within : str or sequence, optional
        Keep links whose both ends are inside these codes.
    scheme : str
        ``analysis_period.scheme`` of the ``period`` column of ``events``.

    Returns
    -------
    LinkRows
        ``events`` (one row per event and pair, with its period) and ``pairs`` (per pair and
        kind, the map layer; ``a``/``b`` are the view's ``code_a``/``code_b``).
    """
    codes = parse_codes(within)
    events = dbread.read_links(conn, level, codes, programme=programme, scheme=scheme)
    pairs = dbread.read_link_kinds(conn, level, codes, programme=programme)
    return LinkRows(events, pairs.rename(columns={"code_a": "a", "code_b": "b"}))


def read_first_event_year(
    conn: psycopg.Connection,
    programme: str = "jjj_coordination",
    level: str = "prefecture",
    within: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Year of each unit's first coordination link (``coordination_link_node_at``).

    A thin alias of :func:`policylink.dbread.read_link_nodes`: the year of the first event in
    which the unit is linked to a partner under the link rule of :func:`read_links` (not the
    seed 001 adoption window, see :func:`read_adoption_windows`). Units without a link are
    absent.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    programme : str
        ``policy_event.programme``.
    level : {'province', 'prefecture', 'county'}
        Level the participants are rolled up to.
    within : str or sequence of str, optional
        Count only links whose two ends are within these codes.

    Returns
    -------
    DataFrame
        ``code, first_year`` sorted by code.
    """
    nodes = dbread.read_link_nodes(conn, level, parse_codes(within), programme=programme)
    return nodes[["code", "first_year"]].reset_index(drop=True)


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
    conn: psycopg.Connection, variable: str, year: int, level: str | None = None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Values of one panel variable in one year, and its catalogue entry.

    Values are placed on units by the database's level rule (``observation_at``): a value
    loaded under a code of the same territory is also the value of that territory's unit at
    the other level (seed 002's Beijing 2010 values, coded 110000, are 110100's on a
    prefecture map); a unit's own value wins; values never move to another territory.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    variable : str
        ``variable.name``.
    year : int
        Year.
    level : {'province', 'prefecture', 'county'}, optional
        Units of this level set only; None = every level set (a code may then carry the
        value of its same territory; select the map's units by code).

    Returns
    -------
    (DataFrame, dict)
        ``code, value`` (one row per code) and ``{label_zh, label_en, unit, source,
        is_synthetic}``.

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
    levels = [level] if level is not None else ["province", "prefecture", "county"]
    rows = conn.execute(
        "SELECT DISTINCT ON (o.unit_code) o.unit_code, o.value "
        "FROM unnest(%s::text[]) AS l(level), LATERAL observation_at(l.level, ARRAY[%s]) o "
        "WHERE o.year = %s ORDER BY o.unit_code, (o.encoded_code <> o.unit_code)",
        (levels, variable, year),
    ).fetchall()
    keys = ["label_zh", "label_en", "unit", "source", "is_synthetic"]
    info = {k: meta[k] for k in keys}
    info["is_synthetic"] = bool(info["is_synthetic"])
    return pd.DataFrame(rows, columns=["code", "value"]), info
