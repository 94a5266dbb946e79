"""Row 4: DID placebo test, 1,000 random reassignments on a 218 x 14 panel (seed 004's size).

Ours: :func:`policylink.spatial.did.placebo.placebo_did` (``method='fast'``, Frisch-Waugh-Lovell: fixed
effects and controls are partialled out once). Anchor: a plain loop of pyfixest ``feols`` with
unit and year fixed effects, six controls and CRV1 standard errors, one fit per draw, on the
same draws (generated untimed with PolicyLink's assignment function and the same seed), so the
two coefficient vectors must agree draw by draw. Input: a SYNTHETIC staggered panel
(:func:`bench.data.synthetic_did_panel`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.data import synthetic_did_panel
from bench.harness import Prepared, Unavailable, case

SEED = 4


def _panel(p: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    df, truth = synthetic_did_panel(n_units=p.get("did_units"))
    # zero-padded string ids: the same sort order for every implementation
    df["unit"] = df["unit"].map(lambda u: f"c{u:03d}")
    return df, truth


def _note(df: Any, truth: dict[str, Any], draws: int) -> str:
    return (
        f"{df['unit'].nunique()} units x {df['year'].nunique()} years = {len(df)} obs, "
        f"{draws} draws; SYNTHETIC panel, true ATT={truth['att']}, cohorts {truth['cohorts']}"
    )


def _spec() -> Any:
    try:
        from policylink.spatial.did.panel import PanelSpec
    except ImportError as exc:
        raise Unavailable("spatial.did (issue 6) is not in the tree yet") from exc
    return PanelSpec(
        outcome="y",
        unit="unit",
        time="year",
        first_treated="first_treated",
        controls=tuple(f"c{k}" for k in range(1, 7)),
    )


@case(
    "did.ours", row="4", side="ours", label="spatial.did placebo_did (FWL fast path)", warmup=True
)
def setup_ours(p: dict[str, Any]) -> Prepared:
    """PolicyLink's placebo test with R draws (units reassigned, seed fixed)."""
    spec = _spec()
    from policylink.spatial.did.placebo import placebo_did

    df, truth = _panel(p)
    draws = int(p["did_draws"])
    return Prepared(
        run=lambda: placebo_did(df, spec, draws=draws, mode="units", seed=SEED, method="fast"),
        summarise=lambda res: {"estimates": [float(v) for v in res.estimates]},
        note=_note(df, truth, draws),
    )


@case("did.pyfixest", row="4", side="anchor", label="pyfixest feols loop, one fit per draw")
def setup_pyfixest(p: dict[str, Any]) -> Prepared:
    """``pyfixest.feols('y ~ d + c1..c6 | unit + year', vcov=CRV1 by unit)`` once per draw."""
    import pyfixest as pf

    spec = _spec()
    from policylink.spatial.did.placebo import placebo_assignments

    df, truth = _panel(p)
    draws = int(p["did_draws"])
    data = df.sort_values(["unit", "year"]).reset_index(drop=True)
    units, uidx = np.unique(data["unit"].to_numpy(), return_inverse=True)
    first = data.groupby("unit")["first_treated"].first().reindex(units).to_numpy(float)
    first[first == 0] = np.inf
    years = np.sort(data["year"].unique())
    F = placebo_assignments(first, years, draws, "units", np.random.default_rng(SEED))
    t = data["year"].to_numpy(float)
    fml = "y ~ placebo_d + " + " + ".join(spec.controls) + " | unit + year"

    def one(r: int) -> float:
        data["placebo_d"] = (t >= F[r, uidx]).astype(float)
        fit = pf.feols(fml, data, vcov={"CRV1": "unit"})
        return float(fit.coef()["placebo_d"])

    def run() -> list[float]:
        return [one(r) for r in range(draws)]

    warm = {"done": False}

    def between() -> None:
        if not warm["done"]:  # JIT-compile pyfixest's demeaner outside the timing
            one(0)
            warm["done"] = True

    return Prepared(
        run=run,
        between=between,
        summarise=lambda est: {"estimates": list(est)},
        note=_note(df, truth, draws),
    )
