"""Value objects as plain values and back, from their own field definitions (issue 12).

A case's or a facility's fields are defined once, on the frozen dataclass
(:class:`capacity.Case`, :class:`capacity.Facility`). The database rows, the API's records
and the forms are filled from :func:`to_plain` and read back with :func:`from_plain`,
which follow the dataclass's fields and type hints: a new field is added in one place
(and a test checks that every layer has it, ``tests/test_field_mapping.py``).

Plain values: an enumeration is its code, a set is a sorted list, a tuple a list; dates,
numbers, strings, booleans and ``None`` stay as they are.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

from capacity.errors import InvalidFieldError, refuse, unknown_codes

Record = TypeVar("Record")


def plain(value: Any) -> Any:
    """One value as a plain value (see the module docstring)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


def to_plain(record: Any, *, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A dataclass instance as ``{field name: plain value}``, in field order.

    Parameters
    ----------
    record
        A dataclass instance.
    exclude
        Field names to leave out.

    Returns
    -------
    dict
    """
    return {
        f.name: plain(getattr(record, f.name))
        for f in dataclasses.fields(record)
        if f.name not in exclude
    }


def field_names(cls: type[Any]) -> tuple[str, ...]:
    """The fields of a dataclass, in order."""
    return tuple(f.name for f in dataclasses.fields(cls))


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _convert(hint: Any, value: Any, unknown: list[tuple[type[Enum], Any]]) -> Any:
    """``value`` as the type ``hint`` names.

    A code that no member of its enumeration has stays as it is and is added to ``unknown``.
    """
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, unknown) if len(inner) == 1 else value
    if origin is frozenset:
        return frozenset(_convert(args[0], v, unknown) for v in value)
    if origin is tuple:
        return tuple(_convert(args[0], v, unknown) for v in value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            unknown.append((hint, value))
            return value
    return value


def from_plain(cls: type[Record], values: Mapping[str, Any]) -> Record:
    """A dataclass instance from plain values.

    Fields absent from ``values`` take their defaults; the dataclass validates them as
    always. A code that its enumeration no longer has (a stored case's status that a newer
    version dropped) is given to the dataclass as it is, so that its own checks name the
    field and the code with every other field it refuses, in one error; it was a bare
    ``ValueError`` naming neither field nor record, and ``opvang db check`` stopped at it.

    Parameters
    ----------
    cls
        The dataclass.
    values
        Plain values by field name; names that are not fields are ignored.

    Returns
    -------
    An instance of ``cls``.

    Raises
    ------
    InvalidFieldError
        When the dataclass refuses a field, or a field holds a code that its enumeration
        does not have (also where the dataclass does not check that field itself).
    """
    hints = _hints(cls)
    converted: dict[str, Any] = {}
    unknown: dict[str, list[tuple[type[Enum], Any]]] = {}
    for name in field_names(cls):
        if name in values:
            found: list[tuple[type[Enum], Any]] = []
            converted[name] = _convert(hints[name], values[name], found)
            if found:
                unknown[name] = found
    record = cls(**converted)  # refuses an unknown code, naming it, with the other fields
    # never a record that holds a code as text, also where the dataclass does not check
    refuse(_not_a_code(name, codes) for name, codes in unknown.items())
    return record


def _not_a_code(name: str, codes: list[tuple[type[Enum], Any]]) -> InvalidFieldError:
    """The refusal of a field that holds values no member of their enumeration has."""
    enum = codes[0][0]
    values = [value for _, value in codes]
    known = ", ".join(str(member.value) for member in enum)
    return InvalidFieldError(
        name, unknown_codes(values, enum) or f"{values[0]!r} is not one of: {known}"
    )
