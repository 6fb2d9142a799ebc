"""Retention: erasing case records and log entries once their term is over (issue 16).

GDPR art. 5(1)(e), storage limitation: personal data are kept no longer than their purpose
needs. A case's purpose ends when it leaves the waiting list; the terms below (defaults in
:class:`RetentionSettings`, reasoning in ``docs/privacy.md``) allow for follow-up, complaints
and audits after that. :func:`apply_retention` is the one job: ``opvang retention apply``
runs it, and so can any scheduler (a plain function taking a session: its caller commits).

- **Discharged and withdrawn cases**, their term counted from their last change of status:
  erased whole (profile, placements, proposals, declined pairs, their lines in the runs'
  explanations), unless a placement of theirs still counts in the supply (ended after its
  facility's latest report, or began this year: budgets); their counts are kept by the
  groups statistics use (:class:`store.retention.OutcomeGroup`), so figures over the
  erased period stay as they were. Their audit entries stay: who did what when, to a
  pseudonymous number.
- **Proposals** decided or expired: deleted after their term (a declined pair stays, so
  the pair is never proposed again).
- **Audit entries**: deleted after their term, which is the longest (who saw a case must
  be answerable after the case is gone).

Every erasure is itself audited (``retention.erase``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session

from capacity import CaseStatus
from store import DecisionRepository, Repository, audit, retention

DAY = timedelta(days=1)


class RetentionSettings(BaseSettings):
    """Retention terms in days, from ``OPVANG_RETENTION_*`` (see ``docs/privacy.md``)."""

    model_config = SettingsConfigDict(env_prefix="OPVANG_RETENTION_", extra="ignore")

    discharged_days: int = Field(730, ge=30, le=36_500)
    withdrawn_days: int = Field(365, ge=30, le=36_500)
    proposals_days: int = Field(365, ge=30, le=36_500)
    audit_days: int = Field(1_826, ge=30, le=36_500)

    @model_validator(mode="after")
    def _audit_outlives_cases(self) -> RetentionSettings:
        if self.audit_days < max(self.discharged_days, self.withdrawn_days):
            raise ValueError(
                "audit_days must be at least the cases' terms: who saw a case must be "
                "answerable as long as the case is kept"
            )
        return self

    def policy(self) -> RetentionPolicy:
        return RetentionPolicy(
            discharged=self.discharged_days * DAY,
            withdrawn=self.withdrawn_days * DAY,
            proposals=self.proposals_days * DAY,
            audit=self.audit_days * DAY,
        )


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of record is kept."""

    discharged: timedelta
    withdrawn: timedelta
    proposals: timedelta
    audit: timedelta


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What a retention run erased (or, in a dry run, would erase)."""

    now: datetime
    dry_run: bool
    discharged_cases: tuple[str, ...]
    withdrawn_cases: tuple[str, ...]
    proposals: int
    audit_entries: int


def apply_retention(
    session: Session, *, policy: RetentionPolicy, now: datetime, by: str, dry_run: bool = False
) -> RetentionReport:
    """Erase every record past its term (see the module docstring); audited.

    Parameters
    ----------
    session
        The unit of work; the caller commits (all of it) or rolls back.
    policy
        The terms.
    now
        The moment the terms are counted back from (timezone-aware).
    by
        Who runs it (the audit log's actor).
    dry_run
        Count only; erase nothing.

    Returns
    -------
    RetentionReport
    """
    # a discharge after a facility's latest report still frees a bed in the supply, and a
    # stay of this year still spends its budget: such a case waits for a later run
    counted = {p.case_id for p in Repository(session).snapshot_placements(as_of=now)}
    discharged = [
        c
        for c in retention.cases_due(
            session, status=CaseStatus.DISCHARGED, before=now - policy.discharged
        )
        if c not in counted
    ]
    withdrawn = retention.cases_due(
        session, status=CaseStatus.WITHDRAWN, before=now - policy.withdrawn
    )
    audit_before = now - policy.audit
    if dry_run:
        cases = set(discharged) | set(withdrawn)
        proposals = len(retention.proposals_due(session, before=now - policy.proposals))
        return RetentionReport(
            now,
            True,
            tuple(discharged),
            tuple(withdrawn),
            proposals - _of_cases(session, cases, now - policy.proposals),
            retention.audit_due(session, before=audit_before),
        )
    for status, ids, term in (
        (CaseStatus.DISCHARGED, discharged, policy.discharged),
        (CaseStatus.WITHDRAWN, withdrawn, policy.withdrawn),
    ):
        retention.erase_cases(session, ids)
        audit.record_many(
            session,
            actor=by,
            action="retention.erase",
            record_type="case",
            record_ids=ids,
            detail={"status": status.value, "term_days": term.days},
        )
    due = retention.proposals_due(session, before=now - policy.proposals)
    erased = retention.erase_proposals(session, due)
    audit.record_many(
        session,
        actor=by,
        action="retention.erase",
        record_type="proposal",
        record_ids=[str(i) for i in due],
        detail={"term_days": policy.proposals.days},
    )
    entries = retention.erase_audit(session, before=audit_before)
    if entries:
        audit.record(
            session,
            actor=by,
            action="retention.erase",
            record_type="audit_log",
            record_id=f"before {audit_before.date().isoformat()}",
            detail={"entries": entries, "term_days": policy.audit.days},
        )
    return RetentionReport(now, False, tuple(discharged), tuple(withdrawn), erased, entries)


def _of_cases(session: Session, case_ids: set[str], before: datetime) -> int:
    """Proposals due that belong to cases erased in the same run (counted with the cases)."""
    if not case_ids:
        return 0
    due = set(retention.proposals_due(session, before=before))
    mine = DecisionRepository(session).proposals(case_ids=sorted(case_ids))
    return sum(1 for p in mine if p.id in due)
