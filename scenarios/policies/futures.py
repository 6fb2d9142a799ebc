"""Sampled futures of an anticipatory round: who may arrive over the planning horizon.

Two sources (``anticipation.rates``):

- ``estimated`` (the default, what a live system can do): the intake history the policy has
  seen up to the round gives a :class:`capacity.ArrivalForecast` per profile class
  (Poisson-gamma, ``capacity.forecast``). A sample draws each class's rate from its
  posterior (the forecast's uncertainty), a Poisson number of arrivals over the horizon at
  uniform times, and for each arrival a past case of that class (its eligible facilities,
  weight, beds and expected stays): the class's mix as seen so far. It never reads the
  scenario file's demand.
- ``true``: the scenario file's demand classes themselves. ``samples`` independent
  realisations of the whole run's demand are drawn once (other seeds than the run's own
  arrivals, so no sample is the real future); a round's sample ``k`` is realisation
  ``k``'s arrivals over the horizon.

An arrival at time ``t`` (days from the round) can be placed from the round of day
``ceil(t)`` (at least 1: today's round is the one deciding); that is its release day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from capacity import ArrivalForecast, estimate_arrivals, profile_class
from matching import LookaheadCase
from matching.anticipation import release_day, sample_from_forecast
from scenarios.state import CaseRecord, SimState


def lookahead_case(
    state: SimState,
    record: CaseRecord,
    release: int,
    label: str,
    facility_row: np.ndarray,
    *,
    actual_stays: bool = False,
    weight_factor: float = 1.0,
) -> LookaheadCase | None:
    """A case of the look-ahead model from a run's case record (``None``: no option).

    ``facility_row`` maps a run's facility index to its row in the look-ahead model.
    ``actual_stays``: the record's actual stays instead of the expected ones (the study
    oracle, for the waiting cases only: a sampled arrival has no actual stay).
    ``weight_factor``: on the record's static weight (``optimiser.class_weight_factors``).
    """
    from scenarios.policies.optimised import option_stays

    opts = state.options(record)
    if opts.empty:
        return None
    days = option_stays(state, record, actual=actual_stays)
    stays = np.maximum(1, np.rint(days)).astype(np.int64)
    return LookaheadCase(
        release,
        record.weight * weight_factor,
        record.case.beds,
        facility_row[opts.facility],
        stays,
        label,
    )


@dataclass(slots=True)
class History:
    """The arrivals the policy has seen: time, profile class and record, in arrival order."""

    times: list[float]
    classes: list[str]
    records: list[CaseRecord]
    seen: set[int]

    @classmethod
    def empty(cls) -> History:
        return cls([], [], [], set())

    def observe(self, waiting: Sequence[CaseRecord]) -> None:
        """Record the cases that arrived during the run and are seen for the first time."""
        new = [r for r in waiting if r.index not in self.seen and r.arrival >= 0]
        for r in sorted(new, key=lambda r: (r.arrival, r.index)):
            self.seen.add(r.index)
            self.times.append(r.arrival)
            self.classes.append(profile_class(r.case, r.complexity))
            self.records.append(r)

    def forecast(self, now: float, window_days: float) -> ArrivalForecast:
        """Rates per profile class over the last ``window_days`` days before ``now``."""
        start = max(0.0, now - window_days)
        return estimate_arrivals(
            zip(self.times, self.classes, strict=True), window_start=start, window_end=now
        )

    def by_class(self, start: float) -> dict[str, list[CaseRecord]]:
        out: dict[str, list[CaseRecord]] = defaultdict(list)
        for t, c, r in zip(self.times, self.classes, self.records, strict=True):
            if t >= start:
                out[c].append(r)
        return out


__all__ = ["History", "lookahead_case", "release_day", "sample_from_forecast"]
