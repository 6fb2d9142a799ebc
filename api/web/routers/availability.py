"""Region reporters' page: free beds of their own facilities, reported on a form.

The reports go through the API's service (:func:`api.facilities.service.report`): the
same scope check, the same rules (0 to the facility's beds, not in the future, not older
than the last report) and the same append-only ledger as ``PUT /v1/availability``,
all or nothing.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.auth.roles import may_report_for
from api.database import Database
from api.deps import DatabaseDep, NowDep, SettingsDep
from api.errors import FieldError
from api.facilities import service as facilities
from api.facilities.schemas import AvailabilityCreate, FacilityPublic
from api.settings import ApiSettings
from api.web.cases_view import region_name, type_name
from api.web.csrf import Form
from api.web.forms import FieldErrors, text, validation_errors, whole_number
from api.web.pages import Reporter, redirect, render
from api.web.reporter_view import ReporterView, reporter_view
from capacity.clock import LOCAL_TZ
from store.service import StoredUser

router = APIRouter()
FIELD_PREFIX = "beds_free:"  # one field per facility: beds_free:<facility id>


def own_facilities(
    db: Database, *, user: StoredUser, now: datetime, settings: ApiSettings
) -> list[FacilityPublic]:
    """The facilities this user may report for (an admin: all)."""
    found = facilities.list_(db, region=None, placement_type=None, now=now, settings=settings)
    return [
        f
        for f in found.data
        if may_report_for(user, provider_id=f.provider_id, region_id=f.region_id)
    ]


def _page(
    request: Request,
    rows: list[FacilityPublic],
    view: ReporterView,
    *,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    saved = request.query_params.get("saved", "")
    context = {
        "title": "Availability reports",
        "facilities": rows,
        "values": values or {},
        "errors": errors or {},
        "field_prefix": FIELD_PREFIX,
        "saved": int(saved) if saved.isdigit() and len(saved) < 6 else None,
        "type_name": type_name,
        "region_name": region_name,
        "view": view,
        "names": {f.id: f.name for f in rows},
    }
    return render(request, "availability.html", context, status_code=status)


@router.get("/availability")
def availability(
    request: Request, user: Reporter, db: DatabaseDep, now: NowDep, settings: SettingsDep
) -> HTMLResponse:
    """The reporter's facilities with beds, beds free and the last update; occupied beds,
    expected discharges and the reports sent so far."""
    rows = own_facilities(db, user=user, now=now, settings=settings)
    return _page(request, rows, reporter_view(db, user=user, own=rows, now=now))


def _as_of(value: str, now: datetime, errors: FieldErrors) -> datetime:
    """The moment the beds were counted: Dutch local time from the form, else now."""
    if not value:
        return now
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors["as_of"] = "must be a date and time, e.g. 2026-12-01T09:30"
        return now
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_TZ)


def _reports(
    form: Form, now: datetime, errors: FieldErrors
) -> list[tuple[str, AvailabilityCreate, list[str | int]]]:
    as_of = _as_of(text(form, "as_of"), now, errors)
    items: list[tuple[str, AvailabilityCreate, list[str | int]]] = []
    for key in dict.fromkeys(k for k in form if k.startswith(FIELD_PREFIX)):
        beds_free = whole_number(form, key, errors, required=False)
        if beds_free is None:
            continue
        try:
            body = AvailabilityCreate(beds_free=beds_free, as_of=as_of)
        except ValidationError as exc:
            errors[key] = next(iter(validation_errors(exc).values()))
            continue
        items.append((key.removeprefix(FIELD_PREFIX), body, ["body", "reports", len(items)]))
    if not items and not errors:
        errors["form"] = "Enter the beds free of at least one facility."
    return items


@router.post("/availability")
async def report(
    request: Request,
    form: Form,
    user: Reporter,
    db: DatabaseDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Append the reports to the ledger, all or none; the form again with messages if not."""
    errors: FieldErrors = {}
    items = _reports(form, now, errors)
    if not errors:
        try:
            await facilities.report(
                db, user=user, items=items, key=None, now=now, settings=settings
            )
            return redirect(f"/availability?saved={len(items)}")
        except FieldError as exc:
            index, field = exc.loc[2], exc.loc[-1]
            facility_id = items[index][0] if isinstance(index, int) else ""
            name = "as_of" if field == "as_of" else FIELD_PREFIX + facility_id
            errors[name] = f"{facility_id}: {exc.detail}" if field == "as_of" else exc.detail
    rows = await run_in_threadpool(own_facilities, db, user=user, now=now, settings=settings)
    view = await run_in_threadpool(reporter_view, db, user=user, own=rows, now=now)
    values = {k: text(form, k) for k in form if k.startswith(FIELD_PREFIX) or k == "as_of"}
    return _page(request, rows, view, values=values, errors=errors, status=422)
