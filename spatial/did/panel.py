"""Panel preparation for the DID suite: treatment coding, validation, fixed-effect codes.

Every estimator of :mod:`policylink.spatial.did` takes a long panel (one row per unit and year) and a
:class:`PanelSpec` naming its columns. :func:`prepare_panel` checks the panel once (unique
unit-year rows, numeric outcome and controls, a treatment that is 0/1 or a first-treated year)
and returns a clean copy with two derived columns:

``first_treated``
    Year the unit is first treated (``numpy.inf`` for never-treated units).
``did``
    0/1 treatment indicator ``1{year >= first_treated}`` (absorbing treatment).

Bad input raises :class:`policylink.spatial.errors.InputError` naming the file (``source``), the
1-based data row and the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from policylink.spatial.errors import InputError, Problem

#: Name of the derived 0/1 treatment column added by :func:`prepare_panel`.
DID_COL = "did"
#: Name of the derived first-treated year column (``inf`` = never treated).
FIRST_COL = "first_treated"

_MAX_PROBLEMS = 20


@dataclass(frozen=True)
class PanelSpec:
    """Column roles of a long unit-year panel.

    Parameters
    ----------
    outcome : str
        Outcome column (e.g. ``NP`` in seed 004, or CO2 intensity).
    unit : str
        Unit identifier column (adcode).
    time : str
        Integer year column.
    treat : str, optional
        0/1 treatment column (absorbing: once 1, a unit stays treated). Give exactly one of
        ``treat`` and ``first_treated``.
    first_treated : str, optional
        Column with the first treated year of each unit (constant within unit; 0 or missing
        means never treated).
    controls : sequence of str
        Time-varying control variables :math:`X_{it}`.
    cluster : {'unit', 'twoway'}
        Cluster-robust variance: by unit (CRV1), or two-way by unit and year
        (Cameron, Gelbach and Miller 2011).
    source : str
        Name of the input (file name) used in error messages.
    """

    outcome: str
    unit: str = "unit"
    time: str = "year"
    treat: str | None = None
    first_treated: str | None = None
    controls: tuple[str, ...] = field(default_factory=tuple)
    cluster: str = "unit"
    source: str = "panel"

    def with_(self, **changes: object) -> PanelSpec:
        """Return a copy with some fields changed (``controls`` may be any sequence)."""
        if "controls" in changes:
            changes["controls"] = tuple(changes["controls"])  # type: ignore[arg-type]
        return replace(self, **changes)  # type: ignore[arg-type]

    def vcov(self) -> dict[str, str]:
        """pyfixest ``vcov`` argument for the chosen clustering."""
        if self.cluster == "unit":
            return {"CRV1": self.unit}
        if self.cluster == "twoway":
            return {"CRV1": f"{self.unit}+{self.time}"}
        raise ValueError(f"cluster must be 'unit' or 'twoway', not {self.cluster!r}")


def _row(idx: object) -> int | None:
    """1-based data row of a default RangeIndex label (None when the index is not positional)."""
    return int(idx) + 1 if isinstance(idx, int | np.integer) else None


def _numeric(
    df: pd.DataFrame, col: str, source: str, problems: list[Problem], *, allow_missing: bool
) -> pd.Series:
    raw = df[col]
    vals = pd.to_numeric(raw, errors="coerce")
    bad = vals.isna() & raw.notna()
    if not allow_missing:
        bad |= raw.isna()
    for idx in df.index[bad][:_MAX_PROBLEMS]:
        problems.append(
            Problem(source, _row(idx), col, df.at[idx, col], "expected a number (not missing)")
        )
    return vals


def prepare_panel(
    df: pd.DataFrame, spec: PanelSpec, *, extra: Sequence[str] = ()
) -> tuple[pd.DataFrame, PanelSpec]:
    """Validate a long panel and derive ``first_treated`` and ``did``.

    Parameters
    ----------
    df : DataFrame
        Long panel, one row per unit and year.
    spec : PanelSpec
        Column roles. Exactly one of ``spec.treat`` / ``spec.first_treated`` must be set.
    extra : sequence of str
        Further numeric columns the caller needs (mediators, covariates, groups are not
        checked here); they must exist and be numeric.

    Returns
    -------
    panel : DataFrame
        Copy with ``unit`` as str, ``time`` as int, numeric outcome/controls, and the derived
        columns ``first_treated`` (float, ``inf`` = never) and ``did`` (int 0/1), sorted by
        unit and time, index reset.
    spec : PanelSpec
        The spec (unchanged; returned for chaining).

    Raises
    ------
    policylink.spatial.errors.InputError
        Missing columns, non-numeric or missing values, duplicated unit-year rows, a 0/1
        treatment that is not absorbing, or a first-treated year that varies within a unit.
    """
    src = spec.source
    problems: list[Problem] = []
    if (spec.treat is None) == (spec.first_treated is None):
        raise InputError(
            [Problem(src, None, None, None, "give exactly one of treat and first_treated")]
        )
    tcol = spec.treat or spec.first_treated
    need = [spec.unit, spec.time, spec.outcome, tcol, *spec.controls, *extra]
    missing = [c for c in dict.fromkeys(need) if c not in df.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    src,
                    None,
                    c,
                    None,
                    f"column not found (columns: {', '.join(map(str, df.columns))})",
                )
                for c in missing
            ]
        )
    df = df.reset_index(drop=True)
    out = pd.DataFrame({spec.unit: df[spec.unit].astype(str).str.strip()})
    time = _numeric(df, spec.time, src, problems, allow_missing=False)
    if ((time.dropna() % 1) != 0).any():
        for idx in df.index[(time % 1) != 0][:_MAX_PROBLEMS]:
            problems.append(
                Problem(src, _row(idx), spec.time, df.at[idx, spec.time], "year must be an integer")
            )
    out[spec.time] = time
    for col in dict.fromkeys([spec.outcome, *spec.controls, *extra]):
        out[col] = _numeric(df, col, src, problems, allow_missing=False)
    if spec.treat is not None:
        d = _numeric(df, spec.treat, src, problems, allow_missing=False)
        bad = d.notna() & ~d.isin([0, 1])
        for idx in df.index[bad][:_MAX_PROBLEMS]:
            problems.append(
                Problem(
                    src, _row(idx), spec.treat, df.at[idx, spec.treat], "treatment must be 0 or 1"
                )
            )
        out[spec.treat] = d
    else:
        ft = _numeric(df, spec.first_treated, src, problems, allow_missing=True)
        out[spec.first_treated] = ft
    # keep any other columns (groups, mediators, ...) untouched
    for col in df.columns:
        if col not in out.columns:
            out[col] = df[col]
    if problems:
        raise InputError(problems[:_MAX_PROBLEMS], max(0, len(problems) - _MAX_PROBLEMS))

    out[spec.time] = out[spec.time].astype(int)
    dup = out.duplicated([spec.unit, spec.time], keep="first")
    for idx in out.index[dup][:_MAX_PROBLEMS]:
        problems.append(
            Problem(
                src,
                _row(idx),
                spec.time,
                out.at[idx, spec.time],
                f"duplicate row for unit {out.at[idx, spec.unit]!r} and this year",
            )
        )
    if problems:
        raise InputError(problems[:_MAX_PROBLEMS], max(0, int(dup.sum()) - _MAX_PROBLEMS))

    if spec.treat is not None:
        # first year with treat == 1; a later 0 means the treatment is not absorbing
        on = out[out[spec.treat] == 1]
        first = on.groupby(spec.unit)[spec.time].min()
        ft = out[spec.unit].map(first).astype(float).fillna(np.inf)
        off_after = (out[spec.treat] == 0) & (out[spec.time] >= ft)
        for idx in out.index[off_after][:_MAX_PROBLEMS]:
            problems.append(
                Problem(
                    src,
                    _row(idx),
                    spec.treat,
                    0,
                    "treatment switches off after it started; the DID suite assumes absorbing treatment (use first_treated)",
                )
            )
    else:
        ft = out[spec.first_treated].where(out[spec.first_treated] > 0, np.nan).fillna(np.inf)
        nvals = ft.groupby(out[spec.unit]).nunique()
        for unit in nvals.index[nvals > 1][:_MAX_PROBLEMS]:
            idx = out.index[out[spec.unit] == unit][0]
            problems.append(
                Problem(
                    src,
                    _row(idx),
                    spec.first_treated,
                    out.at[idx, spec.first_treated],
                    f"first-treated year differs between rows of unit {unit!r}",
                )
            )
    if problems:
        raise InputError(problems[:_MAX_PROBLEMS], max(0, len(problems) - _MAX_PROBLEMS))

    out[FIRST_COL] = ft.astype(float)
    out[DID_COL] = (out[spec.time] >= out[FIRST_COL]).astype(int)
    out = out.sort_values([spec.unit, spec.time], kind="mergesort").reset_index(drop=True)
    check_fixed_effects(out, spec)
    return out, spec


def check_fixed_effects(panel: pd.DataFrame, spec: PanelSpec) -> None:
    """Refuse a panel on which unit and year fixed effects leave nothing to estimate.

    Called before any compiled demeaning (pyfixest), which aborts the process on such panels
    instead of raising: a DID needs at least two years and two units, and after dropping the
    units seen in only one year (singletons, as pyfixest does) at least two units and two years
    must remain.

    Parameters
    ----------
    panel : DataFrame
        Prepared panel.
    spec : PanelSpec
        Column roles.

    Raises
    ------
    policylink.spatial.errors.InputError
        Naming the input and what would be accepted.
    """
    src = spec.source
    n_years = int(panel[spec.time].nunique())
    n_units = int(panel[spec.unit].nunique())
    if n_years < 2:
        raise InputError(
            [
                Problem(
                    src,
                    None,
                    spec.time,
                    None,
                    f"the panel has {n_years} year(s): a DID needs at least two years "
                    "(before and after adoption) with year fixed effects",
                )
            ]
        )
    if n_units < 2:
        raise InputError(
            [
                Problem(
                    src,
                    None,
                    spec.unit,
                    None,
                    f"the panel has {n_units} unit(s): a DID needs at least two units",
                )
            ]
        )
    seen = panel.groupby(spec.unit)[spec.time].transform("size")
    multi = panel[seen >= 2]
    if multi[spec.unit].nunique() < 2 or multi[spec.time].nunique() < 2:
        raise InputError(
            [
                Problem(
                    src,
                    None,
                    spec.unit,
                    None,
                    "fewer than two units are observed in two or more years: unit fixed "
                    "effects leave nothing to estimate (give each unit several years)",
                )
            ]
        )


def fe_codes(panel: pd.DataFrame, spec: PanelSpec) -> np.ndarray:
    """Integer codes of the unit and year fixed effects, shape ``(n, 2)``, dtype uint64.

    Parameters
    ----------
    panel : DataFrame
        Prepared panel.
    spec : PanelSpec
        Column roles.

    Returns
    -------
    ndarray
        Column 0 unit codes, column 1 year codes (for :func:`pyfixest.estimation.demean`).
    """
    u = pd.factorize(panel[spec.unit])[0]
    t = pd.factorize(panel[spec.time])[0]
    return np.column_stack([u, t]).astype(np.uint64)


def is_balanced(panel: pd.DataFrame, spec: PanelSpec) -> bool:
    """True when every unit is observed in every year of the panel exactly once."""
    n_u = panel[spec.unit].nunique()
    n_t = panel[spec.time].nunique()
    return len(panel) == n_u * n_t
