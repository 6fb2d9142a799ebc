"""Erasing what is past its retention term, keeping the figures statistics need (issue 16).

Cases are erased whole: their placements, proposals and declined pairs go with them, their
entries in the matching runs' "why each case waits" lists are dropped, and what statistics
count of them is added to ``erased_case_counts`` first. Their audit entries stay (who,
when, what; the log never held a profile). Audit entries themselves are deleted only
through :func:`erase_audit`, which unlocks the audit log's DELETE trigger for entries older
than a moment inside its own transaction (migration ``0007``).

Nothing here commits: the caller's transaction erases all of it or none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from capacity.aggregates import age_band
from capacity.cases import CaseStatus
from store.decisions import ProposalStatus
from store.models import (
    AuditErasureRow,
    AuditRow,
    CaseRow,
    DeclinedPairRow,
    ErasedCaseCountRow,
    MatchingRunRow,
    PlacementRow,
    ProposalRow,
)

ERASABLE = (CaseStatus.DISCHARGED, CaseStatus.WITHDRAWN)


@dataclass(frozen=True, slots=True, order=True)
class OutcomeGroup:
    """The figures kept of a discharged or withdrawn case: what statistics of the past count.

    Parameters
    ----------
    intake_month
        ``"2024-03"``.
    status
        Discharged or withdrawn.
    region_signalled, exploitation_type, residence_status, gender, age_band
        The case's groups as the published statistics use them.
    placed
        Whether it had a placement.
    """

    intake_month: str
    status: str
    region_signalled: str
    exploitation_type: str
    residence_status: str
    gender: str
    age_band: str
    placed: bool


def cases_due(session: Session, *, status: CaseStatus, before: datetime) -> list[str]:
    """Ids of the cases in ``status`` (discharged or withdrawn) since before ``before``.

    The term runs from the case's last change of status (``updated_at``).

    Raises
    ------
    ValueError
        For a status that is never erased (a case on the waiting list or placed).
    """
    if status not in ERASABLE:
        raise ValueError(f"cases that are {status} are never erased")
    query = select(CaseRow.id).where(CaseRow.status == status.value, CaseRow.updated_at < before)
    return list(session.scalars(query.order_by(CaseRow.id)))


def _groups(session: Session, case_ids: Sequence[str] | None) -> Counter[OutcomeGroup]:
    query = select(CaseRow).where(CaseRow.status.in_([s.value for s in ERASABLE]))
    placed_query = select(PlacementRow.case_id).distinct()
    if case_ids is not None:
        query = query.where(CaseRow.id.in_(case_ids))
        placed_query = placed_query.where(PlacementRow.case_id.in_(case_ids))
    placed = set(session.scalars(placed_query))
    return Counter(
        OutcomeGroup(
            intake_month=row.intake_date.strftime("%Y-%m"),
            status=row.status,
            region_signalled=row.region_signalled,
            exploitation_type=row.exploitation_type,
            residence_status=row.residence_status,
            gender=row.gender,
            age_band=age_band(row.age),
            placed=row.id in placed,
        )
        for row in session.scalars(query)
    )


def outcome_counts(session: Session) -> Counter[OutcomeGroup]:
    """Discharged and withdrawn cases by :class:`OutcomeGroup`: those stored and those
    erased, together (the same before and after an erasure)."""
    counts = _groups(session, None)
    for row in session.scalars(select(ErasedCaseCountRow)):
        key = OutcomeGroup(
            row.intake_month,
            row.status,
            row.region_signalled,
            row.exploitation_type,
            row.residence_status,
            row.gender,
            row.age_band,
            row.placed,
        )
        counts[key] += row.cases
    return counts


def erase_cases(session: Session, case_ids: Sequence[str]) -> int:
    """Erase cases whole, keeping their counts (:class:`OutcomeGroup`).

    Returns
    -------
    int
        Cases erased.
    """
    ids = list(case_ids)
    if not ids:
        return 0
    for group, cases in sorted(_groups(session, ids).items()):
        session.add(ErasedCaseCountRow(**_values(group), cases=cases))
    proposals = list(session.scalars(select(ProposalRow.id).where(ProposalRow.case_id.in_(ids))))
    _unlink_proposals(session, proposals)
    session.execute(delete(DeclinedPairRow).where(DeclinedPairRow.case_id.in_(ids)))
    session.execute(delete(ProposalRow).where(ProposalRow.case_id.in_(ids)))
    session.execute(delete(PlacementRow).where(PlacementRow.case_id.in_(ids)))
    _drop_waits(session, set(ids))
    erased = session.execute(delete(CaseRow).where(CaseRow.id.in_(ids)))
    session.flush()
    return _count(erased)


def _count(result: object) -> int:
    """Rows a DELETE touched."""
    return int(getattr(result, "rowcount", 0) or 0)


def _values(group: OutcomeGroup) -> dict[str, object]:
    return {
        "intake_month": group.intake_month,
        "status": group.status,
        "region_signalled": group.region_signalled,
        "exploitation_type": group.exploitation_type,
        "residence_status": group.residence_status,
        "gender": group.gender,
        "age_band": group.age_band,
        "placed": group.placed,
    }


def _unlink_proposals(session: Session, proposal_ids: Sequence[int]) -> None:
    if proposal_ids:
        session.execute(
            update(DeclinedPairRow)
            .where(DeclinedPairRow.proposal_id.in_(proposal_ids))
            .values(proposal_id=None)
        )


def _drop_waits(session: Session, case_ids: set[str]) -> None:
    """Remove the erased cases from the runs' lists of why each case waits."""
    for run in session.scalars(select(MatchingRunRow)):
        kept = [w for w in run.waits if w.get("case_id") not in case_ids]
        if len(kept) != len(run.waits):
            run.waits = kept


def proposals_due(session: Session, *, before: datetime) -> list[int]:
    """Ids of the decided or expired proposals decided (or made) before ``before``."""
    moment = func.coalesce(ProposalRow.decided_at, ProposalRow.created_at)
    query = select(ProposalRow.id).where(
        ProposalRow.status != ProposalStatus.PENDING.value, moment < before
    )
    return list(session.scalars(query.order_by(ProposalRow.id)))


def erase_proposals(session: Session, proposal_ids: Sequence[int]) -> int:
    """Delete proposals; a declined pair keeps the pair (never proposed again), not the link.

    Returns
    -------
    int
        Proposals deleted.
    """
    ids = list(proposal_ids)
    if not ids:
        return 0
    _unlink_proposals(session, ids)
    deleted = session.execute(delete(ProposalRow).where(ProposalRow.id.in_(ids)))
    session.flush()
    return _count(deleted)


def audit_due(session: Session, *, before: datetime) -> int:
    """Audit entries written before ``before``."""
    query = select(func.count()).select_from(AuditRow).where(AuditRow.at < before)
    return int(session.scalar(query) or 0)


def erase_audit(session: Session, *, before: datetime) -> int:
    """Delete the audit entries written before ``before`` (the only way the log's triggers
    allow: an ``audit_log_erasure`` row for the length of this transaction).

    Returns
    -------
    int
        Entries deleted.
    """
    unlock = AuditErasureRow(before=before)
    session.add(unlock)
    session.flush()
    deleted = session.execute(
        delete(AuditRow).where(AuditRow.at < before).execution_options(synchronize_session=False)
    )
    session.delete(unlock)
    session.flush()
    return _count(deleted)
