"""Diffusion curves: logistic and Bass models of cumulative adoption, fitted by least squares.

The cumulative number of adopters N(t) after t periods is fitted by nonlinear least squares
(``scipy.optimize.least_squares``, trust-region reflective with bounds) to

- the logistic curve ``N(t) = K / (1 + exp(-r (t - t0)))`` (saturation K, growth rate r,
  inflection time t0; Griliches 1957);
- the Bass (1969) model ``N(t) = m F(t)`` with
  ``F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))``: p the coefficient of
  external influence (innovation), q of internal influence (imitation), m the number of
  eventual adopters; t counts periods since the launch (F(0) = 0). Srinivasan & Mason (1986)
  fit it in this cumulative form by nonlinear least squares.

Standard errors are those of nonlinear least squares, ``s^2 (J'J)^{-1}`` with J the (analytic)
Jacobian of the residuals at the estimate and ``s^2 = SSR / (n - k)`` (as
``scipy.optimize.curve_fit`` with ``absolute_sigma=False``). The three
starting points of a grid with the smallest SSR are optimised and the best fit kept.

References
----------
Bass, F. M. (1969). A new product growth for model consumer durables. *Management Science*
15(5), 215-227.
Griliches, Z. (1957). Hybrid corn: an exploration in the economics of technological change.
*Econometrica* 25(4), 501-522.
Srinivasan, V. & Mason, C. H. (1986). Nonlinear least squares estimation of new product
diffusion models. *Marketing Science* 5(2), 169-178.
Sultan, F., Farley, J. U. & Lehmann, D. R. (1990). A meta-analysis of applications of diffusion
models. *Journal of Marketing Research* 27(1), 70-77.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

CURVE_MODELS = ("logistic", "bass")


def logistic_cumulative(t: Any, K: float, r: float, t0: float) -> np.ndarray:
    """Logistic cumulative adoption ``K / (1 + exp(-r (t - t0)))``.

    Parameters
    ----------
    t : array_like
        Time.
    K, r, t0 : float
        Saturation level, growth rate, inflection time.

    Returns
    -------
    numpy.ndarray
    """
    z = -r * (np.asarray(t, float) - t0)
    return K * np.exp(-np.logaddexp(0.0, z))


def bass_fraction(t: Any, p: float, q: float) -> np.ndarray:
    """Bass (1969) cumulative fraction of eventual adopters F(t), F(0) = 0.

    ``F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))``.

    Parameters
    ----------
    t : array_like
        Periods since launch.
    p, q : float
        Coefficients of external (innovation) and internal (imitation) influence, p > 0.

    Returns
    -------
    numpy.ndarray
    """
    e = np.exp(-(p + q) * np.asarray(t, float))
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_cumulative(t: Any, p: float, q: float, m: float) -> np.ndarray:
    """Bass cumulative adopters ``m F(t)`` (see :func:`bass_fraction`)."""
    return m * bass_fraction(t, p, q)


@dataclass
class CurveFit:
    """A fitted diffusion curve.

    Attributes
    ----------
    model : str
        ``'logistic'`` or ``'bass'``.
    names : tuple of str
        Parameter names (``K, r, t0`` or ``p, q, m``).
    params : numpy.ndarray
        Estimates.
    se : numpy.ndarray
        Standard errors (NaN when the Jacobian is rank-deficient or a bound is active).
    cov : numpy.ndarray
        Covariance ``s^2 (J'J)^{-1}``.
    ssr : float
        Sum of squared residuals.
    n : int
        Observations.
    r2 : float
        1 - SSR / total sum of squares.
    converged : bool
        The optimiser's success flag.
    at_bound : tuple of str
        Parameters at a bound of the search (their SEs are not reported).
    message : str
        The optimiser's message.
    """

    model: str
    names: tuple[str, ...]
    params: np.ndarray
    se: np.ndarray
    cov: np.ndarray
    ssr: float
    n: int
    r2: float
    converged: bool
    at_bound: tuple[str, ...]
    message: str

    def predict(self, t: Any) -> np.ndarray:
        """Fitted cumulative adoption at ``t``."""
        return _FUNCS[self.model](np.asarray(t, float), *self.params)

    def coefficients(self) -> pd.DataFrame:
        """``name, estimate, se, z, p`` (normal reference)."""
        z = self.params / self.se
        return pd.DataFrame(
            {
                "name": list(self.names),
                "estimate": self.params,
                "se": self.se,
                "z": z,
                "p": 2 * stats.norm.sf(np.abs(z)),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "model": self.model,
            "parameters": self.coefficients().to_dict(orient="records"),
            "ssr": self.ssr,
            "n": self.n,
            "r2": self.r2,
            "converged": self.converged,
            "at_bound": list(self.at_bound),
            "message": self.message,
        }


_FUNCS: dict[str, Callable[..., np.ndarray]] = {
    "logistic": logistic_cumulative,
    "bass": bass_cumulative,
}


def _logistic_jacobian(t: np.ndarray, K: float, r: float, t0: float) -> np.ndarray:
    """Columns dN/dK, dN/dr, dN/dt0 of the logistic curve at ``t`` (n x 3)."""
    z = -r * (t - t0)
    s = np.exp(-np.logaddexp(0.0, z))  # sigma(r (t - t0))
    ds = np.exp(-np.logaddexp(0.0, z) - np.logaddexp(0.0, -z))  # s (1 - s), no cancellation
    return np.column_stack([s, K * ds * (t - t0), -K * ds * r])


def _bass_jacobian(t: np.ndarray, p: float, q: float, m: float) -> np.ndarray:
    """Columns dN/dp, dN/dq, dN/dm of the Bass curve ``m F(t)`` at ``t`` (n x 3).

    With ``e = exp(-(p + q) t)``, ``c = q / p`` and ``D = 1 + c e``:
    ``dF/dp = e ((1 + c) t + (1 - e) q / p^2) / D^2`` and
    ``dF/dq = e ((1 + c) t - (1 - e) / p) / D^2``.
    """
    e = np.exp(-(p + q) * t)
    c = q / p
    d2 = (1.0 + c * e) ** 2
    base = (1.0 + c) * t
    dfp = e * (base + (1.0 - e) * q / p**2) / d2
    dfq = e * (base - (1.0 - e) / p) / d2
    return np.column_stack([m * dfp, m * dfq, (1.0 - e) / (1.0 + c * e)])


# Analytic Jacobians: a finite-difference Jacobian costs three more curve evaluations per
# iteration (~40% of a fit), and the standard errors come from the Jacobian at the estimate.
_JACOBIANS: dict[str, Callable[..., np.ndarray]] = {
    "logistic": _logistic_jacobian,
    "bass": _bass_jacobian,
}


def _least_squares(
    model: str,
    names: tuple[str, ...],
    t: np.ndarray,
    y: np.ndarray,
    starts: Sequence[Sequence[float]],
    bounds: tuple[Sequence[float], Sequence[float]],
) -> CurveFit:
    f = _FUNCS[model]
    if len(t) != len(y) or len(t) <= len(names):
        raise ValueError(f"the {model} curve needs more than {len(names)} observations")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y))):
        raise ValueError("times and cumulative counts must be finite")

    def resid(b: np.ndarray) -> np.ndarray:
        return f(t, *b) - y

    def jac(b: np.ndarray) -> np.ndarray:
        return _JACOBIANS[model](t, *b)

    lo0, hi0 = np.add(bounds[0], 1e-9), np.asarray(bounds[1], float)
    cand = [np.clip(np.asarray(x0, float), lo0, hi0) for x0 in starts]
    with np.errstate(all="ignore"):
        ssr0 = [float(np.sum(resid(x0) ** 2)) for x0 in cand]
    # optimise from the three starting points with the smallest SSR
    order = np.argsort(np.where(np.isfinite(ssr0), ssr0, np.inf), kind="stable")[:3]
    best = None
    for x0 in (cand[k] for k in order):
        try:
            r = optimize.least_squares(
                resid, x0, jac=jac, bounds=bounds, method="trf", x_scale="jac", xtol=1e-12,
                ftol=1e-12, gtol=1e-12, max_nfev=5000,
            )  # fmt: skip
        except (ValueError, FloatingPointError):
            continue
        if np.all(np.isfinite(r.fun)) and (best is None or 2 * r.cost < 2 * best.cost):
            best = r
    if best is None:
        raise ValueError(f"the {model} curve could not be fitted from any starting point")
    b = best.x
    J = best.jac
    ssr = float(np.sum(best.fun**2))
    n, k = len(y), len(b)
    s2 = ssr / (n - k)
    lo, hi = np.asarray(bounds[0], float), np.asarray(bounds[1], float)
    tol = 1e-6 * np.maximum(1.0, np.abs(b))
    active = (np.abs(b - lo) < tol) | (np.abs(hi - b) < tol)
    try:
        cov = s2 * np.linalg.inv(J.T @ J)
        if not np.all(np.isfinite(cov)) or np.linalg.cond(J.T @ J) > 1e14:
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov = np.full((k, k), np.nan)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    se[active] = np.nan
    tss = float(np.sum((y - y.mean()) ** 2))
    return CurveFit(
        model,
        names,
        b,
        se,
        cov,
        ssr,
        n,
        1.0 - ssr / tss if tss > 0 else float("nan"),
        bool(best.success),
        tuple(nm for nm, a in zip(names, active, strict=True) if a),
        str(best.message),
    )


def fit_logistic(t: Any, y: Any, start: Sequence[float] | None = None) -> CurveFit:
    """Fit the logistic curve ``K / (1 + exp(-r (t - t0)))`` by nonlinear least squares.

    Parameters
    ----------
    t : array_like
        Times (e.g. years).
    y : array_like
        Cumulative adopters at ``t``.
    start : sequence of float, optional
        Starting ``K, r, t0`` (default: a small grid around the data).

    Returns
    -------
    CurveFit
        Parameters ``K, r, t0`` with SEs from the Jacobian.

    Raises
    ------
    ValueError
        Too few observations, non-finite data or no fit.
    """
    t, y = np.asarray(t, float), np.asarray(y, float)
    ymax = float(np.max(y)) if len(y) else 1.0
    ymax = ymax if ymax > 0 else 1.0
    if start is not None:
        starts: list[Sequence[float]] = [start]
    else:
        half = t[np.argmin(np.abs(y - ymax / 2))] if len(t) else 0.0
        starts = [
            (ymax * k, r, half + d)
            for k, r, d in itertools.product((1.0, 1.2, 2.0), (0.3, 1.0, 3.0), (0.0, 2.0))
        ]
    bounds = ([1e-12, 1e-8, -np.inf], [np.inf, np.inf, np.inf])
    return _least_squares("logistic", ("K", "r", "t0"), t, y, starts, bounds)


def fit_bass(t: Any, y: Any, start: Sequence[float] | None = None) -> CurveFit:
    """Fit the Bass (1969) model ``m F(t)`` to cumulative adoption by nonlinear least squares.

    Parameters
    ----------
    t : array_like
        Periods since launch (F(0) = 0), e.g. ``year - (first year of the window - 1)``.
    y : array_like
        Cumulative adopters at ``t``.
    start : sequence of float, optional
        Starting ``p, q, m`` (default: a grid around p = 0.03, q = 0.38, the averages of
        Sultan, Farley & Lehmann 1990, and m from the last count).

    Returns
    -------
    CurveFit
        Parameters ``p, q, m`` with SEs from the Jacobian (Srinivasan & Mason 1986).

    Raises
    ------
    ValueError
        Too few observations, non-finite data or no fit.
    """
    t, y = np.asarray(t, float), np.asarray(y, float)
    ymax = float(np.max(y)) if len(y) else 1.0
    ymax = ymax if ymax > 0 else 1.0
    if start is not None:
        starts: list[Sequence[float]] = [start]
    else:
        starts = [
            (p, q, ymax * k)
            for p, q, k in itertools.product((0.003, 0.03, 0.3), (0.0, 0.38, 1.5), (1.0, 1.5, 3.0))
        ]
    bounds = ([1e-10, 0.0, 1e-12], [np.inf, np.inf, np.inf])
    return _least_squares("bass", ("p", "q", "m"), t, y, starts, bounds)


def fit_curve(model: str, t: Any, y: Any) -> CurveFit:
    """Fit ``model`` (``'logistic'`` or ``'bass'``); see :func:`fit_logistic`, :func:`fit_bass`."""
    if model == "logistic":
        return fit_logistic(t, y)
    if model == "bass":
        return fit_bass(t, y)
    raise ValueError(f"curve model {model!r}: use {', '.join(CURVE_MODELS)}")
