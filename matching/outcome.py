"""What a back end hands back to the dispatcher before it becomes a :class:`MatchResult`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
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
