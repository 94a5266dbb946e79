"""Check at load time that QGIS's Python can import what the plugin needs.

The packages are listed in ``requirements.txt`` (QPIP convention). A missing package must give the user
a clear message with the exact command that installs it, never a traceback.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parents[1]
REQUIREMENTS = PLUGIN_DIR / "requirements.txt"

# pip distribution name -> importable module name, where they differ.
IMPORT_NAMES = {"scikit-learn": "sklearn", "pyyaml": "yaml"}


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


def missing_requirements(path: Path = REQUIREMENTS) -> list[Requirement]:
    """Return the requirements whose module cannot be found by this Python.

    Parameters
    ----------
    path : Path
        Requirements file.

    Returns
    -------
    list of Requirement
        Empty when everything is importable.
    """
    missing = []
    for req in read_requirements(path):
        try:
            found = importlib.util.find_spec(req.module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(req)
    return missing


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


def _externally_managed() -> bool:
    """True when this Python is marked externally managed (PEP 668, e.g. Debian 12's python3)."""
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
        externally_managed = _externally_managed()
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
