"""More spatial models: dynamic spatial panels, one-year cross-sections and LM tests after fitting.

Three analyses, one function each, called by ``policylink model dynamic|cross-section|lm``:

- :func:`run_dynamic_panel`: dynamic spatial (Durbin) panel with unit (and time) fixed effects,
  bias-corrected quasi-ML, short- and long-run effects (:mod:`policylink.spatial.dynamic_panel`).
- :func:`run_cross_section`: SAR / SEM / SDM for one year by ML or GMM
  (:mod:`policylink.spatial.cross_section`).
- :func:`run_panel_lm`: LM tests after the non-spatial, SAR and SEM fits of a FE panel
  (:mod:`policylink.spatial.panel_lm`).

Inputs and weights come from the one inputs layer exactly as for :func:`run_sdm`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from policylink.analyses.base import (
    DEFAULT_SEED,
    DEFAULT_TRANSFORMATION,
    AnalysisResult,
    Provenance,
    check_lang,
)
from policylink.analyses.sdm import DEFAULT_DRAWS
from policylink.errors import ConfigError, InputError, Problem

DYNAMIC_FE = ("unit", "twoways")
DYNAMIC_LAGS = ("both", "time", "spacetime")
CROSS_MODELS = ("sar", "sem", "sdm")
CROSS_METHODS = ("ml", "gmm")
LM_FE = ("twoways", "unit", "time", "none")

_HEAD = {
    "en": ("variable", "estimate", "SE", "z", "p"),
    "zh": ("变量", "估计值", "标准误", "z", "p"),
}


def _check_x(x: tuple[str, ...]) -> None:
    if not x:
        raise ConfigError("the model needs at least one regressor (--x)")


def _coef_table(coef: pd.DataFrame, lang: str, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Coefficient frame (name, estimate, se, z, p, ...) with headings in ``lang``."""
    h = _HEAD[check_lang(lang)]
    names = dict(zip(("name", "estimate", "se", "z", "p"), h, strict=True))
    names.update(extra or {})
    return coef.rename(columns=names)


def _fail(inputs: Any, exc: ValueError) -> InputError:
    return InputError([Problem(inputs.source, None, None, None, str(exc))])


def _panel(inputs: Any, y: str, x: tuple[str, ...], transformation: str) -> tuple[Any, ...]:
    """Y (T, N), X (T, N, K), the transformed weights and the periods, as ``run_sdm`` builds
    them."""
    from policylink.spatial.panel import panel_arrays, weights_matrix

    if inputs.time_col is None:
        raise ConfigError("this model needs a panel (a period column)")
    Y, X, periods = panel_arrays(
        inputs.panel,
        y=y,
        x=list(x),
        id_col=inputs.id_col,
        time_col=inputs.time_col,
        ids=inputs.w.id_order,
    )
    return Y, X, weights_matrix(inputs.w, transformation), periods


# --------------------------------------------------------------------------------------------
# Dynamic spatial panel
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DynamicOptions:
    """Options of the dynamic spatial panel.

    Attributes
    ----------
    y : str
        Dependent variable.
    x : tuple of str
        Regressors.
    fe : {'unit', 'twoways'}
        Unit, or unit and time, fixed effects.
    lags : {'both', 'time', 'spacetime'}
        y_{t-1} and W y_{t-1}, only y_{t-1}, or only W y_{t-1}.
    durbin : bool
        Include W X (dynamic SDM); False for the dynamic SAR.
    bias_correction : bool
        Report the Yu-de Jong-Lee / Lee-Yu bias-corrected estimates.
    draws : int
        Parameter draws for the effects' SEs.
    seed : int
        Seed of the draws.
    transformation : str
        Weights transformation.
    years : tuple of int or None
        Periods used (None = all).
    """

    y: str
    x: tuple[str, ...]
    fe: str = "unit"
    lags: str = "both"
    durbin: bool = True
    bias_correction: bool = True
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    transformation: str = DEFAULT_TRANSFORMATION
    years: tuple[int, ...] | None = None

    def check(self) -> None:
        """Refuse inconsistent options with a sentence (ConfigError)."""
        _check_x(self.x)
        if self.fe not in DYNAMIC_FE:
            raise ConfigError(f"effects {self.fe!r}: use {', '.join(DYNAMIC_FE)}")
        if self.lags not in DYNAMIC_LAGS:
            raise ConfigError(f"lags {self.lags!r}: use {', '.join(DYNAMIC_LAGS)}")
        if self.fe == "twoways" and self.transformation != "r":
            raise ConfigError("time effects in a dynamic panel need row-standardised weights (r)")


