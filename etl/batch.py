"""Load provenance: one ``load_batch`` row per load, no-op re-loads, replacement by source.

Every loader runs inside one transaction of the caller's connection (``conn.transaction()``),
so a load is all rows or none. The rules shared by all loaders:

- the file's sha256 and the load options that change what the file yields (``options``: layer,
  sheet, GCJ-02 conversion, fields; defaults left out) are recorded; if a batch of the same
  kind and source with the same checksum and options is still current (status ``done``), the
  load is a no-op and a batch row with status ``unchanged`` is recorded;
- otherwise the earlier ``done`` batches of that source are marked ``replaced`` and the loader
  deletes their rows (panels, events, attributes) or upserts by key (boundaries).

Failed loads leave no rows at all (the transaction is rolled back); the CLI then records the
attempt as a ``failed`` batch in a transaction of its own (:func:`record_failure`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import psycopg.sql

from policylink.errors import InputError, Problem

#: Most problems listed in one InputError; the rest are counted.
PROBLEM_CAP = 50


def file_sha256(path: str | Path) -> str:
    """Return the hex sha256 of a file's bytes.

    Parameters
    ----------
    path : str or pathlib.Path
        File to hash.

    Returns
    -------
    str
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def text_sha256(text: str) -> str:
    """Return the hex sha256 of a text (UTF-8), for loads that are not one file."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class LoadResult:
    """Outcome of one load.

    Attributes
    ----------
    kind : str
        ``boundaries``, ``events``, ``panel``, ``attributes`` or ``catalogue``.
    source : str
        Logical source name (replacement key).
    file_name : str or None
        File loaded.
    status : str
        ``done`` (rows written) or ``unchanged`` (identical re-load, nothing written).
    batch_id : int or None
        ``load_batch.id`` of this load.
    rows_in : int
        Records read from the input.
    rows_loaded : int
        Rows written (0 when unchanged).
    seconds : float
        Wall time of the load.
    details : dict
        Loader-specific counts (e.g. repaired geometries, replaced rows).
    options : dict
        Load options that change what the input yields (see :func:`batch_options`); stored in
        ``load_batch.options`` and compared by :func:`skip_if_unchanged`. Not in
        :meth:`to_dict`.
    """

    kind: str
    source: str
    file_name: str | None
    status: str = "done"
    batch_id: int | None = None
    rows_in: int = 0
    rows_loaded: int = 0
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Flat dict for ``policylink.output.emit``."""
        d = asdict(self)
        d.pop("options")
        details = d.pop("details")
        d["seconds"] = round(self.seconds, 3)
        d.update(details)
        return d


class ProblemList:
    """Collects input problems and raises them together as one :class:`InputError`."""

    def __init__(self, file: str, cap: int = PROBLEM_CAP) -> None:
        self.file = file
        self.cap = cap
        self.problems: list[Problem] = []
        self.extra = 0

    def add(self, row: int | None, column: str | None, value: object, message: str) -> None:
        """Record one problem (beyond the cap only counted)."""
        if len(self.problems) < self.cap:
            self.problems.append(Problem(self.file, row, column, value, message))
        else:
            self.extra += 1

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        """Raise :class:`InputError` if any problem was recorded."""
        if self.problems:
            raise InputError(list(self.problems), self.extra)


#: Advisory-lock class for "one load of a source at a time" (two-int4 key space).
_LOCK_CLASS = 7301


def lock_source(conn: psycopg.Connection, kind: str, source: str) -> None:
    """Serialise loads of one source: wait for any other transaction loading it.

    Takes a transaction-level advisory lock on (kind, source), so that two users loading the
    same file at once end as if one had loaded after the other (``done`` then ``unchanged``).
    Call it first inside the load's transaction; it is released at commit or rollback.
    """
    conn.execute(
        "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, f"{kind}:{source}")
    )


def batch_options(**options: Any) -> dict[str, Any]:
    """Load options as recorded in ``load_batch.options``: defaults (None, False) left out.

    Leaving defaults out keeps a load with default options equal to the batches recorded
    before options were (``{}``), and to loads that name no option at all.

    Parameters
    ----------
    **options
        Option name -> value (JSON-serialisable).

    Returns
    -------
    dict
        The options that are set, sorted by name.
    """
    return {
        k: options[k] for k in sorted(options) if options[k] is not None and options[k] is not False
    }


def _options_json(options: dict[str, Any] | None) -> str:
    return json.dumps(batch_options(**(options or {})), sort_keys=True, ensure_ascii=False)


