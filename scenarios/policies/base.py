"""What a policy is: given the state at a round, which cases go to which facilities now."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from scenarios.state import SimState

RULE = "rule"  # status of a round decided by a rule, not a solver
IDLE = "idle"  # status of a round with nothing to decide (no eligible bed free)


@dataclass(frozen=True, slots=True)
class Decision:
    """A round's placements, as (case index, facility index) pairs, and its status."""

    placements: list[tuple[int, int]] = field(default_factory=list)
    status: str = RULE


class PolicyRule(Protocol):
    """A placement policy (``docs/scenarios.md``, *Policies*).

    ``decide`` may only read the state; the engine checks each placement it returns
    against free beds and budgets before carrying it out, in the order given.
    """

    def decide(self, state: SimState, now: float) -> Decision:
        """The placements to make at time ``now``."""
        ...
