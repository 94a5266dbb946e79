"""Diffusion inputs: adoption cascades, EHA risk sets and dyads from the database views.

Readers over the view functions of ``sql/views/27_diffusion_eha.sql`` (documented in
``sql/README.md``, "Event history analysis"): :func:`read_cascade` (``eha_cascade``: unit, first
adoption date and its precision), :func:`read_risk_set` (``eha_risk_set``: the unit-year risk
set), :func:`read_programmes` (``eha_programme``); the coordination-link network as neighbour
pairs (:func:`read_link_pairs`, ``coordination_link_summary_at``) and unit centroids in metres
(:func:`read_centroids`, ``unit_point``).

:func:`load_eha_inputs` and :func:`load_dyad_inputs` assemble what the diffusion analyses need
(risk sets of one or several programmes with the lagged neighbour-adoption share from any
weights, higher-level adoption and panel covariates with their SYNTHETIC flags). The adoption
rule (who adopts when) lives only in the views; Python reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import psycopg

from policylink import dbread
from policylink.errors import ConfigError
from policylink.input_defaults import DEFAULT_DIFFUSION_YEARS
from policylink.weights import as_spec

#: Participant roles that make a unit an adopter (a city issuing its own plan adopts it).
ALL_ROLES: tuple[str, ...] = ("party", "sender", "receiver", "issuer")
#: Observation window of risk sets unless the user asks otherwise.
DEFAULT_YEARS: tuple[int, int] = DEFAULT_DIFFUSION_YEARS
#: Neighbour kind meaning "the coordination-link network" instead of spatial weights.
LINKS_KIND = "links"


@dataclass(frozen=True)
class CascadeRules:
    """How the events of a programme become adoptions (arguments of ``eha_cascade``).

    Attributes
    ----------
    covers : bool
        A participating higher unit (a province) adopts for every unit of the level beneath it.
    rollup : bool
        A participant below the level (a county) adopts for its ancestor of the level.
    kinds : tuple of str or None
        Event kinds that count (None = every kind of the programme).
    roles : tuple of str
        Participant roles that count.
    """

    covers: bool = False
    rollup: bool = False
    kinds: tuple[str, ...] | None = None
    roles: tuple[str, ...] = ALL_ROLES

    def args(self) -> tuple:
        """SQL arguments ``p_covers, p_rollup, p_kinds, p_roles``."""
        return (
            self.covers,
            self.rollup,
            list(self.kinds) if self.kinds else None,
            list(self.roles),
        )


def _level_or_none(level: str | None) -> str | None:
    return None if level is None else dbread._check_level(level)


def read_cascade(
    conn: dbread.Conn,
    programme: str,
    level: str | None = None,
    within: str | Sequence[str] | None = None,
    rules: CascadeRules | None = None,
) -> pd.DataFrame:
    """Adoption cascade of a programme (view function ``eha_cascade``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    programme : str
        ``policy_event.programme``.
    level : {'province', 'prefecture', 'county'} or None
        Level set of the adopters; None = participants as encoded (the 87 units of the three
        low-carbon pilot notices).
    within : str or sequence of str, optional
        Keep units within these codes.
    rules : CascadeRules, optional
        Covers / roll-up / kinds / roles (default: own participation only, any role).

    Returns
    -------
    pandas.DataFrame
        ``code, name_zh, level, first_date, date_precision, first_year, first_event, batch,
        designated_code, via, n_events`` sorted by code.
    """
    r = rules or CascadeRules()
    with dbread._connection(conn) as c:
        rows = c.execute(
            "SELECT unit_code, name_zh, unit_level, first_date, date_precision, first_year, "
            "first_event, batch, designated_code, via, n_events "
            "FROM eha_cascade(%s, %s, %s, %s, %s, %s, %s) ORDER BY unit_code",
            (programme, _level_or_none(level), dbread._codes(within), *r.args()),
        ).fetchall()
    cols = [
        "code",
        "name_zh",
        "level",
        "first_date",
        "date_precision",
        "first_year",
        "first_event",
        "batch",
        "designated_code",
        "via",
        "n_events",
    ]
    out = pd.DataFrame(rows, columns=cols)
    return out.astype({"first_year": int, "batch": "Int64", "n_events": int})


def read_risk_set(
    conn: dbread.Conn,
    programme: str,
    level: str = "prefecture",
    years: tuple[int, int] = DEFAULT_YEARS,
    within: str | Sequence[str] | None = None,
    rules: CascadeRules | None = None,
) -> pd.DataFrame:
    """Discrete-time risk set of a programme (view function ``eha_risk_set``).

    Parameters
    ----------
    conn : psycopg.Connection or str
        Connection or URL.
    programme : str
        ``policy_event.programme``.
    level : {'province', 'prefecture', 'county'}
        Level set of the units at risk.
    years : (int, int)
        First and last year of the window (inclusive).
    within : str or sequence of str, optional
        Units within these codes.
    rules : CascadeRules, optional
        Cascade rules (see :func:`read_cascade`).

    Returns
    -------
    pandas.DataFrame
        ``code, year, duration, event, first_year, higher_first_year, higher_adopted``: one
        row per unit and year at risk (until and including the adoption year), sorted by code
        and year.
    """
    dbread._check_level(level)
    r = rules or CascadeRules()
    with dbread._connection(conn) as c:
        rows = c.execute(
            "SELECT unit_code, year, duration, event, first_year, higher_first_year, "
            "higher_adopted FROM eha_risk_set(%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ORDER BY unit_code, year",
            (programme, level, int(years[0]), int(years[1]), dbread._codes(within), *r.args()),
        ).fetchall()
    cols = ["code", "year", "duration", "event", "first_year", "higher_first_year"]
    out = pd.DataFrame(rows, columns=[*cols, "higher_adopted"])
    return out.astype(
        {
            "year": int,
            "duration": int,
            "event": int,
            "first_year": "Int64",
            "higher_first_year": "Int64",
            "higher_adopted": int,
        }
    )


def read_programmes(conn: dbread.Conn) -> pd.DataFrame:
    """Programmes with events (view ``eha_programme``).

    Returns
    -------
    pandas.DataFrame
        ``programme, n_events, n_participants, first_date, last_date, kinds``.
    """
    with dbread._connection(conn) as c:
        rows = c.execute(
            "SELECT programme, n_events, n_participants, first_date, last_date, kinds "
            "FROM eha_programme ORDER BY programme"
        ).fetchall()
    cols = ["programme", "n_events", "n_participants", "first_date", "last_date", "kinds"]
    return pd.DataFrame(rows, columns=cols)


def read_link_pairs(
    conn: dbread.Conn, level: str = "prefecture", within: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """The coordination-link network as neighbour pairs, both directions.

    Reads ``coordination_link_summary_at(level, default kinds, every programme, within)``: two
    units are linked when they act together in a coordination event (see sql/README.md,
    "Coordination links").

    Returns
    -------
    pandas.DataFrame
        ``i, j, n_events`` sorted by ``i, j``.
    """
    dbread._check_level(level)
    with dbread._connection(conn) as c:
        rows = c.execute(
            "SELECT code_a, code_b, n_events FROM coordination_link_summary_at(%s, p_within => %s)",
            (level, dbread._codes(within)),
        ).fetchall()
    a = pd.DataFrame(rows, columns=["i", "j", "n_events"])
    both = pd.concat([a, a.rename(columns={"i": "j", "j": "i"})], ignore_index=True)
    return both.sort_values(["i", "j"]).reset_index(drop=True).astype({"n_events": int})


def read_centroids(
    conn: dbread.Conn, level: str = "prefecture", within: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """Unit centroids in China Albers metres (materialised view ``unit_point``).

    Returns
    -------
    pandas.DataFrame
        ``code, x, y, parent_code, province`` sorted by code (``province`` = the unit's
        province-level ancestor).
    """
    dbread._check_level(level)
    with dbread._connection(conn) as c:
        rows = c.execute(
            "SELECT p.code, ST_X(p.centroid_eq), ST_Y(p.centroid_eq), u.parent_code, "
            "(SELECT a.ancestor_code FROM unit_ancestor a WHERE a.code = p.code "
            " AND a.ancestor_level = 'province' LIMIT 1) "
            "FROM unit_point p JOIN unit_within(%s, %s) w ON w.code = p.code "
            "JOIN admin_unit u ON u.code = p.code WHERE p.level = %s ORDER BY p.code",
            (dbread._codes(within), level, level),
        ).fetchall()
    return pd.DataFrame(rows, columns=["code", "x", "y", "parent_code", "province"])


# --------------------------------------------------------------------------------------------
# assembled inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EhaSource:
    """What the diffusion analyses read from the database (what front-ends collect).

    Attributes
    ----------
    programmes : tuple of str
        One programme, or several for a pooled EHA.
    level : str
        Level set of the units at risk.
    within : tuple of str or None
        Units within these codes.
    years : (int, int)
        Observation window.
    neighbours : str
        ``queen``, ``rook``, ``knn:K``, ``distance:METRES`` (the views' weights) or ``links``
        (the coordination-link network).
    rules : CascadeRules
        Cascade rules.
    covariates : tuple of str
        Panel variables (``observation``) used as covariates, lagged one year.
    lag : int
        Years between the neighbours' adoption and the row's year.
    database_url : str or None
        Database; None = ``DATABASE_URL`` or the embedded database.
    """

    programmes: tuple[str, ...] = ("low_carbon_pilot",)
    level: str = "prefecture"
    within: tuple[str, ...] | None = None
    years: tuple[int, int] = DEFAULT_YEARS
    neighbours: str = "queen"
    rules: CascadeRules = field(default_factory=CascadeRules)
    covariates: tuple[str, ...] = ()
    lag: int = 1
    database_url: str | None = None

    def describe_neighbours(self) -> str:
        """The neighbour definition in words."""
        if self.neighbours == LINKS_KIND:
            return "coordination-link network"
        return as_spec(self.neighbours).describe()


@dataclass
class EhaInputs:
    """Risk set(s) with exposures, the cascades and provenance.

    Attributes
    ----------
    risk : pandas.DataFrame
        ``programme, code, year, duration, event, first_year, higher_adopted, neighbour_share,
        neighbour_count, n_neighbours`` and the covariates.
    cascades : dict of str to pandas.DataFrame
        Cascade per programme (:func:`read_cascade` at the level).
    source : str
        Where the data came from.
    weights : str
        The neighbour definition in words.
    ids : list of str
        Units of the level (within).
    W : scipy.sparse.csr_matrix
        Binary neighbour matrix over ``ids``.
    synthetic : tuple of str
        SYNTHETIC covariates used.
    notes : list of str
        Things the user should know.
    """

    risk: pd.DataFrame
    cascades: dict[str, pd.DataFrame]
    source: str
    weights: str
    ids: list[str]
    W: Any
    synthetic: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def _open(source: EhaSource, conn: Any):
    if conn is not None:
        return nullcontext(conn)
    from policylink.etl import db as dbmod

    return dbmod.connect(source.database_url or dbmod.database_url())


def neighbour_matrix(
    conn: psycopg.Connection,
    kind: str,
    level: str,
    within: Sequence[str] | None,
    ids: Sequence[str],
) -> Any:
    """Binary neighbour matrix over ``ids``: the views' weights or the link network.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    kind : str
        ``queen``, ``rook``, ``knn:K``, ``distance:METRES`` or ``links``.
    level : str
        Level set.
    within : sequence of str or None
        Units within these codes.
    ids : sequence of str
        Unit order.

    Returns
    -------
    scipy.sparse.csr_matrix
    """
    from scipy import sparse

    if kind == LINKS_KIND:
        pairs = read_link_pairs(conn, level, within)
    else:
        pairs = dbread.read_pairs(conn, as_spec(kind), level, within)
    pos = {c: k for k, c in enumerate(ids)}
    pairs = pairs[pairs["i"].isin(pos) & pairs["j"].isin(pos)]
    n = len(ids)
    W = sparse.csr_matrix(
        (np.ones(len(pairs)), (pairs["i"].map(pos), pairs["j"].map(pos))), shape=(n, n)
    )
    W.data[:] = 1.0
    return W


def _covariates(
    conn: psycopg.Connection, source: EhaSource, codes: list[str] | None, notes: list[str]
) -> tuple[pd.DataFrame | None, tuple[str, ...]]:
    """Panel covariates lagged one year (value of t - 1 on the row of t) and SYNTHETIC flags."""
    if not source.covariates:
        return None, ()
    cov = list(source.covariates)
    panel = dbread.read_panel(conn, cov, source.level, codes)
    catalogue = dbread.read_variables(conn, cov)
    synthetic = tuple(sorted(catalogue.loc[catalogue["is_synthetic"], "name"]))
    panel = panel.assign(year=panel["year"].astype(int) + 1)  # the row of t sees t - 1
    notes.append(f"covariates {', '.join(cov)} enter lagged one year")
    return panel, synthetic


def load_eha_inputs(source: EhaSource, *, conn: Any = None) -> EhaInputs:
    """Risk set(s) of one or several programmes with neighbour and higher-level exposure.

    For each programme: the risk set (``eha_risk_set``), the cascade at the level
    (``eha_cascade``), the lagged neighbour-adoption share under the chosen neighbours
    (:func:`policylink.spatial.diffusion.neighbour_exposure`) and, when asked, covariates from
    ``observation`` lagged one year; rows without a covariate value are left out (said in
    ``notes``).

    Parameters
    ----------
    source : EhaSource
        What to read.
    conn : psycopg.Connection, optional
        An open connection (left open).

    Returns
    -------
    EhaInputs

    Raises
    ------
    ConfigError
        No units, no programme events, or an unreadable database.
    """
    from policylink.spatial.diffusion import neighbour_exposure

    if not source.programmes:
        raise ConfigError("name at least one programme")
    codes = list(source.within) if source.within else None
    notes: list[str] = []
    try:
        with _open(source, conn) as c:
            ids = dbread.unit_codes(c, source.level, codes)
            if not ids:
                raise ConfigError(f"no {source.level} units in the database; load boundaries")
            W = neighbour_matrix(c, source.neighbours, source.level, codes, ids)
            known = set(read_programmes(c)["programme"])
            frames, cascades = [], {}
            for prog in source.programmes:
                if prog not in known:
                    raise ConfigError(
                        f"programme {prog!r} has no events; known: {', '.join(sorted(known))}"
                    )
                casc = read_cascade(c, prog, source.level, codes, source.rules)
                risk = read_risk_set(c, prog, source.level, source.years, codes, source.rules)
                first = dict(zip(casc["code"], casc["first_year"], strict=True))
                share, count = neighbour_exposure(
                    risk["code"], risk["year"], first, W, lag=source.lag, ids=ids
                )
                deg = np.asarray(W.sum(axis=1)).ravel()
                pos = {u: k for k, u in enumerate(ids)}
                risk = risk.assign(
                    programme=prog,
                    neighbour_share=share,
                    neighbour_count=count,
                    n_neighbours=deg[risk["code"].map(pos).to_numpy()],
                )
                before = casc["first_year"] < source.years[0]
                if before.any():
                    notes.append(
                        f"{prog}: {int(before.sum())} unit(s) adopted before {source.years[0]} "
                        "and are not at risk"
                    )
                frames.append(risk)
                cascades[prog] = casc
            cov, synthetic = _covariates(c, source, codes, notes)
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"the database could not be read ({first_line}); run 'policylink db up' to apply "
            "the migrations and load the events"
        ) from exc
    risk = pd.concat(frames, ignore_index=True)
    islands = int((np.asarray(W.sum(axis=1)).ravel() == 0).sum())
    if islands:
        notes.append(
            f"{islands} unit(s) without neighbours under {source.describe_neighbours()} "
            "have neighbour share 0"
        )
    if cov is not None:
        n0 = len(risk)
        risk = risk.merge(cov, on=["code", "year"], how="left")
        risk = risk.dropna(subset=list(source.covariates)).reset_index(drop=True)
        if len(risk) < n0:
            notes.append(
                f"{n0 - len(risk)} of {n0} unit-years without covariate values were left out"
            )
    cols = ["programme", "code", "year", "duration", "event", "first_year"]
    rest = [c for c in risk.columns if c not in cols]
    return EhaInputs(
        risk[cols + rest],
        cascades,
        "database",
        f"{source.describe_neighbours()} (database views)",
        ids,
        W,
        synthetic,
        notes,
    )


def dyad_regressors(
    conn: psycopg.Connection,
    dyads: pd.DataFrame,
    level: str,
    within: Sequence[str] | None,
) -> pd.DataFrame:
    """Pair regressors of a directed-dyad risk set (Volden 2006).

    ``border`` (queen contiguity), ``log_distance_km`` (log of the centroid distance in km,
    China Albers), ``link`` (a coordination link between the two), ``same_province``.

    Parameters
    ----------
    conn : psycopg.Connection
        Open connection.
    dyads : pandas.DataFrame
        With ``i, j``.
    level : str
        Level set.
    within : sequence of str or None
        Units within these codes.

    Returns
    -------
    pandas.DataFrame
        ``dyads`` with the four columns added.
    """
    from policylink.spatial.diffusion import pair_lookup

    queen = dbread.read_pairs(conn, "queen", level, within)
    links = read_link_pairs(conn, level, within)
    cen = read_centroids(conn, level, within).set_index("code")
    out = dyads.copy()
    out["border"] = pair_lookup(out, queen, symmetric=False)
    out["link"] = pair_lookup(out, links, symmetric=False)
    xi, yi = cen.loc[out["i"], "x"].to_numpy(), cen.loc[out["i"], "y"].to_numpy()
    xj, yj = cen.loc[out["j"], "x"].to_numpy(), cen.loc[out["j"], "y"].to_numpy()
    out["log_distance_km"] = np.log(np.hypot(xi - xj, yi - yj) / 1000.0)
    out["same_province"] = (
        cen.loc[out["i"], "province"].to_numpy() == cen.loc[out["j"], "province"].to_numpy()
    ).astype(float)
    return out


@dataclass
class DyadInputs:
    """Directed-dyad risk set of one programme with pair regressors, and provenance.

    Attributes
    ----------
    dyads : pandas.DataFrame
        ``i, j, year, event, source_year, border, link, log_distance_km, same_province`` and
        ``absdiff_<v>`` for each covariate (|x_i - x_j| lagged one year).
    monadic : EhaInputs
        The monadic inputs it was built from.
    """

    dyads: pd.DataFrame
    monadic: EhaInputs


def load_dyad_inputs(source: EhaSource, *, conn: Any = None) -> DyadInputs:
    """Directed-dyad risk set (Volden 2006) of the first programme of ``source``.

    Dyads (i, j, t): i at risk in t, j adopted at least ``source.lag`` years before t
    (:func:`policylink.spatial.diffusion.dyad_risk_set`); regressors from the views
    (:func:`dyad_regressors`) and absolute covariate differences.

    Parameters
    ----------
    source : EhaSource
        What to read (one programme).
    conn : psycopg.Connection, optional
        An open connection (left open).

    Returns
    -------
    DyadInputs
    """
    from policylink.spatial.diffusion import dyad_risk_set

    if len(source.programmes) != 1:
        raise ConfigError("a dyad model takes one programme")
    codes = list(source.within) if source.within else None
    with _open(source, conn) as c:
        mono = load_eha_inputs(source, conn=c)
        prog = source.programmes[0]
        casc = mono.cascades[prog]
        first = dict(zip(casc["code"], casc["first_year"], strict=True))
        dy = dyad_risk_set(mono.risk, first, unit="code", lag=source.lag)
        if dy.empty:
            raise ConfigError(f"{prog}: no dyads (nobody adopted before another was at risk)")
        dy = dyad_regressors(c, dy, source.level, codes)
        cov, _ = _covariates(c, source, codes, [])
    for v in source.covariates:
        val = cov.set_index(["code", "year"])[v]
        vi = val.reindex(pd.MultiIndex.from_arrays([dy["i"], dy["year"]])).to_numpy()
        vj = val.reindex(pd.MultiIndex.from_arrays([dy["j"], dy["year"]])).to_numpy()
        dy[f"absdiff_{v}"] = np.abs(vi - vj)
    if source.covariates:
        n0 = len(dy)
        dy = dy.dropna().reset_index(drop=True)
        if len(dy) < n0:
            mono.notes.append(f"{n0 - len(dy)} dyad-years without covariate values left out")
    return DyadInputs(dy, mono)


# --------------------------------------------------------------------------------------------
# network inference, curves and adoption maps
# --------------------------------------------------------------------------------------------
def decimal_year(first_date: Any, first_year: int) -> float:
    """Adoption time in years: ``year + (day of year - 1) / days in year``.

    An undated adoption (no ``first_date``) is placed at the start of its year.

    Parameters
    ----------
    first_date : datetime.date or None
        First adoption date (``eha_cascade.first_date``).
    first_year : int
        Its year (``eha_cascade.first_year``).

    Returns
    -------
    float
    """
    if first_date is None or pd.isna(first_date):
        return float(first_year)
    d = pd.Timestamp(first_date)
    days = 366 if d.is_leap_year else 365
    return float(d.year) + (d.dayofyear - 1) / days


def cascade_times(cascades: dict[str, pd.DataFrame], ids: Sequence[str]) -> np.ndarray:
    """Cascades as a (programmes x units) matrix of adoption times in decimal years.

    Parameters
    ----------
    cascades : dict of str to pandas.DataFrame
        :func:`read_cascade` frames (``code, first_date, first_year``) in programme order.
    ids : sequence of str
        Unit order (columns).

    Returns
    -------
    numpy.ndarray
        ``np.inf`` where a unit never adopted (or is not among ``ids``).
    """
    pos = {c: k for k, c in enumerate(ids)}
    T = np.full((len(cascades), len(ids)), np.inf)
    for r, casc in enumerate(cascades.values()):
        for code, d, y in zip(casc["code"], casc["first_date"], casc["first_year"], strict=True):
            if code in pos:
                T[r, pos[code]] = decimal_year(d, int(y))
    return T


@dataclass
class NetinfInputs:
    """Cascades of several programmes and the observed networks to compare inferred ties with.

    Attributes
    ----------
    programmes : tuple of str
        Programmes (one cascade each).
    ids : list of str
        Units of the level (within).
    names : dict of str to str
        Chinese unit names.
    times : numpy.ndarray
        (programmes x units) adoption times in decimal years (:func:`cascade_times`).
    cascades : dict of str to pandas.DataFrame
        The cascades as read.
    links : set of (str, str)
        Coordination-link pairs (:func:`read_link_pairs`).
    contiguity : set of (str, str)
        Queen-contiguity pairs (``w_queen``).
    source : str
        Where the data came from.
    notes : list of str
        Things the user should know.
    """

    programmes: tuple[str, ...]
    ids: list[str]
    names: dict[str, str]
    times: np.ndarray
    cascades: dict[str, pd.DataFrame]
    links: set[tuple[str, str]]
    contiguity: set[tuple[str, str]]
    source: str = "database"
    notes: list[str] = field(default_factory=list)


def load_netinf_inputs(
    source: EhaSource, *, conn: Any = None, all_programmes: bool = False
) -> NetinfInputs:
    """Cascades of the programmes of ``source`` at its level, with links and contiguity.

    Parameters
    ----------
    source : EhaSource
        Programmes, level, within and cascade rules (the window, neighbours and covariates are
        not used).
    conn : psycopg.Connection, optional
        An open connection (left open).
    all_programmes : bool
        Use every programme with events (``eha_programme``) instead of ``source.programmes``.

    Returns
    -------
    NetinfInputs

    Raises
    ------
    ConfigError
        No units, an unknown programme, or an unreadable database.
    """
    codes = list(source.within) if source.within else None
    notes: list[str] = []
    try:
        with _open(source, conn) as c:
            ids = dbread.unit_codes(c, source.level, codes)
            if not ids:
                raise ConfigError(f"no {source.level} units in the database; load boundaries")
            known = list(read_programmes(c)["programme"])
            progs = tuple(known) if all_programmes else tuple(source.programmes)
            bad = [p for p in progs if p not in known]
            if bad:
                raise ConfigError(
                    f"programme(s) {', '.join(bad)} have no events; known: {', '.join(known)}"
                )
            cascades = {p: read_cascade(c, p, source.level, codes, source.rules) for p in progs}
            links = read_link_pairs(c, source.level, codes)
            queen = dbread.read_pairs(c, "queen", source.level, codes)
            names = dict(
                c.execute(
                    "SELECT code, name_zh FROM admin_unit WHERE code = ANY(%s)", (ids,)
                ).fetchall()
            )
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"the database could not be read ({first_line}); run 'policylink db up' to apply "
            "the migrations and load the events"
        ) from exc
    for p, casc in cascades.items():
        if len(casc) < 2:
            notes.append(f"{p}: {len(casc)} adopter(s) at {source.level} level; no ties from it")
    return NetinfInputs(
        progs,
        ids,
        names,
        cascade_times(cascades, ids),
        cascades,
        set(zip(links["i"], links["j"], strict=True)),
        set(zip(queen["i"], queen["j"], strict=True)),
        "database",
        notes,
    )


@dataclass
class CascadeInputs:
    """One programme's cascade over the units of a level, for curves and adoption maps.

    Attributes
    ----------
    programme : str
        Programme.
    cascade : pandas.DataFrame
        :func:`read_cascade` at the level (within).
    ids : list of str
        Units of the level (within), sorted.
    years : (int, int)
        Window.
    W : scipy.sparse.csr_matrix or None
        Binary neighbour matrix over ``ids`` (``source.neighbours``), when asked for.
    weights : str
        The neighbour definition in words.
    source : str
        Where the data came from.
    notes : list of str
        Things the user should know.
    """

    programme: str
    cascade: pd.DataFrame
    ids: list[str]
    years: tuple[int, int]
    W: Any = None
    weights: str = ""
    source: str = "database"
    notes: list[str] = field(default_factory=list)


def load_cascade_inputs(
    source: EhaSource, *, conn: Any = None, weights: bool = False
) -> CascadeInputs:
    """The cascade of the first programme of ``source`` with its units (and weights).

    Parameters
    ----------
    source : EhaSource
        Programme, level, within, window, cascade rules and (with ``weights``) neighbours.
    conn : psycopg.Connection, optional
        An open connection (left open).
    weights : bool
        Also read the neighbour matrix (:func:`neighbour_matrix`).

    Returns
    -------
    CascadeInputs

    Raises
    ------
    ConfigError
        No units, an unknown programme, or an unreadable database.
    """
    if len(source.programmes) != 1:
        raise ConfigError("name one programme")
    prog = source.programmes[0]
    codes = list(source.within) if source.within else None
    W = None
    try:
        with _open(source, conn) as c:
            ids = dbread.unit_codes(c, source.level, codes)
            if not ids:
                raise ConfigError(f"no {source.level} units in the database; load boundaries")
            known = set(read_programmes(c)["programme"])
            if prog not in known:
                raise ConfigError(
                    f"programme {prog!r} has no events; known: {', '.join(sorted(known))}"
                )
            casc = read_cascade(c, prog, source.level, codes, source.rules)
            if weights:
                W = neighbour_matrix(c, source.neighbours, source.level, codes, ids)
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"the database could not be read ({first_line}); run 'policylink db up' to apply "
            "the migrations and load the events"
        ) from exc
    notes: list[str] = []
    undated = int((casc["date_precision"] == "undated").sum())
    if undated:
        notes.append(f"{undated} adoption(s) undated: counted in their year")
    return CascadeInputs(
        prog,
        casc,
        ids,
        (int(source.years[0]), int(source.years[1])),
        W,
        f"{source.describe_neighbours()} (database views)" if weights else "",
        "database",
        notes,
    )
