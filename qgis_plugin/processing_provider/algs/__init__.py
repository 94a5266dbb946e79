"""The PolicyLink Processing algorithms, one module each, named after what the algorithm does.

:data:`ALGORITHMS` lists the classes in the order the provider registers them;
:func:`all_algorithms` makes one instance of each.
"""

from __future__ import annotations

from qgis.core import QgsProcessingAlgorithm

from .adoption_curve import AdoptionCurve
from .adoption_period_layer import AdoptionPeriodLayer
from .build_weights import BuildWeights
from .coordination_link_layer import CoordinationLinkLayer
from .cross_section_model import CrossSectionModel
from .did_modern import DIDCallawaySantAnna, DIDHonest, DIDImputation
from .did_suite import DIDSuite
from .did_synthetic import DIDDcdh, DIDSynthetic
from .diffusion_path_layer import DiffusionPathLayer
from .dynamic_spatial_panel import DynamicSpatialPanel
from .event_history_table import EventHistoryTable
from .export_database_weights import ExportDatabaseWeights
from .export_map_layout import ExportMapLayout
from .getis_ord_gi_star import GetisOrdGiStar
from .global_moran import GlobalMoran
from .load_units_and_panel import LoadUnitsAndPanel
from .local_moran import LocalMoran
from .neighbour_adoption_layer import NeighbourAdoptionLayer
from .netinf_tie_layer import NetinfTieLayer
from .pilot_batch_layer import PilotBatchLayer
from .spatial_panel_model import SpatialPanelModel
from .weights_report import WeightsReport

ALGORITHMS: tuple[type[QgsProcessingAlgorithm], ...] = (
    LoadUnitsAndPanel,
    ExportDatabaseWeights,
    BuildWeights,
    WeightsReport,
    GlobalMoran,
    LocalMoran,
    GetisOrdGiStar,
    SpatialPanelModel,
    DynamicSpatialPanel,
    CrossSectionModel,
    DIDSuite,
    DIDCallawaySantAnna,
    DIDImputation,
    DIDHonest,
    DIDSynthetic,
    DIDDcdh,
    PilotBatchLayer,
    AdoptionPeriodLayer,
    CoordinationLinkLayer,
    NeighbourAdoptionLayer,
    DiffusionPathLayer,
    EventHistoryTable,
    NetinfTieLayer,
    AdoptionCurve,
    ExportMapLayout,
)

__all__ = [
    "ALGORITHMS",
    "AdoptionCurve",
    "AdoptionPeriodLayer",
    "BuildWeights",
    "CoordinationLinkLayer",
    "CrossSectionModel",
    "DIDCallawaySantAnna",
    "DIDDcdh",
    "DIDHonest",
    "DIDImputation",
    "DIDSuite",
    "DIDSynthetic",
    "DiffusionPathLayer",
    "DynamicSpatialPanel",
    "EventHistoryTable",
    "ExportDatabaseWeights",
    "ExportMapLayout",
    "GetisOrdGiStar",
    "GlobalMoran",
    "LoadUnitsAndPanel",
    "LocalMoran",
    "NeighbourAdoptionLayer",
    "NetinfTieLayer",
    "PilotBatchLayer",
    "SpatialPanelModel",
    "WeightsReport",
    "all_algorithms",
]


def all_algorithms() -> list[QgsProcessingAlgorithm]:
    """Return one new instance of every PolicyLink Processing algorithm.

    Returns
    -------
    list of QgsProcessingAlgorithm
        In the order of :data:`ALGORITHMS`.
    """
    return [cls() for cls in ALGORITHMS]
