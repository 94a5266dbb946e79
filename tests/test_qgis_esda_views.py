"""Weights report, LISA significance map and the Moran scatter linked to the layer's selection.

Data: the SYNTHETIC 6 x 6 lattice of tests/test_qgis_plugin.py (y2010 = row + column + N(0, 1),
seed 7). References: libpysal's ``lat2W`` lattice weights and esda (independent of the
geometries), libpysal's own connectivity (``W.histogram``, ``W.islands``, ``W.n_components``) and a
hand-written GAL file whose asymmetry and islands are known by construction.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_qgis_plugin import FakeIface, lattice_values, lattice_w, synthetic_lattice

pytestmark = pytest.mark.qgis


@pytest.fixture(scope="module")
def plugin(qgis_app):
    from qgis_plugin.plugin import PolicyLinkPlugin

    p = PolicyLinkPlugin(None)
    p.initGui()
    yield p
    p.unload()


@pytest.fixture(scope="module")
def lattice(qgis_app, tmp_path_factory):
    return synthetic_lattice(tmp_path_factory.mktemp("gpkg") / "lattice.gpkg")


def test_weights_report_equals_libpysal(plugin, lattice):
    import processing

    res = processing.run(
        "policylink:weightsreport",
        {"INPUT": lattice, "ID_FIELD": "code", "OUTPUT": "memory:", "HISTOGRAM": "memory:"},
    )
    ref = lattice_w()  # queen lattice: corners 3, edges 5, interior 8 neighbours
    hist = {f["neighbours"]: f["units"] for f in res["HISTOGRAM"].getFeatures()}
    assert hist == {k: v for k, v in ref.histogram if v}
    units = {f["unit"]: f for f in res["OUTPUT"].getFeatures()}
    for k, i in enumerate(sorted(units)):
        assert units[i]["neighbours"] == ref.cardinalities[k]
    assert res["N_UNITS"] == 36 and res["N_LINKS"] == sum(ref.cardinalities.values())
    assert res["N_ISLANDS"] == len(ref.islands) == 0
    assert res["N_COMPONENTS"] == ref.n_components == 1 and res["SYMMETRIC"]


def test_weights_report_of_a_gal_file_with_island_and_one_way_link(plugin, lattice, tmp_path):
    """GAL by hand: 000000 -> 000001 only one way; 000035 without neighbours; two components."""
    import processing
    from libpysal.weights import W

    codes = sorted(f["code"] for f in lattice.getFeatures())
    nbrs = {c: [] for c in codes}
    nbrs[codes[0]] = [codes[1]]  # one way: 000001 does not list 000000
    for a, b in zip(codes[2:34], codes[3:35], strict=True):  # a chain 000002 .. 000034
        nbrs[a].append(b)
        nbrs[b].append(a)
    gal = tmp_path / "hand.gal"
    lines = [f"0 {len(codes)} hand lattice_code"]
    for c in codes:
        lines += [f"{c} {len(nbrs[c])}", " ".join(nbrs[c])]
    gal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = processing.run(
        "policylink:weightsreport",
        {
            "INPUT": lattice,
            "ID_FIELD": "code",
            "WEIGHTS_FILE": str(gal),
            "OUTPUT": "memory:",
            "HISTOGRAM": "memory:",
        },
    )
    units = {f["unit"]: f for f in res["OUTPUT"].getFeatures()}
    assert units["000035"]["island"] == 1 and units["000001"]["island"] == 1
    assert units["000000"]["asymmetric"] == 1 and res["SYMMETRIC"] is False
    assert sum(f["asymmetric"] for f in units.values()) == 1
    ref = W({c: v for c, v in nbrs.items()}, silence_warnings=True)
    # libpysal counts 000001 as an island (no neighbours of its own) but in 000000's component.
    assert res["N_ISLANDS"] == len(ref.islands) == 2
    assert res["N_COMPONENTS"] == 3  # {000000, 000001}, the chain, {000035}
    assert units["000000"]["component"] == units["000001"]["component"]


def test_lisa_significance_map_classes_equal_esda(plugin, lattice):
    import esda
    import processing

    from qgis_plugin.core.styling import LISA_P_COLOURS, apply_style

    y = lattice_values(lattice, "y2010")
    res = processing.run(
        "policylink:localmoran",
        {
            "INPUT": lattice,
            "ID_FIELD": "code",
            "FIELD": "y2010",
            "PERMUTATIONS": 499,
            "SEED": 3,
            "OUTPUT": "memory:",
            "SIGNIFICANCE": "memory:",
        },
    )
    ref = esda.Moran_Local(y, lattice_w(), permutations=499, seed=3, n_jobs=1)
    feats = sorted(res["SIGNIFICANCE"].getFeatures(), key=lambda f: f["code"])

    def cls(p):
        return next((f"p <= {a:g}" for a in (0.001, 0.01, 0.05) if p <= a), "not significant")

    # p: the analysis function's own permutations (esda draws them from another generator; the
    # two p distributions are compared in tests/test_spatial_autocorr.py).
    from policylink.spatial.autocorr import local_moran

    own = local_moran(y, lattice_w(), permutations=499, seed=3).table.p_sim
    assert [f["lisa_pcl"] for f in feats] == [cls(p) for p in own]
    np.testing.assert_allclose([f["lisa_p"] for f in feats], own, atol=1e-12)
    # the classes still follow esda's where its p is not on a class edge
    agree = [cls(a) == cls(b) for a, b in zip(own, ref.p_sim, strict=True)]
    assert sum(agree) >= 0.8 * len(agree)
    assert len({f["lisa_pcl"] for f in feats}) >= 2
    layer = res["SIGNIFICANCE"]
    apply_style(layer, "lisa_significance")
    cats = {c.value(): c.symbol().color().name() for c in layer.renderer().categories()}
    assert cats == LISA_P_COLOURS


def test_moran_scatter_selection_round_trip(plugin, lattice):
    import esda
    from libpysal.weights import lag_spatial

    from policylink.weights import build_weights
    from qgis_plugin.core.layers import layer_to_frame
    from qgis_plugin.gui.moran_scatter import SELECTED, LinkedMoranScatter

    frame = layer_to_frame(lattice, ["code", "y2010"])
    w = build_weights(frame, "code", "queen")
    order = {c: k for k, c in enumerate(frame["code"])}
    y = np.array([frame["y2010"].iloc[order[c]] for c in w.id_order], dtype=float)
    dialog = LinkedMoranScatter(lattice, "code", y, w, "y2010")
    # Reference on libpysal's lat2W (row-major codes, independent of the geometries).
    yl = lattice_values(lattice, "y2010")
    wl = lattice_w()
    z = (yl - yl.mean()) / yl.std()
    wz = lag_spatial(wl, z)
    assert dialog.moran_i == pytest.approx(esda.Moran(yl, wl, permutations=0).I, abs=1e-12)
    fid_by_code = dict(zip(frame["code"], frame["fid"], strict=True))
    codes = sorted(fid_by_code)

    # Plot -> map: a box over the High-High quadrant selects exactly those units.
    picked = dialog.select_in_box(0.0, 0.0, 10.0, 10.0)
    hh = {fid_by_code[c] for c, a, b in zip(codes, z, wz, strict=True) if a >= 0 and b >= 0}
    assert set(lattice.selectedFeatureIds()) == set(picked) == hh and hh
    assert {int(dialog.fids[k]) for k in dialog.highlighted} == hh

    # Map -> plot: selecting two units on the layer highlights their two points in red.
    two = [fid_by_code[codes[0]], fid_by_code[codes[-1]]]
    lattice.selectByIds(two)
    assert {int(dialog.fids[k]) for k in dialog.highlighted} == set(two)
    colours = dialog.points.get_facecolors()
    from matplotlib.colors import to_rgba

    red = [k for k, c in enumerate(colours) if np.allclose(c[:3], to_rgba(SELECTED)[:3])]
    assert set(red) == dialog.highlighted
    lattice.removeSelection()
    assert dialog.highlighted == set()
    dialog.close()


def test_dock_opens_the_linked_scatter(plugin, lattice):
    from qgis.core import QgsProject

    from qgis_plugin.gui.dock import PolicyDiffusionDock

    QgsProject.instance().addMapLayer(lattice, False)
    dock = PolicyDiffusionDock(FakeIface())
    dock.use_layer.setChecked(True)
    dock.layer.setLayer(lattice)
    dock.id_field.setField("code")
    dock.value_field.setField("y2010")
    dialog = dock.open_linked_scatter()
    assert dialog is not None and len(dialog.fids) == 36
    dialog.close()
    QgsProject.instance().takeMapLayer(lattice)
