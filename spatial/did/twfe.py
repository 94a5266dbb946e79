"""Two-way fixed-effects DID (seed 004 eq. 1) on top of pyfixest.

.. math:: y_{it} = \\alpha + \\beta\\,DID_{it} + \\rho' X_{it} + \\eta_t + \\lambda_i + \\varepsilon_{it}

with unit effects :math:`\\lambda_i`, year effects :math:`\\eta_t` and cluster-robust (CRV1)
standard errors by unit, or two-way by unit and year (Cameron, Gelbach and Miller 2011). The
estimate is pyfixest's ``feols`` (Berge 2018 alternating projections); this module only
prepares the formula and collects a tidy result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from policylink.spatial.did.conley import ConleySpec, conley_table, conley_vcov
from policylink.spatial.did.panel import DID_COL, PanelSpec, prepare_panel
from policylink.spatial.errors import InputError, Problem

_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_UNQUOTE: dict[str, str] = {}


def _q(col: str) -> str:
    """Quote a column name for a formulaic formula when it is not a plain identifier.

    Quoted names are remembered so that result tables show the column name as given.
    """
    if _SAFE.match(col):
        return col
    quoted = "Q('" + col.replace("'", "\\'") + "')"
    _UNQUOTE[quoted] = col
    return quoted


@dataclass
class DIDResult:
    """Result of a fixed-effects regression of the DID suite.

    Attributes
    ----------
    coefficients : DataFrame
        Index: regressor names; columns ``estimate``, ``se``, ``t``, ``p``, ``ci_low``,
        ``ci_high`` (95 %, t distribution with G-1 df for clustered errors, as pyfixest).
    n_obs : int
        Observations used.
    n_units : int
        Distinct units used.
    r2 : float
        R-squared including the fixed effects (what seed 004 Table 3 reports).
    r2_within : float
        Within R-squared (after removing the fixed effects).
    vcov : DataFrame
        Cluster-robust covariance of the coefficients.
    label : str
        Short description (column header in tables).
    info : dict
        Specification details (outcome, controls, fixed effects, clustering, notes).
    fit : object
        The underlying ``pyfixest`` model (``None`` when not produced by pyfixest).
    """

    coefficients: pd.DataFrame
    n_obs: int
    n_units: int
    r2: float
    r2_within: float
    vcov: pd.DataFrame
    label: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    fit: Any = None

    def coef(self, name: str = DID_COL) -> float:
        """Estimate of one coefficient (default the DID term)."""
        return float(self.coefficients.loc[name, "estimate"])

    def se(self, name: str = DID_COL) -> float:
        """Standard error of one coefficient (default the DID term)."""
        return float(self.coefficients.loc[name, "se"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: ``coefficients`` {name: {estimate, se, t, p}}, counts, R2."""
        return {
            "coefficients": {
                str(k): {c: float(r[c]) for c in ("estimate", "se", "t", "p")}
                for k, r in self.coefficients.iterrows()
            },
            "n_obs": int(self.n_obs),
            "n_units": int(self.n_units),
            "r2": float(self.r2),
            "r2_within": float(self.r2_within),
            "label": self.label,
            "info": self.info,
        }


def result_from_pyfixest(fit: Any, data: pd.DataFrame, spec: PanelSpec, **info: Any) -> DIDResult:
    """Collect a pyfixest ``Feols`` fit into a :class:`DIDResult`.

    Parameters
    ----------
    fit : pyfixest.estimation.Feols
        Fitted model.
    data : DataFrame
        The data passed to ``feols`` (to count units).
    spec : PanelSpec
        Column roles.
    **info
        Extra entries stored in ``DIDResult.info``.

    Returns
    -------
    DIDResult
    """
    tid = fit.tidy()
    ci = fit.confint()
    coefs = pd.DataFrame(
        {
            "estimate": tid["Estimate"].to_numpy(float),
            "se": tid["Std. Error"].to_numpy(float),
            "t": tid["t value"].to_numpy(float),
            "p": tid["Pr(>|t|)"].to_numpy(float),
            "ci_low": ci.iloc[:, 0].to_numpy(float),
            "ci_high": ci.iloc[:, 1].to_numpy(float),
        },
        index=[_UNQUOTE.get(str(i), str(i)) for i in tid.index],
    )
    vc = pd.DataFrame(np.asarray(fit._vcov), index=coefs.index, columns=coefs.index)
    n_obs = int(fit._N)
    # units actually used (pyfixest drops rows with missing values and singleton fixed effects)
    used = getattr(fit, "_data", None)
    if not isinstance(used, pd.DataFrame) or spec.unit not in used.columns:
        used = data
    base = {
        "outcome": spec.outcome,
        "controls": list(spec.controls),
        "fixed_effects": [spec.unit, spec.time],
        "cluster": spec.cluster,
        "vcov": "CRV1",
        "estimator": "pyfixest.feols (two-way fixed effects)",
    }
    base.update(info)
    return DIDResult(
        coefficients=coefs,
        n_obs=n_obs,
        n_units=int(used[spec.unit].nunique()),
        r2=float(fit._r2),
        r2_within=float(fit._r2_within),
        vcov=vc,
        label=str(info.get("label", "")),
        info=base,
        fit=fit,
    )


