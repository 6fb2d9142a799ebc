"""Field types of the request bodies: strict where pydantic would silently coerce."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints


def _json_number(value: Any) -> Any:
    # pydantic would read true/false as 1/0 and "5" as 5 (TOOLCHAIN.md); JSON has numbers.
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON number")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Count = Annotated[int, BeforeValidator(_json_number), Field(ge=0)]
"""A whole number, zero or more (``3`` or ``3.0``); refuses true/false, strings, fractions."""

Number = Annotated[float, BeforeValidator(_json_number)]
"""A number (whole or fractional); refuses true/false and strings."""

Moment = AwareDatetime
"""An ISO 8601 date-time with a time zone (``2026-11-28T09:00:00+01:00``)."""

ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_no_nul)
]
"""Short free text; never identity data (names, addresses, document numbers)."""

RecordId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Record number.")]
"""A database id in a path (bounded: PostgreSQL's bigint)."""

MAX_OFFSET = 2**31 - 1  # list offsets: far beyond any list, within every database's integers
