"""The contiguity SQL stays on its fast path, and the fast path gives shapely's contacts.

Speed itself is measured by ``make bench`` row 1 (``bench/results.md``); what a test can check
without timing on a shared machine is the plan: ``pair_contact`` computes the DE-9IM once per
pair (its former body was flattened into four relates per pair, 5x slower) and
``contiguity_pairs`` runs without JIT compilation. The contacts are compared with shapely's
DE-9IM on small SYNTHETIC squares (edge, corner, sliver overlap, gaps along a line and at a
corner), an independent implementation of the same relation.
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
