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
