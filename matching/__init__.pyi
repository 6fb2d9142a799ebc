# The public door of matching: what `from matching import X` finds. matching/__init__.py
# loads each name when it is first used (issue 17: `opvang solve` started in 3.9 s).

from .anticipation import (
    Deadline,
    KeptForecast,
    OutOfTime,
    Potentials,
    bed_potentials,
    keep_beds,
    potential_holds,
)
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
from .lookahead import LookaheadCase, LookaheadError, Outcome, solve_lookahead
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
    "Deadline",
    "Explanations",
    "ExtraBed",
    "InvalidParamsError",
    "InvalidProblemError",
    "KeptForecast",
    "LookaheadCase",
    "LookaheadError",
    "MatchResult",
    "MatchingError",
    "MatchingProblem",
    "Method",
    "Observer",
    "OptionColumns",
    "OutOfTime",
    "Outcome",
    "Potentials",
    "Progress",
    "ProposalExplanation",
    "SolveParams",
    "Stage",
    "StageLog",
    "Status",
    "WaitExplanation",
    "assemble_problem",
    "bed_potentials",
    "bed_values",
    "build_problem",
    "explain",
    "keep_beds",
    "potential_holds",
    "problem_from_dict",
    "problem_to_dict",
    "relative_gap",
    "solve",
    "solve_lookahead",
]
