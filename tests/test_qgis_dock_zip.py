"""The "Policy diffusion" dock runs a Moran task to completion; the built zip installs and loads.

Data: the SYNTHETIC lattice of ``test_qgis_plugin.py`` (as a layer and, for the database path,
loaded into a throwaway PolicyLink database as synthetic units and observations).
"""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.test_qgis_plugin import N_SIDE, lattice_values, lattice_w, synthetic_lattice

pytestmark = pytest.mark.qgis
ROOT = Path(__file__).resolve().parents[1]


def wait_for(dock, timeout=60):
    from qgis.core import QgsApplication

    t0 = time.time()
    while dock.task is not None:
        QgsApplication.processEvents()
        time.sleep(0.01)
        assert time.time() - t0 < timeout, "task did not finish"


@pytest.fixture
def lattice(qgis_app, tmp_path):
    from qgis.core import QgsProject

    layer = synthetic_lattice(tmp_path / "lattice.gpkg")
    QgsProject.instance().addMapLayer(layer)
    yield layer
    QgsProject.instance().removeAllMapLayers()


def test_dock_runs_moran_and_lisa_from_a_layer(lattice, tmp_path):
    import esda

    from qgis_plugin.gui.dock import PolicyDiffusionDock

    dock = PolicyDiffusionDock(None)
    dock.use_layer.setChecked(True)
    dock.layer.setLayer(lattice)
    dock.id_field.setField("code")
    dock.value_field.setField("y2010")
    dock.permutations.setValue(99)
    task = dock.run_moran()
    assert task is not None
    wait_for(dock)
    assert dock.last_error is None, dock.last_error
    assert dock.progress.value() == 100
    ref = esda.Moran(lattice_values(lattice, "y2010"), lattice_w(), permutations=0)
    assert dock.last_table["I"].iloc[0] == pytest.approx(ref.I, abs=1e-12)
    assert dock.table.rowCount() == 1
    assert dock.figure.axes[0].get_title().startswith("Moran's I = ")
    csv = dock.export_csv(str(tmp_path / "moran.csv"))
    assert "I" in Path(csv).read_text(encoding="utf-8-sig").splitlines()[0].split(",")

    dock.run_lisa()
    wait_for(dock)
    assert dock.last_error is None, dock.last_error
    layer = dock.last_layer
    assert layer.renderer().classAttribute() == "lisa_cl"
    ref = esda.Moran_Local(lattice_values(lattice, "y2010"), lattice_w(), permutations=0)
    got = sorted((f["code"], f["lisa_i"]) for f in layer.getFeatures())
    np.testing.assert_allclose([v for _c, v in got], ref.Is, atol=1e-12)
    out = dock.print_map(str(tmp_path / "lisa"))
    assert Path(out["pdf"]).stat().st_size > 5000 and Path(out["png"]).is_file()


def test_dock_cancel_stops_the_task(lattice):
    from qgis_plugin.gui.dock import PolicyDiffusionDock
    from qgis_plugin.gui.tasks import Cancelled

    dock = PolicyDiffusionDock(None)
    dock.use_layer.setChecked(True)
    dock.layer.setLayer(lattice)
    dock.id_field.setField("code")
    dock.value_field.setField("y2010")
    dock.permutations.setValue(99999)  # long enough to cancel
    dock.run_lisa()
    dock.cancel_all()
    wait_for(dock)
    assert isinstance(dock.last_error, Cancelled)
    assert dock.status.text()


