"""Unit classifications (``unit_attribute``): files of inputs, and rules kept as code.

Files: CSV with columns ``code, scheme, value`` and optionally ``source`` (per row) and
``name`` (checked against the stored name, to catch wrong codes).

Rules (:data:`RULES`): classifications computed from data already in the database, e.g.
``region`` (the National Bureau of Statistics' East / Central / West / Northeast division, by
province) and ``city_size`` (seed 004: resident population above 5 million = large). Each rule
writes a batch of its own source ``rule:<scheme>``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import psycopg

from policylink.etl.batch import (
    LoadResult,
    ProblemList,
    Timer,
    file_sha256,
    finish_load,
    replace_batches,
    skip_if_unchanged,
    start_batch,
    text_sha256,
)
from policylink.etl.boundaries import normalise_code
from policylink.etl.validate import NUL_MESSAGE, detect_encoding, has_nul, short_name

_SCHEME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

#: National Bureau of Statistics four-region division (东部/中部/西部/东北), by province prefix.
#: Used by seed 004 §5 (3) for its regional heterogeneity analysis.
NBS_REGION: dict[str, str] = {
    **dict.fromkeys("11 12 13 31 32 33 35 37 44 46".split(), "east"),
    **dict.fromkeys("14 34 36 41 42 43".split(), "central"),
    **dict.fromkeys("15 45 50 51 52 53 54 61 62 63 64 65".split(), "west"),
    **dict.fromkeys("21 22 23".split(), "northeast"),
}

#: Seed 004 §5 (1): "large city" = resident population above 5 million (国务院关于调整城市规模
#: 划分标准的通知, 2014); population in 10^4 persons.
LARGE_CITY_POPULATION = 500.0


def region_of(code: str) -> str | None:
    """NBS region of a unit (None for Taiwan, Hong Kong and Macau, which it does not cover)."""
    return NBS_REGION.get(code[:2])


def city_size(population_10k: float, threshold: float = LARGE_CITY_POPULATION) -> str:
    """Seed 004 city-size group: ``large`` if population > threshold (10^4), else ``small_medium``."""
    return "large" if population_10k > threshold else "small_medium"


def _write(
    conn: psycopg.Connection,
    rows: list[tuple[str, str, str, str]],
    *,
    source: str,
    file_name: str | None,
    sha: str,
    rows_in: int,
) -> LoadResult:
    """Replace the attributes of ``source`` by ``rows`` (code, scheme, value, row source)."""
    timer = Timer()
    result = LoadResult("attributes", source, file_name, rows_in=rows_in)
    with conn.transaction():
        if skip_if_unchanged(conn, result, sha):
            return result
        bid, prev = start_batch(conn, result, sha)
        replaced = replace_batches(conn, "unit_attribute", prev, bid)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO unit_attribute (unit_code, scheme, value, source, load_id) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (unit_code, scheme) DO UPDATE SET "
                "value = EXCLUDED.value, source = EXCLUDED.source, load_id = EXCLUDED.load_id",
                [(c, s, v, src, bid) for c, s, v, src in rows],
            )
        finish_load(conn, result, bid, len(rows), timer)
    result.details["replaced"] = replaced
    return result


def load_attributes(
    conn: psycopg.Connection, path: str | Path, *, source: str | None = None
) -> LoadResult:
    """Load a classification CSV (``code, scheme, value[, source][, name]``) in one transaction.

    Parameters
    ----------
    conn : psycopg.Connection
    path : str or pathlib.Path
    source : str, optional
        Logical source (default: the file name); a changed file replaces its rows.

    Returns
    -------
    LoadResult

    Raises
    ------
    policylink.errors.InputError
        Missing columns, malformed or unknown codes, names that do not match the code,
        bad scheme names, empty values, a unit classified twice in one scheme.
    """
    path = Path(path)
    source = source or path.name
    probs = ProblemList(path.name)
    if not path.exists():
        probs.add(None, None, None, "file not found")
        probs.raise_if_any()
    try:
        text = path.read_text(encoding=detect_encoding(path))
    except ValueError as exc:
        probs.add(None, None, None, str(exc))
        probs.raise_if_any()
    reader = csv.DictReader(io.StringIO(text))
    cols = reader.fieldnames or []
    for c in ("code", "scheme", "value"):
        if c not in cols:
            probs.add(None, c, None, "missing column (required: code, scheme, value)")
    probs.raise_if_any()
    units = dict(conn.execute("SELECT code, name_zh FROM admin_unit").fetchall())
    rows: list[tuple[str, str, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    n = 0
    for i, r in enumerate(reader, start=1):
        n += 1
        nul = [k for k, v in r.items() if has_nul(v) or has_nul(k)]
        for k in nul:
            probs.add(i, k, None, NUL_MESSAGE)
        if nul:
            continue
        code = normalise_code(r.get("code"))
        scheme = (r.get("scheme") or "").strip()
        value = (r.get("value") or "").strip()
        if code is None:
            probs.add(i, "code", r.get("code"), "not a six-digit GB/T 2260 code")
        elif code not in units:
            probs.add(i, "code", code, "unit not in admin_unit (load its boundaries first)")
        elif r.get("name") and short_name(r["name"]) != short_name(units[code]):
            probs.add(i, "name", r["name"], f"code {code} is {units[code]}")
        if not _SCHEME_RE.match(scheme):
            probs.add(i, "scheme", scheme, "scheme names are lower_snake_case")
        if not value:
            probs.add(i, "value", None, "empty value")
        if code and scheme:
            if (code, scheme) in seen:
                probs.add(
                    i, "code", code, f"classified twice in {scheme} (row {seen[code, scheme]})"
                )
            seen[(code, scheme)] = i
        rows.append((code, scheme, value, (r.get("source") or "").strip() or source))
    if n == 0:
        probs.add(None, None, None, "the file has no data rows")
    probs.raise_if_any()
    return _write(conn, rows, source=source, file_name=path.name, sha=file_sha256(path), rows_in=n)


def apply_region_rule(conn: psycopg.Connection) -> LoadResult:
    """Classify every stored province, prefecture and county by NBS region (rule as code)."""
    rows = [
        (code, "region", region_of(code), "NBS four-region division by province (rule:region)")
        for (code,) in conn.execute("SELECT code FROM admin_unit ORDER BY code")
        if region_of(code) is not None
    ]
    sha = text_sha256(json.dumps(rows, ensure_ascii=False))
    return _write(conn, rows, source="rule:region", file_name=None, sha=sha, rows_in=len(rows))


def apply_city_size_rule(
    conn: psycopg.Connection,
    *,
    year: int,
    variable: str = "population",
    threshold: float = LARGE_CITY_POPULATION,
) -> LoadResult:
    """Classify prefecture-level units with ``variable`` in ``year`` by seed 004's size rule.

    Parameters
    ----------
    conn : psycopg.Connection
    year : int
        Year of the population observation used.
    variable : str
        Population variable (10^4 persons).
    threshold : float
        Large-city threshold in 10^4 persons (seed 004: 500).

    Returns
    -------
    LoadResult
        A batch of source ``rule:city_size``.
    """
    rows = [
        (
            code,
            "city_size",
            city_size(value, threshold),
            f"seed 004 rule: {variable} {year} > {threshold:g} (10^4) = large (rule:city_size)",
        )
        for code, value in conn.execute(
            "SELECT o.unit_code, o.value FROM observation o JOIN admin_unit u "
            "ON u.code = o.unit_code WHERE o.variable = %s AND o.year = %s "
            "AND u.level = 'prefecture' ORDER BY o.unit_code",
            (variable, year),
        )
    ]
    sha = text_sha256(json.dumps(rows, ensure_ascii=False))
    return _write(conn, rows, source="rule:city_size", file_name=None, sha=sha, rows_in=len(rows))
