"""Maps: every kind renders from a real PostGIS database to a non-blank PNG with legend text.

The layers are the SYNTHETIC 3 x 3 grid of ``demo_fixtures`` (hand-checkable expectations).
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import psycopg
import pytest
from demo_fixtures import PROVINCE, load_synthetic, prefecture_codes
from pyproj import Geod, Transformer

from policylink import mapdata, maps
from policylink.cli import main
from policylink.figures import MapRequest, render_map


@pytest.fixture(scope="module")
def grid_url(database_copies, clone_migrated) -> str:
    """A fresh migrated database holding the synthetic grid (module scope: built once)."""
    from policylink.etl.migrate import refresh_materialized_views

    name, url = clone_migrated("t_maps_")
    with psycopg.connect(url) as conn:
        load_synthetic(conn)
        conn.commit()
        refresh_materialized_views(conn)
        conn.commit()
    yield url
    database_copies.drop(name)


def _png_variety(path: Path) -> int:
    img = mpimg.imread(path)
    rgb = (img[..., :3] * 255).astype(np.uint32).reshape(-1, 3)
    # one integer per colour: np.unique(axis=0) sorts rows lexically, ~2 s per image
    return len(np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]))


REQUESTS = {
    "pilots": MapRequest("pilots"),
    "adoption": MapRequest("adoption", within=PROVINCE),
    "links": MapRequest("links", within=PROVINCE),
    "lisa": MapRequest("lisa", variable="syn_value", year=2010, permutations=99),
    "choropleth": MapRequest("choropleth", variable="syn_value", year=2010),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_each_kind_renders_png_with_legend(grid_url, tmp_path, kind, lang):
    from dataclasses import replace

    req = replace(REQUESTS[kind], lang=lang)
    with psycopg.connect(grid_url) as conn, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, summary = render_map(conn, req)
        texts = maps.legend_texts(fig)
        all_text = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
        out = maps.save_figure(fig, tmp_path / f"{kind}.png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, f"tofu boxes: {missing[:3]}"
    assert len(texts) >= 2 and all(t.strip() for t in texts)
    # Source note says the data are synthetic (the grid's source says SYNTHETIC).
    note = maps.text("synthetic", lang)
    assert any(note in t for t in all_text)
    assert summary["synthetic"] is True
    # Scale bar unit and north arrow letter are drawn.
    assert any(t.endswith(maps.text("km", lang)) for t in all_text)
    assert maps.text("north", lang) in all_text
    assert out.stat().st_size > 10_000
    assert _png_variety(out) > 20, "PNG looks blank"


def test_pdf_output_and_bad_suffix(grid_url, tmp_path):
    with psycopg.connect(grid_url) as conn:
        fig, _ = render_map(conn, REQUESTS["choropleth"])
    pdf = maps.save_figure(fig, tmp_path / "c.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    with psycopg.connect(grid_url) as conn:
        fig, _ = render_map(conn, REQUESTS["choropleth"])
    with pytest.raises(maps.ConfigError, match=r"\.png or \.pdf"):
        maps.save_figure(fig, tmp_path / "c.svg")


def test_display_tolerance_is_a_fraction_of_the_extent(grid_url):
    """The grid's prefectures: 3 x 3 one-degree squares and a row of three north of them
    (3 x 4 degrees); the province alone is 3 x 3, one square 1 x 1; nothing selected -> 0."""
    frac = mapdata.DISPLAY_FRACTION
    with psycopg.connect(grid_url) as conn:
        assert mapdata.display_tolerance(conn, "prefecture") == pytest.approx(4 * frac)
        assert mapdata.display_tolerance(conn, "prefecture", PROVINCE) == pytest.approx(3 * frac)
        one = prefecture_codes()[4]
        assert mapdata.display_tolerance(conn, "prefecture", one) == pytest.approx(frac)
        assert mapdata.display_tolerance(conn, "prefecture", "990099") == 0.0
        # what the maps draw: simplified by that tolerance, the squares unchanged
        tol = mapdata.display_tolerance(conn, "prefecture", PROVINCE)
        drawn = mapdata.read_units(conn, "prefecture", PROVINCE, simplify=tol)
        exact = mapdata.read_units(conn, "prefecture", PROVINCE)
    assert drawn.geometry.geom_equals(exact.geometry).all()


def test_legend_counts_match_fixture(grid_url):
    """Legend counts are the hand-derived ones of the synthetic events."""
    with psycopg.connect(grid_url) as conn:
        fig, _ = render_map(conn, MapRequest("pilots", lang="en"))
        pilots = maps.legend_texts(fig)
        fig, _ = render_map(conn, MapRequest("adoption", lang="en", within=PROVINCE))
        adoption = maps.legend_texts(fig)
        fig, _ = render_map(conn, MapRequest("links", lang="en", within=PROVINCE))
        links = maps.legend_texts(fig)
    # Batch 1 names city A; batch 2 designates the province (covers the other 8 cities);
    # batch 3 names city E, already covered by batch 2 -> earliest wins.
    assert "batch 1: pilot city (1)" in pilots
    assert "batch 2: covered by pilot province (8)" in pilots
    assert not any(t.startswith("batch 3") for t in pilots)
    # Adoption windows: A, B before 2008; D 2008-2014 (G only through its district, which
    # does not count at prefecture level); E 2014-2016 (A again there: earliest wins).
    assert adoption[1:] == ["before 2008 (2)", "2008-2014 (1)", "2014-2016 (1)", "no policy (5)"]
    # Links: A-B transfer (1); agreements A-B, A-D, B-D (2010) and A-B (2015) = 4; E-I co-built.
    assert "coordination agreement (4)" in links
    assert "industrial transfer (1)" in links
    assert "co-construction (1)" in links


def test_links_roll_counties_up(grid_url):
    codes = prefecture_codes()
    with psycopg.connect(grid_url) as conn:
        rows = mapdata.read_links(conn, level="prefecture")
        county = mapdata.read_links(conn, level="county")
        view = conn.execute(
            "SELECT code_a, code_b, kind, n_events FROM coordination_link_kind_at("
            "'prefecture', p_programme => 'jjj_coordination')"
        ).fetchall()
    pairs = {(r.a, r.b, r.kind): r.n_events for r in rows.pairs.itertuples()}
    assert pairs[(codes[0], codes[1], "coordination_agreement")] == 2
    assert pairs[(codes[4], codes[8], "co_construction")] == 1
    # The map layer is the database's view, row for row (nothing is counted in Python).
    assert pairs == {(a, b, k): n for a, b, k, n in view}
    # Six link rows (event x pair): A-B transfer; A-B, A-D, B-D (2010) and A-B (2015)
    # agreements; E-I co-built (E through its district).
    assert len(rows.events) == int(rows.pairs["n_events"].sum()) == 6
    # At county level the district of E is its own end (and I has no county participant).
    assert not any(codes[8] in (r.a, r.b) for r in county.pairs.itertuples())


def test_fitted_albers_scale_matches_geodesic(grid_url):
    """Projected width of a 1-degree square equals the geodesic length within 1 %."""
    with psycopg.connect(grid_url) as conn:
        units = mapdata.read_units(conn, "prefecture")
    crs = maps.fitted_albers(units)
    tr = Transformer.from_crs(4326, crs, always_xy=True)
    geod = Geod(ellps="WGS84")
    for lat in (37.5, 38.5, 39.5):
        x0, _ = tr.transform(115.0, lat)
        x1, _ = tr.transform(116.0, lat)
        _, _, dist = geod.inv(115.0, lat, 116.0, lat)
        assert abs(abs(x1 - x0) / dist - 1) < 0.01


@pytest.mark.parametrize(
    ("target", "expected"), [(1.0, 1.0), (37_000.0, 20_000.0), (99_999.0, 50_000.0), (7.3, 5.0)]
)
def test_nice_length(target, expected):
    assert maps.nice_length(target) == expected


def test_cjk_font_has_the_glyphs():
    from matplotlib.ft2font import FT2Font

    font = FT2Font(maps.cjk_font_path())
    for ch in "京津冀低碳试点第批北公里高低不显著":
        assert font.get_char_index(ord(ch)) != 0, ch


def test_cli_map_and_errors(grid_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", grid_url)
    out = tmp_path / "m.png"
    rc = main(
        ["map", "choropleth", "--variable", "syn_value", "--year", "2010", "--out", str(out),
         "--lang", "en", "--format", "json"]
    )  # fmt: skip
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert data["file"] == str(out) and data["mapped"] == 9 and data["synthetic"] is True
    assert _png_variety(out) > 20
    rc = main(["map", "choropleth", "--variable", "nope", "--year", "2010", "--out", str(out)])
    assert rc == 2
    assert "unknown variable 'nope'" in capsys.readouterr().err
    rc = main(["map", "lisa", "--out", str(out)])
    assert rc == 2
    rc = main(["map", "pilots", "--out", str(tmp_path / "m.svg")])
    assert rc == 2
    assert ".png or .pdf" in capsys.readouterr().err
    assert os.path.exists(out)


def test_national_map_puts_south_sea_islands_in_an_inset():
    """With a national extent (>= 30 units reaching south of 15 N) the main map keeps the
    mainland and an inset shows the islands; smaller maps get no inset."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    boxes = [
        shapely.box(100 + i % 6 * 3, 22 + i // 6 * 3, 103 + i % 6 * 3, 25 + i // 6 * 3)
        for i in range(36)
    ]
    boxes.append(shapely.box(112.0, 9.0, 112.3, 9.3))  # a small island far south
    units = gpd.GeoDataFrame(
        {"code": [f"{i:06d}" for i in range(37)], "name_zh": ["岛"] * 37, "name_en": ["x"] * 37},
        geometry=boxes,
        crs=4326,
    )
    pilots = pd.DataFrame({"code": ["000000"], "batch": [1], "scope": ["city"]})
    note = maps.MapNote(["SYNTHETIC squares"], synthetic=True)
    fig = maps.map_pilots(units, pilots, title="t", note=note, lang="en")
    ax = fig.axes[0]
    titles = [a.get_title() for a in ax.child_axes]
    assert titles == ["South China Sea islands"]
    # The main extent stops north of the island (its latitude 9 N is outside the main view).
    tr = Transformer.from_crs(4326, maps.fitted_albers(units), always_xy=True)
    _, y_island = tr.transform(112.15, 9.15)
    assert ax.get_ylim()[0] > y_island
    small = maps.map_pilots(units.iloc[:10], pilots, title="t", note=note, lang="en")
    assert not small.axes[0].child_axes


@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_a_map_is_rendered_only_when_saved(grid_url, tmp_path, kind, monkeypatch):
    # geopandas asks the canvas for a redraw after each layer; the Agg canvas would render the
    # whole map each time (14 renders of the national pilot map). Building renders nothing,
    # saving renders, and the figure's canvas redraws normally afterwards.
    from matplotlib.figure import Figure

    draws: list[int] = []
    real_draw = Figure.draw

    def counting(self, *args, **kwargs):
        draws.append(1)
        return real_draw(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "draw", counting)
    with psycopg.connect(grid_url) as conn:
        fig, _ = render_map(conn, REQUESTS[kind])
    assert draws == []
    assert "draw_idle" not in vars(fig.canvas)  # the canvas's own draw_idle again
    maps.save_figure(fig, tmp_path / f"{kind}.png")
    assert draws  # (a figure with a layout engine gets matplotlib's layout pass too)
