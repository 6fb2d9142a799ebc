"""``/v1/stats/trends``: the trends of :mod:`flows.trends`, published.

Counts of cases go through :func:`capacity.disclosure.protect_tables` per period and per
table (waiting at the period's end by class and its total; placed in the period by class
and its total), mean and median waits through the same rule as ``/v1/stats/waiting``.
Occupancy is supply and is published as it is.
"""

from __future__ import annotations

from datetime import date, datetime

import flows
from api.database import Database
from api.errors import FieldError
from api.stats.schemas import ClassTrend, TrendPoint, TrendStats
from api.stats.service import case_count, occupancy_groups
from capacity import Rulebook
from capacity.aggregates import OccupancyRow
from capacity.clock import local_date
from capacity.disclosure import mean_wait_days, median_wait_days, protect_tables


def trends(
    db: Database,
    *,
    now: datetime,
    rulebook: Rulebook,
    since: date | None,
    until: date | None,
    period: flows.TrendPeriod,
) -> TrendStats:
    """Waiting list, waits per class and occupancy per week or month of the window.

    Raises
    ------
    FieldError
        A 422 naming ``since`` or ``until`` for a window that cannot be.
    """
    try:
        window = flows.trend_window(since=since, until=until, period=period, today=local_date(now))
    except flows.InvalidInputError as exc:
        raise FieldError(["query", exc.field], exc.reason) from exc
    with db.unit() as session:
        found = flows.read_trends(session, window=window, rulebook=rulebook, now=now)
    return TrendStats(
        as_of=now,
        since=window.since,
        until=window.until,
        period=window.period,
        rulebook_version=rulebook.version,
        periods=[trend_point(p) for p in found.periods],
    )


def trend_point(figures: flows.PeriodFigures) -> TrendPoint:
    """One period's figures as published (counts of cases protected, supply as it is)."""
    waiting_total, waiting = protect_tables(
        sum(figures.waiting.values()), {"class": dict(figures.waiting)}
    )
    placed_counts = {k: len(figures.waits.get(k, ())) for k in figures.waiting}
    placed_total, placed = protect_tables(sum(placed_counts.values()), {"class": placed_counts})
    every_wait = [d for days in figures.waits.values() for d in days]
    beds = sum(r.beds for r in figures.occupancy)
    national = OccupancyRow("all", 0, beds, sum(r.free for r in figures.occupancy))
    return TrendPoint(
        start=figures.start,
        end=figures.end,
        waiting=case_count(waiting_total),
        placed=case_count(placed_total),
        mean_wait_days=mean_wait_days(every_wait, published=placed_total),
        median_wait_days=median_wait_days(every_wait, published=placed_total),
        by_complexity=[
            ClassTrend(
                key=key,
                waiting=case_count(waiting["class"][key]),
                placed=case_count(placed["class"][key]),
                mean_wait_days=mean_wait_days(days, published=placed["class"][key]),
                median_wait_days=median_wait_days(days, published=placed["class"][key]),
            )
            for key, days in ((k, list(figures.waits.get(k, ()))) for k in figures.waiting)
        ],
        beds=beds,
        occupied=national.occupied,
        occupancy=round(national.occupancy, 4),
        by_placement_type=occupancy_groups(figures.occupancy),
    )
