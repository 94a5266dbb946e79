"""The contiguity SQL stays on its fast path, and the fast path gives shapely's contacts.

Speed itself is measured by ``make bench`` row 1 (``bench/results.md``); what a test can check
without timing on a shared machine is the plan: ``pair_contact`` computes the DE-9IM once per
pair (its former body was flattened into four relates per pair, 5x slower) and
``contiguity_pairs`` runs without JIT compilation; the rook view's query
(``contiguity_contacts``) can run in parallel workers, again with one relate per pair. The
contacts are compared with shapely's DE-9IM on small SYNTHETIC squares (edge, corner, sliver
overlap, gaps along a line and at a corner) and on every touching pair of the bundled units,
an independent implementation of the same relation.
"""

from __future__ import annotations

import psycopg
import pytest
import shapely

# SYNTHETIC polygons in metres: unit squares of 1,000 m around (0, 0), each paired with "a"
A = "POLYGON((0 0, 1000 0, 1000 1000, 0 1000, 0 0))"
CASES = {
    "edge": ("POLYGON((1000 0, 2000 0, 2000 1000, 1000 1000, 1000 0))", 0.0, "edge", True),
    "point": (
        "POLYGON((1000 1000, 2000 1000, 2000 2000, 1000 2000, 1000 1000))",
        0.0,
        "point",
        False,
    ),
    "overlap": ("POLYGON((999 0, 2000 0, 2000 1000, 999 1000, 999 0))", 0.0, "overlap", True),
    "gap_line": ("POLYGON((1000.5 0, 2000 0, 2000 1000, 1000.5 1000, 1000.5 0))", 0.5, "gap", True),
    "gap_corner": (
        "POLYGON((1000.5 1000.5, 2000 1000.5, 2000 2000, 1000.5 2000, 1000.5 1000.5))",
        0.5**0.5,
        "gap",
        False,
    ),
}


def _nodes(plan: dict) -> list[dict]:
    return [plan, *(n for sub in plan.get("Plans", []) for n in _nodes(sub))]


def test_pair_contact_relates_once_per_pair(pg_url):
    """Inlined into the caller, the DE-9IM is computed once per pair.

    The former body (a CTE read by three ``ST_RelateMatch`` calls) was flattened into the
    calling query with ``ST_Relate`` of the clipped pair copied into every match: four GEOS
    relates per pair, the rook view 5x slower than necessary.
    """
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TEMP TABLE pc (a geometry, b geometry, gap double precision)")
        plan = conn.execute(
            "EXPLAIN (VERBOSE, FORMAT JSON) SELECT c.* FROM pc "
            "CROSS JOIN LATERAL pair_contact(pc.a, pc.b, pc.gap, 1.0) c"
        ).fetchone()[0][0]["Plan"]
        nodes = _nodes(plan)
        assert not any(n["Node Type"] == "Function Scan" for n in nodes), plan
        # the node that calls ST_Relate (the others only refer to its output)
        calls = [
            " ".join(n.get("Output", [])).lower().count("st_relate(")
            for n in nodes
            if n["Node Type"] != "Nested Loop"
        ]
        assert sorted(c for c in calls if c) == [1], plan
        config = conn.execute(
            "SELECT proconfig FROM pg_proc "
            "WHERE oid = 'contiguity_pairs(text,float8,boolean)'::regprocedure"
        ).fetchone()[0]
        assert "jit=off" in (config or []), config


@pytest.mark.parametrize("name", sorted(CASES))
def test_pair_contact_matches_shapely(pg_url, name):
    wkt, gap, want_contact, want_rook = CASES[name]
    a, b = shapely.from_wkt(A), shapely.from_wkt(wkt)
    # independent reference: shapely's distance and DE-9IM (the gap cases by their geometry)
    assert shapely.distance(a, b) == pytest.approx(gap)
    if gap == 0:
        im = shapely.relate(a, b)
        ref_contact = "overlap" if im[0] == "2" else "edge" if im[4] == "1" else "point"
        assert ref_contact == want_contact
    with psycopg.connect(pg_url) as conn:
        contact, rook = conn.execute(
            "SELECT contact, rook FROM pair_contact(ST_GeomFromText(%s), ST_GeomFromText(%s), %s, 1.0)",
            (A, wkt, gap),
        ).fetchone()
    assert (contact, rook) == (want_contact, want_rook)


