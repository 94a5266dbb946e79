"""Panels: long or wide CSV/XLSX -> ``observation``, with a variable catalogue and derived variables.

Layouts (detected from the header, after mapping Chinese headers through the catalogue):

- long: ``code, year, variable, value`` (one observation per row);
- wide: ``code, year, <variable>, <variable>, ...`` (one unit-year per row).

Units are identified by a ``code`` column (adcode) or, failing that, by a ``name`` column
(Chinese name, optionally with a ``province`` column), resolved as for events. Header aliases:
code = 代码 / 行政区划代码 / adcode ...; year = 年份 / 年; name = 城市 / 地区 / 名称; see
:data:`ID_ALIASES`. Variable headers may be the catalogue ``name``, its ``label_zh`` or one of its
``aliases`` (``data/catalogue/variables.csv``).

Number spellings accepted: see :func:`policylink.etl.validate.parse_number` (``1,234.5`` yes, ``12%`` no,
``—``/``-``/``NA``/empty = missing and not stored).

Derived variables (stored with the batch, flagged ``is_derived`` in the catalogue) are computed
for every unit-year of the file that has all inputs and does not give the variable itself:
``co2_emissions`` (coal, natural gas, fuel oil; seed 000 eq. 1), ``co2_intensity``
(co2_emissions / gdp), ``ei`` (energy_consumption / gdp) and ``isu`` (sector value added and
employment; seed 000 eq. 2). See :mod:`policylink.etl.derive`.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg

from policylink.etl import derive
from policylink.etl.batch import (
    LoadResult,
    ProblemList,
    Timer,
    batch_options,
    file_sha256,
    finish_load,
    mark_replaced,
    replace_batches,
    skip_if_unchanged,
    start_batch,
)
from policylink.etl.boundaries import normalise_code
from policylink.etl.events import UnitResolver
from policylink.etl.validate import (
    NUL_MESSAGE,
    FormulaWithoutValue,
    detect_encoding,
    has_nul,
    nfkc,
    parse_number,
)
from policylink.paths import DATA_DIR

BUNDLED_CATALOGUE = DATA_DIR / "catalogue" / "variables.csv"

#: Identifier columns and their accepted headers (compared after NFKC and lower-casing).
ID_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "adcode", "unit_code", "代码", "行政区划代码", "区划代码", "城市代码"),
    "year": ("year", "年份", "年", "年度"),
    "name": ("name", "name_zh", "unit", "城市", "地区", "名称", "城市名称", "地级市"),
    "province": ("province", "省份", "省", "所属省份"),
    "variable": ("variable", "变量", "指标", "variable_name"),
    "value": ("value", "值", "数值"),
}

YEAR_MIN, YEAR_MAX = 1949, 2100


@dataclass
class VariableInfo:
    """Catalogue entry used for validation."""

    name: str
    unit: str | None
    min_value: float | None
    max_value: float | None
    is_derived: bool
    is_synthetic: bool


# --------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------


def read_catalogue(path: str | Path) -> tuple[list[dict[str, object]], ProblemList]:
    """Read a variable catalogue CSV (columns as ``data/catalogue/variables.csv``).

    Parameters
    ----------
    path : str or pathlib.Path
        Catalogue CSV (UTF-8 or GBK/GB18030).

    Returns
    -------
    (list of dict, ProblemList)
        One record per variable, and the problems found (a bad encoding, NUL characters,
        malformed names, duplicates, bad flags or bounds), each with row and column.
    """
    path = Path(path)
    probs = ProblemList(path.name)
    if not path.exists():
        probs.add(None, None, None, "file not found")
        return [], probs
    try:
        text = path.read_text(encoding=detect_encoding(path))
    except ValueError as exc:
        probs.add(None, None, None, str(exc))
        return [], probs
    reader = csv.DictReader(io.StringIO(text))
    for col in reader.fieldnames or []:
        if has_nul(col):
            probs.add(None, col, None, NUL_MESSAGE)
    if probs:
        return [], probs
    if not reader.fieldnames or "name" not in reader.fieldnames:
        probs.add(None, "name", None, "a catalogue needs at least the column 'name'")
        return [], probs
    rows, seen = [], {}
    for i, r in enumerate(reader, start=1):
        nul = [k for k, v in r.items() if has_nul(v)]
        for k in nul:
            probs.add(i, k, r[k], NUL_MESSAGE)
        if nul:
            continue
        name = (r.get("name") or "").strip()
        if not re.match(r"^[a-z][a-z0-9_]*$", name):
            probs.add(i, "name", name, "variable names are lower_snake_case ASCII")
            continue
        if name in seen:
            probs.add(i, "name", name, f"duplicate variable (also row {seen[name]})")
            continue
        seen[name] = i
        rec: dict[str, object] = {"name": name}
        for k in ("label_zh", "label_en", "unit", "description", "source"):
            rec[k] = (r.get(k) or "").strip() or None
        for k in ("is_synthetic", "is_derived"):
            v = (r.get(k) or "false").strip().lower()
            if v not in ("true", "false", "1", "0", "yes", "no", ""):
                probs.add(i, k, v, "use true or false")
            rec[k] = v in ("true", "1", "yes")
        for k in ("min_value", "max_value"):
            try:
                rec[k] = parse_number(r.get(k))
            except ValueError as exc:
                probs.add(i, k, r.get(k), str(exc))
        rec["aliases"] = [a.strip() for a in (r.get("aliases") or "").split("|") if a.strip()]
        rows.append(rec)
    return rows, probs


def load_catalogue(
    conn: psycopg.Connection,
    path: str | Path = BUNDLED_CATALOGUE,
    *,
    source: str | None = None,
    record_noop: bool = True,
) -> LoadResult:
    """Upsert a variable catalogue into ``variable`` (one transaction, no-op when unchanged).

    Parameters
    ----------
    conn : psycopg.Connection
    path : str or pathlib.Path
        Catalogue CSV (default: the bundled one).
    source : str, optional
        Logical source name (default ``catalogue:<file name>``).
    record_noop : bool
        Record an ``unchanged`` batch row for an identical re-load (False when the panel
        loader makes sure the bundled catalogue is present).

    Returns
    -------
    LoadResult
    """
    timer = Timer()
    path = Path(path)
    source = source or f"catalogue:{path.name}"
    result = LoadResult("catalogue", source, path.name)
    rows, probs = read_catalogue(path)
    probs.raise_if_any()
    result.rows_in = len(rows)
    sha = file_sha256(path)
    with conn.transaction():
        if skip_if_unchanged(conn, result, sha, record=record_noop):
            return result
        bid, prev = start_batch(conn, result, sha)
        mark_replaced(conn, prev, bid)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO variable (name, label_zh, label_en, unit, description, source, "
                "is_synthetic, is_derived) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (name) DO UPDATE SET label_zh = EXCLUDED.label_zh, "
                "label_en = EXCLUDED.label_en, unit = EXCLUDED.unit, "
                "description = EXCLUDED.description, source = EXCLUDED.source, "
                "is_synthetic = EXCLUDED.is_synthetic, is_derived = EXCLUDED.is_derived",
                [
                    (
                        r["name"],
                        r["label_zh"],
                        r["label_en"],
                        r["unit"],
                        r["description"],
                        r["source"],
                        r["is_synthetic"],
                        r["is_derived"],
                    )
                    for r in rows
                ],
            )
        finish_load(conn, result, bid, len(rows), timer)
    return result


def _key(text: object) -> str:
    return nfkc(str(text)).lower().replace(" ", "")


def header_map(
    conn: psycopg.Connection, extra: list[Path] = ()
) -> tuple[dict[str, str], dict[str, VariableInfo]]:
    """Map accepted header spellings to variable names; return also the catalogue info.

    Spellings: the variable name, its ``label_zh`` (from the database) and the ``aliases`` of
    the bundled catalogue and of any ``extra`` catalogue files.
    """
    info: dict[str, VariableInfo] = {}
    mapping: dict[str, str] = {}
    bounds: dict[str, tuple[float | None, float | None]] = {}
    for path in (BUNDLED_CATALOGUE, *extra):
        rows, _ = read_catalogue(path)
        for r in rows:
            bounds[r["name"]] = (r.get("min_value"), r.get("max_value"))
            for a in r["aliases"]:
                mapping.setdefault(_key(a), r["name"])
    for name, label, unit, is_d, is_s in conn.execute(
        "SELECT name, label_zh, unit, is_derived, is_synthetic FROM variable"
    ):
        lo, hi = bounds.get(name, (None, None))
        info[name] = VariableInfo(name, unit, lo, hi, is_d, is_s)
        mapping[_key(name)] = name
        if label:
            mapping.setdefault(_key(label), name)
    return mapping, info


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _header_row(raw: pd.DataFrame, scan: int = 10) -> int:
    """Index of the header row: the first row naming a year column and a code or name column.

    Yearbook exports often put a (merged) title row above the header; rows above the header
    are ignored. Falls back to the first row.
    """
    years = {_key(a) for a in ID_ALIASES["year"]}
    units = {_key(a) for a in ID_ALIASES["code"] + ID_ALIASES["name"]}
    for i in range(min(scan, len(raw))):
        cells = {_key(v) for v in raw.iloc[i].tolist() if v is not None and str(v).strip()}
        if cells & years and cells & units:
            return i
    return 0


#: Largest used range of a sheet read (rows x columns), and widest row: a stray value in
#: cell XFD1048576 makes the used range 1,048,576 x 16,384 cells, more than memory holds.
MAX_SHEET_CELLS = 5_000_000
MAX_SHEET_COLUMNS = 2_000


def _sheet_too_big(rows: int, cols: int) -> str | None:
    """Why a sheet of ``rows`` x ``cols`` cells is refused (None when it is not)."""
    if cols > MAX_SHEET_COLUMNS or rows * cols > MAX_SHEET_CELLS:
        from openpyxl.utils import get_column_letter

        return (
            f"the sheet's used range is A1:{get_column_letter(cols)}{rows} ({rows:,} rows x "
            f"{cols:,} columns), more than is read ({MAX_SHEET_CELLS:,} cells, "
            f"{MAX_SHEET_COLUMNS:,} columns); delete the stray cells beyond the table "
            "(Ctrl+End shows the last used cell) or save the table as CSV"
        )
    return None


def read_xlsx(path: Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read one sheet of an XLSX workbook as raw cells (no header, no type guessing).

    The workbook is streamed (openpyxl read-only mode), so memory follows the cells present.

    Parameters
    ----------
    path : pathlib.Path
        ``.xlsx`` or ``.xlsm`` file.
    sheet : str or int, optional
        Sheet name (or 0-based index). Required when the workbook has more than one sheet.

    Returns
    -------
    pandas.DataFrame
        Cells as stored (numbers, text, dates; None for empty cells). A formula cell holds its
        saved result, or a :class:`~policylink.etl.validate.FormulaWithoutValue` when the file
        has none (written by a script and never opened in a spreadsheet program), so that the
        panel parser refuses it with a reason instead of counting it missing.

    Raises
    ------
    ValueError
        Several sheets and no choice (the message lists them), an unknown sheet, or a used
        range beyond :data:`MAX_SHEET_CELLS` / :data:`MAX_SHEET_COLUMNS`.
    """
    from openpyxl import load_workbook

    values_wb = load_workbook(path, read_only=True, data_only=True)
    formulas_wb = load_workbook(path, read_only=True, data_only=False)
    try:
        names = values_wb.sheetnames
        listing = ", ".join(repr(n) for n in names)
        if sheet is None:
            if len(names) > 1:
                raise ValueError(
                    f"the workbook has {len(names)} sheets ({listing}); choose one with --sheet"
                )
            sheet = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise ValueError(f"no sheet number {sheet}; the workbook has: {listing}")
            sheet = names[sheet]
        elif sheet not in names:
            raise ValueError(f"no sheet {sheet!r}; the workbook has: {listing}")
        values_ws, formulas_ws = values_wb[sheet], formulas_wb[sheet]
        if values_ws.max_row and values_ws.max_column:
            why = _sheet_too_big(values_ws.max_row, values_ws.max_column)
            if why:
                raise ValueError(why)
        # the declared size may be wrong: read every stored row, and check as we go
        values_ws.reset_dimensions()
        formulas_ws.reset_dimensions()
        rows: list[list[object]] = []
        width = 0
        for vals, cells in zip(
            values_ws.iter_rows(values_only=True), formulas_ws.iter_rows(), strict=True
        ):
            width = max(width, len(vals))
            why = _sheet_too_big(len(rows) + 1, width)
            if why:
                raise ValueError(why)
            row = list(vals)
            for j, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f" and row[j] is None:
                    row[j] = FormulaWithoutValue(cell.value)
            rows.append(row)
    finally:
        values_wb.close()
        formulas_wb.close()
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        return pd.DataFrame()
    raw = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    return raw.astype(object).where(raw.notna(), None)


