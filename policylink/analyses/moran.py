"""Global Moran's I by period (seed 000 Table 4) and bivariate Moran: one analysis each.

``run_moran`` is what ``policylink moran``, the report's Moran section, the QGIS "Global Moran's
I" algorithm and the dock call; the statistics come from :mod:`policylink.spatial.autocorr`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from policylink.analyses.base import (
    DEFAULT_PERMUTATIONS,
    DEFAULT_SEED,
    DEFAULT_TRANSFORMATION,
    AnalysisResult,
    Provenance,
    check_lang,
    panel_periods,
    select_periods,
)
from policylink.analyses.geary import transformation_name
from policylink.errors import InputError, Problem

#: Alternative hypothesis of the global test (seed 000 Table 4 reports one-sided 'greater').
DEFAULT_ALTERNATIVE = "greater"


def _period(value: Any) -> Any:
    """A period as a plain value: an int for years, else as given (e.g. a field name)."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


@dataclass(frozen=True)
class MoranOptions:
    """Options of the global Moran analysis.

    Attributes
    ----------
    variable : str
        Variable tested.
    years : tuple of int or None
        Periods (None = all of the inputs).
    transformation : {'r', 'b', 'v', 'd', 'o'}
        Weights transformation.
    permutations : int
        Random permutations for the pseudo p-value (0 = none).
    seed : int
        Permutation seed.
    alternative : {'greater', 'less', 'two-sided'}
        Alternative hypothesis.
    rate_base : str or None
        Moran's I for rates: ``variable`` holds event counts and this column the population
        at risk; the test is on the empirical-Bayes standardised rates (Assuncao and Reis 1999).
    change_from : int or None
        Differential Moran: test the change ``variable[year] - variable[change_from]`` for
        every selected year after ``change_from``.
    """

    variable: str
    years: tuple[int, ...] | None = None
    transformation: str = DEFAULT_TRANSFORMATION
    permutations: int = DEFAULT_PERMUTATIONS
    seed: int = DEFAULT_SEED
    alternative: str = DEFAULT_ALTERNATIVE
    rate_base: str | None = None
    change_from: int | None = None

    @property
    def label(self) -> str:
        """What is tested: the variable, its EB rate or its change."""
        if self.rate_base:
            return f"EB-standardised rate {self.variable}/{self.rate_base}"
        if self.change_from is not None:
            return f"change in {self.variable} since {self.change_from}"
        return self.variable


@dataclass
class MoranAnalysis(AnalysisResult):
    """Global Moran's I for every period.

    Attributes
    ----------
    results : list of policylink.spatial.autocorr.MoranResult
        One per period (period None for a cross-section).
    """

    results: list[Any] = field(default_factory=list)
    kind: str = field(default="moran", init=False)

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per period (``year``, ``I``, ``EI``, z and p per inference)."""
        out = []
        for r in self.results:
            d = r.to_dict()
            period = d.pop("period")
            out.append(
                {
                    "year": _period(period),
                    **d,
                    "synthetic": self.provenance.is_synthetic,
                }
            )
        return out

    def content(self) -> dict[str, Any]:
        """Per-period records under ``years``."""
        return {"years": self.records()}

    def frame(self) -> pd.DataFrame:
        """Tidy numeric table with fixed English column names (for programs and tests)."""
        rows = [
            {
                "year": d["year"],
                "n": d["n"],
                "I": d["I"],
                "EI": d["EI"],
                "z": d["z"]["normality"],
                "p": d["p"]["normality"],
                "z_rand": d["z"]["randomization"],
                "p_rand": d["p"]["randomization"],
                "p_perm": d["p"]["permutation"],
            }
            for d in self.records()
        ]
        return pd.DataFrame(rows)

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Seed 000 Table 4 layout: year, I, z, p (normality), E[I], permutation p.

        Parameters
        ----------
        lang : {'zh', 'en'}
            Heading language.

        Returns
        -------
        pandas.DataFrame
        """
        zh = check_lang(lang) == "zh"
        f = self.frame()
        perm = self.options.permutations
        return pd.DataFrame(
            {
                "年份" if zh else "year": f["year"],
                "Moran's I": f["I"],
                "z 值" if zh else "z": f["z"],
                "p 值" if zh else "p": f["p"],
                "E[I]": f["EI"],
                (f"p（置换 {perm} 次）" if zh else f"p ({perm} permutations)"): f["p_perm"],
            }
        )

    def title(self, lang: str = "en") -> str:
        """Title naming variable, weights, inference and source (SYNTHETIC where it applies)."""
        o = self.options
        tr = transformation_name(o.transformation, lang)
        if check_lang(lang) == "zh":
            return (
                f"{o.label} 的全局莫兰指数（{self.provenance.weights}，{tr}；p {o.alternative}；"
                f"正态假设下的 z、p；置换 {o.permutations} 次，种子 {o.seed}；来源：{self.provenance.label('zh')}）"
            )
        return (
            f"Global Moran's I of {o.label} ({self.provenance.weights}, {tr}; "
            f"p {o.alternative}; z, p under normality; permutations={o.permutations}, "
            f"seed={o.seed}; source: {self.provenance.label('en')})"
        )


