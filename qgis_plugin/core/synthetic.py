"""SYNTHETIC labels on QGIS layers: layer name, metadata (abstract, keywords) and reading them back.

A layer made from a variable that the database catalogue flags synthetic (``is_synthetic``) is
named ``... [SYNTHETIC]`` and its metadata says which variables are synthetic, under the keyword
vocabulary :data:`VOCABULARY`. Layers of other origin (a shapefile, a GeoPackage made
elsewhere) carry no flag: the plugin cannot know, and the metadata of a result says so instead
of claiming the data are real.
"""

from __future__ import annotations

from qgis.core import QgsMapLayer

from .i18n import tr

SUFFIX = " [SYNTHETIC]"
VOCABULARY = "PolicyLink SYNTHETIC variables"
"""Keyword vocabulary listing the synthetic variables (or fields) of a layer."""
CHECKED = "PolicyLink synthetic check"
"""Keyword vocabulary saying whether the database catalogue was consulted (``catalogue``)."""


def synthetic_of(layer: QgsMapLayer | None) -> tuple[tuple[str, ...], bool]:
    """The synthetic variables a layer's PolicyLink metadata names, and whether it is known.

    Parameters
    ----------
    layer : QgsMapLayer or None
        An input layer.

    Returns
    -------
    tuple
        ``(variables, known)``: ``known`` is True when the layer was written by PolicyLink from
        the database (its metadata has the :data:`CHECKED` vocabulary); then ``variables`` are
        the synthetic ones (possibly none). Otherwise ``((), False)``.
    """
    if layer is None:
        return (), False
    keywords = layer.metadata().keywords()
    known = CHECKED in keywords
    variables = tuple(v for v in keywords.get(VOCABULARY, []) if v)
    return variables, known or bool(variables)


def label_layer(
    layer: QgsMapLayer, synthetic: tuple[str, ...] | list[str], known: bool, what: str = ""
) -> None:
    """Name and describe a result layer with what is known about synthetic data.

    Parameters
    ----------
    layer : QgsMapLayer
        A result layer.
    synthetic : sequence of str
        Synthetic variables (or fields) it was built from.
    known : bool
        Whether the synthetic status of its inputs is known (from the database catalogue).
    what : str
        A short description of the result for the abstract, already translated.
    """
    synthetic = tuple(sorted(set(synthetic)))
    name = layer.name()
    if synthetic and not name.endswith(SUFFIX):
        layer.setName(name + SUFFIX)
    meta = layer.metadata()
    if synthetic:
        note = tr(
            "SYNTHETIC data: built from the synthetic variable(s) {v}; not real observations."
        ).format(v=", ".join(synthetic))
        meta.addKeywords(VOCABULARY, list(synthetic))
        meta.addKeywords(CHECKED, ["catalogue"])
    elif known:
        note = tr("No synthetic variable: checked against the PolicyLink database catalogue.")
        meta.addKeywords(CHECKED, ["catalogue"])
    else:
        note = tr(
            "Synthetic status unknown: the inputs are layers that do not come from the "
            "PolicyLink database, so no catalogue flag could be checked."
        )
    meta.setAbstract("\n".join(t for t in (what, note) if t))
    layer.setMetadata(meta)
