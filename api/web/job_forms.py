"""What the forms that start scenario jobs share: the replications field, storing and
launching the job, and the answer when the queue is full (429 with ``Retry-After``)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.database import Database
from api.web import scenario_jobs as jobs
from api.web.forms import FieldErrors, whole_number
from api.web.pages import redirect
from api.web.settings import WebSettings
from store.service import StoredScenarioJob

BUSY = "form"  # the errors' key of a full queue: the page answers 429


def replications(form: FormData, name: str, web: WebSettings, errors: FieldErrors) -> int | None:
    """The replications field, from 1 to the setting's most."""
    value = whole_number(form, name, errors)
    if value is not None and not 1 <= value <= web.scenario_max_replications:
        errors[name] = f"must be from 1 to {web.scenario_max_replications}"
    return value


async def store_and_launch(
    create: Callable[[], StoredScenarioJob],
    *,
    db: Database,
    database_url: str,
    web: WebSettings,
    errors: FieldErrors,
) -> Response | None:
    """Store the job (``create``, in a thread) and start it: its page. A full queue is
    noted under :data:`BUSY`; ``create``'s other refusals are the caller's to name."""
    try:
        job = await run_in_threadpool(create)
    except jobs.TooManyJobsError as exc:
        errors[BUSY] = str(exc)
        return None
    jobs.launch(db, job.id, database_url=database_url, time_limit=web.scenario_time_limit)
    return redirect(f"/scenarios/jobs/{job.id}")


def status_of(errors: FieldErrors) -> int:
    """429 when the queue was full, else 422."""
    return 429 if BUSY in errors else 422


def refused(page: HTMLResponse, errors: FieldErrors) -> HTMLResponse:
    """The form's page again; with a full queue, when to retry."""
    if BUSY in errors:
        page.headers["Retry-After"] = "60"
    return page
