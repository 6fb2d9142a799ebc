"""``opvang import facilities|cases|placements FILE``: a region's table into the database.

Every row is checked first; with ``--dry-run`` nothing is written, and without it the file
is written whole or not at all (issue 16). Problems are listed by row, column, value and
reason, and make the command exit with 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.errors import EXIT_INPUT, err_console, user_errors
from flows import InvalidInputError
from flows.imports import Action, ImportReport, Kind, import_file
from store import DatabaseSettings, ensure_database, session_scope

CLI_ACTOR = "cli"  # the audit log's actor of an import from the command line
console = Console()


def import_(
    kind: Annotated[Kind, typer.Argument(help="What the file holds.")],
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="A .csv or .xlsx file (a template)."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and say what would change.")
    ] = False,
) -> None:
    """Import facilities, cases or placements from a CSV or XLSX file (docs/import.md)."""
    with user_errors():
        engine = ensure_database(DatabaseSettings().database_url)
        try:
            with session_scope(engine, immediate=True) as session:
                report = import_file(
                    session,
                    kind,
                    file.read_bytes(),
                    filename=file.name,
                    by=CLI_ACTOR,
                    dry_run=dry_run,
                )
        except InvalidInputError as exc:
            err_console.print(f"[bold red]error:[/] {file.name}: {exc.reason}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        finally:
            engine.dispose()
    show(report)
    if report.problems:
        raise typer.Exit(EXIT_INPUT)


def show(report: ImportReport) -> None:
    """Print an import's problems (on stderr) and what it changed or would change."""
    if report.problems:
        table = Table(title=f"{len(report.problems)} problem(s) in {report.filename}")
        for name in ("row", "column", "value", "reason"):
            table.add_column(name)
        for p in report.problems:
            table.add_row(str(p.row), p.column, p.value, p.reason)
        err_console.print(table)
    created, updated = report.count(Action.CREATE), report.count(Action.UPDATE)
    for change in report.changes:
        if change.action == Action.UPDATE:
            fields = ", ".join(change.fields)
            console.print(f"row {change.row}: {change.id} changes {fields}", highlight=False)
    if report.written:
        verb = "imported"
    elif report.problems:
        verb = "nothing written; would import"
    else:
        verb = "dry run: would import"
    console.print(
        f"{report.kind}: {verb} {created} new, {updated} changed, "
        f"{report.unchanged} unchanged of {report.rows} rows",
        highlight=False,
    )