def run_moran(inputs: Any, options: MoranOptions) -> MoranAnalysis:
    """Global Moran's I of one variable for every period of the inputs.

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Panel (or cross-section) and binary weights.
    options : MoranOptions
        Variable and inference options.

    Returns
    -------
    MoranAnalysis

    Raises
    ------
    InputError
        A missing value or a degenerate variable, naming source and variable.
    """
    from policylink.spatial.autocorr import moran, moran_by_year

    o = options
    if o.rate_base or o.change_from is not None:
        return _run_derived(inputs, o)
    try:
        if inputs.time_col is None:
            y = inputs.cross_section([o.variable])[o.variable]
            results = [
                moran(
                    y.to_numpy(float),
                    inputs.w,
                    transformation=o.transformation,
                    permutations=o.permutations,
                    alternative=o.alternative,
                    seed=o.seed,
                )
            ]
        else:
            results = moran_by_year(
                inputs.panel,
                inputs.w,
                variable=o.variable,
                id_col=inputs.id_col,
                time_col=inputs.time_col,
                periods=list(o.years) if o.years else None,
                transformation=o.transformation,
                permutations=o.permutations,
                alternative=o.alternative,
                seed=o.seed,
            ).results
    except ValueError as exc:
        raise InputError([Problem(inputs.source, None, o.variable, None, str(exc))]) from exc
    return MoranAnalysis(Provenance.of(inputs), o, results)


def _run_derived(inputs: Any, o: MoranOptions) -> MoranAnalysis:
    """Moran's I of EB-standardised rates or of a change between two periods, by period."""
    from policylink.errors import ConfigError
    from policylink.spatial.autocorr import moran
    from policylink.spatial.esda_more import eb_rate

    if o.rate_base and o.change_from is not None:
        raise ConfigError("choose either a rate (--rate) or a change (--diff), not both")
    if o.change_from is not None and inputs.time_col is None:
        raise ConfigError("a change between years (--diff) needs a panel with periods")
    periods = select_periods(inputs, o.years)
    if o.change_from is not None:
        if o.change_from not in (panel_periods(inputs) or []):
            raise ConfigError(f"--diff {o.change_from}: no data for that year")
        periods = [p for p in periods if p > o.change_from]
    if not periods:
        raise ConfigError("no period to test (check --years and --diff)")
    cols = [o.variable] + ([o.rate_base] if o.rate_base else [])
    ids = list(inputs.w.id_order)
    base = None
    if o.change_from is not None:
        base = inputs.cross_section(cols, o.change_from).loc[ids, o.variable].to_numpy(float)
    results = []
    for period in periods:
        sub = inputs.cross_section(cols, period).loc[ids]
        y = sub[o.variable].to_numpy(float)
        try:
            if o.rate_base:
                y = eb_rate(y, sub[o.rate_base].to_numpy(float))
            elif base is not None:
                y = y - base
            results.append(
                moran(
                    y,
                    inputs.w,
                    transformation=o.transformation,
                    permutations=o.permutations,
                    alternative=o.alternative,
                    seed=o.seed,
                    period=period,
                )
            )
        except ValueError as exc:
            where = f" in {period}" if period is not None else ""
            raise InputError(
                [Problem(inputs.source, None, o.variable, None, f"{o.label}: {exc}{where}")]
            ) from exc
    return MoranAnalysis(Provenance.of(inputs), o, results)


