"""An interactive Leaflet map (through folium) that works offline, for the HTML report.

folium renders a page that loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. The map
drawn here uses none of the tile layers or marker icons, so the page only needs Leaflet: the
external ``<script src>`` / ``<link href>`` tags are removed and Leaflet's own JavaScript and CSS
(Debian package ``libjs-leaflet``, installed by ``scripts/ensure_system.sh``) are inlined. The
result opens from disk with no network access: pan, zoom and hover tooltips.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from policylink.errors import ConfigError

LEAFLET_DIRS = (Path("/usr/share/javascript/leaflet"),)

_EXTERNAL_SCRIPT = re.compile(r"<script[^>]+src=\"https?://[^\"]+\"[^>]*>\s*</script>", re.I)
_EXTERNAL_LINK = re.compile(r"<link[^>]+href=\"https?://[^\"]+\"[^>]*/?>", re.I)


def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's JavaScript and CSS as text from the local installation.

    Returns
    -------
    (str, str)
        ``leaflet.js`` and ``leaflet.css``.

    Raises
    ------
    ConfigError
        If Leaflet is not installed (``apt-get install libjs-leaflet``).
    """
    for d in LEAFLET_DIRS:
        js, css = d / "leaflet.min.js", d / "leaflet.css"
        if not js.exists():
            js = d / "leaflet.js"
        if js.exists() and css.exists():
            return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8")
    raise ConfigError(
        "Leaflet is not installed locally; install the Debian package libjs-leaflet "
        "(scripts/ensure_system.sh core does it)"
    )


def make_offline(page: str) -> str:
    """Remove every external script/stylesheet of a folium page and inline Leaflet.

    Parameters
    ----------
    page : str
        HTML from ``folium.Map.get_root().render()``.

    Returns
    -------
    str
        A page with no ``http(s)://`` script or stylesheet references.
    """
    js, css = leaflet_assets()
    page = _EXTERNAL_SCRIPT.sub("", page)
    page = _EXTERNAL_LINK.sub("", page)
    # Inline before folium's own map script (which lives in the body) runs.
    inline = f"<style>{css}</style>\n<script>{js}</script>\n"
    if "</head>" not in page:
        raise ValueError("folium page without </head>")
    return page.replace("</head>", inline + "</head>", 1)


def interactive_map(
    units: gpd.GeoDataFrame,
    attrs: pd.DataFrame,
    links: gpd.GeoDataFrame | None,
    *,
    lang: str = "zh",
    title: str = "",
) -> str:
    """Build the offline interactive map of units (hover: name, window, first link, link counts).

    Parameters
    ----------
    units : GeoDataFrame
        ``code``, ``name_zh``, ``name_en``, geometry (EPSG:4326).
    attrs : DataFrame
        ``code`` plus the hover columns: ``adoption_window`` (seed 001 window label),
        ``first_link_year`` (year of the unit's first coordination link; also colours the
        units), ``links`` (link rows the unit is an end of) and ``partners`` (linked units),
        as the database's ``coordination_link_node_at`` gives them.
    links : GeoDataFrame, optional
        Link lines per pair and kind (``n_events``, ``kind``, ``name_a``, ``name_b``), as
        ``coordination_link_kind_at`` gives them.
    lang : {'zh', 'en'}
        Tooltip language.
    title : str
        Title shown above the map.

    Returns
    -------
    str
        A complete, self-contained HTML page.
    """
    import folium

    from policylink.maps import KIND_COLOURS, KIND_LABELS

    gdf = units.to_crs(4326).merge(attrs, on="code", how="left")
    gdf["name"] = gdf["name_zh"] if lang == "zh" else gdf["name_en"].fillna(gdf["name_zh"])
    for col in ("first_link_year", "links", "partners"):
        if col not in gdf:
            gdf[col] = None
        gdf[col] = gdf[col].map(lambda v: "-" if pd.isna(v) else str(int(v)))
    if "adoption_window" not in gdf:
        gdf["adoption_window"] = None
    gdf["adoption_window"] = gdf["adoption_window"].map(lambda v: "-" if pd.isna(v) else str(v))
    fields = ["name", "adoption_window", "first_link_year", "links", "partners"]
    labels = (
        [
            "城市",
            "出台协同政策时段",
            "首次城际协同联系年份",
            "联系数（事件 × 城市对）",
            "联系城市数",
        ]
        if lang == "zh"
        else [
            "city",
            "policy adoption window",
            "first inter-city link",
            "links (event x city pair)",
            "partner cities",
        ]
    )
    minx, miny, maxx, maxy = gdf.total_bounds
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    years = pd.to_numeric(gdf["first_link_year"], errors="coerce")
    lo, hi = (years.min(), years.max()) if years.notna().any() else (0, 1)

    def colour(y: float) -> str:
        if pd.isna(y):
            return "#eeeeee"
        t = 0.0 if hi == lo else (y - lo) / (hi - lo)
        # Dark red for early links fading to yellow for late ones.
        r, g, b = 189 + (255 - 189) * t, 0 + 237 * t, 38 + (160 - 38) * t
        return f"#{int(r):02x}{int(g):02x}{int(b):02x}"

    gdf["fill"] = [colour(y) for y in years]
    layer = gdf[["code", *fields, "fill", "geometry"]]
    folium.GeoJson(
        json.loads(layer.to_json()),
        name="units",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#555555",
            "weight": 0.8,
            "fillOpacity": 0.75,
        },
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=labels, sticky=True),
    ).add_to(m)
    if links is not None and not links.empty:
        wmax = float(links["n_events"].max())
        for row in links.to_crs(4326).itertuples():
            coords = [(y, x) for x, y in row.geometry.coords]
            kind = row.kind if row.kind in KIND_COLOURS else "other"
            tip = f"{row.name_a} – {row.name_b}: {KIND_LABELS[lang][kind]}, {int(row.n_events)}"
            folium.PolyLine(
                coords,
                color=KIND_COLOURS[kind],
                weight=1.5 + 5 * row.n_events / wmax,
                opacity=0.8,
                tooltip=html.escape(tip),
            ).add_to(m)
    if title:
        m.get_root().html.add_child(
            folium.Element(
                f"<h4 style='font-family:sans-serif;margin:4px'>{html.escape(title)}</h4>"
            )
        )
    return make_offline(m.get_root().render())


def iframe(page: str, height: int = 520) -> str:
    """Wrap a complete page in an ``<iframe srcdoc>`` so the report stays one file."""
    return (
        f'<iframe class="interactive" style="width:100%;height:{height}px;border:1px solid #ccc" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
    )
