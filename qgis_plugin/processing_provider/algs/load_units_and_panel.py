"""Processing algorithm ``loadpanel``: units of one level and a long panel, from the database."""

from __future__ import annotations

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QVariant

from ...core import db
from ...core.i18n import tr
from ...core.layers import frame_to_layer
from ..base import cell, write_table
from ..database_algorithm import _DatabaseAlgorithm
from ..postprocess import label_output


class LoadUnitsAndPanel(_DatabaseAlgorithm):
    """Units of one level (polygons) and a long panel of chosen variables, from the database."""

    VARIABLES = "VARIABLES"
    YEAR_FROM = "YEAR_FROM"
    YEAR_TO = "YEAR_TO"
    UNITS = "UNITS"
    PANEL = "PANEL"

    _name = "loadpanel"
    _requires = ("database",)
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
            QgsProcessingParameterString(self.VARIABLES, tr("Variables (comma-separated)"))
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.YEAR_FROM,
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
                self.YEAR_TO,
                tr("Last year"),
                QgsProcessingParameterNumber.Integer,
                2019,
                False,
                1949,
                2100,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.UNITS, tr("Units"), QgsProcessing.TypeVectorPolygon
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(self.PANEL, tr("Panel"), QgsProcessing.TypeVector)
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        import psycopg

        from policylink import dbread
        from policylink.errors import PolicyLinkError

        level = db.LEVELS[self.parameterAsEnum(parameters, "LEVEL", context)]
        within_text = self.parameterAsString(parameters, "WITHIN", context) or ""
        within = [c.strip() for c in within_text.split(",") if c.strip()] or None
        names = [
            v.strip()
            for v in self.parameterAsString(parameters, "VARIABLES", context).split(",")
            if v.strip()
        ]
        years = range(
            self.parameterAsInt(parameters, "YEAR_FROM", context),
            self.parameterAsInt(parameters, "YEAR_TO", context) + 1,
        )
        # The database's own readers (psycopg): the units of the level within the codes by the
        # view function unit_within, values from observation -- as for every other front-end.
        try:
            with self.connect(parameters, context) as conn:
                catalogue = dbread.read_variables(conn).set_index("name")
                unknown = [v for v in names if v not in catalogue.index]
                if unknown:
                    raise QgsProcessingException(
                        f"unknown variable(s) {', '.join(unknown)}; the catalogue has "
                        f"{', '.join(catalogue.index[:20])}"
                    )
                units = dbread.read_units(conn, level, within)
                if units.empty:
                    raise QgsProcessingException(
                        f"no {level} units in the database for {within_text or 'all codes'}"
                    )
                wide = dbread.read_panel(conn, names, level, within, years)
        except (psycopg.Error, PolicyLinkError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise QgsProcessingException(f"the database could not be read: {first}") from exc
        for name in names:
            if bool(catalogue.at[name, "is_synthetic"]):
                feedback.pushWarning(tr("Variable {v} is SYNTHETIC data.").format(v=name))
        wide = wide.rename(columns={"code": "unit_code"})
        # The units also get one field per variable and year (<variable>_<year>), so a single
        # year can go straight into the LISA / Gi* algorithms (FIELD) and several years into
        # the Moran algorithm (VALUE_FIELDS).
        by_field = {}
        for name in names:
            piv = wide.pivot_table(index="unit_code", columns="year", values=name, aggfunc="first")
            for year in piv.columns:
                by_field[f"{name}_{int(year)}"] = piv[year].to_dict()
        attrs = ["code", "name_zh", "name_en", "level", "parent_code"]
        source = frame_to_layer(units, f"{level} units", attrs)
        fields = QgsFields(source.fields())
        for fname in by_field:
            fields.append(QgsField(fname, QVariant.Double))
        sink, units_id = self.parameterAsSink(
            parameters, "UNITS", context, fields, source.wkbType(), source.crs()
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "UNITS"))
        for feat in source.getFeatures():
            out = QgsFeature(fields)
            out.setGeometry(feat.geometry())
            code = feat["code"]
            extra = [cell(by_field[f].get(code)) for f in by_field]
            out.setAttributes(list(feat.attributes()) + extra)
            sink.addFeature(out, QgsFeatureSink.FastInsert)
        wide = wide.sort_values(["year", "unit_code"]).reset_index(drop=True)
        feedback.pushInfo(tr("{n} units, {r} panel rows").format(n=len(units), r=len(wide)))
        panel_id = write_table(self, parameters, context, "PANEL", wide)
        # The catalogue's flags travel with the layers (name, metadata), so the algorithms
        # that read them label their results too.
        synthetic = [n for n in names if bool(catalogue.at[n, "is_synthetic"])]
        flagged = (*synthetic, *(f for f in by_field if f.rsplit("_", 1)[0] in synthetic))
        what = tr("PolicyLink database, {level} units; variables: {v}.").format(
            level=level, v=", ".join(names)
        )
        for dest in (units_id, panel_id):
            label_output(context, dest, flagged, True, what)
        return {
            "UNITS": units_id,
            "PANEL": panel_id,
            "N_UNITS": len(units),
            "SYNTHETIC": synthetic,
        }
