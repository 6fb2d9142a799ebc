"""CSRF protection: every form a page posts carries a token the server checks first.

A signed-in session has its own random token (stored with the session, written into
every form). The sign-in form has no session yet: its token is also set in a cookie
(HttpOnly, SameSite=Strict) and the two must match. A POST without the token, or with
another one, is refused with 403 before the route does anything.

The check is a dependency of the whole dashboard router (:func:`csrf_guard`), so a new
form route cannot forget it; ``tests/web/test_security.py`` posts to every form route.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from api.web.gate import SAFE_METHODS
from api.web.pages import PageError, page_session
from api.web.sessions import LOGIN_CSRF_COOKIE

CSRF_FIELD = "csrf_token"
MAX_FIELDS = 400  # form fields in one post (the availability form has one per facility)
MAX_FILES = 1  # the scenario upload

REFUSED = (
    "This form could not be accepted: its security token is missing or out of date. "
    "Reload the page and try again."
)


def expected_token(request: Request) -> str | None:
    """The token a form of this request must carry (the session's, else the sign-in cookie)."""
    session = page_session(request)
    if session is not None:
        return session.csrf_token
    return request.cookies.get(LOGIN_CSRF_COOKIE)


async def form_data(request: Request) -> FormData:
    """The posted form (parsed once per request, with limits)."""
    return await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS)


async def csrf_guard(request: Request) -> None:
    """403 for a POST (or any unsafe method) whose form lacks the expected token."""
    if request.method in SAFE_METHODS:
        return
    expected = expected_token(request)
    sent = (await form_data(request)).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str):
        raise PageError(403, REFUSED)
    if not hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode()):
        raise PageError(403, REFUSED)


Form = Annotated[FormData, Depends(form_data)]
