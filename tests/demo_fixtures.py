"""SYNTHETIC test layers for the map and report tests: a 3 x 3 grid of square prefectures.

Nothing here is real: one province "合成省 / Synthetic Province" (code 990000) split into nine
1-degree squares (codes 990100 ... 990900, one county each, 990101 ...), placed near
Jing-Jin-Ji so that the projection code is exercised on realistic coordinates, and a
"对照省 / Control Province" (980000) north of it with three never-pilot prefectures.
"""

from __future__ import annotations

import psycopg
import shapely

PROVINCE = "990000"
NAMES_ZH = ["甲市", "乙市", "丙市", "丁市", "戊市", "己市", "庚市", "辛市", "壬市"]
NAMES_EN = [f"City {c}" for c in "ABCDEFGHI"]
LON0, LAT0 = 114.0, 37.0


CONTROL_PROVINCE = "980000"


def control_codes() -> list[str]:
    """Codes of the three never-pilot prefectures of the control province (north strip)."""
    return [f"98{j + 1:02d}00" for j in range(3)]


def prefecture_codes() -> list[str]:
    """Codes of the nine synthetic prefectures, row by row from the south-west corner."""
    return [f"99{i + 1:02d}00" for i in range(9)]


def _square(i: int) -> shapely.MultiPolygon:
    r, c = divmod(i, 3)
    x, y = LON0 + c, LAT0 + r
    return shapely.MultiPolygon([shapely.box(x, y, x + 1, y + 1)])


def load_synthetic(conn: psycopg.Connection) -> None:
    """Insert the synthetic grid, pilot events, coordination events and a variable."""
    src = "SYNTHETIC test grid"
    whole = shapely.MultiPolygon([shapely.box(LON0, LAT0, LON0 + 3, LAT0 + 3)])
    conn.execute(
        "INSERT INTO admin_unit (code, name_zh, name_en, level, parent_code, geom, source) "
        "VALUES (%s, '合成省', 'Synthetic Province', 'province', NULL, "
        "ST_GeomFromText(%s, 4326), %s)",
        (PROVINCE, whole.wkt, src),
    )
    for i, code in enumerate(prefecture_codes()):
        wkt = _square(i).wkt
        conn.execute(
            "INSERT INTO admin_unit (code, name_zh, name_en, level, parent_code, geom, source) "
            "VALUES (%s, %s, %s, 'prefecture', %s, ST_GeomFromText(%s, 4326), %s)",
            (code, NAMES_ZH[i], NAMES_EN[i], PROVINCE, wkt, src),
        )
        conn.execute(
            "INSERT INTO admin_unit (code, name_zh, name_en, level, parent_code, geom, source) "
            "VALUES (%s, %s, %s, 'county', %s, ST_GeomFromText(%s, 4326), %s)",
            (code[:4] + "01", NAMES_ZH[i] + "区", NAMES_EN[i] + " district", code, wkt, src),
        )
    # A second synthetic province north of the grid: three prefectures, never pilots.
    conn.execute(
        "INSERT INTO admin_unit (code, name_zh, name_en, level, parent_code, geom, source) "
        "VALUES (%s, '对照省', 'Control Province', 'province', NULL, ST_GeomFromText(%s, 4326), %s)",
        (
            CONTROL_PROVINCE,
            shapely.MultiPolygon([shapely.box(LON0, LAT0 + 3, LON0 + 3, LAT0 + 4)]).wkt,
            src,
        ),
    )
    for j, code in enumerate(control_codes()):
        box = shapely.MultiPolygon([shapely.box(LON0 + j, LAT0 + 3, LON0 + j + 1, LAT0 + 4)])
        conn.execute(
            "INSERT INTO admin_unit (code, name_zh, name_en, level, parent_code, geom, source) "
            "VALUES (%s, %s, %s, 'prefecture', %s, ST_GeomFromText(%s, 4326), %s)",
            (code, f"对照{j + 1}市", f"Control {j + 1}", CONTROL_PROVINCE, box.wkt, src),
        )
    codes = prefecture_codes()
    events = [
        # id, date, kind, programme, batch, participants [(code, role)]
        ("syn-lcp-1", "2010-07-19", "pilot_designation", "low_carbon_pilot", 1, [(codes[0], "party")]),
        ("syn-lcp-2", "2012-11-29", "pilot_designation", "low_carbon_pilot", 2, [(PROVINCE, "party")]),
        ("syn-lcp-3", "2017-01-07", "pilot_designation", "low_carbon_pilot", 3, [(codes[4], "party")]),
        ("syn-co-1", "2005-03-01", "industrial_transfer", "jjj_coordination", None,
         [(codes[0], "sender"), (codes[1], "receiver")]),
        ("syn-co-2", "2010-05-01", "coordination_agreement", "jjj_coordination", None,
         [(codes[0], "party"), (codes[1], "party"), (codes[3], "party")]),
        ("syn-co-3", "2015-05-01", "coordination_agreement", "jjj_coordination", None,
         [(codes[0], "party"), (codes[1], "party")]),
        ("syn-co-4", "2016-08-01", "co_construction", "jjj_coordination", None,
         [(codes[4][:4] + "01", "party"), (codes[8], "party")]),
        ("syn-ad-1", "2007-12-31", "plan", "jjj_policy_adoption", 1,
         [(codes[0], "party"), (codes[1], "party")]),
        ("syn-ad-2", "2014-12-31", "plan", "jjj_policy_adoption", 2,
         [(codes[3], "party"), (codes[6][:4] + "01", "party")]),
        ("syn-ad-3", "2016-12-31", "plan", "jjj_policy_adoption", 3,
         [(codes[4], "party"), (codes[0], "party")]),
    ]  # fmt: skip
    for eid, date, kind, prog, batch, parts in events:
        conn.execute(
            "INSERT INTO policy_event (id, event_date, title_zh, level, kind, programme, batch, "
            "source) VALUES (%s, %s, %s, 'prefecture', %s, %s, %s, %s)",
            (eid, date, f"合成事件 {eid}", kind, prog, batch, src),
        )
        for code, role in parts:
            conn.execute(
                "INSERT INTO event_participant (event_id, unit_code, role) VALUES (%s, %s, %s)",
                (eid, code, role),
            )
    conn.execute(
        "INSERT INTO variable (name, label_zh, label_en, unit, source, is_synthetic) "
        "VALUES ('syn_value', '合成变量', 'synthetic value', 't', %s, true)",
        (src,),
    )
    for i, code in enumerate(codes):
        conn.execute(
            "INSERT INTO observation (unit_code, year, variable, value) "
            "VALUES (%s, 2010, 'syn_value', %s)",
            (code, float(i * i)),
        )


