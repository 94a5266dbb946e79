"""``policylink moran|lisa|sdm`` on files, checked against esda / spreg on the same inputs.

The panel is SYNTHETIC (generated below): SDM with rho = 0.4, beta = (1, -0.5),
theta = (0.5, 0.3), unit and time effects, 36 units on a 6 x 6 grid, 8 years.
"""

from __future__ import annotations

import json
from pathlib import Path

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import spreg
from shapely.geometry import box

from policylink.cli import main

N_SIDE, T = 6, 8


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("stats")
    w = libpysal.weights.lat2W(N_SIDE, N_SIDE, rook=False)
    w.transform = "r"
    W = w.sparse.toarray()
    N = N_SIDE * N_SIDE
    rng = np.random.default_rng(0)
    X = rng.normal(size=(T, N, 2))
    mu, xi = rng.normal(size=N), rng.normal(size=T)
    A = np.linalg.inv(np.eye(N) - 0.4 * W)
    Y = np.stack(
        [
            A @ (X[t] @ [1, -0.5] + W @ X[t] @ [0.5, 0.3] + mu + xi[t] + rng.normal(size=N))
            for t in range(T)
        ]
    )
    ids = [f"U{i:02d}" for i in range(N)]
    panel = pd.DataFrame(
        [
            {
                "unit": ids[k],
                "year": 2010 + t,
                "y": Y[t, k],
                "x1": X[t, k, 0],
                "x2": X[t, k, 1],
                "grp": "west" if k % N_SIDE < 3 else "east",
            }
            for t in range(T)
            for k in range(N)
        ]
    )
    panel.to_csv(d / "panel.csv", index=False)
    # 1 km cells (metres of EPSG:3857): far larger than the 1 m contiguity gap tolerance
    side = 1000.0
    geoms = [
        box(
            k % N_SIDE * side, k // N_SIDE * side, (k % N_SIDE + 1) * side, (k // N_SIDE + 1) * side
        )
        for k in range(N)
    ]
    gpd.GeoDataFrame({"unit": ids, "y": Y[0]}, geometry=geoms, crs=3857).to_file(d / "grid.gpkg")
    wn = libpysal.weights.W({ids[i]: [ids[j] for j in w.neighbors[i]] for i in range(N)})
    libpysal.io.open(str(d / "w.gal"), "w").write(wn)
    return {"dir": d, "panel": d / "panel.csv", "grid": d / "grid.gpkg", "gal": d / "w.gal"}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _queen(ids: list[str]) -> libpysal.weights.W:
    w = libpysal.weights.lat2W(N_SIDE, N_SIDE, rook=False)
    return libpysal.weights.W(
        {ids[i]: [ids[j] for j in w.neighbors[i]] for i in range(len(ids))}, id_order=ids
    )


def test_moran_json_from_panel_and_gal_equals_esda(files, capsys) -> None:
    code, out, _ = _run(
        capsys, "moran", "--variable", "y", "--panel", files["panel"], "--id", "unit",
        "--time", "year", "--weights", files["gal"], "--years", "2010-2012", "--format", "json",
    )  # fmt: skip
    assert code == 0
    res = json.loads(out)
    assert [r["year"] for r in res] == [2010, 2011, 2012]
    panel = pd.read_csv(files["panel"])
    ids = sorted(panel.unit.unique())
    for r in res:
        y = panel[panel.year == r["year"]].set_index("unit").loc[ids, "y"].to_numpy()
        ref = esda.Moran(y, _queen(ids), permutations=0, two_tailed=False)
        assert r["I"] == pytest.approx(ref.I)
        assert r["EI"] == pytest.approx(ref.EI)
        assert r["z"]["normality"] == pytest.approx(ref.z_norm)
        assert r["p"]["normality"] == pytest.approx(ref.p_norm)  # one-sided 'greater'
        assert r["p"]["randomization"] == pytest.approx(ref.p_rand)
        assert 0 < r["p"]["permutation"] <= 1


def test_moran_boundaries_give_the_same_weights_as_gal(files, capsys) -> None:
    common = ["moran", "--variable", "y", "--panel", files["panel"], "--id", "unit",
              "--time", "year", "--years", "2013", "--format", "json"]  # fmt: skip
    _, a, _ = _run(capsys, *common, "--weights", files["gal"])
    _, b, _ = _run(capsys, *common, "--boundaries", files["grid"])
    assert json.loads(a)[0]["I"] == pytest.approx(json.loads(b)[0]["I"], rel=1e-12)
    code, table, _ = _run(capsys, *common[:-2], "--boundaries", files["grid"])
    assert code == 0 and "2013" in table and "Moran" in table


