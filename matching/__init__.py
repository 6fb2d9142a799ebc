"""matching: the waiting-list optimiser.

Works on immutable value objects: a :class:`MatchingProblem` in, a :class:`MatchResult` out.
"""

from matching.errors import InvalidParamsError, InvalidProblemError, MatchingError
from matching.problem import FORMAT, MatchingProblem
from matching.problem_io import problem_from_dict, problem_to_dict
from matching.result import Assignment, MatchResult, Method, SolveParams, Status
from matching.solve import solve

__all__ = [
    "FORMAT",
    "Assignment",
    "InvalidParamsError",
    "InvalidProblemError",
    "MatchResult",
    "MatchingError",
    "MatchingProblem",
    "Method",
    "SolveParams",
    "Status",
    "problem_from_dict",
    "problem_to_dict",
    "solve",
]
