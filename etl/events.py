"""Policy events: YAML or CSV files -> ``policy_event`` + ``event_participant``.

File formats (full reference with examples in ``docs/etl.md``):

YAML (one document)::

    source: low-carbon pilots (NDRC notices)      # optional default for every event
    events:
      - id: lcp-2010-batch1                        # stable id: letters, digits, _ . -
        date: 2010-07-19                           # or 2012-11, 2012年11月, 2017
        date_precision: day                        # optional: day | month | year | undated
        title_zh: 国家发展改革委关于开展低碳省区和低碳城市试点工作的通知
        title_en: Notice on low-carbon province and city pilots   # optional
        level: national        # national | regional | provincial | prefecture | county
        kind: pilot_designation  # see KINDS
        programme: low_carbon_pilot   # optional, see docs/CONTRACTS.md
        batch: 1                      # optional
        issuer: 国家发展改革委         # optional
        document_no: 发改气候〔2010〕1587号   # optional
        source: seed 002 §1.1.3        # required unless given at the top
        notes: ...                     # optional
        participants:
          - {code: "440000", role: party}
          - {name: 保定, province: 河北, role: party}     # resolved by name within a province
          - {name: 首钢, code: "110107", role: sender, note: 首钢总部}

Dates: the precision (day, month, year) follows from how the date is written; an event the
source names without a date has no ``date`` and ``date_precision: undated`` (stored with
``event_date`` NULL: it is counted as undated and placed in no year). A ``date_precision``
given with a date must match the date as written.

CSV: one row per participant, event columns repeated on each row of the same ``event_id``
(columns ``event_id, date, date_precision, title_zh, title_en, level, kind, programme, batch, issuer,
document_no, source, notes, participant_code, participant_name, participant_province,
participant_level, role, participant_note``; only ``event_id, date, title_zh, level, kind,
source`` are required; an event with no participants has one row with empty participant
columns).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import yaml

from policylink.etl.batch import (
    LoadResult,
    ProblemList,
    Timer,
    file_sha256,
    finish_load,
    replace_batches,
    skip_if_unchanged,
    start_batch,
)
from policylink.etl.boundaries import normalise_code
from policylink.etl.validate import (
    NUL_MESSAGE,
    detect_encoding,
    has_nul,
    nfkc,
    nul_paths,
    parse_date,
    short_name,
)

LEVELS = ("national", "regional", "provincial", "prefecture", "county")
KINDS = (
    "pilot_designation",
    "coordination_agreement",
    "industrial_transfer",
    "co_construction",
    "division_of_labour",
    "innovation_cooperation",
    "target",
    "plan",
    "other",
)
ROLES = ("party", "sender", "receiver", "issuer")
DATE_PRECISIONS = ("day", "month", "year", "undated")
UNIT_LEVELS = ("province", "prefecture", "county")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PROGRAMME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

EVENT_FIELDS = (
    "id",
    "date",
    "date_precision",
    "title_zh",
    "title_en",
    "level",
    "kind",
    "programme",
    "batch",
    "issuer",
    "document_no",
    "source",
    "notes",
    "participants",
)
PARTICIPANT_FIELDS = ("code", "name", "province", "level", "role", "note")
#: Event fields that are one value (a CSV row of the long layout carries them beside a participant).
_SCALAR_FIELDS = tuple(f for f in EVENT_FIELDS if f not in ("id", "participants"))


@dataclass
class Participant:
    """A unit taking part in an event (resolved to a code)."""

    unit_code: str
    role: str
    note: str | None = None


@dataclass
class Event:
    """A validated policy event."""

    id: str
    event_date: Any  # None when date_precision is 'undated'
    date_precision: str
    title_zh: str
    level: str
    kind: str
    source: str
    title_en: str | None = None
    programme: str | None = None
    batch: int | None = None
    issuer: str | None = None
    document_no: str | None = None
    notes: str | None = None
    participants: list[Participant] = field(default_factory=list)


class _TextDateLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so that bad dates are reported per event."""


_TextDateLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


#: Deepest nesting accepted in an event file (an event file needs 6 levels).
YAML_MAX_DEPTH = 20


class _YamlRefused(yaml.YAMLError):
    """A YAML construct refused in event files (message names the line)."""

    def __init__(self, mark: yaml.Mark | None, message: str) -> None:
        where = f"line {mark.line + 1}: " if mark is not None else ""
        super().__init__(f"{where}{message}")


