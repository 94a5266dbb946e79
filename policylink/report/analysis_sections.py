"""Report sections 4-6: Moran's I and LISA, the spatial Durbin model, and the DID suite.

Inputs are named in :class:`PanelNames` (the synthetic panels shipped in ``data/``); when a
variable is missing from the database the section says which and shows no numbers.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from policylink import dbread
from policylink.errors import ConfigError, InputError
from policylink.paths import DATA_DIR
from policylink.report import inputs, plots
from policylink.report.builder import Section
from policylink.report.context import Context


@dataclass(frozen=True)
class PanelNames:
    """Variable names of the synthetic panels used by the report.

    Attributes
    ----------
    jjj_y : str
        Dependent variable of seed 000 (log CO2 intensity).
    jjj_x : tuple of str
        Regressors of seed 000 Table 5, in table order.
    jjj_group : str
        ``unit_attribute`` scheme holding the resource-dependent classification.
    jjj_truth : str
        File (under ``data/``) with the true parameters of the JJJ DGP.
    did_y : str
        Synthetic national outcome for the DID section.
    did_controls : tuple of str
        Controls of the DID regressions.
    did_truth : str
        File (under ``data/``) with the true effect of the DID DGP.
    """

    jjj_y: str = "syn_lnco2"
    jjj_x: tuple[str, ...] = (
        "syn_lnisu",
        "syn_lngdp",
        "syn_lnei",
        "syn_lnopen",
        "syn_lnurban",
        "syn_lntech",
    )
    jjj_group: str = "resource_dependent"
    jjj_truth: str = "synthetic/jjj_panel_truth.json"
    did_y: str = "syn_did_lnco2_intensity"
    did_controls: tuple[str, ...] = ("syn_did_lngdp", "syn_did_secondary_share")
    did_truth: str = "synthetic/national_did_truth.json"


NAMES = PanelNames()
SYNTH_NOTE = {
    "zh": "合成数据（SYNTHETIC）：由仓库内脚本按已知参数生成，仅用于演示方法",
    "en": "SYNTHETIC data generated in the repository from known parameters (methods demo only)",
}


def _truth(path: str) -> dict | None:
    p = DATA_DIR / path
    if not p.exists():
        return None
    return json.loads(Path(p).read_text(encoding="utf-8"))


def true_sdm_values(truth: dict, xs: list[str], with_effects: bool = True) -> dict:
    """True SDM parameters keyed by panel variable names, with the implied effects.

    The truth file keys beta / theta by the variable name without its ``syn_`` prefix. The
    true effects follow LeSage and Pace (2009, ch. 2.7) for the DGP's own weights (the
    ``neighbours`` lists of the truth file, row-standardised):
    S_k = (I - rho W)^-1 (beta_k I + theta_k W); direct = tr(S_k) / N;
    total = 1' S_k 1 / N; indirect = total - direct.

    Parameters
    ----------
    truth : dict
        Parsed truth file.
    xs : list of str
        Regressor names in the panel.
    with_effects : bool
        Compute the implied effects (needs ``neighbours``).

    Returns
    -------
    dict
        ``beta``, ``theta`` (by panel name), ``rho``, ``sigma2`` and ``effects`` ->
        ``direct|indirect|total`` -> name -> value.
    """
    short = {x: x.removeprefix("syn_") for x in xs}
    beta = {x: truth.get("beta", {}).get(short[x], np.nan) for x in xs}
    theta = {x: truth.get("theta", {}).get(short[x], np.nan) for x in xs}
    out = {"beta": beta, "theta": theta, "rho": truth.get("rho"), "sigma2": truth.get("sigma2")}
    nb = truth.get("neighbours")
    if with_effects and nb and truth.get("rho") is not None:
        ids = sorted(nb)
        pos = {c: i for i, c in enumerate(ids)}
        n = len(ids)
        W = np.zeros((n, n))
        for c, js in nb.items():
            for j in js:
                W[pos[c], pos[str(j)]] = 1.0
        rs = W.sum(axis=1, keepdims=True)
        W = np.divide(W, rs, out=np.zeros_like(W), where=rs > 0)
        A = np.linalg.inv(np.eye(n) - truth["rho"] * W)
        eff: dict[str, dict[str, float]] = {"direct": {}, "indirect": {}, "total": {}}
        for x in xs:
            S = A @ (beta[x] * np.eye(n) + theta[x] * W)
            d, t = np.trace(S) / n, S.sum() / n
            eff["direct"][x], eff["total"][x], eff["indirect"][x] = d, t, t - d
        out["effects"] = eff
    return out


def _stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def _cell(est: float, se: float, p: float) -> str:
    return f"{est:.4f}{_stars(p)} ({se:.4f})"


def _missing_vars(ctx: Context, sec: Section, wanted: list[str]) -> bool:
    have = inputs.variables_present(ctx.conn, wanted)
    lost = [v for v in wanted if v not in have]
    if lost:
        sec.missing.append(
            ctx.t(
                f"数据库中缺少变量：{', '.join(lost)}（合成面板尚未载入）。",
                f"variables not in the database: {', '.join(lost)} (the synthetic panel is not loaded).",
            )
        )
        return True
    return False


# --------------------------------------------------------------------------------------------
# 4. Moran per year, scatter, LISA


def section_moran(ctx: Context) -> Section:
    """Global Moran's I per year (seed 000 Table 4), Moran scatter first/last year, LISA map."""
    from policylink.analyses.moran import MoranOptions, run_moran
    from policylink.inputs import InputSource, load_inputs
    from policylink.spatial.autocorr import moran_scatter

    sec = Section(
        "moran",
        ctx.t("碳排放的空间自相关：全局莫兰指数与 LISA", "Spatial autocorrelation of CO2 emissions: Moran's I and LISA"),
        ctx.t("种子 000 第 4.1.1 节、表 4、图 1-2", "seed 000 section 4.1.1, Table 4, Figs. 1-2"),
        "synthetic",
    )  # fmt: skip
    y = NAMES.jjj_y
    if _missing_vars(ctx, sec, [y]):
        return sec
    # the one Moran analysis (as `policylink moran` and QGIS) on the region's database inputs
    try:
        inp = load_inputs(
            InputSource.from_options(level="prefecture", within=ctx.region), [y], conn=ctx.conn
        )
    except ConfigError as exc:
        sec.missing.append(str(exc))
        return sec
    res = run_moran(inp, MoranOptions(y, seed=ctx.seed))
    units, panel, w = inp.geometry.reset_index(), inp.panel, inp.w
    codes = list(w.id_order)
    tab = res.frame().rename(columns={"year": "period", "z": "z_norm", "p": "p_norm"})
    ctx.writer.table(
        sec,
        "table4",
        res.table(ctx.lang),
        ctx.t(
            "各年份的莫兰指数（正态假设下 z 与单侧 p，与种子 000 表 4 相同版式；另列置换检验 p）",
            "Moran's I by year (z and one-sided p under normality, seed 000 Table 4 layout; "
            "permutation p added)",
        ),
        note=ctx.t(
            f"行标准化 queen 邻接权重，{len(codes)} 个地级单元。" + SYNTH_NOTE["zh"],
            f"Row-standardised queen contiguity, {len(codes)} prefecture-level units. "
            + SYNTH_NOTE["en"],
        ),
    )
    names = dict(
        zip(
            units["code"],
            units["name_zh" if ctx.lang == "zh" else "name_en"].fillna(units["name_zh"]),
            strict=True,
        )
    )
    years = sorted(panel["year"].unique())
    for yr in (years[0], years[-1]):
        yv = panel[panel["year"] == yr].set_index("code").loc[list(w.id_order), y].to_numpy(float)
        sc = moran_scatter(yv, w)
        i_val = float(tab.loc[tab["period"] == yr, "I"].iloc[0])
        fig = plots.moran_scatter_plot(
            sc, i_val,
            title=ctx.t(f"{yr} 年碳排放莫兰散点图", f"Moran scatter plot, {yr}"),
            xlabel=ctx.t("标准化 ln CO2（z）", "standardised ln CO2 (z)"),
            ylabel=ctx.t("空间滞后 Wz", "spatial lag Wz"),
            labels=names, note=SYNTH_NOTE[ctx.lang],
        )  # fmt: skip
        ctx.writer.figure(
            sec,
            f"scatter_{yr}",
            fig,
            ctx.t(
                f"{yr} 年莫兰散点图（种子 000 图 {1 if yr == years[0] else 2} 的版式）",
                f"Moran scatter plot {yr} (layout of seed 000 Fig. {1 if yr == years[0] else 2})",
            ),
        )
    from policylink.figures import MapRequest, render_map

    last = int(years[-1])
    fig, summary = render_map(
        ctx.conn,
        MapRequest("lisa", lang=ctx.lang, within=ctx.region, variable=y, year=last, seed=ctx.seed),
    )
    ctx.writer.figure(
        sec,
        f"lisa_{last}",
        fig,
        ctx.t(
            f"{last} 年 LISA 聚类（999 次条件置换，p < 0.05；GeoDa 配色）",
            f"LISA clusters {last} (999 conditional permutations, p < 0.05; GeoDa colours)",
        ),
    )
    sec.paragraphs.append(
        ctx.t(
            f"各年份 Moran's I 在 {tab['I'].min():.3f} 与 {tab['I'].max():.3f} 之间；"
            f"{int((tab['p_norm'] < 0.1).sum())} / {len(tab)} 个年份在 10% 水平显著（单侧）。",
            f"Moran's I ranges from {tab['I'].min():.3f} to {tab['I'].max():.3f}; "
            f"{int((tab['p_norm'] < 0.1).sum())} of {len(tab)} years are significant at 10% (one-sided).",
        )
    )
    return sec


