"""The QGIS plugin in a real headless QGIS: loading, Processing algorithms, styles, layouts, dock.

Data: a synthetic 6 x 6 lattice (generator below, labelled synthetic; true model y = row + column +
N(0, 1) noise, seed 7, so it is strongly autocorrelated) written to a GeoPackage. References are
computed independently with esda on libpysal's ``lat2W`` lattice weights, which do not look at
the geometries at all.
"""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.qgis

N_SIDE = 6


def synthetic_lattice(path):
    """Write the synthetic lattice GeoPackage (SYNTHETIC data) and return its path.

    Unit (r, c) is the unit square at column c, row r (EPSG:3857 metres x 10 km); fields ``code``
    (text, row-major order), ``y2010`` = r + c + N(0,1), ``y2011`` = N(0,1) (no autocorrelation),
    ``source`` = 'synthetic'.
    """
    from qgis.core import (
        QgsCoordinateTransformContext,
        QgsFeature,
        QgsGeometry,
        QgsRectangle,
        QgsVectorFileWriter,
        QgsVectorLayer,
    )

    rng = np.random.default_rng(7)
    mem = QgsVectorLayer(
        "Polygon?crs=EPSG:3857&field=code:string&field=y2010:double&field=y2011:double&field=source:string",
        "synthetic lattice",
        "memory",
    )
    feats = []
    size = 10_000.0
    for r in range(N_SIDE):
        for c in range(N_SIDE):
            f = QgsFeature(mem.fields())
            f.setGeometry(
                QgsGeometry.fromRect(
                    QgsRectangle(c * size, r * size, (c + 1) * size, (r + 1) * size)
                )
            )
            f.setAttributes(
                [
                    f"{r * N_SIDE + c:06d}",
                    float(r + c + rng.normal()),
                    float(rng.normal()),
                    "synthetic",
                ]
            )
            feats.append(f)
    mem.dataProvider().addFeatures(feats)
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName = "GPKG"
    opts.layerName = "lattice"
    err = QgsVectorFileWriter.writeAsVectorFormatV3(
        mem, str(path), QgsCoordinateTransformContext(), opts
    )
    assert err[0] == QgsVectorFileWriter.NoError, err
    layer = QgsVectorLayer(f"{path}|layername=lattice", "synthetic lattice", "ogr")
    assert layer.isValid() and layer.featureCount() == N_SIDE * N_SIDE
    return layer


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


@pytest.fixture(scope="module")
def lattice(qgis_app, tmp_path_factory):
    return synthetic_lattice(tmp_path_factory.mktemp("gpkg") / "lattice.gpkg")


def lattice_values(layer, field):
    """Values in row-major lattice order (by code)."""
    pairs = sorted((f["code"], f[field]) for f in layer.getFeatures())
    return np.array([v for _c, v in pairs], dtype=float)


def lattice_w():
    from libpysal.weights import lat2W

    w = lat2W(N_SIDE, N_SIDE, rook=False)
    w.transform = "r"
    return w


def test_plugin_loads_and_unloads(qgis_app):
    from qgis.core import QgsApplication

    from qgis_plugin import classFactory

    p = classFactory(None)
    p.initGui()
    reg = QgsApplication.processingRegistry()
    ids = {a.id() for a in reg.providerById("policylink").algorithms()}
    assert {
        "policylink:globalmoran",
        "policylink:localmoran",
        "policylink:gistar",
        "policylink:buildweights",
    } <= ids
    p.unload()
    assert reg.providerById("policylink") is None


def test_missing_package_gives_install_command(qgis_app, tmp_path, monkeypatch):
    from qgis.core import QgsApplication

    from qgis_plugin.core import deps
    from qgis_plugin.plugin import PolicyLinkPlugin

    req = tmp_path / "requirements.txt"
    req.write_text("numpy>=1.24,<2\nnot-a-real-package-xyz>=1.0  # comment\n", encoding="utf-8")
    missing = deps.missing_requirements(req)
    assert [r.name for r in missing] == ["not-a-real-package-xyz"]
    msg = deps.missing_message(missing)
    assert "not-a-real-package-xyz" in msg
    assert (
        f"{deps.python_command()} -m pip install" in msg and '"not-a-real-package-xyz>=1.0"' in msg
    )
    # Debian 12's system Python (PEP 668) needs --user --break-system-packages; a venv neither.
    cmd = deps.install_command(missing, in_venv=False, externally_managed=True)
    assert cmd.endswith(
        ' -m pip install --user --break-system-packages "not-a-real-package-xyz>=1.0"'
    )
    cmd = deps.install_command(missing, in_venv=True, externally_managed=True)
    assert cmd.endswith(' -m pip install "not-a-real-package-xyz>=1.0"')
    # The plugin loads without raising and registers no provider.
    monkeypatch.setattr("qgis_plugin.plugin.missing_requirements", lambda *a, **k: missing)
    p = PolicyLinkPlugin(None)
    p.initGui()
    assert p.provider is None
    assert QgsApplication.processingRegistry().providerById("policylink") is None
    p.unload()


