"""Tables as files to download: CSV or XLSX, chosen by ``?format=`` or ``Accept`` (issue 16).

One place decides which format a request asked for and how a table becomes an answer
(its media type, a file name, no caching), for the exports of ``/v1`` and the dashboard's
downloads and import templates alike.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from fastapi import Query, Request, Response
from pydantic import BaseModel

from api.errors import FieldError
from capacity.records import plain
from flows.spreadsheets import Cell, csv_bytes, xlsx_bytes

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableFormat(StrEnum):
    """What a table is answered as."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {TableFormat.CSV: CSV_TYPE, TableFormat.XLSX: XLSX_TYPE}
FILE_CONTENT: dict[str, Any] = {
    CSV_TYPE: {"schema": {"type": "string"}},
    XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The table as a file (CSV or XLSX)", "content": FILE_CONTENT}
}
"""The OpenAPI answer of a route that answers a file only."""


def table_responses(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answer of a route that answers ``model`` as JSON, or the table as a file."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    content = {"application/json": {"schema": schema}, **FILE_CONTENT}
    return {200: {"description": "JSON, or the table as CSV or XLSX", "content": content}}


def wanted_format(request: Request, given: TableFormat | None) -> TableFormat:
    """``?format=`` when given, else the ``Accept`` header's CSV or XLSX, else JSON."""
    if given is not None:
        return given
    accept = request.headers.get("accept", "").lower()
    for fmt, media in MEDIA_TYPES.items():
        if media in accept:
            return fmt
    return TableFormat.JSON


def table_response(
    fmt: TableFormat, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, name: str
) -> Response:
    """A table as a CSV or XLSX file to download, named ``name.csv`` or ``name.xlsx``.

    Raises
    ------
    FieldError
        For JSON: the caller answers JSON itself.
    """
    if fmt == TableFormat.CSV:
        body = csv_bytes(header, rows)
    elif fmt == TableFormat.XLSX:
        body = xlsx_bytes(header, rows, sheet=name)
    else:
        raise FieldError(["query", "format"], "must be csv or xlsx here")
    disposition = f'attachment; filename="{name}.{fmt.value}"'
    return Response(body, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})


def _nested(annotation: Any) -> type[BaseModel] | None:
    """The record type a field holds (``CaseCount`` for ``CaseCount | None``), or None."""
    options = typing.get_args(annotation) if typing.get_origin(annotation) else (annotation,)
    found = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
    return found[0] if found else None


def flat_header(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The columns of a record type as one table: a nested record's fields become
    ``field_sub`` columns, its ``value`` keeps the parent's name (a count
    ``{value, suppressed}`` is ``cases`` and ``cases_suppressed``)."""
    header: list[str] = []
    for name, info in model.model_fields.items():
        column = prefix if name == "value" and prefix else "_".join(p for p in (prefix, name) if p)
        inner = _nested(info.annotation)
        header.extend(flat_header(inner, column) if inner is not None else [column])
    return header


def _cells(model: type[BaseModel], item: BaseModel | None) -> list[Cell]:
    row: list[Cell] = []
    for name, info in model.model_fields.items():
        value = getattr(item, name) if item is not None else None
        inner = _nested(info.annotation)
        if inner is not None and isinstance(value, list | tuple):  # records: one column each
            parts = [_cells(inner, v) for v in value]
            width = len(flat_header(inner))
            row.extend(
                "; ".join(str(p[j]) for p in parts if p[j] is not None) or None
                for j in range(width)
            )
        elif inner is not None:
            row.extend(_cells(inner, value))
        elif isinstance(value, list):
            row.append("; ".join(str(plain(v)) for v in value) or None)
        else:
            row.append(plain(value))
    return row


def flat_rows(
    model: type[BaseModel], items: Sequence[BaseModel]
) -> tuple[list[str], list[list[Cell]]]:
    """Records of one type as a table (:func:`flat_header`): enumerations as their
    codes, lists as ``a; b``, a missing nested record as empty cells."""
    return flat_header(model), [_cells(model, item) for item in items]


FORMAT_HELP = (
    "`json` (the default), `csv` or `xlsx`; `Accept: text/csv` or the XLSX media type asks "
    "for a file as well. A file holds every line unless `limit` is given."
)
FormatQuery = typing.Annotated[TableFormat | None, Query(description=FORMAT_HELP)]
LIMIT_HELP = "Lines per page: default 100 for JSON; a CSV or XLSX file holds every line."
EXPORT_LIMIT = 1_000_000  # lines in one file: everything there is


def page_limit(limit: int | None, fmt: TableFormat, *, default: int = 100) -> int:
    """The page size: as given, else the JSON default, or everything in a file."""
    if limit is not None:
        return limit
    return default if fmt == TableFormat.JSON else EXPORT_LIMIT
