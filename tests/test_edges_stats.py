"""Statistics that refuse to mislead, and DID panels refused before compiled code.

References are independent: esda on libpysal's ``lat2W`` lattice weights (which do not look at
geometries), closed forms, and pyfixest on the same panel. Data are SYNTHETIC lattices and
panels generated here with known properties.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import esda
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W, lat2W, w_subset

from policylink.analyses.lisa import NEIGHBOURLESS, LisaOptions, run_lisa
from policylink.analyses.moran import (
    BivariateOptions,
    MoranOptions,
    run_bivariate_moran,
    run_moran,
)
from policylink.errors import InputError, PolicyLinkError
from policylink.inputs import AnalysisInputs, canonical


def lattice_inputs(values: dict[str, np.ndarray], w: W | None = None) -> AnalysisInputs:
    """A 5 x 5 lattice cross-section (ids '00'..'24', queen) as analysis inputs."""
    if w is None:
        w0 = lat2W(5, 5, rook=False)
        ids = [f"{i:02d}" for i in range(25)]
        w = W(
            {ids[i]: [ids[j] for j in w0.neighbors[i]] for i in range(25)},
            id_order=ids,
            silence_warnings=True,
        )
    ids = list(w.id_order)
    panel = pd.DataFrame({"id": ids, **values})
    return canonical(AnalysisInputs(panel, w, "id", None, "lattice (SYNTHETIC)"))


def with_island(w: W, island: str) -> W:
    """``w`` with every link of ``island`` removed (the unit stays, neighbourless)."""
    nb = {i: [j for j in w.neighbors[i] if j != island] for i in w.id_order}
    nb[island] = []
    return W(nb, id_order=list(w.id_order), silence_warnings=True)


RNG = np.random.default_rng(11)
Y = RNG.normal(size=25)


# --------------------------------------------------------------------------------------------
# global Moran
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "values",
    [np.full(25, 3.0), 1e6 + 1e-9 * RNG.normal(size=25)],
    ids=["constant", "near-constant"],
)
def test_global_moran_refuses_a_constant_variable(values: np.ndarray) -> None:
    inp = lattice_inputs({"v": values})
    # esda itself returns a number here (the false finding the guard prevents)
    with pytest.raises(InputError, match="constant.*undefined") as err:
        run_moran(inp, MoranOptions("v", permutations=99))
    assert "p-value" in str(err.value)


def test_global_moran_in_a_panel_names_the_constant_period() -> None:
    w = lattice_inputs({"v": Y}).w
    ids = list(w.id_order)
    panel = pd.DataFrame(
        {
            "id": ids * 2,
            "year": [2010] * 25 + [2011] * 25,
            "v": np.r_[Y, np.zeros(25)],
        }
    )
    inp = canonical(AnalysisInputs(panel, w, "id", "year", "panel (SYNTHETIC)"))
    with pytest.raises(InputError, match="period 2011: the variable is constant"):
        run_moran(inp, MoranOptions("v", permutations=0))
    # the varying year alone gives esda's I
    res = run_moran(inp, MoranOptions("v", years=(2010,), permutations=0))
    ref = esda.Moran(Y, lat2W(5, 5, rook=False), permutations=0)
    assert res.results[0].I == pytest.approx(ref.I, abs=1e-12)


def test_global_moran_without_any_link_or_with_three_units_is_refused() -> None:
    ids = [f"{i:02d}" for i in range(25)]
    empty = W({i: [] for i in ids}, id_order=ids, silence_warnings=True)
    with pytest.raises(InputError, match="no unit has a neighbour"):
        run_moran(lattice_inputs({"v": Y}, empty), MoranOptions("v", permutations=0))
    three = W({"a": ["b"], "b": ["a", "c"], "c": ["b"]}, silence_warnings=True)
    with pytest.raises(InputError, match="at least 4 units"):
        run_moran(lattice_inputs({"v": [1.0, 2.0, 4.0]}, three), MoranOptions("v"))


def test_bivariate_moran_refuses_a_constant_variable() -> None:
    inp = lattice_inputs({"x": Y, "c": np.full(25, 2.0)})
    with pytest.raises(InputError, match="c is constant"):
        run_bivariate_moran(inp, BivariateOptions("x", "c", permutations=9))
    ok = run_bivariate_moran(
        lattice_inputs({"x": Y, "z": Y**2}), BivariateOptions("x", "z", permutations=0)
    )
    ref = esda.Moran_BV(Y, Y**2, lat2W(5, 5, rook=False), permutations=0)
    assert ok.rows[0]["I"] == pytest.approx(ref.I, abs=1e-12)


# --------------------------------------------------------------------------------------------
# local statistics: neighbourless and constant, for both LISA and Gi*
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("statistic", ["local_moran", "gi_star"])
def test_neighbourless_unit_is_never_significant(statistic: str) -> None:
    # the island holds an extreme value: without the guard it is a significant HL / hot spot
    y = Y.copy()
    y[12] = 25.0
    w = with_island(lattice_inputs({"v": y}).w, "12")
    res = run_lisa(
        lattice_inputs({"v": y}, w),
        LisaOptions("v", statistic=statistic, permutations=999, seed=3),
    )
    t = res.local.table.set_index("id")
    assert t.at["12", "cluster"] == NEIGHBOURLESS and not t.at["12", "significant"]
    assert np.isnan(t.at["12", "p_sim"])
    # the other 24 units: esda on the sub-graph without the island
    sub = w_subset(w, [i for i in w.id_order if i != "12"], silence_warnings=True)
    yy = np.delete(y, 12)
    if statistic == "gi_star":
        sub.transform = "B"
        ref = esda.G_Local(yy, sub, transform="R", star=1.0, permutations=0)
        got = t.drop(index="12")["Gi_star"].to_numpy()
        np.testing.assert_allclose(got, ref.Gs, atol=1e-12)
    else:
        sub.transform = "R"
        ref = esda.Moran_Local(yy, sub, permutations=0)
        np.testing.assert_allclose(t.drop(index="12")["Ii"].to_numpy(), ref.Is, atol=1e-12)


@pytest.mark.parametrize("statistic", ["local_moran", "gi_star"])
def test_local_statistics_refuse_a_constant_variable(statistic: str) -> None:
    inp = lattice_inputs({"v": np.full(25, 7.0)})
    with pytest.raises(InputError, match="constant"):
        run_lisa(inp, LisaOptions("v", statistic=statistic, permutations=99))


@pytest.mark.parametrize("statistic", ["local_moran", "gi_star"])
def test_local_statistics_refuse_fewer_than_three_linked_units(statistic: str) -> None:
    w = W({"a": ["b"], "b": ["a"], "c": [], "d": []}, silence_warnings=True)
    inp = lattice_inputs({"v": [1.0, 2.0, 3.0, 5.0]}, w)
    with pytest.raises(InputError, match="2 unit\\(s\\) have neighbours"):
        run_lisa(inp, LisaOptions("v", statistic=statistic, permutations=9))


# --------------------------------------------------------------------------------------------
# DID panels that compiled code cannot take
# --------------------------------------------------------------------------------------------
def did_panel(kind: str) -> pd.DataFrame:
    """Degenerate DID panels (SYNTHETIC); ``first_treated`` 0 = never."""
    rng = np.random.default_rng(5)
    if kind == "one-period":
        return pd.DataFrame(
            {"unit": [f"u{i}" for i in range(10)], "year": 2010, "y": rng.normal(size=10)}
        ).assign(first_treated=[2010] * 5 + [0] * 5)
    if kind == "one-unit":
        return pd.DataFrame(
            {"unit": "u0", "year": [2010, 2011, 2012], "y": [1.0, 2.0, 4.0], "first_treated": 2011}
        )
    if kind == "singletons":
        return pd.DataFrame(
            {
                "unit": ["a", "b", "c", "d"],
                "year": [2010, 2011, 2012, 2013],
                "y": [1.0, 2.0, 3.0, 5.0],
                "first_treated": [2011, 0, 2011, 0],
            }
        )
    base = pd.DataFrame(
        {
            "unit": np.repeat([f"u{i}" for i in range(6)], 4),
            "year": np.tile([2010, 2011, 2012, 2013], 6),
            "y": rng.normal(size=24),
        }
    )
    if kind == "no-treated":
        return base.assign(first_treated=0)
    if kind == "all-same-year":
        return base.assign(first_treated=2012)
    if kind == "constant-outcome":
        return base.assign(y=1.0, first_treated=np.repeat([2012, 2012, 0, 0, 0, 0], 4))
    raise AssertionError(kind)


REFUSALS = {
    "one-period": "1 year\\(s\\): a DID needs at least two years",
    "one-unit": "1 unit\\(s\\): a DID needs at least two units",
    "singletons": "fewer than two units are observed in two or more years",
    "no-treated": "treatment does not vary",
    "all-same-year": "treatment does not vary",
    "constant-outcome": "outcome does not vary",
}


#: Panels on which pyfixest's compiled demeaning panics (aborting the process) without a guard.
PANICS = ("one-period", "one-unit", "singletons")


def test_did_refuses_panics_before_pyfixest(tmp_path: Path) -> None:
    """In a child process: a panic in compiled code would abort this one."""
    paths = []
    for kind in PANICS:
        paths.append(tmp_path / f"{kind}.csv")
        did_panel(kind).to_csv(paths[-1], index=False)
    code = (
        "import sys\n"
        "from policylink.cli import main\n"
        f"for path in {[str(p) for p in paths]!r}:\n"
        "    rc = main(['did', 'twfe', path, '-y', 'y', '--first-treated', 'first_treated'])\n"
        "    print('rc', rc, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "panicked" not in proc.stderr
    assert proc.stderr.count("rc 2") == len(PANICS), proc.stderr
    for kind in PANICS:
        assert re.search(REFUSALS[kind], proc.stderr), proc.stderr


@pytest.mark.parametrize("kind", [k for k in REFUSALS if k not in PANICS])
def test_did_cli_refuses_degenerate_panels(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from policylink.cli import main

    path = tmp_path / "panel.csv"
    did_panel(kind).to_csv(path, index=False)
    assert main(["did", "twfe", str(path), "-y", "y", "--first-treated", "first_treated"]) == 2
    err = capsys.readouterr().err
    assert re.search(REFUSALS[kind], err) and "Traceback" not in err


@pytest.mark.parametrize("kind", ["one-period", "no-treated"])
def test_did_analyses_refuse_with_a_policylink_error(kind: str) -> None:
    from policylink.analyses.did import (
        EventStudyOptions,
        PlaceboOptions,
        run_event_study,
        run_placebo,
        run_twfe,
    )
    from policylink.did_inputs import did_inputs_from_frame
    from policylink.spatial.did import PanelSpec

    inp = did_inputs_from_frame(
        did_panel(kind), PanelSpec("y", first_treated="first_treated", source="syn")
    )
    for call in (
        lambda: run_twfe(inp),
        lambda: run_event_study(inp, EventStudyOptions()),
        lambda: run_placebo(inp, PlaceboOptions(draws=9)),
    ):
        with pytest.raises(PolicyLinkError, match="syn"):
            call()


def test_did_guard_accepts_an_ordinary_panel_equal_to_pyfixest() -> None:
    """The guards do not change a regular fit: DID equals pyfixest on the same panel."""
    import pyfixest as pf

    from policylink.spatial.did import PanelSpec, twfe_did

    rng = np.random.default_rng(8)
    n, t = 30, 6
    df = pd.DataFrame(
        {
            "unit": np.repeat([f"u{i:02d}" for i in range(n)], t),
            "year": np.tile(np.arange(2010, 2010 + t), n),
        }
    )
    first = np.where(np.arange(n) < 10, 2012, np.where(np.arange(n) < 20, 2014, 0))
    df["first_treated"] = np.repeat(first, t)
    d = ((df.year >= df.first_treated) & (df.first_treated > 0)).astype(float)
    df["y"] = 0.7 * d + rng.normal(size=len(df))
    res = twfe_did(df, PanelSpec("y", first_treated="first_treated"))
    ref = pf.feols("y ~ d | unit + year", df.assign(d=d), vcov={"CRV1": "unit"})
    assert res.coef() == pytest.approx(float(ref.coef()["d"]), abs=1e-10)
    assert res.se() == pytest.approx(float(ref.se()["d"]), rel=1e-8)
    assert json.dumps(res.to_dict())  # finite, serialisable
