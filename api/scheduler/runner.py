"""The background scheduler inside ``opvang serve`` (APScheduler): ticks of :class:`Jobs`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from api.scheduler.jobs import Jobs

log = logging.getLogger("opvang.scheduler")


def start(jobs: Jobs) -> Callable[[], None]:
    """Tick ``jobs`` every ``scheduler_tick_seconds`` in a background thread, the first
    tick at once; returns the function that stops it and gives the lease up."""
    scheduler = BackgroundScheduler(timezone="UTC")

    def tick() -> None:
        try:
            jobs.tick()
        except Exception:  # a database hiccup must not stop the scheduler
            log.exception("scheduler tick failed")

    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=jobs.settings.scheduler_tick_seconds),
        id="tick",
        max_instances=1,  # a long round delays the next tick instead of overlapping it
        coalesce=True,
        next_run_time=jobs.clock(),
    )
    scheduler.start()

    def stop() -> None:
        scheduler.shutdown(wait=True)
        try:
            jobs.release()
        except Exception:
            log.exception("could not release the scheduler lease")

    return stop
