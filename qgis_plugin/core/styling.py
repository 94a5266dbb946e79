"""Map styles shipped with the plugin (``styles/*.qml``), graduated choropleths and temporal settings.

The QML files are generated from the renderer builders below (``python -m qgis_plugin.core.styling``)
so that code and files cannot drift; :func:`apply_style` loads the file, as a user would from the
Layer Properties dialog.

Colours
-------
* LISA clusters use GeoDa's scheme (Anselin, Syabri and Kho 2006): High-High red (255,0,0),
  Low-Low blue (0,0,255), Low-High light blue (167,173,249), High-Low light red (244,173,168),
  not significant light grey (238,238,238).
* Adoption by period follows seed 001 (Ma, Huang and Luo 2018, Fig. 1): before 2008, 2008-2014,
  2014-2016 (2015-2016), after 2016, the windows of its section 1; earlier periods are darker.
* Pilot batches follow seed 002 Fig. 2 (low-carbon pilots, notices of 2010, 2012 and 2017).
* Coordination links follow seed 001 Fig. 2: one line per city pair, width by number of events,
  colour by link type.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsArrowSymbolLayer,
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsGraduatedSymbolRenderer,
    QgsLineSymbol,
    QgsProperty,
    QgsRendererCategory,
    QgsRendererRange,
    QgsSingleSymbolRenderer,
    QgsSymbol,
    QgsSymbolLayer,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtGui import QColor

from .i18n import tr

STYLE_DIR = Path(__file__).resolve().parents[1] / "styles"

# Field names written by the plugin's algorithms and read by the styles.
LISA_FIELD = "lisa_cl"
GI_FIELD = "gi_cl"
PERIOD_FIELD = "period"
BATCH_FIELD = "batch"
LINK_TYPE_FIELD = "link_type"
LINK_COUNT_FIELD = "n_events"
LAG_FIELD = "lag_years"
RATIO_FIELD = "hazard_ratio"

LISA_COLOURS = {
    "HH": "#ff0000",
    "LL": "#0000ff",
    "LH": "#a7adf9",
    "HL": "#f4ada8",
    "not significant": "#eeeeee",
}
LISA_LABELS = {
    "HH": "High-High",
    "LL": "Low-Low",
    "LH": "Low-High",
    "HL": "High-Low",
    "not significant": "Not significant",
}
#: Field of the LISA significance map: the class of the pseudo p-value.
LISA_P_FIELD = "lisa_pcl"
#: Upper bounds of the significance classes (GeoDa's significance map), most significant first.
SIGNIFICANCE_LEVELS = (0.001, 0.01, 0.05)
LISA_P_COLOURS = {
    "p <= 0.001": "#006d2c",
    "p <= 0.01": "#31a354",
    "p <= 0.05": "#a1d99b",
    "not significant": "#eeeeee",
}
LISA_P_LABELS = {k: k if k != "not significant" else "Not significant" for k in LISA_P_COLOURS}


def significance_class(p: float | None) -> str:
    """Class of a pseudo p-value in the LISA significance map.

    Parameters
    ----------
    p : float or None
        A permutation p-value.

    Returns
    -------
    str
        ``"p <= 0.001"``, ``"p <= 0.01"``, ``"p <= 0.05"`` or ``"not significant"``.
    """
    if p is not None and p == p:
        for level in SIGNIFICANCE_LEVELS:
            if p <= level:
                return f"p <= {level:g}"
    return "not significant"


GI_COLOURS = {"hot spot": "#d7191c", "cold spot": "#2c7bb6", "not significant": "#eeeeee"}
GI_LABELS = {"hot spot": "Hot spot", "cold spot": "Cold spot", "not significant": "Not significant"}
# Seed 001 periods, labels as in the database's analysis_period table (scheme seed001).
PERIOD_COLOURS = {
    "before 2008": "#08306b",
    "2008-2014": "#2171b5",
    "2014-2016": "#6baed6",
    "after 2016": "#c6dbef",
    "none": "#f7f7f7",
}
PERIOD_LABELS = {
    "before 2008": "Before 2008",
    "2008-2014": "2008-2014",
    "2014-2016": "2014-2016",
    "after 2016": "After 2016",
    "none": "No policy",
}
BATCH_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#fddbc7"}
BATCH_LABELS = {1: "Batch 1 (2010)", 2: "Batch 2 (2012)", 3: "Batch 3 (2017)"}
LINK_COLOURS = {
    "coordination_agreement": "#1f78b4",
    "industrial_transfer": "#e31a1c",
    "co_construction": "#33a02c",
    "division_of_labour": "#ff7f00",
    "innovation_cooperation": "#6a3d9a",
    "other": "#777777",
}
LINK_LABELS = {
    "coordination_agreement": "Coordination agreement",
    "industrial_transfer": "Industrial transfer",
    "co_construction": "Co-construction",
    "division_of_labour": "Division of labour",
    "innovation_cooperation": "Innovation cooperation",
    "other": "Other",
}
STYLES = (
    "lisa",
    "lisa_significance",
    "gistar",
    "adoption_period",
    "pilot_batch",
    "coordination_links",
    "diffusion_arrows",
    "netinf_ties",
    "hazard_ratio",
)
LINE_STYLES = ("coordination_links", "diffusion_arrows", "netinf_ties")
"""The styles of line layers (the others are for polygons)."""


def _fill(colour: str, outline: str = "#7f7f7f") -> QgsFillSymbol:
    return QgsFillSymbol.createSimple(
        {"color": colour, "outline_color": outline, "outline_width": "0.15", "style": "solid"}
    )


def _categorized(
    field: str, colours: dict, labels: dict, geometry: str = "polygon", width: str | None = None
) -> QgsCategorizedSymbolRenderer:
    cats = []
    for value, colour in colours.items():
        if geometry == "polygon":
            symbol = _fill(colour)
        else:
            symbol = QgsLineSymbol.createSimple({"line_color": colour, "line_width": "0.6"})
            if width:
                symbol.symbolLayer(0).setDataDefinedProperty(
                    QgsSymbolLayer.PropertyStrokeWidth, QgsProperty.fromExpression(width)
                )
        cats.append(QgsRendererCategory(value, symbol, tr(labels[value])))
    return QgsCategorizedSymbolRenderer(field, cats)


def lisa_renderer() -> QgsCategorizedSymbolRenderer:
    """Categorised renderer of LISA clusters (field ``lisa_cl``) in GeoDa colours."""
    return _categorized(LISA_FIELD, LISA_COLOURS, LISA_LABELS)


def lisa_significance_renderer() -> QgsCategorizedSymbolRenderer:
    """Categorised renderer of the LISA significance map (field ``lisa_pcl``), greens by p."""
    return _categorized(LISA_P_FIELD, LISA_P_COLOURS, LISA_P_LABELS)


def gistar_renderer() -> QgsCategorizedSymbolRenderer:
    """Categorised renderer of Getis-Ord Gi* hot and cold spots (field ``gi_cl``)."""
    return _categorized(GI_FIELD, GI_COLOURS, GI_LABELS)


def adoption_period_renderer() -> QgsCategorizedSymbolRenderer:
    """Categorised renderer of the first policy period (field ``period``; seed 001 Fig. 1)."""
    return _categorized(PERIOD_FIELD, PERIOD_COLOURS, PERIOD_LABELS)


def pilot_batch_renderer() -> QgsCategorizedSymbolRenderer:
    """Categorised renderer of low-carbon pilot batches 1-3 (field ``batch``; seed 002 Fig. 2)."""
    renderer = _categorized(BATCH_FIELD, BATCH_COLOURS, BATCH_LABELS)
    renderer.addCategory(QgsRendererCategory(None, _fill("#ffffff", "#bdbdbd"), tr("Not a pilot")))
    return renderer


def coordination_links_renderer() -> QgsCategorizedSymbolRenderer:
    """Lines coloured by link type, width 0.4 mm + 0.5 mm per event (capped at 4 mm).

    Fields ``link_type`` and ``n_events`` (seed 001 Fig. 2).
    """
    width = f'min(4, 0.4 + 0.5 * coalesce("{LINK_COUNT_FIELD}", 1))'
    return _categorized(LINK_TYPE_FIELD, LINK_COLOURS, LINK_LABELS, geometry="line", width=width)


def diffusion_arrows_renderer() -> QgsGraduatedSymbolRenderer:
    """Arrows from earlier to later adopters, coloured by the lag in years (field ``lag_years``)."""
    ranges = []
    for lo, hi, colour, label in (
        (0, 1, "#fd8d3c", tr("0-1 years")),
        (1, 3, "#e6550d", tr("2-3 years")),
        (3, 100, "#a63603", tr("4+ years")),
    ):
        arrow = QgsArrowSymbolLayer()
        arrow.setIsCurved(False)
        arrow.setIsRepeated(False)
        arrow.setArrowWidth(0.6)
        arrow.setArrowStartWidth(0.6)
        arrow.setHeadLength(2.5)
        arrow.setHeadThickness(1.5)
        arrow.subSymbol().setColor(QColor(colour))
        symbol = QgsLineSymbol()
        symbol.changeSymbolLayer(0, arrow)
        ranges.append(QgsRendererRange(lo, hi, symbol, label))
    return QgsGraduatedSymbolRenderer(LAG_FIELD, ranges)


def netinf_ties_renderer() -> QgsSingleSymbolRenderer:
    """Purple dashed arrows of inferred diffusion ties, wider for ties explaining more cascades.

    Field ``n_cascades``; drawn beside the coordination links (solid, coloured by type).
    """
    arrow = QgsArrowSymbolLayer()
    arrow.setIsCurved(True)
    arrow.setIsRepeated(False)
    arrow.setArrowWidth(0.5)
    arrow.setArrowStartWidth(0.5)
    arrow.setHeadLength(2.5)
    arrow.setHeadThickness(1.5)
    arrow.subSymbol().setColor(QColor("#6a3d9a"))
    arrow.setDataDefinedProperty(
        QgsSymbolLayer.PropertyArrowWidth,
        QgsProperty.fromExpression('min(2, 0.3 + 0.3 * coalesce("n_cascades", 1))'),
    )
    symbol = QgsLineSymbol()
    symbol.changeSymbolLayer(0, arrow)
    return QgsSingleSymbolRenderer(symbol)


def hazard_ratio_renderer() -> QgsGraduatedSymbolRenderer:
    """Units by their hazard (or odds) ratio of adoption, diverging around 1 (field ``hazard_ratio``).

    Fixed classes, symmetric on the log scale: below 1 / 1.25 blue, 1 / 1.25 - 1.25 grey, above
    reds up to 4 and more; units not at risk (no ratio) are not drawn by these ranges.
    """
    ranges = []
    for lo, hi, colour, label in (
        (0.0, 0.8, "#4393c3", tr("Below 0.8 (lower hazard)")),
        (0.8, 1.25, "#f7f7f7", tr("0.8-1.25 (about the same)")),
        (1.25, 2.0, "#fddbc7", tr("1.25-2")),
        (2.0, 4.0, "#ef8a62", tr("2-4")),
        (4.0, 1e12, "#b2182b", tr("4 and more")),
    ):
        ranges.append(QgsRendererRange(lo, hi, _fill(colour), label))
    return QgsGraduatedSymbolRenderer(RATIO_FIELD, ranges)


BUILDERS = {
    "lisa": lisa_renderer,
    "lisa_significance": lisa_significance_renderer,
    "gistar": gistar_renderer,
    "adoption_period": adoption_period_renderer,
    "pilot_batch": pilot_batch_renderer,
    "coordination_links": coordination_links_renderer,
    "diffusion_arrows": diffusion_arrows_renderer,
    "netinf_ties": netinf_ties_renderer,
    "hazard_ratio": hazard_ratio_renderer,
}


def style_path(name: str) -> Path:
    """Path of a shipped QML style.

    Parameters
    ----------
    name : str
        One of :data:`STYLES`.

    Returns
    -------
    Path
    """
    if name not in STYLES:
        raise KeyError(f"unknown style {name!r}; styles are {', '.join(STYLES)}")
    return STYLE_DIR / f"{name}.qml"


def apply_style(layer: QgsVectorLayer, name: str) -> None:
    """Load a shipped QML style onto a layer and repaint it.

    Parameters
    ----------
    layer : QgsVectorLayer
    name : str
        One of :data:`STYLES`.

    Raises
    ------
    RuntimeError
        When QGIS cannot read the style.
    """
    message, ok = layer.loadNamedStyle(str(style_path(name)))
    if not ok:
        raise RuntimeError(f"cannot load style {name!r}: {message}")
    # QML legends are stored in English; translate the category labels for this UI language.
    renderer = layer.renderer()
    if isinstance(renderer, QgsCategorizedSymbolRenderer):
        for i, cat in enumerate(renderer.categories()):
            renderer.updateCategoryLabel(i, tr(cat.label()))
    elif isinstance(renderer, QgsGraduatedSymbolRenderer):
        for i, rng in enumerate(renderer.ranges()):
            renderer.updateRangeLabel(i, tr(rng.label()))
    layer.triggerRepaint()


def write_styles(directory: Path = STYLE_DIR) -> list[Path]:
    """(Re)generate every shipped QML style from the renderer builders.

    Parameters
    ----------
    directory : Path
        Where to write ``<name>.qml``.

    Returns
    -------
    list of Path
    """
    from qgis.core import QgsReadWriteContext
    from qgis.PyQt.QtXml import QDomDocument

    written = []
    for name, build in BUILDERS.items():
        geometry = "LineString" if name in LINE_STYLES else "Polygon"
        layer = QgsVectorLayer(f"{geometry}?crs=EPSG:4326", name, "memory")
        layer.setRenderer(build())
        doc = QDomDocument()
        layer.exportNamedStyle(doc, QgsReadWriteContext(), QgsVectorLayer.Symbology)
        path = directory / f"{name}.qml"
        path.write_text(doc.toString(2), encoding="utf-8")
        written.append(path)
    return written


def graduated_choropleth(
    layer: QgsVectorLayer,
    field: str,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    ramp: str = "YlOrRd",
) -> list[float]:
    """Style a polygon layer as a graduated choropleth with mapclassify classes.

    Parameters
    ----------
    layer : QgsVectorLayer
    field : str
        Numeric field.
    scheme : {'quantiles', 'equal_interval', 'natural_breaks', 'fisher_jenks', 'std_mean'}
        mapclassify classifier (Rey, Stephens and Laura 2017) computing the class upper bounds.
    k : int
        Number of classes (ignored by ``std_mean``).
    ramp : str
        Name of a QGIS colour ramp (ColorBrewer names are built in).

    Returns
    -------
    list of float
        Class upper bounds as mapclassify computed them (the renderer uses exactly these).
    """
    import mapclassify
    import numpy as np
    from qgis.core import QgsStyle

    values = np.array(
        [f[field] for f in layer.getFeatures() if f[field] is not None and f[field] == f[field]],
        dtype=float,
    )
    classifiers = {
        "quantiles": lambda y: mapclassify.Quantiles(y, k=k),
        "equal_interval": lambda y: mapclassify.EqualInterval(y, k=k),
        "natural_breaks": lambda y: mapclassify.NaturalBreaks(y, k=k),
        "fisher_jenks": lambda y: mapclassify.FisherJenks(y, k=k),
        "std_mean": lambda y: mapclassify.StdMean(y),
    }
    if scheme not in classifiers:
        raise ValueError(f"unknown scheme {scheme!r}; use one of {', '.join(classifiers)}")
    classes = classifiers[scheme](values)
    bins = [float(b) for b in classes.bins]
    colour_ramp = QgsStyle.defaultStyle().colorRamp(ramp)
    ranges = []
    lower = float(values.min())
    for i, upper in enumerate(bins):
        colour = colour_ramp.color(i / max(1, len(bins) - 1))
        symbol = QgsSymbol.defaultSymbol(layer.geometryType())
        symbol.setColor(colour)
        ranges.append(QgsRendererRange(lower, upper, symbol, f"{lower:.4g} - {upper:.4g}"))
        lower = upper
    layer.setRenderer(QgsGraduatedSymbolRenderer(field, ranges))
    layer.triggerRepaint()
    return bins


def set_yearly_temporal(
    layer: QgsVectorLayer, start_year_field: str, end_year_field: str | None = None
) -> None:
    """Give a layer temporal properties so the Temporal Controller animates it year by year.

    Each feature is shown from 1 January of ``start_year_field``; with ``end_year_field`` it is
    hidden from 1 January of the year after, otherwise it stays (cumulative adoption).

    Parameters
    ----------
    layer : QgsVectorLayer
    start_year_field : str
        Integer year field.
    end_year_field : str, optional
        Integer year field (inclusive); when None, the feature never ends.
    """
    props = layer.temporalProperties()
    props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromExpressions)
    props.setStartExpression(f'make_date("{start_year_field}", 1, 1)')
    if end_year_field:
        props.setEndExpression(f'make_date("{end_year_field}" + 1, 1, 1)')
    else:
        props.setEndExpression("make_date(9999, 12, 31)")
    props.setIsActive(True)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    for p in write_styles():
        print(p)
