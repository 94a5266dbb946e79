"""The difference-in-differences family (seed 004): one analysis per estimator, plus the suite.

Each ``run_<name>(inputs, options)`` takes :class:`policylink.did_inputs.DidInputs` (the one DID
panel of every front-end) and returns a result that renders itself: ``to_dict()`` / ``to_json()``
(the keys of ``policylink did ... --format json``), ``table(lang)`` and ``title(lang)`` in
Chinese or English, ``csv_frame()``, ``paper_table(fmt)`` (Markdown / LaTeX / CSV) and figures.
Every output carries the :class:`~policylink.analyses.base.Provenance` of the inputs, so it says
SYNTHETIC when the outcome or a control is synthetic. The estimators are those of
:mod:`policylink.spatial.did`; nothing is re-estimated here.

``policylink did ...``, the report's DID section, the QGIS DID suite and the dock call these
functions. The defaults below are the only ones: front-ends take them from here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from policylink.analyses.base import DEFAULT_SEED, AnalysisResult, Provenance, check_lang
from policylink.analyses.did_defaults import (
    DEFAULT_DCDH_DRAWS,
    DEFAULT_LAGS,
    DEFAULT_LEADS,
    DEFAULT_PLACEBO_DRAWS,
    DEFAULT_REFERENCE,
    DEFAULT_SDID_REPLICATIONS,
)
from policylink.analyses.sdm import DEFAULT_DRAWS as DEFAULT_EFFECT_DRAWS
from policylink.did_inputs import DEFAULT_EFFECTIVE_YEARS, DEFAULT_PROGRAMME, DidInputs
from policylink.errors import ConfigError, InputError

__all__ = [
    "DEFAULT_DCDH_DRAWS",
    "DEFAULT_EFFECTIVE_YEARS",
    "DEFAULT_EFFECT_DRAWS",
    "DEFAULT_LAGS",
    "DEFAULT_LEADS",
    "DEFAULT_PLACEBO_DRAWS",
    "DEFAULT_PROGRAMME",
    "DEFAULT_REFERENCE",
    "DEFAULT_SDID_REPLICATIONS",
    "DEFAULT_SEED",
    "MIN_SDID_REPLICATIONS",
    "BaconAnalysis",
    "BaconOptions",
    "ComparisonAnalysis",
    "ComparisonOptions",
    "CsAnalysis",
    "CsOptions",
    "CS_AGGREGATIONS",
    "CS_ESTIMATORS",
    "CONLEY_KERNELS",
    "InferenceOptions",
    "OverallEffect",
    "DcdhAnalysis",
    "DcdhOptions",
    "DidAnalysis",
    "EventStudyAnalysis",
    "EventStudyOptions",
    "HeterogeneityAnalysis",
    "HeterogeneityOptions",
    "HonestAnalysis",
    "HonestOptions",
    "ImputationAnalysis",
    "ImputationOptions",
    "MechanismAnalysis",
    "MechanismOptions",
    "PlaceboAnalysis",
    "PlaceboOptions",
    "PsmAnalysis",
    "PsmOptions",
    "RobustnessAnalysis",
    "RobustnessOptions",
    "SdidAnalysis",
    "SdidOptions",
    "SpatialDidAnalysis",
    "SpatialDidOptions",
    "SuiteAnalysis",
    "SuiteOptions",
    "SunAbrahamAnalysis",
    "SunAbrahamOptions",
    "TwfeAnalysis",
    "TwfeOptions",
    "provenance",
    "run_bacon",
    "run_callaway_santanna",
    "run_comparison",
    "run_dcdh",
    "run_event_study",
    "run_heterogeneity",
    "run_honest",
    "run_imputation",
    "run_mechanism",
    "run_placebo",
    "run_psm",
    "run_robustness",
    "run_sdid",
    "run_spatial_did",
    "run_suite",
    "run_sun_abraham",
    "run_twfe",
]

PLACEBO_MODES = ("units", "timing", "both")
PLACEBO_METHODS = ("fast", "loop")
#: Callaway-Sant'Anna comparison groups; ``auto`` = never-treated when there are any.
CS_CONTROLS = ("never", "notyet", "auto")
CS_BASE_PERIODS = ("varying", "universal")
#: Callaway-Sant'Anna estimators with covariates: outcome regression, IPW, doubly robust.
CS_ESTIMATORS = ("or", "ipw", "dr")
#: Callaway-Sant'Anna aggregations shown as the main table.
CS_AGGREGATIONS = ("dynamic", "simple", "group", "calendar")
SPATIAL_MODELS = ("slx", "sdm")
#: Largest absolute standardised bias (%) of a covariate after matching that counts as balanced.
BALANCE_LIMIT = 10.0
_RENAME = {"did": "DID"}

#: Chinese headings of the columns the DID tables use.
_ZH = {
    "term": "变量",
    "estimate": "估计值",
    "se": "标准误",
    "t": "t 值",
    "p": "p 值",
    "ci_low": "95% 置信下限",
    "ci_high": "95% 置信上限",
    "rel_time": "相对政策年份",
    "key": "项目",
    "value": "数值",
    "effect": "效应",
    "model": "模型",
    "n_obs": "观测数",
    "n_units": "单元数",
    "r2": "R2",
    "group": "组别",
    "att": "ATT",
    "aggregation": "汇总方式",
    "analysis": "分析",
    "type": "比较类型",
    "weight": "权重",
    "covariate": "协变量",
    "se_boot": "自助法标准误",
    "lower": "一致置信带下限",
    "upper": "一致置信带上限",
    "source": "数据来源",
}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if check_lang(lang) == "zh" else en


def _localise(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column headings in ``lang`` (English names are the programs' fixed names)."""
    if check_lang(lang) == "en":
        return frame
    return frame.rename(columns={c: _ZH.get(str(c), c) for c in frame.columns})


def provenance(inputs: DidInputs) -> Provenance:
    """Provenance of DID inputs: source, weights, units and SYNTHETIC variables.

    Parameters
    ----------
    inputs : DidInputs
        The inputs.

    Returns
    -------
    Provenance
    """
    return Provenance(
        source=inputs.source,
        weights=inputs.weights,
        n_units=inputs.n_units,
        synthetic=tuple(inputs.synthetic),
        notes=tuple(inputs.notes),
    )


def _counts(res: Any) -> dict[str, Any]:
    return {"n_obs": res.n_obs, "n_units": res.n_units, "r2_within": res.r2_within}


def _coef_row(res: Any, term: str = "did") -> dict[str, float]:
    return {
        "estimate": res.coef(term),
        "se": res.se(term),
        "p": float(res.coefficients.loc[term, "p"]),
    }


#: Kernels of the Conley spatial-HAC weights.
CONLEY_KERNELS = ("bartlett", "uniform")


@dataclass(frozen=True, kw_only=True)
class InferenceOptions:
    """Spatial-HAC standard errors, shared by every regression-type estimator's options.

    The clustering (by unit, or two-way by unit and year) is a property of the inputs
    (``DidInputs.spec.cluster``); these options replace it by Conley spatial-HAC errors.

    Attributes
    ----------
    conley_km : float or None
        Conley spatial-HAC standard errors with this distance cutoff in km (needs the units'
        coordinates); None = cluster-robust as the inputs say, which assumes errors
        independent across clusters.
    kernel : {'bartlett', 'uniform'}
        Kernel of the Conley weights.
    """

    conley_km: float | None = None
    kernel: str = "bartlett"


def _conley(inputs: DidInputs, o: Any) -> Any:
    """The :class:`~policylink.spatial.did.conley.ConleySpec` of the options, or None.

    Raises
    ------
    ConfigError
        A cutoff that is not a positive number, an unknown kernel, or inputs without the
        units' coordinates.
    """
    km = getattr(o, "conley_km", None)
    if km is None:
        return None
    from policylink.spatial.did.conley import ConleySpec

    spec = ConleySpec(float(km), o.kernel)
    try:
        spec.check()
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    if inputs.coords is None:
        raise ConfigError(
            "Conley standard errors need the units' coordinates: read the panel from the "
            "database or give a boundary layer (--coords FILE)"
        )
    return spec


def _inference_title(text: str | None, lang: str) -> str:
    """Title fragment naming the standard errors (``text``: the result's ``inference``)."""
    if not text:
        return ""
    if check_lang(lang) == "en":
        return f"SEs: {text}; "
    m = re.match(r"(.*)Conley spatial HAC \((\w+) kernel, cutoff ([^ ]+) km", text)
    if m:
        bjs = "Borusyak-Jaravel-Spiess 保守方差，" if m.group(1) else ""
        return (
            f"标准误：{bjs}Conley 空间 HAC（{m.group(2)} 核，截断距离 {m.group(3)} km，"
            "单元内序列相关）；"
        )
    if "two-way" in text:
        return "标准误：按单元和年份双向聚类稳健（假定聚类之间误差独立）；"
    return "标准误：按单元聚类稳健（假定聚类之间误差独立，不能应对单元间的空间相关）；"


class OverallEffect:
    """``att`` and ``se`` of results whose estimator reports an ``overall`` dict.

    Mixed into the analyses of Callaway-Sant'Anna (simple aggregation), Sun-Abraham (average of
    the post-adoption cohort effects) and the imputation DID (mean over treated observations).
    """

    result: Any

    @property
    def att(self) -> float:
        """The overall ATT."""
        return float(self.result.overall["att"])

    @property
    def se(self) -> float:
        """Its standard error (as the estimator computes it; see the result's inference)."""
        return float(self.result.overall["se"])


