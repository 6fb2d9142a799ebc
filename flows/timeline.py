"""A case's timeline: what happened to it and who did it (issue 14).

Made from the audit log (registered, opened, withdrawn; placed, discharged) and the
decisions (each proposal, its acceptance, decline or expiry), oldest first. List reads
(the waiting list, a round's page) are in the audit log but not here: the timeline says
who *opened* the case record, not every list it appeared on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flows.waiting_words import facility_label
from store import DecisionRepository, ProposalStatus, Repository, audit

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

    Raises
    ------
    UnknownReferenceError
        When there is no such case.
    """
    repo = Repository(session)
    case = repo.case(case_id)
    names = {f.id: f for f in repo.facilities()}
    events = [TimelineEvent(None, "intake", f"Intake on {case.intake_date.isoformat()}")]
    for e in audit.entries(session, record_type="case", record_id=case_id):
        if e.action in CASE_ACTIONS:
            events.append(TimelineEvent(e.at, e.action, CASE_ACTIONS[e.action], e.actor))
    for p in DecisionRepository(session).proposals(case_ids=[case_id]):
        where = facility_label(names.get(p.facility_id), p.facility_id)
        text = f"Proposed: {where} from {p.start_date.isoformat()}"
        if p.status is ProposalStatus.EXPIRED:
            text += " (expired: a later round replaced it, or the case left the list)"
        elif p.status is ProposalStatus.PENDING:
            text += " (pending)"
        events.append(TimelineEvent(p.created_at, "proposal", text, run_id=p.run_id))
        if p.decided_at is not None and p.status is ProposalStatus.ACCEPTED:
            events.append(TimelineEvent(p.decided_at, "accept", "Proposal accepted", p.decided_by))
        elif p.decided_at is not None and p.status is ProposalStatus.DECLINED:
            why = (p.decline_reason or "").replace("_", " ")
            said = f": {p.decline_text}" if p.decline_text else ""
            text = f"Proposal declined ({why}{said})"
            events.append(TimelineEvent(p.decided_at, "decline", text, p.decided_by))
    for placement in (p for p in repo.placements() if p.case_id == case_id):
        where = facility_label(names.get(placement.facility_id), placement.facility_id)
        for e in audit.entries(session, record_type="placement", record_id=placement.id):
            if e.action == "placement.create":
                text = f"Placed: {where} from {placement.start.isoformat()}"
            elif e.action == "placement.discharge" and placement.actual_end is not None:
                text = f"Discharged from {where} on {placement.actual_end.isoformat()}"
            else:
                continue
            events.append(TimelineEvent(e.at, e.action, text, e.actor))
    return sorted(events, key=lambda e: (e.at is not None, e.at or datetime.min))
