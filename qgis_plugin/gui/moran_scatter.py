"""A Moran scatter plot linked to a layer's selection (GeoDa's linked Moran scatter).

Dragging a rectangle over points selects their units on the map; selecting units on the map
(or in the attribute table) highlights their points. The points are
:func:`policylink.spatial.autocorr.moran_scatter`'s (standardised value against its row-standardised
spatial lag; the slope of the fitted line is Moran's I).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qgis.core import QgsVectorLayer
from qgis.PyQt.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from ..core.i18n import tr
from ..core.layers import layer_to_frame

SELECTED = "#d7191c"
NORMAL = "#2c7fb8"


class LinkedMoranScatter(QDialog):
    """Moran scatter plot whose points are the units of ``layer``, linked both ways.

    Parameters
    ----------
    layer : QgsVectorLayer
        The units; selecting points selects its features and vice versa.
    id_field : str
        The unit id field (its values, as text, are the ids of ``w``).
    values : numpy.ndarray
        The variable, in the order of ``w.id_order``.
    w : libpysal.weights.W
        The weights (ids as text).
    variable : str
        Name of the variable, for the axis label.
    parent : QWidget, optional
    """

    def __init__(
        self,
        layer: QgsVectorLayer,
        id_field: str,
        values: np.ndarray,
        w: Any,
        variable: str,
        parent: QWidget | None = None,
    ) -> None:
        from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg
        from matplotlib.figure import Figure
        from matplotlib.widgets import RectangleSelector

        from policylink.spatial.autocorr import moran_scatter

        super().__init__(parent)
        self.setWindowTitle(tr("Moran scatter plot (linked to the map)"))
        self.layer = layer
        self.scatter = moran_scatter(values, w)
        z, wz = self.scatter["z"].to_numpy(), self.scatter["wz"].to_numpy()
        self.moran_i = float(z @ wz / (z @ z))  # slope through the origin of Wz on z
        frame = layer_to_frame(layer, [id_field], geometry=False)
        fid_of = dict(zip(frame[id_field].astype(str), frame["fid"], strict=True))
        self.fids = np.array([fid_of[str(i)] for i in self.scatter["id"]], dtype=np.int64)
        self.highlighted: set[int] = set()

        self.figure = Figure(figsize=(4.5, 4.5), tight_layout=True)
        self.canvas = FigureCanvasQTAgg(self.figure)
        ax = self.figure.add_subplot(111)
        self.points = ax.scatter(z, wz, s=16, color=NORMAL, alpha=0.85, picker=True)
        lim = max(np.abs(z).max(), np.abs(wz).max()) * 1.1
        ax.plot([-lim, lim], [-lim * self.moran_i, lim * self.moran_i], color="#444444", lw=1)
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_xlabel(f"{variable} (z)")
        ax.set_ylabel("W z")
        ax.set_title(tr("Moran's I = {value}").format(value=f"{self.moran_i:.3f}"))
        self.axes = ax
        self.selector = RectangleSelector(ax, self._on_rectangle, useblit=False, button=[1])
        lay = QVBoxLayout(self)
        lay.addWidget(self.canvas)
        lay.addWidget(QLabel(tr("Drag a rectangle to select units; map selections show here.")))
        layer.selectionChanged.connect(self.sync_from_layer)
        self.sync_from_layer()

    def _on_rectangle(self, press: Any, release: Any) -> None:
        self.select_in_box(press.xdata, press.ydata, release.xdata, release.ydata)

    def select_in_box(self, x0: float, y0: float, x1: float, y1: float) -> list[int]:
        """Select on the layer the units whose points lie in the box (what a drag does).

        Parameters
        ----------
        x0, y0, x1, y1 : float
            Corners of the box in plot coordinates (z, W z), in any order.

        Returns
        -------
        list of int
            The feature ids selected.
        """
        z, wz = self.scatter["z"].to_numpy(), self.scatter["wz"].to_numpy()
        inside = (z >= min(x0, x1)) & (z <= max(x0, x1)) & (wz >= min(y0, y1)) & (wz <= max(y0, y1))
        fids = [int(f) for f in self.fids[inside]]
        self.layer.selectByIds(fids)  # emits selectionChanged -> sync_from_layer
        return fids

    def sync_from_layer(self, *_args: Any) -> None:
        """Highlight the points of the units selected on the layer."""
        selected = set(self.layer.selectedFeatureIds())
        self.highlighted = {k for k, f in enumerate(self.fids) if int(f) in selected}
        colours = [SELECTED if k in self.highlighted else NORMAL for k in range(len(self.fids))]
        self.points.set_color(colours)
        self.canvas.draw_idle()

    def closeEvent(self, event: Any) -> None:  # noqa: N802, D102 - Qt API
        try:
            self.layer.selectionChanged.disconnect(self.sync_from_layer)
        except (TypeError, RuntimeError):  # already disconnected or layer deleted
            pass
        super().closeEvent(event)