@dataclass
class DidAnalysis(AnalysisResult):
    """Base of the DID results: provenance keys, CSV with the source, paper tables, figures."""

    kind: str = field(default="did", init=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: kind, options, provenance, then the result's own keys.

        The result's own ``n_units`` (units in the regression) wins over the provenance's
        (units in the panel); ``synthetic``, ``synthetic_variables`` and ``source`` always
        come from the provenance.
        """
        prov = self.provenance.to_dict()
        flags = {k: prov[k] for k in ("source", "synthetic", "synthetic_variables")}
        return {
            "analysis": self.kind,
            "options": asdict(self.options),
            **prov,
            **self.content(),
            **flags,
        }

    def frame(self) -> pd.DataFrame:
        """The main table with fixed English column names (for programs and tests)."""
        return self.table("en")

    def csv_frame(self) -> pd.DataFrame:
        """:meth:`frame` with a ``source`` column that says SYNTHETIC where it applies."""
        return self.frame().assign(source=self.provenance.label("en"))

    def figure_note(self) -> str:
        """Source line under figures (SYNTHETIC where it applies)."""
        p = self.provenance
        if p.is_synthetic:
            return f"Data: {p.source} (SYNTHETIC: {', '.join(p.synthetic)})"
        return f"Data: {p.source}"

    def paper_table(self, fmt: str = "markdown") -> str | None:
        """Paper-style table (``markdown``, ``latex`` or ``csv``); None when there is none."""
        return None

    def figures(self) -> dict[str, Any]:
        """Figures by name (matplotlib Figures); empty when there are none."""
        return {}

    def _source_title(self, lang: str) -> str:
        return _t(lang, "来源：", "source: ") + self.provenance.label(lang)

    def _paper(self, text: str, fmt: str) -> str:
        """Add the SYNTHETIC source line to a paper-style table."""
        p = self.provenance
        if not p.is_synthetic:
            return text
        line = p.label("en")
        if fmt == "csv":
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerow(["source", line])
            return text + buf.getvalue()
        if fmt == "latex":
            m = re.search(r"\\begin\{tabular\}\{([^}]*)\}", text)
            ncol = len(m.group(1)) if m else 1
            esc = line.replace("_", r"\_").replace("%", r"\%").replace("&", r"\&")
            row = f"\\multicolumn{{{ncol}}}{{l}}{{\\footnotesize {esc}}} \\\\\n"
            return text.replace("\\end{tabular}", row + "\\end{tabular}")
        return text + f"\n{line}\n"


# --------------------------------------------------------------------------------------------
# TWFE
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TwfeOptions(InferenceOptions):
    """Options of the two-way fixed-effects DID.

    Attributes
    ----------
    label : str
        Column label in tables.
    wild_draws : int
        Wild cluster bootstrap (WCR) draws for the DID coefficient's p-value (0 = none).
    wild_weights : {'rademacher', 'webb'}
        Bootstrap weights.
    seed : int
        Seed of the bootstrap weights.
    conley_km, kernel : float or None, str
        Conley spatial-HAC standard errors (see :class:`InferenceOptions`).
    """

    label: str = "TWFE DID"
    wild_draws: int = 0
    wild_weights: str = "rademacher"
    seed: int = DEFAULT_SEED


@dataclass
class TwfeAnalysis(DidAnalysis):
    """Two-way fixed-effects DID (seed 004 eq. 1, Table 3).

    Attributes
    ----------
    result : policylink.spatial.did.DIDResult
        The regression.
    """

    result: Any = None
    wild: Any = None
    kind: str = field(default="did_twfe", init=False)

    @property
    def att(self) -> float:
        """The DID coefficient."""
        return self.result.coef()

    @property
    def se(self) -> float:
        """Its standard error (cluster-robust or Conley, see ``info['inference']``)."""
        return self.result.se()

    def content(self) -> dict[str, Any]:
        """``coefficients``, ``n_obs``, ``n_units``, ``r2``, ``r2_within``, ``label``, ``info``
        (and ``wild_bootstrap`` when asked)."""
        out = self.result.to_dict()
        out["inference"] = self.result.info.get("inference")
        if self.wild is not None:
            out["wild_bootstrap"] = self.wild.to_dict()
        return out

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Coefficients: term, estimate, se, t, p, 95 % interval."""
        return _localise(self.result.coefficients.reset_index(names="term"), lang)

    def title(self, lang: str = "en") -> str:
        """Label, N, units, within R2 and source."""
        r = self.result
        wild = ""
        if self.wild is not None:
            w = self.wild
            wild = _t(
                lang,
                f"野聚类自助法 p = {w.p_value:.4f}（{w.weights}，{w.draws} 次）；",
                f"wild cluster bootstrap p = {w.p_value:.4f} ({w.weights}, {w.draws} draws); ",
            )
        return (
            _t(
                lang,
                f"{r.label}：N = {r.n_obs}，{r.n_units} 个单元，组内 R2 = {r.r2_within:.4f}；",
                f"{r.label}: N = {r.n_obs}, units = {r.n_units}, within R2 = {r.r2_within:.4f}; ",
            )
            + _inference_title(r.info.get("inference"), lang)
            + wild
            + self._source_title(lang)
        )

    def paper_table(self, fmt: str = "markdown") -> str:
        """Seed 004 Table 3 layout."""
        from policylink.spatial.did.tables import regression_table

        return self._paper(regression_table([self.result], fmt=fmt, rename=_RENAME), fmt)


def run_twfe(inputs: DidInputs, options: TwfeOptions | None = None) -> TwfeAnalysis:
    """Two-way fixed-effects DID with controls and clustered errors.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel.
    options : TwfeOptions, optional
        Label (default :class:`TwfeOptions`).

    Returns
    -------
    TwfeAnalysis
    """
    from policylink.spatial.did import twfe_did

    o = options or TwfeOptions()
    conley = _conley(inputs, o)
    res = twfe_did(inputs.panel, inputs.spec, label=o.label, conley=conley, coords_km=inputs.coords)
    wild = None
    if o.wild_draws > 0:
        from policylink.spatial.did.wild import WEIGHTS, wild_cluster_bootstrap

        if o.wild_weights not in WEIGHTS:
            raise ConfigError(f"wild_weights {o.wild_weights!r}: use {', '.join(WEIGHTS)}")
        wild = wild_cluster_bootstrap(
            inputs.panel, inputs.spec, draws=o.wild_draws, weights=o.wild_weights, seed=o.seed
        )
    return TwfeAnalysis(provenance(inputs), o, res, wild)


# --------------------------------------------------------------------------------------------
# event study
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventStudyOptions(InferenceOptions):
    """Options of the event study.

    Attributes
    ----------
    leads, lags : int
        Pre- and post-periods shown; the end points are binned.
    reference : int
        Omitted event time.
    conley_km, kernel : float or None, str
        Conley spatial-HAC standard errors (see :class:`InferenceOptions`).
    """

    leads: int = DEFAULT_LEADS
    lags: int = DEFAULT_LAGS
    reference: int = DEFAULT_REFERENCE


@dataclass
class EventStudyAnalysis(DidAnalysis):
    """Event study with binned leads / lags and the joint pre-trend Wald test (Table 4, Fig. 1).

    Attributes
    ----------
    result : policylink.spatial.did.EventStudyResult
        Coefficients, pre-trend test and the regression.
    """

    result: Any = None
    kind: str = field(default="did_event_study", init=False)

    @property
    def pretrend(self) -> dict[str, Any]:
        """Joint Wald test of the leads: ``wald``, ``df``, ``p_chi2``, ``F``, ``df_denom``, ``p_F``."""
        return self.result.pretrend

    def content(self) -> dict[str, Any]:
        """``event_study`` records, ``pretrend`` and the counts."""
        return {
            "event_study": self.result.to_records(),
            "pretrend": self.result.pretrend,
            "inference": self.result.model.info.get("inference"),
            **_counts(self.result.model),
        }

    def table(self, lang: str = "en") -> pd.DataFrame:
        """One row per event time: rel_time, term, estimate, se, t, p, 95 % interval."""
        return _localise(self.result.table.drop(columns="binned"), lang)

    def title(self, lang: str = "en") -> str:
        """Pre-trend test and source."""
        pt = self.result.pretrend
        o = self.options
        return (
            _t(
                lang,
                f"事件研究（参照期 {o.reference}）：前期联合 Wald chi2({pt['df']}) = {pt['wald']:.3f}，"
                f"p = {pt['p_chi2']:.4f}；",
                f"Event study (reference {o.reference}): pre-trend Wald chi2({pt['df']}) = "
                f"{pt['wald']:.3f}, p = {pt['p_chi2']:.4f}; ",
            )
            + _inference_title(self.result.model.info.get("inference"), lang)
            + self._source_title(lang)
        )

    def paper_table(self, fmt: str = "markdown") -> str:
        """Seed 004 Table 4 layout with the pre-trend test in the note."""
        from policylink.spatial.did.tables import event_study_table

        return self._paper(event_study_table(self.result, fmt=fmt), fmt)

    def figures(self) -> dict[str, Any]:
        """``event_study``: coefficients with 95 % intervals (seed 004 Fig. 1)."""
        from policylink.spatial.did.plots import plot_event_study

        return {"event_study": plot_event_study(self.result.table, note=self.figure_note())}


def run_event_study(
    inputs: DidInputs, options: EventStudyOptions | None = None
) -> EventStudyAnalysis:
    """Event study with leads / lags and a joint pre-trend test.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel.
    options : EventStudyOptions, optional
        Leads, lags and reference period.

    Returns
    -------
    EventStudyAnalysis
    """
    from policylink.spatial.did import event_study

    o = options or EventStudyOptions()
    es = event_study(
        inputs.panel,
        inputs.spec,
        leads=o.leads,
        lags=o.lags,
        reference=o.reference,
        conley=_conley(inputs, o),
        coords_km=inputs.coords,
    )
    return EventStudyAnalysis(provenance(inputs), o, es)


# --------------------------------------------------------------------------------------------
# placebo
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceboOptions:
    """Options of the placebo (randomisation) test.

    Attributes
    ----------
    draws : int
        Random reassignments R.
    mode : {'units', 'timing', 'both'}
        Shuffle first-treated years across units, draw random years, or both.
    seed : int
        Seed of the draws.
    method : {'fast', 'loop'}
        Frisch-Waugh-Lovell fast path or one pyfixest fit per draw.
    """

    draws: int = DEFAULT_PLACEBO_DRAWS
    mode: str = "units"
    seed: int = DEFAULT_SEED
    method: str = "fast"


@dataclass
class PlaceboAnalysis(DidAnalysis):
    """Placebo distribution of the DID coefficient (seed 004 Fig. 2).

    Attributes
    ----------
    result : policylink.spatial.did.PlaceboResult
        Draws, p-values and the observed estimate.
    """

    result: Any = None
    kind: str = field(default="did_placebo", init=False)

    @property
    def p_value(self) -> float:
        """Two-sided permutation p-value."""
        return float(self.result.p_value)

    def content(self) -> dict[str, Any]:
        """``placebo`` summary and the observed TWFE fit."""
        return {"placebo": self.result.summary(), **self.result.observed.to_dict()}

    def table(self, lang: str = "en") -> pd.DataFrame:
        """The summary as key / value rows."""
        rows = [{"key": k, "value": v} for k, v in self.result.summary().items()]
        return _localise(pd.DataFrame(rows), lang)

    def draws_frame(self) -> pd.DataFrame:
        """Every draw: draw (1-based), estimate, se."""
        import numpy as np

        r = self.result
        return pd.DataFrame(
            {"draw": np.arange(1, len(r.estimates) + 1), "estimate": r.estimates, "se": r.ses}
        )

    def title(self, lang: str = "en") -> str:
        """Draws, mode, seed and source."""
        o = self.options
        return _t(
            lang,
            f"DID 系数的安慰剂分布（随机分配 {o.draws} 次，{o.mode}，种子 {o.seed}）；",
            f"Placebo distribution of the DID coefficient ({o.draws} draws, {o.mode}, "
            f"seed {o.seed}); ",
        ) + self._source_title(lang)

    def figures(self) -> dict[str, Any]:
        """``placebo``: histogram and density with the actual estimate."""
        from policylink.spatial.did.plots import plot_placebo

        r = self.result
        fig = plot_placebo(
            r.estimates, r.observed.coef(), p_value=r.p_value, note=self.figure_note()
        )
        return {"placebo": fig}


def run_placebo(
    inputs: DidInputs,
    options: PlaceboOptions | None = None,
    *,
    progress: Callable[..., Any] | None = None,
) -> PlaceboAnalysis:
    """Placebo test: re-estimate the DID under random treatment reassignments.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel.
    options : PlaceboOptions, optional
        Draws, mode, seed and method.
    progress : callable, optional
        ``progress(iterable, label, length)`` wrapper shown by a front-end.

    Returns
    -------
    PlaceboAnalysis
    """
    from policylink.spatial.did import placebo_did

    o = options or PlaceboOptions()
    res = placebo_did(
        inputs.panel,
        inputs.spec,
        draws=o.draws,
        mode=o.mode,
        seed=o.seed,
        method=o.method,
        progress=progress,
    )
    return PlaceboAnalysis(provenance(inputs), o, res)


# --------------------------------------------------------------------------------------------
# PSM-DID
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PsmOptions(InferenceOptions):
    """Options of the propensity-score matched DID.

    Attributes
    ----------
    covariates : tuple of str or None
        Matching covariates (None = the controls, as in seed 004).
    caliper : float or None
        Largest propensity-score distance of a match.
    seed : int
        Seed of the matching order.
    conley_km, kernel : float or None, str
        Conley spatial-HAC standard errors (see :class:`InferenceOptions`).
    """

    covariates: tuple[str, ...] | None = None
    caliper: float | None = None
    seed: int = DEFAULT_SEED


@dataclass
class PsmAnalysis(DidAnalysis):
    """PSM-DID: logit propensity, 1:1 nearest neighbour, balance, DID on the matched units.

    Attributes
    ----------
    result : policylink.spatial.did.PSMResult
        Matching, balance and the matched DID.
    """

    result: Any = None
    kind: str = field(default="did_psm", init=False)

    @property
    def att(self) -> float:
        """DID coefficient on the matched sample."""
        return self.result.did.coef()

    @property
    def se(self) -> float:
        """Its standard error."""
        return self.result.did.se()

    def unbalanced(self) -> pd.DataFrame:
        """Covariates whose absolute standardised bias after matching exceeds
        :data:`BALANCE_LIMIT` percent (the rule of thumb of Rosenbaum and Rubin 1985)."""
        b = self.result.balance
        return b[b["bias_after"].abs() > BALANCE_LIMIT]

    def balance_warning(self, lang: str = "en") -> str | None:
        """A sentence naming the covariates left unbalanced after matching, or None."""
        bad = self.unbalanced()
        if bad.empty:
            return None
        items = ", ".join(f"{c} {v:.1f}%" for c, v in bad["bias_after"].items())
        return _t(
            lang,
            f"匹配后协变量不平衡（标准化偏差绝对值 > {BALANCE_LIMIT:g}%）：{items}；"
            "PSM-DID 估计值不可靠，请检查平衡性表。",
            f"balance fails after matching (|standardised bias| > {BALANCE_LIMIT:g}%): {items}; "
            "the PSM-DID estimate is not reliable (see the balance table)",
        )

    @property
    def warnings(self) -> list[str]:
        """Warnings every front-end shows (balance after matching)."""
        w = self.balance_warning("en")
        return [w] if w else []

    def content(self) -> dict[str, Any]:
        """``psm`` block, ``balance_warning`` and the matched DID fit."""
        return {
            "psm": self.result.to_dict(),
            "balance_warning": self.balance_warning("en"),
            **self.result.did.to_dict(),
            "inference": self.result.did.info.get("inference"),
        }

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Balance per covariate: means and standardised bias before / after matching."""
        return _localise(self.result.balance.reset_index(), lang)

    def did_table(self, lang: str = "en") -> pd.DataFrame:
        """Coefficients of the DID on the matched sample: term, estimate, se, t, p, interval."""
        return _localise(self.result.did.coefficients.reset_index(names="term"), lang)

    def title(self, lang: str = "en") -> str:
        """Matched pairs, PSM-DID and source."""
        n = len(self.result.pairs)
        warn = self.balance_warning(lang)
        return (
            _t(
                lang,
                f"{n} 对匹配单元；PSM-DID = {self.att:.4f}（标准误 {self.se:.4f}）；",
                f"{n} matched pairs; PSM-DID = {self.att:.4f} (se {self.se:.4f}); ",
            )
            + _inference_title(self.result.did.info.get("inference"), lang)
            + (_t(lang, f"警告：{warn}；", f"WARNING: {warn}; ") if warn else "")
            + self._source_title(lang)
        )

    def paper_table(self, fmt: str = "markdown") -> str:
        """The matched DID in the Table 3 layout."""
        from policylink.spatial.did.tables import regression_table

        return self._paper(regression_table([self.result.did], fmt=fmt, rename=_RENAME), fmt)

    def figures(self) -> dict[str, Any]:
        """``psm_balance``: standardised bias before and after matching (seed 004 Fig. 3)."""
        from policylink.spatial.did.plots import plot_balance

        return {"psm_balance": plot_balance(self.result.balance, note=self.figure_note())}


def run_psm(inputs: DidInputs, options: PsmOptions | None = None) -> PsmAnalysis:
    """Propensity-score matched DID.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel (with the covariates as columns).
    options : PsmOptions, optional
        Covariates, caliper and seed.

    Returns
    -------
    PsmAnalysis
    """
    from policylink.spatial.did.psm import psm_did

    o = options or PsmOptions()
    covs = list(o.covariates) if o.covariates else None
    res = psm_did(
        inputs.panel,
        inputs.spec,
        covs,
        caliper=o.caliper,
        seed=o.seed,
        conley=_conley(inputs, o),
        coords_km=inputs.coords,
    )
    return PsmAnalysis(provenance(inputs), o, res)


# --------------------------------------------------------------------------------------------
# Callaway-Sant'Anna
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CsOptions:
    """Options of the Callaway-Sant'Anna estimator.

    Attributes
    ----------
    control : {'never', 'notyet', 'auto'}
        Comparison group; ``auto`` = never-treated when the panel has any, else not-yet.
    base_period : {'varying', 'universal'}
        Base period of the pre-period comparisons.
    covariates : tuple of str
        Conditional parallel trends given these (outcome regression); empty = unconditional.
    bands : int
        Multiplier-bootstrap draws for uniform 95 % bands (0 = none).
    seed : int
        Seed of the bootstrap.
    estimator : {'or', 'ipw', 'dr'}
        With covariates: outcome regression, standardised IPW or doubly robust (Sant'Anna and
        Zhao 2020).
    anticipation : int
        Years before adoption in which units may already react.
    aggregate : {'dynamic', 'simple', 'group', 'calendar'}
        The aggregation of the main table (and of the uniform bands).
    """

    control: str = "never"
    base_period: str = "varying"
    covariates: tuple[str, ...] = ()
    bands: int = 0
    seed: int = DEFAULT_SEED
    estimator: str = "or"
    anticipation: int = 0
    aggregate: str = "dynamic"


@dataclass
class CsAnalysis(OverallEffect, DidAnalysis):
    """Callaway-Sant'Anna group-time ATTs with simple, dynamic and group aggregations.

    Attributes
    ----------
    result : policylink.spatial.did.CSResult
        The estimates.
    bands : pandas.DataFrame or None
        Uniform bands by event time, when asked.
    """

    result: Any = None
    bands: Any = None
    kind: str = field(default="did_cs", init=False)

    def content(self) -> dict[str, Any]:
        """``cs`` block (with ``uniform_bands`` when asked)."""
        out = self.result.to_dict()
        if self.bands is not None:
            out["uniform_bands"] = self.bands
        return {"cs": out}

    def table(self, lang: str = "en") -> pd.DataFrame:
        """ATT by event time, group or calendar year (``options.aggregate``; with the uniform
        bands when asked), or the overall aggregations for ``simple``."""
        agg = getattr(self.options, "aggregate", "dynamic")
        if agg == "simple":
            return self.aggregations(lang)
        r = self.result
        table, key = {
            "dynamic": (r.dynamic, "rel_time"),
            "group": (r.group, "group"),
            "calendar": (r.calendar, "time"),
        }[agg]
        if self.bands is not None:
            table = table.merge(self.bands[[key, "se_boot", "lower", "upper"]], on=key)
        return _localise(table, lang)

    def aggregations(self, lang: str = "en") -> pd.DataFrame:
        """Simple, dynamic (e >= 0), group and calendar aggregations: aggregation, att, se, p."""
        r = self.result
        rows = [
            {"aggregation": "simple", **r.overall},
            {"aggregation": "dynamic (e>=0)", **r.dynamic_overall},
            {"aggregation": "group", **r.group_overall},
        ]
        if r.calendar_overall:
            rows.append({"aggregation": "calendar", **r.calendar_overall})
        return _localise(pd.DataFrame(rows), lang)

    def title(self, lang: str = "en") -> str:
        """Overall ATT, comparison group and source."""
        o, c = self.result.overall, self.result.control
        est = self.result.estimator.upper() if self.result.covariates else "unconditional"
        agg = getattr(self.options, "aggregate", "dynamic")
        by_zh = {"dynamic": "按相对年份", "group": "按组", "calendar": "按年份", "simple": "汇总"}
        by_en = {
            "dynamic": "by event time",
            "group": "by group",
            "calendar": "by calendar year",
            "simple": "aggregations",
        }
        return _t(
            lang,
            f"Callaway-Sant'Anna 总体 ATT = {o['att']:.4f}（标准误 {o['se']:.4f}，p {o['p']:.4f}；"
            f"对照 {c}，{est}）；{by_zh[agg]}：",
            f"CS overall ATT = {o['att']:.4f} (se {o['se']:.4f}, p {o['p']:.4f}; control {c}, "
            f"{est}); {by_en[agg]}: ",
        ) + self._source_title(lang)

    def event_table(self) -> pd.DataFrame:
        """Event-time ATTs with ``estimate`` / ``se`` columns (for event-study plots)."""
        return self.result.dynamic.rename(columns={"att": "estimate"})

    def figures(self) -> dict[str, Any]:
        """``cs``: ATT by event time."""
        from policylink.spatial.did.plots import plot_event_study

        fig = plot_event_study(
            self.event_table(),
            title="Callaway-Sant'Anna ATT by event time",
            note=self.figure_note(),
        )
        return {"cs": fig}


def run_callaway_santanna(inputs: DidInputs, options: CsOptions | None = None) -> CsAnalysis:
    """Callaway-Sant'Anna group-time ATTs (balanced panel) with optional uniform bands.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel (balanced).
    options : CsOptions, optional
        Comparison group, base period, covariates, bands.

    Returns
    -------
    CsAnalysis
    """
    from policylink.spatial.did import callaway_santanna

    o = options or CsOptions()
    if o.control not in CS_CONTROLS:
        raise ConfigError(f"control {o.control!r}: use {', '.join(CS_CONTROLS)}")
    if o.estimator not in CS_ESTIMATORS:
        raise ConfigError(f"estimator {o.estimator!r}: use {', '.join(CS_ESTIMATORS)}")
    if o.aggregate not in CS_AGGREGATIONS:
        raise ConfigError(f"aggregate {o.aggregate!r}: use {', '.join(CS_AGGREGATIONS)}")
    if o.anticipation < 0:
        raise ConfigError("anticipation must be 0 or more")
    control = o.control
    if control == "auto":
        control = "never" if inputs.has_never_treated else "notyet"
    res = callaway_santanna(
        inputs.panel,
        inputs.spec,
        control=control,
        base_period=o.base_period,
        covariates=list(o.covariates),
        estimator=o.estimator,
        anticipation=o.anticipation,
    )
    bands = None
    if o.bands > 0:
        from policylink.spatial.did.staggered import cs_uniform_bands

        agg = "dynamic" if o.aggregate == "simple" else o.aggregate
        bands = cs_uniform_bands(res, draws=o.bands, seed=o.seed, aggregation=agg)
    return CsAnalysis(provenance(inputs), o, res, bands)


# --------------------------------------------------------------------------------------------
# Sun-Abraham
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SunAbrahamOptions(InferenceOptions):
    """Options of the Sun-Abraham event study.

    Attributes
    ----------
    leads, lags : int or None
        Event times shown (the regression stays saturated); None = all.
    conley_km, kernel : float or None, str
        Conley spatial-HAC standard errors (see :class:`InferenceOptions`).
    """

    leads: int | None = None
    lags: int | None = None


@dataclass
class SunAbrahamAnalysis(OverallEffect, DidAnalysis):
    """Sun-Abraham interaction-weighted event study.

    Attributes
    ----------
    result : policylink.spatial.did.SunAbrahamResult
        Event-time effects, cohort effects and the saturated regression.
    """

    result: Any = None
    kind: str = field(default="did_sun_abraham", init=False)

    def content(self) -> dict[str, Any]:
        """``event_study`` records, ``control`` cohort and the counts."""
        return {
            "event_study": self.result.to_records(),
            "control": self.result.control_cohort,
            "inference": self.result.model.info.get("inference"),
            **_counts(self.result.model),
        }

    def table(self, lang: str = "en") -> pd.DataFrame:
        """rel_time, estimate, se, t, p."""
        return _localise(self.result.table, lang)

    def title(self, lang: str = "en") -> str:
        """Control cohort and source."""
        c = self.result.control_cohort
        return (
            _t(lang, f"Sun-Abraham 事件研究（对照：{c}）；", f"Sun-Abraham (control: {c}); ")
            + _inference_title(self.result.model.info.get("inference"), lang)
            + self._source_title(lang)
        )

    def figures(self) -> dict[str, Any]:
        """``sun_abraham``: interaction-weighted event study."""
        from policylink.spatial.did.plots import plot_event_study

        fig = plot_event_study(
            self.result.table, title="Sun-Abraham event study", note=self.figure_note()
        )
        return {"sun_abraham": fig}


def run_sun_abraham(
    inputs: DidInputs, options: SunAbrahamOptions | None = None
) -> SunAbrahamAnalysis:
    """Sun-Abraham interaction-weighted event study (saturated cohort x event-time TWFE).

    Parameters
    ----------
    inputs : DidInputs
        The DID panel.
    options : SunAbrahamOptions, optional
        Event times shown.

    Returns
    -------
    SunAbrahamAnalysis
    """
    from policylink.spatial.did import sun_abraham

    o = options or SunAbrahamOptions()
    res = sun_abraham(
        inputs.panel,
        inputs.spec,
        leads=o.leads,
        lags=o.lags,
        conley=_conley(inputs, o),
        coords_km=inputs.coords,
    )
    return SunAbrahamAnalysis(provenance(inputs), o, res)


# --------------------------------------------------------------------------------------------
# imputation DID (Borusyak-Jaravel-Spiess)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImputationOptions(InferenceOptions):
    """Options of the imputation DID.

    Attributes
    ----------
    horizons : int or None
        Largest event time reported (None = all; the overall ATT uses every treated year).
    pretrends : int
        Leads in the pre-trend test on the untreated observations (0 = none).
    anticipation : int
        Years before adoption in which units may already react (left out of the first stage).
    conley_km, kernel : float or None, str
        Conley spatial-HAC standard errors (see :class:`InferenceOptions`).
    """

    horizons: int | None = None
    pretrends: int = DEFAULT_LEADS
    anticipation: int = 0


@dataclass
class ImputationAnalysis(OverallEffect, DidAnalysis):
    """Imputation DID: overall and event-time ATTs, pre-trend test.

    Attributes
    ----------
    result : policylink.spatial.did.ImputationResult
        The estimates.
    """

    result: Any = None
    kind: str = field(default="did_imputation", init=False)

    def content(self) -> dict[str, Any]:
        """``imputation`` block: att, event_study, pretrend, counts, notes."""
        return {"imputation": self.result.to_dict(), "inference": self.result.inference}

    def table(self, lang: str = "en") -> pd.DataFrame:
        """rel_time, estimate, se, p, n_obs, kind (``effect`` or ``pretrend``)."""
        return _localise(self.result.event, lang)

    def title(self, lang: str = "en") -> str:
        """Overall ATT, pre-trend test and source."""
        o, pt = self.result.overall, self.result.pretrend
        return (
            _t(
                lang,
                f"插补法 DID（Borusyak-Jaravel-Spiess）总体 ATT = {o['att']:.4f}（标准误 "
                f"{o['se']:.4f}，p {o['p']:.4f}；{o['n_obs']} 个处理观测）；前趋势检验 p = "
                f"{pt['p']:.4f}；",
                f"Imputation DID (Borusyak-Jaravel-Spiess) ATT = {o['att']:.4f} (se {o['se']:.4f}, "
                f"p {o['p']:.4f}; {o['n_obs']} treated obs.); pre-trend test p = {pt['p']:.4f}; ",
            )
            + _inference_title(self.result.inference, lang)
            + self._source_title(lang)
        )

    def event_table(self) -> pd.DataFrame:
        """rel_time, estimate, se (leads and effects, for event-study plots)."""
        return self.result.event[["rel_time", "estimate", "se"]]

    def figures(self) -> dict[str, Any]:
        """``imputation``: pre-trend leads and imputation ATTs by event time."""
        from policylink.spatial.did.plots import plot_event_study

        fig = plot_event_study(
            self.event_table(),
            title="Imputation DID (Borusyak-Jaravel-Spiess) by event time",
            note=self.figure_note(),
        )
        return {"imputation": fig}


def run_imputation(
    inputs: DidInputs, options: ImputationOptions | None = None
) -> ImputationAnalysis:
    """Borusyak-Jaravel-Spiess imputation DID with event-time effects and a pre-trend test.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel (need not be balanced); the controls enter the first stage.
    options : ImputationOptions, optional
        Horizons, pre-trend leads, anticipation.

    Returns
    -------
    ImputationAnalysis
    """
    from policylink.spatial.did.imputation import imputation_did

    o = options or ImputationOptions()
    if o.anticipation < 0 or o.pretrends < 0:
        raise ConfigError("anticipation and pretrends must be 0 or more")
    res = imputation_did(
        inputs.panel,
        inputs.spec,
        horizons=o.horizons,
        pretrends=o.pretrends,
        anticipation=o.anticipation,
        conley=_conley(inputs, o),
        coords_km=inputs.coords,
    )
    return ImputationAnalysis(provenance(inputs), o, res)


# --------------------------------------------------------------------------------------------
# synthetic DID (Arkhangelsky et al.)
# --------------------------------------------------------------------------------------------
#: Synthetic DID estimators: SDID, synthetic control, plain DID (the paper's Table 1 columns).
SDID_METHODS = ("sdid", "sc", "did")
#: Synthetic DID standard errors.
SDID_SE = ("placebo", "jackknife", "bootstrap", "none", "auto")
#: Fewest placebo / bootstrap replications a synthetic DID accepts.
MIN_SDID_REPLICATIONS = 2


@dataclass(frozen=True)
class SdidOptions:
    """Options of the synthetic DID.

    Attributes
    ----------
    method : {'sdid', 'sc', 'did'}
        Synthetic DID, synthetic control or plain DID (same cohort design and SEs).
    se : {'placebo', 'jackknife', 'bootstrap', 'none', 'auto'}
        Standard-error method (``auto``: placebo with more controls than treated units,
        else bootstrap).
    replications : int
        Placebo / bootstrap replications.
    seed : int
        Seed of the draws.
    """

    method: str = "sdid"
    se: str = "placebo"
    replications: int = DEFAULT_SDID_REPLICATIONS
    seed: int = DEFAULT_SEED


@dataclass
class SdidAnalysis(DidAnalysis):
    """Synthetic DID by adoption cohort: overall ATT, cohort estimates, unit and time weights.

    Attributes
    ----------
    result : policylink.spatial.did.sdid.SDIDResult
        The estimate.
    """

    result: Any = None
    kind: str = field(default="did_sdid", init=False)

    @property
    def att(self) -> float:
        """Overall ATT (cohorts weighted by treated units x post periods)."""
        return float(self.result.att)

    @property
    def se(self) -> float:
        """Its standard error (placebo, jackknife or bootstrap)."""
        return float(self.result.se)

    @property
    def warnings(self) -> list[str]:
        """Units left out or recoded (front-ends show them)."""
        return list(self.result.notes)

    def content(self) -> dict[str, Any]:
        """``sdid`` block: att, se, p, CI, cohorts, non-zero unit and time weights."""
        return {"sdid": self.result.to_dict()}

    def table(self, lang: str = "en") -> pd.DataFrame:
        """term (ATT, cohort YEAR), estimate, se, p, ci_low, ci_high, n_treated, n_post, weight."""
        r = self.result
        lo, hi = r.ci()
        rows = [
            {
                "term": "ATT",
                "estimate": r.att,
                "se": r.se,
                "p": r.p,
                "ci_low": lo,
                "ci_high": hi,
                "n_treated": r.n_treated,
                "n_post": np.nan,
                "weight": 1.0,
            }
        ]
        for c in r.cohorts.itertuples():
            rows.append(
                {
                    "term": f"cohort {c.cohort}",
                    "estimate": c.estimate,
                    "se": np.nan,
                    "p": np.nan,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "n_treated": c.n_treated,
                    "n_post": c.n_post,
                    "weight": c.weight,
                }
            )
        frame = pd.DataFrame(rows)
        return _localise(frame, lang).rename(
            columns={
                "n_treated": _t(lang, "处理单元数", "n_treated"),
                "n_post": _t(lang, "处理后期数", "n_post"),
            }
        )

    def title(self, lang: str = "en") -> str:
        """Estimator, ATT with its SE, counts and source."""
        r = self.result
        name = {
            "sdid": ("合成双重差分", "Synthetic DID"),
            "sc": ("合成控制", "Synthetic control"),
            "did": ("双重差分", "DID"),
        }[r.method]
        se_zh = {"placebo": "安慰剂", "jackknife": "刀切法", "bootstrap": "自助法", "none": "无"}
        return _t(
            lang,
            f"{name[0]}（Arkhangelsky 等 2021）ATT = {r.att:.4f}（{se_zh[r.se_method]}标准误 "
            f"{r.se:.4f}，p {r.p:.4f}；{r.n_treated} 个处理单元、{r.n_control} 个从未处理单元、"
            f"{len(r.cohorts)} 个采纳批次）；",
            f"{name[1]} (Arkhangelsky et al. 2021) ATT = {r.att:.4f} ({r.se_method} se "
            f"{r.se:.4f}, p {r.p:.4f}; {r.n_treated} treated, {r.n_control} never-treated "
            f"units, {len(r.cohorts)} cohort(s)); ",
        ) + self._source_title(lang)

    def unit_weights(self) -> pd.DataFrame:
        """cohort, unit, omega: every control's weight per cohort (for maps)."""
        return self.result.unit_weights

    def time_weights(self) -> pd.DataFrame:
        """cohort, year, lambda: the pre-period weights per cohort."""
        return self.result.time_weights

    def figures(self) -> dict[str, Any]:
        """``sdid``: treated vs weighted controls with the time weights (largest cohort)."""
        from policylink.spatial.did.plots import plot_sdid

        return {"sdid": plot_sdid(self.result, note=self.figure_note())}


def run_sdid(inputs: DidInputs, options: SdidOptions | None = None) -> SdidAnalysis:
    """Synthetic DID (Arkhangelsky et al. 2021), by adoption cohort on never-treated controls.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel (balanced; controls are not used).
    options : SdidOptions, optional
        Estimator, SE method, replications, seed.

    Returns
    -------
    SdidAnalysis
    """
    from policylink.spatial.did.sdid import synthetic_did

    o = options or SdidOptions()
    if o.method not in SDID_METHODS:
        raise ConfigError(f"method {o.method!r}: use {', '.join(SDID_METHODS)}")
    if o.se not in SDID_SE:
        raise ConfigError(f"se {o.se!r}: use {', '.join(SDID_SE)}")
    if o.replications < MIN_SDID_REPLICATIONS:
        raise ConfigError(f"replications must be {MIN_SDID_REPLICATIONS} or more")
    res = synthetic_did(
        inputs.panel,
        inputs.spec,
        method=o.method,
        se=o.se,
        replications=o.replications,
        seed=o.seed,
    )
    return SdidAnalysis(provenance(inputs), o, res)


# --------------------------------------------------------------------------------------------
# de Chaisemartin-D'Haultfoeuille (switching treatments)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DcdhOptions:
    """Options of the de Chaisemartin-D'Haultfoeuille estimators.

    Attributes
    ----------
    effects, placebos : int
        Dynamic effects DID_1..DID_effects and placebos.
    draws : int
        Bootstrap resamples of units (0 = no standard errors).
    seed : int
        Seed of the bootstrap.
    """

    effects: int = 3
    placebos: int = 2
    draws: int = DEFAULT_DCDH_DRAWS
    seed: int = DEFAULT_SEED


@dataclass
class DcdhAnalysis(DidAnalysis):
    """DID_M and the event-study DID_l with placebos (treatment may switch on and off).

    Attributes
    ----------
    result : policylink.spatial.did.dcdh.DCDHResult
        The estimates.
    """

    result: Any = None
    kind: str = field(default="did_dcdh", init=False)

    def content(self) -> dict[str, Any]:
        """``dcdh`` block: did_m, event_study, draws, counts."""
        return {"dcdh": self.result.to_dict()}

    def table(self, lang: str = "en") -> pd.DataFrame:
        """rel_time, estimate, se, p, n_switchers (placebos at negative rel_time)."""
        return _localise(self.result.event, lang)

    def title(self, lang: str = "en") -> str:
        """DID_M with its SE and the source."""
        m = self.result.did_m
        return _t(
            lang,
            f"de Chaisemartin-D'Haultfoeuille DID_M = {m['estimate']:.4f}（自助法标准误 "
            f"{m['se']:.4f}，{m['n_switches']} 个转换单元-期）；",
            f"de Chaisemartin-D'Haultfoeuille DID_M = {m['estimate']:.4f} (bootstrap se "
            f"{m['se']:.4f}, {m['n_switches']} switching cells); ",
        ) + self._source_title(lang)

    def figures(self) -> dict[str, Any]:
        """``dcdh``: DID_l and placebos by periods since the first switch."""
        from policylink.spatial.did.plots import plot_event_study

        fig = plot_event_study(
            self.result.event[["rel_time", "estimate", "se"]],
            title="de Chaisemartin-D'Haultfoeuille DID_l (periods since first switch)",
            note=self.figure_note(),
        )
        return {"dcdh": fig}


def run_dcdh(inputs: DidInputs, options: DcdhOptions | None = None) -> DcdhAnalysis:
    """de Chaisemartin-D'Haultfoeuille DID_M and DID_l for a treatment that can switch off.

    Parameters
    ----------
    inputs : DidInputs
        The panel (balanced; with ``treat`` the 0/1 column may switch on and off, with
        ``first_treated`` the treatment is absorbing). Controls are not used.
    options : DcdhOptions, optional
        Effects, placebos, bootstrap draws, seed.

    Returns
    -------
    DcdhAnalysis
    """
    from policylink.spatial.did.dcdh import dcdh

    o = options or DcdhOptions()
    if o.effects < 1 or o.placebos < 0 or o.draws < 0:
        raise ConfigError("effects must be 1 or more; placebos and draws 0 or more")
    spec, panel = inputs.spec, inputs.panel
    treat = spec.treat
    if treat is None:
        first = panel[spec.first_treated].where(panel[spec.first_treated] > 0, np.inf)
        panel = panel.assign(_treat=(panel[spec.time] >= first).astype(int))
        treat = "_treat"
    res = dcdh(
        panel,
        outcome=spec.outcome,
        unit=spec.unit,
        time=spec.time,
        treat=treat,
        effects=o.effects,
        placebos=o.placebos,
        draws=o.draws,
        seed=o.seed,
        source=spec.source,
    )
    return DcdhAnalysis(provenance(inputs), o, res)


# --------------------------------------------------------------------------------------------
# HonestDiD (Rambachan-Roth) sensitivity
# --------------------------------------------------------------------------------------------
HONEST_RESTRICTIONS = ("rm", "sd")


@dataclass(frozen=True)
class HonestOptions(InferenceOptions):
    """Options of the Rambachan-Roth sensitivity analysis of the TWFE event study.

    Attributes
    ----------
    restriction : {'rm', 'sd'}
        Relative magnitudes (M = Mbar) or smoothness (M in outcome units per period squared).
    m_values : tuple of float
        Values of M in the table.
    target : str
        ``average`` (of the post periods), ``first`` or an event time such as ``"2"``.
    leads, lags : int
        Event-study window (end bins as in the event study).
    alpha : float
        1 - confidence level.
    seed : int
        Seed of the simulated simultaneous critical value and of the integration behind the
        pre-trend power (the same seed, the same numbers).
    conley_km, kernel : float or None, str
        Conley spatial-HAC covariance of the event study (see :class:`InferenceOptions`).
    """

    restriction: str = "rm"
    m_values: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0)
    target: str = "average"
    leads: int = DEFAULT_LEADS
    lags: int = DEFAULT_LAGS
    alpha: float = 0.05
    seed: int = DEFAULT_SEED