def load_synthetic_panel(conn: psycopg.Connection, seed: int = 7) -> None:
    """Insert a random SYNTHETIC 2006-2019 panel with the report's variable names.

    The values are random (no DGP to recover): they only exercise the Moran, SDM and DID
    sections end to end. Units 1-4 are 'true' for the resource-dependent scheme.
    """
    import numpy as np

    from policylink.report.analysis_sections import NAMES

    rng = np.random.default_rng(seed)
    names = [NAMES.jjj_y, *NAMES.jjj_x, NAMES.did_y, *NAMES.did_controls]
    for name in names:
        conn.execute(
            "INSERT INTO variable (name, label_en, source, is_synthetic) VALUES (%s, %s, %s, true) "
            "ON CONFLICT (name) DO NOTHING",
            (name, name, "SYNTHETIC test panel"),
        )
    rows = []
    for i, code in enumerate(prefecture_codes() + control_codes()):
        treated_from = 2011 if i == 0 else 2013 if i < 9 else 9999
        for year in range(2006, 2020):
            for name in names:
                v = float(rng.normal(i * 0.1, 1.0))
                if name == NAMES.did_y and year >= treated_from:
                    v += 0.5
                rows.append((code, year, name, v))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO observation (unit_code, year, variable, value) VALUES (%s, %s, %s, %s)",
            rows,
        )
        cur.executemany(
            "INSERT INTO unit_attribute (unit_code, scheme, value, source) VALUES (%s, %s, %s, %s)",
            [
                (code, NAMES.jjj_group, "true" if i < 4 else "false", "SYNTHETIC test")
                for i, code in enumerate(prefecture_codes())
            ],
        )
