"""The report section on the real low-carbon pilot cascades (``section_diffusion``) on the
bundled database: its tables against counts made here from ``eha_cascade`` and ``w_queen``,
the data badge, and both languages."""

from __future__ import annotations

import numpy as np
import psycopg
import pytest

from policylink.report.builder import ReportWriter
from policylink.report.context import Context
from policylink.report.diffusion_section import section_diffusion


@pytest.fixture(scope="module")
def sections(bundled_url, tmp_path_factory):
    out = {}
    with psycopg.connect(bundled_url) as conn:
        for lang in ("en", "zh"):
            w = ReportWriter(tmp_path_factory.mktemp(f"diff_{lang}"))
            out[lang] = section_diffusion(Context(conn, w, lang=lang, log=lambda m: None))
            conn.rollback()
    return out


def test_section_on_the_real_cascades(sections, bundled_url):
    sec = sections["en"]
    assert sec.failed is None and sec.data == "real"
    names = {t.name for t in sec.tables}
    assert {"curve_fits", "eha", "netinf_ties", "netinf_precision", "markov",
            "markov_tests"} <= names, sec.missing  # fmt: skip
    assert [f.name for f in sec.figures] == ["curve"]
    with psycopg.connect(bundled_url) as c:
        ids = [r[0] for r in c.execute(
            "SELECT code FROM admin_unit WHERE level = 'prefecture'").fetchall()]  # fmt: skip
        first = dict(c.execute(
            "SELECT unit_code, first_year FROM eha_cascade('low_carbon_pilot', 'prefecture')"
        ).fetchall())  # fmt: skip
        pairs = c.execute("SELECT i, j FROM w_queen WHERE level = 'prefecture'").fetchall()
    # the Markov table: transitions out of "not adopted" by neighbour adoption, counted here
    nb: dict[str, set[str]] = {u: set() for u in ids}
    for i, j in pairs:
        nb[i].add(j)
    at_risk = np.zeros(2)
    adopt = np.zeros(2)
    for t in range(2009, 2022):
        for u in ids:
            if first.get(u, 9999) <= t:
                continue
            some = int(any(first.get(v, 9999) <= t for v in nb[u]))
            at_risk[some] += 1
            adopt[some] += first.get(u, 9999) == t + 1
    mk = next(t for t in sec.tables if t.name == "markov").frame
    rows = mk[(mk["from"] == "not adopted") & (mk["lag class"] != "all")]
    assert rows["transitions"].tolist() == at_risk.astype(int).tolist()
    np.testing.assert_allclose(rows["-> adopted"], adopt / at_risk)
    assert "real" in sec.paragraphs[0] and "SYNTHETIC" not in " ".join(sec.paragraphs)


def test_section_in_chinese(sections):
    sec = sections["zh"]
    assert sec.failed is None
    assert "扩散" in sec.title
    mk = next(t for t in sec.tables if t.name == "markov").frame
    assert "已采纳" in mk["起始状态"].tolist()