class _SafeEventLoader(_TextDateLoader):
    """Event-file loader with limits: no anchors or aliases, bounded depth, unique keys.

    Aliases can expand a small file into billions of nodes (the "billion laughs"), deep
    nesting exhausts the recursion of the composer, and a repeated key silently keeps the last
    value; each is refused with the line where it occurs (:class:`_YamlRefused`).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _YamlRefused(
                event.start_mark,
                "anchors (&name) and aliases (*name) are not accepted in event files; "
                "write the values out",
            )
        self._depth += 1
        try:
            if self._depth > YAML_MAX_DEPTH:
                raise _YamlRefused(
                    event.start_mark, f"nested more than {YAML_MAX_DEPTH} levels deep"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # unhashable key: the base class says so
                    continue
                if first is not None:
                    raise _YamlRefused(
                        key_node.start_mark, f"duplicate key {key!r} (first at line {first})"
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


class UnitResolver:
    """Resolve participants given by code or by Chinese name against ``admin_unit``.

    Names match the stored ``name_zh`` exactly or without the administrative suffix
    (保定 = 保定市, 河北 = 河北省). An exact full-name match wins over suffix-stripped matches.
    ``province`` (code or name) restricts the search to units of that province and ``level``
    to one level. When more than one unit remains, the name is ambiguous and the error lists
    the candidates with their codes.
    """

    def __init__(self, rows: Iterable[tuple[str, str, str, str | None]]) -> None:
        self.units: dict[str, tuple[str, str, str | None]] = {}
        self.by_short: dict[str, list[str]] = {}
        for code, name, level, parent in rows:
            self.units[code] = (name, level, parent)
            self.by_short.setdefault(short_name(name), []).append(code)

    @classmethod
    def from_db(cls, conn: psycopg.Connection) -> UnitResolver:
        """Build a resolver from the database's ``admin_unit`` table."""
        return cls(conn.execute("SELECT code, name_zh, level, parent_code FROM admin_unit"))

    def province_code(self, value: str) -> str | None:
        """Code of a province given by code or name (None if unknown)."""
        code = normalise_code(value)
        if code is not None:
            return code if self.units.get(code, ("", ""))[1] == "province" else None
        hits = [
            c for c in self.by_short.get(short_name(value), []) if self.units[c][1] == "province"
        ]
        return hits[0] if len(hits) == 1 else None

    def resolve(
        self,
        *,
        code: object = None,
        name: str | None = None,
        province: str | None = None,
        level: str | None = None,
    ) -> tuple[str | None, str | None]:
        """Resolve one participant.

        Returns
        -------
        (str or None, str or None)
            The unit code, or None and an error message (listing candidates when ambiguous).
        """
        if code not in (None, ""):
            c = normalise_code(code)
            if c is None:
                return None, f"malformed code {code!r} (six digits expected)"
            if c not in self.units:
                return None, f"unit {c} is not in admin_unit (load its boundaries first)"
            if name and short_name(name) != short_name(self.units[c][0]):
                return None, f"code {c} is {self.units[c][0]}, not {name}"
            return c, None
        if not name:
            return None, "neither code nor name given"
        name = nfkc(name)
        cands = list(self.by_short.get(short_name(name), []))
        if province:
            pc = self.province_code(province)
            if pc is None:
                return None, f"unknown province {province!r}"
            cands = [c for c in cands if c[:2] == pc[:2]]
        if level:
            cands = [c for c in cands if self.units[c][1] == level]
        exact = [c for c in cands if self.units[c][0] == name]
        if len(exact) == 1:
            cands = exact
        if len(cands) == 1:
            return cands[0], None
        if not cands:
            where = f" in province {province}" if province else ""
            return None, f"no unit named {name!r}{where}"
        listing = ", ".join(f"{c} {self.units[c][0]} ({self.units[c][1]})" for c in sorted(cands))
        return None, f"ambiguous name {name!r}: {listing}; give the code, province or level"


