"""Weights views on a SYNTHETIC 3 x 3 grid of squares with closed-form neighbour sets (fast).

Grid cells are 0.1 degree squares near 105E 35N with shared vertices (codes 9901r c, r/c 1-3).
Closed forms: rook = cells sharing an edge (12 pairs), queen = rook + the 8 diagonal corner
contacts (20 pairs). Two extra cells test the gap tolerance (1 m on the equal-area geometry):
one 0.5 m north of the grid's top edge (queen and rook neighbour of the cells it faces), one
5 m away (island), plus one far away (island).
"""

from __future__ import annotations

import psycopg
import pytest

from policylink import dbread
from policylink.etl.migrate import refresh_materialized_views

D = 0.1  # cell size, degrees
X0, Y0 = 105.0, 35.0
M_PER_DEG_LAT = 110_950.0  # near 35N (WGS 84 meridian arc), enough for 0.5 m vs 5 m


def _square(x: float, y: float, w: float = D, h: float = D) -> str:
    # rounded so that neighbouring cells share their vertices exactly (105.1 + 0.1 != 105.2)
    x0, y0, x1, y1 = (round(v, 9) for v in (x, y, x + w, y + h))
    return f"MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"


def _cell(r: int, c: int) -> str:
    return f"9901{r}{c}"


@pytest.fixture
def grid_db(make_db):
    url = make_db()
    rows = [
        (_cell(r, c), _square(X0 + c * D, Y0 + r * D)) for r in range(1, 4) for c in range(1, 4)
    ]
    top = Y0 + 4 * D  # top edge of row 3
    rows.append(("990201", _square(X0 + D, top + 0.5 / M_PER_DEG_LAT, D, D)))  # 0.5 m gap
    rows.append(("990202", _square(X0 + 3 * D, top + 5.0 / M_PER_DEG_LAT, D, D)))  # 5 m gap
    rows.append(("990203", _square(X0 + 5, Y0 + 5)))  # far away
    with psycopg.connect(url) as conn:
        for code, wkt in rows:
            conn.execute(
                "INSERT INTO admin_unit (code, name_zh, level, geom, source) "
                "VALUES (%s, %s, 'prefecture', ST_GeomFromText(%s, 4326), 'synthetic grid')",
                (code, f"合成{code}", wkt),
            )
        conn.commit()
        refresh_materialized_views(conn)
    return url


def _closed_form() -> tuple[set, set]:
    rook, queen = set(), set()
    cells = [(r, c) for r in range(1, 4) for c in range(1, 4)]
    for r, c in cells:
        for r2, c2 in cells:
            if (r, c) == (r2, c2) or max(abs(r - r2), abs(c - c2)) > 1:
                continue
            queen.add((_cell(r, c), _cell(r2, c2)))
            if abs(r - r2) + abs(c - c2) == 1:
                rook.add((_cell(r, c), _cell(r2, c2)))
    # the 0.5 m cell spans column 1 over row 3: edge-near 990131 (it starts at its west edge
    # and covers its width), corner-near 990132
    for other, is_rook in (("990131", True), ("990132", False)):
        queen |= {("990201", other), (other, "990201")}
        if is_rook:
            rook |= {("990201", other), (other, "990201")}
    return rook, queen


def test_grid_contiguity_matches_closed_form(grid_db):
    rook, queen = _closed_form()
    got_q = dbread.read_pairs(grid_db, "queen", "prefecture")
    got_r = dbread.read_pairs(grid_db, "rook", "prefecture")
    assert set(zip(got_q["i"], got_q["j"], strict=True)) == queen
    assert set(zip(got_r["i"], got_r["j"], strict=True)) == rook
    assert len([p for p in queen if p[0][:4] == p[1][:4] == "9901"]) // 2 == 20
    with psycopg.connect(grid_db) as conn:
        contact = dict(
            ((a, b), (c, g))
            for a, b, c, g in conn.execute(
                "SELECT code_i, code_j, contact, gap_m FROM w_contiguity"
            ).fetchall()
        )
    assert contact[("990111", "990122")][0] == "point"
    assert contact[("990111", "990112")] == ("edge", 0.0)
    kind, gap = contact[("990131", "990201")]
    assert kind == "gap" and 0.4 < gap < 0.6
    isl = dbread.read_islands(grid_db, "prefecture")
    assert set(isl["code"]) == {"990202", "990203"}


def test_grid_tolerance_and_knn(grid_db):
    with psycopg.connect(grid_db) as conn:
        # a 10 m tolerance also links the 5 m cell to the cell below it (edge-near)
        wide = {
            (a, b)
            for a, b in conn.execute(
                "SELECT code_i, code_j FROM contiguity_pairs('prefecture', 10.0, true)"
            ).fetchall()
        }
        none = conn.execute(
            "SELECT count(*) FROM contiguity_pairs('prefecture', 0.0, false) "
            "WHERE '990201' IN (code_i, code_j)"
        ).fetchone()[0]
    assert ("990133", "990202") in wide and none == 0
    # KNN: the centre cell's 4 nearest centroids are its rook neighbours (all at one cell size)
    knn = dbread.read_pairs(grid_db, "knn:4", "prefecture")
    centre = set(knn.loc[knn["i"] == "990122", "j"])
    assert centre == {"990112", "990121", "990123", "990132"}
    w = dbread.read_weights(grid_db, "queen", "prefecture", transform="r")
    assert w.n == 12 and w.weights["990122"] == [0.125] * 8
