"""``opvang users``: users, their bearer tokens (API) and passwords (dashboard)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from api.auth import lifecycle, service
from api.auth.passwords import hash_password, password_problem
from api.auth.roles import Role
from api.auth.schemas import UserCreate
from api.cli.errors import EXIT_INPUT, err_console, user_errors
from api.database import Database
from api.errors import ApiError, FieldError
from api.settings import ApiSettings

CLI_ACTOR = "cli"  # the audit log's actor for users made on the command line

app = typer.Typer(
    help="Users: bearer tokens for the API, passwords for the dashboard.", no_args_is_help=True
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
            where = ".".join(str(x) for x in err["loc"])
            err_console.print(f"[bold red]error:[/] {where}: {err['msg']}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        except ApiError as exc:
            where = f"{exc.loc[-1]}: " if isinstance(exc, FieldError) else ""
            err_console.print(f"[bold red]error:[/] {where}{exc.detail}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        finally:
            db.close()


def read_password() -> str:
    """A new password: asked twice on a terminal, else the first line of standard input.

    Exits with code 2 when it is too short or too long (see :mod:`api.auth.passwords`).
    """
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password)
    if problem is not None:
        err_console.print(f"[bold red]error:[/] password: {problem}", highlight=False)
        raise typer.Exit(EXIT_INPUT)
    return password


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Unique user name (no personal data needed).")],
    role: Annotated[Role, typer.Option("--role", help="Role of the user.")],
    provider: Annotated[
        str | None, typer.Option("--provider", help="Provider id (region_reporter).")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Region id (region_reporter).")
    ] = None,
    password: Annotated[
        bool,
        typer.Option(
            "--password",
            help="Also set a password for the dashboard: asked on the terminal, or read "
            "from the first line of standard input.",
        ),
    ] = False,
) -> None:
    """Create a user and print its bearer token (shown once; only its hash is stored)."""
    password_hash = hash_password(read_password()) if password else None
    with _database(create=True) as db:  # docs/api.md: the first user before 'opvang serve'
        new = UserCreate(name=name, role=role, provider_id=provider, region_id=region)
        created = service.create(db, new=new, actor=CLI_ACTOR, password_hash=password_hash)
    err_console.print(
        f"user {name} ({role.value}) created; its token is shown once, keep it safe:",
        highlight=False,
    )
    typer.echo(created.token)


@app.command("list")
def list_users() -> None:
    """List users with their role and scope."""
    with _database() as db:
        users = service.list_(db)
    table = Table("id", "name", "role", "provider", "region", "active")
    for u in users.data:
        table.add_row(
            str(u.id), u.name, u.role.value, u.provider_id or "", u.region_id or "", str(u.active)
        )
    console.print(table)


@app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="User whose access to revoke.")]) -> None:
    """Revoke every token, end every dashboard session and clear the password.

    Nothing lets the user in afterwards until an admin gives a new token (`users token`)
    or password (`users password`).
    """
    with _database() as db:
        ended = lifecycle.revoke(db, name=name, actor=CLI_ACTOR)
    err_console.print(
        f"revoked {ended.tokens} token(s) of {name}; ended {ended.sessions} dashboard "
        "session(s); password cleared",
        highlight=False,
    )


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="User to disable.")]) -> None:
    """Disable a user: no sign-in and no token works; their dashboard sessions end.

    Tokens and password are kept, so `users enable` restores access as it was.
    """
    with _database() as db:
        ended = lifecycle.set_active(db, name=name, active=False, actor=CLI_ACTOR)
    err_console.print(
        f"{name} disabled; ended {ended.sessions} dashboard session(s)", highlight=False
    )


@app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="User to enable again.")]) -> None:
    """Enable a disabled user again (their tokens and password work again)."""
    with _database() as db:
        lifecycle.set_active(db, name=name, active=True, actor=CLI_ACTOR)
    err_console.print(f"{name} enabled", highlight=False)


@app.command("token")
def token(name: Annotated[str, typer.Argument(help="User to give a new bearer token.")]) -> None:
    """Issue a new bearer token for an existing user (shown once; only its hash is stored)."""
    with _database() as db:
        issued = lifecycle.issue_token(db, name=name, actor=CLI_ACTOR)
    err_console.print(f"new token for {name}; it is shown once, keep it safe:", highlight=False)
    typer.echo(issued)


@app.command("password")
def set_password(
    name: Annotated[str, typer.Argument(help="User whose dashboard password to set.")],
    clear: Annotated[
        bool, typer.Option("--clear", help="Remove the password: no dashboard sign-in.")
    ] = False,
) -> None:
    """Set (or replace, or with --clear remove) a user's dashboard password; their open
    sessions end."""
    password_hash = None if clear else hash_password(read_password())
    with _database() as db:
        lifecycle.set_password(db, name=name, password_hash=password_hash, actor=CLI_ACTOR)
    if clear:
        err_console.print(f"password of {name} cleared", highlight=False)
    else:
        err_console.print(f"password of {name} set; sign in at /login", highlight=False)
