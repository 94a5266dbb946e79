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

import pandas as pd

from policylink.analyses.base import AnalysisResult, Provenance, check_lang
from policylink.errors import ConfigError, InputError, Problem

#: Regressors of a monadic EHA unless the user asks otherwise: the lagged neighbour-adoption
#: share (Berry & Berry 1990) and the lagged adoption of a higher-level unit.
DEFAULT_EHA_REGRESSORS: tuple[str, ...] = ("neighbour_share", "higher_adopted")
#: Pair regressors of a dyad EHA unless the user asks otherwise (Volden 2006).
DEFAULT_DYAD_REGRESSORS: tuple[str, ...] = ("border", "log_distance_km", "link", "same_province")
#: Hazard link unless the user asks otherwise.
DEFAULT_LINK = "logit"
#: Duration dependence unless the user asks otherwise (Carter & Signorino 2010).
DEFAULT_DEPENDENCE = "cubic"

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