def test_bivariate_moran_per_year_equals_esda(files, capsys) -> None:
    code, out, _ = _run(
        capsys, "moran", "--variable", "x1", "--with", "y", "--panel", files["panel"],
        "--id", "unit", "--time", "year", "--weights", files["gal"], "--years", "2014,2015",
        "--permutations", "99", "--format", "json",
    )  # fmt: skip
    assert code == 0
    res = json.loads(out)
    panel = pd.read_csv(files["panel"])
    ids = sorted(panel.unit.unique())
    assert [r["year"] for r in res] == [2014, 2015]
    for r in res:
        sub = panel[panel.year == r["year"]].set_index("unit").loc[ids]
        ref = esda.Moran_BV(sub.x1.to_numpy(), sub.y.to_numpy(), _queen(ids), permutations=0)
        assert r["I"] == pytest.approx(ref.I, rel=1e-10)


def test_lisa_from_layer_writes_clusters(files, capsys) -> None:
    out_file = files["dir"] / "lisa.gpkg"
    code, out, _ = _run(
        capsys, "lisa", "--variable", "y", "--layer", files["grid"], "--id", "unit",
        "--permutations", "199", "--seed", "7", "--out", out_file, "--format", "json",
    )  # fmt: skip
    assert code == 0
    res = json.loads(out)
    layer = gpd.read_file(out_file)
    assert len(layer) == 36 and "cluster" in layer.columns
    grid = gpd.read_file(files["grid"])
    ids = grid.unit.tolist()
    ref = esda.Moran_Local(grid.y.to_numpy(), _queen(ids), permutations=0)
    got = pd.DataFrame(res["units"]).set_index("id").loc[ids]
    assert np.allclose(got.Ii, ref.Is)
    # p: the analysis function's own permutations (esda's generator differs; the
    # distributions are compared in tests/test_spatial_autocorr.py)
    from policylink.spatial.autocorr import local_moran

    own = local_moran(grid.y.to_numpy(), _queen(ids), permutations=199, seed=7)
    assert np.allclose(got.p_sim, own.table.p_sim)
    assert sum(res["counts"].values()) == 36


def test_sdm_sar_unit_fe_json_equals_spreg(files, capsys) -> None:
    code, out, _ = _run(
        capsys, "sdm", "--y", "y", "--x", "x1,x2", "--model", "sar", "--fe", "unit",
        "--panel", files["panel"], "--id", "unit", "--time", "year", "--weights", files["gal"],
        "--draws", "300", "--format", "json",
    )  # fmt: skip
    assert code == 0
    res = json.loads(out)
    for key in ("coefficients", "rho", "sigma2", "log_likelihood", "r2", "n_units", "n_periods"):
        assert key in res
    assert set(res["effects"]) == {"direct", "indirect", "total"}
    assert set(res["effects"]["direct"]["x1"]) == {"estimate", "se", "z", "p"}
    panel = pd.read_csv(files["panel"]).sort_values(["year", "unit"])
    ids = sorted(panel.unit.unique())
    w = _queen(ids)
    w.transform = "r"
    ref = spreg.Panel_FE_Lag(panel[["y"]].to_numpy(), panel[["x1", "x2"]].to_numpy(), w)
    est = [res["coefficients"]["x1"]["estimate"], res["coefficients"]["x2"]["estimate"]]
    assert np.allclose(est + [res["rho"]["estimate"]], ref.betas.ravel(), atol=1e-4)
    assert res["coefficients"]["x1"]["se"] == pytest.approx(ref.std_err[0], rel=1e-4)
    assert res["n_units"] == 36 and res["n_periods"] == T


