"""Option parsing shared by the command modules (no commands here: nothing to register)."""

from __future__ import annotations

import re

from policylink.errors import ConfigError


def split_list(text: str | None) -> list[str]:
    """Split a comma-separated option value into stripped, non-empty items.

    Parameters
    ----------
    text : str or None
        Option value such as ``"gdp, population"``.

    Returns
    -------
    list of str
        Items in the order given (empty for None or an empty string).
    """
    return [v.strip() for v in (text or "").split(",") if v.strip()]


def parse_years(text: str | None, option: str = "--years") -> list[int]:
    """Parse years and inclusive ranges such as ``2006-2010,2015`` in the order given.

    Parameters
    ----------
    text : str or None
        Option value: four-digit years and ``YYYY-YYYY`` ranges separated by commas.
    option : str
        Option name for the error message.

    Returns
    -------
    list of int
        Every year, ranges expanded, in the order written (duplicates kept).

    Raises
    ------
    ConfigError
        A part that is not a year or a range, or a range that runs backwards.
    """
    years: list[int] = []
    for part in split_list(text):
        m = re.fullmatch(r"(\d{4})(?:\s*-\s*(\d{4}))?", part)
        if not m:
            raise ConfigError(f"{option}: {part!r} is not a year or a range like 2006-2019")
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if b < a:
            raise ConfigError(f"{option}: range {part!r} runs backwards")
        years.extend(range(a, b + 1))
    return years
