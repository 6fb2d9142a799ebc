"""Stale capacity (issue 14): a free-bed count of any age was planned as if fresh.

A facility whose latest availability report is older than the staleness limit (or that
never reported) is planned with **no free beds today**, or, with a share above zero, with
that share of them (rounded down). The beds its current placements free later (expected
discharges) still count: the same number of beds is taken off every day of the horizon,
so day ``d`` keeps what discharges add by then. A new report lifts the rule at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from capacity.errors import InvalidSupplyError
from capacity.snapshot import SupplySnapshot

DEFAULT_STALE_AFTER = timedelta(hours=24)  # a report older than this is stale


@dataclass(frozen=True, slots=True)
class StaleFacility:
    """A facility planned on a discounted count, and why."""

    facility_id: str
    last_reported: datetime | None  # None: never reported
    reported_free: int  # free beds today by its latest report and the placements since
    planned_free: int  # what the round plans with today
    facility_name: str = ""  # the name coordinators know; the id when empty

    def text(self, stale_after: timedelta) -> str:
        """The rule as it applied, in a coordinator's words."""
        hours = stale_after.total_seconds() / 3600
        when = (
            "has never reported its free beds"
            if self.last_reported is None
            else f"last reported its free beds at {self.last_reported:%Y-%m-%d %H:%M} UTC"
        )
        return (
            f"Capacity may be out of date: {self.facility_name or self.facility_id} {when}, "
            "more than "
            f"{hours:g} hours before this round, so {self.planned_free} of its "
            f"{self.reported_free} free beds were planned for today (beds its placements "
            "free later still count)."
        )


@dataclass(frozen=True, slots=True)
class StalenessRule:
    """How a round plans facilities whose capacity report is old.

    Parameters
    ----------
    stale_after
        A report older than this (at the round's moment) is stale.
    share_today
        Share of a stale facility's free beds planned today (0: none; 0.5: half, rounded
        down).
    """

    stale_after: timedelta = DEFAULT_STALE_AFTER
    share_today: float = 0.0

    def __post_init__(self) -> None:
        if self.stale_after <= timedelta(0):
            raise InvalidSupplyError("stale_after", "must be positive")
        if not 0.0 <= self.share_today <= 1.0 or math.isnan(self.share_today):
            raise InvalidSupplyError("share_today", "must be from 0 to 1")

    def is_stale(self, last_reported: datetime | None, as_of: datetime) -> bool:
        """Whether a report taken at ``last_reported`` is stale at ``as_of``."""
        return last_reported is None or as_of - last_reported > self.stale_after

    def apply(self, snapshot: SupplySnapshot) -> tuple[SupplySnapshot, dict[str, StaleFacility]]:
        """The snapshot as a round plans it, and the stale facilities.

        Parameters
        ----------
        snapshot
            Free beds as reported and recorded.

        Returns
        -------
        tuple
            The snapshot with each stale facility's free beds lowered on every day by
            what it loses today, and per stale facility id what was planned.
        """
        free = np.array(snapshot.free_beds, dtype=np.int32, copy=True)
        stale: dict[str, StaleFacility] = {}
        for row, fac in enumerate(snapshot.facilities):
            last = snapshot.last_reported.get(fac.id)
            if not self.is_stale(last, snapshot.as_of):
                continue
            today = int(free[row, 0])
            planned = math.floor(today * self.share_today)
            free[row] = np.maximum(free[row] - (today - planned), 0)
            stale[fac.id] = StaleFacility(fac.id, last, today, planned, fac.name)
        free.setflags(write=False)
        return replace(snapshot, free_beds=free), stale
