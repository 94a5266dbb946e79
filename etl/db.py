"""Database connection: ``DATABASE_URL`` when set, otherwise the embedded cluster."""

from __future__ import annotations

import os
import re
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
def connect(url: str | None = None, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """Open a psycopg connection (committed on success, rolled back on error).

    Parameters
    ----------
    url : str, optional
        Connection URL; defaults to :func:`database_url`.
    autocommit : bool
        Open the connection in autocommit mode.

    Yields
    ------
    psycopg.Connection
    """
    import psycopg  # here: importing the driver costs ~0.2 s that `db status` does not need

    with psycopg.connect(url or database_url(), autocommit=autocommit) as conn:
        yield conn


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
