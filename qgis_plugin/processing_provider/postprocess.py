"""Apply a shipped style to an algorithm's output layer when Processing loads it into the project."""

from __future__ import annotations

from qgis.core import QgsProcessingLayerPostProcessorInterface

from ..core.styling import apply_style, set_yearly_temporal


class StyleOutput(QgsProcessingLayerPostProcessorInterface):
    """Post-processor that styles (and optionally animates) one output layer.

    Parameters
    ----------
    style : str
        Name of a shipped QML style (see ``core.styling.STYLES``).
    temporal : tuple of (str, str or None), optional
        ``(start_year_field, end_year_field)`` for :func:`core.styling.set_yearly_temporal`.
    """

    # Processing keeps only a raw pointer: hold a reference until the layer is loaded.
    _alive: list[StyleOutput] = []

    def __init__(self, style: str, temporal: tuple[str, str | None] | None = None) -> None:
        super().__init__()
        self.style = style
        self.temporal = temporal
        StyleOutput._alive.append(self)

    def postProcessLayer(self, layer, context, feedback) -> None:  # noqa: N802, D102
        apply_style(layer, self.style)
        if self.temporal:
            set_yearly_temporal(layer, *self.temporal)


def style_on_load(context, dest_id: str, style: str, temporal=None) -> None:
    """Attach a :class:`StyleOutput` to ``dest_id`` if Processing will load that layer."""
    if context.willLoadLayerOnCompletion(dest_id):
        details = context.layerToLoadOnCompletionDetails(dest_id)
        details.setPostProcessor(StyleOutput(style, temporal))
