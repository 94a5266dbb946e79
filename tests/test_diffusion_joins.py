"""Join counts of adoption maps (Cliff & Ord 1981): a hand count of BB, BW and WW joins on a
3 x 3 rook lattice, esda ``Join_Counts`` called directly on the same W with the same seed, and
``policylink diffusion joincount`` on the real bundled low-carbon pilot map against a SQL
count of BB joins over ``w_queen`` and esda on W built from the same pairs."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import psycopg
import pytest
from click.testing import CliRunner
from esda.join_counts import Join_Counts
from libpysal.weights import W, lat2W

from policylink.analyses.diffusion import JoinCountOptions, run_joincount
from policylink.spatial.diffusion_joins import join_counts

#  1 1 0
#  1 0 0
#  0 0 1
Y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1], float)


def test_hand_count_on_a_rook_lattice():
    # the 12 rook joins of a 3 x 3 lattice, listed by hand
    joins = [(0, 1), (1, 2), (3, 4), (4, 5), (6, 7), (7, 8),
             (0, 3), (3, 6), (1, 4), (4, 7), (2, 5), (5, 8)]  # fmt: skip
    bb = sum(Y[a] == Y[b] == 1 for a, b in joins)
    ww = sum(Y[a] == Y[b] == 0 for a, b in joins)
    assert (bb, ww) == (2, 4)  # (0,1), (0,3); (4,5), (6,7), (4,7), (2,5)
    r = join_counts(Y, lat2W(3, 3, rook=True), permutations=0)
    assert (r.joins, r.bb, r.bw, r.ww) == (12, 2, 6, 4)
    assert r.n_black == 4 and np.isnan(r.p_bb)
    # the same from a dense 0/1 matrix
    M = np.zeros((9, 9))
    for a, b in joins:
        M[a, b] = M[b, a] = 1
    r2 = join_counts(Y, M, permutations=0)
    assert (r2.bb, r2.bw, r2.ww) == (2, 6, 4)


def test_equals_esda_with_the_same_seed():
    w = lat2W(6, 6, rook=False)
    rng = np.random.default_rng(1)
    y = (rng.random(36) < 0.4).astype(float)
    before = np.random.get_state()[1].copy()
    r = join_counts(y, w, permutations=199, seed=42)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # global state restored
    np.random.seed(42)
    ref = Join_Counts(y, w, permutations=199)
    assert (r.bb, r.bw, r.ww, r.joins) == (ref.bb, ref.bw, ref.ww, ref.J)
    assert r.p_bb == ref.p_sim_bb and r.p_bw == ref.p_sim_bw
    assert r.mean_bb == pytest.approx(ref.mean_bb) and r.mean_bw == pytest.approx(ref.mean_bw)
    sim = np.asarray(ref.sim_bw, float)
    assert r.p_bw_fewer == pytest.approx(((sim <= ref.bw).sum() + 1) / 200)
    with pytest.raises(ValueError, match="same colour"):
        join_counts(np.zeros(36), w)
    with pytest.raises(ValueError, match="binary"):
        join_counts(np.full(36, 2.0), w)


def test_equals_esda_on_a_map_with_islands():
    # Units 4-7 have no neighbours: a draw that puts every adopter on them leaves the adopters
    # without joins, esda's chi-square table gets an empty row and esda draws again. The same
    # draws must be skipped here, or every later draw would differ.
    from libpysal.weights import W

    w = W({0: [1, 3], 1: [0, 2], 2: [1, 3], 3: [0, 2], 4: [], 5: [], 6: [], 7: []},
          silence_warnings=True)  # fmt: skip
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0], float)
    r = join_counts(y, w, permutations=299, seed=3)
    np.random.seed(3)
    ref = Join_Counts(y, w, permutations=299)
    assert (r.bb, r.bw, r.ww, r.joins) == (ref.bb, ref.bw, ref.ww, ref.J)
    assert r.p_bb == ref.p_sim_bb and r.p_bw == ref.p_sim_bw
    assert r.mean_bw == pytest.approx(ref.mean_bw, abs=1e-12)
    # the same seed's first 299 plain draws include maps with both adopters on islands
    np.random.seed(3)
    raw = np.array([np.random.permutation(y) for _ in range(299)])
    assert (raw[:, :4].sum(axis=1) == 0).sum() > 10
    with pytest.raises(ValueError, match="no neighbours"):
        join_counts(np.array([0, 0, 0, 0, 1, 1, 0, 0], float), w)


def _cascade(w, ids: list[str], first: dict[str, int], years: tuple[int, int], weights: str):
    """Cascade inputs of run_joincount: first adoption years on the weights ``w`` over ``ids``."""
    return SimpleNamespace(
        programme="demo",
        cascade=pd.DataFrame({"code": list(first), "first_year": list(first.values())}),
        ids=ids,
        years=years,
        W=w.sparse,
        weights=weights,
        source="test",
        notes=[],
    )


def test_run_joincount_by_year():
    w = lat2W(3, 3, rook=True)
    ids = [f"u{k}" for k in range(9)]
    first = {"u0": 2010, "u1": 2011, "u3": 2011, "u8": 2012}
    inp = _cascade(w, ids, first, (2009, 2012), "rook lattice")
    res = run_joincount(inp, JoinCountOptions(permutations=99, seed=5))
    rows = res.rows.set_index("year")
    assert rows.loc[2009, "n_adopted"] == 0 and np.isnan(rows.loc[2009, "p_bb"])
    assert any("2009" in n for n in res.provenance.notes)
    assert rows.loc[2012, "bb"] == 2 and rows.loc[2012, "bw"] == 6
    direct = join_counts(Y, w, permutations=99, seed=5 + 3)  # 2012 = year k = 3
    assert rows.loc[2012, "p_bb"] == direct.p_bb and rows.loc[2012, "p_bw"] == direct.p_bw
    assert list(res.table("zh").columns)[0] == "年份"
    assert json.loads(res.to_json())["synthetic"] is False


def test_run_joincount_years_whose_adopters_have_no_neighbours():
    # u4 has no neighbour: in 2010 it is the only adopter, so no draw can be tested (esda
    # refused such a map with a chi-square error); the year keeps its counts and a note
    from libpysal.weights import W

    w = W({"u0": ["u1"], "u1": ["u0", "u2"], "u2": ["u1", "u3"], "u3": ["u2"], "u4": []},
          silence_warnings=True)  # fmt: skip
    first = {"u4": 2010, "u0": 2011}
    inp = _cascade(w, w.id_order, first, (2010, 2011), "a path and an island")
    res = run_joincount(inp, JoinCountOptions(permutations=49, seed=1))
    rows = res.rows.set_index("year")
    assert rows.loc[2010, ["joins", "bb", "bw", "ww"]].tolist() == [3, 0, 0, 3]
    assert np.isnan(rows.loc[2010, "p_bb"]) and np.isnan(rows.loc[2010, "p_bw"])
    assert rows.loc[2011, ["bb", "bw", "ww"]].tolist() == [0, 1, 2]
    assert not np.isnan(rows.loc[2011, "p_bb"])
    notes = res.provenance.notes
    assert any("2010" in n and "no neighbours" in n for n in notes)
    assert any("1 unit(s) without neighbours" in n for n in notes)


def test_joincount_command_on_the_real_map(bundled_url, monkeypatch):
    from policylink.cli import cli

    monkeypatch.setenv("DATABASE_URL", bundled_url)
    with psycopg.connect(bundled_url) as c:
        ids = [
            r[0]
            for r in c.execute(
                "SELECT code FROM admin_unit WHERE level = 'prefecture' ORDER BY code"
            ).fetchall()
        ]
        pairs = c.execute("SELECT i, j FROM w_queen WHERE level = 'prefecture'").fetchall()
        bb_sql = dict(
            c.execute(
                "SELECT y, count(*) / 2 FROM generate_series(2009, 2022) y "
                "JOIN w_queen q ON q.level = 'prefecture' "
                "JOIN eha_cascade('low_carbon_pilot', 'prefecture') a "
                "  ON a.unit_code = q.i AND a.first_year <= y "
                "JOIN eha_cascade('low_carbon_pilot', 'prefecture') b "
                "  ON b.unit_code = q.j AND b.first_year <= y GROUP BY y"
            ).fetchall()
        )
        first = dict(
            c.execute(
                "SELECT unit_code, first_year FROM eha_cascade('low_carbon_pilot', 'prefecture')"
            ).fetchall()
        )
    r = CliRunner().invoke(
        cli, ["diffusion", "joincount", "--permutations", "99", "--format", "json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output[r.output.index("{") :])
    years = {row["year"]: row for row in out["years"]}
    for y, row in years.items():
        assert row["bb"] == bb_sql.get(y, 0)
    # esda on W built here from the w_queen pairs, seed 12345 + k for year 2009 + k
    neigh = {u: [] for u in ids}
    for i, j in pairs:
        neigh[i].append(j)
    w = W(neigh, id_order=ids, silence_warnings=True)
    y2012 = np.array([first.get(u, 9999) <= 2012 for u in ids], float)
    np.random.seed(12345 + 3)
    ref = Join_Counts(y2012, w, permutations=99)
    assert years[2012]["bb"] == ref.bb and years[2012]["bw"] == ref.bw
    assert years[2012]["p_bb"] == pytest.approx(ref.p_sim_bb)
    assert years[2012]["p_bw"] == pytest.approx(ref.p_sim_bw)
    assert out["synthetic"] is False and out["n_units"] == len(ids)
    r = CliRunner().invoke(cli, ["diffusion", "joincount", "--permutations", "9", "--format",
                                 "csv"])  # fmt: skip
    assert r.exit_code == 0 and "year,n_adopted,n,joins,bb" in r.output
