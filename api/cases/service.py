"""Cases: intake, the national waiting list, reading and withdrawing a case record."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.audit.log import record, record_reads
from api.cases.schemas import (
    CaseCreate,
    CaseListItem,
    CasePublic,
    CasesPublic,
    ExpectedStartBasis,
    ReasonPublic,
    TypeVerdict,
)
from api.database import Database
from api.errors import ConflictError, FieldError
from api.idempotency import Idempotency, remember, replay
from capacity import Case, CaseStatus, Rulebook
from capacity.clock import local_date
from capacity.persistence import (
    DecisionRepository,
    DuplicateRecordError,
    ProposalStatus,
    Repository,
    StoredAnswer,
    StoredProposal,
    StoredUser,
)
from capacity.persistence.models import CaseRow
from capacity.persistence.queries import ids_with_prefix

ID_ATTEMPTS = 5  # concurrent intakes on PostgreSQL may draw the same number; try again
WAITING_LIST = (CaseStatus.WAITING, CaseStatus.PROPOSED)
"""The national waiting list: cases waiting for a placement, with a proposal or not."""
WITHDRAWABLE = WAITING_LIST


Expected = tuple[date | None, ExpectedStartBasis]


def public(
    case: Case,
    *,
    rulebook: Rulebook,
    today: date,
    pending: StoredProposal | None,
    expected: Expected | None,
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
    return CasePublic(
        id=case.id,
        intake_date=case.intake_date,
        status=case.status,
        age=case.age,
        gender=case.gender,
        residence_status=case.residence_status,
        exploitation_type=case.exploitation_type,
        region_signalled=case.region_signalled,
        region_of_exploitation=case.region_of_exploitation,
        responsible_organisation=case.responsible_organisation,
        accompanying_children=case.accompanying_children,
        needs=sorted(case.needs),
        safety_risk=case.safety_risk,
        interpreter_language=case.interpreter_language,
        preferred_regions=list(case.preferred_regions),
        unaccompanied=case.unaccompanied,
        complexity_class=prio.complexity_class,
        priority_weight=round(prio.weight, 6),
        days_waited=prio.days_waited,
        eligible_types=verdicts,
        expected_start=expected[0] if expected is not None else None,
        expected_start_basis=expected[1] if expected is not None else None,
        proposal_id=pending.id if pending is not None else None,
    )


def _draft(new: CaseCreate, today: date) -> Case:
    intake = new.intake_date or today
    if intake > today:
        raise FieldError(["body", "intake_date"], f"lies in the future (today is {today})")
    return Case(
        id="C-DRAFT",
        intake_date=intake,
        age=new.age,
        gender=new.gender,
        residence_status=new.residence_status,
        exploitation_type=new.exploitation_type,
        region_signalled=new.region_signalled,
        region_of_exploitation=new.region_of_exploitation,
        responsible_organisation=new.responsible_organisation,
        accompanying_children=new.accompanying_children,
        needs=frozenset(new.needs),
        safety_risk=new.safety_risk,
        interpreter_language=new.interpreter_language,
        preferred_regions=tuple(new.preferred_regions),
        unaccompanied=new.unaccompanied,
    )


def _next_id(session: Session, year: int) -> str:
    prefix = f"C-{year}-"
    numbers = [
        int(i[len(prefix) :])
        for i in ids_with_prefix(session, CaseRow, prefix)
        if i[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def create(
    db: Database,
    *,
    new: CaseCreate,
    user: StoredUser,
    now: datetime,
    rulebook: Rulebook,
    idem: Idempotency | None,
) -> CasePublic | StoredAnswer:
    """Register a case under a new id; answer with its class and eligible types."""
    today = local_date(now)
    draft = _draft(new, today)  # validates every field before anything is written
    for attempt in range(ID_ATTEMPTS):
        try:
            with db.unit(immediate=True) as session:
                if (answer := replay(session, idem)) is not None:
                    return answer
                case = replace(draft, id=_next_id(session, today.year))
                Repository(session).add_case(case)
                record(session, user, "case.create", "case", case.id)
                expected = _expected_starts(session, [case], {}).get(case.id)
                result = public(
                    case, rulebook=rulebook, today=today, pending=None, expected=expected
                )
                remember(session, idem, 201, result)
                return result
        except (IntegrityError, DuplicateRecordError):
            if attempt == ID_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _pending(session: Session, case_ids: list[str]) -> dict[str, StoredProposal]:
    found = DecisionRepository(session).proposals(case_ids=case_ids, status=ProposalStatus.PENDING)
    return {p.case_id: p for p in found}


def get(
    db: Database, *, case_id: str, user: StoredUser, now: datetime, rulebook: Rulebook
) -> CasePublic:
    """One case record (the read is audited)."""
    with db.audited_read() as session:
        case = Repository(session).case(case_id)
        pending = _pending(session, [case_id]).get(case_id)
        expected = _expected_starts(session, [case], {case_id: pending} if pending else {})
        record(session, user, "case.read", "case", case_id)
    return public(
        case,
        rulebook=rulebook,
        today=local_date(now),
        pending=pending,
        expected=expected.get(case_id),
    )


def _expected_starts(
    session: Session, cases: list[Case], pending: dict[str, StoredProposal]
) -> dict[str, Expected]:
    """Each waiting or proposed case's expected start and what it rests on.

    The pending proposal's start date; without one, what the latest matching run planned
    for the case: a start date (a plan no proposal was made of), no start within its
    horizon, or no eligible facility at all. A case the latest run did not plan (registered
    since), or whose proposal from that run is gone (declined), waits for the next run.
    """
    out: dict[str, Expected] = {}
    unproposed = []
    for case in cases:
        if case.status not in WAITING_LIST:
            continue
        if (p := pending.get(case.id)) is not None:
            out[case.id] = (p.start_date, ExpectedStartBasis.PROPOSAL)
        else:
            unproposed.append(case.id)
    if not unproposed:
        return out
    decisions = DecisionRepository(session)
    runs, _ = decisions.runs(limit=1)
    if not runs:
        return out | dict.fromkeys(unproposed, (None, ExpectedStartBasis.NO_RUN))
    latest = runs[0]
    proposed = {p.case_id for p in decisions.proposals(run_id=latest.id, case_ids=unproposed)}
    waits = {w["case_id"]: w for w in latest.record.waits}
    for case_id in unproposed:
        wait = waits.get(case_id)
        if case_id in proposed or wait is None:
            out[case_id] = (None, ExpectedStartBasis.AWAITING_RUN)
        elif wait.get("start_date"):
            out[case_id] = (date.fromisoformat(wait["start_date"]), ExpectedStartBasis.MATCHING_RUN)
        elif wait.get("capacity_gap"):
            out[case_id] = (None, ExpectedStartBasis.CAPACITY_GAP)
        else:
            out[case_id] = (None, ExpectedStartBasis.BEYOND_HORIZON)
    return out


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
) -> CasesPublic:
    """Cases by priority (highest first), with expected start dates; every line audited.

    ``status`` takes the cases of that one status; ``statuses`` (instead) those of any of
    them: :data:`WAITING_LIST` gives the national waiting list, proposal or not.
    """
    if status is not None and statuses is not None:
        raise ValueError("give status or statuses, not both")
    today = local_date(now)
    classes = [c.name for c in rulebook.rules.priority.complexity.classes]
    if complexity is not None and complexity not in classes:
        raise FieldError(["query", "complexity"], f"must be one of: {', '.join(classes)}")
    with db.audited_read() as session:
        repo = Repository(session)
        found = (
            repo.cases(status=status)
            if statuses is None
            else [c for s in statuses for c in repo.cases(status=s)]
        )
        cases = [c for c in found if region is None or c.region_signalled == region]
        prio = {c.id: rulebook.priority(c, today) for c in cases}
        if complexity is not None:
            cases = [c for c in cases if prio[c.id].complexity_class == complexity]
        cases.sort(key=lambda c: (-prio[c.id].weight, c.intake_date, c.id))
        page = cases[offset : offset + limit]
        pending = _pending(session, [c.id for c in page])
        expected = _expected_starts(session, page, pending)
        shown = status if statuses is None else sorted(s.value for s in statuses)
        detail = {"status": shown, "region": region, "complexity": complexity}
        record_reads(session, user, "case.list", [c.id for c in page], detail)
    data = [
        CaseListItem(
            id=c.id,
            intake_date=c.intake_date,
            status=c.status,
            region_signalled=c.region_signalled,
            complexity_class=prio[c.id].complexity_class,
            priority_weight=round(prio[c.id].weight, 6),
            days_waited=prio[c.id].days_waited,
            beds=c.beds,
            expected_start=expected[c.id][0] if c.id in expected else None,
            expected_start_basis=expected[c.id][1] if c.id in expected else None,
            proposal_id=p.id if (p := pending.get(c.id)) else None,
            proposed_facility_id=p.facility_id if p else None,
        )
        for c in page
    ]
    return CasesPublic(data=data, count=len(cases))


def withdraw(
    db: Database,
    *,
    case_id: str,
    user: StoredUser,
    now: datetime,
    rulebook: Rulebook,
    idem: Idempotency | None,
) -> CasePublic | StoredAnswer:
    """Take a waiting or proposed case off the list; its pending proposal expires."""
    with db.unit(immediate=True) as session:
        if (answer := replay(session, idem)) is not None:
            return answer
        repo = Repository(session)
        case = repo.case(case_id)
        if case.status not in WITHDRAWABLE:
            raise ConflictError(
                f"case {case_id} is {case.status.value}; only a waiting or proposed case can "
                "be withdrawn (a placed case is discharged)"
            )
        DecisionRepository(session).expire_pending([case_id])
        case = repo.set_case_status(case_id, status=CaseStatus.WITHDRAWN)
        record(session, user, "case.withdraw", "case", case_id)
        result = public(case, rulebook=rulebook, today=local_date(now), pending=None, expected=None)
        remember(session, idem, 200, result)
        return result
