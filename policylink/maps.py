"""Static thematic maps: pilot batches, adoption by period, coordination links, LISA, choropleth.

Every map is drawn with matplotlib (classes with mapclassify) in an Albers equal-area conic
projection fitted to the data (central meridian at the centre of the extent, standard parallels
at 1/6 and 5/6 of its latitude range), so the scale bar is computed in metres and stays within
about 1 % of true along the map (Snyder 1987, *Map Projections: A Working Manual*, ch. 14).
Each map carries a legend, a scale bar, a north arrow (north is straight up on the central
meridian), and a source note stating whether the data are real or SYNTHETIC. Chinese labels use
a CJK font found with :mod:`matplotlib.font_manager` (Noto CJK from ``fonts-noto-cjk``).

The functions here take GeoDataFrames / DataFrames and return :class:`matplotlib.figure.Figure`;
reading them from the database lives in :mod:`policylink.mapdata`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrow, Patch, Rectangle  # noqa: E402

from policylink.errors import ConfigError  # noqa: E402

LANGS = ("zh", "en")

#: Cluster colours of GeoDa's LISA cluster map (Anselin, GeoDa documentation, "Local Spatial
#: Autocorrelation"): HH red, LL blue, LH light blue, HL light red, not significant grey;
#: units without neighbours (never tested) darker grey, as GeoDa's "Neighborless".
LISA_COLOURS: dict[str, str] = {
    "HH": "#ff0000",
    "LL": "#0000ff",
    "LH": "#a7adf9",
    "HL": "#f4ada8",
    "ns": "#eeeeee",
    "neighbourless": "#999999",
}

#: Colours of the three low-carbon pilot batches (city pilots dark, province coverage light).
BATCH_COLOURS: dict[int, tuple[str, str]] = {
    1: ("#b2182b", "#f4a582"),
    2: ("#2166ac", "#92c5de"),
    3: ("#1b7837", "#a6dba0"),
}

#: Colours for coordination-link kinds (policy_event.kind values).
KIND_COLOURS: dict[str, str] = {
    "coordination_agreement": "#1f77b4",
    "industrial_transfer": "#d62728",
    "co_construction": "#2ca02c",
    "division_of_labour": "#9467bd",
    "innovation_cooperation": "#ff7f0e",
    "other": "#7f7f7f",
}

#: Dash pattern of the links of undated events (matplotlib ``linestyle``).
UNDATED_DASHES: tuple[int, tuple[int, int]] = (0, (3, 2))

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "north": "北",
        "source": "来源",
        "synthetic": "合成数据（SYNTHETIC，仅用于演示）",
        "real": "真实数据",
        "no_data": "无数据",
        "not_pilot": "非试点",
        "batch": "第{n}批",
        "city_pilot": "试点城市",
        "province_pilot": "试点省份覆盖",
        "never": "未出台",
        "links": "{n} 次事件",
        "undated_links": "日期不详的事件（虚线，{n}）",
        "lisa_title": "LISA 聚类",
        "ns": "不显著",
        "neighbourless": "无邻居",
        "HH": "高-高",
        "LL": "低-低",
        "LH": "低-高",
        "HL": "高-低",
        "km": "公里",
        "period": "首次出台时段",
    },
    "en": {
        "north": "N",
        "source": "Source",
        "synthetic": "SYNTHETIC data (for demonstration only)",
        "real": "real data",
        "no_data": "no data",
        "not_pilot": "not a pilot",
        "batch": "batch {n}",
        "city_pilot": "pilot city",
        "province_pilot": "covered by pilot province",
        "never": "no policy",
        "links": "{n} event(s)",
        "undated_links": "undated events (dashed, {n})",
        "lisa_title": "LISA cluster",
        "ns": "not significant",
        "neighbourless": "neighbourless",
        "HH": "High-High",
        "LL": "Low-Low",
        "LH": "Low-High",
        "HL": "High-Low",
        "km": "km",
        "period": "first period",
    },
}

KIND_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "coordination_agreement": "合作协议",
        "industrial_transfer": "产业转移",
        "co_construction": "共建园区",
        "division_of_labour": "分工协作",
        "innovation_cooperation": "创新合作",
        "other": "其他",
    },
    "en": {
        "coordination_agreement": "coordination agreement",
        "industrial_transfer": "industrial transfer",
        "co_construction": "co-construction",
        "division_of_labour": "division of labour",
        "innovation_cooperation": "innovation cooperation",
        "other": "other",
    },
}


def text(key: str, lang: str = "zh", **fmt: Any) -> str:
    """Return the label ``key`` in language ``lang`` (``zh`` or ``en``).

    Parameters
    ----------
    key : str
        Label key (see ``_TEXT``).
    lang : {'zh', 'en'}
        Language.
    **fmt
        Values for ``str.format`` placeholders.

    Returns
    -------
    str
    """
    check_lang(lang)
    return _TEXT[lang][key].format(**fmt)


def check_lang(lang: str) -> None:
    """Raise :class:`ConfigError` unless ``lang`` is ``zh`` or ``en``."""
    if lang not in LANGS:
        raise ConfigError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")


# --------------------------------------------------------------------------------------------
# fonts


_CJK_PREFERENCE = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
)


def cjk_font_family() -> str:
    """Return the name of an installed font family that has Chinese glyphs.

    Looks through :data:`matplotlib.font_manager.fontManager` for Noto CJK (installed by
    ``scripts/ensure_system.sh`` as ``fonts-noto-cjk``) or another common CJK family.

    Returns
    -------
    str
        Font family name.

    Raises
    ------
    ConfigError
        If no CJK font is installed (labels would render as empty boxes).
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    for want in _CJK_PREFERENCE:
        if want in names:
            return want
    for name in sorted(names):
        if "CJK" in name:
            return name
    raise ConfigError(
        "no CJK font found for Chinese map labels; install fonts-noto-cjk "
        "(scripts/ensure_system.sh core does it)"
    )


