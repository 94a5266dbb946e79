"""Write the bad-input catalogue files under ``tests/reliability/catalogue/``.

Run ``python tests/reliability/make_catalogue.py`` to regenerate them (the files are committed,
so tests do not depend on this script's output being rebuilt). What each file is meant to
provoke, and the error expected, is listed in ``catalogue.yaml`` beside this script.

Everything here is SYNTHETIC: the unit codes and names are real GB/T 2260 codes (Hebei and
Jiangsu), but the boundaries are made-up rectangles and every number is invented.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

OUT = Path(__file__).resolve().parent / "catalogue"

# -- base boundaries (loaded before every case) --------------------------------------------------
PROVINCES = [
    ("130000", "河北省", box(113.0, 36.0, 120.0, 42.0)),
    ("320000", "江苏省", box(116.0, 30.5, 122.0, 35.5)),
]
PREFECTURES = [
    ("130100", "石家庄市", box(113.5, 37.5, 115.0, 38.5)),
    ("130200", "唐山市", box(117.5, 39.0, 119.0, 40.5)),
    ("130600", "保定市", box(114.5, 38.5, 116.0, 40.0)),
    ("131000", "廊坊市", box(116.0, 39.0, 117.0, 40.5)),
    ("320100", "南京市", box(118.0, 31.0, 119.5, 32.5)),
    ("320300", "徐州市", box(116.5, 33.8, 118.5, 35.0)),
]
COUNTIES = [
    ("130102", "长安区", box(114.4, 38.0, 114.6, 38.2)),
    ("130602", "竞秀区", box(115.3, 38.8, 115.5, 39.0)),
    ("320106", "鼓楼区", box(118.7, 32.0, 118.8, 32.1)),  # 鼓楼区 of 南京市
    (
        "320302",
        "鼓楼区",
        box(117.1, 34.2, 117.2, 34.3),
    ),  # 鼓楼区 of 徐州市: same name, same province
]


def _gdf(rows, code="code", name="name", crs="EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {code: [r[0] for r in rows], name: [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=crs,
    )


def _geojson(path: Path, features: list[dict], crs_name: str | None = None) -> None:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs_name:
        doc["crs"] = {"type": "name", "properties": {"name": crs_name}}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")


def _feature(code, name, geom) -> dict:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name},
        "geometry": None if geom is None else json.loads(shapely.to_geojson(geom)),
    }


def write_base(out: Path) -> None:
    """Base boundaries at three levels (GeoJSON, WGS 84)."""
    d = out / "base"
    d.mkdir(parents=True, exist_ok=True)
    for level, rows in (("province", PROVINCES), ("prefecture", PREFECTURES), ("county", COUNTIES)):
        _gdf(rows).to_file(d / f"synthetic_{level}.geojson", driver="GeoJSON")


def write_boundaries(out: Path) -> None:
    """Bad (and some legal but tricky) boundary files."""
    d = out / "boundaries"
    d.mkdir(parents=True, exist_ok=True)
    tangshan = box(117.5, 39.0, 119.0, 40.5)
    # shapefile without .prj
    shp = d / "no_prj" / "counties.shp"
    shp.parent.mkdir(exist_ok=True)
    _gdf([("130203", "路北区", box(118.1, 39.6, 118.2, 39.7))]).to_file(shp)
    shp.with_suffix(".prj").unlink()
    # GeoJSON in metres (web mercator) while GeoJSON means WGS 84 degrees: a wrong CRS claim
    merc = gpd.GeoSeries([tangshan], crs="EPSG:4326").to_crs("EPSG:3857").iloc[0]
    _geojson(d / "wrong_crs_metres_as_degrees.geojson", [_feature("130200", "唐山市", merc)])
    # a GeoJSON that claims EPSG:3857 although its coordinates are degrees
    _geojson(
        d / "wrong_crs_degrees_claimed_3857.geojson",
        [_feature("130200", "唐山市", tangshan)],
        crs_name="urn:ogc:def:crs:EPSG::3857",
    )
    bowtie = Polygon([(118.1, 39.6), (118.3, 39.8), (118.3, 39.6), (118.1, 39.8), (118.1, 39.6)])
    _geojson(d / "self_intersecting_bowtie.geojson", [_feature("130203", "路北区", bowtie)])
    _geojson(
        d / "empty_geometry.geojson",
        [
            _feature("130203", "路北区", box(118.1, 39.6, 118.2, 39.7)),
            _feature("130204", "古冶区", Polygon()),
        ],
    )
    _geojson(d / "null_geometry.geojson", [_feature("130203", "路北区", None)])
    _geojson(
        d / "points_not_polygons.geojson", [_feature("130203", "路北区", Point(118.15, 39.65))]
    )
    _geojson(
        d / "lines_not_polygons.geojson",
        [_feature("130203", "路北区", LineString([(118.1, 39.6), (118.2, 39.7)]))],
    )
    sq = box(118.1, 39.6, 118.2, 39.7)
    _geojson(
        d / "duplicate_codes.geojson",
        [
            _feature("130203", "路北区", sq),
            _feature("130203", "路南区", box(118.2, 39.6, 118.3, 39.7)),
        ],
    )
    feats = [_feature("130203", "路北区", sq)]
    feats[0]["properties"] = {"adcode": "130203", "name": "路北区"}
    _geojson(d / "missing_code_field.geojson", feats)
    _geojson(d / "malformed_code.geojson", [_feature("13O203", "路北区", sq)])
    _geojson(d / "unknown_province_prefix.geojson", [_feature("990203", "无此区", sq)])
    _geojson(d / "province_code_at_county_level.geojson", [_feature("130000", "河北省", sq)])
    _geojson(d / "empty_name.geojson", [_feature("130203", "  ", sq)])
    (d / "empty_file.geojson").write_bytes(b"")
    _geojson(d / "no_features.geojson", [])
    (d / "not_geojson.geojson").write_text("code,name\n130203,路北区\n", encoding="utf-8")
    # legal: SQL-injection strings are data, stored verbatim
    _geojson(
        d / "injection_in_name.geojson",
        [_feature("130203", "路北区'); DROP TABLE admin_unit; --", sq)],
    )
    _geojson(d / "x'; DROP TABLE admin_unit; --.geojson", [_feature("130203", "路北区", sq)])
    # legal: shapefile with GBK-encoded attributes declared in a .cpg file
    gbk = d / "gbk_shapefile" / "counties.shp"
    gbk.parent.mkdir(exist_ok=True)
    _gdf([("130203", "路北区", sq)]).to_file(gbk, encoding="GBK")
    # legal: a GeoPackage in a projected CRS (China Albers): must be reprojected on load
    albers = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +datum=WGS84 +units=m +no_defs"
    _gdf([("130203", "路北区", sq)]).to_crs(albers).to_file(d / "albers.gpkg", driver="GPKG")
    # legal: a MultiPolygon with an island part
    _geojson(
        d / "multipolygon_with_island.geojson",
        [_feature("130203", "路北区", MultiPolygon([sq, box(118.25, 39.6, 118.3, 39.65)]))],
    )


def _event(**kw) -> dict:
    ev = {
        "id": "rel-e1",
        "date": "2012-11-29",
        "title_zh": "合成测试事件",
        "level": "provincial",
        "kind": "coordination_agreement",
        "source": "SYNTHETIC reliability catalogue",
        "participants": [{"code": "130100", "role": "party"}, {"code": "130200", "role": "party"}],
    }
    ev.update(kw)
    return ev


def _yaml(path: Path, events: list[dict]) -> None:
    import yaml

    text = yaml.safe_dump({"events": events}, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


EVENT_COLUMNS = [
    "event_id",
    "date",
    "title_zh",
    "level",
    "kind",
    "source",
    "participant_code",
    "participant_name",
    "participant_province",
    "role",
]


def _event_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", columns=None) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns or EVENT_COLUMNS)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def write_events(out: Path) -> None:
    """Bad (and some legal but tricky) policy-event files (YAML and CSV)."""
    d = out / "events"
    d.mkdir(parents=True, exist_ok=True)
    src = "SYNTHETIC reliability catalogue"
    _yaml(d / "date_chinese_month.yaml", [_event(date="2012年11月")])
    _yaml(d / "date_impossible.yaml", [_event(date="2012-13-40")])
    _yaml(d / "date_year_1850.yaml", [_event(date="1850-01-01")])
    _yaml(d / "unknown_role.yaml", [_event(participants=[{"code": "130100", "role": "observer"}])])
    _yaml(
        d / "unresolvable_name.yaml",
        [_event(participants=[{"name": "不存在市", "province": "河北", "role": "party"}])],
    )
    _yaml(
        d / "ambiguous_name.yaml",
        [_event(participants=[{"name": "鼓楼区", "province": "江苏", "role": "party"}])],
    )
    _yaml(
        d / "injection_in_participant_name.yaml",
        [_event(participants=[{"name": "石家庄市' OR '1'='1", "role": "party"}])],
    )
    _yaml(
        d / "injection_in_title.yaml",
        [_event(title_zh="测试'); DELETE FROM policy_event; --")],
    )
    ev = _event()
    del ev["source"]
    _yaml(d / "missing_source.yaml", [ev])
    _yaml(d / "unknown_kind.yaml", [_event(kind="cooperation")])
    _yaml(d / "unknown_level.yaml", [_event(level="city")])
    _yaml(d / "duplicate_event_id.yaml", [_event(), _event(title_zh="另一个事件")])
    _yaml(d / "bad_event_id.yaml", [_event(id="rel e1; DROP TABLE policy_event")])
    _yaml(d / "misspelt_field.yaml", [{**_event(), "tittle_en": "typo"}])
    _yaml(
        d / "malformed_participant_code.yaml",
        [_event(participants=[{"code": "1301", "role": "party"}])],
    )
    _yaml(
        d / "participant_not_loaded.yaml",
        [_event(participants=[{"code": "130300", "role": "party"}])],  # 秦皇岛: not in the base
    )
    _yaml(
        d / "participant_code_name_mismatch.yaml",
        [_event(participants=[{"code": "130100", "name": "唐山", "role": "party"}])],
    )
    (d / "malformed.yaml").write_text(
        "events:\n  - id: rel-e1\n    date: [2012\n", encoding="utf-8"
    )
    (d / "empty.yaml").write_bytes(b"")
    (d / "events.docx").write_bytes(b"PK\x03\x04 not an events file")
    row = ["rel-e1", "2012年11月", "京津冀合成协议", "regional", "coordination_agreement", src]
    _event_csv(
        d / "gbk_chinese.csv",
        [row + ["", "石家庄", "河北", "party"], row + ["", "保定市", "河北省", "party"]],
        encoding="gbk",
    )
    raw = (",".join(EVENT_COLUMNS) + "\n").encode() + b"rel-e1,2012-11-29,\xff\xfe\x80 title,"
    raw += b"regional,coordination_agreement,x,130100,,,party\n"
    (d / "undecodable.csv").write_bytes(raw)
    _event_csv(
        d / "missing_kind_column.csv",
        [["rel-e1", "2012-11-29", "合成", "regional", src, "130100", "", "", "party"]],
        columns=[c for c in EVENT_COLUMNS if c != "kind"],
    )
    _event_csv(
        d / "inconsistent_rows.csv",
        [
            row + ["130100", "", "", "party"],
            ["rel-e1", "2012年11月", "别的标题", *row[3:], "130200", "", "", "party"],
        ],
    )
    _event_csv(d / "role_without_participant.csv", [row + ["", "", "", "party"]])
    _event_csv(d / "header_only.csv", [])


def _panel_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


LONG = ["code", "year", "variable", "value"]


def write_panels(out: Path) -> None:
    """Bad (and some legal but tricky) panel files (CSV and XLSX). All numbers are invented."""
    from openpyxl import Workbook

    d = out / "panel"
    d.mkdir(parents=True, exist_ok=True)
    ok_rows = [
        ["130100", 2010, "coal_consumption", "120.5"],
        ["130200", 2010, "coal_consumption", "300"],
    ]
    # legal: GBK wide file with Chinese headers (catalogue labels) and full-width digits
    _panel_csv(
        d / "gbk_chinese_headers.csv",
        ["代码", "年份", "煤炭消费量", "地区生产总值"],
        [["130100", "2010", "120.5", "3401"], ["130200", "2010", "３００", "4469"]],
        encoding="gbk",
    )
    (d / "utf8_bom_long.csv").write_bytes(
        b"\xef\xbb\xbf" + b"code,year,variable,value\n130100,2010,gdp,3401\n"
    )
    raw = b"code,year,variable,value\n130100,2010,gdp," + b"\xff\xfe\x80\x81\n"
    (d / "undecodable.csv").write_bytes(raw)
    _panel_csv(
        d / "missing_year_column.csv", ["code", "variable", "value"], [["130100", "gdp", "1"]]
    )
    _panel_csv(d / "missing_unit_column.csv", ["year", "variable", "value"], [[2010, "gdp", "1"]])
    _panel_csv(d / "malformed_code.csv", LONG, [ok_rows[0], ["13010", 2010, "gdp", "1"]])
    _panel_csv(d / "unknown_code.csv", LONG, [["999999", 2010, "gdp", "1"]])
    _panel_csv(d / "unit_not_in_boundaries.csv", LONG, [["130300", 2010, "gdp", "1"]])  # 秦皇岛
    _panel_csv(
        d / "duplicate_unit_year.csv",
        LONG,
        [ok_rows[0], ok_rows[1], ["130100", 2010, "coal_consumption", "121"]],
    )
    _panel_csv(d / "text_in_numeric.csv", LONG, [ok_rows[0], ["130200", 2010, "gdp", "abc"]])
    _panel_csv(
        d / "blank_and_dash_missing.csv",
        ["code", "year", "coal_consumption", "gdp"],
        [["130100", 2010, "", "3401"], ["130200", 2010, "—", "4469"]],
    )
    _panel_csv(d / "thousands_separator.csv", LONG, [["130100", 2010, "gdp", "1,234"]])
    _panel_csv(d / "percent_sign.csv", LONG, [["130100", 2010, "urban_rate", "12%"]])
    _panel_csv(d / "year_1850.csv", LONG, [["130100", 1850, "gdp", "1"]])
    _panel_csv(d / "year_with_suffix.csv", LONG, [["130100", "2010年", "gdp", "1"]])
    _panel_csv(
        d / "negative_consumption.csv",
        LONG,
        [ok_rows[0], ["130200", 2010, "coal_consumption", "-5"]],
    )
    _panel_csv(d / "rate_above_100.csv", LONG, [["130100", 2010, "urban_rate", "112"]])
    _panel_csv(d / "infinite_value.csv", LONG, [["130100", 2010, "gdp", "inf"]])
    (d / "empty.csv").write_bytes(b"")
    _panel_csv(d / "header_only.csv", LONG, [])
    _panel_csv(
        d / "injection_in_variable.csv",
        LONG,
        [["130100", 2010, "gdp'); DROP TABLE observation; --", "1"]],
    )
    _panel_csv(
        d / "injection_in_header.csv",
        ["code", "year", "gdp; DROP TABLE observation"],
        [["130100", 2010, "1"]],
    )
    _panel_csv(
        d / "panel'; DROP TABLE observation; --.csv", LONG, [["130100", 2010, "gdp", "3401"]]
    )
    _panel_csv(d / "unknown_variable_column.csv", ["code", "year", "碳汇"], [["130100", 2010, "1"]])
    _panel_csv(
        d / "ambiguous_unit_name.csv",
        ["城市", "省份", "年份", "gdp"],
        [["鼓楼区", "江苏", 2010, "1"]],
    )
    (d / "panel.json").write_text('{"code": "130100"}', encoding="utf-8")
    # XLSX: a merged title row above the real header (a typical yearbook export)
    wb = Workbook()
    ws = wb.active
    ws.append(["2010年河北省部分城市能源消费（合成数据）", None, None, None])
    ws.merge_cells("A1:D1")
    ws.append(["代码", "年份", "煤炭消费量", "地区生产总值"])
    ws.append(["130100", 2010, 120.5, 3401])
    ws.append(["130200", 2010, 300, 4469])
    wb.save(d / "merged_title_row.xlsx")
    # XLSX: a plain wide sheet with numbers stored as numbers (legal)
    wb = Workbook()
    ws = wb.active
    ws.append(["code", "year", "coal_consumption", "gdp"])
    ws.append([130100, 2010, 120.5, 3401])
    ws.append([130200, 2010, 300, 4469])
    wb.save(d / "plain_wide.xlsx")


def write_edges(out: Path) -> None:
    """Inputs at the edges (issue 17): NUL characters, numbers beyond a double, hostile YAML,
    8-bit files that are neither UTF-8 nor GBK, workbooks and GeoPackages without a choice,
    formulas without saved values, oversized sheets, catalogues in a bad encoding."""
    from openpyxl import Workbook

    d = out / "panel"
    d.mkdir(parents=True, exist_ok=True)
    (d / "nul_in_cell.csv").write_bytes(b"code,year,variable,value\n130100,2010,gdp,12\x00 34\n")
    _panel_csv(d / "number_overflows_double.csv", LONG, [["130100", 2010, "gdp", "1e999"]])
    _panel_csv(
        d / "derived_co2_overflows.csv",
        ["code", "year", "coal_consumption", "natural_gas_consumption", "fuel_oil_consumption"],
        [["130100", 2010, "1e308", "1", "1"]],
    )
    # 8-bit files that GB18030 would decode into garbage (bytes valid as GBK pairs)
    (d / "latin1.csv").write_bytes(
        "code,year,variable,value\n130100,2010,Bevölkerung,1\n".encode("latin-1")
    )
    (d / "cp1252.csv").write_bytes(
        "code,year,variable,value\n130100,2010,gdp–total,1\n".encode("cp1252")
    )
    (d / "shift_jis.csv").write_bytes(
        "code,year,variable,value\n130100,2010,東京都,1\n".encode("shift_jis")
    )
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(["code", "year", "coal_consumption", "gdp"])
    ws.append([130100, 2010, 120.5, 3401])
    notes = wb.create_sheet("notes")
    notes.append(["SYNTHETIC reliability catalogue"])
    wb.save(d / "two_sheets.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append(["code", "year", "coal_consumption", "gdp"])
    ws.append([130100, 2010, 120.5, "=C2*28"])  # openpyxl saves no computed value
    wb.save(d / "formula_without_value.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append(["code", "year", "coal_consumption", "gdp"])
    ws.append([130100, 2010, 120.5, 3401])
    ws["XFD1048576"] = 1  # one stray value in the last cell of the sheet
    wb.save(d / "value_in_last_cell.xlsx")

    d = out / "variables"
    d.mkdir(parents=True, exist_ok=True)
    (d / "shift_jis_catalogue.csv").write_bytes(
        "name,label_zh,unit\ncarbon_sink,炭素吸収,万トン\n".encode("shift_jis")
    )

    d = out / "events"
    d.mkdir(parents=True, exist_ok=True)
    bomb = ["lol0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    (d / "alias_bomb.yaml").write_text("\n".join(bomb) + "\nevents: []\n", encoding="utf-8")
    (d / "deep_nesting.yaml").write_text(
        "events: " + "[" * 10000 + "]" * 10000 + "\n", encoding="utf-8"
    )
    text = _yaml_text([_event()])
    yaml_text = text.replace(
        "  date: '2012-11-29'\n", "  date: '2012-11-29'\n  date: '2013-01-01'\n"
    )
    assert yaml_text != text
    (d / "duplicate_key.yaml").write_text(yaml_text, encoding="utf-8")
    (d / "nul_escape.yaml").write_text(
        _yaml_text([_event(title_zh="合成\x00事件")]), encoding="utf-8"
    )
    row = ["rel-e1", "2012-11-29", "合成\x00事件", "regional", "coordination_agreement", "x"]
    _event_csv(d / "nul_in_cell.csv", [row + ["130100", "", "", "party"]])

    d = out / "boundaries"
    d.mkdir(parents=True, exist_ok=True)
    sq = box(118.1, 39.6, 118.2, 39.7)
    gpkg = d / "two_layers.gpkg"
    _gdf([("130203", "路北区", sq)]).to_file(gpkg, layer="counties", driver="GPKG")
    _gdf([("130204", "古冶区", box(118.2, 39.6, 118.3, 39.7))]).to_file(
        gpkg, layer="draft", driver="GPKG"
    )
    _geojson(d / "nul_in_name.geojson", [_feature("130203", "路北\x00区", sq)])


def _yaml_text(events: list[dict]) -> str:
    import yaml

    return yaml.safe_dump({"events": events}, allow_unicode=True, sort_keys=False)


def main() -> None:
    """Regenerate every catalogue file."""
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    write_base(OUT)
    write_boundaries(OUT)
    write_events(OUT)
    write_panels(OUT)
    write_edges(OUT)


if __name__ == "__main__":
    main()
