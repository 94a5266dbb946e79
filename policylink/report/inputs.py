"""Inputs of the analysis sections: panels from ``observation`` and contiguity weights.

The views area's readers (:mod:`policylink.dbread`) are used when they provide what is needed;
otherwise panels come straight from the long ``observation`` table and queen weights are built
with libpysal from the unit geometries (``Queen.from_dataframe``: shared vertex or edge).
"""

from __future__ import annotations

from collections.abc import Sequence

import libpysal
import pandas as pd
import psycopg


def variables_present(conn: psycopg.Connection, names: Sequence[str]) -> list[str]:
    """Return the names of ``names`` that have at least one observation."""
    rows = conn.execute(
        "SELECT DISTINCT variable FROM observation WHERE variable = ANY(%s)", (list(names),)
    ).fetchall()
    have = {r[0] for r in rows}
    return [n for n in names if n in have]


def variable_info(conn: psycopg.Connection, names: Sequence[str]) -> pd.DataFrame:
    """Catalogue rows (name, labels, unit, source, is_synthetic) of ``names``."""
    rows = conn.execute(
        "SELECT name, label_zh, label_en, unit, source, is_synthetic FROM variable "
        "WHERE name = ANY(%s) ORDER BY name",
        (list(names),),
    ).fetchall()
    return pd.DataFrame(
        rows, columns=["name", "label_zh", "label_en", "unit", "source", "is_synthetic"]
    )


def read_panel(
    conn: psycopg.Connection, variables: Sequence[str], codes: Sequence[str]
) -> pd.DataFrame:
    """Wide panel ``code, year, <variables>`` for the given units (only complete rows).

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    variables : sequence of str
        Variable names.
    codes : sequence of str
        Unit codes.

    Returns
    -------
    DataFrame
        One row per unit and year where every variable is observed, sorted by code and year.
    """
    rows = conn.execute(
        "SELECT unit_code, year, variable, value FROM observation "
        "WHERE variable = ANY(%s) AND unit_code = ANY(%s)",
        (list(variables), list(codes)),
    ).fetchall()
    long = pd.DataFrame(rows, columns=["code", "year", "variable", "value"])
    if long.empty:
        return pd.DataFrame(columns=["code", "year", *variables])
    wide = long.pivot_table(index=["code", "year"], columns="variable", values="value")
    wide = wide.reindex(columns=list(variables)).dropna().reset_index()
    wide.columns.name = None
    return wide.sort_values(["code", "year"]).reset_index(drop=True)


def balanced(panel: pd.DataFrame, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Keep the units observed in every year (of ``years`` or of the panel)."""
    years = sorted(panel["year"].unique()) if years is None else sorted(years)
    sub = panel[panel["year"].isin(years)]
    counts = sub.groupby("code")["year"].nunique()
    keep = counts[counts == len(years)].index
    return sub[sub["code"].isin(keep)].reset_index(drop=True)


def queen_weights(
    conn: psycopg.Connection, codes: Sequence[str], level: str = "prefecture"
) -> libpysal.weights.W:
    """Binary queen contiguity among ``codes`` from the ``w_queen`` view (ids = codes).

    Reads through :func:`policylink.dbread.read_weights`, so the contiguity is the one of the
    views (shared vertex or edge, tolerant of small gaps between non-topological boundaries).

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    codes : sequence of str
        Units to keep, in the order wanted for ``w.id_order``.
    level : str
        Unit level.

    Returns
    -------
    libpysal.weights.W
        Binary weights (set ``w.transform = 'r'`` where needed); islands keep empty rows.
    """
    from policylink.dbread import read_weights

    return read_weights(conn, "queen", level, ids=list(codes))
