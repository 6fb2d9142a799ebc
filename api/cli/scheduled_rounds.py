"""``opvang rounds``: a matching round from cron, and the lapse sweep (issue 14).

The service runs its own daily round (``opvang serve``); where a site prefers cron,
``opvang rounds run --daily`` runs the same round and claims the same daily slot, so the
service and cron never both run it on one day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.errors import err_console, user_errors
from api.database import Database
from api.settings import ApiSettings

if TYPE_CHECKING:  # the solver stack is imported when a command runs, not for --help
    from api.scheduler import Jobs

app = typer.Typer(help="Matching rounds from cron, and the lapse of overdue proposals.")


@contextmanager
def _jobs() -> Iterator[Jobs]:
    from api.scheduler import Jobs
    from capacity import rulebook_from

    with user_errors():
        settings = ApiSettings(inline_sqlite_writes=False)
        db = Database(settings, create=False)
        try:
            yield Jobs(db, settings, rulebook_from(settings.rulebook), holder="cron")
        finally:
            db.close()


@app.command("run")
def run(
    daily: Annotated[
        bool,
        typer.Option(
            "--daily",
            help="Today's daily round: skipped when it ran already (by the service or cron).",
        ),
    ] = False,
) -> None:
    """Lapse overdue proposals, then run a matching round now, recorded by 'scheduler'."""
    from api.matching_runs.schemas import RunPublic
    from api.matching_runs.service import run_round
    from api.scheduler import DAILY_ROUND, SCHEDULER_ACTOR
    from capacity.clock import local_date
    from store.service import FAILED, SchedulerRepository

    now = datetime.now(UTC)
    with _jobs() as jobs:
        lapsed = jobs.sweep(now)
        if daily:
            slot = local_date(now).isoformat()
            with jobs.db.unit(immediate=True) as session:
                slots = SchedulerRepository(session)
                # a day whose round failed is run again by hand, once mended
                claimed = slots.claim(DAILY_ROUND, slot, holder="cron") or slots.claim_failed(
                    DAILY_ROUND, slot, holder="cron"
                )
            if not claimed:
                err_console.print(f"today's daily round ({slot}) already ran", highlight=False)
                return
        try:
            result = run_round(
                jobs.db, by=SCHEDULER_ACTOR, now=now, rulebook=jobs.rulebook, settings=jobs.settings
            )
        except Exception as exc:
            if daily:  # the day stays open for a retry: the failure is recorded, not a run
                with jobs.db.unit(immediate=True) as session:
                    SchedulerRepository(session).finish(
                        DAILY_ROUND, slot, outcome=f"{FAILED} {type(exc).__name__}"
                    )
                err_console.print(
                    f"today's daily round ({slot}) failed; run 'opvang rounds run --daily' "
                    "again once the cause is mended",
                    highlight=False,
                )
            raise
        assert isinstance(result, RunPublic)  # no idempotency key: never a replay
        if daily:
            with jobs.db.unit(immediate=True) as session:
                SchedulerRepository(session).finish(DAILY_ROUND, slot, outcome=f"run {result.id}")
    err_console.print(
        f"{lapsed} proposals lapsed; matching run {result.id}: {result.status}, "
        f"{len(result.proposals)} proposals, {len(result.waits)} cases wait",
        highlight=False,
    )
    typer.echo(result.id)


@app.command("lapse")
def lapse() -> None:
    """Lapse every pending proposal past its deadline now."""
    with _jobs() as jobs:
        lapsed = jobs.sweep(datetime.now(UTC))
    err_console.print(f"{lapsed} proposals lapsed", highlight=False)
