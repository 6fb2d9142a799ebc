"""The FastAPI application: one parent router under ``/v1``, public routes in one place.

Every request needs a valid bearer token (:class:`api.auth.middleware.BearerAuthMiddleware`)
except those to :data:`PUBLIC_PATHS`; role checks are dependencies of each domain router
(see ``docs/api.md`` for the roles matrix). The web dashboard (:mod:`api.web`) is served
at ``/``: its pages, outside ``/v1``, authenticate with a session cookie instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel

from api.audit.router import router as audit_router
from api.auth.middleware import BearerAuthMiddleware
from api.auth.router import router as users_router
from api.cases.router import router as cases_router
from api.database import Database
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.escalations.router import router as escalations_router
from api.facilities.router import router as facilities_router
from api.feeds.router import router as feeds_router
from api.imports.router import router as imports_router
from api.matching_runs.router import router as runs_router
from api.organisations.router import router as organisations_router
from api.placements.router import router as placements_router
from api.plans.router import router as plans_router
from api.proposals.router import router as proposals_router
from api.regions.router import router as regions_router
from api.rounds.router import router as rounds_router
from api.scenario_runs.router import router as scenario_runs_router
from api.settings import ApiSettings
from api.stats.router import router as stats_router
from api.transport import JsonOnly, RequestGuard, quiet_access_log
from api.web import LOGIN_PATH, STATIC_PATH, mount_web
from capacity import rulebook_from

API_PREFIX = "/v1"
DOCS_ASSETS = "/docs/assets"  # Swagger UI's and ReDoc's scripts, served by the app itself
HEALTH_PATH = "/healthz"
PUBLIC_PATHS: tuple[str, ...] = (
    HEALTH_PATH,
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    DOCS_ASSETS + "/",
    LOGIN_PATH,
    STATIC_PATH + "/",
)
"""The only routes that answer without authentication; an entry ending in "/" is a prefix."""


class Health(BaseModel):
    status: str


def _v1_router() -> APIRouter:
    """Every domain router under one parent (the middleware demands the token)."""
    v1 = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)
    for router in (
        regions_router,
        facilities_router,
        cases_router,
        escalations_router,
        organisations_router,
        runs_router,
        rounds_router,
        proposals_router,
        placements_router,
        stats_router,
        plans_router,
        scenario_runs_router,
        audit_router,
        users_router,
        imports_router,
        feeds_router,
    ):
        v1.include_router(router)
    return v1


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The application on the configured database (created and migrated when missing)."""
    settings = settings or ApiSettings()
    quiet_access_log()  # no query strings (tokens, filters) in uvicorn's access log
    db = Database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db.open()
        stop = None
        if settings.scheduler:  # issue 14: the service runs its own rounds
            from api.scheduler import Jobs, start

            stop = start(Jobs(db, settings, app.state.rulebook))
        yield
        if stop is not None:
            stop()
        db.close()

    app = FastAPIOffline(  # Swagger UI and ReDoc from the package's own assets, no CDN
        static_url=DOCS_ASSETS,
        title="Opvang API",
        version="1",
        summary="National shelter-capacity matching for victims of human trafficking.",
        description="See docs/api.md: roles, authentication, errors, idempotency, audit log.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.rulebook = rulebook_from(settings.rulebook)
    install_error_handlers(app)

    @app.get(HEALTH_PATH, tags=["health"])
    async def healthz() -> Health:
        """Liveness: the process answers (no token needed, no database touched)."""
        return Health(status="ok")

    app.include_router(_v1_router())
    pages = mount_web(app, db)
    app.add_middleware(JsonOnly, api_prefix=API_PREFIX)  # runs after authentication
    app.add_middleware(
        BearerAuthMiddleware, db=db, public_paths=PUBLIC_PATHS, api_prefix=API_PREFIX, pages=pages
    )
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes, api_prefix=API_PREFIX)
    _document_bearer_auth(app)
    return app


def _document_bearer_auth(app: FastAPI) -> None:
    """State in the OpenAPI document that every non-public operation needs the token."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["bearer"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `opvang users add NAME --role ROLE` (shown once).",
        }
        for path, operations in schema.get("paths", {}).items():
            if path not in PUBLIC_PATHS:
                for operation in operations.values():
                    operation["security"] = [{"bearer": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def app_factory() -> FastAPI:
    """For ``uvicorn --factory api.app:app_factory``: settings from the environment."""
    return create_app(ApiSettings())
