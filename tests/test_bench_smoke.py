"""Smoke test of the benchmark harness (``bench/``): timing, peak memory, agreement checks.

The full benchmark (``make bench``) is not part of the test suite; these checks run the same
machinery at tiny sizes against exact or independent references.
"""

from __future__ import annotations

import numpy as np
import pytest

import bench.rows  # noqa: F401  (registers the cases)
from bench.harness import REGISTRY, Measurement, measure, run_case
from bench.report import agreement, ratio, verdict


def test_subprocess_timing_matches_a_known_sleep():
    m = run_case("selftest.sleep", {"seconds": 0.2}, runs=3)
    assert m.status == "ok", m.message
    assert m.runs == 3 and len(m.times) == 3
    # time.sleep never returns early; scheduling noise on a loaded machine only adds time
    assert 0.2 <= m.median < 0.6


def test_peak_memory_sees_a_known_allocation():
    m = run_case("selftest.alloc", {"mib": 300}, runs=1)
    assert m.status == "ok", m.message
    assert m.summary["bytes"] == 300 * 1024 * 1024
    # the peak was reset after set-up, so it must include the 300 MiB written during the run
    assert m.peak_rss_mb - m.setup_rss_mb >= 290


def _m(median: float | None, summary: dict | None = None) -> Measurement:
    return Measurement(
        case="c", row="0", side="ours", label="c", median=median, summary=summary or {}
    )


def test_ratio_and_verdict():
    assert ratio(_m(1.0), _m(4.0)) == pytest.approx(0.25)
    assert verdict(0.25) == "4.0x faster"
    assert verdict(2.0) == "2.0x slower"
    assert ratio(_m(None), _m(1.0)) is None and verdict(None) == "—"


def test_agreement_flags_different_pair_sets():
    same = agreement(
        _m(1, {"links": 4, "pairs_sha256": "ab"}), _m(1, {"links": 4, "pairs_sha256": "ab"})
    )
    diff = agreement(
        _m(1, {"links": 4, "pairs_sha256": "ab"}), _m(1, {"links": 6, "pairs_sha256": "cd"})
    )
    assert same.startswith("same 4")
    assert diff.startswith("DIFFER")


def test_agreement_of_coefficients_and_transition_counts():
    coef = agreement(_m(1, {"coef": {"a": 1.0, "b": 2.0}}), _m(1, {"coef": {"b": 2.5, "a": 1.0}}))
    assert coef == "max abs diff of coefficients 5.0e-01"
    assert agreement(_m(1, {"coef": {"a": 1.0}}), _m(1, {"coef": {"b": 1.0}})).startswith("DIFFER")
    assert agreement(_m(1, {"T": [1, 2, 3]}), _m(1, {"T": [1, 2, 3]})) == (
        "same transition counts (6 moves)"
    )
    assert agreement(_m(1, {"T": [1, 2, 3]}), _m(1, {"T": [1, 3, 3]})).startswith("DIFFER")


def test_diffusion_row_agrees_with_statsmodels_and_the_counting_loop():
    """Row 9 in-process: pooled EHA coefficients equal statsmodels', Markov counts the loop's."""
    pytest.importorskip("policylink.spatial.diffusion")
    params = {"quick": True}
    for ours_name, anchor_name in (
        ("diffusion.eha.ours", "diffusion.eha.statsmodels"),
        ("diffusion.markov.ours", "diffusion.markov.loop"),
    ):
        ours = measure(REGISTRY[ours_name], params, runs=1, warmup=False)
        anchor = measure(REGISTRY[anchor_name], params, runs=1, warmup=False)
        assert ours.status == anchor.status == "ok", (ours.message, anchor.message)
        if "coef" in ours.summary:
            for k, v in ours.summary["coef"].items():
                assert v == pytest.approx(anchor.summary["coef"][k], abs=1e-5)
        else:
            assert ours.summary["T"] == anchor.summary["T"]
            assert sum(ours.summary["T"]) == 370 * 19


def test_moran_row_agrees_with_esda(tmp_path):
    """Row 2 at toy size in-process: PolicyLink's I per year equals esda's (independent)."""
    import libpysal

    pytest.importorskip("policylink.spatial.autocorr")
    w = libpysal.weights.lat2W(12, 12)
    gal = tmp_path / "lat.gal"
    fh = libpysal.io.open(str(gal), "w")
    fh.write(w)
    fh.close()
    params = {"gal": str(gal), "moran_years": 5, "moran_permutations": 19}
    ours = measure(REGISTRY["moran.ours"], params, runs=1, warmup=False)
    anchor = measure(REGISTRY["moran.esda"], params, runs=1, warmup=False)
    assert ours.status == anchor.status == "ok"
    assert len(ours.summary["I"]) == 5
    np.testing.assert_allclose(ours.summary["I"], anchor.summary["I"], atol=1e-9)
    # the synthetic SAR variable (rho = 0.5) must show clear positive autocorrelation on average
    assert np.mean(anchor.summary["I"]) > 0.15


