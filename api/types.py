"""Field types of the request bodies: strict where pydantic would silently coerce."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    field_validator,
)


def json_number(value: Any) -> Any:
    # pydantic would read true/false as 1/0 and "5" as 5 (TOOLCHAIN.md); JSON has numbers.
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON number")
    return value


REFUSED_CHARACTERS = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "a lone surrogate",
    "Co": "a private-use character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
"""Unicode categories no text field of the API takes (issue 10: NUL, U+202E and zero-width
characters were stored on SQLite and refused on PostgreSQL)."""


def refused_character(value: str) -> str | None:
    """Why a text is refused (``"a control character (U+0000)"``), or ``None``."""
    for char in value:
        kind = REFUSED_CHARACTERS.get(unicodedata.category(char))
        if kind is not None:
            return f"{kind} (U+{ord(char):04X})"
    return None


def _printable(value: str) -> str:
    problem = refused_character(value)
    if problem is not None:
        raise ValueError(f"must not contain {problem}")
    return value


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple | set | frozenset):
        return [s for v in value for s in _strings_in(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings_in(k), *_strings_in(v))]
    return []


class InputModel(BaseModel):
    """Base of every request body: no text anywhere in it may hold a control, format or
    surrogate character (the same answer on SQLite and PostgreSQL), whatever the field."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_refused_characters(cls, value: Any) -> Any:
        for text in _strings_in(value):
            _printable(text)
        return value


def _no_nul(value: str) -> str:
    return _printable(value)


# The bounds come before the validator: after it pydantic cannot apply them to the type
# and writes them to the schema as "ge"/"gt", which is no JSON Schema keyword (client
# generators drop them; issue 17); before it they become "minimum"/"exclusiveMinimum".
Count = Annotated[int, Field(ge=0), BeforeValidator(json_number)]
"""A whole number, zero or more (``3`` or ``3.0``); refuses true/false, strings, fractions."""

Number = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(json_number)]
"""A finite number (whole or fractional); refuses true/false, strings, NaN and infinities."""

Moment = AwareDatetime
"""An ISO 8601 date-time with a time zone (``2026-11-28T09:00:00+01:00``)."""

ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_no_nul)
]
"""Short free text; never identity data (names, addresses, document numbers)."""

MAX_RECORD_ID = 2**63 - 1
"""The largest id a record can have (PostgreSQL's bigint; SQLite's integer)."""

RecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Record number.")]
"""A database id in a path (bounded: PostgreSQL's bigint)."""

QueryRecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
"""A database id in a query list (bounded as ``RecordId``: a larger number is a 422, not a
database error)."""

MAX_OFFSET = 2**31 - 1  # list offsets: far beyond any list, within every database's integers