def cjk_font_path() -> str:
    """Return the file of the font family chosen by :func:`cjk_font_family`."""
    family = cjk_font_family()
    return font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )


def use_cjk_font() -> str:
    """Configure matplotlib to draw every label with the CJK font (DejaVu Sans as fallback).

    Noto CJK covers Latin and Chinese, so mixed labels such as "2010 第一批" render without
    missing-glyph boxes; matplotlib (>= 3.6) falls back glyph by glyph through the
    ``font.family`` list for anything else (e.g. rare symbols).

    Returns
    -------
    str
        The CJK family used.
    """
    family = cjk_font_family()
    plt.rcParams["font.family"] = [family, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return family


# --------------------------------------------------------------------------------------------
# projection, scale bar, north arrow, notes


def fitted_albers(gdf: gpd.GeoDataFrame) -> str:
    """Return a PROJ string for an Albers equal-area conic fitted to the extent of ``gdf``.

    The central meridian is the middle of the longitude range; the standard parallels sit at
    1/6 and 5/6 of the latitude range (Snyder 1987, eq. 14-1 ff. and the "one-sixth rule" of
    Deetz & Adams), which keeps the scale error small inside the extent.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer in any CRS (reprojected to EPSG:4326 to read the extent).

    Returns
    -------
    str
        PROJ definition (units: metres, datum WGS 84).
    """
    minx, miny, maxx, maxy = gdf.to_crs(4326).total_bounds
    lon0 = (minx + maxx) / 2
    span = max(maxy - miny, 1.0)
    lat1 = miny + span / 6
    lat2 = maxy - span / 6
    return (
        f"+proj=aea +lat_0={(miny + maxy) / 2:.4f} +lon_0={lon0:.4f} +lat_1={lat1:.4f} "
        f"+lat_2={lat2:.4f} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )


def nice_length(target_m: float) -> float:
    """Round a length in metres down to 1, 2 or 5 times a power of ten.

    Parameters
    ----------
    target_m : float
        Wanted length (> 0).

    Returns
    -------
    float
        The largest of 1, 2, 5 x 10^k not above ``target_m``.
    """
    if target_m <= 0:
        raise ValueError("target length must be positive")
    exp = math.floor(math.log10(target_m))
    base = 10.0**exp
    for m in (5, 2, 1):
        if m * base <= target_m:
            return m * base
    return base  # pragma: no cover - unreachable


def add_scale_bar(ax: plt.Axes, lang: str = "zh", fraction: float = 0.25) -> float:
    """Draw a two-segment scale bar in the lower left of a map in a metric projection.

    Parameters
    ----------
    ax : Axes
        Map axes whose data units are metres.
    lang : {'zh', 'en'}
        Language of the unit label.
    fraction : float
        Target bar length as a fraction of the map width.

    Returns
    -------
    float
        The bar length in metres.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length((x1 - x0) * fraction)
    h = (y1 - y0) * 0.012
    bx = x0 + (x1 - x0) * 0.05
    by = y0 + (y1 - y0) * 0.06
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 2, by),
                length / 2,
                h,
                facecolor=colour,
                edgecolor="black",
                linewidth=0.8,
                zorder=20,
            )
        )
    unit = text("km", lang)
    for pos, val in ((0, 0), (length / 2, length / 2000), (length, length / 1000)):
        label = f"{val:g}" + (f" {unit}" if pos == length else "")
        ax.text(bx + pos, by + h * 1.6, label, ha="center", va="bottom", fontsize=7, zorder=20)
    return length


def add_north_arrow(ax: plt.Axes, lang: str = "zh") -> None:
    """Draw a north arrow in the upper right (north is up on the central meridian)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x1 - (x1 - x0) * 0.06
    y = y1 - (y1 - y0) * 0.16
    dy = (y1 - y0) * 0.08
    ax.add_patch(
        FancyArrow(
            x,
            y,
            0,
            dy,
            width=(x1 - x0) * 0.008,
            head_width=(x1 - x0) * 0.03,
            head_length=dy * 0.4,
            length_includes_head=True,
            color="black",
            zorder=20,
        )
    )
    ax.text(x, y + dy * 1.1, text("north", lang), ha="center", va="bottom", fontsize=10, zorder=20)


@dataclass(frozen=True)
class MapNote:
    """What the source note under a map says.

    Attributes
    ----------
    sources : sequence of str
        One line per input (boundaries, events, panel) naming where it comes from.
    synthetic : bool
        True when any mapped value is synthetic; the note then says SYNTHETIC in capitals.
    """

    sources: Sequence[str]
    synthetic: bool = False

    def render(self, lang: str) -> str:
        """Return the note text in ``lang``."""
        head = text("synthetic", lang) if self.synthetic else text("real", lang)
        return f"{text('source', lang)}: " + "; ".join(self.sources) + f" — {head}"


def _no_draw(*_args: Any, **_kwargs: Any) -> None:
    return None


def _new_map(title: str) -> tuple[Figure, plt.Axes]:
    use_cjk_font()
    fig, ax = plt.subplots(figsize=(8.0, 7.0), dpi=120)
    # geopandas asks for a redraw after every layer it plots (canvas.draw_idle), which the Agg
    # canvas runs at once: the national pilot map was rendered 14 times (~1.3 s) before the
    # one render that saving it needs. _finish gives the canvas its own draw_idle back.
    fig.canvas.draw_idle = _no_draw  # type: ignore[method-assign]
    ax.set_title(title, fontsize=13)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig, ax


def _finish(fig: Figure, ax: plt.Axes, note: MapNote, lang: str) -> Figure:
    fig.canvas.__dict__.pop("draw_idle", None)  # see _new_map
    # Pad the extent so that the scale bar and north arrow do not sit on the data.
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    px, py = (x1 - x0) * 0.04, (y1 - y0) * 0.12
    ax.set_xlim(x0 - px, x1 + px)
    ax.set_ylim(y0 - py, y1 + py * 0.6)
    add_scale_bar(ax, lang)
    add_north_arrow(ax, lang)
    fig.text(0.01, 0.01, note.render(lang), fontsize=7, ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def unit_name(row: Mapping[str, Any] | pd.Series, lang: str) -> str:
    """Return the unit name in ``lang`` (English falls back to Chinese when missing)."""
    if lang == "en":
        name = row.get("name_en")
        if isinstance(name, str) and name:
            return name
    return str(row.get("name_zh") or row.get("code"))


def _project(units: gpd.GeoDataFrame, *others: gpd.GeoDataFrame | None) -> tuple[Any, ...]:
    if units.empty:
        raise ConfigError("nothing to map: no administrative units were selected")
    if units.crs is None:
        units = units.set_crs(4326)
    crs = fitted_albers(units)
    out = [units.to_crs(crs)]
    for o in others:
        if o is None or o.empty:
            out.append(o)
        else:
            out.append((o if o.crs is not None else o.set_crs(4326)).to_crs(crs))
    return tuple(out)


def _label_units(ax: plt.Axes, units: gpd.GeoDataFrame, lang: str, fontsize: float = 7) -> None:
    for _, row in units.iterrows():
        p = row.geometry.representative_point()
        ax.text(
            p.x,
            p.y,
            unit_name(row, lang),
            ha="center",
            va="center",
            fontsize=fontsize,
            zorder=15,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
        )


# --------------------------------------------------------------------------------------------
# map kinds


def _plot_classes(
    ax: plt.Axes,
    gdf: gpd.GeoDataFrame,
    column: str,
    colours: Mapping[Any, Any],
    label: Callable[[Any, int], str],
    handles: list[Any],
) -> None:
    """Fill the units of each class of ``column`` (in ``colours`` order); one legend entry each.

    Every class gets an entry, with its unit count, even when no unit falls in it.
    """
    for key, colour in colours.items():
        sel = gdf[gdf[column] == key]
        if not sel.empty:
            sel.plot(ax=ax, color=colour, edgecolor="#555555", linewidth=0.4)
        handles.append(Patch(facecolor=colour, edgecolor="#555555", label=label(key, len(sel))))


def _plot_missing(
    ax: plt.Axes, gdf: gpd.GeoDataFrame, missing: pd.Series, handles: list[Any], lang: str
) -> None:
    """Hatch the units without a value (boolean mask ``missing``) and add a 'no data' entry."""
    sel = gdf[missing]
    if sel.empty:
        return
    sel.plot(ax=ax, color="white", edgecolor="#999999", hatch="//", linewidth=0.3)
    handles.append(
        Patch(facecolor="white", edgecolor="#999999", hatch="//", label=text("no_data", lang))
    )


def _legend_and_finish(
    fig: Figure,
    ax: plt.Axes,
    gdf: gpd.GeoDataFrame | None,
    handles: list[Any],
    note: MapNote,
    lang: str,
    **legend: Any,
) -> Figure:
    """Unit names (when ``gdf`` is given), the legend at the lower right, then :func:`_finish`."""
    if gdf is not None:
        _label_units(ax, gdf, lang)
    ax.legend(handles=handles, loc="lower right", fontsize=8, **legend)
    return _finish(fig, ax, note, lang)


def map_pilots(
    units: gpd.GeoDataFrame,
    pilots: pd.DataFrame,
    *,
    title: str,
    note: MapNote,
    lang: str = "zh",
    provinces: gpd.GeoDataFrame | None = None,
) -> Figure:
    """Map low-carbon pilot batches (seed 002 Fig. 2 layout, extended to batch 3).

    Parameters
    ----------
    units : GeoDataFrame
        Units to draw (``code``, ``name_zh``, ``name_en``, geometry), e.g. all prefectures.
    pilots : DataFrame
        ``code``, ``batch`` (1, 2, 3) and ``scope`` (``city`` for a designated city,
        ``province`` for a unit covered by a designated province). A unit listed more than
        once keeps its earliest batch (seed 004 coding rule).
    title : str
        Map title.
    note : MapNote
        Source note.
    lang : {'zh', 'en'}
        Label language.
    provinces : GeoDataFrame, optional
        Province outlines drawn on top.

    Returns
    -------
    Figure
    """
    check_lang(lang)
    units, provinces = _project(units, provinces)
    p = pilots.sort_values(["batch", "scope"]).drop_duplicates("code", keep="first")
    gdf = units.merge(p[["code", "batch", "scope"]], on="code", how="left")
    fig, ax = _new_map(title)
    handles: list[Any] = [
        Patch(facecolor="#f7f7f7", edgecolor="#bbbbbb", label=text("not_pilot", lang))
    ]

    def draw(target: plt.Axes, collect: bool) -> None:
        shown, outlines = _in_view(target, gdf, provinces)
        if shown["batch"].isna().any():
            shown[shown["batch"].isna()].plot(
                ax=target, color="#f7f7f7", edgecolor="#bbbbbb", linewidth=0.2
            )
        for batch in sorted(BATCH_COLOURS):
            dark, light = BATCH_COLOURS[batch]
            for scope, colour in (("province", light), ("city", dark)):
                sel = shown[(shown["batch"] == batch) & (shown["scope"] == scope)]
                if sel.empty:
                    continue
                sel.plot(ax=target, color=colour, edgecolor="#666666", linewidth=0.2)
                if collect:
                    what = text("city_pilot" if scope == "city" else "province_pilot", lang)
                    label = f"{text('batch', lang, n=batch)}: {what} ({len(sel)})"
                    handles.append(Patch(facecolor=colour, edgecolor="#666666", label=label))
        if outlines is not None and not outlines.empty:
            outlines.boundary.plot(ax=target, color="#333333", linewidth=0.5)

    draw(ax, collect=True)  # before the inset sets the main extent: every unit, all counted
    inset = _south_sea_inset(ax, gdf, lang)
    if inset is not None:
        draw(inset, collect=False)
    legend_loc = "lower left" if inset is not None else "lower right"
    anchor = (0.0, 0.12) if inset is not None else None
    ax.legend(handles=handles, loc=legend_loc, bbox_to_anchor=anchor, fontsize=8, framealpha=0.9)
    return _finish(fig, ax, note, lang)


def _in_view(
    target: plt.Axes, gdf: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """The rows whose bounding boxes meet the axes' limits when they were set (the South China
    Sea inset: the units around it instead of the nation's), else all: what falls outside the
    limits is not drawn anyway."""
    if target.get_autoscale_on():
        return gdf, outlines
    (x0, x1), (y0, y1) = sorted(target.get_xlim()), sorted(target.get_ylim())
    sub = gdf.cx[x0:x1, y0:y1]
    return sub, None if outlines is None else outlines.cx[x0:x1, y0:y1]


def _south_sea_inset(ax: plt.Axes, gdf: gpd.GeoDataFrame, lang: str) -> plt.Axes | None:
    """For national maps: main extent on the mainland and Hainan, islands of the South China
    Sea in an inset (the usual layout of Chinese national maps). None when not needed."""
    ll = gdf.to_crs(4326)
    if len(gdf) < 30 or ll.total_bounds[1] >= 15:
        return None
    from pyproj import Transformer

    rp = ll.geometry.representative_point()
    main = gdf[(rp.y >= 17).to_numpy()]
    minx, miny, maxx, maxy = main.total_bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ins = ax.inset_axes([0.80, 0.0, 0.20, 0.30])
    tr = Transformer.from_crs(4326, gdf.crs, always_xy=True)
    xs, ys = tr.transform([105.0, 123.0, 105.0, 123.0], [3.0, 3.0, 24.0, 24.0])
    ins.set_xlim(min(xs), max(xs))
    ins.set_ylim(min(ys), max(ys))
    ins.set_aspect("equal")
    ins.set_xticks([])
    ins.set_yticks([])
    ins.set_title("南海诸岛" if lang == "zh" else "South China Sea islands", fontsize=7)
    return ins


def map_adoption(
    units: gpd.GeoDataFrame,
    adoption: pd.DataFrame,
    *,
    periods: Sequence[str],
    title: str,
    note: MapNote,
    lang: str = "zh",
    labels: bool = True,
) -> Figure:
    """Map the period in which each unit first adopted a policy (seed 001 Fig. 1 layout).

    Parameters
    ----------
    units : GeoDataFrame
        Units (``code``, names, geometry).
    adoption : DataFrame
        ``code`` and ``period`` (one of ``periods``; units absent here never adopted).
    periods : sequence of str
        Period labels in time order (colour ramp from dark = earliest to light = latest).
    title, note, lang
        As in :func:`map_pilots`.
    labels : bool
        Write unit names on the map.

    Returns
    -------
    Figure
    """
    check_lang(lang)
    (units,) = _project(units)
    gdf = units.merge(adoption[["code", "period"]], on="code", how="left")
    unknown = set(gdf["period"].dropna()) - set(periods)
    if unknown:
        raise ConfigError(f"adoption periods not in the period list: {sorted(unknown)}")
    cmap = plt.get_cmap("YlOrRd_r")
    colours = {p: cmap(0.15 + 0.6 * i / max(len(periods) - 1, 1)) for i, p in enumerate(periods)}
    fig, ax = _new_map(title)
    handles: list[Any] = []
    _plot_classes(ax, gdf, "period", colours, lambda p, n: f"{p} ({n})", handles)
    never = gdf[gdf["period"].isna()]
    if not never.empty:
        never.plot(ax=ax, color="#f0f0f0", edgecolor="#999999", linewidth=0.3)
    handles.append(
        Patch(
            facecolor="#f0f0f0", edgecolor="#999999", label=f"{text('never', lang)} ({len(never)})"
        )
    )
    return _legend_and_finish(
        fig, ax, gdf if labels else None, handles, note, lang, title=text("period", lang)
    )


def map_links(
    units: gpd.GeoDataFrame,
    links: gpd.GeoDataFrame,
    *,
    title: str,
    note: MapNote,
    lang: str = "zh",
    labels: bool = True,
) -> Figure:
    """Map coordination links between units (seed 001 Fig. 2 layout).

    Parameters
    ----------
    units : GeoDataFrame
        Background units (``code``, names, geometry).
    links : GeoDataFrame
        One row per linked pair and kind, as the database's ``coordination_link_kind_at`` gives
        them (:func:`policylink.mapdata.read_links` ``.pairs``; nothing is counted here):
        ``n_events`` (line width is proportional to it), ``kind`` (line colour, see
        :data:`KIND_COLOURS`), optionally ``n_undated`` (how many of the events are undated)
        and a LineString geometry. Dated events are drawn solid; undated ones dashed (beside
        the solid line when a pair has both), with a legend entry: they are in no year.
    title, note, lang, labels
        As in :func:`map_adoption`.

    Returns
    -------
    Figure
    """
    check_lang(lang)
    units, links = _project(units, links)
    fig, ax = _new_map(title)
    units.plot(ax=ax, color="#f4f1ea", edgecolor="#8c8c8c", linewidth=0.4)
    handles: list[Any] = []
    if links is not None and not links.empty:
        links = links.copy()
        links["kind"] = links["kind"].where(links["kind"].isin(KIND_COLOURS), "other")
        if "n_undated" not in links:
            links["n_undated"] = 0
        links["n_undated"] = links["n_undated"].fillna(0).astype(int)
        links["n_dated"] = links["n_events"].astype(int) - links["n_undated"]
        wmax = float(links["n_events"].max())
        # a pair with dated and undated events: the dashed line runs beside the solid one
        xmin, ymin, xmax, ymax = units.total_bounds
        gap = 0.006 * max(xmax - xmin, ymax - ymin)
        for kind in KIND_COLOURS:
            sel = links[links["kind"] == kind]
            if sel.empty:
                continue
            dated = sel[sel["n_dated"] > 0]
            if not dated.empty:
                widths = 0.8 + 4.2 * dated["n_dated"].to_numpy(float) / wmax
                dated.plot(ax=ax, color=KIND_COLOURS[kind], linewidth=widths, alpha=0.85, zorder=5)
            undated = sel[sel["n_undated"] > 0].copy()
            if not undated.empty:
                undated["geometry"] = [
                    g.offset_curve(gap) if both else g
                    for g, both in zip(undated.geometry, undated["n_dated"] > 0, strict=True)
                ]
                widths = 0.8 + 4.2 * undated["n_undated"].to_numpy(float) / wmax
                undated.plot(
                    ax=ax,
                    color=KIND_COLOURS[kind],
                    linewidth=widths,
                    linestyle=UNDATED_DASHES,
                    alpha=0.85,
                    zorder=5,
                )
            handles.append(
                Line2D(
                    [0],
                    [0],
                    color=KIND_COLOURS[kind],
                    lw=2.5,
                    label=f"{KIND_LABELS[lang][kind]} ({int(sel['n_events'].sum())})",
                )
            )
        for n in sorted({1, int(round(wmax / 2)) or 1, int(wmax)}):
            handles.append(
                Line2D(
                    [0],
                    [0],
                    color="#444444",
                    lw=0.8 + 4.2 * n / wmax,
                    label=text("links", lang, n=n),
                )
            )
        n_undated = int(links["n_undated"].sum())
        if n_undated:
            handles.append(
                Line2D(
                    [0],
                    [0],
                    color="#444444",
                    lw=1.5,
                    linestyle=UNDATED_DASHES,
                    label=text("undated_links", lang, n=n_undated),
                )
            )
    else:
        handles.append(Line2D([0], [0], color="#444444", lw=1, label=text("no_data", lang)))
    return _legend_and_finish(
        fig, ax, units if labels else None, handles, note, lang, framealpha=0.9
    )


def map_lisa(
    units: gpd.GeoDataFrame,
    clusters: pd.DataFrame,
    *,
    title: str,
    note: MapNote,
    lang: str = "zh",
    labels: bool = True,
) -> Figure:
    """Map local Moran clusters with GeoDa's colours.

    Parameters
    ----------
    units : GeoDataFrame
        Units (``code``, names, geometry).
    clusters : DataFrame
        ``code`` and ``cluster`` in {HH, LL, LH, HL, ns} (Anselin 1995 quadrants; ``ns`` = not
        significant at the chosen level).
    title, note, lang, labels
        As in :func:`map_adoption`.

    Returns
    -------
    Figure
    """
    check_lang(lang)
    (units,) = _project(units)
    gdf = units.merge(clusters[["code", "cluster"]], on="code", how="left")
    bad = set(gdf["cluster"].dropna()) - set(LISA_COLOURS)
    if bad:
        raise ConfigError(f"unknown LISA cluster labels: {sorted(bad)}")
    fig, ax = _new_map(title)
    handles: list[Any] = []
    _plot_classes(ax, gdf, "cluster", LISA_COLOURS, lambda c, n: f"{text(c, lang)} ({n})", handles)
    _plot_missing(ax, gdf, gdf["cluster"].isna(), handles, lang)
    return _legend_and_finish(
        fig, ax, gdf if labels else None, handles, note, lang, title=text("lisa_title", lang)
    )


def map_choropleth(
    units: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    title: str,
    legend_title: str,
    note: MapNote,
    lang: str = "zh",
    scheme: str = "Quantiles",
    k: int = 5,
    cmap: str = "YlOrRd",
    labels: bool = False,
) -> Figure:
    """Choropleth of one variable, classed with mapclassify.

    Parameters
    ----------
    units : GeoDataFrame
        Units (``code``, names, geometry).
    values : DataFrame
        ``code`` and ``value``.
    title, note, lang, labels
        As in :func:`map_adoption`.
    legend_title : str
        Legend title (variable and unit of measure).
    scheme : str
        A mapclassify classifier name (``Quantiles``, ``EqualInterval``, ``NaturalBreaks``,
        ``FisherJenks`` ...).
    k : int
        Number of classes (reduced to the number of distinct values when smaller).
    cmap : str
        Matplotlib colour map.

    Returns
    -------
    Figure
    """
    import mapclassify

    check_lang(lang)
    (units,) = _project(units)
    gdf = units.merge(values[["code", "value"]], on="code", how="left")
    vals = gdf["value"].dropna().to_numpy(float)
    if vals.size == 0:
        raise ConfigError("the selected variable has no values for the selected units and year")
    try:
        classifier = getattr(mapclassify, scheme)
    except AttributeError as exc:
        raise ConfigError(f"unknown classification scheme {scheme!r} (mapclassify)") from exc
    k_eff = max(1, min(k, len(np.unique(vals))))
    classes = classifier(vals, k=k_eff) if k_eff > 1 else None
    fig, ax = _new_map(title)
    ramp = plt.get_cmap(cmap)
    handles: list[Any] = []
    if classes is None:
        gdf[gdf["value"].notna()].plot(ax=ax, color=ramp(0.6), edgecolor="#555555", linewidth=0.3)
        handles.append(Patch(facecolor=ramp(0.6), label=f"{vals[0]:.4g}"))
    else:
        bins = np.asarray(classes.bins, float)
        nb = len(bins)
        idx = np.full(len(gdf), -1)
        ok = gdf["value"].notna().to_numpy()
        idx[ok] = classes.find_bin(gdf.loc[ok, "value"].to_numpy(float))
        lower = float(vals.min())
        for i, upper in enumerate(bins):
            colour = ramp(0.1 + 0.85 * i / max(nb - 1, 1))
            sel = gdf[idx == i]
            if not sel.empty:
                sel.plot(ax=ax, color=colour, edgecolor="#555555", linewidth=0.3)
            handles.append(
                Patch(
                    facecolor=colour,
                    edgecolor="#555555",
                    label=f"{lower:.4g} – {upper:.4g} ({len(sel)})",
                )
            )
            lower = float(upper)
    _plot_missing(ax, gdf, gdf["value"].isna(), handles, lang)
    return _legend_and_finish(
        fig, ax, gdf if labels else None, handles, note, lang, title=legend_title
    )


# --------------------------------------------------------------------------------------------
# output


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as PNG or PDF (chosen by the file suffix) and close it.

    Parameters
    ----------
    fig : Figure
        The figure.
    path : str or Path
        Output file ending in ``.png`` or ``.pdf``; parent folders are created.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise ConfigError(f"{path}: output must end in .png or .pdf")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150 if suffix == ".png" else None)
    plt.close(fig)
    return path


def legend_texts(fig: Figure) -> list[str]:
    """Return every legend entry and legend title text of ``fig`` (for checks and tests)."""
    out: list[str] = []
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None:
            continue
        title = leg.get_title().get_text()
        if title:
            out.append(title)
        out.extend(t.get_text() for t in leg.get_texts())
    return out