# --------------------------------------------------------------------------------------------
# 5. SDM: model choice, Table 5, Tables 6-7


def _table5(res, truth: dict | None, lang: str) -> pd.DataFrame:
    """Seed 000 Table 5 layout: coefficient, direct, indirect, total (SE) + true values."""
    coef = res.coefficients.set_index("name")
    eff = res.effects
    rows = []
    tb = (truth or {}).get("beta", {})
    tt = (truth or {}).get("theta", {})
    te = (truth or {}).get("effects", {})
    for name in res.names:
        if name.startswith("W*"):
            continue
        r = {"variable": name, "(1) coefficient": _cell(*coef.loc[name, ["estimate", "se", "p"]])}
        for k, label in (
            ("direct", "(2) direct"),
            ("indirect", "(3) indirect"),
            ("total", "(4) total"),
        ):
            e = eff[(eff["effect"] == k) & (eff["variable"] == name)]
            r[label] = _cell(*e[["estimate", "se", "p"]].iloc[0]) if len(e) else ""
        r["true beta"] = tb.get(name, np.nan)
        for k in ("direct", "indirect", "total"):
            r[f"true {k}"] = te.get(k, {}).get(name, np.nan)
        rows.append(r)
    for name in res.names:
        if name.startswith("W*"):
            r = {
                "variable": name,
                "(1) coefficient": _cell(*coef.loc[name, ["estimate", "se", "p"]]),
            }
            r["true beta"] = tt.get(name.removeprefix("W*"), np.nan)
            rows.append(r)
    rho = coef.loc["rho"]
    rows.append({"variable": "rho", "(1) coefficient": _cell(rho["estimate"], rho["se"], rho["p"]),
                 "true beta": (truth or {}).get("rho", np.nan)})  # fmt: skip
    rows.append({"variable": "sigma2_e", "(1) coefficient": f"{res.sigma2:.5f}",
                 "true beta": (truth or {}).get("sigma2", np.nan)})  # fmt: skip
    rows.append({"variable": "R2 (within)", "(1) coefficient": f"{res.r2_within:.3f}"})
    rows.append({"variable": "log-likelihood", "(1) coefficient": f"{res.log_likelihood:.2f}"})
    out = pd.DataFrame(rows)
    # Truth columns without any value (no truth file, or effects not defined) are left out.
    empty = [c for c in out.columns if c.startswith("true") and out[c].isna().all()]
    return out.drop(columns=empty)


