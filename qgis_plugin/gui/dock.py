"""The "Policy diffusion" dock: choose data, run Moran / LISA in the background, see and export results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from qgis.core import QgsApplication, QgsMapLayerProxyModel, QgsProject, QgsVectorLayer
from qgis.gui import QgsFieldComboBox, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import db
from ..core.i18n import tr, translate_error
from ..core.layers import frame_to_layer, layer_to_frame, numeric_column
from ..core.results import layer_with_columns, write_csv
from ..core.styling import apply_style
from ..core.weights import KINDS
from .tasks import AnalysisTask, Cancelled

URL_ITEM = "(database URL)"


class PolicyDiffusionDock(QDockWidget):
    """Dock widget "Policy diffusion".

    Inputs come from the PolicyLink database (a saved QGIS PostgreSQL connection or the URL
    ``policylink db url`` prints; level, variable, years) or from a polygon layer of the project
    (id field and one value field). Analyses run in a :class:`~.tasks.AnalysisTask`.

    Parameters
    ----------
    iface : QgisInterface or None
    parent : QWidget, optional
    """

    def __init__(self, iface=None, parent: QWidget | None = None) -> None:
        super().__init__(tr("Policy diffusion"), parent)
        self.setObjectName("PolicyLinkDock")
        self.iface = iface
        self.task: AnalysisTask | None = None
        self.last_table: pd.DataFrame | None = None
        self.last_layer: QgsVectorLayer | None = None
        self.last_error: BaseException | None = None
        self.last_result: Any = None
        self._build()

    # -- UI ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget()
        lay = QVBoxLayout(body)

        src = QGroupBox(tr("Data"))
        form = QFormLayout(src)
        self.use_db = QRadioButton(tr("PolicyLink database"))
        self.use_layer = QRadioButton(tr("Layer of this project"))
        self.use_db.setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.use_db)
        row.addWidget(self.use_layer)
        form.addRow(row)
        self.connection = QComboBox()
        self.connection.addItems([URL_ITEM, *db.saved_connections()])
        form.addRow(tr("Connection"), self.connection)
        self.url = QLineEdit()
        self.url.setPlaceholderText("postgresql://user@/policylink?host=/path/to/socket")
        form.addRow(tr("Database URL"), self.url)
        self.level = QComboBox()
        self.level.addItems(list(db.LEVELS))
        self.level.setCurrentText("prefecture")
        form.addRow(tr("Level"), self.level)
        self.within = QLineEdit()
        self.within.setPlaceholderText("110000,120000,130000")
        form.addRow(tr("Within (codes)"), self.within)
        vrow = QHBoxLayout()
        self.variable = QComboBox()
        self.variable.setEditable(True)
        self.load_vars = QPushButton(tr("Load"))
        self.load_vars.clicked.connect(self.fill_variables)
        vrow.addWidget(self.variable, 1)
        vrow.addWidget(self.load_vars)
        form.addRow(tr("Variable"), vrow)
        yrow = QHBoxLayout()
        self.year_from = QSpinBox()
        self.year_to = QSpinBox()
        for box, value in ((self.year_from, 2006), (self.year_to, 2019)):
            box.setRange(1949, 2100)
            box.setValue(value)
            yrow.addWidget(box)
        form.addRow(tr("Years"), yrow)
        self.layer = QgsMapLayerComboBox()
        self.layer.setFilters(QgsMapLayerProxyModel.PolygonLayer | QgsMapLayerProxyModel.PointLayer)
        self.id_field = QgsFieldComboBox()
        self.value_field = QgsFieldComboBox()
        self.layer.layerChanged.connect(self.id_field.setLayer)
        self.layer.layerChanged.connect(self.value_field.setLayer)
        self.id_field.setLayer(self.layer.currentLayer())
        self.value_field.setLayer(self.layer.currentLayer())
        form.addRow(tr("Layer"), self.layer)
        form.addRow(tr("Id field"), self.id_field)
        form.addRow(tr("Value field"), self.value_field)
        self.weights_kind = QComboBox()
        self.weights_kind.addItems(
            [tr("Queen contiguity"), tr("Rook contiguity"), tr("k nearest neighbours")]
        )
        form.addRow(tr("Weights"), self.weights_kind)
        self.x_vars = QLineEdit()
        self.x_vars.setPlaceholderText("gdp_per_capita, industry_share")
        form.addRow(tr("Explanatory variables (SDM)"), self.x_vars)
        self.model = QComboBox()
        self.model.addItems(["SDM", "SAR", "SEM", "SAC", "SDEM", "GNS"])
        form.addRow(tr("Model"), self.model)
        # Effects of the spatial panel, as `policylink sdm --fe` (order of the tuple in run_sdm).
        self.fe = QComboBox()
        self.fe.addItems(
            [
                tr("Two-way (unit and time)"),
                tr("Unit"),
                tr("Time"),
                tr("Random unit effects (SAR, SEM, SDM)"),
            ]
        )
        form.addRow(tr("Fixed effects"), self.fe)
        self.permutations = QSpinBox()
        self.permutations.setRange(0, 99999)
        self.permutations.setValue(999)
        form.addRow(tr("Permutations"), self.permutations)
        lay.addWidget(src)

        buttons = QHBoxLayout()
        self.moran_button = QPushButton(tr("Moran's I"))
        self.lisa_button = QPushButton(tr("LISA map"))
        self.moran_button.clicked.connect(self.run_moran)
        self.lisa_button.clicked.connect(self.run_lisa)
        self.sdm_button = QPushButton(tr("Spatial panel"))
        self.sdm_button.clicked.connect(self.run_sdm)
        self.did_button = QPushButton(tr("DID"))
        self.did_button.clicked.connect(self.run_did)
        buttons.addWidget(self.moran_button)
        buttons.addWidget(self.lisa_button)
        buttons.addWidget(self.sdm_button)
        buttons.addWidget(self.did_button)
        lay.addLayout(buttons)
        self.scatter_button = QPushButton(tr("Linked Moran scatter"))
        self.scatter_button.clicked.connect(self.open_linked_scatter)
        lay.addWidget(self.scatter_button)
        # Shown by the plugin when packages are missing; runs its installer task.
        self.install_button = QPushButton(tr("Install missing Python packages"))
        self.install_button.setVisible(False)
        lay.addWidget(self.install_button)

        prow = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_all)
        prow.addWidget(self.progress, 1)
        prow.addWidget(self.cancel_button)
        lay.addLayout(prow)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

        self.tabs = QTabWidget()
        self.table = QTableWidget()
        self.tabs.addTab(self.table, tr("Table"))
        self.plot_host = QWidget()
        self.plot_layout = QVBoxLayout(self.plot_host)
        self.tabs.addTab(self.plot_host, tr("Plot"))
        lay.addWidget(self.tabs, 1)
        erow = QHBoxLayout()
        self.export_button = QPushButton(tr("Export CSV"))
        self.export_button.clicked.connect(self.export_csv)
        self.print_button = QPushButton(tr("Print map (PDF + PNG)"))
        self.print_button.clicked.connect(self.print_map)
        erow.addWidget(self.export_button)
        erow.addWidget(self.print_button)
        lay.addLayout(erow)
        self.setWidget(body)

    # -- inputs (UI thread) -------------------------------------------------------------------------
    def _connection(self) -> str:
        name = self.connection.currentText()
        return db.connection_string("" if name == URL_ITEM else name, self.url.text())

    def _within(self) -> list[str] | None:
        text = self.within.text().strip()
        return [c.strip() for c in text.split(",") if c.strip()] or None

    def fill_variables(self) -> None:
        """Fill the variable list from the database's variable catalogue."""
        try:
            table = db.variables(self._connection())
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._show_error(exc)
            return
        self.variable.clear()
        for name, synthetic in zip(table["name"], table["is_synthetic"], strict=True):
            self.variable.addItem(f"{name} ({tr('synthetic')})" if synthetic else name, name)

    def _variable(self) -> str:
        data = self.variable.currentData()
        return str(data) if data else self.variable.currentText().split(" ")[0]

    def _source(self, kind: str):
        """The database as an :class:`policylink.inputs.InputSource` (read through psycopg)."""
        from policylink.inputs import InputSource

        url = self._connection()
        return InputSource.from_options(
            level=self.level.currentText(),
            within=self._within(),
            weights_kind=kind,
            database_url=url,
        )

    def _years(self) -> list[int]:
        return list(range(self.year_from.value(), self.year_to.value() + 1))

    def collect_inputs(self) -> dict[str, Any]:
        """Read the chosen inputs through the one inputs layer (UI thread, before the task).

        A layer gives one cross-section (its value field) with weights built from its
        geometries by :mod:`policylink.weights`; the database gives the balanced panel of the
        variable with the weights of the database views -- the same inputs as ``policylink
        moran`` / ``lisa`` and the report.

        Returns
        -------
        dict
            ``inputs`` (:class:`policylink.inputs.AnalysisInputs`), ``layer`` (units layer for
            results), ``id_field``, ``variable``, ``kind``.
        """
        from policylink.inputs import inputs_from_frame, load_inputs

        kind = KINDS[self.weights_kind.currentIndex()]
        if self.use_layer.isChecked():
            layer = self.layer.currentLayer()
            if layer is None:
                raise ValueError(tr("Choose a layer."))
            idf, val = self.id_field.currentField(), self.value_field.currentField()
            frame = layer_to_frame(layer, [idf, val])
            numeric_column(frame, val, layer.name())
            inputs = inputs_from_frame(
                frame, id_col=idf, variables=[val], weights=kind, source=layer.name()
            )
            return {
                "inputs": inputs,
                "layer": layer,
                "id_field": idf,
                "variable": val,
                "kind": kind,
            }
        variable = self._variable()
        inputs = load_inputs(self._source(kind), [variable], years=self._years())
        units = inputs.geometry.reset_index()
        layer = frame_to_layer(units, f"{self.level.currentText()} units", ["code", "name_zh"])
        return {
            "inputs": inputs,
            "layer": layer,
            "id_field": "code",
            "variable": variable,
            "kind": kind,
        }

    # -- running ------------------------------------------------------------------------------------
    def _start(self, description: str, function, on_result) -> AnalysisTask | None:
        if self.task is not None:
            self.status.setText(tr("An analysis is already running."))
            return None
        self.last_error = None
        self.progress.setValue(0)
        self.cancel_button.setEnabled(True)
        for b in (self.moran_button, self.lisa_button, self.sdm_button, self.did_button):
            b.setEnabled(False)
        self.status.setText(tr("Running: {d}").format(d=description))

        def done(result, error):
            self.task = None
            self.cancel_button.setEnabled(False)
            for b in (self.moran_button, self.lisa_button, self.sdm_button, self.did_button):
                b.setEnabled(True)
            if error is not None:
                self.last_error = error
                if isinstance(error, Cancelled):
                    self.status.setText(tr("Cancelled."))
                else:
                    self._show_error(error)
                return
            self.progress.setValue(100)
            on_result(result)

        task = AnalysisTask(description, function, done)
        task.progressChanged.connect(lambda p: self.progress.setValue(int(p)))
        self.task = task
        QgsApplication.taskManager().addTask(task)
        return task

    def _collect(self, collect: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        """Inputs from ``collect`` (a ``collect_*`` method); on a user error show it, None."""
        try:
            return collect()
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self._show_error(exc)
            return None

    def run_moran(self) -> AnalysisTask | None:
        """Global Moran's I by year for the chosen data, in the background."""
        inputs = self._collect(self.collect_inputs)
        if inputs is None:
            return None
        perms = self.permutations.value()

        def work(report):
            from policylink.analyses.moran import MoranOptions, run_moran
            from policylink.spatial.autocorr import MoranByYear, moran_scatter

            report(10)
            inp = inputs["inputs"]
            var = inputs["variable"]
            res = run_moran(inp, MoranOptions(var, permutations=perms))
            report(90)
            last = res.results[-1].period
            y = inp.cross_section([var], last)[var].to_numpy(float)
            scatter = moran_scatter(y, inp.w)
            table = MoranByYear(var, res.results).table
            return {"table": table, "scatter": scatter, "I": res.results[-1].I, "period": last}

        def show(result):
            table = result["table"]
            self.show_table(table)
            self.plot_moran(result["scatter"], result["I"], result["period"], inputs["variable"])
            self.status.setText(tr("Moran's I done: {n} year(s).").format(n=len(table)))

        return self._start(tr("Moran's I"), work, show)

    def run_lisa(self) -> AnalysisTask | None:
        """LISA clusters for the last chosen year; the result is added as a styled layer."""
        inputs = self._collect(self.collect_inputs)
        if inputs is None:
            return None
        perms = self.permutations.value()

        def work(report):
            from policylink.analyses.lisa import LisaOptions, run_lisa

            report(10)
            inp = inputs["inputs"]
            last = inp.periods()[-1]
            res = run_lisa(inp, LisaOptions(inputs["variable"], last, permutations=perms))
            return {"table": res.local.table, "period": last if last is not None else ""}

        def show(result):
            table = result["table"]
            layer = layer_with_columns(
                inputs["layer"],
                inputs["id_field"],
                table,
                {
                    "lisa_i": "Ii",
                    "lisa_q": "quadrant",
                    "lisa_z": "z_sim",
                    "lisa_p": "p_sim",
                    "lisa_cl": "cluster",
                },
                f"LISA {inputs['variable']} {result['period']}".strip(),
            )
            apply_style(layer, "lisa")
            QgsProject.instance().addMapLayer(layer)
            self.last_layer = layer
            self.show_table(table)
            self.status.setText(tr("LISA done."))

        return self._start(tr("LISA clusters"), work, show)

    def collect_panel(self, require_x: bool = True) -> dict[str, Any]:
        """The balanced database panel (y and the explanatory variables) and its weights.

        Read through :func:`policylink.inputs.load_inputs`, as ``policylink sdm`` does.

        Returns
        -------
        dict
            ``inputs`` (:class:`policylink.inputs.AnalysisInputs`), ``y``, ``x``.
        """
        from policylink.inputs import load_inputs

        if self.use_layer.isChecked():
            raise ValueError(
                tr("The spatial panel model needs the PolicyLink database (a panel over years).")
            )
        xs = [v.strip() for v in self.x_vars.text().split(",") if v.strip()]
        if require_x and not xs:
            raise ValueError(tr("Give at least one explanatory variable."))
        y = self._variable()
        kind = KINDS[self.weights_kind.currentIndex()]
        inputs = load_inputs(self._source(kind), [y, *xs], years=self._years())
        if len(inputs.periods()) < 2:
            raise ValueError(tr("Fewer than two years have all variables for every unit."))
        return {"inputs": inputs, "y": y, "x": xs}

    def run_sdm(self) -> AnalysisTask | None:
        """Spatial panel model (SDM / SAR / SEM / SAC / SDEM / GNS, fixed or random effects) with
        effects, in the background."""
        inputs = self._collect(self.collect_panel)
        if inputs is None:
            return None
        model = self.model.currentText().lower()
        fe = ("twoways", "unit", "time", "random")[self.fe.currentIndex()]

        def work(report):
            from policylink.analyses.sdm import SdmOptions, run_sdm

            report(10)
            options = SdmOptions(y=inputs["y"], x=tuple(inputs["x"]), model=model, fe=fe)
            res = run_sdm(inputs["inputs"], options).main
            report(95)
            coef = res.coefficients.assign(part="coefficient")
            parts = [coef.rename(columns={"name": "term"})]
            if res.effects is not None:
                eff = res.effects.assign(part=res.effects["effect"])
                parts.append(eff.rename(columns={"variable": "term"}).drop(columns="effect"))
            table = pd.concat(parts, ignore_index=True)[
                ["part", "term", "estimate", "se", "z", "p"]
            ]
            return {"table": table, "result": res}

        def show(result):
            self.last_result = result["result"]
            self.show_table(result["table"])
            r = result["result"]
            self.status.setText(
                tr("{m}: {n} units x {t} years, log-likelihood {ll:.3f}.").format(
                    m=model.upper(), n=r.n_units, t=r.n_periods, ll=r.log_likelihood
                )
            )

        return self._start(tr("Spatial panel model"), work, show)

    def collect_did(self) -> dict[str, Any]:
        """The DID inputs of the low-carbon pilots from the database (UI thread).

        The outcome is the chosen variable, the controls are the explanatory variables; the
        treatment is the database's adoption rule (``adoption_panel_rules``: a designated
        province covers its prefectures, the earliest batch wins, seed 004's effective years),
        read through :func:`policylink.did_inputs.load_did_inputs` as ``policylink did --db`` and
        the report do.

        Returns
        -------
        dict
            ``inputs`` (:class:`policylink.did_inputs.DidInputs`), ``y``, ``x``.
        """
        from policylink.did_inputs import DidSource, load_did_inputs

        if self.use_layer.isChecked():
            raise ValueError(tr("The DID needs the PolicyLink database (a panel over years)."))
        xs = [v.strip() for v in self.x_vars.text().split(",") if v.strip()]
        y = self._variable()
        url = self._connection()
        source = DidSource.from_options(
            y, controls=xs, within=self._within(), level=self.level.currentText(), database_url=url
        )
        inputs = load_did_inputs(source)
        years = set(self._years())
        inputs.panel = inputs.panel[inputs.panel[inputs.spec.time].isin(years)]
        return {"inputs": inputs, "y": y, "x": xs}

    def run_did(self) -> AnalysisTask | None:
        """TWFE DID and event study of the low-carbon pilots on the chosen variable, in the background."""
        inputs = self._collect(self.collect_did)
        if inputs is None:
            return None

        def work(report):
            from policylink.analyses.did import EventStudyOptions, run_event_study, run_twfe

            report(10)
            did = run_twfe(inputs["inputs"])
            report(50)
            es = run_event_study(inputs["inputs"], EventStudyOptions(leads=3, lags=3))
            report(95)
            table = did.result.coefficients.reset_index(names="term")[
                ["term", "estimate", "se", "t", "p"]
            ]
            return {"table": table, "did": did.result, "event_study": es.result}

        def show(result):
            self.last_result = result["did"]
            self.show_table(result["table"])
            self.plot_event_study(result["event_study"].table)
            d = result["did"]
            self.status.setText(
                tr("DID = {b:.4f} (SE {se:.4f}), {n} observations.").format(
                    b=d.coef(), se=d.se(), n=d.n_obs
                )
            )

        return self._start(tr("DID"), work, show)

    def plot_event_study(self, table: pd.DataFrame) -> None:
        """Draw the event-study plot (policylink.spatial.did.plots) in the Plot tab."""
        from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg

        from policylink.spatial.did.plots import plot_event_study

        while self.plot_layout.count():
            item = self.plot_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.figure = plot_event_study(table)
        self.plot_layout.addWidget(FigureCanvasQTAgg(self.figure))

    def open_linked_scatter(self):
        """Open the Moran scatter plot linked to the chosen layer's selection (layer source).

        Returns
        -------
        LinkedMoranScatter or None
            None (with a message) when the data source is the database or the inputs are wrong.
        """
        from .moran_scatter import LinkedMoranScatter

        if not self.use_layer.isChecked():
            self.status.setText(
                tr("The linked scatter plot needs a layer of the project as data source.")
            )
            return None
        inputs = self._collect(self.collect_inputs)
        if inputs is None:
            return None
        inp, var = inputs["inputs"], inputs["variable"]
        y = inp.cross_section([var], inp.periods()[-1])[var].to_numpy(float)
        self.scatter_dialog = LinkedMoranScatter(
            inputs["layer"], inputs["id_field"], y, inp.w, var, self
        )
        self.scatter_dialog.show()
        return self.scatter_dialog

    def cancel_all(self) -> None:
        """Cancel the running analysis, if any."""
        if self.task is not None:
            self.task.cancel()

    # -- results ------------------------------------------------------------------------------------
    def show_table(self, table: pd.DataFrame) -> None:
        """Show a result table in the Table tab (and keep it for CSV export)."""
        self.last_table = table
        self.table.clear()
        self.table.setRowCount(len(table))
        self.table.setColumnCount(len(table.columns))
        self.table.setHorizontalHeaderLabels([str(c) for c in table.columns])
        for i, row in enumerate(table.itertuples(index=False)):
            for j, v in enumerate(row):
                text = f"{v:.4f}" if isinstance(v, float) else str(v)
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.tabs.setCurrentWidget(self.table)

    def plot_moran(self, scatter: pd.DataFrame, moran_i: float, period: Any, variable: str) -> None:
        """Draw the Moran scatter plot (z against W z, slope = I) in the Plot tab."""
        from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        while self.plot_layout.count():
            item = self.plot_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        fig = Figure(figsize=(4, 4), tight_layout=True)
        ax = fig.add_subplot(111)
        ax.scatter(scatter["z"], scatter["wz"], s=12, color="#2c7fb8", alpha=0.8)
        lim = max(abs(scatter["z"]).max(), abs(scatter["wz"]).max()) * 1.1
        ax.plot([-lim, lim], [-lim * moran_i, lim * moran_i], color="#d7191c")
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_xlabel(f"{variable} (z)")
        ax.set_ylabel("W z")
        ax.set_title(f"Moran's I = {moran_i:.3f} ({period})")
        self.figure = fig
        self.plot_layout.addWidget(FigureCanvasQTAgg(fig))

    def export_csv(self, path: str | None = None) -> str | None:
        """Save the last result table as CSV (asks for a file name when none is given)."""
        if self.last_table is None:
            self.status.setText(tr("Nothing to export yet."))
            return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, tr("Export CSV"), "", "CSV (*.csv)")
            if not path:
                return None
        return write_csv(self.last_table, path)

    def print_map(self, out_base: str | None = None) -> dict | None:
        """Export the last LISA layer (else QGIS's active layer) as a PDF + PNG map.

        The layout has title, legend, scale bar, north arrow and source note.
        """
        from ..core.layout import build_layout, export_layout

        layer = self.last_layer
        if layer is None and self.iface is not None:
            layer = self.iface.activeLayer()  # e.g. a coordination-link layer from Processing
        if layer is None:
            self.status.setText(tr("Run the LISA map first or select a layer."))
            return None
        if not out_base:
            out_base, _ = QFileDialog.getSaveFileName(self, tr("Print map"), "", "PDF (*.pdf)")
            if not out_base:
                return None
        if layer is self.last_layer:
            note = tr(
                "Source: PolicyLink; local Moran's I (Anselin 1995), {p} permutations."
            ).format(p=self.permutations.value())
        else:
            note = tr("Source: PolicyLink database; layer {name}.").format(name=layer.name())
        layout = build_layout([layer], title=layer.name(), source_note=note)
        return export_layout(layout, out_base)

    def _show_error(self, exc: BaseException) -> None:
        self.last_error = exc
        if isinstance(exc, ModuleNotFoundError) and exc.name:
            # A button whose package is missing (e.g. DID without pyfixest): name it and the
            # command that installs it, as the Processing algorithms do.
            from ..processing_provider.checks import missing_package_message

            self.status.setText(missing_package_message(tr("Policy diffusion"), exc.name))
            return
        self.status.setText(tr("Error: {e}").format(e=translate_error(exc)))
