"""Local spatial autocorrelation: LISA clusters and Getis-Ord Gi* hot spots, one analysis.

``run_lisa`` is what ``policylink lisa``, the report's LISA map, the QGIS "Local Moran's I" and
"Getis-Ord Gi*" algorithms and the dock call; statistics from :mod:`policylink.spatial.autocorr`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from policylink.analyses.base import (
    DEFAULT_ALPHA,
    DEFAULT_PERMUTATIONS,
    DEFAULT_SEED,
    DEFAULT_TRANSFORMATION,
    AnalysisResult,
    Provenance,
    check_lang,
)
from policylink.errors import ConfigError, InputError, Problem

STATISTICS = ("local_moran", "gi_star", "local_geary", "bivariate_moran")
#: Cluster label of a unit without neighbours: never tested, never significant.
NEIGHBOURLESS = "neighbourless"
ADJUSTMENTS = ("none", "fdr", "bonferroni")


@dataclass(frozen=True)
class LisaOptions:
    """Options of the local statistics.

    Attributes
    ----------
    variable : str
        Variable.
    year : int or None
        Period of a panel (required for panels; None for a cross-section).
    statistic : {'local_moran', 'gi_star', 'local_geary', 'bivariate_moran'}
        LISA clusters, Gi* hot/cold spots, local Geary (high-high, low-low, negative) or the
        local bivariate Moran of ``variable`` with the spatial lag of ``other``.
    permutations, seed : int
        Conditional permutation inference.
    alpha : float
        Significance level.
    adjust : {'none', 'fdr', 'bonferroni'}
        Multiple-testing control across units.
    transformation : {'r', 'b', 'v', 'd', 'o'}
        Weights transformation (local Moran, bivariate Moran; local Geary is row-standardised).
    other : str or None
        The lagged variable of ``bivariate_moran``.
    """

    variable: str
    year: int | None = None
    statistic: str = "local_moran"
    permutations: int = DEFAULT_PERMUTATIONS
    seed: int = DEFAULT_SEED
    alpha: float = DEFAULT_ALPHA
    adjust: str = "none"
    transformation: str = DEFAULT_TRANSFORMATION
    other: str | None = None

    def validate(self) -> None:
        """Refuse options no input can satisfy; front-ends call it before reading any input.

        Raises
        ------
        ConfigError
            An unknown statistic, ``other`` given without the bivariate Moran (or missing for
            it), or fewer than 1 permutation.
        """
        if self.statistic not in STATISTICS:
            raise ConfigError(f"statistic {self.statistic!r}: use {' or '.join(STATISTICS)}")
        if (self.statistic == "bivariate_moran") != bool(self.other):
            raise ConfigError(
                "the local bivariate Moran needs the lagged variable (--with), and only it takes "
                "one"
            )
        if self.permutations < 1:
            # the local p-values are permutation p-values: without permutations none is defined
            raise ConfigError(
                f"permutations {self.permutations}: local statistics need permutations for their "
                "p-values; give at least 99 (default 999)"
            )


@dataclass
class LisaAnalysis(AnalysisResult):
    """Per-unit local statistic, pseudo p-value and cluster label.

    Attributes
    ----------
    local : policylink.spatial.autocorr.LocalResult
        The statistic's table and settings.
    geometry : geopandas.GeoDataFrame or None
        Unit geometries of the inputs (for layers and maps).
    values : pandas.Series
        The variable by unit id.
    """

    local: Any = None
    geometry: Any = None
    values: Any = None
    kind: str = field(default="lisa", init=False)

    def counts(self) -> dict[str, int]:
        """Units per cluster label."""
        return self.local.counts()

    def content(self) -> dict[str, Any]:
        """Settings, cluster counts and per-unit records."""
        return {
            "variable": self.options.variable,
            "year": self.options.year,
            **self.local.to_dict(),
        }

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Per-unit table (id, statistic, z, p, significant, cluster)."""
        check_lang(lang)
        return self.local.table

    def title(self, lang: str = "en") -> str:
        """Title with statistic, settings, counts and source (SYNTHETIC where it applies)."""
        o = self.options
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(self.counts().items()))
        return (
            f"{o.statistic} of {o.variable}{f' with the lag of {o.other}' if o.other else ''}"
            f"{f' in {o.year}' if o.year else ''}: alpha={o.alpha}, "
            f"adjust={o.adjust}, permutations={o.permutations}, seed={o.seed}; {counts} "
            f"(source: {self.provenance.label(lang)})"
        )

    def map_frame(self) -> pd.DataFrame:
        """Per-unit frame for cluster maps: ``code, value, Ii, p_sim, quadrant, cluster`` (local
        Moran), clusters not significant as ``ns``; neighbourless units stay labelled so.

        Returns
        -------
        pandas.DataFrame
        """
        from policylink.spatial.autocorr import NOT_SIGNIFICANT

        t = self.local.table
        return pd.DataFrame(
            {
                "code": t["id"].to_numpy(),
                "value": t["id"].map(self.values).to_numpy(),
                "Ii": t["Ii"].to_numpy() if "Ii" in t else t.iloc[:, 1].to_numpy(),
                "p_sim": t["p_sim"].to_numpy(),
                "quadrant": t["quadrant"].to_numpy() if "quadrant" in t else None,
                "cluster": t["cluster"].replace({NOT_SIGNIFICANT: "ns"}).to_numpy(),
            }
        )

    def layer(self) -> Any:
        """The table joined to the unit geometries as a GeoDataFrame (variable, year added).

        Returns
        -------
        geopandas.GeoDataFrame

        Raises
        ------
        ConfigError
            The inputs had no geometries.
        """
        import geopandas as gpd

        if self.geometry is None:
            raise ConfigError("a layer needs geometries: use a layer, boundaries or the database")
        geo = self.geometry.reindex(self.local.table["id"])
        return gpd.GeoDataFrame(
            self.local.table.assign(
                variable=self.options.variable,
                year=self.options.year,
                synthetic=self.provenance.is_synthetic,
            ),
            geometry=geo.geometry.to_numpy(),
            crs=self.geometry.crs,
        )


