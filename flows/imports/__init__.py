"""Importing facilities, cases and placements from a region's CSV or XLSX table (issue 16).

See ``docs/import.md`` for the templates. :func:`import_file` checks every row and writes
all of it or nothing; :func:`template` and :func:`export_rows` give the rows of a template
(empty, or what is stored) in the same columns.
"""

from flows.imports.columns import COLUMNS, Column, Kind, headers
from flows.imports.export import export_rows, template_row
from flows.imports.importer import ImportReport, import_file, import_table
from flows.imports.plan import Action, Change
from flows.imports.rows import Problem

__all__ = [
    "COLUMNS",
    "Action",
    "Change",
    "Column",
    "ImportReport",
    "Kind",
    "Problem",
    "export_rows",
    "headers",
    "import_file",
    "import_table",
    "template_row",
]