def test_global_moran_equals_esda_and_spatial(plugin, lattice):
    import esda
    import pandas as pd
    import processing
    from scipy.stats import norm

    from policylink.spatial.autocorr import moran_by_year

    res = processing.run(
        "policylink:globalmoran",
        {
            "INPUT": lattice,
            "ID_FIELD": "code",
            "VALUE_FIELDS": ["y2010", "y2011"],
            "PERMUTATIONS": 199,
            "OUTPUT": "memory:",
        },
    )
    rows = {f["period"]: f for f in res["OUTPUT"].getFeatures()}
    assert set(rows) == {"y2010", "y2011"}
    w = lattice_w()
    for field in ("y2010", "y2011"):
        y = lattice_values(lattice, field)
        ref = esda.Moran(y, w, permutations=0)
        assert rows[field]["I"] == pytest.approx(ref.I, abs=1e-12)
        assert rows[field]["EI"] == pytest.approx(ref.EI, abs=1e-12)
        assert rows[field]["z_norm"] == pytest.approx(ref.z_norm, abs=1e-9)
        # 'greater' alternative: p = 1 - Phi(z) (esda's p_norm folds |z| instead).
        assert rows[field]["p_norm"] == pytest.approx(norm.sf(ref.z_norm), abs=1e-9)
        assert rows[field]["z_rand"] == pytest.approx(ref.z_rand, abs=1e-9)
    assert rows["y2010"]["I"] > 0.4 and rows["y2011"]["p_norm"] > 0.01
    # Same numbers as the spatial package on a long panel with the same lattice weights.
    codes = [f"{i:06d}" for i in range(N_SIDE * N_SIDE)]
    w.remap_ids(codes)
    panel = pd.DataFrame({"id": codes, "t": 2010, "v": lattice_values(lattice, "y2010")})
    sp = moran_by_year(panel, w, variable="v", id_col="id", time_col="t", permutations=199)
    assert rows["y2010"]["p_perm"] == pytest.approx(sp.results[0].p_perm)


def test_global_moran_from_long_panel_table(plugin, lattice):
    import esda
    import processing
    from qgis.core import QgsFeature, QgsVectorLayer

    table = QgsVectorLayer(
        "None?field=unit:string&field=year:integer&field=co2:double", "panel", "memory"
    )
    feats = []
    for year, field in ((2010, "y2010"), (2011, "y2011")):
        for f in lattice.getFeatures():
            g = QgsFeature(table.fields())
            g.setAttributes([f["code"], year, f[field]])
            feats.append(g)
    table.dataProvider().addFeatures(feats)
    res = processing.run(
        "policylink:globalmoran",
        {
            "INPUT": lattice,
            "ID_FIELD": "code",
            "PANEL": table,
            "PANEL_ID": "unit",
            "PANEL_TIME": "year",
            "PANEL_VALUE": "co2",
            "PERMUTATIONS": 0,
            "OUTPUT": "memory:",
        },
    )
    rows = {f["period"]: f["I"] for f in res["OUTPUT"].getFeatures()}
    assert rows["2011"] == pytest.approx(
        esda.Moran(lattice_values(lattice, "y2011"), lattice_w(), permutations=0).I, abs=1e-12
    )


def test_lisa_and_gistar_equal_esda(plugin, lattice):
    import esda
    import processing

    y = lattice_values(lattice, "y2010")
    w = lattice_w()
    res = processing.run(
        "policylink:localmoran",
        {
            "INPUT": lattice,
            "ID_FIELD": "code",
            "FIELD": "y2010",
            "PERMUTATIONS": 499,
            "SEED": 3,
            "OUTPUT": "memory:",
        },
    )
    feats = sorted(res["OUTPUT"].getFeatures(), key=lambda f: f["code"])
    ref = esda.Moran_Local(y, w, permutations=0)  # I and quadrants only
    np.testing.assert_allclose([f["lisa_i"] for f in feats], ref.Is, atol=1e-12)
    quad = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    assert [f["lisa_q"] for f in feats] == [quad[q] for q in ref.q]
    from policylink.spatial.autocorr import local_moran  # p: its own permutations, not esda's

    own = local_moran(y, w, permutations=499, seed=3).table.p_sim
    for f, p, q in zip(feats, own, ref.q, strict=True):
        assert f["lisa_cl"] == (quad[q] if p <= 0.05 else "not significant")
    assert res["COUNTS"].get("HH", 0) > 0 and res["COUNTS"].get("LL", 0) > 0

    res = processing.run(
        "policylink:gistar",
        {
            "INPUT": lattice,
            "ID_FIELD": "code",
            "FIELD": "y2010",
            "PERMUTATIONS": 99,
            "OUTPUT": "memory:",
        },
    )
    feats = sorted(res["OUTPUT"].getFeatures(), key=lambda f: f["code"])
    wb = lattice_w()
    wb.transform = "b"
    g = esda.G_Local(y, wb, transform="R", star=True, permutations=0)
    np.testing.assert_allclose([f["gi_z"] for f in feats], g.Zs, atol=1e-9)
    np.testing.assert_allclose([f["gi_g"] for f in feats], g.Gs, atol=1e-12)


