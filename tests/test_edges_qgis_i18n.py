"""Messages of the analyses layer reach the Chinese QGIS interface in Chinese (issue 17).

The analyses speak English and import no Qt; the plugin recognises their known messages
(``qgis_plugin.core.i18n.ANALYSIS_MESSAGES``) and translates them through its ``.ts`` file. Two
kinds of check, each able to fail on its own:

- the templates match the messages the analyses really raise (run here on SYNTHETIC lattices),
  so a reworded message cannot silently fall back to English;
- in a real headless QGIS with the zh_CN translator, a Processing algorithm refused by the
  analyses layer shows the Chinese text from the ``.ts`` file (read independently with
  ElementTree), with the layer, field and numbers kept.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policylink.errors import PolicyLinkError

pytestmark = pytest.mark.qgis

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "qgis_plugin" / "i18n" / "policylink_zh_CN.ts"
HAN = re.compile(r"[\u4e00-\u9fff]")


def zh_of(source: str) -> str:
    """The zh_CN translation of ``source`` in the .ts file (read without Qt)."""
    for msg in ET.parse(TS).getroot().iter("message"):
        if msg.findtext("source") == source:
            return msg.findtext("translation") or ""
    raise AssertionError(f"not in {TS.name}: {source!r}")


@pytest.fixture(scope="module")
def zh(qgis_app):
    """The plugin with the zh_CN translator installed (built from the .ts file first)."""
    from qgis_plugin.core.i18n import install_translator, remove_translator
    from qgis_plugin.plugin import PolicyLinkPlugin

    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_translations.py")], check=True)
    p = PolicyLinkPlugin(None)
    p.initGui()
    assert install_translator("zh_CN")
    yield p
    remove_translator()
    p.unload()


def constant_strip(n: int = 8, value: float = 3.0):
    """A memory layer of ``n`` unit squares (EPSG:3857) whose field ``v`` is constant."""
    from qgis.core import QgsFeature, QgsGeometry, QgsRectangle, QgsVectorLayer

    layer = QgsVectorLayer(
        "Polygon?crs=EPSG:3857&field=code:string&field=v:double", "flat", "memory"
    )
    feats = []
    for i in range(n):
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(i * 1000, 0, (i + 1) * 1000, 1000)))
        f.setAttributes([f"u{i}", value])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def refused(alg: str, params: dict) -> str:
    import processing
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException) as info:
        processing.run(alg, params)
    text = str(info.value)
    assert "Traceback" not in text and 'File "' not in text, text
    return text


# ------------------------------------------------------------ templates match real messages


def lattice_inputs(values: dict[str, np.ndarray], n: int = 5):  # noqa: ANN201
    from libpysal.weights import lat2W

    from policylink.inputs import AnalysisInputs, canonical

    w = lat2W(n, n)
    panel = pd.DataFrame({"id": w.id_order, **values})
    return canonical(AnalysisInputs(panel, w, "id", None, "lattice (SYNTHETIC)"))


def raised_messages() -> dict[str, list[str]]:
    """Key of ANALYSIS_MESSAGES -> the problem messages the analyses raise for that case."""
    import geopandas as gpd
    from shapely.geometry import box

    from policylink.analyses.did import run_sun_abraham, run_twfe
    from policylink.analyses.lisa import LisaOptions, run_lisa
    from policylink.analyses.moran import MoranOptions, run_moran
    from policylink.did_inputs import did_inputs_from_frame
    from policylink.spatial.did import PanelSpec
    from policylink.weights import build_weights

    def problems(fn) -> list[str]:  # noqa: ANN001
        with pytest.raises(PolicyLinkError) as info:
            fn()
        exc = info.value
        return [p.message for p in getattr(exc, "problems", [])] or [str(exc)]

    flat = lattice_inputs({"v": np.full(25, 2.0)})
    rng = np.random.default_rng(5)
    noisy = lattice_inputs({"v": rng.normal(size=25)})
    squares = gpd.GeoDataFrame(
        {"code": ["a", "b"]},
        geometry=[box(5e5, 4e6, 5.1e5, 4.01e6), box(5.1e5, 4e6, 5.2e5, 4.01e6)],
    )
    one_year = pd.DataFrame(
        {"unit": ["a", "b", "c"], "year": 2010, "y": [1.0, 2.0, 3.0], "ft": [2010, 0, 0]}
    )
    spec = PanelSpec("y", first_treated="ft", source="syn.csv")
    # one never-treated unit, one adopting in the second year: an exact fit
    two_by_two = pd.DataFrame(
        {"unit": ["a", "a", "b", "b"], "year": [2010, 2011] * 2, "y": [0.1, -0.1, 0.6, 0.1]}
    ).assign(ft=[0, 0, 2011, 2011])
    return {
        "local_constant": problems(lambda: run_lisa(flat, LisaOptions("v", permutations=99))),
        "local_permutations": problems(lambda: run_lisa(noisy, LisaOptions("v", permutations=0))),
        "moran_constant": problems(lambda: run_moran(flat, MoranOptions("v", permutations=9))),
        "degrees_crs": problems(
            lambda: build_weights(squares.set_crs(4326), "code", "queen", source="l")
        ),
        "no_crs": problems(lambda: build_weights(squares, "code", "queen", source="l")),
        "did_years": problems(lambda: run_twfe(did_inputs_from_frame(one_year, spec))),
        "did_exact_fit": problems(lambda: run_sun_abraham(did_inputs_from_frame(two_by_two, spec))),
    }


def test_templates_match_the_messages_the_analyses_raise(qgis_app) -> None:
    from qgis_plugin.core.i18n import ANALYSIS_MESSAGES, _patterns

    patterns = dict(zip(ANALYSIS_MESSAGES, (rx for rx, _ in _patterns()), strict=True))
    for key, messages in raised_messages().items():
        assert any(patterns[key].fullmatch(m) for m in messages), (key, messages)


def test_every_template_is_translated_with_its_placeholders(qgis_app) -> None:
    from qgis_plugin.core.i18n import ANALYSIS_MESSAGES

    for template in ANALYSIS_MESSAGES.values():
        zh_text = zh_of(template)
        assert HAN.search(zh_text), template
        assert set(re.findall(r"\{(\w+)\}", zh_text)) == set(re.findall(r"\{(\w+)\}", template))


# ------------------------------------------------------------------- in headless QGIS (zh)


def test_constant_field_in_local_moran_is_refused_in_chinese(zh) -> None:
    params = {"INPUT": constant_strip(), "ID_FIELD": "code", "FIELD": "v", "OUTPUT": "memory:"}
    text = refused("policylink:localmoran", params)
    assert zh_of("the variable is constant: local statistics are undefined") in text, text
    assert "local statistics are undefined" not in text  # not the English
    assert "flat" in text
    # where, in Chinese too: the layer and a column (the algorithm names the value 'value')
    assert zh_of("column {column}").split("{column}")[0] in text, text
    assert zh_of("{n} problem(s) found; nothing was written:").format(n=1) in text, text


def test_constant_field_in_global_moran_is_refused_in_chinese(zh) -> None:
    params = {"INPUT": constant_strip(), "ID_FIELD": "code", "VALUE_FIELDS": ["v"]}
    text = refused("policylink:globalmoran", {**params, "OUTPUT": "memory:"})
    expected = zh_of(
        "{variable} is constant (or varies only by rounding): Moran's I is undefined (zero "
        "variance), no p-value is reported"
    )
    # the variable's name is kept in the translated sentence
    assert expected.split("{variable}")[1][:6] in text, text
    assert "Moran's I is undefined" not in text, text


def test_unknown_messages_stay_in_english(qgis_app) -> None:
    """A message no template knows passes unchanged (never a wrong translation)."""
    from qgis_plugin.core.i18n import translate_error, translate_message

    assert translate_message("something new happened") == "something new happened"
    err = PolicyLinkError("something new happened")
    assert translate_error(err) == "something new happened"


def test_input_error_text_is_unchanged_without_a_translator(qgis_app) -> None:
    """In English the rebuilt text is exactly the error's own text (same wording as the CLI)."""
    from policylink.errors import InputError, Problem
    from qgis_plugin.core.i18n import remove_translator, translate_error

    remove_translator()
    exc = InputError(
        [
            Problem("units.gpkg", 3, "code", "u1", "duplicate unit id"),
            Problem("units.gpkg", None, "v", None, "missing value for unit u4 in 2019"),
        ],
        truncated=2,
    )
    assert translate_error(exc) == str(exc)
