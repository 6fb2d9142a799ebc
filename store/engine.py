"""Engines, units of work and migrations.

SQLite is the embedded default (one file, WAL mode, created and migrated on first use);
PostgreSQL is the production database. Both run the same Alembic migrations.

SQLite detail: pysqlite's own transaction handling starts transactions late (DEFERRED),
so the loser of a read-then-write race fails at once with "database is locked". The
engine takes over ``BEGIN`` itself, and a unit of work opened with ``immediate=True``
starts with ``BEGIN IMMEDIATE``: a second writer then waits (up to the busy timeout) and
sees the first writer's changes, instead of failing. Such units of work of one process
take their turns in the order they came (:mod:`store.write_queue`): SQLite's own waiting
lets later writers overtake, without end under steady load.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from store.errors import DatabaseNotFoundError, MigrationsNotFoundError
from store.repository import Repository
from store.write_queue import for_file

SQLITE_BUSY_TIMEOUT_S = 15.0  # seconds a writer waits for another writer's lock
MIGRATIONS_DIR = (
    Path(__file__).resolve().parent / "migrations"
)  # inside the package: a wheel has them
MIGRATION_LOCK_KEY = 0x4F7076616E67  # PostgreSQL advisory lock id ("Opvang" in ASCII)


def make_engine(url: str) -> Engine:
    """Create an engine for a database URL.

    For SQLite, the file's folder is created when missing, every connection is switched to
    WAL mode with foreign keys enforced, and transactions begin with the mode named by the
    execution option ``sqlite_begin`` (``"DEFERRED"`` unless told otherwise; see
    :func:`session_scope`).

    Parameters
    ----------
    url
        SQLAlchemy database URL (``sqlite:///opvang.db``,
        ``postgresql+psycopg://user@host/db``).

    Returns
    -------
    Engine
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if in_memory:
        # One shared connection, or every checkout would see its own empty database.
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
            poolclass=StaticPool,
        )
    else:
        path = _sqlite_path(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    _install_sqlite_hooks(engine)
    return engine


def _sqlite_path(parsed: URL) -> Path | None:
    """The file an SQLite URL names (``None``: another database, one in memory, or a
    ``file:`` URI, which SQLite resolves itself)."""
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    return None if database.startswith("file:") else Path(database).expanduser().resolve()


def refuse_missing_file(url: str) -> None:
    """Refuse an SQLite URL whose file does not exist, before anything is created.

    Raises
    ------
    DatabaseNotFoundError
        When the URL names an SQLite file that does not exist.
    """
    parsed = make_url(url)
    path = _sqlite_path(parsed)
    if path is not None and not path.exists():
        raise DatabaseNotFoundError(parsed.render_as_string(hide_password=True), path)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _on_begin)
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"sqlite_begin must be DEFERRED, IMMEDIATE or EXCLUSIVE, not {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine, *, immediate: bool = False) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back when it raises.

    Parameters
    ----------
    engine
        An engine from :func:`make_engine`.
    immediate
        Take the write lock at the start (SQLite ``BEGIN IMMEDIATE``), for units of work
        that read and then write on what they read (accepting the last bed). Such units of
        work of one process on one SQLite file take their turns in the order they came
        (:mod:`store.write_queue`). On PostgreSQL this is an ordinary transaction: lock
        the rows with ``with_for_update()``.

    Yields
    ------
    Session
        Objects stay readable after the commit (``expire_on_commit=False``).

    Raises
    ------
    sqlalchemy.exc.OperationalError
        "database is locked" when an SQLite writer's turn does not come within the busy
        timeout (the API answers 503).
    """
    if not (immediate and is_sqlite(engine)):
        with _unit(engine) as session:
            yield session
        return
    with _writer_turn(engine), _unit(engine.execution_options(sqlite_begin="IMMEDIATE")) as session:
        yield session


@contextmanager
def _unit(bind: Engine) -> Iterator[Session]:
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def _writer_turn(engine: Engine) -> Iterator[None]:
    """Wait for this unit of work's turn among the process's writers of the SQLite file
    (:mod:`store.write_queue`), up to the busy timeout, before it takes a connection.

    Raises
    ------
    sqlalchemy.exc.OperationalError
        "database is locked", as SQLite's own timeout raises it, when the turn does not
        come in time.
    """
    path = _sqlite_path(engine.url)
    if path is None:  # in memory (one shared connection) or a URI: SQLite's waiting alone
        yield
        return
    queue = for_file(path)
    if not queue.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
        locked = sqlite3.OperationalError("database is locked")
        raise OperationalError("BEGIN IMMEDIATE", None, locked)
    try:
        yield
    finally:
        queue.release()


def _alembic_config(connection: Connection) -> Config:
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise MigrationsNotFoundError(MIGRATIONS_DIR)
    config = Config()  # no ini file: Alembic leaves the caller's logging alone
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    config.attributes["configure_logger"] = False
    return config


@contextmanager
def _migration_transaction(engine_or_url: Engine | str) -> Iterator[Connection]:
    """A transaction that only one process at a time holds, for migrating and seeding.

    Several API workers may start at once against one database; they take turns (an
    advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) and the later ones find
    the work done.
    """
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        bind = engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine
        with bind.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            yield connection
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Migrate the database up to a revision (all the way by default).

    Parameters
    ----------
    engine_or_url
        An engine, or a URL (an engine is then made and disposed of).
    revision
        Alembic revision to reach.

    Raises
    ------
    MigrationsNotFoundError
        When the ``migrations/`` folder is missing (an installation without the sources).
    """
    with _migration_transaction(engine_or_url) as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(engine_or_url: Engine | str, revision: str = "base") -> None:
    """Migrate the database down to a revision (``"base"``: drop everything).

    Parameters
    ----------
    engine_or_url
        An engine, or a URL.
    revision
        Alembic revision to reach.

    Raises
    ------
    MigrationsNotFoundError
        When the ``migrations/`` folder is missing.
    """
    with _migration_transaction(engine_or_url) as connection:
        command.downgrade(_alembic_config(connection), revision)


def known_revisions() -> frozenset[str]:
    """Every schema revision this installation's migrations know.

    Raises
    ------
    MigrationsNotFoundError
        When the ``migrations/`` folder is missing.
    """
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise MigrationsNotFoundError(MIGRATIONS_DIR)
    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    return frozenset(r.revision for r in scripts.walk_revisions())


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (``None``: never migrated).

    Parameters
    ----------
    engine
        The database.

    Returns
    -------
    str or None
    """
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_database(url: str, *, create: bool = True) -> Engine:
    """Engine for a database that is created, migrated and seeded on first use.

    Runs the migrations up to ``head`` and stores the 35 regions when they are missing
    (every facility and case refers to one), in one transaction, so the result is ready
    for use and concurrent first starts do not collide.

    Parameters
    ----------
    url
        SQLAlchemy database URL.
    create
        Whether a missing SQLite file may be created (with its folder). Commands that
        read or change what is stored pass ``False``: a mistyped path then fails instead
        of answering from a new, empty database.

    Returns
    -------
    Engine

    Raises
    ------
    DatabaseNotFoundError
        When ``create`` is false and the URL names an SQLite file that does not exist
        (nothing is created).
    MigrationsNotFoundError
        When the ``migrations/`` folder is missing.
    """
    if not create:
        refuse_missing_file(url)
    engine = make_engine(url)
    with _migration_transaction(engine) as connection:
        command.upgrade(_alembic_config(connection), "head")
        with Session(bind=connection) as session:
            Repository(session).ensure_regions()
            session.flush()
    return engine
