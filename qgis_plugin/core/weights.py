"""Spatial weights for layer inputs: contiguity or k-nearest neighbours from geometries, or a file.

This only prepares the libpysal ``W`` object that the ``spatial`` package takes; no statistic is
computed here. Database users get the same contiguity from the ``w_queen`` / ``w_rook`` views.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

KINDS = ("queen", "rook", "knn")


def weights_from_frame(frame: pd.DataFrame, id_field: str, kind: str = "queen", k: int = 5) -> Any:
    """Build libpysal weights from the geometries of a GeoDataFrame.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        One row per unit, with a ``geometry`` column.
    id_field : str
        Column whose values become the weights ids (must be unique and not missing).
    kind : {'queen', 'rook', 'knn'}
        Queen contiguity (a shared vertex suffices), rook contiguity (a shared edge) or the ``k``
        nearest neighbours by representative-point distance in the layer CRS.
    k : int
        Number of neighbours for ``knn``.

    Returns
    -------
    libpysal.weights.W
        Binary weights, ``id_order`` in the order of ``frame``; islands are kept (reported in
        ``w.islands``) so the caller can warn about them.

    Raises
    ------
    ValueError
        Duplicate or missing ids, empty geometries, or an unknown kind.
    """
    from libpysal import weights

    ids = frame[id_field]
    if ids.isna().any():
        raise ValueError(
            f"field {id_field!r} is empty for feature {int(frame['fid'][ids.isna()].iloc[0])}"
        )
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise ValueError(
            f"field {id_field!r}: id {dup!r} occurs more than once; ids must be unique"
        )
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        bad = frame["fid"][frame.geometry.isna() | frame.geometry.is_empty].iloc[0]
        raise ValueError(f"feature {int(bad)} has no geometry")
    idl = ids.tolist()
    gdf = frame.reset_index(drop=True)
    if kind == "queen":
        return weights.Queen.from_dataframe(gdf, ids=idl, use_index=False, silence_warnings=True)
    if kind == "rook":
        return weights.Rook.from_dataframe(gdf, ids=idl, use_index=False, silence_warnings=True)
    if kind == "knn":
        pts = gdf.copy()
        pts["geometry"] = gdf.geometry.representative_point()
        return weights.KNN.from_dataframe(pts, k=int(k), ids=idl, use_index=False)
    raise ValueError(f"unknown weights kind {kind!r}; use one of {', '.join(KINDS)}")


def read_weights_file(path: str | Path, ids: list[Any]) -> Any:
    """Read GAL or GWT weights (GeoDa / libpysal format) and align them to the layer's ids.

    Parameters
    ----------
    path : str or Path
        ``.gal`` or ``.gwt`` file.
    ids : list
        Unit ids of the layer, in layer order. Ids in the file are matched as text.

    Returns
    -------
    libpysal.weights.W
        Weights with ``id_order`` equal to ``ids``.

    Raises
    ------
    ValueError
        When the file's ids and the layer's ids differ.
    """
    from libpysal import io, weights

    w = io.open(str(path)).read()
    as_text = {str(i): i for i in w.id_order}
    want = [str(i) for i in ids]
    extra = sorted(set(as_text) - set(want))
    lacking = sorted(set(want) - set(as_text))
    if extra or lacking:
        raise ValueError(
            f"{Path(path).name}: ids differ from the layer's "
            f"(in file only: {extra[:5]}, in layer only: {lacking[:5]})"
        )
    neighbors = {str(i): [str(j) for j in w.neighbors[as_text[str(i)]]] for i in want}
    wts = {str(i): list(w.weights[as_text[str(i)]]) for i in want}
    back = dict(zip(want, ids, strict=True))
    return weights.W(
        {back[i]: [back[j] for j in nb] for i, nb in neighbors.items()},
        {back[i]: v for i, v in wts.items()},
        id_order=list(ids),
        silence_warnings=True,
    )


def write_weights_file(w: Any, path: str | Path) -> str:
    """Write weights as GAL (binary contiguity) or GWT (with weights), by file suffix.

    Parameters
    ----------
    w : libpysal.weights.W
    path : str or Path
        Target; ``.gwt`` writes weights, anything else GAL.

    Returns
    -------
    str
        The path written.
    """
    from libpysal import io

    path = str(path)
    f = io.open(path, "w")
    try:
        f.write(w)
    finally:
        f.close()
    return path