_COMPARISON_COLUMNS = {
    "model": ("模型", "model"),
    "log_likelihood": ("对数似然", "log-likelihood"),
    "n_params": ("参数个数", "parameters"),
    "aic": ("AIC", "AIC"),
    "bic": ("BIC", "BIC"),
    "rho": ("rho", "rho"),
    "lambda": ("lambda", "lambda"),
    "test": ("检验", "test"),
    "statistic": ("统计量", "statistic"),
    "df": ("自由度", "df"),
    "p": ("p 值", "p"),
    "h0": ("原假设", "H0"),
}


def _comparison_tables(ctx: Context, sec: Section, cmp: object) -> None:
    """SAR / SEM / SDM / SAC / SDEM / GNS side by side, and the LR tests of their nestings.

    The numbers are those of :func:`policylink.spatial.model_choice.compare_models` (as
    ``policylink sdm --compare``); only the headings are translated.
    """
    if cmp is None:
        return
    zh = ctx.lang == "zh"

    def heads(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.rename(columns={k: v[0 if zh else 1] for k, v in _COMPARISON_COLUMNS.items()})

    ctx.writer.table(
        sec,
        "model_comparison",
        heads(cmp.table),
        ctx.t(
            "同一数据、同一固定效应下 SAR、SEM、SDM、SAC、SDEM、GNS 的比较（对数似然、AIC、BIC）",
            "SAR, SEM, SDM, SAC, SDEM and GNS on the same data and fixed effects "
            "(log-likelihood, AIC, BIC)",
        ),
        note=ctx.t(
            f"AIC 最小：{cmp.best('aic')}；BIC 最小：{cmp.best('bic')}。参数个数含回归系数、rho/lambda "
            "与 sigma2（固定效应各模型相同，不计入）。GNS 识别较弱（LeSage-Pace、Elhorst 不建议解释其估计值），"
            "仅作嵌套检验之用。",
            f"Smallest AIC: {cmp.best('aic')}; smallest BIC: {cmp.best('bic')}. Parameters count the "
            "coefficients, rho / lambda and sigma2 (the fixed effects, the same in every model, are "
            "not counted). GNS is weakly identified (LeSage-Pace and Elhorst advise against "
            "interpreting it): it serves the nesting tests only.",
        ),
    )
    ctx.writer.table(
        sec,
        "model_comparison_lr",
        heads(cmp.lr_table),
        ctx.t("嵌套约束的似然比（LR）检验", "LR tests of the nested restrictions"),
    )


def section_sdm(ctx: Context) -> Section:
    """Model choice tests, two-way FE SDM with effects (Table 5) and the resource split (6-7).

    The one SDM analysis (as ``policylink sdm --tests`` and QGIS): :func:`run_sdm` on the
    region's database inputs, once for all units and once per resource-dependence group.
    """
    from policylink.analyses.sdm import SdmOptions, run_sdm
    from policylink.inputs import InputSource, load_inputs

    sec = Section(
        "sdm",
        ctx.t("空间杜宾模型：模型选择、效应分解与资源依赖型分组", "Spatial Durbin model: model choice, effects and the resource-dependent split"),
        ctx.t("种子 000 第 4.1.2 节、第 4.2 节、表 5-7", "seed 000 sections 4.1.2 and 4.2, Tables 5-7"),
        "synthetic",
    )  # fmt: skip
    y, xs = NAMES.jjj_y, list(NAMES.jjj_x)
    if _missing_vars(ctx, sec, [y, *xs]):
        return sec
    source = InputSource.from_options(level="prefecture", within=ctx.region)
    try:
        inp = load_inputs(source, [y, *xs], conn=ctx.conn)
    except ConfigError as exc:
        sec.missing.append(str(exc))
        return sec
    codes = list(inp.w.id_order)
    options = SdmOptions(y=y, x=tuple(xs), draws=ctx.draws, seed=ctx.seed, tests=True, compare=True)
    fitted = run_sdm(inp, options)
    truth_raw = _truth(NAMES.jjj_truth)
    dgp_units = set(
        (truth_raw or {}).get("neighbours") or (truth_raw or {}).get("unit_effects") or []
    )
    if truth_raw and dgp_units != set(codes):
        # The truth file describes another set of units: its values are not this panel's DGP.
        truth_raw = None
    truth = true_sdm_values(truth_raw, xs) if truth_raw else None
    if truth is None:
        sec.missing.append(
            ctx.t(
                f"真实参数文件 data/{NAMES.jjj_truth} 不存在或不描述这些单元，表中不列真实值。",
                f"true-parameter file data/{NAMES.jjj_truth} is missing or describes other units; "
                "true values are not shown.",
            )
        )
    mc = fitted.choice
    ctx.writer.table(
        sec,
        "model_choice",
        mc.table,
        ctx.t(
            "模型选择检验（LM、稳健 LM、Wald、LR、Hausman）",
            "Model choice tests (LM, robust LM, Wald, LR, Hausman)",
        ),
        note=" ".join(fitted.verdict()),
    )
    _comparison_tables(ctx, sec, fitted.comparison)
    res = fitted.main
    ctx.writer.table(
        sec,
        "table5",
        _table5(res, truth, ctx.lang),
        ctx.t(
            "双向固定效应 SDM 回归结果及效应分解（种子 000 表 5 版式；括号内为标准误；*** p<0.01, ** p<0.05, * p<0.1）",
            "Two-way FE SDM and effects (seed 000 Table 5 layout; SE in parentheses; "
            "*** p<0.01, ** p<0.05, * p<0.1)",
        ),
        note=ctx.t(
            f"效应标准误由 {ctx.draws} 次参数抽样模拟（LeSage-Pace）。" + SYNTH_NOTE["zh"],
            f"Effect SEs by {ctx.draws} simulated parameter draws (LeSage-Pace). "
            + SYNTH_NOTE["en"],
        ),
    )
    groups = dbread.read_unit_attribute(ctx.conn, NAMES.jjj_group).to_dict()
    if not groups:
        sec.missing.append(
            ctx.t(
                f"unit_attribute 中没有 {NAMES.jjj_group} 分类，无法复现表 6-7。",
                f"no {NAMES.jjj_group} classification in unit_attribute; Tables 6-7 cannot be reproduced.",
            )
        )
        return sec
    try:
        ginp = load_inputs(source, [y, *xs], extra=[NAMES.jjj_group], conn=ctx.conn)
    except ConfigError:
        sec.missing.append(
            ctx.t("部分单元没有资源依赖分类。", "some units have no resource-dependence class.")
        )
        return sec
    gopts = SdmOptions(y=y, x=tuple(xs), draws=ctx.draws, seed=ctx.seed, group_col=NAMES.jjj_group)
    prefix = f"{NAMES.jjj_group}="
    fits = {k.removeprefix(prefix): r for k, r in run_sdm(ginp, gopts).results.items()}
    # One DGP for all units: the group fits are compared with the same beta / theta / rho (the
    # effects of a group-restricted W are not defined by the DGP, so none are shown).
    gtruth = true_sdm_values(truth_raw, xs, with_effects=False) if truth_raw else None

    def table_no(g: object) -> int:
        return 6 if str(g).lower() in ("true", "1", "yes", "resource_dependent") else 7

    for g, r in sorted(fits.items(), key=lambda kv: table_no(kv[0])):
        label = {"true": ctx.t("资源依赖型城市", "resource-dependent cities"),
                 "resource_dependent": ctx.t("资源依赖型城市", "resource-dependent cities"),
                 "false": ctx.t("非资源依赖型城市", "non-resource-dependent cities"),
                 "non_resource_dependent": ctx.t("非资源依赖型城市", "non-resource-dependent cities"),
                 }.get(str(g).lower(), str(g))  # fmt: skip
        num = table_no(g)
        ctx.writer.table(
            sec,
            f"table{num}_{g}",
            _table5(r, gtruth, ctx.lang),
            ctx.t(
                f"{label}（种子 000 表 {num} 版式，{r.n_units} 个单元）",
                f"{label} (seed 000 Table {num} layout, {r.n_units} units)",
            ),  # fmt: skip
        )
    return sec


# --------------------------------------------------------------------------------------------
# 6. DID


def _did_note(ctx: Context, source: str, synthetic: tuple[str, ...]) -> str:
    """Note of the DID tables and figures: SYNTHETIC, with the variables, when the data are."""
    if not synthetic:
        return ctx.t(f"数据来源：{source}。", f"Data: {source}.")
    names = ", ".join(synthetic)
    return SYNTH_NOTE[ctx.lang] + ctx.t(f"（{names}）。", f" ({names}).")


def section_did(ctx: Context) -> Section:
    """DID on the synthetic national outcome with the real pilot timing (seed 004).

    The one DID pipeline (as ``policylink did ... --db`` and QGIS):
    :func:`policylink.did_inputs.load_did_inputs` on the database (treatment from the
    ``adoption_panel_rules`` view with the seed 004 rules), then the analyses of
    :mod:`policylink.analyses.did`.
    """
    from policylink.analyses.did import (
        MIN_SDID_REPLICATIONS,
        ComparisonOptions,
        CsOptions,
        HonestOptions,
        PlaceboOptions,
        PsmOptions,
        run_callaway_santanna,
        run_comparison,
        run_event_study,
        run_honest,
        run_placebo,
        run_psm,
        run_spatial_did,
        run_twfe,
    )
    from policylink.did_inputs import DidSource, database_weights, load_did_inputs

    sec = Section(
        "did",
        ctx.t("低碳城市试点的双重差分评估（合成结果变量，真实试点时间）", "Low-carbon pilot DID (synthetic outcome, real pilot timing)"),
        ctx.t("种子 004 表 3-5、图 1-3", "seed 004 Tables 3-5, Figs. 1-3"),
        "real + synthetic",
    )  # fmt: skip
    y, controls = NAMES.did_y, list(NAMES.did_controls)
    if _missing_vars(ctx, sec, [y, *controls]):
        return sec
    source = DidSource(y, tuple(controls))
    try:
        inp = load_did_inputs(source, conn=ctx.conn)
    except ConfigError as exc:
        sec.missing.append(str(exc))
        return sec
    for n in inp.notes:
        sec.paragraphs.append(html.escape(n))
    truth = _truth(NAMES.did_truth) or {}
    if truth and truth.get("units") != inp.n_units:
        # The truth file describes another panel (e.g. a test database): do not print it.
        truth = {}
    true_att = truth.get("true_att", truth.get("att"))
    true_col = ctx.t("真实值", "true")
    base = run_twfe(inp)
    note = _did_note(ctx, base.provenance.source, base.provenance.synthetic)
    tab = base.table(ctx.lang)
    tab[true_col] = [true_att if i == 0 else np.nan for i in range(len(tab))]
    r = base.result
    ctx.writer.table(
        sec, "baseline", tab,
        ctx.t(f"基准 TWFE DID（单元与年份固定效应，按单元聚类；N = {r.n_obs}，{r.n_units} 个单元）",
              f"Baseline TWFE DID (unit and year FE, clustered by unit; N = {r.n_obs}, {r.n_units} units)"),
        note=note,
    )  # fmt: skip
    es = run_event_study(inp)
    ref, p_f = es.options.reference, es.pretrend.get("p_F", np.nan)
    ctx.writer.table(sec, "event_study", es.table(ctx.lang), ctx.t(f"事件研究系数（参照期 {ref}）", f"Event-study coefficients (reference {ref})"),
                     note=ctx.t(f"前期联合检验 p = {p_f:.3f}。", f"Joint pre-trend test p = {p_f:.3f}. ") + note)  # fmt: skip
    fig = plots.event_study_plot(
        es.result.table, title=ctx.t("平行趋势检验（事件研究）", "Event study (parallel trends)"),
        xlabel=ctx.t("相对试点年份", "years relative to pilot"), ylabel=ctx.t("系数", "coefficient"),
        true_effect=true_att, note=note,
    )  # fmt: skip
    ctx.writer.figure(
        sec,
        "event_study",
        fig,
        ctx.t("事件研究图（种子 004 图 1 版式）", "Event study (seed 004 Fig. 1 layout)"),
    )
    pl = run_placebo(inp, PlaceboOptions(draws=ctx.draws, seed=ctx.seed))
    fig = plots.placebo_plot(
        pl.result.estimates, pl.result.observed.coef(), pl.p_value,
        title=ctx.t("安慰剂检验", "Placebo test"), xlabel=ctx.t("安慰剂系数", "placebo coefficient"),
        ylabel=ctx.t("频数", "count"), note=note,
    )  # fmt: skip
    ctx.writer.figure(
        sec,
        "placebo",
        fig,
        ctx.t(
            f"安慰剂检验：随机分配试点 {len(pl.result.estimates)} 次（种子 004 图 2 版式）",
            f"Placebo: {len(pl.result.estimates)} random reassignments (seed 004 Fig. 2 layout)",
        ),
    )
    if controls:
        try:
            ps = run_psm(inp, PsmOptions(seed=ctx.seed))
        except (np.linalg.LinAlgError, ValueError) as exc:
            # Small or separated samples make the logit singular: say so, show no numbers.
            ps = None
            sec.missing.append(
                ctx.t(
                    f"PSM 在此样本上无法估计：{exc}",
                    f"PSM cannot be estimated on this sample: {exc}",
                )
            )
        if ps is not None:
            warn = ps.balance_warning(ctx.lang)  # shown with the balance table
            ctx.writer.table(
                sec, "psm_balance", ps.table(ctx.lang), ctx.t("PSM 平衡性检验", "PSM balance"),
                note=f"{warn} {note}" if warn else note,
            )  # fmt: skip
            fig = plots.balance_plot(ps.result.balance, title=ctx.t("匹配前后标准化偏差", "Standardised bias before and after matching"),
                                     xlabel=ctx.t("标准化偏差 (%)", "standardised bias (%)"), note=note)  # fmt: skip
            ctx.writer.figure(
                sec,
                "psm_balance",
                fig,
                ctx.t(
                    "PSM 匹配前后偏差（种子 004 图 3 版式）",
                    "PSM bias before/after (seed 004 Fig. 3 layout)",
                ),
            )
            psm_tab = ps.did_table(ctx.lang)
            psm_tab[true_col] = [true_att if i == 0 else np.nan for i in range(len(psm_tab))]
            ctx.writer.table(
                sec,
                "psm_did",
                psm_tab,
                ctx.t(
                    f"PSM-DID（匹配样本，{2 * len(ps.result.pairs)} 个单元）",
                    f"PSM-DID on the matched sample ({2 * len(ps.result.pairs)} units)",
                ),
                note=note,
            )
    else:
        sec.missing.append(ctx.t("没有协变量，跳过 PSM。", "no covariates: PSM skipped."))
    cs = run_callaway_santanna(inp, CsOptions(control="auto"))
    cs_tab = cs.aggregations(ctx.lang)
    cs_tab[true_col] = true_att
    never = cs.result.control == "never"
    ctx.writer.table(
        sec,
        "callaway_santanna",
        cs_tab,
        ctx.t(
            f"Callaway-Sant'Anna 汇总（对照：{'从未处理' if never else '尚未处理 + 从未处理'}）",
            f"Callaway-Sant'Anna summary (controls: {'never treated' if never else 'not-yet + never treated'})",
        ),
        note=note,
    )
    # estimator comparison: one table (TWFE, CS, imputation, SA, SDID) and one figure (event time)
    # the SDID row's placebo replications follow --draws like the other simulated inference
    # (at least the two a synthetic DID needs: --draws 1 runs everything else once)
    reps = max(ctx.draws, MIN_SDID_REPLICATIONS)
    cmp_ = run_comparison(inp, ComparisonOptions(replications=reps, seed=ctx.seed))
    cmp_tab = cmp_.table(ctx.lang)
    cmp_tab[true_col] = true_att
    ctx.writer.table(
        sec,
        "estimator_comparison",
        cmp_tab,
        ctx.t(
            "估计量比较：TWFE、Callaway-Sant'Anna、插补法（Borusyak-Jaravel-Spiess）、Sun-Abraham、"
            "合成双重差分（Arkhangelsky 等）",
            "Estimator comparison: TWFE, Callaway-Sant'Anna, imputation (Borusyak-Jaravel-Spiess), "
            "Sun-Abraham, synthetic DID (Arkhangelsky et al.)",
        ),
        note=note,
    )
    for reason in cmp_.skipped:
        sec.missing.append(html.escape(reason))
    ctx.writer.figure(
        sec,
        "estimator_comparison",
        cmp_.figures()["compare"],
        ctx.t(
            "按相对年份的效应：四种估计量",
            "Effects by event time: the four estimators",
        ),
    )
    # HonestDiD sensitivity of the event study (Rambachan-Roth, relative magnitudes)
    try:
        hon = run_honest(inp, HonestOptions())
    except (ConfigError, InputError, ValueError, np.linalg.LinAlgError) as exc:
        sec.missing.append(html.escape(f"HonestDiD: {exc}"))
    else:
        ctx.writer.table(
            sec,
            "honest",
            hon.table(ctx.lang),
            ctx.t(
                f"HonestDiD 敏感性（相对幅度）：突破值 Mbar = {hon.result.breakdown:.3g}",
                f"HonestDiD sensitivity (relative magnitudes): breakdown Mbar = "
                f"{hon.result.breakdown:.3g}",
            ),
            note=note,
        )
        ctx.writer.figure(
            sec,
            "honest",
            hon.figures()["honest"],
            ctx.t(
                "平行趋势偏离的敏感性：各 Mbar 下的稳健置信集",
                "Sensitivity to parallel-trends violations: robust confidence sets by Mbar",
            ),
        )
    try:
        winp = database_weights(inp, "queen", conn=ctx.conn)
    except ConfigError as exc:
        sec.missing.append(str(exc))
        winp = None
    if winp is not None:
        sd = run_spatial_did(winp)
        sp = sd.table(ctx.lang)
        # The DGP has no spillover term: the true spillover is 0.
        sp[true_col] = [true_att, truth.get("true_spillover", 0.0)] if truth else np.nan
        ctx.writer.table(
            sec,
            "spatial_did",
            sp,
            ctx.t(
                "空间 DID：直接效应与邻近试点溢出（SLX，W = queen）",
                "Spatial DID: direct effect and spillover from treated neighbours (SLX, W = queen)",
            ),
            note=note,
        )
    years = "/".join(str(y) for y in source.effective_years)
    outcome = (
        ctx.t("结果变量为合成数据。", "the outcome is SYNTHETIC.")
        if base.provenance.is_synthetic
        else ""
    )
    sec.paragraphs.append(html.escape(ctx.t(
        f"处理时间来自真实的试点批次（adoption_panel_rules 视图：生效年 {years}，试点省份覆盖其地级单元，取最早批次）；" + outcome,
        f"Treatment timing is real (adoption_panel_rules view: batches effective {years}; a pilot "
        f"province covers its prefectures; earliest batch wins); " + outcome,
    )))  # fmt: skip
    return sec
