"""Load test: 50 concurrent clients query the public views; p50/p95 latency per view.

Each client is a thread with its own connection (``SET ROLE policylink_reader`` when that role
exists, as an analyst or QGIS would connect). All clients start together (a barrier) and run
``rounds`` passes over every view of the ``public`` schema, in a per-client random order, each
query being ``SELECT * FROM <view>`` fetched completely. Latency is the wall time of execute +
fetch as seen by the client. Any error fails the run (the benchmark "must not error").

Run alone with ``python -m bench.load_views [--clients 50 --rounds 10]``; ``make bench`` calls
:func:`run` as one of the extra benchmark modules.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

#: PostGIS catalogue views, not part of PolicyLink's interface.
POSTGIS_VIEWS = {"geometry_columns", "geography_columns", "raster_columns", "raster_overviews"}


def public_views(url: str) -> list[str]:
    """Names of the views and materialized views of the ``public`` schema (PostGIS ones excluded).

    Parameters
    ----------
    url : str
        Database URL.

    Returns
    -------
    list of str
    """
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows if r[0] not in POSTGIS_VIEWS]


def ensure_data(url: str, log=print) -> None:
    """Load the bundled boundaries and refresh the views if the database has no prefectures."""
    from policylink.etl.migrate import migrate, refresh_materialized_views

    with psycopg.connect(url) as conn:
        migrate(conn)
        n = conn.execute("SELECT count(*) FROM admin_unit WHERE level = 'prefecture'").fetchone()[0]
        if n == 0:
            from policylink.etl.bundle import load_bundled

            log("load_views: loading the bundled data first ...")
            load_bundled(conn)
            conn.commit()
        refresh_materialized_views(conn)


def _client(
    url: str,
    views: list[str],
    rounds: int,
    seed: int,
    role: bool,
    barrier: threading.Barrier,
    out: list[tuple[str, float]],
    errors: list[str],
) -> None:
    rng = random.Random(seed)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            if role:
                conn.execute("SET ROLE policylink_reader")
            barrier.wait()
            for _ in range(rounds):
                order = views[:]
                rng.shuffle(order)
                for v in order:
                    q = sql.SQL("SELECT * FROM {}").format(sql.Identifier(v))
                    t0 = time.perf_counter()
                    conn.execute(q).fetchall()
                    out.append((v, time.perf_counter() - t0))
    except Exception as exc:  # collected and reported: the run must not error
        errors.append(f"client {seed}: {type(exc).__name__}: {exc}")
        barrier.abort()


def _summary(lat: list[float]) -> dict[str, float]:
    a = np.asarray(lat) * 1000.0
    return {
        "n": int(a.size),
        "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p95_ms": round(float(np.percentile(a, 95)), 2),
        "max_ms": round(float(a.max()), 2),
    }


def run(
    url: str | None = None,
    quick: bool = False,
    *,
    clients: int | None = None,
    rounds: int | None = None,
    views: list[str] | None = None,
    as_reader: bool | None = None,
) -> dict[str, Any]:
    """Run the concurrent-clients load test.

    Parameters
    ----------
    url : str, optional
        Database URL (default: ``policylink.etl.db.database_url()``).
    quick : bool
        Smoke-test size (10 clients, 2 rounds) unless ``clients``/``rounds`` are given.
    clients : int, optional
        Concurrent clients (default 50).
    rounds : int, optional
        Passes over all views per client (default 10).
    views : list of str, optional
        Views to query (default: every view of ``public``).
    as_reader : bool, optional
        Query as ``policylink_reader`` (default: when that role exists).

    Returns
    -------
    dict
        ``clients``, ``rounds``, ``wall_s``, ``queries_per_s``, ``overall`` and ``per_view``
        (``n``, ``p50_ms``, ``p95_ms``, ``max_ms``), ``role``.

    Raises
    ------
    RuntimeError
        If any query of any client failed.
    """
    if url is None:
        from policylink.etl.db import database_url

        url = database_url()
    clients = clients or (10 if quick else 50)
    rounds = rounds or (2 if quick else 10)
    ensure_data(url)
    views = views or public_views(url)
    if not views:
        raise RuntimeError("no views in schema public: apply the view files first")
    role = as_reader
    if role is None:
        with psycopg.connect(url) as conn:
            role = bool(
                conn.execute(
                    "SELECT 1 FROM pg_roles WHERE rolname = 'policylink_reader'"
                ).fetchone()
            )
    barrier = threading.Barrier(clients)
    results: list[list[tuple[str, float]]] = [[] for _ in range(clients)]
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=_client, args=(url, views, rounds, i, role, barrier, results[i], errors)
        )
        for i in range(clients)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed; first: {errors[0]}")
    flat = [x for r in results for x in r]
    per_view = {v: _summary([d for name, d in flat if name == v]) for v in views}
    return {
        "clients": clients,
        "rounds": rounds,
        "role": "policylink_reader" if role else "owner",
        "wall_s": round(wall, 2),
        "queries_per_s": round(len(flat) / wall, 1),
        "overall": _summary([d for _, d in flat]),
        "per_view": per_view,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print the latency table."""
    ap = argparse.ArgumentParser(
        prog="python -m bench.load_views", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args(argv)
    res = run(args.database_url, clients=args.clients, rounds=args.rounds)
    print(
        f"{res['clients']} clients x {res['rounds']} rounds as {res['role']}: "
        f"{res['queries_per_s']} queries/s over {res['wall_s']} s"
    )
    print(f"{'view':40s} {'n':>6s} {'p50 ms':>9s} {'p95 ms':>9s} {'max ms':>9s}")
    for v, s in [("(all)", res["overall"]), *res["per_view"].items()]:
        print(f"{v:40s} {s['n']:6d} {s['p50_ms']:9.2f} {s['p95_ms']:9.2f} {s['max_ms']:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
