"""Spatial panel models (SDM, SAR, SEM, SAC, SDEM, GNS) with effects, model-choice tests and a
model comparison: one analysis.

``run_sdm`` is what ``policylink sdm``, the report's SDM section, the QGIS "Spatial panel model"
algorithm and the dock call; the estimators are :mod:`policylink.spatial.panel`,
:mod:`policylink.spatial.panel_models` and :mod:`policylink.spatial.model_choice`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from policylink.analyses.base import (
    DEFAULT_SEED,
    DEFAULT_TRANSFORMATION,
    AnalysisResult,
    Provenance,
    check_lang,
)
from policylink.analyses.sdm_defaults import DEFAULT_DRAWS, MODELS
from policylink.errors import ConfigError, InputError, Problem

#: Models with random unit effects (``fe='random'``).
RANDOM_MODELS = ("sar", "sdm", "sem")
EFFECTS = ("twoways", "unit", "time", "none", "random")


@dataclass(frozen=True)
class SdmOptions:
    """Options of the spatial panel model.

    Attributes
    ----------
    y : str
        Dependent variable.
    x : tuple of str
        Regressors.
    model : {'sdm', 'sar', 'sem', 'sac', 'sdem', 'gns'}
        Spatial Durbin, spatial lag, spatial error, SARAR (lag and error), spatial Durbin error
        or general nesting model.
    fe : {'twoways', 'unit', 'time', 'none', 'random'}
        Fixed effects removed by demeaning, or random unit effects (SAR/SDM/SEM).
    durbin : tuple of str or None
        SDM / SDEM / GNS: regressors whose W-lag enters (None = all).
    lee_yu : bool
        Lee-Yu (2010) bias-corrected (transformation) ML.
    draws : int
        Parameter draws for the effects' SEs.
    seed : int
        Seed of the draws.
    group_col : str or None
        Fit per value of this column, weights restricted to each group.
    tests : bool
        Also run the model-choice tests (LM, Wald, LR, Hausman) with a verdict.
    compare : bool
        Also fit SAR, SEM, SDM, SAC, SDEM and GNS with the same fixed effects and compare them
        (log-likelihood, AIC, BIC, LR tests of the nested restrictions).
    transformation : {'r', 'b'}
        Weights transformation.
    years : tuple of int or None
        Periods used (None = all of the inputs).
    """

    y: str
    x: tuple[str, ...]
    model: str = "sdm"
    fe: str = "twoways"
    durbin: tuple[str, ...] | None = None
    lee_yu: bool = False
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    group_col: str | None = None
    tests: bool = False
    compare: bool = False
    transformation: str = DEFAULT_TRANSFORMATION
    years: tuple[int, ...] | None = None

    def check(self) -> None:
        """Refuse inconsistent options with a sentence (ConfigError)."""
        if not self.x:
            raise ConfigError("the model needs at least one regressor")
        if self.model not in MODELS:
            raise ConfigError(f"model {self.model!r}: use {', '.join(MODELS)}")
        if self.fe not in EFFECTS:
            raise ConfigError(f"effects {self.fe!r}: use {', '.join(EFFECTS)}")
        if self.fe == "random" and (
            self.model not in RANDOM_MODELS or self.lee_yu or self.group_col
        ):
            raise ConfigError(
                f"random effects work with {'|'.join(RANDOM_MODELS)}, without Lee-Yu or groups "
                f"(asked: model {self.model}{', Lee-Yu' if self.lee_yu else ''}"
                f"{', groups' if self.group_col else ''})"
            )
        if self.compare and (self.fe == "random" or self.group_col):
            raise ConfigError(
                "the model comparison uses fixed effects (twoways, unit, time or none) on all "
                "units: drop random effects / groups, or the comparison"
            )


@dataclass
class SdmAnalysis(AnalysisResult):
    """Fitted spatial panel model(s), one per group (``all`` without groups).

    Attributes
    ----------
    results : dict of str to policylink.spatial.panel.SpatialPanelResult
        Fits by group label.
    choice : policylink.spatial.model_choice.ModelChoice or None
        Model-choice tests and verdict, when asked.
    comparison : policylink.spatial.model_choice.ModelComparison or None
        SAR / SEM / SDM / SAC / SDEM / GNS compared on the same data, when asked.
    """

    results: dict[str, Any] = field(default_factory=dict)
    choice: Any = None
    comparison: Any = None
    kind: str = field(default="sdm", init=False)

    @property
    def main(self) -> Any:
        """The single fit (no groups)."""
        return next(iter(self.results.values()))

    def content(self) -> dict[str, Any]:
        """The fit (or fits by group) and the model-choice tests."""
        if len(self.results) == 1 and not self.options.group_col:
            out = self.main.to_dict()
            if "notes" in out:  # the provenance's "notes" would overwrite the model's
                out["model_notes"] = out.pop("notes")
        else:
            out = {"groups": {k: r.to_dict() for k, r in self.results.items()}}
        if self.choice is not None:
            out["model_choice"] = {
                **self.choice.to_dict(),
                "fitted": {"model": self.options.model, "fe": self.options.fe},
                "disagreement": self.choice_note(),
            }
        if self.comparison is not None:
            out["model_comparison"] = self.comparison.to_dict()
        return out

    def choice_note(self) -> str | None:
        """Why the fitted model differs from what the model-choice tests support (None: it
        agrees, or no tests were run)."""
        if self.choice is None:
            return None
        return self.choice.disagreement(self.options.model, self.options.fe)

    def verdict(self) -> list[str]:
        """The tests' verdict followed, where they differ, by why the table fits another model."""
        if self.choice is None:
            return []
        note = self.choice_note()
        return [*self.choice.verdict, *([note] if note else [])]

    def frame(self) -> pd.DataFrame:
        """Long table: group, effect (coefficient / direct / indirect / total), variable, estimate,
        se, z, p."""
        frames = []
        for label, r in self.results.items():
            c = r.coefficients.assign(group=label, effect="coefficient")
            frames.append(c.rename(columns={"name": "variable"}))
            if r.effects is not None:
                frames.append(r.effects.assign(group=label))
        return pd.concat(frames, ignore_index=True)[
            ["group", "effect", "variable", "estimate", "se", "z", "p"]
        ]

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Paper-style table (SE in parentheses, stars), one column per group."""
        from policylink.spatial.panel import paper_table

        check_lang(lang)
        return paper_table(self.results)

    def title(self, lang: str = "en") -> str:
        """Model, dependent variable, effects, draws, weights and source."""
        o = self.options
        return (
            f"{o.model.upper()} panel, y = {o.y}, FE {o.fe}; effects SE from {o.draws} draws "
            f"(seed {o.seed}); {self.provenance.weights}; source: {self.provenance.label(lang)}"
        )


def run_sdm(inputs: Any, options: SdmOptions) -> SdmAnalysis:
    """Fit the spatial panel model (per group when asked) and the model-choice tests.

    Parameters
    ----------
    inputs : policylink.inputs.AnalysisInputs
        Balanced panel and binary weights (``time_col`` required).
    options : SdmOptions
        Model options.

    Returns
    -------
    SdmAnalysis

    Raises
    ------
    ConfigError
        Inconsistent options or a cross-section.
    InputError
        Estimation refused (e.g. singular design), naming the source.
    """
    from policylink.spatial.model_choice import compare_models, model_choice
    from policylink.spatial.panel import (
        fit_by_group,
        fit_random_effects,
        fit_spatial_panel,
        panel_arrays,
        weights_matrix,
    )
    from policylink.spatial.panel_models import (
        STRUCTURE,
        fit_panel_general,
        fit_sem_random_effects,
    )

    o = options
    o.check()
    if inputs.time_col is None:
        raise ConfigError("a spatial panel model needs a panel (a period column)")
    xs = list(o.x)
    kw = dict(y=o.y, x=xs, id_col=inputs.id_col, time_col=inputs.time_col)
    durbin = list(o.durbin) if o.durbin else None
    opts = dict(
        model=o.model,
        durbin=durbin,
        lee_yu=o.lee_yu,
        draws=o.draws,
        seed=o.seed,
        transformation=o.transformation,
    )
    # SAR / SEM / SDM keep their expected-information estimator; the others are general nesting
    general = o.model in STRUCTURE and o.model not in ("sar", "sem", "sdm")
    fitter = fit_panel_general if general else fit_spatial_panel
    try:
        if o.group_col:
            fits = fit_by_group(
                inputs.panel, inputs.w, group_col=o.group_col, fe=o.fe, fitter=fitter, **kw, **opts
            )
            results = {f"{o.group_col}={g}": r for g, r in fits.items()}
        elif o.fe == "random" and o.model == "sem":
            Y, X, _ = panel_arrays(inputs.panel, ids=inputs.w.id_order, **kw)
            W = weights_matrix(inputs.w, o.transformation)
            results = {"all": fit_sem_random_effects(Y, X, W, names=xs)}
        elif o.fe == "random":
            Y, X, _ = panel_arrays(inputs.panel, ids=inputs.w.id_order, **kw)
            W = weights_matrix(inputs.w, o.transformation)
            results = {
                "all": fit_random_effects(
                    Y, X, W, names=xs, model=o.model, durbin=durbin, draws=o.draws, seed=o.seed
                )
            }
        else:
            results = {"all": fitter(inputs.panel, inputs.w, fe=o.fe, **kw, **opts)}
        choice = None
        if o.tests:
            Y, X, _ = panel_arrays(inputs.panel, ids=inputs.w.id_order, **kw)
            W = weights_matrix(inputs.w, o.transformation)
            choice = model_choice(
                Y, X, W, names=xs, fe="twoways" if o.fe in ("random", "none") else o.fe
            )
        comparison = None
        if o.compare:
            Y, X, _ = panel_arrays(inputs.panel, ids=inputs.w.id_order, **kw)
            W = weights_matrix(inputs.w, o.transformation)
            comparison = compare_models(Y, X, W, names=xs, fe=o.fe, durbin=durbin, lee_yu=o.lee_yu)
    except (ValueError, np.linalg.LinAlgError) as exc:
        # LinAlgError: a singular information matrix or Hessian (degenerate data or weights)
        msg = str(exc) if isinstance(exc, ValueError) else f"estimation failed: {exc}"
        raise InputError([Problem(inputs.source, None, None, None, msg)]) from exc
    return SdmAnalysis(Provenance.of(inputs), o, results, choice, comparison)
