"""Row 1: county queen contiguity weights.

Ours: refreshing the materialized ``w_queen`` view (and the materialized views it is built from)
in PostGIS, i.e. what ``policylink views refresh`` does for the weights; the county query of
that refresh alone (like for like with the anchors); each materialized weights view refreshed
on its own as ``views refresh`` does it (``w_contiguity_queen`` and ``w_contiguity_rook``: their
materialized views of the three level sets); and the whole ``views refresh`` (all levels, queen and rook). Anchors, on the same
geometries read back from the database: libpysal ``fuzzy_contiguity`` (STRtree, intersects),
libpysal ``Queen.from_dataframe`` (shared vertices), libpysal ``Rook.from_dataframe`` (shared
edges; the neighbour-set check of the rook view), and a naive ``ST_Touches`` self-join.
"""

from __future__ import annotations

from typing import Any

from bench.data import pair_digest, pairs_of, read_units
from bench.harness import Prepared, Unavailable, case

_MATVIEW_DEPS = """
WITH RECURSIVE dep (oid) AS (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = %s AND n.nspname = 'public'
    UNION
    SELECT d.refobjid
    FROM dep
    JOIN pg_rewrite r ON r.ev_class = dep.oid
    JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass
                     AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> dep.oid
)
SELECT c.relname FROM dep JOIN pg_class c ON c.oid = dep.oid
WHERE c.relkind = 'm' ORDER BY c.oid
"""


_ALL_MATVIEWS = """
SELECT c.relname, c.oid::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'm' AND n.nspname = 'public' ORDER BY c.oid
"""


def materialized_dependencies(conn: Any, view: str) -> list[str]:
    """Materialized views to refresh to rebuild ``view`` from the tables, in refresh order.

    The closure of ``view``'s dependencies is found in ``pg_depend``; because a materialized
    view may read others through a function (invisible to ``pg_depend``), every materialized
    view that ``policylink views refresh`` refreshes before the last one of the closure is
    included too (the same order as :func:`policylink.etl.migrate.refresh_materialized_views`).

    Parameters
    ----------
    conn : psycopg.Connection
        Connection.
    view : str
        View or materialized view name in schema ``public``.

    Returns
    -------
    list of str
        Names to refresh, oldest first.
    """
    closure = {r[0] for r in conn.execute(_MATVIEW_DEPS, (view,)).fetchall()}
    if not closure:
        return []
    ordered = conn.execute(_ALL_MATVIEWS).fetchall()
    last = max(oid for name, oid in ordered if name in closure)
    return [name for name, oid in ordered if oid <= last]


def _view_pairs(conn: Any, level: str = "county") -> set[tuple[str, str]]:
    """Directed pairs of ``w_queen`` for one level (columns found from the view's definition)."""
    cols = {
        r[0]
        for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'w_queen'::regclass "
            "AND attnum > 0 AND NOT attisdropped"
        ).fetchall()
    }
    i_col = next((c for c in ("i", "code_i", "unit_i", "from_code", "focal") if c in cols), None)
    j_col = next((c for c in ("j", "code_j", "unit_j", "to_code", "neighbor") if c in cols), None)
    if i_col is None or j_col is None:
        raise Unavailable(f"w_queen has no recognisable pair columns: {sorted(cols)}")
    from psycopg import sql

    q = sql.SQL("SELECT {i}, {j} FROM w_queen").format(
        i=sql.Identifier(i_col), j=sql.Identifier(j_col)
    )
    if "level" in cols:
        q = q + sql.SQL(" WHERE level = %s")
        rows = conn.execute(q, (level,)).fetchall()
    else:
        rows = conn.execute(q).fetchall()
    return {(str(i), str(j)) for i, j in rows if i != j}


@case("weights.view", row="1", side="ours", label="w_queen materialized view refresh (PostGIS)")
def setup_view(p: dict[str, Any]) -> Prepared:
    """Refresh the materialized views behind ``w_queen`` (timed) on the loaded counties."""
    import psycopg
    from psycopg import sql

    conn = psycopg.connect(p["url"], autocommit=True)
    exists = conn.execute("SELECT to_regclass('public.w_queen')").fetchone()[0]
    if exists is None:
        conn.close()
        raise Unavailable("view w_queen (issue 4) does not exist yet")
    mats = materialized_dependencies(conn, "w_queen")
    if not mats:
        conn.close()
        raise Unavailable("w_queen is not materialized (nothing to refresh)")
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]

    def run() -> None:
        for m in mats:  # as etl.migrate.refresh_materialized_views: refresh, then statistics
            conn.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(sql.Identifier(m)))
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(m)))

    return Prepared(
        run=run,
        summarise=lambda _: pair_digest(_view_pairs(conn)),
        backend_pid=pid,
        cleanup=conn.close,
        note="materialized views refreshed and analysed: " + ", ".join(mats),
    )


