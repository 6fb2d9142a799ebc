"""Errors of the use cases: what a request asked for that the current state refuses.

The API maps :class:`ConflictError` to 409 and :class:`InvalidInputError` to 422 (with the
field); the CLI prints them. Domain errors of :mod:`capacity` and :mod:`matching` pass
through unchanged.
"""

from __future__ import annotations


class FlowError(Exception):
    """Base class of the use cases' own errors."""


class ConflictError(FlowError):
    """The request conflicts with the current state (a decided proposal, a bed gone)."""


class InvalidInputError(FlowError):
    """A value the use case refuses, though its type was right.

    Parameters
    ----------
    field
        The field of the request (``"text"``, ``"day"``).
    reason
        Why, in a user's words.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")
