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
