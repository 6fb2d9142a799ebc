"""Rendering pages: templates, the navigation of each role, error pages, security headers."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import WebSocketRequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from api.auth.roles import Role
from api.errors import audit_refusal
from api.web.forms import human_message
from capacity.clock import LOCAL_TZ
from store.service import StoredSession, StoredUser

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

# Pages load nothing from elsewhere (offline networks, issue 6) and run no inline script.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages show case records: keep them out of caches
}

KEPT_HEADERS = ("allow", "retry-after")  # what an error page keeps of the API's answer
ERROR_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    503: "Busy",
}


@dataclass(frozen=True, slots=True)
class NavItem:
    path: str
    label: str
    roles: frozenset[Role]


NAV: tuple[NavItem, ...] = (
    NavItem("/waiting-list", "Waiting list", frozenset({Role.INTAKE_COORDINATOR})),
    NavItem("/cases/new", "New case (intake)", frozenset({Role.INTAKE_COORDINATOR})),
    NavItem("/matching", "Matching rounds", frozenset({Role.INTAKE_COORDINATOR})),
    NavItem("/escalations", "Escalations", frozenset({Role.INTAKE_COORDINATOR})),
    NavItem("/deadlines", "Deadlines", frozenset({Role.INTAKE_COORDINATOR})),
    NavItem("/availability", "Availability reports", frozenset({Role.REGION_REPORTER})),
    NavItem("/capacity", "Capacity", frozenset({Role.POLICYMAKER})),
    NavItem("/bed-values", "Bed values", frozenset({Role.POLICYMAKER})),
    NavItem("/waiting-stats", "Waiting statistics", frozenset({Role.POLICYMAKER})),
    NavItem("/trends", "Trends", frozenset({Role.POLICYMAKER})),
    NavItem("/forecast", "Demand forecast", frozenset({Role.POLICYMAKER})),
    NavItem("/scenarios", "Scenarios", frozenset({Role.POLICYMAKER})),
    NavItem("/admin/users", "Users", frozenset()),  # admins only (issue 17)
    NavItem("/admin/audit", "Audit log", frozenset()),
    NavItem("/import", "Import", frozenset()),  # admins only (issue 16)
)


def nav_for(user: StoredUser | None) -> list[NavItem]:
    """The pages a user may open (admins: all of them)."""
    if user is None:
        return []
    return [n for n in NAV if user.role == Role.ADMIN or user.role in n.roles]


class PageError(Exception):
    """An answer other than success from a page: rendered as an error page."""

    def __init__(self, status_code: int, message: str) -> None:
        self.status_code = status_code
        self.message = message
        super().__init__(message)


def case_count(count: Any) -> Markup:
    """A published count of cases (:class:`api.stats.schemas.CaseCount`) as a cell."""
    if count.suppressed:
        return Markup(
            '<span class="suppressed" title="Fewer than 5 cases, or hidden so that a small '
            'count cannot be worked out from the total">suppressed</span>'
        )
    return Markup(f"{count.value:,}")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["label"] = lambda code: str(code).replace("_", " ")
    env.filters["fid"] = field_id
    env.filters["local_time"] = local_time
    env.filters["pct"] = lambda share: "-" if share is None else f"{share:.0%}"
    env.filters["cases"] = case_count
    return env


def field_id(name: str) -> str:
    """An HTML id for a field's name (``beds_free:ws-amsterdam`` -> ``beds_free-ws-amsterdam``)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name)


def local_time(moment: datetime | None) -> str:
    """A moment in Dutch local time, to the minute (``-`` for none)."""
    if moment is None:
        return "-"
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


templates = Jinja2Templates(env=_environment())


def page_user(request: Request) -> StoredUser | None:
    user: StoredUser | None = getattr(request.state, "user", None)
    return user


