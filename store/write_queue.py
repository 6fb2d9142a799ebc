"""This process's writers of one SQLite file, served first come, first served.

SQLite has one write lock per file and no queue for it: a connection that finds it taken
sleeps and tries again (the busy handler: after 1, 2, 5, ... ms, then every 100 ms). A
writer that has waited a while thus tries least often, and writers that arrive later
take the lock before it, over and over: under steady load one can wait past the busy
timeout while no transaction holds the lock longer than a fifth of a second (issue 10's
load test, on a busy machine: a transaction held the lock 180 ms at most, a writer
waited 11 s for it, another past 15 s and got a 503). In one process the writers queue
here instead and the lock passes straight to the next in line; SQLite's busy handler is
then left to arbitrate between processes, one writer of each at a time.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from pathlib import Path

_queues: weakref.WeakValueDictionary[str, WriteQueue] = weakref.WeakValueDictionary()
_queues_lock = threading.Lock()


class WriteQueue:
    """A lock handed from one holder to the next waiter in the order they came.

    A thread that holds it may take it again (and then releases it as often): a unit of
    work opened inside another one waits for SQLite's lock as it did before the queue,
    instead of for itself.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[tuple[int, threading.Lock]] = deque()
        self._owner: int | None = None
        self._depth = 0

    @property
    def waiting(self) -> int:
        """How many threads wait for their turn."""
        with self._mutex:
            return len(self._waiting)

    def acquire(self, timeout: float) -> bool:
        """Wait for this thread's turn, at most ``timeout`` seconds (0: do not wait).

        Returns whether the thread holds the queue now.
        """
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None:  # free: then nobody waits either (release hands over)
                self._owner, self._depth = me, 1
                return True
            if timeout <= 0:
                return False
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append((me, turn))
        if turn.acquire(timeout=timeout):
            return True  # release() made this thread the owner before it let it go
        with self._mutex:
            if self._owner == me:  # handed over just as the wait ran out
                return True
            self._waiting.remove((me, turn))
            return False

    def release(self) -> None:
        """End this thread's turn (once per :meth:`acquire`); the next in line has it."""
        with self._mutex:
            if self._owner != threading.get_ident():
                raise RuntimeError("release() by a thread that does not hold the write queue")
            self._depth -= 1
            if self._depth:
                return
            if self._waiting:
                self._owner, turn = self._waiting.popleft()
                self._depth = 1
                turn.release()
            else:
                self._owner = None


def for_file(path: Path | str) -> WriteQueue:
    """The queue of this process's writers of an SQLite file (one per file, as long as
    someone holds or awaits it)."""
    key = str(Path(path).expanduser().resolve())
    with _queues_lock:
        queue = _queues.get(key)
        if queue is None:
            queue = _queues[key] = WriteQueue()
        return queue
