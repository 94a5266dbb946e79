"""Paper tables in LaTeX and Word: every estimate and standard error cell of the written file
equals the result's own numbers formatted independently here (4 decimals for the spatial panel
model, seed 000 Table 5; 3 for the DID, seed 004 Table 3), with *** p<0.01, ** p<0.05, * p<0.1.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

docx = pytest.importorskip("docx")


def _stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


@pytest.fixture(scope="module")
def sdm_fit():
    import geopandas as gpd

    from policylink.analyses.sdm import SdmOptions, run_sdm
    from policylink.inputs import inputs_from_frame

    rng = np.random.default_rng(7)
    side, years = 6, range(2010, 2018)
    cells = [(i, j) for i in range(side) for j in range(side)]
    rows = []
    for t in years:
        for k, (i, j) in enumerate(cells):
            x1, x2 = rng.normal(size=2)
            rows.append(
                {
                    "code": f"U{k:02d}",
                    "year": t,
                    "x1": x1,
                    "x2": x2,
                    "y": 1.0 * x1 - 0.5 * x2 + rng.normal(scale=0.5),
                    "half": "west" if i < side // 2 else "east",
                    "geometry": box(i, j, i + 1, j + 1),
                }
            )
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=4326)
    inp = inputs_from_frame(
        gdf, id_col="code", variables=["y", "x1", "x2"], time_col="year", weights="queen",
        synthetic=["y"],
    )  # fmt: skip
    return run_sdm(inp, SdmOptions(y="y", x=("x1", "x2"), draws=200)), gdf


@pytest.fixture(scope="module")
def sdm_result(sdm_fit):
    return sdm_fit[0]


@pytest.fixture(scope="module")
def did_results():
    from policylink.analyses.did import TwfeOptions, run_twfe
    from policylink.did_inputs import did_inputs_from_frame
    from policylink.spatial.did.panel import PanelSpec
    from policylink.spatial.did.simulate import simulate_staggered

    d = simulate_staggered(
        n_units=60, years=range(2010, 2018), cohorts={2012: 15, 2014: 15}, seed=3
    ).drop(columns="te")
    out = []
    for controls, label in (((), "(no controls)"), (("x1", "x2"), "(controls)")):
        spec = PanelSpec("y", unit="unit", first_treated="first_treated", controls=controls)
        inp = did_inputs_from_frame(d.drop(columns="treat"), spec, source="simulated panel")
        out.append(run_twfe(inp, TwfeOptions(label=label)))
    return out


def test_sdm_groups_one_table_each(sdm_fit, tmp_path):
    """Seed 000 Tables 6-7: one Table-5 layout per group, each with that group's estimates."""
    from policylink.analyses.sdm import SdmOptions, run_sdm
    from policylink.export import export_tables
    from policylink.inputs import inputs_from_frame

    inp = inputs_from_frame(
        sdm_fit[1], id_col="code", variables=["y", "x1", "x2"], time_col="year",
        extra=["half"], weights="queen",
    )  # fmt: skip
    res = run_sdm(inp, SdmOptions(y="y", x=("x1", "x2"), draws=100, group_col="half"))
    path = export_tables(res, "docx", tmp_path / "groups.docx", lang="zh")
    grids = _docx_cells(path)
    assert len(grids) == len(res.results) == 2
    captions = [p.text for p in docx.Document(str(path)).paragraphs if "空间面板" in p.text]
    for grid, (label, fit), caption in zip(grids, res.results.items(), captions, strict=True):
        assert label in caption
        r = fit.coefficients.set_index("name").loc["x1"]
        assert grid[1][:2] == ["x1", f"{r.estimate:.4f}{_stars(r.p)}"]
        assert grid[2][1] == f"({r.se:.4f})"


