"""``opvang retention apply [--dry-run]``: erase what is past its retention term (issue 16).

The terms come from ``OPVANG_RETENTION_*`` (``docs/privacy.md``); the job is
:func:`flows.apply_retention`, which a scheduler can call as well.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from api.cli.errors import EXIT_INPUT, err_console, user_errors
from flows import RetentionReport, RetentionSettings, apply_retention
from store import DatabaseSettings, ensure_database, session_scope

CLI_ACTOR = "retention"  # the audit log's actor of an erasure from the command line
app = typer.Typer(help="Retention: erase records past their term.", no_args_is_help=True)
console = Console()


@app.command("apply")
def apply(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what is past its term; erase nothing.")
    ] = False,
) -> None:
    """Erase discharged and withdrawn cases, proposals and audit entries past their term."""
    try:
        settings = RetentionSettings()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "OPVANG_RETENTION_*"
        err_console.print(f"[bold red]error:[/] {where}: {err['msg']}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    with user_errors():
        engine = ensure_database(DatabaseSettings().database_url, create=False)
        try:
            with session_scope(engine, immediate=True) as session:
                report = apply_retention(
                    session,
                    policy=settings.policy(),
                    now=datetime.now(UTC),
                    by=CLI_ACTOR,
                    dry_run=dry_run,
                )
        finally:
            engine.dispose()
    console.print(summary(report, settings))


def summary(report: RetentionReport, settings: RetentionSettings) -> Table:
    """What was (or would be) erased, by kind, with each kind's term."""
    verb = "would be erased (dry run)" if report.dry_run else "erased"
    table = Table(title=f"Retention on {report.now:%Y-%m-%d}: {verb}")
    for name in ("records", "term (days)", "count"):
        table.add_column(name)
    table.add_row(
        "discharged cases", str(settings.discharged_days), str(len(report.discharged_cases))
    )
    table.add_row("withdrawn cases", str(settings.withdrawn_days), str(len(report.withdrawn_cases)))
    table.add_row("proposals", str(settings.proposals_days), str(report.proposals))
    table.add_row("audit entries", str(settings.audit_days), str(report.audit_entries))
    return table
