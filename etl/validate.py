"""Shared parsing and validation helpers for the file loaders (dates, numbers, names, encodings)."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from pathlib import Path

#: Strings read as "missing" in numeric columns (empty cells too). Documented in data/README.md.
MISSING_TOKENS: frozenset[str] = frozenset(
    {
        "",
        "-",
        "--",
        "—",
        "——",
        "–",
        "…",
        "...",
        "na",
        "n/a",
        "nan",
        "null",
        "none",
        "无",
        "缺失",
        "/",
    }
)

_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), "day"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})/(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})\.(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})年(\d{1,2})月$"), "month"),
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})年$"), "year"),
]


def nfkc(text: str) -> str:
    """Unicode NFKC normalisation (full-width digits and punctuation to ASCII), stripped."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(value: object) -> tuple[dt.date, str]:
    """Parse an event date and its precision.

    Accepted: ``2010-07-19``, ``2010/7/19``, ``2010.7.19``, ``2010年7月19日`` (day);
    ``2012-11``, ``2012/11``, ``2012.11``, ``2012年11月`` (month); ``2017``, ``2017年`` (year);
    full-width digits; Python/YAML ``date`` objects and integer years. A date known to the month
    or year is stored as the first day of that month or year.

    Parameters
    ----------
    value : object
        Raw value.

    Returns
    -------
    (datetime.date, str)
        The date and ``day``, ``month`` or ``year``.

    Raises
    ------
    ValueError
        With a message saying what is accepted (e.g. for ``2012-13-40``).
    """
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("missing date")
    text = nfkc(value)
    for pat, precision in _DATE_PATTERNS:
        m = pat.match(text)
        if not m:
            continue
        parts = [int(g) for g in m.groups()] + [1, 1]
        year, month, day = parts[0], parts[1], parts[2]
        if not 1900 <= year <= 2100:
            raise ValueError(f"year {year} outside 1900-2100")
        try:
            return dt.date(year, month, day), precision
        except ValueError as exc:
            raise ValueError(f"not a calendar date ({exc})") from None
    raise ValueError(
        "not a date; use YYYY-MM-DD, YYYY-MM, YYYY or 2012年11月29日 / 2012年11月 / 2012年"
    )


_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(value: object) -> float | None:
    """Parse a numeric cell; None for a missing value.

    Rules (documented in ``data/README.md``): plain numbers and scientific notation; thousands
    separators only in the exact ``1,234,567.8`` pattern; full-width digits; the tokens in
    :data:`MISSING_TOKENS` (``—``, ``-``, ``NA``, empty ...) mean missing. Percent signs,
    units and decimal commas (``1,5``) are rejected: a ``12%`` cell is ambiguous between 12
    and 0.12, so the catalogue unit must say which and the cell must be a plain number.

    Parameters
    ----------
    value : object
        Raw cell.

    Returns
    -------
    float or None

    Raises
    ------
    ValueError
        For text that is neither a number nor a missing-value token, and for inf/NaN.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int | float):
        f = float(value)
        if math.isnan(f):
            return None
        if math.isinf(f):
            raise ValueError("infinite value")
        return f
    text = nfkc(str(value))
    if text.lower() in MISSING_TOKENS:
        return None
    if _THOUSANDS_RE.match(text):
        text = text.replace(",", "")
    if not _NUM_RE.match(text):
        if text.endswith("%"):
            raise ValueError(
                "percent signs are not accepted; give the number in the unit of the catalogue"
            )
        raise ValueError("not a number")
    return float(text)


def detect_encoding(path: str | Path) -> str:
    """Detect the text encoding of a CSV file: UTF-8 (with or without BOM) or GB18030.

    UTF-8 is tried first (strict decoding is reliable: GBK text almost never decodes as
    UTF-8); otherwise GB18030, a superset of GBK and GB2312. Anything else is refused rather
    than guessed (a wrong single-byte guess would load garbled names silently).

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    str
        A Python codec name: ``utf-8-sig``, ``utf-8`` or ``gb18030``.

    Raises
    ------
    ValueError
        If no encoding decodes the file.
    """
    data = Path(path).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise ValueError(
            "cannot decode the file: its encoding is neither UTF-8 nor GBK/GB18030 "
            f"(first bad byte at offset {exc.start}); re-save it as UTF-8"
        ) from None


_PROVINCE_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "省",
)
_UNIT_SUFFIXES = ("市", "地区", "盟", "自治州")


def short_name(name: str) -> str:
    """Name without its administrative suffix, for matching (河北省 -> 河北, 保定市 -> 保定).

    Only one suffix is stripped and never down to fewer than two characters, so 北京市 -> 北京,
    吉林市 -> 吉林 (ambiguous with 吉林省 on purpose: the resolver then lists both).
    """
    name = nfkc(name)
    for suf in _PROVINCE_SUFFIXES + _UNIT_SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name
