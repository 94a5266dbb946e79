"""``policylink weights report`` / ``export``: closed forms on a lattice layer, files read back.

The report of a 3x3 rook lattice is known by hand (4 corners with 2 neighbours, 4 edges with 3,
the centre with 4); exported GAL / GWT / CSV / parquet files are read back with libpysal and
pandas (independent readers) and compared with the weights built in memory. On the database,
the islands of the report are those of the ``w_islands`` view.
"""

from __future__ import annotations

import json

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import psycopg
import pytest
from shapely.geometry import box

from policylink.weights import build_weights


def _lattice(rows: int, cols: int, size: float = 10_000.0) -> gpd.GeoDataFrame:
    x0, y0 = 500_000.0, 3_300_000.0
    cells = [
        box(x0 + c * size, y0 + r * size, x0 + (c + 1) * size, y0 + (r + 1) * size)
        for r in range(rows)
        for c in range(cols)
    ]
    return gpd.GeoDataFrame(
        {"code": [f"{k:03d}" for k in range(rows * cols)]}, geometry=cells, crs=32649
    )


@pytest.fixture
def lattice_file(tmp_path):
    path = tmp_path / "lattice.gpkg"
    _lattice(3, 3).to_file(path)
    return path


def _run(capsys, *args: str) -> tuple[int, str, str]:
    from policylink.cli import main

    capsys.readouterr()
    code = main(["weights", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _values(w) -> dict[tuple[str, str], float]:
    return {
        (str(i), str(j)): v
        for i in w.id_order
        for j, v in zip(w.neighbors[i], w.weights[i], strict=True)
    }


def test_report_json_of_a_rook_lattice(lattice_file, capsys):
    code, out, err = _run(
        capsys, "report", "--layer", str(lattice_file), "--id", "code", "--weights", "rook",
        "--format", "json", "--members",
    )  # fmt: skip
    assert code == 0, err
    rep = json.loads(out)
    assert rep["histogram"] == {"2": 4, "3": 4, "4": 1}
    assert (rep["n"], rep["links"], rep["min_neighbours"], rep["max_neighbours"]) == (9, 24, 2, 4)
    assert rep["median_neighbours"] == 3.0 and rep["n_components"] == 1
    assert rep["islands"] == [] and rep["asymmetric"] == [] and rep["symmetric"] is True
    assert rep["components"] == [[f"{k:03d}" for k in range(9)]]
    # queen order 2 of a 3x3 lattice: the centre has none, so it is an island
    code, out, _ = _run(
        capsys, "report", "--layer", str(lattice_file), "--id", "code", "--weights", "queen^2",
        "--format", "json",
    )  # fmt: skip
    rep = json.loads(out)
    assert rep["islands"] == ["004"]
    assert rep["histogram"] == {"0": 1, "3": 4, "5": 4}  # corners: 5 cells at distance 2
    code, out, _ = _run(
        capsys, "report", "--layer", str(lattice_file), "--id", "code", "--weights", "rook"
    )
    assert code == 0 and "Cardinality histogram" in out


@pytest.mark.parametrize("kind", ["rook", "queen^1-2", "idw:25000:2", "kernel:3:quartic"])
def test_exported_files_read_back_equal(lattice_file, tmp_path, capsys, kind):
    ref = build_weights(_lattice(3, 3), "code", kind)
    suffixes = [".gal", ".gwt", ".csv"]
    try:
        import pyarrow  # noqa: F401

        suffixes.append(".parquet")
    except ImportError:
        pass
    for suffix in suffixes:
        out = tmp_path / f"w{suffix}"
        code, _, err = _run(
            capsys, "export", "--layer", str(lattice_file), "--id", "code", "--kind", kind,
            "--out", str(out),
        )  # fmt: skip
        assert code == 0, err
        if suffix in (".csv", ".parquet"):
            frame = (
                pd.read_csv(out, dtype={"i": str, "j": str})
                if suffix == ".csv"
                else pd.read_parquet(out)
            )
            got = {(i, j): v for i, j, v in frame[["i", "j", "weight"]].itertuples(index=False)}
        else:
            back = libpysal.io.open(str(out)).read()
            got = _values(back)
            got = {(f"{int(i):03d}", f"{int(j):03d}"): v for (i, j), v in got.items()}
        expected = _values(ref)
        assert set(got) == set(expected), (kind, suffix)
        if suffix != ".gal":  # GAL holds neighbours only
            keys = sorted(expected)
            np.testing.assert_allclose(
                [got[k] for k in keys], [expected[k] for k in keys], rtol=1e-12
            )


def test_export_with_a_transformation_and_bad_suffix(lattice_file, tmp_path, capsys):
    out = tmp_path / "r.csv"
    code, _, err = _run(
        capsys, "export", "--layer", str(lattice_file), "--id", "code", "--kind", "rook",
        "--transform", "r", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    frame = pd.read_csv(out, dtype={"i": str, "j": str})
    np.testing.assert_allclose(frame.groupby("i")["weight"].sum(), 1.0)
    assert frame.loc[frame["i"] == "000", "weight"].tolist() == [0.5, 0.5]
    code, _, err = _run(
        capsys, "export", "--layer", str(lattice_file), "--id", "code", "--out", str(tmp_path / "w.txt")
    )  # fmt: skip
    assert code != 0 and ".parquet" in err and "Traceback" not in err
    code, _, err = _run(capsys, "report", "--layer", str(lattice_file), "--id", "code",
                        "--weights", "links")  # fmt: skip
    assert code != 0 and "database" in err and "Traceback" not in err


@pytest.mark.slow
def test_database_report_islands_are_the_view_islands(bundled_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", bundled_url)
    code, out, err = _run(capsys, "report", "--level", "prefecture", "--weights", "rook",
                          "--format", "json")  # fmt: skip
    assert code == 0, err
    rep = json.loads(out)
    with psycopg.connect(bundled_url) as conn:
        islands = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM w_islands WHERE level = 'prefecture' AND rook_island ORDER BY code"
            )
        ]
        n = conn.execute("SELECT count(*) FROM unit_level WHERE level = 'prefecture'").fetchone()[0]
    assert rep["islands"] == islands and rep["n"] == n
    assert rep["symmetric"] is True and rep["n_islands"] == len(islands)
    # old form still works: `policylink weights --kind ... --out` = export
    code, out, err = _run(capsys, "--kind", "links", "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)) > 0


def test_option_choices_are_the_libraries_levels_and_transforms():
    """The weights command writes its choices out (lazy imports); they equal the one truth."""
    from policylink import dbread
    from policylink import weights as wmod
    from policylink.commands import weights as cmd

    assert cmd.LEVEL_CHOICES == dbread.LEVELS
    assert cmd.TRANSFORM_CHOICES == wmod.TRANSFORMS
