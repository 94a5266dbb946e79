"""Migration runner: numbered SQL files applied once each, views re-applied when they change.

``sql/migrations/NNNN_name.sql`` files are applied in numeric order, each in its own
transaction, and recorded in ``schema_migration`` with their sha256; editing an applied
migration is an error (add a new one instead). ``sql/views/NN_name.sql`` files are idempotent
definitions (``DROP ... CASCADE`` + ``CREATE``); they are recorded in ``schema_view_file`` and,
when one changes, it and every later file are re-applied in one transaction, so dependent views
are rebuilt in order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import psycopg

from policylink.errors import PolicyLinkError
from policylink.paths import MIGRATIONS_DIR, VIEWS_DIR

_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 7_301_100  # advisory lock id shared by migrate and view application


class MigrationError(PolicyLinkError):
    """A migration could not be applied, or an applied migration was edited."""


@dataclass(frozen=True)
class SqlFile:
    """A versioned SQL file."""

    version: str
    name: str
    path: Path

    @property
    def text(self) -> str:
        """File contents."""
        return self.path.read_text(encoding="utf-8")

    @property
    def sha256(self) -> str:
        """Hex sha256 of the file contents."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def migration_files(directory: Path | None = None) -> list[SqlFile]:
    """List migration files in application order.

    Parameters
    ----------
    directory : pathlib.Path, optional
        Folder with ``NNNN_name.sql`` files (default ``sql/migrations``).

    Returns
    -------
    list of SqlFile
    """
    directory = directory or MIGRATIONS_DIR
    out = []
    for p in sorted(directory.glob("*.sql")):
        m = _MIGRATION_RE.match(p.name)
        if not m:
            raise MigrationError(f"{p.name}: migration files must be named NNNN_lower_snake.sql")
        out.append(SqlFile(m.group(1), p.stem, p))
    versions = [f.version for f in out]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration numbers in {directory}")
    return out


def view_files(directory: Path | None = None) -> list[SqlFile]:
    """List view files in application order (sorted by file name)."""
    directory = directory or VIEWS_DIR
    return [SqlFile(p.stem.split("_", 1)[0], p.stem, p) for p in sorted(directory.glob("*.sql"))]


