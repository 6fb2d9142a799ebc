"""Result files the commands write: checked before the work, written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from api.cli.errors import EXIT_INPUT, err_console


def _refuse(path: Path, reason: str) -> None:
    err_console.print(f"[bold red]error:[/] {path}: cannot be written ({reason})", highlight=False)
    raise typer.Exit(EXIT_INPUT)


def check_writable(path: Path) -> None:
    """Refuse a path whose file could not be written, before a long solve, not after."""
    folder = path.parent
    if path.is_dir():
        _refuse(path, "it is a folder")
    if not folder.is_dir():
        _refuse(path, "no such folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        _refuse(path, "permission denied")


def write_whole(path: Path, text: str) -> None:
    """Write the whole file or nothing: a temporary file beside it, then renamed."""
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        _refuse(path, exc.strerror or str(exc))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        _refuse(path, exc.strerror or str(exc))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
