"""Build the installable QGIS plugin zip: ``dist/policylink_qgis-<version>.zip``.

The zip holds one folder, ``policylink_qgis/`` (the QGIS plugin directory): the plugin from
``qgis_plugin/`` (without its tests and caches), the compiled translations, and under
``policylink_qgis/_vendor/`` the first-party Python code the plugin calls: the whole ``spatial``
package plus every ``policylink``/``etl`` module that ``spatial`` imports (found by reading the
imports, so the zip follows the code). The plugin puts ``_vendor`` on ``sys.path`` when QGIS
loads it; third-party packages come from QGIS's Python (``requirements.txt``).

Usage: ``python scripts/build_plugin.py [--out DIR]`` (``make plugin`` builds the
translations first).
"""

from __future__ import annotations

import argparse
import ast
import configparser
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "qgis_plugin"
FOLDER = "policylink_qgis"
FIRST_PARTY = ("spatial", "policylink", "etl")
SKIP_DIRS = {"__pycache__", "test", "tests", ".pytest_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".ts"}


def module_file(name: str) -> Path | None:
    """Source file of a first-party module name (``a.b`` -> ``a/b.py`` or ``a/b/__init__.py``)."""
    base = ROOT.joinpath(*name.split("."))
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.is_file():
            return cand
    return None


def imported_modules(path: Path) -> set[str]:
    """First-party modules imported by a Python file (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.split(".")[0] in FIRST_PARTY and module_file(name) is not None:
                out.add(name)
    return out


def vendored_files() -> list[Path]:
    """Every first-party file the plugin needs at run time: ``spatial`` and its imports' closure.

    Package ``__init__.py`` files of every parent package are included so imports work.
    """
    todo = [p for p in (ROOT / "spatial").rglob("*.py") if not SKIP_DIRS & set(p.parts)]
    for p in PLUGIN.rglob("*.py"):
        if not SKIP_DIRS & set(p.relative_to(PLUGIN).parts):
            todo.append(p)
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported_modules(path):
            parts = name.split(".")
            for i in range(1, len(parts) + 1):
                f = module_file(".".join(parts[:i]))
                if f is not None and f not in seen:
                    todo.append(f)
    return sorted(p for p in seen if PLUGIN not in p.parents)


def plugin_files() -> list[Path]:
    """Files of the plugin folder itself that belong in the zip."""
    out = []
    for p in sorted(PLUGIN.rglob("*")):
        rel = p.relative_to(PLUGIN)
        if p.is_dir() or SKIP_DIRS & set(rel.parts) or p.suffix in SKIP_SUFFIXES:
            continue
        out.append(p)
    return out


def version() -> str:
    """Plugin version from ``metadata.txt``."""
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(PLUGIN / "metadata.txt", encoding="utf-8")
    return cfg["general"]["version"]


def build(out_dir: Path) -> Path:
    """Write the zip and return its path.

    Parameters
    ----------
    out_dir : Path
        Target directory (created).

    Returns
    -------
    Path
    """
    if not list((PLUGIN / "i18n").glob("*.qm")):
        print(
            "warning: no compiled translations (.qm); run `make translations` first",
            file=sys.stderr,
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{FOLDER}-{version()}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in plugin_files():
            zf.write(p, f"{FOLDER}/{p.relative_to(PLUGIN).as_posix()}")
        for p in vendored_files():
            zf.write(p, f"{FOLDER}/_vendor/{p.relative_to(ROOT).as_posix()}")
    return target


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the zip path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "dist", help="output directory (default dist/)"
    )
    args = parser.parse_args(argv)
    path = build(args.out)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
