"""SQL views (issue 4) on the bundled real data in a real PostGIS, against independent references.

References: libpysal contiguity / KNN / DistanceBand built from the same equal-area geometries,
the event files in data/events (parsed here in Python, rules re-implemented independently),
seed 001 section 2.3 (the 13 x 3 JJJ city table) and seed 004 section 3 (adoption rules).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import libpysal
import numpy as np
import psycopg
import pytest
import yaml
from psycopg import errors

from policylink import dbread

ROOT = Path(__file__).resolve().parents[1]
JJJ = ["110000", "120000", "130000"]

# the session's bundled database (tests/conftest.py) is loaded once for the whole run; tests
# here only read it (the one that inserts rolls back)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def db(bundled_url: str) -> str:
    """The session's bundled database: provinces, prefectures, JJJ counties, the bundled events
    (plus the catalogue and the SYNTHETIC JJJ panel), views refreshed. Read-only."""
    return bundled_url


def _pairs_of(w: libpysal.weights.W, ids: list[str] | None = None) -> set[tuple[str, str]]:
    """Neighbour pairs of a W; ``ids`` maps positional ids (0..n-1) back to codes."""
    lab = (lambda k: ids[k]) if ids is not None else str
    return {(lab(i), lab(j)) for i, nbs in w.neighbors.items() for j in nbs}


def _db_pairs(url: str, kind: str, level: str, within=None) -> set[tuple[str, str]]:
    p = dbread.read_pairs(url, kind, level, within)
    return set(zip(p["i"], p["j"], strict=True))


# -- contiguity -------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["province", "prefecture"])
def test_queen_equals_libpysal_pair_by_pair(db, level, libpysal_contiguity):
    # touching pairs: libpysal fuzzy_contiguity without buffer = "geometries intersect"
    # (the same predicate as ST_Intersects), and the vertex-based Queen builder; within the gap
    # tolerance: GEOS's exact dwithin ("distance <= TOL"; libpysal's fuzzy_contiguity with each
    # polygon buffered by TOL/2 gives the same pairs here, 3x slower)
    with psycopg.connect(db) as conn:
        touching = {
            (i, j)
            for a, b in conn.execute(
                "SELECT code_i, code_j FROM w_contiguity WHERE level = %s AND contact <> 'gap'",
                (level,),
            ).fetchall()
            for i, j in ((a, b), (b, a))
        }
    got = _db_pairs(db, "queen", level)
    assert touching == libpysal_contiguity(level, "touching").pairs
    # shared vertices: libpysal's Queen builder on the provinces; on the prefectures (8 s in
    # libpysal) its vectorised equal, checked against libpysal below
    assert (
        touching == libpysal_contiguity(level, "queen" if level == "province" else "vertex").pairs
    )
    assert got == libpysal_contiguity(level, "tolerance").pairs
    assert len(got) > 100


def test_rook_equals_libpysal_rook(db, libpysal_contiguity):
    # libpysal's Rook builder on the counties; on the prefectures (10 s in libpysal) the
    # vectorised shared-edge criterion, checked against libpysal below
    assert _db_pairs(db, "rook", "county") == libpysal_contiguity("county", "rook").pairs
    assert _db_pairs(db, "rook", "prefecture") == libpysal_contiguity("prefecture", "edge").pairs
    assert len(libpysal_contiguity("prefecture", "edge").pairs) > 1000


@pytest.mark.parametrize("level", ["province", "county"])
def test_vectorised_references_equal_libpysal(level, libpysal_contiguity):
    # the shared-vertex / shared-edge references that stand in for libpysal's Queen / Rook on
    # the prefectures (above) and the 2,875 counties (tests/test_views_counties.py) give
    # libpysal's pairs on the bundled provinces and counties (and on the prefectures when
    # checked by hand: 1,938 ordered pairs each)
    queen = libpysal_contiguity(level, "queen").pairs
    assert libpysal_contiguity(level, "vertex").pairs == queen
    if level == "county":
        rook = libpysal_contiguity(level, "rook").pairs
        assert libpysal_contiguity(level, "edge").pairs == rook
        assert len(rook) > 1000 and rook < queen  # corner-only contacts: queen, not rook


def test_jjj_queen_graph_is_the_real_one(db):
    w = dbread.read_weights(db, "queen", "prefecture", JJJ)
    assert w.n == 13 and w.id_order[0] == "110100" and w.id_order[-1] == "131100"
    assert w.neighbors["130400"] == ["130500"]  # Handan: only Xingtai within JJJ
    assert {"110100", "120100"} <= set(w.neighbors["131000"])  # Langfang
    assert "120100" in w.neighbors["110100"]  # Beijing - Tianjin
    assert "130300" not in w.neighbors["110100"]  # Qinhuangdao is not on Beijing's border
    for i, nbs in w.neighbors.items():  # symmetric, no self-links
        assert i not in nbs
        assert all(i in w.neighbors[j] for j in nbs)
    r = dbread.read_weights(db, "queen", "prefecture", JJJ, transform="r")
    assert np.allclose(np.asarray(r.sparse.sum(axis=1)).ravel(), 1.0)


def test_row_standardised_view_rows_sum_to_one(db):
    with psycopg.connect(db) as conn:
        sums = conn.execute(
            "SELECT i, sum(weight) FROM w_queen_rs WHERE level = 'prefecture' GROUP BY i"
        ).fetchall()
    assert sums and all(abs(s - 1.0) < 1e-12 for _, s in sums)


def test_islands_reported_not_dropped(db, libpysal_contiguity):
    isl = dbread.read_islands(db, "prefecture")
    ref = libpysal_contiguity("prefecture", "tolerance")
    assert set(isl.loc[isl["queen_island"], "code"]) == ref.islands
    assert "460300" in set(isl["code"])  # Sansha (South China Sea islands)
    w = dbread.read_weights(db, "queen", "prefecture")
    assert w.n == len(ref.ids) and w.cardinalities["460300"] == 0


def test_knn_and_distance_band_equal_libpysal(db):
    units = dbread.read_units(db, "prefecture", equal_area=True)
    pts = np.column_stack([units.geometry.centroid.x, units.geometry.centroid.y])
    ids = list(units["code"])
    knn = libpysal.weights.KNN(pts, k=5, ids=ids)
    assert _db_pairs(db, "knn:5", "prefecture") == _pairs_of(knn)
    band = libpysal.weights.DistanceBand(pts, threshold=150_000, ids=ids, binary=True)
    band_pairs = _pairs_of(band)
    assert _db_pairs(db, "distance:150000", "prefecture") == band_pairs
    # within a subset, neighbours are searched inside it
    sub = units[units["code"].str.startswith("13")]
    sub_pts = np.column_stack([sub.geometry.centroid.x, sub.geometry.centroid.y])
    ref = libpysal.weights.KNN(sub_pts, k=3, ids=list(sub["code"]))
    assert _db_pairs(db, "knn:3", "prefecture", ["130000"]) == _pairs_of(ref)


def test_county_set_includes_also_county_units(db):
    with psycopg.connect(db) as conn:
        n_jjj = conn.execute(
            "SELECT count(*) FROM admin_unit u JOIN unit_ancestor a ON a.code = u.code "
            "WHERE a.ancestor_code = ANY(%s) AND (u.level = 'county' OR u.also_county)",
            (JJJ,),
        ).fetchone()[0]
    assert len(dbread.unit_codes(db, "county", JJJ)) == n_jjj > 150


# -- adoption ---------------------------------------------------------------------------------


def _pilot_reference(db: str, *, effective=(2011, 2013, 2017), province_covers=True,
                     county_pilots=False) -> dict[str, int]:  # fmt: skip
    """Seed 004's coding rules re-implemented on the YAML events and the unit parents.

    A province whose only prefecture-level unit has its name (the municipalities: 北京市 110000
    and 110100) is that unit: its designation designates the prefecture whatever
    ``province_covers`` says (one territory, two codes).
    """
    events = yaml.safe_load((ROOT / "data/events/low_carbon_pilots.yaml").read_text())["events"]
    pref = dbread.read_units(db, "prefecture")
    prov = dbread.read_units(db, "province")
    prov_names = dict(zip(prov["code"], prov["name_zh"], strict=True))
    counties = dbread.read_units(db, "county")
    parent_of = dict(zip(counties["code"], counties["parent_code"], strict=True))
    by_province: dict[str, list[str]] = {}
    names = dict(zip(pref["code"], pref["name_zh"], strict=True))
    for code, parent in zip(pref["code"], pref["parent_code"], strict=True):
        by_province.setdefault(parent, []).append(code)
    same = {
        p: kids[0]
        for p, kids in by_province.items()
        if len(kids) == 1 and names[kids[0]] == prov_names[p]
    }
    first: dict[str, int] = {}
    for ev in events:
        year = effective[ev["batch"] - 1]
        for p in ev["participants"]:
            code = str(p["code"])
            if code in same:
                targets = [same[code]]
            elif code in by_province:
                targets = by_province[code] if province_covers else []
            elif code in set(pref["code"]):
                targets = [code]
            elif county_pilots and code in parent_of:
                targets = [parent_of[code]]
            else:
                targets = []
            for t in targets:
                first[t] = min(first.get(t, 9999), year)
    return first


def test_adoption_panel_follows_seed004_rules(db):
    panel = dbread.read_adoption(db)
    firsts = panel.dropna(subset=["first_year"]).drop_duplicates("code")
    got = dict(zip(firsts["code"], firsts["first_year"].astype(int), strict=True))
    assert got == _pilot_reference(db)
    assert set(got.values()) == {2011, 2013, 2017}
    assert got["130600"] == 2011 and got["130100"] == 2013  # Baoding batch 1, Shijiazhuang 2
    assert got["110100"] == 2013  # Beijing designated as a province in batch 2
    # balanced 0/1 panel, treated from first_year on
    assert len(panel) == 370 * 14
    row = panel[(panel["code"] == "130100")].set_index("year")["treated"]
    assert row[2012] == 0 and row[2013] == 1 and row[2022] == 1


def test_guangdong_province_expansion(db):
    gd = dbread.read_adoption(db, within=["440000"], years=(2010, 2011))
    assert len(gd) == 2 * 21
    assert (gd["first_year"] == 2011).all() and (gd["batch"] == 1).all()
    assert set(gd["source_event"]) == {"lcp-2010-batch1"}
    # Guangzhou is also a batch-2 city: earliest wins, so 2011 via the province
    assert gd[gd["code"] == "440100"]["first_year"].iloc[0] == 2011


def test_adoption_rules_are_configurable(db):
    rules = dbread.AdoptionRules(province_covers=False, county_pilots=True)
    panel = dbread.read_adoption(db, rules=rules, years=(2022, 2022))
    known = panel.dropna(subset=["first_year"])
    got = dict(zip(known["code"], known["first_year"].astype(int), strict=True))
    assert got == _pilot_reference(db, province_covers=False, county_pilots=True)
    assert got["440100"] == 2013  # Guangzhou now by its own batch-2 designation
    assert "440400" not in got  # Zhuhai only through the province
    assert got["231100"] == 2017  # Heihe through its county pilot Xunke 231123
    # Beijing and Shanghai, designated on 110000/310000 in batch 2, are those prefectures
    assert got["110100"] == got["310100"] == 2013
    notice = dbread.read_adoption(
        db, rules=dbread.AdoptionRules(effective_years=()), years=(2022, 2022)
    )
    assert set(notice["first_year"].dropna().astype(int)) == {2010, 2012, 2017}


def test_seed001_13x3_table_from_events(db):
    table = dbread.read_period_adoption(db, "jjj_policy_adoption", "prefecture", JJJ, wide=True)
    got = {r.code: (r[2], r[3], r[4]) for r in table.itertuples(index=False)}
    # seed 001 section 2.3 / Fig. 1: before 2008 only Beijing, Tianjin and Tangshan (Shougang);
    # by 2014 Chengde and Baoding added; after 2014 all 13 cities
    expected = {c: (0, 0, 1) for c in got}
    for c in ("110100", "120100", "130200"):
        expected[c] = (1, 1, 1)
    for c in ("130800", "130600"):
        expected[c] = (0, 1, 1)
    assert len(got) == 13 and got == expected
    assert list(table.columns[2:5]) == ["before 2008", "2008-2014", "2014-2016"]


def test_county_by_period_table(db):
    table = dbread.read_period_adoption(db, "jjj_policy_adoption", "county", JJJ, cumulative=False)
    adopted = table[table["adopted"] == 1]
    got = set(zip(adopted["code"], adopted["period"], strict=True))
    assert got == {
        ("130209", "before 2008"),  # Caofeidian
        ("130732", "2008-2014"),  # Chicheng
        ("130706", "2008-2014"),  # Xiahuayuan
        ("110106", "2008-2014"),  # Fengtai
        ("120116", "2008-2014"),  # Binhai
    }


# -- links ------------------------------------------------------------------------------------

LINK_KINDS = {
    "coordination_agreement",
    "industrial_transfer",
    "co_construction",
    "division_of_labour",
    "innovation_cooperation",
    "other",
}


def _expected_pair_counts() -> Counter:
    """Distinct events per unordered pair, straight from the event files."""
    counts: Counter = Counter()
    for f in sorted((ROOT / "data/events").glob("*.yaml")):
        for ev in yaml.safe_load(f.read_text())["events"]:
            if ev["kind"] not in LINK_KINDS:
                continue
            parts = ev.get("participants", [])
            roles = {str(p["code"]): p.get("role", "party") for p in parts}
            party = sorted(c for c, r in roles.items() if r == "party")
            pairs = {(a, b) for i, a in enumerate(party) for b in party[i + 1 :]}
            send = [c for c, r in roles.items() if r == "sender"]
            recv = [c for c, r in roles.items() if r == "receiver"]
            pairs |= {tuple(sorted((s, r))) for s in send for r in recv}
            counts.update(pairs)
    return counts


def test_link_counts_per_pair_equal_encoded_events(db):
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT code_a, code_b, n_events FROM coordination_link_summary"
        ).fetchall()
        directed = conn.execute(
            "SELECT count(*) FROM coordination_link WHERE directed AND from_code = '110107' "
            "AND to_code = '130209'"
        ).fetchone()[0]
    assert {(a, b): n for a, b, n in rows} == dict(_expected_pair_counts())
    assert directed == 2  # Shougang relocation and HQ/production split


def test_links_roll_up_to_prefectures(db):
    s = dbread.read_links(db, "prefecture", JJJ, summary=True).set_index(["code_a", "code_b"])
    # Shijingshan -> Caofeidian rolls up to Beijing -> Tangshan; with the Caofeidian zone (party
    # pair Beijing-Caofeidian) and Zhongguancun parks (Haidian -> Tangshan) that is 4 events
    assert s.loc[("110100", "130200"), "n_events"] == 4
    assert s.loc[("110100", "130200"), "n_directed"] == 3
    assert ("110100", "110100") not in s.index
    links = dbread.read_links(db, "prefecture", JJJ)
    assert links.geometry.geom_type.eq("LineString").all()
    with psycopg.connect(db) as conn:
        per_period = conn.execute(
            "SELECT sum(n_events) FROM coordination_link_period_at('prefecture')"
        ).fetchone()[0]
        per_pair = conn.execute(
            "SELECT sum(n_events) FROM coordination_link_summary_at('prefecture')"
        ).fetchone()[0]
    assert per_period == per_pair > 0  # every link event falls in exactly one period


# -- diffusion --------------------------------------------------------------------------------


def test_neighbor_adoption_is_w_times_d(db):
    w = dbread.read_weights(db, "queen", "prefecture", transform="r")
    panel = dbread.read_adoption(db, years=(2013, 2013)).set_index("code")
    d = panel.loc[w.id_order, "treated"].to_numpy(float)
    lag = libpysal.weights.lag_spatial(w, d)
    na = dbread.read_neighbor_adoption(db, years=(2013, 2013)).set_index("code")
    has = np.array([w.cardinalities[c] > 0 for c in w.id_order])
    assert np.allclose(na.loc[w.id_order, "share"].to_numpy()[has], lag[has])
    assert na.loc[np.array(w.id_order)[~has], "share"].isna().all()


def test_diffusion_edges(db):
    edges = dbread.read_diffusion_edges(db, "prefecture")
    adopted = dbread.read_adoption(db, years=(2022, 2022)).dropna(subset=["first_year"])
    first = dict(zip(adopted["code"], adopted["first_year"].astype(int), strict=True))
    w = dbread.read_weights(db, "queen", "prefecture")
    expected = {
        (i, j)
        for i in w.id_order
        for j in w.neighbors[i]
        if i in first and j in first and first[j] > first[i]
    }
    contiguity = edges[edges["via"].str.contains("contiguity")]
    assert set(zip(contiguity["from_code"], contiguity["to_code"], strict=True)) == expected
    assert (edges["lag_years"] == edges["to_year"] - edges["from_year"]).all()
    assert (edges["lag_years"] > 0).all()


def test_distance_rings(db):
    rings = dbread.read_distance_rings(db, ["131000"], "prefecture", within=JJJ).set_index("code")
    units = dbread.read_units(db, "prefecture", JJJ, equal_area=True).set_index("code")
    core = units.loc["131000", "geometry"]
    dist = units.geometry.distance(core)
    assert np.allclose(rings.loc[units.index, "distance_m"], dist, atol=1e-3)
    assert rings.loc["131000", "ring"] == "core"
    assert rings.loc["110100", "ring"] == "expansion"  # touches Langfang
    assert rings.loc["130400", "ring"] == "radiation"  # Handan, > 100 km away
    # a core that matches no unit gives no distance and no ring (not "radiation" for all)
    none = dbread.read_distance_rings(db, ["999999"], "prefecture", within=JJJ)
    assert len(none) == 13 and none["distance_m"].isna().all() and none["ring"].isna().all()


def test_distance_rings_measures_each_unit_once(db):
    # distance_rings reads the distance in its output and in each branch of the ring's CASE,
    # and polygon_distance reads its upper bound d0 twice in a box it reads twice. PostgreSQL's
    # statistics count the calls of polygon_distance (a SQL function that is not inlined) and
    # of ST_ClosestPoint (d0's C function): one per unit and one per unit apart from the core,
    # not one per reference (flattened: 40 and 4 per unit, 3-5x slower).
    with psycopg.connect(db) as conn:  # rolled back: the statistics setting is the session's
        conn.execute("SET track_functions = 'all'")
        rows = conn.execute(
            "SELECT ring, distance_m FROM distance_rings(%s, 'prefecture', 100000, 300000, %s)",
            (["131000"], JJJ),
        ).fetchall()
        calls = dict(
            conn.execute(
                "SELECT funcname, sum(calls)::int FROM pg_stat_xact_user_functions "
                "WHERE funcname IN ('polygon_distance', 'st_closestpoint') GROUP BY 1"
            ).fetchall()
        )
        conn.rollback()
    apart = sum(1 for _, d in rows if d > 0)
    assert len(rows) == 13 and 0 < apart < 13
    assert calls == {"polygon_distance": 13, "st_closestpoint": apart}


def test_distance_rings_of_a_region_core_equal_shapely(db):
    # A core of two provinces: its union's box overlaps most units around it, where the
    # distance is measured on the clipped polygons (polygon_distance); shapely (GEOS) measures
    # the whole polygons against the union.
    import shapely

    within = [*JJJ, "140000"]
    rings = dbread.read_distance_rings(
        db,
        ["110000", "120000"],
        "prefecture",
        expansion_m=100_000,
        radiation_m=300_000,
        within=within,
    ).set_index("code")
    units = dbread.read_units(db, "prefecture", within, equal_area=True).set_index("code")
    core = shapely.union_all(units.loc[["110100", "120100"], "geometry"].to_numpy())
    dist = units.geometry.distance(core)
    assert len(rings) == len(units) == 24  # 13 + 11 prefecture-level units
    assert np.allclose(rings.loc[units.index, "distance_m"], dist, rtol=0, atol=1e-3)
    assert (dist > 0).sum() > 15 and (dist > 300_000).any()  # far units are measured too
    want = np.where(dist <= 100_000, "expansion", np.where(dist <= 300_000, "radiation", "outside"))
    want[units.index.isin(["110100", "120100"])] = "core"
    assert rings.loc[units.index, "ring"].tolist() == want.tolist()


# -- panels -----------------------------------------------------------------------------------


def test_emission_panel_and_spatial_lag(db):
    codes = dbread.unit_codes(db, "prefecture", JJJ)
    rng = np.random.default_rng(7)
    values = {c: float(v) for c, v in zip(codes, rng.uniform(1, 10, len(codes)), strict=True)}
    with psycopg.connect(db) as conn:  # rolled back at the end: synthetic values for the test
        conn.execute(
            "INSERT INTO variable(name, is_synthetic) VALUES ('co2_emissions', true) "
            "ON CONFLICT DO NOTHING"
        )
        for c, v in values.items():
            conn.execute(
                "INSERT INTO observation(unit_code, year, variable, value) "
                "VALUES (%s, 2015, 'co2_emissions', %s)",
                (c, v),
            )
        wide = conn.execute(
            "SELECT unit_code, co2_emissions FROM emission_panel WHERE year = 2015"
        ).fetchall()
        assert dict(wide) == values
        lag = dict(
            conn.execute(
                "SELECT unit_code, lag FROM spatial_lag('co2_emissions', 'prefecture')"
            ).fetchall()
        )
        panel = dbread.read_panel(conn, ["co2_emissions"], "prefecture", JJJ, years=[2015])
        conn.rollback()
    w = dbread.read_weights(db, "queen", "prefecture", JJJ, transform="r")
    ref = libpysal.weights.lag_spatial(w, np.array([values[c] for c in w.id_order]))
    # only JJJ units carry values, so the national lag of a JJJ unit is its JJJ-neighbour mean
    assert np.allclose([lag[c] for c in w.id_order], ref)
    assert list(panel.columns) == ["code", "year", "co2_emissions"] and len(panel) == 13


# -- read-only role ---------------------------------------------------------------------------


def test_reader_role_reads_views_and_cannot_write(db):
    with psycopg.connect(db) as conn:
        conn.execute("SET ROLE policylink_reader")
        assert conn.execute("SELECT count(*) FROM w_queen").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM adoption_panel").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM w_knn('prefecture', 2)").fetchone()[0] > 0
        for stmt in (
            "DELETE FROM admin_unit",
            "UPDATE policy_event SET notes = 'x'",
            "CREATE TABLE probe (x int)",
            "REFRESH MATERIALIZED VIEW w_contiguity_queen_county",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                with conn.transaction():
                    conn.execute(stmt)
        conn.rollback()


# -- CLI --------------------------------------------------------------------------------------


def _cli(db: str, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run ``policylink weights ...`` in-process against ``db``; (exit code, stdout, stderr)."""
    from policylink.cli import main

    monkeypatch.setenv("DATABASE_URL", db)
    capsys.readouterr()
    code = main(["weights", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("kind", ["queen", "rook", "knn:4", "distance:120000"])
def test_weights_cli_gal_gwt_csv_read_back(db, tmp_path, monkeypatch, capsys, kind):
    ref = dbread.read_weights(db, kind, "prefecture", JJJ)
    for suffix in (".gal", ".gwt", ".csv"):
        out = tmp_path / f"w{suffix}"
        code, _, err = _cli(db, monkeypatch, capsys, "--kind", kind, "--within", ",".join(JJJ),
                            "--out", str(out))  # fmt: skip
        assert code == 0, err
        if suffix == ".csv":
            import pandas as pd

            pairs = pd.read_csv(out, dtype={"i": str, "j": str})
            got = set(zip(pairs["i"], pairs["j"], strict=True))
        else:
            got = _pairs_of(libpysal.io.open(str(out)).read())
        assert got == _pairs_of(ref), (kind, suffix)


def test_weights_cli_bad_input(db, tmp_path, monkeypatch, capsys):
    code, _, err = _cli(db, monkeypatch, capsys, "--kind", "knn:0")
    assert code == 2 and "knn:K" in err
    code, _, err = _cli(db, monkeypatch, capsys, "--within", "13")
    assert code == 2 and "six-digit" in err
    code, _, err = _cli(db, monkeypatch, capsys, "--out", str(tmp_path / "w.txt"))
    assert code == 2 and ".gal, .gwt or .csv" in err
    assert not (tmp_path / "w.txt").exists()


def test_weights_cli_prints_pairs_as_json(db, monkeypatch, capsys):
    import json

    code, out, _ = _cli(db, monkeypatch, capsys, "--within", "130000", "--format", "json")
    assert code == 0
    got = {(r["i"], r["j"]) for r in json.loads(out)}
    assert got == _db_pairs(db, "queen", "prefecture", ["130000"])
