"""Shared fixtures: the databases tests run against.

Every test that takes ``database_url`` (or a fixture built on it: ``engine``,
``unit_of_work``, ``session``, ``repo``) runs on SQLite and, when the environment variable
``TEST_DATABASE_URL`` points at PostgreSQL, on PostgreSQL as well. Each PostgreSQL test gets
its own schema, dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import fastapi.dependencies.models
import pytest
from hypothesis import settings
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from store import Repository, ensure_database, session_scope

# Property tests draw new examples on every run, which is how they find what nobody wrote
# down; but a landing should not hang on a one-in-a-thousand draw that nobody will see
# again. CI (``.ci/run``) sets ``HYPOTHESIS_PROFILE=ci``: the same examples on every run of
# the same code. A developer's ``make test`` keeps exploring.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

POSTGRES_SKIP_REASON = "TEST_DATABASE_URL is not set; PostgreSQL tests skipped"
UnitOfWork = Callable[..., AbstractContextManager[Session]]


@contextmanager
def _postgres_schema(base_url: str) -> Iterator[str]:
    """A fresh schema; yields a URL whose connections use it (``search_path``)."""
    schema = f"opvang_t_{uuid.uuid4().hex}"
    admin = create_engine(base_url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of an SQLite file in a fresh temporary folder; the file does not exist yet."""
    return f"sqlite:///{tmp_path / 'db' / 'opvang.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """An empty database: an SQLite file, or a fresh PostgreSQL schema (TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    base_url = os.environ.get("TEST_DATABASE_URL")
    if not base_url:
        pytest.skip(POSTGRES_SKIP_REASON)
    with _postgres_schema(base_url) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a migrated database with the 35 regions stored (nothing else)."""
    eng = ensure_database(database_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def unit_of_work(engine: Engine) -> UnitOfWork:
    """Opens units of work on :func:`engine`: ``with unit_of_work(immediate=True) as s:``."""

    def open_unit(*, immediate: bool = False) -> AbstractContextManager[Session]:
        return session_scope(engine, immediate=immediate)

    return open_unit


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session for the whole test, rolled back at the end (commit through unit_of_work)."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def repo(session: Session) -> Repository:
    """A repository on :func:`session`."""
    return Repository(session)


def forget_fastapi_caches() -> None:
    """Empty FastAPI's module-level caches of classified endpoints and dependencies.

    FastAPI keeps the callables it classified (coroutine, generator) in caches of 4,096
    entries each; the Swagger pages of ``FastAPIOffline`` are closures over their
    application, so those caches held the last 80-odd applications of the suite alive,
    each with its engine, rulebook and route tables. The suite grew to 5 GB and every
    collection of the garbage collector walked it (the memory tests took 45 s instead of
    2). A service builds one application, so this is the tests' concern only. Every cache
    of that module is emptied, whatever FastAPI names them.
    """
    for value in vars(fastapi.dependencies.models).values():
        clear = getattr(value, "cache_clear", None)
        if callable(clear):
            clear()


@pytest.fixture(autouse=True)
def _forget_old_apps() -> Iterator[None]:
    """Let each test's FastAPI application go when the test is done."""
    yield
    forget_fastapi_caches()