def _text(v: object) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _event_date(
    raw: object, stated: str | None
) -> tuple[Any, str | None, tuple[str, object, str] | None]:
    """Date and precision of an event from its ``date`` and optional ``date_precision``.

    Returns
    -------
    (date or None, str or None, (column, value, message) or None)
        The date (None when undated), its precision, and the problem when there is one.
    """
    if stated is not None and stated not in DATE_PRECISIONS:
        return None, None, ("date_precision", stated, f"use one of {', '.join(DATE_PRECISIONS)}")
    missing = raw is None or (isinstance(raw, str) and not raw.strip())
    if stated == "undated":
        if not missing:
            return None, None, ("date", raw, "an undated event has no date; remove one of them")
        return None, "undated", None
    if missing:
        hint = "missing date (write date_precision: undated when the source gives none)"
        return None, None, ("date", raw, hint)
    try:
        date, precision = parse_date(raw)
    except ValueError as exc:
        return None, None, ("date", raw, str(exc))
    if stated is not None and stated != precision:
        hint = f"the date {raw} is written to the {precision}; give it as precise as stated"
        return None, None, ("date_precision", stated, hint)
    return date, precision, None


def read_event_records(path: Path) -> tuple[list[dict[str, Any]], ProblemList]:
    """Read raw event records (dicts with a ``participants`` list) from YAML or CSV.

    Each record carries ``_row`` (YAML: event number; CSV: first data row of the event).
    """
    probs = ProblemList(path.name)
    if not path.exists():
        probs.add(None, None, None, "file not found")
        return [], probs
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        try:
            text = path.read_text(encoding=detect_encoding(path))
        except ValueError as exc:
            probs.add(None, None, None, str(exc))
            return [], probs
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            probs.add(None, None, None, f"line {line}: {NUL_MESSAGE}")
            return [], probs
        try:
            doc = yaml.load(text, Loader=_SafeEventLoader)  # noqa: S506
        except _YamlRefused as exc:
            probs.add(None, None, None, str(exc))
            return [], probs
        except (yaml.YAMLError, ValueError) as exc:
            probs.add(None, None, None, f"not valid YAML: {exc}")
            return [], probs
        if doc is None:
            probs.add(None, None, None, "the file is empty")
            return [], probs
        if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
            probs.add(None, "events", None, "expected a mapping with an 'events' list")
            return [], probs
        default_source = _text(doc.get("source"))
        if has_nul(default_source):
            probs.add(None, "source", None, NUL_MESSAGE)
        records = []
        for i, ev in enumerate(doc["events"], start=1):
            if not isinstance(ev, dict):
                probs.add(i, None, ev, "an event must be a mapping")
                continue
            unknown = set(ev) - set(EVENT_FIELDS)
            for k in sorted(unknown):
                probs.add(i, str(k), ev[k], f"unknown field; known: {', '.join(EVENT_FIELDS)}")
            for k in nul_paths(ev):
                probs.add(i, k, None, NUL_MESSAGE)
            rec = dict(ev)
            if rec.get("source") is None and default_source:
                rec["source"] = default_source
            rec["_row"] = i
            parts = rec.get("participants") or []
            if not isinstance(parts, list):
                probs.add(i, "participants", parts, "participants must be a list")
                parts = []
            clean = []
            for p in parts:
                if not isinstance(p, dict):
                    probs.add(i, "participants", p, "a participant must be a mapping")
                    continue
                for k in sorted(set(p) - set(PARTICIPANT_FIELDS)):
                    probs.add(i, f"participants.{k}", p[k], "unknown participant field")
                clean.append(p)
            rec["participants"] = clean
            records.append(rec)
        return records, probs
    if suffix in (".csv", ".txt"):
        try:
            text = path.read_text(encoding=detect_encoding(path))
        except ValueError as exc:
            probs.add(None, None, None, str(exc))
            return [], probs
        reader = csv.DictReader(io.StringIO(text))
        cols = [c.strip() for c in (reader.fieldnames or [])]
        if not cols:
            probs.add(None, None, None, "the file is empty")
            return [], probs
        required = ("event_id", "date", "title_zh", "level", "kind", "source")
        # an undated event leaves ``date`` empty and says ``date_precision`` = undated
        for c in required:
            if c not in cols:
                probs.add(None, c, None, f"missing column (required: {', '.join(required)})")
        if probs:
            return [], probs
        by_id: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for i, raw in enumerate(reader, start=1):
            row = {(k or "").strip(): v for k, v in raw.items()}
            nul = [k for k, v in row.items() if has_nul(v) or has_nul(k)]
            for k in nul:
                probs.add(i, k, None, NUL_MESSAGE)
            if nul:
                continue
            eid = _text(row.get("event_id"))
            if eid is None:
                probs.add(i, "event_id", None, "missing event id")
                continue
            ev = {
                "id": eid,
                **{k: _text(row.get(k)) for k in _SCALAR_FIELDS},
            }
            if eid in by_id:
                first = by_id[eid]
                for k, v in ev.items():
                    if v is not None and first.get(k) is not None and v != first[k]:
                        probs.add(
                            i,
                            k,
                            v,
                            f"differs from row {first['_row']} of event {eid} ({first[k]!r})",
                        )
            else:
                ev["_row"] = i
                ev["participants"] = []
                by_id[eid] = ev
                order.append(eid)
            p = {
                "code": _text(row.get("participant_code")),
                "name": _text(row.get("participant_name")),
                "province": _text(row.get("participant_province")),
                "level": _text(row.get("participant_level")),
                "role": _text(row.get("role")),
                "note": _text(row.get("participant_note")),
                "_row": i,
            }
            if p["code"] or p["name"]:
                by_id[eid]["participants"].append(p)
            elif p["role"]:
                probs.add(i, "participant_code", None, "a role is given but no participant")
        if not order and not probs:
            probs.add(None, None, None, "the file has no data rows")
        return [by_id[e] for e in order], probs
    probs.add(None, None, None, f"unsupported file type {suffix!r}; use .yaml, .yml or .csv")
    return [], probs


