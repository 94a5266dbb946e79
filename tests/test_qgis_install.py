"""Algorithms by installed packages, and the in-plugin installer of missing packages.

References: the algorithm list of a QGIS process in which the model, DID and database packages
cannot be imported (a real import blocker, not a mock) must still hold the ESDA algorithms, and
their Moran's I must equal esda's on libpysal's ``lat2W`` lattice weights; pip really installs a
tiny wheel built here into a throwaway user site (``PYTHONUSERBASE``), with no network
(``--no-index``), and the package is then importable by that Python.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[1]
BLOCKED = ("pyfixest", "psycopg", "spreg", "matplotlib", "statsmodels")


def test_qgis_python_found_as_qgis_does_on_each_platform(tmp_path):
    from qgis_plugin.core.installer import qgis_python

    def touch(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
        return path

    # Windows, OSGeo4W: sys.executable is qgis-bin.exe, Python lives in apps/Python312.
    win_prefix = tmp_path / "OSGeo4W" / "apps" / "Python312"
    win_py = touch(win_prefix / "python.exe")
    qgis_bin = touch(tmp_path / "OSGeo4W" / "bin" / "qgis-bin.exe")
    assert qgis_python(str(qgis_bin), str(win_prefix), "win32", (3, 12)) == str(win_py)
    # macOS bundle: QGIS.app/Contents/MacOS/QGIS with bin/python3 beside it.
    mac_exe = touch(tmp_path / "QGIS.app" / "Contents" / "MacOS" / "QGIS")
    mac_py = touch(mac_exe.parent / "bin" / "python3")
    prefix = tmp_path / "QGIS.app" / "Contents" / "Frameworks"
    assert qgis_python(str(mac_exe), str(prefix), "darwin", (3, 9)) == str(mac_py)
    # Linux distribution package: /usr/bin/qgis, prefix /usr -> /usr/bin/python3.X.
    usr = tmp_path / "usr"
    lin_py = touch(usr / "bin" / "python3.11")
    lin_qgis = touch(usr / "bin" / "qgis")
    assert qgis_python(str(lin_qgis), str(usr), "linux", (3, 11)) == str(lin_py)
    # A Python interpreter (PyQGIS scripts, this test run) is its own answer.
    assert qgis_python(sys.executable, sys.prefix, sys.platform) == sys.executable
    with pytest.raises(FileNotFoundError, match="python"):
        qgis_python(str(lin_qgis), str(tmp_path / "nowhere"), "linux", (3, 11))


def test_pip_arguments_user_site_and_pep668():
    from qgis_plugin.core.installer import pip_arguments

    args = pip_arguments(["esda>=2.5"], "/usr/bin/python3", user=True, break_system_packages=True)
    assert args == [
        "/usr/bin/python3",
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--user",
        "--break-system-packages",
        "esda>=2.5",
    ]
    venv = pip_arguments(["a", "b<2"], "py", user=False, break_system_packages=False)
    assert venv == ["py", "-m", "pip", "install", "--disable-pip-version-check", "--no-input"] + [
        "a",
        "b<2",
    ]
    offline = pip_arguments(["x"], "py", user=True, break_system_packages=False, find_links="w")
    assert offline[-4:] == ["--user", "--find-links", "w", "x"]


def test_provider_keeps_the_algorithms_whose_packages_are_present(qgis_app):
    from qgis_plugin.processing_provider.provider import PolicyLinkProvider

    provider = PolicyLinkProvider(present=lambda module: module not in BLOCKED)
    provider.refreshAlgorithms()
    ids = {a.name() for a in provider.algorithms()}
    assert {"globalmoran", "localmoran", "gistar", "buildweights", "exportlayout"} <= ids
    # The policy maps also run on layers, so they stay (the database path names psycopg).
    assert {"pilotbatches", "adoptionperiod", "coordinationlinks", "weightsreport"} <= ids
    assert not ids & {"didsuite", "loadpanel", "dbweights", "netinfties"}
    assert [r.name for r in provider.unavailable["didsuite"]] == ["pyfixest", "matplotlib"]
    assert [r.name for r in provider.unavailable["loadpanel"]] == ["psycopg"]
    assert "matplotlib" in {r.name for r in provider.unavailable["spatialpanel"]}
    # Every algorithm says in its help what it needs.
    full = PolicyLinkProvider()
    full.refreshAlgorithms()
    did = next(a for a in full.algorithms() if a.name() == "didsuite")
    assert "pyfixest" in did.shortHelpString()


BLOCKED_RUN = r"""
import importlib.abc, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
blocked = set(sys.argv[2].split(","))

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None

