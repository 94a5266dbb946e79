"""Sensitivity of event-study conclusions to violations of parallel trends (Rambachan and Roth
2023) and the power of pre-trend tests (Roth 2022).

The event-study coefficients are :math:`\\beta = \\tau + \\delta` with :math:`\\tau_{pre} = 0`
and :math:`\\delta` the difference in trends, normalised to 0 in the reference period. The
target is :math:`\\theta = l'\\tau_{post}`. Two restrictions on :math:`\\delta`:

- relative magnitudes :math:`\\Delta^{RM}(\\bar M)`: every post-period change
  :math:`|\\delta_{e} - \\delta_{e-1}|` (``e >= 0``) is at most :math:`\\bar M` times the largest
  pre-period change;
- smoothness :math:`\\Delta^{SD}(M)`: every second difference
  :math:`|(\\delta_{e+1} - \\delta_e) - (\\delta_e - \\delta_{e-1})|` is at most ``M`` (``M = 0``:
  linear trends extrapolated).

For each ``M`` the identified set at the point estimates (:math:`\\delta_{pre} = \\hat\\beta_{pre}`)
and a confidence set are linear programs (scipy HiGHS; :math:`\\Delta^{RM}` is a union of one
polyhedron per pre-period change and sign). The confidence set is the projection of a
simultaneous (sup-t) confidence box for :math:`\\beta`: the range of :math:`\\theta` over all
:math:`\\beta` in the box and all :math:`\\delta \\in \\Delta` with :math:`\\delta_{pre} =
\\beta_{pre}`. It covers :math:`\\theta` whenever the box covers :math:`\\beta` (probability
:math:`1-\\alpha`), so it is valid but more conservative than the conditional / FLCI intervals of
the R ``HonestDiD`` package. The breakdown value is the smallest ``M`` whose confidence set
contains 0.

References
----------
Rambachan, A., & Roth, J. (2023). A more credible approach to parallel trends. Review of
Economic Studies, 90(5), 2555-2591.
Roth, J. (2022). Pretest with caution: event-study estimates after testing for parallel
trends. American Economic Review: Insights, 4(3), 305-322.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = ["HonestResult", "honest_did", "pretrend_power", "sup_t_critical"]


def sup_t_critical(
    V: np.ndarray, alpha: float = 0.05, draws: int = 100_000, seed: int = 0
) -> float:
    """Critical value ``c`` with ``P(max_i |Z_i| / sd_i <= c) = 1 - alpha`` for ``Z ~ N(0, V)``.

    Parameters
    ----------
    V : ndarray
        Covariance matrix.
    alpha : float
        1 - confidence level.
    draws : int
        Simulation draws (seeded, so the value is reproducible).
    seed : int
        Seed.

    Returns
    -------
    float
    """
    sd = np.sqrt(np.diag(V))
    C = V / np.outer(sd, sd)
    return _sup_t(C.tobytes(), len(C), alpha, draws, seed)


@functools.lru_cache(maxsize=64)
def _sup_t(C_bytes: bytes, k: int, alpha: float, draws: int, seed: int) -> float:
    C = np.frombuffer(C_bytes).reshape(k, k)
    L = np.linalg.cholesky(C + 1e-12 * np.eye(k))
    Z = np.random.default_rng(seed).standard_normal((draws, k)) @ L.T
    return float(np.quantile(np.abs(Z).max(axis=1), 1 - alpha))


@dataclass
class HonestResult:
    """Rambachan-Roth sensitivity analysis.

    Attributes
    ----------
    table : DataFrame
        One row per ``M``: ``M``, ``id_lower``, ``id_upper`` (identified set at the point
        estimates; NaN when no trend in the restriction fits the pre-period estimates),
        ``lower``, ``upper`` (confidence set; NaN when empty).
    original : dict
        The target under exact parallel trends: ``estimate``, ``se``, ``lower``, ``upper``
        (pointwise normal interval).
    restriction : str
        ``rm`` (relative magnitudes) or ``sd`` (smoothness).
    breakdown : float
        Smallest ``M`` whose confidence set contains 0 (0 when the original interval does;
        ``inf`` when none up to the search limit does).
    target : str
        Description of :math:`l` (e.g. ``average of e = 0..4``).
    crit : float
        Critical value of the simultaneous box.
    alpha : float
        1 - confidence level.
    rel_times : list of int
        Event times of the coefficients used (reference excluded).
    """

    table: pd.DataFrame
    original: dict[str, float]
    restriction: str
    breakdown: float
    target: str
    crit: float
    alpha: float
    rel_times: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON ``honest`` block."""
        return {
            "restriction": self.restriction,
            "target": self.target,
            "original": dict(self.original),
            "breakdown": self.breakdown,
            "alpha": self.alpha,
            "crit": self.crit,
            "rel_times": list(self.rel_times),
            "sensitivity": [
                {k: (None if pd.isna(v) else float(v)) for k, v in r.items()}
                for r in self.table.to_dict("records")
            ],
            "confidence_set": "projection of a sup-t box (conservative)",
        }


