"""Admins' pages (issue 17): users (add, disable or enable, a new password) and the audit
log with filters. The same services as ``/v1/users``, ``/v1/audit`` and ``opvang users``
(:mod:`api.auth.service`, :mod:`api.auth.lifecycle`), so every change writes the same
audit entries whichever door it came through.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from api.auth import lifecycle
from api.auth import service as users
from api.auth.passwords import hash_password, password_problem
from api.auth.roles import Role
from api.auth.schemas import UserCreate, UserCreated
from api.database import Database
from api.deps import DatabaseDep
from api.errors import ApiError
from api.web.csrf import Form
from api.web.forms import FieldErrors, text, validation_errors
from api.web.pages import redirect, render, require_role
from capacity import CapacityError, sorted_regions
from store import DuplicateRecordError
from store import audit as audit_log
from store.service import StoredUser

router = APIRouter()
Admin = Annotated[StoredUser, require_role()]  # admins only
AUDIT_PAGE = 100  # entries a page
AUDIT_FILTERS = ("record_type", "record_id", "actor")
NEW_USER_FIELDS = ("name", "role", "provider_id", "region_id")


def _users_page(
    request: Request,
    db: Database,
    *,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    created: UserCreated | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "title": "Users",
        "users": users.list_(db).data,
        "roles": [(r.value, r.value.replace("_", " ")) for r in Role],
        "regions": [(r.id, r.name) for r in sorted_regions()],
        "values": values or {"role": Role.INTAKE_COORDINATOR.value},
        "errors": errors or {},
        "created": created,
        "changed": request.query_params.get("changed", "")[:100],
    }
    return render(request, "admin_users.html", context, status_code=status)


@router.get("/admin/users")
def users_page(request: Request, _: Admin, db: DatabaseDep) -> HTMLResponse:
    """Every user with role, scope and status; forms to add, disable and set a password."""
    return _users_page(request, db)


@router.post("/admin/users")
def add_user(request: Request, form: Form, admin: Admin, db: DatabaseDep) -> Response:
    """A new user with a dashboard password and a bearer token (shown this once)."""
    values = {name: text(form, name) for name in NEW_USER_FIELDS}
    errors: FieldErrors = {}
    password = text(form, "password")
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    try:
        new = UserCreate.model_validate({k: v or None for k, v in values.items()})
    except ValidationError as exc:
        errors.update(validation_errors(exc))
    if errors:
        return _users_page(request, db, values=values, errors=errors, status=422)
    try:
        created = users.create(db, new=new, actor=admin.name, password_hash=hash_password(password))
    except (ApiError, CapacityError, DuplicateRecordError, IntegrityError) as exc:
        errors[_field_of(exc)] = _reason(exc)
        return _users_page(request, db, values=values, errors=errors, status=422)
    return _users_page(request, db, created=created)


def _field_of(exc: Exception) -> str:
    loc = getattr(exc, "loc", None)
    if loc:
        return str(loc[-1])
    field = getattr(exc, "field", None) or getattr(exc, "kind", None)
    return f"{field}_id" if field in ("provider", "region") else "name"


def _reason(exc: Exception) -> str:
    if isinstance(exc, DuplicateRecordError | IntegrityError):
        return "is taken"
    return str(getattr(exc, "detail", None) or exc)


@router.post("/admin/users/{name}/active")
def set_active(request: Request, name: str, form: Form, admin: Admin, db: DatabaseDep) -> Response:
    """Disable (no sign-in, no token; sessions end) or enable a user again."""
    active = text(form, "active") == "true"
    try:
        lifecycle.set_active(db, name=name, active=active, actor=admin.name)
    except ApiError as exc:
        return _users_page(request, db, errors={"form": f"{name}: {exc.detail}"}, status=422)
    return redirect(f"/admin/users?changed={name}")


@router.post("/admin/users/{name}/password")
def set_password(
    request: Request, name: str, form: Form, admin: Admin, db: DatabaseDep
) -> Response:
    """A new dashboard password for a user (forgotten, or never set); their sessions end."""
    password = text(form, "password")
    problem = password_problem(password)
    if problem:
        errors = {f"password:{name}": problem}
        return _users_page(request, db, errors=errors, status=422)
    lifecycle.set_password(db, name=name, password_hash=hash_password(password), actor=admin.name)
    return redirect(f"/admin/users?changed={name}")


@router.get("/admin/audit")
def audit_page(request: Request, admin: Admin, db: DatabaseDep) -> HTMLResponse:
    """The audit log, oldest first, filtered by record type, record id and actor; a page of
    :data:`AUDIT_PAGE` entries at a time (the next from the last id seen)."""
    filters = {k: request.query_params.get(k, "").strip()[:200] for k in AUDIT_FILTERS}
    after = request.query_params.get("after_id", "")
    after_id = int(after) if after.isdigit() and len(after) < 19 else None
    with db.unit() as session:
        entries = audit_log.entries(
            session,
            record_type=filters["record_type"] or None,
            record_id=filters["record_id"] or None,
            actor=filters["actor"] or None,
            limit=AUDIT_PAGE,
            after_id=after_id,
        )
        audit_log.record(
            session,
            actor=admin.name,
            action="audit.read",
            record_type="audit_log",
            record_id="*",
            detail={"entries": len(entries), "page": "dashboard"},
        )
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    context = {
        "title": "Audit log",
        "entries": entries,
        "filters": filters,
        "next_after": entries[-1].id if len(entries) == AUDIT_PAGE else None,
        "query": query,
    }
    return render(request, "audit.html", context)
