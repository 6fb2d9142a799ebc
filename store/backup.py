"""Backups of the database and restoring them (issue 16).

SQLite: :func:`backup` copies the live database with SQLite's online backup API, which
reads one consistent snapshot while the service goes on writing (WAL mode: writers are not
blocked), checks the copy's integrity and moves it into place only when it is whole.
:func:`restore` checks a backup the same way, copies it over the configured database with
the same API (under the database's lock, so no connection sees half of it) and migrates it
to the current schema.

PostgreSQL has its own tools for this, and they are better than anything here:
:data:`PG_DUMP_RECIPE` says how (``docs/operations.md``).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from store.engine import known_revisions, refuse_missing_file
from store.errors import BackupError

PG_DUMP_RECIPE = (
    "PostgreSQL databases are backed up with PostgreSQL's own tools, not by opvang:\n"
    '  pg_dump --format=custom --file=opvang.dump "$OPVANG_DATABASE_URL"\n'
    "and restored (into an empty database, the service stopped) with\n"
    '  pg_restore --clean --if-exists --no-owner --dbname="$OPVANG_DATABASE_URL" opvang.dump\n'
    "(the URL without the '+psycopg' driver part); see docs/operations.md."
)
BUSY_TIMEOUT_S = 30.0  # seconds to wait for a writer's lock before giving up


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """A backup made or restored.

    Parameters
    ----------
    path
        The backup file.
    size_bytes
        Its size.
    revision
        The schema revision it holds (Alembic's).
    reports
        Availability reports in it (a quick check that it holds what was expected).
    """

    path: Path
    size_bytes: int
    revision: str | None
    reports: int


def sqlite_file(url: str) -> Path:
    """The file of an SQLite database URL.

    Raises
    ------
    BackupError
        For PostgreSQL (with :data:`PG_DUMP_RECIPE`) or an in-memory database.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(PG_DUMP_RECIPE)
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise BackupError("an in-memory database has nothing to back up")
    return Path(database).expanduser().resolve()


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)


def _checked(connection: sqlite3.Connection, path: Path) -> BackupInfo:
    """Integrity and schema of a database file, or :class:`BackupError` saying what is wrong."""
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an SQLite database ({exc})") from None
    if verdict is None or verdict[0] != "ok":
        raise BackupError(f"{path} is damaged: {verdict[0] if verdict else 'no answer'}")
    if "alembic_version" not in tables or "availability_reports" not in tables:
        raise BackupError(f"{path} is not an Opvang database (no schema revision)")
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    reports = connection.execute("SELECT count(*) FROM availability_reports").fetchone()
    return BackupInfo(path, path.stat().st_size, revision[0] if revision else None, reports[0])


def backup(url: str, target: Path) -> BackupInfo:
    """Copy the live SQLite database to ``target`` (a new file), consistently.

    Parameters
    ----------
    url
        The database's URL.
    target
        Where the backup goes; it must not exist.

    Returns
    -------
    BackupInfo

    Raises
    ------
    BackupError
        For PostgreSQL (use ``pg_dump``: the message says how), a database path that is
        no file, a target that exists, or a copy that does not check out.
    DatabaseNotFoundError
        When the database file does not exist.
    """
    source = sqlite_file(url)
    refuse_missing_file(url)  # a settings error, as for every command that reads
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    target = target.expanduser().resolve()
    if target.exists():
        raise BackupError(f"{target} exists; a backup never overwrites a file")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(_connect(source)) as src, closing(_connect(partial)) as dst:
            src.backup(dst)  # one step: one consistent snapshot, writers go on (WAL)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            info = _checked(dst, partial)
        _fsync(partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:  # a folder not writable, a damaged database
        raise BackupError(f"no backup made: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(target, target.stat().st_size, info.revision, info.reports)


def restore(url: str, source: Path, *, replace: bool = False) -> BackupInfo:
    """Copy a backup over the configured SQLite database.

    The service should be stopped: a restore takes the database's lock while it copies,
    but requests answered before it are lost from the restored state by definition.
    Migrate afterwards (:func:`store.ensure_database` does).

    Parameters
    ----------
    url
        The database's URL (the file is created when missing).
    source
        The backup file.
    replace
        Whether an existing database may be overwritten.

    Returns
    -------
    BackupInfo
        What the backup held.

    Raises
    ------
    BackupError
        For PostgreSQL (use ``pg_restore``), a backup that is missing, damaged or not an
        Opvang database, or an existing database without ``replace``.
    """
    target = sqlite_file(url)
    source = source.expanduser().resolve()
    if not source.is_file():
        raise BackupError(f"there is no backup at {source}")
    if source == target:
        raise BackupError("the backup is the database itself")
    if target.exists() and target.stat().st_size > 0 and not replace:
        raise BackupError(f"{target} exists; give --replace to overwrite it with the backup")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        info = _checked(src, source)
        if info.revision not in known_revisions():
            # checked before the database is touched: a backup of a newer version left
            # the live database replaced and unusable (alembic knew no such revision)
            raise BackupError(
                f"{source} is at schema revision {info.revision}, which this version of "
                "Opvang does not know (a backup made by a newer version?)"
            )
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with closing(_connect(target)) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
        except (OSError, sqlite3.Error) as exc:
            raise BackupError(f"{target} cannot be written ({exc})") from None
    return info


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