@dataclass
class DynamicAnalysis(AnalysisResult):
    """A fitted dynamic spatial panel.

    Attributes
    ----------
    result : policylink.spatial.dynamic_panel.DynamicPanelResult
    periods : list
        Periods of the data (the first gives y_0 only).
    """

    result: Any = None
    periods: list[Any] = field(default_factory=list)
    kind: str = field(default="dynamic_panel", init=False)

    def content(self) -> dict[str, Any]:
        """The fit, effects and the periods used."""
        return {**self.result.to_dict(), "periods": list(self.periods)}

    def frame(self) -> pd.DataFrame:
        """Long table: horizon, effect (coefficient / direct / indirect / total), variable,
        estimate, se, z, p."""
        c = self.result.coefficients.rename(columns={"name": "variable"})
        c = c.assign(horizon="", effect="coefficient")
        frames = [c[["horizon", "effect", "variable", "estimate", "se", "z", "p"]]]
        if self.result.effects is not None:
            frames.append(self.result.effects)
        return pd.concat(frames, ignore_index=True)

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Coefficients with the uncorrected ML estimates beside them."""
        zh = check_lang(lang) == "zh"
        extra = {
            "estimate_ml": "未校正估计" if zh else "uncorrected ML",
            "se_ml": "未校正标准误" if zh else "uncorrected SE",
        }
        return _coef_table(self.result.coefficients, lang, extra)

    def effects_table(self, lang: str = "en") -> pd.DataFrame | None:
        """Short- and long-run direct / indirect / total effects."""
        if self.result.effects is None:
            return None
        zh = check_lang(lang) == "zh"
        e = self.result.effects.rename(columns={"variable": "name"})
        extra = {"horizon": "期限" if zh else "horizon", "effect": "效应" if zh else "effect"}
        return _coef_table(e, lang, extra)

    def title(self, lang: str = "en") -> str:
        """Model, y, effects, correction, weights and source."""
        o = self.options
        r = self.result
        model = "dynamic SDM" if r.sdm else "dynamic SAR"
        corr = "Yu-de Jong-Lee bias-corrected" if o.bias_correction else "uncorrected"
        if check_lang(lang) == "zh":
            corr_zh = "Yu-de Jong-Lee 偏误校正" if o.bias_correction else "未校正"
            return (
                f"动态空间面板（{model}），y = {o.y}，固定效应 {o.fe}，{corr_zh} QML；"
                f"N = {r.n_units}，T = {r.n_periods}；{self.provenance.weights}；"
                f"来源：{self.provenance.label('zh')}"
            )
        return (
            f"Dynamic spatial panel ({model}), y = {o.y}, FE {o.fe}, {corr} QML; "
            f"N = {r.n_units}, T = {r.n_periods}; effects SE from {o.draws} draws (seed "
            f"{o.seed}); {self.provenance.weights}; source: {self.provenance.label(lang)}"
        )


def run_dynamic_panel(inputs: Any, options: DynamicOptions) -> DynamicAnalysis:
    """Fit the dynamic spatial panel with bias correction and short/long-run effects.

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Balanced panel with consecutive periods and binary weights.
    options : DynamicOptions

    Returns
    -------
    DynamicAnalysis

    Raises
    ------
    ConfigError
        Inconsistent options, a cross-section, or gaps between periods.
    InputError
        Estimation refused (singular design, unbalanced panel, ...), naming the source.
    """
    from policylink.spatial.dynamic_panel import fit_dynamic_panel

    o = options
    o.check()
    try:
        Y, X, W, periods = _panel(inputs, o.y, o.x, o.transformation)
        steps = {b - a for a, b in zip(periods[:-1], periods[1:], strict=True)}
        if len(steps) > 1:
            raise ConfigError(
                f"a dynamic panel needs equally spaced periods; found gaps in {periods}"
            )
        res = fit_dynamic_panel(
            Y,
            X,
            W,
            names=list(o.x),
            y_name=o.y,
            fe=o.fe,
            lags=o.lags,
            sdm=o.durbin,
            bias_correction=o.bias_correction,
            draws=o.draws,
            seed=o.seed,
        )
    except ValueError as exc:
        raise _fail(inputs, exc) from exc
    return DynamicAnalysis(Provenance.of(inputs), o, res, list(periods))


# --------------------------------------------------------------------------------------------
# Cross-section for one year
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CrossSectionOptions:
    """Options of the cross-sectional spatial model.

    Attributes
    ----------
    y : str
        Dependent variable.
    x : tuple of str
        Regressors.
    year : int or None
        Period to fit (required with a panel).
    model : {'sar', 'sem', 'sdm'}
    method : {'ml', 'gmm'}
    draws : int
        Parameter draws for the effects' SEs.
    seed : int
        Seed of the draws.
    transformation : str
        Weights transformation.
    """

    y: str
    x: tuple[str, ...]
    year: int | None = None
    model: str = "sar"
    method: str = "ml"
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    transformation: str = DEFAULT_TRANSFORMATION

    def check(self) -> None:
        """Refuse inconsistent options with a sentence (ConfigError)."""
        _check_x(self.x)
        if self.model not in CROSS_MODELS:
            raise ConfigError(f"model {self.model!r}: use {', '.join(CROSS_MODELS)}")
        if self.method not in CROSS_METHODS:
            raise ConfigError(f"method {self.method!r}: use {', '.join(CROSS_METHODS)}")


@dataclass
class CrossSectionAnalysis(AnalysisResult):
    """A fitted cross-sectional spatial model.

    Attributes
    ----------
    result : policylink.spatial.cross_section.CrossSectionResult
    """

    result: Any = None
    kind: str = field(default="cross_section", init=False)

    def content(self) -> dict[str, Any]:
        """The fit and its effects, with the year."""
        return {**self.result.to_dict(), "year": self.options.year}

    def frame(self) -> pd.DataFrame:
        """Long table: effect (coefficient / direct / indirect / total), variable, estimate,
        se, z, p."""
        c = self.result.coefficients.rename(columns={"name": "variable"})
        frames = [
            c.assign(effect="coefficient")[["effect", "variable", "estimate", "se", "z", "p"]]
        ]
        if self.result.effects is not None:
            frames.append(self.result.effects)
        return pd.concat(frames, ignore_index=True)

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Coefficients and rho / lambda."""
        return _coef_table(self.result.coefficients, lang)

    def effects_table(self, lang: str = "en") -> pd.DataFrame | None:
        """Direct / indirect / total effects (SAR, SDM)."""
        if self.result.effects is None:
            return None
        e = self.result.effects.rename(columns={"variable": "name"})
        return _coef_table(e, lang, {"effect": "效应" if lang == "zh" else "effect"})

    def title(self, lang: str = "en") -> str:
        """Model, method, y, year, fit statistics, weights and source."""
        o = self.options
        r = self.result
        fit = f"log L = {r.log_likelihood:.3f}, AIC = {r.aic:.3f}" if r.log_likelihood else ""
        yr = f" {o.year}" if o.year is not None else ""
        if check_lang(lang) == "zh":
            yr_zh = f"，{o.year} 年" if o.year is not None else ""
            return (
                f"截面空间模型 {o.model.upper()}（{o.method.upper()}），y = {o.y}{yr_zh}；"
                f"N = {r.n}；{fit}；{self.provenance.weights}；来源：{self.provenance.label('zh')}"
            )
        return (
            f"Cross-sectional {o.model.upper()} by {o.method.upper()}, y = {o.y},{yr}; "
            f"N = {r.n}{'; ' + fit if fit else ''}; pseudo R2 = {r.pseudo_r2:.3f}; "
            f"{self.provenance.weights}; source: {self.provenance.label(lang)}"
        )