@dataclass
class HonestAnalysis(DidAnalysis):
    """Rambachan-Roth bounds, breakdown value and pre-trend power on the TWFE event study.

    Attributes
    ----------
    result : policylink.spatial.did.honest.HonestResult
        The sensitivity table.
    power : dict
        Pre-trend test power (Roth 2022): ``slope_50``, ``slope_80`` (linear trends detected
        with 50 % / 80 % probability).
    inference : str or None
        Which covariance of the event study the bounds use (clustered or Conley).
    """

    result: Any = None
    power: dict[str, float] = field(default_factory=dict)
    inference: str | None = None
    kind: str = field(default="did_honest", init=False)

    def content(self) -> dict[str, Any]:
        """``honest`` block and ``pretrend_power``."""
        return {
            "honest": self.result.to_dict(),
            "pretrend_power": dict(self.power),
            "inference": self.inference,
        }

    def table(self, lang: str = "en") -> pd.DataFrame:
        """M, identified set, confidence set."""
        return _localise(self.result.table, lang)

    def title(self, lang: str = "en") -> str:
        """Restriction, target, breakdown value and source."""
        r = self.result
        kind = {"rm": ("相对幅度", "relative magnitudes"), "sd": ("平滑性", "smoothness")}
        zh, en = kind[r.restriction]
        return (
            _t(
                lang,
                f"HonestDiD 敏感性分析（{zh}，目标 {r.target}）：原估计 "
                f"{r.original['estimate']:.4f}，突破值 M = {r.breakdown:.4g}；",
                f"HonestDiD sensitivity ({en}, target {r.target}): estimate "
                f"{r.original['estimate']:.4f}, breakdown M = {r.breakdown:.4g}; ",
            )
            + _inference_title(self.inference, lang)
            + self._source_title(lang)
        )

    def figures(self) -> dict[str, Any]:
        """``honest``: the sensitivity plot."""
        from policylink.spatial.did.plots import plot_honest

        return {"honest": plot_honest(self.result, note=self.figure_note())}


