"""The rows of an imported table as value objects, and every problem found on the way.

Nothing is written here: a row becomes a :class:`capacity.Facility`, :class:`capacity.Case`
or :class:`capacity.Placement` through the value object's own validation (the rulebook's
and the domain's terms: ``unknown region 'x'``), and each row that cannot is reported with
its row number, column, value and reason (:class:`Problem`).
"""

from __future__ import annotations

import dataclasses
import typing
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from capacity import CapacityError, Case, Facility, InvalidFieldError, Placement, personal_data_in
from flows.imports.cells import CellError, convert
from flows.imports.columns import FREE_TEXT, PROVIDER_NAME, Column, Kind, column_for
from flows.spreadsheets import ReadCell, Table
from flows.xlsx_blanks import NoValue

Record = Facility | Case | Placement
RECORD_TYPES: dict[Kind, type[Record]] = {
    Kind.FACILITIES: Facility,
    Kind.CASES: Case,
    Kind.PLACEMENTS: Placement,
}
HEADER_ROW = 1
VALUE_SHOWN = 100  # characters of a cell repeated in a problem


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row (or the header, row 1) cannot be imported.

    Parameters
    ----------
    row
        The row number a spreadsheet program shows (the header is row 1).
    column
        The column's header as the file has it (or the field's name when it is missing).
    value
        The cell as text (empty for an empty cell).
    reason
        Why it is refused.
    """

    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A row read as a value object (and, for a facility, its provider's name if given)."""

    row: int
    record: Record
    provider_name: str | None = None


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _required(cls: type[Any]) -> frozenset[str]:
    return frozenset(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def _shown(cell: ReadCell) -> str:
    if isinstance(cell, datetime) and cell.time() == datetime.min.time():
        return cell.date().isoformat()  # a workbook's date cell, as the user typed it
    return "" if cell is None else str(cell)[:VALUE_SHOWN]


def _header_map(kind: Kind, header: tuple[str, ...]) -> tuple[dict[int, Column], list[Problem]]:
    found: dict[int, Column] = {}
    problems = []
    seen: dict[str, str] = {}
    for index, text in enumerate(header):
        column = column_for(kind, text) if text else None
        if column is None:
            reason = f"is not a column of the {kind} template (see docs/import.md)"
            problems.append(Problem(HEADER_ROW, text or f"column {index + 1}", text, reason))
        elif column.field in seen:
            reason = f"names the same column as {seen[column.field]!r}"
            problems.append(Problem(HEADER_ROW, text, text, reason))
        else:
            seen[column.field] = text
            found[index] = column
    for field in sorted(_required(RECORD_TYPES[kind]) - set(seen)):
        problems.append(Problem(HEADER_ROW, field, "", "is a required column and is missing"))
    return found, problems


def _text_problem(cell: str, *, free_text: bool) -> str | None:
    for char in cell:
        if unicodedata.category(char).startswith("C"):
            return f"must not contain a control or invisible character (U+{ord(char):04X})"
    return personal_data_in(cell) if free_text else None


def _field_of(error: InvalidFieldError) -> str:
    """``"facility.min_age/max_age"`` -> ``"min_age"``; ``"needs[2]"`` -> ``"needs"``."""
    name = error.field.rsplit(".", 1)[-1].split("[", 1)[0].split("/", 1)[0]
    return name or "id"


def _refused(
    number: int,
    cells: tuple[ReadCell, ...],
    header_of: dict[int, tuple[str, str]],
    exc: CapacityError,
) -> list[Problem]:
    """A problem for each field the row's value object refused, the first one first.

    The value object checks every field (:func:`capacity.errors.refuse`): a row that named
    only its first bad field sent a region's IT team back to the file once per field.
    """
    refused: tuple[CapacityError, ...] = (exc,)
    if isinstance(exc, InvalidFieldError):
        refused = (exc, *exc.others)
    index_of = {field: index for index, (field, _) in header_of.items()}
    column_of = dict(header_of.values())
    problems = []
    for error in refused:
        field = _field_of(error) if isinstance(error, InvalidFieldError) else "id"
        index = index_of.get(field)
        shown = _shown(cells[index]) if index is not None and index < len(cells) else ""
        reason = error.reason if isinstance(error, InvalidFieldError) else str(error)
        problems.append(Problem(number, column_of.get(field, field), shown, reason))
    return problems


def _extra_cells(number: int, cells: tuple[ReadCell, ...], width: int) -> list[Problem]:
    """A row with a value beyond the header's last column (a separator too many): the
    value would be dropped unseen, so the row is refused."""
    for index in range(width, len(cells)):
        if cells[index] is not None:
            reason = (
                f"lies beyond the header's {width} columns: a row must not have more cells "
                "than the header (a separator too many, or a column without a name?)"
            )
            return [Problem(number, f"column {index + 1}", _shown(cells[index]), reason)]
    return []


def _value(field: str, hints: dict[str, Any], cell: ReadCell) -> Any:
    """A cell's value for its field.

    Raises
    ------
    CellError
        When the cell holds no usable value, or cannot be read as the field's type.
    """
    if isinstance(cell, NoValue):  # a formula without its value, NaN: not an empty cell
        raise CellError(cell.reason)
    if isinstance(cell, str) and (why := _text_problem(cell, free_text=field in FREE_TEXT)):
        raise CellError(why)
    return convert(str if field == PROVIDER_NAME else hints[field], cell)


def _read_row(
    kind: Kind, number: int, cells: tuple[ReadCell, ...], header_of: dict[int, tuple[str, str]]
) -> tuple[dict[str, Any], list[Problem]]:
    """A row's values by field, or the problems of its cells (``header_of``: the field
    and header of each of the header's columns, by index)."""
    cls = RECORD_TYPES[kind]
    hints = _hints(cls)
    values: dict[str, Any] = {}
    problems = _extra_cells(number, cells, len(header_of))
    bad_fields = set()
    for index, (field, header) in header_of.items():
        cell = cells[index] if index < len(cells) else None
        if cell is None:
            continue
        try:
            values[field] = _value(field, hints, cell)
        except CellError as exc:
            problems.append(Problem(number, header, _shown(cell), str(exc)))
            bad_fields.add(field)
    headers = dict(header_of.values())
    for field in sorted(_required(cls) - set(values) - bad_fields):
        problems.append(Problem(number, headers[field], "", "is required"))
    return values, problems


def parse(kind: Kind, table: Table) -> tuple[list[ParsedRow], list[Problem]]:
    """Every row of a table as a value object, and every problem found.

    Parameters
    ----------
    kind
        What the table holds.
    table
        The table as read (:func:`flows.spreadsheets.read_table`).

    Returns
    -------
    tuple
        The rows that are valid on their own, and the problems of the others (a problem
        with the header stops there: no row can be read without knowing its columns).
    """
    columns, problems = _header_map(kind, table.header)
    if problems:
        return [], problems
    cls = RECORD_TYPES[kind]
    header_of = {i: (c.field, table.header[i]) for i, c in columns.items()}
    column_of = dict(header_of.values())
    parsed: list[ParsedRow] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        values, row_problems = _read_row(kind, number, cells, header_of)
        if row_problems:
            problems.extend(row_problems)
            continue
        provider_name = values.pop(PROVIDER_NAME, None)
        try:
            record = cls(**values)
        except CapacityError as exc:
            problems.extend(_refused(number, cells, header_of, exc))
            continue
        if record.id in first_row:
            reason = f"{record.id!r} is on row {first_row[record.id]} already"
            problems.append(Problem(number, column_of["id"], record.id, reason))
            continue
        first_row[record.id] = number
        parsed.append(ParsedRow(number, record, provider_name))
    return parsed, problems