def run_cross_section(inputs: Any, options: CrossSectionOptions) -> CrossSectionAnalysis:
    """Fit SAR, SEM or SDM to one year by ML or GMM.

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Panel (with ``options.year``) or cross-section, and binary weights.
    options : CrossSectionOptions

    Returns
    -------
    CrossSectionAnalysis

    Raises
    ------
    ConfigError
        Inconsistent options, or a panel without a year.
    InputError
        Missing values for the year or estimation refused, naming the source.
    """
    from policylink.spatial.cross_section import fit_cross_section
    from policylink.spatial.panel import weights_matrix

    o = options
    o.check()
    if inputs.time_col is not None and o.year is None:
        raise ConfigError("a year is required with a panel (--year)")
    cols = [o.y, *o.x]
    sub = inputs.cross_section(cols, o.year)
    # constant, beta (and theta for the SDM), rho / lambda: one year must leave residual degrees
    k = 2 + len(o.x) * (2 if o.model == "sdm" else 1)
    if len(sub) <= k:
        raise InputError(
            [
                Problem(
                    inputs.source,
                    None,
                    None,
                    None,
                    f"{len(sub)} units for the {k} parameters of a one-year {o.model.upper()}: "
                    "use fewer regressors or more units",
                )
            ]
        )
    try:
        res = fit_cross_section(
            sub[o.y].to_numpy(dtype=float),
            sub[list(o.x)].to_numpy(dtype=float),
            weights_matrix(inputs.w, o.transformation),
            names=list(o.x),
            model=o.model,
            method=o.method,
            draws=o.draws,
            seed=o.seed,
        )
    except ValueError as exc:
        raise _fail(inputs, exc) from exc
    return CrossSectionAnalysis(Provenance.of(inputs), o, res)


