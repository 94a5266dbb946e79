"""What the report needs to know before it runs an analysis: which variables are present.

The analyses' inputs come from :mod:`policylink.inputs` and :mod:`policylink.did_inputs`, as for
every front-end; this module only lets a section say plainly that its data are not loaded.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg


def variables_present(conn: psycopg.Connection, names: Sequence[str]) -> list[str]:
    """Return the names of ``names`` that have at least one observation."""
    rows = conn.execute(
        "SELECT DISTINCT variable FROM observation WHERE variable = ANY(%s)", (list(names),)
    ).fetchall()
    have = {r[0] for r in rows}
    return [n for n in names if n in have]
