"""``opvang round export PATH``: the live matching round as a problem file (issue 11).

The round a matching run would solve now (or as of ``--as-of``), read from the configured
database (``OPVANG_DATABASE_URL``) with the API's rulebook (``OPVANG_RULEBOOK``), written
in the ``opvang-problem/1`` format that ``opvang solve`` reads, so a real round can be
shared and benchmarked. Case ids stay as in the live data (pseudonymous); the export is
audited (actor ``cli``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.errors import EXIT_INPUT, err_console, user_errors
from api.cli.files import check_writable, write_whole

CLI_ACTOR = "cli"  # the audit log's actor for exports made on the command line

app = typer.Typer(help="The live matching round.", no_args_is_help=True)


def _moment(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        err_console.print(
            f"[bold red]error:[/] --as-of: {text!r} is not an ISO 8601 moment with a "
            "timezone (for example 2026-12-03T09:00+01:00)",
            highlight=False,
        )
        raise typer.Exit(EXIT_INPUT)
    return moment


@app.command("export")
def export(
    path: Annotated[Path, typer.Argument(help="Write the problem file here.")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The round's moment, ISO 8601 with timezone (default: now)."),
    ] = None,
) -> None:
    """Write the live round as a problem file that `opvang solve` reads (audited)."""
    import flows
    from api.database import Database
    from api.settings import ApiSettings
    from capacity import rulebook_from

    moment = _moment(as_of)
    check_writable(path)
    with user_errors():
        settings = ApiSettings(inline_sqlite_writes=False)
        rulebook = rulebook_from(settings.rulebook)
        db = Database(settings, create=False)
        try:
            with db.audited_read() as session:
                exported = flows.export_round(
                    session,
                    as_of=moment,
                    rulebook=rulebook,
                    by=CLI_ACTOR,
                    staleness=settings.staleness_rule(),
                )
                write_whole(path, json.dumps(exported.problem) + "\n")
        finally:
            db.close()
    problem = exported.problem
    err_console.print(
        f"round as of {moment.isoformat()}: {len(problem['cases'])} cases x "
        f"{len(problem['facilities'])} facilities, {len(problem['options'])} eligible pairs "
        f"-> {path}",
        highlight=False,
    )
