"""What a back end hands back to the dispatcher, and the progress events of a solve.

The dispatcher turns what it gets into a :class:`MatchResult`; a caller may observe the
events while the back end works.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """A back end's plan and proof.

    Parameters
    ----------
    plan
        (option, start day) per placed case.
    bound
        Proven lower bound on the optimum (``-inf`` when the method proves nothing).
    optimal
        Whether the method proved the plan optimal.
    method
        Name of the method that produced the plan.
    build_seconds, solve_seconds
        Time spent building and solving.
    notes
        Remarks (time limit hit, fallbacks).
    """

    plan: list[tuple[int, int]]
    bound: float
    optimal: bool
    method: str
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of a solve: the best plan and the best proven bound so far, for one part.

    Parameters
    ----------
    part, parts
        Which independent part (0-based) of how many.
    stage
        What just finished (``"greedy"``, ``"lp"``, ``"lp-plan"``, ``"mip"``, ...).
    seconds
        Wall-clock seconds since the solve started.
    objective
        Objective of the part's best plan (``inf`` before the first).
    bound
        The part's best proven lower bound (``-inf`` before the first).
    total_objective, total_bound
        The whole problem's best plan value and proven bound (every part, cases without
        options included), when the back end knows them; ``nan`` when it does not, and
        then a reader shows the part's figures (issue 11).
    """

    part: int
    parts: int
    stage: str
    seconds: float
    objective: float
    bound: float
    total_objective: float = math.nan
    total_bound: float = math.nan

    @property
    def has_totals(self) -> bool:
        """Whether the back end gave the whole problem's figures."""
        return not (math.isnan(self.total_objective) or math.isnan(self.total_bound))


class Observer(Protocol):
    """Receives :class:`Progress` events; must be quick (it runs inside the solve)."""

    def __call__(self, event: Progress) -> None:
        """Receive one event."""


def ignore(event: Progress) -> None:
    """The default observer: does nothing."""


@dataclass
class Tracker:
    """Keeps a part's best plan value and bound, and tells the observer when either moves.

    ``rest_objective`` and ``rest_bound``, when the dispatcher gives them, are what the
    rest of the problem adds to the part's figures (parts done: their final plan value and
    bound; parts to come: all their cases unplaced, and a bound that needs no solve; cases
    without options: unplaced), so that every event also carries the whole problem's
    totals (:attr:`Progress.total_objective`, issue 11).
    """

    observer: Observer
    part: int
    parts: int
    started: float
    objective: float = math.inf
    bound: float = -math.inf
    rest_objective: float = math.nan
    rest_bound: float = math.nan

    def update(self, stage: str, *, objective: float = math.inf, bound: float = -math.inf) -> None:
        """Keep the best plan value and bound so far and send the observer an event."""
        self.objective = min(self.objective, objective)
        self.bound = max(self.bound, bound)
        self.observer(
            Progress(
                self.part,
                self.parts,
                stage,
                time.perf_counter() - self.started,
                self.objective,
                self.bound,
                self.rest_objective + self.objective,
                self.rest_bound + self.bound,
            )
        )