def test_did_row_in_subprocesses_agrees_with_pyfixest_loop():
    """Row 4 at toy size, each side in its own process: same placebo coefficients per draw."""
    pytest.importorskip("policylink.spatial.did.placebo")
    params = {"did_units": 30, "did_draws": 4}
    ours = run_case("did.ours", params, runs=1)
    anchor = run_case("did.pyfixest", params, runs=1)
    assert ours.status == "ok", ours.message
    assert anchor.status == "ok", anchor.message
    assert len(ours.summary["estimates"]) == 4
    np.testing.assert_allclose(
        ours.summary["estimates"], anchor.summary["estimates"], rtol=0, atol=1e-8
    )


def test_concurrency_row_reports_the_p95_ratio_against_one_client():
    from bench.report import extra_lines

    many = {
        "clients": 50,
        "rounds": 10,
        "queries_per_s": 600.0,
        "overall": {"p50_ms": 8.0, "p95_ms": 40.0},
    }
    one = {
        "clients": 1,
        "rounds": 10,
        "queries_per_s": 100.0,
        "overall": {"p50_ms": 2.0, "p95_ms": 5.0},
    }
    lines = extra_lines(
        {
            "module": "bench.x",
            "status": "ok",
            "seconds": 1.0,
            "result": many,
            "anchor": {"result": one},
        }
    )
    assert lines[-1].endswith("50 clients / 1 client: 8.00")


def test_merge_replaces_only_the_rows_re_run(tmp_path):
    from bench.runner import RunResult, load_json, merge, write_json

    def res(date: str, cases: dict[str, tuple[str, float]]) -> RunResult:
        r = RunResult(
            params={}, machine={"date_utc": date, "commit": date, "load_avg_start": [1.0]}
        )
        r.rows = sorted({row for row, _ in cases.values()})
        r.measurements = {
            name: Measurement(case=name, row=row, side="ours", label=name, median=med)
            for name, (row, med) in cases.items()
        }
        return r

    old = res("d1", {"weights.view": ("1", 9.0), "moran.ours": ("2", 5.0)})
    write_json(old, tmp_path / "results.json")
    merged = merge(load_json(tmp_path / "results.json"), res("d2", {"weights.view": ("1", 3.0)}))
    assert merged.measurements["weights.view"].median == 3.0
    assert merged.measurements["moran.ours"].median == 5.0
    assert merged.rows == ["1", "2"]
    assert merged.row_runs["1"]["date_utc"] == "d2" and merged.row_runs["2"]["date_utc"] == "d1"


def test_did_end_to_end_row_agrees_with_the_pyfixest_script():
    """Row 12 at toy size: the console script and the plain pyfixest script, each a whole
    process, give the same placebo coefficients draw by draw (independent implementations)."""
    params = {"did_units": 30, "did_draws": 3}
    ours = run_case("did_e2e.ours", params, runs=1)
    anchor = run_case("did_e2e.pyfixest", params, runs=1)
    assert ours.status == anchor.status == "ok", (ours.message, anchor.message)
    assert len(ours.summary["estimates"]) == 3
    np.testing.assert_allclose(ours.summary["estimates"], anchor.summary["estimates"], atol=1e-10)


def test_cost_curve_cases_run_and_plot(tmp_path):
    """Row 13 at smoke size: the queen case finds the 2 (side - 1) (2 side - 1) undirected
    queen links of a square grid (closed form), and the log-log plot is written."""
    from bench.rows.curve import grid_side, plot

    p = {"quick": True}
    side = grid_side(p, "s")
    m = measure(REGISTRY["curve.queen.s"], p, runs=1, warmup=False)
    assert m.status == "ok", m.message
    assert m.summary["links"] == 2 * 2 * (side - 1) * (2 * side - 1)  # directed, binary
    lisa = measure(REGISTRY["curve.lisa.s"], p, runs=1, warmup=False)
    assert lisa.status == "ok", lisa.message
    png = plot({"curve.lisa.s": lisa, "curve.lisa.m": lisa}, True, tmp_path / "c.png")
    assert png is not None and png.stat().st_size > 1000