def read_table(path: Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV (encoding detected) or XLSX sheet as text cells (no type guessing).

    The header is the first row that names a year column and a code or name column (title
    rows above it are skipped). A CSV cell holding a NUL character is kept whole (the fast
    parser would cut it at the NUL) so that the panel parser can refuse it; an XLSX file is
    read by :func:`read_xlsx`.

    Parameters
    ----------
    path : pathlib.Path
        ``.csv``/``.txt`` or ``.xlsx``/``.xlsm`` file.
    sheet : str or int, optional
        XLSX sheet (required when the workbook has several).

    Returns
    -------
    pandas.DataFrame
        Data rows under their header (entirely empty rows dropped).

    Raises
    ------
    ValueError
        Unsupported type, undecodable text, or a workbook refused by :func:`read_xlsx`.
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = read_xlsx(path, sheet)
    elif suffix in (".csv", ".txt"):
        enc = detect_encoding(path)
        text = path.read_text(encoding=enc)
        if not text.strip():
            return pd.DataFrame()
        raw = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            header=None,
            engine="python" if "\x00" in text else "c",
        )
    else:
        raise ValueError(f"unsupported file type {suffix!r}; use .csv or .xlsx")
    if raw.empty:
        return pd.DataFrame()
    h = _header_row(raw)
    header = [
        str(v).strip() if v is not None and str(v).strip() else f"Unnamed: {j}"
        for j, v in enumerate(raw.iloc[h].tolist())
    ]
    body = raw.iloc[h + 1 :].reset_index(drop=True)
    body.columns = header
    # drop rows that are entirely empty (spreadsheet padding)
    # rows still blank after each column (the first column usually leaves none to look at)
    blank_rows = np.arange(len(body))
    for j in range(body.shape[1]):
        if not len(blank_rows):
            break
        vals = body.iloc[:, j].to_numpy(dtype=object)[blank_rows]
        blank = [v is None or str(v).strip() == "" for v in vals]
        blank_rows = blank_rows[np.array(blank, dtype=bool)]
    if not len(blank_rows):
        return body
    empty = np.zeros(len(body), dtype=bool)
    empty[blank_rows] = True
    return body[~empty].reset_index(drop=True)


