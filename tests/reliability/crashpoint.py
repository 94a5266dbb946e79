"""Run the ``policylink`` CLI and freeze it at a chosen point, so a test can SIGKILL it there.

Usage (as a subprocess)::

    CRASHPOINT="copy:500" CRASHPOINT_FILE=/tmp/x python crashpoint.py load panel data.csv

``CRASHPOINT`` is one of

``copy:N``
    freeze after N rows have been sent with ``COPY ... FROM STDIN`` (a COPY in progress);
``sql:TEXT``
    freeze just before the first statement (``execute`` or ``executemany``) whose SQL
    contains ``TEXT`` (e.g.
    ``sql:INSERT INTO admin_unit``: earlier statements of the load's transaction have run, the
    next table has not been written yet);
``sent:TEXT``
    send the first statement containing ``TEXT`` to the server from a helper thread and freeze
    while it runs (e.g. ``sent:REFRESH MATERIALIZED VIEW``).

When the point is reached the process writes the point into ``CRASHPOINT_FILE`` and sleeps; the
test then checks the server side (``pg_stat_activity``) and kills the process with SIGKILL. The
hooks wrap psycopg's public ``Cursor.execute``/``executemany`` and ``Copy.write_row``/``write``; nothing in
the code under test is changed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import psycopg


def _freeze(tag: str) -> None:
    Path(os.environ["CRASHPOINT_FILE"]).write_text(tag, encoding="utf-8")
    while True:  # wait for SIGKILL
        time.sleep(3600)


def _sql_text(cursor, query) -> str:
    if isinstance(query, str | bytes):
        return query.decode() if isinstance(query, bytes) else query
    try:
        return query.as_string(cursor.connection)
    except Exception:  # a composable that cannot render: match nothing
        return ""


def install(point: str) -> None:
    """Install the hook for ``point`` (see the module docstring)."""
    kind, _, arg = point.partition(":")
    if kind == "copy":
        limit = int(arg)
        sent = {"rows": 0}
        orig_row = psycopg.Copy.write_row

        def write_row(self, row):
            orig_row(self, row)
            sent["rows"] += 1
            if sent["rows"] == limit:
                self.connection.pgconn.flush()
                _freeze(point)

        psycopg.Copy.write_row = write_row
        orig_write = psycopg.Copy.write

        def write(self, buffer):
            orig_write(self, buffer)
            sent["rows"] += max(1, bytes(buffer).count(b"\n"))
            if sent["rows"] >= limit:
                _freeze(point)

        psycopg.Copy.write = write
    elif kind in ("sql", "sent"):
        orig_exec = psycopg.Cursor.execute

        def execute(self, query, params=None, **kw):
            text = _sql_text(self, query)
            if arg in text:
                if kind == "sql":
                    _freeze(point)
                t = threading.Thread(target=orig_exec, args=(self, query, params), daemon=True)
                t.start()
                time.sleep(0.2)  # let the statement reach the server
                _freeze(point)
            return orig_exec(self, query, params, **kw)

        psycopg.Cursor.execute = execute
        orig_many = psycopg.Cursor.executemany

        def executemany(self, query, params_seq, **kw):
            if arg in _sql_text(self, query):
                if kind == "sql":
                    _freeze(point)
                seq = list(params_seq)
                t = threading.Thread(target=orig_many, args=(self, query, seq), daemon=True)
                t.start()
                time.sleep(0.2)
                _freeze(point)
            return orig_many(self, query, params_seq, **kw)

        psycopg.Cursor.executemany = executemany
    else:
        raise SystemExit(f"unknown CRASHPOINT {point!r}")


if __name__ == "__main__":
    install(os.environ["CRASHPOINT"])
    from policylink.cli import main

    sys.exit(main(sys.argv[1:]))