def test_build_weights_writes_gal_equal_to_lattice(plugin, lattice, tmp_path):
    import processing
    from libpysal import io

    out = tmp_path / "w.gal"
    res = processing.run(
        "policylink:buildweights", {"INPUT": lattice, "ID_FIELD": "code", "OUTPUT": str(out)}
    )
    assert res["ISLANDS"] == 0
    w = io.open(str(out)).read()
    ref = lattice_w()
    for i in range(N_SIDE * N_SIDE):
        assert {int(j) for j in w.neighbors[f"{i:06d}"]} == set(ref.neighbors[i])
    # The file feeds back into the algorithms: rook-only file gives a different I than queen.
    res2 = processing.run(
        "policylink:globalmoran",
        {
            "INPUT": lattice,
            "ID_FIELD": "code",
            "VALUE_FIELDS": ["y2010"],
            "WEIGHTS_FILE": str(out),
            "PERMUTATIONS": 0,
            "OUTPUT": "memory:",
        },
    )
    import esda

    (row,) = list(res2["OUTPUT"].getFeatures())
    assert row["I"] == pytest.approx(
        esda.Moran(lattice_values(lattice, "y2010"), ref, permutations=0).I, abs=1e-12
    )


def test_bad_input_names_feature_and_field(plugin, qgis_app):
    import processing
    from qgis.core import (
        QgsFeature,
        QgsGeometry,
        QgsProcessingException,
        QgsRectangle,
        QgsVectorLayer,
    )

    lay = QgsVectorLayer("Polygon?crs=EPSG:3857&field=code:string&field=v:double", "bad", "memory")
    feats = []
    for i in range(4):
        f = QgsFeature(lay.fields())
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(i, 0, i + 1, 1)))
        f.setAttributes([str(i), None if i == 2 else float(i)])
        feats.append(f)
    lay.dataProvider().addFeatures(feats)
    with pytest.raises(QgsProcessingException, match=r"feature 3, field 'v'"):
        processing.run(
            "policylink:localmoran",
            {"INPUT": lay, "ID_FIELD": "code", "FIELD": "v", "OUTPUT": "memory:"},
        )


class FakeIface:
    """The parts of QgisInterface the plugin uses, backed by real Qt widgets."""

    def __init__(self):
        from qgis.gui import QgsMessageBar
        from qgis.PyQt.QtWidgets import QMainWindow

        self.window = QMainWindow()
        self.bar = QgsMessageBar()
        self.menu: list = []
        self.toolbar: list = []
        self.docks: list = []

    def mainWindow(self):  # noqa: N802 - QgisInterface API
        return self.window

    def messageBar(self):  # noqa: N802
        return self.bar

    def addPluginToMenu(self, name, action):  # noqa: N802
        self.menu.append(action)

    def removePluginMenu(self, name, action):  # noqa: N802
        self.menu.remove(action)

    def addToolBarIcon(self, action):  # noqa: N802
        self.toolbar.append(action)

    def removeToolBarIcon(self, action):  # noqa: N802
        self.toolbar.remove(action)

    def addDockWidget(self, area, dock):  # noqa: N802
        self.docks.append(dock)
        self.window.addDockWidget(area, dock)

    def removeDockWidget(self, dock):  # noqa: N802
        self.docks.remove(dock)
        self.window.removeDockWidget(dock)


def test_plugin_gui_menu_dock_and_unload(plugin):
    from qgis.core import QgsApplication

    from qgis_plugin import classFactory

    # Another loaded copy (the module fixture) keeps its provider; this one must not crash.
    assert QgsApplication.processingRegistry().providerById("policylink") is not None

    iface = FakeIface()
    p = classFactory(iface)
    p.initGui()
    # Menu: the dock and "Install missing Python packages"; toolbar: the dock.
    assert len(iface.menu) == 2 and len(iface.toolbar) == 1
    iface.menu[0].trigger()  # the "Policy diffusion" action opens the dock
    assert len(iface.docks) == 1 and iface.docks[0].windowTitle() == "Policy diffusion"
    p.unload()
    assert iface.menu == [] and iface.toolbar == [] and iface.docks == []


def test_missing_package_shows_message_bar_with_command(qgis_app, monkeypatch):
    from qgis_plugin.core.deps import Requirement
    from qgis_plugin.plugin import PolicyLinkPlugin

    missing = [Requirement("esda", "esda>=2.5", "esda_not_here")]
    monkeypatch.setattr("qgis_plugin.plugin.missing_requirements", lambda *a, **k: missing)
    iface = FakeIface()
    p = PolicyLinkPlugin(iface)
    p.initGui()
    items = iface.bar.items()
    assert len(items) == 1
    text = items[0].text()
    assert "esda" in text and "-m pip install" in text and '"esda>=2.5"' in text
    iface.menu[0].trigger()  # the dock is not opened without the packages
    assert iface.docks == []
    p.unload()