def page_session(request: Request) -> StoredSession | None:
    found: StoredSession | None = getattr(request.state, "web_session", None)
    return found


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    csrf_token: str | None = None,
) -> HTMLResponse:
    """A page from a template, with the user, navigation, CSRF token and security headers."""
    session = page_session(request)
    user = page_user(request) if session is not None else None
    token = csrf_token or (session.csrf_token if session is not None else "")
    full = {
        "user": user,
        "nav": nav_for(user),
        "csrf_token": token,
        "current_path": request.url.path,
        **context,
    }
    response = templates.TemplateResponse(request, template, full, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def record_number(value: str) -> int:
    """A record number from a path (a 404 page when it is not one)."""
    if not value.isdigit() or len(value) > 18:
        raise PageError(404, f"unknown record {value[:40]!r}")
    return int(value)


def redirect(path: str) -> RedirectResponse:
    """303 See Other: after a form, the browser loads the next page with GET."""
    response = RedirectResponse(path, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    title = ERROR_TITLES.get(status_code, "Error")
    context = {"title": title, "status_code": status_code, "message": message}
    return render(request, "error.html", context, status_code=status_code)


def require_role(*roles: Role) -> Any:
    """A route dependency: the signed-in user, if their role is one of these (or admin)."""
    allowed = frozenset({*roles, Role.ADMIN})

    def check(request: Request) -> StoredUser:
        user = page_user(request)
        if user is None:  # the gate lets no page through without a session
            raise PageError(401, "Sign in first.")
        if user.role not in allowed:
            raise PageError(403, "Your role may not open this page.")
        return user

    return Depends(check)


Coordinator = Annotated[StoredUser, require_role(Role.INTAKE_COORDINATOR)]
Reporter = Annotated[StoredUser, require_role(Role.REGION_REPORTER)]
Policymaker = Annotated[StoredUser, require_role(Role.POLICYMAKER)]
Admin = Annotated[StoredUser, require_role()]
COORDINATORS = [require_role(Role.INTAKE_COORDINATOR)]  # for routes that need no user object
POLICYMAKERS = [require_role(Role.POLICYMAKER)]
ADMINS = [require_role()]
AnyUser = Annotated[
    StoredUser,
    require_role(Role.INTAKE_COORDINATOR, Role.REGION_REPORTER, Role.POLICYMAKER),
]

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def _message(response: Response) -> str:
    """The words of a JSON error answer (``detail`` as text, or the first field's reason)."""
    try:
        detail = json.loads(bytes(response.body)).get("detail")
    except (ValueError, AttributeError):
        return "The request could not be served."
    if isinstance(detail, list) and detail:
        first = detail[0]
        where = " ".join(str(x) for x in first.get("loc", ())[1:])
        said = human_message(first)  # in words, never "Input should be ..." (issue 14)
        return f"{where}: {said}" if where else said
    return str(detail) if detail else "The request could not be served."


def install_page_errors(app: FastAPI, *, login_path: str) -> None:
    """Errors on pages become error pages; the API's answers stay exactly as they were.

    The handlers :func:`api.errors.install_error_handlers` registered are wrapped. A page
    is a request the session gate let through (it has a session) or the sign-in page;
    everything else (``/v1``, ``/healthz``, the API's documents) answers as before.
    """

    def is_page(request: Request) -> bool:
        return page_session(request) is not None or request.url.path == login_path

    async def page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        if exc.status_code == 403:
            await audit_refusal(request)
        return error_page(request, exc.status_code, exc.message)

    for kind, original in list(app.exception_handlers.items()):
        if kind is not WebSocketRequestValidationError:
            app.add_exception_handler(kind, _wrapped(original, is_page))
    app.add_exception_handler(PageError, page_error)


def _wrapped(original: Handler, is_page: Callable[[Request], bool]) -> Handler:
    async def handler(request: Request, exc: Any) -> Response:
        answer = original(request, exc)
        response = await answer if inspect.isawaitable(answer) else answer
        if not is_page(request) or response.media_type != "application/json":
            return response
        page = error_page(request, response.status_code, _message(response))
        for header in KEPT_HEADERS:
            if header in response.headers:
                page.headers[header] = response.headers[header]
        return page

    return handler
