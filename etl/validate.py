"""Shared parsing and validation helpers for the file loaders (dates, numbers, names, encodings)."""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
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


#: Largest finite double; text beyond it (``1e999``) is refused, never stored as infinity.
DOUBLE_MAX = sys.float_info.max

#: Said of any cell, name or field holding a NUL character (U+0000).
NUL_MESSAGE = (
    "contains a NUL character (\\0), which text cannot hold; remove it (a file with many NULs "
    "may be UTF-16: re-save it as UTF-8)"
)


def has_nul(value: object) -> bool:
    """Tell whether ``value`` is text holding a NUL character (U+0000).

    PostgreSQL text cannot hold NUL, and several readers (the pandas C parser, GDAL) silently cut
    a value at the first NUL, so the loaders refuse such values, naming file, row and column.

    Parameters
    ----------
    value : object
        A cell, field or name.

    Returns
    -------
    bool
    """
    return isinstance(value, str) and "\x00" in value


def nul_paths(value: object, path: str = "") -> list[str]:
    """Dotted paths of the strings holding a NUL inside nested dicts and lists (keys too).

    Parameters
    ----------
    value : object
        A parsed record (YAML event, JSON properties).
    path : str
        Prefix of the paths (the record's own name).

    Returns
    -------
    list of str
        E.g. ``["title_zh", "participants.name"]``; empty when there is no NUL.
    """
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            if has_nul(k):
                out.append(sub)
            out += nul_paths(v, sub)
    elif isinstance(value, list):
        for v in value:
            out += nul_paths(v, path)
    elif has_nul(value):
        out.append(path)
    return list(dict.fromkeys(out))


class FormulaWithoutValue:
    """A spreadsheet cell holding a formula whose result was never saved in the file.

    Files written by scripts (openpyxl, pandas) store formulas without their results; only a
    spreadsheet program computes and saves them. Such a cell is refused with this reason
    instead of being read as empty.

    Parameters
    ----------
    formula : str
        The formula text (``=SUM(B2:B9)``).
    """

    def __init__(self, formula: object) -> None:
        text = getattr(formula, "text", formula)
        self.formula = str(text)

    def reason(self) -> str:
        """What is wrong and what to do."""
        return (
            f"formula {self.formula} has no saved value (the file was written without "
            "computing it); open and save the file in Excel or LibreOffice, or paste values"
        )

    def __str__(self) -> str:
        return self.formula

    def __repr__(self) -> str:
        return repr(self.formula)


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
        For text that is neither a number nor a missing-value token, for inf, for text that
        overflows a double (``1e999``), for a NUL character and for a spreadsheet formula
        without a saved value.
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
    if isinstance(value, FormulaWithoutValue):
        raise ValueError(value.reason())
    if has_nul(value):
        raise ValueError(NUL_MESSAGE)
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
    f = float(text)
    if not math.isfinite(f):
        raise ValueError(
            f"number too large: beyond the range of a double ({DOUBLE_MAX:.4g}); check the unit"
        )
    return f


def _gbk_plausibility(text: str) -> tuple[int, int, int]:
    """Classify the non-ASCII characters of a text decoded as GB18030.

    Returns
    -------
    (int, int, int)
        ``common``: characters of GB2312's punctuation, digit, full-width, pinyin and hanzi
        rows, and CJK / general punctuation, letter-like symbols, circled numbers and Greek;
        ``rare``: hanzi outside GB2312 (GBK extension: real in a few place names such as
        猇亭区, but what Shift-JIS or Latin-1 bytes decode to); ``odd``: anything else (private
        use, kana, Hangul, box drawing, Cyrillic, Latin letters, controls), which real Chinese
        data does not contain but mis-read bytes do.
    """
    common = rare = odd = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            continue
        try:
            b = ch.encode("gb2312")
        except UnicodeEncodeError:
            b = b""
        if len(b) == 2 and (b[0] in (0xA1, 0xA2, 0xA3, 0xA8) or 0xB0 <= b[0] <= 0xF7):
            common += 1
        elif (
            0x3000 <= o <= 0x303F  # CJK symbols and punctuation (incl. 〇)
            or 0xFF01 <= o <= 0xFFEF  # full-width forms
            or 0x2010 <= o <= 0x205F  # general punctuation
            or 0x2100 <= o <= 0x218F  # letter-like symbols, roman numerals (℃, №, Ⅻ)
            or 0x2460 <= o <= 0x24FF  # circled numbers
            or 0x0391 <= o <= 0x03C9  # Greek (statistics)
        ):
            common += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
            rare += 1
        else:
            odd += 1
    return common, rare, odd


def detect_encoding(path: str | Path) -> str:
    """Detect the text encoding of a CSV file: UTF-8 (with or without BOM) or GBK/GB18030.

    UTF-8 is tried first (strict decoding is reliable: GBK text almost never decodes as
    UTF-8). Otherwise the bytes must decode as GB18030 (a superset of GBK and GB2312) *and*
    read as Chinese: GB18030 maps almost any byte pair to some character, so Latin-1,
    Windows-1252, Shift-JIS or Big5 bytes often "decode" into rare hanzi, kana or private-use
    characters (mojibake). The decoded text is accepted only when its common characters (GB2312
    hanzi and punctuation, see :func:`_gbk_plausibility`) are at least twice as many as the rare
    hanzi and odd characters together. Anything else is refused rather than guessed. (Korean
    EUC-KR uses GB2312's byte ranges and cannot be told apart by this test.)

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
        If the file is neither UTF-8 nor plausible GBK/GB18030; the message shows the first
        undecodable offset or a sample of the garbled reading, and says to re-save as UTF-8.
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
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValueError(
            "cannot decode the file: its encoding is neither UTF-8 nor GBK/GB18030 "
            f"(first bad byte at offset {exc.start}); re-save it as UTF-8"
        ) from None
    common, rare, odd = _gbk_plausibility(text)
    if common < 2 * (rare + odd):
        sample = "".join(ch for ch in text if ord(ch) >= 0x80)[:12]
        raise ValueError(
            "cannot decode the file: it is not UTF-8, and read as GBK/GB18030 it gives "
            f"garbled text ({sample!r}: {rare + odd} of {common + rare + odd} non-ASCII "
            f"characters are rare or not Chinese); re-save it as UTF-8"
        )
    return "gb18030"


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
