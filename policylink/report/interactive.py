"""An interactive Leaflet map (through folium) that works offline, for the HTML report.

folium renders a page that loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. The map
drawn here uses none of the tile layers or marker icons, so the page only needs Leaflet: the
external ``<script src>`` / ``<link href>`` tags are removed and Leaflet's own JavaScript and CSS
(Debian package ``libjs-leaflet``, installed by ``scripts/ensure_system.sh``) are inlined. The
result opens from disk with no network access: pan, zoom, hover tooltips, a legend, unit name
labels, layer toggles and a year slider (links and adoption up to a year), all in inline
JavaScript on top of Leaflet.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

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


def _json(data: Any) -> str:
    """JSON for an inline ``<script>`` (no ``</`` that would close it)."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _window_colours(n: int) -> list[str]:
    """``n`` colours from dark red (earliest window) to yellow (latest)."""
    out = []
    for i in range(n):
        t = 0.0 if n <= 1 else i / (n - 1)
        r, g, b = 189 + (255 - 189) * t, 237 * t, 38 + (160 - 38) * t
        out.append(f"#{int(r):02x}{int(g):02x}{int(b):02x}")
    return out


def offset_lines(pairs: pd.DataFrame, spread: float = 0.18, samples: int = 17) -> list[list]:
    """Coordinates of the link lines, with the kinds of one pair drawn as separate arcs.

    A pair linked by one kind gets a straight line; a pair linked by ``k > 1`` kinds gets ``k``
    quadratic Bezier arcs between the same two ends, bowed to alternate sides by multiples of
    ``spread`` x the pair's length (the apex lies half-way to the control point), so
    lines of different kinds never lie on top of each other.

    Parameters
    ----------
    pairs : DataFrame
        ``a, b, kind`` and a LineString geometry (lon/lat) per row.
    spread : float
        Offset of the control point per step, as a fraction of the pair's length.
    samples : int
        Points per arc.

    Returns
    -------
    list of list of [lat, lon]
        One coordinate list per row of ``pairs``, in row order.
    """
    rank: dict[int, tuple[int, int]] = {}
    keys = [tuple(sorted((str(a), str(b)))) for a, b in zip(pairs["a"], pairs["b"], strict=True)]
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    for members in groups.values():
        members.sort(key=lambda i: str(pairs["kind"].iloc[i]))
        for j, i in enumerate(members):
            rank[i] = (j, len(members))
    out: list[list] = []
    for i, geom in enumerate(pairs.geometry):
        (x0, y0), (x1, y1) = geom.coords[0], geom.coords[-1]
        j, k = rank[i]
        if k == 1:
            out.append([[y0, x0], [y1, x1]])
            continue
        # Perpendicular of the segment taken in the pair's canonical direction, so that both
        # a->b and b->a rows of a pair bow to the sides their rank says.
        if keys[i] != (str(pairs["a"].iloc[i]), str(pairs["b"].iloc[i])):
            x0, y0, x1, y1 = x1, y1, x0, y0
        dx, dy = x1 - x0, y1 - y0
        c = (j - (k - 1) / 2) * spread
        cx, cy = (x0 + x1) / 2 - dy * c, (y0 + y1) / 2 + dx * c
        pts = []
        for s in range(samples):
            t = s / (samples - 1)
            u = 1 - t
            px = u * u * x0 + 2 * u * t * cx + t * t * x1
            py = u * u * y0 + 2 * u * t * cy + t * t * y1
            pts.append([round(py, 6), round(px, 6)])
        out.append(pts)
    return out


_TEXT = {
    "zh": {
        "fields": ["城市", "出台协同政策时段", "首次出台年份", "首次城际协同联系年份",
                   "联系数（事件 × 城市对）", "联系城市数"],
        "kinds": "联系类型（线宽 = 事件数）",
        "windows": "首次出台产业协同政策的时段",
        "none": "尚未出台（截至所选年份）",
        "year": "年份（联系与出台累计到该年）",
        "all": "全部（含无日期事件）",
        "units": "城市（按出台时段着色）",
        "labels": "城市名称",
        "link": "联系",
        "events": "事件",
        "undated": "无日期",
        "dashed": "虚线：仅有无日期事件的联系",
    },
    "en": {
        "fields": ["city", "policy adoption window", "first adoption year",
                   "first inter-city link", "links (event x city pair)", "partner cities"],
        "kinds": "link kind (width = events)",
        "windows": "window of first coordination policy",
        "none": "no policy (yet, by the chosen year)",
        "year": "year (links and adoption up to it)",
        "all": "all (incl. undated events)",
        "units": "cities (coloured by adoption window)",
        "labels": "city names",
        "link": "links",
        "events": "events",
        "undated": "undated",
        "dashed": "dashed: links by undated events only",
    },
}  # fmt: skip

