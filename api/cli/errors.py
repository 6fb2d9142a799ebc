"""Turning domain errors into a message and a non-zero exit, never a traceback."""

from __future__ import annotations

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
    """Report capacity and matching errors as ``error: ...`` on stderr and exit with 2."""
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, _domain_errors()):
            raise
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