@pytest.mark.slow
def test_rook_view_query_is_parallel_with_one_relate_per_pair(bundled_url):
    """The body of ``contiguity_contacts`` (the rook views) has a parallel plan.

    The relates of the queen pairs are independent, so they run in parallel workers; the plan
    must keep one ``ST_Relate`` per pair (a single call, below the Gather) and the function
    must carry the settings that make the planner consider it (JIT off, no table-size
    threshold for the small table of queen pairs). On the bundled units (tables with rows and
    statistics; on empty tables the planner has nothing to split), with parallel costs zeroed
    so that the test checks the query's shape (parallel safety), not the cost model.
    """
    with psycopg.connect(bundled_url) as conn:
        body, config = conn.execute(
            "SELECT prosrc, proconfig FROM pg_proc "
            "WHERE oid = 'contiguity_contacts(text, float8)'::regprocedure"
        ).fetchone()
        assert "jit=off" in config and "min_parallel_table_scan_size=0" in config, config
        conn.execute("SET parallel_setup_cost = 0")
        conn.execute("SET parallel_tuple_cost = 0")
        conn.execute("SET min_parallel_table_scan_size = 0")
        # the body as a prepared statement (its parameters p_level, p_tol_m become $1, $2)
        conn.execute(
            "CREATE FUNCTION pg_temp.explain_contacts(p_body text) RETURNS json "
            "LANGUAGE plpgsql AS $f$ DECLARE r json; BEGIN "
            "EXECUTE format('PREPARE rook_body(text, float8) AS %s', "
            "replace(replace(p_body, 'p_level', '$1'), 'p_tol_m', '$2')); "
            "EXECUTE 'EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE rook_body(''prefecture'', 1.0)' "
            "INTO r; "
            "DEALLOCATE rook_body; RETURN r; END $f$"
        )
        plan = conn.execute("SELECT pg_temp.explain_contacts(%s)", (body,)).fetchone()[0][0]["Plan"]
    nodes = _nodes(plan)
    gathers = [n for n in nodes if n["Node Type"] in ("Gather", "Gather Merge")]
    assert gathers, plan
    below = _nodes(gathers[0])[1:]
    calls = [" ".join(n.get("Output", [])).lower().count("st_relate(") for n in below]
    # the relate is computed below the Gather (in the workers), in one node, once
    assert sorted(c for c in calls if c) == [1], plan
    above = [n for n in nodes if n not in _nodes(gathers[0])]
    assert not any("st_relate(" in " ".join(n.get("Output", [])).lower() for n in above), plan


@pytest.mark.slow
def test_rook_view_contacts_match_shapely(bundled_url):
    """Every touching pair of the materialized rook view (built in parallel) has the contact of
    shapely's DE-9IM of the whole polygons, and the rook flag follows from it."""
    with psycopg.connect(bundled_url) as conn:
        rows = conn.execute(
            "SELECT code_i, code_j, contact, rook FROM w_contiguity_rook WHERE contact <> 'gap'"
        ).fetchall()
        # each polygon once (not once per pair: the provinces' are large)
        geoms = dict(
            conn.execute(
                "SELECT code, ST_AsBinary(geom_eq) FROM admin_unit WHERE code = ANY(%s)",
                (sorted({c for i, j, *_ in rows for c in (i, j)}),),
            ).fetchall()
        )
    geoms = dict(zip(geoms, shapely.from_wkb(list(geoms.values())), strict=True))
    assert len(rows) > 500
    kinds = set()
    for i, j, contact, rook in rows:
        im = shapely.relate(geoms[i], geoms[j])
        ref = "overlap" if im[0] == "2" else "edge" if im[4] == "1" else "point"
        assert (contact, rook) == (ref, ref != "point"), (i, j, im)
        kinds.add(contact)
    assert {"edge", "point"} <= kinds