def current_batch(
    conn: psycopg.Connection,
    kind: str,
    source: str,
    sha256: str,
    options: dict[str, Any] | None = None,
) -> int | None:
    """Return the id of a current (``done``) batch with this kind, source, checksum and options."""
    row = conn.execute(
        "SELECT id FROM load_batch WHERE kind = %s AND source = %s AND sha256 = %s "
        "AND options = %s::jsonb AND status = 'done' ORDER BY id DESC LIMIT 1",
        (kind, source, sha256, _options_json(options)),
    ).fetchone()
    return row[0] if row else None


def begin_batch(
    conn: psycopg.Connection,
    kind: str,
    source: str,
    file_name: str | None,
    sha256: str,
    options: dict[str, Any] | None = None,
) -> int:
    """Insert a ``running`` load_batch row (with its load options) and return its id."""
    return conn.execute(
        "INSERT INTO load_batch (kind, source, file_name, sha256, options, status) "
        "VALUES (%s, %s, %s, %s, %s::jsonb, 'running') RETURNING id",
        (kind, source, file_name, sha256, _options_json(options)),
    ).fetchone()[0]


def previous_batches(conn: psycopg.Connection, kind: str, source: str, current: int) -> list[int]:
    """Ids of earlier ``done`` batches of a source (the ones a new load replaces)."""
    rows = conn.execute(
        "SELECT id FROM load_batch WHERE kind = %s AND source = %s AND status = 'done' "
        "AND id <> %s ORDER BY id",
        (kind, source, current),
    ).fetchall()
    return [r[0] for r in rows]


def mark_replaced(conn: psycopg.Connection, ids: list[int], by: int) -> None:
    """Mark earlier batches as replaced by batch ``by``."""
    if ids:
        conn.execute(
            "UPDATE load_batch SET status = 'replaced', message = %s WHERE id = ANY(%s)",
            (f"replaced by batch {by}", ids),
        )


def finish_batch(
    conn: psycopg.Connection,
    batch_id: int,
    *,
    rows_in: int,
    rows_loaded: int,
    status: str = "done",
    message: str | None = None,
) -> None:
    """Close a batch row with counts, finish time and status."""
    conn.execute(
        "UPDATE load_batch SET rows_in = %s, rows_loaded = %s, finished_at = clock_timestamp(), "
        "status = %s, message = %s WHERE id = %s",
        (rows_in, rows_loaded, status, message, batch_id),
    )


_RECORD_NOOPS: ContextVar[bool] = ContextVar("record_noops", default=True)


@contextmanager
def quiet_noops() -> Iterator[None]:
    """Within this block, no-op re-loads write no ``unchanged`` batch row.

    Used by :func:`policylink.etl.bundle.load_bundled`, so that re-running the bundled load (``make demo``)
    leaves the database exactly as it was; single-file loads keep the record.
    """
    token = _RECORD_NOOPS.set(False)
    try:
        yield
    finally:
        _RECORD_NOOPS.reset(token)


def record_unchanged(
    conn: psycopg.Connection,
    result: LoadResult,
    sha256: str,
    same_as: int,
) -> LoadResult:
    """Record a no-op re-load and return the result with status ``unchanged``.

    Inside :func:`quiet_noops` nothing is written and ``batch_id`` is the identical batch.
    """
    result.status = "unchanged"
    result.rows_loaded = 0
    result.details["same_as_batch"] = same_as
    if not _RECORD_NOOPS.get():
        result.batch_id = same_as
        return result
    bid = conn.execute(
        "INSERT INTO load_batch (kind, source, file_name, sha256, options, rows_in, "
        "rows_loaded, finished_at, status, message) VALUES (%s, %s, %s, %s, %s::jsonb, %s, 0, "
        "clock_timestamp(), 'unchanged', %s) RETURNING id",
        (
            result.kind,
            result.source,
            result.file_name,
            sha256,
            _options_json(result.options),
            result.rows_in,
            f"identical to batch {same_as}",
        ),
    ).fetchone()[0]
    result.batch_id = bid
    return result


