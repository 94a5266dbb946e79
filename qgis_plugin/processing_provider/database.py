"""Processing algorithms that read the PolicyLink database into layers for the other algorithms."""

from __future__ import annotations

import pandas as pd
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
    QgsProcessingParameterProviderConnection,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QVariant

from ..core import db
from ..core.i18n import tr
from ..core.layers import layer_to_frame
from .base import PolicyLinkAlgorithm, cell, write_table


class _DatabaseAlgorithm(PolicyLinkAlgorithm):
    """Common inputs: a saved PostgreSQL connection or a database URL."""

    _group = "PolicyLink database"
    _group_id = "database"

    def add_database_inputs(self) -> None:
        self.addParameter(
            QgsProcessingParameterProviderConnection(
                "CONNECTION", tr("PostgreSQL connection (saved in QGIS)"), "postgres", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                "DATABASE_URL", tr("Or: database URL (policylink db url)"), optional=True
            )
        )

    def add_level_and_within(self, levels: list[str] | None = None, default: int = 1) -> None:
        """Add ``LEVEL`` (translated labels; province, prefecture, county unless ``levels``)
        and ``WITHIN`` (codes whose units and descendants are kept)."""
        self.addParameter(
            QgsProcessingParameterEnum(
                "LEVEL",
                tr("Level"),
                options=levels or [tr("Province"), tr("Prefecture"), tr("County")],
                defaultValue=default,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                "WITHIN", tr("Within (codes, comma-separated)"), optional=True
            )
        )

    def database(self, parameters, context):
        """The QGIS URI of the chosen database."""
        try:
            return db.database_uri(
                self.parameterAsConnectionName(parameters, "CONNECTION", context) or "",
                self.parameterAsString(parameters, "DATABASE_URL", context) or "",
            )
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc


