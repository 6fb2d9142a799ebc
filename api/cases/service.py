"""Cases: intake, the national waiting list, reading and withdrawing a case record.

The decisions are the use cases' (:mod:`flows`); here a case becomes the API's record.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

import flows
from api.cases.schemas import (
    CaseCreate,
    CaseListItem,
    CasePublic,
    CasesPublic,
    KeepApartCreate,
    KeepApartPublic,
    KeepApartSet,
    KeepApartsPublic,
    PathwayPublic,
    PathwayStep,
    ReasonPublic,
    TimelineEventPublic,
    TimelinePublic,
    TypeVerdict,
)
from api.cases.waiting_reason import reason_public
from api.database import Database
from api.errors import FieldError
from capacity import KEEP_APART_LABELS, WAITING_LIST, Case, CaseStatus, KeepApart, Rulebook
from capacity.bridging import is_bridge
from capacity.clock import local_date
from capacity.records import from_plain, to_plain
from store import Repository, audit
from store.service import StoredUser

ID_ATTEMPTS = 5  # concurrent intakes on PostgreSQL may draw the same number; try again


def public(
    case: Case, *, rulebook: Rulebook, today: date, line: flows.WaitingLine | None
) -> CasePublic:
    """The full case record with complexity class, eligible placement types and (on the
    waiting list) the expected start and what it rests on."""
    prio = rulebook.priority(case, today)
    verdicts = [
        TypeVerdict(
            placement_type=t,
            eligible=v.eligible,
            met=list(v.met),
            reasons=[ReasonPublic(rule=r.rule, text=r.text) for r in v.failed],
        )
        for t, v in rulebook.eligible_types(case).items()
    ]
    expected = line.expected if line is not None else None
    pending = line.pending if line is not None else None
    return CasePublic(
        **to_plain(case),
        complexity_class=prio.complexity_class,
        priority_weight=round(prio.weight, 6),
        class_weight=round(prio.class_weight, 6),
        urgency=round(prio.urgency, 6),
        ageing=round(prio.ageing, 6),
        days_waited=prio.days_waited,
        eligible_types=verdicts,
        expected_start=expected.day if expected is not None else None,
        expected_start_basis=expected.basis if expected is not None else None,
        waiting_reason=reason_public(line.reason if line is not None else None),
        proposal_id=pending.id if pending is not None else None,
    )


def draft(new: CaseCreate, today: date) -> Case:
    """The intake profile as a case (every field validated; the id comes at registration)."""
    profile = new.model_dump(exclude={"intake_date", "keep_apart"})
    return from_plain(Case, {**profile, "id": "C-DRAFT", "intake_date": new.intake_date or today})


def create(
    session: Session,
    *,
    profile: Case,
    user: StoredUser,
    now: datetime,
    rulebook: Rulebook,
    keep_apart: Sequence[KeepApartCreate] = (),
) -> CasePublic:
    """Register a case under a new id (:func:`flows.register`); its class and eligible types."""
    today = local_date(now)
    pairs = [(k.case_id, k.reason) for k in keep_apart]
    case = flows.register(session, profile, today=today, by=user.name, keep_apart=pairs)
    return public(
        case,
        rulebook=rulebook,
        today=today,
        line=flows.line(session, case, rulebook=rulebook, today=today),
    )


def get(
    db: Database, *, case_id: str, user: StoredUser, now: datetime, rulebook: Rulebook
) -> CasePublic:
    """One case record (the read is audited)."""
    today = local_date(now)
    with db.audited_read() as session:
        case = Repository(session).case(case_id)
        line = flows.line(session, case, rulebook=rulebook, today=today)
        audit.record(
            session, actor=user.name, action="case.read", record_type="case", record_id=case_id
        )
    return public(case, rulebook=rulebook, today=today, line=line)


def list_(
    db: Database,
    *,
    status: CaseStatus | None,
    region: str | None,
    complexity: str | None,
    limit: int,
    offset: int,
    user: StoredUser,
    now: datetime,
    rulebook: Rulebook,
    statuses: Collection[CaseStatus] | None = None,
    search: str | None = None,
    sort: flows.WaitingOrder = flows.WaitingOrder.PRIORITY,
) -> CasesPublic:
    """Cases by priority (highest first), with expected start dates; every line audited.

    ``status`` takes the cases of that one status; ``statuses`` (instead) those of any of
    them: :data:`capacity.WAITING_LIST` gives the national waiting list, proposal or not.
    """
    if status is not None and statuses is not None:
        raise ValueError("give status or statuses, not both")
    today = local_date(now)
    classes = [c.name for c in rulebook.rules.priority.complexity.classes]
    if complexity is not None and complexity not in classes:
        raise FieldError(["query", "complexity"], f"must be one of: {', '.join(classes)}")
    wanted = statuses if statuses is not None else (None if status is None else [status])
    with db.audited_read() as session:
        page = flows.cases_by_priority(
            session,
            rulebook=rulebook,
            today=today,
            statuses=wanted,
            region=region,
            complexity=complexity,
            id_contains=search or None,
            order=sort,
            limit=limit,
            offset=offset,
        )
        shown = status if statuses is None else sorted(s.value for s in statuses)
        detail = {"status": shown, "region": region, "complexity": complexity}
        if search:
            detail["search"] = search
        audit.record_reads(
            session,
            actor=user.name,
            action="case.list",
            case_ids=[ln.case.id for ln in page.lines],
            detail=detail,
        )
    data = [list_item(ln) for ln in page.lines]
    return CasesPublic(data=data, count=page.total)


def withdraw(
    session: Session, *, case_id: str, user: StoredUser, now: datetime, rulebook: Rulebook
) -> CasePublic:
    """Take a waiting or proposed case off the list (:func:`flows.withdraw`)."""
    case = flows.withdraw(session, case_id, by=user.name)
    return public(case, rulebook=rulebook, today=local_date(now), line=None)


def _kept_apart(case_id: str, pair: KeepApart) -> KeepApartPublic:
    return KeepApartPublic(
        case_id=pair.other(case_id),
        reason=pair.reason,
        reason_text=KEEP_APART_LABELS[pair.reason],
        created_by=pair.created_by,
        created_at=pair.created_at,
    )


def list_keep_apart(db: Database, *, case_id: str, user: StoredUser) -> KeepApartsPublic:
    """The cases one case is kept apart from (the read is audited)."""
    with db.audited_read() as session:
        Repository(session).case(case_id)  # unknown: a 404
        pairs = flows.kept_apart_from(session, case_id)
        audit.record(
            session,
            actor=user.name,
            action="case.keep_apart_read",
            record_type="case",
            record_id=case_id,
        )
    data = [_kept_apart(case_id, p) for p in pairs]
    return KeepApartsPublic(data=data, count=len(data))


def add_keep_apart(
    session: Session, *, case_id: str, body: KeepApartSet, user: StoredUser
) -> KeepApartPublic:
    """Keep a case apart from another from now on (:func:`flows.keep_apart`)."""
    pair = flows.keep_apart(
        session, case_id, other=body.other_case_id, reason=body.reason, by=user.name
    )
    return _kept_apart(case_id, pair)


def remove_keep_apart(
    session: Session, *, case_id: str, other_case_id: str, user: StoredUser
) -> KeepApartsPublic:
    """Lift a keep-apart pair (:func:`flows.lift_keep_apart`); the pairs left."""
    flows.lift_keep_apart(session, case_id, other=other_case_id, by=user.name)
    data = [_kept_apart(case_id, p) for p in flows.kept_apart_from(session, case_id)]
    return KeepApartsPublic(data=data, count=len(data))


def pathway(db: Database, *, case_id: str, user: StoredUser, now: datetime) -> PathwayPublic:
    """A case's placements in order, bridge beds marked (the read is audited)."""
    today = local_date(now)
    with db.audited_read() as session:
        repo = Repository(session)
        case = repo.case(case_id)  # unknown: a 404
        facilities = {f.id: f for f in repo.facilities()}
        placements = [p for p in repo.placements() if p.case_id == case_id]
        audit.record(
            session, actor=user.name, action="case.pathway", record_type="case", record_id=case_id
        )
    steps = [
        PathwayStep(
            placement_id=p.id,
            facility_id=p.facility_id,
            facility_name=facilities[p.facility_id].name,
            placement_type=facilities[p.facility_id].placement_type,
            bridge=is_bridge(facilities[p.facility_id].placement_type),
            start=p.start,
            expected_end=p.expected_end,
            actual_end=p.actual_end,
        )
        for p in placements
    ]
    in_bridge = any(
        s.bridge and s.start <= today and (s.actual_end is None or s.actual_end > today)
        for s in steps
    )
    return PathwayPublic(
        case_id=case_id,
        steps=steps,
        in_bridge=in_bridge,
        seeking_residential=case.status in WAITING_LIST,
    )


