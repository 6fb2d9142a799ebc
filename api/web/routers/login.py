"""Signing in and out, and the start page that sends each role to its first page."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth.throttle import ChecksBusyError, SignInThrottle
from api.deps import DatabaseDep, NowDep
from api.web import sessions
from api.web.csrf import Form
from api.web.forms import text
from api.web.gate import LOGIN_PATH
from api.web.pages import AnyUser, PageError, nav_for, page_session, redirect, render
from api.web.settings import WebSettings

router = APIRouter()

FAILED = "Unknown user name or wrong password."  # the same words for both: no user probing
MAX_NAME = 100  # characters of a user name (api.auth.schemas.UserBase)


def web_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.web_settings
    return settings


def safe_next(target: str) -> str:
    """A local path to go to after signing in (anything else: the start page)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or target == LOGIN_PATH:
        return "/"
    return target


def _login_form(
    request: Request, *, next_path: str, name: str = "", error: str | None = None, status: int
) -> HTMLResponse:
    token = request.cookies.get(sessions.LOGIN_CSRF_COOKIE) or sessions.new_secret()
    context = {"title": "Sign in", "next": next_path, "name": name, "error": error}
    response = render(request, "login.html", context, status_code=status, csrf_token=token)
    sessions.set_cookie(
        response,
        request,
        web_settings(request),
        name=sessions.LOGIN_CSRF_COOKIE,
        value=token,
        max_age=sessions.LOGIN_CSRF_SECONDS,
    )
    return response


@router.get(LOGIN_PATH)
def login_page(
    request: Request, next_path: Annotated[str, Query(alias="next")] = "/"
) -> HTMLResponse:
    """The sign-in form."""
    return _login_form(request, next_path=safe_next(next_path), status=200)


def _throttle(request: Request) -> SignInThrottle:
    throttle: SignInThrottle = request.app.state.signin_throttle
    return throttle


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _too_many(request: Request, *, next_path: str, name: str, seconds: int) -> HTMLResponse:
    minutes = max(1, math.ceil(seconds / 60))
    error = f"Too many failed sign-ins. Try again in {minutes} minute{'s' * (minutes > 1)}."
    response = _login_form(request, next_path=next_path, name=name, error=error, status=429)
    response.headers["Retry-After"] = str(seconds)
    return response


@router.post(LOGIN_PATH)
async def login(request: Request, form: Form, db: DatabaseDep, now: NowDep) -> Response:
    """Check the password; on success a new session and its cookie, then the page asked for.

    Failed sign-ins are counted per user name and per client address; beyond the limits
    (:class:`api.web.settings.WebSettings`) the form answers 429 with ``Retry-After``
    without checking the password. Every failure and refusal is audited.
    """
    name, password = text(form, "username")[:MAX_NAME], form.get("password")
    next_path = safe_next(text(form, "next") or "/")
    settings, throttle, address = web_settings(request), _throttle(request), _client(request)
    refusal = throttle.refusal(name, address)
    if refusal is not None:
        await run_in_threadpool(
            sessions.audit_failure, db, name=name, address=address, reason="throttled"
        )
        return _too_many(request, next_path=next_path, name=name, seconds=refusal.retry_after)
    signed = None
    if name and isinstance(password, str) and password:
        try:
            signed = await throttle.check(
                sessions.sign_in,
                db,
                name=name,
                password=password,
                now=now,
                hours=settings.session_hours,
            )
        except ChecksBusyError:
            return _too_many(request, next_path=next_path, name=name, seconds=1)
    if signed is None:
        throttle.failed(name, address)
        await run_in_threadpool(
            sessions.audit_failure, db, name=name, address=address, reason="wrong"
        )
        return _login_form(request, next_path=next_path, name=name, error=FAILED, status=401)
    throttle.succeeded(name)
    response = redirect(next_path)
    sessions.set_cookie(
        response,
        request,
        settings,
        name=sessions.SESSION_COOKIE,
        value=signed.token,
        max_age=int(settings.session_hours * 3600),
    )
    sessions.clear_cookie(response, request, settings, sessions.LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, db: DatabaseDep) -> Response:
    """End the session and forget its cookie."""
    current = page_session(request)
    if current is not None:
        sessions.sign_out(db, current)
    response = redirect(LOGIN_PATH)
    sessions.clear_cookie(response, request, web_settings(request), sessions.SESSION_COOKIE)
    return response


@router.get("/")
def start(user: AnyUser) -> Response:
    """Each role's first page."""
    pages = nav_for(user)
    if not pages:
        raise PageError(403, "Your role has no pages in the dashboard.")
    return redirect(pages[0].path)