def run_honest(inputs: DidInputs, options: HonestOptions | None = None) -> HonestAnalysis:
    """Rambachan-Roth sensitivity of the TWFE event study, with the pre-trend test's power.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel.
    options : HonestOptions, optional
        Restriction, M values, target, window.

    Returns
    -------
    HonestAnalysis
    """
    from policylink.spatial.did import event_study
    from policylink.spatial.did.honest import honest_did, slope_for_power

    o = options or HonestOptions()
    if o.restriction not in HONEST_RESTRICTIONS:
        raise ConfigError(f"restriction {o.restriction!r}: use rm or sd")
    if not 0 < o.alpha < 1:
        raise ConfigError("alpha must be between 0 and 1")
    target: str | int = o.target
    if target not in ("average", "first"):
        try:
            target = int(target)
        except ValueError:
            raise ConfigError(
                f"target {o.target!r}: use average, first or an event time (0, 1, ...)"
            ) from None
    es = event_study(
        inputs.panel,
        inputs.spec,
        leads=o.leads,
        lags=o.lags,
        reference=-1,
        conley=_conley(inputs, o),
        coords_km=inputs.coords,
    )
    tab = es.table[es.table.rel_time != -1]
    terms = list(tab.term)
    V = es.model.vcov.loc[terms, terms].to_numpy(float)
    try:
        res = honest_did(
            tab.rel_time.to_numpy(int),
            tab.estimate.to_numpy(float),
            V,
            restriction=o.restriction,
            m_values=o.m_values,
            target=target,
            alpha=o.alpha,
            seed=o.seed,
        )
    except ValueError as exc:
        raise ConfigError(f"honest: {exc}") from exc
    pre = (tab.rel_time < -1).to_numpy()
    Vp = V[np.ix_(pre, pre)]
    e_pre = tab.rel_time.to_numpy(int)[pre]
    power = {
        "slope_50": slope_for_power(e_pre, Vp, 0.5, alpha=o.alpha, seed=o.seed),
        "slope_80": slope_for_power(e_pre, Vp, 0.8, alpha=o.alpha, seed=o.seed),
    }
    return HonestAnalysis(provenance(inputs), o, res, power, es.model.info.get("inference"))


