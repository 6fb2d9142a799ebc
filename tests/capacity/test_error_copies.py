"""Domain errors survive the copies SimPy and pickle (Dask) make of them.

SimPy re-raises a process's error as ``type(exc)(*exc.args)`` and pickle rebuilds one the
same way; errors whose ``args`` held only their message came out of a simulated
replication as a ``TypeError`` about a missing ``reason`` (found by an audit).
"""

from __future__ import annotations

import pickle

import pytest

from capacity.errors import (
    InvalidCaseError,
    InvalidFieldError,
    InvalidReportError,
    InvalidRulebookError,
    InvalidSupplyError,
    InvalidTransitionError,
    OutOfScopeError,
    UnknownReferenceError,
)
from matching.cpsat_limits import TooLargeError
from matching.errors import InvalidParamsError, InvalidProblemError
from matching.lookahead import LookaheadError

ERRORS = [
    InvalidFieldError("needs[2]", "unknown need"),
    InvalidCaseError("age", "must be 0 or more"),
    InvalidSupplyError("facility.lat", "must lie in the Netherlands"),
    InvalidRulebookError("national-v1.yaml", "rules[3].when", "unknown field"),
    UnknownReferenceError("facility", "F9"),
    InvalidTransitionError("C-2026-0001", "placed", "a placed case cannot be proposed"),
    InvalidReportError("beds_free", "more than the beds", 3),
    OutOfScopeError("reporter-hvo", "cosm-leeuwarden"),
    InvalidProblemError("options[3] (C1 -> F9)", "unknown facility 'F9'"),
    InvalidProblemError("", "no cases"),
    InvalidParamsError("time_limit", "must be positive"),
    TooLargeError(1_234_567),
    LookaheadError("Infeasible"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_a_copy_says_what_the_error_says(error: Exception) -> None:
    for copy in (type(error)(*error.args), pickle.loads(pickle.dumps(error))):
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert vars(copy) == vars(error)
    assert str(error)  # and it says something


def test_a_pickled_copy_keeps_the_records_other_refused_fields() -> None:
    error = InvalidSupplyError("facility.cost_per_bed_day", "must be from 0 to 100000 euros")
    error.others = (InvalidSupplyError("facility.lat", "must lie in the Netherlands"),)
    copy = pickle.loads(pickle.dumps(error))
    assert [(e.field, e.reason) for e in copy.others] == [
        ("facility.lat", "must lie in the Netherlands")
    ]
