"""Family base of the algorithms that read the PolicyLink database (a saved connection or a URL).

Used by ``loadpanel`` and ``dbweights`` and, through :mod:`.map_algorithm`, by the policy maps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qgis.core import (
    QgsDataSourceUri,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)

from ..core import db
from ..core.i18n import tr
from .base import PolicyLinkAlgorithm

if TYPE_CHECKING:
    import psycopg


class _DatabaseAlgorithm(PolicyLinkAlgorithm):
    """Common inputs: a saved PostgreSQL connection or a database URL."""

    CONNECTION = "CONNECTION"
    DATABASE_URL = "DATABASE_URL"
    LEVEL = "LEVEL"
    WITHIN = "WITHIN"

    _group = "PolicyLink database"
    _group_id = "database"

    def add_database_inputs(self) -> None:
        """Add ``CONNECTION`` (a saved PostgreSQL connection) and ``DATABASE_URL``, both optional."""
        self.addParameter(
            QgsProcessingParameterProviderConnection(
                self.CONNECTION,
                tr("PostgreSQL connection (saved in QGIS)"),
                "postgres",
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.DATABASE_URL, tr("Or: database URL (policylink db url)"), optional=True
            )
        )

    def add_level_and_within(self, levels: list[str] | None = None, default: int = 1) -> None:
        """Add ``LEVEL`` and ``WITHIN`` (codes whose units and descendants are kept).

        Parameters
        ----------
        levels : list of str, optional
            Translated labels of the levels; province, prefecture, county by default.
        default : int
            Index of the default level.
        """
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LEVEL,
                tr("Level"),
                options=levels or [tr("Province"), tr("Prefecture"), tr("County")],
                defaultValue=default,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.WITHIN, tr("Within (codes, comma-separated)"), optional=True
            )
        )

    def database(self, parameters: dict, context: Any) -> QgsDataSourceUri:
        """The QGIS URI of the chosen database.

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.

        Returns
        -------
        QgsDataSourceUri

        Raises
        ------
        QgsProcessingException
            When neither a connection nor a URL is given, or the one given is not usable.
        """
        try:
            return db.database_uri(
                self.parameterAsConnectionName(parameters, self.CONNECTION, context) or "",
                self.parameterAsString(parameters, self.DATABASE_URL, context) or "",
            )
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc

    def connection(self, parameters: dict, context: Any) -> str:
        """A libpq connection string of the chosen database, for :mod:`policylink.dbread`.

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.

        Returns
        -------
        str
            The URL as given, or the saved connection's connection string.

        Raises
        ------
        QgsProcessingException
            When neither a connection nor a URL is given, or the one given is not usable.
        """
        try:
            return db.connection_string(
                self.parameterAsConnectionName(parameters, self.CONNECTION, context) or "",
                self.parameterAsString(parameters, self.DATABASE_URL, context) or "",
            )
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc

    def connect(self, parameters: dict, context: Any) -> psycopg.Connection:
        """An open psycopg connection to the chosen database.

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.

        Returns
        -------
        psycopg.Connection

        Raises
        ------
        QgsProcessingException
            When no database is chosen, the URL is not one, or the database cannot be reached;
            the message names the database (without its password) and what to check.
        """
        import psycopg

        from policylink.etl.db import session_conninfo

        conninfo = self.connection(parameters, context)
        try:
            return psycopg.connect(session_conninfo(conninfo), connect_timeout=10)
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise QgsProcessingException(
                tr(
                    "Cannot connect to the database {db}: {error}. Check that PostgreSQL is "
                    "running and that the URL or saved connection names an existing PolicyLink "
                    "database (see `policylink db url`)."
                ).format(db=db.redacted(conninfo), error=first)
            ) from exc
