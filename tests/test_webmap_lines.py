"""The interactive map's page without a browser: parallel links of different kinds are drawn
as separate arcs with shared ends (closed-form check of the Bezier construction), and a page
built from a small hand-made layer carries the legend, slider and hover data and parses as
JavaScript (``node --check``, when node is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, box

from policylink.report.interactive import interactive_map, offset_lines


def _links() -> gpd.GeoDataFrame:
    line = LineString([(0.5, 0.5), (2.5, 0.5)])
    return gpd.GeoDataFrame(
        {
            "a": ["A", "A", "A", "B"],
            "b": ["C", "C", "C", "C"],
            "name_a": ["City A"] * 3 + ["City B"],
            "name_b": ["City C"] * 4,
            "kind": ["industrial_transfer", "coordination_agreement", "co_construction",
                     "coordination_agreement"],
            "n_events": [2, 1, 3, 1],
            "first_year": pd.array([2005, 2010, None, 2012], dtype="Int64"),
            "last_year": pd.array([2009, 2010, None, 2012], dtype="Int64"),
            "n_undated": [0, 0, 3, 0],
        },
        geometry=[line, line, line, LineString([(1.5, 0.5), (2.5, 0.5)])],
        crs=4326,
    )  # fmt: skip


def test_kinds_of_one_pair_are_separate_arcs():
    lk = _links()
    coords = offset_lines(lk, spread=0.2, samples=17)
    # The lone kind of B-C is a straight segment between the two ends ([lat, lon]).
    assert coords[3] == [[0.5, 1.5], [0.5, 2.5]]
    ends = {(tuple(c[0]), tuple(c[-1])) for c in coords[:3]}
    assert ends == {((0.5, 0.5), (0.5, 2.5))}
    # Kinds sorted (co_construction, coordination_agreement, industrial_transfer) -> control
    # offsets -0.2, 0, +0.2 x length 2 along the left normal (0, 1); the apex of a quadratic
    # Bezier is half-way to its control point: lat 0.5 - 0.2, 0.5, 0.5 + 0.2.
    apex = {lk["kind"][i]: coords[i][8][0] for i in range(3)}
    assert apex["co_construction"] == pytest.approx(0.3)
    assert apex["coordination_agreement"] == pytest.approx(0.5)
    assert apex["industrial_transfer"] == pytest.approx(0.7)
    # Reversed order of the ends does not change the side an arc bows to.
    rev = lk.copy()
    rev.loc[0, ["a", "b"]] = ["C", "A"]
    rev.loc[0, "geometry"] = LineString([(2.5, 0.5), (0.5, 0.5)])
    assert offset_lines(rev, spread=0.2)[0][8][0] == pytest.approx(0.7)


def test_page_has_legend_slider_and_hover_data(tmp_path):
    units = gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "name_zh": ["甲市", "乙市", "丙市"],
         "name_en": ["City A", "City B", "City C"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs=4326,
    )  # fmt: skip
    attrs = pd.DataFrame(
        {"code": ["A", "B"], "adoption_window": ["before 2008", "2008-2014"],
         "adoption_year": [2004, 2011], "first_link_year": [2005, 2012], "links": [6, 1],
         "partners": [1, 1]}
    )  # fmt: skip
    page = interactive_map(units, attrs, _links(), lang="en", title="test")
    assert not re.search(r'<script[^>]+src="https?://', page)
    assert not re.search(r'<link[^>]+href="https?://', page)
    for text in ('"name": "City A"', '"adoption_window": "before 2008"', '"links": "6"',
                 "id='pl-year' min='2004' max='2013'", "industrial transfer", "co-construction",
                 "dashed: links by undated events only", "no policy (yet"):  # fmt: skip
        assert text in page, text
    if shutil.which("node"):
        for i, js in enumerate(re.findall(r"<script>(.*?)</script>", page, flags=re.S)):
            path = tmp_path / f"script_{i}.js"
            path.write_text(js, encoding="utf-8")
            proc = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr


def test_page_without_links_or_years_has_no_slider():
    units = gpd.GeoDataFrame(
        {"code": ["A"], "name_zh": ["甲市"], "name_en": ["City A"]},
        geometry=[box(0, 0, 1, 1)],
        crs=4326,
    )
    page = interactive_map(units, pd.DataFrame({"code": ["A"]}), None, lang="zh")
    assert "id='pl-year'" not in page and "甲市" in page and "尚未出台" in page
