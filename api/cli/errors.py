"""Turning domain errors into a message and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

EXIT_INPUT = 2  # bad input: a file, a field or an argument was refused

err_console = Console(stderr=True, soft_wrap=True)  # never break an error message mid-path


def _domain_errors() -> tuple[type[Exception], ...]:
    """The domain's error classes, of the packages imported so far (a package that was
    never imported raised nothing; importing it only to name its errors would cost the
    start-up of every command)."""
    found = []
    pairs = (("capacity.errors", "CapacityError"), ("matching.errors", "MatchingError"))
    for module, name in pairs:
        if module in sys.modules:
            found.append(getattr(sys.modules[module], name))
    return tuple(found)


@contextmanager
def user_errors() -> Iterator[None]:
    """Report capacity and matching errors as ``error: ...`` on stderr and exit with 2 (an
    error of the settings, such as a database that does not exist, names the setting)."""
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, _domain_errors()):
            raise
        err_console.print(f"[bold red]error:[/] {error_text(exc)}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


def error_text(exc: Exception) -> str:
    """What ``error: ...`` says for a domain error: its message, or for an error of the
    settings (a database that does not exist) the setting and what is wrong with it."""
    return _environment_message(exc) or str(exc)


def _database_url() -> str:
    """The configured database URL with any password hidden (for a message)."""
    url = os.environ.get("OPVANG_DATABASE_URL", "sqlite:///opvang.db")
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as given
        return url


def _environment_message(exc: Exception) -> str | None:
    """What to tell the user for an error of the machine or the settings (else ``None``).

    Only modules already imported are looked at: a command that never touched the
    database raised nothing of SQLAlchemy's.
    """
    if "store.errors" in sys.modules:
        from store.errors import DatabaseNotFoundError

        if isinstance(exc, DatabaseNotFoundError):
            return f"OPVANG_DATABASE_URL: {exc}"
    if "sqlalchemy" in sys.modules:
        from sqlalchemy import exc as sa

        if isinstance(exc, sa.ArgumentError):
            return f"OPVANG_DATABASE_URL: {_database_url()!r} is not a database URL ({exc})"
        if isinstance(exc, sa.OperationalError) or type(exc) is sa.DatabaseError:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            return f"the database {_database_url()} (OPVANG_DATABASE_URL) cannot be used: {reason}"
    if "pydantic_core" in sys.modules:
        from pydantic_core import ValidationError

        if isinstance(exc, ValidationError) and exc.title.endswith("Settings"):
            return "; ".join(
                f"OPVANG_{'_'.join(str(p) for p in e['loc']).upper()}: "
                f"{e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors(include_url=False)
            )
    return None


@contextmanager
def environment_errors() -> Iterator[None]:
    """Errors of the machine or the settings, for every command: a message and exit 2.

    A database URL that points nowhere, a setting out of range, a file that cannot be
    read or written: the user can mend them, so they get the reason, not a traceback.
    """
    try:
        yield
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        err_console.print(f"[bold red]error:[/] {where}{exc.strerror or exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except Exception as exc:
        message = _environment_message(exc)
        if message is None:
            raise
        err_console.print(f"[bold red]error:[/] {message}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
