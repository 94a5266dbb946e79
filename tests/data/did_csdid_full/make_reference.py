"""Regenerate ``csdid_full_reference.json`` with the csdid package (not a PolicyLink dependency).

Callaway-Sant'Anna with the outcome-regression (``reg``), standardised IPW (``ipw``) and doubly
robust (``dr``) estimators, never-treated and not-yet-treated comparison groups, anticipation, and
the simple / dynamic / group / calendar aggregations, on the SYNTHETIC panel of
``../did_csdid/panel.csv`` (see ``../did_csdid/make_reference.py`` for how it was simulated).
Run it in a separate virtual environment (it is never run by the test suite)::

    python3 -m venv csd && csd/bin/pip install "numpy<2" "pandas<2.3" csdid==0.4.3
    csd/bin/python tests/data/did_csdid_full/make_reference.py

The versions used are written into the JSON (``versions``).
"""

import json
from importlib.metadata import version
from pathlib import Path

import pandas as pd
from csdid.att_gt import ATTgt

HERE = Path(__file__).parent

CASES = [
    # name, control_group, xformla, est_method, anticipation
    ("never_or_x", "nevertreated", "~ x1 + x2", "reg", 0),
    ("never_ipw_x", "nevertreated", "~ x1 + x2", "ipw", 0),
    ("never_dr_x", "nevertreated", "~ x1 + x2", "dr", 0),
    ("notyet_ipw_x", "notyettreated", "~ x1 + x2", "ipw", 0),
    ("notyet_dr_x", "notyettreated", "~ x1 + x2", "dr", 0),
    ("never_unc", "nevertreated", None, "reg", 0),
    ("never_unc_ant1", "nevertreated", None, "reg", 1),
    ("notyet_unc_ant1", "notyettreated", None, "reg", 1),
    ("notyet_dr_x_ant1", "notyettreated", "~ x1 + x2", "dr", 1),
]


def _floats(values) -> list[float]:
    return [float(v) for v in values]


def main() -> None:
    df = pd.read_csv(HERE.parent / "did_csdid" / "panel.csv")
    out = {
        "versions": {p: version(p) for p in ("csdid", "drdid", "numpy", "pandas", "statsmodels")},
        "panel": "../did_csdid/panel.csv",
        "bstrap": False,
        "base_period": "varying",
    }
    for name, cg, xf, est, ant in CASES:
        m = ATTgt(
            yname="y",
            tname="year",
            idname="id",
            gname="first_treated",
            data=df,
            control_group=cg,
            xformla=xf,
            anticipation=ant,
        ).fit(est_method=est, bstrap=False)
        r = m.results
        block = {
            "control_group": cg,
            "xformla": xf,
            "est_method": est,
            "anticipation": ant,
            "att_gt": {
                "group": [int(v) for v in r["group"]],
                "time": [int(v) for v in r["year"]],
                "att": _floats(r["att"]),
                "se": _floats(r["se"]),
            },
        }
        for typ in ("simple", "dynamic", "group", "calendar"):
            m.aggte(typec=typ, bstrap=False)
            a = m.atte
            block[typ] = {"att": float(a["overall_att"]), "se": float(a["overall_se"])}
            if typ != "simple":
                block[typ]["by"] = {
                    "key": [int(v) for v in a["egt"]],
                    "att": _floats(a["att_egt"]),
                    "se": _floats(a["se_egt"]),
                }
        out[name] = block
    (HERE / "csdid_full_reference.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
