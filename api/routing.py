"""The route class of every domain router: unknown query parameters are a 422.

A typo in a filter (``?regoin=utrecht``) would otherwise silently filter nothing. The
check is made in the route itself, from names computed once, instead of as a dependency
(see :mod:`api.auth.middleware` for why).
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.errors import FieldError

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def declared_query(dependant: Dependant) -> frozenset[str]:
    """Every query parameter a route or its dependencies take."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= declared_query(sub)
    return frozenset(names)


def declared_lists(dependant: Dependant) -> frozenset[str]:
    """The query parameters a route takes as a list (``?jobs=1&jobs=2``)."""
    names = {
        param.alias
        for param in dependant.query_params
        if typing.get_origin(param.field_info.annotation) in (list, tuple, set, frozenset)
    }
    for sub in dependant.dependencies:
        names |= declared_lists(sub)
    return frozenset(names)


def check_query(
    request: Request, known: frozenset[str], lists: frozenset[str] = frozenset()
) -> None:
    """422 naming the first query parameter the route does not take, or one given twice.

    Only a parameter the route takes as a list (``lists``) may repeat; any other repeated
    parameter is a mistake (which value would count?).
    """
    names = [name for name, _ in request.query_params.multi_items()]
    unknown = sorted(set(names) - known)
    if unknown:
        raise FieldError(["query", unknown[0]], "is not a query parameter of this route")
    repeated = sorted({name for name in names if names.count(name) > 1} - lists)
    if repeated:
        raise FieldError(["query", repeated[0]], "is given more than once")
    for where, items in (
        ("path", request.path_params.items()),
        ("query", request.query_params.multi_items()),
    ):
        for name, value in items:
            if "\x00" in str(value):  # PostgreSQL cannot even compare such a text
                raise FieldError([where, name], "must not contain NUL characters")


class CheckedRoute(APIRoute):
    """An API route that refuses unknown query parameters."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        known = declared_query(self.dependant)
        lists = declared_lists(self.dependant)

        async def checked(request: Request) -> Response:
            check_query(request, known, lists)
            return await handler(request)

        return checked


def domain_router(**kwargs: Any) -> APIRouter:
    """An ``APIRouter`` whose routes are :class:`CheckedRoute` s."""
    return APIRouter(route_class=CheckedRoute, **kwargs)
