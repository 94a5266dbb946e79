"""Where PolicyLink finds its SQL and bundled data, and where it writes.

A leaf module: it imports nothing of PolicyLink but the two package-data packages. The SQL files
and the bundled data are package data (``policylink.sql``, ``policylink.data``), found through
:mod:`importlib.resources`, so the same code works in a checkout, in an installed wheel and in the
QGIS plugin zip.
"""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

#: The installed ``policylink`` package folder.
PACKAGE_DIR: Path = Path(__file__).resolve().parent
SQL_DIR: Path = Path(str(resources.files("policylink.sql")))
MIGRATIONS_DIR: Path = SQL_DIR / "migrations"
VIEWS_DIR: Path = SQL_DIR / "views"
DATA_DIR: Path = Path(str(resources.files("policylink.data")))


def _checkout_root() -> Path | None:
    """Return the source checkout this package runs from, or None when it is installed."""
    root = PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "sql" / "migrations").is_dir():
        return root
    return None


#: The source checkout (folder of ``pyproject.toml``), or None for an installed package.
CHECKOUT: Path | None = _checkout_root()
#: Where the package runs from: the checkout, else the installed package folder. It keys the
#: embedded database, so two checkouts (or a checkout and an install) never share one.
ROOT: Path = CHECKOUT if CHECKOUT is not None else PACKAGE_DIR


def default_out_dir() -> Path:
    """Return the directory where analyses write maps, tables and reports.

    Returns
    -------
    pathlib.Path
        ``$POLICYLINK_OUT`` if set, else ``<checkout>/out`` in a source checkout, else ``./out``
        in the current directory.
    """
    env = os.environ.get("POLICYLINK_OUT")
    if env:
        return Path(env)
    return (CHECKOUT if CHECKOUT is not None else Path.cwd()) / "out"


def embedded_home() -> Path:
    """Return the directory that holds the embedded PostgreSQL cluster of this checkout.

    ``$POLICYLINK_HOME`` wins when set. Otherwise, as root the cluster lives under
    ``/var/lib/policylink`` (the ``postgres`` user must be able to reach it, and root's home
    usually is not reachable); as any other user under ``$XDG_DATA_HOME/policylink``.
    One cluster per checkout (or per installation), keyed by a hash of its path, so two clones
    with different migrations never share a database.

    Returns
    -------
    pathlib.Path
        The cluster home (it may not exist yet).
    """
    env = os.environ.get("POLICYLINK_HOME")
    if env:
        return Path(env)
    key = f"{ROOT.name}-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]}"
    if os.geteuid() == 0:
        return Path("/var/lib/policylink") / key
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "policylink" / key