# --------------------------------------------------------------------------------------------
# estimator comparison (TWFE, Callaway-Sant'Anna, imputation, Sun-Abraham)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ComparisonOptions(InferenceOptions):
    """Options of the estimator comparison.

    Attributes
    ----------
    leads, lags : int
        Event-time window of the figure (and of the TWFE event study).
    conley_km, kernel : float or None, str
        Conley spatial-HAC standard errors of the regression-type rows (TWFE, event study,
        imputation, Sun-Abraham; see :class:`InferenceOptions`); CS and SDID keep theirs.
    replications, seed : int
        Placebo / bootstrap replications of the synthetic DID row and their seed
        (:class:`SdidOptions`).
    """

    leads: int = DEFAULT_LEADS
    lags: int = DEFAULT_LAGS
    replications: int = DEFAULT_SDID_REPLICATIONS
    seed: int = DEFAULT_SEED


@dataclass
class ComparisonAnalysis(DidAnalysis):
    """TWFE, Callaway-Sant'Anna, imputation and Sun-Abraham on one panel: one table, one figure.

    Attributes
    ----------
    twfe, event_study, cs, imputation, sun_abraham, sdid
        The analyses compared (``cs`` / ``sun_abraham`` / ``imputation`` / ``sdid`` None when
        they cannot be estimated on this panel; the reason is in ``skipped``). Synthetic DID
        has no event-time path: it is a row of the table, not a series of the figure.
    skipped : list of str
        Estimators left out, with the reason.
    """

    twfe: Any = None
    event_study: Any = None
    cs: Any = None
    imputation: Any = None
    sun_abraham: Any = None
    skipped: list[str] = field(default_factory=list)
    sdid: Any = None
    kind: str = field(default="did_compare", init=False)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per estimator: estimator, estimate, se, p, averages (what is averaged)."""
        out = [
            {
                "estimator": "TWFE DID",
                **_coef_row(self.twfe.result),
                "averages": "variance-weighted (can be negative weights)",
            }
        ]
        if self.cs:
            o = self.cs.result.overall
            out.append(
                {
                    "estimator": f"Callaway-Sant'Anna ({self.cs.result.control})",
                    "estimate": o["att"],
                    "se": o["se"],
                    "p": o["p"],
                    "averages": "ATT(g,t), group-size weights, t >= g",
                }
            )
        if self.imputation:
            o = self.imputation.result.overall
            out.append(
                {
                    "estimator": "Imputation (Borusyak-Jaravel-Spiess)",
                    "estimate": o["att"],
                    "se": o["se"],
                    "p": o["p"],
                    "averages": "every treated observation equally",
                }
            )
        if self.sun_abraham:
            o = self.sun_abraham.result.overall
            out.append(
                {
                    "estimator": f"Sun-Abraham (control: {self.sun_abraham.result.control_cohort})",
                    "estimate": o["att"],
                    "se": o["se"],
                    "p": o["p"],
                    "averages": "CATT(g,e), e >= 0, by treated observations",
                }
            )
        if self.sdid:
            r = self.sdid.result
            out.append(
                {
                    "estimator": "Synthetic DID (Arkhangelsky et al.)",
                    "estimate": r.att,
                    "se": r.se,
                    "p": r.p,
                    "averages": f"cohort SDID, treated units x post years ({r.se_method} se)",
                }
            )
        return out

    def content(self) -> dict[str, Any]:
        """``comparison`` (the rows), ``event_time`` (estimates by event time per estimator)
        and ``skipped``."""
        ev = {
            name: [
                {"rel_time": int(r.rel_time), "estimate": float(r.estimate), "se": float(r.se)}
                for r in tab.itertuples()
            ]
            for name, tab in self.event_tables().items()
        }
        return {
            "comparison": self.rows(),
            "event_time": ev,
            "skipped": list(self.skipped),
            "inference": self.twfe.result.info.get("inference"),
        }

    def table(self, lang: str = "en") -> pd.DataFrame:
        """estimator, estimate, se, p, averages."""
        frame = pd.DataFrame(self.rows())
        return _localise(frame, lang).rename(
            columns={
                "estimator": _t(lang, "估计量", "estimator"),
                "averages": _t(lang, "平均对象", "averages"),
            }
        )

    def title(self, lang: str = "en") -> str:
        """What is compared and the source."""
        return (
            _t(
                lang,
                "估计量比较：TWFE、Callaway-Sant'Anna、插补法、Sun-Abraham 与合成双重差分；",
                "Estimator comparison: TWFE, Callaway-Sant'Anna, imputation, Sun-Abraham and "
                "synthetic DID; ",
            )
            + _inference_title(self.twfe.result.info.get("inference"), lang)
            + self._source_title(lang)
        )

    def event_tables(self) -> dict[str, pd.DataFrame]:
        """rel_time, estimate, se per estimator, within the event-time window."""
        o = self.options
        out = {"TWFE": self.event_study.result.table[["rel_time", "estimate", "se"]]}
        if self.sun_abraham:
            out["Sun-Abraham"] = self.sun_abraham.result.table[["rel_time", "estimate", "se"]]
        if self.cs:
            out["Callaway-Sant'Anna"] = self.cs.event_table()[["rel_time", "estimate", "se"]]
        if self.imputation:
            out["Imputation"] = self.imputation.event_table()
        return {
            k: v[(v.rel_time >= -o.leads) & (v.rel_time <= o.lags)].reset_index(drop=True)
            for k, v in out.items()
        }

    def figures(self) -> dict[str, Any]:
        """``compare``: event-time estimates of the four estimators in one figure."""
        from policylink.spatial.did.plots import plot_event_study

        tabs = self.event_tables()
        first = tabs.pop("TWFE")
        fig = plot_event_study(
            first,
            title="Event-time effects: TWFE, Sun-Abraham, Callaway-Sant'Anna, imputation",
            note=self.figure_note(),
            extra=tabs,
        )
        return {"compare": fig}


def run_comparison(
    inputs: DidInputs, options: ComparisonOptions | None = None
) -> ComparisonAnalysis:
    """TWFE vs Callaway-Sant'Anna vs imputation vs Sun-Abraham vs synthetic DID on one panel.

    The TWFE DID, its event study and the imputation DID include the controls (first stage);
    Sun-Abraham includes them in its saturated regression; Callaway-Sant'Anna is unconditional
    (``control='auto'``) as in :func:`run_suite`; synthetic DID uses ``SdidOptions(se='auto')``
    with the options' replications and seed (placebo SE, or bootstrap when the treated units
    outnumber the controls). An estimator that cannot be estimated on the
    panel (e.g. CS on an unbalanced panel) is listed in ``skipped``.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel.
    options : ComparisonOptions, optional
        Event-time window.

    Returns
    -------
    ComparisonAnalysis
    """
    o = options or ComparisonOptions()
    inf = {"conley_km": o.conley_km, "kernel": o.kernel}
    twfe = run_twfe(inputs, TwfeOptions(**inf))
    es = run_event_study(inputs, EventStudyOptions(o.leads, o.lags, DEFAULT_REFERENCE, **inf))
    skipped: list[str] = []

    def optional(name: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except (*_OPTIONAL_ERRORS, np.linalg.LinAlgError) as exc:
            skipped.append(f"{name}: {exc}")
            return None

    cs = optional(
        "Callaway-Sant'Anna", lambda: run_callaway_santanna(inputs, CsOptions(control="auto"))
    )
    imp = optional(
        "imputation",
        lambda: run_imputation(
            inputs, ImputationOptions(horizons=o.lags, pretrends=o.leads, **inf)
        ),
    )
    sa = optional("Sun-Abraham", lambda: run_sun_abraham(inputs, SunAbrahamOptions(**inf)))
    sdid = optional(
        "synthetic DID",
        lambda: run_sdid(inputs, SdidOptions(se="auto", replications=o.replications, seed=o.seed)),
    )
    return ComparisonAnalysis(provenance(inputs), o, twfe, es, cs, imp, sa, skipped, sdid)


# --------------------------------------------------------------------------------------------
# Goodman-Bacon
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BaconOptions:
    """Options of the Goodman-Bacon decomposition (none: balanced panel, no controls)."""


@dataclass
class BaconAnalysis(DidAnalysis):
    """Goodman-Bacon decomposition of the TWFE DID.

    Attributes
    ----------
    result : policylink.spatial.did.BaconResult
        2x2 comparisons, weights and the TWFE coefficient.
    """

    result: Any = None
    kind: str = field(default="did_bacon", init=False)

    def content(self) -> dict[str, Any]:
        """``twfe``, ``weighted_sum``, ``by_type`` and ``comparisons``."""
        r = self.result
        return {
            "twfe": r.twfe,
            "weighted_sum": r.weighted_sum,
            "by_type": r.by_type,
            "comparisons": r.table,
        }

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Weights and weighted-average estimates per comparison type."""
        return _localise(self.result.by_type, lang)

    def title(self, lang: str = "en") -> str:
        """The identity TWFE = sum of weight x 2x2 estimate, and the source."""
        r = self.result
        return _t(
            lang,
            f"TWFE = {r.twfe:.4f} = 权重 x 2x2 估计之和（{r.weighted_sum:.4f}）；",
            f"TWFE = {r.twfe:.4f} = sum of weight x 2x2 estimate ({r.weighted_sum:.4f}); ",
        ) + self._source_title(lang)

    def figures(self) -> dict[str, Any]:
        """``bacon``: 2x2 estimates against their weights."""
        from policylink.spatial.did.plots import plot_bacon

        r = self.result
        return {"bacon": plot_bacon(r.table, r.twfe, note=self.figure_note())}