# --------------------------------------------------------------------------------------------
# LM tests after fitting
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PanelLmOptions:
    """Options of the panel LM tests.

    Attributes
    ----------
    y : str
        Dependent variable.
    x : tuple of str
        Regressors.
    fe : {'twoways', 'unit', 'time', 'none'}
        Fixed effects of the fitted models.
    alpha : float
        Level of the verdict.
    transformation : str
        Weights transformation.
    years : tuple of int or None
        Periods used (None = all).
    """

    y: str
    x: tuple[str, ...]
    fe: str = "twoways"
    alpha: float = 0.05
    transformation: str = DEFAULT_TRANSFORMATION
    years: tuple[int, ...] | None = None

    def check(self) -> None:
        """Refuse inconsistent options with a sentence (ConfigError)."""
        _check_x(self.x)
        if self.fe not in LM_FE:
            raise ConfigError(f"effects {self.fe!r}: use {', '.join(LM_FE)}")
        if not 0 < self.alpha < 1:
            raise ConfigError(f"alpha {self.alpha}: use a level between 0 and 1")


@dataclass
class PanelLmAnalysis(AnalysisResult):
    """LM tests after fitting, with the spatial parameters of the fits they condition on.

    Attributes
    ----------
    tests : list of policylink.spatial.model_choice.TestResult
    fits : dict of str to SpatialPanelResult
        SAR and SEM fits of the conditional tests.
    """

    tests: list[Any] = field(default_factory=list)
    fits: dict[str, Any] = field(default_factory=dict)
    kind: str = field(default="panel_lm", init=False)

    def frame(self) -> pd.DataFrame:
        """One row per test: test, after (fit), statistic, df, p, h0, reject."""
        rows = []
        for t in self.tests:
            after = "sar" if "after SAR" in t.name else "sem" if "after SEM" in t.name else "ols"
            rows.append(
                {
                    "test": t.name,
                    "after": after,
                    "statistic": t.statistic,
                    "df": t.df,
                    "p": t.p,
                    "h0": t.h0,
                    "reject": bool(t.p < self.options.alpha),
                }
            )
        return pd.DataFrame(rows)

    def verdict(self) -> list[str]:
        """What the tests say, in sentences."""
        by = {t.name: t for t in self.tests}
        a = self.options.alpha
        out = []
        lag = by["LM lag (robust)"].p < a
        err = by["LM error (robust)"].p < a
        out.append(
            f"After the non-spatial model (robust LM, {a:g}): spatial lag "
            f"{'present' if lag else 'not detected'}, spatial error "
            f"{'present' if err else 'not detected'}."
        )
        t = by["LM error | lag (after SAR)"]
        out.append(
            "After the SAR: spatial error left in the residuals (consider SAC / SDM)."
            if t.p < a
            else "After the SAR: no spatial error left in the residuals."
        )
        t = by["LM lag | error (after SEM)"]
        out.append(
            "After the SEM: a spatial lag is missing (consider SAC / SDM)."
            if t.p < a
            else "After the SEM: no spatial lag missing."
        )
        return out

    def content(self) -> dict[str, Any]:
        """Tests, verdict and the fitted spatial parameters."""
        return {
            "tests": self.frame().to_dict(orient="records"),
            "verdict": self.verdict(),
            "fits": {
                k: {
                    "spatial_parameter": r.spatial_name,
                    "estimate": r.lam if r.model == "sem" else r.rho,
                    "log_likelihood": r.log_likelihood,
                }
                for k, r in self.fits.items()
            },
            "n_units": next(iter(self.fits.values())).n_units if self.fits else None,
        }

    def table(self, lang: str = "en") -> pd.DataFrame:
        """The tests with headings in ``lang``."""
        f = self.frame()
        if check_lang(lang) == "zh":
            f = f.rename(
                columns={
                    "test": "检验",
                    "after": "估计模型",
                    "statistic": "统计量",
                    "df": "自由度",
                    "h0": "原假设",
                    "reject": "拒绝",
                }
            )
        return f

    def title(self, lang: str = "en") -> str:
        """Tests, effects, weights and source."""
        o = self.options
        if check_lang(lang) == "zh":
            return (
                f"面板 LM 检验（估计后），y = {o.y}，固定效应 {o.fe}；{self.provenance.weights}；"
                f"来源：{self.provenance.label('zh')}"
            )
        return (
            f"Panel LM tests after fitting, y = {o.y}, FE {o.fe}; {self.provenance.weights}; "
            f"source: {self.provenance.label(lang)}"
        )


def run_panel_lm(inputs: Any, options: PanelLmOptions) -> PanelLmAnalysis:
    """LM tests after the non-spatial, SAR and SEM fits of the panel.

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Balanced panel and binary weights.
    options : PanelLmOptions

    Returns
    -------
    PanelLmAnalysis

    Raises
    ------
    ConfigError
        Inconsistent options or a cross-section.
    InputError
        Estimation refused, naming the source.
    """
    from policylink.spatial.panel_lm import panel_lm

    o = options
    o.check()
    try:
        Y, X, W, _ = _panel(inputs, o.y, o.x, o.transformation)
        tests, fits = panel_lm(Y, X, W, names=list(o.x), fe=o.fe)
    except ValueError as exc:
        raise _fail(inputs, exc) from exc
    return PanelLmAnalysis(Provenance.of(inputs), o, tests, fits)