@case(
    "weights.view_county",
    row="1",
    side="ours",
    label="county queen pairs in PostGIS (contiguity_pairs('county', 1 m), into a table)",
)
def setup_view_county(p: dict[str, Any]) -> Prepared:
    """The county query of the ``w_contiguity_queen`` refresh: the same units as the anchors.

    ``w_contiguity_queen`` holds all three level sets; this times the county query alone
    (``CREATE TEMP TABLE ... AS SELECT * FROM contiguity_pairs('county', 1.0, false)``), the
    like-for-like comparison with libpysal on the 2,875 county-level units.
    """
    import psycopg

    conn = psycopg.connect(p["url"], autocommit=True)
    if (
        conn.execute("SELECT to_regprocedure('contiguity_pairs(text,float8,boolean)')").fetchone()[
            0
        ]
        is None
    ):
        conn.close()
        raise Unavailable("function contiguity_pairs does not exist")
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]

    def between() -> None:
        conn.execute("DROP TABLE IF EXISTS bench_county_queen")

    def run() -> None:
        conn.execute(
            "CREATE TEMP TABLE bench_county_queen AS "
            "SELECT code_i, code_j, gap_m FROM contiguity_pairs('county', 1.0, false)"
        )

    def summarise(_: Any) -> dict[str, Any]:
        rows = conn.execute(
            "SELECT code_i, code_j FROM bench_county_queen WHERE gap_m = 0"
        ).fetchall()
        return pair_digest({p for a, b in rows for p in ((a, b), (b, a))})

    return Prepared(
        run=run,
        between=between,
        summarise=summarise,
        backend_pid=pid,
        cleanup=conn.close,
        note="touching pairs digested (fuzzy_contiguity's rule; the 1 m gap pairs left out)",
    )


@case(
    "weights.refresh_all",
    row="1",
    side="ours",
    label="policylink views refresh: every materialized view, all levels (queen + rook)",
    runs=1,
)
def setup_refresh_all(p: dict[str, Any]) -> Prepared:
    """What ``policylink views refresh`` does: every materialized view, then ANALYZE."""
    import psycopg

    from policylink.etl.migrate import refresh_materialized_views

    conn = psycopg.connect(p["url"], autocommit=True)
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    names: list[str] = []

    def run() -> None:
        names[:] = refresh_materialized_views(conn)

    return Prepared(
        run=run,
        summarise=lambda _: pair_digest(_view_pairs(conn)),
        backend_pid=pid,
        cleanup=conn.close,
        note="refreshed: unit_point, w_contiguity_queen_<level>, w_contiguity_rook_<level>",
    )


def _setup_refresh_one(p: dict[str, Any], view: str, pairs_sql: str, note: str) -> Prepared:
    """Refresh one weights view as ``views refresh`` does (timed): its materialized views
    ``<view>_<level>`` of the three level sets, in order; digest county pairs.

    Parameters
    ----------
    p : dict
        Row parameters (``url``).
    view : str
        View whose per-level materialized views are refreshed (each with its ANALYZE).
    pairs_sql : str
        Query of the county pairs ``(code_i, code_j)`` to digest, both directions.
    note : str
        Note for the results.

    Returns
    -------
    Prepared
        The timed refresh.
    """
    import psycopg

    from policylink.etl.migrate import refresh_materialized_views

    conn = psycopg.connect(p["url"], autocommit=True)
    mats = [f"{view}_{level}" for level in ("province", "prefecture", "county")]
    for m in mats:
        if conn.execute("SELECT to_regclass(%s)", (f"public.{m}",)).fetchone()[0] is None:
            conn.close()
            raise Unavailable(f"materialized view {m} does not exist")
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]

    def run() -> list[str]:
        return refresh_materialized_views(conn, only=mats)

    def summarise(_: Any) -> dict[str, Any]:
        rows = conn.execute(pairs_sql).fetchall()
        return pair_digest({x for a, b in rows for x in ((a, b), (b, a))})

    return Prepared(run=run, summarise=summarise, backend_pid=pid, cleanup=conn.close, note=note)


