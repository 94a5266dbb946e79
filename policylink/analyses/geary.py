"""Global Geary's C by period: ``run_geary`` (``policylink geary``).

Statistics from :mod:`policylink.spatial.esda_more` (analytic normality and randomisation
inference, seeded permutations). Local Geary is a statistic of :func:`policylink.analyses.lisa.run_lisa`.
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
    select_periods,
)
from policylink.errors import InputError, Problem

_TRANSFORMATION_NAMES = {
    "r": ("row-standardised", "行标准化"),
    "b": ("binary", "二元"),
    "v": ("variance-stabilised", "方差稳定化"),
    "d": ("doubly standardised", "双重标准化"),
    "o": ("stored weights", "原始权重"),
}


def transformation_name(code: str, lang: str = "en") -> str:
    """Name of a weights transformation code for titles.

    Parameters
    ----------
    code : {'r', 'b', 'v', 'd', 'o'}
        libpysal transformation.
    lang : {'zh', 'en'}
        Language.

    Returns
    -------
    str
    """
    en, zh = _TRANSFORMATION_NAMES.get(code, (code, code))
    return zh if check_lang(lang) == "zh" else en


@dataclass(frozen=True)
class GearyOptions:
    """Options of the global Geary analysis.

    Attributes
    ----------
    variable : str
        Variable tested.
    years : tuple of int or None
        Periods (None = all of the inputs).
    transformation : {'r', 'b', 'v', 'd', 'o'}
        Weights transformation (esda's default 'r').
    permutations : int
        Random permutations for the pseudo p-value (0 = none).
    seed : int
        Permutation seed.
    """

    variable: str
    years: tuple[int, ...] | None = None
    transformation: str = DEFAULT_TRANSFORMATION
    permutations: int = DEFAULT_PERMUTATIONS
    seed: int = DEFAULT_SEED


@dataclass
class GearyAnalysis(AnalysisResult):
    """Global Geary's C for every period.

    Attributes
    ----------
    results : list of tuple
        ``(period, GearyResult)``; period None for a cross-section.
    """

    results: list[Any] = field(default_factory=list)
    kind: str = field(default="geary", init=False)

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per period (``year``, ``C``, moments, z, p)."""
        return [
            {"year": period, **r.to_dict(), "synthetic": self.provenance.is_synthetic}
            for period, r in self.results
        ]

    def content(self) -> dict[str, Any]:
        """Per-period records under ``years``."""
        return {"years": self.records()}

    def frame(self) -> pd.DataFrame:
        """Tidy numeric table with fixed English column names."""
        cols = ["year", "n", "C", "EC", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim", "z_sim"]
        return pd.DataFrame([{c: d[c] for c in cols} for d in self.records()], columns=cols)

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Year, C, z and p under normality and randomisation, permutation p.

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
                "Geary's C": f["C"],
                "z（正态）" if zh else "z (normality)": f["z_norm"],
                "p（正态）" if zh else "p (normality)": f["p_norm"],
                "z（随机化）" if zh else "z (randomisation)": f["z_rand"],
                "p（随机化）" if zh else "p (randomisation)": f["p_rand"],
                (f"p（置换 {perm} 次）" if zh else f"p ({perm} permutations)"): f["p_sim"],
            }
        )

    def title(self, lang: str = "en") -> str:
        """Title naming variable, weights, inference and source (SYNTHETIC where it applies)."""
        o = self.options
        tr = transformation_name(o.transformation, lang)
        if check_lang(lang) == "zh":
            return (
                f"{o.variable} 的全局 Geary's C（{self.provenance.weights}，{tr}；C < 1 为正自相关；"
                f"单侧 p；置换 {o.permutations} 次，种子 {o.seed}；来源：{self.provenance.label('zh')}）"
            )
        return (
            f"Global Geary's C of {o.variable} ({self.provenance.weights}, {tr}; C < 1 = positive "
            f"autocorrelation; one-sided p; permutations={o.permutations}, seed={o.seed}; "
            f"source: {self.provenance.label('en')})"
        )


def run_geary(inputs: Any, options: GearyOptions) -> GearyAnalysis:
    """Global Geary's C of one variable for every period of the inputs.

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Panel (or cross-section) and weights.
    options : GearyOptions
        Variable and inference options.

    Returns
    -------
    GearyAnalysis

    Raises
    ------
    InputError
        A missing value or a degenerate variable (constant, no neighbours), naming source,
        variable and period.
    """
    from policylink.spatial.esda_more import geary

    o = options
    periods = select_periods(inputs, o.years)
    if not periods:
        raise InputError(
            [Problem(inputs.source, None, inputs.time_col, None, "no data for these years")]
        )
    results = []
    for period in periods:
        sub = inputs.cross_section([o.variable], period)
        y = sub.loc[list(inputs.w.id_order), o.variable].to_numpy(float)
        try:
            r = geary(
                y,
                inputs.w,
                transformation=o.transformation,
                permutations=o.permutations,
                seed=o.seed,
            )
        except ValueError as exc:
            where = f" in {period}" if period is not None else ""
            raise InputError(
                [Problem(inputs.source, None, o.variable, None, f"{exc}{where}")]
            ) from exc
        results.append((None if period is None else int(period), r))
    return GearyAnalysis(Provenance.of(inputs), o, results)
