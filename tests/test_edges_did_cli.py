"""DID front-ends at the edges: Conley SEs through ``did spatial --db`` and ``--coords``; the
inference used is named in every format.

The database is the one of ``test_did_analyses`` (two provinces of 12 unit squares, SYNTHETIC
outcome and controls, pilots by hand). References: the Conley covariance computed here from the
unit squares' centroids (their coordinates in km on the same equal-area projection, by
geopandas, Lambert equal-area at the layer's centre) on pyfixest's fit of the hand-coded panel.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from test_did_analyses import C1, C2, FIRST, PREFS, Y, _cli, did_db  # noqa: F401

from policylink.cli import main
from policylink.spatial.did.conley import ConleySpec, conley_vcov
from policylink.spatial.did.twfe import within_residual

LAEA = "+proj=laea +lat_0=5.5 +lon_0=12 +datum=WGS84 +units=m"


def squares() -> gpd.GeoDataFrame:
    """The prefectures' unit squares of the test database (x = i, y = 5 .. 6, EPSG:4326)."""
    return gpd.GeoDataFrame(
        {"code": PREFS}, geometry=[box(i, 5, i + 1, 6) for i in range(len(PREFS))], crs=4326
    )


def reference(ref: pd.DataFrame, cutoff_km: float) -> pd.Series:
    """Conley SEs of (did, w_did) computed from scratch on the hand-coded panel."""
    import pyfixest as pf

    from policylink.spatial.did import PanelSpec

    sq = squares()
    # queen neighbours of the squares: the units next to each other in the row
    share = {}
    for t in sorted(ref.year.unique()):
        d = ref[ref.year == t].set_index("code")["treat"]
        for k, c in enumerate(PREFS):
            nb = [PREFS[j] for j in (k - 1, k + 1) if 0 <= j < len(PREFS)]
            share[(c, t)] = float(np.mean([d[n] for n in nb]))
    df = ref.assign(w_did=[share[(c, t)] for c, t in zip(ref.code, ref.year, strict=True)])
    fit = pf.feols("y ~ treat + w_did + c1 + c2 | code + year", df, vcov={"CRV1": "code"})
    spec = PanelSpec("y", unit="code", time="year", first_treated="treat")
    names = ["treat", "w_did", "c1", "c2"]
    X = np.column_stack([within_residual(df[c].to_numpy(float), df, spec) for c in names])
    resid = within_residual(df["y"].to_numpy(float), df, spec) - X @ fit.coef().to_numpy()
    # outside China's box: a Lambert azimuthal equal-area projection at the layer's centre
    cen = sq.to_crs(LAEA).geometry.centroid
    coords = pd.DataFrame({"x_km": cen.x / 1000, "y_km": cen.y / 1000}).set_index(sq.code)
    V = conley_vcov(X, resid, df.code, df.year, coords, ConleySpec(cutoff_km))
    return pd.Series(np.sqrt(np.diag(V))[:2], index=["direct", "spillover"])


