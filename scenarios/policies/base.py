"""What a policy is: given the state at a round, which cases go to which facilities now."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from matching import Status
from scenarios.state import SimState


class RoundKind(StrEnum):
    """How a round without a solver's status was decided."""

    RULE = "rule"  # decided by a rule, not a solver
    IDLE = "idle"  # nothing to decide (no eligible bed free)
    PLAN = "plan"  # carries out the hindsight policy's offline plan


RULE = RoundKind.RULE
IDLE = RoundKind.IDLE
RoundStatus = Status | RoundKind  # a solver's status (matching.Status), or how else


@dataclass(frozen=True, slots=True)
class KeptBed:
    """A bed the round keeps for expected arrivals instead of placing a case in it.

    Parameters
    ----------
    case
        Index of the case the bed was not given to (it keeps waiting).
    facility
        Index of the facility.
    profile_class
        The profile class of the expected arrivals that would use the bed most.
    expected_saving
        Expected priority-weighted waiting days saved by keeping it.
    """

    case: int
    facility: int
    profile_class: str
    expected_saving: float


@dataclass(frozen=True, slots=True)
class Decision:
    """A round's placements, as (case index, facility index) pairs, its status and the
    beds it keeps for expected arrivals."""

    placements: list[tuple[int, int]] = field(default_factory=list)
    status: RoundStatus = RULE
    kept: tuple[KeptBed, ...] = ()


class PolicyRule(Protocol):
    """A placement policy (``docs/scenarios.md``, *Policies*).

    ``decide`` may only read the state; the engine checks each placement it returns
    against free beds and budgets before carrying it out, in the order given.
    """

    def decide(self, state: SimState, now: float) -> Decision:
        """The placements to make at time ``now``."""
        ...
