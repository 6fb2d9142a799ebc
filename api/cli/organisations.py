"""``opvang organisations``: the managed list a case's responsible organisation comes from
(issue 14: never free text)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from api.cli.errors import EXIT_INPUT, err_console, user_errors
from api.database import Database
from api.organisations import service
from api.organisations.schemas import OrganisationCreate
from api.settings import ApiSettings
from api.unit_of_work import write

CLI_ACTOR = "cli"  # the audit log's actor for changes made on the command line

app = typer.Typer(
    help="Organisations that may hold cases: add, list, remove (admins).", no_args_is_help=True
)
console = Console()


@contextmanager
def _database(*, create: bool = False) -> Iterator[Database]:
    """The database; only a command that adds a record may create it (a missing SQLite
    file is refused otherwise: a mistyped path would list or change nothing)."""
    with user_errors():
        db = Database(ApiSettings(inline_sqlite_writes=False), create=create)
        try:
            yield db
        except ValidationError as exc:
            err = exc.errors()[0]
            message = str(err["msg"]).removeprefix("Value error, ")
            err_console.print(f"[bold red]error:[/] name: {message}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        finally:
            db.close()


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The organisation's name, as cases name it.")],
) -> None:
    """Put an organisation on the list."""
    with _database(create=True) as db:
        new = OrganisationCreate(name=name)
        created = write(db, None, 201, partial(service.create, new=new, actor=CLI_ACTOR))
    err_console.print(f"organisation {created.name!r} added (id {created.id})", highlight=False)


@app.command("list")
def list_organisations() -> None:
    """List the organisations, by name."""
    with _database() as db:
        found = service.list_(db)
    table = Table("id", "name")
    for org in found.data:
        table.add_row(str(org.id), org.name)
    console.print(table)


@app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The organisation's name, exactly as listed.")],
) -> None:
    """Take an organisation off the list (cases it holds keep its name)."""
    with _database() as db:
        gone = write(db, None, 200, partial(service.delete, name=name, actor=CLI_ACTOR))
    err_console.print(f"organisation {gone.name!r} removed", highlight=False)
