"""What an import would change: each valid row compared with what is stored (issue 16).

A row whose record is stored as it is changes nothing; a new id is a creation; a stored id
with other values is an update, listing the fields that change. Rows that refer to what
does not exist (a provider, a funding stream, a case, a facility, an organisation not on
the managed list), would move a case through its lifecycle, or contradict what is stored
(fewer beds than placements hold, a stay before its case's intake) are problems, found
here before anything is written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from capacity import Case, Facility, Placement, Provider
from capacity.records import to_plain
from flows.cases import check_organisation
from flows.errors import InvalidInputError
from flows.imports.columns import PROVIDER_NAME, Kind
from flows.imports.rows import ParsedRow, Problem, Record
from flows.imports.stays import held_from, placement_problem, stay_problems
from store import BrokenRecord, Repository, facilities_or_broken


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"


@dataclass(frozen=True, slots=True)
class Change:
    """A row that creates or updates a record.

    Parameters
    ----------
    row
        Its row number.
    id
        The record's id.
    action
        Create or update.
    fields
        The fields an update changes (empty for a creation).
    """

    row: int
    id: str
    action: Action
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """The changes of an import, the records to store, and the problems found."""

    changes: tuple[Change, ...]
    records: tuple[Provider | Record, ...]
    problems: tuple[Problem, ...]
    unchanged: int


def _differing(old: object, new: object, *, ignore: frozenset[str] = frozenset()) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(old)  # type: ignore[arg-type]
        if f.name not in ignore and getattr(old, f.name) != getattr(new, f.name)
    ]


def plan(
    session: Session,
    kind: Kind,
    rows: list[ParsedRow],
    *,
    headers: dict[str, str],
    today: date,
) -> Plan:
    """Compare each row with what is stored.

    Parameters
    ----------
    session
        Where to read (nothing is written).
    kind
        What the rows hold.
    rows
        The rows that were valid on their own (:func:`flows.imports.rows.parse`).
    headers
        The file's header of each field (for the problems' column).
    today
        No case's intake lies after it; a facility keeps the beds its placements hold
        from it on; a placement that holds beds then has a case that is not waiting.

    Returns
    -------
    Plan
    """
    planner = {Kind.FACILITIES: _facilities, Kind.CASES: _cases, Kind.PLACEMENTS: _placements}
    return planner[kind](session, rows, _Collector(headers), today)


class _Collector:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers
        self.changes: list[Change] = []
        self.records: list[Provider | Record] = []
        self.problems: list[Problem] = []
        self.unchanged = 0

    def problem(self, row: int, field: str, value: object, reason: str) -> None:
        self.problems.append(Problem(row, self.headers.get(field, field), str(value), reason))

    def compare(self, row: int, old: Record | None, new: Record, ignore: frozenset[str]) -> None:
        if old is None:
            self.changes.append(Change(row, new.id, Action.CREATE))
            self.records.append(new)
            return
        fields = _differing(old, new, ignore=ignore)
        if fields:
            self.changes.append(Change(row, new.id, Action.UPDATE, tuple(fields)))
            self.records.append(new)
        else:
            self.unchanged += 1

    def correct(self, row: int, old: BrokenRecord, new: Record) -> None:
        """A stored record that breaks a rule made after it was stored, replaced by a valid
        one: an update of every field whose stored value differs."""
        fields = tuple(n for n, value in to_plain(new).items() if old.values.get(n) != value)
        self.changes.append(Change(row, new.id, Action.UPDATE, fields))
        self.records.append(new)

    def plan(self) -> Plan:
        return Plan(tuple(self.changes), tuple(self.records), tuple(self.problems), self.unchanged)


def _facilities(session: Session, rows: list[ParsedRow], out: _Collector, today: date) -> Plan:
    repo = Repository(session)
    stored = facilities_or_broken(session)  # a broken facility is corrected by its row
    held = held_from(repo.placements(), today)
    providers = {p.id: p for p in repo.providers()}
    streams = {s.id for s in repo.funding_streams()}
    named: dict[str, str] = {}
    for parsed in rows:
        facility = parsed.record
        assert isinstance(facility, Facility)
        pid = facility.provider_id
        if parsed.provider_name is not None:
            if named.setdefault(pid, parsed.provider_name) != parsed.provider_name:
                reason = f"provider {pid!r} is named {named[pid]!r} on another row"
                out.problem(parsed.row, PROVIDER_NAME, parsed.provider_name, reason)
                continue
        elif pid not in providers:
            reason = f"unknown provider {pid!r}; give its name in {PROVIDER_NAME} to add it"
            out.problem(parsed.row, "provider_id", pid, reason)
            continue
        if facility.funding_stream_id not in streams:
            known = ", ".join(sorted(streams)) or "none stored"
            reason = f"unknown funding stream {facility.funding_stream_id!r} (known: {known})"
            out.problem(parsed.row, "funding_stream_id", facility.funding_stream_id, reason)
            continue
        if facility.beds < held.get(facility.id, 0):
            reason = (
                f"{facility.id}'s placements hold {held[facility.id]} of its beds from today "
                f"on; its beds cannot be cut to {facility.beds} (end those placements first)"
            )
            out.problem(parsed.row, "beds", facility.beds, reason)
            continue
        old = stored.get(facility.id)
        if isinstance(old, BrokenRecord):
            out.correct(parsed.row, old, facility)
        else:
            out.compare(parsed.row, old, facility, frozenset())
    for pid, name in named.items():  # providers first: the facilities refer to them
        if pid not in providers or providers[pid].name != name:
            out.records.insert(0, Provider(pid, name))
    return out.plan()


def _organisation_problem(session: Session, name: str, known: dict[str, str | None]) -> str | None:
    """Why a responsible organisation is refused (the API's intake rule), once per name."""
    if name not in known:
        try:
            check_organisation(session, name)
            known[name] = None
        except InvalidInputError as exc:
            known[name] = exc.reason
    return known[name]


def _cases(session: Session, rows: list[ParsedRow], out: _Collector, today: date) -> Plan:
    stored = {c.id: c for c in Repository(session).cases()}
    organisations: dict[str, str | None] = {}
    for parsed in rows:
        case = parsed.record
        assert isinstance(case, Case)
        if case.intake_date > today:
            reason = f"lies in the future (today is {today})"
            out.problem(parsed.row, "intake_date", case.intake_date.isoformat(), reason)
            continue
        old = stored.get(case.id)
        if old is not None and old.status != case.status:
            reason = (
                f"the case is {old.status} in the database; an import does not move a case "
                "through its lifecycle (withdraw, accept or discharge it in the service)"
            )
            out.problem(parsed.row, "status", case.status, reason)
            continue
        name = case.responsible_organisation
        # a stored case keeps an organisation taken off the list since (as in the service)
        changed = old is None or old.responsible_organisation != name
        refused = _organisation_problem(session, name, organisations) if changed else None
        if refused is not None:
            out.problem(parsed.row, "responsible_organisation", name, refused)
            continue
        out.compare(parsed.row, old, case, frozenset())
    return out.plan()


def _placements(session: Session, rows: list[ParsedRow], out: _Collector, today: date) -> Plan:
    repo = Repository(session)
    stored = {p.id: p for p in repo.placements()}
    cases = {c.id: c for c in repo.cases()}
    facilities = {f.id: f for f in repo.facilities()}
    valid: dict[str, tuple[int, Placement]] = {}
    for parsed in rows:
        placement = parsed.record
        assert isinstance(placement, Placement)
        found = placement_problem(placement, cases, facilities, today)
        if found is not None:
            out.problem(parsed.row, *found)
            continue
        valid[placement.id] = (parsed.row, placement)
    refused = set()
    beds = {fid: f.beds for fid, f in facilities.items()}
    for row, field, value, reason in stay_problems(stored, valid, beds):
        out.problem(row, field, value, reason)
        refused.add(row)
    for placement_id, (row, placement) in valid.items():
        if row not in refused:
            ignore = frozenset({"recorded_at"}) if placement.recorded_at is None else frozenset()
            out.compare(row, stored.get(placement_id), placement, ignore)
    return out.plan()
