"""Apply a shipped style to an algorithm's output layer when Processing loads it into the project."""

from __future__ import annotations

from collections.abc import Callable

from qgis.core import QgsProcessingLayerPostProcessorInterface, QgsProcessingUtils

from ..core.styling import apply_style, set_yearly_temporal
from ..core.synthetic import SUFFIX, label_layer


class StyleOutput(QgsProcessingLayerPostProcessorInterface):
    """Post-processor that styles (and optionally animates) one output layer.

    Parameters
    ----------
    style : str
        Name of a shipped QML style (see ``core.styling.STYLES``); empty for none.
    temporal : tuple of (str, str or None), optional
        ``(start_year_field, end_year_field)`` for :func:`core.styling.set_yearly_temporal`.
    """

    # Processing keeps only a raw pointer: hold a reference until the layer is loaded.
    _alive: list[StyleOutput] = []

    def __init__(self, style: str, temporal: tuple[str, str | None] | None = None) -> None:
        super().__init__()
        self.style = style
        self.temporal = temporal
        self.steps: list[Callable] = []
        StyleOutput._alive.append(self)

    def postProcessLayer(self, layer, context, feedback) -> None:  # noqa: N802, D102
        if self.style:
            apply_style(layer, self.style)
        if self.temporal:
            set_yearly_temporal(layer, *self.temporal)
        for step in self.steps:
            step(layer)


def style_on_load(context, dest_id: str, style: str, temporal=None) -> None:
    """Attach a :class:`StyleOutput` to ``dest_id`` if Processing will load that layer."""
    if context.willLoadLayerOnCompletion(dest_id):
        details = context.layerToLoadOnCompletionDetails(dest_id)
        post = StyleOutput(style, temporal)
        previous = details.postProcessor()
        if isinstance(previous, StyleOutput):  # keep the steps already asked for (labels)
            post.steps = previous.steps
        details.setPostProcessor(post)


def label_output(
    context, dest_id: str, synthetic: tuple[str, ...], known: bool, what: str = ""
) -> None:
    """Label a result layer SYNTHETIC (name and metadata) or state what is known.

    The layer in the context's store (memory outputs, ``processing.run``) is labelled at once;
    a layer that Processing loads into the project is labelled when it is loaded.

    Parameters
    ----------
    context : QgsProcessingContext
    dest_id : str
        The destination id of a feature sink.
    synthetic : tuple of str
        Synthetic variables the result was built from.
    known : bool
        Whether the inputs' synthetic status is known (database catalogue).
    what : str
        A short translated description for the metadata abstract.
    """
    layer = QgsProcessingUtils.mapLayerFromString(dest_id, context)
    if layer is not None:
        label_layer(layer, synthetic, known, what)
    if context.willLoadLayerOnCompletion(dest_id):
        details = context.layerToLoadOnCompletionDetails(dest_id)
        if synthetic and not details.name.endswith(SUFFIX):
            details.name = details.name + SUFFIX
        post = details.postProcessor()
        if not isinstance(post, StyleOutput):
            post = StyleOutput("", None)
            details.setPostProcessor(post)
        post.steps.append(lambda lay: label_layer(lay, synthetic, known, what))