def validate_events(
    records: list[dict[str, Any]], probs: ProblemList, resolver: UnitResolver
) -> list[Event]:
    """Check event records and resolve participants; problems are added to ``probs``."""
    events: list[Event] = []
    seen: dict[str, int] = {}
    for rec in records:
        i = rec["_row"]
        eid = _text(rec.get("id"))
        ok = True
        if eid is None or not _ID_RE.match(eid):
            probs.add(i, "id", rec.get("id"), "id must be letters, digits, '_', '.', '-'")
            ok = False
        elif eid in seen:
            probs.add(i, "id", eid, f"duplicate event id (also event at row {seen[eid]})")
            ok = False
        else:
            seen[eid] = i
        date, precision, err = _event_date(rec.get("date"), _text(rec.get("date_precision")))
        if err is not None:
            probs.add(i, err[0], err[1], err[2])
            ok = False
        title = _text(rec.get("title_zh"))
        if title is None:
            probs.add(i, "title_zh", None, "missing Chinese title")
            ok = False
        level = _text(rec.get("level"))
        if level not in LEVELS:
            probs.add(i, "level", level, f"unknown level; use one of {', '.join(LEVELS)}")
            ok = False
        kind = _text(rec.get("kind"))
        if kind not in KINDS:
            probs.add(i, "kind", kind, f"unknown kind; use one of {', '.join(KINDS)}")
            ok = False
        source = _text(rec.get("source"))
        if source is None:
            probs.add(i, "source", None, "every event needs a source (document no., paper, URL)")
            ok = False
        programme = _text(rec.get("programme"))
        if programme is not None and not _PROGRAMME_RE.match(programme):
            probs.add(i, "programme", programme, "programme names are lower_snake_case")
            ok = False
        batch = rec.get("batch")
        if batch not in (None, ""):
            try:
                batch = int(str(batch))
                if not 1 <= batch <= 99:
                    raise ValueError
            except ValueError:
                probs.add(i, "batch", rec.get("batch"), "batch must be a whole number 1-99")
                ok = False
        else:
            batch = None
        parts: list[Participant] = []
        keys: set[tuple[str, str]] = set()
        for p in rec.get("participants", []):
            row = p.get("_row", i)
            role = _text(p.get("role")) or "party"
            if role not in ROLES:
                probs.add(row, "role", role, f"unknown role; use one of {', '.join(ROLES)}")
                ok = False
                continue
            plevel = _text(p.get("level"))
            if plevel is not None and plevel not in UNIT_LEVELS:
                probs.add(row, "participant_level", plevel, f"use one of {', '.join(UNIT_LEVELS)}")
                ok = False
                continue
            code, err = resolver.resolve(
                code=p.get("code"),
                name=_text(p.get("name")),
                province=_text(p.get("province")),
                level=plevel,
            )
            if err:
                col = "participant_code" if p.get("code") not in (None, "") else "participant_name"
                probs.add(row, col, p.get("code") or p.get("name"), err)
                ok = False
                continue
            if (code, role) in keys:
                probs.add(row, "participant_code", code, f"unit listed twice as {role}")
                ok = False
                continue
            keys.add((code, role))
            parts.append(Participant(code, role, _text(p.get("note"))))
        if ok:
            events.append(
                Event(
                    id=eid,
                    event_date=date,
                    date_precision=precision,
                    title_zh=title,
                    level=level,
                    kind=kind,
                    source=source,
                    title_en=_text(rec.get("title_en")),
                    programme=programme,
                    batch=batch,
                    issuer=_text(rec.get("issuer")),
                    document_no=_text(rec.get("document_no")),
                    notes=_text(rec.get("notes")),
                    participants=parts,
                )
            )
    return events