def fe_formula(spec: PanelSpec, regressors: list[str]) -> str:
    """pyfixest formula ``y ~ regressors + controls | unit + year``."""
    rhs = " + ".join(_q(c) for c in [*regressors, *spec.controls])
    return f"{_q(spec.outcome)} ~ {rhs} | {_q(spec.unit)} + {_q(spec.time)}"


def cluster_inference(spec: PanelSpec) -> str:
    """Text saying which cluster-robust standard errors ``spec`` asks for."""
    by = "unit and year (two-way)" if spec.cluster == "twoway" else "unit"
    return (
        f"cluster-robust (CRV1) by {by}; assumes errors independent across clusters "
        "(not robust to spatial correlation between units)"
    )


def fit_fe(
    panel: pd.DataFrame,
    spec: PanelSpec,
    regressors: list[str],
    *,
    label: str = "",
    conley: ConleySpec | None = None,
    coords_km: pd.DataFrame | None = None,
    **info: Any,
) -> DIDResult:
    """Fit ``outcome ~ regressors + controls | unit + year`` with pyfixest.

    Parameters
    ----------
    panel : DataFrame
        Prepared panel (see :func:`policylink.spatial.did.panel.prepare_panel`).
    spec : PanelSpec
        Column roles and clustering.
    regressors : list of str
        Regressors of interest placed before the controls.
    label : str
        Label stored on the result.
    conley : ConleySpec, optional
        Conley spatial-HAC standard errors with this cutoff and kernel instead of the
        cluster-robust ones of ``spec.cluster`` (same estimates).
    coords_km : DataFrame, optional
        Unit coordinates in km (index unit id, columns ``x_km``, ``y_km``); needed with
        ``conley``.
    **info
        Extra entries for ``DIDResult.info``.

    Returns
    -------
    DIDResult
        ``info['inference']`` says which standard errors were used.
    """
    import pyfixest as pf

    from policylink.spatial.did.panel import check_fixed_effects

    check_fixed_effects(panel, spec)
    check_identified(panel, spec, regressors)
    data = panel.copy()
    fit = pf.feols(fe_formula(spec, regressors), data, vcov=spec.vcov())
    res = result_from_pyfixest(fit, data, spec, label=label, **info)
    if conley is None:
        res.info["inference"] = cluster_inference(spec)
    else:
        if coords_km is None:
            raise ValueError("Conley standard errors need the units' coordinates")
        res = with_conley(res, panel, spec, conley, coords_km)
    for name in _KEY_TERMS:
        if name in regressors and name in res.coefficients.index:
            se = float(res.coefficients.loc[name, "se"])
            if not (np.isfinite(se) and se > 0):
                raise InputError(
                    [
                        Problem(
                            spec.source,
                            None,
                            name,
                            None,
                            "the regression fits the outcome exactly (standard error "
                            f"{se!r}): no inference is possible; check the outcome and the "
                            "treatment coding",
                        )
                    ]
                )
    return res


#: Regressors whose coefficient is the point of a fit: they must be identified.
_KEY_TERMS = ("did", "w_did")


def with_conley(
    res: DIDResult,
    panel: pd.DataFrame,
    spec: PanelSpec,
    conley: ConleySpec,
    coords_km: pd.DataFrame,
) -> DIDResult:
    """The fit with Conley spatial-HAC standard errors (same estimates).

    The scores are those of the fixed-effects-purged regression (Frisch-Waugh-Lovell): every
    regressor and the outcome with unit and year effects removed, and its residuals.

    Parameters
    ----------
    res : DIDResult
        A fit of :func:`fit_fe` on ``panel``.
    panel : DataFrame
        The rows of the fit.
    spec : PanelSpec
        Column roles.
    conley : ConleySpec
        Cutoff and kernel.
    coords_km : DataFrame
        Unit coordinates in km (index unit id, columns ``x_km``, ``y_km``).

    Returns
    -------
    DIDResult
        Coefficients with Conley SEs, normal p-values and intervals; ``info['vcov']`` is
        ``'Conley'`` and ``info['inference']`` describes it.

    Raises
    ------
    policylink.spatial.errors.InputError
        A unit without coordinates or a singular design.
    """
    from dataclasses import replace

    names = list(res.coefficients.index)
    beta = res.coefficients["estimate"].to_numpy(float)
    Xd = np.column_stack([within_residual(panel[c].to_numpy(float), panel, spec) for c in names])
    yd = within_residual(panel[spec.outcome].to_numpy(float), panel, spec)
    resid = yd - Xd @ beta
    coords = coords_km.copy()
    coords.index = coords.index.map(str)
    try:
        V = conley_vcov(Xd, resid, panel[spec.unit], panel[spec.time], coords, conley)
    except ValueError as exc:
        raise InputError([Problem(spec.source, None, spec.unit, None, str(exc))]) from exc
    table = conley_table(names, beta, V)
    info = {**res.info, "vcov": "Conley", "conley_cutoff_km": conley.cutoff_km}
    info["conley_kernel"] = conley.kernel
    info["inference"] = conley.describe()
    vc = pd.DataFrame(V, index=names, columns=names)
    return replace(res, coefficients=table, vcov=vc, info=info)