def skip_if_unchanged(
    conn: psycopg.Connection, result: LoadResult, sha256: str, *, record: bool = True
) -> bool:
    """Lock the source of a load and tell whether an identical load is still current.

    The first step of every loader inside its transaction: :func:`lock_source` on
    ``(result.kind, result.source)``, then :func:`current_batch` with the checksum and
    ``result.options`` (the same file loaded with another layer, sheet or GCJ-02 setting is
    not a no-op).

    Parameters
    ----------
    conn : psycopg.Connection
        The load's connection (inside its transaction).
    result : LoadResult
        The load's result (``kind``, ``source``, ``file_name``, ``rows_in`` set).
    sha256 : str
        Checksum of the input.
    record : bool
        Record the no-op re-load (:func:`record_unchanged`); False only sets the status.

    Returns
    -------
    bool
        True when the load is a no-op (``result.status`` is then ``unchanged``).
    """
    lock_source(conn, result.kind, result.source)
    same = current_batch(conn, result.kind, result.source, sha256, result.options)
    if same is None:
        return False
    if record:
        record_unchanged(conn, result, sha256, same)
    else:
        result.status = "unchanged"
    return True


def start_batch(conn: psycopg.Connection, result: LoadResult, sha256: str) -> tuple[int, list[int]]:
    """Insert the ``running`` batch row of a load; return its id and the batches it replaces.

    Parameters
    ----------
    conn : psycopg.Connection
        The load's connection.
    result : LoadResult
        The load's result (``kind``, ``source``, ``file_name``, ``options``).
    sha256 : str
        Checksum of the input.

    Returns
    -------
    (int, list of int)
        The new ``load_batch.id`` and the ids of the earlier ``done`` batches of the source
        (:func:`previous_batches`), whose rows the loader deletes or overwrites and then marks
        with :func:`mark_replaced`.
    """
    bid = begin_batch(conn, result.kind, result.source, result.file_name, sha256, result.options)
    return bid, previous_batches(conn, result.kind, result.source, bid)


#: Tables whose rows a new load of the same source deletes (rows carry ``load_id``).
_REPLACED_TABLES = ("observation", "policy_event", "unit_attribute")


def replace_batches(conn: psycopg.Connection, table: str, ids: list[int], by: int) -> int:
    """Delete the rows of the earlier batches ``ids`` from ``table`` and mark them replaced.

    Parameters
    ----------
    conn : psycopg.Connection
        The load's connection.
    table : {'observation', 'policy_event', 'unit_attribute'}
        Table whose rows carry ``load_id``.
    ids : list of int
        Earlier ``done`` batches of the source (from :func:`start_batch`).
    by : int
        The new batch.

    Returns
    -------
    int
        Rows deleted.
    """
    if table not in _REPLACED_TABLES:
        raise ValueError(f"not a table replaced by source: {table}")
    deleted = conn.execute(
        psycopg.sql.SQL("DELETE FROM {} WHERE load_id = ANY(%s)").format(
            psycopg.sql.Identifier(table)
        ),
        (ids,),
    ).rowcount
    mark_replaced(conn, ids, by)
    return deleted


def finish_load(
    conn: psycopg.Connection, result: LoadResult, batch_id: int, rows_loaded: int, timer: Timer
) -> LoadResult:
    """Close the batch row (:func:`finish_batch`, ``rows_in`` from ``result``) and fill ``result``.

    Parameters
    ----------
    conn : psycopg.Connection
        The load's connection.
    result : LoadResult
        The load's result; gets ``batch_id``, ``rows_loaded`` and ``seconds``.
    batch_id : int
        The batch of this load.
    rows_loaded : int
        Rows written.
    timer : Timer
        Started when the load began.

    Returns
    -------
    LoadResult
        ``result`` itself.
    """
    finish_batch(conn, batch_id, rows_in=result.rows_in, rows_loaded=rows_loaded)
    result.batch_id = batch_id
    result.rows_loaded = rows_loaded
    result.seconds = timer.elapsed
    return result


def record_failure(url: str, kind: str, source: str, file_name: str | None, message: str) -> None:
    """Record a failed load attempt in its own transaction (data tables are untouched).

    Parameters
    ----------
    url : str
        Database URL (a fresh connection is used, since the load's own was rolled back).
    kind, source, file_name : str
        What was being loaded.
    message : str
        The error text (truncated to 4,000 characters).
    """
    from policylink.etl.db import session_conninfo

    try:
        with psycopg.connect(session_conninfo(url)) as conn:
            conn.execute(
                "INSERT INTO load_batch (kind, source, file_name, finished_at, status, message) "
                "VALUES (%s, %s, %s, clock_timestamp(), 'failed', %s)",
                (kind, source, file_name, message[:4000]),
            )
    except psycopg.Error:  # pragma: no cover - logging must never hide the real error
        pass


class Timer:
    """Wall-clock timer (``elapsed`` in seconds)."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()

    @property
    def elapsed(self) -> float:
        """Seconds since creation."""
        return time.monotonic() - self.t0
