"""matching: the waiting-list optimiser.

Works on immutable value objects: a :class:`MatchingProblem` in, a :class:`MatchResult` out.
"""

from matching.build import BuiltProblem, build_problem
from matching.columns import OptionColumns, assemble_problem
from matching.errors import InvalidParamsError, InvalidProblemError, MatchingError
from matching.explain import (
    Alternative,
    Binding,
    BindKind,
    Explanations,
    ExtraBed,
    ProposalExplanation,
    WaitExplanation,
    explain,
)
from matching.outcome import Observer, Progress
from matching.problem import FORMAT, MatchingProblem
from matching.problem_io import problem_from_dict, problem_to_dict
from matching.result import Assignment, MatchResult, Method, SolveParams, Status
from matching.shadow import BedValue, BedValues, bed_values
from matching.solve import solve
from matching.stages import Stage, StageLog, relative_gap

__all__ = [
    "FORMAT",
    "Alternative",
    "Assignment",
    "BedValue",
    "BedValues",
    "BindKind",
    "Binding",
    "BuiltProblem",
    "Explanations",
    "ExtraBed",
    "InvalidParamsError",
    "InvalidProblemError",
    "MatchResult",
    "MatchingError",
    "MatchingProblem",
    "Method",
    "Observer",
    "OptionColumns",
    "Progress",
    "ProposalExplanation",
    "SolveParams",
    "Stage",
    "StageLog",
    "Status",
    "WaitExplanation",
    "assemble_problem",
    "bed_values",
    "build_problem",
    "explain",
    "problem_from_dict",
    "problem_to_dict",
    "relative_gap",
    "solve",
]
