"""Report section on the real low-carbon pilot cascades (issue 18): who adopted when, and from whom.

Adoption curves with fitted logistic and Bass curves, the discrete-time EHA neighbour effect
(hazard ratio, AME, SE clustered by unit), NetInf ties against the coordination links, and
the Markov chain of adoption conditioned on the neighbours. Everything goes through
:mod:`policylink.analyses.diffusion`; the section only reads, runs and lays out.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from policylink.errors import PolicyLinkError
from policylink.maps import use_cjk_font
from policylink.report.builder import Section
from policylink.report.context import Context

PROGRAMME = "low_carbon_pilot"
#: Ties NetInf infers for the report (a fixed number: the p-value rule may stop at none).
REPORT_TIES = 20


def _curve_figure(ctx: Context, res: Any) -> Figure:
    use_cjk_font()
    fig = Figure(figsize=(6.4, 3.8))
    ax = fig.add_subplot()
    s = res.series
    ax.bar(s["year"], s["new"], color="#c6dbef", label=ctx.t("新增采纳", "new adopters"))
    ax.plot(s["year"], s["cumulative"], "o", color="#08519c",
            label=ctx.t("累计采纳（实际）", "cumulative (observed)"))  # fmt: skip
    grid = np.linspace(float(s["year"].iloc[0]), float(s["year"].iloc[-1]), 200)
    styles = {"logistic": ("-", "#e6550d", "Logistic"), "bass": ("--", "#31a354", "Bass")}
    for name, f in res.fits.items():
        ls, col, lab = styles.get(name, ("-", "k", name))
        t = grid - (res.origin if name == "bass" else 0)
        ax.plot(grid, f.predict(t), ls, color=col, label=f"{lab} (R2 = {f.r2:.3f})")
    ax.set_xlabel(ctx.t("年份", "year"))
    ax.set_ylabel(ctx.t("地级单元数", "prefecture-level units"))
    ax.set_title(ctx.t("低碳试点的累计采纳与拟合曲线", "Low-carbon pilots: cumulative adoption"))
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def _synthetic_events(ctx: Context) -> bool:
    row = ctx.conn.execute(
        "SELECT coalesce(bool_or(source ILIKE %s), false) FROM policy_event WHERE programme = %s",
        ("%SYNTHETIC%", PROGRAMME),
    ).fetchone()
    return bool(row[0])


def _try(sec: Section, ctx: Context, what: tuple[str, str], fn: Any) -> Any:
    """Run one part; a refused analysis becomes a plain 'missing' line, not a failed section."""
    try:
        return fn()
    except PolicyLinkError as exc:
        sec.missing.append(ctx.t(f"{what[0]}：{exc}", f"{what[1]}: {exc}"))
        return None


def section_diffusion(ctx: Context) -> Section:
    """Diffusion of the low-carbon pilots: curves, EHA, NetInf and Markov dynamics."""
    from policylink.analyses.diffusion import (
        CurveOptions,
        EhaOptions,
        MarkovOptions,
        NetinfOptions,
        run_curve,
        run_eha,
        run_markov,
        run_netinf,
    )
    from policylink.diffusion_inputs import (
        EhaSource,
        load_cascade_inputs,
        load_eha_inputs,
        load_netinf_inputs,
    )

    sec = Section(
        "diffusion",
        ctx.t(
            "低碳试点的扩散：采纳曲线、事件史分析、网络推断与马尔可夫链",
            "Diffusion of the low-carbon pilots: curves, event history, networks, Markov chains",
        ),
        ctx.t(
            "议题 18（政策扩散分析）；Berry & Berry (1990)、Bass (1969)、"
            "Gomez-Rodriguez 等 (2010)、Rey (2001)",
            "issue 18 (policy-diffusion analytics); Berry & Berry (1990), Bass (1969), "
            "Gomez-Rodriguez et al. (2010), Rey (2001)",
        ),
        "real",
    )
    n_events = ctx.count("SELECT count(*) FROM policy_event WHERE programme = %s", (PROGRAMME,))
    n_pref = ctx.count("SELECT count(*) FROM admin_unit WHERE level = 'prefecture'")
    if n_events == 0 or n_pref == 0 or not ctx.relation_exists("w_queen"):
        sec.missing.append(
            ctx.t(
                f"数据库中有 {n_pref} 个地级单元和 {n_events} 个低碳试点事件；需要先载入边界和政策事件"
                "（policylink load bundled）。",
                f"the database holds {n_pref} prefecture-level units and {n_events} low-carbon "
                "pilot events; load the bundled boundaries and events first (policylink load "
                "bundled).",
            )
        )
        return sec
    synthetic = _synthetic_events(ctx)
    if synthetic:
        sec.data = "synthetic"
    label = (
        ctx.t("合成数据（SYNTHETIC）", "SYNTHETIC data") if synthetic else ctx.t("真实数据", "real")
    )
    sec.paragraphs.append(
        ctx.t(
            f"采纳事件：三批国家低碳试点通知（{label}；试点省份不视为其地级单元的采纳）。"
            "本节不使用任何协变量；邻居为 queen 邻接。",
            f"Adoption events: the three national low-carbon pilot notices ({label}; a pilot "
            "province does not count as adoption by its prefectures). This section uses no "
            "covariate; neighbours are queen contiguity.",
        )
    )
    source = EhaSource(programmes=(PROGRAMME,), level="prefecture")

    # 1. adoption curves
    curve = _try(sec, ctx, ("采纳曲线", "adoption curves"), lambda: run_curve(
        load_cascade_inputs(source, conn=ctx.conn), CurveOptions()))  # fmt: skip
    if curve is not None:
        ctx.writer.figure(sec, "curve", _curve_figure(ctx, curve), curve.title(ctx.lang))
        ctx.writer.table(sec, "curve_fits", curve.table(ctx.lang), curve.title(ctx.lang),
                         "; ".join(curve.provenance.notes))  # fmt: skip
        sec.paragraphs.append(
            ctx.t(
                "试点在 2010、2012 和 2017 年三次跃升：曲线只是描述，参数的标准误很大。",
                "The pilots arrive in three jumps (2010, 2012, 2017): the curves describe them; "
                "their parameters carry large SEs.",
            )
        )

    # 2. event history analysis: neighbour effect as a hazard ratio (cloglog)
    eha_opts = EhaOptions(link="cloglog", dependence="log")
    eha = _try(sec, ctx, ("事件史分析", "event history analysis"), lambda: run_eha(
        load_eha_inputs(source, conn=ctx.conn), eha_opts))  # fmt: skip
    if eha is not None:
        ctx.writer.table(sec, "eha", eha.table(ctx.lang), eha.title(ctx.lang),
                         "; ".join(eha.provenance.notes))  # fmt: skip
        c = eha.result.fit.coefficients().set_index("name")
        if "neighbour_share" in c.index:
            r = c.loc["neighbour_share"]
            sec.paragraphs.append(
                ctx.t(
                    f"邻居采纳比例（滞后一年）的风险比为 {r['ratio']:.3g}（p = {r['p']:.3g}，按单位聚类的"
                    "稳健标准误；cloglog 链接，时间依赖取 log t）。",
                    f"The hazard ratio of the lagged share of adopted neighbours is "
                    f"{r['ratio']:.3g} (p = {r['p']:.3g}; SEs clustered by unit; cloglog link, "
                    "log-t duration).",
                )
            )

    # 3. NetInf ties against the coordination links
    def _netinf() -> Any:
        inp = load_netinf_inputs(source, conn=ctx.conn, all_programmes=True)
        return run_netinf(inp, NetinfOptions(n_edges=REPORT_TIES))

    net = _try(sec, ctx, ("网络推断", "network inference"), _netinf)
    if net is not None:
        ctx.writer.table(sec, "netinf_ties", net.table(ctx.lang), net.title(ctx.lang))
        ctx.writer.table(
            sec,
            "netinf_precision",
            net.summary(),
            ctx.t(
                "推断关系与协作联系、queen 邻接的对照（精确率、召回率、随机精确率）",
                "Inferred ties against coordination links and queen contiguity (precision, "
                "recall, precision expected by chance)",
            ),
        )

    # 4. Markov chain of adoption conditioned on the neighbours
    mk = _try(sec, ctx, ("马尔可夫链", "Markov chain"), lambda: run_markov(
        load_cascade_inputs(source, conn=ctx.conn, weights=True), MarkovOptions()))  # fmt: skip
    if mk is not None:
        ctx.writer.table(sec, "markov", mk.table(ctx.lang), mk.title(ctx.lang),
                         "; ".join(mk.provenance.notes))  # fmt: skip
        ctx.writer.table(
            sec,
            "markov_tests",
            mk.tests(ctx.lang),
            ctx.t(
                "空间马尔可夫检验：按邻居采纳状态分组的转移矩阵是否相同",
                "Spatial Markov tests: do the transition matrices differ by neighbour adoption?",
            ),
        )
        p = mk.result.p
        if p.shape[0] == 2:
            sec.paragraphs.append(
                ctx.t(
                    f"无邻居采纳时的年采纳概率为 {p[0][0, 1]:.3g}，有邻居采纳时为 {p[1][0, 1]:.3g}。",
                    f"The yearly adoption probability is {p[0][0, 1]:.3g} with no adopted "
                    f"neighbour and {p[1][0, 1]:.3g} with at least one.",
                )
            )
    if synthetic:
        sec.paragraphs.append(html.escape(ctx.t("注意：本库中的事件为合成数据（SYNTHETIC）。",
                                                "Note: the events in this database are SYNTHETIC.")))  # fmt: skip
    return sec
