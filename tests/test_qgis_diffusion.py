"""The diffusion algorithms (issue 18) in QGIS against the database and independent references.

Real policy events of the bundled database (``bundled_url``), prefecture level:

- ``netinfties``: the ties equal NetInf's numerics run on adoption times read here straight from
  the ``eha_cascade`` view (same reference as ``test_diffusion_netinf_db``), each tie's line
  starts inside its source unit's polygon (PostGIS ``ST_Covers``) and ends inside its target's;
  the observed coordination links equal ``coordination_link_summary_at``'s pairs.
- ``eha``: the coefficients equal statsmodels' binomial GLM (clustered by unit) on the same
  design, and the number of adoptions equals the risk set's events.
- ``adoptioncurve``: the cumulative counts equal a count of ``eha_cascade`` first years; the
  plot is a PNG.
"""

from __future__ import annotations

import numpy as np
import psycopg
import pytest

from tests.test_diffusion_netinf_db import _direct_times, _pairs

pytestmark = pytest.mark.qgis


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


@pytest.fixture(scope="module")
def conn(bundled_url):
    with psycopg.connect(bundled_url) as c:
        yield c
        c.rollback()


def test_netinf_ties_layer_equals_the_numerics_and_the_database(plugin, conn, bundled_url):
    import processing

    from policylink.spatial.netinf import netinf

    res = processing.run(
        "policylink:netinfties",
        {
            "DATABASE_URL": bundled_url,
            "LEVEL": 0,
            "PROGRAMME": "",
            "TIES": 15,
            "OUTPUT": "memory:",
            "LINKS": "memory:",
        },
    )
    programmes = [
        r[0] for r in conn.execute("SELECT programme FROM eha_programme ORDER BY 1").fetchall()
    ]
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT code FROM admin_unit WHERE level = 'prefecture' ORDER BY code"
        ).fetchall()
    ]
    ref = netinf(_direct_times(conn, programmes, ids), ids, n_edges=15)
    layer = res["OUTPUT"]
    feats = sorted(layer.getFeatures(), key=lambda f: f["rank"])
    assert res["N_TIES"] == layer.featureCount() == 15
    got = [(f["source"], f["target"]) for f in feats]
    assert got == list(zip(ref.edges["source"], ref.edges["target"], strict=True))
    np.testing.assert_allclose([f["gain"] for f in feats], ref.edges["gain"], rtol=1e-12)
    for f in feats:
        line = f.geometry().asPolyline()
        for code, pt in ((f["source"], line[0]), (f["target"], line[-1])):
            inside = conn.execute(
                "SELECT ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) "
                "FROM admin_unit WHERE code = %s",
                (pt.x(), pt.y(), code),
            ).fetchone()[0]
            assert inside, (code, pt)
    links = res["LINKS"]
    observed = _pairs(
        conn.execute(
            "SELECT code_a, code_b FROM coordination_link_summary_at('prefecture')"
        ).fetchall()
    )
    assert _pairs((f["a"], f["b"]) for f in links.getFeatures()) == observed
    assert {f["link"] for f in feats} <= {True, False}
    hits = sum(1 for f in feats if tuple(sorted((f["source"], f["target"]))) in observed)
    assert res["PRECISION_LINKS"] == pytest.approx(hits / 15)