def test_sdm_table_groups_and_tests(files, capsys) -> None:
    code, out, _ = _run(
        capsys, "sdm", "--y", "y", "--x", "x1,x2", "--panel", files["panel"], "--id", "unit",
        "--time", "year", "--weights", files["gal"], "--draws", "100", "--tests",
    )  # fmt: skip
    assert code == 0
    assert "W*x1" in out and "indirect" in out and "(" in out and "***" in out
    assert "Hausman FE vs RE" in out and "LM lag (robust)" in out
    code, out, _ = _run(
        capsys, "sdm", "--y", "y", "--x", "x1,x2", "--panel", files["panel"], "--id", "unit",
        "--time", "year", "--weights", files["gal"], "--draws", "100", "--groups", "grp",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    groups = json.loads(out)["groups"]
    assert set(groups) == {"grp=east", "grp=west"}
    assert all(g["n_units"] == 18 for g in groups.values())


def test_bad_inputs_name_file_row_and_column(files, capsys) -> None:
    panel = pd.read_csv(files["panel"])
    bad = panel.copy()
    bad["x1"] = bad["x1"].astype(object)
    bad.loc[4, "x1"] = "n/a?"
    p = files["dir"] / "bad.csv"
    bad.to_csv(p, index=False)
    args = ["--y", "y", "--x", "x1,x2", "--id", "unit", "--time", "year", "--weights", files["gal"]]
    code, _, err = _run(capsys, "sdm", "--panel", p, *args)
    assert code == 2
    assert "bad.csv" in err and "row 5" in err and "'x1'" in err and "not a number" in err
    # a unit-year missing: unbalanced panel, named
    p2 = files["dir"] / "unbalanced.csv"
    panel.drop(index=40).to_csv(p2, index=False)
    code, _, err = _run(capsys, "sdm", "--panel", p2, *args)
    assert code == 2 and "unit 'U04'" in err and "2011" in err
    # a unit that the weights do not know
    p3 = files["dir"] / "stranger.csv"
    panel.assign(unit=panel.unit.replace({"U07": "ZZ"})).to_csv(p3, index=False)
    code, _, err = _run(capsys, "moran", "--variable", "y", "--panel", p3, "--id", "unit",
                        "--time", "year", "--weights", files["gal"])  # fmt: skip
    assert code == 2 and "'ZZ'" in err and "not in the weights" in err
    code, _, err = _run(capsys, "moran", "--variable", "nope", "--panel", files["panel"],
                        "--id", "unit", "--time", "year", "--weights", files["gal"])  # fmt: skip
    assert code == 2 and "'nope'" in err and "column not found" in err


def test_database_input_equals_file_input(make_db, capsys, monkeypatch) -> None:
    """Default (database) input: the bundled SYNTHETIC JJJ panel loaded by the ETL gives the
    same Moran's I as esda on the bundled CSV with the JJJ queen W, and the same SDM."""
    import psycopg

    from policylink.etl.boundaries import load_cnmaps
    from policylink.etl.bundle import load_bundled
    from policylink.etl.migrate import refresh_materialized_views
    from policylink.paths import DATA_DIR

    url = make_db()
    with psycopg.connect(url) as conn:
        load_cnmaps(conn, levels=("prefecture",), within=("110000", "120000", "130000"))
        conn.commit()
        load_bundled(conn, parts=["catalogue", "attributes", "synthetic_jjj"])
        refresh_materialized_views(conn)  # the contiguity views behind dbread.read_weights
        conn.commit()
    monkeypatch.setenv("DATABASE_URL", url)
    code, out, err = _run(
        capsys, "moran", "--variable", "syn_lnco2", "--years", "2006-2019",
        "--within", "110000,120000,130000", "--permutations", "0", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    csv = pd.read_csv(DATA_DIR / "synthetic" / "jjj_panel_SYNTHETIC.csv", dtype={"code": str})
    links = pd.read_csv(
        Path(__file__).parent / "data" / "jjj_queen_links.csv", comment="#", dtype=str
    )
    nb: dict[str, list[str]] = {}
    for a, b in links.itertuples(index=False):
        nb.setdefault(a, []).append(b)
        nb.setdefault(b, []).append(a)
    ids = sorted(nb)
    w = libpysal.weights.W(nb, id_order=ids)
    assert [r["year"] for r in res] == list(range(2006, 2020))
    assert all(r["synthetic"] for r in res)  # the catalogue flags syn_* as synthetic
    for r in res:
        y = csv[csv.year == r["year"]].set_index("code").loc[ids, "syn_lnco2"].to_numpy()
        ref = esda.Moran(y, w, permutations=0, two_tailed=False)
        assert r["I"] == pytest.approx(ref.I, rel=1e-9)
        assert r["z"]["randomization"] == pytest.approx(ref.z_rand, rel=1e-9)
    x = "syn_lnisu,syn_lngdp,syn_lnei"
    code, out, err = _run(
        capsys, "sdm", "--y", "syn_lnco2", "--x", x, "--within", "110000,120000,130000",
        "--draws", "50", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    db_fit = json.loads(out)
    from policylink.spatial.panel import fit_sdm

    ref = fit_sdm(csv, w, y="syn_lnco2", x=x.split(","), id_col="code", time_col="year", draws=50)
    assert db_fit["rho"]["estimate"] == pytest.approx(ref.rho, abs=1e-6)
    assert db_fit["coefficients"]["W*syn_lnisu"]["estimate"] == pytest.approx(
        ref.params[ref.names.index("W*syn_lnisu")], abs=1e-6
    )
    assert db_fit["n_units"] == 13 and db_fit["n_periods"] == 14
    assert "syn_lnco2" in db_fit["synthetic_variables"]
    code, out, err = _run(
        capsys, "sdm", "--y", "syn_lnco2", "--x", x, "--within", "110000,120000,130000",
        "--draws", "50", "--groups", "resource_dependent", "--model", "sar",
    )  # fmt: skip
    assert code == 0, err
    assert "SYNTHETIC" in out and "resource_dependent=resource_dependent" in out
