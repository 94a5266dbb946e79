"""Policy-diffusion layers from a PolicyLink database holding the bundled real data.

References are independent of the plugin: the pilot lists of the NDRC notices (facts copied in
data/events/low_carbon_pilots.yaml; batches 2010/2012/2017), seed 001's text for the JJJ adoption
periods and links, and PostGIS's own ``ST_Intersects`` for contiguity.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from qgis.core import NULL

from tests.test_qgis_maps import count_colour, render

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

#: Province-level codes of the four municipalities (GB/T 2260), each one territory with its
#: prefecture-level unit PP0100.
MUNICIPALITIES = ("110000", "120000", "310000", "500000")


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


JJJ = "110000,120000,130000"


def test_pilot_batches_follow_the_notices(plugin, bundled_url):
    import processing

    res = processing.run(
        "policylink:pilotbatches", {"DATABASE_URL": bundled_url, "OUTPUT": "memory:"}
    )
    feats = {f["code"]: f for f in res["OUTPUT"].getFeatures()}
    # Batch 1 (发改气候〔2010〕1587号): Baoding, Tianjin, Hangzhou; Guangdong province covers all
    # its prefectures. Batch 2 (〔2012〕3760号): Beijing, Shijiazhuang. Batch 3 (〔2017〕66号): Nanjing.
    for code, batch, year in (
        ("130600", 1, 2011),
        ("120100", 1, 2011),
        ("330100", 1, 2011),
        ("440300", 1, 2011),
        ("110100", 2, 2013),
        ("130100", 2, 2013),
        ("320100", 3, 2017),
    ):
        assert (feats[code]["batch"], feats[code]["first_year"]) == (batch, year), code
    with psycopg.connect(bundled_url) as conn:
        gd = {
            r[0]
            for r in conn.execute(
                "SELECT code FROM admin_unit WHERE parent_code = '440000' AND level = 'prefecture'"
            )
        }
    assert len(gd) >= 21 and all(feats[c]["batch"] == 1 for c in gd)
    assert len(feats) == 370  # every prefecture-level unit, pilot or not
    assert feats["130400"]["batch"] in (None, NULL)  # Handan: not a pilot
    assert res["N_PILOTS"] > 80


def test_adoption_by_period_reproduces_seed001_fig1(plugin, bundled_url):
    import processing

    res = processing.run(
        "policylink:adoptionperiod",
        {"DATABASE_URL": bundled_url, "WITHIN": JJJ, "OUTPUT": "memory:"},
    )
    feats = list(res["OUTPUT"].getFeatures())
    period = {f["code"]: f["period"] for f in feats}
    assert len(period) == 13
    # Seed 001 §2.3: before 2008 only Beijing and Tianjin and, at prefecture level, Tangshan
    # (Shougang's move to Caofeidian); "至2014年地级市增加了承德、保定" (the counties Chicheng and
    # Xiahuayuan of Zhangjiakou do not make Zhangjiakou an adopter: units count at their own
    # level); after 2014 "所有地级以上城市均制定了相关政策": the other eight prefectures.
    assert {c for c, p in period.items() if p == "before 2008"} == {"110100", "120100", "130200"}
    assert {c for c, p in period.items() if p == "2008-2014"} == {"130600", "130800"}
    later = {c for c, p in period.items() if p == "2014-2016"}
    assert later == {f"13{k:02d}00" for k in range(1, 12)} - {"130200", "130600", "130800"}
    assert period["130700"] == "2014-2016"  # Zhangjiakou
    assert res["COUNTS"] == {"before 2008": 3, "2008-2014": 2, "2014-2016": 8}
    # first_year lies inside the unit's period, as the database's analysis_period defines it.
    with psycopg.connect(bundled_url) as conn:
        bounds = {
            label: (first, last)
            for label, first, last in conn.execute(
                "SELECT label, first_year, last_year FROM analysis_period WHERE scheme = 'seed001'"
            )
        }
    for f in feats:
        first, last = bounds[f["period"]]
        assert (first or 0) <= f["first_year"] <= (last or 9999), f["code"]


def test_adoption_style_uses_the_database_period_labels(bundled_url):
    """Every analysis_period label of scheme seed001 (plus 'none') is a category of the style."""
    import xml.etree.ElementTree as ET

    qml = Path(__file__).parents[1] / "qgis_plugin" / "styles" / "adoption_period.qml"
    values = {c.get("value") for c in ET.parse(qml).getroot().iter("category")}
    with psycopg.connect(bundled_url) as conn:
        labels = {
            r[0] for r in conn.execute("SELECT label FROM analysis_period WHERE scheme = 'seed001'")
        }
    assert len(labels) == 4
    assert values == labels | {"none"}


def test_coordination_links_layer_renders_and_prints(plugin, bundled_url, tmp_path):
    import processing
    from qgis.core import QgsProject

    from qgis_plugin.core.styling import LINK_COLOURS, apply_style

    res = processing.run(
        "policylink:coordinationlinks",
        {"DATABASE_URL": bundled_url, "WITHIN": JJJ, "OUTPUT": "memory:"},
    )
    layer = res["OUTPUT"]
    rows = list(layer.getFeatures())
    assert res["N_LINKS"] == len(rows) > 0
    # Shougang moved from Shijingshan (Beijing) to Caofeidian (Tangshan): a transfer link
    # 110100-130200 after rolling districts up to their prefecture (seed 001 §2.2).
    pair = [
        f
        for f in rows
        if {f["a"], f["b"]} == {"110100", "130200"} and f["link_type"] == "industrial_transfer"
    ]
    assert len(pair) == 1 and pair[0]["n_events"] >= 1
    # n_events per pair and kind equals a direct count of the events in which both units act
    # together (party with party, sender with receiver; sql/README.md "Coordination links").
    with psycopg.connect(bundled_url) as conn:
        f = max(rows, key=lambda r: r["n_events"])
        n = conn.execute(
            """SELECT count(DISTINCT e.id) FROM policy_event e
               JOIN event_participant p ON p.event_id = e.id JOIN admin_unit u ON u.code = p.unit_code
               JOIN event_participant q ON q.event_id = e.id JOIN admin_unit v ON v.code = q.unit_code
               WHERE e.programme = 'jjj_coordination' AND e.kind = %(k)s
                 AND coalesce(CASE WHEN u.level = 'county' THEN u.parent_code END,
                              CASE WHEN u.code = ANY(%(m)s) THEN left(u.code, 2) || '0100' END,
                              u.code) = %(a)s
                 AND coalesce(CASE WHEN v.level = 'county' THEN v.parent_code END,
                              CASE WHEN v.code = ANY(%(m)s) THEN left(v.code, 2) || '0100' END,
                              v.code) = %(b)s
                 AND ((p.role = 'party' AND q.role = 'party')
                      OR (p.role = 'sender' AND q.role = 'receiver')
                      OR (p.role = 'receiver' AND q.role = 'sender'))""",
            # the four municipalities' province codes stand for their prefecture-level units
            {"k": f["link_type"], "a": f["a"], "b": f["b"], "m": list(MUNICIPALITIES)},
        ).fetchone()[0]
        # The whole layer is the database's link view, row for row: one rule for every consumer.
        view = conn.execute(
            "SELECT code_a, code_b, kind, n_events, first_year, last_year "
            "FROM coordination_link_kind_at('prefecture', p_programme => 'jjj_coordination', "
            "p_within => %s)",
            (JJJ.split(","),),
        ).fetchall()
        n_rows = conn.execute(
            "SELECT count(*) FROM coordination_link_at('prefecture', "
            "p_programme => 'jjj_coordination', p_within => %s)",
            (JJJ.split(","),),
        ).fetchone()[0]
    assert f["n_events"] == n

    def plain(v):  # QGIS NULL (undated links have no year) -> None
        return None if v == NULL else v

    layer_rows = {
        (
            r["a"],
            r["b"],
            r["link_type"],
            r["n_events"],
            plain(r["first_year"]),
            plain(r["last_year"]),
        )
        for r in rows
    }
    assert layer_rows == set(view) and len(rows) == len(view)
    assert res["N_EVENT_PAIRS"] == n_rows
    # Beijing-Tianjin are first linked in 2004 (the Langfang consensus, coded on the municipalities'
    # province-level codes 110000/120000, which are the same territory as 110100/120100); the 1982
    # Beijing-Tianjin-Tangshan planning study is a plan and links no pair.
    bt = [plain(r["first_year"]) for r in rows if {r["a"], r["b"]} == {"110100", "120100"}]
    assert min(y for y in bt if y is not None) == 2004
    apply_style(layer, "coordination_links")
    QgsProject.instance().addMapLayer(layer, False)
    assert count_colour(render([layer]), "#ffffff") < 400 * 400  # something is drawn
    # Links of different kinds overlap on the same pair: check each kind on its own.
    from qgis.core import QgsExpression

    kinds = {r["link_type"] for r in rows}
    assert len(kinds) >= 2
    for kind in kinds & set(LINK_COLOURS):
        layer.setSubsetString(QgsExpression.createFieldEqualityExpression("link_type", kind))
        assert count_colour(render([layer]), LINK_COLOURS[kind], tol=40) > 0, kind
    layer.setSubsetString("")
    # One click from the toolbox: the JJJ coordination-link map printed to PDF + PNG.
    out = processing.run(
        "policylink:exportlayout",
        {
            "LAYERS": [layer],
            "TITLE": "京津冀城市间产业协同政策联系",
            "DPI": 60,
            "SOURCE_NOTE": "Source: PolicyLink database; events from seed 001 (Ma, Huang and Luo 2018)",
            "OUTPUT": str(tmp_path / "jjj_links.pdf"),
        },
    )
    assert Path(out["OUTPUT"]).read_bytes()[:4] == b"%PDF"
    from qgis.PyQt.QtGui import QImage

    img = QImage(out["PNG"]).convertToFormat(5)
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    import numpy as np

    page = np.frombuffer(ptr, dtype=np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    page = page[:, : img.width(), [2, 1, 0, 3]]
    px = img.width() / 297.0
    inside = page[int(22 * px) : int(188 * px), int(12 * px) : int(213 * px)]
    assert (
        sum(count_colour(inside, LINK_COLOURS[k], tol=40) for k in kinds & set(LINK_COLOURS)) > 100
    )


def test_neighbour_adoption_and_diffusion_paths_use_real_contiguity(plugin, bundled_url):
    import processing

    res = processing.run(
        "policylink:neighbouradoption",
        {"DATABASE_URL": bundled_url, "WITHIN": JJJ, "YEARS": "2010-2018", "OUTPUT": "memory:"},
    )
    rows = {(f["code"], f["year"]): f for f in res["OUTPUT"].getFeatures()}
    assert res["N_FEATURES"] == 13 * 9
    with psycopg.connect(bundled_url) as conn:
        nb = [
            r[0]
            for r in conn.execute(
                """SELECT b.code FROM admin_unit a JOIN admin_unit b ON b.level = 'prefecture'
               AND b.code <> a.code AND ST_Intersects(a.geom, b.geom)
               WHERE a.code = '131000' AND (b.code LIKE '11%%' OR b.code LIKE '12%%' OR b.code LIKE '13%%')"""
            )
        ]
    # Langfang touches Beijing and Tianjin (issue 4's check); its neighbours' pilot years decide.
    assert {"110100", "120100"} <= set(nb)
    for year in (2012, 2013, 2018):
        treated = [rows[(c, year)]["treated"] for c in nb]
        assert rows[("131000", year)]["share_treated"] == pytest.approx(sum(treated) / len(nb))

    paths = processing.run(
        "policylink:diffusionpaths",
        {"DATABASE_URL": bundled_url, "WITHIN": JJJ, "OUTPUT": "memory:"},
    )
    edges = list(paths["OUTPUT"].getFeatures())
    assert edges and all(e["lag_years"] == e["target_year"] - e["source_year"] > 0 for e in edges)
    # Tianjin (2011) -> Beijing (2013): contiguous, earlier to later.
    assert any(
        e["source"] == "120100" and e["target"] == "110100" and e["lag_years"] == 2 for e in edges
    )


def test_database_access_through_qgis(plugin, bundled_url):
    """--within semantics through the plugin's database path (Processing ``loadpanel``, which
    reads with the database's own unit_within rule): Hebei = 11 prefectures, JJJ = 13."""
    import processing
    from qgis.core import QgsProcessingException

    from qgis_plugin.core import db

    def units(level: int, within: str) -> list[str]:
        res = processing.run(
            "policylink:loadpanel",
            {
                "DATABASE_URL": bundled_url,
                "LEVEL": level,
                "WITHIN": within,
                "VARIABLES": "syn_lnco2",
                "YEAR_FROM": 2006,
                "YEAR_TO": 2006,
                "UNITS": "memory:",
                "PANEL": "memory:",
            },
        )
        layer = res["UNITS"]
        assert layer.crs().authid() == "EPSG:4326"
        return sorted(f["code"] for f in layer.getFeatures())

    hebei = units(1, "130000")
    assert len(hebei) == 11 and all(c.startswith("13") for c in hebei)
    assert len(units(1, JJJ)) == 13
    # Counties within Beijing: every one has Beijing as an ancestor.
    bj = units(2, "110000")
    assert len(bj) == 16 and all(c.startswith("11") for c in bj)
    with pytest.raises(QgsProcessingException, match="six-digit"):
        units(1, "13")
    assert db.connection_string(url=bundled_url) == bundled_url
    uri = db.database_uri(url=bundled_url)
    assert uri.database() == "bundled_session" and uri.host().startswith("/")
    with pytest.raises(ValueError, match="Not a PostgreSQL URL"):
        db.uri_from_url("mysql://x@y/z")


