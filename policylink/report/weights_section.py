"""Report section: connectivity of the spatial weights the analyses use.

One table per level (prefecture, and the regional case study) with the connectivity report of
each weights kind (:func:`policylink.weights.describe`: cardinalities, islands, components,
asymmetry), and the cardinality histogram of queen contiguity.
"""

from __future__ import annotations

import pandas as pd

from policylink import dbread
from policylink.report.builder import Section
from policylink.report.context import Context
from policylink.weights import WeightsSpec, describe

#: Weights kinds shown in the section.
KINDS = ("queen", "rook", "queen^2", "knn:6", "distance:150000", "links")


def _row(ctx: Context, kind: str, within: str | None) -> dict[str, object]:
    spec = WeightsSpec.parse(kind)
    w = dbread.read_weights(ctx.conn, spec, "prefecture", within)
    rep = describe(w)
    s = rep.summary
    return {
        ctx.t("权重", "weights"): str(spec),
        ctx.t("单元", "units"): s["n"],
        ctx.t("连接", "links"): s["links"],
        ctx.t("最少邻居", "min"): s["min_neighbours"],
        ctx.t("平均邻居", "mean"): s["mean_neighbours"],
        ctx.t("中位数", "median"): s["median_neighbours"],
        ctx.t("最多邻居", "max"): s["max_neighbours"],
        ctx.t("孤岛", "islands"): s["n_islands"],
        ctx.t("连通分量", "components"): s["n_components"],
        ctx.t("最大分量", "largest"): s["largest_component"],
        ctx.t("对称", "symmetric"): s["symmetric"],
    }


def section_weights(ctx: Context) -> Section:
    """Connectivity of the weights kinds at prefecture level and in the regional case study.

    Parameters
    ----------
    ctx : Context
        Report context (connection, writer, language, region).

    Returns
    -------
    Section
    """
    sec = Section(
        key="weights",
        title=ctx.t("空间权重的连通性", "Connectivity of the spatial weights"),
        mirrors=ctx.t("方法：空间权重矩阵", "Methods: spatial weights matrices"),
        data="real",
    )
    if not dbread.unit_codes(ctx.conn, "prefecture"):
        sec.missing.append(
            ctx.t("数据库中没有地级单元", "no prefecture-level units in the database")
        )
        return sec
    sec.paragraphs.append(
        ctx.t(
            "各类权重由同一规则从数据库视图构建（等面积投影，米）。孤岛为没有邻居的单元：在局部统计中"
            "标为“无邻居”，从不显著；连通分量多于一个时，全局统计只在分量内部传递空间依赖。",
            "Every kind is built by the one rule from the database views (equal-area metres). "
            "Islands are units without neighbours: local statistics label them neighbourless, "
            "never significant; with more than one connected component, spatial dependence only "
            "travels within components.",
        )
    )
    for label, within in (
        (ctx.t("全国地级", "all prefecture-level units"), None),
        (ctx.t("区域案例", "regional case study"), ctx.region),
    ):
        rows = [_row(ctx, kind, within) for kind in KINDS]
        ctx.writer.table(
            sec,
            "summary" if within is None else "summary_region",
            pd.DataFrame(rows),
            ctx.t(f"权重连通性：{label}", f"Weights connectivity: {label}"),
        )
    rep = describe(dbread.read_weights(ctx.conn, "queen", "prefecture"))
    hist = pd.DataFrame(
        {
            ctx.t("邻居数", "neighbours"): list(rep.histogram),
            ctx.t("单元数", "units"): list(rep.histogram.values()),
        }
    )
    ctx.writer.table(
        sec,
        "queen_histogram",
        hist,
        ctx.t(
            "后（queen）邻接的邻居数分布（地级）", "Queen contiguity: units by number of neighbours"
        ),
        note=ctx.t("孤岛：", "Islands: ") + (", ".join(rep.islands) or "-"),
    )
    return sec