def load_synthetic_units(url, lattice):
    """Insert the lattice as SYNTHETIC prefecture units (EPSG:3857 -> 4326) with one variable."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO load_batch (kind, source, status) VALUES ('other', 'synthetic lattice (tests)', 'done')"
        )
        conn.execute(
            "INSERT INTO variable (name, label_en, is_synthetic, source) VALUES "
            "('syn_y', 'synthetic y', true, 'test generator: y = row + column + N(0,1), seed 7')"
        )
        for f in lattice.getFeatures():
            code = f"9{int(f['code']):05d}"
            conn.execute(
                "INSERT INTO admin_unit (code, name_zh, level, geom, source) VALUES "
                "(%s, %s, 'prefecture', ST_Multi(ST_Transform(ST_GeomFromText(%s, 3857), 4326)), 'synthetic')",
                (code, f"合成{code}", f.geometry().asWkt()),
            )
            for year, field in ((2010, "y2010"), (2011, "y2011")):
                conn.execute(
                    "INSERT INTO observation (unit_code, year, variable, value) VALUES (%s, %s, 'syn_y', %s)",
                    (code, year, f[field]),
                )
    # the weights come from the database's views: refresh them after loading units
    from policylink.etl.migrate import refresh_materialized_views

    with psycopg.connect(url) as conn:
        refresh_materialized_views(conn)


def test_dock_moran_from_database_url(make_db, lattice):
    import esda

    from qgis_plugin.gui.dock import PolicyDiffusionDock

    url = make_db()
    load_synthetic_units(url, lattice)
    dock = PolicyDiffusionDock(None)
    dock.use_db.setChecked(True)
    dock.connection.setCurrentIndex(0)
    dock.url.setText(url)
    dock.fill_variables()
    assert dock.variable.findData("syn_y") >= 0
    dock.variable.setCurrentIndex(dock.variable.findData("syn_y"))
    dock.level.setCurrentText("prefecture")
    dock.year_from.setValue(2010)
    dock.year_to.setValue(2011)
    dock.permutations.setValue(0)
    dock.run_moran()
    wait_for(dock)
    assert dock.last_error is None, dock.last_error
    table = dock.last_table.set_index("period")
    w = lattice_w()
    for year, field in ((2010, "y2010"), (2011, "y2011")):
        ref = esda.Moran(lattice_values(lattice, field), w, permutations=0)
        assert table.loc[year, "I"] == pytest.approx(ref.I, abs=1e-9)
        assert table.loc[year, "n"] == N_SIDE * N_SIDE


INSTALL_CHECK = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
plugins_dir = sys.argv[1]
# No repository checkout on sys.path (the venv's packages stay: they play QGIS's Python).
sys.path = [p for p in sys.path if p not in ("", ".", sys.argv[2])]
sys.path.insert(0, plugins_dir)
sys.path.append("/usr/share/qgis/python/plugins")
from qgis.core import QgsApplication
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
from processing.core.Processing import Processing
Processing.initialize()
import policylink_qgis
plugin = policylink_qgis.classFactory(None)
plugin.initGui()
assert not plugin.missing, plugin.missing
import policylink.spatial
assert policylink.spatial.__file__.startswith(plugins_dir), policylink.spatial.__file__
algs = sorted(a.id() for a in QgsApplication.processingRegistry().providerById("policylink").algorithms())
print(" ".join(algs))
from qgis.core import QgsVectorLayer, QgsFeature, QgsGeometry, QgsRectangle
import processing
lay = QgsVectorLayer("Polygon?crs=EPSG:3857&field=code:string&field=v:double", "t", "memory")
fs = []
for i in range(9):
    f = QgsFeature(lay.fields()); f.setGeometry(QgsGeometry.fromRect(QgsRectangle(1e3 * (i % 3), 1e3 * (i // 3), 1e3 * (i % 3 + 1), 1e3 * (i // 3 + 1))))
    f.setAttributes([str(i), float(i % 3 + i // 3)]); fs.append(f)
lay.dataProvider().addFeatures(fs)
res = processing.run("policylink:globalmoran", {"INPUT": lay, "ID_FIELD": "code", "VALUE_FIELDS": ["v"], "PERMUTATIONS": 0, "OUTPUT": "memory:"})
print("I=%.12f" % next(res["OUTPUT"].getFeatures())["I"])
# Database path with the vendored policylink.dbread and etl.migrate (view refresh).
import policylink.dbread, policylink.etl.migrate
assert policylink.dbread.__file__.startswith(plugins_dir) and policylink.etl.migrate.__file__.startswith(plugins_dir)
res = processing.run("policylink:dbweights", {"DATABASE_URL": sys.argv[3], "KIND": "queen", "LEVEL": 1,
    "REFRESH": True, "OUTPUT": os.path.join(os.getcwd(), "w.gal")})
print("N_UNITS=%d N_LINKS=%d" % (res["N_UNITS"], res["N_LINKS"]))
plugin.unload()
import gc
gc.freeze()  # checked: skip the interpreter's shutdown walk over QGIS and the scientific stack
"""


