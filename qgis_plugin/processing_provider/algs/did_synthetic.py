"""Processing algorithms of synthetic DID and the de Chaisemartin-D'Haultfoeuille estimators:
``didsdid`` and ``diddcdh``.

Each calls its one analysis function of :mod:`policylink.analyses.did` (as ``policylink did
sdid|dcdh``): :func:`~policylink.analyses.did.run_sdid`, :func:`~policylink.analyses.did.run_dcdh`.
These classes only read the panel table and write the tables and, for synthetic DID, the unit
weights as a layer joined to the unit geometries (one weight field per adoption cohort).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

from ...core.i18n import tr
from ..base import cell, write_table
from ..regression import panel_field
from .did_modern import _DidPanelAlgorithm


def _save_png(alg: Any, analysis: Any, name: str, parameters: dict, context: Any) -> str | None:
    """Save the analysis figure ``name`` to the optional ``OUTPUT_PNG``; return the path."""
    png = alg.parameterAsFileOutput(parameters, alg.OUTPUT_PNG, context)
    if not png:
        return None
    from ..checks import check_output_file

    png = check_output_file(png)
    analysis.figures()[name].savefig(png, dpi=150)
    return png


class DIDSynthetic(_DidPanelAlgorithm):
    """Synthetic DID by adoption cohort: ATT, SE, unit weights layer, time weights table."""

    METHOD = "METHOD"
    SE_METHOD = "SE_METHOD"
    REPLICATIONS = "REPLICATIONS"
    TIME_WEIGHTS = "TIME_WEIGHTS"
    UNITS = "UNITS"
    UNITS_ID = "UNITS_ID"
    UNIT_WEIGHTS = "UNIT_WEIGHTS"
    OUTPUT_PNG = "OUTPUT_PNG"

    _name = "didsdid"
    _display = "Synthetic DID (Arkhangelsky et al.)"
    _help = (
        "Synthetic difference-in-differences (Arkhangelsky et al. 2021; "
        "policylink.analyses.did.run_sdid, as `policylink did sdid`) for staggered adoption: "
        "each adoption cohort against the never-treated units with unit weights (controls that "
        "track the cohort before adoption) and time weights (pre-periods that resemble the "
        "post-periods); overall ATT weighted by treated units x post periods, with placebo, "
        "jackknife or bootstrap standard errors. Also synthetic control and plain DID. Outputs: "
        "table of the ATT and the cohort estimates, time weights table (cohort, year, lambda), "
        "and with a unit layer the unit weights joined to the unit geometries (field "
        "omega_<cohort> per cohort; treated units get their cohort and no weight). Balanced "
        "panel; controls are not used."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        from policylink.analyses.did import DEFAULT_SDID_REPLICATIONS, SDID_METHODS, SDID_SE

        self.add_panel_inputs(controls=False)
        labels = {
            "sdid": tr("Synthetic DID"),
            "sc": tr("Synthetic control"),
            "did": tr("Plain DID"),
            "placebo": tr("Placebo"),
            "jackknife": tr("Jackknife"),
            "bootstrap": tr("Bootstrap"),
            "none": tr("No standard errors"),
            "auto": tr("Placebo with enough controls, else bootstrap"),
        }
        for key, label, values in (
            (self.METHOD, tr("Estimator"), SDID_METHODS),
            (self.SE_METHOD, tr("Standard errors"), SDID_SE),
        ):
            self.addParameter(
                QgsProcessingParameterEnum(
                    key, label, options=[labels[v] for v in values], defaultValue=0
                )
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.REPLICATIONS,
                tr("Placebo / bootstrap replications"),
                QgsProcessingParameterNumber.Integer,
                DEFAULT_SDID_REPLICATIONS,
                False,
                2,
                100000,
            )
        )
        self.add_seed()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("Synthetic DID estimates"), QgsProcessing.TypeVector
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.TIME_WEIGHTS, tr("Time weights"), QgsProcessing.TypeVector, optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.UNITS,
                tr("Optional: unit layer for the unit weights"),
                [QgsProcessing.TypeVectorAnyGeometry],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.UNITS_ID,
                tr("Unit id field of the unit layer"),
                parentLayerParameterName=self.UNITS,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.UNIT_WEIGHTS,
                tr("Unit weights (one field per cohort)"),
                QgsProcessing.TypeVectorAnyGeometry,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT_PNG,
                tr("Plot: treated vs synthetic control"),
                fileFilter="PNG (*.png)",
                optional=True,
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.did import SDID_METHODS, SDID_SE, SdidOptions, run_sdid

        inputs = self.did_inputs(parameters, context, feedback)
        options = SdidOptions(
            method=SDID_METHODS[self.parameterAsEnum(parameters, self.METHOD, context)],
            se=SDID_SE[self.parameterAsEnum(parameters, self.SE_METHOD, context)],
            replications=self.parameterAsInt(parameters, self.REPLICATIONS, context),
            seed=self.parameterAsInt(parameters, self.SEED, context),
        )
        analysis = run_sdid(inputs, options)
        for note in analysis.warnings:
            feedback.pushWarning(note)
        out = self.finish(analysis, parameters, context, feedback)
        if parameters.get(self.TIME_WEIGHTS):
            out[self.TIME_WEIGHTS] = write_table(
                self, parameters, context, self.TIME_WEIGHTS, analysis.time_weights()
            )
        if parameters.get(self.UNIT_WEIGHTS):
            out[self.UNIT_WEIGHTS] = self.unit_weights(parameters, context, inputs, analysis)
        png = _save_png(self, analysis, "sdid", parameters, context)
        if png:
            out[self.OUTPUT_PNG] = png
        out.update({"ATT": analysis.att, "SE": analysis.se, "P": float(analysis.result.p)})
        return out

    def unit_weights(self, parameters: dict, context: Any, inputs: Any, analysis: Any) -> str:
        """Write each unit of ``UNITS`` with its cohort and its weight in every cohort's fit.

        Control units get ``omega_<cohort>`` (0 when the fit gives them no weight); treated
        units get their cohort and empty weights; units absent from the panel stay empty.
        """
        layer = self.parameterAsVectorLayer(parameters, self.UNITS, context)
        id_field = self.parameterAsString(parameters, self.UNITS_ID, context)
        if layer is None or not id_field:
            raise QgsProcessingException(
                tr("The unit weights need the unit layer and its unit id field.")
            )
        spec = inputs.spec
        first = inputs.panel.groupby(spec.unit)[spec.first_treated].first()
        cohort_of = {str(u): g for u, g in first.items() if pd.notna(g) and g > 0}
        weights = analysis.unit_weights()
        cohorts = sorted(int(c) for c in weights["cohort"].unique())
        omega = {
            (int(r.cohort), str(r.unit)): float(r.omega) for r in weights.itertuples(index=False)
        }
        fields = QgsFields(layer.fields())
        fields.append(QgsField("cohort", QVariant.Int))
        for c in cohorts:
            fields.append(QgsField(f"omega_{c}", QVariant.Double))
        sink, dest = self.parameterAsSink(
            parameters, self.UNIT_WEIGHTS, context, fields, layer.wkbType(), layer.sourceCrs()
        )
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.UNIT_WEIGHTS))
        for feat in layer.getFeatures():
            u = str(feat[id_field])
            g = cohort_of.get(u)
            extra: list[Any] = [int(g) if g is not None else None]
            extra += [cell(omega.get((c, u))) for c in cohorts]
            out = QgsFeature(fields)
            out.setGeometry(feat.geometry())
            out.setAttributes(list(feat.attributes()) + extra)
            sink.addFeature(out, QgsFeatureSink.FastInsert)
        return dest


class DIDDcdh(_DidPanelAlgorithm):
    """de Chaisemartin-D'Haultfoeuille DID_M and DID_l (treatments that switch on and off)."""

    TREAT = "TREAT"
    EFFECTS = "EFFECTS"
    PLACEBOS = "PLACEBOS"
    DRAWS = "DRAWS"
    OUTPUT_PNG = "OUTPUT_PNG"

    _name = "diddcdh"
    _display = "de Chaisemartin-D'Haultfoeuille DID"
    _help = (
        "de Chaisemartin and D'Haultfoeuille estimators for treatments that may switch on and "
        "off (policylink.analyses.did.run_dcdh, as `policylink did dcdh`): DID_M compares units "
        "whose treatment changes (joiners and leavers) with units whose treatment does not; "
        "DID_l follows units from their first switch, with placebos before it; bootstrap "
        "standard errors over units. Treatment: the optional 0/1 field (may switch off), else "
        "the first treated year (absorbing). Output: table rel_time, estimate, se, p, "
        "n_switchers (placebos at negative rel_time). Balanced panel; controls are not used."
    )

    def initAlgorithm(self, config=None):  # noqa: N802, D102
        from policylink.analyses.did import DEFAULT_DCDH_DRAWS

        self.add_panel_inputs(controls=False)
        # a switching treatment has no first treated year: one of the two fields is given
        first = self.parameterDefinition(self.FIRST_TREATED)
        first.setFlags(first.flags() | QgsProcessingParameterDefinition.FlagOptional)
        self.addParameter(
            panel_field(
                self.TREAT,
                tr("Optional: 0/1 treatment field (may switch off; replaces the first year)"),
                numeric=True,
                optional=True,
            )
        )
        for key, label, default, low in (
            (self.EFFECTS, tr("Dynamic effects DID_1..DID_n"), 3, 1),
            (self.PLACEBOS, tr("Placebo estimators"), 2, 0),
            (self.DRAWS, tr("Bootstrap draws (0 = no standard errors)"), DEFAULT_DCDH_DRAWS, 0),
        ):
            self.addParameter(
                QgsProcessingParameterNumber(
                    key, label, QgsProcessingParameterNumber.Integer, default, False, low, 100000
                )
            )
        self.add_seed()
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT, tr("DID_l and placebos"), QgsProcessing.TypeVector
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT_PNG,
                tr("Plot: DID_l and placebos"),
                fileFilter="PNG (*.png)",
                optional=True,
            )
        )

    def did_inputs(self, parameters: dict, context: Any, feedback: Any) -> Any:
        """The panel; with ``TREAT`` the 0/1 field codes the treatment (it may switch off)."""
        treat = self.parameterAsString(parameters, self.TREAT, context)
        first = self.parameterAsString(parameters, self.FIRST_TREATED, context)
        if bool(treat) == bool(first):
            raise QgsProcessingException(
                tr("Give exactly one of the first treated year field and the 0/1 treatment field.")
            )
        if not treat:
            return super().did_inputs(parameters, context, feedback)
        from policylink.did_inputs import did_inputs_from_frame
        from policylink.spatial.did import PanelSpec

        from ...core.layers import layer_to_frame

        names = {
            p: self.parameterAsString(parameters, p, context)
            for p in (self.UNIT, self.TIME, self.OUTCOME)
        }
        layer = self.parameterAsVectorLayer(parameters, self.PANEL, context)
        cols = [*names.values(), treat]
        df = layer_to_frame(layer, cols, geometry=False, feedback=feedback).drop(columns="fid")
        df[names[self.UNIT]] = df[names[self.UNIT]].map(lambda v: None if v is None else str(v))
        spec = PanelSpec(
            outcome=names[self.OUTCOME],
            unit=names[self.UNIT],
            time=names[self.TIME],
            treat=treat,
            source=layer.name(),
        )
        self._panel_layer = layer
        return did_inputs_from_frame(df, spec, source=layer.name())

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802, D102
        from policylink.analyses.did import DcdhOptions, run_dcdh

        inputs = self.did_inputs(parameters, context, feedback)
        options = DcdhOptions(
            effects=self.parameterAsInt(parameters, self.EFFECTS, context),
            placebos=self.parameterAsInt(parameters, self.PLACEBOS, context),
            draws=self.parameterAsInt(parameters, self.DRAWS, context),
            seed=self.parameterAsInt(parameters, self.SEED, context),
        )
        analysis = run_dcdh(inputs, options)
        out = self.finish(analysis, parameters, context, feedback)
        png = _save_png(self, analysis, "dcdh", parameters, context)
        if png:
            out[self.OUTPUT_PNG] = png
        m = analysis.result.did_m
        out.update(
            {
                "DID_M": float(m["estimate"]),
                "DID_M_SE": float(m["se"]),
                "N_SWITCHES": int(m["n_switches"]),
            }
        )
        return out
