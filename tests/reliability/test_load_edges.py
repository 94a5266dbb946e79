"""Load rules at the edges (issue 17): what the catalogue cannot show in one command.

The catalogue (``catalogue.yaml``) runs one ``policylink load`` per bad file. Here: re-loads
that differ only in their options (``--layer``, ``--sheet``, ``--gcj02``) must load; a command
on a never-initialised database creates the schema first; the encoding rule on real GBK and on
Latin-1 / CP1252 / Shift-JIS / Big5 samples; numbers and derived values beyond a double; NUL
characters in the files the catalogue has no command for (attributes, an extra catalogue);
workbooks whose declared size lies, and formulas *with* a saved value (which must load). Every
refusal is checked as the catalogue does: exit code 2, a problem line naming file, row and
column, no traceback, and a database identical to before.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from dbsnapshot import failed_batches, snapshot
from harness import run_cli
from test_catalogue import parse_problems

from policylink.errors import InputError
from policylink.etl.boundaries import load_boundary_file
from policylink.etl.panels import MAX_SHEET_COLUMNS, derive_observations, read_table
from policylink.etl.validate import detect_encoding, parse_number

HERE = Path(__file__).resolve().parent
CAT = HERE / "catalogue"


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def url(database_copies, catalogue_base) -> Iterator[str]:
    """A fresh copy of the base for one test."""
    name, url = database_copies.clone(catalogue_base, "edges_")
    yield url
    database_copies.drop(name)


def cli(args: list[str], url: str, monkeypatch, capsys) -> tuple[int, str, str]:
    """Run ``policylink ARGS`` in-process on ``url``; return exit code, stdout, stderr."""
    from policylink.cli import main

    monkeypatch.setenv("DATABASE_URL", url)
    rc = main([str(a) for a in args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def assert_refused(url, before, failed, rc, err, file, row, column, message) -> None:
    """Exit 2, a problem at (file, row, column) matching ``message``, database unchanged."""
    assert rc == 2, err
    assert "Traceback" not in err
    hits = [
        p
        for p in parse_problems(err)
        if (p["file"], p["row"], p["column"]) == (file, row, column)
        and re.search(message, p["message"], re.IGNORECASE)
    ]
    assert hits, f"expected {(file, row, column)} /{message}/ in:\n{err}"
    diff = before.diff(snapshot(url))
    assert not diff, "the database changed:\n" + "\n".join(diff)
    assert failed_batches(url) == failed + 1


def statuses(url: str, kind: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT status FROM load_batch WHERE kind = %s ORDER BY id", (kind,)
        ).fetchall()
    return [r[0] for r in rows]


# ------------------------------------------------------------- "unchanged" = content + options


def test_other_layer_of_the_same_geopackage_loads(url, monkeypatch, capsys):
    gpkg = CAT / "boundaries" / "two_layers.gpkg"
    base = ["load", "boundaries", gpkg, "--level", "county", "--code-field", "code"]
    base += ["--name-field", "name"]
    assert cli([*base, "--layer", "counties"], url, monkeypatch, capsys)[0] == 0
    assert cli([*base, "--layer", "counties"], url, monkeypatch, capsys)[0] == 0
    assert cli([*base, "--layer", "draft"], url, monkeypatch, capsys)[0] == 0
    assert statuses(url, "boundaries")[-3:] == ["replaced", "unchanged", "done"]
    with psycopg.connect(url) as conn:
        got = dict(
            conn.execute(
                "SELECT code, name_zh FROM admin_unit WHERE code IN ('130203', '130204')"
            ).fetchall()
        )
        opts = conn.execute("SELECT options FROM load_batch ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert got == {"130203": "路北区", "130204": "古冶区"}
    assert opts["layer"] == "draft" and opts["level"] == "county"


def test_gcj02_reload_of_the_same_file_loads(url, monkeypatch, capsys):
    f = CAT / "boundaries" / "multipolygon_with_island.geojson"
    base = ["load", "boundaries", f, "--level", "county", "--code-field", "code"]
    base += ["--name-field", "name"]

    def centroid() -> tuple[float, float]:
        with psycopg.connect(url) as conn:
            return conn.execute(
                "SELECT ST_X(ST_Centroid(geom)), ST_Y(ST_Centroid(geom)) FROM admin_unit "
                "WHERE code = '130203'"
            ).fetchone()

    assert cli(base, url, monkeypatch, capsys)[0] == 0
    wgs = centroid()
    assert cli([*base, "--gcj02"], url, monkeypatch, capsys)[0] == 0
    gcj = centroid()
    assert statuses(url, "boundaries")[-2:] == ["replaced", "done"]
    # GCJ-02 -> WGS 84 moves points in Hebei by some hundred metres (about 0.006 deg)
    assert 0.001 < abs(gcj[0] - wgs[0]) < 0.02 and 0.0005 < abs(gcj[1] - wgs[1]) < 0.02
    assert cli([*base, "--gcj02"], url, monkeypatch, capsys)[0] == 0
    assert statuses(url, "boundaries")[-1] == "unchanged"


def _two_data_sheets(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    for title, value in (("y2010", 3401), ("y2011", 3900)):
        ws = wb.active if title == "y2010" else wb.create_sheet(title)
        ws.title = title
        ws.append(["code", "year", "gdp"])
        ws.append([130100, int(title[1:]), value])
    wb.save(path)


def test_other_sheet_of_the_same_workbook_loads(url, tmp_path, monkeypatch, capsys):
    f = tmp_path / "two_years.xlsx"
    _two_data_sheets(f)
    for sheet in ("y2010", "y2010", "y2011"):
        rc, _, err = cli(["load", "panel", f, "--sheet", sheet], url, monkeypatch, capsys)
        assert rc == 0, err
    assert statuses(url, "panel") == ["replaced", "unchanged", "done"]
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT year, value FROM observation WHERE variable = 'gdp'").fetchall()
    assert rows == [(2011, 3900.0)]  # the second sheet replaced the first (same source)


def test_several_sheets_without_a_choice_lists_them(url, tmp_path, monkeypatch, capsys):
    f = tmp_path / "two_years.xlsx"
    _two_data_sheets(f)
    before, failed = snapshot(url), failed_batches(url)
    rc, _, err = cli(["load", "panel", f], url, monkeypatch, capsys)
    assert_refused(
        url, before, failed, rc, err, f.name, None, None, r"2 sheets \('y2010', 'y2011'\)"
    )


# --------------------------------------------------------------------------- schema first


def test_load_bundled_on_a_never_initialised_database(make_db, monkeypatch, capsys):
    url = make_db(migrated=False)
    rc, _, err = cli(["load", "history"], url, monkeypatch, capsys)
    assert rc == 0, err
    rc, _, err = cli(
        ["load", "bundled", "--parts", "provinces,catalogue"], url, monkeypatch, capsys
    )
    assert rc == 0, err
    assert "does not exist" not in err
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM admin_unit").fetchone()[0] == 34
        assert conn.execute("SELECT count(*) FROM variable").fetchone()[0] > 10


def test_load_panel_as_a_process_on_a_never_initialised_database(make_db):
    url = make_db(migrated=False)
    res = run_cli(["load", "panel", CAT / "panel" / "utf8_bom_long.csv"], url)
    # the schema is created, then the panel is refused because its unit is not loaded
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "does not exist" not in res.stderr
    assert "unit not in admin_unit" in res.stderr


# ------------------------------------------------------------------------------- encodings

GBK_SAMPLES = {
    "names": "代码,名称,年份,人口\n130100,石家庄市,2010,1016\n420505,猇亭区,2010,6\n",
    "one_rare_name": "猇亭区",
    "rare_names": "埇桥区,深水埗区,湾沚区,浉河区,瀍河回族区,猇亭区,硚口区,鄠邑区\n",
    "punctuation": "地区生产总值（亿元）,增长率％,“低碳”试点：第①批、二〇一〇年\n",
    "traditional": "臺北市,這是繁體中文\n",
}

NOT_GBK_SAMPLES = {
    "latin1": ("name,value\nMünchen,12\nZürich,3\n", "latin-1"),
    "latin1_word": ("code,year,variable,value\n130100,2010,Straße,1\n", "latin-1"),
    "cp1252": ("gdp–total,“quoted”x\n", "cp1252"),
    "shift_jis": ("コード,年\n東京,2010\n", "shift_jis"),
    "shift_jis_text": (
        "東京都,大阪府,名古屋市,ひらがな,カタカナ,日本語のテキストです。\n",
        "shift_jis",
    ),
    "big5": ("臺北市,高雄市,新竹縣,這是繁體中文的文字,資料\n", "big5"),
}


@pytest.mark.parametrize("name", sorted(GBK_SAMPLES))
def test_real_gbk_is_read_as_gbk(name, tmp_path):
    f = tmp_path / f"{name}.csv"
    f.write_bytes(GBK_SAMPLES[name].encode("gbk"))
    assert detect_encoding(f) == "gb18030"
    assert f.read_text(encoding="gb18030") == GBK_SAMPLES[name]


def test_bundled_files_saved_as_gbk_are_read_as_gbk(tmp_path):
    from policylink.paths import DATA_DIR

    n = 0
    for src in sorted(DATA_DIR.rglob("*.csv")) + sorted(DATA_DIR.rglob("*.yaml")):
        text = src.read_text(encoding="utf-8")
        if text.isascii():
            continue
        f = tmp_path / src.name
        f.write_bytes(text.encode("gb18030"))
        assert detect_encoding(f) == "gb18030", src.name
        n += 1
    assert n >= 5


@pytest.mark.parametrize("name", sorted(NOT_GBK_SAMPLES))
def test_other_8bit_encodings_are_refused(name, tmp_path):
    text, enc = NOT_GBK_SAMPLES[name]
    f = tmp_path / f"{name}.csv"
    f.write_bytes(text.encode(enc))
    with pytest.raises(ValueError, match="re-save it as UTF-8"):
        detect_encoding(f)


def test_extra_catalogue_in_a_bad_encoding_is_an_input_error(url, tmp_path, monkeypatch, capsys):
    cat = tmp_path / "extra_vars.csv"
    cat.write_bytes("name,label_zh\ncarbon_sink,炭素吸収量\n".encode("shift_jis"))
    before, failed = snapshot(url), failed_batches(url)
    args = ["load", "panel", CAT / "panel" / "utf8_bom_long.csv", "--catalogue", cat]
    rc, _, err = cli(args, url, monkeypatch, capsys)
    assert_refused(url, before, failed, rc, err, cat.name, None, None, "not UTF-8.*garbled")


# ---------------------------------------------------------------- numbers beyond a double


def test_numbers_beyond_a_double_are_refused():
    for text in ("1e999", "-1e999", "1.8e308", "１e９９９"):
        with pytest.raises(ValueError, match="range of a double"):
            parse_number(text)
    assert parse_number("1.7e308") == 1.7e308


def test_a_year_beyond_a_double_is_a_problem_not_a_traceback(url, tmp_path, monkeypatch, capsys):
    f = tmp_path / "year_overflow.csv"
    f.write_text("code,year,variable,value\n130100,1e999,gdp,1\n", encoding="utf-8")
    before, failed = snapshot(url), failed_batches(url)
    rc, _, err = cli(["load", "panel", f], url, monkeypatch, capsys)
    assert_refused(url, before, failed, rc, err, f.name, 1, "year", "not a year")


def test_derived_intensity_overflow_points_at_the_denominator():
    from policylink.etl.batch import ProblemList
    from policylink.etl.panels import _Obs

    obs = [
        _Obs("130100", 2010, "co2_emissions", 1e300, 1, "co2_emissions"),
        _Obs("130100", 2010, "gdp", 1e-300, 1, "gdp"),
        _Obs("130200", 2010, "co2_emissions", 10.0, 2, "co2_emissions"),
        _Obs("130200", 2010, "gdp", 5.0, 2, "gdp"),
    ]
    probs = ProblemList("p.csv")
    out = derive_observations(obs, probs)
    assert out == [("130200", 2010, "co2_intensity", 2.0)]
    (p,) = probs.problems
    assert (p.row, p.column) == (1, "gdp") and "co2_intensity" in p.message


# -------------------------------------------------------------------------------- NUL bytes


def test_nul_in_an_attributes_file(url, tmp_path, monkeypatch, capsys):
    f = tmp_path / "classes.csv"
    f.write_bytes(b"code,scheme,value\n130100,resource,mature\n130200,resource,gro\x00wing\n")
    before, failed = snapshot(url), failed_batches(url)
    rc, _, err = cli(["load", "attributes", f], url, monkeypatch, capsys)
    assert_refused(url, before, failed, rc, err, f.name, 2, "value", "NUL character")


def test_nul_in_a_catalogue_file(url, tmp_path, monkeypatch, capsys):
    f = tmp_path / "vars.csv"
    f.write_bytes(b"name,label_zh,unit\ncarbon_sink,\xe7\xa2\xb3\x00\xe6\xb1\x87,10^4 t\n")
    before, failed = snapshot(url), failed_batches(url)
    rc, _, err = cli(["load", "catalogue", f], url, monkeypatch, capsys)
    assert_refused(url, before, failed, rc, err, f.name, 1, "label_zh", "NUL character")


def test_utf16_without_bom_is_refused_for_its_nuls(url, tmp_path, monkeypatch, capsys):
    f = tmp_path / "utf16.csv"
    f.write_bytes("code,year,variable,value\n130100,2010,gdp,1\n".encode("utf-16-le"))
    before, failed = snapshot(url), failed_batches(url)
    rc, _, err = cli(["load", "panel", f], url, monkeypatch, capsys)
    assert rc == 2 and "Traceback" not in err
    assert "NUL" in err and "UTF-16" in err
    assert not before.diff(snapshot(url)) and failed_batches(url) == failed + 1


# ------------------------------------------------------------------------------ workbooks


def _patch_sheet(path: Path, out: Path, old: str, new: str) -> None:
    """Copy an XLSX, replacing ``old`` by ``new`` in its first worksheet's XML."""
    zin = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                assert old in text, text[:500]
                data = text.replace(old, new).encode("utf-8")
            zout.writestr(item, data)
    out.write_bytes(buf.getvalue())