def test_eha_table_equals_statsmodels_glm(plugin, bundled_url):
    import pandas as pd
    import processing
    import statsmodels.api as sm

    from policylink.analyses.diffusion import EhaOptions, run_eha
    from policylink.diffusion_inputs import EhaSource, load_eha_inputs

    res = processing.run(
        "policylink:eha",
        {
            "DATABASE_URL": bundled_url,
            "LEVEL": 0,
            "PROGRAMME": "low_carbon_pilot",
            "OUTPUT": "memory:",
            "UNITS": "memory:",
        },
    )
    inputs = load_eha_inputs(EhaSource(database_url=bundled_url))
    assert res["N_EVENTS"] == int(inputs.risk["event"].sum()) > 0
    d = run_eha(inputs, EhaOptions()).result.design
    ref = sm.GLM(d.y, d.X, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d.rows["code"])[0]}
    )
    names = list(d.names)
    table = {f["variable"]: f for f in res["OUTPUT"].getFeatures()}
    for var in ("neighbour_share", "higher_adopted"):
        k = names.index(var)
        assert table[var]["coefficient"] == pytest.approx(
            float(np.asarray(ref.params)[k]), rel=1e-6
        )
        assert table[var]["se"] == pytest.approx(float(np.asarray(ref.bse)[k]), rel=1e-4)
        assert table[var]["ratio"] == pytest.approx(np.exp(table[var]["coefficient"]), rel=1e-9)
    units = res["UNITS"]
    first = {f["code"]: f["first_year"] for f in units.getFeatures() if f["first_year"]}
    adopted = inputs.risk[inputs.risk["event"] == 1].groupby("code")["year"].min()
    assert first == {c: int(y) for c, y in adopted.items()}
    # hazard (odds) ratio by unit: exp(b' x) with statsmodels' b and x of the unit's last
    # risk-set row read here; units never at risk carry none
    regs = ["neighbour_share", "higher_adopted"]
    b = np.array([float(np.asarray(ref.params)[names.index(r)]) for r in regs])
    last = inputs.risk.sort_values("year").groupby("code").tail(1).set_index("code")
    ratios = {f["code"]: f["hazard_ratio"] for f in units.getFeatures()}
    at_risk = [c for c in ratios if c in last.index]
    assert len(at_risk) == len(last) > 0
    for c in at_risk:
        assert ratios[c] == pytest.approx(
            float(np.exp(last.loc[c, regs].to_numpy(float) @ b)), 1e-5
        )
    assert all(ratios[c] is None or ratios[c] != ratios[c] for c in ratios if c not in last.index)
    from qgis.core import QgsGraduatedSymbolRenderer

    from qgis_plugin.core.styling import apply_style

    apply_style(units, "hazard_ratio")
    renderer = units.renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer)
    assert renderer.classAttribute() == "hazard_ratio"
    for c in at_risk[:20]:
        rng = renderer.rangeForValue(ratios[c])
        assert rng is not None and rng.lowerValue() <= ratios[c] <= rng.upperValue()


def test_adoption_curve_counts_equal_the_cascade(plugin, conn, bundled_url, tmp_path):
    import processing

    png = tmp_path / "sub" / "curve.png"
    res = processing.run(
        "policylink:adoptioncurve",
        {
            "DATABASE_URL": bundled_url,
            "LEVEL": 0,
            "PROGRAMME": "low_carbon_pilot",
            "YEAR_FROM": 2009,
            "YEAR_TO": 2022,
            "OUTPUT": "memory:",
            "FITS": "memory:",
            "PNG": str(png),
            "OUTPUT_HTML": str(tmp_path / "curve.html"),
        },
    )
    fy = [
        r[0]
        for r in conn.execute(
            "SELECT first_year FROM eha_cascade('low_carbon_pilot', 'prefecture')"
        ).fetchall()
    ]
    rows = sorted(res["OUTPUT"].getFeatures(), key=lambda f: f["year"])
    assert [f["year"] for f in rows] == list(range(2009, 2023))
    assert [f["cumulative"] for f in rows] == [
        sum(1 for y in fy if y <= yr) for yr in range(2009, 2023)
    ]
    assert png.read_bytes().startswith(b"\x89PNG")
    assert res["FITS"].featureCount() >= 2
    assert "data:image/png;base64," in (tmp_path / "curve.html").read_text(encoding="utf-8")


def test_diffusion_with_a_stopped_database(plugin):
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="Cannot connect to the database"):
        processing.run(
            "policylink:adoptioncurve",
            {"DATABASE_URL": "postgresql://x@127.0.0.1:1/db", "OUTPUT": "memory:", "PNG": "x.png"},
        )
