"""The dashboard's routes, under one router that checks the CSRF token of every form."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.web.csrf import csrf_guard
from api.web.routers import (
    admin,
    availability,
    capacity_files,
    cases,
    compare,
    deadlines,
    escalations,
    exports,
    forecast,
    imports,
    login,
    matching,
    planning,
    policy,
    trends,
    waiting_stats,
)


def pages_router() -> APIRouter:
    """Every page, left out of the OpenAPI document (it describes the API only)."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_guard)])
    for part in (
        login,
        cases,
        escalations,
        matching,
        deadlines,
        availability,
        policy,
        compare,
        admin,
        imports,
        exports,
        planning,
        trends,
        forecast,
        capacity_files,
        waiting_stats,
    ):
        router.include_router(part.router)
    return router