def run_bacon(inputs: DidInputs, options: BaconOptions | None = None) -> BaconAnalysis:
    """Goodman-Bacon decomposition (balanced panel, controls ignored).

    Parameters
    ----------
    inputs : DidInputs
        The DID panel.
    options : BaconOptions, optional
        No options.

    Returns
    -------
    BaconAnalysis
    """
    from policylink.spatial.did import bacon_decomposition

    o = options or BaconOptions()
    return BaconAnalysis(provenance(inputs), o, bacon_decomposition(inputs.panel, inputs.spec))


# --------------------------------------------------------------------------------------------
# spatial DID
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpatialDidOptions:
    """Options of the spatial DID.

    Attributes
    ----------
    model : {'slx', 'sdm'}
        TWFE with W*D, or the ML spatial Durbin panel.
    lag_controls : bool
        Also include spatial lags of the controls.
    draws, seed : int
        SDM: parameter draws and seed of the effects' standard errors.
    conley_km : float or None
        SLX: Conley spatial-HAC standard errors with this distance cutoff in km (needs the
        units' coordinates); None = cluster-robust by the panel's clustering, which assumes
        errors independent across units' clusters.
    kernel : {'bartlett', 'uniform'}
        Kernel of the Conley weights.
    """

    model: str = "slx"
    lag_controls: bool = False
    draws: int = DEFAULT_EFFECT_DRAWS
    seed: int = DEFAULT_SEED
    conley_km: float | None = None
    kernel: str = "bartlett"


