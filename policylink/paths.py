"""Locations inside the repository and the user's data directories."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: Repository root (the folder holding ``sql/``, ``data/`` and ``pyproject.toml``).
ROOT: Path = Path(__file__).resolve().parents[1]
SQL_DIR: Path = ROOT / "sql"
MIGRATIONS_DIR: Path = SQL_DIR / "migrations"
VIEWS_DIR: Path = SQL_DIR / "views"
DATA_DIR: Path = ROOT / "data"


def default_out_dir() -> Path:
    """Return the directory where analyses write maps, tables and reports.

    Returns
    -------
    pathlib.Path
        ``$POLICYLINK_OUT`` if set, else ``<repo>/out``.
    """
    return Path(os.environ.get("POLICYLINK_OUT", ROOT / "out"))


def embedded_home() -> Path:
    """Return the directory that holds the embedded PostgreSQL cluster of this checkout.

    ``$POLICYLINK_HOME`` wins when set. Otherwise, as root the cluster lives under
    ``/var/lib/policylink`` (the ``postgres`` user must be able to reach it, and root's home
    usually is not reachable); as any other user under ``$XDG_DATA_HOME/policylink``.
    One cluster per checkout, keyed by a hash of the checkout path, so two clones with
    different migrations never share a database.

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