@case(
    "weights.refresh_queen",
    row="1",
    side="ours",
    label="w_contiguity_queen refresh as views refresh does it, all levels",
)
def setup_refresh_queen(p: dict[str, Any]) -> Prepared:
    """``REFRESH MATERIALIZED VIEW CONCURRENTLY w_contiguity_queen_<level>`` and ANALYZE, for
    the three level sets."""
    return _setup_refresh_one(
        p,
        "w_contiguity_queen",
        "SELECT code_i, code_j FROM w_contiguity_queen WHERE level = 'county' AND gap_m = 0",
        "county touching pairs digested (fuzzy_contiguity's rule; the 1 m gap pairs left out)",
    )


@case(
    "weights.refresh_rook",
    row="1",
    side="ours",
    label="w_contiguity_rook refresh as views refresh does it, all levels",
)
def setup_refresh_rook(p: dict[str, Any]) -> Prepared:
    """``REFRESH MATERIALIZED VIEW CONCURRENTLY w_contiguity_rook_<level>`` and ANALYZE, for
    the three level sets.

    The view classifies every queen pair (DE-9IM of the clipped pair); its county rook pairs
    are digested, to compare with libpysal ``Rook.from_dataframe`` (shared edges). Against
    ``fuzzy_contiguity`` (queen) they differ by the point contacts, which are not rook.
    """
    return _setup_refresh_one(
        p,
        "w_contiguity_rook",
        "SELECT code_i, code_j FROM w_contiguity_rook WHERE level = 'county' AND rook",
        "county rook pairs digested (overlap, edge, or a gap contact longer than 2 m)",
    )


def _frame(p: dict[str, Any]) -> Any:
    gdf = read_units(p["url"], "county")
    return gdf.set_index("code")


@case("weights.fuzzy", row="1", side="anchor", label="libpysal fuzzy_contiguity")
def setup_fuzzy(p: dict[str, Any]) -> Prepared:
    """libpysal ``fuzzy_contiguity`` (STRtree query, ``intersects``) on the same geometries."""
    from libpysal.weights import fuzzy_contiguity

    gdf = _frame(p)
    return Prepared(
        run=lambda: fuzzy_contiguity(gdf),
        summarise=lambda w: pair_digest(pairs_of(w)),
        note=f"{len(gdf)} units",
    )


@case("weights.queen", row="1", side="anchor", label="libpysal Queen.from_dataframe")
def setup_queen(p: dict[str, Any]) -> Prepared:
    """libpysal ``Queen.from_dataframe`` (shared vertices) on the same geometries."""
    from libpysal.weights import Queen

    gdf = _frame(p)
    return Prepared(
        run=lambda: Queen.from_dataframe(gdf, use_index=True, silence_warnings=True),
        summarise=lambda w: pair_digest(pairs_of(w)),
        note=f"{len(gdf)} units",
    )


@case("weights.rook", row="1", side="anchor", label="libpysal Rook.from_dataframe", runs=1)
def setup_rook(p: dict[str, Any]) -> Prepared:
    """libpysal ``Rook.from_dataframe`` (shared edges) on the same geometries.

    The neighbour-set reference of ``weights.refresh_rook``; one run (it is as slow as
    ``Queen.from_dataframe`` and the ratio of interest is against ``fuzzy_contiguity``).
    """
    from libpysal.weights import Rook

    gdf = _frame(p)
    return Prepared(
        run=lambda: Rook.from_dataframe(gdf, use_index=True, silence_warnings=True),
        summarise=lambda w: pair_digest(pairs_of(w)),
        note=f"{len(gdf)} units",
    )


@case("weights.st_touches", row="1", side="anchor", label="naive ST_Touches self-join (PostGIS)")
def setup_touches(p: dict[str, Any]) -> Prepared:
    """``CREATE TEMP TABLE ... AS`` a self-join of the counties on ``ST_Touches`` (GiST used)."""
    import psycopg

    conn = psycopg.connect(p["url"], autocommit=True)
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]

    def between() -> None:
        conn.execute("DROP TABLE IF EXISTS bench_touches")

    query = (
        "CREATE TEMP TABLE bench_touches AS "
        "SELECT a.code AS i, b.code AS j FROM admin_unit a JOIN admin_unit b "
        "ON a.code <> b.code AND ST_Touches(a.geom, b.geom) "
        "WHERE (a.level = 'county' OR a.also_county) AND (b.level = 'county' OR b.also_county)"
    )

    def run() -> None:
        conn.execute(query)

    def summarise(_: Any) -> dict[str, Any]:
        rows = conn.execute("SELECT i, j FROM bench_touches").fetchall()
        return pair_digest({(i, j) for i, j in rows})

    return Prepared(
        run=run, between=between, summarise=summarise, backend_pid=pid, cleanup=conn.close
    )
