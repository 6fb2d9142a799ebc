"""The admin's import page: upload a region's table, see the dry run, then import it.

The upload goes through the API's service (:func:`api.imports.service.create`), so the
checks, the all-or-nothing write and the audit are those of ``POST /v1/imports`` and
``opvang import`` (issue 16). The templates download here in English or Dutch.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.database import Database
from api.deps import DatabaseDep, SettingsDep
from api.downloads import TableFormat, table_response
from api.imports import service
from api.imports.schemas import FILENAME_PATTERN, ImportReportPublic
from api.web.csrf import Form
from api.web.forms import FieldErrors, text
from api.web.pages import ADMINS, Admin, PageError, render
from flows import InvalidInputError
from flows.imports import Kind, headers
from store.service import StoredUser

router = APIRouter()


def _page(
    request: Request,
    *,
    report: ImportReportPublic | None = None,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "title": "Import a region's table",
        "kinds": [k.value for k in Kind],
        "kind_options": [(k.value, k.value) for k in Kind],
        "report": report,
        "values": values or {"kind": Kind.FACILITIES.value, "dry_run": "on"},
        "errors": errors or {},
    }
    return render(request, "import.html", context, status_code=status)


@router.get("/import", dependencies=ADMINS)
def import_page(request: Request) -> HTMLResponse:
    """The upload form and the templates."""
    return _page(request)


@router.get("/import/template/{kind}.{fmt}", dependencies=ADMINS)
def template(kind: str, fmt: str, language: str = "en") -> Response:
    """A template's header row as CSV or XLSX, in English or Dutch."""
    if kind not in {k.value for k in Kind} or fmt not in ("csv", "xlsx"):
        raise PageError(404, "There is no such template.")
    names = headers(Kind(kind), dutch=language == "nl")
    return table_response(TableFormat(fmt), names, [], name=kind)


def _run(
    db: Database, kind: Kind, filename: str, content: bytes, *, dry_run: bool, user: StoredUser
) -> ImportReportPublic:
    try:
        with db.unit(immediate=True) as session:
            return service.create(
                session, kind=kind, filename=filename, content=content, dry_run=dry_run, user=user
            )
    except service.ImportRefusedError as exc:
        return exc.report


@router.post("/import")
async def upload(
    request: Request, form: Form, user: Admin, db: DatabaseDep, settings: SettingsDep
) -> Response:
    """Check (dry run) or import the uploaded file; the report on the same page."""
    errors: FieldErrors = {}
    values = {"kind": text(form, "kind"), "dry_run": text(form, "dry_run")}
    kinds = {k.value for k in Kind}
    if values["kind"] not in kinds:
        errors["kind"] = f"choose one of: {', '.join(sorted(kinds))}"
    upload = form.get("file")
    data = b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = "choose a .csv or .xlsx file"
    elif not re.match(FILENAME_PATTERN, upload.filename):
        errors["file"] = "must be a .csv or .xlsx file, its name without folders"
    else:
        data = await upload.read(settings.max_body_bytes + 1)
        if len(data) > settings.max_body_bytes:
            errors["file"] = f"may be at most {settings.max_body_bytes} bytes"
    if errors or not isinstance(upload, UploadFile) or upload.filename is None:
        return _page(request, values=values, errors=errors, status=422)
    try:
        report = await run_in_threadpool(
            _run,
            db,
            Kind(values["kind"]),
            upload.filename,
            data,
            dry_run=bool(values["dry_run"]),
            user=user,
        )
    except InvalidInputError as exc:
        errors["file"] = exc.reason
        return _page(request, values=values, errors=errors, status=422)
    status = 422 if report.problems else 200
    return _page(request, report=report, values=values, status=status)
