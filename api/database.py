"""The database as the API uses it: the engine, units of work and the hot path's ledger
(SQLite: the inline connection; PostgreSQL: asynchronous connections)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.settings import ApiSettings
from store import InlineLedger, PgLedger, ensure_database, is_sqlite, session_scope


class Database:
    """One per process: nothing in it is state another worker would need.

    Parameters
    ----------
    settings
        Where the database is and whether to use the hot path's ledger.
    create
        Whether a missing SQLite file may be created (:func:`store.ensure_database`).
    """

    def __init__(self, settings: ApiSettings, *, create: bool = True) -> None:
        self._settings = settings
        self.engine: Engine = ensure_database(settings.database_url, create=create)
        self.inline: InlineLedger | None = None
        self.pg: PgLedger | None = None
        self.open()

    def open(self) -> None:
        """Open the hot path's ledger (when enabled): the inline connection on an SQLite
        file, the asynchronous connections on PostgreSQL (opened when first used); again
        after :meth:`close`."""
        database = self.engine.url.database or ""
        in_memory = database in ("", ":memory:") or database.startswith("file:")
        wanted = self._settings.inline_sqlite_writes and is_sqlite(self.engine) and not in_memory
        if wanted and self.inline is None:
            self.inline = InlineLedger(database, synchronous=self._settings.sqlite_synchronous)
        postgres = self.engine.dialect.name == "postgresql"
        if postgres and self._settings.async_postgres_writes and self.pg is None:
            size = self._settings.async_postgres_connections
            self.pg = PgLedger.for_engine(self.engine, size=size)

    def pg_ledger(self) -> PgLedger | None:
        """The PostgreSQL ledger when it serves the running event loop (call from one)."""
        return self.pg if self.pg is not None and self.pg.serves_this_loop() else None

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)

    @contextmanager
    def unit(self, *, immediate: bool = False) -> Iterator[Session]:
        """A unit of work (see :func:`store.session_scope`)."""
        with session_scope(self.engine, immediate=immediate) as session:
            yield session

    @contextmanager
    def audited_read(self) -> Iterator[Session]:
        """A unit of work that reads records and writes their audit entries.

        On SQLite it takes the write lock at the start (``BEGIN IMMEDIATE``), so it waits
        its turn behind other writers (up to the busy timeout) instead of failing: a read
        transaction that then writes fails at once with "database is locked" whenever
        another connection wrote since it began (issue 10: two readers of one case got
        47 % 503s). On PostgreSQL it is an ordinary transaction.
        """
        with session_scope(self.engine, immediate=True) as session:
            yield session

    def close(self) -> None:
        """Close the hot path's connections and the engine's pool (they reopen when used)."""
        if self.inline is not None:
            self.inline.close()
            self.inline = None
        if self.pg is not None:
            self.pg.close()
            self.pg = None
        self.engine.dispose()
