"""The FastAPI application: one authenticated parent router, public routes in one place.

Every route under ``/v1`` passes the bearer-token check of the parent router; role checks
are dependencies of each domain router (see ``docs/api.md`` for the roles matrix). The
only routes without a token are listed in :data:`PUBLIC_PATHS`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from api.audit.router import router as audit_router
from api.auth.router import router as users_router
from api.cases.router import router as cases_router
from api.database import Database
from api.deps import current_user, known_query_only
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.facilities.router import router as facilities_router
from api.matching_runs.router import router as runs_router
from api.placements.router import router as placements_router
from api.proposals.router import router as proposals_router
from api.regions.router import router as regions_router
from api.settings import ApiSettings
from api.stats.router import router as stats_router
from capacity import Rulebook, bundled_rulebook, load_rulebook

API_PREFIX = "/v1"
HEALTH_PATH = "/healthz"
PUBLIC_PATHS: tuple[str, ...] = (
    HEALTH_PATH,
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
)
"""The only routes that answer without a bearer token."""


class Health(BaseModel):
    status: str


def _rulebook(name_or_path: str) -> Rulebook:
    if name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path:
        return load_rulebook(Path(name_or_path))
    return bundled_rulebook(name_or_path)


def _v1_router() -> APIRouter:
    """Every domain router under one parent that demands a bearer token."""
    v1 = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(current_user), Depends(known_query_only)],
        responses=ERROR_RESPONSES,
    )
    for router in (
        regions_router,
        facilities_router,
        cases_router,
        runs_router,
        proposals_router,
        placements_router,
        stats_router,
        audit_router,
        users_router,
    ):
        v1.include_router(router)
    return v1


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """The application on the configured database (created and migrated when missing)."""
    settings = settings or ApiSettings()
    db = Database(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        db.open()
        yield
        db.close()

    app = FastAPI(
        title="Opvang API",
        version="1",
        summary="National shelter-capacity matching for victims of human trafficking.",
        description="See docs/api.md: roles, authentication, errors, idempotency, audit log.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.rulebook = _rulebook(settings.rulebook)
    install_error_handlers(app)

    @app.get(HEALTH_PATH, tags=["health"])
    async def healthz() -> Health:
        """Liveness: the process answers (no token needed, no database touched)."""
        return Health(status="ok")

    app.include_router(_v1_router())
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory api.app:app_factory``: settings from the environment."""
    return create_app(ApiSettings())
