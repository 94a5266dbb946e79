"""Row 13: the cost curve, time and peak memory at N = 2,916, 10,000 and 40,000 units.

Input: a SYNTHETIC tessellation, a square grid of 10 km cells (54 x 54, 100 x 100, 200 x 200;
UTM 50N), queen contiguity, row-standardised; variables from :mod:`bench.data` (SAR variable
rho = 0.5, two-way FE SDM with :data:`bench.data.SDM_TRUTH`, staggered DID panel with true
ATT 0.02). Every case is ours; the "anchor" of each comparison is the same computation at the
smallest N, so the ratio is the growth of the cost, and the growth exponent is
log(ratio) / log(N / N_small) (1 = linear). :func:`plot` draws the log-log plot.

Sizes per statistic: Moran's I for T = 20 years with 999 permutations (row 2 uses 9,999 on
the counties), LISA with 999 conditional permutations, queen weights from the polygons
(:func:`policylink.weights.build_weights`, the file-layer path), the two-way FE SDM with
T = 20 and 100 effect draws, the DID placebo (FWL fast path) with 100 draws on N units x 14
years.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bench.harness import Prepared, case

STATS = ("moran", "lisa", "queen", "sdm", "did")
SIZES = ("s", "m", "l")
#: Grid sides: full and quick (quick: a smoke-test scale).
SIDES = {False: (54, 100, 200), True: (20, 30, 40)}
LABELS = {
    "moran": "Moran's I, T=20, 999 permutations",
    "lisa": "LISA, 999 conditional permutations",
    "queen": "queen weights from polygons",
    "sdm": "two-way FE SDM, T=20, 100 effect draws",
    "did": "DID placebo (FWL), 100 draws, T=14",
}


def grid_side(p: dict[str, Any], size: str) -> int:
    """Side of the square grid of this size in this mode."""
    return SIDES[bool(p.get("quick"))][SIZES.index(size)]


def _grid(side: int) -> Any:
    """SYNTHETIC square tessellation: side x side cells of 10 km, ids g000000, ..."""
    import geopandas as gpd
    import shapely

    x, y = np.meshgrid(np.arange(side) * 1e4 + 5e5, np.arange(side) * 1e4 + 4e6)
    boxes = shapely.box(x.ravel(), y.ravel(), x.ravel() + 1e4, y.ravel() + 1e4)
    ids = [f"g{k:06d}" for k in range(side * side)]
    return gpd.GeoDataFrame({"code": ids}, geometry=boxes, crs=32650)


def _w(side: int) -> Any:
    import libpysal

    w = libpysal.weights.lat2W(side, side, rook=False, id_type="string")
    w = libpysal.weights.W(
        {f"g{int(k[2:]):06d}": [f"g{int(v[2:]):06d}" for v in vs] for k, vs in w.neighbors.items()},
        silence_warnings=True,
    )
    w.transform = "R"
    return w


def _setup(stat: str, side: int) -> Prepared:
    n = side * side
    note = f"N={n:,} ({side} x {side} SYNTHETIC grid); {LABELS[stat]}"
    if stat == "queen":
        from policylink.weights import build_weights

        gdf = _grid(side)
        return Prepared(
            run=lambda: build_weights(gdf, "code", "queen"),
            summarise=lambda w: {"n": n, "links": int(w.s0)},
            note=note,
        )
    w = _w(side)
    if stat == "moran":
        from bench.data import synthetic_moran_panel
        from policylink.spatial.autocorr import moran_by_year

        panel = synthetic_moran_panel(w, 20)
        return Prepared(
            run=lambda: moran_by_year(
                panel, w, variable="y", id_col="code", time_col="year", permutations=999
            ),
            summarise=lambda r: {"n": n},
            note=note,
        )
    if stat == "lisa":
        from bench.data import synthetic_moran_panel
        from policylink.spatial.autocorr import local_moran

        y = synthetic_moran_panel(w, 1).set_index("code")["y"].reindex(w.id_order).to_numpy()
        return Prepared(
            run=lambda: local_moran(y, w, permutations=999, seed=1),
            summarise=lambda r: {"n": n},
            note=note,
        )
    if stat == "sdm":
        from bench.data import synthetic_sdm_panel
        from policylink.spatial.panel import fit_spatial_panel

        panel = synthetic_sdm_panel(w, 20)
        return Prepared(
            run=lambda: fit_spatial_panel(
                panel,
                w,
                y="y",
                x=["x1", "x2"],
                id_col="code",
                time_col="year",
                model="sdm",
                fe="twoways",
                effects=True,
                draws=100,
                seed=1,
            ),  # fmt: skip
            summarise=lambda r: {"n": n},
            note=note,
        )
    from bench.data import synthetic_did_panel
    from policylink.spatial.did.panel import PanelSpec
    from policylink.spatial.did.placebo import placebo_did

    df, _truth = synthetic_did_panel(n_units=n)
    spec = PanelSpec(
        outcome="y", unit="unit", time="year", first_treated="first_treated",
        controls=tuple(f"c{k}" for k in range(1, 7)),
    )  # fmt: skip
    chunk = max(1, int(2e7 // len(df)))  # n_obs x chunk floats per block: about 160 MB
    return Prepared(
        run=lambda: placebo_did(df, spec, draws=100, seed=4, method="fast", chunk=chunk),
        summarise=lambda r: {"n": n},
        note=note,
    )


def _register(stat: str, size: str) -> None:
    label = f"{LABELS[stat]}, {'small medium large'.split()[SIZES.index(size)]} N"
    # queen and DID: one untimed warm-up run (numba JIT of the demeaner, shapely/pyproj
    # start-up), so the curve shows the cost of N, not a fixed first-call overhead
    case(f"curve.{stat}.{size}", row="13", side="ours" if size != "s" else "anchor",
         label=label, runs=1, warmup=stat in ("queen", "did"))(
        lambda p, _s=stat, _z=size: _setup(_s, grid_side(p, _z)))  # fmt: skip


for _stat in STATS:
    for _size in SIZES:
        _register(_stat, _size)

COMPARISONS = [(f"curve.{s}.{z}", f"curve.{s}.s") for s in STATS for z in ("m", "l")]


def plot(measurements: dict[str, Any], quick: bool, path: Path) -> Path | None:
    """Log-log plot of time against N per statistic (from the row's measurements).

    Parameters
    ----------
    measurements : dict
        Case id -> :class:`bench.harness.Measurement`.
    quick : bool
        Which grid sizes were used.
    path : pathlib.Path
        PNG to write.

    Returns
    -------
    pathlib.Path or None
        The PNG, or None when the row was not measured.
    """
    from matplotlib.figure import Figure

    sides = SIDES[bool(quick)]
    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_subplot()
    drawn = False
    for stat in STATS:
        pts = [
            (sides[k] ** 2, m.median)
            for k, z in enumerate(SIZES)
            if (m := measurements.get(f"curve.{stat}.{z}")) is not None and m.median
        ]
        if len(pts) >= 2:
            ns, ts = zip(*pts, strict=True)
            slope = np.polyfit(np.log(ns), np.log(ts), 1)[0]
            ax.loglog(ns, ts, "o-", label=f"{LABELS[stat]} (slope {slope:.2f})")
            drawn = True
    if not drawn:
        return None
    ax.set_xlabel("units N (SYNTHETIC square grid)")
    ax.set_ylabel("median wall time (s)")
    ax.set_title("PolicyLink cost curve (log-log; slope 1 = linear)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path
