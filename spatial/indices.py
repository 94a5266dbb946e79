"""Composite indices built from several indicators.

The entropy-weight method (熵值法) is the weighting used by seed 004 (Table 1, the "new quality
productivity" index of 23 indicators) and by much of the Chinese regional-economics literature.
Pure numpy/pandas: no database, no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class EntropyIndex:
    """Result of :func:`entropy_weight_index`.

    Attributes
    ----------
    weights : pandas.Series
        Indicator weights :math:`w_j` (sum to 1).
    entropy : pandas.Series
        Information entropy :math:`e_j` of each indicator (between 0 and 1).
    divergence : pandas.Series
        Degree of divergence :math:`d_j = 1 - e_j`.
    normalised : pandas.DataFrame
        Min-max normalised indicators :math:`x'_{ij}` (direction-corrected, plus ``shift``).
    scores : pandas.Series
        Composite index :math:`S_i = \\sum_j w_j x'_{ij}`, one per row of the input.
    """

    weights: pd.Series
    entropy: pd.Series
    divergence: pd.Series
    normalised: pd.DataFrame
    scores: pd.Series

    def table(self) -> pd.DataFrame:
        """Tidy table of the indicators: entropy, divergence and weight."""
        return (
            pd.DataFrame(
                {"entropy": self.entropy, "divergence": self.divergence, "weight": self.weights}
            )
            .rename_axis("indicator")
            .reset_index()
        )


def entropy_weight_index(
    data: pd.DataFrame,
    *,
    negative: Iterable[str] = (),
    shift: float = 0.0,
) -> EntropyIndex:
    """Entropy-weight composite index (熵值法), as used for seed 004 Table 1.

    For :math:`n` observations (rows; for a panel, all unit-years pooled) and indicators
    :math:`j`:

    1. min-max normalisation, direction-corrected: :math:`x'_{ij} = (x_{ij} - \\min_j) /
       (\\max_j - \\min_j)` for a positive indicator and :math:`(\\max_j - x_{ij}) / (\\max_j -
       \\min_j)` for a negative one, then :math:`x'_{ij} \\mathrel{+}= shift`;
    2. shares :math:`p_{ij} = x'_{ij} / \\sum_i x'_{ij}`;
    3. entropy :math:`e_j = -\\frac{1}{\\ln n} \\sum_i p_{ij} \\ln p_{ij}` with
       :math:`0 \\ln 0 = 0`;
    4. divergence :math:`d_j = 1 - e_j` and weight :math:`w_j = d_j / \\sum_k d_k`;
    5. score :math:`S_i = \\sum_j w_j x'_{ij}`.

    Indicators that vary more across observations (lower entropy) get more weight.

    Parameters
    ----------
    data : pandas.DataFrame
        One column per indicator, one row per observation; numeric, no missing values.
    negative : iterable of str
        Columns where a larger value is worse (e.g. energy intensity).
    shift : float
        Constant added after normalisation. Many applications add 1e-4 so that no share is
        zero; the default 0 uses the :math:`0 \\ln 0 = 0` convention instead.

    Returns
    -------
    EntropyIndex

    Raises
    ------
    ValueError
        Fewer than two rows, missing or non-finite values, a constant indicator (no
        information; its normalisation is undefined), or an unknown ``negative`` column.

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. Bell System Technical
    Journal, 27, 379-423. Seed 004 (低碳城市试点政策与新质生产力), Table 1 (entropy weights).
    """
    x = data.astype(float)
    n = len(x)
    if n < 2:
        raise ValueError("the entropy-weight method needs at least two observations")
    neg = list(negative)
    missing = [c for c in neg if c not in x.columns]
    if missing:
        raise ValueError(f"negative indicator(s) not in the data: {', '.join(missing)}")
    if not np.isfinite(x.to_numpy()).all():
        bad = [c for c in x.columns if not np.isfinite(x[c].to_numpy()).all()]
        raise ValueError(f"missing or non-finite values in: {', '.join(map(str, bad))}")
    lo, hi = x.min(), x.max()
    span = hi - lo
    const = [str(c) for c in x.columns if span[c] == 0]
    if const:
        raise ValueError(f"constant indicator(s) carry no information: {', '.join(const)}")
    norm = (x - lo) / span
    for c in neg:
        norm[c] = (hi[c] - x[c]) / span[c]
    norm = norm + shift
    p = norm / norm.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p.to_numpy() > 0, p.to_numpy() * np.log(p.to_numpy()), 0.0)
    entropy = pd.Series(-plogp.sum(axis=0) / np.log(n), index=x.columns)
    divergence = 1.0 - entropy
    weights = divergence / divergence.sum()
    scores = pd.Series(norm.to_numpy() @ weights.to_numpy(), index=x.index, name="score")
    return EntropyIndex(weights, entropy, divergence, norm, scores)
