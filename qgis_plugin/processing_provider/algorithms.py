"""The list of algorithms the provider registers."""

from __future__ import annotations


def all_algorithms() -> list:
    """Return one new instance of every PolicyLink Processing algorithm.

    Returns
    -------
    list of QgsProcessingAlgorithm
    """
    from .autocorrelation import BuildWeights, GetisOrdGiStar, GlobalMoran, LocalMoran
    from .database import ExportDatabaseWeights, LoadUnitsAndPanel
    from .layout_export import ExportMapLayout
    from .models import DIDSuite, SpatialPanelModel
    from .policymaps import (
        AdoptionPeriodLayer,
        CoordinationLinkLayer,
        DiffusionPathLayer,
        NeighbourAdoptionLayer,
        PilotBatchLayer,
    )

    return [
        LoadUnitsAndPanel(),
        ExportDatabaseWeights(),
        BuildWeights(),
        GlobalMoran(),
        LocalMoran(),
        GetisOrdGiStar(),
        SpatialPanelModel(),
        DIDSuite(),
        PilotBatchLayer(),
        AdoptionPeriodLayer(),
        CoordinationLinkLayer(),
        NeighbourAdoptionLayer(),
        DiffusionPathLayer(),
        ExportMapLayout(),
    ]
