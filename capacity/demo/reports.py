"""The latest availability report of each facility, consistent with its placements."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np

from capacity.availability import AvailabilityReport, Placement
from capacity.clock import local_date
from capacity.facilities import Facility

REPORT_AGE_HOURS = (1.0, 44.0)  # hours: reports were taken 1 to 44 hours before the dataset
REPORTER = "provider feed"  # the machine client that posts a provider's counts


def draw_reports(
    rng: np.random.Generator,
    facilities: list[Facility],
    placements: list[Placement],
    as_of: datetime,
) -> list[AvailabilityReport]:
    """One report per facility, taken in the two days before ``as_of``.

    A report counts the placements that started on or before its own day (the rule
    :func:`capacity.build_snapshot` applies to placements without ``recorded_at``), so the
    snapshot's free beds on day 0 equal beds minus current placements.

    Parameters
    ----------
    rng
        The seeded generator.
    facilities
        All facilities.
    placements
        Current placements.
    as_of
        The dataset's moment (timezone-aware).

    Returns
    -------
    list of AvailabilityReport
        In facility order.
    """
    by_facility: dict[str, list[Placement]] = defaultdict(list)
    for p in placements:
        by_facility[p.facility_id].append(p)
    reports = []
    for fac in facilities:
        minutes = int(rng.uniform(*REPORT_AGE_HOURS) * 60)
        taken = as_of - timedelta(minutes=minutes)
        counted = sum(p.beds for p in by_facility[fac.id] if p.start <= local_date(taken))
        reports.append(
            AvailabilityReport(
                facility_id=fac.id,
                beds_free=fac.beds - counted,
                as_of=taken,
                reporter=REPORTER,
                idempotency_key=f"demo-{fac.id}-{taken:%Y%m%dT%H%M}",
            )
        )
    return reports
