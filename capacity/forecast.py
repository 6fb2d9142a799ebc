"""Demand forecast: arrival rates per profile class from intake history (issue 13).

A *profile class* is what decides where a case may go and how much its waiting weighs:
the rulebook's complexity class, the needs that decide eligibility (specialised care,
a minor, the gender the facilities admit) and how many beds it takes (a mother with
children). Group arrivals (labour raids) count as their members, so the rates include them.

The estimator is the conjugate Poisson-gamma model. Arrivals of a class in a window of
``T`` days are a Poisson process with rate ``lambda``; with a gamma prior of shape ``a0``
and rate ``b0`` (per day), after ``n`` arrivals the posterior is
``Gamma(a0 + n, b0 + T)``. The forecast's rate is the posterior mean
``(a0 + n) / (b0 + T)``; its interval is the equal-tailed ``level`` credible interval of
the posterior. The default prior (shape 0.5, rate 0: Jeffreys') lets the history speak;
the interval narrows as the window grows (its relative width falls like ``1 / sqrt(n)``).
Pure domain code: the scenarios estimate it from the simulated history up to a round,
the live system from the cases in the database over a window.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from capacity.cases import Case, Gender
from capacity.errors import InvalidFieldError

DEFAULT_LEVEL = 0.95  # credible level of a rate's interval
JEFFREYS_SHAPE = 0.5  # prior shape: Jeffreys' prior for a Poisson rate
MIN_PRIOR_SHAPE = 0.5  # below this the posterior mean can fall outside its interval
MINOR_AGE = 18  # years: below it a case needs youth care


def profile_class(case: Case, complexity: str) -> str:
    """The profile class of a case: complexity class x what decides eligibility.

    Parameters
    ----------
    case
        The intake profile.
    complexity
        Its complexity class under the rulebook (``standard``, ``complex``, ...).

    Returns
    -------
    str
        For example ``complex/female/minor/needs=lvb+medical/beds=1``.
    """
    age = "minor" if case.age < MINOR_AGE else "adult"
    gender = case.gender.value if case.gender is not Gender.X else "other"
    needs = "+".join(sorted(n.value for n in case.needs)) or "none"
    return f"{complexity}/{gender}/{age}/needs={needs}/beds={case.beds}"


@dataclass(frozen=True, slots=True)
class ClassRate:
    """The forecast arrival rate of one profile class.

    Parameters
    ----------
    profile_class
        The class (:func:`profile_class`).
    arrivals
        Arrivals seen in the window.
    rate_per_day
        Posterior mean of the rate, arrivals per day.
    low, high
        The equal-tailed credible interval of the rate, per day.
    shape, rate
        The gamma posterior (shape, rate per day), to sample rates from.
    """

    profile_class: str
    arrivals: int
    rate_per_day: float
    low: float
    high: float
    shape: float
    rate: float

    def expected(self, days: float) -> float:
        """Expected arrivals in ``days`` days."""
        return self.rate_per_day * days


@dataclass(frozen=True, slots=True)
class ArrivalForecast:
    """Arrival rates per profile class, estimated from a window of intake history.

    Parameters
    ----------
    window_start, window_end
        The history window in days (the caller's time axis: simulation days, or days
        since an epoch); rates are per day of it.
    level
        Credible level of each class's interval.
    prior_shape, prior_rate
        The gamma prior.
    classes
        One rate per class seen in the window or named by the caller, sorted by class.
    """

    window_start: float
    window_end: float
    level: float
    prior_shape: float
    prior_rate: float
    classes: tuple[ClassRate, ...]

    @property
    def window_days(self) -> float:
        """Length of the history window the rates were estimated over."""
        return self.window_end - self.window_start

    def by_class(self) -> dict[str, ClassRate]:
        """The rate of each profile class, by class name."""
        return {c.profile_class: c for c in self.classes}

    def total_rate(self) -> float:
        """Arrivals per day over all classes (sum of the posterior means)."""
        return float(sum(c.rate_per_day for c in self.classes))

    def sample_rates(self, rng: np.random.Generator) -> dict[str, float]:
        """One draw of every class's rate from its posterior (the rates' uncertainty)."""
        shapes = np.array([c.shape for c in self.classes])
        rates = np.array([c.rate for c in self.classes])
        draws = rng.gamma(shapes, 1.0 / rates) if self.classes else np.zeros(0)
        return {c.profile_class: float(x) for c, x in zip(self.classes, draws, strict=True)}

    def to_plain(self) -> dict[str, object]:
        """JSON-ready (a run record's audit of which window and which rates were used)."""
        return {
            "window_start": self.window_start,
            "window_end": self.window_end,
            "level": self.level,
            "prior": {"shape": self.prior_shape, "rate": self.prior_rate},
            "classes": [
                {
                    "profile_class": c.profile_class,
                    "arrivals": c.arrivals,
                    "rate_per_day": c.rate_per_day,
                    "interval": [c.low, c.high],
                }
                for c in self.classes
            ],
        }


def estimate_arrivals(
    arrivals: Iterable[tuple[float, str]],
    *,
    window_start: float,
    window_end: float,
    classes: Iterable[str] = (),
    level: float = DEFAULT_LEVEL,
    prior_shape: float = JEFFREYS_SHAPE,
    prior_rate: float = 0.0,
) -> ArrivalForecast:
    """Estimate arrival rates per profile class from the arrivals in a window.

    Parameters
    ----------
    arrivals
        ``(time, profile class)`` of past arrivals, in days; only those in
        ``[window_start, window_end)`` count (a group counts as its members).
    window_start, window_end
        The window, in days; it must be at least a day long.
    classes
        Classes to forecast even when none arrived in the window (their rate then comes
        from the prior alone).
    level
        Credible level of the intervals, in (0, 1).
    prior_shape, prior_rate
        Gamma prior of each rate: shape at least 0.5, rate (per day) at least 0.

    Returns
    -------
    ArrivalForecast

    Raises
    ------
    InvalidFieldError
        A window shorter than a day, a level outside (0, 1) or a prior out of range.
    """
    length = window_end - window_start
    if not (math.isfinite(length) and length >= 1.0):
        raise InvalidFieldError("window", "must be at least one day long")
    if not 0.0 < level < 1.0:
        raise InvalidFieldError("level", "must be between 0 and 1")
    if not (math.isfinite(prior_shape) and prior_shape >= MIN_PRIOR_SHAPE):
        raise InvalidFieldError("prior_shape", f"must be at least {MIN_PRIOR_SHAPE}")
    if not (math.isfinite(prior_rate) and prior_rate >= 0.0):
        raise InvalidFieldError("prior_rate", "must be a number of at least 0")
    counts: Counter[str] = Counter(
        cls for time, cls in arrivals if window_start <= time < window_end
    )
    for cls in classes:
        counts.setdefault(cls, 0)
    rate = prior_rate + length
    out = tuple(
        gamma_rate(cls, n, shape=prior_shape + n, rate=rate, level=level)
        for cls, n in sorted(counts.items())
    )
    return ArrivalForecast(window_start, window_end, level, prior_shape, prior_rate, out)


def gamma_rate(
    profile_class: str, arrivals: int, *, shape: float, rate: float, level: float
) -> ClassRate:
    """The rate of a class whose posterior is ``Gamma(shape, rate)``.

    Its mean, and its equal-tailed ``level`` credible interval.

    Parameters
    ----------
    profile_class
        The class's name.
    arrivals
        Arrivals seen in the window (recorded, not used: the posterior holds them).
    shape, rate
        The gamma posterior (rate per day). The sum of independent rates with the same
        gamma ``rate`` (classes of one window) is ``Gamma(sum of shapes, rate)``.
    level
        Credible level of the interval, in (0, 1).

    Returns
    -------
    ClassRate
    """
    tail = (1.0 - level) / 2.0
    low, high = (float(x) for x in stats.gamma.ppf([tail, 1.0 - tail], shape, scale=1 / rate))
    return ClassRate(profile_class, arrivals, shape / rate, low, high, shape, rate)


@dataclass(frozen=True, slots=True)
class ProfileParts:
    """What a profile class is made of (:func:`profile_class`, read back).

    Parameters
    ----------
    complexity
        Complexity class under the rulebook.
    gender
        ``female``, ``male`` or ``other``.
    age
        ``minor`` or ``adult``.
    needs
        The needs that decide eligibility, sorted; empty for none.
    beds
        Beds the case takes.
    """

    complexity: str
    gender: str
    age: str
    needs: tuple[str, ...]
    beds: int


def profile_parts(name: str) -> ProfileParts:
    """The parts of a profile class name made by :func:`profile_class`.

    Raises
    ------
    InvalidFieldError
        For a name :func:`profile_class` does not make.
    """
    parts = name.split("/")
    if len(parts) != 5 or not parts[3].startswith("needs=") or not parts[4].startswith("beds="):
        raise InvalidFieldError("profile_class", f"{name[:80]!r} is not a profile class")
    complexity, gender, age, needs, beds = parts
    listed = needs.removeprefix("needs=")
    try:
        count = int(beds.removeprefix("beds="))
    except ValueError:
        raise InvalidFieldError("profile_class", f"{name[:80]!r}: beds must be a number") from None
    return ProfileParts(
        complexity, gender, age, () if listed == "none" else tuple(listed.split("+")), count
    )


def rates_of(forecast: ArrivalForecast) -> Mapping[str, float]:
    """Per class, the forecast's rate (posterior mean), per day."""
    return {c.profile_class: c.rate_per_day for c in forecast.classes}