_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migration (
    version    text PRIMARY KEY,
    name       text NOT NULL,
    sha256     text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS schema_view_file (
    name       text PRIMARY KEY,
    sha256     text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"""


@contextmanager
def _schema_lock(conn: psycopg.Connection) -> Iterator[None]:
    """Hold the schema advisory lock in autocommit mode (each transaction() block commits).

    The caller's autocommit mode is restored on exit.
    """
    conn.commit()
    old_autocommit = conn.autocommit
    conn.autocommit = True
    conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
        conn.autocommit = old_autocommit


def migrate(conn: psycopg.Connection, *, views: bool = True) -> list[str]:
    """Apply pending migrations (and changed view files) to the database.

    Parameters
    ----------
    conn : psycopg.Connection
        A connection; each migration is committed on its own.
    views : bool
        Also apply view files whose contents changed (see :func:`apply_views`).

    Returns
    -------
    list of str
        Names of the migrations and view files applied by this call.

    Raises
    ------
    MigrationError
        If a migration fails (that migration is rolled back) or an applied one was edited.
    """
    applied_now: list[str] = []
    # each migration commits on its own, inside the schema lock
    with _schema_lock(conn):
        with conn.transaction():
            conn.execute(_BOOKKEEPING)
        done = dict(conn.execute("SELECT version, sha256 FROM schema_migration").fetchall())
        for f in migration_files():
            if f.version in done:
                if done[f.version] != f.sha256:
                    raise MigrationError(
                        f"migration {f.name} was edited after it was applied; "
                        "add a new migration instead"
                    )
                continue
            try:
                with conn.transaction():
                    conn.execute(f.text)
                    conn.execute(
                        "INSERT INTO schema_migration(version, name, sha256) VALUES (%s, %s, %s)",
                        (f.version, f.name, f.sha256),
                    )
            except psycopg.Error as exc:
                raise MigrationError(
                    f"migration {f.name} failed and was rolled back: {exc}"
                ) from exc
            applied_now.append(f.name)
        if views:
            applied_now += _apply_view_files(conn, force=False)
    return applied_now


def pending_migrations(conn: psycopg.Connection) -> list[str]:
    """Names of the migrations not yet applied to the database (all of them on a new one).

    Read-only: needs no privilege beyond reading ``schema_migration``.

    Parameters
    ----------
    conn : psycopg.Connection
        A connection (the query runs in its current transaction, which is committed).

    Returns
    -------
    list of str
    """
    files = migration_files()
    if conn.execute("SELECT to_regclass('schema_migration')").fetchone()[0] is None:
        done: set[str] = set()
    else:
        done = {r[0] for r in conn.execute("SELECT version FROM schema_migration")}
    conn.commit()
    return [f.name for f in files if f.version not in done]


def ensure_schema(conn: psycopg.Connection) -> list[str]:
    """Create or update the schema when migrations are pending (before a command uses it).

    A never-initialised database gets every migration and view file, so that e.g.
    ``policylink load bundled`` works on a fresh server instead of failing with
    ``relation "admin_unit" does not exist``; an up-to-date one is only read.

    Parameters
    ----------
    conn : psycopg.Connection
        A connection.

    Returns
    -------
    list of str
        Names of the migrations and view files applied (empty when none was pending).
    """
    if not pending_migrations(conn):
        return []
    return migrate(conn)


def apply_views(conn: psycopg.Connection, *, force: bool = False) -> list[str]:
    """(Re)create view files that are new or changed, and every file after them.

    Parameters
    ----------
    conn : psycopg.Connection
        A connection (its autocommit mode is restored on return).
    force : bool
        Re-apply every view file.

    Returns
    -------
    list of str
        Names of the view files applied.
    """
    with _schema_lock(conn):
        return _apply_view_files(conn, force=force)


def _apply_view_files(conn: psycopg.Connection, *, force: bool) -> list[str]:
    """Body of :func:`apply_views`; the caller holds the schema lock in autocommit mode."""
    files = view_files()
    if not files:
        return []
    with conn.transaction():
        conn.execute(_BOOKKEEPING)
    done = dict(conn.execute("SELECT name, sha256 FROM schema_view_file").fetchall())
    start = (
        0
        if force
        else next((i for i, f in enumerate(files) if done.get(f.name) != f.sha256), len(files))
    )
    todo = files[start:]
    if todo:
        try:
            with conn.transaction():
                for f in todo:
                    conn.execute(f.text)
                    conn.execute(
                        "INSERT INTO schema_view_file(name, sha256) VALUES (%s, %s) "
                        "ON CONFLICT (name) DO UPDATE SET sha256 = EXCLUDED.sha256, "
                        "applied_at = now()",
                        (f.name, f.sha256),
                    )
        except psycopg.Error as exc:
            raise MigrationError(f"view files failed and were rolled back: {exc}") from exc
    return [f.name for f in todo]


#: The tables the materialized views are computed from (migration 0060 counts their writes in
#: ``data_version``); tests/test_view_freshness.py checks that no view reads another table.
MATVIEW_SOURCES: tuple[str, ...] = ("admin_unit",)


def refresh_materialized_views(
    conn: psycopg.Connection,
    progress=None,
    only: Iterable[str] | None = None,
    *,
    only_stale: bool = False,
) -> list[str]:
    """Refresh the materialized views of the ``public`` schema in creation order.

    ``REFRESH ... CONCURRENTLY`` is used where the view has a unique index and is already
    populated, so readers are not blocked; other views get a plain refresh. Each refresh is
    recorded in ``matview_refresh`` with the write counter it saw (migration 0060): the counter
    of its level set for the contiguity views, which are materialized per level set
    (``matview_source``, migration 0061), else the counter of :data:`MATVIEW_SOURCES`.

    Parameters
    ----------
    conn : psycopg.Connection
        A connection; each view is refreshed and committed on its own.
    progress : callable, optional
        Called with each view name before it is refreshed.
    only : iterable of str, optional
        Refresh only these views (still in creation order, the same statements); names that
        are not materialized views of ``public`` are ignored. Default: all.
    only_stale : bool
        Skip the views whose last recorded refresh saw the current write counter of their source
        (a load of counties leaves the province and prefecture views fresh) and the view's
        current oid (a view re-created by a view file is stale). Without the records
        of migration 0060, every view is refreshed.

    Returns
    -------
    list of str
        Names of the refreshed views.
    """
    state = _freshness(conn)
    tracked, version_of = state.tracked, state.version_of
    fresh = state.fresh if only_stale else set()
    conn.commit()
    old_autocommit = conn.autocommit
    conn.autocommit = True
    names = []
    wanted = None if only is None else set(only)
    for name, populated, has_unique, oid in state.rows:
        if name in fresh or (wanted is not None and name not in wanted):
            continue
        if progress:
            progress(name)
        ident = psycopg.sql.Identifier(name)
        if populated and has_unique:
            stmt = psycopg.sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}").format(ident)
        else:
            stmt = psycopg.sql.SQL("REFRESH MATERIALIZED VIEW {}").format(ident)
        conn.execute(stmt)  # autocommit: one view at a time, readers see old rows until done
        # fresh statistics: a refreshed view has none until autovacuum runs, and the planner then
        # skips the GiST index of KNN/contiguity queries (w_knn goes from 0.7 s to 12 s)
        conn.execute(psycopg.sql.SQL("ANALYZE {}").format(ident))
        if tracked:  # the counter read before the refresh: writes during it make it stale
            conn.execute(
                "INSERT INTO matview_refresh (view, view_oid, data_version) "
                "VALUES (%s, %s, %s) ON CONFLICT (view) DO UPDATE SET "
                "view_oid = EXCLUDED.view_oid, data_version = EXCLUDED.data_version, "
                "refreshed_at = now()",
                (name, oid, version_of(name)),
            )
        names.append(name)
    conn.autocommit = old_autocommit
    return names


class _Freshness(NamedTuple):
    """The bookkeeping of migrations 0060 / 0061, as :func:`_freshness` reads it."""

    tracked: bool  # whether it exists
    version_of: Callable[[str], int]  # the write counter a materialized view is computed from
    rows: list[tuple]  # the views: name, populated, has a unique index, oid; creation order
    fresh: set[str]  # those whose last refresh saw their current counter
    sources: dict[str, str]  # the counter key of each view that matview_source lists


def _freshness(conn: psycopg.Connection) -> _Freshness:
    """Read the bookkeeping of migrations 0060 / 0061 (see :class:`_Freshness`)."""
    tracked = _table_exists(conn, "matview_refresh")
    counters: dict[str, int] = {}
    sources: dict[str, str] = {}
    if tracked:
        counters = {k: int(v) for k, v in conn.execute("SELECT tbl, version FROM data_version")}
        if _table_exists(conn, "matview_source"):  # migration 0061: counters per level set
            sources = dict(conn.execute("SELECT view, source_key FROM matview_source").fetchall())
    whole = sum(counters.get(t, 0) for t in MATVIEW_SOURCES)

    def version_of(view: str) -> int:
        # the counter the view is computed from: its level set's, or the whole tables'
        return counters.get(sources[view], 0) if view in sources else whole

    rows = conn.execute(
        """
        SELECT c.relname, c.relispopulated,
               EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique
                       AND i.indpred IS NULL AND i.indexprs IS NULL) AS has_unique,
               c.oid
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'm' AND n.nspname = 'public'
        ORDER BY c.oid
        """
    ).fetchall()
    fresh: set[str] = set()
    if tracked:
        fresh = {
            name
            for name, recorded in conn.execute(
                "SELECT r.view, r.data_version FROM matview_refresh r "
                "JOIN pg_class c ON c.oid = r.view_oid "
                "WHERE c.relname = r.view AND c.relispopulated"
            ).fetchall()
            if recorded == version_of(name)
        }
    return _Freshness(tracked, version_of, rows, fresh, sources)


def stale_materialized_views(conn: psycopg.Connection, source_key: str | None = None) -> list[str]:
    """Materialized views whose data changed since their last refresh, in creation order.

    What ``refresh_materialized_views(conn, only_stale=True)`` (``policylink views refresh
    --stale``) would refresh; every view when the bookkeeping of migration 0060 is missing.

    Parameters
    ----------
    conn : psycopg.Connection
        A connection (read only; its transaction is left open).
    source_key : str, optional
        Only the views that ``matview_source`` (migration 0061) computes from this counter,
        e.g. ``admin_unit:county`` for the county level set's contiguity views.

    Returns
    -------
    list of str
        View names.
    """
    state = _freshness(conn)
    return [
        r[0]
        for r in state.rows
        if r[0] not in state.fresh and (source_key is None or state.sources.get(r[0]) == source_key)
    ]


def _table_exists(conn: psycopg.Connection, name: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{name}",)).fetchone()
    return bool(row and row[0])
