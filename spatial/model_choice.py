"""Choosing a spatial panel specification, as seed 000 section 4.1.2 does it.

1. LM tests of a spatial lag and a spatial error, and their robust forms, on the residuals of the
   non-spatial model with the same fixed effects (Anselin et al. 2008; Elhorst 2014, sec. 3.6).
2. Wald and LR tests of the SDM against the SAR (H0: theta = 0) and the SEM
   (H0: theta + rho beta = 0, Wald by the delta method).
3. LR tests of two-way fixed effects against unit-only and time-only effects.
4. Hausman test of fixed against random unit effects (SDM or SAR).

References
----------
Anselin, L., Le Gallo, J. and Jayet, H. (2008). Spatial panel econometrics. In Matyas and Sevestre
(eds.) *The Econometrics of Panel Data*, 625-660. Springer.
Debarsy, N. and Ertur, C. (2010). Testing for spatial autocorrelation in a fixed effects panel
data model. *Regional Science and Urban Economics* 40(6).
Elhorst, J. P. (2014). *Spatial Econometrics*. Springer, sections 3.6 and 3.8.
Hausman, J. A. (1978). Specification tests in econometrics. *Econometrica* 46(6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from policylink.spatial.panel import (
    SparseW,
    SpatialPanelResult,
    SpectralW,
    demean,
    fit_arrays,
    fit_random_effects,
    spatial_lag,
    weights_operator,
)


@dataclass
class TestResult:
    """One specification test.

    Attributes
    ----------
    name : str
        Test name, e.g. 'LM lag (robust)'.
    statistic : float
        Chi-squared statistic.
    df : int
        Degrees of freedom.
    p : float
        Upper-tail chi-squared p-value.
    h0 : str
        Null hypothesis in words.
    """

    name: str
    statistic: float
    df: int
    p: float
    h0: str

    @classmethod
    def chi2(cls, name: str, statistic: float, df: int, h0: str) -> TestResult:
        """Build from a chi-squared statistic."""
        return cls(name, float(statistic), int(df), float(stats.chi2.sf(statistic, df)), h0)


_FE_TEXT = {
    "twoways": "two-way (unit and time) fixed effects",
    "unit": "unit fixed effects",
    "time": "time fixed effects",
    "none": "no fixed effects",
    "random": "random unit effects",
}


@dataclass
class ModelChoice:
    """All model-choice statistics and a short verdict.

    Attributes
    ----------
    tests : list of TestResult
    verdict : list of str
        One sentence per decision (spatial form, FE vs RE, which fixed effects).
    alpha : float
        Level used for the verdict.
    fits : dict
        The fitted models, keyed e.g. 'sdm_twoways', 'sar_twoways', 'sdm_random'.
    model : {'sdm', 'sar', 'sem'} or None
        Spatial form the Wald and LR tests support (None: SAR and SEM both acceptable).
    fe : {'twoways', 'unit', 'time', 'none'} or None
        Fixed effects the LR tests support (None when they were not run).
    """

    tests: list[TestResult]
    verdict: list[str]
    alpha: float
    fits: dict[str, SpatialPanelResult] = field(default_factory=dict)
    model: str | None = None
    fe: str | None = None

    def disagreement(self, model: str, fe: str) -> str | None:
        """Why a fitted model differs from what the tests support, or None when it agrees.

        Parameters
        ----------
        model : {'sdm', 'sar', 'sem'}
            Spatial form of the fitted model.
        fe : str
            Its effects (``twoways``, ``unit``, ``time``, ``none``, ``random``).

        Returns
        -------
        str or None
            A sentence naming the fitted model and what the tests support.
        """
        parts = []
        if self.model is not None and model != self.model:
            parts.append(f"the tests support {self.model.upper()}, not {model.upper()}")
        elif self.model is None and model == "sdm":
            parts.append("the tests do not single out SDM (SAR or SEM would do)")
        if self.fe is not None and fe != self.fe and not (fe == "random" and self.fe == "unit"):
            parts.append(f"they support {_FE_TEXT[self.fe]}, not {_FE_TEXT.get(fe, fe)}")
        if not parts:
            return None
        return (
            f"The table fits {model.upper()} with {_FE_TEXT.get(fe, fe)} as asked, although "
            + "; ".join(parts)
            + ": refit with the supported specification, or keep this one only for "
            "comparison with a published table."
        )

    @property
    def table(self) -> pd.DataFrame:
        """Tidy table: test, statistic, df, p, h0."""
        return pd.DataFrame(
            [
                {"test": t.name, "statistic": t.statistic, "df": t.df, "p": t.p, "h0": t.h0}
                for t in self.tests
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: tests (by name) and verdict."""
        return {
            "alpha": self.alpha,
            "tests": {
                t.name: {"statistic": t.statistic, "df": t.df, "p": t.p, "h0": t.h0}
                for t in self.tests
            },
            "verdict": list(self.verdict),
            "supported_model": self.model,
            "supported_fe": self.fe,
        }


