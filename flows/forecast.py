"""The live demand forecast: arrival rates per profile class from the intake history.

The same estimator as the scenarios' ``anticipatory`` rounds (:mod:`capacity.forecast`,
issue 13), on the cases in the database: every case whose intake date falls in the
``window_days`` days before the round's day counts as an arrival of its profile class
(complexity class under the round's rulebook x what decides eligibility), whatever its
status now. Times are days relative to the round's day (negative: in the past).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from capacity import ArrivalForecast, Rulebook, estimate_arrivals, profile_class
from flows.errors import InvalidInputError
from store import Repository

DEFAULT_WINDOW_DAYS = 365  # days of intake history


def demand_forecast(
    session: Session, *, today: date, rulebook: Rulebook, window_days: int = DEFAULT_WINDOW_DAYS
) -> ArrivalForecast:
    """Arrival rates per profile class over the ``window_days`` days before ``today``.

    Raises :class:`flows.InvalidInputError` (field ``window_days``) for a window under a day.
    """
    if window_days < 1:
        raise InvalidInputError("window_days", "must be at least 1 day")
    arrivals = []
    for case in Repository(session).cases():
        day = (case.intake_date - today).days
        if -window_days <= day < 0:
            complexity = rulebook.priority(case, case.intake_date).complexity_class
            arrivals.append((float(day), profile_class(case, complexity)))
    return estimate_arrivals(arrivals, window_start=-float(window_days), window_end=0.0)
