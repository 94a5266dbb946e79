"""Every policy-map algorithm also runs on ordinary layers, without the database.

Reference: the same algorithm run on the PolicyLink database holding the bundled real data (its
SQL views: ``coordination_link_kind_at``, ``period_adoption``, the pilot events). The layers given
instead carry only what a user would have in a file: the prefectures' polygons and codes with a
first-year or batch field, and a table with one row per event and linked pair of codes
(``coordination_link_at`` rows, before the database aggregates them). The algorithms get no
database parameter at all.
"""

from __future__ import annotations

import psycopg
import pytest

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

JJJ = "110000,120000,130000"


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


def memory_layer(frame, name, geometry="MultiPolygon"):
    """A QGIS memory layer (EPSG:4326) with the frame's columns (text or integer) and geometry."""
    import pandas as pd
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    uri = f"{geometry}?crs=EPSG:4326" if geometry else "None"
    layer = QgsVectorLayer(uri, name, "memory")
    cols = [c for c in frame.columns if c != "geometry"]
    kinds = {
        c: QVariant.Int if str(frame[c].dtype) in ("Int64", "int64") else QVariant.String
        for c in cols
    }
    layer.dataProvider().addAttributes([QgsField(c, kinds[c]) for c in cols])
    layer.updateFields()
    feats = []
    for _, row in frame.iterrows():
        f = QgsFeature(layer.fields())
        if geometry:
            g = QgsGeometry()
            g.fromWkb(row["geometry"].wkb)
            f.setGeometry(g)
        values = [
            None if pd.isna(row[c]) else int(row[c]) if kinds[c] == QVariant.Int else str(row[c])
            for c in cols
        ]
        f.setAttributes(values)
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    layer.updateExtents()
    return layer


@pytest.fixture(scope="module")
def jjj(bundled_url):
    """JJJ prefectures (polygons, codes, names) and the per-event link rows, read once."""
    from policylink import dbread, mapdata

    with psycopg.connect(bundled_url) as conn:
        units = mapdata.read_units(conn, "prefecture", JJJ)
        pilots = mapdata.read_pilots(conn)
        first = mapdata.read_adoption_windows(
            conn, level="prefecture", within=JJJ, programme="jjj_policy_adoption"
        )
        links = dbread.read_links(
            conn, "prefecture", mapdata.parse_codes(JJJ), programme="jjj_coordination"
        )
        periods = conn.execute(
            "SELECT label, last_year FROM analysis_period WHERE scheme = 'seed001' ORDER BY ordinal"
        ).fetchall()
    return {"units": units, "pilots": pilots, "first": first, "links": links, "periods": periods}


def values(feature, fields):
    """Attribute values, floats rounded to 12 digits (the shares are ratios of small counts)."""
    return tuple(round(v, 12) if isinstance(v, float) else v for v in (feature[c] for c in fields))


def features(layer, key):
    return {tuple(f[k] for k in key): f for f in layer.getFeatures()}


def test_seed001_periods_equal_the_database(jjj):
    from qgis_plugin.processing_provider.map_algorithm import SEED001_PERIODS

    assert tuple(tuple(r) for r in jjj["periods"]) == SEED001_PERIODS


def test_adoption_period_from_a_layer_equals_the_database(plugin, bundled_url, jjj):
    import processing

    units = jjj["units"][["code", "name_zh", "geometry"]].merge(
        jjj["first"][["code", "first_year"]], on="code", how="left"
    )
    units["first_year"] = units["first_year"].astype("Int64")
    layer = memory_layer(units, "prefectures with first year")
    mine = processing.run(
        "policylink:adoptionperiod",
        {
            "UNITS": layer,
            "UNITS_CODE": "code",
            "UNITS_NAME": "name_zh",
            "FIRST_YEAR_FIELD": "first_year",
            "OUTPUT": "memory:",
        },
    )["OUTPUT"]
    ref = processing.run(
        "policylink:adoptionperiod",
        {"DATABASE_URL": bundled_url, "WITHIN": JJJ, "OUTPUT": "memory:"},
    )["OUTPUT"]
    got = {f["code"]: (f["period"], f["first_year"]) for f in mine.getFeatures()}
    want = {f["code"]: (f["period"], f["first_year"]) for f in ref.getFeatures()}
    assert got == want and len(got) == 13
    assert sorted(p for p, _ in got.values()).count("2014-2016") == 8  # seed 001 section 2.3


