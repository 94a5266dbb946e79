"""Regenerate ``csdid_reference.json`` from ``panel.csv`` with the csdid package.

csdid (PyPI 0.4.3, the Python port of the R ``did`` package) is not a PolicyLink dependency: it
pulls in twine, keyring and plotnine. Run this in a separate virtual environment::

    python3 -m venv /tmp/csd && /tmp/csd/bin/pip install "numpy<2" "pandas<2.3" csdid==0.4.3
    /tmp/csd/bin/python tests/data/did_csdid/make_reference.py

``panel.csv`` is a SYNTHETIC panel from ``policylink.spatial.did.simulate.simulate_staggered(n_units=120,
cohorts={2011: 30, 2013: 25, 2017: 20}, tau=0.5, dynamic=0.1, cohort_shift={2017: 0.4},
seed=21)`` (columns unit, id, year, y, x1, x2, first_treated; 0 = never treated). Blocks ``*_x`` use the
outcome-regression estimator with covariates ``~ x1 + x2``.
"""

import json
from pathlib import Path

import pandas as pd
from csdid.att_gt import ATTgt

HERE = Path(__file__).parent


def main() -> None:
    df = pd.read_csv(HERE / "panel.csv")
    out = {"csdid_version": "0.4.3", "est_method": "reg", "bstrap": False}
    for cg, xf in (
        ("nevertreated", None),
        ("notyettreated", None),
        ("nevertreated", "~ x1 + x2"),
        ("notyettreated", "~ x1 + x2"),
    ):
        m = ATTgt(
            yname="y",
            tname="year",
            idname="id",
            gname="first_treated",
            data=df,
            control_group=cg,
            xformla=xf,
        ).fit(est_method="reg", bstrap=False)
        r = m.results
        block = {
            "att_gt": {
                "group": [int(v) for v in r["group"]],
                "time": [int(v) for v in r["year"]],
                "att": [float(v) for v in r["att"]],
                "se": [float(v) for v in r["se"]],
            }
        }
        for typ in ("simple", "dynamic", "group"):
            m.aggte(typec=typ, bstrap=False)
            block[typ] = {"att": float(m.atte["overall_att"]), "se": float(m.atte["overall_se"])}
            if typ == "dynamic":
                block["by_event_time"] = {
                    "rel_time": [int(v) for v in m.atte["egt"]],
                    "att": [float(v) for v in m.atte["att_egt"]],
                    "se": [float(v) for v in m.atte["se_egt"]],
                }
        out[cg + ("_x" if xf else "")] = block
    (HERE / "csdid_reference.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
