"""Option parsing shared by the commands (policylink.commands._common)."""

from __future__ import annotations

import pytest

from policylink.commands._common import parse_years, split_list
from policylink.errors import ConfigError


def test_split_list_strips_and_drops_empty_items() -> None:
    assert split_list(" gdp, ,population ,") == ["gdp", "population"]
    assert split_list(None) == [] and split_list("") == []


def test_parse_years_expands_ranges_in_the_order_written() -> None:
    # --effective-years maps batch k to the k-th year, so the order must survive.
    assert parse_years("2017,2011 - 2013,2011") == [2017, 2011, 2012, 2013, 2011]
    assert parse_years(None) == []


@pytest.mark.parametrize("bad", ["20x1", "11", "2019-2006", "2006-"])
def test_parse_years_rejects_bad_parts_naming_the_option(bad: str) -> None:
    with pytest.raises(ConfigError, match="--drop-years"):
        parse_years(f"2010,{bad}", "--drop-years")
