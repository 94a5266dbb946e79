"""``policylink.dbread`` readers of the variable catalogue and of unit classifications.

A throwaway database gets one SYNTHETIC province with two prefectures and one county, two
attribute schemes and three catalogue rows; the readers must return exactly what was inserted.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from policylink import dbread
from policylink.errors import ConfigError


def _square(x: int) -> str:
    return f"MULTIPOLYGON((({x} 0,{x + 1} 0,{x + 1} 1,{x} 1,{x} 0)))"


@pytest.fixture
def url(make_db: Callable[..., str]) -> str:
    url = make_db()
    units = [
        ("410000", "province", None, 0),
        ("410100", "prefecture", "410000", 1),
        ("410200", "prefecture", "410000", 2),
        ("410102", "county", "410100", 3),
        ("420000", "province", None, 4),
        ("420100", "prefecture", "420000", 5),
    ]
    attrs = [
        ("410100", "region", "central"),
        ("410200", "region", "central"),
        ("420100", "region", "east"),
        ("410100", "city_size", "large"),
        ("410102", "region", "central-county"),
    ]
    with psycopg.connect(url) as conn:
        for code, level, parent, x in units:
            conn.execute(
                "INSERT INTO admin_unit (code, name_zh, level, parent_code, geom, source) "
                "VALUES (%s, %s, %s, %s, ST_GeomFromText(%s, 4326), 'SYNTHETIC test')",
                (code, f"单元{code}", level, parent, _square(x)),
            )
        for code, scheme, value in attrs:
            conn.execute(
                "INSERT INTO unit_attribute (unit_code, scheme, value, source) "
                "VALUES (%s, %s, %s, 'SYNTHETIC test')",
                (code, scheme, value),
            )
        conn.execute(
            "INSERT INTO variable (name, label_en, unit, is_synthetic, is_derived, source) VALUES "
            "('y_syn', 'Outcome', 't', true, false, 'SYNTHETIC test'), "
            "('x_real', 'Control', 'yuan', false, false, 'seed 000'), "
            "('ln_y_syn', 'log outcome', NULL, true, true, 'derived')"
        )
    return url


def test_read_variables(url: str) -> None:
    cat = dbread.read_variables(url)
    assert list(cat["name"]) == ["ln_y_syn", "x_real", "y_syn"]
    got = dbread.read_variables(url, ["y_syn", "x_real"])
    assert list(got["name"]) == ["y_syn", "x_real"]  # order of the request
    assert list(got["is_synthetic"]) == [True, False]
    assert list(got["unit"]) == ["t", "yuan"]
    assert bool(cat.set_index("name").loc["ln_y_syn", "is_derived"]) is True
    with pytest.raises(ConfigError, match="unknown variable.*nope"):
        dbread.read_variables(url, ["y_syn", "nope"])


def test_read_unit_attributes_filters(url: str) -> None:
    wide = dbread.read_unit_attributes(url, ["region", "city_size"])
    assert list(wide.columns) == ["code", "region", "city_size"]
    assert list(wide["code"]) == ["410100", "410102", "410200", "420100"]
    assert wide.set_index("code").loc["410100"].tolist() == ["central", "large"]
    assert wide.set_index("code")["city_size"].isna().sum() == 3
    pref = dbread.read_unit_attribute(url, "region", "prefecture")
    assert pref.to_dict() == {"410100": "central", "410200": "central", "420100": "east"}
    inside = dbread.read_unit_attribute(url, "region", within="410000")
    assert sorted(inside.index) == ["410100", "410102", "410200"]
    both = dbread.read_unit_attribute(url, "region", "prefecture", "410000")
    assert sorted(both.index) == ["410100", "410200"]
    long = dbread.read_unit_attributes(url, ["city_size", "region"], wide=False)
    assert list(long.columns) == ["code", "scheme", "value", "source"]
    assert long[long.code == "410100"]["scheme"].tolist() == ["city_size", "region"]
    empty = dbread.read_unit_attribute(url, "no_such_scheme")
    assert empty.empty and empty.name == "no_such_scheme"