def _restriction_blocks(
    e_all: np.ndarray, ref: int, restriction: str, M: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Polyhedra ``A delta <= b`` (delta over all event times, the reference included)."""
    k = len(e_all)
    pos = {int(e): i for i, e in enumerate(e_all)}

    def diff(e: int) -> np.ndarray:  # delta_e - delta_{e-1}
        row = np.zeros(k)
        row[pos[e]] += 1
        row[pos[e - 1]] -= 1
        return row

    if restriction == "sd":
        rows = []
        for e in e_all[1:-1]:
            r = diff(int(e) + 1) - diff(int(e))
            rows += [r, -r]
        A = np.array(rows) if rows else np.zeros((0, k))
        return [(A, np.full(len(rows), M))]
    pre_changes = [int(e) for e in e_all if e <= ref and e - 1 in pos]
    post_changes = [int(e) for e in e_all if e > ref and e - 1 in pos]
    blocks = []
    for s in pre_changes:
        for sign in (1.0, -1.0):
            m = sign * diff(s)
            rows = []
            for s2 in pre_changes:  # m is the largest pre-period change
                rows += [diff(s2) - m, -diff(s2) - m]
            for e in post_changes:
                rows += [diff(e) - M * m, -diff(e) - M * m]
            rows.append(-m)  # m >= 0
            A = np.array(rows)
            blocks.append((A, np.zeros(len(rows))))
    return blocks


def _theta_range(
    beta: np.ndarray,
    half: np.ndarray,
    e_all: np.ndarray,
    ref: int,
    l_post: np.ndarray,
    restriction: str,
    M: float,
) -> tuple[float, float]:
    """min / max of l'(beta_post - delta_post) over beta in [beta - half, beta + half] and
    delta in the restriction with delta_pre = beta_pre and delta_ref = 0 (NaN when empty).

    Relative magnitudes with non-negative weights (every target of :func:`honest_did`) in
    closed form (:func:`_theta_range_rm`), anything else by linear programs
    (:func:`_theta_range_lp`); the two agree (tests/test_did_honest.py).
    """
    if restriction == "rm" and np.all(np.asarray(l_post) >= 0):
        return _theta_range_rm(beta, half, e_all, ref, l_post, M)
    return _theta_range_lp(beta, half, e_all, ref, l_post, restriction, M)


def _theta_range_rm(
    beta: np.ndarray,
    half: np.ndarray,
    e_all: np.ndarray,
    ref: int,
    l_post: np.ndarray,
    M: float,
) -> tuple[float, float]:
    """:func:`_theta_range` under relative magnitudes for ``l_post >= 0``, in closed form.

    The union of the RM polyhedra is: every post-period change ``|delta_e - delta_{e-1}|`` at
    most ``M m``, ``m`` the largest pre-period change ``|delta_s - delta_{s-1}|`` (the change
    into the reference included, ``delta_ref = 0``). For a given ``m`` the post-period
    deviations reach ``delta_{ref+j} = -/+ j M m`` together, so ``l'delta_post`` spans
    ``+/- M m sum_j j l_j``; ``m`` is largest at a corner of the box (each change
    ``|b_s - b_{s-1}| + h_s + h_{s-1}``), and the post-period coefficients, which enter only
    through ``l'beta_post``, at its other corners. (Rambachan and Roth 2023, Sec. 2.4; the
    linear programs of :func:`_theta_range_lp` give the same bounds, ~350 of them per report.)
    """
    coef_e = [int(e) for e in e_all if e != ref]
    b = dict(zip(coef_e, np.asarray(beta, float), strict=True))
    h = dict(zip(coef_e, np.asarray(half, float), strict=True))
    b[ref], h[ref] = 0.0, 0.0
    pre = [int(e) for e in e_all if e <= ref and e - 1 in b]
    m = max(abs(b[e] - b[e - 1]) + h[e] + h[e - 1] for e in pre)
    post = [e for e in coef_e if e > ref]
    lp = np.asarray(l_post, float)
    centre = float(sum(w * b[e] for w, e in zip(lp, post, strict=True)))
    box = float(sum(w * h[e] for w, e in zip(lp, post, strict=True)))
    drift = M * m * float(sum(w * (e - ref) for w, e in zip(lp, post, strict=True)))
    return centre - box - drift, centre + box + drift


def _theta_range_lp(
    beta: np.ndarray,
    half: np.ndarray,
    e_all: np.ndarray,
    ref: int,
    l_post: np.ndarray,
    restriction: str,
    M: float,
) -> tuple[float, float]:
    """:func:`_theta_range` by linear programs: for each polyhedron of the restriction, the
    min and the max of the objective (HiGHS through ``scipy.optimize.linprog``)."""
    k = len(e_all)
    pos = {int(e): i for i, e in enumerate(e_all)}
    coef_e = [int(e) for e in e_all if e != ref]
    q = len(coef_e)
    # variables: beta (q), delta (k)
    A_eq, b_eq = [], []
    row = np.zeros(q + k)
    row[q + pos[ref]] = 1
    A_eq.append(row)
    b_eq.append(0.0)
    for j, e in enumerate(coef_e):
        if e < ref:
            row = np.zeros(q + k)
            row[j], row[q + pos[e]] = 1, -1
            A_eq.append(row)
            b_eq.append(0.0)
    c = np.zeros(q + k)
    post = [j for j, e in enumerate(coef_e) if e > ref]
    for w, j in zip(l_post, post, strict=True):
        c[j] += w
        c[q + pos[coef_e[j]]] -= w
    bounds = [(b - h, b + h) for b, h in zip(beta, half, strict=True)] + [(None, None)] * k
    lo, hi = np.inf, -np.inf
    for A, b in _restriction_blocks(e_all, ref, restriction, M):
        A_ub = np.hstack([np.zeros((len(A), q)), A]) if len(A) else None
        for sgn in (1.0, -1.0):
            res = optimize.linprog(
                sgn * c,
                A_ub=A_ub,
                b_ub=b if len(A) else None,
                A_eq=np.array(A_eq),
                b_eq=np.array(b_eq),
                bounds=bounds,
                method="highs",
            )
            if res.status == 0:
                val = sgn * res.fun
                lo, hi = min(lo, val), max(hi, val)
            elif res.status == 3:  # unbounded
                lo, hi = (-np.inf, hi) if sgn > 0 else (lo, np.inf)
    if lo > hi:
        return float("nan"), float("nan")
    return float(lo), float(hi)


def honest_did(
    rel_times: Sequence[int],
    estimates: Sequence[float],
    vcov: np.ndarray,
    *,
    restriction: str = "rm",
    m_values: Sequence[float] = (0.0, 0.5, 1.0, 1.5, 2.0),
    target: str | int = "average",
    reference: int = -1,
    alpha: float = 0.05,
    seed: int = 0,
    breakdown: bool = True,
) -> HonestResult:
    """Rambachan-Roth bounds on a post-treatment effect under RM or SD restrictions.

    Parameters
    ----------
    rel_times : sequence of int
        Event times of the coefficients (reference excluded); with the reference they must be
        consecutive integers.
    estimates : sequence of float
        Event-study coefficients.
    vcov : ndarray
        Their covariance matrix.
    restriction : {'rm', 'sd'}
        Relative magnitudes (``M`` = :math:`\\bar M`) or smoothness (``M`` in outcome units).
    m_values : sequence of float
        Values of ``M`` in the sensitivity table.
    target : 'average', 'first' or int
        :math:`\\theta`: the average of the post-period effects, the first one, or the effect at
        one event time.
    reference : int
        Normalised event time (delta = 0).
    alpha : float
        1 - confidence level.
    seed : int
        Seed of the simulated sup-t critical value.
    breakdown : bool
        Search the breakdown value (NaN when False).

    Returns
    -------
    HonestResult
    """
    if restriction not in ("rm", "sd"):
        raise ValueError("restriction must be 'rm' or 'sd'")
    e = np.asarray(rel_times, dtype=int)
    order = np.argsort(e)
    e, beta = e[order], np.asarray(estimates, float)[order]
    V = np.asarray(vcov, float)[np.ix_(order, order)]
    e_all = np.sort(np.append(e, reference))
    if reference in set(e) or np.any(np.diff(e_all) != 1):
        raise ValueError("event times with the reference must be consecutive integers")
    post = e[e > reference]
    pre = e[e < reference]
    if len(post) == 0 or len(pre) == 0:
        raise ValueError("need at least one pre-period (before the reference) and one post-period")
    if restriction == "sd" and len(e_all) < 3:
        raise ValueError("the smoothness restriction needs three event times")
    if target == "average":
        l_post = np.full(len(post), 1 / len(post))
        label = f"average of e = {post[0]}..{post[-1]}"
    elif target == "first":
        l_post = (post == post[0]).astype(float)
        label = f"e = {post[0]}"
    else:
        if int(target) not in set(post):
            raise ValueError(f"target event time {target} is not a post-period")
        l_post = (post == int(target)).astype(float)
        label = f"e = {int(target)}"
    se = np.sqrt(np.diag(V))
    if not np.all(np.isfinite(se)) or np.any(se <= 0):
        raise ValueError("the event-study standard errors must be positive")
    crit = sup_t_critical(V, alpha, seed=seed)
    idx_post = np.isin(e, post)
    est = float(l_post @ beta[idx_post])
    se_t = float(np.sqrt(l_post @ V[np.ix_(idx_post, idx_post)] @ l_post))
    z = float(stats.norm.ppf(1 - alpha / 2))
    original = {"estimate": est, "se": se_t, "lower": est - z * se_t, "upper": est + z * se_t}
    rows = []
    for M in m_values:
        il, iu = _theta_range(beta, np.zeros_like(beta), e_all, reference, l_post, restriction, M)
        cl, cu = _theta_range(beta, crit * se, e_all, reference, l_post, restriction, M)
        rows.append((float(M), il, iu, cl, cu))
    table = pd.DataFrame(rows, columns=["M", "id_lower", "id_upper", "lower", "upper"])

    def covers_zero(M: float) -> bool:
        lo, hi = _theta_range(beta, crit * se, e_all, reference, l_post, restriction, M)
        return bool(np.isfinite(lo) or np.isfinite(hi)) and lo <= 0 <= hi

    bd = float("nan")
    if breakdown:
        bd = _breakdown(covers_zero, scale=float(np.max(np.abs(beta)) + se.max()))
    return HonestResult(
        table=table,
        original=original,
        restriction=restriction,
        breakdown=bd,
        target=label,
        crit=crit,
        alpha=alpha,
        rel_times=[int(v) for v in e],
    )


def _breakdown(covers_zero: Any, scale: float, tol: float = 1e-3) -> float:
    """Smallest M with a confidence set containing 0, by bisection (sets grow with M)."""
    if covers_zero(0.0):
        return 0.0
    hi = max(scale, 1.0)
    for _ in range(40):
        if covers_zero(hi):
            break
        hi *= 2
    else:
        return float("inf")
    lo = 0.0
    while hi - lo > tol * max(1.0, hi):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if covers_zero(mid) else (mid, hi)
    return float(hi)


def pretrend_power(
    rel_times: Sequence[int],
    vcov: np.ndarray,
    slope: float,
    *,
    reference: int = -1,
    alpha: float = 0.05,
    seed: int = 0,
) -> float:
    """Power of the pre-test "some pre-period coefficient is significant" against a linear trend.

    Under :math:`\\delta_e = \\gamma\\,(e - reference)` the pre-period estimates are
    :math:`N(\\delta_{pre}, \\Sigma_{pre})`; the test rejects when any
    :math:`|\\hat\\beta_e / se_e| > z_{1-\\alpha/2}` (Roth 2022, Sec. 3). The power is one minus the
    normal probability of the acceptance rectangle.

    Parameters
    ----------
    rel_times : sequence of int
        Pre-period event times (all before ``reference``).
    vcov : ndarray
        Covariance of their coefficients.
    slope : float
        :math:`\\gamma`, the trend per period.
    reference : int
        Normalised event time.
    alpha : float
        Level of each individual test.
    seed : int
        Seed of SciPy's quasi-Monte Carlo integration of the rectangle (two or more
        pre-periods; error ~1e-5): the same inputs give the same power, and the power is a
        smooth function of ``slope`` for :func:`slope_for_power` (common random numbers).

    Returns
    -------
    float
    """
    e = np.asarray(rel_times, float)
    V = np.asarray(vcov, float)
    se = np.sqrt(np.diag(V))
    mean = slope * (e - reference) / se
    C = V / np.outer(se, se)
    z = stats.norm.ppf(1 - alpha / 2)
    if len(e) == 1:
        acc = stats.norm.cdf(z - mean[0]) - stats.norm.cdf(-z - mean[0])
    else:
        mvn = stats.multivariate_normal(mean=mean, cov=C)
        acc = mvn.cdf(
            np.full(len(e), z), lower_limit=np.full(len(e), -z), rng=np.random.default_rng(seed)
        )
    return float(1 - acc)


def slope_for_power(
    rel_times: Sequence[int],
    vcov: np.ndarray,
    power: float = 0.8,
    *,
    reference: int = -1,
    alpha: float = 0.05,
    seed: int = 0,
) -> float:
    """Positive linear-trend slope that the pre-test detects with the given power (Roth 2022).

    Parameters
    ----------
    rel_times, vcov, reference, alpha, seed
        As :func:`pretrend_power`.
    power : float
        Target power (e.g. 0.5 or 0.8).

    Returns
    -------
    float
    """
    se = np.sqrt(np.diag(np.asarray(vcov, float)))
    hi = float(se.max())

    def power_at(slope: float) -> float:
        return pretrend_power(rel_times, vcov, slope, reference=reference, alpha=alpha, seed=seed)

    while power_at(hi) < power:
        hi *= 2
    return float(
        optimize.brentq(
            lambda g: power_at(g) - power,
            0.0,
            hi,
            xtol=1e-10 * hi,
        )
    )
