"""Background work for the dock: a QgsTask that runs one analysis function off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qgis.core import Qgis, QgsMessageLog, QgsTask


class Cancelled(Exception):
    """Raised inside a task function when the user pressed Cancel."""


class AnalysisTask(QgsTask):
    """Run ``function(report)`` in a worker thread; deliver its result on the UI thread.

    The function must not touch QGIS layers or widgets (read the inputs first, on the UI thread);
    it calls ``report(percent)`` to move the progress bar, which raises :class:`Cancelled` once the
    user cancelled.

    Parameters
    ----------
    description : str
        Shown in QGIS's task manager.
    function : callable
        ``function(report) -> result``.
    on_done : callable
        ``on_done(result, error)`` called on the UI thread: ``error`` is None on success, the
        exception otherwise (``Cancelled`` after a cancel).
    """

    def __init__(
        self,
        description: str,
        function: Callable[[Callable[[float], None]], Any],
        on_done: Callable[[Any, BaseException | None], None],
    ) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self.function = function
        self.on_done = on_done
        self.result: Any = None
        self.error: BaseException | None = None

    def _report(self, percent: float) -> None:
        if self.isCanceled():
            raise Cancelled()
        self.setProgress(float(percent))

    def run(self) -> bool:  # noqa: D102 - QgsTask API, worker thread
        try:
            self.result = self.function(self._report)
            return not self.isCanceled()
        except Cancelled as exc:
            self.error = exc
            return False
        except Exception as exc:  # noqa: BLE001 - shown to the user in finished()
            self.error = exc
            return False

    def finished(self, ok: bool) -> None:  # noqa: D102 - QgsTask API, UI thread
        if not ok and self.error is None:
            self.error = Cancelled()
        if self.error is not None and not isinstance(self.error, Cancelled):
            QgsMessageLog.logMessage(
                f"{self.description()}: {self.error}", "PolicyLink", Qgis.Warning
            )
        self.on_done(self.result if ok else None, self.error)
