"""``policylink sdm --model sac|sdem|gns``, ``--effects re`` and ``--compare`` on files.

The panel is SYNTHETIC (generated below): SAC with rho = 0.35, lambda = 0.3, beta = (1, -0.5),
unit and time effects, 49 units on a 7 x 7 queen grid, 10 years. The CLI numbers are compared
with the estimators called directly on the same arrays (the estimators themselves are checked
against spreg, dense likelihoods and simulations in ``test_spatial_panel_models.py``).
"""

from __future__ import annotations

import io
import json

import libpysal
import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

from policylink.cli import main
from policylink.spatial.panel_models import fit_general, fit_sem_random_effects

SIDE, T = 7, 10


def _ids() -> list[str]:
    return [f"U{i:02d}" for i in range(SIDE * SIDE)]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    d = tmp_path_factory.mktemp("models")
    w = libpysal.weights.lat2W(SIDE, SIDE, rook=False)
    w.transform = "r"
    W = w.sparse.toarray()
    N = SIDE * SIDE
    rng = np.random.default_rng(7)
    X = rng.normal(size=(T, N, 2))
    mu, xi = rng.normal(size=N), rng.normal(size=T)
    Ainv = np.linalg.inv(np.eye(N) - 0.35 * W)
    Binv = np.linalg.inv(np.eye(N) - 0.3 * W)
    Y = np.stack(
        [Ainv @ (X[t] @ [1.0, -0.5] + mu + xi[t] + Binv @ rng.normal(size=N)) for t in range(T)]
    )
    ids = _ids()
    rows = [
        {"unit": ids[k], "year": 2001 + t, "y": Y[t, k], "x1": X[t, k, 0], "x2": X[t, k, 1]}
        for t in range(T)
        for k in range(N)
    ]
    pd.DataFrame(rows).to_csv(d / "panel.csv", index=False)
    wn = libpysal.weights.W({ids[i]: [ids[j] for j in w.neighbors[i]] for i in range(N)})
    libpysal.io.open(str(d / "w.gal"), "w").write(wn)
    return {"panel": d / "panel.csv", "gal": d / "w.gal", "Y": Y, "X": X, "W": sparse.csr_matrix(W)}


def _run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _base(files: dict[str, object]) -> list[object]:
    return ["--y", "y", "--x", "x1,x2", "--panel", files["panel"], "--id", "unit", "--time",
            "year", "--weights", files["gal"], "--draws", "100"]  # fmt: skip


@pytest.mark.parametrize("model", ["sac", "sdem", "gns"])
def test_new_models_json_equal_the_estimator(files, capsys, model: str) -> None:
    code, out, err = _run(capsys, "sdm", *_base(files), "--model", model, "--format", "json")
    assert code == 0, err
    res = json.loads(out)
    ref = fit_general(files["Y"], files["X"], files["W"], names=["x1", "x2"], model=model,
                      fe="twoways", draws=100)  # fmt: skip
    assert res["log_likelihood"] == pytest.approx(ref.log_likelihood, abs=1e-6)
    assert res["coefficients"]["x1"]["estimate"] == pytest.approx(ref.params[0], abs=1e-5)
    assert res["lambda"]["estimate"] == pytest.approx(ref.lam, abs=1e-5)
    assert ("rho" in res) == (model != "sdem")
    assert set(res["effects"]) == {"direct", "indirect", "total"}
    assert ("W*x1" in res["coefficients"]) == (model != "sac")
    if model == "gns":
        assert any("weakly identified" in n for n in res["model_notes"])
        assert "weakly identified" in err  # also said on stderr


def test_effects_re_fits_random_effects_sem(files, capsys) -> None:
    code, out, err = _run(capsys, "sdm", *_base(files), "--model", "sem", "--effects", "re",
                          "--format", "json")  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    ref = fit_sem_random_effects(files["Y"], files["X"], files["W"], names=["x1", "x2"])
    assert res["fe"] == "random"
    assert res["coefficients"]["const"]["estimate"] == pytest.approx(ref.params[0], abs=1e-5)
    assert res["lambda"]["estimate"] == pytest.approx(ref.lam, abs=1e-5)