def lm_tests(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray | SpectralW,
    *,
    fe: str = "twoways",
) -> list[TestResult]:
    """Panel LM tests for a spatial lag / spatial error and their robust forms (Elhorst 2014, 3.6).

    With e the residuals of the non-spatial model on demeaned data, sigma2 = e'e / NT,
    T_W = tr(W'W + W W) and
    J = [(W X b)' M (W X b) + T T_W sigma2] / sigma2 (M the residual maker):

    - LM lag = (e' W y / sigma2)^2 / J
    - LM error = (e' W e / sigma2)^2 / (T T_W)
    - robust LM lag = (e' W y / sigma2 - e' W e / sigma2)^2 / (J - T T_W)
    - robust LM error = (e' W e / sigma2 - T T_W / J e' W y / sigma2)^2 / (T T_W (1 - T T_W / J))

    (W applied period by period.) Each is chi-squared with 1 df under its null.

    Parameters
    ----------
    Y : ndarray, shape (T, N)
    X : ndarray, shape (T, N, K)
    W : weights (sparse, dense or SpectralW)
    fe : {'none', 'unit', 'time', 'twoways'}

    Returns
    -------
    list of TestResult
    """
    Wm = W.W if isinstance(W, SpectralW | SparseW) else sparse.csr_matrix(W, dtype=float)
    Y = np.asarray(Y, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[:, :, None]
    T, N = Y.shape
    Xf = X if fe != "none" else np.concatenate([np.ones((T, N, 1)), X], axis=2)
    yd = demean(Y, fe)
    Xd = demean(Xf, fe)
    Xm = Xd.reshape(T * N, -1)
    b = np.linalg.lstsq(Xm, yd.ravel(), rcond=None)[0]
    e = yd.ravel() - Xm @ b
    sig2 = e @ e / (N * T)
    wy = spatial_lag(Wm, yd).ravel()
    we = spatial_lag(Wm, e.reshape(T, N)).ravel()
    tw = float((Wm.T @ Wm).diagonal().sum() + (Wm @ Wm).diagonal().sum())
    wxb = spatial_lag(Wm, (Xm @ b).reshape(T, N)).ravel()
    resid = wxb - Xm @ np.linalg.lstsq(Xm, wxb, rcond=None)[0]
    J = (wxb @ resid + T * tw * sig2) / sig2
    lag_s = e @ wy / sig2
    err_s = e @ we / sig2
    h_lag, h_err = "no spatial lag (rho = 0)", "no spatial error (lambda = 0)"
    return [
        TestResult.chi2("LM lag", lag_s**2 / J, 1, h_lag),
        TestResult.chi2("LM lag (robust)", (lag_s - err_s) ** 2 / (J - T * tw), 1, h_lag),
        TestResult.chi2("LM error", err_s**2 / (T * tw), 1, h_err),
        TestResult.chi2(
            "LM error (robust)",
            (err_s - T * tw / J * lag_s) ** 2 / (T * tw * (1 - T * tw / J)),
            1,
            h_err,
        ),
    ]


def wald_sdm(sdm: SpatialPanelResult) -> tuple[TestResult, TestResult]:
    """Wald tests of an SDM against the SAR (theta = 0) and the SEM (theta + rho beta = 0).

    The SEM restriction is nonlinear: its covariance is G V G' with the Jacobian
    G = [rho I, I, beta] (delta method; Elhorst 2014, sec. 3.8). Only the regressors that have a
    spatial lag enter.

    Parameters
    ----------
    sdm : SpatialPanelResult
        A fitted SDM.

    Returns
    -------
    (TestResult, TestResult)
        Against SAR and against SEM.
    """
    if sdm.model != "sdm":
        raise ValueError("wald_sdm needs an SDM")
    names = sdm.names
    lagged = [n[2:] for n in names if n.startswith("W*")]
    ib = np.array([names.index(v) for v in lagged])
    it = np.array([names.index(f"W*{v}") for v in lagged])
    irho = len(names)
    est = np.r_[sdm.params, sdm.rho]
    V = sdm.cov
    k = len(lagged)
    theta = est[it]
    Vt = V[np.ix_(it, it)]
    w_sar = float(theta @ np.linalg.solve(Vt, theta))
    g = theta + sdm.rho * est[ib]
    G = np.zeros((k, len(est)))
    G[np.arange(k), ib] = sdm.rho
    G[np.arange(k), it] = 1.0
    G[:, irho] = est[ib]
    w_sem = float(g @ np.linalg.solve(G @ V @ G.T, g))
    return (
        TestResult.chi2("Wald SDM vs SAR", w_sar, k, "theta = 0 (SAR)"),
        TestResult.chi2("Wald SDM vs SEM", w_sem, k, "theta + rho beta = 0 (SEM)"),
    )


def hausman(fe_fit: SpatialPanelResult, re_fit: SpatialPanelResult) -> TestResult:
    """Hausman (1978) test of fixed against random unit effects.

    Compare fits with the same time effects (two-way FE against random unit + fixed time
    effects, or unit FE against random unit effects); :func:`model_choice` uses the Lee-Yu FE
    fit so that both covariance matrices are consistent.

    H = d' (V_FE - V_RE)^-1 d over the coefficients both models share (regressors, their
    spatial lags and rho), with d = b_FE - b_RE; chi-squared with that many df. In finite
    samples V_FE - V_RE can be indefinite; then the statistic is taken over the subspace where
    it is positive definite, H = sum over eigenpairs (lambda_k > 0) of (u_k' d)^2 / lambda_k,
    with df the number of such eigenvalues (a generalised-inverse Hausman test). When no
    eigenvalue is positive the test is not computable and statistic and p are NaN (a negative
    quadratic form is never reported as a zero statistic).

    Parameters
    ----------
    fe_fit, re_fit : SpatialPanelResult
        Fits of the same model with unit fixed effects and with random effects.

    Returns
    -------
    TestResult
    """
    common = [n for n in fe_fit.names if n in re_fit.names]
    i_fe = [fe_fit.names.index(n) for n in common] + [len(fe_fit.names)]
    i_re = [re_fit.names.index(n) for n in common] + [len(re_fit.names)]
    b_fe = np.r_[fe_fit.params, fe_fit.rho][i_fe]
    b_re = np.r_[re_fit.params, re_fit.rho][i_re]
    dV = fe_fit.cov[np.ix_(i_fe, i_fe)] - re_fit.cov[np.ix_(i_re, i_re)]
    d = b_fe - b_re
    vals, vecs = np.linalg.eigh(0.5 * (dV + dV.T))
    pos = vals > 1e-12 * max(1.0, np.abs(vals).max())
    rank = int(pos.sum())
    if rank == 0:
        return TestResult("Hausman FE vs RE", float("nan"), len(d), float("nan"), "random effects")
    z = vecs[:, pos].T @ d
    stat = float(np.sum(z**2 / vals[pos]))
    return TestResult.chi2("Hausman FE vs RE", stat, rank, "random effects")


def model_choice(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray | SpectralW,
    *,
    names: Sequence[str],
    fe: str = "twoways",
    alpha: float = 0.05,
    random_effects: bool = True,
) -> ModelChoice:
    """Run the model-choice sequence of seed 000 section 4.1.2 and state a verdict.

    Parameters
    ----------
    Y : ndarray, shape (T, N)
    X : ndarray, shape (T, N, K)
    W : weights (sparse, dense or SpectralW)
    names : sequence of str
        Regressor names.
    fe : {'unit', 'time', 'twoways'}
        Fixed effects of the LM, Wald and LR tests.
    alpha : float
        Level for the verdict.
    random_effects : bool
        Also fit the random-effects SDM for the Hausman test.

    Returns
    -------
    ModelChoice
    """
    sw = weights_operator(W)
    tests = lm_tests(Y, X, sw, fe=fe)
    fits: dict[str, SpatialPanelResult] = {}
    for m in ("sdm", "sar", "sem"):
        fits[f"{m}_{fe}"] = fit_arrays(Y, X, sw, names=names, model=m, fe=fe, effects=False)
    sdm, sar, sem = fits[f"sdm_{fe}"], fits[f"sar_{fe}"], fits[f"sem_{fe}"]
    w_sar, w_sem = wald_sdm(sdm)
    k = len(names)
    lr_sar = TestResult.chi2(
        "LR SDM vs SAR", 2 * (sdm.log_likelihood - sar.log_likelihood), k, "theta = 0 (SAR)"
    )
    lr_sem = TestResult.chi2(
        "LR SDM vs SEM",
        2 * (sdm.log_likelihood - sem.log_likelihood),
        k,
        "theta + rho beta = 0 (SEM)",
    )
    tests += [w_sar, lr_sar, w_sem, lr_sem]
    T, N = np.asarray(Y).shape
    if fe == "twoways":
        for one, df, what in (("unit", T - 1, "time"), ("time", N - 1, "unit")):
            f1 = fit_arrays(Y, X, sw, names=names, model="sdm", fe=one, effects=False)
            fits[f"sdm_{one}"] = f1
            tests.append(
                TestResult.chi2(
                    f"LR two-way vs {one} FE",
                    2 * (sdm.log_likelihood - f1.log_likelihood),
                    df,
                    f"no {what} fixed effects",
                )
            )
    if random_effects:
        # Same time effects on both sides: FE = unit (+ time) effects, RE = random unit effects
        # (+ fixed time effects when the FE model has them). The FE side uses the Lee-Yu
        # estimator, whose sigma2 (and so covariance) is consistent; with sigma2 = e'e/NT the FE
        # covariance is biased down and V_FE - V_RE is typically not positive semi-definite.
        fe_h = "twoways" if fe in ("twoways", "time") else "unit"
        fe_ly = fit_arrays(
            Y, X, sw, names=names, model="sdm", fe=fe_h, effects=False, lee_yu=sw.row_stochastic
        )
        fits[f"sdm_{fe_h}_lee_yu"] = fe_ly
        re = fit_random_effects(
            Y, X, sw, names=names, model="sdm", time_effects=fe_h == "twoways", effects=False
        )
        fits["sdm_random"] = re
        tests.append(hausman(fe_ly, re))
    by = {t.name: t for t in tests}
    verdict = []
    lag = by["LM lag"].p < alpha or by["LM lag (robust)"].p < alpha
    err = by["LM error"].p < alpha or by["LM error (robust)"].p < alpha
    verdict.append(
        f"LM tests: spatial lag {'present' if lag else 'not detected'}, spatial error "
        f"{'present' if err else 'not detected'} at {alpha:g}."
    )
    rej_sar = by["Wald SDM vs SAR"].p < alpha and by["LR SDM vs SAR"].p < alpha
    rej_sem = by["Wald SDM vs SEM"].p < alpha and by["LR SDM vs SEM"].p < alpha
    supported: str | None
    if rej_sar and rej_sem:
        supported = "sdm"
        verdict.append("Wald and LR reject both SAR and SEM: use the SDM.")
    elif not rej_sar and rej_sem:
        supported = "sar"
        verdict.append("SDM does not improve on SAR (and SEM is rejected): SAR suffices.")
    elif rej_sar and not rej_sem:
        supported = "sem"
        verdict.append("SDM does not improve on SEM (and SAR is rejected): SEM suffices.")
    else:
        supported = None
        verdict.append("Neither SAR nor SEM is rejected: SDM is not needed (SAR or SEM).")
    supported_fe: str | None = None
    if "Hausman FE vs RE" in by:
        h = by["Hausman FE vs RE"]
        verdict.append(
            "Hausman not computable (V_FE - V_RE has no positive eigenvalue): "
            "choose FE or RE on other grounds."
            if np.isnan(h.p)
            else "Hausman rejects random effects: use fixed effects."
            if h.p < alpha
            else "Hausman does not reject random effects (both consistent; RE more efficient)."
        )
    if fe == "twoways":
        need_time = by["LR two-way vs unit FE"].p < alpha
        need_unit = by["LR two-way vs time FE"].p < alpha
        supported_fe = {
            (True, True): "twoways",
            (True, False): "unit",
            (False, True): "time",
            (False, False): "none",
        }[(need_unit, need_time)]
        verdict.append(
            "LR tests favour two-way (unit and time) fixed effects."
            if supported_fe == "twoways"
            else "LR tests do not support both sets of fixed effects: they support "
            f"{_FE_TEXT[supported_fe]}."
        )
    else:
        supported_fe = fe
    return ModelChoice(
        tests=tests, verdict=verdict, alpha=alpha, fits=fits, model=supported, fe=supported_fe
    )


# --------------------------------------------------------------------------------------------
# Comparison across the general nesting family
# --------------------------------------------------------------------------------------------
#: LR tests of the nested restrictions: (unrestricted, restricted, null hypothesis).
NESTED = (
    ("sdm", "sar", "theta = 0"),
    ("sdm", "sem", "theta = -rho beta (common factor)"),
    ("gns", "sdm", "lambda = 0"),
    ("gns", "sdem", "rho = 0"),
    ("gns", "sac", "theta = 0"),
    ("sac", "sar", "lambda = 0"),
    ("sac", "sem", "rho = 0"),
    ("sdem", "sem", "theta = 0"),
)


@dataclass
class ModelComparison:
    """SAR, SEM, SDM, SAC, SDEM and GNS fitted on the same data, with LR tests.

    Attributes
    ----------
    fits : dict of str to SpatialPanelResult
        Fits by model name, in the order of
        :data:`policylink.spatial.panel_models.ALL_MODELS`.
    nobs : float
        Observations in the likelihood (Lee-Yu effective when asked), used by BIC.
    tests : list of TestResult
        LR tests of the nested restrictions (:data:`NESTED`).
    """

    fits: dict[str, SpatialPanelResult]
    nobs: float
    tests: list[TestResult]

    @staticmethod
    def n_params(res: SpatialPanelResult) -> int:
        """Estimated parameters: regressors, rho / lambda and sigma2 (fixed effects, the same
        in every model of the comparison, are not counted)."""
        return len(res.params) + sum(v is not None for v in (res.rho, res.lam)) + 1

    @property
    def table(self) -> pd.DataFrame:
        """One row per model: model, log_likelihood, n_params, aic, bic, rho, lambda."""
        rows = []
        for name, r in self.fits.items():
            p = self.n_params(r)
            rows.append(
                {
                    "model": name.upper(),
                    "log_likelihood": r.log_likelihood,
                    "n_params": p,
                    "aic": -2.0 * r.log_likelihood + 2.0 * p,
                    "bic": -2.0 * r.log_likelihood + p * np.log(self.nobs),
                    "rho": np.nan if r.rho is None else r.rho,
                    "lambda": np.nan if r.lam is None else r.lam,
                }
            )
        return pd.DataFrame(rows)

    @property
    def lr_table(self) -> pd.DataFrame:
        """One row per LR test: test, statistic, df, p, h0."""
        return pd.DataFrame(
            [
                {"test": t.name, "statistic": t.statistic, "df": t.df, "p": t.p, "h0": t.h0}
                for t in self.tests
            ]
        )

    def frame(self) -> pd.DataFrame:
        """Both tables stacked for CSV: ``part`` is 'fit' or 'lr'."""
        return pd.concat(
            [self.table.assign(part="fit"), self.lr_table.assign(part="lr")], ignore_index=True
        )

    def best(self, criterion: str = "bic") -> str:
        """Model with the smallest AIC or BIC."""
        t = self.table
        return str(t.loc[t[criterion].idxmin(), "model"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: fits (by model) and LR tests (by name)."""
        return {
            "fits": {
                r["model"].lower(): {k: v for k, v in r.items() if k != "model"}
                for r in self.table.to_dict(orient="records")
            },
            "lr_tests": {
                t.name: {"statistic": t.statistic, "df": t.df, "p": t.p, "h0": t.h0}
                for t in self.tests
            },
            "best_aic": self.best("aic"),
            "best_bic": self.best("bic"),
            "notes": sorted({n for r in self.fits.values() for n in r.notes}),
        }


def compare_models(
    Y: np.ndarray,
    X: np.ndarray,
    W: sparse.spmatrix | np.ndarray | SpectralW | SparseW,
    *,
    names: Sequence[str],
    fe: str = "twoways",
    durbin: Sequence[str] | None = None,
    lee_yu: bool = False,
) -> ModelComparison:
    """Fit SAR, SEM, SDM, SAC, SDEM and GNS on the same data and test the nested restrictions.

    Every model goes through :func:`policylink.spatial.panel_models.fit_general` with the same
    fixed effects, weights operator and Durbin variables, so the log-likelihoods are comparable.
    The LR statistic 2 (logL_u - logL_r) is chi-squared with df = the number of restrictions
    (one for rho or lambda, the number of W*X terms for theta).

    Parameters
    ----------
    Y : ndarray, shape (T, N)
    X : ndarray, shape (T, N, K)
    W : weights (sparse, dense or an operator)
    names : sequence of str
        Regressor names.
    fe : {'none', 'unit', 'time', 'twoways'}
        Fixed effects of every model.
    durbin : sequence of str, optional
        Regressors whose W-lag enters SDM / SDEM / GNS (default: all).
    lee_yu : bool
        Lee-Yu (2010) effective dimensions.

    Returns
    -------
    ModelComparison
    """
    from policylink.spatial.panel import _dims
    from policylink.spatial.panel_models import ALL_MODELS, fit_general

    sw = weights_operator(W)
    fits = {
        m: fit_general(
            Y, X, sw, names=names, model=m, fe=fe, durbin=durbin, lee_yu=lee_yu, effects=False
        )
        for m in ALL_MODELS
    }
    n_theta = len(fits["sdm"].params) - len(fits["sar"].params)
    tests = []
    for u, r, h0 in NESTED:
        df = n_theta if "theta" in h0 else 1
        stat = 2.0 * (fits[u].log_likelihood - fits[r].log_likelihood)
        tests.append(TestResult.chi2(f"LR {u.upper()} vs {r.upper()}", stat, df, h0))
    T, N = np.asarray(Y).shape
    return ModelComparison(fits=fits, nobs=float(_dims(N, T, fe, lee_yu)[0]), tests=tests)
