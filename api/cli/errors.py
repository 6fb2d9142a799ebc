"""Turning domain errors into a message and a non-zero exit, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from capacity import CapacityError
from matching import MatchingError

EXIT_INPUT = 2  # bad input: a file, a field or an argument was refused

err_console = Console(stderr=True, soft_wrap=True)  # never break an error message mid-path


@contextmanager
def user_errors() -> Iterator[None]:
    """Report capacity and matching errors as ``error: ...`` on stderr and exit with 2."""
    try:
        yield
    except (CapacityError, MatchingError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
