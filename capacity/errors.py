"""Domain errors of the capacity package.

Each error names *what* is wrong (a field, a file and a path inside it) and *why*, so the
API and the CLI can show it to a user as it is. An error's ``args`` are its constructor's
arguments and its message is its ``__str__``: SimPy re-raises a process's error as
``type(exc)(*exc.args)`` and pickle (Dask) rebuilds it so, and an error whose ``args``
held only its message came out of both as a ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class CapacityError(Exception):
    """Base class of all errors raised by :mod:`capacity`."""


class InvalidFieldError(CapacityError, ValueError):
    """A value object was given a field value it cannot hold.

    Parameters
    ----------
    field
        Name of the offending field, dotted for nested values (``"needs[2]"``).
    reason
        Why the value was refused, in words a user understands.

    Attributes
    ----------
    others
        The same record's other refused fields, in the order its rules are checked, when
        the value object checked them all (:func:`refuse`); empty otherwise. The message
        names this field only: callers that answer with one field still do.
    """

    others: tuple[InvalidFieldError, ...] = ()

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, reason)  # the arguments: copies (pickle, SimPy) rebuild it
        self.field = field
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


def refuse(problems: Iterable[InvalidFieldError]) -> None:
    """Raise a record's first refused field, with the others it has as its ``others``.

    A value object checks every field, not only up to the first refused one, so that a
    stored record breaking two rules is named for both in one pass (``opvang db check``):
    a region's IT team mended one field, checked again and only then met the next.

    Parameters
    ----------
    problems
        The record's refused fields, in the order its rules are checked (a generator).

    Raises
    ------
    InvalidFieldError
        The first of ``problems``, when there is one.
    """
    found: list[InvalidFieldError] = []
    try:
        for problem in problems:
            found.append(problem)
    except Exception:
        # a check that runs past a refused field can fail on its value (a comparison with
        # a text where a number belongs): the fields found so far are the answer, as the
        # first alone was when the checks stopped at it
        if not found:
            raise
    if found:
        first, *rest = found
        first.others = tuple(rest)
        raise first


def unknown_codes(values: Iterable[object], enum: type[Enum]) -> str | None:
    """The reason for a field holding codes that no member of ``enum`` has, else ``None``.

    A stored record can hold a code that a newer version no longer knows (a status, a
    need); the field is refused naming the code, as ``opvang db check`` lists it.

    Parameters
    ----------
    values
        The field's values (one for a single code, each member for a set).
    enum
        The enumeration whose codes the field holds.

    Returns
    -------
    str or None
        ``"holds an unknown code 'x' (known codes: ...)"``, or ``None`` when every text
        among ``values`` is a code of ``enum`` (another rule names what is wrong then).
    """
    known = [str(member.value) for member in enum]
    unknown = sorted({v for v in values if isinstance(v, str) and v not in known})
    if not unknown:
        return None
    codes = ", ".join(repr(code) for code in unknown)
    holds = f"an unknown code {codes}" if len(unknown) == 1 else f"unknown codes {codes}"
    return f"holds {holds} (known codes: {', '.join(known)})"


class InvalidCaseError(InvalidFieldError):
    """An intake profile was refused."""


class InvalidSupplyError(InvalidFieldError):
    """A region, provider, facility, funding stream or availability record was refused."""


class InvalidRulebookError(CapacityError):
    """A rulebook file could not be loaded.

    Parameters
    ----------
    source
        The file (or ``"<string>"``) the rulebook came from.
    path
        Where inside the rulebook the problem is, as ``a.b[2].c`` (empty for the whole file).
    reason
        Why it was refused.
    """

    def __init__(self, source: str, path: str, reason: str) -> None:
        super().__init__(source, path, reason)
        self.source = source
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        return f"{where}: {self.reason}"


class UnknownReferenceError(CapacityError, KeyError):
    """An identifier (region, facility, funding stream, case) that does not exist."""

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(kind, identifier)
        self.kind = kind
        self.identifier = identifier

    def __str__(self) -> str:
        return f"unknown {self.kind} {self.identifier!r}"


class InvalidTransitionError(CapacityError):
    """A change of a case's status that the lifecycle does not allow.

    The transitions are in :mod:`capacity.lifecycle`.

    Parameters
    ----------
    case_id
        The case.
    status
        Its status now.
    reason
        Why the change is refused, in a coordinator's words.
    """

    def __init__(self, case_id: str, status: str, reason: str) -> None:
        super().__init__(case_id, status, reason)
        self.case_id = case_id
        self.status = status
        self.reason = reason

    def __str__(self) -> str:
        return f"case {self.case_id} is {self.status}; {self.reason}"


class InvalidReportError(CapacityError):
    """An availability report the rules refuse (:mod:`capacity.reporting_rules`).

    Parameters
    ----------
    field
        The field of the report that is wrong (``beds_free``, ``as_of``).
    reason
        Why, in words a reporter understands.
    index
        The report's position in a batch (``None``: a single report).
    """

    def __init__(self, field: str, reason: str, index: int | None = None) -> None:
        super().__init__(field, reason, index)
        self.field = field
        self.reason = reason
        self.index = index

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class OutOfScopeError(CapacityError):
    """A reporter reported for a facility outside its scope.

    The scope is a :class:`capacity.reporting_rules.ReporterScope`.
    """

    def __init__(self, reporter: str, facility_id: str) -> None:
        super().__init__(reporter, facility_id)
        self.reporter = reporter
        self.facility_id = facility_id

    def __str__(self) -> str:
        return f"{self.reporter} may not report availability for {self.facility_id}"