@dataclass
class _Obs:
    code: str
    year: int
    variable: str
    value: float
    row: int
    column: str


#: A plain ASCII number: :func:`parse_number` returns ``float(text)`` for it unchanged.
_PLAIN_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"


def _all_text(col: pd.Series) -> bool:
    return pd.api.types.infer_dtype(col, skipna=False) in ("string", "empty")


def _may_hold_nul(frame: pd.DataFrame) -> bool:
    """False only when every cell is text without a NUL (checked column by column, vectorised)."""
    for name in frame.columns:
        col = frame[name]
        if not _all_text(col) or bool(col.str.contains("\x00", regex=False).any()):
            return True
    return False


def _parse_wide_clean(
    frame: pd.DataFrame,
    ids: dict[str, str],
    var_cols: dict[str, str],
    info: dict[str, VariableInfo],
    resolver: UnitResolver,
) -> tuple[list[_Obs], int] | None:
    """Observations of a wide panel with unit codes, vectorised, when every cell is valid.

    The same rules as the row-by-row parser (:func:`parse_number` on every cell that is not a
    plain ASCII number, codes and years checked once per distinct value, catalogue ranges,
    duplicates) and the same observations in the same order. Returns None as soon as anything
    is wrong, so that the row-by-row parser reports every problem with its row and column.
    """
    n = len(frame)
    codes: dict[object, str] = {}
    for raw in pd.unique(frame[ids["code"]]):
        code = normalise_code(raw)
        if code is None or code not in resolver.units:
            return None
        codes[raw] = code
    years: dict[object, int] = {}
    for raw in pd.unique(frame[ids["year"]]):
        try:
            yv = parse_number(raw)
        except ValueError:
            return None
        if yv is None or yv != int(yv) or not YEAR_MIN <= int(yv) <= YEAR_MAX:
            return None
        years[raw] = int(yv)
    code_col = frame[ids["code"]].map(codes).to_numpy(dtype=object)
    year_col = frame[ids["year"]].map(years).to_numpy(dtype=np.int64)
    if pd.DataFrame({"c": code_col, "y": year_col}).duplicated().any():
        return None
    values = np.empty((n, len(var_cols)))
    for j, (col, var) in enumerate(var_cols.items()):
        cells = frame[col]
        v = np.full(n, np.nan)
        plain = cells.str.fullmatch(_PLAIN_NUMBER).to_numpy(bool) if _all_text(cells) else None
        if plain is not None:
            v[plain] = cells[plain].to_numpy(dtype=float)
            rest = np.flatnonzero(~plain)
        else:
            rest = np.arange(n)
        raw_rest = cells.to_numpy(dtype=object)[rest]
        for k, raw in zip(rest, raw_rest, strict=True):
            try:
                f = parse_number(raw)
            except ValueError:
                return None
            if f is not None:
                v[k] = f
        if plain is not None and not np.isfinite(v[plain]).all():
            return None  # overflow (1e999): parse_number refuses it
        vi = info[var]
        with np.errstate(invalid="ignore"):
            if vi.min_value is not None and (v < vi.min_value).any():
                return None
            if vi.max_value is not None and (v > vi.max_value).any():
                return None
        values[:, j] = v
    have = ~np.isnan(values)
    rows, js = np.nonzero(have)  # row-major: the row-by-row parser's order
    cols = np.array(list(var_cols), dtype=object)
    names = np.array(list(var_cols.values()), dtype=object)
    # half a million small objects: the cyclic garbage collector would rescan them many times
    paused = gc.isenabled()
    gc.disable()
    try:
        obs = [
            _Obs(c, y, var, val, r, col)
            for c, y, var, val, r, col in zip(
                code_col[rows].tolist(),
                year_col[rows].tolist(),
                names[js].tolist(),
                values[rows, js].tolist(),
                (rows + 1).tolist(),
                cols[js].tolist(),
                strict=True,
            )
        ]
    finally:
        if paused:
            gc.enable()
    return obs, int(have.size - have.sum())