def timeline(db: Database, *, case_id: str, user: StoredUser) -> TimelinePublic:
    """What happened to the case and who did it, oldest first (the read is audited)."""
    with db.audited_read() as session:
        events = flows.case_timeline(session, case_id)
        audit.record(
            session, actor=user.name, action="case.timeline", record_type="case", record_id=case_id
        )
    data = [
        TimelineEventPublic(
            at=e.at,
            kind=e.kind,
            text=e.text,
            actor=e.actor,
            run_id=e.run_id,
            count=e.count,
            last_at=e.last_at,
        )
        for e in events
    ]
    return TimelinePublic(data=data, count=len(data))


def list_item(ln: flows.WaitingLine) -> CaseListItem:
    """A line of a list of cases, with its priority, expected start and why it waits."""
    return CaseListItem(
        id=ln.case.id,
        intake_date=ln.case.intake_date,
        status=ln.case.status,
        region_signalled=ln.case.region_signalled,
        responsible_organisation=ln.case.responsible_organisation,
        complexity_class=ln.priority.complexity_class,
        priority_weight=round(ln.priority.weight, 6),
        class_weight=round(ln.priority.class_weight, 6),
        urgency=round(ln.priority.urgency, 6),
        ageing=round(ln.priority.ageing, 6),
        days_waited=ln.priority.days_waited,
        beds=ln.case.beds,
        expected_start=ln.expected.day if ln.expected is not None else None,
        expected_start_basis=ln.expected.basis if ln.expected is not None else None,
        waiting_reason=reason_public(ln.reason),
        proposal_id=ln.pending.id if ln.pending else None,
        proposed_facility_id=ln.pending.facility_id if ln.pending else None,
    )
