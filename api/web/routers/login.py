"""Signing in and out, and the start page that sends each role to its first page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

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


@router.post(LOGIN_PATH)
async def login(request: Request, form: Form, db: DatabaseDep, now: NowDep) -> Response:
    """Check the password; on success a new session and its cookie, then the page asked for."""
    name, password = text(form, "username")[:MAX_NAME], form.get("password")
    next_path = safe_next(text(form, "next") or "/")
    settings = web_settings(request)
    signed = None
    if name and isinstance(password, str) and password:
        signed = await run_in_threadpool(
            sessions.sign_in,
            db,
            name=name,
            password=password,
            now=now,
            hours=settings.session_hours,
        )
    if signed is None:
        return _login_form(request, next_path=next_path, name=name, error=FAILED, status=401)
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
