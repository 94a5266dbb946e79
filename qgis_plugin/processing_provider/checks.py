"""Checks of user inputs before any statistic runs: each mistake ends in one translated message.

Every check raises :class:`QgsProcessingException` naming what is wrong, where (layer, field,
file, folder) and what would be accepted, so Processing shows one line instead of a Python
traceback. :func:`guarded` is the safety net of every algorithm (see
:class:`.base.PolicyLinkAlgorithm`): errors of the analyses layer and of reading files become
such a message too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qgis.core import QgsProcessingException, QgsVectorLayer, QgsWkbTypes

from ..core.i18n import tr, translate_error

WEIGHTS_SUFFIXES = (".gal", ".gwt")


def check_fields(layer: QgsVectorLayer, fields: list[str], numeric: list[str] = ()) -> None:
    """Refuse fields that the layer lacks, and text fields where numbers are needed.

    Parameters
    ----------
    layer : QgsVectorLayer
        The input layer.
    fields : list of str
        Fields that must exist.
    numeric : list of str
        Fields among them that must be numeric.

    Raises
    ------
    QgsProcessingException
        Naming the layer, the field and the fields that would be accepted.
    """
    names = [f.name() for f in layer.fields()]
    for field in fields:
        if not field or layer.fields().indexOf(field) < 0:
            raise QgsProcessingException(
                tr("Layer '{layer}' has no field '{field}'; its fields are: {fields}.").format(
                    layer=layer.name(), field=field, fields=", ".join(names) or "-"
                )
            )
    for field in numeric:
        qfield = layer.fields().field(field)
        if not qfield.isNumeric():
            accepted = [f.name() for f in layer.fields() if f.isNumeric()]
            raise QgsProcessingException(
                tr(
                    "Field '{field}' of layer '{layer}' is {type}, not a number; "
                    "choose a numeric field: {fields}."
                ).format(
                    field=field,
                    layer=layer.name(),
                    type=qfield.typeName(),
                    fields=", ".join(accepted) or "-",
                )
            )


def check_units_layer(
    layer: QgsVectorLayer, *, kind: str | None, weights_file: str | None, minimum: int = 2
) -> None:
    """Refuse a unit layer that cannot give spatial weights.

    Parameters
    ----------
    layer : QgsVectorLayer
        The units.
    kind : str or None
        Weights kind built from the geometries (``queen``, ``rook``, ``knn``), None with a file.
    weights_file : str or None
        A GAL/GWT file given instead.
    minimum : int
        Fewest features accepted.

    Raises
    ------
    QgsProcessingException
        An empty layer, fewer than ``minimum`` features, no CRS (when weights are built from the
        geometries), or points for contiguity weights.
    """
    n = layer.featureCount()
    if n == 0:
        raise QgsProcessingException(
            tr("Layer '{layer}' has no features; choose a layer with at least {n} units.").format(
                layer=layer.name(), n=minimum
            )
        )
    if n < minimum:
        raise QgsProcessingException(
            tr(
                "Layer '{layer}' has only {count} feature(s); spatial statistics compare units "
                "with their neighbours and need at least {n} units."
            ).format(layer=layer.name(), count=n, n=minimum)
        )
    if weights_file:
        return
    if not layer.crs().isValid():
        raise QgsProcessingException(
            tr(
                "Layer '{layer}' has no coordinate reference system (CRS), so neighbours in "
                "metres cannot be found; set its CRS (Layer Properties, Source) or give a "
                "weights file (GAL or GWT)."
            ).format(layer=layer.name())
        )
    extent = layer.extent()
    if (
        layer.crs().isGeographic()
        and not extent.isEmpty()
        and (
            extent.xMinimum() < -180
            or extent.xMaximum() > 180
            or extent.yMinimum() < -90
            or extent.yMaximum() > 90
        )
    ):
        raise QgsProcessingException(
            tr(
                "Layer '{layer}' is in {crs}, a CRS in degrees, but its coordinates reach "
                "{x:.0f}, {y:.0f}, which are not degrees; set the CRS the coordinates are in."
            ).format(
                layer=layer.name(),
                crs=layer.crs().authid() or layer.crs().description(),
                x=max(abs(extent.xMinimum()), abs(extent.xMaximum())),
                y=max(abs(extent.yMinimum()), abs(extent.yMaximum())),
            )
        )
    if kind in ("queen", "rook") and layer.geometryType() != QgsWkbTypes.PolygonGeometry:
        raise QgsProcessingException(
            tr(
                "Layer '{layer}' has no polygons: contiguity weights (queen, rook) need shared "
                "borders; choose 'k nearest neighbours' or give a weights file (GAL or GWT)."
            ).format(layer=layer.name())
        )


def check_weights_file(path: str) -> None:
    """Refuse a weights file that is missing, not GAL/GWT or unreadable.

    Parameters
    ----------
    path : str
        The file given.

    Raises
    ------
    QgsProcessingException
        Naming the file and the formats accepted.
    """
    p = Path(path)
    if not p.is_file():
        raise QgsProcessingException(
            tr("Weights file '{file}' does not exist; give a GAL or GWT file.").format(file=path)
        )
    if p.suffix.lower() not in WEIGHTS_SUFFIXES:
        raise QgsProcessingException(
            tr("Weights file '{file}' is not a GAL or GWT file (.gal, .gwt).").format(file=path)
        )
    try:
        with p.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise QgsProcessingException(
            tr("Weights file '{file}' cannot be read: {error}").format(
                file=path, error=exc.strerror or exc
            )
        ) from exc


def check_output_file(path: str) -> str:
    """Create the folder of an output file, or refuse it with one message.

    Parameters
    ----------
    path : str
        The output file chosen.

    Returns
    -------
    str
        ``path``, whose folder now exists.

    Raises
    ------
    QgsProcessingException
        When the folder cannot be created or written to.
    """
    folder = Path(path).expanduser().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".policylink-write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise QgsProcessingException(
            tr("Output folder '{folder}' cannot be created or written to: {error}").format(
                folder=str(folder), error=exc.strerror or exc
            )
        ) from exc
    return path


def message_of(exc: BaseException) -> str:
    """The user-facing text of an input error (no quotes around a KeyError's text), in the
    interface language when it is a known message of the analyses layer."""
    return translate_error(exc)


def _english(exc: BaseException) -> str:
    """The text of ``exc`` as raised (what an algorithm passes on with ``str(exc)``)."""
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc)


def missing_package_message(algorithm: str, module: str) -> str:
    """The message of an algorithm that cannot import a package: which one, and how to install it.

    Parameters
    ----------
    algorithm : str
        The algorithm's (translated) name.
    module : str
        The top-level module that failed to import.

    Returns
    -------
    str
    """
    from ..core.deps import Requirement, install_command, read_requirements

    known = [r for r in read_requirements() if r.module == module]
    req = known[0] if known else Requirement(module, module, module)
    return tr(
        "{algorithm} needs the Python package '{package}', which QGIS's Python cannot import. "
        "Install it with: {command} and restart QGIS."
    ).format(algorithm=algorithm, package=req.name, command=install_command([req]))


def guarded(process: Callable[..., dict]) -> Callable[..., dict]:
    """Wrap ``processAlgorithm`` so input errors end in one message, never a traceback.

    A package that cannot be imported is named with the command that installs it (from the
    plugin's ``requirements.txt`` when listed there). Also caught: errors of the analyses layer (:class:`policylink.errors.PolicyLinkError`), of files
    and folders (``OSError``), of the database driver (``psycopg.Error``) and the ``ValueError``
    / ``KeyError`` that the layer readers raise with a message naming layer, feature and field.

    Parameters
    ----------
    process : callable
        An algorithm's ``processAlgorithm``.

    Returns
    -------
    callable
    """
    from policylink.errors import PolicyLinkError

    caught: tuple[type[BaseException], ...] = (PolicyLinkError, OSError, ValueError, KeyError)
    try:
        import psycopg

        caught = (*caught, psycopg.Error)
    except ImportError:  # pragma: no cover - psycopg is a dependency of the analyses
        pass

    @functools.wraps(process)
    def run(self: Any, parameters: dict, context: Any, feedback: Any) -> dict:
        try:
            return process(self, parameters, context, feedback)
        except QgsProcessingException as exc:
            # An algorithm that passed an analyses error on as ``str(exc)`` gets it translated
            # here, in one place (the analyses layer has no Qt and speaks English).
            cause = exc.__cause__
            if isinstance(cause, caught) and str(exc) == _english(cause):
                text = translate_error(cause)
                if text != str(exc):
                    raise QgsProcessingException(text) from cause
            raise
        except ModuleNotFoundError as exc:
            module = (exc.name or str(exc)).split(".")[0]
            if module in ("policylink", "qgis_plugin", "qgis", "processing"):
                raise
            raise QgsProcessingException(
                missing_package_message(self.displayName(), module)
            ) from exc
        except caught as exc:
            raise QgsProcessingException(
                tr("{algorithm} stopped: {message}").format(
                    algorithm=self.displayName(), message=message_of(exc)
                )
            ) from exc

    run.__guarded__ = True  # type: ignore[attr-defined]
    return run
