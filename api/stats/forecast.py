"""``/v1/stats/forecast``: the demand forecast of :mod:`flows.forecast`, published (issue 13).

The figures are the estimator's (:func:`capacity.estimate_arrivals`, as an anticipatory
matching round uses it), protected as counts of cases (:mod:`capacity.disclosure`): every
count rounded to a multiple of 5 and each rate and interval computed from the rounded count
(a rate times the window's days gives its count back); profile classes of 1 to 4 arrivals
merged into one row per complexity class (rule 4), a complexity class of 1 to 4 arrivals
suppressed whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import flows
from api.database import Database
from api.errors import FieldError
from api.stats.schemas import (
    ComplexityForecast,
    ForecastClass,
    ForecastPrior,
    ForecastStats,
    ForecastWindow,
    RateFigures,
)
from api.stats.service import case_count
from capacity import (
    DEFAULT_HORIZON_DAYS,
    ArrivalForecast,
    ClassRate,
    Rulebook,
    gamma_rate,
    profile_parts,
)
from capacity.clock import local_date
from capacity.disclosure import SMALL_CELL, pool_small_cells, publish, rounded

MAX_WINDOW_DAYS = 3650  # days of intake history, as OPVANG_ANTICIPATION_WINDOW_DAYS allows
WINDOW_REASON = f"must be a whole number of days from 1 to {MAX_WINDOW_DAYS}"
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
OTHER = "other"  # the profile class part of a complexity class's merged small classes
ESTIMATOR = (
    "Each profile class's arrivals in the window are taken as a Poisson process whose rate "
    "has a gamma prior (Jeffreys': shape 0.5, rate 0), so after n arrivals in T days the "
    "rate's posterior is Gamma(0.5 + n, T): the rate shown is its mean (0.5 + n) / T and "
    "the interval its equal-tailed credible interval."
)


def window_error(window_days: int, day: date, today: date) -> FieldError | None:
    """Why the window cannot be (a 422 naming ``window_days`` or ``day``), or ``None``."""
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        return FieldError(["query", "window_days"], WINDOW_REASON)
    if day > today:
        return FieldError(["query", "day"], "must not be after today")
    if (day - date.min).days < window_days:
        return FieldError(["query", "day"], "is too early: the window starts before year 1")
    return None


def forecast(
    db: Database,
    *,
    now: datetime,
    rulebook: Rulebook,
    window_days: int,
    day: date | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> ForecastStats:
    """The demand forecast from the ``window_days`` days of intake before ``day`` (today
    when not given), published.

    Raises
    ------
    FieldError
        A 422 naming ``window_days`` or ``day`` for a window that cannot be.
    """
    today = local_date(now)
    day = day or today
    wrong = window_error(window_days, day, today)
    if wrong is not None:
        raise wrong
    with db.unit() as session:
        found = flows.demand_forecast(
            session, today=day, rulebook=rulebook, window_days=window_days
        )
    classes = [c.name for c in rulebook.rules.priority.complexity.classes]
    totals, rows = published_classes(found, classes, horizon_days=horizon_days)
    return ForecastStats(
        as_of=now,
        day=day,
        window=ForecastWindow(
            from_=day - timedelta(days=window_days), to=day - timedelta(days=1), days=window_days
        ),
        rulebook_version=rulebook.version,
        level=found.level,
        prior=ForecastPrior(shape=found.prior_shape, rate=found.prior_rate),
        horizon_days=horizon_days,
        estimator=ESTIMATOR,
        by_complexity=totals,
        classes=rows,
    )


def published_classes(
    found: ArrivalForecast, complexities: list[str], *, horizon_days: int
) -> tuple[list[ComplexityForecast], list[ForecastClass]]:
    """Per complexity class (the rulebook's first, in its order) its total and its rows:
    the classes of 5 arrivals or more, most first, then its merged small classes."""
    counts: dict[str, dict[str, int]] = {c: {} for c in complexities}
    for c in sorted(found.classes, key=lambda c: (-c.arrivals, c.profile_class)):
        counts.setdefault(profile_parts(c.profile_class).complexity, {})[c.profile_class] = (
            c.arrivals
        )
    totals: list[ComplexityForecast] = []
    rows: list[ForecastClass] = []
    for complexity, cells in counts.items():
        pooled = pool_small_cells(cells)
        rates = {name: _rate(name, n, found) for name, n in pooled.rows.items()}
        rows += [_class_row(rate, horizon_days) for rate in rates.values()]
        if pooled.pooled:
            other = _rate(f"{complexity}/{OTHER}", pooled.pooled_count, found)
            rows.append(_other_row(complexity, other, pooled.pooled_count, horizon_days))
            if pooled.pooled_count >= SMALL_CELL:
                rates[other.profile_class] = other
        totals.append(_total(complexity, sum(cells.values()), rates, found, horizon_days))
    return totals, rows


def _rate(name: str, arrivals: int, found: ArrivalForecast) -> ClassRate:
    """The estimator on the published (rounded) count of ``arrivals``."""
    n = rounded(arrivals)
    return gamma_rate(
        name,
        n,
        shape=found.prior_shape + n,
        rate=found.prior_rate + found.window_days,
        level=found.level,
    )


def _figures(rate: ClassRate | None, arrivals: int, horizon_days: int) -> dict[str, object]:
    """The published figures of a rate and its count (all null when the count is hidden)."""
    count = publish(arrivals)
    if rate is None or count.suppressed:
        empty = dict.fromkeys(RateFigures.model_fields, None)
        return {**empty, "arrivals": case_count(count)}
    return {
        "arrivals": case_count(count),
        "rate_per_day": round(rate.rate_per_day, 6),
        "rate_per_month": round(rate.rate_per_day * DAYS_PER_MONTH, 3),
        "rate_per_year": round(rate.rate_per_day * DAYS_PER_YEAR, 2),
        "interval_per_day": [round(rate.low, 6), round(rate.high, 6)],
        "expected_in_horizon": round(rate.expected(horizon_days), 2),
        "horizon_interval": [round(rate.low * horizon_days, 2), round(rate.high * horizon_days, 2)],
    }


def _class_row(rate: ClassRate, horizon_days: int) -> ForecastClass:
    parts = profile_parts(rate.profile_class)
    return ForecastClass(
        profile_class=rate.profile_class,
        complexity=parts.complexity,
        merged=False,
        gender=parts.gender,
        age=parts.age,
        needs=list(parts.needs),
        beds=parts.beds,
        **_figures(rate, rate.arrivals, horizon_days),
    )


def _other_row(complexity: str, rate: ClassRate, arrivals: int, horizon_days: int) -> ForecastClass:
    """The merged small classes of a complexity class: one class to the estimator."""
    return ForecastClass(
        profile_class=rate.profile_class,
        complexity=complexity,
        merged=True,
        gender=None,
        age=None,
        needs=None,
        beds=None,
        **_figures(rate, arrivals, horizon_days),
    )


def _total(
    complexity: str,
    arrivals: int,
    rates: Mapping[str, ClassRate],
    found: ArrivalForecast,
    horizon_days: int,
) -> ComplexityForecast:
    """A complexity class's total: the sum of its published rows' rates, whose posterior
    is the gamma of their summed shapes (one window, one gamma rate); 0 without arrivals."""
    if rates:
        shape = sum(r.shape for r in rates.values())
        total = gamma_rate(
            complexity,
            arrivals,
            shape=shape,
            rate=found.prior_rate + found.window_days,
            level=found.level,
        )
    else:
        total = ClassRate(complexity, 0, 0.0, 0.0, 0.0, 0.0, 0.0)
    figures = _figures(total if arrivals == 0 or rates else None, arrivals, horizon_days)
    return ComplexityForecast(complexity=complexity, **figures)
