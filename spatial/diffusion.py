"""Discrete-time event history analysis (EHA) of policy adoption, and directed-dyad EHA.

Pure numerics (numpy / pandas / scipy): a binary GLM with logit or complementary log-log link
fitted by Fisher scoring (IRLS) with analytic score and information, cluster-robust sandwich
standard errors, average marginal effects with delta-method SEs; the design of a discrete-time
hazard model on a risk set (duration dependence by period dummies or a smooth term, the
neighbour-adoption share from any weights, higher-level adoption, covariates, programme-specific
baselines for pooled EHA); and the risk set of directed dyads.

References
----------
Berry, F. S. & Berry, W. D. (1990). State lottery adoptions as policy innovations: an event
history analysis. *American Political Science Review* 84(2), 395-415.
Beck, N., Katz, J. N. & Tucker, R. (1998). Taking time seriously: time-series-cross-section
analysis with a binary dependent variable. *American Journal of Political Science* 42(4).
Carter, D. B. & Signorino, C. S. (2010). Back to the future: modeling time dependence in binary
data. *Political Analysis* 18(3), 271-292.
Boehmke, F. J. (2009). Approaches to modeling the adoption and diffusion of policies with
multiple components. *State Politics & Policy Quarterly* 9(2), 229-252.
Volden, C. (2006). States as policy laboratories: emulating success in the Children's Health
Insurance Program. *American Journal of Political Science* 50(2), 294-312.
McCullagh, P. & Nelder, J. A. (1989). *Generalized Linear Models*, 2nd ed., ch. 4.
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
*Journal of Human Resources* 50(2), 317-372.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

LINKS = ("logit", "cloglog")
DURATIONS = ("dummies", "cubic", "log", "none")


# --------------------------------------------------------------------------------------------
# the binary GLM
# --------------------------------------------------------------------------------------------
def _mu_and_derivs(eta: np.ndarray, link: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean ``mu = g^{-1}(eta)``, ``dmu/deta`` and ``d2mu/deta2`` of the inverse link."""
    if link == "logit":
        mu = 1.0 / (1.0 + np.exp(-eta))
        d1 = mu * (1.0 - mu)
        d2 = d1 * (1.0 - 2.0 * mu)
    elif link == "cloglog":
        e = np.exp(np.clip(eta, -50.0, 30.0))
        mu = -np.expm1(-e)
        d1 = e * np.exp(-e)
        d2 = d1 * (1.0 - e)
    else:
        raise ValueError(f"link {link!r}: use {', '.join(LINKS)}")
    return mu, d1, d2


