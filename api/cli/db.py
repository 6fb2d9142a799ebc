"""``opvang db``: the database schema, backups and restoring them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.errors import err_console
from store import (
    BackupError,
    BackupInfo,
    DatabaseSettings,
    current_revision,
    ensure_database,
    invalid_records,
    session_scope,
)
from store import (
    backup as make_backup,
)
from store import (
    restore as restore_backup,
)

app = typer.Typer(help="Database schema, backups and restoring them.", no_args_is_help=True)
console = Console()
EXIT_NO_BACKUP = 1  # nothing was backed up or restored (PostgreSQL: use its own tools)
EXIT_INVALID_RECORDS = 1  # some stored records break today's rules
KINDS = (  # in the order db check lists (store.integrity.CHECKED)
    ("funding stream", "funding stream(s)"),
    ("facility", "facility(ies)"),
    ("availability report", "availability report(s)"),
    ("case", "case(s)"),
    ("placement", "placement(s)"),
    ("keep-apart pair", "keep-apart pair(s)"),
    ("matching run", "matching run(s)"),
    ("proposal", "proposal(s)"),
)


@app.command("upgrade")
def upgrade() -> None:
    """Create the database if needed and migrate it to the latest schema (OPVANG_DATABASE_URL)."""
    settings = DatabaseSettings()
    engine = ensure_database(settings.database_url)
    where = engine.url.render_as_string(hide_password=True)
    console.print(f"database {where} at revision {current_revision(engine)}")
    engine.dispose()


@app.command("check")
def check() -> None:
    """List the stored records (funding streams, facilities, availability reports, cases,
    placements, keep-apart pairs, matching runs' wait records, proposals) that break rules
    made after they were stored, a line for each field that breaks one (exit 1 if any)."""
    engine = ensure_database(DatabaseSettings().database_url, create=False)
    try:
        with session_scope(engine) as session:
            found = invalid_records(session)
    finally:
        engine.dispose()
    if not found:
        console.print("every stored record meets today's rules")
        return
    for exc in found:
        for field, reason in exc.problems:  # a line per field: one pass names them all
            err_console.print(
                f"{exc.kind} {exc.identifier}: {field} {reason}", highlight=False, markup=False
            )
    counts = Counter(exc.kind for exc in found)
    *most, last = [f"{counts[kind]} stored {words}" for kind, words in KINDS if counts[kind]]
    said = f"{', '.join(most)} and {last}" if most else last
    err_console.print(
        f"{said} break today's rules: correct them before coordinators read the waiting list "
        "or a round runs (docs/operations.md, 'Records stored before a rule')",
        highlight=False,
    )
    raise typer.Exit(EXIT_INVALID_RECORDS)


def _said(info: BackupInfo, verb: str) -> None:
    console.print(
        f"{verb} {info.path} ({info.size_bytes:,} bytes, schema revision {info.revision}, "
        f"{info.reports:,} availability reports)",
        highlight=False,
    )


@app.command("backup")
def backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")],
) -> None:
    """Back up the SQLite database while the service runs (PostgreSQL: pg_dump, see below)."""
    try:
        info = make_backup(DatabaseSettings().database_url, path)
    except BackupError as exc:
        err_console.print(f"[bold red]no backup made:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_NO_BACKUP) from None
    _said(info, "backed up to")


@app.command("restore")
def restore(
    path: Annotated[Path, typer.Argument(help="A backup made by 'opvang db backup'.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite the existing database.")
    ] = False,
) -> None:
    """Restore a backup into the SQLite database (stop the service first), then migrate it."""
    settings = DatabaseSettings()
    try:
        info = restore_backup(settings.database_url, path, replace=replace)
    except BackupError as exc:
        err_console.print(f"[bold red]nothing restored:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_NO_BACKUP) from None
    engine = ensure_database(settings.database_url)
    try:
        _said(info, "restored")
        console.print(f"database now at schema revision {current_revision(engine)}")
    finally:
        engine.dispose()
