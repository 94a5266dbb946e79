"""Database connection: ``DATABASE_URL`` when set, otherwise the embedded cluster."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from policylink.etl.embedded import EmbeddedCluster
from policylink.paths import embedded_home

if TYPE_CHECKING:
    import psycopg


def embedded_cluster() -> EmbeddedCluster:
    """Return the embedded cluster object of this checkout (it may not be running)."""
    return EmbeddedCluster(embedded_home())


def database_url(start: bool = True) -> str:
    """Return the URL of the database to use.

    Parameters
    ----------
    start : bool
        Start the embedded cluster if ``DATABASE_URL`` is not set and it is not running.

    Returns
    -------
    str
        A libpq connection URL.
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    cluster = embedded_cluster()
    if start and not cluster.running():
        cluster.start()
    return cluster.url()


#: Server options of every PolicyLink session. JIT off: PostGIS declares its functions costly
#: (ST_DWithin, ST_SimplifyPreserveTopology, ...), so a query over a few hundred units crosses
#: ``jit_above_cost`` and PostgreSQL spends 0.5-1.5 s compiling code for a query that runs in
#: milliseconds (``w_knn`` of the Jing-Jin-Ji prefectures: 0.78 s with JIT, 0.03 s without).
SESSION_OPTIONS = "-c jit=off"


def session_conninfo(url: str) -> str:
    """Return ``url`` with :data:`SESSION_OPTIONS` added to the options it already has.

    Parameters
    ----------
    url : str
        A libpq URL or key/value connection string.

    Returns
    -------
    str
        A key/value connection string for ``psycopg.connect``.
    """
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    own = conninfo_to_dict(url).get("options") or ""
    return make_conninfo(url, options=f"{own} {SESSION_OPTIONS}".strip())


def redact(url: str) -> str:
    """Hide the password of a connection URL so that it can be printed or logged.

    Parameters
    ----------
    url : str
        A libpq URL or key/value connection string.

    Returns
    -------
    str
        The same URL with any password replaced by ``***``.
    """
    url = re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
    return re.sub(r"(password=)[^\s&]+", r"\1***", url)


@contextmanager
def connect(
    url: str | None = None, autocommit: bool = False, *, schema: bool = True
) -> Iterator[psycopg.Connection]:
    """Open a psycopg connection (committed on success, rolled back on error).

    This is the one place where a command gets its connection, and so the one place where
    "a command that needs the schema creates it first" holds: with ``schema=True`` pending
    migrations are applied before the connection is handed over (a never-initialised database
    gets the whole schema and its views; an up-to-date one is only read, one query).

    Parameters
    ----------
    url : str, optional
        Connection URL; defaults to :func:`database_url`.
    autocommit : bool
        Open the connection in autocommit mode.
    schema : bool
        Apply pending migrations first (see :func:`ensure_schema`). Commands that manage the
        schema themselves (``migrate``, ``db up``, ``db status``, ``views ...``) pass False.

    Yields
    ------
    psycopg.Connection
    """
    import psycopg  # here: importing the driver costs ~0.2 s that `db status` does not need

    with psycopg.connect(session_conninfo(url or database_url()), autocommit=autocommit) as conn:
        if schema:
            ensure_schema(conn)
        yield conn


def ensure_schema(conn: psycopg.Connection) -> list[str]:
    """Apply pending migrations on ``conn`` and say so on stderr (nothing when up to date).

    A login that may read but not migrate (``policylink_reader``) is not stopped here when the
    schema is current; when migrations are pending it gets the migration's own clear error.

    Parameters
    ----------
    conn : psycopg.Connection
        An open connection; the check runs in its own transaction, which is committed.

    Returns
    -------
    list of str
        Names of the migrations and view files applied (empty when none was pending).
    """
    from policylink.etl import migrate

    applied = migrate.ensure_schema(conn)
    if applied:
        # stderr: stdout may be a table, JSON or CSV that a script reads
        print(
            f"note: schema created or updated first ({len(applied)} migration and view "
            f"files applied: {applied[0]} ... {applied[-1]})",
            file=sys.stderr,
        )
    return applied


def sqlalchemy_url(url: str) -> str:
    """Turn a libpq URL into a SQLAlchemy URL using the psycopg 3 driver."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)


def engine(url: str | None = None):
    """Return a SQLAlchemy engine (psycopg 3 driver) for ``url``.

    Parameters
    ----------
    url : str, optional
        Connection URL; defaults to :func:`database_url`.

    Returns
    -------
    sqlalchemy.engine.Engine
    """
    from sqlalchemy import create_engine

    return create_engine(sqlalchemy_url(url or database_url()), future=True)
