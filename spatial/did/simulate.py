"""SYNTHETIC staggered-adoption panels with known treatment effects (for tests and demos).

The default shape copies seed 004 (218 prefecture-level cities, 2009-2022, 3,052 observations,
pilot batches effective in 2011, 2013 and 2017) but every number is simulated: the units are
named ``SYN001`` ... and the frame carries ``attrs['synthetic'] = True`` and the true parameters
in ``attrs['truth']``.

Data-generating process (all draws from one seeded :class:`numpy.random.Generator`)::

    y_it = a_i + g_t + beta' X_it + tau_{g(i)}(t - g(i)) * D_it + theta * (W D)_it + e_it
    a_i ~ N(0, 1) + 0.5 * 1{treated unit}   (selection on levels: removed by unit FE)
    g_t = 0.1 * (t - t0) + N(0, 0.2^2)
    X_it ~ N(0.3 * a_i, 1)                  (controls correlated with the unit effect)
    e_it ~ N(0, sigma^2)

``tau_g(e) = tau + dynamic * e + cohort_shift[g]`` for event time ``e = t - g >= 0``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def simulate_staggered(
    n_units: int = 218,
    years: Sequence[int] = tuple(range(2009, 2023)),
    cohorts: Mapping[int, int] | None = None,
    *,
    tau: float = 0.5,
    dynamic: float = 0.0,
    cohort_shift: Mapping[int, float] | None = None,
    beta: Sequence[float] = (0.3, -0.2),
    sigma: float = 1.0,
    W: np.ndarray | None = None,
    theta: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate a SYNTHETIC balanced staggered-adoption panel with known effects.

    Parameters
    ----------
    n_units : int
        Number of units (seed 004: 218 cities).
    years : sequence of int
        Panel years (seed 004: 2009-2022).
    cohorts : mapping year -> number of units, optional
        Units first treated in each year; the rest are never treated. Default follows the
        seed 004 batches: ``{2011: 40, 2013: 34, 2017: 22}`` (96 pilot cities).
    tau : float
        Treatment effect at event time 0.
    dynamic : float
        Added effect per year since adoption (0 = constant effect).
    cohort_shift : mapping year -> float, optional
        Cohort-specific additive shifts of the effect (heterogeneous effects).
    beta : sequence of float
        Coefficients of the controls ``x1``, ``x2``, ... (one control per entry).
    sigma : float
        Standard deviation of the idiosyncratic error.
    W : ndarray, optional
        ``(n_units, n_units)`` row-standardised spatial weights; with ``theta`` adds a spillover
        ``theta * (W D)_it`` of neighbours' treatment.
    theta : float
        Spillover coefficient (needs ``W``).
    seed : int
        Seed of the random generator.

    Returns
    -------
    DataFrame
        Columns ``unit``, ``year``, ``y``, ``x1``..``xk``, ``first_treated`` (0 = never),
        ``treat`` (0/1), ``wd`` (share of treated neighbours when ``W`` is given), ``te``
        (the true individual effect). ``attrs['synthetic']`` is True and ``attrs['truth']``
        holds the parameters.
    """
    rng = np.random.default_rng(seed)
    years = np.asarray(list(years), dtype=int)
    cohorts = dict(cohorts) if cohorts is not None else {2011: 40, 2013: 34, 2017: 22}
    shift = dict(cohort_shift or {})
    n_treated = sum(cohorts.values())
    if n_treated > n_units:
        raise ValueError(
            f"{n_units} units for {n_treated} treated units "
            f"(cohorts {', '.join(f'{g}: {m}' for g, m in sorted(cohorts.items()))})"
        )
    first = np.zeros(n_units)
    order = rng.permutation(n_units)
    pos = 0
    for g, m in sorted(cohorts.items()):
        first[order[pos : pos + m]] = g
        pos += m
    treated_unit = first > 0
    a = rng.normal(0.0, 1.0, n_units) + 0.5 * treated_unit
    g_t = 0.1 * (years - years[0]) + rng.normal(0.0, 0.2, len(years))
    T = len(years)
    unit_idx = np.repeat(np.arange(n_units), T)
    year = np.tile(years, n_units)
    k = len(beta)
    X = rng.normal(0.0, 1.0, (n_units * T, k)) + 0.3 * a[unit_idx, None]
    f = first[unit_idx]
    d = ((f > 0) & (year >= f)).astype(int)
    e = np.where(d == 1, year - f, 0)
    te = np.where(
        d == 1, tau + dynamic * e + np.vectorize(lambda g: shift.get(int(g), 0.0))(f), 0.0
    )
    y = a[unit_idx] + np.tile(g_t, n_units) + X @ np.asarray(beta, float) + te
    wd = None
    if W is not None:
        W = np.asarray(W, float)
        D = d.reshape(n_units, T)
        wd = (W @ D).reshape(-1)
        y = y + theta * wd
    y = y + rng.normal(0.0, sigma, n_units * T)
    out = pd.DataFrame(
        {
            "unit": [f"SYN{i + 1:03d}" for i in unit_idx],
            "year": year,
            "y": y,
            **{f"x{j + 1}": X[:, j] for j in range(k)},
            "first_treated": f.astype(int),
            "treat": d,
            "te": te,
        }
    )
    if wd is not None:
        out["wd"] = wd
    out.attrs["synthetic"] = True
    out.attrs["truth"] = {
        "tau": tau,
        "dynamic": dynamic,
        "cohort_shift": shift,
        "beta": list(beta),
        "sigma": sigma,
        "theta": theta,
        "cohorts": cohorts,
        "seed": seed,
        "note": "SYNTHETIC data from policylink.spatial.did.simulate.simulate_staggered",
    }
    return out


def ring_weights(n: int, k: int = 2) -> np.ndarray:
    """Row-standardised weights of units on a ring, each linked to ``k`` neighbours per side.

    Parameters
    ----------
    n : int
        Number of units.
    k : int
        Neighbours on each side.

    Returns
    -------
    ndarray
        ``(n, n)`` row-standardised weights (rows sum to 1, zero diagonal).
    """
    W = np.zeros((n, n))
    for i in range(n):
        for s in range(1, k + 1):
            W[i, (i + s) % n] = 1.0
            W[i, (i - s) % n] = 1.0
    return W / W.sum(axis=1, keepdims=True)
