"""Trends over time for policymakers (issue 15): the waiting list, waits per complexity
class and occupancy, per week or month, from the live history.

For each period of the window:

- **waiting**: cases on the waiting list at the end of the period's last day (intake on
  or before it, not yet placed or withdrawn), per complexity class;
- **waits**: the days waited by cases whose placement started in the period, per class
  (days from intake to the placement's start: ``Case.days_waited``, the definition of
  ``/v1/stats/waiting``);
- **occupancy**: beds and free beds per placement type at the end of the period (or now,
  for the period still running), by the supply snapshot's rules.

The figures are raw counts: the API's service publishes them through
:mod:`capacity.disclosure`, the one rule for counts of cases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from capacity import Case, Rulebook
from capacity.aggregates import OccupancyRow
from capacity.clock import LOCAL_TZ, local_date
from flows.errors import InvalidInputError
from flows.history import CaseSpell, SupplyHistory, case_spells
from store import Repository, left_waiting_list_at

DEFAULT_WEEKS = 26  # the window when no ``since`` is given
MAX_WINDOW_DAYS = 3 * 366  # about three years: 157 weeks or 37 months at most
END_OF_DAY = time(23, 59, 59)


class TrendPeriod(StrEnum):
    """The length of one step of a trend."""

    WEEK = "week"  # Monday to Sunday
    MONTH = "month"  # a calendar month


@dataclass(frozen=True, slots=True)
class TrendWindow:
    """The days a trend covers and the length of its periods."""

    since: date
    until: date
    period: TrendPeriod

    def periods(self) -> list[tuple[date, date]]:
        """First and last day of each period: whole weeks or months, the first holding
        ``since``, the last ending at ``until`` (cut short when it is still running)."""
        out = []
        start = _period_start(self.since, self.period)
        while start <= self.until:
            following = _next_start(start, self.period)
            out.append((start, min(following - timedelta(days=1), self.until)))
            start = following
        return out


def _period_start(day: date, period: TrendPeriod) -> date:
    if period is TrendPeriod.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_start(start: date, period: TrendPeriod) -> date:
    if period is TrendPeriod.WEEK:
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def trend_window(
    *, since: date | None, until: date | None, period: TrendPeriod, today: date
) -> TrendWindow:
    """The window asked for, checked: ``until`` defaults to today and may not be later;
    ``since`` defaults to the Monday that makes :data:`DEFAULT_WEEKS` whole weeks, and may
    not be after ``until`` nor :data:`MAX_WINDOW_DAYS` days or more before it.

    Raises
    ------
    InvalidInputError
        Naming ``since`` or ``until``.
    """
    end = today if until is None else until
    if end > today:
        raise InvalidInputError("until", f"must not be after today ({today.isoformat()})")
    if since is None:  # this week and the 25 before it
        start = _period_start(end, TrendPeriod.WEEK) - timedelta(weeks=DEFAULT_WEEKS - 1)
    else:
        start = since
    if start > end:
        raise InvalidInputError("since", f"must not be after until ({end.isoformat()})")
    if (end - start).days >= MAX_WINDOW_DAYS:
        raise InvalidInputError("since", f"must be less than {MAX_WINDOW_DAYS} days before until")
    return TrendWindow(start, end, TrendPeriod(period))


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """One period of a trend, raw (before disclosure control).

    ``waiting`` and ``waits`` have every complexity class, in the rulebook's order;
    ``occupancy`` has one row per placement type with facilities.
    """

    start: date
    end: date
    waiting: Mapping[str, int]
    waits: Mapping[str, tuple[int, ...]]
    occupancy: tuple[OccupancyRow, ...]


@dataclass(frozen=True, slots=True)
class Trends:
    """A trend's window, the complexity classes and one entry per period, oldest first."""

    window: TrendWindow
    classes: tuple[str, ...]
    periods: tuple[PeriodFigures, ...]


def waiting_at(spells: Sequence[CaseSpell], day: date) -> list[Case]:
    """The cases on the waiting list at the end of ``day``."""
    return [s.case for s in spells if s.waiting_on(day)]


def placed_between(spells: Sequence[CaseSpell], first: date, last: date) -> list[CaseSpell]:
    """The spells that ended in a placement starting from ``first`` to ``last``."""
    return [s for s in spells if s.placed_on is not None and first <= s.placed_on <= last]


def compute_trends(
    spells: Sequence[CaseSpell],
    supply: SupplyHistory,
    *,
    window: TrendWindow,
    classes: Sequence[str],
    class_of: Callable[[Case], str],
    now: datetime,
) -> Trends:
    """The figures of each period of ``window`` from the history (no database).

    ``class_of`` must give one of ``classes`` for every case.
    """
    klass = {s.case.id: class_of(s.case) for s in spells}
    periods = []
    for first, last in window.periods():
        waiting = dict.fromkeys(classes, 0)
        for case in waiting_at(spells, last):
            waiting[klass[case.id]] += 1
        waits: dict[str, list[int]] = {c: [] for c in classes}
        for spell in placed_between(spells, first, last):
            waits[klass[spell.case.id]].append(spell.wait_days or 0)
        moment = min(datetime.combine(last, END_OF_DAY, LOCAL_TZ), now)
        periods.append(
            PeriodFigures(
                start=first,
                end=last,
                waiting=waiting,
                waits={c: tuple(d) for c, d in waits.items()},
                occupancy=tuple(supply.occupancy_at(moment)),
            )
        )
    return Trends(window, tuple(classes), tuple(periods))


def read_trends(
    session: Session, *, window: TrendWindow, rulebook: Rulebook, now: datetime
) -> Trends:
    """The trends of ``window`` from what the database holds (read only)."""
    repo = Repository(session)
    facilities = repo.facilities()
    placements = repo.placements()
    spells = case_spells(repo.cases(), placements, facilities, left_waiting_list_at(session))
    supply = SupplyHistory(facilities, repo.reports(), placements)
    today = local_date(now)
    return compute_trends(
        spells,
        supply,
        window=window,
        classes=[c.name for c in rulebook.rules.priority.complexity.classes],
        class_of=lambda c: rulebook.priority(c, today).complexity_class,
        now=now,
    )