@dataclass
class SpatialDidAnalysis(DidAnalysis):
    """Direct effect and spillover of treated neighbours.

    Attributes
    ----------
    result : policylink.spatial.did.SpatialDIDResult
        Effects and the full regression.
    """

    result: Any = None
    kind: str = field(default="did_spatial", init=False)

    @property
    def att(self) -> float:
        """Direct effect."""
        return float(self.result.effects.loc["direct", "estimate"])

    @property
    def se(self) -> float:
        """Its standard error."""
        return float(self.result.effects.loc["direct", "se"])

    def content(self) -> dict[str, Any]:
        """``model``, ``effects``, ``fit``, ``info``."""
        return self.result.to_dict()

    def table(self, lang: str = "en") -> pd.DataFrame:
        """effect (direct, spillover[, total]), estimate, se, p."""
        return _localise(self.result.effects.reset_index(names="effect"), lang)

    def title(self, lang: str = "en") -> str:
        """Model, weights, which standard errors, and source."""
        m, w = self.options.model, self.provenance.weights
        inf = self.result.inference
        if self.options.conley_km is not None:
            zh_inf = (
                f"Conley 空间 HAC 标准误（{self.options.kernel} 核，截断距离 "
                f"{self.options.conley_km:g} km，单元内序列相关）"
            )
        elif m == "slx":
            zh_inf = "按聚类稳健标准误（假定聚类之间误差独立，不能应对单元间的空间相关）"
        else:
            zh_inf = "极大似然信息矩阵标准误"
        return _t(
            lang,
            f"空间 DID（{m}，W：{w}；{zh_inf}）；",
            f"Spatial DID ({m}, W: {w}; SEs: {inf}); ",
        ) + self._source_title(lang)

    def paper_table(self, fmt: str = "markdown") -> str | None:
        """SLX: the regression with DID and W*DID; SDM: none."""
        if self.options.model != "slx":
            return None
        from policylink.spatial.did.tables import regression_table

        text = regression_table([self.result.fit], fmt=fmt, rename={"did": "DID", "w_did": "W*DID"})
        return self._paper(text, fmt)


def run_spatial_did(
    inputs: DidInputs, options: SpatialDidOptions | None = None
) -> SpatialDidAnalysis:
    """Spatial DID with the share of treated neighbours (inputs must carry weights).

    Parameters
    ----------
    inputs : DidInputs
        The DID panel with ``w``.
    options : SpatialDidOptions, optional
        Model and lags.

    Returns
    -------
    SpatialDidAnalysis

    Raises
    ------
    ConfigError
        The inputs have no weights, or an unknown model.
    """
    from policylink.spatial.did.spatial_did import spatial_did

    o = options or SpatialDidOptions()
    if inputs.w is None:
        raise ConfigError("the spatial DID needs weights (a weights file or a weights kind)")
    if o.model not in SPATIAL_MODELS:
        raise ConfigError(f"model {o.model!r}: use {', '.join(SPATIAL_MODELS)}")
    conley = _conley(inputs, o)
    if conley is not None and o.model != "slx":
        raise ConfigError("Conley standard errors are offered for the SLX model")
    res = spatial_did(
        inputs.panel,
        inputs.spec,
        inputs.w,
        model=o.model,
        lag_controls=o.lag_controls,
        draws=o.draws,
        seed=o.seed,
        conley=conley,
        coords_km=inputs.coords,
    )
    return SpatialDidAnalysis(provenance(inputs), o, res)


# --------------------------------------------------------------------------------------------
# robustness, mechanism, heterogeneity
# --------------------------------------------------------------------------------------------
def _models_content(models: list[Any]) -> dict[str, Any]:
    return {"models": [r.to_dict() for r in models]}


@dataclass(frozen=True)
class RobustnessOptions:
    """Options of the robustness checks (seed 004 Table 5).

    Attributes
    ----------
    drop_years : tuple of int
        Years removed in one re-estimate.
    drop_units : tuple of str
        Units removed in one re-estimate.
    alt_outcomes : tuple of str
        Alternative outcomes, one re-estimate each (columns of the inputs).
    """

    drop_years: tuple[int, ...] = ()
    drop_units: tuple[str, ...] = ()
    alt_outcomes: tuple[str, ...] = ()


@dataclass
class RobustnessAnalysis(DidAnalysis):
    """Baseline DID and one re-estimate per check.

    Attributes
    ----------
    models : list of policylink.spatial.did.DIDResult
        Baseline first.
    """

    models: list[Any] = field(default_factory=list)
    kind: str = field(default="did_robustness", init=False)

    def content(self) -> dict[str, Any]:
        """``models``: one fit each."""
        return _models_content(self.models)

    def table(self, lang: str = "en") -> pd.DataFrame:
        """model, estimate, se, p, n_obs, r2 of the DID coefficient per specification."""
        rows = [
            {"model": r.label, **_coef_row(r), "n_obs": r.n_obs, "r2": r.r2} for r in self.models
        ]
        return _localise(pd.DataFrame(rows), lang)

    def title(self, lang: str = "en") -> str:
        """What the table shows, and the source."""
        return _t(lang, "各设定下的 DID 系数；", "DID coefficient by specification; ") + (
            self._source_title(lang)
        )

    def paper_table(self, fmt: str = "markdown") -> str:
        """One column per specification (DID only)."""
        from policylink.spatial.did.tables import regression_table

        text = regression_table(self.models, fmt=fmt, keep=["did"], rename=_RENAME)
        return self._paper(text, fmt)


def run_robustness(
    inputs: DidInputs, options: RobustnessOptions | None = None
) -> RobustnessAnalysis:
    """Robustness: drop years, drop units, alternative outcomes.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel (with the alternative outcomes as columns).
    options : RobustnessOptions, optional
        The checks.

    Returns
    -------
    RobustnessAnalysis
    """
    from policylink.spatial.did.robustness import robustness_checks

    o = options or RobustnessOptions()
    models = robustness_checks(
        inputs.panel,
        inputs.spec,
        drop_years=list(o.drop_years),
        drop_units=list(o.drop_units),
        alt_outcomes=list(o.alt_outcomes),
    )
    return RobustnessAnalysis(provenance(inputs), o, models)


@dataclass(frozen=True)
class MechanismOptions:
    """Options of the mechanism regressions (seed 004 Table 6).

    Attributes
    ----------
    mediators : tuple of str
        Mediator columns, one model each.
    main_effects : bool
        Also include DID and the mediator alone.
    """

    mediators: tuple[str, ...] = ()
    main_effects: bool = False


@dataclass
class MechanismAnalysis(DidAnalysis):
    """Mediator x DID interaction, one model per mediator.

    Attributes
    ----------
    models : list of policylink.spatial.did.DIDResult
        In the order of ``options.mediators``.
    """

    models: list[Any] = field(default_factory=list)
    kind: str = field(default="did_mechanism", init=False)

    def content(self) -> dict[str, Any]:
        """``models``: one fit per mediator."""
        return _models_content(self.models)

    def table(self, lang: str = "en") -> pd.DataFrame:
        """model, estimate, se, p of ``<mediator>_x_did``, n_obs."""
        rows = [
            {"model": r.label, **_coef_row(r, f"{m}_x_did"), "n_obs": r.n_obs}
            for r, m in zip(self.models, self.options.mediators, strict=True)
        ]
        return _localise(pd.DataFrame(rows), lang)

    def title(self, lang: str = "en") -> str:
        """What the table shows, and the source."""
        return _t(lang, "中介变量 x DID；", "mediator x DID; ") + self._source_title(lang)

    def paper_table(self, fmt: str = "markdown") -> str:
        """Seed 004 Table 6 layout."""
        from policylink.spatial.did.tables import regression_table

        keep = [f"{m}_x_did" for m in self.options.mediators]
        keep += ["did"] if self.options.main_effects else []
        return self._paper(regression_table(self.models, fmt=fmt, keep=keep), fmt)


