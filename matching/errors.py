"""Domain errors of the matching package."""

from __future__ import annotations


class MatchingError(Exception):
    """Base class of all errors raised by :mod:`matching`."""


class InvalidProblemError(MatchingError, ValueError):
    """A matching problem (or its file) was refused.

    Parameters
    ----------
    entry
        The entry at fault, as it appears in the file (``"options[3] (C1 -> F9)"``).
    reason
        Why it was refused.
    """

    def __init__(self, entry: str, reason: str) -> None:
        super().__init__(entry, reason)  # the arguments: copies (pickle, SimPy) rebuild it
        self.entry = entry
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.entry}: {self.reason}" if self.entry else self.reason


class InvalidParamsError(MatchingError, ValueError):
    """Solver parameters out of range (field and reason)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, reason)
        self.field = field
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"