def within_residual(values: np.ndarray, panel: pd.DataFrame, spec: PanelSpec) -> np.ndarray:
    """Residual of a column after unit and year fixed effects (alternating projections).

    Parameters
    ----------
    values : ndarray, shape (n,)
        One value per row of ``panel``.
    panel : DataFrame
        Prepared panel.
    spec : PanelSpec
        Column roles.

    Returns
    -------
    ndarray
        ``values`` minus its projection on unit and year dummies (to 1e-10).
    """
    u = pd.factorize(panel[spec.unit])[0]
    t = pd.factorize(panel[spec.time])[0]
    nu, nt = np.bincount(u), np.bincount(t)
    r = np.asarray(values, float) - float(np.mean(values))
    scale = max(1.0, float(np.max(np.abs(r))) if r.size else 1.0)
    for _ in range(1000):
        r = r - (np.bincount(u, r) / nu)[u]
        step = (np.bincount(t, r) / nt)[t]
        r = r - step
        if float(np.max(np.abs(step))) < 1e-12 * scale:
            break
    return r


def check_identified(panel: pd.DataFrame, spec: PanelSpec, regressors: list[str]) -> None:
    """Refuse a fit whose outcome or key regressor (``did``, ``w_did``) has no within variation.

    Parameters
    ----------
    panel : DataFrame
        Prepared panel.
    spec : PanelSpec
        Column roles.
    regressors : list of str
        Regressors of interest.

    Raises
    ------
    policylink.spatial.errors.InputError
        The outcome is constant within units and years once fixed effects are removed, or the
        treatment is (no treated unit, every unit treated in every year, or every unit
        adopting in the same year).
    """
    tol = 1e-9
    y = panel[spec.outcome].to_numpy(float)
    ry = within_residual(y, panel, spec)
    if float(np.sqrt(np.mean(ry**2))) <= tol * max(1.0, float(np.max(np.abs(y)))):
        raise InputError(
            [
                Problem(
                    spec.source,
                    None,
                    spec.outcome,
                    None,
                    "the outcome does not vary once unit and year fixed effects are removed: "
                    "there is nothing to explain",
                )
            ]
        )
    for name in _KEY_TERMS:
        if name not in regressors:
            continue
        d = panel[name].to_numpy(float)
        rd = within_residual(d, panel, spec)
        if float(np.sqrt(np.mean(rd**2))) <= tol * max(1.0, float(np.max(np.abs(d)))):
            what = "treatment" if name == "did" else "share of treated neighbours"
            raise InputError(
                [
                    Problem(
                        spec.source,
                        None,
                        name,
                        None,
                        f"the {what} does not vary once unit and year fixed effects are "
                        "removed (no unit treated within the panel years, every unit treated "
                        "throughout, or all units adopting in the same year): its effect "
                        "cannot be estimated",
                    )
                ]
            )


def twfe_did(
    df: pd.DataFrame,
    spec: PanelSpec,
    *,
    label: str = "TWFE DID",
    conley: ConleySpec | None = None,
    coords_km: pd.DataFrame | None = None,
) -> DIDResult:
    """Two-way fixed-effects DID with controls and cluster-robust errors (seed 004 eq. 1).

    Parameters
    ----------
    df : DataFrame
        Long panel (raw or already prepared).
    spec : PanelSpec
        Outcome, unit, year, treatment (``treat`` 0/1 or ``first_treated`` year), controls
        and clustering (``'unit'`` or ``'twoway'``).
    label : str
        Label stored on the result.
    conley : ConleySpec, optional
        Conley spatial-HAC standard errors instead of the cluster-robust ones.
    coords_km : DataFrame, optional
        Unit coordinates in km, needed with ``conley``.

    Returns
    -------
    DIDResult
        The coefficient named ``did`` is :math:`\\hat\\beta`; controls follow by name.

    Notes
    -----
    With staggered adoption and heterogeneous effects the TWFE coefficient is a weighted
    average of 2x2 comparisons, some with already-treated units as controls (Goodman-Bacon
    2021, :func:`policylink.spatial.did.staggered.bacon_decomposition`); report it next to
    :func:`policylink.spatial.did.staggered.callaway_santanna`.

    References
    ----------
    Berge, L. (2018). Efficient estimation of maximum likelihood models with multiple
    fixed-effects: the R package FENmlm. CREA Discussion Papers.
    Cameron, A. C., Gelbach, J. B., & Miller, D. L. (2011). Robust inference with multiway
    clustering. Journal of Business & Economic Statistics, 29(2), 238-249.
    """
    panel, spec = prepare_panel(df, spec)
    return fit_fe(panel, spec, [DID_COL], label=label, conley=conley, coords_km=coords_km)
