"""National figures for policymakers and the demo: occupancy and the waiting list in groups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from capacity.cases import Case
from capacity.criteria import Rulebook
from capacity.facilities import Facility
from capacity.snapshot import SupplySnapshot


@dataclass(frozen=True, slots=True)
class OccupancyRow:
    """Beds and occupancy of one group of facilities on day 0 of a snapshot."""

    key: str
    facilities: int
    beds: int
    free: int

    @property
    def occupied(self) -> int:
        """Beds in use: the beds minus the free beds."""
        return self.beds - self.free

    @property
    def occupancy(self) -> float:
        """Share of beds taken, 0..1 (0 for a group without beds)."""
        return self.occupied / self.beds if self.beds else 0.0


@dataclass(frozen=True, slots=True)
class WaitingRow:
    """Waiting cases of one group and how long they have waited."""

    key: str
    cases: int
    mean_days: float
    max_days: int


def occupancy_by(snapshot: SupplySnapshot, key: Callable[[Facility], str]) -> list[OccupancyRow]:
    """Beds and free beds on day 0, grouped by ``key(facility)``, in key order."""
    groups: dict[str, list[int]] = {}
    for i, fac in enumerate(snapshot.facilities):
        g = groups.setdefault(key(fac), [0, 0, 0])
        g[0] += 1
        g[1] += fac.beds
        g[2] += int(snapshot.free_beds[i, 0])
    return [OccupancyRow(k, n, beds, free) for k, (n, beds, free) in sorted(groups.items())]


def waiting_by(
    cases: Iterable[Case], key: Callable[[Case], str], today: date, *, order: Iterable[str] = ()
) -> list[WaitingRow]:
    """Waiting cases grouped by ``key(case)``; groups in ``order`` first (also when empty)."""
    groups: dict[str, list[int]] = {k: [] for k in order}
    for case in cases:
        groups.setdefault(key(case), []).append(case.days_waited(today))
    return [
        WaitingRow(k, len(days), sum(days) / len(days) if days else 0.0, max(days, default=0))
        for k, days in groups.items()
    ]


def waiting_by_complexity(
    cases: Iterable[Case], rulebook: Rulebook, today: date
) -> list[WaitingRow]:
    """Waiting cases per complexity class of the rulebook, in the rulebook's class order."""
    classes = [c.name for c in rulebook.rules.priority.complexity.classes]
    return waiting_by(
        cases, lambda c: rulebook.priority(c, today).complexity_class, today, order=classes
    )


AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 18", 0, 17),
    ("18-22", 18, 22),  # youth care reaches to 23 by exception
    ("23-29", 23, 29),
    ("30-49", 30, 49),
    ("50 and over", 50, 200),
)
"""The age bands of the equity figures (issue 15): name, first and last year of age."""


def age_band(age: int) -> str:
    """The age band of an age (``""`` when not known, a negative age)."""
    return next((name for name, lo, hi in AGE_BANDS if lo <= age <= hi), "")