def run_mechanism(inputs: DidInputs, options: MechanismOptions) -> MechanismAnalysis:
    """Mechanism regressions with the interaction mediator x DID.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel (with the mediators as columns).
    options : MechanismOptions
        Mediators.

    Returns
    -------
    MechanismAnalysis

    Raises
    ------
    ConfigError
        No mediator.
    """
    from policylink.spatial.did.robustness import mechanism_did

    if not options.mediators:
        raise ConfigError("the mechanism analysis needs at least one mediator")
    models = [
        mechanism_did(inputs.panel, inputs.spec, m, main_effects=options.main_effects)
        for m in options.mediators
    ]
    return MechanismAnalysis(provenance(inputs), options, models)


@dataclass(frozen=True)
class HeterogeneityOptions:
    """Options of the heterogeneity analysis (seed 004 Tables 7-8).

    Attributes
    ----------
    group : str
        Grouping column (database: a ``unit_attribute`` scheme).
    """

    group: str


@dataclass
class HeterogeneityAnalysis(DidAnalysis):
    """DID by groups of units with a Wald test of equal effects.

    Attributes
    ----------
    result : policylink.spatial.did.HeterogeneityResult
        Fits by group and the equality test.
    """

    result: Any = None
    kind: str = field(default="did_heterogeneity", init=False)

    def content(self) -> dict[str, Any]:
        """``groups`` (fit by group) and ``equality``."""
        r = self.result
        return {
            "groups": {str(g): m.to_dict() for g, m in r.by_group.items()},
            "equality": r.equality,
        }

    def table(self, lang: str = "en") -> pd.DataFrame:
        """One row per group: estimate, se, p, n_obs, n_units, r2."""
        return _localise(self.result.table(), lang)

    def title(self, lang: str = "en") -> str:
        """The equality test and the source."""
        eq = self.result.equality
        return _t(
            lang,
            f"{self.options.group} 各组效应相等检验：Wald chi2({eq['df']}) = {eq['wald']:.3f}，"
            f"p = {eq['p']:.4f}；",
            f"Equal effects across {self.options.group}: Wald chi2({eq['df']}) = "
            f"{eq['wald']:.3f}, p = {eq['p']:.4f}; ",
        ) + self._source_title(lang)

    def paper_table(self, fmt: str = "markdown") -> str:
        """One column per group (DID only)."""
        from policylink.spatial.did.tables import regression_table

        r = self.result
        text = regression_table(
            list(r.by_group.values()),
            fmt=fmt,
            keep=["did"],
            rename=_RENAME,
            labels=[str(g) for g in r.by_group],
        )
        return self._paper(text, fmt)


def run_heterogeneity(inputs: DidInputs, options: HeterogeneityOptions) -> HeterogeneityAnalysis:
    """DID by groups of units with a pooled test of equal effects.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel (with the grouping column).
    options : HeterogeneityOptions
        Grouping column.

    Returns
    -------
    HeterogeneityAnalysis
    """
    from policylink.spatial.did.robustness import heterogeneity_did

    res = heterogeneity_did(inputs.panel, inputs.spec, options.group)
    return HeterogeneityAnalysis(provenance(inputs), options, res)


# --------------------------------------------------------------------------------------------
# the suite
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SuiteOptions(InferenceOptions):
    """Options of the whole seed 004 pipeline.

    Attributes
    ----------
    leads, lags, reference : int
        Event study (and the event times shown for Sun-Abraham).
    draws : int
        Placebo reassignments (0 = no placebo test).
    seed : int
        Seed of the placebo draws and of the matching order.
    placebo_mode, placebo_method : str
        See :class:`PlaceboOptions`.
    psm : bool
        PSM-DID on the controls (skipped without controls).
    staggered : bool
        Callaway-Sant'Anna (never-treated controls when there are any) and Sun-Abraham.
    conley_km, kernel : float or None, str
        Conley spatial-HAC SEs of TWFE, event study, PSM-DID and Sun-Abraham (see
        :class:`InferenceOptions`); the placebo test and CS keep theirs.
    """

    leads: int = DEFAULT_LEADS
    lags: int = DEFAULT_LAGS
    reference: int = DEFAULT_REFERENCE
    draws: int = DEFAULT_PLACEBO_DRAWS
    seed: int = DEFAULT_SEED
    placebo_mode: str = "units"
    placebo_method: str = "fast"
    psm: bool = True
    staggered: bool = True


@dataclass
class SuiteAnalysis(DidAnalysis):
    """TWFE, event study, placebo, PSM-DID, Callaway-Sant'Anna and Sun-Abraham on one panel.

    Attributes
    ----------
    twfe : TwfeAnalysis
    event_study : EventStudyAnalysis
    placebo : PlaceboAnalysis or None
        None when ``draws`` is 0.
    psm : PsmAnalysis or None
        None without controls, when not asked, or when the matching failed (see ``skipped``).
    cs : CsAnalysis or None
    sun_abraham : SunAbrahamAnalysis or None
    skipped : list of str
        Parts that could not be estimated on this panel, with the reason.
    """

    twfe: Any = None
    event_study: Any = None
    placebo: Any = None
    psm: Any = None
    cs: Any = None
    sun_abraham: Any = None
    skipped: list[str] = field(default_factory=list)
    kind: str = field(default="did_suite", init=False)

    @property
    def att(self) -> float:
        """TWFE DID coefficient."""
        return self.twfe.att

    @property
    def se(self) -> float:
        """Its standard error."""
        return self.twfe.se

    def content(self) -> dict[str, Any]:
        """TWFE keys plus ``event_study``, ``pretrend``, ``placebo``, ``psm``, ``cs``,
        ``sun_abraham`` (null when not run) and ``skipped``."""
        es = self.event_study.result
        out = self.twfe.result.to_dict()
        out.update(
            event_study=es.to_records(),
            pretrend=es.pretrend,
            placebo=self.placebo.result.summary() if self.placebo else None,
            psm=self.psm.result.to_dict() if self.psm else None,
            cs=self.cs.result.to_dict() if self.cs else None,
            sun_abraham=self.sun_abraham.result.to_records() if self.sun_abraham else None,
            skipped=list(self.skipped),
            inference=self.twfe.result.info.get("inference"),
        )
        return out

    def table(self, lang: str = "en") -> pd.DataFrame:
        """One row per analysis: estimate, se, p."""
        base, pt = self.twfe.result, self.event_study.result.pretrend
        rows = [
            {"analysis": "TWFE DID", **_coef_row(base)},
            {
                "analysis": "pre-trend Wald (p)",
                "estimate": pt["wald"],
                "se": None,
                "p": pt["p_chi2"],
            },
        ]
        if self.placebo:
            s = self.placebo.result.summary()
            rows.append(
                {
                    "analysis": f"placebo ({s['draws']} draws) sd",
                    "estimate": s["sd"],
                    "se": None,
                    "p": s["p_value"],
                }
            )
        if self.psm:
            rows.append({"analysis": "PSM-DID", **_coef_row(self.psm.result.did)})
        if self.cs:
            o = self.cs.result.overall
            rows.append(
                {
                    "analysis": f"Callaway-Sant'Anna ({self.cs.result.control})",
                    "estimate": o["att"],
                    "se": o["se"],
                    "p": o["p"],
                }
            )
        return _localise(pd.DataFrame(rows), lang)

    def title(self, lang: str = "en") -> str:
        """The TWFE title (N, units, within R2, source)."""
        return self.twfe.title(lang)

    def paper_table(self, fmt: str = "markdown") -> str:
        """TWFE and PSM-DID side by side."""
        from policylink.spatial.did.tables import regression_table

        fits = [self.twfe.result] + ([self.psm.result.did] if self.psm else [])
        return self._paper(regression_table(fits, fmt=fmt, rename=_RENAME), fmt)

    def figures(self) -> dict[str, Any]:
        """``event_study``, ``event_study_compare`` (TWFE, Sun-Abraham, CS), ``placebo``,
        ``psm_balance`` (those that were run)."""
        from policylink.spatial.did.plots import plot_event_study

        out = dict(self.event_study.figures())
        if self.cs and self.sun_abraham:
            o = self.options
            dyn = self.cs.event_table()
            dyn = dyn[(dyn.rel_time >= -o.leads) & (dyn.rel_time <= o.lags)]
            out["event_study_compare"] = plot_event_study(
                self.event_study.result.table,
                title="Event study: TWFE (binned ends), Sun-Abraham, Callaway-Sant'Anna",
                note=self.figure_note(),
                extra={"Sun-Abraham": self.sun_abraham.result.table, "Callaway-Sant'Anna": dyn},
            )
        for part in (self.placebo, self.psm):
            if part:
                out.update(part.figures())
        return out


_OPTIONAL_ERRORS = (ValueError, InputError)


def run_suite(
    inputs: DidInputs,
    options: SuiteOptions | None = None,
    *,
    progress: Callable[..., Any] | None = None,
) -> SuiteAnalysis:
    """The whole seed 004 pipeline plus the staggered-timing estimators.

    TWFE and the event study always run (their failure is the suite's); the placebo test, the
    PSM-DID and the staggered estimators run when asked, and one that cannot be estimated on
    this panel (e.g. a singular logit, an unbalanced panel for Callaway-Sant'Anna) is listed in
    ``skipped`` instead of stopping the others.

    Parameters
    ----------
    inputs : DidInputs
        The DID panel.
    options : SuiteOptions, optional
        Event-study window, placebo draws, seed and which parts run.
    progress : callable, optional
        Progress wrapper for the placebo draws.

    Returns
    -------
    SuiteAnalysis
    """
    import numpy as np

    o = options or SuiteOptions()
    inf = {"conley_km": o.conley_km, "kernel": o.kernel}
    twfe = run_twfe(inputs, TwfeOptions(**inf))
    es = run_event_study(inputs, EventStudyOptions(o.leads, o.lags, o.reference, **inf))
    skipped: list[str] = []

    def optional(name: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except (*_OPTIONAL_ERRORS, np.linalg.LinAlgError) as exc:
            skipped.append(f"{name}: {exc}")
            return None

    placebo = None
    if o.draws > 0:
        popts = PlaceboOptions(o.draws, o.placebo_mode, o.seed, o.placebo_method)
        placebo = run_placebo(inputs, popts, progress=progress)
    psm = None
    if o.psm and inputs.spec.controls:
        psm = optional("PSM-DID", lambda: run_psm(inputs, PsmOptions(seed=o.seed, **inf)))
    cs = sa = None
    if o.staggered:
        cs = optional(
            "Callaway-Sant'Anna", lambda: run_callaway_santanna(inputs, CsOptions(control="auto"))
        )
        sa = optional(
            "Sun-Abraham",
            lambda: run_sun_abraham(inputs, SunAbrahamOptions(o.leads, o.lags, **inf)),
        )
    return SuiteAnalysis(provenance(inputs), o, twfe, es, placebo, psm, cs, sa, skipped)