#: Fill of units that have not adopted by the slider's year.
NO_POLICY = "#eeeeee"


def _int_or_none(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _swatch(colour: str, line: bool = False) -> str:
    shape = "height:4px;margin-bottom:3px" if line else "height:12px;border:1px solid #777"
    return (
        f"<span style='display:inline-block;width:18px;{shape};background:{colour};"
        "margin-right:5px'></span>"
    )


def interactive_map(
    units: gpd.GeoDataFrame,
    attrs: pd.DataFrame,
    links: gpd.GeoDataFrame | None,
    *,
    lang: str = "zh",
    title: str = "",
) -> str:
    """Build the offline interactive map of units and coordination links.

    The page has a legend (link kinds, adoption windows), unit name labels, hover tooltips,
    layer toggles (units, labels, one layer per link kind) and a year slider: at year ``Y``
    it draws the link rows (pair x kind) whose first dated event is in or before ``Y`` and
    colours the units that first adopted by ``Y``; its last step, "all", draws every row,
    undated ones too (dashed). Kinds linking the same pair are drawn as separate arcs
    (:func:`offset_lines`). Everything, Leaflet included, is inline.

    Parameters
    ----------
    units : GeoDataFrame
        ``code``, ``name_zh``, ``name_en``, geometry (EPSG:4326).
    attrs : DataFrame
        ``code`` plus the hover columns: ``adoption_window`` (seed 001 window label),
        ``adoption_year`` (year of the unit's first adoption event; optional), ``first_link_year``
        (year of the unit's first coordination link), ``links`` (link rows the unit is an end
        of) and ``partners`` (linked units), as the database's ``period_adoption_first`` and
        ``coordination_link_node_at`` give them.
    links : GeoDataFrame, optional
        Link lines per pair and kind (``a``, ``b``, ``n_events``, ``kind``, ``name_a``,
        ``name_b``, ``first_year``, ``last_year``, optionally ``n_undated``), as
        ``coordination_link_kind_at`` gives them.
    lang : {'zh', 'en'}
        Language of the tooltips, legend and controls.
    title : str
        Title shown above the map.

    Returns
    -------
    str
        A complete, self-contained HTML page. The slider is ``input#pl-year``; drawn links are
        SVG paths of class ``pl-link``; the legend is ``div.pl-legend``.
    """
    import folium
    from branca.element import MacroElement
    from jinja2 import Template

    from policylink.maps import KIND_COLOURS, KIND_LABELS

    text = _TEXT["zh" if lang == "zh" else "en"]
    gdf = units.to_crs(4326).merge(attrs, on="code", how="left")
    gdf["name"] = gdf["name_zh"] if lang == "zh" else gdf["name_en"].fillna(gdf["name_zh"])
    for col in ("first_link_year", "links", "partners", "adoption_year"):
        if col not in gdf:
            gdf[col] = None
    for col in ("first_link_year", "links", "partners"):
        gdf[col] = gdf[col].map(lambda v: "-" if pd.isna(v) else str(int(v)))
    if "adoption_window" not in gdf:
        gdf["adoption_window"] = None
    gdf["adoption_window"] = gdf["adoption_window"].map(lambda v: "-" if pd.isna(v) else str(v))
    adoption_year = [_int_or_none(v) for v in gdf["adoption_year"]]

    # Adoption windows in time order (earliest first adoption year of each), one colour each.
    order = (
        pd.DataFrame({"w": gdf["adoption_window"], "y": pd.to_numeric(gdf["adoption_year"])})
        .query("w != '-'")
        .groupby("w")["y"]
        .min()
        .sort_values(kind="stable")
    )
    windows = list(order.index)
    wcol = dict(zip(windows, _window_colours(len(windows)), strict=True))
    fields = ["name", "adoption_window", "adoption_year", "first_link_year", "links", "partners"]
    tips = []
    for rec, ay in zip(gdf.to_dict("records"), adoption_year, strict=True):
        vals = [
            rec[f] if f != "adoption_year" else ("-" if ay is None else str(ay)) for f in fields
        ]
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:6px'>{html.escape(k)}</th>"
            f"<td>{html.escape(str(v))}</td></tr>"
            for k, v in zip(text["fields"], vals, strict=True)
        )
        tips.append(f"<table>{rows}</table>")
    gdf["tip"] = tips
    gdf["fill"] = [wcol.get(w, NO_POLICY) for w in gdf["adoption_window"]]
    keep = ["code", "name", "adoption_window", "first_link_year", "links", "partners"]
    layer = json.loads(gdf[[*keep, "tip", "fill", "geometry"]].to_json())
    for feat, ay in zip(layer["features"], adoption_year, strict=True):
        feat["properties"]["adoption_year"] = ay
    rep = gdf.geometry.representative_point()
    labels = [[round(p.y, 5), round(p.x, 5), str(n)] for p, n in zip(rep, gdf["name"], strict=True)]

    link_rows: list[dict[str, Any]] = []
    kinds: list[str] = []
    years = [y for y in adoption_year if y is not None]
    if links is not None and not links.empty:
        lk = links.to_crs(4326).reset_index(drop=True)
        lk["kind"] = lk["kind"].where(lk["kind"].isin(KIND_COLOURS), "other")
        wmax = float(lk["n_events"].max())
        coords = offset_lines(lk)
        for row, xy in zip(lk.itertuples(), coords, strict=True):
            first, last = _int_or_none(row.first_year), _int_or_none(row.last_year)
            undated = int(getattr(row, "n_undated", 0) or 0)
            span = "" if first is None else (f", {first}" if first == last else f", {first}-{last}")
            extra = f", {text['undated']} {undated}" if undated else ""
            tip = (
                f"{row.name_a} – {row.name_b}: {KIND_LABELS[lang][row.kind]}, "
                f"{int(row.n_events)} {text['events']}{span}{extra}"
            )
            link_rows.append(
                {
                    "kind": row.kind,
                    "year": first,
                    "coords": xy,
                    "colour": KIND_COLOURS[row.kind],
                    "weight": round(1.5 + 5 * row.n_events / wmax, 2),
                    "tip": html.escape(tip),
                }
            )
            if first is not None:
                years.append(first)
        kinds = [k for k in KIND_COLOURS if k in set(lk["kind"])]
    lo, hi = (min(years), max(years)) if years else (0, 0)

    legend = [f"<b>{html.escape(text['kinds'])}</b>"]
    legend += [
        f"<div class='pl-class'>{_swatch(KIND_COLOURS[k], True)}{html.escape(KIND_LABELS[lang][k])}</div>"
        for k in kinds
    ]
    if any(r["year"] is None for r in link_rows):
        dash = (
            "<span style='display:inline-block;width:18px;border-top:3px dashed #555;"
            "margin-right:5px;vertical-align:middle'></span>"
        )
        legend.append(f"<div class='pl-class'>{dash}{html.escape(text['dashed'])}</div>")
    legend.append(f"<b>{html.escape(text['windows'])}</b>")
    legend += [f"<div class='pl-class'>{_swatch(wcol[w])}{html.escape(w)}</div>" for w in windows]
    legend.append(f"<div class='pl-class'>{_swatch(NO_POLICY)}{html.escape(text['none'])}</div>")
    slider = (
        ""
        if not years
        else (
            f"<label for='pl-year'>{html.escape(text['year'])}</label><br>"
            f"<input type='range' id='pl-year' min='{lo}' max='{hi + 1}' step='1' value='{hi + 1}'>"
            f" <span id='pl-year-label'>{html.escape(text['all'])}</span>"
        )
    )
    data = {
        "units": layer,
        "labels": labels,
        "links": link_rows,
        "kinds": [
            [k, f"{_swatch(KIND_COLOURS[k], True)}{html.escape(KIND_LABELS[lang][k])}"]
            for k in kinds
        ],
        "all_step": hi + 1,
        "no_policy": NO_POLICY,
        "legend": "".join(legend),
        "slider": slider,
        "text": {k: html.escape(text[k]) for k in ("all", "units", "labels", "link")},
    }
    minx, miny, maxx, maxy = gdf.total_bounds
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False, zoom_snap=0.25)
    m.fit_bounds([[miny, minx], [maxy, maxx]])

    class _Layers(MacroElement):
        _template = Template(_TEMPLATE)

    el = _Layers()
    el.map_name = m.get_name()
    el.data = _json(data)
    m.add_child(el)
    if title:
        m.get_root().html.add_child(
            folium.Element(
                f"<h4 style='font-family:sans-serif;margin:4px'>{html.escape(title)}</h4>"
            )
        )
    return make_offline(m.get_root().render())


