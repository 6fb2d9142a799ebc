"""The event trace of one replication: typed, frozen events and the run's static facts.

Times are days from the start of the run (day 0 is the scenario's start date); cases
waiting or placed before the run have negative times. KPIs are pure functions of a
:class:`Trace` (``scenarios.kpis``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Arrived:
    """A case joined the waiting list.

    Parameters
    ----------
    time
        When (days; negative for cases already waiting at the start).
    case
        Its id.
    demand_class
        Its demand class (``initial`` for the dataset's waiting list).
    complexity
        Its complexity class under the national rulebook (the same for every policy, so
        runs compare like with like).
    region
        Region where it was signalled.
    beds
        Beds it needs (1 plus accompanying children).
    weight
        Its static priority weight under the run's rulebook (class weight x urgency).
    eligible
        Facilities it is eligible for under the run's rulebook (0: a capacity gap).
    exploitation, residence, age
        Its exploitation type, residence status and age, for the equity KPIs (issue 15).
    """

    time: float
    case: str
    demand_class: str
    complexity: str
    region: str
    beds: int
    weight: float
    eligible: int
    exploitation: str = ""
    residence: str = ""
    age: int = -1


@dataclass(frozen=True, slots=True)
class Placed:
    """A case took beds at a facility (``initial``: a placement under way at the start)."""

    time: float
    case: str
    facility: str
    beds: int
    initial: bool = False


@dataclass(frozen=True, slots=True)
class Discharged:
    """A case left its facility; its beds are free again."""

    time: float
    case: str
    facility: str
    beds: int


@dataclass(frozen=True, slots=True)
class RoundHeld:
    """A round of the policy.

    Parameters
    ----------
    time
        When.
    waiting
        Cases waiting when it started.
    placed
        Placements it made.
    status
        ``rule`` for rule-based policies, ``idle`` when no eligible bed was free (nothing to
        decide), otherwise the solver's status (``optimal``, ``feasible``, ...).
    """

    time: float
    waiting: int
    placed: int
    status: str


@dataclass(frozen=True, slots=True)
class BedKept:
    """An anticipatory round kept a free bed for expected arrivals (issue 13).

    Parameters
    ----------
    time
        When.
    facility
        The facility whose bed stays free.
    case
        The case the myopic plan would have placed there today (it keeps waiting).
    profile_class
        The profile class of the expected arrivals that would use the bed most.
    expected_saving
        Expected priority-weighted waiting days saved, over the sampled futures.
    """

    time: float
    facility: str
    case: str
    profile_class: str
    expected_saving: float

    def explain(self) -> str:
        """The round's explanation, in words."""
        return (
            f"bed kept for expected arrivals of class {self.profile_class}: "
            f"expected saving {self.expected_saving:.1f} weighted days"
        )


@dataclass(frozen=True, slots=True)
class BedsChanged:
    """A facility's beds changed (a scenario change took effect)."""

    time: float
    facility: str
    beds: int


@dataclass(frozen=True, slots=True)
class BudgetChanged:
    """A funding stream's budget per year changed (``None``: no longer capped)."""

    time: float
    stream: str
    per_year: float | None


Event = Arrived | Placed | Discharged | RoundHeld | BedKept | BedsChanged | BudgetChanged


@dataclass(frozen=True, slots=True)
class FacilityInfo:
    """What KPIs need to know of a facility."""

    id: str
    placement_type: str
    region: str
    beds: int
    cost_per_bed_day: float
    stream: str


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """A funding stream and its budget per year at the start (``None``: not capped)."""

    id: str
    per_year: float | None


@dataclass(frozen=True, slots=True)
class RunInfo:
    """The static facts of one replication.

    Parameters
    ----------
    scenario, policy, cadence, rulebook
        What ran (rulebook as ``version`` and content hash).
    replication
        Its index (0-based).
    start_date
        Calendar date of day 0, ISO format.
    horizon_days, warmup_days
        The run lasts ``[0, horizon_days)``; KPIs count cases arriving from ``warmup_days``.
    target_days
        The target time for "placed within target".
    classes
        The complexity classes, in the national rulebook's order.
    facilities, streams
        The supply at the start.
    policy_notes
        Figures the policy reports about itself (the hindsight bound and plan objective).
    """

    scenario: str
    policy: str
    cadence: str
    rulebook: str
    replication: int
    start_date: str
    horizon_days: int
    warmup_days: int
    target_days: float
    classes: tuple[str, ...]
    facilities: tuple[FacilityInfo, ...]
    streams: tuple[StreamInfo, ...]
    policy_notes: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Trace:
    """Everything that happened in one replication, in order."""

    info: RunInfo
    events: tuple[Event, ...]

    def of(self, kind: type[Any]) -> list[Any]:
        """The events of one kind, in order."""
        return [e for e in self.events if isinstance(e, kind)]


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as a JSON-ready mapping with its kind (``{"kind": "Placed", ...}``)."""
    return {"kind": type(event).__name__, **asdict(event)}