def _docx_cells(path) -> list[list[list[str]]]:
    doc = docx.Document(str(path))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sdm_docx_cells_equal_the_estimates(sdm_result, tmp_path, lang):
    from policylink.export import export_tables

    path = export_tables(sdm_result, "docx", tmp_path / "sdm.docx", lang=lang)
    [grid] = _docx_cells(path)
    fit = sdm_result.main
    head = grid[0]
    assert len(head) == 5  # variable, coefficient, direct, indirect, total
    rows = {r[0]: (r, grid[i + 1]) for i, r in enumerate(grid[:-1]) if r[0]}
    names = {"rho": "ρ"}
    coef = fit.coefficients
    assert set(coef["name"]) == {"x1", "x2", "W*x1", "W*x2", "rho"}
    for r in coef.itertuples():
        est_row, se_row = rows[names.get(r.name, r.name.replace("W*", "W·"))]
        assert est_row[1] == f"{r.estimate:.4f}{_stars(r.p)}"
        assert se_row[1] == f"({r.se:.4f})"
        assert se_row[0] == ""
    effects = fit.effects
    for col, effect in ((2, "direct"), (3, "indirect"), (4, "total")):
        for r in effects[effects["effect"] == effect].itertuples():
            est_row, se_row = rows[r.variable]
            assert est_row[col] == f"{r.estimate:.4f}{_stars(r.p)}"
            assert se_row[col] == f"({r.se:.4f})"
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "SYNTHETIC" in text and "y" in text
    assert ("直接效应" in head) == (lang == "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_did_docx_cells_equal_the_estimates(did_results, tmp_path, lang):
    from policylink.export import export_tables

    path = export_tables(did_results, "docx", tmp_path / "did.docx", lang=lang)
    [grid] = _docx_cells(path)
    assert len(grid[0]) == 3 and grid[0][1:] == ["(1)", "(2)"]
    assert grid[1][1:] == ["(no controls)", "(controls)"]
    body = {r[0]: (r, grid[i + 1]) for i, r in enumerate(grid[:-1]) if r[0]}
    for col, res in enumerate(did_results, start=1):
        c = res.result.coefficients
        for name in c.index:
            est_row, se_row = body["DID" if name == "did" else name]
            assert est_row[col] == f"{c.loc[name, 'estimate']:.3f}{_stars(c.loc[name, 'p'])}"
            assert se_row[col] == f"({c.loc[name, 'se']:.3f})"
        obs = "观测值" if lang == "zh" else "Observations"
        assert body[obs][0][col] == str(res.result.n_obs)
        assert body["R²"][0][col] == f"{res.result.r2:.3f}"
    yes, no = ("是", "否") if lang == "zh" else ("Yes", "No")
    controls = "控制变量" if lang == "zh" else "Controls"
    assert body[controls][0][1:] == [no, yes]
    fe = "城市固定效应" if lang == "zh" else "City FE"
    assert body[fe][0][1:] == [yes, yes]
    # x1 appears only in column (2)
    assert body["x1"][0][1] == ""


def test_latex_structure_and_compiles(sdm_result, did_results, tmp_path):
    from policylink.export import export_tables

    for name, res in (("sdm", sdm_result), ("did", did_results)):
        text = export_tables(res, "latex", lang="en")
        assert text.count(r"\begin{threeparttable}") == 1
        for rule in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tablenotes}"):
            assert rule in text
        ncols = int(re.search(r"\\begin\{tabular\}\{l(c+)\}", text).group(1).count("c")) + 1
        body = text.split(r"\midrule", 1)[1].split(r"\bottomrule")[0]
        for line in body.splitlines():
            if line.endswith(r"\\"):
                assert line.count(" & ") == ncols - 1, line
        if name == "sdm":
            est = sdm_result.main.coefficients.set_index("name").loc["x1"]
            star = _stars(est.p)
            cell = f"{est.estimate:.4f}" + (f"$^{{{star}}}$" if star else "")
            assert f"x1 & {cell} &" in text
            assert r"$\rho$" in text and r"W$\cdot$x1" in text
        doc = export_tables(res, "latex", tmp_path / f"{name}.tex", lang="en")
        assert doc.read_text(encoding="utf-8").startswith(r"\documentclass")
        if shutil.which("pdflatex"):
            proc = subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
                cwd=tmp_path, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert proc.returncode == 0, proc.stdout[-2000:]
    zh = export_tables(did_results, "latex", lang="zh")
    assert "基准回归结果" in zh and "控制变量" in zh


def test_cli_did_twfe_docx_and_latex(tmp_path, capsys):
    """``policylink did twfe --format docx --out FILE`` and ``--format latex`` to stdout."""
    from policylink.cli import cli, main
    from policylink.spatial.did.simulate import simulate_staggered

    d = simulate_staggered(n_units=25, years=range(2010, 2016), cohorts={2012: 8}, seed=5)
    d.to_csv(tmp_path / "panel.csv", index=False)
    runner = CliRunner()
    res = runner.invoke(
        cli,
        ["did", "twfe", str(tmp_path / "panel.csv"), "-y", "y", "--first-treated",
         "first_treated", "--controls", "x1,x2", "--format", "docx", "--out",
         str(tmp_path / "t.docx")],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    [grid] = _docx_cells(tmp_path / "t.docx")
    assert grid[2][0] == "DID"
    res = runner.invoke(
        cli,
        ["did", "twfe", str(tmp_path / "panel.csv"), "-y", "y", "--first-treated",
         "first_treated", "--format", "latex"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert r"\begin{threeparttable}" in res.output
    code = main(
        ["did", "twfe", str(tmp_path / "panel.csv"), "-y", "y", "--first-treated",
         "first_treated", "--format", "docx"],
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0 and "--out" in err and "Traceback" not in err


def test_cli_sdm_latex_zh(tmp_path):
    """``policylink sdm --format latex --lang zh --out FILE`` from a panel and a boundary file."""
    import geopandas as gpd

    from policylink.cli import cli

    rng = np.random.default_rng(11)
    cells = [box(i, j, i + 1, j + 1) for i in range(5) for j in range(5)]
    codes = [f"U{k:02d}" for k in range(len(cells))]
    gpd.GeoDataFrame({"code": codes}, geometry=cells, crs=4326).to_file(tmp_path / "b.gpkg")
    panel = pd.DataFrame(
        [(c, t, *rng.normal(size=2)) for t in range(2012, 2018) for c in codes],
        columns=["code", "year", "x1", "e"],
    ).assign(y=lambda d: 0.8 * d["x1"] + d["e"])
    panel.to_csv(tmp_path / "p.csv", index=False)
    res = CliRunner().invoke(
        cli,
        ["sdm", "--y", "y", "--x", "x1", "--draws", "100", "--panel", str(tmp_path / "p.csv"),
         "--id", "code", "--time", "year", "--boundaries", str(tmp_path / "b.gpkg"),
         "--format", "latex", "--lang", "zh", "--out", str(tmp_path / "sdm.tex")],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    text = (tmp_path / "sdm.tex").read_text(encoding="utf-8")
    assert text.startswith(r"\documentclass[UTF8]{ctexart}")
    assert "直接效应" in text and r"W$\cdot$x1" in text and r"\bottomrule" in text