def test_pilot_batches_paths_and_neighbours_from_a_layer_equal_the_database(
    plugin, bundled_url, jjj
):
    import processing

    pilots = jjj["pilots"][["code", "batch"]].drop_duplicates("code")
    units = jjj["units"][["code", "name_zh", "geometry"]].merge(pilots, on="code", how="left")
    units["batch"] = units["batch"].astype("Int64")
    layer = memory_layer(units, "prefectures with pilot batch")
    common = {"UNITS": layer, "UNITS_CODE": "code", "UNITS_NAME": "name_zh", "BATCH_FIELD": "batch"}
    for alg, key, fields, extra in (
        ("pilotbatches", ("code",), ("batch", "first_year"), {}),
        ("diffusionpaths", ("source", "target"), ("source_year", "target_year", "lag_years"), {}),
        (
            "neighbouradoption",
            ("code", "year"),
            ("treated", "share_treated"),
            {"YEARS": "2010-2018"},
        ),
    ):
        mine = processing.run(f"policylink:{alg}", {**common, **extra, "OUTPUT": "memory:"})
        ref = processing.run(
            f"policylink:{alg}",
            {"DATABASE_URL": bundled_url, "WITHIN": JJJ, **extra, "OUTPUT": "memory:"},
        )
        got = {k: values(f, fields) for k, f in features(mine["OUTPUT"], key).items()}
        want = {k: values(f, fields) for k, f in features(ref["OUTPUT"], key).items()}
        assert got == want, alg
        assert got, alg
    # Batch 1 -> 2011 (Baoding), batch 2 -> 2013 (Beijing, Shijiazhuang): NDRC notices, seed 004.
    first = {f["code"]: f["first_year"] for f in mine_pilots(common)}
    assert first["130600"] == 2011 and first["110100"] == 2013 and first["130100"] == 2013


def mine_pilots(common):
    import processing

    return processing.run("policylink:pilotbatches", {**common, "OUTPUT": "memory:"})[
        "OUTPUT"
    ].getFeatures()


def test_coordination_links_from_a_link_table_equal_the_database(plugin, bundled_url, jjj):
    import processing

    units = memory_layer(jjj["units"][["code", "name_zh", "geometry"]], "prefectures")
    rows = jjj["links"][["event_id", "event_year", "kind", "from_code", "to_code"]].copy()
    rows["event_year"] = rows["event_year"].astype("Int64")
    table = memory_layer(rows, "link rows", geometry=None)
    mine = processing.run(
        "policylink:coordinationlinks",
        {
            "UNITS": units,
            "UNITS_CODE": "code",
            "UNITS_NAME": "name_zh",
            "LINKS": table,
            "LINK_A": "from_code",
            "LINK_B": "to_code",
            "LINK_TYPE": "kind",
            "LINK_YEAR": "event_year",
            "LINK_EVENT": "event_id",
            "OUTPUT": "memory:",
        },
    )
    ref = processing.run(
        "policylink:coordinationlinks",
        {"DATABASE_URL": bundled_url, "WITHIN": JJJ, "OUTPUT": "memory:"},
    )
    fields = ("name_a", "name_b", "n_events", "first_year", "last_year")
    key = ("a", "b", "link_type")
    got = {k: tuple(f[c] for c in fields) for k, f in features(mine["OUTPUT"], key).items()}
    want = {k: tuple(f[c] for c in fields) for k, f in features(ref["OUTPUT"], key).items()}
    assert got == want and len(got) > 10
    assert mine["N_LINKS"] == ref["N_LINKS"]
    # The lines join the same representative points as the database's (ST_PointOnSurface).
    ref_lines = {k: f.geometry() for k, f in features(ref["OUTPUT"], key).items()}
    for k, f in features(mine["OUTPUT"], key).items():
        a, b = f.geometry().asPolyline(), ref_lines[k].asPolyline()
        assert {(round(p.x(), 6), round(p.y(), 6)) for p in a} == {
            (round(p.x(), 6), round(p.y(), 6)) for p in b
        }


def test_layer_mode_mistakes_end_in_one_message(plugin, jjj):
    import processing
    from qgis.core import QgsProcessingException

    layer = memory_layer(jjj["units"][["code", "name_zh", "geometry"]], "no years")
    with pytest.raises(QgsProcessingException, match="FIRST_YEAR_FIELD"):
        processing.run(
            "policylink:adoptionperiod",
            {"UNITS": layer, "UNITS_CODE": "code", "OUTPUT": "memory:"},
        )
    with pytest.raises(QgsProcessingException, match="unit code field"):
        processing.run("policylink:adoptionperiod", {"UNITS": layer, "OUTPUT": "memory:"})
    with pytest.raises(QgsProcessingException, match="link table"):
        processing.run(
            "policylink:coordinationlinks",
            {"UNITS": layer, "UNITS_CODE": "code", "OUTPUT": "memory:"},
        )
