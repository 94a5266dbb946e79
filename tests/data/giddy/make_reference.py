"""Make the giddy reference output of tests/test_diffusion_markov.py (not part of the tests).

Run with giddy installed in a separate environment (giddy pins an older esda than PolicyLink):

    python -m venv giddyenv && giddyenv/bin/pip install giddy
    giddyenv/bin/python tests/data/giddy/make_reference.py

Writes, next to this file: ``panel.csv`` (20 units x 10 periods of a continuous variable and
of an adoption state 0/1), ``lattice.gal`` (rook contiguity of a 4 x 5 lattice) and
``reference.json`` (giddy's Markov, Spatial_Markov and LISA_Markov on them, and the versions).
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROWS, COLS, T = 4, 5, 10


def lattice() -> dict[int, list[int]]:
    nb = {}
    for r in range(ROWS):
        for c in range(COLS):
            i = r * COLS + c
            nb[i] = [
                rr * COLS + cc
                for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
                if 0 <= rr < ROWS and 0 <= cc < COLS
            ]
    return nb


def make_inputs() -> None:
    rng = np.random.default_rng(20261130)
    nb = lattice()
    n = ROWS * COLS
    W = np.zeros((n, n))
    for i, js in nb.items():
        W[i, js] = 1.0 / len(js)
    y = np.zeros((n, T))
    y[:, 0] = rng.normal(size=n)
    for t in range(1, T):  # persistent, spatially smoothed values
        y[:, t] = 0.6 * y[:, t - 1] + 0.3 * W @ y[:, t - 1] + rng.normal(scale=0.6, size=n)
    # adoption: absorbing, hazard rising with the share of adopted neighbours
    a = np.zeros((n, T), int)
    a[rng.choice(n, 2, replace=False), 0] = 1
    for t in range(1, T):
        share = W @ a[:, t - 1]
        h = 0.08 + 0.5 * share
        a[:, t] = np.where(a[:, t - 1] == 1, 1, (rng.random(n) < h).astype(int))
    with open(HERE / "panel.csv", "w", encoding="utf-8") as f:
        f.write("unit,period,y,adopted\n")
        for i in range(n):
            for t in range(T):
                f.write(f"u{i:02d},{2001 + t},{float(y[i, t])!r},{a[i, t]}\n")
    with open(HERE / "lattice.gal", "w", encoding="utf-8") as f:
        f.write(f"{n}\n")
        for i in range(n):
            f.write(f"u{i:02d} {len(nb[i])}\n")
            f.write(" ".join(f"u{j:02d}" for j in nb[i]) + "\n")


def read_inputs():
    import libpysal

    rows = [line.strip().split(",") for line in open(HERE / "panel.csv", encoding="utf-8")][1:]
    ids = sorted({r[0] for r in rows})
    periods = sorted({int(r[1]) for r in rows})
    y = np.zeros((len(ids), len(periods)))
    a = np.zeros((len(ids), len(periods)))
    for u, p, v, ad in rows:
        y[ids.index(u), periods.index(int(p))] = float(v)
        a[ids.index(u), periods.index(int(p))] = float(ad)
    w = libpysal.io.open(str(HERE / "lattice.gal")).read()
    w = libpysal.weights.W(w.neighbors, id_order=ids)
    return y, a, w


def lst(x):
    return np.asarray(x, float).tolist()


def chain(mk) -> dict:
    out = {"transitions": lst(mk.transitions), "p": lst(mk.p)}
    try:
        out["steady_state"] = lst(mk.steady_state)
        out["mfpt"] = lst(mk.mfpt)
    except Exception as exc:  # reducible chains: giddy's own answer or error is recorded
        out["error"] = str(exc)
    return out


def spatial(sm) -> dict:
    return {
        "class_ids": np.asarray(sm.class_ids).tolist(),
        "lclass_ids": np.asarray(sm.lclass_ids).tolist(),
        "cutoffs": None if sm.cutoffs is None else lst(sm.cutoffs),
        "lag_cutoffs": None if sm.lag_cutoffs is None else lst(sm.lag_cutoffs),
        "transitions": lst(sm.transitions),
        "p": lst(sm.p),
        "T": lst(sm.T),
        "P": lst(sm.P),
        "chi2": [[float(c), float(p), int(d)] for c, p, d in sm.chi2],
        "x2": float(sm.x2),
        "x2_pvalue": float(sm.x2_pvalue),
        "x2_dof": int(sm.x2_dof),
        "Q": float(sm.Q),
        "Q_p_value": float(sm.Q_p_value),
        "LR": float(sm.LR),
        "LR_p_value": float(sm.LR_p_value),
        "dof_hom": int(sm.dof_hom),
    }


def main() -> None:
    import mapclassify
    from giddy.markov import LISA_Markov, Markov, Spatial_Markov

    make_inputs()
    y, a, w = read_inputs()
    w.transform = "r"
    q = mapclassify.Quantiles(y.flatten(), k=4).yb.reshape(y.shape)
    ref = {
        "versions": {
            p: version(p)
            for p in ("giddy", "esda", "libpysal", "mapclassify", "quantecon", "numpy", "scipy")
        },
        "markov_pooled_k4": chain(Markov(q, summary=False)),
        "spatial_fixed_k4_m4": spatial(Spatial_Markov(y, w, k=4, m=4, fixed=True)),
        "spatial_period_k3_m3": spatial(Spatial_Markov(y, w, k=3, m=3, fixed=False)),
        "spatial_cutoffs": spatial(
            Spatial_Markov(y, w, cutoffs=[-0.5, 0.0, 0.5], lag_cutoffs=[-0.2, 0.2], fixed=True)
        ),
        "spatial_adoption": spatial(
            Spatial_Markov(a, w, cutoffs=[0.5], lag_cutoffs=[0.0], fixed=True)
        ),
    }
    sm = Spatial_Markov(y, w, k=4, m=4, fixed=True)
    ref["spatial_fixed_k4_m4"]["S"] = [lst(s) for s in sm.S]
    ref["spatial_fixed_k4_m4"]["F"] = lst(sm.F)
    lm = LISA_Markov(y, w)
    ref["lisa"] = {
        "q": np.asarray(lm.q).tolist(),
        "move_types": np.asarray(lm.move_types).tolist(),
        **chain(lm),
    }
    with open(HERE / "reference.json", "w", encoding="utf-8") as f:
        json.dump(ref, f, indent=1)


if __name__ == "__main__":
    main()
