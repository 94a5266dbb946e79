"""Coordination-link network measures with networkx (seed 001 Fig. 2 as a table).

The network has one node per unit and one edge per (event, unit pair): a multigraph. From it:

- degree: number of distinct partner units (degree in the simple graph);
- strength: number of link events the unit takes part in (weighted degree with weight = events
  per pair; Barrat et al. 2004, PNAS 101(11), 3747-3752);
- betweenness: shortest-path betweenness on the simple graph (Freeman 1977), normalised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import pandas as pd


def link_graph(events: pd.DataFrame) -> nx.MultiGraph:
    """Build the multigraph: one edge per row of ``events`` (``event_id, year, kind, a, b``)."""
    g = nx.MultiGraph()
    for r in events.itertuples(index=False):
        g.add_edge(
            r.a, r.b, key=f"{r.event_id}:{r.kind}", event_id=r.event_id, kind=r.kind, year=r.year
        )
    return g


def node_table(events: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Degree, strength and betweenness per unit.

    Parameters
    ----------
    events : DataFrame
        ``event_id, year, kind, a, b`` (one row per event and pair).
    names : mapping, optional
        Code -> display name.

    Returns
    -------
    DataFrame
        ``code, name, degree, strength, betweenness`` sorted by strength then degree.
    """
    g = link_graph(events)
    simple = nx.Graph(g)
    strength = dict(g.degree())  # multigraph degree counts parallel edges = events
    betw = nx.betweenness_centrality(simple, normalized=True)
    rows = [
        {
            "code": n,
            "name": (names or {}).get(n, n),
            "degree": simple.degree(n),
            "strength": strength[n],
            "betweenness": betw[n],
        }
        for n in g.nodes
    ]
    df = pd.DataFrame(rows, columns=["code", "name", "degree", "strength", "betweenness"])
    return df.sort_values(
        ["strength", "degree", "code"], ascending=[False, False, True]
    ).reset_index(drop=True)


def links_by_kind_and_period(
    events: pd.DataFrame, periods: Sequence[tuple[str, int | None]]
) -> pd.DataFrame:
    """Number of links (event x pair) by kind and period, with totals.

    Parameters
    ----------
    events : DataFrame
        ``event_id, year, kind, a, b``.
    periods : sequence of (label, last year inclusive or None)
        Period scheme (seed 001).

    Returns
    -------
    DataFrame
        One row per kind plus ``total``; one column per period plus ``total``.
    """
    from policylink.mapdata import period_of

    labels = [p for p, _ in periods]
    ev = events.assign(period=[period_of(int(y), periods) for y in events["year"]])
    tab = pd.crosstab(ev["kind"], ev["period"]).reindex(columns=labels, fill_value=0)
    tab["total"] = tab.sum(axis=1)
    tab.loc["total"] = tab.sum(axis=0)
    return tab.reset_index().rename(columns={"index": "kind"}).rename_axis(None, axis=1)
