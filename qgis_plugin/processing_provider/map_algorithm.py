"""Family base of the policy-map algorithms, and their writer of GeoDataFrames to feature sinks.

The policy maps read the database with :mod:`policylink.mapdata` (the same functions the
``policylink map`` command and the HTML report use, so plugin, CLI and report show the same units
and links), or, without a database, any polygon layer with a code field plus a first-year (or
batch) field, and for links any table of linked code pairs (:meth:`_MapAlgorithm.add_layer_inputs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ..core.i18n import tr
from .base import cell, qvariant_type
from .database_algorithm import _DatabaseAlgorithm

if TYPE_CHECKING:
    import geopandas as gpd

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")

#: The database's ``analysis_period`` scheme ``seed001`` (label, last year inclusive; None = open),
#: for layers without the database; ``sql/migrations/0020_views_support.sql`` holds the rows and
#: tests/test_qgis_policymaps_layers.py checks that they agree.
SEED001_PERIODS: tuple[tuple[str, int | None], ...] = (
    ("before 2008", 2007),
    ("2008-2014", 2014),
    ("2014-2016", 2016),
    ("after 2016", None),
)


def period_of(
    year: int | None, periods: tuple[tuple[str, int | None], ...] = SEED001_PERIODS
) -> str:
    """Label of the period a year falls in; ``"none"`` for a missing year.

    Parameters
    ----------
    year : int or None
        A first-adoption year.
    periods : tuple of (str, int or None)
        Labels with their last year (inclusive), in order; None closes the last one.

    Returns
    -------
    str
    """
    if year is None or pd.isna(year):
        return "none"
    for label, last in periods:
        if last is None or int(year) <= last:
            return label
    return "none"


def write_geo(
    alg: QgsProcessingAlgorithm,
    parameters: dict,
    context: Any,
    name: str,
    frame: gpd.GeoDataFrame,
    wkb_type: int,
) -> str:
    """Write a GeoDataFrame (EPSG:4326) to a feature sink; return the destination id.

    Parameters
    ----------
    alg : QgsProcessingAlgorithm
        The running algorithm.
    parameters, context
        What Processing passes to ``processAlgorithm``.
    name : str
        The feature-sink parameter.
    frame : geopandas.GeoDataFrame
        One feature per row; the columns other than ``geometry`` become fields.
    wkb_type : QgsWkbTypes.Type
        Geometry type of the sink.

    Returns
    -------
    str
        The destination id.
    """
    cols = [c for c in frame.columns if c != "geometry"]
    fields = QgsFields()
    for c in cols:
        fields.append(QgsField(str(c), qvariant_type(frame[c])))
    sink, dest = alg.parameterAsSink(parameters, name, context, fields, wkb_type, WGS84)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, name))
    for row, geom in zip(frame[cols].itertuples(index=False), frame.geometry, strict=True):
        feat = QgsFeature(fields)
        if geom is not None:
            g = QgsGeometry()
            g.fromWkb(geom.wkb)
            feat.setGeometry(g)
        feat.setAttributes([cell(v) for v in row])
        sink.addFeature(feat, QgsFeatureSink.FastInsert)
    return dest


def parse_years(text: str) -> dict[int, int]:
    """``"2011,2013,2017"`` -> ``{1: 2011, 2: 2013, 3: 2017}`` (batch -> effective year).

    Parameters
    ----------
    text : str
        Years separated by commas, one per batch.

    Returns
    -------
    dict of int to int

    Raises
    ------
    QgsProcessingException
        When a part is not a whole number.
    """
    try:
        years = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise QgsProcessingException(
            tr("Effective years must be years separated by commas.")
        ) from exc
    return {i: y for i, y in enumerate(years, start=1)}


class _MapAlgorithm(_DatabaseAlgorithm):
    """Database inputs plus programme, level and codes to stay within."""

    PROGRAMME = "PROGRAMME"
    OUTPUT = "OUTPUT"

    _group = "Policy maps"
    _group_id = "policymaps"
    default_programme = ""
    levels = ("prefecture", "county")

    def add_map_inputs(self) -> None:
        """Add the database inputs, ``PROGRAMME``, and ``LEVEL`` / ``WITHIN`` over ``levels``."""
        self.add_database_inputs()
        self.addParameter(
            QgsProcessingParameterString(
                self.PROGRAMME, tr("Programme"), defaultValue=self.default_programme
            )
        )
        self.add_level_and_within([tr(v.capitalize()) for v in self.levels], default=0)

    # -- any layer, without the database ------------------------------------------------------
    UNITS = "UNITS"
    UNITS_CODE = "UNITS_CODE"
    UNITS_NAME = "UNITS_NAME"
    FIRST_YEAR_FIELD = "FIRST_YEAR_FIELD"
    BATCH_FIELD = "BATCH_FIELD"
    LINKS = "LINKS"
    LINK_A = "LINK_A"
    LINK_B = "LINK_B"
    LINK_TYPE = "LINK_TYPE"
    LINK_YEAR = "LINK_YEAR"
    LINK_EVENT = "LINK_EVENT"

    def add_layer_inputs(self, *, first_year: bool = True, batch: bool = False) -> None:
        """Add the optional polygon layer ``UNITS`` that replaces the database.

        Parameters
        ----------
        first_year : bool
            Offer ``FIRST_YEAR_FIELD`` (the year each unit adopted; empty = never).
        batch : bool
            Offer ``BATCH_FIELD`` (pilot batch 1, 2, 3, ... turned into years by the effective
            years).
        """
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.UNITS,
                tr("Or, without the database: units layer"),
                [QgsProcessing.TypeVectorPolygon],
                optional=True,
            )
        )
        fields = [(self.UNITS_CODE, tr("Unit code field")), (self.UNITS_NAME, tr("Name field"))]
        if first_year:
            fields.append((self.FIRST_YEAR_FIELD, tr("First-year field")))
        if batch:
            fields.append((self.BATCH_FIELD, tr("Batch field")))
        for key, label in fields:
            self.addParameter(
                QgsProcessingParameterField(
                    key, label, parentLayerParameterName=self.UNITS, optional=True
                )
            )

    def add_link_inputs(self) -> None:
        """Add the optional link table ``LINKS`` (one row per event and linked pair of codes)."""
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.LINKS,
                tr("Link table (one row per event and pair of unit codes)"),
                [QgsProcessing.TypeVector],
                optional=True,
            )
        )
        for key, label in (
            (self.LINK_A, tr("First unit code field")),
            (self.LINK_B, tr("Second unit code field")),
            (self.LINK_TYPE, tr("Link type field")),
            (self.LINK_YEAR, tr("Year field")),
            (self.LINK_EVENT, tr("Event id field")),
        ):
            self.addParameter(
                QgsProcessingParameterField(
                    key, label, parentLayerParameterName=self.LINKS, optional=True
                )
            )

    def uses_layer(self, parameters: dict, context: Any) -> bool:
        """True when a units layer is given (then the database is not read)."""
        return self.parameterAsVectorLayer(parameters, self.UNITS, context) is not None

    def _field(self, parameters: dict, key: str, context: Any) -> str:
        return (self.parameterAsString(parameters, key, context) or "").strip()

    def units_from_layer(
        self, parameters: dict, context: Any, *, need: tuple[str, ...] = ()
    ) -> gpd.GeoDataFrame:
        """The ``UNITS`` layer as ``code``, ``name_zh`` (+ ``first_year`` / ``batch``), EPSG:4326.

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.
        need : tuple of str
            Which of ``"first_year"`` / ``"batch"`` must come from a field; ``("first_year",
            "batch")`` means one of the two.

        Returns
        -------
        geopandas.GeoDataFrame
            ``code`` as text; ``first_year`` and ``batch`` as nullable integers when chosen.

        Raises
        ------
        QgsProcessingException
            When the code field (or a needed year/batch field) is not chosen, codes repeat, the
            layer has no CRS, or a year is not a whole number.
        """
        from ..core.layers import layer_to_frame

        layer = self.parameterAsVectorLayer(parameters, self.UNITS, context)
        code = self._field(parameters, self.UNITS_CODE, context)
        name = self._field(parameters, self.UNITS_NAME, context)
        first = self._field(parameters, self.FIRST_YEAR_FIELD, context)
        batch = self._field(parameters, self.BATCH_FIELD, context)
        if not code:
            raise QgsProcessingException(
                tr("Layer '{layer}': choose the unit code field (UNITS_CODE).").format(
                    layer=layer.name()
                )
            )
        if need and not (first and "first_year" in need) and not (batch and "batch" in need):
            wanted = " / ".join(
                k
                for k, n in (("FIRST_YEAR_FIELD", "first_year"), ("BATCH_FIELD", "batch"))
                if n in need
            )
            raise QgsProcessingException(
                tr("Layer '{layer}': choose the field with each unit's {what}.").format(
                    layer=layer.name(), what=wanted
                )
            )
        if not layer.crs().isValid():
            raise QgsProcessingException(
                tr("Layer '{layer}' has no coordinate reference system; set one.").format(
                    layer=layer.name()
                )
            )
        names = [f for f in dict.fromkeys([code, name, first, batch]) if f]
        frame = layer_to_frame(layer, names)
        out = frame[["geometry"]].copy()
        out.insert(0, "code", frame[code].map(lambda v: None if v is None else str(v)))
        out.insert(1, "name_zh", frame[name].astype("string") if name else pd.NA)
        dup = out["code"][out["code"].duplicated()].tolist()
        if dup or out["code"].isna().any():
            raise QgsProcessingException(
                tr(
                    "Layer '{layer}', field '{field}': codes must be unique and not empty "
                    "(repeated: {codes})."
                ).format(layer=layer.name(), field=code, codes=", ".join(map(str, dup[:5])))
            )
        for key, field in (("first_year", first), ("batch", batch)):
            if not field:
                continue
            values = pd.to_numeric(frame[field], errors="coerce")
            bad = frame[field].notna() & (values.isna() | (values % 1 != 0))
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                raise QgsProcessingException(
                    tr(
                        "Layer '{layer}', feature {fid}, field '{field}': {value!r} is not a "
                        "whole number (empty = never)."
                    ).format(
                        layer=layer.name(),
                        fid=int(frame["fid"].iloc[i]),
                        field=field,
                        value=frame[field].iloc[i],
                    )
                )
            out[key] = pd.array(values.round(), dtype="Int64")
        return out.to_crs(4326)

    def links_from_table(self, parameters: dict, context: Any, units: gpd.GeoDataFrame):
        """Aggregate the ``LINKS`` table to one line per unordered pair and link type.

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.
        units : geopandas.GeoDataFrame
            From :meth:`units_from_layer` (the lines join the units' representative points).

        Returns
        -------
        tuple of (geopandas.GeoDataFrame, int)
            Fields ``a < b``, ``name_a``, ``name_b``, ``link_type``, ``n_events`` (distinct
            events, or rows without an event field), ``first_year``, ``last_year``; and the
            number of (event, pair) rows read.
        """
        import geopandas as gpd
        import shapely

        from ..core.layers import layer_to_frame

        table = self.parameterAsVectorLayer(parameters, self.LINKS, context)
        if table is None:
            raise QgsProcessingException(
                tr("Without the database, give the link table (LINKS) besides the units layer.")
            )
        a, b = (self._field(parameters, k, context) for k in (self.LINK_A, self.LINK_B))
        if not a or not b:
            raise QgsProcessingException(
                tr("Table '{layer}': choose the two unit code fields (LINK_A, LINK_B).").format(
                    layer=table.name()
                )
            )
        kind, year, event = (
            self._field(parameters, k, context)
            for k in (self.LINK_TYPE, self.LINK_YEAR, self.LINK_EVENT)
        )
        names = [f for f in dict.fromkeys([a, b, kind, year, event]) if f]
        rows = layer_to_frame(table, names, geometry=False)
        left = rows[a].map(lambda v: None if v is None else str(v))
        right = rows[b].map(lambda v: None if v is None else str(v))
        links = pd.DataFrame(
            {
                "a": [min(x, y) for x, y in zip(left, right, strict=True)],
                "b": [max(x, y) for x, y in zip(left, right, strict=True)],
                "link_type": rows[kind].astype("string") if kind else "link",
                "year": pd.to_numeric(rows[year], errors="coerce") if year else float("nan"),
                "event": rows[event].astype("string") if event else pd.Series(range(len(rows))),
            }
        )
        unknown = sorted(set(links["a"]).union(links["b"]) - set(units["code"]))
        if unknown:
            raise QgsProcessingException(
                tr("Table '{layer}': codes not in the units layer: {codes}").format(
                    layer=table.name(), codes=", ".join(unknown[:10])
                )
            )
        links = links[links["a"] != links["b"]]
        pairs = (
            links.groupby(["a", "b", "link_type"], sort=True)
            .agg(
                n_events=("event", "nunique"),
                first_year=("year", "min"),
                last_year=("year", "max"),
            )
            .reset_index()
        )
        name = dict(zip(units["code"], units["name_zh"], strict=True))
        point = dict(zip(units["code"], units.geometry.representative_point(), strict=True))
        pairs.insert(2, "name_a", pairs["a"].map(name))
        pairs.insert(3, "name_b", pairs["b"].map(name))
        pairs["geometry"] = [
            shapely.LineString([point[x], point[y]])
            for x, y in zip(pairs["a"], pairs["b"], strict=True)
        ]
        return gpd.GeoDataFrame(pairs, geometry="geometry", crs=4326), len(links)

    def add_output(self, label: str, layer_type: int) -> None:
        """Add the ``OUTPUT`` feature sink.

        Parameters
        ----------
        label : str
            Its label, already translated.
        layer_type : QgsProcessing.SourceType
            The layer type of the output.
        """
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, label, layer_type))

    def common(self, parameters: dict, context: Any) -> tuple[str, str, str | None]:
        """The chosen programme, level name and ``WITHIN`` codes (None when empty).

        Parameters
        ----------
        parameters, context
            What Processing passes to ``processAlgorithm``.

        Returns
        -------
        tuple of (str, str, str or None)
        """
        programme = self.parameterAsString(parameters, self.PROGRAMME, context).strip()
        level = self.levels[self.parameterAsEnum(parameters, self.LEVEL, context)]
        within = (self.parameterAsString(parameters, self.WITHIN, context) or "").strip() or None
        return programme, level, within
