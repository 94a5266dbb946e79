"""Check at load time that QGIS's Python can import what the plugin needs.

The packages are listed in ``requirements.txt`` (QPIP convention). A missing package must give the user
a clear message with the exact command that installs it, never a traceback.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parents[1]
REQUIREMENTS = PLUGIN_DIR / "requirements.txt"

# pip distribution name -> importable module name, where they differ.
IMPORT_NAMES = {"scikit-learn": "sklearn", "pyyaml": "yaml"}

#: What the plugin itself needs to load (the provider, the dock, the layer readers).
CORE = ("numpy", "pandas", "scipy")
#: What each family of algorithms needs beyond :data:`CORE` (pip names of ``requirements.txt``).
#: libpysal brings shapely and geopandas with it; they are listed because the layer readers import
#: them. An algorithm declares its family in its ``_requires`` class attribute.
NEEDS: dict[str, tuple[str, ...]] = {
    "esda": ("libpysal", "esda", "shapely", "geopandas"),
    "weights": ("libpysal", "shapely", "geopandas"),
    "models": ("libpysal", "shapely", "geopandas", "matplotlib"),
    "did": ("pyfixest", "shapely", "geopandas", "matplotlib"),
    "maps": ("libpysal", "shapely", "geopandas"),
    "database": ("psycopg", "shapely", "geopandas"),
    "diffusion": ("psycopg", "libpysal", "shapely", "geopandas", "matplotlib"),
    "layout": (),
}


@dataclass(frozen=True)
class Requirement:
    """One line of ``requirements.txt``.

    Attributes
    ----------
    name : str
        pip distribution name.
    spec : str
        The whole requirement line, e.g. ``"numpy>=1.24,<2"``.
    module : str
        Module to import to check that it is present.
    """

    name: str
    spec: str
    module: str


def read_requirements(path: Path = REQUIREMENTS) -> list[Requirement]:
    """Parse a pip requirements file (names, versions and comments only).

    Parameters
    ----------
    path : Path
        The file; defaults to the plugin's ``requirements.txt``.

    Returns
    -------
    list of Requirement
    """
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name = re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].strip()
        module = IMPORT_NAMES.get(name.lower(), name.replace("-", "_"))
        out.append(Requirement(name=name, spec=line, module=module))
    return out


def importable(module: str) -> bool:
    """True when this Python can find ``module`` (without importing it).

    Parameters
    ----------
    module : str
        A top-level module name.

    Returns
    -------
    bool
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_requirements(
    path: Path = REQUIREMENTS,
    names: tuple[str, ...] | None = None,
    *,
    present: Callable[[str], bool] = importable,
) -> list[Requirement]:
    """Return the requirements whose module cannot be found by this Python.

    Parameters
    ----------
    path : Path
        Requirements file.
    names : tuple of str, optional
        Only these pip names (default: every line of the file).
    present : callable
        ``present(module) -> bool``; default :func:`importable`.

    Returns
    -------
    list of Requirement
        Empty when everything is importable.
    """
    reqs = read_requirements(path)
    if names is not None:
        wanted = {n.lower() for n in names}
        reqs = [r for r in reqs if r.name.lower() in wanted]
    return [r for r in reqs if not present(r.module)]


def requirements_of(families: tuple[str, ...]) -> tuple[str, ...]:
    """Pip names an algorithm of the given families needs, :data:`CORE` included.

    Parameters
    ----------
    families : tuple of str
        Keys of :data:`NEEDS`.

    Returns
    -------
    tuple of str
        Without duplicates, in first-seen order.
    """
    names: list[str] = list(CORE)
    for family in families:
        names.extend(NEEDS[family])
    return tuple(dict.fromkeys(names))


def python_command() -> str:
    """Return the command that runs QGIS's own Python interpreter on this platform.

    Returns
    -------
    str
        ``python3`` on Linux and macOS builds that use the system Python, the bundled interpreter
        path otherwise; on Windows the OSGeo4W shell's ``python``.
    """
    exe = Path(sys.executable)
    if sys.platform.startswith("win"):
        return "python"
    if exe.name.startswith("python"):
        return f'"{exe}"' if " " in str(exe) else str(exe)
    return "python3"


def externally_managed_python() -> bool:
    """True when this Python is marked externally managed (PEP 668, e.g. Debian 12's python3).

    Returns
    -------
    bool
    """
    return Path(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED").is_file()


def install_command(
    missing: list[Requirement],
    *,
    in_venv: bool | None = None,
    externally_managed: bool | None = None,
) -> str:
    """Return the exact shell command that installs the missing packages for QGIS's Python.

    Parameters
    ----------
    missing : list of Requirement
        What is missing (from :func:`missing_requirements`), with version constraints.
    in_venv : bool, optional
        Whether QGIS runs in a virtual environment (default: detected); then no ``--user``.
    externally_managed : bool, optional
        Whether the interpreter is PEP 668 "externally managed" (default: detected). Debian 12
        and Ubuntu 23.04+ refuse ``pip install --user`` into the system Python unless
        ``--break-system-packages`` is given; user-site packages do not touch the system ones.

    Returns
    -------
    str
    """
    if in_venv is None:
        in_venv = sys.prefix != sys.base_prefix
    if externally_managed is None:
        externally_managed = externally_managed_python()
    specs = " ".join(f'"{r.spec}"' for r in missing)
    flags = ""
    if not in_venv and not sys.platform.startswith("win"):
        flags = " --user"
        if externally_managed:
            flags += " --break-system-packages"
    return f"{python_command()} -m pip install{flags} {specs}"


def missing_message(missing: list[Requirement]) -> str:
    """Build the message shown to the user when packages are missing.

    Parameters
    ----------
    missing : list of Requirement

    Returns
    -------
    str
        Plain text naming the packages and the install command (untranslated; the caller
        translates the fixed sentences).
    """
    names = ", ".join(r.name for r in missing)
    return (
        f"PolicyLink needs Python packages that QGIS's Python cannot import: {names}.\n"
        f"Install them with:\n    {install_command(missing)}\n"
        "then restart QGIS. (The QPIP plugin can also install them from the plugin's "
        "requirements.txt.)"
    )
