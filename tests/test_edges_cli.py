"""CLI edges of issue 17: a never-initialised database, database errors, LISA without
permutations and metres in a degrees CRS each end in one message, never a traceback.

Each case runs ``policylink`` through ``main`` in this process and checks what a user sees, its
exit code and standard streams (``tests/cli_here.py``: captured at the descriptor level,
warnings shown as a fresh interpreter shows them), on a real throwaway PostGIS database or on
SYNTHETIC lattice layers written here. References are
independent of the code under test: the database catalogue (``to_regclass``,
``schema_migration`` against the migration files on disk) and pyproj's own refusal.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import psycopg
import pytest

from policylink.errors import ConfigError, InputError
from tests.cli_here import run_here


def no_traceback(res: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in res.stderr + res.stdout, res.stderr
    assert 'File "' not in res.stderr, res.stderr


def lattice(path: Path, crs: int | None, *, x0: float = 0.0, y0: float = 0.0) -> Path:
    """A SYNTHETIC 5 x 5 lattice of 10 km squares with a random variable ``v``."""
    import geopandas as gpd
    from shapely.geometry import box

    rng = np.random.default_rng(17)
    rows = [
        {
            "code": f"c{i}{j}",
            "v": float(rng.normal()),
            "geometry": box(x0 + i * 1e4, y0 + j * 1e4, x0 + (i + 1) * 1e4, y0 + (j + 1) * 1e4),
        }
        for i in range(5)
        for j in range(5)
    ]
    gpd.GeoDataFrame(rows, crs=crs).to_file(path)
    return path


# ----------------------------------------------------------------------- schema first (all)

COMMANDS = {
    "weights": ["weights", "--kind", "queen", "--level", "prefecture", "--within", "110000"],
    "moran": ["moran", "--variable", "syn_lnco2", "--years", "2019"],
    "map": ["map", "pilots"],
    "diffusion": ["diffusion", "eha"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_commands_on_a_never_initialised_database_create_the_schema(
    name: str, make_db, tmp_path: Path, capfd
) -> None:
    from policylink.etl.migrate import migration_files

    url = make_db(migrated=False)
    args = COMMANDS[name]
    if name in ("weights", "map"):
        args = [*args, "--out", str(tmp_path / ("w.gal" if name == "weights" else "m.png"))]
    res = run_here(args, capfd, url=url)
    no_traceback(res)
    # the schema is created first; the command then says the data are missing
    assert "does not exist" not in res.stderr, res.stderr
    assert "schema created or updated first" in res.stderr
    assert res.returncode in (1, 2) and res.stderr.startswith("note:"), res.stderr
    assert "error: " in res.stderr and ("load" in res.stderr or "no " in res.stderr)
    with psycopg.connect(url) as conn:
        done = {r[0] for r in conn.execute("SELECT version FROM schema_migration")}
        assert done == {f.version for f in migration_files()}
        assert conn.execute("SELECT to_regclass('admin_unit')").fetchone()[0] is not None


def test_up_to_date_database_is_only_read(make_db, capfd) -> None:
    url = make_db()  # migrated
    with psycopg.connect(url) as conn:
        before = conn.execute("SELECT count(*), max(applied_at) FROM schema_migration").fetchone()
    res = run_here(
        ["weights", "--kind", "queen", "--level", "prefecture", "--within", "110000"],
        capfd,
        url=url,
    )
    no_traceback(res)
    assert "schema created" not in res.stderr
    with psycopg.connect(url) as conn:
        after = conn.execute("SELECT count(*), max(applied_at) FROM schema_migration").fetchone()
    assert after == before


def test_migrate_on_a_new_database_says_what_it_applied(make_db, capfd) -> None:
    """``migrate`` manages the schema itself: it lists what it applied, not 'up to date'."""
    url = make_db(migrated=False)
    res = run_here(["migrate"], capfd, url=url)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Applied: 0001_core_schema"), res.stdout
    assert "schema created" not in res.stderr


def test_a_database_error_after_connecting_is_one_message(make_db, capfd) -> None:
    """An object of the schema dropped behind PolicyLink's back: a message and a hint, exit 1."""
    url = make_db()
    with psycopg.connect(url) as conn:
        conn.execute("DROP FUNCTION unit_within CASCADE")
    res = run_here(
        ["weights", "--kind", "queen", "--level", "prefecture", "--within", "110000"],
        capfd,
        url=url,
    )
    no_traceback(res)
    assert res.returncode in (1, 2), res.stderr
    assert "unit_within" in res.stderr and "policylink" in res.stderr


