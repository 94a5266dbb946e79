"""Which PolicyLink database the plugin reads, named the QGIS way.

A database is named either by a QGIS saved PostgreSQL connection or by a URL such as the one
``policylink db url`` prints (``postgresql://user@/dbname?host=/run/socketdir``). The plugin
reads it with the same readers as every other front-end (:mod:`policylink.dbread` and
:mod:`policylink.inputs`, through psycopg), never through a QGIS PostgreSQL layer: a wrong or
stopped database is then an error message, and the views' rules (``unit_within`` ...) are not
copied here. No SQL text is assembled here.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlparse

import pandas as pd
from qgis.core import QgsDataSourceUri, QgsProviderRegistry

from .i18n import tr

LEVELS = ("province", "prefecture", "county")


def saved_connections() -> list[str]:
    """Names of the PostgreSQL connections saved in QGIS (Browser > PostgreSQL)."""
    meta = QgsProviderRegistry.instance().providerMetadata("postgres")
    return sorted(meta.connections().keys())


def uri_from_url(url: str) -> QgsDataSourceUri:
    """Convert a libpq URL (``postgresql://user:pass@host:port/db?host=/socket``) to a QGIS URI.

    Parameters
    ----------
    url : str

    Returns
    -------
    QgsDataSourceUri

    Raises
    ------
    ValueError
        When the text is not a postgresql:// URL.
    """
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("postgresql", "postgres"):
        raise ValueError(
            tr(
                "Not a PostgreSQL URL: '{url}'; expected postgresql://user@host:port/dbname."
            ).format(url=url)
        )
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    host = query.pop("host", None) or (unquote(parsed.hostname) if parsed.hostname else "")
    uri = QgsDataSourceUri()
    uri.setConnection(
        host,
        str(parsed.port or query.pop("port", "") or ""),
        unquote(parsed.path.lstrip("/")) or "postgres",
        unquote(parsed.username or ""),
        unquote(parsed.password or ""),
        QgsDataSourceUri.SslDisable
        if query.get("sslmode") == "disable"
        else QgsDataSourceUri.SslPrefer,
    )
    return uri


def database_uri(connection: str = "", url: str = "") -> QgsDataSourceUri:
    """The QGIS URI of the PolicyLink database, from a saved connection name or a URL.

    Parameters
    ----------
    connection : str
        Name of a saved QGIS PostgreSQL connection (takes precedence).
    url : str
        Otherwise a ``postgresql://`` URL.

    Returns
    -------
    QgsDataSourceUri
    """
    if connection:
        meta = QgsProviderRegistry.instance().providerMetadata("postgres")
        conns = meta.connections()
        if connection not in conns:
            raise ValueError(
                tr("No saved PostgreSQL connection is named '{name}'; saved: {names}.").format(
                    name=connection, names=", ".join(conns) or "-"
                )
            )
        return QgsDataSourceUri(conns[connection].uri())
    if url:
        return uri_from_url(url)
    raise ValueError(tr("Choose a saved PostgreSQL connection or give the database URL."))


def variables(connection: str) -> pd.DataFrame:
    """The variable catalogue (name, labels, unit, synthetic flag), read with psycopg.

    Parameters
    ----------
    connection : str
        A libpq connection string or URL (:func:`connection_string`).

    Returns
    -------
    pandas.DataFrame
    """
    from policylink import dbread

    frame = dbread.read_variables(connection)
    cols = ["name", "label_zh", "label_en", "unit", "is_synthetic"]
    return frame[cols].sort_values("name").reset_index(drop=True)


def connection_string(connection: str = "", url: str = "") -> str:
    """A libpq connection string for :mod:`policylink.inputs` (psycopg), from the same choices.

    Reading through psycopg instead of a QGIS PostgreSQL layer means a wrong or stopped database
    gives an error message, never an invalid layer.

    Parameters
    ----------
    connection : str
        Name of a saved QGIS PostgreSQL connection (takes precedence).
    url : str
        Otherwise a ``postgresql://`` URL, used as it is.

    Returns
    -------
    str
    """
    if connection:
        return database_uri(connection, "").connectionInfo(True)
    if url.strip():
        uri_from_url(url)  # refuses anything that is not a postgresql:// URL
        return url.strip()
    raise ValueError(tr("Choose a saved PostgreSQL connection or give the database URL."))


def redacted(conninfo: str) -> str:
    """A connection string or URL without its password, fit for a message.

    Parameters
    ----------
    conninfo : str
        A libpq URL or ``key=value`` connection string.

    Returns
    -------
    str
    """
    import re

    text = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", conninfo)
    return re.sub(r"(password=)\S+", r"\1***", text)