def test_formula_with_a_saved_value_loads(url, tmp_path, monkeypatch, capsys):
    f = tmp_path / "computed.xlsx"
    _patch_sheet(
        CAT / "panel" / "formula_without_value.xlsx",
        f,
        "<f>C2*28</f><v></v>",
        "<f>C2*28</f><v>3374</v>",
    )
    rc, _, err = cli(["load", "panel", f], url, monkeypatch, capsys)
    assert rc == 0, err
    with psycopg.connect(url) as conn:
        got = conn.execute("SELECT value FROM observation WHERE variable = 'gdp'").fetchone()
    assert got == (3374.0,)


def test_a_sheet_whose_declared_size_lies_is_still_bounded(tmp_path):
    f = tmp_path / "lying_dimension.xlsx"
    _patch_sheet(
        CAT / "panel" / "value_in_last_cell.xlsx",
        f,
        '<dimension ref="A1:XFD1048576"/>',
        '<dimension ref="A1:D2"/>',
    )
    with pytest.raises(ValueError, match=f"{MAX_SHEET_COLUMNS:,} columns"):
        read_table(f)


def test_stray_value_is_not_read_into_memory_when_sheet_is_refused(tmp_path):
    # the refusal is decided from the declared size, before any row is read
    f = tmp_path / "copy.xlsx"
    shutil.copy(CAT / "panel" / "value_in_last_cell.xlsx", f)
    with pytest.raises(ValueError, match="A1:XFD1048576"):
        read_table(f)


