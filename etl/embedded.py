"""The embedded default database: a private PostgreSQL + PostGIS cluster per checkout.

The cluster listens on a unix socket only (``listen_addresses = ''``) in a directory that only
its owner can enter, so trust authentication on that socket does not open it to other users.
PostgreSQL refuses to run as root; when called by root the cluster is owned and run by the
``postgres`` system user.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from policylink.errors import ConfigError, PolicyLinkError

DEFAULT_DB = "policylink"
SUPERUSER = "postgres"


def pg_bindir() -> Path:
    """Return the directory of the newest installed PostgreSQL server binaries.

    Returns
    -------
    pathlib.Path
        For example ``/usr/lib/postgresql/15/bin``.

    Raises
    ------
    ConfigError
        If no server is installed.
    """
    env = os.environ.get("POLICYLINK_PG_BINDIR")
    if env:
        return Path(env)
    cands = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not cands:
        raise ConfigError(
            "No PostgreSQL server found. Install it with:\n"
            "    sudo apt-get install -y postgresql-15 postgresql-15-postgis-3\n"
            "or set DATABASE_URL to an existing PostGIS database."
        )
    return cands[-1].parent


def postgis_installed() -> bool:
    """Whether the PostGIS 3 server library lies next to :func:`pg_bindir`'s server.

    Returns
    -------
    bool
        True when ``<pkglibdir>/postgis-3.so`` exists. When it does not, the cluster is made
        without preloading it, and ``CREATE EXTENSION postgis`` says what is missing.
    """
    return (pg_bindir().parent / "lib" / "postgis-3.so").exists()


@dataclass
class EmbeddedCluster:
    """A private PostgreSQL cluster living in ``home``.

    Parameters
    ----------
    home : pathlib.Path
        Directory for ``pgdata/``, ``run/`` (socket), and ``postgres.log``.
    dbname : str
        Database created on first start.
    durable : bool
        ``False`` turns off fsync (throwaway test clusters only).
    """

    home: Path
    dbname: str = DEFAULT_DB
    durable: bool = True

    @property
    def datadir(self) -> Path:
        """Path of the cluster's data directory."""
        return self.home / "pgdata"

    @property
    def sockdir(self) -> Path:
        """Directory holding the unix socket."""
        return self.home / "run"

    @property
    def logfile(self) -> Path:
        """Server log file."""
        return self.home / "postgres.log"

    # -- helpers ---------------------------------------------------------------------------
    @property
    def _as_root(self) -> bool:
        return os.geteuid() == 0

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check)

    def _chown(self, path: Path) -> None:
        if self._as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(path, pw.pw_uid, pw.pw_gid)

    @contextmanager
    def _lock(self):
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- state -----------------------------------------------------------------------------
    def initialised(self) -> bool:
        """Return True if ``initdb`` has run in :attr:`datadir`."""
        return (self.datadir / "PG_VERSION").exists()

    def running(self) -> bool:
        """Return True if the server of this cluster is running."""
        if not self.initialised():
            return False
        res = self._run([pg_bindir() / "pg_ctl", "status", "-D", self.datadir], check=False)
        return res.returncode == 0

    def url(self, dbname: str | None = None) -> str:
        """Return a libpq URL for the cluster (unix socket, superuser, no password)."""
        db = dbname or self.dbname
        return f"postgresql://{SUPERUSER}@/{db}?host={quote(str(self.sockdir), safe='/')}"

    # -- actions ---------------------------------------------------------------------------
    def init(self) -> None:
        """Create the cluster (``initdb``) if it does not exist yet."""
        if self.initialised():
            return
        if self._as_root:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ConfigError(
                    "Running as root needs the 'postgres' system user (apt-get install postgresql-15)."
                ) from exc
        for d in (self.home, self.sockdir):
            d.mkdir(parents=True, exist_ok=True)
            self._chown(d)
        os.chmod(self.sockdir, 0o700)
        probe = self._run(["test", "-w", self.home], check=False)
        if probe.returncode != 0:
            raise ConfigError(
                f"The database owner cannot write to {self.home}; set POLICYLINK_HOME to a "
                "directory it can reach."
            )
        res = self._run(
            [
                pg_bindir() / "initdb",
                "-D",
                self.datadir,
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=False,
        )
        if res.returncode != 0:
            raise PolicyLinkError(f"initdb failed:\n{res.stderr.strip()}")
        settings = [
            "listen_addresses = ''",
            f"unix_socket_directories = '{self.sockdir}'",
            "unix_socket_permissions = 0700",
            "max_connections = 100",
            "shared_buffers = 256MB",
            "work_mem = 32MB",
            "maintenance_work_mem = 256MB",
            "log_min_messages = warning",
            "jit = off",  # see policylink.etl.db.SESSION_OPTIONS
        ]
        # PostGIS loaded once by the postmaster and inherited by every backend: without it each
        # new connection that touches a geometry loads the library and its GEOS / PROJ
        # dependencies itself (~20 ms of server CPU per connection; docs/testing.md).
        if postgis_installed():
            settings.append("shared_preload_libraries = 'postgis-3'")
        if not self.durable:
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        conf = "\n# PolicyLink embedded settings\n" + "\n".join(settings) + "\n"
        # write through the owner so file ownership stays correct
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if self._as_root else [])
            + ["tee", "-a", str(self.datadir / "postgresql.conf")],
            input=conf,
            text=True,
            capture_output=True,
            check=True,
        )

    def start(self) -> bool:
        """Start the server (initialising it first if needed) and create the database.

        Returns
        -------
        bool
            True if this call started the server, False if it was already running.
        """
        with self._lock():
            self.init()
            started = False
            if not self.running():
                res = self._run(
                    [
                        pg_bindir() / "pg_ctl",
                        "start",
                        "-D",
                        self.datadir,
                        "-l",
                        self.logfile,
                        "-w",
                        "-t",
                        "60",
                    ],
                    check=False,
                )
                if res.returncode != 0:
                    tail = ""
                    if self.logfile.exists():
                        tail = "\n".join(
                            self.logfile.read_text(errors="replace").splitlines()[-15:]
                        )
                    raise PolicyLinkError(
                        f"PostgreSQL did not start:\n{res.stderr.strip()}\n{tail}"
                    )
                started = True
            self._ensure_database()
            return started

    def _ensure_database(self) -> None:
        import psycopg  # here, not at the top: `policylink db status` needs no driver
        import psycopg.sql

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
                    exists = conn.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s", (self.dbname,)
                    ).fetchone()
                    if not exists:
                        conn.execute(
                            psycopg.sql.SQL("CREATE DATABASE {}").format(
                                psycopg.sql.Identifier(self.dbname)
                            )
                        )
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> bool:
        """Stop the server (fast shutdown). Returns True if it was running."""
        with self._lock():
            if not self.running():
                return False
            self._run([pg_bindir() / "pg_ctl", "stop", "-D", self.datadir, "-m", "fast", "-w"])
            return True

    def destroy(self) -> None:
        """Stop the server and delete the cluster's directory (throwaway clusters)."""
        try:
            self.stop()
        except Exception:  # best effort before removal
            pass
        shutil.rmtree(self.home, ignore_errors=True)
