"""``policylink weights``: export spatial weights (GAL, GWT, CSV, parquet) and report connectivity.

``policylink weights [export] --kind ... --out FILE`` writes weights built by the one rule of their
kind (:mod:`policylink.weights`): from the database views, or from a layer (``--layer FILE --id
FIELD``). ``policylink weights report`` prints the connectivity report
(:func:`policylink.weights.describe`): cardinalities, histogram, islands, components, asymmetry.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from policylink.errors import ConfigError
from policylink.output import emit, format_option

if TYPE_CHECKING:  # numpy, pandas, libpysal and psycopg load when a command runs, not for --help
    import libpysal
    import pandas as pd

    from policylink.weights import WeightsSpec

_SUFFIXES = (".gal", ".gwt", ".csv", ".parquet")
#: ``policylink.dbread.LEVELS`` and ``policylink.weights.TRANSFORMS``, written out so that the
#: options exist without importing those modules (tests/test_weights_cli.py checks they agree).
LEVEL_CHOICES = ("province", "prefecture", "county")
TRANSFORM_CHOICES = ("r", "b", "v", "d", "o")


def write_weights(w: libpysal.weights.W, pairs: pd.DataFrame, path: Path, spec: WeightsSpec) -> str:
    """Write weights to ``path``; the format follows the file suffix.

    Parameters
    ----------
    w : libpysal.weights.W
        Weights with ids = unit codes (stored values, or transformed).
    pairs : pandas.DataFrame
        The stored weights as ``i, j, weight, distance_m`` rows.
    path : pathlib.Path
        ``.gal`` (GeoDa/libpysal neighbour lists, no values), ``.gwt`` (GeoDa weights with
        values: the centroid distance in metres for knn/distance, else the weights of ``w``),
        ``.csv`` or ``.parquet`` (``i, j, weight, distance_m`` with the weights of ``w``;
        ids as text).
    spec : WeightsSpec
        The kind (decides the GWT values).

    Returns
    -------
    str
        The format written (gal, gwt, csv or parquet).

    Raises
    ------
    ConfigError
        Another suffix, or parquet without a parquet engine (pyarrow) installed.
    """
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ConfigError(
            f"--out {path}: the file name must end in .gal, .gwt or .csv (or .parquet)"
        )
    value = {
        (i, j): v for i in w.id_order for j, v in zip(w.neighbors[i], w.weights[i], strict=True)
    }
    rows = pairs.assign(weight=[value[(i, j)] for i, j in zip(pairs["i"], pairs["j"], strict=True)])
    if suffix == ".csv":
        rows.to_csv(path, index=False)
        return "csv"
    if suffix == ".parquet":
        try:
            rows.to_parquet(path, index=False)
        except ImportError as exc:
            raise ConfigError(
                "parquet needs pyarrow (pip install pyarrow); or write .csv / .gwt"
            ) from exc
        return "parquet"
    if suffix == ".gal":
        import libpysal

        f = libpysal.io.open(str(path), "w")
        try:
            f.write(w)
        finally:
            f.close()
        return "gal"
    # GWT carries a value per pair: distances for distance-band kinds, else the weights;
    # written at full precision (libpysal's writer keeps 6 significant digits)
    values = rows["distance_m"] if spec.kind in ("knn", "distance") else rows["weight"]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"0 {w.n} policylink_units code\n")  # "0 n <shapefile> <id variable>"
        for i, j, v in zip(rows["i"], rows["j"], values, strict=True):
            f.write(f"{i} {j} {float(v)!r}\n")
    return "gwt"


def load_pairs(
    spec: WeightsSpec,
    level: str,
    within: str | None,
    layer_file: str | None,
    id_col: str | None,
) -> tuple[pd.DataFrame, list[str], str]:
    """Pairs, unit ids and a source label, from the database or from a layer.

    Parameters
    ----------
    spec : WeightsSpec
        Weights kind.
    level, within : str
        Database selection (ignored with ``layer_file``).
    layer_file : str, optional
        Vector layer to build the weights from (polygons for contiguity).
    id_col : str, optional
        Unit id field of ``layer_file``.

    Returns
    -------
    tuple
        ``(pairs, ids, source)``; ids sorted as text for the database, layer order otherwise.
    """
    from policylink import dbread
    from policylink.weights import build_pairs

    if layer_file:
        from policylink.inputs import read_layer

        if not id_col:
            raise ConfigError("--layer needs the unit id field (--id)")
        gdf = read_layer(layer_file)
        pairs = build_pairs(gdf, id_col, spec, source=layer_file)
        return pairs, gdf[id_col].astype(str).str.strip().tolist(), Path(layer_file).name
    from policylink.etl import db as dbmod

    with dbmod.connect() as conn:
        codes = dbread.unit_codes(conn, level, within)
        if not codes:
            raise ConfigError(
                f"no {level} units" + (f" within {within}" if within else "") + " in the database"
            )
        pairs = dbread.read_pairs(conn, spec, level, within)
    return pairs, codes, f"database {level}" + (f" within {within}" if within else "")


def _selection_options(f: Any) -> Any:
    opts = [
        click.option(
            "--kind",
            "--weights",
            "kind",
            default="queen",
            show_default=True,
            help="queen, rook (1 m gap tolerance; queen:TOL; queen^2 = order 2, queen^1-2 = "
            "orders 1-2), knn:K, distance:METRES, idw:METRES[:POWER], kernel:K[:FUNCTION] "
            "(adaptive), kernel:fixed:METRES[:FUNCTION] or links (coordination links; "
            "database only). Metres on an equal-area projection.",
        ),
        click.option(
            "--level",
            type=click.Choice(LEVEL_CHOICES),
            default="prefecture",
            show_default=True,
            help="Administrative level (county = 2,875 county-level units).",
        ),
        click.option(
            "--within",
            default=None,
            help="Comma-separated codes: keep units whose code or an ancestor is listed "
            "(110000,120000,130000 = Jing-Jin-Ji); weights are the induced sub-graph.",
        ),
        click.option(
            "--layer",
            "layer_file",
            type=click.Path(dir_okay=False, exists=True),
            default=None,
            help="Build the weights from this layer (GPKG/SHP/GeoJSON) instead of the database.",
        ),
        click.option("--id", "id_col", default=None, help="Unit id field of --layer."),
        click.option(
            "--transform",
            type=click.Choice(list(TRANSFORM_CHOICES)),
            default="o",
            show_default=True,
            help="libpysal transformation: r row-standardised, b binary, v variance "
            "stabilising, d doubly standardised, o the stored values (binary, inverse "
            "distances or kernel values).",
        ),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _export(
    kind: str,
    level: str,
    within: str | None,
    layer_file: str | None,
    id_col: str | None,
    transform: str,
    out: Path | None,
    fmt: str,
) -> None:
    """Write the selected weights to ``out`` and print a summary (print the pairs without it)."""
    from policylink.weights import WeightsSpec, pairs_to_w, transformed

    spec = WeightsSpec.parse(kind)
    if out is not None and out.suffix.lower() not in _SUFFIXES:
        raise ConfigError(
            f"--out {out}: the file name must end in .gal, .gwt or .csv (or .parquet)"
        )
    pairs, ids, _ = load_pairs(spec, level, within, layer_file, id_col)
    w = transformed(pairs_to_w(pairs, ids), transform)
    if out is None:
        emit(pairs, fmt)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    written = write_weights(w, pairs, out, spec)
    islands = [c for c in w.id_order if w.cardinalities[c] == 0]
    summary = {
        "kind": str(spec),
        "transform": transform,
        "level": level if not layer_file else "",
        "within": within or "",
        "layer": layer_file or "",
        "units": w.n,
        "links": int(len(pairs)),
        "mean_neighbors": float(len(pairs) / w.n) if w.n else 0.0,
        "islands": ",".join(islands),
        "file": str(out),
        "format": written,
    }
    emit(summary, fmt)


_OUT = click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the weights to FILE (.gal, .gwt, .csv or .parquet); without it, print the pairs.",
)


def _export_options(f: Any) -> Any:
    """The options of an export (selection, ``--out``, ``--format``): the group and ``export``."""
    return _selection_options(_OUT(format_option()(f)))


@click.group("weights", invoke_without_command=True)
@_export_options
@click.pass_context
def weights_cmd(ctx: click.Context, **options: Any) -> None:
    """Export spatial weights (as ``weights export``), or ``weights report`` their connectivity.

    Ids are GB/T 2260 codes in ascending order (database) or the layer's ids. Units without
    neighbours are kept (GAL: an empty list) and listed in the summary. GAL and GWT files read
    back with libpysal.io.open(...).read() and in GeoDa.
    """
    if ctx.invoked_subcommand is None:
        _export(**options)


@weights_cmd.command("export")
@_export_options
def export_cmd(**options: Any) -> None:
    """Write weights to a GAL, GWT, CSV or parquet file (or print the pairs).

    \b
      policylink weights export --kind queen^2 --within 130000 --out hebei_q2.gal
      policylink weights export --kind idw:200000:2 --transform r --out idw.gwt
    """
    _export(**options)


@weights_cmd.command("report")
@_selection_options
@click.option(
    "--members",
    is_flag=True,
    help="JSON: also list the members of every connected component.",
)
@format_option()
def report_cmd(
    kind: str,
    level: str,
    within: str | None,
    layer_file: str | None,
    id_col: str | None,
    transform: str,
    members: bool,
    fmt: str,
) -> None:
    """Connectivity of the weights: cardinalities, histogram, islands, components, asymmetry.

    \b
      policylink weights report --level prefecture --weights queen
      policylink weights report --level county --weights knn:6 --format json
    """
    import pandas as pd

    from policylink.weights import WeightsSpec, describe, pairs_to_w, transformed

    spec = WeightsSpec.parse(kind)
    pairs, ids, source = load_pairs(spec, level, within, layer_file, id_col)
    rep = describe(transformed(pairs_to_w(pairs, ids), transform))
    head = {"kind": str(spec), "weights": spec.describe(), "source": source}
    if fmt == "json":
        out = {**head, **rep.to_dict()}
        if not members:
            out.pop("components")
        emit(out, fmt)
        return
    shown = {
        **head,
        **rep.summary,
        "islands": ",".join(rep.islands),
        "component_sizes": ",".join(str(len(c)) for c in rep.components[:20])
        + (",..." if len(rep.components) > 20 else ""),
        "asymmetric": ",".join(rep.asymmetric[:20]) + (",..." if len(rep.asymmetric) > 20 else ""),
    }
    emit(shown, fmt, title=f"Weights {spec} ({source})")
    if fmt == "table":
        hist = pd.DataFrame(
            {"neighbours": list(rep.histogram), "units": list(rep.histogram.values())}
        )
        emit(hist, fmt, title="Cardinality histogram")


def register(group: click.Group) -> None:
    """Add ``weights`` (with ``export`` and ``report``) to the main CLI group."""
    group.add_command(weights_cmd)
