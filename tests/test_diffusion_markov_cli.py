"""``policylink diffusion markov`` end to end: a panel file against the stored giddy output,
and the real low-carbon pilot cascade in the bundled database against a direct count of
transitions by neighbour adoption (``eha_cascade`` and ``w_queen`` read here)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import psycopg
import pytest
from click.testing import CliRunner

from policylink.cli import cli, main

DATA = Path(__file__).parent / "data" / "giddy"


def _json(output: str) -> dict:
    return json.loads(output[output.index("{") :])


def _file_args(*extra: str) -> list[str]:
    return ["diffusion", "markov", "--variable", "y", "--panel", str(DATA / "panel.csv"),
            "--id", "unit", "--time", "period", "--weights", str(DATA / "lattice.gal"),
            *extra]  # fmt: skip


def test_markov_command_on_a_panel_file_equals_giddy():
    ref = json.loads((DATA / "reference.json").read_text(encoding="utf-8"))
    r = CliRunner().invoke(cli, _file_args("--format", "json"))
    assert r.exit_code == 0, r.output
    out = _json(r.output)
    g = ref["spatial_fixed_k4_m4"]
    np.testing.assert_allclose(out["chains"]["counts"], g["T"])
    np.testing.assert_allclose(out["chains"]["p"], g["P"])
    h = out["chains"]["homogeneity"]
    assert h["LR"] == pytest.approx(g["LR"]) and h["Q_p"] == pytest.approx(g["Q_p_value"])
    assert out["synthetic"] is False and len(out["lag_classes"]) == 4
    r = CliRunner().invoke(cli, _file_args("--kind", "lisa", "--format", "json"))
    assert r.exit_code == 0, r.output
    np.testing.assert_allclose(_json(r.output)["chains"]["chain"]["p"], ref["lisa"]["p"])
    r = CliRunner().invoke(cli, _file_args("--kind", "lisa"))
    assert r.exit_code == 0 and "HH->HH" in r.output
    r = CliRunner().invoke(cli, _file_args("--lang", "zh"))
    assert r.exit_code == 0 and "空间马尔可夫链" in r.output and "同质性" in r.output
    r = CliRunner().invoke(cli, _file_args("--format", "csv"))
    assert r.exit_code == 0 and r.output.startswith("lag_class,from,to,count,p")


def _fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    return err


def test_markov_command_refuses_bad_options(capsys):
    assert "--cutoffs" in _fails(capsys, *_file_args("--cutoffs", "1,x", "--classing", "cutoffs"))
    assert "needs --cutoffs" in _fails(capsys, *_file_args("--classing", "cutoffs"))
    assert "must increase" in _fails(capsys, *_file_args("--lag-cutoffs", "1,0"))


def test_adoption_markov_on_the_real_cascade(bundled_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", bundled_url)
    with psycopg.connect(bundled_url) as c:
        ids = [
            r[0]
            for r in c.execute(
                "SELECT code FROM admin_unit WHERE level = 'prefecture' ORDER BY code"
            ).fetchall()
        ]
        first = dict(
            c.execute(
                "SELECT unit_code, first_year FROM eha_cascade('low_carbon_pilot', 'prefecture')"
            ).fetchall()
        )
        pairs = c.execute("SELECT i, j FROM w_queen WHERE level = 'prefecture'").fetchall()
    nbrs: dict[str, set[str]] = {u: set() for u in ids}
    for i, j in pairs:
        nbrs[i].add(j)
    # direct count: from year t to t + 1, by "some queen neighbour had adopted by t"
    count = np.zeros((2, 2, 2))
    for t in range(2009, 2022):
        for u in ids:
            adopted = [first.get(v, 9999) <= t for v in nbrs[u]]
            some = int(any(adopted))
            a0 = int(first.get(u, 9999) <= t)
            a1 = int(first.get(u, 9999) <= t + 1)
            count[some, a0, a1] += 1
    r = CliRunner().invoke(cli, ["diffusion", "markov", "--format", "json"])
    assert r.exit_code == 0, r.output
    out = _json(r.output)
    np.testing.assert_array_equal(out["chains"]["counts"], count)
    assert out["states"] == ["not adopted", "adopted"] and out["synthetic"] is False
    assert out["n_units"] == len(ids)
    hazard = count[:, 0, 1] / count[:, 0].sum(axis=1)
    np.testing.assert_allclose([p[0][1] for p in out["chains"]["p"]], hazard)
    assert "continuous" in _fails(capsys, "diffusion", "markov", "--kind", "lisa")


def test_synthetic_panel_variable_is_labelled(bundled_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", bundled_url)
    r = CliRunner().invoke(cli, ["diffusion", "markov", "--variable", "syn_lngdp", "--within",
                                 "110000,120000,130000", "--years", "2006-2019", "--k", "3",
                                 "--m", "2", "--format", "json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    out = _json(r.output)
    assert out["synthetic"] is True and out["synthetic_variables"] == ["syn_lngdp"]
    r = CliRunner().invoke(cli, ["diffusion", "markov", "--variable", "syn_lngdp", "--within",
                                 "110000,120000,130000", "--years", "2006-2019"])  # fmt: skip
    assert r.exit_code == 0 and "SYNTHETIC" in r.output
