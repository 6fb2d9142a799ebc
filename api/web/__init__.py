"""The web dashboard (issue 6): server-rendered pages at ``/`` for every role.

Coordinators see the waiting list, cases with their proposals, intake and matching
rounds; region reporters report free beds; policymakers see capacity and run scenarios.
The pages call the API's own services, so they validate, audit and decide exactly as
``/v1`` does. Sign-in is by user name and password with a server-side session
(:mod:`api.web.sessions`); every form carries a CSRF token (:mod:`api.web.csrf`). All
assets are served by the app itself. See ``docs/dashboard.md``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.auth.throttle import SignInThrottle
from api.database import Database
from api.web.gate import LOGIN_PATH, SessionGate
from api.web.pages import STATIC_DIR, install_page_errors
from api.web.routers import pages_router
from api.web.settings import WebSettings

STATIC_PATH = "/static"  # assets; with LOGIN_PATH the only pages open without a session


def mount_web(app: FastAPI, db: Database, *, settings: WebSettings | None = None) -> SessionGate:
    """Add the pages and their assets to the app; returns the gate that authenticates them.

    Call after the API's routes and error handlers; hand the gate to the authentication
    middleware (:class:`api.auth.middleware.BearerAuthMiddleware`).
    """
    web_settings = settings or WebSettings()
    app.state.web_settings = web_settings
    app.state.signin_throttle = SignInThrottle(
        per_name=web_settings.signin_limit_per_name,
        per_address=web_settings.signin_limit_per_address,
        storage_uri=web_settings.rate_limit_storage,
        checks_at_once=web_settings.password_checks_at_once,
        checks_waiting=web_settings.password_checks_waiting,
    )
    app.include_router(pages_router())
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
    install_page_errors(app, login_path=LOGIN_PATH)
    return SessionGate(db)


__all__ = ["LOGIN_PATH", "STATIC_PATH", "SessionGate", "WebSettings", "mount_web"]
