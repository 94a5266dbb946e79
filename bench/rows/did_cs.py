"""Row 10: Callaway-Sant'Anna with a 999-draw multiplier bootstrap on a 218 x 14 panel.

Ours: :func:`policylink.spatial.did.staggered.callaway_santanna` (never-treated controls,
outcome regression without covariates) and :func:`~policylink.spatial.did.staggered.
cs_uniform_bands` (999 Mammen draws, uniform bands for the event-time ATTs). Anchor: the Python
reference implementation ``csdid`` (``ATTgt(...).fit(est_method='reg', bstrap=True)`` with
``biters=999``, then ``aggte(typec='dynamic')``) on the same panel. csdid is not a dependency
of PolicyLink (its stored output is what the tests compare against, ``tests/data/did_csdid*``);
when it is not installed the anchor reports itself unavailable and only our time is shown.
Agreement: the dynamic (event-time) ATTs of both sides. Input: the SYNTHETIC staggered panel
of row 4 (:func:`bench.data.synthetic_did_panel`).
"""

from __future__ import annotations

from typing import Any

from bench.data import synthetic_did_panel
from bench.harness import Prepared, Unavailable, case

DRAWS = 999
SEED = 10


def _panel(p: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    df, truth = synthetic_did_panel(n_units=p.get("did_units"))
    return df, truth


def _note(df: Any, truth: dict[str, Any]) -> str:
    return (
        f"{df['unit'].nunique()} units x {df['year'].nunique()} years, {DRAWS} bootstrap draws; "
        f"SYNTHETIC panel, true ATT={truth['att']}, cohorts {truth['cohorts']}"
    )


@case("did_cs.ours", row="10", side="ours", label="callaway_santanna + 999-draw bands")
def setup_ours(p: dict[str, Any]) -> Prepared:
    """PolicyLink's CS (never-treated, OR) with the multiplier bootstrap bands."""
    from policylink.spatial.did.panel import PanelSpec
    from policylink.spatial.did.staggered import callaway_santanna, cs_uniform_bands

    df, truth = _panel(p)
    spec = PanelSpec(outcome="y", unit="unit", time="year", first_treated="first_treated")

    def run() -> Any:
        cs = callaway_santanna(df, spec, control="never")
        return cs, cs_uniform_bands(cs, draws=DRAWS, seed=SEED)

    def summarise(res: Any) -> dict[str, Any]:
        cs, _ = res
        dyn = cs.dynamic
        return {"dynamic": {int(e): float(a) for e, a in zip(dyn.rel_time, dyn.att, strict=True)}}

    return Prepared(run=run, summarise=summarise, note=_note(df, truth))


@case("did_cs.csdid", row="10", side="anchor", label="csdid ATTgt + aggte, 999 draws")
def setup_csdid(p: dict[str, Any]) -> Prepared:
    """csdid (reference implementation) with the same bootstrap size, when installed."""
    try:
        from csdid.att_gt import ATTgt
    except ImportError as exc:
        raise Unavailable(
            "csdid is not installed (not a PolicyLink dependency); pip install csdid to time it"
        ) from exc
    df, truth = _panel(p)
    data = df.assign(id=df["unit"].astype(int))

    def run() -> Any:
        m = ATTgt(
            yname="y",
            tname="year",
            idname="id",
            gname="first_treated",
            data=data,
            control_group=["nevertreated"],
            biters=DRAWS,
        ).fit(est_method="reg", bstrap=True)
        m.aggte(typec="dynamic", bstrap=True, biters=DRAWS)
        return m.atte

    def summarise(a: Any) -> dict[str, Any]:
        return {"dynamic": {int(e): float(v) for e, v in zip(a["egt"], a["att_egt"], strict=True)}}

    return Prepared(run=run, summarise=summarise, note=_note(df, truth))