def test_moran_and_sdm_on_postgis_layers_equal_spatial_on_dbread(plugin, bundled_url):
    """Bundled SYNTHETIC JJJ panel: plugin (PostGIS layers, weights from geometry) = spatial on
    policylink.dbread (panel view, w_queen view weights)."""
    import processing

    from policylink import dbread
    from policylink.spatial.autocorr import moran_by_year
    from policylink.spatial.panel import fit_spatial_panel

    loaded = processing.run(
        "policylink:loadpanel",
        {
            "DATABASE_URL": bundled_url,
            "LEVEL": 1,
            "WITHIN": JJJ,
            "VARIABLES": "syn_lnco2,syn_lnisu,syn_lngdp",
            "YEAR_FROM": 2006,
            "YEAR_TO": 2019,
            "UNITS": "memory:",
            "PANEL": "memory:",
        },
    )
    moran = processing.run(
        "policylink:globalmoran",
        {
            "INPUT": loaded["UNITS"],
            "ID_FIELD": "code",
            "PANEL": loaded["PANEL"],
            "PANEL_ID": "unit_code",
            "PANEL_TIME": "year",
            "PANEL_VALUE": "syn_lnco2",
            "PERMUTATIONS": 0,
            "OUTPUT": "memory:",
        },
    )
    got = {f["period"]: f for f in moran["OUTPUT"].getFeatures()}
    panel = dbread.read_panel(
        bundled_url, ["syn_lnco2", "syn_lnisu", "syn_lngdp"], "prefecture", JJJ, range(2006, 2020)
    )
    w = dbread.read_weights(bundled_url, "queen", "prefecture", JJJ)
    ref = moran_by_year(
        panel, w, variable="syn_lnco2", id_col="code", time_col="year", permutations=0
    )
    assert len(got) == 14
    for r in ref.results:
        assert got[str(r.period)]["I"] == pytest.approx(r.I, abs=1e-10)
        assert got[str(r.period)]["z_rand"] == pytest.approx(r.z_rand, abs=1e-9)
    sdm = processing.run(
        "policylink:spatialpanel",
        {
            "INPUT": loaded["UNITS"],
            "ID_FIELD": "code",
            "PANEL": loaded["PANEL"],
            "PANEL_ID": "unit_code",
            "PANEL_TIME": "year",
            "Y": "syn_lnco2",
            "X": ["syn_lnisu", "syn_lngdp"],
            "MODEL": 2,
            "FE": 0,
            "DRAWS": 100,
            "SEED": 1,
            "OUTPUT": "memory:",
        },
    )
    # the catalogue's SYNTHETIC flags travel from loadpanel's PANEL layer to the result
    assert sdm["OUTPUT"].name().endswith(" [SYNTHETIC]")
    assert "syn_lnco2" in sdm["OUTPUT"].metadata().abstract()
    fit = fit_spatial_panel(
        panel,
        w,
        y="syn_lnco2",
        x=["syn_lnisu", "syn_lngdp"],
        id_col="code",
        time_col="year",
        model="sdm",
        fe="twoways",
        draws=100,
        seed=1,
    )
    est = {f["name"]: f["estimate"] for f in sdm["OUTPUT"].getFeatures()}
    for r in fit.coefficients.itertuples():
        assert est[r.name] == pytest.approx(r.estimate, abs=1e-8)


