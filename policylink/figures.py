"""Glue between the database readers and the map renderers: one call per map kind.

Used by ``policylink map`` and by the report so that both draw the same maps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import psycopg
from matplotlib.figure import Figure

from policylink import mapdata, maps
from policylink.analyses.base import DEFAULT_SEED
from policylink.errors import ConfigError

JJJ = "110000,120000,130000"
BOUNDARY_NOTE = {
    "zh": "行政区划边界：admin_unit（{src}）",
    "en": "boundaries: admin_unit ({src})",
}
EVENT_NOTE = {
    "zh": "政策事件：policy_event / event_participant（{src}）",
    "en": "policy events: policy_event / event_participant ({src})",
}


@dataclass(frozen=True)
class MapRequest:
    """What to draw (mirrors the options of ``policylink map``)."""

    kind: str
    lang: str = "zh"
    level: str = "prefecture"
    within: str | None = None
    variable: str | None = None
    year: int | None = None
    scheme: str = "Quantiles"
    k: int = 5
    alpha: float = 0.05
    permutations: int = 999
    seed: int = DEFAULT_SEED
    title: str | None = None


def _sources(frame: pd.DataFrame, column: str = "source", limit: int = 2) -> str:
    vals = [str(v) for v in pd.Series(frame[column]).dropna().unique()] if len(frame) else []
    if not vals:
        return "-"
    more = f" +{len(vals) - limit}" if len(vals) > limit else ""
    return ", ".join(vals[:limit]) + more


def _is_synthetic(*frames: pd.DataFrame) -> bool:
    for f in frames:
        if "source" in f and f["source"].astype(str).str.contains("SYNTHETIC", case=False).any():
            return True
    return False


def _event_sources(conn: psycopg.Connection, ids: list[str]) -> pd.DataFrame:
    if not ids:
        return pd.DataFrame({"source": []})
    rows = conn.execute("SELECT source FROM policy_event WHERE id = ANY(%s)", (ids,)).fetchall()
    return pd.DataFrame(rows, columns=["source"])


def _programme_events(conn: psycopg.Connection, programme: str) -> list[str]:
    rows = conn.execute("SELECT id FROM policy_event WHERE programme = %s", (programme,)).fetchall()
    return [r[0] for r in rows]


def _event_note(units: pd.DataFrame, ev: pd.DataFrame, lang: str, limit: int) -> maps.MapNote:
    """Source note of an event map: boundary sources, up to ``limit`` event sources, and the
    SYNTHETIC flag when the units or the events are synthetic."""
    return maps.MapNote(
        [
            BOUNDARY_NOTE[lang].format(src=_sources(units)),
            EVENT_NOTE[lang].format(src=_sources(ev, limit=limit)),
        ],
        synthetic=_is_synthetic(units, ev),
    )


def render_map(conn: psycopg.Connection, req: MapRequest) -> tuple[Figure, dict[str, Any]]:
    """Read the layers for ``req.kind`` and draw the map.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    req : MapRequest
        Kind and options.

    Returns
    -------
    (Figure, dict)
        The figure and a summary (kind, number of units, data status: real / SYNTHETIC).
    """
    maps.check_lang(req.lang)
    lang = req.lang
    if req.kind == "pilots":
        tol = mapdata.display_tolerance(conn, "prefecture", req.within)
        units = mapdata.read_units(conn, "prefecture", req.within, simplify=tol)
        provinces = mapdata.read_units(conn, "province", req.within, simplify=tol)
        pilots = mapdata.read_pilots(conn)
        if pilots.empty:
            raise ConfigError("no low-carbon pilot events loaded (programme 'low_carbon_pilot')")
        ev = _event_sources(conn, sorted(pilots["event_id"].unique()))
        note = _event_note(units, ev, lang, limit=3)
        title = req.title or (
            "国家低碳省区和城市试点（三批）"
            if lang == "zh"
            else "National low-carbon pilots (three batches)"
        )
        fig = maps.map_pilots(units, pilots, title=title, note=note, lang=lang, provinces=provinces)
        n = int(pilots["code"].isin(units["code"]).sum())
        return fig, {
            "kind": req.kind,
            "units": len(units),
            "mapped": n,
            "synthetic": note.synthetic,
        }
    if req.kind in ("adoption", "links"):
        within = req.within or JJJ
        tol = mapdata.display_tolerance(conn, req.level, within)
        units = mapdata.read_units(conn, req.level, within, simplify=tol)
        if req.kind == "adoption":
            adopt = mapdata.read_adoption_windows(conn, level=req.level, within=within, lang=lang)
            periods = list(mapdata.adoption_windows(conn, lang).values())
            # an adopter after the paper's last window still gets a legend entry
            periods += [p for p in dict.fromkeys(adopt["period"]) if p not in periods]
            ev = _event_sources(conn, _programme_events(conn, "jjj_policy_adoption"))
            note = _event_note(units, ev, lang, limit=2)
            title = req.title or (
                "京津冀出台产业协同相关政策的时段"
                if lang == "zh"
                else "JJJ: when units adopted coordination policies"
            )
            fig = maps.map_adoption(
                units, adopt, periods=periods, title=title, note=note, lang=lang,
                labels=req.level == "prefecture",
            )  # fmt: skip
            mapped = len(adopt)
        else:
            links = mapdata.read_links(conn, level=req.level, within=within)
            ev = _event_sources(conn, sorted(links.events["event_id"].unique()))
            note = _event_note(units, ev, lang, limit=2)
            title = req.title or (
                "京津冀城市间产业协同政策联系"
                if lang == "zh"
                else "JJJ inter-city coordination links"
            )
            fig = maps.map_links(
                units,
                links.pairs,
                title=title,
                note=note,
                lang=lang,
                labels=req.level == "prefecture",
            )
            mapped = int(links.pairs["n_events"].sum()) if len(links.pairs) else 0
        return fig, {
            "kind": req.kind,
            "units": len(units),
            "mapped": mapped,
            "synthetic": note.synthetic,
        }
    if req.kind in ("choropleth", "lisa"):
        if not req.variable or req.year is None:
            raise ConfigError(f"map {req.kind} needs --variable and --year")
        tol = mapdata.display_tolerance(conn, req.level, req.within)
        units = mapdata.read_units(conn, req.level, req.within, simplify=tol)
        values, info = mapdata.read_values(conn, req.variable, req.year)
        values = values[values["code"].isin(units["code"])]
        if values.empty:
            raise ConfigError(
                f"variable {req.variable!r} has no values in {req.year} for the selected units"
            )
        label = (info.get("label_zh") if lang == "zh" else info.get("label_en")) or req.variable
        unit = f" ({info['unit']})" if info.get("unit") else ""
        note = maps.MapNote(
            [
                BOUNDARY_NOTE[lang].format(src=_sources(units)),
                f"{req.variable}: {info.get('source') or '-'}",
            ],
            synthetic=bool(info.get("is_synthetic")) or _is_synthetic(units),
        )
        if req.kind == "choropleth":
            title = req.title or f"{label} {req.year}"
            fig = maps.map_choropleth(
                units, values, title=title, legend_title=f"{label}{unit}", note=note, lang=lang,
                scheme=req.scheme, k=req.k, labels=len(units) <= 40,
            )  # fmt: skip
            return fig, {
                "kind": req.kind,
                "units": len(units),
                "mapped": len(values),
                "synthetic": note.synthetic,
            }
        from policylink.analyses.lisa import LisaOptions, run_lisa
        from policylink.inputs import InputSource, load_inputs

        # the one LISA analysis (as `policylink lisa` and QGIS): database inputs of that year
        src = InputSource.from_options(level=req.level, within=req.within)
        inp = load_inputs(src, [req.variable], years=[req.year], conn=conn)
        opts = LisaOptions(
            req.variable, req.year, permutations=req.permutations, seed=req.seed, alpha=req.alpha
        )
        lisa = run_lisa(inp, opts).map_frame()
        title = req.title or (
            f"{label} {req.year} 局部莫兰聚类"
            if lang == "zh"
            else f"{label} {req.year}: LISA clusters"
        )
        fig = maps.map_lisa(units, lisa, title=title, note=note, lang=lang, labels=len(units) <= 40)
        counts = lisa["cluster"].value_counts().to_dict()
        return fig, {
            "kind": req.kind,
            "units": len(units),
            "mapped": len(lisa),
            "synthetic": note.synthetic,
            **{f"n_{k}": int(v) for k, v in counts.items()},
        }
    raise ConfigError(f"unknown map kind {req.kind!r}")
