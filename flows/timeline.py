"""A case's timeline: what happened to it and who did it (issue 14).

Made from the audit log (registered, opened, withdrawn; placed, discharged) and the
decisions (each proposal, its acceptance, decline or expiry), oldest first. List reads
(the waiting list, a round's page) are in the audit log but not here: the timeline says
who *opened* the case record, not every list it appeared on. Openings by the same person
with nothing else in between are one line with their count and the last time (the audit
log keeps every one of them; a coordinator reads what happened, not each page view).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from flows.waiting_words import facility_label
from store import DecisionRepository, ProposalStatus, Repository, StoredProposal, audit

CASE_ACTIONS = {
    "case.create": "Registered",
    "case.read": "Case record opened",
    "case.withdraw": "Withdrawn from the waiting list",
}


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One thing that happened to a case.

    ``at`` is ``None`` for the intake (a day, not a moment: it comes first); ``actor`` is
    ``None`` for what a matching round did.
    """

    at: datetime | None
    kind: str
    text: str
    actor: str | None = None
    run_id: int | None = None
    count: int = 1  # case.read: openings in a row by the same person, the first at ``at``
    last_at: datetime | None = None  # case.read: the last of them, when there are several


def case_timeline(session: Session, case_id: str) -> list[TimelineEvent]:
    """The case's events, oldest first.

    Times are the audit log's (the database's clock, on SQLite to the second); events of
    the same second keep the log's order.

    Raises
    ------
    UnknownReferenceError
        When there is no such case.
    """
    repo = Repository(session)
    case = repo.case(case_id)
    names = {f.id: f for f in repo.facilities()}
    found: list[tuple[int, TimelineEvent]] = []  # (position in the audit log, event)
    for e in audit.entries(session, record_type="case", record_id=case_id):
        if e.action in CASE_ACTIONS:
            found.append((e.id, TimelineEvent(e.at, e.action, CASE_ACTIONS[e.action], e.actor)))
    for p in DecisionRepository(session).proposals(case_ids=[case_id]):
        found += _proposal_events(
            session, p, facility_label(names.get(p.facility_id), p.facility_id)
        )
    for placement in (p for p in repo.placements() if p.case_id == case_id):
        where = facility_label(names.get(placement.facility_id), placement.facility_id)
        for e in audit.entries(session, record_type="placement", record_id=placement.id):
            if e.action == "placement.create":
                text = f"Placed: {where} from {placement.start.isoformat()}"
            elif e.action == "placement.discharge" and placement.actual_end is not None:
                text = f"Discharged from {where} on {placement.actual_end.isoformat()}"
            else:
                continue
            found.append((e.id, TimelineEvent(e.at, e.action, text, e.actor)))
    found.sort(key=lambda x: (_utc(x[1].at), x[0]))
    intake = TimelineEvent(None, "intake", f"Intake on {case.intake_date.isoformat()}")
    return [intake, *_openings_in_a_row(event for _, event in found)]


def _openings_in_a_row(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """Consecutive ``case.read`` events of one person as one event with their count."""
    out: list[TimelineEvent] = []
    for event in events:
        last = out[-1] if out else None
        if (
            last is not None
            and event.kind == last.kind == "case.read"
            and event.actor == last.actor
        ):
            count = last.count + 1
            when = "" if event.at is None else f", the last at {_utc(event.at):%Y-%m-%d %H:%M} UTC"
            text = f"{CASE_ACTIONS['case.read']} {count} times{when}"
            out[-1] = replace(last, text=text, count=count, last_at=event.at)
        else:
            out.append(event)
    return out


def _proposal_events(
    session: Session, p: StoredProposal, where: str
) -> list[tuple[int, TimelineEvent]]:
    text = f"Proposed: {where} from {p.start_date.isoformat()}"
    if p.status is ProposalStatus.EXPIRED:
        text += " (expired: a later round replaced it, or the case left the list)"
    elif p.status is ProposalStatus.PENDING:
        text += " (pending)"
    run = audit.entries(session, record_type="matching_run", record_id=str(p.run_id), limit=1)
    made = (run[0].id, run[0].at) if run else (-1, p.created_at)
    out = [(made[0], TimelineEvent(made[1], "proposal", text, run_id=p.run_id))]
    for e in audit.entries(session, record_type="proposal", record_id=str(p.id)):
        if e.action == "proposal.accept":
            out.append((e.id, TimelineEvent(e.at, "accept", "Proposal accepted", e.actor)))
        elif e.action == "proposal.decline":
            why = (p.decline_reason or "").replace("_", " ")
            said = f": {p.decline_text}" if p.decline_text else ""
            text = f"Proposal declined ({why}{said})"
            out.append((e.id, TimelineEvent(e.at, "decline", text, e.actor)))
    return out


def _utc(moment: datetime | None) -> datetime:
    """Moments compared alike (SQLite gives naive UTC, PostgreSQL aware)."""
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