def test_conley_from_the_database_equals_a_hand_computation(
    did_db: tuple[str, pd.DataFrame],  # noqa: F811
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, ref = did_db
    monkeypatch.setenv("DATABASE_URL", url)
    argv = ["did", "spatial", "--db", "-y", Y, "--controls", f"{C1},{C2}"]
    base = json.loads(_cli(capsys, argv, "json"))
    assert base["inference"].startswith("cluster-robust (CRV1) by unit")
    out = json.loads(_cli(capsys, [*argv, "--conley-km", "400"], "json"))
    assert out["inference"].startswith("Conley spatial HAC (bartlett kernel, cutoff 400 km")
    want = reference(ref, 400.0)
    for effect in ("direct", "spillover"):
        assert out["effects"][effect]["estimate"] == pytest.approx(
            base["effects"][effect]["estimate"], abs=1e-10
        )
        assert out["effects"][effect]["se"] == pytest.approx(want[effect], rel=1e-6)
    title = _cli(capsys, [*argv, "--conley-km", "400"], "table").splitlines()[0]
    assert "Conley spatial HAC" in title and "SYNTHETIC" in title
    csv = _cli(capsys, [*argv, "--conley-km", "400"], "csv")
    assert "SYNTHETIC" in csv


def test_conley_needs_coordinates_and_a_positive_cutoff(
    did_db: tuple[str, pd.DataFrame],  # noqa: F811
    tmp_path,  # noqa: ANN001
    capsys: pytest.CaptureFixture,
) -> None:
    _url, ref = did_db
    panel = ref.assign(first_treated=ref.code.map(FIRST)).drop(columns="treat")
    path = tmp_path / "panel.csv"
    panel.to_csv(path, index=False)
    pairs = tmp_path / "w.csv"
    rows = [
        (PREFS[k], PREFS[j])
        for k in range(len(PREFS))
        for j in (k - 1, k + 1)
        if 0 <= j < len(PREFS)
    ]
    pd.DataFrame(rows, columns=["i", "j"]).to_csv(pairs, index=False)
    argv = ["did", "spatial", str(path), "-y", "y", "--unit", "code", "--first-treated"]
    argv += ["first_treated", "--controls", "c1,c2", "--weights", str(pairs)]
    capsys.readouterr()
    assert main([*argv, "--conley-km", "400"]) == 2
    assert "need the units' coordinates" in capsys.readouterr().err
    layer = tmp_path / "units.gpkg"
    squares().to_file(layer)
    assert main([*argv, "--conley-km", "0", "--coords", str(layer)]) == 2
    assert "km > 0" in capsys.readouterr().err
    out = json.loads(_cli(capsys, [*argv, "--conley-km", "400", "--coords", str(layer)], "json"))
    want = reference(ref, 400.0)
    assert out["effects"]["spillover"]["se"] == pytest.approx(want["spillover"], rel=1e-6)
    assert out["inference"].startswith("Conley")


def psm_panel(shift: float, seed: int = 4) -> pd.DataFrame:
    """SYNTHETIC panel: 30 treated (2014) and 60 control units; the covariate of the treated is
    shifted by ``shift`` sd (poor overlap for a large shift)."""
    rng = np.random.default_rng(seed)
    n_t, n_c, years = 30, 60, range(2010, 2018)
    rows = []
    for k in range(n_t + n_c):
        treated = k < n_t
        x0 = rng.normal(loc=shift if treated else 0.0)
        for t in years:
            d = float(treated and t >= 2014)
            x = x0 + rng.normal(scale=0.2)
            rows.append(
                (f"u{k:03d}", t, 0.5 * d + 0.3 * x + rng.normal(), x, 2014 if treated else 0)
            )
    return pd.DataFrame(rows, columns=["unit", "year", "y", "x", "first_treated"])


def test_psm_warns_when_balance_fails_in_every_format(tmp_path, capsys) -> None:  # noqa: ANN001
    argv = ["did", "psm", "-y", "y", "--first-treated", "first_treated", "--controls", "x"]
    for shift, warned in ((3.0, True), (0.0, False)):
        path = tmp_path / f"psm{shift}.csv"
        psm_panel(shift).to_csv(path, index=False)
        capsys.readouterr()
        assert main(["did", "psm", str(path), *argv[2:], "--format", "json"]) == 0
        cap = capsys.readouterr()
        out = json.loads(cap.out)
        bias = {r["covariate"]: r["bias_after"] for r in out["psm"]["balance"]}
        # the rule, from the balance table itself: |bias after| > 10 %
        assert (abs(bias["x"]) > 10) == warned
        if warned:
            assert out["balance_warning"].startswith("balance fails after matching")
            assert f"x {bias['x']:.1f}%" in out["balance_warning"]
            assert "warning: balance fails after matching" in cap.err
        else:
            assert out["balance_warning"] is None and "warning:" not in cap.err
        assert main(["did", "psm", str(path), *argv[2:]]) == 0
        title = capsys.readouterr().out.splitlines()[0]
        assert ("WARNING: balance fails" in title) == warned
