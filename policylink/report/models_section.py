"""Report section: the dynamic spatial panel and the one-year cross-sectional models.

Both come from the one analysis layer (:func:`policylink.analyses.models.run_dynamic_panel` and
:func:`policylink.analyses.models.run_cross_section`, as ``policylink model dynamic`` and
``policylink model cross-section`` and the QGIS algorithms) on the same SYNTHETIC seed 000 panel
as the SDM section: the bias-corrected dynamic spatial Durbin panel with its short- and long-run
effects, then SAR / SEM / SDM by ML and SAR / SEM by GMM for the last year of the panel.
"""

from __future__ import annotations

import pandas as pd

from policylink.errors import ConfigError, InputError
from policylink.report.analysis_sections import NAMES, SYNTH_NOTE, _missing_vars
from policylink.report.builder import Section
from policylink.report.context import Context

#: Cross-sectional fits shown, in table order: (model, method).
CROSS_FITS = (("sar", "ml"), ("sem", "ml"), ("sdm", "ml"), ("sar", "gmm"), ("sem", "gmm"))


def _fit_row(res: object, model: str, method: str, lang: str) -> dict[str, object]:
    """One row of the cross-section summary: spatial parameter and fit statistics."""
    coef = res.coefficients.set_index("name")
    par = res.spatial_name
    zh = lang == "zh"
    ll = res.log_likelihood
    return {
        "模型" if zh else "model": model.upper(),
        "方法" if zh else "method": method.upper(),
        "空间参数" if zh else "spatial parameter": par,
        "估计值" if zh else "estimate": float(coef.loc[par, "estimate"]),
        "标准误" if zh else "SE": float(coef.loc[par, "se"]),
        "对数似然" if zh else "log L": float(ll) if ll else None,
        "AIC": float(res.aic) if ll else None,
        "伪 R2" if zh else "pseudo R2": float(res.pseudo_r2),
    }


def section_models(ctx: Context) -> Section:
    """Dynamic spatial panel (short / long-run effects) and one-year SAR / SEM / SDM.

    Parameters
    ----------
    ctx : Context
        Report context (connection, writer, language, region, draws, seed).

    Returns
    -------
    Section
    """
    from policylink.analyses.models import (
        CrossSectionOptions,
        DynamicOptions,
        run_cross_section,
        run_dynamic_panel,
    )
    from policylink.inputs import InputSource, load_inputs

    sec = Section(
        "models",
        ctx.t("动态空间面板与单年截面空间模型", "Dynamic spatial panel and one-year cross-sectional models"),
        ctx.t("方法扩展（种子 000 的面板，非原文表格）", "Methods extension (seed 000 panel; no seed table)"),
        "synthetic",
    )  # fmt: skip
    y, xs = NAMES.jjj_y, tuple(NAMES.jjj_x)
    if _missing_vars(ctx, sec, [y, *xs]):
        return sec
    source = InputSource.from_options(level="prefecture", within=ctx.region)
    try:
        inp = load_inputs(source, [y, *xs], conn=ctx.conn)
    except ConfigError as exc:
        sec.missing.append(str(exc))
        return sec
    sec.paragraphs.append(
        ctx.t(
            "动态空间杜宾面板 y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + X_t beta + W X_t theta"
            " + mu + e_t（个体固定效应），以 Yu-de Jong-Lee 偏误校正的准极大似然估计；短期效应为"
            "当期乘数，长期效应令 y_t = y_{t-1}。截面模型取面板最后一年。",
            "Dynamic spatial Durbin panel y_t = tau y_{t-1} + eta W y_{t-1} + rho W y_t + X_t beta"
            " + W X_t theta + mu + e_t (unit fixed effects), by Yu-de Jong-Lee bias-corrected "
            "quasi-ML; short-run effects are the same-period multipliers, long-run effects set "
            "y_t = y_{t-1}. The cross-sectional models use the last year of the panel.",
        )
    )
    try:
        dyn = run_dynamic_panel(inp, DynamicOptions(y=y, x=xs, draws=ctx.draws, seed=ctx.seed))
    except (ConfigError, InputError) as exc:
        sec.missing.append(ctx.t("动态面板无法估计：", "dynamic panel not estimated: ") + str(exc))
    else:
        ctx.writer.table(
            sec,
            "dynamic",
            dyn.table(ctx.lang),
            dyn.title(ctx.lang),
            note=SYNTH_NOTE[ctx.lang],
        )
        eff = dyn.effects_table(ctx.lang)
        if eff is not None:
            ctx.writer.table(
                sec,
                "dynamic_effects",
                eff,
                ctx.t(
                    f"动态面板的短期与长期直接、间接、总效应（标准误由 {ctx.draws} 次参数抽样模拟）",
                    f"Short- and long-run direct, indirect and total effects of the dynamic panel "
                    f"(SEs from {ctx.draws} parameter draws)",
                ),
                note=SYNTH_NOTE[ctx.lang],
            )
    year = int(inp.panel[inp.time_col].max())
    rows = []
    for model, method in CROSS_FITS:
        opts = CrossSectionOptions(
            y=y, x=xs, year=year, model=model, method=method, draws=ctx.draws, seed=ctx.seed
        )
        try:
            res = run_cross_section(inp, opts)
        except (ConfigError, InputError) as exc:
            sec.missing.append(f"{model.upper()} {method.upper()} {year}: {exc}")
            continue
        rows.append(_fit_row(res.result, model, method, ctx.lang))
        if (model, method) == ("sdm", "ml"):
            ctx.writer.table(
                sec,
                "cross_sdm",
                res.table(ctx.lang),
                res.title(ctx.lang),
                note=SYNTH_NOTE[ctx.lang],
            )
            eff = res.effects_table(ctx.lang)
            if eff is not None:
                ctx.writer.table(
                    sec,
                    "cross_sdm_effects",
                    eff,
                    ctx.t(f"{year} 年截面 SDM 的直接、间接、总效应", f"Direct, indirect and total effects of the {year} SDM"),
                )  # fmt: skip
    if rows:
        ctx.writer.table(
            sec,
            "cross_section",
            pd.DataFrame(rows),
            ctx.t(
                f"{year} 年截面空间模型：空间参数与拟合（GMM 无似然值）",
                f"Cross-sectional spatial models for {year}: spatial parameter and fit "
                "(GMM has no likelihood)",
            ),
            note=SYNTH_NOTE[ctx.lang],
        )
    return sec