def _esda_more(o: LisaOptions, y: Any, sub: pd.DataFrame, w: Any) -> Any:
    """Local Geary or local bivariate Moran as a ``LocalResult`` (the table of ``run_lisa``)."""
    from policylink.spatial.autocorr import LocalResult
    from policylink.spatial.esda_more import local_bivariate_moran, local_geary

    common = {"permutations": o.permutations, "seed": o.seed, "alpha": o.alpha, "adjust": o.adjust}
    if o.statistic == "local_geary":
        r = local_geary(y, w, **common)
        name = "ci"
    else:
        other = sub.loc[list(w.id_order), o.other].to_numpy(float)
        r = local_bivariate_moran(y, other, w, transformation=o.transformation, **common)
        name = "Ii_bv"
    table = pd.DataFrame(
        {
            "id": r.ids,
            name: r.statistic,
            "z_sim": r.z_sim,
            "p_sim": r.p_sim,
            "significant": r.significant,
            "cluster": r.label,
        }
    )
    return LocalResult(table, o.statistic, o.permutations, o.seed, o.alpha, o.adjust)


def run_lisa(inputs: Any, options: LisaOptions) -> LisaAnalysis:
    """LISA clusters (HH, LL, HL, LH) or Gi* hot/cold spots of one variable in one period.

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Panel (or cross-section) and binary weights.
    options : LisaOptions
        Statistic and inference options.

    Returns
    -------
    LisaAnalysis

    Raises
    ------
    ConfigError
        A panel without ``year``, or an unknown statistic.
    InputError
        Missing values, naming the unit.
    """
    from policylink.spatial.autocorr import getis_ord_gi_star, is_constant, local_moran

    o = options
    o.validate()
    if inputs.time_col is not None and o.year is None:
        raise ConfigError("a year is required with a panel")
    import numpy as np
    from libpysal.weights import w_subset

    sub = inputs.cross_section([o.variable] + ([o.other] if o.other else []), o.year)
    w = inputs.w
    # Units without neighbours have no local statistic: they are left out of the test (and of
    # the standardisation and permutations) and labelled neighbourless, never significant.
    islands = [i for i in w.id_order if w.cardinalities[i] == 0]
    keep = [i for i in w.id_order if w.cardinalities[i] > 0]
    if len(keep) < 3:
        raise InputError(
            [
                Problem(
                    inputs.source,
                    None,
                    None,
                    None,
                    f"{len(keep)} unit(s) have neighbours: local statistics need at least 3 "
                    "(choose other weights, e.g. knn:K)",
                )
            ]
        )
    if islands:
        w = w_subset(w, keep, silence_warnings=True)
    y = sub.loc[list(w.id_order), o.variable].to_numpy(float)
    if is_constant(y):
        raise InputError(
            [
                Problem(
                    inputs.source,
                    None,
                    o.variable,
                    None,
                    f"the variable is constant{f' in {o.year}' if o.year else ''}: local "
                    "statistics are undefined",
                )
            ]
        )
    try:
        if o.statistic == "local_moran":
            res = local_moran(
                y,
                w,
                permutations=o.permutations,
                seed=o.seed,
                alpha=o.alpha,
                adjust=o.adjust,
                transformation=o.transformation,
            )
        elif o.statistic in ("local_geary", "bivariate_moran"):
            res = _esda_more(o, y, sub, w)
        else:
            res = getis_ord_gi_star(
                y,
                w,
                permutations=o.permutations,
                seed=o.seed,
                alpha=o.alpha,
                adjust=o.adjust,
            )
    except ValueError as exc:
        raise InputError([Problem(inputs.source, None, o.variable, None, str(exc))]) from exc
    if islands:
        extra = pd.DataFrame({"id": islands})
        for c in res.table.columns:
            if c == "significant":
                extra[c] = False
            elif c == "cluster":
                extra[c] = NEIGHBOURLESS
            elif c != "id":
                extra[c] = np.nan
        table = pd.concat([res.table, extra], ignore_index=True)
        res.table = table.set_index("id").loc[list(inputs.w.id_order)].reset_index()
    return LisaAnalysis(Provenance.of(inputs), o, res, inputs.geometry, sub[o.variable])
