"""One cell of an imported table as the value its field's type asks for (issue 16).

The type comes from the value object's own type hints (:class:`capacity.Case` and the
others), so a template column reads exactly what the field holds: a whole number, a
decimal number, a date, a moment with its zone, a truth value, a code of an enumeration,
or a list of them separated by ``;`` or ``,``. A wrong cell raises :class:`CellError`
saying why, in the words a coordinator reads.
"""

from __future__ import annotations

import math
import re
import types
import typing
from datetime import date, datetime
from enum import Enum
from typing import Any

from flows.spreadsheets import Cell
from flows.xlsx_blanks import NOT_A_NUMBER

TRUE = frozenset({"true", "yes", "y", "1", "ja", "j", "waar", "x"})
FALSE = frozenset({"false", "no", "n", "0", "nee", "onwaar"})
LIST_SEPARATOR = re.compile(r"\s*[;,]\s*")


class CellError(ValueError):
    """A cell that cannot be read as its field's type; the message says why."""


def convert(hint: Any, cell: Cell) -> Any:
    """The value of a non-empty cell for a field of type ``hint``.

    Raises
    ------
    CellError
        When the cell cannot be read as that type.
    """
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return convert(inner[0], cell)
    if origin in (frozenset, tuple):
        items = _items(cell)
        values = [convert(args[0], item) for item in items]
        if origin is tuple:
            return tuple(values)
        return frozenset(values)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint, cell)
    if hint is bool:
        return _bool(cell)
    if hint is int:
        return _int(cell)
    if hint is float:
        return _float(cell)
    if hint is datetime:
        return _moment(cell)
    if hint is date:
        return _date(cell)
    if hint is str:
        return _text(cell)
    raise CellError(f"cannot be read ({hint!r})")  # a field type no template has


def _kind(cell: Cell) -> str:
    """What a cell that is no text holds, in a coordinator's words."""
    if isinstance(cell, bool):
        return "a truth value (TRUE/FALSE)"
    if isinstance(cell, datetime) and cell.time() != datetime.min.time():
        return "a date and time"
    return "a date"  # a workbook's date cell is read as a moment at midnight


def _text(cell: Cell, wanted: str = "a text") -> str:
    """A cell as text; a truth value or a date (a spreadsheet program's own types) is
    refused, saying it ``must be {wanted}`` and what the cell holds instead."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a spreadsheet made "12" a number
    if isinstance(cell, bool | date):
        raise CellError(f"must be {wanted}, not {_kind(cell)}")
    return str(cell).strip()


def _is_nan(cell: Cell) -> bool:
    if isinstance(cell, float):
        return math.isnan(cell)
    return isinstance(cell, str) and cell.strip().lower() == "nan"


def _items(cell: Cell) -> list[str]:
    text = _text(cell)
    return [item for item in LIST_SEPARATOR.split(text) if item]


def _enum(enum: type[Enum], cell: Cell) -> Enum:
    allowed = ", ".join(str(m.value) for m in enum)
    code = _text(cell, f"one of: {allowed}").lower()
    try:
        return enum(code)
    except ValueError:
        raise CellError(f"is not one of: {allowed}") from None


def _bool(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return cell
    text = _text(cell, "yes or no").lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise CellError("must be yes or no (ja/nee, true/false)")


def _int(cell: Cell) -> int:
    if _is_nan(cell):
        raise CellError(NOT_A_NUMBER)
    if isinstance(cell, bool):
        raise CellError("must be a whole number")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell)
        raise CellError("must be a whole number")
    text = _text(cell, "a whole number")
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise CellError("must be a whole number")
    return int(text)


def _float(cell: Cell) -> float:
    if _is_nan(cell):
        raise CellError(NOT_A_NUMBER)
    if isinstance(cell, bool):
        raise CellError("must be a number")
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        text = _text(cell, "a number").replace(",", ".")  # a Dutch decimal comma
        try:
            value = float(text)
        except ValueError:
            raise CellError("must be a number") from None
    if not math.isfinite(value):
        raise CellError("must be a finite number")
    return value


def _date(cell: Cell) -> date:
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise CellError("must be a date without a time of day")
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell, "a date")
    found = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4})", text)  # Dutch day-month-year
    try:
        if found:
            day, month, year = (int(g) for g in found.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise CellError("must be a date (2026-03-31 or 31-03-2026)") from None


def _moment(cell: Cell) -> datetime:
    if isinstance(cell, datetime):
        if cell.tzinfo is None:
            raise CellError("must be a moment with a time zone (2026-03-31T09:00:00+02:00)")
        return cell
    text = _text(cell, "a moment with a time zone (2026-03-31T09:00:00+02:00)")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CellError("must be a moment (2026-03-31T09:00:00+02:00)") from None
    if moment.tzinfo is None:
        raise CellError("must be a moment with a time zone (2026-03-31T09:00:00+02:00)")
    return moment
