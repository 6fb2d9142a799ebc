# The public door of matching: what `from matching import X` finds. matching/__init__.py
# loads each name when it is first used (issue 17: `opvang solve` started in 3.9 s).

from .build import BuiltProblem, build_problem
from .columns import OptionColumns, assemble_problem
from .errors import InvalidParamsError, InvalidProblemError, MatchingError
from .explain import (
    Alternative,
    Binding,
    BindKind,
    Explanations,
    ExtraBed,
    ProposalExplanation,
    WaitExplanation,
    explain,
)
from .outcome import Observer, Progress
from .problem import FORMAT, MatchingProblem
from .problem_io import problem_from_dict, problem_to_dict
from .result import Assignment, MatchResult, Method, SolveParams, Status
from .shadow import BedValue, BedValues, bed_values
from .solve import solve
from .stages import Stage, StageLog, relative_gap

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
