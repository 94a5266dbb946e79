"""Row 2: global Moran's I with 9,999 permutations for 20 years on the counties.

Ours: :func:`policylink.spatial.autocorr.moran_by_year` in one call. Anchor: ``esda.Moran`` looped over
the years with the same permutations. Input: a SYNTHETIC SAR variable per year
(:func:`bench.data.synthetic_moran_panel`) on the benchmark's contiguity weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.data import MORAN_TRUTH, load_weights, synthetic_moran_panel
from bench.harness import Prepared, Unavailable, case


def _inputs(p: dict[str, Any]) -> tuple[Any, Any, int, int]:
    w = load_weights(p["gal"])
    years = int(p["moran_years"])
    perms = int(p["moran_permutations"])
    return w, synthetic_moran_panel(w, years), years, perms


def _note(w: Any, years: int, perms: int) -> str:
    return f"N={w.n}, T={years}, {perms} permutations; SYNTHETIC SAR variable, rho={MORAN_TRUTH['rho']}"


@case("moran.ours", row="2", side="ours", label="spatial.autocorr.moran_by_year")
def setup_ours(p: dict[str, Any]) -> Prepared:
    """One call over all years (normality, randomisation and permutation inference)."""
    try:
        from policylink.spatial.autocorr import moran_by_year
    except ImportError as exc:
        raise Unavailable(
            "spatial.autocorr.moran_by_year (issue 5) is not in the tree yet"
        ) from exc
    w, panel, years, perms = _inputs(p)

    def run() -> Any:
        return moran_by_year(
            panel, w, variable="y", id_col="code", time_col="year", permutations=perms
        )

    return Prepared(
        run=run,
        summarise=lambda res: {"I": [round(r.I, 10) for r in res.results]},
        note=_note(w, years, perms),
    )


@case("moran.esda", row="2", side="anchor", label="esda.Moran looped per year")
def setup_esda(p: dict[str, Any]) -> Prepared:
    """``esda.Moran(y_t, w, permutations=P)`` for each year."""
    import esda

    w, panel, years, perms = _inputs(p)
    ids = list(w.id_order)
    ys = [
        g.set_index("code")["y"].reindex(ids).to_numpy(dtype=float)
        for _, g in panel.groupby("year", sort=True)
    ]

    def run() -> Any:
        return [esda.Moran(y, w, transformation="r", permutations=perms) for y in ys]

    return Prepared(
        run=run,
        summarise=lambda res: {"I": [round(float(np.asarray(m.I)), 10) for m in res]},
        note=_note(w, years, perms),
    )


def _lisa_inputs(p: dict[str, Any]) -> tuple[Any, Any, int]:
    w = load_weights(p["gal"])
    panel = synthetic_moran_panel(w, 1)
    y = panel.set_index("code")["y"].reindex(list(w.id_order)).to_numpy(dtype=float)
    return w, y, int(p["moran_permutations"])


def _lisa_note(w: Any, perms: int) -> str:
    return (
        f"N={w.n}, {perms} conditional permutations; SYNTHETIC SAR variable, "
        f"rho={MORAN_TRUTH['rho']}"
    )


@case("lisa.ours", row="11", side="ours", label="spatial.autocorr.local_moran")
def setup_lisa_ours(p: dict[str, Any]) -> Prepared:
    """Local Moran with conditional permutation p-values, FDR flags and labels."""
    from policylink.spatial.autocorr import local_moran

    w, y, perms = _lisa_inputs(p)
    return Prepared(
        run=lambda: local_moran(y, w, permutations=perms, seed=1),
        summarise=lambda res: {
            "Ii": [round(float(v), 10) for v in res.table["Ii"]],
            "p_sim": [float(v) for v in res.table["p_sim"]],
        },
        note=_lisa_note(w, perms),
    )


@case("lisa.esda", row="11", side="anchor", label="esda.Moran_Local (numba, 1 job)", warmup=True)
def setup_lisa_esda(p: dict[str, Any]) -> Prepared:
    """``esda.Moran_Local(y, w, permutations=P, n_jobs=1)``; the warm-up run JIT-compiles."""
    import warnings

    import esda

    w, y, perms = _lisa_inputs(p)

    def run() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return esda.Moran_Local(y, w, permutations=perms, seed=1, n_jobs=1)

    return Prepared(
        run=run,
        summarise=lambda res: {
            "Ii": [round(float(v), 10) for v in res.Is],
            "p_sim": [float(v) for v in res.p_sim],
        },
        note=_lisa_note(w, perms),
    )