@dataclass
class BinaryFit:
    """A binary GLM fit (logit or complementary log-log).

    Attributes
    ----------
    names : list of str
        Column names of the design.
    params : numpy.ndarray
        Coefficients.
    cov : numpy.ndarray
        Covariance used for inference (model-based or cluster-robust).
    cov_type : str
        ``'nonrobust'`` (inverse Fisher information) or ``'cluster'``.
    link : str
        ``'logit'`` or ``'cloglog'``.
    loglik : float
        Maximised log-likelihood.
    loglik_null : float
        Log-likelihood of the intercept-only model.
    nobs : int
        Observations (unit-periods or dyad-periods).
    n_events : int
        Rows with y = 1.
    n_clusters : int or None
        Clusters of the robust covariance.
    iterations : int
        Fisher-scoring iterations.
    X : numpy.ndarray
        The design (kept for marginal effects).
    y : numpy.ndarray
        The outcome.
    """

    names: list[str]
    params: np.ndarray
    cov: np.ndarray
    cov_type: str
    link: str
    loglik: float
    loglik_null: float
    nobs: int
    n_events: int
    n_clusters: int | None
    iterations: int
    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)

    @property
    def se(self) -> np.ndarray:
        """Standard errors."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    def coefficients(self) -> pd.DataFrame:
        """Tidy coefficients: name, estimate, se, z, p, and the hazard (odds) ratio.

        Returns
        -------
        pandas.DataFrame
            ``name, estimate, se, z, p, ratio`` where ``ratio = exp(estimate)`` is the odds
            ratio (logit) or the hazard ratio of the grouped-duration proportional hazards
            model (cloglog; Prentice & Gloeckler 1978).
        """
        se = self.se
        with np.errstate(divide="ignore", invalid="ignore"):
            z = self.params / se
        return pd.DataFrame(
            {
                "name": self.names,
                "estimate": self.params,
                "se": se,
                "z": z,
                "p": 2.0 * stats.norm.sf(np.abs(z)),
                "ratio": np.exp(self.params),
            }
        )

    def predict(self, X: np.ndarray | None = None) -> np.ndarray:
        """Predicted hazard ``g^{-1}(X b)`` (the fit's design by default)."""
        eta = (self.X if X is None else X) @ self.params
        return _mu_and_derivs(eta, self.link)[0]

    def average_marginal_effects(self, columns: Sequence[str]) -> pd.DataFrame:
        """Average marginal effects on the hazard with delta-method standard errors.

        For a regressor k, AME_k = mean_i dmu_i/dx_ik = b_k mean_i g'(eta_i) (Cameron & Trivedi
        2005, sec. 14.3; what statsmodels' ``get_margeff(at='overall')`` reports); its gradient
        with respect to b is e_k mean g'(eta) + b_k mean g''(eta_i) x_i, and
        Var(AME) = G Cov(b) G'.

        Parameters
        ----------
        columns : sequence of str
            Regressors (names in :attr:`names`).

        Returns
        -------
        pandas.DataFrame
            ``name, ame, se, z, p``.
        """
        eta = self.X @ self.params
        _, d1, d2 = _mu_and_derivs(eta, self.link)
        m1 = d1.mean()
        m2x = (d2[:, None] * self.X).mean(axis=0)
        rows = []
        for c in columns:
            k = self.names.index(c)
            g = self.params[k] * m2x
            g[k] += m1
            ame = self.params[k] * m1
            se = float(np.sqrt(max(g @ self.cov @ g, 0.0)))
            z = ame / se if se > 0 else np.nan
            rows.append((c, ame, se, z, 2.0 * stats.norm.sf(abs(z))))
        return pd.DataFrame(rows, columns=["name", "ame", "se", "z", "p"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "link": self.link,
            "cov_type": self.cov_type,
            "nobs": self.nobs,
            "n_events": self.n_events,
            "n_clusters": self.n_clusters,
            "loglik": self.loglik,
            "loglik_null": self.loglik_null,
            "iterations": self.iterations,
            "coefficients": self.coefficients().to_dict(orient="records"),
        }


def _loglik(y: np.ndarray, mu: np.ndarray) -> float:
    mu = np.clip(mu, 1e-300, 1.0 - 1e-16)
    return float(np.sum(y * np.log(mu) + (1.0 - y) * np.log1p(-mu)))


def fit_binary(
    y: np.ndarray,
    X: np.ndarray,
    *,
    link: str = "logit",
    names: Sequence[str] | None = None,
    clusters: Sequence[Any] | np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> BinaryFit:
    """Fit a binary GLM (logit or cloglog) by Fisher scoring (IRLS).

    Score ``U = X' (d1 / V) (y - mu)`` and expected information ``I = X' (d1^2 / V) X`` with
    ``V = mu (1 - mu)`` and ``d1 = dmu/deta`` (McCullagh & Nelder 1989, sec. 4.4); the
    model-based covariance is ``I^{-1}`` (statsmodels GLM's default), the cluster-robust one
    ``H^{-1} (sum_g U_g U_g') H^{-1}`` times ``G/(G-1) (N-1)/(N-K)`` with ``H`` the observed
    information (Cameron & Miller 2015; statsmodels' ``cov_type='cluster'``; ``H = I`` for
    the logit link). Steps are halved while the
    log-likelihood falls.

    Parameters
    ----------
    y : numpy.ndarray
        0/1 outcome, shape (n,).
    X : numpy.ndarray
        Design with an intercept if wanted, shape (n, k), full column rank.
    link : {'logit', 'cloglog'}
        Link function.
    names : sequence of str, optional
        Column names.
    clusters : array-like, optional
        Cluster labels, shape (n,); None = model-based covariance.
    tol : float
        Convergence: max change of the coefficients relative to ``1 + max |b|``. Under
        separation the coefficients run off to infinity and never converge.
    max_iter : int
        Iteration cap.

    Returns
    -------
    BinaryFit

    Raises
    ------
    ValueError
        Non-binary y, no events or no non-events, a rank-deficient design, or no convergence
        (e.g. separation: a regressor that predicts the outcome perfectly).
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    names = list(names) if names is not None else [f"x{i}" for i in range(k)]
    if link not in LINKS:
        raise ValueError(f"link {link!r}: use {', '.join(LINKS)}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("the outcome must be 0/1")
    ev = int(y.sum())
    if ev == 0 or ev == n:
        raise ValueError("no events (or only events) in the risk set: nothing to estimate")
    if not np.isfinite(X).all():
        raise ValueError("the design has missing or infinite values")
    if np.linalg.matrix_rank(X) < k:
        const = [nm for nm, col in zip(names, X.T, strict=True) if np.ptp(col) == 0]
        what = f" ({', '.join(const)} constant)" if len(const) > 1 else ""
        raise ValueError(
            "the design is rank deficient: a regressor is constant or collinear with others" + what
        )
    ybar = ev / n
    b = np.zeros(k)
    # start: intercept-like level through the mean (works for either link)
    eta0 = np.log(ybar / (1 - ybar)) if link == "logit" else np.log(-np.log1p(-ybar))
    b = np.linalg.lstsq(X, np.full(n, eta0), rcond=None)[0]
    ll = _loglik(y, _mu_and_derivs(X @ b, link)[0])
    it = 0
    converged = False
    while it < max_iter:
        it += 1
        mu, d1, _ = _mu_and_derivs(X @ b, link)
        v = np.clip(mu * (1.0 - mu), 1e-300, None)
        score = X.T @ (d1 / v * (y - mu))
        info = (X * (d1 * d1 / v)[:, None]).T @ X
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError as exc:
            raise ValueError("singular information matrix (separation or collinearity)") from exc
        t = 1.0
        while True:
            nb = b + t * step
            nll = _loglik(y, _mu_and_derivs(X @ nb, link)[0])
            if nll >= ll - 1e-12 or t < 1e-8:
                break
            t /= 2.0
        change = np.max(np.abs(nb - b)) / (1.0 + np.max(np.abs(nb)))
        b, ll = nb, nll
        if change < tol:
            converged = True
            break
    if not converged:
        raise ValueError(
            "the hazard model did not converge: probably separation (a regressor or a period "
            "predicts adoption perfectly); drop it or use a smooth duration term"
        )
    mu, d1, d2 = _mu_and_derivs(X @ b, link)
    v = np.clip(mu * (1.0 - mu), 1e-300, None)
    info = (X * (d1 * d1 / v)[:, None]).T @ X
    bread = np.linalg.inv(info)
    cov_type, n_cl = "nonrobust", None
    cov = bread
    if clusters is not None:
        # the sandwich's bread is the observed information (the M-estimator's Hessian; equal
        # to the expected one for the canonical logit link)
        w_obs = d1 * d1 / v - (y - mu) * (d2 / v - d1 * d1 * (1.0 - 2.0 * mu) / (v * v))
        bread = np.linalg.inv((X * w_obs[:, None]).T @ X)
        codes, _ = pd.factorize(pd.Series(np.asarray(clusters)), sort=True)
        n_cl = int(codes.max()) + 1
        if n_cl < 2:
            raise ValueError("cluster-robust SEs need at least two clusters")
        scores = X * (d1 / v * (y - mu))[:, None]
        sg = np.zeros((n_cl, k))
        np.add.at(sg, codes, scores)
        meat = sg.T @ sg
        corr = n_cl / (n_cl - 1.0) * (n - 1.0) / (n - k)
        cov = corr * bread @ meat @ bread
        cov_type = "cluster"
    ll_null = _loglik(y, np.full(n, ybar))
    return BinaryFit(names, b, cov, cov_type, link, ll, ll_null, n, ev, n_cl, it, X, y)


# --------------------------------------------------------------------------------------------
# exposures
# --------------------------------------------------------------------------------------------
def neighbour_exposure(
    units: Sequence[Any],
    years: Sequence[int],
    first_year: Mapping[Any, int | None],
    W: sparse.spmatrix | np.ndarray,
    *,
    lag: int = 1,
    ids: Sequence[Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Share and number of a unit's neighbours that had adopted ``lag`` years before.

    ``share_it = sum_j w_ij A_j(t - lag) / sum_j w_ij`` with ``A_j(s) = 1`` when unit j's first
    adoption year is <= s (Berry & Berry 1990's neighbour variable, for any weights: contiguity,
    k nearest, distance band or a link network); units without neighbours get share 0 and
    ``n_neighbours`` 0 (say so to the user).

    Parameters
    ----------
    units, years : sequence
        Row keys (one risk-set row each), same length.
    first_year : mapping
        Unit -> first adoption year (None / missing = never). Units of the weights only.
    W : scipy.sparse matrix or numpy.ndarray
        Weights (n x n, non-negative) in the order ``ids``.
    lag : int
        Years between the neighbours' adoption and the row's year (1 = adopted in an earlier
        year; 0 = also the same year).
    ids : sequence, optional
        Unit order of ``W`` (default: sorted distinct ``units``).

    Returns
    -------
    share : numpy.ndarray
        Weighted share of adopted neighbours per row.
    count : numpy.ndarray
        Weighted number of adopted neighbours per row (binary weights: a count).
    """
    ids = list(ids) if ids is not None else sorted(set(units))
    pos = {u: i for i, u in enumerate(ids)}
    W = sparse.csr_matrix(W, dtype=float)
    row_sum = np.asarray(W.sum(axis=1)).ravel()
    fy = np.array([np.inf if first_year.get(u) is None else float(first_year.get(u)) for u in ids])
    units = list(units)
    years_a = np.asarray(years, dtype=float)
    idx = np.array([pos[u] for u in units])
    share = np.zeros(len(units))
    count = np.zeros(len(units))
    for t in np.unique(years_a):
        adopted = (fy <= t - lag).astype(float)
        wa = W @ adopted
        sel = years_a == t
        ii = idx[sel]
        count[sel] = wa[ii]
        with np.errstate(divide="ignore", invalid="ignore"):
            share[sel] = np.where(row_sum[ii] > 0, wa[ii] / row_sum[ii], 0.0)
    return share, count


# --------------------------------------------------------------------------------------------
# the EHA design
# --------------------------------------------------------------------------------------------
@dataclass
class EhaDesign:
    """Design of a discrete-time hazard model on a risk set.

    Attributes
    ----------
    y : numpy.ndarray
        Event indicator.
    X : numpy.ndarray
        Design.
    names : list of str
        Design column names.
    rows : pandas.DataFrame
        The risk-set rows used (after dropping periods without events under dummies).
    dropped_periods : list
        (programme, period) pairs without events dropped under period dummies (their
        dummies would be minus infinity: their rows carry no information on the rest).
    covariates : list of str
        The substantive regressors (not intercepts or duration terms).
    """

    y: np.ndarray
    X: np.ndarray
    names: list[str]
    rows: pd.DataFrame
    dropped_periods: list[Any]
    covariates: list[str]


def eha_design(
    risk: pd.DataFrame,
    covariates: Sequence[str],
    *,
    event: str = "event",
    time: str = "year",
    duration: str = "duration",
    dependence: str = "cubic",
    programme: str | None = None,
) -> EhaDesign:
    """Build the design of a discrete-time hazard model (Beck, Katz & Tucker 1998).

    Duration dependence: ``'dummies'`` (one dummy per period of ``time``; periods without an
    event are dropped with their rows, since their MLE dummy is minus infinity and the rows
    then add nothing to the likelihood of the rest), ``'cubic'`` (t, t^2, t^3 of ``duration``,
    Carter & Signorino 2010; t scaled by its maximum), ``'log'`` (log t) or ``'none'``.
    Pooled EHA (Boehmke 2009): with ``programme`` (a column naming each row's programme) the
    baseline is programme-specific: one intercept per programme and the duration terms
    interacted with the programme.

    Parameters
    ----------
    risk : pandas.DataFrame
        Risk set: one row per unit-period at risk, with ``event`` (0/1), ``time``,
        ``duration`` and the covariates.
    covariates : sequence of str
        Regressors (numeric columns).
    event, time, duration : str
        Column names.
    dependence : {'dummies', 'cubic', 'log', 'none'}
        Duration dependence.
    programme : str, optional
        Programme column for a pooled model.

    Returns
    -------
    EhaDesign

    Raises
    ------
    ValueError
        Unknown dependence, missing columns or values.
    """
    if dependence not in DURATIONS:
        raise ValueError(f"duration dependence {dependence!r}: use {', '.join(DURATIONS)}")
    covariates = list(covariates)
    need = [event, time, duration, *covariates] + ([programme] if programme else [])
    missing = [c for c in need if c not in risk.columns]
    if missing:
        raise ValueError(f"risk set lacks column(s): {', '.join(missing)}")
    df = risk.reset_index(drop=True)
    if df[covariates].isna().any().any():
        bad = [c for c in covariates if df[c].isna().any()]
        raise ValueError(f"missing values in {', '.join(bad)}")
    groups = df[programme].astype(str) if programme else pd.Series("all", index=df.index)
    dropped: list[Any] = []
    if dependence == "dummies":
        per = df.groupby([groups, df[time]])[event].transform("sum")
        gone = df.loc[per == 0].assign(_g=groups[per == 0])
        dropped = sorted(set(zip(gone["_g"], gone[time], strict=True)))
        keep = per > 0
        df = df.loc[keep].reset_index(drop=True)
        groups = groups.loc[keep].reset_index(drop=True)
    cols: list[np.ndarray] = []
    names: list[str] = []
    progs = sorted(groups.unique())
    pooled = programme is not None
    for g in progs:
        ind = (groups == g).to_numpy(dtype=float)
        pre = f"{g}:" if pooled else ""
        if dependence == "dummies":
            for t in sorted(df.loc[groups == g, time].unique()):
                cols.append(ind * (df[time] == t).to_numpy(dtype=float))
                names.append(f"{pre}period[{t}]")
            continue
        cols.append(ind)
        names.append(f"{pre}const")
        d = df[duration].to_numpy(dtype=float)
        if dependence == "cubic":
            s = d / max(float(np.max(d)), 1.0)
            for p in (1, 2, 3):
                cols.append(ind * s**p)
                names.append(f"{pre}t^{p}")
        elif dependence == "log":
            cols.append(ind * np.log(np.clip(d, 1.0, None)))
            names.append(f"{pre}log(t)")
    for c in covariates:
        cols.append(df[c].to_numpy(dtype=float))
        names.append(c)
    X = np.column_stack(cols)
    return EhaDesign(df[event].to_numpy(dtype=float), X, names, df, dropped, covariates)


@dataclass
class EhaResult:
    """A fitted discrete-time hazard model.

    Attributes
    ----------
    fit : BinaryFit
        The GLM fit (all coefficients).
    ame : pandas.DataFrame
        Average marginal effects of the covariates on the hazard.
    design : EhaDesign
        The design it was fitted on.
    dependence : str
        Duration dependence.
    """

    fit: BinaryFit
    ame: pd.DataFrame
    design: EhaDesign
    dependence: str

    def coefficients(self, covariates_only: bool = False) -> pd.DataFrame:
        """Coefficient table (optionally the covariates only)."""
        c = self.fit.coefficients()
        return c[c["name"].isin(self.design.covariates)] if covariates_only else c

    def covariate_ratio(self, level: float = 0.95) -> pd.DataFrame:
        """Each design row's ratio from the substantive regressors, with its confidence interval.

        ``exp(x_c' b_c)`` over the regressors (not the intercepts or duration terms): the row's
        hazard (cloglog) or odds (logit) of adoption relative to a row of the same programme and
        duration with every regressor at 0. The interval is ``exp(x_c' b_c +- z se)`` with
        ``se^2 = x_c' V_c x_c`` from the fit's covariance (cluster-robust when clustered).

        Parameters
        ----------
        level : float
            Confidence level of the interval.

        Returns
        -------
        pandas.DataFrame
            Columns ``ratio``, ``ratio_low``, ``ratio_high``, in the order of
            ``design.rows``.
        """
        idx = [self.design.names.index(c) for c in self.design.covariates]
        Xc = self.design.X[:, idx]
        eta = Xc @ self.fit.params[idx]
        se = np.sqrt(np.einsum("ij,jk,ik->i", Xc, self.fit.cov[np.ix_(idx, idx)], Xc))
        z = stats.norm.ppf(0.5 + level / 2)
        return pd.DataFrame(
            {
                "ratio": np.exp(eta),
                "ratio_low": np.exp(eta - z * se),
                "ratio_high": np.exp(eta + z * se),
            },
            index=self.design.rows.index,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary with the AMEs and the dropped periods."""
        out = self.fit.to_dict()
        out["dependence"] = self.dependence
        out["average_marginal_effects"] = self.ame.to_dict(orient="records")
        out["dropped_periods"] = [list(map(str, p)) for p in self.design.dropped_periods]
        return out


def fit_eha(
    risk: pd.DataFrame,
    covariates: Sequence[str],
    *,
    link: str = "logit",
    dependence: str = "cubic",
    cluster: str | None = "unit",
    programme: str | None = None,
    event: str = "event",
    time: str = "year",
    duration: str = "duration",
) -> EhaResult:
    """Discrete-time EHA: logit or cloglog hazard of adoption on a risk set.

    Parameters
    ----------
    risk : pandas.DataFrame
        Risk set (one row per unit-period at risk).
    covariates : sequence of str
        Regressors.
    link : {'logit', 'cloglog'}
        Logit (Berry & Berry 1990) or complementary log-log (grouped-duration proportional
        hazards; ``exp(b)`` is a hazard ratio).
    dependence : {'dummies', 'cubic', 'log', 'none'}
        Duration dependence (see :func:`eha_design`).
    cluster : str or None
        Column of cluster labels for robust SEs (default the unit); None = model-based.
    programme : str, optional
        Programme column: pooled EHA with programme-specific baselines.
    event, time, duration : str
        Column names.

    Returns
    -------
    EhaResult
    """
    d = eha_design(
        risk,
        covariates,
        event=event,
        time=time,
        duration=duration,
        dependence=dependence,
        programme=programme,
    )
    cl = None
    if cluster is not None:
        if cluster not in d.rows.columns:
            raise ValueError(f"cluster column {cluster!r} not in the risk set")
        cl = d.rows[cluster].to_numpy()
    fit = fit_binary(d.y, d.X, link=link, names=d.names, clusters=cl)
    ame = fit.average_marginal_effects(d.covariates)
    return EhaResult(fit, ame, d, dependence)


# --------------------------------------------------------------------------------------------
# directed dyads
# --------------------------------------------------------------------------------------------
def dyad_risk_set(
    risk: pd.DataFrame,
    first_year: Mapping[Any, int | None],
    *,
    unit: str = "unit",
    time: str = "year",
    event: str = "event",
    lag: int = 1,
) -> pd.DataFrame:
    """Directed-dyad risk set (Volden 2006): (i, j, t) with i at risk in t and j adopted before.

    A dyad enters when the source j has adopted (first year <= t - ``lag``) and the target i
    is still at risk in t; its outcome is 1 when i adopts in t. Every such dyad of a target
    adopting in t gets 1 (Volden's coding: the dyad model asks which earlier adopters a new
    adopter resembles).

    Parameters
    ----------
    risk : pandas.DataFrame
        Monadic risk set with ``unit``, ``time`` and ``event``.
    first_year : mapping
        Unit -> first adoption year of every potential source (None = never).
    unit, time, event : str
        Column names.
    lag : int
        Years between the source's adoption and t (1 = an earlier year).

    Returns
    -------
    pandas.DataFrame
        ``i, j, year, event, source_year`` sorted by year, i, j.
    """
    src = pd.DataFrame(
        [(u, int(y)) for u, y in first_year.items() if y is not None and not pd.isna(y)],
        columns=["j", "source_year"],
    )
    r = risk[[unit, time, event]].rename(columns={unit: "i", time: "year", event: "event"})
    out = r.merge(src, how="cross")
    out = out[(out["source_year"] <= out["year"] - lag) & (out["i"] != out["j"])]
    out = out.sort_values(["year", "i", "j"]).reset_index(drop=True)
    return out[["i", "j", "year", "event", "source_year"]]


def pair_lookup(
    dyads: pd.DataFrame, pairs: pd.DataFrame, value: str | None = None, *, symmetric: bool = True
) -> np.ndarray:
    """Value of a pair attribute for each dyad (0 when the pair is absent).

    Parameters
    ----------
    dyads : pandas.DataFrame
        With columns ``i, j``.
    pairs : pandas.DataFrame
        Columns ``i, j`` (and ``value`` if given): e.g. contiguity or link pairs.
    value : str, optional
        Column of ``pairs`` to return; None = 1 for a listed pair.
    symmetric : bool
        Look the pair up in both directions.

    Returns
    -------
    numpy.ndarray
    """
    p = pairs[["i", "j"]].copy()
    p["_v"] = 1.0 if value is None else pairs[value].astype(float).to_numpy()
    if symmetric:
        p = pd.concat([p, p.rename(columns={"i": "j", "j": "i"})], ignore_index=True)
    p = p.drop_duplicates(["i", "j"])
    m = dyads[["i", "j"]].merge(p, on=["i", "j"], how="left")
    return m["_v"].fillna(0.0).to_numpy()