@dataclass(frozen=True)
class BivariateOptions:
    """Options of the bivariate Moran analysis (x with the spatial lag of y).

    Attributes
    ----------
    x, y : str
        Variables.
    permutations, seed, alternative
        Permutation inference (the seed of period k is ``seed + k``).
    """

    x: str
    y: str
    permutations: int = DEFAULT_PERMUTATIONS
    seed: int = DEFAULT_SEED
    alternative: str = DEFAULT_ALTERNATIVE


@dataclass
class BivariateAnalysis(AnalysisResult):
    """Bivariate Moran's I per period."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    kind: str = field(default="bivariate_moran", init=False)

    def content(self) -> dict[str, Any]:
        """Per-period records under ``years``."""
        return {"years": self.rows}

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Year, I, permutation z and p."""
        zh = check_lang(lang) == "zh"
        return pd.DataFrame(
            [
                {
                    "年份" if zh else "year": d["year"],
                    "I": d["I"],
                    "z_perm": d["z"]["permutation"],
                    "p_perm": d["p"]["permutation"],
                }
                for d in self.rows
            ]
        )

    def title(self, lang: str = "en") -> str:
        """Title naming both variables, inference and source."""
        o = self.options
        return (
            f"Bivariate Moran's I of {o.x} with W*{o.y} (row-standardised weights; "
            f"p {o.alternative}, {o.permutations} permutations, seed {o.seed}; "
            f"source: {self.provenance.label(lang)})"
        )


def run_bivariate_moran(inputs: Any, options: BivariateOptions) -> BivariateAnalysis:
    """Bivariate Moran of x with the lag of y, per period (or once for a cross-section).

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Panel and weights.
    options : BivariateOptions
        Variables and inference.

    Returns
    -------
    BivariateAnalysis
    """
    from policylink.spatial.autocorr import bivariate_moran

    o = options
    if inputs.time_col is None:
        frames = [(None, inputs.panel)]
    else:
        frames = list(inputs.panel.groupby(inputs.time_col, sort=True))
    rows = []
    for k, (t, g) in enumerate(frames):
        sub = inputs.cross_section([o.x, o.y], t, frame=g)
        try:
            r = bivariate_moran(
                sub[o.x].to_numpy(float),
                sub[o.y].to_numpy(float),
                inputs.w,
                permutations=o.permutations,
                alternative=o.alternative,
                seed=o.seed + k,
            )
        except ValueError as exc:
            where = f"period {_period(t)}: " if t is not None else ""
            msg = str(exc).replace("x ", f"{o.x} ", 1) if str(exc).startswith("x ") else str(exc)
            msg = msg.replace("y ", f"{o.y} ", 1) if msg.startswith("y ") else msg
            raise InputError(
                [Problem(inputs.source, None, f"{o.x}, {o.y}", None, where + msg)]
            ) from exc
        rows.append(
            {
                "year": _period(t),
                "x": o.x,
                "y": o.y,
                **r.to_dict(),
                "synthetic": bool(inputs.synthetic),
            }
        )
    return BivariateAnalysis(Provenance.of(inputs), o, rows)
