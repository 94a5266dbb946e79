"""Panel ETL (long/wide, CSV/XLSX, encodings, derived variables) and the entropy-weight index."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import psycopg
import pytest

from policylink.errors import InputError
from policylink.etl import derive
from policylink.etl.boundaries import load_cnmaps
from policylink.etl.panels import load_panel
from policylink.etl.validate import detect_encoding, parse_number
from policylink.spatial.indices import entropy_weight_index

# ---------------------------------------------------------------------------------------------
# Formulas against hand-computed values
# ---------------------------------------------------------------------------------------------


def test_co2_ipcc_formula_hand_computed():
    # 100 (10^4 t) coal, 2 (10^8 m3) gas, 5 (10^4 t) fuel oil, seed 000 Table 1 factors:
    # coal 100 * 0.7143 * 0.7559 = 53.993937; gas 2e8 m3 = 2e5 thousand m3 -> 2e5 * 1.33 tce
    # = 26.6 (10^4 tce) * 0.4483 = 11.92478; oil 5 * 1.4286 * 0.6185 = 4.4179455.
    carbon = 53.993937 + 11.92478 + 4.4179455  # 10^4 t C
    expected = carbon * 44 / 12  # 257.90...
    assert derive.co2_emissions(100, 2, 5) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(257.9011, abs=1e-3)
    # intensity: 10^4 t CO2 / 10^8 yuan = t per 10^4 yuan
    assert derive.co2_intensity(257.9011, 500) == pytest.approx(0.5158022)


def test_isu_index_hand_computed():
    # value added (10^8 yuan) 10, 40, 50 (GDP 100); employment (10^4) 20, 20, 25
    # shares .1 .4 .5; productivity .5, 2, 2 (10^4 yuan / person)
    # isu = .1*.5 + .4*2 + .5*2 = 0.05 + 0.8 + 1.0 = 1.85
    assert derive.isu_index([10, 40, 50], [20, 20, 25]) == pytest.approx(1.85)
    both = derive.isu_index(
        np.array([[10, 40, 50], [1, 1, 2]]), np.array([[20, 20, 25], [1, 1, 1]])
    )
    # second: shares .25 .25 .5, productivity 1 1 2 -> .25 + .25 + 1 = 1.5
    assert both == pytest.approx([1.85, 1.5])


def test_entropy_weights_small_worked_example():
    # x1 = 0, 1, 2 -> x' = 0, .5, 1 -> p = 0, 1/3, 2/3 -> e1 = 1 - (2/3) ln2 / ln3
    # x2 = 5, 9, 9 -> x' = 0, 1, 1   -> p = 0, 1/2, 1/2 -> e2 = ln2 / ln3
    df = pd.DataFrame({"x1": [0.0, 1.0, 2.0], "x2": [5.0, 9.0, 9.0]})
    r = entropy_weight_index(df)
    ln2, ln3 = math.log(2), math.log(3)
    e1, e2 = 1 - (2 / 3) * ln2 / ln3, ln2 / ln3
    d1, d2 = 1 - e1, 1 - e2
    w1, w2 = d1 / (d1 + d2), d2 / (d1 + d2)
    assert r.entropy["x1"] == pytest.approx(e1)
    assert r.entropy["x2"] == pytest.approx(e2)
    assert r.weights["x1"] == pytest.approx(w1)
    assert r.weights["x2"] == pytest.approx(w2)
    assert r.scores.tolist() == pytest.approx([0.0, 0.5 * w1 + w2, w1 + w2])
    # a negative indicator reverses its normalisation: x2 negative -> x' = 1, 0, 0, p = 1, 0, 0
    rn = entropy_weight_index(df, negative=["x2"])
    assert rn.entropy["x2"] == pytest.approx(0.0)  # all mass on one row: zero entropy
    assert rn.normalised["x2"].tolist() == [1.0, 0.0, 0.0]
    # invariance to units (scaling/offset of an indicator changes nothing)
    r2 = entropy_weight_index(df.assign(x1=df.x1 * 1000 + 7))
    assert r2.weights.tolist() == pytest.approx(r.weights.tolist())
    with pytest.raises(ValueError, match="constant"):
        entropy_weight_index(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 3.0]}))
    with pytest.raises(ValueError, match="non-finite"):
        entropy_weight_index(pd.DataFrame({"a": [1.0, np.nan, 2.0]}))


def test_number_spellings():
    assert parse_number("1,234.5") == 1234.5
    assert parse_number("１２３") == 123.0  # full-width
    assert parse_number(" 7e3 ") == 7000.0
    for missing in ("", "—", "-", "NA", "/", None, float("nan")):
        assert parse_number(missing) is None
    for bad in ("12%", "1,5", "12 万", "abc", "1,23,4"):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_encoding_detection(tmp_path):
    text = "代码,年份,人口\n130600,2010,1161\n"
    for enc, want in (("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")):
        f = tmp_path / f"{enc}.csv"
        f.write_bytes(text.encode(enc))
        assert detect_encoding(f) == want


# ---------------------------------------------------------------------------------------------
# Loading into PostGIS
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hebei_url(database_copies, clone_migrated):
    """A database with the Hebei/Beijing prefectures (module-scoped to keep the file fast)."""
    name, url = clone_migrated("t_panels_")
    with psycopg.connect(url) as conn:
        load_cnmaps(conn, levels=("prefecture",), within=["130000", "110000"])
        conn.commit()
    yield url
    database_copies.drop(name)


WIDE_ZH = (
    "代码,年份,煤炭消费量,天然气消费量,燃料油消费量,GDP（亿元）,"
    "第一产业增加值,第二产业增加值,第三产业增加值,第一产业从业人员,第二产业从业人员,第三产业从业人员\n"
    "130600,2018,100,2,5,500,10,40,50,20,20,25\n"
    '130100,2018,"1,000",—,5,800,1,1,2,1,1,1\n'
)


def _obs(conn, source):
    return dict(
        ((r[0], r[1], r[2]), r[3])
        for r in conn.execute(
            "SELECT o.unit_code, o.year, o.variable, o.value FROM observation o "
            "JOIN load_batch b ON b.id = o.load_id WHERE b.source = %s",
            (source,),
        )
    )


def test_wide_gbk_csv_with_chinese_headers_and_derived_variables(hebei_url, tmp_path):
    f = tmp_path / "hebei_energy.csv"
    f.write_bytes(WIDE_ZH.encode("gbk"))
    with psycopg.connect(hebei_url) as conn:
        res = load_panel(conn, f, source="test-wide")
        assert res.details["layout"] == "wide"
        assert res.details["missing"] == 1  # the — gas cell
        obs = _obs(conn, "test-wide")
        co2 = 257.9011  # hand-computed in test_co2_ipcc_formula_hand_computed
        assert obs[("130600", 2018, "co2_emissions")] == pytest.approx(co2, abs=1e-3)
        assert obs[("130600", 2018, "co2_intensity")] == pytest.approx(co2 / 500, abs=1e-5)
        assert obs[("130600", 2018, "isu")] == pytest.approx(1.85)
        assert obs[("130100", 2018, "coal_consumption")] == 1000.0  # "1,000"
        # no gas value for 130100: CO2 is not derived from incomplete fuels
        assert ("130100", 2018, "co2_emissions") not in obs
        assert obs[("130100", 2018, "isu")] == pytest.approx(1.5)
        flags = dict(
            conn.execute(
                "SELECT name, is_derived FROM variable WHERE name IN ('isu', 'gdp')"
            ).fetchall()
        )
        assert flags == {"isu": True, "gdp": False}
        conn.rollback()


def test_long_xlsx_round_trip_noop_and_replacement(hebei_url, tmp_path):
    f = tmp_path / "long.xlsx"
    df = pd.DataFrame(
        {
            "code": ["110100", "110100", "130200"],
            "year": [2015, 2016, 2015],
            "variable": ["gdp", "gdp", "人口"],
            "value": [23014.6, 25669.1, 780.1],
        }
    )
    df.to_excel(f, index=False)
    with psycopg.connect(hebei_url) as conn:
        res = load_panel(conn, f, source="test-long")
        assert res.details["layout"] == "long" and res.rows_loaded == 3
        assert _obs(conn, "test-long") == {
            ("110100", 2015, "gdp"): 23014.6,
            ("110100", 2016, "gdp"): 25669.1,
            ("130200", 2015, "population"): 780.1,
        }
        assert load_panel(conn, f, source="test-long").status == "unchanged"
        df.loc[0, "value"] = 23000.0
        df.drop(index=2).to_excel(f, index=False)
        again = load_panel(conn, f, source="test-long")
        assert again.details["replaced"] == 3
        assert _obs(conn, "test-long") == {
            ("110100", 2015, "gdp"): 23000.0,
            ("110100", 2016, "gdp"): 25669.1,
        }
        # the same cells from another source are refused
        g = tmp_path / "other.csv"
        g.write_text("code,year,gdp\n110100,2015,1\n", encoding="utf-8")
        with pytest.raises(InputError, match="already loaded from source 'test-long'"):
            load_panel(conn, g, source="other")
        conn.rollback()


def test_bad_panel_lists_all_problems_and_changes_nothing(hebei_url, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        "code,year,coal_consumption,gdp,urban_rate,mystery\n"
        "130600,2018,-5,100,50,1\n"
        "13060,2018,1,1,1,1\n"
        "130600,1800,1,1,1,1\n"
        "999900,2018,1,1,1,1\n",
        encoding="utf-8",
    )
    with psycopg.connect(hebei_url) as conn:
        before = conn.execute("SELECT count(*) FROM observation").fetchone()[0]
        with pytest.raises(InputError) as ei:
            load_panel(conn, f)
        conn.rollback()
        assert conn.execute("SELECT count(*) FROM observation").fetchone()[0] == before
    assert [p.column for p in ei.value.problems] == ["mystery"]  # header problems first
    f.write_text(
        "code,year,coal_consumption,gdp,urban_rate\n"
        "130600,2018,-5,100,150\n"
        "13060,2018,1,1,1\n"
        "130600,1800,1,1,1\n"
        "130500,2018,1,12%,1\n"
        "130500,2018,1,1,1\n"
        "370200,2018,1,1,1\n",
        encoding="utf-8",
    )
    with psycopg.connect(hebei_url) as conn:
        with pytest.raises(InputError) as ei:
            load_panel(conn, f)
        conn.rollback()
    got = {(p.row, p.column) for p in ei.value.problems}
    assert (1, "coal_consumption") in got  # negative consumption
    assert (1, "urban_rate") in got  # percent above 100
    assert (2, "code") in got  # malformed code
    assert (3, "year") in got  # out-of-range year
    assert (4, "gdp") in got  # '12%'
    assert (5, "coal_consumption") in got  # duplicate unit-year-variable
    assert (6, "code") in got  # unit not loaded (Qingdao)
    assert "bad.csv" in str(ei.value)


def test_empty_and_unreadable_panels(hebei_url, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a spreadsheet")
    with psycopg.connect(hebei_url) as conn:
        with pytest.raises(InputError, match="no data rows"):
            load_panel(conn, empty)
        with pytest.raises(InputError, match="cannot read"):
            load_panel(conn, junk)


def test_wide_by_name_with_province_and_title_row_xlsx(hebei_url, tmp_path):
    # yearbook layout: a title row above the header, units by Chinese name (with province)
    f = tmp_path / "yearbook.xlsx"
    rows = [
        ["2017年河北省部分城市能源消费", None, None, None],
        ["城市", "省份", "年份", "煤炭消费量"],
        ["保定市", "河北", 2017, 1234.5],
        ["唐山", "河北省", 2017, "8,000"],
        [None, None, None, None],
    ]
    pd.DataFrame(rows).to_excel(f, index=False, header=False)
    with psycopg.connect(hebei_url) as conn:
        res = load_panel(conn, f, source="test-names")
        assert res.rows_loaded == 2
        assert _obs(conn, "test-names") == {
            ("130600", 2017, "coal_consumption"): 1234.5,
            ("130200", 2017, "coal_consumption"): 8000.0,
        }
        conn.rollback()
