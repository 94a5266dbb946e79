"""``policylink weights``: export spatial weights from the database views as GAL, GWT or CSV."""

from __future__ import annotations

from pathlib import Path

import click
import libpysal
import pandas as pd

from policylink import dbread
from policylink.errors import ConfigError
from policylink.etl import db as dbmod
from policylink.output import emit, format_option

_SUFFIXES = (".gal", ".gwt", ".csv")


def write_weights(
    w: libpysal.weights.W, pairs: pd.DataFrame, path: Path, spec: dbread.WeightsSpec
) -> str:
    """Write weights to ``path``; the format follows the file suffix.

    Parameters
    ----------
    w : libpysal.weights.W
        Binary weights with ids = unit codes.
    pairs : pandas.DataFrame
        The same weights as ``i, j, weight, distance_m`` rows.
    path : pathlib.Path
        ``.gal`` (GeoDa/libpysal binary neighbour lists; contiguity and KNN), ``.gwt``
        (GeoDa weights with values: the centroid distance in metres for knn/distance, 1 for
        contiguity) or ``.csv`` (``i,j,weight,distance_m`` pairs, all units' ids as text).
    spec : WeightsSpec
        The kind (decides the GWT values).

    Returns
    -------
    str
        The format written (gal, gwt or csv).
    """
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ConfigError(f"--out {path}: the file name must end in .gal, .gwt or .csv")
    if suffix == ".csv":
        pairs.to_csv(path, index=False)
        return "csv"
    if suffix == ".gal":
        f = libpysal.io.open(str(path), "w")
        try:
            f.write(w)
        finally:
            f.close()
        return "gal"
    # GWT carries a value per pair: distances for distance-based kinds, 1 for contiguity
    values = pairs["distance_m"] if spec.kind in ("knn", "distance") else pairs["weight"]
    weights: dict[str, list[float]] = {c: [] for c in w.id_order}
    neighbors: dict[str, list[str]] = {c: [] for c in w.id_order}
    for i, j, v in zip(pairs["i"], pairs["j"], values, strict=True):
        neighbors[i].append(j)
        weights[i].append(float(v))
    wv = libpysal.weights.W(neighbors, weights, id_order=list(w.id_order), silence_warnings=True)
    f = libpysal.io.open(str(path), "w")
    try:
        f.shpName = "policylink_units"  # GWT header: "0 n <shapefile> <id variable>"
        f.varName = "code"
        f.write(wv)
    finally:
        f.close()
    return "gwt"


@click.command("weights")
@click.option(
    "--kind",
    default="queen",
    show_default=True,
    help="queen, rook (contiguity on equal-area boundaries, 1 m gap tolerance), knn:K "
    "(K nearest centroids) or distance:METRES (centroid distance band).",
)
@click.option(
    "--level",
    type=click.Choice(dbread.LEVELS),
    default="prefecture",
    show_default=True,
    help="Administrative level (county = 2,875 county-level units).",
)
@click.option(
    "--within",
    default=None,
    help="Comma-separated codes: keep units whose code or an ancestor is listed "
    "(110000,120000,130000 = Jing-Jin-Ji); weights are the induced sub-graph.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the weights to FILE (.gal, .gwt or .csv); without it, print the pairs.",
)
@format_option()
def weights_cmd(kind: str, level: str, within: str | None, out: Path | None, fmt: str) -> None:
    """Export spatial weights from the database views (w_queen, w_rook, w_knn, w_distance).

    Ids are GB/T 2260 codes in ascending order. Units without neighbours are kept (GAL: an
    empty list) and listed in the summary. GAL and GWT files read back with
    libpysal.io.open(...).read() and in GeoDa.
    """
    spec = dbread.WeightsSpec.parse(kind)
    if out is not None and out.suffix.lower() not in _SUFFIXES:
        raise ConfigError(f"--out {out}: the file name must end in .gal, .gwt or .csv")
    with dbmod.connect() as conn:
        codes = dbread.unit_codes(conn, level, within)
        if not codes:
            raise ConfigError(
                f"no {level} units" + (f" within {within}" if within else "") + " in the database"
            )
        pairs = dbread.read_pairs(conn, spec, level, within)
        w = dbread.read_weights(conn, spec, level, within)
    if out is None:
        emit(pairs, fmt)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    written = write_weights(w, pairs, out, spec)
    islands = [c for c in w.id_order if w.cardinalities[c] == 0]
    summary = {
        "kind": str(spec),
        "level": level,
        "within": within or "",
        "units": w.n,
        "links": int(len(pairs)),
        "mean_neighbors": float(len(pairs) / w.n) if w.n else 0.0,
        "islands": ",".join(islands),
        "file": str(out),
        "format": written,
    }
    emit(summary, fmt)


def register(group: click.Group) -> None:
    """Add ``weights`` to the main CLI group."""
    group.add_command(weights_cmd)