sys.meta_path.insert(0, Block())
sys.path.insert(0, sys.argv[1])
sys.path.append("/usr/share/qgis/python/plugins")
from qgis.core import QgsApplication
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
from processing.core.Processing import Processing
Processing.initialize()
from qgis_plugin.plugin import PolicyLinkPlugin
plugin = PolicyLinkPlugin(None)
plugin.initGui()
ids = sorted(a.name() for a in QgsApplication.processingRegistry().providerById("policylink").algorithms())
print(" ".join(ids))
from qgis.core import QgsVectorLayer, QgsFeature, QgsGeometry, QgsRectangle
import processing
lay = QgsVectorLayer("Polygon?crs=EPSG:3857&field=code:string&field=v:double", "t", "memory")
fs = []
for i in range(9):
    f = QgsFeature(lay.fields())
    f.setGeometry(QgsGeometry.fromRect(QgsRectangle(1e3 * (i % 3), 1e3 * (i // 3), 1e3 * (i % 3 + 1), 1e3 * (i // 3 + 1))))
    f.setAttributes([str(i), float(i % 3 + i // 3)])
    fs.append(f)
lay.dataProvider().addFeatures(fs)
res = processing.run("policylink:globalmoran", {"INPUT": lay, "ID_FIELD": "code", "VALUE_FIELDS": ["v"], "PERMUTATIONS": 0, "OUTPUT": "memory:"})
print("I=%.12f" % next(res["OUTPUT"].getFeatures())["I"])
assert not set(sys.modules) & blocked, set(sys.modules) & blocked
plugin.unload()
import gc
gc.freeze()  # checked: skip the interpreter's shutdown walk over QGIS and the scientific stack
"""


def test_esda_runs_without_model_did_and_database_packages(qgis_app, tmp_path):
    import esda
    from libpysal.weights import lat2W

    proc = subprocess.run(
        [sys.executable, "-c", BLOCKED_RUN, str(ROOT), ",".join(BLOCKED)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    ids = set(lines[-2].split())
    assert {"globalmoran", "localmoran", "gistar", "buildweights"} <= ids
    assert "didsuite" not in ids and "loadpanel" not in ids
    y = [float(i % 3 + i // 3) for i in range(9)]
    ref = esda.Moran(y, lat2W(3, 3, rook=False), permutations=0).I
    assert float(lines[-1].split("=")[1]) == pytest.approx(ref, abs=1e-10)


def tiny_wheel(folder: Path, name: str = "policylink_pip_probe", version: str = "0.1") -> Path:
    """Write a minimal pure-Python wheel (PEP 427) by hand; no build tool, no network."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f'VERSION = "{version}"\n',
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{p},,\n" for p in files) + f"{dist}/RECORD,,\n"
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for p, text in files.items():
            zf.writestr(p, text)
        zf.writestr(f"{dist}/RECORD", record)
    return path


def wait_for(predicate, timeout: float = 120.0) -> None:
    from qgis.PyQt.QtCore import QCoreApplication

    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        QCoreApplication.processEvents()
        time.sleep(0.05)


def test_install_action_runs_pip_for_qgis_python_into_user_site(qgis_app, tmp_path):
    from test_qgis_plugin import FakeIface

    from qgis_plugin.core.deps import Requirement
    from qgis_plugin.core.installer import qgis_python
    from qgis_plugin.plugin import PolicyLinkPlugin

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    tiny_wheel(wheels)
    # The interpreter of Debian's QGIS (/usr/bin/qgis, prefix /usr), as the plugin finds it there.
    python = qgis_python("/usr/bin/qgis", "/usr", "linux", sys.version_info[:2])
    env = dict(os.environ, PYTHONUSERBASE=str(tmp_path / "userbase"), PIP_NO_CACHE_DIR="1")
    env.pop("VIRTUAL_ENV", None)
    iface = FakeIface()
    plugin = PolicyLinkPlugin(iface)
    plugin.initGui()
    install = [a for a in iface.menu if a.text() == "Install missing Python packages"]
    assert len(install) == 1
    outcome: list = []
    progress: list[float] = []
    task = plugin.install_missing(
        requirements=[Requirement("policylink-pip-probe", "policylink_pip_probe==0.1", "x")],
        python=python,
        env=env,
        pip_options={"find_links": str(wheels), "no_index": True, "user": True},
        on_done=lambda ok, out: outcome.append((ok, out)),
    )
    assert task.args[:4] == [python, "-m", "pip", "install"] and "--user" in task.args
    task.progressChanged.connect(progress.append)
    wait_for(lambda: outcome)
    ok, out = outcome[0]
    assert ok, out
    assert progress and progress[-1] == 100.0
    texts = [item.text() for item in iface.bar.items()]
    assert any("Installed policylink-pip-probe" in t and "Restart QGIS" in t for t in texts)
    # pip wrote into the throwaway user site, and that Python imports the package from there.
    check = subprocess.run(
        [python, "-c", "import policylink_pip_probe as m; print(m.__file__, m.VERSION)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith(str(tmp_path / "userbase")) and check.stdout.split()[-1] == "0.1"

    # A failure (no such package offline) ends in one clear message, not a traceback.
    outcome.clear()
    plugin.install_missing(
        requirements=[Requirement("no-such-pkg-xyz", "no-such-pkg-xyz", "x")],
        python=python,
        env=env,
        pip_options={"find_links": str(wheels), "no_index": True, "user": True},
        on_done=lambda ok, out: outcome.append((ok, out)),
    )
    wait_for(lambda: outcome)
    assert outcome[0][0] is False
    texts = [item.text() for item in iface.bar.items()]
    assert any("Installing no-such-pkg-xyz failed" in t for t in texts)
    plugin.unload()


def test_dock_names_the_missing_package_of_a_button(qgis_app):
    from test_qgis_plugin import FakeIface

    from qgis_plugin.gui.dock import PolicyDiffusionDock

    dock = PolicyDiffusionDock(FakeIface())
    # What a DID button raises in a QGIS without pyfixest (the real exception type and name).
    try:
        __import__("pyfixest_not_installed_here")
    except ModuleNotFoundError as exc:
        exc.name = "pyfixest"
        dock._show_error(exc)
    text = dock.status.text()
    assert "pyfixest" in text and "-m pip install" in text and '"pyfixest>=0.30"' in text


def test_dock_offers_the_installer_only_when_packages_are_missing(qgis_app, monkeypatch):
    from test_qgis_plugin import FakeIface

    from qgis_plugin.core.deps import Requirement
    from qgis_plugin.plugin import PolicyLinkPlugin

    iface = FakeIface()
    plugin = PolicyLinkPlugin(iface)
    plugin.initGui()
    plugin.toggle_dock(True)
    assert plugin.dock.install_button.isHidden()  # everything is installed here
    plugin.unload()
    # With pyfixest missing the dock still opens (Moran, LISA) and offers the installer.
    lacking = [Requirement("pyfixest", "pyfixest>=0.30", "pyfixest")]
    monkeypatch.setattr(
        "qgis_plugin.plugin.missing_requirements",
        lambda path=None, names=None, **k: [r for r in lacking if names is None or r.name in names],
    )
    iface = FakeIface()
    plugin = PolicyLinkPlugin(iface)
    plugin.initGui()
    plugin.toggle_dock(True)
    assert plugin.dock is not None and not plugin.dock.install_button.isHidden()
    plugin.unload()
