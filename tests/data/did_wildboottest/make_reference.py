"""Regenerate ``wildboottest_reference.json`` with wildboottest (not a PolicyLink dependency).

``panel.csv`` is a SYNTHETIC panel from ``policylink.spatial.did.simulate.simulate_staggered(
n_units=10, years=range(2000, 2008), cohorts={2003: 3, 2005: 2}, tau=0.3, seed=11)``. The TWFE DID
``y ~ treat + x1 + unit dummies + year dummies`` is fitted by statsmodels OLS and the WCR
(restricted, Rademacher) wild cluster bootstrap p-value of ``treat`` is computed by wildboottest
with clusters = units; with 10 clusters and B >= 2^10 it enumerates all 1,024 sign patterns, so
the p-value is exact and must be reproduced exactly. Run it in a separate virtual environment
(never by the test suite)::

    python3 -m venv wb && wb/bin/pip install wildboottest==0.3.2 statsmodels pandas
    wb/bin/python tests/data/did_wildboottest/make_reference.py
"""

import json
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import statsmodels.formula.api as smf
from wildboottest.wildboottest import wildboottest

HERE = Path(__file__).parent


def main() -> None:
    df = pd.read_csv(HERE / "panel.csv")
    model = smf.ols("y ~ treat + x1 + C(unit) + C(year)", data=df)
    out = {"versions": {p: version(p) for p in ("wildboottest", "statsmodels", "numpy", "pandas")}}
    for weights in ("rademacher", "webb"):
        res = wildboottest(
            model,
            param="treat",
            cluster=pd.Series(pd.factorize(df.unit)[0]),
            B=99999 if weights == "webb" else 4096,
            weights_type=weights,
            impose_null=True,
            bootstrap_type="11",
            seed=1,
            show=False,
            parallel=False,
        )
        out[weights] = {
            "p_value": float(res["p-value"].iloc[0]),
            "statistic": float(res["statistic"].iloc[0]),
        }
    (HERE / "wildboottest_reference.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
