"""``policylink model dynamic|cross-section|lm`` on files and on the bundled database.

The file panel is SYNTHETIC (generated below): dynamic SDM with tau = 0.3, eta = 0.1, rho = 0.3,
beta = 1, theta = 0.5, unit effects, 64 units on an 8 x 8 queen grid, 13 years (2007-2019).
The database panel is the bundled SYNTHETIC JJJ panel (flagged SYNTHETIC by the catalogue).
One-year fits are checked against spreg called directly on the same rows; the panel commands
against the numerics on arrays built here (the numerics have their own reference tests).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import libpysal
import numpy as np
import pandas as pd
import pytest
import spreg

from policylink.cli import main
from policylink.paths import DATA_DIR
from policylink.spatial.dynamic_panel import fit_dynamic_panel
from policylink.spatial.panel_lm import panel_lm

SIDE, T0, Y0 = 8, 13, 2007
JJJ = "110000,120000,130000"


def _lattice() -> libpysal.weights.W:
    w = libpysal.weights.lat2W(SIDE, SIDE, rook=False)
    w.transform = "r"
    return w


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("model")
    w = _lattice()
    W = w.sparse.toarray()
    N = SIDE * SIDE
    rng = np.random.default_rng(0)
    mu = rng.normal(size=N)
    Sinv = np.linalg.inv(np.eye(N) - 0.3 * W)
    y = np.zeros(N)
    Ys, Xs = [], []
    for t in range(30 + T0):  # 30 burn-in periods
        x = 0.5 * mu + rng.normal(size=N)
        y = Sinv @ ((0.3 * np.eye(N) + 0.1 * W) @ y + x + 0.5 * W @ x + mu + rng.normal(size=N))
        if t >= 30:
            Ys.append(y)
            Xs.append(x)
    Y, X = np.array(Ys), np.array(Xs)
    ids = [f"U{i:02d}" for i in range(N)]
    panel = pd.DataFrame(
        [
            {"unit": ids[k], "year": Y0 + t, "y": Y[t, k], "x1": X[t, k]}
            for t in range(T0)
            for k in range(N)
        ]
    )
    panel.to_csv(d / "panel.csv", index=False)
    wn = libpysal.weights.W({ids[i]: [ids[j] for j in w.neighbors[i]] for i in range(N)})
    libpysal.io.open(str(d / "w.gal"), "w").write(wn)
    src = ["--panel", d / "panel.csv", "--id", "unit", "--time", "year", "--weights", d / "w.gal"]
    return {"Y": Y, "X": X[:, :, None], "W": w.sparse, "panel": panel, "src": src}


def _run(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_dynamic_json_equals_the_numerics(files, capsys) -> None:
    code, out, err = _run(
        capsys, "model", "dynamic", "--y", "y", "--x", "x1", *files["src"],
        "--draws", "100", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    ref = fit_dynamic_panel(files["Y"], files["X"], files["W"], names=["x1"], draws=100)
    assert res["analysis"] == "dynamic_panel" and res["model"] == "dynamic_sdm"
    assert res["n_units"] == 64 and res["n_periods"] == T0 - 1
    for name, est in zip(ref.names, ref.params, strict=True):
        assert res["coefficients"][name]["estimate"] == pytest.approx(est, abs=1e-8)
    assert res["rho"]["estimate"] == pytest.approx(ref.rho, abs=1e-8)
    assert res["rho"]["estimate_ml"] == pytest.approx(ref.rho_ml, abs=1e-8)
    assert set(res["effects"]) == {"short", "long"}
    assert res["periods"] == list(range(Y0, Y0 + T0))


def test_dynamic_table_and_csv(files, capsys) -> None:
    code, out, err = _run(
        capsys, "model", "dynamic", "--y", "y", "--x", "x1", *files["src"], "--draws", "50",
        "--lags", "time", "--no-durbin",
    )  # fmt: skip
    assert code == 0, err
    assert "Dynamic spatial panel (dynamic SAR)" in out and "uncorrected ML" in out
    assert "y(t-1)" in out and "W*y(t-1)" not in out
    code, out, err = _run(
        capsys, "model", "dynamic", "--y", "y", "--x", "x1", *files["src"], "--draws", "50",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert {"coefficient", "direct", "indirect", "total"} <= set(frame["effect"])
    assert set(frame["horizon"].dropna()) == {"short", "long"}


@pytest.mark.parametrize(
    ("model", "method"),
    [("sar", "ml"), ("sdm", "ml"), ("sem", "ml"), ("sar", "gmm"), ("sem", "gmm")],
)
def test_cross_section_equals_spreg_on_the_same_rows(files, capsys, model, method) -> None:
    code, out, err = _run(
        capsys, "model", "cross-section", "--y", "y", "--x", "x1", *files["src"], "--year",
        2015, "--model", model, "--method", method, "--draws", "50", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    t = 2015 - Y0
    y, x = files["Y"][t].reshape(-1, 1), files["X"][t]
    w = _lattice()
    if model in ("sar", "sdm") and method == "ml":
        ref = spreg.ML_Lag(y, x, w, slx_lags=1 if model == "sdm" else 0)
    elif model == "sar":
        ref = spreg.GM_Lag(y, x, w=w)
    elif method == "ml":
        ref = spreg.ML_Error(y, x, w)
    else:
        ref = spreg.GMM_Error(y, x, w, estimator="het")
    key = "lambda" if model == "sem" else "rho"
    assert res[key]["estimate"] == pytest.approx(ref.betas[-1, 0], abs=1e-6)
    assert res["coefficients"]["x1"]["estimate"] == pytest.approx(ref.betas[1, 0], abs=1e-6)
    assert res["year"] == 2015 and res["n_units"] == 64
    if model != "sem":
        assert set(res["effects"]) == {"direct", "indirect", "total"}


def test_lm_json_equals_the_numerics_and_table_has_verdict(files, capsys) -> None:
    code, out, err = _run(
        capsys, "model", "lm", "--y", "y", "--x", "x1", *files["src"], "--fe", "unit",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    tests, _ = panel_lm(files["Y"], files["X"], files["W"], names=["x1"], fe="unit")
    got = {r["test"]: r["statistic"] for r in res["tests"]}
    for t in tests:
        assert got[t.name] == pytest.approx(t.statistic, rel=1e-9)
    code, out, err = _run(capsys, "model", "lm", "--y", "y", "--x", "x1", *files["src"])
    assert code == 0, err
    assert "LM error | lag (after SAR)" in out and "- After the SAR" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cross-section", "--y", "y", "--x", "x1"], "a year is required"),
        (["dynamic", "--y", "y", "--x", "nope"], "nope"),
        (["lm", "--y", "y", "--x", "x1", "--alpha", "2"], "alpha"),
        (
            ["dynamic", "--y", "y", "--x", "x1", "--fe", "twoways", "--transform", "b"],
            "row-standardised",
        ),
    ],
)
def test_bad_input_is_one_clear_error(files, capsys, args, message) -> None:
    code, out, err = _run(capsys, "model", *args, *files["src"])
    assert code != 0
    assert message in err and "Traceback" not in err


def test_dynamic_refuses_gaps_between_years(files, capsys, tmp_path) -> None:
    p = tmp_path / "gaps.csv"
    files["panel"][files["panel"].year != 2012].to_csv(p, index=False)
    src = [*files["src"]]
    src[1] = p
    code, _, err = _run(capsys, "model", "dynamic", "--y", "y", "--x", "x1", *src)
    assert code != 0 and "equally spaced" in err and "Traceback" not in err


def _jjj_reference() -> tuple[pd.DataFrame, libpysal.weights.W]:
    csv = pd.read_csv(DATA_DIR / "synthetic" / "jjj_panel_SYNTHETIC.csv", dtype={"code": str})
    links = pd.read_csv(
        Path(__file__).parent / "data" / "jjj_queen_links.csv", comment="#", dtype=str
    )
    nb: dict[str, list[str]] = {}
    for a, b in links.itertuples(index=False):
        nb.setdefault(a, []).append(b)
        nb.setdefault(b, []).append(a)
    w = libpysal.weights.W(nb, id_order=sorted(nb))
    w.transform = "r"
    return csv, w


def test_bundled_database_synthetic_flags_and_spreg(bundled_url, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", bundled_url)
    x = "syn_lnisu,syn_lngdp"
    code, out, err = _run(
        capsys, "model", "dynamic", "--y", "syn_lnco2", "--x", x, "--within", JJJ,
        "--draws", "50", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["synthetic"] is True and "syn_lnco2" in res["synthetic_variables"]
    assert res["n_units"] == 13 and res["n_periods"] == 13
    code, out, err = _run(
        capsys, "model", "lm", "--y", "syn_lnco2", "--x", x, "--within", JJJ, "--lang", "zh",
    )  # fmt: skip
    assert code == 0, err
    assert "SYNTHETIC" in out and "检验" in out
    code, out, err = _run(
        capsys, "model", "cross-section", "--y", "syn_lnco2", "--x", x, "--within", JJJ,
        "--year", 2015, "--draws", "50", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["synthetic"] is True
    csv, w = _jjj_reference()
    one = csv[csv.year == 2015].set_index("code").loc[w.id_order]
    ref = spreg.ML_Lag(
        one[["syn_lnco2"]].to_numpy(), one[x.split(",")].to_numpy(), w, spat_diag=False
    )
    assert res["rho"]["estimate"] == pytest.approx(ref.rho, abs=1e-5)
    assert res["coefficients"]["syn_lngdp"]["estimate"] == pytest.approx(ref.betas[2, 0], abs=1e-5)
