"""``policylink diffusion netinf`` on the real bundled cascades equals a direct call of the
numerics (:func:`policylink.spatial.netinf.netinf`) on cascades read straight from
``eha_cascade``, and its precision / recall equal a count over ``w_queen`` and the
coordination links."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import psycopg
import pytest
from click.testing import CliRunner

from policylink.spatial.netinf import netinf

JJJ = ("110000", "120000", "130000")


@pytest.fixture(scope="module")
def conn(bundled_url):
    with psycopg.connect(bundled_url) as c:
        yield c
        c.rollback()


def _direct_times(conn, programmes, ids):
    """Adoption times in decimal years, computed here from eha_cascade rows."""
    pos = {c: k for k, c in enumerate(ids)}
    T = np.full((len(programmes), len(ids)), np.inf)
    for r, p in enumerate(programmes):
        rows = conn.execute(
            "SELECT unit_code, first_date, first_year FROM eha_cascade(%s, 'prefecture')", (p,)
        ).fetchall()
        for code, d, y in rows:
            if code not in pos:
                continue
            if d is None:
                T[r, pos[code]] = float(y)
            else:
                start = dt.date(d.year, 1, 1)
                length = (dt.date(d.year + 1, 1, 1) - start).days
                T[r, pos[code]] = d.year + (d - start).days / length
    return T


def _pairs(rows):
    return {tuple(sorted(r)) for r in rows}


@pytest.mark.parametrize("ties", [15, None])
def test_netinf_command_equals_the_numerics(conn, bundled_url, monkeypatch, ties):
    from policylink.cli import cli

    monkeypatch.setenv("DATABASE_URL", bundled_url)
    programmes = [
        r[0] for r in conn.execute("SELECT programme FROM eha_programme ORDER BY 1").fetchall()
    ]
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT code FROM admin_unit WHERE level = 'prefecture' ORDER BY code"
        ).fetchall()
    ]
    args = ["diffusion", "netinf", "--format", "json"]
    if ties is not None:
        args += ["--ties", str(ties)]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output[r.output.index("{") :])
    assert out["programmes"] == programmes and out["synthetic"] is False
    ref = netinf(_direct_times(conn, programmes, ids), ids, n_edges=ties)
    got = [(t["source"], t["target"]) for t in out["ties"]]
    want = list(zip(ref.edges["source"], ref.edges["target"], strict=True))
    assert got == want
    np.testing.assert_allclose(
        np.array([t["gain"] for t in out["ties"]], float),
        ref.edges["gain"].to_numpy(float),
        rtol=1e-12,
    )
    assert out["stopped_by"] == ref.stopped_by and out["rate"] == pytest.approx(ref.rate)
    if ties is not None:
        assert len(got) == ties
    # precision / recall by a direct count over the views
    queen = _pairs(conn.execute("SELECT i, j FROM w_queen WHERE level = 'prefecture'").fetchall())
    links = _pairs(
        conn.execute(
            "SELECT code_a, code_b FROM coordination_link_summary_at('prefecture')"
        ).fetchall()
    )
    inferred = _pairs(got)
    for name, obs in (("contiguity", queen), ("links", links)):
        cmp = out["comparison"][name]
        hits = len(inferred & obs)
        assert cmp["hits"] == hits and cmp["n_observed"] == len(obs)
        if inferred:
            assert cmp["precision"] == pytest.approx(hits / len(inferred))
        assert cmp["recall"] == pytest.approx(hits / len(obs))
        n = len(ids)
        assert cmp["chance_precision"] == pytest.approx(len(obs) / (n * (n - 1) / 2))


def test_netinf_table_csv_and_unknown_programme(bundled_url, monkeypatch):
    from policylink.cli import cli

    monkeypatch.setenv("DATABASE_URL", bundled_url)
    runner = CliRunner()
    r = runner.invoke(cli, ["diffusion", "netinf", "--ties", "5", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    assert "NetInf" in r.output and "real policy events" in r.output and "召回率" in r.output
    r = runner.invoke(cli, ["diffusion", "netinf", "--ties", "5", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = [x for x in r.output.strip().splitlines() if not x.startswith("note:")]
    assert lines[0].startswith("source,source_name,target") and len(lines) == 6
    r = runner.invoke(
        cli,
        ["diffusion", "netinf", "--programme", "nope", "--format", "json"],
    )
    assert r.exit_code != 0 and "nope" in str(r.exception)  # a ConfigError sentence
