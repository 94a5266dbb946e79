"""Build the installable QGIS plugin zip: ``dist/policylink_qgis-<version>.zip``.

The zip holds one folder, ``policylink_qgis/`` (the QGIS plugin directory): the plugin from
``qgis_plugin/`` (without its tests and caches), the compiled translations, and under
``policylink_qgis/_vendor/policylink/`` the first-party code the plugin calls, under the same
``policylink.*`` namespace as the wheel: the whole ``policylink.spatial`` package plus every
module that it and the plugin import (found by reading the imports, so the zip follows the code),
and the package data (``policylink.sql``, ``policylink.data``). The folder mapping is read from
``pyproject.toml`` (``[tool.setuptools.package-dir]``), the one place that defines it. The plugin
puts ``_vendor`` on ``sys.path`` when QGIS loads it, which adds the single name ``policylink``;
third-party packages come from QGIS's Python (``requirements.txt``).

Usage: ``python scripts/build_plugin.py [--out DIR]`` (``make plugin`` builds the
translations first).
"""

from __future__ import annotations

import argparse
import ast
import configparser
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "qgis_plugin"
FOLDER = "policylink_qgis"
NAMESPACE = "policylink"
SKIP_DIRS = {"__pycache__", "test", "tests", ".pytest_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".ts"}


def _setuptools_config() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["setuptools"]


def package_dirs() -> dict[str, Path]:
    """Package name -> source folder, as ``pyproject.toml`` maps them (longest names first)."""
    mapping = {k: ROOT / v for k, v in _setuptools_config()["package-dir"].items()}
    return dict(sorted(mapping.items(), key=lambda kv: -len(kv[0])))


def module_file(name: str) -> Path | None:
    """Source file of a first-party module name (``policylink.spatial.autocorr`` -> ``spatial/autocorr.py``)."""
    for pkg, folder in package_dirs().items():
        if name == pkg or name.startswith(pkg + "."):
            rest = name[len(pkg) :].lstrip(".")
            base = folder.joinpath(*rest.split(".")) if rest else folder
            for cand in (base.with_suffix(".py"), base / "__init__.py"):
                if cand.is_file():
                    return cand
            return None
    return None


def archive_name(path: Path) -> str:
    """Path of a source file inside the namespace (``spatial/autocorr.py`` -> ``policylink/spatial/autocorr.py``)."""
    path = path.resolve()
    for pkg, folder in package_dirs().items():
        if folder.resolve() in path.parents:
            rel = path.relative_to(folder.resolve()).as_posix()
            return "/".join(pkg.split(".")) + "/" + rel
    raise ValueError(f"{path} is not inside a mapped package folder")


def package_data_files() -> list[Path]:
    """The package-data files (SQL, bundled data, templates) that ``pyproject.toml`` lists."""
    dirs = package_dirs()
    out: list[Path] = []
    for pkg, patterns in _setuptools_config().get("package-data", {}).items():
        folder = dirs.get(pkg)
        if folder is None:  # a sub-package of a mapped one
            parent = next(p for p in dirs if pkg.startswith(p + "."))
            folder = dirs[parent].joinpath(*pkg[len(parent) + 1 :].split("."))
        for pattern in patterns:
            out.extend(p for p in folder.glob(pattern) if p.is_file())
        init = folder / "__init__.py"
        if init.is_file():
            out.append(init)
    return sorted(set(out))


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
            if name.split(".")[0] == NAMESPACE and module_file(name) is not None:
                out.add(name)
    return out


def vendored_files() -> list[Path]:
    """Every first-party file the plugin needs at run time: ``policylink.spatial``, its imports'
    closure and the package data.

    Package ``__init__.py`` files of every parent package are included so imports work.
    """
    spatial = package_dirs()["policylink.spatial"]
    todo = [p for p in spatial.rglob("*.py") if not SKIP_DIRS & set(p.parts)]
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
    seen.update(package_data_files())
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
            zf.write(p, f"{FOLDER}/_vendor/{archive_name(p)}")
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
