"""Import contracts of ``.importlinter`` and a module-level cycle check, on the built wheel.

grimp (under import-linter) finds a package through the import system and walks its folder. In
the checkout, ``policylink.etl`` and ``policylink.spatial`` live in ``etl/`` and ``spatial/``
and reach the namespace only through the editable finder, which grimp does not follow. So the
checks run in a subprocess whose ``PYTHONPATH`` holds the session's wheel unpacked (a wheel is a
zip of the installed layout) and a copy of ``qgis_plugin``.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from wheel_fixture import REPO_ROOT, session_wheel

CONFIG: Path = REPO_ROOT / ".importlinter"
CONTRACT_PREFIX = "importlinter:contract:"
#: Contracts the configuration must declare (more may be added).
REQUIRED_CONTRACTS = {"layers", "numerics", "headless", "acyclic"}


def _contract_ids() -> list[str]:
    """Ids of the contracts declared in ``.importlinter``."""
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    return [
        s.removeprefix(CONTRACT_PREFIX) for s in parser.sections() if s.startswith(CONTRACT_PREFIX)
    ]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PolicyLink wheel of this session."""
    return session_wheel(tmp_path_factory)


@dataclass(frozen=True)
class ImportRoot:
    """Where the checks run: the unpacked wheel, its subprocess environment and a neutral cwd."""

    site: Path
    env: dict[str, str]
    cwd: Path


@pytest.fixture(scope="module")
def import_root(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> ImportRoot:
    """The unpacked wheel plus a copy of ``qgis_plugin``, as a subprocess environment."""
    if importlib.util.find_spec("importlinter") is None:
        pytest.fail("import-linter is not installed: pip install -e '.[dev]'")
    tmp = tmp_path_factory.mktemp("imports")
    site = tmp / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    plugin = tmp / "plugin"
    shutil.copytree(
        REPO_ROOT / "qgis_plugin",
        plugin / "qgis_plugin",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    cwd = tmp / "cwd"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(plugin)])
    return ImportRoot(site=site.resolve(), env=env, cwd=cwd)


def _python(code: str, args: list[str], root: ImportRoot) -> subprocess.CompletedProcess[str]:
    """Run ``python -c code *args`` with the unpacked wheel on the path, outside the checkout."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=root.cwd,
        env=root.env,
        capture_output=True,
        text=True,
        check=False,
    )


_GRAPH = """
import importlib.util, json, grimp
graph = grimp.build_graph("policylink", cache_dir=None)
edges = [
    [m, i, sorted({d["line_number"] for d in graph.get_import_details(importer=m, imported=i)})]
    for m in sorted(graph.modules)
    for i in sorted(graph.find_modules_directly_imported_by(m))
]
print(json.dumps({
    "origin": importlib.util.find_spec("policylink").origin,
    "modules": sorted(graph.modules),
    "edges": edges,
}))
"""


@pytest.fixture(scope="module")
def graph(import_root: ImportRoot) -> dict[str, Any]:
    """grimp's import graph of ``policylink`` (internal modules only), as JSON data."""
    proc = _python(_GRAPH, [], import_root)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_graph_is_built_from_the_wheel(graph: dict[str, Any], import_root: ImportRoot) -> None:
    """The checks see the installed layout, mapped sub-packages included, not the checkout."""
    origin = Path(graph["origin"]).resolve()
    assert origin.is_relative_to(import_root.site), f"policylink imported from {origin}"
    modules = set(graph["modules"])
    assert {"policylink.etl.migrate", "policylink.spatial.autocorr", "policylink.cli"} <= modules


def test_config_declares_the_contracts() -> None:
    """``.importlinter`` declares the layer, numerics, headless and acyclic contracts."""
    assert REQUIRED_CONTRACTS <= set(_contract_ids())


@pytest.mark.parametrize("contract", _contract_ids())
def test_import_contract(contract: str, import_root: ImportRoot) -> None:
    """Each contract of ``.importlinter`` is kept (import-linter lists the offending imports)."""
    proc = _python(
        "from importlinter.cli import lint_imports_command; lint_imports_command()",
        ["--no-cache", "--no-logo", "--contract", contract, str(CONFIG)],
        import_root,
    )
    assert proc.returncode == 0, f"contract {contract!r} broken:\n{proc.stdout}\n{proc.stderr}"


def test_no_module_level_import_cycles(graph: dict[str, Any]) -> None:
    """No cycle between modules, parent packages included (which the sibling check skips).

    Each strongly connected component of the module import graph is reported with the
    imports inside it (importer -> imported, line numbers of the importer).
    """
    g = nx.DiGraph()
    lines: dict[tuple[str, str], list[int]] = {}
    for importer, imported, at in graph["edges"]:
        g.add_edge(importer, imported)
        lines[(importer, imported)] = at
    report = []
    for component in sorted(map(sorted, nx.strongly_connected_components(g))):
        if len(component) < 2:
            continue
        inner = sorted((a, b) for a, b in g.subgraph(component).edges)
        report.append(
            "cycle among "
            + ", ".join(component)
            + ":\n"
            + "\n".join(
                f"    {a} -> {b} (line {', '.join(map(str, lines[(a, b)]))})" for a, b in inner
            )
        )
    assert not report, "import cycles:\n" + "\n".join(report)
