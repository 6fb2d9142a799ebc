"""The service's own jobs (issue 14): the daily round, a round after reports of free beds,
the lapse sweep of proposals past their deadline, the nightly retention run (issue 16); one
runner across workers and hosts.

:class:`Jobs` decides and runs what is due at a moment (one :meth:`Jobs.tick`);
:func:`start` runs the ticks in a background scheduler (APScheduler) inside
``opvang serve``; ``opvang rounds run`` is the same round for cron.
"""

from api.scheduler.jobs import (
    DAILY_ROUND,
    LEASE,
    REPORT_ROUND,
    RETENTION,
    SCHEDULER_ACTOR,
    Jobs,
    Tick,
)
from api.scheduler.runner import start

__all__ = [
    "DAILY_ROUND",
    "LEASE",
    "REPORT_ROUND",
    "RETENTION",
    "SCHEDULER_ACTOR",
    "Jobs",
    "Tick",
    "start",
]
