"""The scheduler's lease and slots (issue 14): one runner across workers and hosts.

Every worker of ``opvang serve`` runs a scheduler; only the holder of the lease runs
jobs. The lease is a row with an expiry, taken with one conditional ``UPDATE`` (or the
first ``INSERT``), so it works alike on SQLite and PostgreSQL: a holder renews it on
every tick, another worker takes it once it has expired (its holder died). A job's slot
(the daily round of 2026-12-03) is claimed by inserting its row: the primary key lets one
insert win, so a slot runs once even if two workers ever both believed they held the
lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.service.models import ScheduledSlotRow, SchedulerLeaseRow

FAILED = "failed:"  # how a slot's outcome starts when its run raised (then retried by hand)


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds a lease, until when."""

    name: str
    holder: str
    expires_at: datetime


class SchedulerRepository:
    """Leases and slots in one session (never commits).

    Parameters
    ----------
    session
        The unit of work.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def acquire(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease ``name`` for ``holder`` until ``until``.

        Returns
        -------
        bool
            True when ``holder`` holds it now; False while another's lease runs.
        """
        lease = SchedulerLeaseRow
        taken = self._session.execute(
            update(lease)
            .where(
                lease.name == name,
                (lease.holder == holder) | (lease.expires_at <= now),
            )
            .values(holder=holder, expires_at=until)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return True
        if self._session.get(SchedulerLeaseRow, name) is not None:
            return False
        try:
            with self._session.begin_nested():
                self._session.execute(
                    insert(lease).values(name=name, holder=holder, expires_at=until)
                )
        except IntegrityError:  # another worker inserted it first
            return False
        return True

    def release(self, name: str, *, holder: str, now: datetime) -> None:
        """Give the lease up (it expires now), if ``holder`` holds it."""
        lease = SchedulerLeaseRow
        self._session.execute(
            update(lease)
            .where(lease.name == name, lease.holder == holder)
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )

    def lease(self, name: str) -> Lease | None:
        """The lease as stored."""
        row = self._session.get(SchedulerLeaseRow, name)
        return None if row is None else Lease(row.name, row.holder, row.expires_at)

    def claim(self, job: str, slot: str, *, holder: str) -> bool:
        """Claim a job's slot; False when it was claimed before (by anyone)."""
        if self.claimed(job, slot):
            return False
        try:
            with self._session.begin_nested():
                self._session.execute(
                    insert(ScheduledSlotRow).values(job=job, slot=slot, holder=holder)
                )
        except IntegrityError:
            return False
        return True

    def claim_failed(self, job: str, slot: str, *, holder: str) -> bool:
        """Claim a slot whose run failed, to run it again (an operator's retry); False when
        it did not fail, or another retry took it first."""
        taken = self._session.execute(
            update(ScheduledSlotRow)
            .where(
                ScheduledSlotRow.job == job,
                ScheduledSlotRow.slot == slot,
                ScheduledSlotRow.outcome.like(f"{FAILED}%"),
            )
            .values(holder=holder, outcome=None)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(taken, "rowcount", 0) == 1)

    def claimed(self, job: str, slot: str) -> bool:
        """Whether the slot was claimed."""
        query = select(ScheduledSlotRow.slot).where(
            ScheduledSlotRow.job == job, ScheduledSlotRow.slot == slot
        )
        return self._session.scalar(query) is not None

    def finish(self, job: str, slot: str, *, outcome: str) -> None:
        """Record what a slot's run gave (``run 42``, or the error)."""
        self._session.execute(
            update(ScheduledSlotRow)
            .where(ScheduledSlotRow.job == job, ScheduledSlotRow.slot == slot)
            .values(outcome=outcome[:200])
            .execution_options(synchronize_session=False)
        )

    def last_slot(self, job: str) -> str | None:
        """The latest slot claimed of a job (slots sort by time)."""
        query = (
            select(ScheduledSlotRow.slot)
            .where(ScheduledSlotRow.job == job)
            .order_by(ScheduledSlotRow.slot.desc())
            .limit(1)
        )
        return self._session.scalar(query)