def parse_panel(
    frame: pd.DataFrame,
    file: str,
    mapping: dict[str, str],
    info: dict[str, VariableInfo],
    resolver: UnitResolver,
) -> tuple[list[_Obs], dict[str, int], ProblemList]:
    """Validate a panel table and return observations (no database writes).

    Returns
    -------
    (list, dict, ProblemList)
        Observations, counts (``rows``, ``missing`` values skipped, ``layout``) and problems.
    """
    probs = ProblemList(file)
    counts = {"rows": len(frame), "missing": 0}
    if frame.shape[1] == 0 or len(frame) == 0:
        probs.add(None, None, None, "the file has no data rows")
        return [], counts, probs
    for col in frame.columns:
        if has_nul(col):
            probs.add(None, str(col), None, NUL_MESSAGE)
    if _may_hold_nul(frame):
        for i, rec in enumerate(frame.itertuples(index=False), start=1):
            for col, v in zip(frame.columns, rec, strict=True):
                if has_nul(v):
                    probs.add(i, str(col), v, NUL_MESSAGE)
    if probs:
        return [], counts, probs
    ids: dict[str, str] = {}
    var_cols: dict[str, str] = {}
    unknown: list[str] = []
    for col in frame.columns:
        k = _key(col)
        role = next((r for r, al in ID_ALIASES.items() if k in {_key(a) for a in al}), None)
        if role is not None:
            if role in ids:
                probs.add(None, str(col), None, f"second {role} column (first: {ids[role]!r})")
            ids[role] = col
        elif k in mapping:
            name = mapping[k]
            if name in var_cols.values():
                probs.add(None, str(col), None, f"second column for variable {name}")
            var_cols[col] = name
        elif str(col).startswith("Unnamed") or not str(col).strip():
            continue
        else:
            unknown.append(str(col))
    long = "variable" in ids and "value" in ids
    counts["layout"] = "long" if long else "wide"
    if "code" not in ids and "name" not in ids:
        probs.add(None, None, None, "missing unit column: 'code' (adcode) or 'name' (城市/地区)")
    if "year" not in ids:
        probs.add(None, "year", None, "missing column 'year' (年份)")
    if not long:
        for col in unknown:
            probs.add(
                None,
                col,
                None,
                "unknown variable column; add it to a catalogue (--catalogue) "
                "or use a catalogue name, Chinese label or alias",
            )
        if not var_cols:
            probs.add(
                None, None, None, "no variable columns (wide) and no variable/value columns (long)"
            )
    if probs:
        return [], counts, probs
    if not long and "code" in ids:
        fast = _parse_wide_clean(frame, ids, var_cols, info, resolver)
        if fast is not None:
            counts["missing"] = fast[1]
            return fast[0], counts, probs
    obs: list[_Obs] = []
    seen: dict[tuple[str, int, str], int] = {}
    name_cache: dict[tuple[str, str | None], tuple[str | None, str | None]] = {}
    for i, rec in enumerate(frame.to_dict(orient="records"), start=1):
        # unit
        code = None
        if "code" in ids:
            raw = rec.get(ids["code"])
            code = normalise_code(raw)
            if code is None:
                probs.add(i, str(ids["code"]), raw, "not a six-digit GB/T 2260 code")
            elif code not in resolver.units:
                probs.add(
                    i, str(ids["code"]), code, "unit not in admin_unit (load its boundaries first)"
                )
                code = None
        else:
            raw = rec.get(ids["name"])
            prov = rec.get(ids["province"]) if "province" in ids else None
            key = (str(raw), None if prov is None else str(prov))
            if key not in name_cache:
                name_cache[key] = resolver.resolve(name=str(raw or "") or None, province=key[1])
            code, err = name_cache[key]
            if err:
                probs.add(i, str(ids["name"]), raw, err)
        # year
        raw_year = rec.get(ids["year"])
        year = None
        try:
            yv = parse_number(raw_year)
            if yv is None or yv != int(yv):
                raise ValueError
            year = int(yv)
            if not YEAR_MIN <= year <= YEAR_MAX:
                probs.add(i, str(ids["year"]), raw_year, f"year outside {YEAR_MIN}-{YEAR_MAX}")
                year = None
        except ValueError:
            probs.add(i, str(ids["year"]), raw_year, "not a year (whole number)")
        # values
        if long:
            raw_var = rec.get(ids["variable"])
            var = mapping.get(_key(raw_var)) if raw_var is not None else None
            if var is None:
                probs.add(
                    i, str(ids["variable"]), raw_var, "unknown variable (not in the catalogue)"
                )
                continue
            cells = [(str(ids["value"]), var, rec.get(ids["value"]))]
        else:
            cells = [(str(c), v, rec.get(c)) for c, v in var_cols.items()]
        for col, var, raw in cells:
            try:
                value = parse_number(raw)
            except ValueError as exc:
                probs.add(i, col, raw, str(exc))
                continue
            if value is None:
                counts["missing"] += 1
                continue
            vi = info[var]
            if vi.min_value is not None and value < vi.min_value:
                probs.add(i, col, raw, f"{var} must be >= {vi.min_value:g} ({vi.unit})")
                continue
            if vi.max_value is not None and value > vi.max_value:
                probs.add(i, col, raw, f"{var} must be <= {vi.max_value:g} ({vi.unit})")
                continue
            if code is None or year is None:
                continue
            k = (code, year, var)
            if k in seen:
                probs.add(i, col, raw, f"duplicate {code} {year} {var} (also row {seen[k]})")
                continue
            seen[k] = i
            obs.append(_Obs(code, year, var, value, i, col))
    return obs, counts, probs