def load_events(
    conn: psycopg.Connection, path: str | Path, *, source: str | None = None
) -> LoadResult:
    """Load a YAML or CSV events file in one transaction.

    Re-loading an identical file is a no-op; loading a changed file of the same source
    replaces all events of that source (their participants go with them).

    Parameters
    ----------
    conn : psycopg.Connection
        Connection; the load runs in ``conn.transaction()``.
    path : str or pathlib.Path
        ``.yaml``/``.yml`` or ``.csv`` file (formats in the module docstring).
    source : str, optional
        Logical source name for replacement (default: the file name).

    Returns
    -------
    LoadResult
        ``rows_in`` = events read; ``details`` has ``participants`` and ``replaced_events``.

    Raises
    ------
    policylink.errors.InputError
        Listing every problem: unknown kinds, levels or roles, bad dates, unresolved or
        ambiguous participants, duplicate ids, ids already used by another source.
    """
    timer = Timer()
    path = Path(path)
    source = source or path.name
    result = LoadResult("events", source, path.name)
    records, probs = read_event_records(path)
    if not records:
        probs.raise_if_any()
    result.rows_in = len(records)
    sha = file_sha256(path)
    with conn.transaction():
        if skip_if_unchanged(conn, result, sha):
            result.seconds = timer.elapsed
            return result
        events = validate_events(records, probs, UnitResolver.from_db(conn))
        bid, prev = start_batch(conn, result, sha)
        taken = dict(
            conn.execute(
                "SELECT e.id, coalesce(b.source, '(no batch)') FROM policy_event e "
                "LEFT JOIN load_batch b ON b.id = e.load_id "
                "WHERE e.id = ANY(%s) AND (e.load_id IS NULL OR NOT e.load_id = ANY(%s))",
                ([e.id for e in events], prev),
            ).fetchall()
        )
        for rec in records:
            if rec.get("id") in taken:
                probs.add(
                    rec["_row"],
                    "id",
                    rec["id"],
                    f"event id already loaded from {taken[rec['id']]!r}",
                )
        probs.raise_if_any()
        replaced = replace_batches(conn, "policy_event", prev, bid)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO policy_event (id, event_date, date_precision, title_zh, title_en, "
                "level, kind, programme, batch, issuer, document_no, source, notes, load_id) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        e.id,
                        e.event_date,
                        e.date_precision,
                        e.title_zh,
                        e.title_en,
                        e.level,
                        e.kind,
                        e.programme,
                        e.batch,
                        e.issuer,
                        e.document_no,
                        e.source,
                        e.notes,
                        bid,
                    )
                    for e in events
                ],
            )
            cur.executemany(
                "INSERT INTO event_participant (event_id, unit_code, role, note) "
                "VALUES (%s, %s, %s, %s)",
                [(e.id, p.unit_code, p.role, p.note) for e in events for p in e.participants],
            )
        n_parts = sum(len(e.participants) for e in events)
        finish_load(conn, result, bid, len(events), timer)
    result.details.update(participants=n_parts, replaced_events=replaced)
    return result


def referenced_codes(path: str | Path) -> set[str]:
    """Unit codes given explicitly in an events file (used to load missing boundaries first)."""
    records, _ = read_event_records(Path(path))
    out = set()
    for rec in records:
        for p in rec.get("participants", []):
            c = normalise_code(p.get("code"))
            if c:
                out.add(c)
    return out
