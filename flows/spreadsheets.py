"""Tables in files: CSV and XLSX read into rows of cells, and rows written back (issue 16).

Reading and writing XLSX is openpyxl's; CSV is the standard library's, with the separator
found from the header line (Dutch spreadsheet programs write ``;``). A cell read is what
the file holds (a text, a number, a date, a truth value or ``None``); what it means is for
the importer to say.

A text cell that a spreadsheet program would run as a formula (``=``, ``+``, ``-``, ``@``
first) is written with a leading apostrophe, and read back without it. A workbook cell
that is not empty but holds no value (a formula saved without its value, NaN) is read as
a :class:`~flows.xlsx_blanks.NoValue`, so the importer can say what is wrong with it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flows.errors import InvalidInputError
from flows.xlsx_blanks import NoValue, no_values

MAX_ROWS = 50_000  # data rows in one file: every region's table fits many times over
FORMULA_START = ("=", "+", "-", "@")
SEPARATORS = (",", ";", "\t")
FORMATS = ("csv", "xlsx")

Cell = str | int | float | bool | date | datetime | None
ReadCell = Cell | NoValue  # what a file holds: a cell, or one with no usable value


@dataclass(frozen=True, slots=True)
class Table:
    """A table as read from a file: its header and its rows, each with its row number.

    Parameters
    ----------
    header
        The texts of the first row.
    rows
        ``(row number, cells)`` of each row that is not blank; row 1 is the header, so
        the numbers are those a spreadsheet program shows.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[ReadCell, ...]], ...]


def file_format(filename: str) -> str:
    """``"csv"`` or ``"xlsx"`` from a file's name.

    Raises
    ------
    InvalidInputError
        For any other extension.
    """
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in FORMATS:
        raise InvalidInputError("file", "must be a .csv or .xlsx file")
    return suffix


def read_table(data: bytes, filename: str) -> Table:
    """The table in a CSV or XLSX file (the first sheet of a workbook).

    Raises
    ------
    InvalidInputError
        When the file cannot be read as its extension says, is empty, or is too long.
    """
    lines = _xlsx_rows(data) if file_format(filename) == "xlsx" else _csv_rows(data)
    numbered = [
        (number, tuple(_unescape(c) for c in cells))
        for number, cells in enumerate(lines, start=1)
        if any(c is not None and str(c).strip() for c in cells)
    ]
    if not numbered or numbered[0][0] != 1:
        raise InvalidInputError("file", "the first row must be the header (column names)")
    if len(numbered) - 1 > MAX_ROWS:
        raise InvalidInputError("file", f"has more than {MAX_ROWS} rows")
    header = tuple("" if c is None else str(c).strip() for c in numbered[0][1])
    while header and not header[-1]:
        header = header[:-1]
    return Table(header=header, rows=tuple(numbered[1:]))


def _csv_rows(data: bytes) -> list[tuple[ReadCell, ...]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError("file", "a CSV file must be UTF-8 encoded") from None
    first = text.split("\n", 1)[0]
    separator = max(SEPARATORS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        return [tuple(c if c.strip() else None for c in row) for row in reader]
    except csv.Error as exc:
        raise InvalidInputError("file", f"is not a readable CSV file ({exc})") from None


def _xlsx_rows(data: bytes) -> list[tuple[ReadCell, ...]]:
    from openpyxl import load_workbook  # only when a workbook is read (start-up time)

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise InvalidInputError("file", "is not an XLSX workbook") from None
    try:
        sheet = book.worksheets[0]
        # openpyxl's read-only sheet knows its part in the file; it reads what has no
        # value as empty, so the part is read once more for those cells
        path = getattr(sheet, "_worksheet_path", None)
        blanks = no_values(data, path) if isinstance(path, str) else {}
        rows: list[tuple[ReadCell, ...]] = []
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):  # from A1
            cells = (
                blanks[(r, c)] if v is None and (r, c) in blanks else _xlsx_cell(v)
                for c, v in enumerate(row, start=1)
            )
            rows.append(tuple(cells))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except ValueError as exc:  # a number cell openpyxl cannot read (<v>NaN</v>)
        raise InvalidInputError("file", f"has a number cell that cannot be read ({exc})") from None
    finally:
        book.close()


def _xlsx_cell(value: Any) -> ReadCell:
    if value is None or isinstance(value, str | int | float | bool | date):
        return value if not (isinstance(value, str) and not value.strip()) else None
    return str(value)  # a time or a duration: the importer will say what is wrong


def _unescape(cell: ReadCell) -> ReadCell:
    if isinstance(cell, str) and cell.startswith("'") and cell[1:2] in FORMULA_START:
        return cell[1:]
    return cell


def _escape(cell: Cell) -> Cell:
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file (UTF-8 with a byte-order mark, so spreadsheet programs read the accents).

    Dates are written as ISO dates, truth values as ``true``/``false``, ``None`` as an
    empty cell.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(_escape(c)) for c in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, date | datetime):
        return cell.isoformat()
    return str(cell)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet: str) -> bytes:
    """An XLSX workbook of one sheet: dates as date cells, moments as ISO text with their
    zone (a workbook cell has no zone), ``None`` as an empty cell."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append(list(header))
    for row in rows:
        ws.append([_xlsx_value(_escape(c)) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(cell: Cell) -> Cell:
    if isinstance(cell, datetime) and cell.tzinfo is not None:
        return cell.isoformat()  # a zone-aware moment stays exact as text
    return cell
