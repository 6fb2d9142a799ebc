"""Solver parameters and the result of a solve."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from matching.errors import InvalidParamsError


class Status(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"  # proven optimal (up to the solver's tolerance)
    FEASIBLE = "feasible"  # a valid plan; its gap to the bound is reported
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"  # no plan found in time


class Method(StrEnum):
    """Which back end solves; ``auto`` chooses one for the problem."""

    AUTO = "auto"
    MIP = "mip"  # time-indexed MIP in HiGHS
    CPSAT = "cpsat"  # the same model in OR-Tools CP-SAT
    FLOW = "flow"  # min-cost flow (exact when every case needs one bed and nothing else binds)
    GREEDY = "greedy"  # priority-ordered greedy (no proof)


@dataclass(frozen=True, slots=True)
class SolveParams:
    """How to solve.

    Parameters
    ----------
    time_limit
        Wall-clock seconds for the whole solve (build included); guarded by a timer, not
        only handed to the solver.
    seed
        Random seed for the solver; same seed, same result.
    method
        Which method to use; ``auto`` picks by the problem's structure.
    threads
        Solver threads.
    relative_gap
        Stop when the relative gap to the bound is below this.
    decompose
        Solve independent parts (no shared facility or budget) separately.
    """

    time_limit: float = 10.0
    seed: int = 0
    method: Method = Method.AUTO
    threads: int = 2
    relative_gap: float = 1e-6
    decompose: bool = True

    def __post_init__(self) -> None:
        if not (self.time_limit > 0 and math.isfinite(self.time_limit)):
            raise InvalidParamsError("time_limit", "must be a positive number of seconds")
        if not isinstance(self.method, Method):
            allowed = ", ".join(m.value for m in Method)
            raise InvalidParamsError("method", f"must be one of: {allowed}")
        if self.threads < 1:
            raise InvalidParamsError("threads", "must be at least 1")
        if not 0 <= self.relative_gap < 1:
            raise InvalidParamsError("relative_gap", "must be in [0, 1)")


@dataclass(frozen=True, slots=True)
class Assignment:
    """A proposed placement: case at facility from start day."""

    case: str
    facility: str
    start_day: int


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome of :func:`matching.solve`.

    Parameters
    ----------
    status
        Optimal, feasible, infeasible or unknown.
    objective
        Objective of the assignments, in original (floating-point) units.
    bound
        A proven lower bound on the optimal objective.
    assignments
        The plan.
    unplaced
        Cases left unplaced within the horizon.
    method
        What ran (``"mip"``, ``"flow"``, ``"greedy"``; ``"+"``-joined when several did).
    build_seconds, solve_seconds
        Model building and solving time.
    seed
        The seed used.
    notes
        Remarks for the reader (time limit hit, fallback taken, parts solved).
    """

    status: Status
    objective: float
    bound: float
    assignments: tuple[Assignment, ...]
    unplaced: tuple[str, ...]
    method: str
    build_seconds: float
    solve_seconds: float
    seed: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def gap(self) -> float:
        """Relative gap ``(objective - bound) / |objective|`` (0 when both are 0)."""
        if self.objective == self.bound:
            return 0.0
        return max(0.0, self.objective - self.bound) / max(abs(self.objective), 1e-9)

    def to_dict(self) -> dict[str, Any]:
        """The result in the documented JSON form of ``opvang solve``."""
        return {
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "assignments": [
                {"case": a.case, "facility": a.facility, "start_day": a.start_day}
                for a in self.assignments
            ],
            "unplaced": list(self.unplaced),
            "stats": {
                "method": self.method,
                "build_seconds": round(self.build_seconds, 4),
                "solve_seconds": round(self.solve_seconds, 4),
                "seed": self.seed,
                "notes": list(self.notes),
            },
        }
