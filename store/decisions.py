"""Matching runs, their proposals and the coordinators' decisions on them.

A run is stored with everything needed to account for it later (inputs hash, rulebook
version and hash, solver parameters and outcome) and with one proposal per proposed
placement. Explanations arrive as plain JSON-ready values: this module knows nothing of
:mod:`matching`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from capacity.cases import CaseStatus
from capacity.errors import UnknownReferenceError
from capacity.lifecycle import WAITING_LIST, CaseEvent, next_status
from capacity.records import from_plain
from matching import BindKind
from store.mapping import checked, each_item, read_row, stored
from store.models import (
    CaseRow,
    DeclinedPairRow,
    FacilityRow,
    MatchingRunRow,
    ProposalRow,
)

OPEN_STATUSES = tuple(sorted(s.value for s in WAITING_LIST))


class ProposalStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # a later run replaced it, or the case left the waiting list
    LAPSED = "lapsed"  # no answer by its deadline (respond_by): its beds return (issue 14)


@dataclass(frozen=True, slots=True)
class BindRecord:
    """One thing that kept a case waiting in a run (see :class:`matching.Binding`).

    Parameters
    ----------
    kind
        ``capacity_gap``, ``declined``, ``full_until``, ``full_horizon``, ``budget``,
        ``outranked``, ``penalty``, ``improvable`` or ``kept`` (for expected arrivals).
    text
        The reason in a coordinator's words.
    date
        The day it is about (full until, or the start a budget would not pay for).
    stream
        The funding stream whose budget binds.
    facility_id
        The facility the reason is about.
    amount
        For a budget: the euros short of paying for the placement.
    cases
        For ``outranked``: the cases of the run that took the bed.
    higher_priority
        For ``outranked``: each of those cases weighs at least as much as this one.
    """

    kind: BindKind
    text: str
    date: date | None = None
    stream: str | None = None
    facility_id: str | None = None
    amount: float | None = None
    cases: tuple[str, ...] = ()
    higher_priority: bool = False


@dataclass(frozen=True, slots=True)
class ExtraBedRecord:
    """One more bed here would have placed the case from ``start_date``."""

    facility_id: str
    start_date: date
    gain: float  # weighted waiting days saved


@dataclass(frozen=True, slots=True)
class WaitRecord:
    """Why a case of a run was left waiting, as the run stores it (typed, issue 12).

    Parameters
    ----------
    case_id
        The case.
    start_date
        Its planned start when later than today; ``None``: unplaced within the horizon.
    text
        The whole reason in a coordinator's words.
    capacity_gap
        No facility in the country is eligible.
    binds
        What keeps it waiting.
    extra_bed
        Where one more bed would have placed it.
    failing_rules
        For a capacity gap: rule family and how many facilities it keeps out.
    closest
        For a capacity gap: the facilities that fail the fewest rules, with those rules.
    """

    case_id: str
    start_date: date | None
    text: str
    capacity_gap: bool = False
    binds: tuple[BindRecord, ...] = ()
    extra_bed: ExtraBedRecord | None = None
    failing_rules: tuple[tuple[str, int], ...] = ()
    closest: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON the run's row keeps."""
        extra = self.extra_bed
        return {
            "case_id": self.case_id,
            "start_date": _iso(self.start_date),
            "text": self.text,
            "capacity_gap": self.capacity_gap,
            "binds": [
                {
                    "kind": b.kind,
                    "text": b.text,
                    "date": _iso(b.date),
                    "stream": b.stream,
                    "facility_id": b.facility_id,
                    "amount": b.amount,
                    "cases": list(b.cases),
                    "higher_priority": b.higher_priority,
                }
                for b in self.binds
            ],
            "extra_bed": None
            if extra is None
            else {
                "facility_id": extra.facility_id,
                "start_date": extra.start_date.isoformat(),
                "gain": extra.gain,
            },
            "failing_rules": [{"rule": r, "facilities": n} for r, n in self.failing_rules],
            "closest": [{"facility_id": f, "reasons": list(r)} for f, r in self.closest],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WaitRecord:
        """A record from the JSON of :meth:`to_json`.

        Raises
        ------
        InvalidFieldError
            Naming each bind whose kind this version no longer knows (``binds[1].kind``).
        """
        extra = data.get("extra_bed")
        return cls(
            case_id=str(data["case_id"]),
            start_date=_day(data.get("start_date")),
            text=str(data.get("text", "")),
            capacity_gap=bool(data.get("capacity_gap", False)),
            binds=each_item("binds", data.get("binds", ()), _bind),
            extra_bed=None
            if not extra
            else ExtraBedRecord(
                str(extra["facility_id"]), date.fromisoformat(extra["start_date"]), extra["gain"]
            ),
            failing_rules=tuple(
                (str(r["rule"]), int(r["facilities"])) for r in data.get("failing_rules", ())
            ),
            closest=tuple(
                (str(c["facility_id"]), tuple(str(x) for x in c.get("reasons", ())))
                for c in data.get("closest", ())
            ),
        )


def _bind(data: Mapping[str, Any]) -> BindRecord:
    """A bind from its JSON, its kind read as every stored code is (:func:`from_plain`)."""
    values = {
        "kind": str(data["kind"]),
        "text": str(data.get("text", "")),
        "date": _day(data.get("date")),
        "stream": data.get("stream"),
        "facility_id": data.get("facility_id"),
        "amount": data.get("amount"),
        "cases": tuple(data.get("cases") or ()),
        "higher_priority": bool(data.get("higher_priority", False)),
    }
    return from_plain(BindRecord, values)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _day(text: str | None) -> date | None:
    return None if not text else date.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class AlternativeRecord:
    """Another facility that could take a proposed case, with every other proposal kept."""

    facility_id: str
    start_date: date
    objective_difference: float  # weighted waiting days worse

    def to_json(self) -> dict[str, Any]:
        return {
            "facility_id": self.facility_id,
            "start_date": self.start_date.isoformat(),
            "objective_difference": self.objective_difference,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AlternativeRecord:
        return cls(
            str(data["facility_id"]),
            date.fromisoformat(data["start_date"]),
            float(data["objective_difference"]),
        )


@dataclass(frozen=True, slots=True)
class StageRecord:
    """One stage of a run's solve as it ended (see :class:`matching.Stage`, issue 11).

    Parameters
    ----------
    part, parts
        Which independent part of the problem (0-based) of how many.
    stage
        Its name (``greedy``, ``lp``, ``lp-plan``, ``polish``, ``mip``, ...).
    seconds
        Seconds since the solve started, when the stage last reported.
    objective
        The part's best plan value then; ``None`` before the first plan.
    bound
        The part's best proven lower bound then; ``None`` before the first.
    gap
        Relative gap of the two; ``None`` when one is missing.
    """

    part: int
    parts: int
    stage: str
    seconds: float
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON the run's row keeps."""
        return {
            "part": self.part,
            "parts": self.parts,
            "stage": self.stage,
            "seconds": self.seconds,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StageRecord:
        """A record from the JSON of :meth:`to_json`."""
        return cls(
            part=int(data["part"]),
            parts=int(data["parts"]),
            stage=str(data["stage"]),
            seconds=float(data["seconds"]),
            objective=_number(data.get("objective")),
            bound=_number(data.get("bound")),
            gap=_number(data.get("gap")),
        )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A matching run to store (see the columns of :class:`MatchingRunRow`)."""

    created_by: str
    as_of: datetime
    inputs_hash: str
    rulebook_version: str
    rulebook_hash: str
    parameters: Mapping[str, Any]
    status: str
    objective: float
    bound: float
    gap: float
    method: str
    build_seconds: float
    solve_seconds: float
    cases: int
    notes: tuple[str, ...] = ()
    waits: tuple[WaitRecord, ...] = ()
    stages: tuple[StageRecord, ...] = ()
    anticipation: Mapping[str, Any] | None = None  # the forecast used (issue 13)


@dataclass(frozen=True, slots=True)
class StoredRun:
    """A stored run: its record, id and time."""

    id: int
    created_at: datetime
    record: RunRecord


@dataclass(frozen=True, slots=True)
class ProposalDraft:
    """A proposal to store with a run."""

    case_id: str
    facility_id: str
    beds: int
    start_date: date
    explanation: str
    criteria: tuple[str, ...] = ()
    alternatives: tuple[AlternativeRecord, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class StoredProposal:
    """A proposal as stored, with its status and the decision taken on it."""

    id: int
    run_id: int
    case_id: str
    facility_id: str
    beds: int
    start_date: date
    status: ProposalStatus
    explanation: str
    criteria: tuple[str, ...]
    alternatives: tuple[AlternativeRecord, ...]
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    decline_reason: str | None = None
    decline_text: str | None = None
    placement_id: str | None = None
    respond_by: datetime | None = None


def to_run(row: MatchingRunRow) -> StoredRun:
    """The run a row describes.

    Raises
    ------
    StoredRecordError
        When a wait record holds a code this version no longer knows, naming each
        (``waits[3].binds[0].kind``).
    """
    names = [f.name for f in fields(RunRecord)]
    values = {n: getattr(row, n) for n in names}
    values["notes"] = tuple(values["notes"])
    read_waits = partial(each_item, "waits", values["waits"], WaitRecord.from_json)
    values["waits"] = stored("matching run", row.id, read_waits)
    values["stages"] = tuple(StageRecord.from_json(s) for s in values["stages"] or ())
    return StoredRun(row.id, row.created_at, RunRecord(**values))


def _new_proposal(run_id: int, draft: ProposalDraft, respond_by: datetime | None) -> ProposalRow:
    return ProposalRow(
        respond_by=respond_by,
        run_id=run_id,
        case_id=draft.case_id,
        facility_id=draft.facility_id,
        beds=draft.beds,
        start_date=draft.start_date,
        status=ProposalStatus.PENDING.value,
        explanation=draft.explanation,
        criteria=list(draft.criteria),
        alternatives=[a.to_json() for a in draft.alternatives],
    )


def to_proposal(row: ProposalRow) -> StoredProposal:
    """The proposal a row describes (a status this version no longer knows: a
    :class:`~store.StoredRecordError` naming it)."""
    alternatives = tuple(AlternativeRecord.from_json(a) for a in row.alternatives)
    return read_row("proposal", StoredProposal, row, alternatives=alternatives)


class DecisionRepository:
    """Runs, proposals and declined pairs in one session (never commits).

    Parameters
    ----------
    session
        The unit of work.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_run(
        self,
        record: RunRecord,
        proposals: Sequence[ProposalDraft],
        *,
        case_ids: Iterable[str],
        respond_by: datetime | None = None,
    ) -> tuple[StoredRun, list[StoredProposal]]:
        """Store a run; it replaces the pending proposals of the cases it considered.

        ``respond_by``: the deadline of its proposals (issue 14); ``None``: none.

        Earlier pending proposals of ``case_ids`` expire. Each proposal whose case is still
        waiting or proposed is stored as pending and its case becomes ``proposed``; a case
        of ``case_ids`` left without a proposal goes back to ``waiting`` (its intake date,
        and so its priority, untouched).

        Returns
        -------
        tuple
            The stored run and the proposals stored (cases that left the waiting list in
            the meantime get none).
        """
        values = {f.name: getattr(record, f.name) for f in fields(RunRecord)}
        values.update(
            parameters=dict(record.parameters),
            notes=list(record.notes),
            waits=[w.to_json() for w in record.waits],
            stages=[s.to_json() for s in record.stages],
        )
        run = MatchingRunRow(**checked(MatchingRunRow, values))
        self._session.add(run)
        self._session.flush()  # the run's id
        considered = sorted(set(case_ids))
        self.expire_pending(considered)
        open_cases = self._open_cases(considered)
        rows = [_new_proposal(run.id, d, respond_by) for d in proposals if d.case_id in open_cases]
        self._session.add_all(rows)
        proposed = {r.case_id for r in rows}
        for case_id, case_row in open_cases.items():
            event = CaseEvent.PROPOSED if case_id in proposed else CaseEvent.PROPOSAL_ENDED
            case_row.status = next_status(case_id, CaseStatus(case_row.status), event).value
        self._session.flush()
        return to_run(run), [to_proposal(r) for r in rows]

    def _open_cases(self, case_ids: list[str]) -> dict[str, CaseRow]:
        query = select(CaseRow).where(CaseRow.id.in_(case_ids), CaseRow.status.in_(OPEN_STATUSES))
        return {row.id: row for row in self._session.scalars(query)}

    def expire_pending(self, case_ids: Sequence[str]) -> None:
        """Expire every pending proposal of these cases."""
        if not case_ids:
            return
        self._session.execute(
            update(ProposalRow)
            .where(
                ProposalRow.case_id.in_(case_ids),
                ProposalRow.status == ProposalStatus.PENDING.value,
            )
            .values(status=ProposalStatus.EXPIRED.value)
        )

    def run(self, run_id: int) -> StoredRun:
        """One run.

        Raises
        ------
        UnknownReferenceError
            When no run has that id.
        """
        row = self._session.get(MatchingRunRow, run_id)
        if row is None:
            raise UnknownReferenceError("matching run", str(run_id))
        return to_run(row)

    def runs(self, *, limit: int, offset: int = 0) -> tuple[list[StoredRun], int]:
        """Runs, newest first, and how many there are."""
        total = self._session.scalar(select(func.count()).select_from(MatchingRunRow)) or 0
        query = select(MatchingRunRow).order_by(MatchingRunRow.id.desc()).limit(limit)
        return [to_run(r) for r in self._session.scalars(query.offset(offset))], total

    def proposals(
        self,
        *,
        run_id: int | None = None,
        case_ids: Sequence[str] | None = None,
        status: ProposalStatus | None = None,
    ) -> list[StoredProposal]:
        """Proposals by id, filtered by run, cases and status."""
        query = select(ProposalRow).order_by(ProposalRow.id)
        if run_id is not None:
            query = query.where(ProposalRow.run_id == run_id)
        if case_ids is not None:
            query = query.where(ProposalRow.case_id.in_(list(case_ids)))
        if status is not None:
            query = query.where(ProposalRow.status == ProposalStatus(status).value)
        return [to_proposal(r) for r in self._session.scalars(query)]

    def pending_due(self, by: datetime) -> list[StoredProposal]:
        """Pending proposals whose deadline is at or before ``by``, soonest first."""
        query = (
            select(ProposalRow)
            .where(
                ProposalRow.status == ProposalStatus.PENDING.value,
                ProposalRow.respond_by.is_not(None),
                ProposalRow.respond_by <= by,
            )
            .order_by(ProposalRow.respond_by, ProposalRow.id)
        )
        return [to_proposal(r) for r in self._session.scalars(query)]

    def lapsed_since(self, since: datetime) -> list[StoredProposal]:
        """Proposals that lapsed at or after ``since``, latest first."""
        query = (
            select(ProposalRow)
            .where(
                ProposalRow.status == ProposalStatus.LAPSED.value,
                ProposalRow.decided_at >= since,
            )
            .order_by(ProposalRow.decided_at.desc(), ProposalRow.id.desc())
        )
        return [to_proposal(r) for r in self._session.scalars(query)]

    def proposal(self, proposal_id: int, *, lock: bool = False) -> StoredProposal:
        """One proposal; ``lock`` takes its row lock (PostgreSQL) until the transaction ends.

        Raises
        ------
        UnknownReferenceError
            When no proposal has that id.
        """
        query = select(ProposalRow).where(ProposalRow.id == proposal_id)
        row = self._session.scalars(query.with_for_update() if lock else query).first()
        if row is None:
            raise UnknownReferenceError("proposal", str(proposal_id))
        return to_proposal(row)

    def lock_facility(self, facility_id: str) -> None:
        """Take the facility's row lock (PostgreSQL ``FOR UPDATE``) until the transaction ends.

        Raises
        ------
        UnknownReferenceError
            When the facility does not exist.
        """
        query = select(FacilityRow.id).where(FacilityRow.id == facility_id).with_for_update()
        if self._session.scalar(query) is None:
            raise UnknownReferenceError("facility", facility_id)

    def decide(
        self,
        proposal_id: int,
        *,
        status: ProposalStatus,
        by: str,
        at: datetime,
        decline_reason: str | None = None,
        decline_text: str | None = None,
        placement_id: str | None = None,
    ) -> StoredProposal:
        """Record the decision on a proposal (accepted, declined or lapsed)."""
        row = self._session.get(ProposalRow, proposal_id)
        if row is None:
            raise UnknownReferenceError("proposal", str(proposal_id))
        values = checked(
            ProposalRow,
            {
                "status": ProposalStatus(status).value,
                "decided_by": by,
                "decided_at": at,
                "decline_reason": decline_reason,
                "decline_text": decline_text,
                "placement_id": placement_id,
            },
        )
        for name, value in values.items():
            setattr(row, name, value)
        self._session.flush()
        return to_proposal(row)

    def add_declined_pair(
        self, *, case_id: str, facility_id: str, reason: str, proposal_id: int | None, by: str
    ) -> None:
        """Exclude a (case, facility) pair from later runs (kept once)."""
        query = select(DeclinedPairRow.id).where(
            DeclinedPairRow.case_id == case_id, DeclinedPairRow.facility_id == facility_id
        )
        if self._session.scalar(query) is not None:
            return
        self._session.add(
            DeclinedPairRow(
                case_id=case_id,
                facility_id=facility_id,
                reason=reason,
                proposal_id=proposal_id,
                created_by=by,
            )
        )
        self._session.flush()

    def declined_pairs(self) -> list[tuple[str, str]]:
        """Every declined (case id, facility id) pair."""
        query = select(DeclinedPairRow.case_id, DeclinedPairRow.facility_id)
        return [(c, f) for c, f in self._session.execute(query.order_by(DeclinedPairRow.id))]