_TEMPLATE = """
{% macro header(this, kwargs) %}
<style>
.pl-legend, .pl-slider { background: rgba(255,255,255,0.92); padding: 6px 8px;
  font: 12px sans-serif; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }
.pl-legend .pl-class { margin: 2px 0; }
.pl-slider input { width: 220px; }
.pl-label { font: 11px sans-serif; color: #222; text-align: center; white-space: nowrap;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this.map_name }};
  var D = {{ this.data }};
  var ALL = D.all_step;
  var year = ALL;
  function adopted(p) {
    return p.adoption_year !== null && (year === ALL || p.adoption_year <= year);
  }
  function unitStyle(f) {
    return {fillColor: adopted(f.properties) ? f.properties.fill : D.no_policy,
            color: '#555555', weight: 0.8, fillOpacity: 0.75};
  }
  var units = L.geoJSON(D.units, {
    style: unitStyle,
    onEachFeature: function (f, layer) {
      layer.bindTooltip(f.properties.tip, {sticky: true});
      layer.on('mouseover', function () { layer.setStyle({weight: 2.5, color: '#000000'}); });
      layer.on('mouseout', function () { units.resetStyle(layer); });
    }
  }).addTo(map);
  var labels = L.layerGroup(D.labels.map(function (l) {
    var span = document.createElement('span');
    span.textContent = l[2];
    return L.marker([l[0], l[1]], {interactive: false, keyboard: false,
      icon: L.divIcon({className: 'pl-label', html: span.outerHTML,
                       iconSize: [90, 14], iconAnchor: [45, 7]})});
  })).addTo(map);
  var groups = {};
  var overlays = {};
  overlays[D.text.units] = units;
  overlays[D.text.labels] = labels;
  D.kinds.forEach(function (k) {
    groups[k[0]] = L.layerGroup().addTo(map);
    overlays[D.text.link + ': ' + k[1]] = groups[k[0]];
  });
  var lines = D.links.map(function (l) {
    return L.polyline(l.coords, {color: l.colour, weight: l.weight, opacity: 0.85,
      dashArray: l.year === null ? '5 4' : null, className: 'pl-link pl-kind-' + l.kind})
      .bindTooltip(l.tip, {sticky: true});
  });
  L.control.layers(null, overlays, {collapsed: false, position: 'topright'}).addTo(map);
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    var div = L.DomUtil.create('div', 'pl-legend');
    div.innerHTML = D.legend;
    return div;
  };
  legend.addTo(map);
  var ctl = L.control({position: 'bottomleft'});
  ctl.onAdd = function () {
    var div = L.DomUtil.create('div', 'pl-slider');
    div.innerHTML = D.slider;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    L.DomEvent.on(div, 'keydown', L.DomEvent.stopPropagation);
    return div;
  };
  if (D.slider) { ctl.addTo(map); }
  var input = document.getElementById('pl-year');
  var label = document.getElementById('pl-year-label');
  function show() {
    year = input ? parseInt(input.value, 10) : ALL;
    var n = 0;
    D.kinds.forEach(function (k) { groups[k[0]].clearLayers(); });
    D.links.forEach(function (l, i) {
      if (year === ALL || (l.year !== null && l.year <= year)) {
        groups[l.kind].addLayer(lines[i]);
        n += 1;
      }
    });
    units.setStyle(unitStyle);
    if (input) {
      label.textContent = year === ALL ? D.text.all : String(year);
      input.setAttribute('data-links', String(n));
    }
  }
  if (input) {
    input.addEventListener('input', show);
    input.addEventListener('change', show);
  }
  show();
})();
{% endmacro %}
"""


def iframe(page: str, height: int = 520) -> str:
    """Wrap a complete page in an ``<iframe srcdoc>`` so the report stays one file."""
    return (
        f'<iframe class="interactive" style="width:100%;height:{height}px;border:1px solid #ccc" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
    )
