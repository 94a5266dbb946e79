"""The PolicyLink database seen through QGIS's own PostgreSQL provider.

A database is named either by a QGIS saved PostgreSQL connection or by a URL such as the one
``policylink db url`` prints (``postgresql://user@/dbname?host=/run/socketdir``). The plugin reads
tables and views through QGIS (no psycopg inside QGIS's Python), as layers with provider filters
whose values QGIS quotes itself: no SQL text is assembled here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pandas as pd
from qgis.core import QgsDataSourceUri, QgsExpression, QgsProviderRegistry, QgsVectorLayer

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


def table_layer(
    uri: QgsDataSourceUri,
    table: str,
    name: str,
    *,
    geometry: str | None = None,
    subset: str = "",
    key: str = "",
) -> QgsVectorLayer:
    """Open a table or view of the PolicyLink database as a read-only QGIS layer.

    Parameters
    ----------
    uri : QgsDataSourceUri
        Database (from :func:`database_uri`).
    table : str
        Table or view in schema ``public`` (a fixed name from this module, never user text).
    name : str
        Layer name.
    geometry : str, optional
        Geometry column; None for a table without geometry.
    subset : str
        Provider filter built with :func:`equals` / :func:`one_of` (values quoted by QGIS).
    key : str
        Unique key column (needed for views; tables use their primary key).

    Returns
    -------
    QgsVectorLayer

    Raises
    ------
    ValueError
        When QGIS cannot open it (the provider's message is included).
    """
    u = QgsDataSourceUri(uri.uri(False))
    u.setDataSource("public", table, geometry or "", subset, key)
    layer = QgsVectorLayer(u.uri(False), name, "postgres")
    if not layer.isValid():
        err = layer.dataProvider().error().summary() if layer.dataProvider() else ""
        raise ValueError(f"cannot open {table!r} from the database: {err}")
    return layer


def equals(field: str, value: Any) -> str:
    """Filter ``field = value`` with the value quoted by QGIS (QgsExpression.quotedValue)."""
    return QgsExpression.createFieldEqualityExpression(field, value)


def one_of(field: str, values: list[Any]) -> str:
    """Filter ``field IN (values)``, each value quoted by QGIS."""
    quoted = ", ".join(QgsExpression.quotedValue(v) for v in values)
    return f"{QgsExpression.quotedColumnRef(field)} IN ({quoted})"


def all_of(*conditions: str) -> str:
    """Join filters with AND (empty ones are skipped)."""
    return " AND ".join(f"({c})" for c in conditions if c)


def unit_codes(uri: QgsDataSourceUri, level: str, within: list[str] | None = None) -> list[str]:
    """Codes of the units of ``level`` whose code or an ancestor's code is in ``within``.

    Parameters
    ----------
    uri : QgsDataSourceUri
    level : {'province', 'prefecture', 'county'}
    within : list of str, optional
        Six-digit codes (``--within`` semantics of CONTRACTS.md); None means all units.

    Returns
    -------
    list of str
        Sorted codes.
    """
    from .layers import layer_to_frame

    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    for code in within or []:
        if not (len(code) == 6 and code.isdigit()):
            raise ValueError(f"not a six-digit adcode: {code!r}")
    units = layer_to_frame(
        table_layer(uri, "admin_unit", "admin_unit"),
        ["code", "level", "parent_code"],
        geometry=False,
    )
    parent = dict(zip(units["code"], units["parent_code"], strict=True))
    wanted = set(within or [])
    out = []
    for code in units.loc[units["level"] == level, "code"]:
        if not wanted:
            out.append(code)
            continue
        node, seen = code, set()
        while node and node not in seen:
            if node in wanted:
                out.append(code)
                break
            seen.add(node)
            node = parent.get(node)
    return sorted(out)


def units_layer(
    uri: QgsDataSourceUri, level: str, within: list[str] | None = None
) -> QgsVectorLayer:
    """The units of one level (optionally within some codes) as a polygon layer."""
    codes = unit_codes(uri, level, within)
    if not codes:
        raise ValueError(f"no {level} units in the database for {within or 'all codes'}")
    subset = all_of(equals("level", level), one_of("code", codes) if within else "")
    return table_layer(uri, "admin_unit", f"{level} units", geometry="geom", subset=subset)


def panel(
    uri: QgsDataSourceUri, variable: str, years: tuple[int, int] | None, codes: list[str]
) -> pd.DataFrame:
    """One variable in long form (``unit_code``, ``year``, ``value``) for the given units."""
    from .layers import layer_to_frame

    subset = equals("variable", variable)
    if years is not None:
        subset = all_of(subset, f'"year" >= {int(years[0])}', f'"year" <= {int(years[1])}')
    layer = table_layer(uri, "observation", "observation", subset=subset)
    frame = layer_to_frame(layer, ["unit_code", "year", "value"], geometry=False)
    frame = frame[frame["unit_code"].isin(set(codes))].drop(columns="fid")
    return frame.sort_values(["year", "unit_code"]).reset_index(drop=True)


def variables(uri: QgsDataSourceUri) -> pd.DataFrame:
    """The variable catalogue (name, labels, unit, synthetic flag)."""
    from .layers import layer_to_frame

    layer = table_layer(uri, "variable", "variable")
    frame = layer_to_frame(
        layer, ["name", "label_zh", "label_en", "unit", "is_synthetic"], geometry=False
    )
    return frame.drop(columns="fid").sort_values("name").reset_index(drop=True)


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
    raise ValueError("choose a saved PostgreSQL connection or give the database URL")
