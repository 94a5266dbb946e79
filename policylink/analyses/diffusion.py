"""Policy-diffusion analyses: who adopts when, and from whom.

``run_eha`` (discrete-time event history analysis, one programme or pooled over several) and
``run_dyad`` (directed-dyad EHA) are what ``policylink diffusion eha|dyad`` call; the estimators
are :mod:`policylink.spatial.diffusion`, the inputs come from
:mod:`policylink.diffusion_inputs` (the views' cascades and risk sets). The policy events are
real; a covariate flagged in the catalogue is labelled SYNTHETIC wherever the result shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from policylink.analyses.base import (
    DEFAULT_PERMUTATIONS,
    DEFAULT_SEED,
    AnalysisResult,
    Provenance,
    check_lang,
)
from policylink.analyses.diffusion_defaults import (
    DEFAULT_CURVES,
    DEFAULT_DEPENDENCE,
    DEFAULT_DYAD_REGRESSORS,
    DEFAULT_EHA_REGRESSORS,
    DEFAULT_LINK,
    DEFAULT_MARKOV_K,
    DEFAULT_NETINF_MODEL,
    DEFAULT_NETINF_P,
)
from policylink.errors import ConfigError, InputError, Problem

_HEAD = {
    "en": ["variable", "coefficient", "se", "p", "ratio", "AME", "AME se"],
    "zh": ["变量", "系数", "标准误", "p 值", "比值", "平均边际效应", "边际效应标准误"],
}


def _provenance(inputs: Any, n_units: int) -> Provenance:
    return Provenance(
        source=f"{inputs.source} (real policy events)",
        weights=inputs.weights,
        n_units=n_units,
        synthetic=tuple(inputs.synthetic),
        notes=tuple(inputs.notes),
    )


def _table(result: Any, names: list[str], lang: str) -> pd.DataFrame:
    c = result.fit.coefficients().set_index("name")
    ame = result.ame.set_index("name") if result.ame is not None else None
    rows = []
    for n in names:
        r = c.loc[n]
        a = ame.loc[n] if ame is not None and n in ame.index else None
        rows.append(
            [
                n,
                r["estimate"],
                r["se"],
                r["p"],
                r["ratio"],
                None if a is None else a["ame"],
                None if a is None else a["se"],
            ]
        )
    return pd.DataFrame(rows, columns=_HEAD[check_lang(lang)])


@dataclass(frozen=True)
class EhaOptions:
    """Options of a discrete-time EHA.

    Attributes
    ----------
    regressors : tuple of str
        Columns of the risk set used as regressors: ``neighbour_share``,
        ``neighbour_count``, ``higher_adopted`` and the covariates of the inputs.
    link : {'logit', 'cloglog'}
        Hazard link (cloglog: exp(b) is a hazard ratio).
    dependence : {'dummies', 'cubic', 'log', 'none'}
        Duration dependence.
    cluster : str or None
        Cluster column of the robust SEs (``code`` = unit); None = model-based.
    """

    regressors: tuple[str, ...] = DEFAULT_EHA_REGRESSORS
    link: str = DEFAULT_LINK
    dependence: str = DEFAULT_DEPENDENCE
    cluster: str | None = "code"

    def check(self) -> None:
        """Refuse inconsistent options with a sentence (ConfigError)."""
        from policylink.spatial.diffusion import DURATIONS, LINKS

        if self.link not in LINKS:
            raise ConfigError(f"link {self.link!r}: use {', '.join(LINKS)}")
        if self.dependence not in DURATIONS:
            raise ConfigError(f"duration {self.dependence!r}: use {', '.join(DURATIONS)}")
        if not self.regressors:
            raise ConfigError("the hazard model needs at least one regressor")


@dataclass
class EhaAnalysis(AnalysisResult):
    """A fitted discrete-time hazard model of adoption.

    Attributes
    ----------
    result : policylink.spatial.diffusion.EhaResult
        The fit, AMEs and design.
    programmes : tuple of str
        Programme(s) modelled (several = pooled with programme-specific baselines).
    n_events : dict of str to int
        Adoptions in the risk set per programme.
    """

    result: Any = None
    programmes: tuple[str, ...] = ()
    n_events: dict[str, int] = field(default_factory=dict)
    kind: str = field(default="eha", init=False)

    def content(self) -> dict[str, Any]:
        """Programmes, events and the fit."""
        return {
            "programmes": list(self.programmes),
            "n_events": self.n_events,
            "model": self.result.to_dict(),
        }

    def frame(self) -> pd.DataFrame:
        """Every coefficient (baseline terms too): name, estimate, se, z, p, ratio."""
        return self.result.fit.coefficients()

    def table(self, lang: str = "en") -> pd.DataFrame:
        """The regressors: coefficient, SE, p, odds/hazard ratio and AME with its SE."""
        return _table(self.result, list(self.result.design.covariates), lang)

    def unit_ratios(self, level: float = 0.95) -> pd.DataFrame:
        """Hazard (cloglog) or odds (logit) ratio of each unit in its last year at risk.

        The ratio is ``exp(x' b)`` over the regressors (neighbour share, higher-level adoption,
        covariates) of the unit's last fitted risk-set row, against a unit of the same
        programme and duration with every regressor at 0
        (:meth:`policylink.spatial.diffusion.EhaResult.covariate_ratio`). Pooled models take
        the latest year over the programmes (the first programme in sort order on ties).

        Parameters
        ----------
        level : float
            Confidence level of ``ratio_low`` / ``ratio_high``.

        Returns
        -------
        pandas.DataFrame
            One row per unit: ``code``, ``programme``, ``year``, ``ratio``, ``ratio_low``,
            ``ratio_high``.
        """
        rows = self.result.design.rows
        ratios = self.result.covariate_ratio(level)
        both = pd.concat([rows[["code", "programme", "year"]], ratios], axis=1)
        both = both.sort_values(["code", "year", "programme"], ascending=[True, False, True])
        return both.drop_duplicates("code").reset_index(drop=True)

    def title(self, lang: str = "en") -> str:
        """Method, programme(s), link, duration term, neighbours and source."""
        o = self.options
        progs = ", ".join(self.programmes)
        pooled = "pooled " if len(self.programmes) > 1 else ""
        fit = self.result.fit
        if check_lang(lang) == "zh":
            return (
                f"离散时间事件史分析（{pooled}{o.link}），项目：{progs}；时间依赖：{o.dependence}；"
                f"{fit.nobs} 个单位-年，{fit.n_events} 次采纳；邻居：{self.provenance.weights}；"
                f"来源：{self.provenance.label(lang)}"
            )
        return (
            f"Discrete-time EHA ({pooled}{o.link}), programme(s) {progs}; duration "
            f"{o.dependence}; {fit.nobs} unit-years, {fit.n_events} adoptions; neighbours: "
            f"{self.provenance.weights}; source: {self.provenance.label(lang)}"
        )


def run_eha(inputs: Any, options: EhaOptions | None = None) -> EhaAnalysis:
    """Fit the discrete-time hazard of adoption (pooled when the inputs hold several programmes).

    Parameters
    ----------
    inputs : policylink.diffusion_inputs.EhaInputs
        Risk set(s) with exposures.
    options : EhaOptions, optional
        Model options.

    Returns
    -------
    EhaAnalysis

    Raises
    ------
    ConfigError
        Bad options or an unknown regressor.
    InputError
        The model cannot be estimated (no events, separation, collinearity).
    """
    from policylink.spatial.diffusion import fit_eha

    o = options or EhaOptions()
    o.check()
    risk = inputs.risk
    missing = [r for r in o.regressors if r not in risk.columns]
    if missing:
        raise ConfigError(f"unknown regressor(s) {', '.join(missing)}; load them as covariates")
    progs = tuple(sorted(risk["programme"].unique()))
    try:
        res = fit_eha(
            risk,
            list(o.regressors),
            link=o.link,
            dependence=o.dependence,
            cluster=o.cluster,
            programme="programme" if len(progs) > 1 else None,
            duration="duration",
            time="year",
        )
    except ValueError as exc:
        raise InputError([Problem(inputs.source, None, None, None, str(exc))]) from exc
    events = {p: int(risk.loc[risk["programme"] == p, "event"].sum()) for p in progs}
    prov = _provenance(inputs, int(risk["code"].nunique()))
    if res.design.dropped_periods:
        gone = ", ".join(
            f"{g}:{t}" if len(progs) > 1 else str(t) for g, t in res.design.dropped_periods
        )
        prov = Provenance(
            prov.source,
            prov.weights,
            prov.n_units,
            prov.synthetic,
            (*prov.notes, f"periods without adoptions left out under period dummies: {gone}"),
        )
    return EhaAnalysis(prov, o, res, progs, events)


@dataclass(frozen=True)
class DyadOptions:
    """Options of a directed-dyad EHA (Volden 2006).

    Attributes
    ----------
    regressors : tuple of str
        Dyad columns: ``border``, ``log_distance_km``, ``link``, ``same_province`` and
        ``absdiff_<covariate>``.
    link : {'logit', 'cloglog'}
        Hazard link.
    dependence : {'dummies', 'cubic', 'log', 'none'}
        Duration dependence (duration = years since the window began).
    cluster : str or None
        ``i`` (the target unit, default), ``j`` or None.
    """

    regressors: tuple[str, ...] = DEFAULT_DYAD_REGRESSORS
    link: str = DEFAULT_LINK
    dependence: str = DEFAULT_DEPENDENCE
    cluster: str | None = "i"

    def check(self) -> None:
        """Refuse inconsistent options (ConfigError)."""
        EhaOptions(self.regressors, self.link, self.dependence).check()
        if self.cluster not in (None, "i", "j"):
            raise ConfigError("cluster dyads by i (target), j (source) or nothing")


@dataclass
class DyadAnalysis(AnalysisResult):
    """A fitted directed-dyad hazard model.

    Attributes
    ----------
    result : policylink.spatial.diffusion.EhaResult
        The fit on the dyad risk set.
    programme : str
        Programme modelled.
    n_dyads : int
        Dyad-years.
    """

    result: Any = None
    programme: str = ""
    n_dyads: int = 0
    kind: str = field(default="dyad", init=False)

    def content(self) -> dict[str, Any]:
        """Programme, dyads and the fit."""
        return {
            "programme": self.programme,
            "n_dyads": self.n_dyads,
            "model": self.result.to_dict(),
        }

    def frame(self) -> pd.DataFrame:
        """Every coefficient."""
        return self.result.fit.coefficients()

    def table(self, lang: str = "en") -> pd.DataFrame:
        """The pair regressors: coefficient, SE, p, ratio, AME."""
        return _table(self.result, list(self.result.design.covariates), lang)

    def title(self, lang: str = "en") -> str:
        """Method, programme, dyads and source."""
        o = self.options
        if check_lang(lang) == "zh":
            return (
                f"有向二元组事件史分析（{o.link}），项目：{self.programme}；{self.n_dyads} 个"
                f"二元组-年；来源：{self.provenance.label(lang)}"
            )
        return (
            f"Directed-dyad EHA ({o.link}), programme {self.programme}; {self.n_dyads} "
            f"dyad-years, {self.result.fit.n_events} adoptions; source: "
            f"{self.provenance.label(lang)}"
        )


def run_dyad(inputs: Any, options: DyadOptions | None = None) -> DyadAnalysis:
    """Fit the directed-dyad hazard: does a target emulate earlier adopters it resembles?

    Parameters
    ----------
    inputs : policylink.diffusion_inputs.DyadInputs
        Dyad risk set with pair regressors.
    options : DyadOptions, optional
        Model options.

    Returns
    -------
    DyadAnalysis
    """
    from policylink.spatial.diffusion import fit_eha

    o = options or DyadOptions()
    o.check()
    dy = inputs.dyads
    missing = [r for r in o.regressors if r not in dy.columns]
    if missing:
        raise ConfigError(f"unknown dyad regressor(s) {', '.join(missing)}")
    mono = inputs.monadic
    years0 = int(mono.risk["year"].min())  # the window's first year: duration as monadic
    dy = dy.assign(duration=dy["year"] - years0 + 1)
    try:
        res = fit_eha(
            dy, list(o.regressors), link=o.link, dependence=o.dependence, cluster=o.cluster
        )
    except ValueError as exc:
        raise InputError([Problem(mono.source, None, None, None, str(exc))]) from exc
    prov = _provenance(mono, int(dy["i"].nunique()))
    return DyadAnalysis(prov, o, res, str(mono.risk["programme"].iloc[0]), len(dy))


# --------------------------------------------------------------------------------------------
# network inference
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetinfOptions:
    """Options of NetInf network inference (Gomez-Rodriguez, Leskovec & Krause 2010).

    Attributes
    ----------
    n_edges : int or None
        Number of ties to infer; None = add ties while the next passes the p-value test.
    p_value : float
        Stopping threshold of the one-sided test (``n_edges=None`` only).
    model : {'exponential', 'power'}
        Transmission-time density (times in years).
    rate : float or None
        Exponential rate or power-law exponent; None = 1 / mean lag between co-adopters
        (exponential) or 2 (power law).
    """

    n_edges: int | None = None
    p_value: float = DEFAULT_NETINF_P
    model: str = DEFAULT_NETINF_MODEL
    rate: float | None = None

    def check(self) -> None:
        """Refuse inconsistent options (ConfigError)."""
        from policylink.spatial.netinf import MODELS

        if self.model not in MODELS:
            raise ConfigError(f"model {self.model!r}: use {', '.join(MODELS)}")
        if self.n_edges is not None and self.n_edges < 1:
            raise ConfigError("the number of ties must be at least 1")
        if not 0 < self.p_value < 1:
            raise ConfigError("the p-value threshold must lie between 0 and 1")


_NETINF_HEAD = {
    "en": ["source", "source name", "target", "target name", "gain", "p", "cascades", "link",
           "contiguous"],
    "zh": ["来源", "来源名称", "目标", "目标名称", "似然增益", "p 值", "级联数", "协作联系", "相邻"],
}  # fmt: skip


@dataclass
class NetinfAnalysis(AnalysisResult):
    """Inferred diffusion ties and how well they match observed networks.

    Attributes
    ----------
    result : policylink.spatial.netinf.NetinfResult
        The inferred ties (in the order chosen).
    programmes : tuple of str
        Programmes whose cascades were used.
    n_adopters : dict of str to int
        Adopters per programme among the units.
    names : dict of str to str
        Unit names.
    comparison : dict of str to dict
        ``links`` and ``contiguity``: ``n_inferred, n_observed, hits, precision, recall,
        chance_precision`` (the share of all unordered pairs that are observed ties).
    """

    result: Any = None
    programmes: tuple[str, ...] = ()
    n_adopters: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    comparison: dict[str, dict[str, float]] = field(default_factory=dict)
    kind: str = field(default="netinf", init=False)

    def edges(self) -> pd.DataFrame:
        """Ties with names and whether each is a coordination link / contiguous pair."""
        e = self.result.edges.copy()
        e.insert(1, "source_name", e["source"].map(self.names))
        e.insert(3, "target_name", e["target"].map(self.names))
        return e

    def content(self) -> dict[str, Any]:
        """Programmes, adopters, the ties and the comparisons."""
        return {
            "programmes": list(self.programmes),
            "n_adopters": self.n_adopters,
            "model": self.result.model,
            "rate": self.result.rate,
            "stopped_by": self.result.stopped_by,
            "n_ties": len(self.result.edges),
            "comparison": self.comparison,
            "ties": self.edges(),
        }

    def frame(self) -> pd.DataFrame:
        """The ties (CSV)."""
        return self.edges()

    def summary(self) -> pd.DataFrame:
        """Precision and recall against each observed network."""
        rows = [{"against": k, **v} for k, v in self.comparison.items()]
        return pd.DataFrame(rows)

    def table(self, lang: str = "en") -> pd.DataFrame:
        """The ties with names, gain, p and the two memberships."""
        e = self.edges()
        e = e[["source", "source_name", "target", "target_name", "gain", "p_value", "n_cascades",
               "link", "contiguous"]]  # fmt: skip
        e.columns = _NETINF_HEAD[check_lang(lang)]
        return e

    def title(self, lang: str = "en") -> str:
        """Method, programmes, ties, precision and source."""
        n = len(self.result.edges)
        lk, ct = self.comparison["links"], self.comparison["contiguity"]

        def pct(v: float) -> str:
            return "n/a" if v != v else f"{100 * v:.1f}%"

        progs = ", ".join(self.programmes)
        if check_lang(lang) == "zh":
            return (
                f"NetInf 扩散网络推断（{self.result.model}），项目：{progs}；{n} 条关系"
                f"（停止规则：{self.result.stopped_by}）；协作联系精确率 {pct(lk['precision'])}、"
                f"召回率 {pct(lk['recall'])}；相邻精确率 {pct(ct['precision'])}、召回率 "
                f"{pct(ct['recall'])}；来源：{self.provenance.label(lang)}"
            )
        return (
            f"NetInf diffusion ties ({self.result.model}), programmes {progs}; {n} ties (stopped "
            f"by {self.result.stopped_by}); coordination links precision {pct(lk['precision'])}, "
            f"recall {pct(lk['recall'])}; queen contiguity precision {pct(ct['precision'])}, "
            f"recall {pct(ct['recall'])}; source: {self.provenance.label(lang)}"
        )


def compare_ties(
    edges: pd.DataFrame, observed: set[tuple[Any, Any]], n_units: int
) -> dict[str, float]:
    """Precision / recall of undirected inferred ties against observed pairs, with chance.

    Parameters
    ----------
    edges : pandas.DataFrame
        ``source, target``.
    observed : set of (a, b)
        Observed pairs (either or both directions).
    n_units : int
        Units, for the chance precision ``n_observed / (n (n - 1) / 2)``.

    Returns
    -------
    dict
    """
    from policylink.spatial.netinf import tie_precision_recall

    out = tie_precision_recall(edges, observed, directed=False)
    pairs = n_units * (n_units - 1) / 2
    out["chance_precision"] = out["n_observed"] / pairs if pairs else float("nan")
    return out


def run_netinf(inputs: Any, options: NetinfOptions | None = None) -> NetinfAnalysis:
    """Infer the diffusion ties behind several real adoption cascades (NetInf).

    Each programme's cascade (``eha_cascade``, adoption dates in decimal years) is one cascade
    of :func:`policylink.spatial.netinf.netinf` (Gomez-Rodriguez, Leskovec & Krause 2010); the
    inferred ties, taken as unordered pairs, are compared with the coordination links and with
    queen contiguity (precision, recall and the precision expected by chance).

    Parameters
    ----------
    inputs : policylink.diffusion_inputs.NetinfInputs
        Cascades and observed networks.
    options : NetinfOptions, optional
        Number of ties or stopping rule, transmission model.

    Returns
    -------
    NetinfAnalysis

    Raises
    ------
    ConfigError
        Bad options.
    InputError
        Fewer than two adopters in every cascade.
    """
    from policylink.spatial.netinf import netinf

    o = options or NetinfOptions()
    o.check()
    T = inputs.times
    adopters = {p: int(np.isfinite(T[k]).sum()) for k, p in enumerate(inputs.programmes)}
    if max(adopters.values(), default=0) < 2:
        raise InputError(
            [Problem(inputs.source, None, None, None, "no cascade has two adopters: no ties")]
        )
    res = netinf(T, inputs.ids, n_edges=o.n_edges, p_value=o.p_value, model=o.model, rate=o.rate)
    e = res.edges
    und = {tuple(sorted(p)) for p in inputs.links}
    cont = {tuple(sorted(p)) for p in inputs.contiguity}
    pairs = [tuple(sorted(p)) for p in zip(e["source"], e["target"], strict=True)]
    res.edges = e.assign(link=[p in und for p in pairs], contiguous=[p in cont for p in pairs])
    n = len(inputs.ids)
    comparison = {
        "links": compare_ties(e, inputs.links, n),
        "contiguity": compare_ties(e, inputs.contiguity, n),
    }
    prov = Provenance(
        source=f"{inputs.source} (real policy events)",
        weights="coordination links and queen contiguity (database views), for comparison",
        n_units=n,
        notes=tuple(inputs.notes),
    )
    return NetinfAnalysis(
        prov, o, res, tuple(inputs.programmes), adopters, dict(inputs.names), comparison
    )


# --------------------------------------------------------------------------------------------
# diffusion curves
# --------------------------------------------------------------------------------------------

_CURVE_HEAD = {
    "en": ["model", "parameter", "estimate", "se", "p", "R2"],
    "zh": ["模型", "参数", "估计值", "标准误", "p 值", "R2"],
}


@dataclass(frozen=True)
class CurveOptions:
    """Options of the diffusion curves.

    Attributes
    ----------
    models : tuple of str
        ``logistic`` (K, r, t0; t0 in calendar years) and/or ``bass`` (p, q, m; Bass 1969,
        time counted from the year before the window, so the window's first year is t = 1).
    """

    models: tuple[str, ...] = DEFAULT_CURVES

    def check(self) -> None:
        """Refuse unknown models (ConfigError)."""
        from policylink.spatial.curves import CURVE_MODELS

        bad = [m for m in self.models if m not in CURVE_MODELS]
        if bad or not self.models:
            raise ConfigError(f"curve model(s) {', '.join(bad)}: use {', '.join(CURVE_MODELS)}")


def adoption_series(first_years: Any, years: tuple[int, int], n_units: int) -> pd.DataFrame:
    """New and cumulative adopters per year of the window.

    Parameters
    ----------
    first_years : array_like of int
        Each adopter's first adoption year.
    years : (int, int)
        Window (inclusive).
    n_units : int
        Units of the level, for the share.

    Returns
    -------
    pandas.DataFrame
        ``year, new, cumulative, share`` (cumulative counts adopters before the window too).
    """
    fy = np.asarray(first_years, int)
    yr = np.arange(years[0], years[1] + 1)
    new = np.array([(fy == y).sum() for y in yr])
    cum = np.array([(fy <= y).sum() for y in yr])
    return pd.DataFrame(
        {"year": yr, "new": new, "cumulative": cum, "share": cum / n_units if n_units else np.nan}
    )


@dataclass
class CurveAnalysis(AnalysisResult):
    """Cumulative adoption of a programme with fitted logistic and Bass curves.

    Attributes
    ----------
    programme : str
        Programme.
    series : pandas.DataFrame
        ``year, new, cumulative, share`` and ``fitted_<model>`` per year.
    fits : dict of str to policylink.spatial.curves.CurveFit
        Fitted curves.
    origin : int
        Bass time origin (t = year - origin).
    """

    programme: str = ""
    series: pd.DataFrame | None = None
    fits: dict[str, Any] = field(default_factory=dict)
    origin: int = 0
    kind: str = field(default="curve", init=False)

    def content(self) -> dict[str, Any]:
        """Programme, the yearly series and the fits."""
        return {
            "programme": self.programme,
            "bass_origin": self.origin,
            "series": self.series,
            "fits": {k: f.to_dict() for k, f in self.fits.items()},
        }

    def frame(self) -> pd.DataFrame:
        """The yearly series with fitted values (CSV)."""
        return self.series

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Parameters of each fitted curve with SEs."""
        rows = []
        for m, f in self.fits.items():
            for _, r in f.coefficients().iterrows():
                rows.append([m, r["name"], r["estimate"], r["se"], r["p"], f.r2])
        return pd.DataFrame(rows, columns=_CURVE_HEAD[check_lang(lang)])

    def title(self, lang: str = "en") -> str:
        """Method, programme, window and source."""
        s = self.series
        y0, y1 = int(s["year"].iloc[0]), int(s["year"].iloc[-1])
        last = int(s["cumulative"].iloc[-1])
        models = " + ".join(self.fits) or "none"
        if check_lang(lang) == "zh":
            return (
                f"扩散曲线（{models}，非线性最小二乘），项目：{self.programme}；{y0}-{y1} 年累计"
                f" {last} / {self.provenance.n_units} 个单位采纳；来源：{self.provenance.label(lang)}"
            )
        return (
            f"Diffusion curves ({models}, nonlinear least squares), programme {self.programme}; "
            f"{last} of {self.provenance.n_units} units adopted by {y1} (from {y0}); source: "
            f"{self.provenance.label(lang)}"
        )


def run_curve(inputs: Any, options: CurveOptions | None = None) -> CurveAnalysis:
    """Cumulative adoption per year with fitted logistic and Bass (1969) curves.

    Parameters
    ----------
    inputs : policylink.diffusion_inputs.CascadeInputs
        The programme's cascade, its units and the window.
    options : CurveOptions, optional
        Which curves.

    Returns
    -------
    CurveAnalysis
        A curve that cannot be fitted is left out with a note.

    Raises
    ------
    InputError
        Nobody adopted within the window.
    """
    from policylink.spatial.curves import fit_curve

    o = options or CurveOptions()
    o.check()
    y0, y1 = inputs.years
    fy = inputs.cascade["first_year"].to_numpy(int)
    notes = list(inputs.notes)
    later = int((fy > y1).sum())
    if later:
        notes.append(f"{later} adopter(s) after {y1} are outside the window")
    before = int((fy < y0).sum())
    if before:
        notes.append(f"{before} adopter(s) before {y0} are in the cumulative count from {y0}")
    series = adoption_series(fy, (y0, y1), len(inputs.ids))
    if series["cumulative"].iloc[-1] == 0:
        raise InputError(
            [Problem(inputs.source, None, None, None, f"nobody adopted by {y1}: no curve")]
        )
    origin = y0 - 1
    fits: dict[str, Any] = {}
    y = series["cumulative"].to_numpy(float)
    for m in o.models:
        t = series["year"].to_numpy(float) - (origin if m == "bass" else 0)
        try:
            f = fit_curve(m, t, y)
        except ValueError as exc:
            notes.append(f"{m}: {exc}")
            continue
        if not f.converged:
            notes.append(f"{m}: the optimiser did not report convergence ({f.message})")
        if f.at_bound:
            notes.append(f"{m}: {', '.join(f.at_bound)} at a bound of the search (no SE)")
        fits[m] = f
        series[f"fitted_{m}"] = f.predict(t)
    prov = Provenance(
        source=f"{inputs.source} (real policy events)",
        weights="",
        n_units=len(inputs.ids),
        notes=tuple(notes),
    )
    return CurveAnalysis(prov, o, inputs.programme, series, fits, origin)


# --------------------------------------------------------------------------------------------
# join counts of the adoption map
# --------------------------------------------------------------------------------------------
_JOIN_HEAD = {
    "en": ["year", "adopted", "units", "joins", "BB", "E[BB]", "p BB", "BW", "E[BW]",
           "p BW fewer", "p BW more"],
    "zh": ["年份", "已采纳", "单位数", "连接数", "BB", "BB 期望", "BB p 值", "BW", "BW 期望",
           "BW 偏少 p 值", "BW 偏多 p 值"],
}  # fmt: skip


@dataclass(frozen=True)
class JoinCountOptions:
    """Options of the yearly join counts of an adoption map (Cliff & Ord 1981).

    Attributes
    ----------
    permutations : int
        Random permutations per year.
    seed : int
        Seed; year k of the window uses ``seed + k`` so years are independent.
    """

    permutations: int = DEFAULT_PERMUTATIONS
    seed: int = DEFAULT_SEED

    def check(self) -> None:
        """Refuse a negative number of permutations (ConfigError)."""
        if self.permutations < 0:
            raise ConfigError("the number of permutations cannot be negative")


@dataclass
class JoinCountAnalysis(AnalysisResult):
    """Join counts (BB, BW) of the adoption map, year by year.

    Attributes
    ----------
    programme : str
        Programme.
    rows : pandas.DataFrame
        ``year, n_adopted, n, joins, bb, mean_bb, p_bb, bw, mean_bw, p_bw_fewer, p_bw``; years
        where every unit (or none) had adopted carry counts without a test.
    """

    programme: str = ""
    rows: pd.DataFrame | None = None
    kind: str = field(default="joincount", init=False)

    def content(self) -> dict[str, Any]:
        """Programme and the yearly join counts."""
        return {"programme": self.programme, "years": self.rows}

    def frame(self) -> pd.DataFrame:
        """The yearly join counts (CSV)."""
        return self.rows

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Year, adopters, joins, BB and BW with permutation means and p-values."""
        r = self.rows[["year", "n_adopted", "n", "joins", "bb", "mean_bb", "p_bb", "bw",
                       "mean_bw", "p_bw_fewer", "p_bw"]].copy()  # fmt: skip
        r.columns = _JOIN_HEAD[check_lang(lang)]
        return r

    def title(self, lang: str = "en") -> str:
        """Method, programme, weights, permutations and source."""
        o = self.options
        if check_lang(lang) == "zh":
            return (
                f"采纳地图的连接数统计（BB/BW，{o.permutations} 次置换），项目：{self.programme}；"
                f"权重：{self.provenance.weights}；来源：{self.provenance.label(lang)}"
            )
        return (
            f"Join counts of the adoption map (BB/BW, {o.permutations} permutations), programme "
            f"{self.programme}; weights: {self.provenance.weights}; source: "
            f"{self.provenance.label(lang)}"
        )


def run_joincount(inputs: Any, options: JoinCountOptions | None = None) -> JoinCountAnalysis:
    """Join counts of the binary adoption map (adopted by the end of each year) per year.

    A unit is black in year t when its first adoption year (``eha_cascade``) is at most t.
    BB, BW and WW joins under the inputs' binary weights, with seeded permutation p-values
    (:func:`policylink.spatial.diffusion_joins.join_counts`, esda ``Join_Counts``; Cliff & Ord
    1981). Units without neighbours take part in no join.

    Parameters
    ----------
    inputs : policylink.diffusion_inputs.CascadeInputs
        The cascade, its units, the window and the weights ``W``.
    options : JoinCountOptions, optional
        Permutations and seed.

    Returns
    -------
    JoinCountAnalysis

    Raises
    ------
    ConfigError
        Inputs without weights or bad options.
    """
    from policylink.spatial.diffusion_joins import (
        binary_matrix,
        colour_counts,
        join_counts,
        untestable,
    )

    o = options or JoinCountOptions()
    o.check()
    if inputs.W is None:
        raise ConfigError("join counts need the inputs' weights (load them with weights=True)")
    w = binary_matrix(inputs.W)  # rows and columns in the order of inputs.ids
    first = dict(zip(inputs.cascade["code"], inputs.cascade["first_year"], strict=True))
    fy = np.array([first.get(c, np.iinfo(np.int64).max) for c in inputs.ids])
    notes = list(inputs.notes)
    joins = float(w.sum()) / 2
    rows: list[dict[str, Any]] = []
    untested: dict[str, list[int]] = {}  # why -> years
    y0, y1 = inputs.years
    for k, year in enumerate(range(y0, y1 + 1)):
        y = (fy <= year).astype(float)
        nb = int(y.sum())
        why = untestable(y, w)
        if why:  # one colour, or one colour without joins: counts without a test
            untested.setdefault(why, []).append(year)
            bb, bw, ww = colour_counts(y, w)
            rows.append(dict(year=year, n_adopted=nb, n=len(y), joins=joins, bb=bb, ww=ww,
                             bw=bw))  # fmt: skip
            continue
        r = join_counts(y, w, permutations=o.permutations, seed=o.seed + k)
        rows.append(
            dict(
                year=year,
                n_adopted=nb,
                n=len(y),
                joins=r.joins,
                bb=r.bb,
                ww=r.ww,
                bw=r.bw,
                mean_bb=r.mean_bb,
                p_bb=r.p_bb,
                mean_bw=r.mean_bw,
                p_bw_fewer=r.p_bw_fewer,
                p_bw=r.p_bw,
            )  # fmt: skip
        )
    for why, years in untested.items():
        notes.append(f"no test in {', '.join(map(str, years))}: {why}")
    islands = int((np.diff(w.indptr) == 0).sum())
    if islands:
        notes.append(f"{islands} unit(s) without neighbours take part in no join")
    cols = ["year", "n_adopted", "n", "joins", "bb", "mean_bb", "p_bb", "bw", "mean_bw",
            "p_bw_fewer", "p_bw", "ww"]  # fmt: skip
    frame = pd.DataFrame(rows).reindex(columns=cols)
    prov = Provenance(
        source=f"{inputs.source} (real policy events)",
        weights=inputs.weights,
        n_units=len(inputs.ids),
        notes=tuple(notes),
    )
    return JoinCountAnalysis(prov, o, inputs.programme, frame)


# --------------------------------------------------------------------------------------------
# Markov dynamics
# --------------------------------------------------------------------------------------------
#: Markov chains offered: classic, conditioned on the spatial lag's class, LISA quadrants.
MARKOV_KINDS: tuple[str, ...] = ("classic", "spatial", "lisa")
#: Lag cut-off of the adoption state unless the user asks otherwise: no neighbour had adopted
#: (share 0) versus some had.
DEFAULT_ADOPTION_LAG_CUTOFFS: tuple[float, ...] = (0.0,)

_ADOPTION_STATES = {"en": ["not adopted", "adopted"], "zh": ["未采纳", "已采纳"]}


@dataclass(frozen=True)
class MarkovOptions:
    """Options of the Markov dynamics of a panel variable or of the adoption state.

    Attributes
    ----------
    kind : {'classic', 'spatial', 'lisa'}
        Classic chain; transitions conditioned on the class of the spatial lag (Rey 2001);
        transitions between Moran scatter-plot quadrants.
    k, m : int
        Quantile classes of the variable and of its lag (ignored for the adoption state and
        with cut-offs).
    classing : {'pooled', 'period', 'cutoffs'}
        Quantiles of all values, of each period, or the given ``cutoffs`` (a variable only;
        the adoption state is its own two states).
    cutoffs, lag_cutoffs : tuple of float or None
        Class bounds of the variable and of the lag (the adoption state's lag is the share of
        adopted neighbours; default ``(0,)``: none versus some).
    """

    kind: str = "spatial"
    k: int = DEFAULT_MARKOV_K
    m: int = DEFAULT_MARKOV_K
    classing: str = "pooled"
    cutoffs: tuple[float, ...] | None = None
    lag_cutoffs: tuple[float, ...] | None = None

    def check(self) -> None:
        """Refuse inconsistent options (ConfigError)."""
        if self.kind not in MARKOV_KINDS:
            raise ConfigError(f"Markov kind {self.kind!r}: use {', '.join(MARKOV_KINDS)}")
        if self.classing not in ("pooled", "period", "cutoffs"):
            raise ConfigError(f"classing {self.classing!r}: use pooled, period or cutoffs")
        if self.classing == "cutoffs" and not self.cutoffs:
            raise ConfigError("classing 'cutoffs' needs --cutoffs")
        if self.k < 2 or self.m < 1:
            raise ConfigError("use at least two classes of the variable and one of the lag")
        for name, c in (("cut-offs", self.cutoffs), ("lag cut-offs", self.lag_cutoffs)):
            if c is not None and any(b <= a for a, b in zip(c, c[1:], strict=False)):
                raise ConfigError(f"{name} must increase")


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _class_labels(cutoffs: Any, k: int, prefix: str) -> list[str]:
    """``prefix <= c0``, ``c0 < prefix <= c1``, ..., ``prefix > c_last``; or quantile names."""
    if not cutoffs or len(cutoffs) != k - 1:
        return [f"{prefix} Q{i + 1}" for i in range(k)]
    c = [_fmt(x) for x in cutoffs]
    out = [f"{prefix} <= {c[0]}"]
    out += [f"{c[i - 1]} < {prefix} <= {c[i]}" for i in range(1, len(c))]
    return out + [f"{prefix} > {c[-1]}"]


_MARKOV_HEAD = {
    "en": ["lag class", "from", "transitions", "steady state", "sojourn"],
    "zh": ["空间滞后类别", "起始状态", "转移次数", "稳态分布", "平均停留期"],
}
_TEST_HEAD = {
    "en": ["test", "statistic", "dof", "p"],
    "zh": ["检验", "统计量", "自由度", "p 值"],
}


@dataclass
class MarkovAnalysis(AnalysisResult):
    """Markov transition matrices of a panel variable or of the adoption state.

    Attributes
    ----------
    result : MarkovResult, SpatialMarkovResult or LisaMarkovResult
        From :mod:`policylink.spatial.markov`.
    variable : str
        The variable, or ``adoption:<programme>``.
    periods : list
        Periods of the panel (columns of the class ids).
    adoption : bool
        True for the adoption state.
    """

    result: Any = None
    variable: str = ""
    periods: list[Any] = field(default_factory=list)
    adoption: bool = False
    kind: str = field(default="markov", init=False)

    @property
    def chain(self) -> Any:
        """The pooled chain (:class:`policylink.spatial.markov.MarkovResult`)."""
        return getattr(self.result, "chain", self.result)

    def states(self, lang: str = "en") -> list[str]:
        """Names of the states of the variable."""
        lang = check_lang(lang)
        if self.adoption:
            return _ADOPTION_STATES[lang]
        if self.options.kind == "lisa":
            return list(self.chain.states)
        cuts = self.chain.cutoffs if self.options.classing != "period" else None
        return _class_labels(cuts, self.chain.k, self.variable)

    def lag_classes(self, lang: str = "en") -> list[str]:
        """Names of the classes of the spatial lag (spatial Markov)."""
        m = self.result.m
        name = "adopted neighbours" if self.adoption else f"W {self.variable}"
        if self.adoption and check_lang(lang) == "zh":
            name = "已采纳邻居比例"
        cuts = self.result.lag_cutoffs if self.options.classing != "period" else None
        if self.options.lag_cutoffs:
            cuts = self.result.lag_cutoffs
        return _class_labels(cuts, m, name)

    def content(self) -> dict[str, Any]:
        """Variable, periods, state names and the chain(s)."""
        out = {
            "variable": self.variable,
            "periods": list(self.periods),
            "states": self.states("en"),
            "chains": self.result.to_dict(),
        }
        if self.options.kind == "spatial":
            out["lag_classes"] = self.lag_classes("en")
        return out

    def _matrices(self, lang: str) -> list[tuple[str, Any, Any, Any, Any]]:
        everyone = "all" if check_lang(lang) == "en" else "全部"
        c = self.chain
        out = [(everyone, c.counts, c.p, c.steady_state, c.sojourn)]
        if self.options.kind == "spatial":
            from policylink.spatial.markov import sojourn_times

            r = self.result
            for i, name in enumerate(self.lag_classes(lang)):
                out.append((name, r.counts[i], r.p[i], r.steady_states[i], sojourn_times(r.p[i])))
        return out

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Transition probabilities (rows: lag class and state of origin; columns: state of
        destination), with the number of transitions, the steady state and the sojourn time."""
        head = _MARKOV_HEAD[check_lang(lang)]
        st = self.states(lang)
        rows = []
        for lag, N, P, ss, soj in self._matrices(lang):
            for i, s in enumerate(st):
                rows.append([lag, s, int(N[i].sum()), *P[i].tolist(), ss[i], soj[i]])
        return pd.DataFrame(rows, columns=[*head[:3], *(f"-> {s}" for s in st), *head[3:]])

    def frame(self) -> pd.DataFrame:
        """Long form (CSV): lag class, from, to, count, probability."""
        st = self.states("en")
        rows = []
        for lag, N, P, _, _ in self._matrices("en"):
            for i, a in enumerate(st):
                for j, b in enumerate(st):
                    rows.append([lag, a, b, int(N[i, j]), P[i, j]])
        return pd.DataFrame(rows, columns=["lag_class", "from", "to", "count", "p"])

    def tests(self, lang: str = "en") -> pd.DataFrame:
        """Spatial Markov tests: each lag class against the pooled matrix (chi-square), their
        sum, and Bickenbach & Bode's homogeneity Q and LR; LISA Markov: move counts."""
        lang = check_lang(lang)
        if self.options.kind != "spatial":
            return pd.DataFrame(columns=_TEST_HEAD[lang])
        r = self.result
        en = lang == "en"
        rows = [
            [("chi2 vs pooled: " if en else "与总体矩阵的卡方检验：") + n, c, d, p]
            for n, (c, p, d) in zip(self.lag_classes(lang), r.chi2, strict=True)
        ]
        h = r.homogeneity
        rows += [
            ["chi2 sum" if en else "卡方和", r.x2, r.x2_dof, r.x2_p],
            ["homogeneity Q" if en else "同质性 Q 检验", h.q, h.dof, h.q_p],
            ["homogeneity LR" if en else "同质性似然比检验", h.lr, h.dof, h.lr_p],
        ]
        return pd.DataFrame(rows, columns=_TEST_HEAD[lang])

    def moves(self) -> pd.DataFrame:
        """LISA Markov move types and counts (empty for other kinds)."""
        if self.options.kind != "lisa":
            return pd.DataFrame(columns=["move", "count"])
        mc = self.result.move_counts
        return pd.DataFrame({"move": list(mc), "count": list(mc.values())})

    def title(self, lang: str = "en") -> str:
        """Method, variable, periods, weights and source."""
        o = self.options
        p0, p1 = self.periods[0], self.periods[-1]
        what = {
            "classic": ("Markov chain", "马尔可夫链"),
            "spatial": ("Spatial Markov chain", "空间马尔可夫链"),
            "lisa": ("LISA Markov chain", "LISA 马尔可夫链"),
        }[o.kind]
        n = self.provenance.n_units
        if check_lang(lang) == "zh":
            return (
                f"{what[1]}：{self.variable}，{p0}-{p1}，{n} 个单位；权重：{self.provenance.weights}"
                f"；来源：{self.provenance.label(lang)}"
            )
        return (
            f"{what[0]} of {self.variable}, {p0}-{p1}, {n} units; weights: "
            f"{self.provenance.weights}; source: {self.provenance.label(lang)}"
        )


def adoption_panel(inputs: Any) -> tuple[np.ndarray, list[int]]:
    """Adoption state (1 = adopted by the end of the year) of each unit in each window year.

    Parameters
    ----------
    inputs : policylink.diffusion_inputs.CascadeInputs
        Cascade, units and window.

    Returns
    -------
    (numpy.ndarray of shape (units, years), list of years)
    """
    first = dict(zip(inputs.cascade["code"], inputs.cascade["first_year"], strict=True))
    fy = np.array([first.get(c, np.iinfo(np.int64).max) for c in inputs.ids])
    years = list(range(inputs.years[0], inputs.years[1] + 1))
    return (fy[:, None] <= np.array(years)[None, :]).astype(float), years


def run_markov(
    inputs: Any, options: MarkovOptions | None = None, variable: str | None = None
) -> MarkovAnalysis:
    """Markov dynamics of a panel variable, or of the adoption state of a programme.

    With :class:`policylink.inputs.AnalysisInputs` (``variable`` names a panel column) the
    variable is classed (pooled or per-period quantiles, or cut-offs); with
    :class:`policylink.diffusion_inputs.CascadeInputs` (``variable`` None) the state is
    adoption 0/1 in each year of the window and the spatial lag is the share of adopted
    neighbours. The chains, tests, steady states and first passage times are those of
    :mod:`policylink.spatial.markov` (giddy's definitions).

    Parameters
    ----------
    inputs : AnalysisInputs or CascadeInputs
        A balanced panel with weights, or a cascade with weights.
    options : MarkovOptions, optional
        Chain kind and classes.
    variable : str, optional
        Panel variable (AnalysisInputs only).

    Returns
    -------
    MarkovAnalysis

    Raises
    ------
    ConfigError
        Bad options, or inputs without weights.
    InputError
        A missing value (unit and period named), fewer than two periods, or a state that
        never varies.
    """
    from policylink.spatial import markov as mk

    o = options or MarkovOptions()
    o.check()
    notes: list[str] = list(getattr(inputs, "notes", []))
    adoption = variable is None
    if adoption:
        if getattr(inputs, "W", None) is None:
            raise ConfigError("the adoption Markov chain needs weights (load them with weights)")
        if o.kind == "lisa":
            raise ConfigError("LISA quadrants need a continuous variable, not the adoption state")
        y, periods = adoption_panel(inputs)
        W = inputs.W
        name = f"adoption:{inputs.programme}"
        prov = Provenance(
            source=f"{inputs.source} (real policy events)",
            weights=inputs.weights,
            n_units=len(inputs.ids),
            notes=(),
        )
        src = inputs.source
    else:
        if inputs.time_col is None:
            raise ConfigError("a Markov chain needs a panel (a time column), not a cross-section")
        if variable not in inputs.panel.columns:
            raise ConfigError(f"variable {variable!r} is not in the inputs")
        periods = inputs.periods()
        y = np.column_stack(
            [inputs.cross_section([variable], p)[variable].to_numpy(float) for p in periods]
        ) if periods else np.zeros((0, 0))  # fmt: skip
        W = inputs.w.sparse
        name = variable
        prov = Provenance.of(inputs)
        prov = Provenance(prov.source, prov.weights, prov.n_units, prov.synthetic, ())
        src = inputs.source
    if y.ndim != 2 or y.shape[1] < 2:
        raise InputError([Problem(src, None, None, None, "a Markov chain needs two periods")])
    if np.unique(y).size < 2:
        raise InputError(
            [Problem(src, None, None, None, f"{name} never varies: no transitions to study")]
        )
    islands = int((np.asarray(abs(W).sum(axis=1)).ravel() == 0).sum())
    if islands and o.kind != "classic":
        notes.append(f"{islands} unit(s) without neighbours have a spatial lag of 0")
    try:
        if adoption:
            lag_cuts = o.lag_cutoffs or DEFAULT_ADOPTION_LAG_CUTOFFS
            if o.kind == "classic":
                res = mk.markov(y, classing="discrete")
            else:
                res = mk.spatial_markov(y, W, classing="discrete", lag_cutoffs=lag_cuts)
        elif o.kind == "classic":
            res = mk.markov(y, o.k, classing=o.classing, cutoffs=o.cutoffs)
        elif o.kind == "spatial":
            res = mk.spatial_markov(y, W, o.k, o.m, classing=o.classing, cutoffs=o.cutoffs,
                                    lag_cutoffs=o.lag_cutoffs)  # fmt: skip
        else:
            res = mk.lisa_markov(y, W)
    except ValueError as exc:
        raise InputError([Problem(src, None, None, None, str(exc))]) from exc
    chain = getattr(res, "chain", res)
    if not adoption and o.kind != "lisa" and chain.k < (o.k if o.classing != "cutoffs" else 2):
        notes.append(f"ties leave {chain.k} classes instead of {o.k}")
    if np.isnan(chain.steady_state).any():
        notes.append("the chain has several recurrent classes: no unique steady state")
    empty = int((chain.counts.sum(axis=1) == 0).sum())
    if empty:
        notes.append(f"{empty} state(s) never left or entered before the last period")
    prov = Provenance(prov.source, prov.weights, prov.n_units, prov.synthetic,
                      (*prov.notes, *notes))  # fmt: skip
    return MarkovAnalysis(prov, o, res, name, list(periods), adoption)
