"""The PolicyLink database seen through QGIS's own PostgreSQL provider.

A database is named either by a QGIS saved PostgreSQL connection or by a URL such as the one
``policylink db url`` prints (``postgresql://user@/dbname?host=/run/socketdir``). The plugin reads
tables and views through QGIS (no psycopg inside QGIS's Python) and only with SELECT statements on
the documented views and the core tables.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pandas as pd
from qgis.core import QgsDataSourceUri, QgsProviderRegistry, QgsVectorLayer

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
        raise ValueError(f"not a PostgreSQL URL: {url!r} (expected postgresql://...)")
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
            raise ValueError(f"no saved PostgreSQL connection named {connection!r}")
        return QgsDataSourceUri(conns[connection].uri())
    if url:
        return uri_from_url(url)
    raise ValueError("choose a saved PostgreSQL connection or give the database URL")


def query(uri: QgsDataSourceUri, sql: str) -> pd.DataFrame:
    """Run a SELECT through QGIS's PostgreSQL provider and return the rows.

    Parameters
    ----------
    uri : QgsDataSourceUri
    sql : str
        A read-only statement (built from constants and quoted literals, never user text).

    Returns
    -------
    DataFrame
    """
    meta = QgsProviderRegistry.instance().providerMetadata("postgres")
    conn = meta.createConnection(uri.uri(False), {})
    result = conn.execSql(sql)
    columns = [str(c) for c in result.columns()]
    rows = [
        [None if hasattr(v, "isNull") and v.isNull() else v for v in row] for row in result.rows()
    ]
    return pd.DataFrame(rows, columns=columns)


def execute(uri: QgsDataSourceUri, sql: str) -> None:
    """Run a statement that returns no rows (e.g. ``REFRESH MATERIALIZED VIEW``)."""
    meta = QgsProviderRegistry.instance().providerMetadata("postgres")
    meta.createConnection(uri.uri(False), {}).executeSql(sql)


def literal(value: Any) -> str:
    """Quote a value as an SQL literal (text or number)."""
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def query_layer(
    uri: QgsDataSourceUri, sql: str, name: str, *, key: str, geometry: str | None = "geom"
) -> QgsVectorLayer:
    """Open a SELECT as a QGIS layer (PostgreSQL provider, read only).

    Parameters
    ----------
    uri : QgsDataSourceUri
    sql : str
        SELECT with a unique ``key`` column and, unless ``geometry`` is None, a geometry column.
    name : str
        Layer name.
    key : str
        Unique key column.
    geometry : str or None
        Geometry column name.

    Returns
    -------
    QgsVectorLayer

    Raises
    ------
    ValueError
        When QGIS cannot open the query (the provider's message is included).
    """
    u = QgsDataSourceUri(uri.uri(False))
    u.setDataSource("", f"({sql})", geometry or "", "", key)
    if geometry:
        u.setSrid("4326")
    layer = QgsVectorLayer(u.uri(False), name, "postgres")
    if not layer.isValid():
        err = layer.dataProvider().error().summary() if layer.dataProvider() else ""
        raise ValueError(f"cannot open {name!r} from the database: {err}")
    return layer


def within_clause(column: str, within: list[str] | None) -> str:
    """SQL condition: the unit in ``column`` or one of its ancestors is in ``within`` (CONTRACTS.md).

    Parameters
    ----------
    column : str
        Column holding a unit code.
    within : list of str or None
        Six-digit codes; None or empty means no restriction.

    Returns
    -------
    str
    """
    if not within:
        return "TRUE"
    for code in within:
        if not (len(code) == 6 and code.isdigit()):
            raise ValueError(f"not a six-digit adcode: {code!r}")
    codes = ", ".join(literal(c) for c in within)
    # QGIS's execSql has no bound parameters: every value here is validated and quoted.
    return (
        f"EXISTS (WITH RECURSIVE up(code, parent_code) AS ("  # noqa: S608
        f"SELECT code, parent_code FROM admin_unit WHERE code = {column} "
        f"UNION ALL SELECT a.code, a.parent_code FROM admin_unit a JOIN up ON a.code = up.parent_code) "
        f"SELECT 1 FROM up WHERE up.code IN ({codes}))"
    )


def units_sql(level: str, within: list[str] | None = None) -> str:
    """SELECT of the units of one level (code, names, parent, geometry)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    return (
        "SELECT u.code, u.name_zh, u.name_en, u.parent_code, u.geom FROM admin_unit u "  # noqa: S608
        f"WHERE u.level = {literal(level)} AND {within_clause('u.code', within)}"
    )


def panel_sql(
    level: str, variable: str, years: tuple[int, int] | None, within: list[str] | None
) -> str:
    """SELECT of one variable in long form (unit_code, year, value) for the units of a level."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", variable):
        raise ValueError(f"not a variable name: {variable!r}")
    cond = "" if years is None else f" AND o.year BETWEEN {int(years[0])} AND {int(years[1])}"
    return (
        "SELECT o.unit_code, o.year, o.value FROM observation o JOIN admin_unit u ON u.code = o.unit_code "  # noqa: S608
        f"WHERE o.variable = {literal(variable)} AND u.level = {literal(level)}{cond} "
        f"AND {within_clause('u.code', within)} ORDER BY o.year, o.unit_code"
    )


def variables(uri: QgsDataSourceUri) -> pd.DataFrame:
    """The variable catalogue (name, labels, unit, synthetic flag)."""
    return query(
        uri, "SELECT name, label_zh, label_en, unit, is_synthetic FROM variable ORDER BY name"
    )
