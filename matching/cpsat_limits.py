"""Whether CP-SAT can build a round's model within the time limit (issue 11).

Apart from :mod:`matching.cpsat` so the check runs before OR-Tools is imported (its import
alone takes 1 to 2.5 s on a shared machine, and counts against the limit).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from matching.errors import InvalidParamsError
from matching.formulation import Formulation

IMPORT_SECONDS = 1.5  # OR-Tools' first import, when it has not happened yet
# terms CP-SAT's model takes per second to build (variables and capacity entries): 31,000 to
# 36,000 on the S shapes of benchmarks/matching/shapes.py, on a shared 2-core machine
BUILD_TERMS_PER_SECOND = 30_000


class TooLargeError(InvalidParamsError):
    """CP-SAT cannot build this model within the time limit (issue 11)."""

    def __init__(self, n_vars: int) -> None:
        super().__init__(
            "method",
            f"cpsat cannot build this round's model ({n_vars:,} placement columns) within "
            "the time limit; use method auto or mip, or a longer time limit",
        )
        self.args = (n_vars,)  # its own argument: copies (pickle, SimPy) rebuild it


def build_terms(form: Formulation) -> int:
    """Terms of the CP-SAT model: a variable and each check slot its stay covers."""
    first, last = form.var_slots
    return int(form.n_vars + (last.astype(np.int64) - first).sum())


def check_buildable(form: Formulation, deadline: float) -> None:
    """Raise :class:`TooLargeError` when the model would not be built by the deadline."""
    seconds = build_terms(form) / BUILD_TERMS_PER_SECOND
    if "ortools.sat.python.cp_model" not in sys.modules:
        seconds += IMPORT_SECONDS
    if seconds > deadline - time.perf_counter():
        raise TooLargeError(form.n_vars)