#: Every variable a derived variable is computed from (see :func:`derive_observations`).
_DERIVE_INPUTS = frozenset(
    {
        "co2_emissions",
        "coal_consumption",
        "natural_gas_consumption",
        "fuel_oil_consumption",
        "gdp",
        "energy_consumption",
        "gdp_primary",
        "gdp_secondary",
        "gdp_tertiary",
        "emp_primary",
        "emp_secondary",
        "emp_tertiary",
    }
)


def derive_observations(
    obs: list[_Obs], probs: ProblemList | None = None
) -> list[tuple[str, int, str, float]]:
    """Derived variables (module notes) for unit-years that have every input in ``obs``.

    Parameters
    ----------
    obs : list of _Obs
        Validated observations.
    probs : ProblemList, optional
        Where a derived value that is not finite (a sum or ratio beyond the range of a double,
        e.g. CO2 from a coal consumption of 1e308) is reported, at the row and column of the
        input that caused it; such a value is never stored. Without it they are dropped.

    Returns
    -------
    list of (code, year, variable, value)
    """
    if not {o.variable for o in obs} & _DERIVE_INPUTS:
        return []  # nothing can be derived: skip grouping every observation
    given: dict[tuple[str, int], dict[str, _Obs]] = {}
    for o in obs:
        given.setdefault((o.code, o.year), {})[o.variable] = o
    out: list[tuple[str, int, str, float]] = []

    def keep(code: str, year: int, var: str, value: float, culprit: _Obs) -> float | None:
        if np.isfinite(value):
            out.append((code, year, var, float(value)))
            return float(value)
        if probs is not None:
            probs.add(
                culprit.row,
                culprit.column,
                culprit.value,
                f"the derived {var} of {code} {year} is beyond the range of a double; "
                "check the unit of this value",
            )
        return None

    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for (code, year), g in given.items():
            v = {k: o.value for k, o in g.items()}
            co2 = v.get("co2_emissions")
            fuels = ("coal_consumption", "natural_gas_consumption", "fuel_oil_consumption")
            if co2 is None and all(f in v for f in fuels):
                biggest = max((g[f] for f in fuels), key=lambda o: abs(o.value))
                co2 = keep(
                    code,
                    year,
                    "co2_emissions",
                    derive.co2_emissions(*(v[f] for f in fuels)),
                    biggest,
                )
            gdp = v.get("gdp")
            if co2 is not None and gdp and "co2_intensity" not in v:
                keep(code, year, "co2_intensity", derive.co2_intensity(co2, gdp), g["gdp"])
            if "energy_consumption" in v and gdp and "ei" not in v:
                keep(
                    code,
                    year,
                    "ei",
                    derive.energy_intensity(v["energy_consumption"], gdp),
                    g["gdp"],
                )
            sect_p = ("gdp_primary", "gdp_secondary", "gdp_tertiary")
            sect_l = ("emp_primary", "emp_secondary", "emp_tertiary")
            if "isu" not in v and all(k in v for k in sect_p + sect_l):
                pr = np.array([v[k] for k in sect_p])
                lab = np.array([v[k] for k in sect_l])
                if pr.sum() > 0 and (lab > 0).all():
                    biggest = max((g[k] for k in sect_p + sect_l), key=lambda o: abs(o.value))
                    keep(code, year, "isu", derive.isu_index(pr, lab), biggest)
    return out


