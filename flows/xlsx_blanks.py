"""Workbook cells that a reader takes for empty, though they are not (issue 16).

openpyxl reads the value a spreadsheet program saved with a formula. A workbook written by
a program that does not calculate (a script, a converter) holds the formula without a
value, and openpyxl reads the cell as empty; NaN and infinities are saved as a number cell
with an empty value (openpyxl and pandas write them so), read as empty too. An import
that took them for empty cells said "is required", or quietly took the default. This
module finds them in the sheet's XML, so the importer can say what is wrong.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from xml.etree.ElementTree import Element, ParseError, iterparse

from flows.errors import InvalidInputError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CELL, VALUE, FORMULA = f"{MAIN}c", f"{MAIN}v", f"{MAIN}f"
COORDINATE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
NOT_A_NUMBER = "is NaN, not a number: give a number (or leave an optional cell empty)"
UNSAVED_FORMULA = (
    "is a formula without a saved value (the file was not saved by a spreadsheet program): "
    "open the file in a spreadsheet program and save it, or type the value"
)


class Blank(StrEnum):
    """Why a cell that is not empty holds no value."""

    FORMULA = "formula"  # a formula saved without its value
    NOT_A_NUMBER = "not_a_number"  # a number cell without a number (NaN, infinity)


@dataclass(frozen=True, slots=True)
class NoValue:
    """A workbook cell that is not empty but holds no value a reader can use.

    Parameters
    ----------
    why
        A formula saved without its value, or a number that is not one.
    text
        What the cell shows: its formula (``=B2*2``), or ``NaN``.
    """

    why: Blank
    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def reason(self) -> str:
        """What is wrong, and what to do, in a coordinator's words."""
        return UNSAVED_FORMULA if self.why == Blank.FORMULA else NOT_A_NUMBER


def no_values(data: bytes, sheet_path: str) -> dict[tuple[int, int], NoValue]:
    """The cells of one sheet of a workbook that hold no usable value.

    Parameters
    ----------
    data
        The workbook file.
    sheet_path
        The sheet's part inside it (``xl/worksheets/sheet1.xml``).

    Returns
    -------
    dict
        Each such cell by ``(row, column)``, both counted from 1; a cell without its
        coordinate (rare; optional in the format) is left out.

    Raises
    ------
    InvalidInputError
        When the sheet is not readable XML.
    """
    found: dict[tuple[int, int], NoValue] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(sheet_path) as source:
            for _, element in iterparse(source):
                if element.tag != CELL:
                    continue
                blank = _blank(element)
                where = _position(element.get("r", ""))
                if blank is not None and where is not None:
                    found[where] = blank
                element.clear()  # a sheet may have a million cells: keep none in memory
    except (ParseError, KeyError, OSError, zipfile.BadZipFile):
        raise InvalidInputError("file", "is not a readable XLSX workbook") from None
    return found


def _blank(cell: Element) -> NoValue | None:
    value = cell.find(VALUE)
    text = None if value is None else (value.text or "").strip()
    numeric = cell.get("t", "n") == "n"  # a number cell (the default type)
    formula = cell.find(FORMULA)
    if formula is not None:
        if text is None or (numeric and not text):
            shown = f"={formula.text}" if formula.text else "(a shared formula)"
            return NoValue(Blank.FORMULA, shown)
        return None
    if numeric and text == "":
        return NoValue(Blank.NOT_A_NUMBER, "NaN")
    return None


def _position(coordinate: str) -> tuple[int, int] | None:
    found = COORDINATE.fullmatch(coordinate)
    if found is None:
        return None
    letters, digits = found.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(digits), column
