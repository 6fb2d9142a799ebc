"""Tables as files to download: CSV or XLSX, chosen by ``?format=`` or ``Accept`` (issue 16).

One place decides which format a request asked for and how a table becomes an answer
(its media type, a file name, no caching), for the exports of ``/v1`` and the dashboard's
downloads and import templates alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

from api.errors import FieldError
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
