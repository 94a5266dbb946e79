"""Row 9: policy-diffusion numerics (issue 18) at the size of the real data.

- ``diffusion.eha.*``: pooled discrete-time EHA (logit, programme-specific intercepts and cubic
  duration terms, common neighbour-share and covariate effects, SEs clustered by unit) on 370
  units x 15 years x 6 programmes. Ours: :func:`policylink.spatial.diffusion.fit_eha` (design,
  Fisher scoring, cluster-robust SEs, average marginal effects). Anchor: statsmodels
  ``GLM(Binomial)`` with ``cov_type='cluster'`` on the design prebuilt untimed (ours pays for
  building the design and the AMEs, the anchor does not). Agreement: the coefficients.
- ``diffusion.netinf.ours``: NetInf on 370 units x 20 simulated cascades, 300 ties (timed
  alone; no other implementation is installed).
- ``diffusion.markov.*``: spatial Markov (quartiles of a 370 x 20 panel and of its lag, tests,
  steady states, first passage times). Ours: :func:`policylink.spatial.markov.spatial_markov`.
  Anchor: giddy's ``Spatial_Markov._calc`` counting loop (one Python iteration per unit and
  period, as giddy 2.3 counts) on the same classes, counts only. Agreement: the transition
  counts.

All inputs are SYNTHETIC (seeded); the units sit on a ring with four neighbours each.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bench.harness import Prepared, Unavailable, case

N_UNITS = 370
YEARS = 15
PROGRAMMES = 6
TRUE_BETA = {"neighbour_share": 1.2, "x": 0.5}


def _ring(n: int, k: int = 2) -> Any:
    from scipy import sparse

    rows = np.repeat(np.arange(n), 2 * k)
    cols = np.concatenate([[(i + d) % n for d in (*range(1, k + 1), *range(-k, 0))]
                           for i in range(n)])  # fmt: skip
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), (n, n))


def _risk_set(n: int, years: int, programmes: int, seed: int = 18) -> pd.DataFrame:
    """Stacked risk sets: logit hazard -3.5 + programme shift + 1.2 share + 0.5 x."""
    rng = np.random.default_rng(seed)
    W = _ring(n)
    deg = np.asarray(W.sum(axis=1)).ravel()
    x = rng.normal(size=n)
    recs = []
    for g in range(programmes):
        adopted = np.zeros(n, bool)
        base = -3.5 + 0.3 * g
        for t in range(years):
            share = (W @ adopted.astype(float)) / deg
            eta = base + TRUE_BETA["neighbour_share"] * share + TRUE_BETA["x"] * x
            ev = (rng.random(n) < 1 / (1 + np.exp(-eta))) & ~adopted
            at = ~adopted
            recs.append(pd.DataFrame({"programme": f"p{g}", "unit": np.flatnonzero(at),
                                      "year": 2005 + t, "duration": t + 1,
                                      "event": ev[at].astype(int), "neighbour_share": share[at],
                                      "x": x[at]}))  # fmt: skip
            adopted |= ev
    return pd.concat(recs, ignore_index=True)


def _note(risk: pd.DataFrame) -> str:
    return (
        f"{N_UNITS} units x {YEARS} years x {PROGRAMMES} programmes: {len(risk)} unit-years at "
        f"risk, {int(risk['event'].sum())} adoptions; SYNTHETIC, true {TRUE_BETA}"
    )


def _fit_eha() -> Any:
    try:
        from policylink.spatial.diffusion import fit_eha
    except ImportError as exc:
        raise Unavailable("spatial.diffusion (issue 18) is not in the tree yet") from exc
    return fit_eha


def _eha(risk: pd.DataFrame) -> Any:
    return _fit_eha()(risk, ["neighbour_share", "x"], link="logit", dependence="cubic",
                      cluster="unit", programme="programme")  # fmt: skip


@case("diffusion.eha.ours", row="9", side="ours", label="spatial.diffusion.fit_eha (pooled)")
def setup_eha_ours(p: dict[str, Any]) -> Prepared:
    """Pooled EHA from the stacked risk set: design, fit, clustered SEs and AMEs."""
    _fit_eha()
    risk = _risk_set(N_UNITS, YEARS, PROGRAMMES)

    def summarise(res: Any) -> dict[str, Any]:
        names = res.design.names
        return {"coef": {n: round(float(res.fit.params[names.index(n)]), 6)
                         for n in ("neighbour_share", "x")}}  # fmt: skip

    return Prepared(run=lambda: _eha(risk), summarise=summarise, rows=len(risk),
                    note=_note(risk))  # fmt: skip


@case("diffusion.eha.statsmodels", row="9", side="anchor",
      label="statsmodels GLM(Binomial), cluster SEs, prebuilt design")  # fmt: skip
def setup_eha_statsmodels(p: dict[str, Any]) -> Prepared:
    """statsmodels on the same design matrix (built untimed by PolicyLink's eha_design)."""
    import statsmodels.api as sm

    risk = _risk_set(N_UNITS, YEARS, PROGRAMMES)
    d = _eha(risk).design
    groups = pd.factorize(d.rows["unit"])[0]

    def run() -> Any:
        return sm.GLM(d.y, d.X, family=sm.families.Binomial()).fit(
            cov_type="cluster", cov_kwds={"groups": groups}
        )

    def summarise(res: Any) -> dict[str, Any]:
        return {"coef": {n: round(float(res.params[d.names.index(n)]), 6)
                         for n in ("neighbour_share", "x")}}  # fmt: skip

    return Prepared(run=run, summarise=summarise, rows=len(risk), note=_note(risk))


@case("diffusion.netinf.ours", row="9", side="ours", label="spatial.netinf.netinf, 300 ties")
def setup_netinf(p: dict[str, Any]) -> Prepared:
    """NetInf on 370 units x 20 independent cascades over a random sparse network."""
    try:
        from policylink.spatial.netinf import netinf, simulate_cascades
    except ImportError as exc:
        raise Unavailable("spatial.netinf (issue 18) is not in the tree yet") from exc
    rng = np.random.default_rng(8)
    edges = sorted({(int(a), int(b)) for a, b in rng.integers(0, N_UNITS, (4 * N_UNITS, 2))
                    if a != b})  # fmt: skip
    T = simulate_cascades(N_UNITS, edges, 20, seed=8)
    ids = [f"u{i:03d}" for i in range(N_UNITS)]
    ties = 10 if p.get("quick") else 300

    return Prepared(
        run=lambda: netinf(T, ids, n_edges=ties),
        summarise=lambda res: {"ties": len(res.edges)},
        note=f"{N_UNITS} units, 20 SYNTHETIC cascades on {len(edges)} true ties, {ties} inferred",
    )


def _markov_panel(periods: int = 20) -> tuple[np.ndarray, Any]:
    rng = np.random.default_rng(28)
    W = _ring(N_UNITS)
    Wr = W.multiply(1 / np.asarray(W.sum(axis=1))).tocsr()
    y = np.zeros((N_UNITS, periods))
    y[:, 0] = rng.normal(size=N_UNITS)
    for t in range(1, periods):
        y[:, t] = 0.6 * y[:, t - 1] + 0.3 * (Wr @ y[:, t - 1]) + rng.normal(0, 0.6, N_UNITS)
    return y, W


@case("diffusion.markov.ours", row="9", side="ours", label="spatial.markov.spatial_markov")
def setup_markov_ours(p: dict[str, Any]) -> Prepared:
    """Spatial Markov with tests, steady states and first passage times per lag class."""
    try:
        from policylink.spatial.markov import spatial_markov
    except ImportError as exc:
        raise Unavailable("spatial.markov (issue 18) is not in the tree yet") from exc
    y, W = _markov_panel()
    return Prepared(
        run=lambda: spatial_markov(y, W, 4, 4),
        summarise=lambda r: {"T": r.counts.astype(int).ravel().tolist()},
        note=f"{N_UNITS} units x {y.shape[1]} periods, k = m = 4 pooled quartiles; SYNTHETIC",
    )


@case("diffusion.markov.loop", row="9", side="anchor",
      label="giddy-style counting loop (counts only)")  # fmt: skip
def setup_markov_loop(p: dict[str, Any]) -> Prepared:
    """giddy 2.3's ``Spatial_Markov._calc`` loop over periods and units on the same classes."""
    from policylink.spatial.markov import panel_classes, row_standardised

    y, W = _markov_panel()
    ids, k, _ = panel_classes(y, 4)
    lag_ids, m, _ = panel_classes(np.asarray(row_standardised(W) @ y), 4)

    def run() -> Any:
        T = np.zeros((m, k, k))
        n, t = y.shape
        for t1 in range(t - 1):
            for i in range(n):
                T[lag_ids[i, t1], ids[i, t1], ids[i, t1 + 1]] += 1
        return T

    return Prepared(
        run=run,
        summarise=lambda T: {"T": T.astype(int).ravel().tolist()},
        note=f"{N_UNITS} units x {y.shape[1]} periods, k = m = 4; counts only",
    )
