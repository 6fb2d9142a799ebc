"""The stages of a solve as a record: what each stage ended with, and when (issue 11).

:func:`matching.solve` tells its observer of every improvement (:class:`Progress`);
:class:`StageLog` is an observer that keeps one :class:`Stage` per stage run, with the
best plan value and bound when it ended, so a caller can store how a solve went (the
API's matching runs do).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from matching.outcome import Progress
from matching.result import MatchResult


def relative_gap(objective: float, bound: float) -> float:
    """The relative gap ``(objective - bound) / |objective|``.

    0 when both are equal, ``inf`` before a plan or a bound exists.

    Parameters
    ----------
    objective
        Best plan value (``inf`` when none yet).
    bound
        Best proven lower bound (``-inf`` when none yet).

    Returns
    -------
    float
    """
    if objective == bound:
        return 0.0
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of a solve, as it ended.

    Parameters
    ----------
    part, parts
        Which independent part (0-based) of how many.
    stage
        Its name (``"greedy"``, ``"lp"``, ``"mip"``, ...).
    seconds
        Wall-clock seconds since the solve started, when the stage last reported.
    objective
        The part's best plan value then (``inf``: no plan yet).
    bound
        The part's best proven bound then (``-inf``: none yet).
    """

    part: int
    parts: int
    stage: str
    seconds: float
    objective: float
    bound: float

    @property
    def gap(self) -> float:
        """Relative gap of the stage's figures (``inf`` when one is missing)."""
        return relative_gap(self.objective, self.bound)


class StageLog:
    """An observer that keeps the last event of each stage run.

    Consecutive events of the same stage of the same part are one stage (a stage reports
    every improvement); a stage that runs again later is a new entry.
    """

    def __init__(self) -> None:
        self._stages: list[Stage] = []

    def __call__(self, event: Progress) -> None:
        """Record an event: a new stage, or the latest event of the current one."""
        stage = Stage(
            event.part, event.parts, event.stage, event.seconds, event.objective, event.bound
        )
        last = self._stages[-1] if self._stages else None
        if last is not None and (last.part, last.stage) == (stage.part, stage.stage):
            self._stages[-1] = stage
        else:
            self._stages.append(stage)

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The stages so far, in the order they ran."""
        return tuple(self._stages)

    def finish(self, result: MatchResult) -> tuple[Stage, ...]:
        """The stages of a finished solve.

        Those observed, or, when the method reported none (``flow`` and ``greedy`` run as
        one step), the result as its one stage.

        Parameters
        ----------
        result
            What the solve returned.

        Returns
        -------
        tuple of Stage
        """
        if self._stages:
            return self.stages
        seconds = result.build_seconds + result.solve_seconds
        return (Stage(0, 1, result.method, seconds, result.objective, result.bound),)
