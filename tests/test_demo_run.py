"""`policylink demo` end to end on a fresh test database (bundled data, report, figures)."""

from __future__ import annotations

import re

import pytest

from policylink.cli import main


@pytest.mark.slow
def test_demo_runs_and_reruns(clone_boundaries, tmp_path, monkeypatch, capsys):
    # On a copy of the bundled boundaries (conftest ``boundaries_template``: ``load_bundled`` of
    # the boundary parts, views refreshed): the demo loads the rest of the bundle and refreshes
    # the views its pilot counties make stale. Loading the whole bundle into an empty database
    # is tested in test_etl_bundle.py; here it would repeat ~25 s of loading and refreshing.
    url = clone_boundaries()
    out = tmp_path / "out"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("POLICYLINK_OUT", str(out))
    rc = main(["demo", "--lang", "en", "--draws", "99"])
    text = capsys.readouterr().out
    assert rc == 0, text
    # Each step is printed with its time, and the report path is named.
    assert re.search(r"\[\s*\d+\.\d+s\] migrations", text)
    # the boundaries were there; every other bundled batch is new
    loaded = re.search(r"bundled data: (\d+) batches, (\d+) loaded, (\d+) unchanged", text)
    assert loaded, text
    batches, new, unchanged = map(int, loaded.groups())
    assert new > 0 and unchanged > 0 and new + unchanged == batches
    assert "materialized views refreshed" in text
    assert f"wrote {out / 'report.html'}" in text
    page = (out / "report.html").read_text(encoding="utf-8")
    for key in ("pilots", "jjj_adoption", "jjj_links", "moran", "sdm", "did"):
        assert f'data-section="{key}"' in page
    pngs = sorted((out / "figures").glob("*.png"))
    assert pngs, "no figures written"
    first = {p.name for p in pngs}
    # The national pilot map is drawn from the bundled real events and boundaries.
    assert "pilots_map.png" in first
    # On the bundled SYNTHETIC panels the true DGP values stand beside the estimates.
    import json

    import pandas as pd

    from policylink.paths import DATA_DIR

    t5 = pd.read_csv(out / "tables" / "sdm_table5.csv").set_index("variable")
    truth = json.loads((DATA_DIR / "synthetic" / "jjj_panel_truth.json").read_text())
    assert t5.loc["syn_lnei", "true beta"] == truth["beta"]["lnei"]
    base = pd.read_csv(out / "tables" / "did_baseline.csv")
    did_truth = json.loads((DATA_DIR / "synthetic" / "national_did_truth.json").read_text())
    assert base.loc[0, "true"] == did_truth["true_att"]
    # The estimate recovers the true ATT within 3 standard errors (SYNTHETIC DGP, seed 004).
    assert abs(base.loc[0, "estimate"] - did_truth["true_att"]) < 3 * base.loc[0, "se"]
    # A second run loads nothing new and replaces the outputs: with one section chosen (the
    # whole report again would repeat ~10 s of figures and models already checked above), the
    # first run's figures and tables of the other sections are gone and the page has only it.
    rc = main(["demo", "--lang", "en", "--draws", "99", "--sections", "pilots"])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert re.search(r"bundled data: \d+ batches, 0 loaded, \d+ unchanged", text), text
    assert "materialized views: up to date" in text  # nothing loaded: no refresh (0060)
    again = {p.name for p in (out / "figures").glob("*.png")}
    assert again == {n for n in first if n.startswith("pilots_")} and "pilots_map.png" in again
    tables = {p.name for p in (out / "tables").glob("*.csv")}
    assert tables and tables == {p.name for p in (out / "tables").glob("pilots_*.csv")}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert re.findall(r'data-section="([^"]+)"', page) == ["pilots"]
