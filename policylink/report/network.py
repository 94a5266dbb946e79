"""Coordination-link network measures (seed 001 Fig. 2 as a table).

Links, their periods and the per-unit counts are the database's (``coordination_link_*`` view
functions of ``sql/views/23_links.sql``, read through :mod:`policylink.dbread`); this module
only adds what SQL cannot give and lays the rows out as tables. The network has one node per
unit and one edge per link row (event x unit pair): a multigraph. Per unit:

- degree: number of distinct partner units (``coordination_link_node.n_partners``, the degree
  in the simple graph);
- strength: number of link rows the unit is an end of (``n_links``; weighted degree with
  weight = events per pair; Barrat et al. 2004, PNAS 101(11), 3747-3752);
- betweenness: shortest-path betweenness on the simple graph (Freeman 1977), normalised, with
  networkx.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import pandas as pd


def link_graph(links: pd.DataFrame) -> nx.MultiGraph:
    """Build the multigraph: one edge per link row (``event_id, event_year, kind, from_code,
    to_code``, as from :func:`policylink.dbread.read_links`)."""
    g = nx.MultiGraph()
    for r in links.itertuples(index=False):
        g.add_edge(
            r.from_code,
            r.to_code,
            key=f"{r.event_id}:{r.from_code}>{r.to_code}",
            event_id=r.event_id,
            kind=r.kind,
            year=r.event_year,
        )
    return g


def node_table(
    nodes: pd.DataFrame, links: pd.DataFrame, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Degree, strength and betweenness per unit.

    Parameters
    ----------
    nodes : DataFrame
        ``code, n_partners, n_links`` per linked unit (:func:`policylink.dbread.read_link_nodes`).
    links : DataFrame
        The same links, one row per event and pair (:func:`policylink.dbread.read_links`), for
        the betweenness.
    names : mapping, optional
        Code -> display name.

    Returns
    -------
    DataFrame
        ``code, name, degree, strength, betweenness`` sorted by strength then degree.
    """
    betw = nx.betweenness_centrality(nx.Graph(link_graph(links)), normalized=True)
    df = pd.DataFrame(
        {
            "code": nodes["code"],
            "name": [(names or {}).get(c, c) for c in nodes["code"]],
            "degree": nodes["n_partners"].astype(int),
            "strength": nodes["n_links"].astype(int),
            "betweenness": [betw.get(c, 0.0) for c in nodes["code"]],
        }
    )
    return df.sort_values(
        ["strength", "degree", "code"], ascending=[False, False, True]
    ).reset_index(drop=True)


def links_by_kind_and_period(links: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Number of links (event x pair) by kind and period, with totals.

    Parameters
    ----------
    links : DataFrame
        Link rows with the database's ``kind`` and ``period`` (``read_links(..., scheme=...)``).
    labels : sequence of str
        Period labels of the scheme in order (the table's columns, empty periods included).

    Returns
    -------
    DataFrame
        One row per kind plus ``total``; one column per period plus ``total``.
    """
    labels = list(labels)
    tab = pd.crosstab(links["kind"], links["period"]).reindex(columns=labels, fill_value=0)
    tab = tab.rename_axis(index="kind", columns=None)
    tab["total"] = tab.sum(axis=1)
    tab.loc["total"] = tab.sum(axis=0)
    return tab.reset_index()