def test_cli_main_turns_any_driver_error_into_one_message(capsys) -> None:
    """The safety net in ``main``: a psycopg error of any class, not only OperationalError."""
    import click

    from policylink import cli

    @click.command("boom")
    def boom() -> None:
        raise psycopg.errors.UndefinedTable('relation "admin_unit" does not exist')

    cli.cli.add_command(boom)
    try:
        rc = cli.main(["boom"])
    finally:
        cli.cli.commands.pop("boom")
    err = capsys.readouterr().err
    assert rc == 1
    assert err.splitlines() == [
        'error: the database could not run the command: relation "admin_unit" does not exist',
        "hint: run `policylink migrate` (and `policylink load bundled` for the bundled data); "
        "if it persists, report it with the command line.",
    ]


# ---------------------------------------------------------------- LISA without permutations


@pytest.mark.parametrize("statistic", ["local_moran", "gi_star", "local_geary"])
def test_lisa_with_zero_permutations_is_refused(statistic: str, tmp_path: Path, capfd) -> None:
    layer = lattice(tmp_path / "lattice.gpkg", 3857)
    res = run_here(
        ["lisa", "--variable", "v", "--layer", str(layer), "--id", "code"]
        + ["--statistic", statistic, "--permutations", "0"],
        capfd,
    )
    no_traceback(res)
    assert res.returncode == 2
    assert res.stderr.strip() == (
        "error: permutations 0: local statistics need permutations for their p-values; "
        "give at least 99 (default 999)"
    )
    assert not res.stdout


@pytest.mark.parametrize("statistic", ["local_moran", "gi_star", "local_geary", "bivariate_moran"])
def test_run_lisa_refuses_zero_permutations_for_every_statistic(statistic: str) -> None:
    import esda
    import pandas as pd
    from libpysal.weights import lat2W

    from policylink.analyses.lisa import LisaOptions, run_lisa
    from policylink.inputs import AnalysisInputs, canonical

    w = lat2W(4, 4)
    rng = np.random.default_rng(3)
    panel = pd.DataFrame({"id": w.id_order, "v": rng.normal(size=16), "x": rng.normal(size=16)})
    inp = canonical(AnalysisInputs(panel, w, "id", None, "lattice (SYNTHETIC)"))
    other = "x" if statistic == "bivariate_moran" else None
    with pytest.raises(ConfigError, match="at least 99"):
        run_lisa(inp, LisaOptions("v", statistic=statistic, permutations=0, other=other))
    # the reason: esda computes no permutation p-value at all then
    assert not hasattr(esda.Moran_Local(panel["v"].to_numpy(), w, permutations=0), "p_sim")


def test_numerics_refuse_zero_permutations() -> None:
    from libpysal.weights import lat2W

    from policylink.spatial.autocorr import getis_ord_gi_star, local_moran

    y = np.arange(16, dtype=float)
    for fn in (local_moran, getis_ord_gi_star):
        with pytest.raises(ValueError, match="permutations"):
            fn(y, lat2W(4, 4), permutations=0)


# ------------------------------------------------------------------ metres in a degrees CRS


def test_metres_in_a_degrees_crs_is_refused_naming_layer_and_crs(tmp_path: Path, capfd) -> None:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    layer = lattice(tmp_path / "metres_as_degrees.gpkg", 4326, x0=5e5, y0=4e6)
    res = run_here(["moran", "--variable", "v", "--layer", str(layer), "--id", "code"], capfd)
    no_traceback(res)
    assert res.returncode == 2
    assert "metres_as_degrees.gpkg" in res.stderr and "EPSG:4326" in res.stderr
    assert "not longitudes" in res.stderr and "set the layer's true CRS" in res.stderr
    # what used to escape: pyproj refuses the local equal-area projection at such a centre
    with pytest.raises(CRSError):
        CRS("+proj=laea +lat_0=4025000 +lon_0=525000 +datum=WGS84 +units=m")


@pytest.mark.parametrize("kind", ["queen", "knn:3", "distance:20000"])
def test_build_weights_refuses_metres_in_degrees_for_every_kind(kind: str, tmp_path: Path) -> None:
    import geopandas as gpd

    from policylink.weights import build_weights

    gdf = gpd.read_file(lattice(tmp_path / "m.gpkg", 4326, x0=5e5, y0=4e6))
    with pytest.raises(InputError, match="EPSG:4326.*not longitudes"):
        build_weights(gdf, "code", kind, source="m.gpkg")


def test_projected_layer_of_the_same_lattice_runs_and_matches_libpysal(tmp_path: Path) -> None:
    """The check refuses only impossible coordinates: the same squares in metres (UTM) run, and
    their queen weights are libpysal's on the same lattice."""
    import geopandas as gpd
    from libpysal.weights import Queen

    from policylink.weights import build_weights

    gdf = gpd.read_file(lattice(tmp_path / "utm.gpkg", 32650, x0=5e5, y0=4e6))
    ours = build_weights(gdf, "code", "queen:0", source="utm.gpkg")
    ref = Queen.from_dataframe(gdf, ids=gdf["code"].tolist(), use_index=False)
    assert {k: sorted(v) for k, v in ours.neighbors.items()} == {
        k: sorted(v) for k, v in ref.neighbors.items()
    }