def test_zip_installs_into_clean_profile_and_loads(qgis_app, tmp_path, make_db, lattice):
    import esda
    from libpysal.weights import lat2W

    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], check=True)
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_plugin.py"),
            "--out",
            str(tmp_path / "dist"),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    zpath = Path(out.stdout.strip().splitlines()[-1])
    names = zipfile.ZipFile(zpath).namelist()
    assert "policylink_qgis/metadata.txt" in names
    assert "policylink_qgis/_vendor/policylink/spatial/autocorr.py" in names
    assert "policylink_qgis/i18n/policylink_zh_CN.qm" in names
    assert not any("/test" in n or "__pycache__" in n for n in names)
    # A clean QGIS profile folder: profiles/default/python/plugins/<plugin>
    plugins_dir = tmp_path / "profiles" / "default" / "python" / "plugins"
    plugins_dir.mkdir(parents=True)
    zipfile.ZipFile(zpath).extractall(plugins_dir)
    url = make_db()
    load_synthetic_units(
        url, lattice
    )  # 36 SYNTHETIC lattice units (queen: 110 links, 220 directed)
    proc = subprocess.run(
        [sys.executable, "-c", INSTALL_CHECK, str(plugins_dir), str(ROOT), url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == "N_UNITS=36 N_LINKS=220"
    lines = lines[:-1]
    assert "policylink:globalmoran" in lines[-2] and "policylink:localmoran" in lines[-2]
    y = np.array([float(i % 3 + i // 3) for i in range(9)])
    ref = esda.Moran(y, lat2W(3, 3, rook=False), permutations=0).I
    assert float(lines[-1].split("=")[1]) == pytest.approx(ref, abs=1e-10)


def test_processing_from_database_to_moran(make_db, lattice):
    """Model-builder chain: database -> units + panel layers -> Moran by year (PostGIS layers)."""
    import esda
    import processing

    from qgis_plugin.plugin import PolicyLinkPlugin

    url = make_db()
    load_synthetic_units(url, lattice)
    plugin = PolicyLinkPlugin(None)
    plugin.initGui()
    try:
        loaded = processing.run(
            "policylink:loadpanel",
            {
                "DATABASE_URL": url,
                "LEVEL": 1,
                "VARIABLES": "syn_y",
                "YEAR_FROM": 2010,
                "YEAR_TO": 2011,
                "UNITS": "memory:",
                "PANEL": "memory:",
            },
        )
        assert loaded["N_UNITS"] == N_SIDE * N_SIDE
        res = processing.run(
            "policylink:globalmoran",
            {
                "INPUT": loaded["UNITS"],
                "ID_FIELD": "code",
                "PANEL": loaded["PANEL"],
                "PANEL_ID": "unit_code",
                "PANEL_TIME": "year",
                "PANEL_VALUE": "syn_y",
                "PERMUTATIONS": 0,
                "OUTPUT": "memory:",
            },
        )
        rows = {f["period"]: f["I"] for f in res["OUTPUT"].getFeatures()}
        w = lattice_w()
        for year, field in (("2010", "y2010"), ("2011", "y2011")):
            assert rows[year] == pytest.approx(
                esda.Moran(lattice_values(lattice, field), w, permutations=0).I, abs=1e-9
            )
        # The unit layer carries <variable>_<year> fields: LISA straight from the database layer.
        import esda as _esda

        lisa = processing.run(
            "policylink:localmoran",
            {
                "INPUT": loaded["UNITS"],
                "ID_FIELD": "code",
                "FIELD": "syn_y_2010",
                "PERMUTATIONS": 99,
                "OUTPUT": "memory:",
            },
        )
        got = sorted((f["code"], f["lisa_i"]) for f in lisa["OUTPUT"].getFeatures())
        ref = _esda.Moran_Local(lattice_values(lattice, "y2010"), w, permutations=0)
        np.testing.assert_allclose([v for _c, v in got], ref.Is, atol=1e-9)
        from qgis.core import QgsProcessingException

        with pytest.raises(QgsProcessingException, match="unknown variable"):
            processing.run(
                "policylink:loadpanel",
                {
                    "DATABASE_URL": url,
                    "LEVEL": 1,
                    "VARIABLES": "nope",
                    "UNITS": "memory:",
                    "PANEL": "memory:",
                },
            )
    finally:
        plugin.unload()


def test_dock_spatial_panel_from_database(make_db, lattice):
    """SDM button: database panel (SYNTHETIC SDM data) -> same estimates as spatial.panel."""
    import psycopg

    from policylink.spatial.panel import fit_spatial_panel
    from qgis_plugin.gui.dock import PolicyDiffusionDock
    from tests.test_qgis_models import sdm_panel

    url = make_db()
    load_synthetic_units(url, lattice)
    df = sdm_panel(t_periods=6)
    with psycopg.connect(url) as conn:
        for name in ("syn_sy", "syn_sx"):
            conn.execute(
                "INSERT INTO variable (name, is_synthetic, source) VALUES (%s, true, 'tests: SDM rho 0.4')",
                (name,),
            )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO observation (unit_code, year, variable, value) VALUES (%s, %s, %s, %s)",
                [
                    (f"9{int(r.unit):05d}", int(r.year), v, float(getattr(r, c)))
                    for r in df.itertuples()
                    for v, c in (("syn_sy", "y"), ("syn_sx", "x"))
                ],
            )
    dock = PolicyDiffusionDock(None)
    dock.url.setText(url)
    dock.fill_variables()
    dock.variable.setCurrentIndex(dock.variable.findData("syn_sy"))
    dock.x_vars.setText("syn_sx")
    dock.year_from.setValue(2010)
    dock.year_to.setValue(2019)
    dock.run_sdm()
    wait_for(dock, timeout=120)
    assert dock.last_error is None, dock.last_error
    w = lattice_w()
    w.remap_ids([f"9{i:05d}" for i in range(N_SIDE * N_SIDE)])
    panel = df.assign(unit=[f"9{int(u):05d}" for u in df["unit"]]).rename(
        columns={"y": "syn_sy", "x": "syn_sx"}
    )
    ref = fit_spatial_panel(
        panel,
        w,
        y="syn_sy",
        x=["syn_sx"],
        id_col="unit",
        time_col="year",
        model="sdm",
        fe="twoways",
        draws=1000,
        seed=12345,
    )
    got = dock.last_table[dock.last_table["part"] == "coefficient"].set_index("term")["estimate"]
    for r in ref.coefficients.itertuples():
        assert got[r.name] == pytest.approx(r.estimate, abs=1e-8)
    assert set(dock.last_table["part"]) >= {"coefficient", "direct", "indirect", "total"}


def test_dock_did_from_database_pilots(make_db, lattice):
    """DID button: SYNTHETIC outcome + synthetic pilot designations (batches 1, 2) in the database."""
    import psycopg

    from policylink.spatial.did import PanelSpec, twfe_did
    from policylink.spatial.did.simulate import simulate_staggered
    from qgis_plugin.gui.dock import PolicyDiffusionDock

    url = make_db()
    load_synthetic_units(url, lattice)
    df = simulate_staggered(n_units=36, years=range(2009, 2017), cohorts={2011: 9, 2013: 7}, seed=2)
    codes = {u: f"9{i:05d}" for i, u in enumerate(sorted(df["unit"].unique()))}
    df["code"] = df["unit"].map(codes)
    with psycopg.connect(url) as conn:
        for name in ("syn_dy", "syn_dx"):
            conn.execute(
                "INSERT INTO variable (name, is_synthetic, source) VALUES (%s, true, 'tests: simulate_staggered tau 0.5')",
                (name,),
            )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO observation (unit_code, year, variable, value) VALUES (%s, %s, %s, %s)",
                [
                    (r.code, int(r.year), v, float(getattr(r, c)))
                    for r in df.itertuples()
                    for v, c in (("syn_dy", "y"), ("syn_dx", "x1"))
                ],
            )
            for batch, year in ((1, 2011), (2, 2013)):
                eid = f"syn-lcp-batch{batch}"
                cur.execute(
                    "INSERT INTO policy_event (id, event_date, title_zh, level, kind, programme, batch, source) "
                    "VALUES (%s, %s, '合成试点', 'national', 'pilot_designation', 'low_carbon_pilot', %s, 'synthetic')",
                    (eid, f"{year - 1}-07-01", batch),
                )
                units = sorted(set(df.loc[df["first_treated"] == year, "code"]))
                cur.executemany(
                    "INSERT INTO event_participant (event_id, unit_code, role) VALUES (%s, %s, 'party')",
                    [(eid, c) for c in units],
                )
    dock = PolicyDiffusionDock(None)
    dock.url.setText(url)
    dock.fill_variables()
    dock.variable.setCurrentIndex(dock.variable.findData("syn_dy"))
    dock.x_vars.setText("syn_dx")
    dock.year_from.setValue(2009)
    dock.year_to.setValue(2016)
    dock.run_did()
    wait_for(dock, timeout=120)
    assert dock.last_error is None, dock.last_error
    spec = PanelSpec(
        outcome="y", unit="code", time="year", first_treated="first_treated", controls=("x1",)
    )
    ref = twfe_did(df, spec)
    assert dock.last_result.coef() == pytest.approx(ref.coef(), abs=1e-10)
    assert dock.last_result.se() == pytest.approx(ref.se(), abs=1e-10)
    assert dock.figure.axes  # event-study plot drawn
