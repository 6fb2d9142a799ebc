"""A few asynchronous PostgreSQL connections, shared by the requests of one event loop.

The API's hot path on PostgreSQL (:mod:`store.pg_ledger`) runs on the
event loop, not in worker threads, so it needs connections that can be awaited. They are
asyncpg's: measured on this project's machine (issue 10), a checked report cost about
0.3 ms of client CPU on asyncpg against 0.6-0.7 ms on psycopg 3's ``AsyncConnection``
(with or without its pipeline mode), for the same statements and the same round trips to
the server. This keeps up to ``size`` of them per process, opened when first needed and
reused; a request waits for a free one. (asyncpg's own pool resets every connection it
takes back with an extra round trip; a connection here comes back idle or is closed.)

The connections belong to the first event loop that uses them: an asyncpg connection
lives on its loop. A caller on another loop (a second test client in another thread, say)
sees :meth:`PgConnections.serves_this_loop` false and takes its other path;
:meth:`PgConnections.close` forgets the loop, so the next loop may take the connections
over (an application's lifespan closes them at its end).
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import threading
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy.engine import URL


def connect_arguments(url: URL) -> dict[str, Any]:
    """The arguments of :func:`asyncpg.connect` for a SQLAlchemy PostgreSQL URL.

    The URL's query goes along (``sslmode``, ``application_name``, ...); libpq's
    ``options`` (``-c name=value`` pairs, as the tests use for ``search_path``) become
    server settings, which is what libpq does with them.

    Parameters
    ----------
    url
        ``postgresql+psycopg://user@host:5432/db?options=-csearch_path%3Dx``, say.

    Returns
    -------
    dict
        ``dsn`` and, when ``options`` were given, ``server_settings``.

    Raises
    ------
    ValueError
        When ``options`` holds anything but ``-c name=value`` pairs.
    """
    query = dict(url.query)
    options = query.pop("options", None)
    plain = url.set(drivername="postgresql", query=query)
    out: dict[str, Any] = {"dsn": plain.render_as_string(hide_password=False)}
    if options:
        text = options if isinstance(options, str) else " ".join(options)
        out["server_settings"] = _server_settings(text)
    return out


def _server_settings(options: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    words = iter(shlex.split(options))
    for word in words:
        pair = next(words, "") if word == "-c" else word.removeprefix("-c").removeprefix("--")
        name, equals, value = pair.partition("=")
        if not word.startswith("-") or not name or not equals:
            raise ValueError(f"options must be -c name=value pairs, not {options!r}")
        settings[name.replace("-", "_")] = value
    return settings


class PgConnections:
    """Up to ``size`` connections, handed out one unit of work at a time.

    Parameters
    ----------
    connect_kwargs
        Keyword arguments of :func:`asyncpg.connect` (see :func:`connect_arguments`).
    size
        Most connections open at once.
    """

    def __init__(self, connect_kwargs: dict[str, Any], *, size: int) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self._kwargs = connect_kwargs
        self._size = size
        self._idle: deque[Any] = deque()
        self._waiters: deque[asyncio.Future[Any]] = deque()
        self._open = 0  # connections open or being opened
        self._loop: asyncio.AbstractEventLoop | None = None
        self._binding = threading.Lock()

    def serves_this_loop(self) -> bool:
        """Whether calls from the running loop get connections (binds a first loop)."""
        loop = asyncio.get_running_loop()
        if self._loop is None:
            with self._binding:
                if self._loop is None:
                    self._loop = loop
        return self._loop is loop

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        """An ``asyncpg.Connection`` for one unit of work; it goes back to the others when
        the block ends, or is closed if it is closed already or still in a transaction.

        Raises
        ------
        RuntimeError
            When called from an event loop other than the one served (check with
            :meth:`serves_this_loop` first).
        """
        if not self.serves_this_loop():
            raise RuntimeError("these connections serve another event loop")
        conn = await self._take()
        try:
            yield conn
        finally:
            self._give_back(conn)

    async def _take(self) -> Any:
        while True:
            while self._idle:
                conn = self._idle.pop()  # the most recently used: its server process is warm
                if not conn.is_closed():
                    return conn
                self._open -= 1  # the server closed it while it was idle (a restart)
            if self._open < self._size:
                self._open += 1
                try:
                    return await asyncpg.connect(**self._kwargs)
                except BaseException:
                    self._open -= 1
                    self._pass_on(None)
                    raise
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                conn = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._pass_on(waiter.result())  # handed over, but no longer wanted
                raise
            if conn is not None and not conn.is_closed():
                return conn
            if conn is not None:
                self._open -= 1

    def _give_back(self, conn: Any) -> None:
        """Hand a connection to the longest waiter or keep it idle; close one that is
        closed or still in a transaction (and let a waiter open a new one)."""
        if conn.is_closed() or conn.is_in_transaction():
            self._open -= 1
            conn.terminate()  # the server rolls back what it had open
            self._pass_on(None)
        else:
            self._pass_on(conn)

    def _pass_on(self, conn: Any) -> None:
        """Give ``conn`` (``None``: room for a new one) to the first waiter still waiting:
        first come, first served, so no request waits behind later ones."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if conn is not None:
            self._idle.append(conn)

    def close(self) -> None:
        """Close the idle connections and forget the loop (connections reopen on use)."""
        while self._idle:
            self._open -= 1
            with contextlib.suppress(RuntimeError):  # its loop has ended: nothing to close on
                self._idle.pop().terminate()
        self._loop = None