def test_database_weights_export_equals_dbread(plugin, bundled_url, tmp_path):
    import processing
    from libpysal import io

    from policylink import dbread

    res = processing.run(
        "policylink:dbweights",
        {
            "DATABASE_URL": bundled_url,
            "KIND": "queen",
            "LEVEL": 1,
            "WITHIN": JJJ,
            "REFRESH": True,
            "OUTPUT": str(tmp_path / "jjj_queen.gal"),
        },
    )
    w = io.open(res["OUTPUT"]).read()
    ref = dbread.read_weights(bundled_url, "queen", "prefecture", JJJ)
    assert res["N_UNITS"] == 13 and res["ISLANDS"] == 0
    assert {k: set(v) for k, v in w.neighbors.items()} == {
        k: set(v) for k, v in ref.neighbors.items()
    }
    # Issue 4's facts: Handan's only JJJ neighbour is Xingtai; Langfang touches Beijing and Tianjin.
    assert set(w.neighbors["130400"]) == {"130500"}
    assert {"110100", "120100"} <= set(w.neighbors["131000"])


def test_database_weights_export_warns_when_the_level_is_out_of_date(
    plugin, clone_boundaries, tmp_path
):
    # counties written after the last refresh: exporting county weights without Refresh says
    # which views no longer match; the prefectures' views are still fresh (per level set)
    import processing
    import psycopg
    from qgis.core import QgsProcessingFeedback

    class Feedback(QgsProcessingFeedback):
        def __init__(self) -> None:
            super().__init__()
            self.warnings: list[str] = []

        def pushWarning(self, text: str) -> None:  # noqa: N802
            self.warnings.append(text)
            super().pushWarning(text)

    url = clone_boundaries()
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE admin_unit SET name_en = name_en WHERE code = '130102'")
    stale = "w_contiguity_queen_county, w_contiguity_rook_county"

    def export(level: int, refresh: bool, kind: str = "queen") -> list[str]:
        fb = Feedback()
        params = {"DATABASE_URL": url, "KIND": kind, "LEVEL": level, "WITHIN": JJJ}
        params |= {"REFRESH": refresh, "OUTPUT": str(tmp_path / f"w{level}{refresh}.gal")}
        processing.run("policylink:dbweights", params, feedback=fb)
        return fb.warnings

    assert [w for w in export(2, False) if stale in w]
    assert not [w for w in export(2, False, "knn:4") if "w_contiguity" in w]  # not read by knn
    assert not [w for w in export(1, False) if "w_contiguity" in w]
    assert not [w for w in export(2, True) if "w_contiguity" in w]  # refreshed first
    assert not [w for w in export(2, False) if "w_contiguity" in w]  # and fresh since
