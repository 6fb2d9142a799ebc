"""What the scheduler runs, and when (issue 14).

Every tick, the worker holding the lease (:class:`store.service.SchedulerRepository`):

1. lapses the pending proposals past their deadline (:func:`flows.lapse_overdue`);
2. runs the daily round once its Dutch time has come, once per day: the day's slot is
   claimed in the database first, so a second worker (or ``opvang rounds run --daily``
   from cron) finds it taken;
3. with ``round_after_report``, runs a round once reports of free beds came in after the
   latest round and then none for the quiet time (debounced: a batch of reports gives one
   round), once per newest report;
4. once a night (``retention_at``), erases the records past their retention term
   (:func:`flows.apply_retention`, issue 16), its day's slot claimed as the daily round's.

Every round is recorded like any other, by ``scheduler``.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import flows
from api.database import Database
from api.matching_runs.schemas import RunPublic
from api.matching_runs.service import run_round
from api.settings import ApiSettings
from capacity import Rulebook
from capacity.clock import LOCAL_TZ
from store import DecisionRepository, free_beds_reported_since
from store.service import FAILED, SchedulerRepository

LEASE = "scheduler"  # the one lease of the service's jobs
DAILY_ROUND = "daily-round"  # job names, with their slots in scheduled_slots
RETENTION = "retention"
REPORT_ROUND = "report-round"
SCHEDULER_ACTOR = "scheduler"  # who the audit log and the runs name

log = logging.getLogger("opvang.scheduler")


def holder_id() -> str:
    """This process, uniquely: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class Tick:
    """What one tick did."""

    held: bool  # this worker held the lease
    lapsed: int = 0  # proposals that lapsed
    runs: tuple[tuple[str, int], ...] = ()  # (job, run id) of the rounds run
    erased: int | None = None  # cases the retention run erased (None: it did not run)


@dataclass
class Jobs:
    """The service's jobs on one database.

    Parameters
    ----------
    db
        The database.
    settings
        When the jobs run (``daily_round_at``, ``round_after_report``, ...).
    rulebook
        The criteria the rounds apply.
    holder
        Who this runner is (default: host, process, random).
    clock
        The current moment (tests move it).
    """

    db: Database
    settings: ApiSettings
    rulebook: Rulebook
    holder: str = field(default_factory=holder_id)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def tick(self, now: datetime | None = None) -> Tick:
        """Renew the lease and run what is due; nothing without the lease."""
        now = now or self.clock()
        if not self.hold(now):
            return Tick(held=False)
        lapsed = self.sweep(now)
        runs = []
        if (slot := self.daily_slot(now)) is not None:
            runs += self._run_once(DAILY_ROUND, slot, now)
        if self.settings.round_after_report and (slot := self.report_slot(now)) is not None:
            runs += self._run_once(REPORT_ROUND, slot, now)
        erased = None
        if (slot := self._day_slot(RETENTION, self.settings.retention_at, now)) is not None:
            erased = self._retain_once(slot, now)
        return Tick(held=True, lapsed=lapsed, runs=tuple(runs), erased=erased)

    def hold(self, now: datetime) -> bool:
        """Take or renew the lease; whether this runner holds it."""
        until = now + timedelta(seconds=self.settings.scheduler_lease_seconds)
        with self.db.unit(immediate=True) as session:
            return SchedulerRepository(session).acquire(
                LEASE, holder=self.holder, now=now, until=until
            )

    def release(self, now: datetime | None = None) -> None:
        """Give the lease up (another worker takes over at its next tick)."""
        with self.db.unit(immediate=True) as session:
            SchedulerRepository(session).release(LEASE, holder=self.holder, now=now or self.clock())

    def sweep(self, now: datetime) -> int:
        """Lapse the proposals past their deadline; how many."""
        with self.db.unit(immediate=True) as session:
            return len(flows.lapse_overdue(session, now=now, by=SCHEDULER_ACTOR))

    def daily_slot(self, now: datetime) -> str | None:
        """Today's slot (the Dutch date) once the daily round's time has come, if unclaimed."""
        return self._day_slot(DAILY_ROUND, self.settings.daily_round_at, now)

    def _day_slot(self, job: str, at: str, now: datetime) -> str | None:
        """Today's slot of a once-a-day job once its Dutch time ``at`` has come, if unclaimed."""
        if not at:
            return None
        local = now.astimezone(LOCAL_TZ)
        hour, minute = (int(x) for x in at.split(":"))
        if local.timetz().replace(tzinfo=None) < time(hour, minute):
            return None
        slot = local.date().isoformat()
        with self.db.unit() as session:
            return None if SchedulerRepository(session).claimed(job, slot) else slot

    def _retain_once(self, slot: str, now: datetime) -> int | None:
        """The night's retention run, if this runner claims its slot; cases erased."""
        with self.db.unit(immediate=True) as session:
            if not SchedulerRepository(session).claim(RETENTION, slot, holder=self.holder):
                return None  # another runner took it
        try:
            policy = flows.RetentionSettings().policy()
            with self.db.unit(immediate=True) as session:
                report = flows.apply_retention(session, policy=policy, now=now, by=SCHEDULER_ACTOR)
        except Exception as exc:  # recorded, logged; tomorrow's slot runs again
            log.exception("scheduled retention %s failed", slot)
            self._finish(RETENTION, slot, f"failed: {type(exc).__name__}")
            return None
        erased = len(report.discharged_cases) + len(report.withdrawn_cases)
        self._finish(RETENTION, slot, f"erased {erased} cases, {report.proposals} proposals")
        log.info("scheduled retention %s: %s cases erased", slot, erased)
        return erased

    def report_slot(self, now: datetime) -> str | None:
        """The newest report of free beds since the latest round, once quiet long enough."""
        quiet = timedelta(seconds=self.settings.round_after_report_quiet_seconds)
        with self.db.unit() as session:
            latest_runs, _ = DecisionRepository(session).runs(limit=1)
            since = latest_runs[0].created_at if latest_runs else None
            report = free_beds_reported_since(session, since)
            if report is None or now - report.recorded_at < quiet:
                return None
            slot = f"report-{report.id}"
            return None if SchedulerRepository(session).claimed(REPORT_ROUND, slot) else slot

    def _run_once(self, job: str, slot: str, now: datetime) -> list[tuple[str, int]]:
        with self.db.unit(immediate=True) as session:
            if not SchedulerRepository(session).claim(job, slot, holder=self.holder):
                return []  # another runner took it
        try:
            run = run_round(
                self.db, by=SCHEDULER_ACTOR, now=now, rulebook=self.rulebook, settings=self.settings
            )
        except Exception as exc:  # recorded, logged; the next slot runs again
            log.exception("scheduled %s %s failed", job, slot)
            self._finish(job, slot, f"{FAILED} {type(exc).__name__}")
            return []
        assert isinstance(run, RunPublic)  # no idempotency key: never a replay
        self._finish(job, slot, f"run {run.id}")
        log.info("scheduled %s %s: run %s", job, slot, run.id)
        return [(job, run.id)]

    def _finish(self, job: str, slot: str, outcome: str) -> None:
        with self.db.unit(immediate=True) as session:
            SchedulerRepository(session).finish(job, slot, outcome=outcome)
