"""Install missing Python packages into QGIS's own Python, from inside QGIS.

QGIS embeds Python, so ``sys.executable`` is often QGIS itself (``qgis-bin.exe`` on Windows,
``QGIS.app/Contents/MacOS/QGIS`` on macOS, ``/usr/bin/qgis`` on Linux): running it with
``-m pip`` would start a second QGIS. :func:`qgis_python` finds the interpreter that belongs to
the running QGIS, :func:`pip_arguments` builds the pip command line (user site unless QGIS runs in
a virtual environment, PEP 668's flag where the system Python asks for it) and
:class:`InstallTask` runs it in the background with progress and one outcome message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from qgis.core import Qgis, QgsMessageLog, QgsTask

from .deps import externally_managed_python


def qgis_python(
    executable: str = sys.executable,
    prefix: str = sys.prefix,
    platform: str = sys.platform,
    version: tuple[int, int] = (sys.version_info.major, sys.version_info.minor),
) -> str:
    """Return the path of the Python interpreter of the running QGIS.

    Parameters
    ----------
    executable : str
        ``sys.executable`` (a Python, or the QGIS binary that embeds Python).
    prefix : str
        ``sys.prefix`` of the embedded Python.
    platform : str
        ``sys.platform``.
    version : tuple of int
        Major and minor version of the embedded Python.

    Returns
    -------
    str
        The first existing candidate: ``executable`` itself when it is a Python; on Windows
        (OSGeo4W and the standalone installer) ``<prefix>/python.exe``; on macOS (the official
        bundle) ``Contents/MacOS/bin/python3`` beside the QGIS binary or ``<prefix>/bin/python3``;
        on Linux ``<prefix>/bin/python3`` (``/usr/bin/python3`` for distribution packages).

    Raises
    ------
    FileNotFoundError
        When no candidate exists (the message lists those tried).
    """
    exe = Path(executable)
    major, minor = version
    candidates: list[Path] = []
    if exe.name.lower().startswith("python"):
        candidates.append(exe)
    if platform.startswith("win"):
        candidates += [Path(prefix) / "python.exe", Path(prefix) / "python3.exe"]
    else:
        if platform == "darwin":
            candidates.append(exe.parent / "bin" / "python3")
        candidates += [
            Path(prefix) / "bin" / f"python{major}.{minor}",
            Path(prefix) / "bin" / "python3",
            Path(prefix) / "bin" / "python",
        ]
    for path in candidates:
        if path.is_file():
            return str(path)
    raise FileNotFoundError(
        "QGIS's Python interpreter was not found; tried " + ", ".join(str(c) for c in candidates)
    )


def pip_arguments(
    specs: Sequence[str],
    python: str,
    *,
    user: bool | None = None,
    break_system_packages: bool | None = None,
    find_links: str | None = None,
    no_index: bool = False,
) -> list[str]:
    """Build the pip command line that installs ``specs`` for ``python``.

    Parameters
    ----------
    specs : sequence of str
        Requirement specifiers, e.g. ``["esda>=2.5", "libpysal>=4.10"]``.
    python : str
        The interpreter (:func:`qgis_python`).
    user : bool, optional
        Install into the user site (``--user``, the user's profile; no administrator rights).
        Default: yes, unless QGIS runs in a virtual environment (where pip refuses ``--user``).
    break_system_packages : bool, optional
        Add ``--break-system-packages`` (PEP 668 "externally managed" Python such as Debian 12's;
        a user-site install does not touch the system packages). Default: detected.
    find_links : str, optional
        A folder of wheels (``--find-links``), e.g. for an offline installation.
    no_index : bool
        Do not contact the package index (``--no-index``), only ``find_links``.

    Returns
    -------
    list of str
        Arguments for :class:`subprocess.Popen` (no shell).
    """
    if user is None:
        user = sys.prefix == sys.base_prefix
    if break_system_packages is None:
        break_system_packages = user and externally_managed_python()
    args = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
    if user:
        args.append("--user")
    if break_system_packages:
        args.append("--break-system-packages")
    if no_index:
        args.append("--no-index")
    if find_links:
        args += ["--find-links", find_links]
    return args + list(specs)


class InstallTask(QgsTask):
    """Run pip in the background; report progress and one outcome message.

    Parameters
    ----------
    description : str
        Shown in QGIS's task manager.
    args : list of str
        The command line (:func:`pip_arguments`).
    on_done : callable
        ``on_done(ok, output)`` on the UI thread: ``ok`` is True when pip exited with 0;
        ``output`` is pip's combined output (the caller shows the outcome).
    env : dict, optional
        Environment of the pip process (default: QGIS's).
    """

    def __init__(
        self,
        description: str,
        args: list[str],
        on_done: Callable[[bool, str], None],
        env: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self.args = args
        self.on_done = on_done
        self.env = env
        self.output = ""
        self.returncode: int | None = None

    def run(self) -> bool:  # noqa: D102 - QgsTask API, worker thread
        n_specs = max(1, sum(1 for a in self.args[4:] if not a.startswith("-")))
        lines: list[str] = []
        try:
            proc = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
                self.args,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=self.env if self.env is not None else dict(os.environ),
            )
        except OSError as exc:
            self.output = str(exc)
            return False
        self.setProgress(5.0)
        seen = 0
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith(("Collecting", "Processing", "Requirement already satisfied")):
                seen += 1
                # pip reports each requirement (and its dependencies) once; cap below 100.
                self.setProgress(min(90.0, 5.0 + 85.0 * seen / (2 * n_specs)))
            if self.isCanceled():
                proc.terminate()
                break
        self.returncode = proc.wait()
        self.output = "\n".join(lines)
        self.setProgress(100.0)
        return self.returncode == 0 and not self.isCanceled()

    def finished(self, ok: bool) -> None:  # noqa: D102 - QgsTask API, UI thread
        QgsMessageLog.logMessage(
            " ".join(self.args) + "\n" + self.output,
            "PolicyLink",
            Qgis.Info if ok else Qgis.Warning,
        )
        self.on_done(ok, self.output)
