"""Processing algorithm ``dbweights``: weights from the database's views, written as GAL/GWT."""

from __future__ import annotations

from qgis.core import QgsProcessingException, QgsProcessingParameterString

from ...core import db
from ...core.i18n import tr
from ..checks import check_output_file
from ..database_algorithm import _DatabaseAlgorithm


class ExportDatabaseWeights(_DatabaseAlgorithm):
    """Weights from the database's weight views, optionally refreshed first, written as GAL/GWT."""

    KIND = "KIND"
    REFRESH = "REFRESH"
    OUTPUT = "OUTPUT"

    _name = "dbweights"
    _requires = ("database", "weights")
    _display = "Refresh and export database weights (GAL/GWT)"
    _help = (
        "Reads spatial weights from the PolicyLink database views through policylink.dbread: "
        "queen or rook contiguity (w_queen / w_rook, tolerant of slivers and gaps), k nearest "
        "neighbours (knn:K) or a distance band in metres (distance:METRES), for one level and "
        "optionally within some codes, and writes them as GAL (binary) or GWT. With 'Refresh' the "
        "materialised views whose source tables changed since their last refresh are refreshed "
        "first, as policylink demo does (needs a role that owns them; the read-only "
        "policylink_reader cannot); up-to-date views are left alone. Islands are kept and "
        "reported. Use the file as WEIGHTS_FILE of the statistics algorithms."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        from qgis.core import QgsProcessingParameterBoolean, QgsProcessingParameterFileDestination

        self.add_database_inputs()
        self.addParameter(
            QgsProcessingParameterString(
                self.KIND,
                tr("Weights (queen, rook, knn:K or distance:METRES)"),
                defaultValue="queen",
            )
        )
        self.add_level_and_within()
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.REFRESH,
                tr("Refresh the out-of-date materialised views first"),
                defaultValue=False,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, tr("Weights file"), fileFilter="GAL (*.gal);;GWT (*.gwt)"
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        import psycopg

        from policylink import dbread
        from policylink.errors import PolicyLinkError

        from ...core.weights import write_weights_file

        level = db.LEVELS[self.parameterAsEnum(parameters, "LEVEL", context)]
        within = (self.parameterAsString(parameters, "WITHIN", context) or "").strip() or None
        kind = self.parameterAsString(parameters, "KIND", context).strip()
        try:
            with self.connect(parameters, context) as conn:
                if self.parameterAsBool(parameters, "REFRESH", context):
                    from policylink.etl.migrate import refresh_materialized_views

                    # only the stale ones (migration 0060's records): a refresh of every
                    # view takes ~15 s on the national map and changes nothing when up to date
                    names = refresh_materialized_views(
                        conn, progress=lambda n: feedback.pushInfo(n), only_stale=True
                    )
                    feedback.pushInfo(
                        tr("Refreshed: {v}").format(v=", ".join(names))
                        if names
                        else tr("Materialised views are up to date")
                    )
                else:
                    _warn_if_stale(conn, level, kind, feedback)
                w = dbread.read_weights(conn, kind, level, within)
        except (psycopg.Error, ValueError, PolicyLinkError) as exc:
            raise QgsProcessingException(str(exc)) from exc
        if w.islands:
            feedback.pushWarning(
                tr("Units without neighbours (islands), kept with a zero spatial lag: ")
                + ", ".join(str(i) for i in w.islands[:20])
            )
        out = write_weights_file(
            w, check_output_file(self.parameterAsFileOutput(parameters, "OUTPUT", context))
        )
        return {
            "OUTPUT": out,
            "N_UNITS": w.n,
            "N_LINKS": int(sum(w.cardinalities.values())),
            "ISLANDS": len(w.islands),
        }


def _warn_if_stale(conn, level: str, kind: str, feedback) -> None:  # noqa: ANN001
    """Warn when boundaries of ``level`` were loaded after the weight views that ``kind`` reads
    were refreshed: the weights would not match the units (dbread.stale_contiguity_views)."""
    from policylink import dbread

    stale = dbread.stale_contiguity_views(conn, level, kind)
    conn.rollback()
    if stale:
        feedback.pushWarning(
            tr("Out of date for this level (boundaries loaded since): {v}; tick Refresh").format(
                v=", ".join(stale)
            )
        )
