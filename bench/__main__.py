"""``python -m bench`` (``make bench``): run the benchmarks, write results.md and results.json.

Examples
--------
``python -m bench`` runs every row at full size (several minutes; the machine should be quiet).
``python -m bench --only 2,4 --quick`` is a smoke check at small sizes, one run per case.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.runner import BENCH_DIR, ROWS, run, write_json

ALL_ROWS = sorted([*ROWS, "7"], key=int)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, write the results; return the exit code."""
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument(
        "--only",
        default=",".join(ALL_ROWS),
        help="comma-separated rows: 1 weights, 2 Moran, 3 SDM, 4 DID placebo, 5 ETL, 6 demo, "
        "7 extra modules, 8 start-up, 9 diffusion, 10 Callaway-Sant'Anna, 11 LISA, "
        "12 DID placebo end to end, 13 cost curve (default: all)",
    )
    ap.add_argument(
        "--quick", action="store_true", help="small sizes, 1 run per case (smoke check)"
    )
    ap.add_argument("--runs", type=int, default=None, help="timed runs per case (default per case)")
    ap.add_argument(
        "--database-url",
        default=None,
        help="use this migrated database instead of a throwaway cluster",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="directory for results.md / results.json (default: bench/; quick runs: nothing "
        "is written unless --out is given)",
    )
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows not re-run from the existing results.json of --out (or bench/); "
        "each row remains measured in one run, and the date of each row's run is shown",
    )
    ap.add_argument(
        "--render-only",
        action="store_true",
        help="re-render results.md from the existing results.json without measuring",
    )
    args = ap.parse_args(argv)
    from bench.report import render
    from bench.runner import load_json, merge

    if args.render_only:
        out = args.out or BENCH_DIR
        result = load_json(out / "results.json")
        (out / "results.md").write_text(render(result), encoding="utf-8")
        print(f"wrote {out / 'results.md'}")
        return 0
    rows = [r.strip() for r in args.only.split(",") if r.strip()]
    bad = [r for r in rows if r not in ALL_ROWS]
    if bad:
        ap.error(f"unknown row(s) {', '.join(bad)}; choose from {', '.join(ALL_ROWS)}")
    result = run(rows, quick=args.quick, runs=args.runs, url=args.database_url)
    out = args.out or (None if args.quick else BENCH_DIR)
    if args.merge and out is not None and (out / "results.json").exists():
        result = merge(load_json(out / "results.json"), result)
    text = render(result)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.md").write_text(text, encoding="utf-8")
        write_json(result, out / "results.json")
        if "13" in rows:
            from bench.rows.curve import plot

            png = plot(result.measurements, args.quick, out / "cost_curve.png")
            if png is not None:
                print(f"wrote {png}")
        print(f"wrote {out / 'results.md'} and {out / 'results.json'}")
    else:
        print(text)
    failed = [m.case for m in result.measurements.values() if m.status == "error"]
    if failed:
        print(f"errors in: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