class LoadUnitsAndPanel(_DatabaseAlgorithm):
    """Units of one level (polygons) and a long panel of chosen variables, from the database."""

    _name = "loadpanel"
    _display = "Load units and panel from the PolicyLink database"
    _help = (
        "Reads the administrative units of one level (optionally within some codes: a unit is kept "
        "when its code or an ancestor's code is listed, e.g. 110000,120000,130000 for "
        "Jing-Jin-Ji) as a polygon layer, and the chosen variables for those units as a long "
        "table (unit_code, year, one column per variable); the units also carry one field per variable "
        "and year (<variable>_<year>). Feed them to the Moran, spatial panel "
        "and DID algorithms (unit id field 'code', panel fields 'unit_code' and 'year'). "
        "Variables flagged synthetic in the catalogue are reported."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        self.add_database_inputs()
        self.add_level_and_within()
        self.addParameter(
            QgsProcessingParameterString("VARIABLES", tr("Variables (comma-separated)"))
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "YEAR_FROM",
                tr("First year"),
                QgsProcessingParameterNumber.Integer,
                2006,
                False,
                1949,
                2100,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "YEAR_TO",
                tr("Last year"),
                QgsProcessingParameterNumber.Integer,
                2019,
                False,
                1949,
                2100,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink("UNITS", tr("Units"), QgsProcessing.TypeVectorPolygon)
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink("PANEL", tr("Panel"), QgsProcessing.TypeVector)
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        uri = self.database(parameters, context)
        level = db.LEVELS[self.parameterAsEnum(parameters, "LEVEL", context)]
        within_text = self.parameterAsString(parameters, "WITHIN", context) or ""
        within = [c.strip() for c in within_text.split(",") if c.strip()] or None
        names = [
            v.strip()
            for v in self.parameterAsString(parameters, "VARIABLES", context).split(",")
            if v.strip()
        ]
        years = (
            self.parameterAsInt(parameters, "YEAR_FROM", context),
            self.parameterAsInt(parameters, "YEAR_TO", context),
        )
        try:
            units = db.units_layer(uri, level, within)
            catalogue = db.variables(uri).set_index("name")
            unknown = [v for v in names if v not in catalogue.index]
            if unknown:
                raise ValueError(
                    f"unknown variable(s) {', '.join(unknown)}; the catalogue has "
                    f"{', '.join(catalogue.index[:20])}"
                )
            codes = layer_to_frame(units, ["code"], geometry=False)["code"].tolist()
            wide: pd.DataFrame | None = None
            for name in names:
                if bool(catalogue.at[name, "is_synthetic"]):
                    feedback.pushWarning(tr("Variable {v} is SYNTHETIC data.").format(v=name))
                part = db.panel(uri, name, years, codes).rename(columns={"value": name})
                wide = (
                    part
                    if wide is None
                    else wide.merge(part, on=["unit_code", "year"], how="outer")
                )
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        # The units also get one field per variable and year (<variable>_<year>), so a single
        # year can go straight into the LISA / Gi* algorithms (FIELD) and several years into
        # the Moran algorithm (VALUE_FIELDS).
        by_field = {}
        for name in names:
            piv = wide.pivot_table(index="unit_code", columns="year", values=name, aggfunc="first")
            for year in piv.columns:
                by_field[f"{name}_{int(year)}"] = piv[year].to_dict()
        fields = QgsFields(units.fields())
        for fname in by_field:
            fields.append(QgsField(fname, QVariant.Double))
        sink, units_id = self.parameterAsSink(
            parameters, "UNITS", context, fields, units.wkbType(), units.crs()
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "UNITS"))
        for feat in units.getFeatures():
            out = QgsFeature(fields)
            out.setGeometry(feat.geometry())
            code = feat["code"]
            extra = [cell(by_field[f].get(code)) for f in by_field]
            out.setAttributes(list(feat.attributes()) + extra)
            sink.addFeature(out, QgsFeatureSink.FastInsert)
        wide = wide.sort_values(["year", "unit_code"]).reset_index(drop=True)
        feedback.pushInfo(tr("{n} units, {r} panel rows").format(n=len(codes), r=len(wide)))
        return {
            "UNITS": units_id,
            "PANEL": write_table(self, parameters, context, "PANEL", wide),
            "N_UNITS": len(codes),
        }


class ExportDatabaseWeights(_DatabaseAlgorithm):
    """Weights from the database's weight views, optionally refreshed first, written as GAL/GWT."""

    _name = "dbweights"
    _display = "Refresh and export database weights (GAL/GWT)"
    _help = (
        "Reads spatial weights from the PolicyLink database views through policylink.dbread: "
        "queen or rook contiguity (w_queen / w_rook, tolerant of slivers and gaps), k nearest "
        "neighbours (knn:K) or a distance band in metres (distance:METRES), for one level and "
        "optionally within some codes, and writes them as GAL (binary) or GWT. With 'Refresh' the "
        "materialised views are refreshed first (needs a role that owns them; the read-only "
        "policylink_reader cannot). Islands are kept and reported. Use the file as WEIGHTS_FILE "
        "of the statistics algorithms."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        from qgis.core import QgsProcessingParameterBoolean, QgsProcessingParameterFileDestination

        self.add_database_inputs()
        self.addParameter(
            QgsProcessingParameterString(
                "KIND", tr("Weights (queen, rook, knn:K or distance:METRES)"), defaultValue="queen"
            )
        )
        self.add_level_and_within()
        self.addParameter(
            QgsProcessingParameterBoolean(
                "REFRESH", tr("Refresh the materialised views first"), defaultValue=False
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                "OUTPUT", tr("Weights file"), fileFilter="GAL (*.gal);;GWT (*.gwt)"
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        import psycopg

        from policylink import dbread
        from policylink.errors import PolicyLinkError

        from ..core.weights import write_weights_file

        url = self.parameterAsString(parameters, "DATABASE_URL", context) or ""
        conninfo = url or self.database(parameters, context).connectionInfo(True)
        level = db.LEVELS[self.parameterAsEnum(parameters, "LEVEL", context)]
        within = (self.parameterAsString(parameters, "WITHIN", context) or "").strip() or None
        kind = self.parameterAsString(parameters, "KIND", context).strip()
        try:
            with psycopg.connect(conninfo) as conn:
                if self.parameterAsBool(parameters, "REFRESH", context):
                    from policylink.etl.migrate import refresh_materialized_views

                    names = refresh_materialized_views(
                        conn, progress=lambda n: feedback.pushInfo(n)
                    )
                    feedback.pushInfo(tr("Refreshed: {v}").format(v=", ".join(names)))
                w = dbread.read_weights(conn, kind, level, within)
        except (psycopg.Error, ValueError, PolicyLinkError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        if w.islands:
            feedback.pushWarning(
                tr("Units without neighbours (islands), kept with a zero spatial lag: ")
                + ", ".join(str(i) for i in w.islands[:20])
            )
        out = write_weights_file(w, self.parameterAsFileOutput(parameters, "OUTPUT", context))
        return {
            "OUTPUT": out,
            "N_UNITS": w.n,
            "N_LINKS": int(sum(w.cardinalities.values())),
            "ISLANDS": len(w.islands),
        }