def test_compare_json_table_and_csv(files, capsys) -> None:
    code, out, err = _run(capsys, "sdm", *_base(files), "--compare", "--format", "json")
    assert code == 0, err
    cmp = json.loads(out)["model_comparison"]
    fits = cmp["fits"]
    assert list(fits) == ["sar", "sem", "sdm", "sac", "sdem", "gns"]
    ll = {m: f["log_likelihood"] for m, f in fits.items()}
    for m, f in fits.items():
        ref = fit_general(files["Y"], files["X"], files["W"], names=["x1", "x2"], model=m,
                          effects=False)  # fmt: skip
        assert f["log_likelihood"] == pytest.approx(ref.log_likelihood, abs=1e-6)
        assert f["aic"] == pytest.approx(-2 * ll[m] + 2 * f["n_params"])
        assert f["bic"] == pytest.approx(-2 * ll[m] + f["n_params"] * np.log(SIDE * SIDE * T))
    lr = cmp["lr_tests"]
    sdm_sem = lr["LR SDM vs SEM"]
    assert sdm_sem["statistic"] == pytest.approx(2 * (ll["sdm"] - ll["sem"]))
    assert sdm_sem["p"] == pytest.approx(stats.chi2.sf(sdm_sem["statistic"], 2))
    assert set(lr) >= {"LR SDM vs SAR", "LR GNS vs SDM", "LR GNS vs SDEM", "LR SAC vs SAR",
                       "LR SAC vs SEM"}  # fmt: skip
    code, out, _ = _run(capsys, "sdm", *_base(files), "--compare")
    assert code == 0
    assert "Model comparison" in out and "LR SAC vs SEM" in out and "GNS" in out
    assert "smallest BIC" in out
    code, out, _ = _run(capsys, "sdm", *_base(files), "--compare", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert set(frame["part"]) == {"fit", "lr"}
    assert len(frame) == 6 + len(lr)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--model", "gns", "--fe", "random"], ["random effects work with", "gns"]),
        (["--model", "sem", "--effects", "re", "--fe", "unit"], ["--effects re", "--fe unit"]),
        (["--compare", "--fe", "random"], ["comparison uses fixed effects"]),
        (["--model", "sarar"], ["sarar"]),
    ],
)
def test_bad_model_options_one_clear_error(
    files, capsys, args: list[str], words: list[str]
) -> None:
    code, out, err = _run(capsys, "sdm", *_base(files), *args)
    assert code == 2
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


@pytest.mark.parametrize("lang", ["zh"])  # en headings: the same code path
def test_report_comparison_equals_cli_compare(bundled_url, monkeypatch, capsys, tmp_path, lang):
    """The report's SDM section shows the numbers of ``policylink sdm --compare`` (bundled
    SYNTHETIC JJJ panel), with headings in the report language."""
    import psycopg

    from policylink.report.analysis_sections import NAMES, section_sdm
    from policylink.report.builder import ReportWriter
    from policylink.report.context import Context

    xs = ",".join(NAMES.jjj_x)
    monkeypatch.setenv("DATABASE_URL", bundled_url)
    code, out, err = _run(capsys, "sdm", "--y", NAMES.jjj_y, "--x", xs, "--within",
                          "110000,120000,130000", "--draws", "20", "--compare", "--format",
                          "json")  # fmt: skip
    assert code == 0, err
    cli = json.loads(out)
    assert cli["synthetic"] is True
    fits = cli["model_comparison"]["fits"]
    with psycopg.connect(bundled_url) as conn:
        ctx = Context(conn, ReportWriter(tmp_path), lang=lang, draws=20, log=lambda _m: None)
        sec = section_sdm(ctx)
    tables = {t.name: t.frame for t in sec.tables}
    cmp, lr = tables["model_comparison"], tables["model_comparison_lr"]
    ll_col = "对数似然" if lang == "zh" else "log-likelihood"
    model_col = "模型" if lang == "zh" else "model"
    for _, row in cmp.iterrows():
        assert row[ll_col] == pytest.approx(fits[row[model_col].lower()]["log_likelihood"])
        assert row["BIC"] == pytest.approx(fits[row[model_col].lower()]["bic"])
    stat_col = "统计量" if lang == "zh" else "statistic"
    test_col = "检验" if lang == "zh" else "test"
    for _, row in lr.iterrows():
        ref = cli["model_comparison"]["lr_tests"][row[test_col]]["statistic"]
        assert row[stat_col] == pytest.approx(ref)
    assert (tmp_path / "tables" / "sdm_model_comparison.csv").exists()
