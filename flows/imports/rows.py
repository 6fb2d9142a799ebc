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
from typing import Any

from capacity import CapacityError, Case, Facility, InvalidFieldError, Placement, personal_data_in
from flows.imports.cells import CellError, convert
from flows.imports.columns import FREE_TEXT, PROVIDER_NAME, Column, Kind, column_for
from flows.spreadsheets import Cell, Table

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


def _shown(cell: Cell) -> str:
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
    hints = _hints(cls)
    required = _required(cls)
    header_of = {c.field: table.header[i] for i, c in columns.items()}
    parsed: list[ParsedRow] = []
    first_row: dict[str, int] = {}
    for number, cells in table.rows:
        values: dict[str, Any] = {}
        raw: dict[str, Cell] = {}
        row_problems = []
        bad_fields = set()
        for index, column in columns.items():
            cell = cells[index] if index < len(cells) else None
            raw[column.field] = cell
            if cell is None:
                continue
            free = column.field in FREE_TEXT
            if isinstance(cell, str) and (why := _text_problem(cell, free_text=free)) is not None:
                row_problems.append(Problem(number, header_of[column.field], _shown(cell), why))
                bad_fields.add(column.field)
                continue
            hint = str if column.field == PROVIDER_NAME else hints[column.field]
            try:
                values[column.field] = convert(hint, cell)
            except CellError as exc:
                row_problems.append(
                    Problem(number, header_of[column.field], _shown(cell), str(exc))
                )
                bad_fields.add(column.field)
        for field in sorted(required - set(values) - bad_fields):
            row_problems.append(Problem(number, header_of[field], "", "is required"))
        if row_problems:
            problems.extend(row_problems)
            continue
        provider_name = values.pop(PROVIDER_NAME, None)
        try:
            record = cls(**values)
        except CapacityError as exc:
            field = _field_of(exc) if isinstance(exc, InvalidFieldError) else "id"
            column_name = header_of.get(field, field)
            reason = exc.reason if isinstance(exc, InvalidFieldError) else str(exc)
            problems.append(Problem(number, column_name, _shown(raw.get(field)), reason))
            continue
        if record.id in first_row:
            reason = f"{record.id!r} is on row {first_row[record.id]} already"
            problems.append(Problem(number, header_of["id"], record.id, reason))
            continue
        first_row[record.id] = number
        parsed.append(ParsedRow(number, record, provider_name))
    return parsed, problems
