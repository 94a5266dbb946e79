"""The snapshot that the reliability tests trust: it must see every kind of write."""

from __future__ import annotations

import psycopg
import pytest
from dbsnapshot import snapshot

WRITES = {
    "insert": "INSERT INTO variable (name) VALUES ('snap_probe')",
    "content-update": "UPDATE analysis_period SET source = source || ' ' "
    "WHERE ctid = (SELECT min(ctid) FROM analysis_period)",
    "spatial_ref_sys-no-op-update": "UPDATE spatial_ref_sys SET auth_name = auth_name "
    "WHERE srid = 4326",
    "spatial_ref_sys-delete": "DELETE FROM spatial_ref_sys WHERE srid = 3857",
    "new-table": "CREATE TABLE snap_probe (x int)",
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_snapshot_sees_a_committed_write_and_not_a_rolled_back_one(make_db, write):
    url = make_db()
    before = snapshot(url)
    with psycopg.connect(url) as conn:
        conn.execute(WRITES[write])
        conn.rollback()
    assert not before.diff(snapshot(url))
    with psycopg.connect(url) as conn:
        conn.execute(WRITES[write])
    assert before.diff(snapshot(url)), write


GEO_TABLES = {
    "geometry": "CREATE TABLE snap_geo (id int, g geometry)",
    "geography": "CREATE TABLE snap_geo (id int, g geography)",
}


@pytest.mark.parametrize("column", sorted(GEO_TABLES))
def test_snapshot_sees_one_moved_vertex(make_db, column):
    # geometries are checked through the md5 of their EWKB bytes: one coordinate moved by
    # 1e-9 degrees (the last bits of a double) is a change; the same value written back is not
    url = make_db()
    with psycopg.connect(url) as conn:
        conn.execute(GEO_TABLES[column])
        conn.execute(
            "INSERT INTO snap_geo VALUES (1, 'SRID=4326;POLYGON((116 39, 117 39, 117 40, 116 39))')"
        )
    before = snapshot(url)
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE snap_geo SET g = g")
    assert not before.diff(snapshot(url))
    moved = (
        "UPDATE snap_geo SET g = ST_SetSRID(ST_MakePolygon(ST_SetPoint("
        "ST_ExteriorRing(g::geometry), 1, ST_MakePoint(117 + 1e-9, 39))), 4326)"
    )
    with psycopg.connect(url) as conn:
        conn.execute(moved)
        conn.rollback()
    assert not before.diff(snapshot(url))
    with psycopg.connect(url) as conn:
        conn.execute(moved)
    after = snapshot(url)
    assert before.diff(after) == [
        f"public.snap_geo: {before.tables['public.snap_geo']} -> {after.tables['public.snap_geo']}"
    ]
    assert after.tables["public.snap_geo"][0] == 1  # the same row count: the checksum saw it
