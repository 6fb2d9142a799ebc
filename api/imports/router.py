"""``/v1/imports``: import a region's CSV or XLSX table, or download its template (admins)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import Query, Request, Response, status
from fastapi.responses import JSONResponse

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, require
from api.downloads import FILE_RESPONSES, TableFormat, table_response
from api.errors import validation_item
from api.idempotency import KeyHeader, for_request, respond
from api.imports import service
from api.imports.schemas import ImportCreate, ImportReportPublic
from api.routing import domain_router
from api.unit_of_work import write
from flows.imports import Kind, headers

router = domain_router(prefix="/imports", tags=["imports"], dependencies=[require(Role.ADMIN)])

REFUSED: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Problems in the file (nothing written): each as "
        "`{loc: [body, content, row, column], msg: reason}`; a dry run shows the values",
    }
}


@router.post("/{kind}", response_model=ImportReportPublic, responses=REFUSED)
def import_table(
    kind: Kind,
    body: ImportCreate,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    dry_run: Annotated[
        bool, Query(description="Check every row and say what would change; write nothing.")
    ] = False,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Import facilities, cases or placements from a CSV or XLSX file (docs/import.md):
    every row checked first, then all of it written or nothing; importing the same file
    again changes nothing."""
    idem = for_request(request, user, idempotency_key, payload=body)
    work = partial(
        service.create,
        kind=kind,
        filename=body.filename,
        content=body.content,
        dry_run=dry_run,
        user=user,
    )
    try:
        return respond(write(db, idem, status.HTTP_200_OK, work))
    except service.ImportRefusedError as exc:
        detail = [
            validation_item(["body", "content", p.row, p.column], p.reason)
            for p in exc.report.problems
        ]
        return JSONResponse({"detail": detail}, status_code=422)


@router.get("/{kind}/template", response_class=Response, responses=FILE_RESPONSES)
def template(
    kind: Kind,
    format: Annotated[TableFormat, Query(description="csv or xlsx.")] = TableFormat.XLSX,
    language: Annotated[str, Query(pattern="^(en|nl)$", description="Headers: en or nl.")] = "en",
) -> Response:
    """The empty template of an import: its header row, in English or Dutch."""
    return table_response(format, headers(kind, dutch=language == "nl"), [], name=str(kind))