# ------------------------------------------------------------------------------------- YAML


def test_hostile_yaml_as_a_separate_process(url):
    """The alias bomb and the deep nesting through a real ``policylink`` process."""
    for name, message in (
        ("alias_bomb.yaml", "aliases"),
        ("deep_nesting.yaml", "nested more than 20 levels"),
    ):
        before, failed = snapshot(url), failed_batches(url)
        res = run_cli(["load", "events", str(CAT / "events" / name)], url, timeout=120)
        assert res.returncode == 2, res.stderr
        assert "Traceback" not in res.stderr and "Error:" not in res.stderr
        assert message in res.stderr
        assert not before.diff(snapshot(url)) and failed_batches(url) == failed + 1


def test_yaml_with_an_unhashable_key_is_a_problem(tmp_path):
    from policylink.etl.events import read_event_records

    f = tmp_path / "weird.yaml"
    f.write_text("events:\n  - ? [a, b]\n    : 1\n", encoding="utf-8")
    records, probs = read_event_records(f)
    assert records == [] and "unhashable" in str(probs.problems[0])


def test_input_error_is_raised_for_several_layers_through_the_api(url, tmp_path):
    with psycopg.connect(url) as conn, pytest.raises(InputError, match="choose one with --layer"):
        load_boundary_file(
            conn,
            CAT / "boundaries" / "two_layers.gpkg",
            level="county",
            code_field="code",
            name_field="name",
        )