def load_panel(
    conn: psycopg.Connection,
    path: str | Path,
    *,
    source: str | None = None,
    sheet: str | int | None = None,
    catalogue: str | Path | None = None,
) -> LoadResult:
    """Load a long or wide panel (CSV or XLSX) into ``observation`` in one transaction.

    Parameters
    ----------
    conn : psycopg.Connection
    path : str or pathlib.Path
        CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX file.
    source : str, optional
        Logical source (default: the file name). A new file of the same source replaces all
        observations of that source; an identical file is a no-op. A unit-year-variable may
        belong to only one source.
    sheet : str or int, optional
        XLSX sheet; required when the workbook has several (they are listed in the error).
        Re-loading the same file is a no-op only with the same sheet and extra catalogue.
    catalogue : str or pathlib.Path, optional
        Extra catalogue CSV loaded first (same transaction), for variables not bundled.

    Returns
    -------
    LoadResult
        ``details``: ``layout``, ``missing`` (empty cells skipped), ``derived`` rows,
        ``replaced`` rows.

    Raises
    ------
    policylink.errors.InputError
        Every problem found (up to a cap): missing id columns, unknown variables, malformed or
        unknown codes, bad or out-of-range years, unparseable or out-of-range values (e.g.
        negative consumption), duplicate unit-year-variable, conflicts with another source.
    """
    timer = Timer()
    path = Path(path)
    source = source or path.name
    result = LoadResult("panel", source, path.name)
    probs = ProblemList(path.name)
    if not path.exists():
        probs.add(None, None, None, "file not found")
        probs.raise_if_any()
    try:
        frame = read_table(path, sheet)
    except Exception as exc:  # unreadable spreadsheet, bad encoding, unsupported type
        probs.add(None, None, None, f"cannot read the table: {exc}")
        probs.raise_if_any()
    sha = file_sha256(path)
    result.options = batch_options(
        sheet=sheet,
        catalogue=file_sha256(catalogue)
        if catalogue is not None and Path(catalogue).exists()
        else None,
    )
    with conn.transaction():
        load_catalogue(conn, record_noop=False)
        extra = []
        if catalogue is not None:
            load_catalogue(conn, catalogue)
            extra = [Path(catalogue)]
        result.rows_in = len(frame)  # the parsed count replaces it below
        if skip_if_unchanged(conn, result, sha):
            return result
        mapping, info = header_map(conn, extra)
        obs, counts, probs = parse_panel(
            frame, path.name, mapping, info, UnitResolver.from_db(conn)
        )
        result.rows_in = counts["rows"]
        derived = derive_observations(obs, probs)
        probs.raise_if_any()
        bid, prev = start_batch(conn, result, sha)
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _obs_in (unit_code text, year int, variable text, "
            "value double precision, row_no int, col text) ON COMMIT DROP"
        )
        conn.execute("TRUNCATE _obs_in")
        with conn.cursor().copy(
            "COPY _obs_in (unit_code, year, variable, value, row_no, col) FROM STDIN"
        ) as copy:
            for o in obs:
                copy.write_row((o.code, o.year, o.variable, o.value, o.row, o.column))
            for code, year, var, value in derived:
                copy.write_row((code, year, var, value, None, "derived"))
        clashes = conn.execute(
            "SELECT i.row_no, i.col, i.unit_code, i.year, i.variable, b.source "
            "FROM _obs_in i JOIN observation o USING (unit_code, year, variable) "
            "LEFT JOIN load_batch b ON b.id = o.load_id "
            "WHERE o.load_id IS NULL OR NOT o.load_id = ANY(%s) ORDER BY i.row_no LIMIT 200",
            (prev,),
        ).fetchall()
        for row_no, col, code, year, var, src in clashes:
            probs.add(
                row_no,
                col,
                f"{code} {year} {var}",
                f"already loaded from source {src!r}; load with that --source to replace it",
            )
        probs.raise_if_any()
        replaced = replace_batches(conn, "observation", prev, bid)
        n = conn.execute(
            "INSERT INTO observation (unit_code, year, variable, value, load_id) "
            "SELECT unit_code, year, variable, value, %s FROM _obs_in",
            (bid,),
        ).rowcount
        finish_load(conn, result, bid, n, timer)
    result.details.update(
        layout=counts["layout"], missing=counts["missing"], derived=len(derived), replaced=replaced
    )
    return result
