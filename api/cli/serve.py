"""``opvang serve``: the API and the dashboard on the configured database (SQLite by default)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from api.cli.errors import user_errors
from api.settings import ApiSettings
from api.web.demo_users import DemoLogin, demo_logins
from capacity.demo import DEMO_SEED, build_demo_dataset, demo_facilities
from store import Repository, ensure_database, session_scope
from store.service import UserRepository

console = Console(stderr=True)
WORKER_STARTUP_S = 60  # seconds a worker may take to start serving
SCHEDULER_VARIABLE = "OPVANG_SCHEDULER"  # api.settings.ApiSettings.scheduler
# The same words as the README's command table (issue 17: the two pointed to different pages)
WHERE_TO_LOOK = (
    "dashboard at /, API under /v1, API documents at /docs, OpenAPI schema at /openapi.json"
)


def load_demo(engine: Engine, *, now: datetime) -> bool:
    """Load the demo dataset, as of now, into a database without facilities; True if loaded.

    Idempotent: a database that has facilities is left as it is (also on later days).
    """
    with session_scope(engine, immediate=True) as session:
        repo = Repository(session)
        if repo.facilities():
            return False
        repo.save_dataset(build_demo_dataset(seed=DEMO_SEED, as_of=now))
        return True


def what_was_loaded(engine: Engine, *, loaded: bool) -> str:
    """What ``serve --demo`` did with the database, in words (issue 17: after ``make demo``
    it said "data present, demo not loaded" of a database that holds the demo)."""
    if loaded:
        return "loaded the demo dataset"
    with session_scope(engine) as session:
        present = {f.id for f in Repository(session).facilities()}
    if {f.id for f in demo_facilities()} <= present:
        return "the demo dataset is already loaded (by 'opvang demo' or an earlier start)"
    return (
        "the database holds other facilities, so the demo dataset was not loaded into it "
        "(set OPVANG_DATABASE_URL to an empty database for the demo)"
    )


def nobody_signs_in(engine: Engine) -> bool:
    """True when no active user exists: the dashboard cannot be used yet."""
    with session_scope(engine) as session:
        return not any(u.active for u in UserRepository(session).users())


def print_logins(logins: list[DemoLogin], url: str) -> None:
    """The demo users and their passwords (new at every start with ``--demo``)."""
    table = Table("user name", "role", "password", title=f"Sign in at {url}")
    for login in logins:
        role = login.role.value + (f" ({login.region_id})" if login.region_id else "")
        table.add_row(login.name, role, login.password)
    console.print(table)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo dataset on first start.")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    scheduler: Annotated[
        bool,
        typer.Option(
            help="Run the service's own jobs: the daily round (OPVANG_DAILY_ROUND_AT), the "
            "round after reports of free beds (OPVANG_ROUND_AFTER_REPORT), the lapse of "
            "proposals past their deadline; one worker at a time runs them."
        ),
    ] = True,
) -> None:
    """Serve the API and the dashboard (OPVANG_DATABASE_URL; created and migrated on first
    start). With --demo: the demo dataset, and demo users whose passwords are printed."""
    logins: list[DemoLogin] = []
    with user_errors():
        settings = ApiSettings()
        engine = ensure_database(settings.database_url)
        try:
            if demo:
                loaded = load_demo(engine, now=datetime.now(UTC))
                console.print(f"opvang: {what_was_loaded(engine, loaded=loaded)}")
                logins = demo_logins(engine)
            elif nobody_signs_in(engine):
                console.print(
                    "opvang: no user can sign in to the dashboard yet: start with --demo "
                    "for a demo user of each role, or add one with 'opvang users add NAME "
                    "--role ROLE --password'"
                )
        finally:
            engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    console.print(f"opvang: serving {where} on http://{host}:{port} ({WHERE_TO_LOOK})")
    if logins:
        print_logins(logins, f"http://{host}:{port}/")
    # the workers read their settings from the environment (api.app.app_factory); the
    # variable is put back afterwards, so a serve run in-process (tests) leaves no
    # scheduler switched on for the next app in that process
    previous = os.environ.get(SCHEDULER_VARIABLE)
    os.environ[SCHEDULER_VARIABLE] = "true" if scheduler else "false"
    try:
        uvicorn.run(
            "api.app:app_factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=access_log,
            log_level="info",
            # a worker imports the solver stack before it answers; on a busy machine that
            # takes longer than uvicorn's 5 s default, which would restart it in a loop
            timeout_worker_healthcheck=WORKER_STARTUP_S,
        )
    finally:
        if previous is None:
            os.environ.pop(SCHEDULER_VARIABLE, None)
        else:
            os.environ[SCHEDULER_VARIABLE] = previous
