"""What every analysis result shares: provenance, the SYNTHETIC flag, JSON and bilingual tables.

An analysis is one function ``run_<name>(inputs, options) -> <Name>Analysis``. Its result knows
where its data came from (:class:`Provenance`), renders itself as a JSON-ready dict
(:meth:`AnalysisResult.to_dict`), as a table in Chinese or English (:meth:`AnalysisResult.table`)
and, where it has one, as a figure. Front-ends only print, save or draw what it gives them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where it is used: the CLI reads DEFAULT_SEED at start-up
    import pandas as pd

#: Permutations for permutation inference unless the user asks otherwise (every front-end).
DEFAULT_PERMUTATIONS = 999
#: Seed of every random draw unless the user asks otherwise (every front-end).
DEFAULT_SEED = 12345
#: Significance level of cluster and hot-spot labels.
DEFAULT_ALPHA = 0.05
#: Weights transformation of the statistics: row-standardised (libpysal ``'r'``).
DEFAULT_TRANSFORMATION = "r"
LANGS = ("zh", "en")


def jsonable(obj: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON types (NaN -> null).

    Parameters
    ----------
    obj : object
        Dicts, lists, DataFrames, Series, numpy values, Decimals, dates.

    Returns
    -------
    object
        Plain Python values that :func:`json.dumps` accepts.
    """
    import numpy as np
    import pandas as pd

    if hasattr(obj, "to_dict") and callable(obj.to_dict) and not isinstance(obj, pd.Series):
        if isinstance(obj, pd.DataFrame):
            return [jsonable(r) for r in obj.to_dict(orient="records")]
        return jsonable(obj.to_dict())
    if isinstance(obj, pd.Series):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, Decimal):  # numeric columns read from PostgreSQL
        obj = float(obj)
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


def to_json(obj: Any) -> str:
    """Serialise results (dicts, lists, DataFrames, numpy values, results) as indented JSON.

    Parameters
    ----------
    obj : object
        Anything :func:`jsonable` accepts.

    Returns
    -------
    str
    """
    return json.dumps(jsonable(obj), ensure_ascii=False, indent=2)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``zh`` or ``en``; raise ValueError otherwise.

    Parameters
    ----------
    lang : str
        Language code.

    Returns
    -------
    str
    """
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use zh or en")
    return lang


@dataclass(frozen=True)
class Provenance:
    """Where an analysis' data came from, carried into every output.

    Attributes
    ----------
    source : str
        "database", a file or layer name.
    weights : str
        What the weights are.
    n_units : int
        Units analysed.
    synthetic : tuple of str
        Variables flagged SYNTHETIC; non-empty means every output must say so.
    notes : tuple of str
        Things the user should know (units left out, ...).
    """

    source: str
    weights: str
    n_units: int
    synthetic: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, inputs: Any) -> Provenance:
        """Provenance of an :class:`policylink.inputs.AnalysisInputs`.

        Parameters
        ----------
        inputs : AnalysisInputs
            The inputs.

        Returns
        -------
        Provenance
        """
        return cls(
            source=inputs.source,
            weights=inputs.weights,
            n_units=int(inputs.w.n),
            synthetic=tuple(inputs.synthetic),
            notes=tuple(inputs.notes),
        )

    @property
    def is_synthetic(self) -> bool:
        """True when any variable used is SYNTHETIC."""
        return bool(self.synthetic)

    def label(self, lang: str = "en") -> str:
        """Source line for titles and footnotes, with the SYNTHETIC warning where it applies.

        Parameters
        ----------
        lang : {'zh', 'en'}
            Language.

        Returns
        -------
        str
        """
        if not self.synthetic:
            return self.source
        names = ", ".join(self.synthetic)
        if check_lang(lang) == "zh":
            return f"{self.source}；合成数据（SYNTHETIC）：{names}"
        return f"{self.source}; SYNTHETIC data: {names}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "source": self.source,
            "weights": self.weights,
            "n_units": self.n_units,
            "synthetic": self.is_synthetic,
            "synthetic_variables": list(self.synthetic),
            "notes": list(self.notes),
        }


def panel_periods(inputs: Any) -> list[Any] | None:
    """The periods present in the inputs' panel, sorted; None for a cross-section.

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Panel (``time_col`` set) or cross-section (``time_col`` None).

    Returns
    -------
    list or None
    """
    if inputs.time_col is None:
        return None
    return sorted(inputs.panel[inputs.time_col].dropna().unique().tolist())


def select_periods(inputs: Any, years: Any = None) -> list[Any]:
    """The periods to analyse: those of the panel within ``years``; ``[None]`` for a cross-section.

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Panel or cross-section.
    years : collection of int, optional
        Periods asked for; empty or None = every period.

    Returns
    -------
    list
        Possibly empty (no data for these years): the caller says so in its own words.
    """
    have = panel_periods(inputs)
    if have is None:
        return [None]
    return [p for p in have if not years or p in years]


@dataclass
class AnalysisResult:
    """Base of every analysis result.

    Attributes
    ----------
    provenance : Provenance
        Data source, weights and SYNTHETIC flags.
    options : object
        The options the analysis ran with (a frozen dataclass).
    """

    provenance: Provenance
    options: Any
    kind: str = field(default="analysis", init=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: kind, options, provenance and the result's own content."""
        from dataclasses import asdict, is_dataclass

        opts = asdict(self.options) if is_dataclass(self.options) else dict(self.options or {})
        return {
            "analysis": self.kind,
            "options": opts,
            **self.content(),
            **self.provenance.to_dict(),
        }

    def content(self) -> dict[str, Any]:
        """The result's own JSON-ready content (overridden by each analysis)."""
        return {}

    def to_json(self) -> str:
        """The result as indented JSON (every format carries the SYNTHETIC flag)."""
        return to_json(self.to_dict())

    def table(self, lang: str = "en") -> pd.DataFrame:
        """The result's main table with headings in ``lang`` (overridden by each analysis)."""
        raise NotImplementedError

    def title(self, lang: str = "en") -> str:
        """One-line title for the table (overridden by each analysis)."""
        return self.kind

    def _repr_html_(self) -> str:
        """Rich display in Jupyter: title and table."""
        import html

        return f"<p><b>{html.escape(self.title())}</b></p>" + self.table().to_html(index=False)
