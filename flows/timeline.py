"""A case's timeline: what happened to it and who did it (issue 14).

Made from the audit log (registered, opened, withdrawn; placed, discharged) and the
decisions (each proposal, its acceptance, decline or expiry), oldest first. List reads
(the waiting list, a round's page) are in the audit log but not here: the timeline says
who *opened* the case record, not every list it appeared on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from flows.waiting_words import facility_label
from store import DecisionRepository, ProposalStatus, Repository, StoredProposal, audit

CASE_ACTIONS = {
    "case.create": "Registered",
    "case.read": "Case record opened",
    "case.withdraw": "Withdrawn from the waiting list",
}
PLACEMENT_ACTIONS = {"placement.create": "Placed", "placement.discharge": "Discharged"}


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
    return [intake, *(event for _, event in found)]


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
