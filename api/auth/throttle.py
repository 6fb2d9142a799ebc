"""Sign-in throttling: failed attempts per user name and per client address, and a bound
on the password checks running at once (issue 10).

Sixty wrong passwords in 5.4 s were answered without a pause, and each check costs about
16 MiB and 86 ms of scrypt, an easy way to load the server. The windows are kept by the
``limits`` library (moving windows, the storage named by a URI: ``memory://`` per process by
default, ``redis://host:6379`` to share them between workers and hosts). Only failures
count; a successful sign-in clears the user name's windows, so a user who mistyped once
starts afresh. Several windows per key make the back-off: after 5 failures in a minute
the name waits for that minute, after 20 in an hour for the hour.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import anyio
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

P = ParamSpec("P")
T = TypeVar("T")
NAME_SCOPE = "sign-in-name"
ADDRESS_SCOPE = "sign-in-address"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A sign-in refused before the password was checked: when to try again, and why."""

    retry_after: int
    reason: str


class ChecksBusyError(Exception):
    """Too many password checks are waiting already; the caller answers 429."""


class SignInThrottle:
    """Moving windows of failed sign-ins, and a bounded queue of password checks.

    Parameters
    ----------
    per_name, per_address
        Limits in the ``limits`` notation, e.g. ``"5/minute;20/hour"``.
    storage_uri
        Where the windows are kept (``memory://``, ``redis://...``).
    checks_at_once
        Password checks (scrypt) that may run at the same time.
    checks_waiting
        Sign-ins that may wait for a check; more are refused at once (:class:`ChecksBusyError`).
    """

    def __init__(
        self,
        *,
        per_name: str,
        per_address: str,
        storage_uri: str = "memory://",
        checks_at_once: int = 2,
        checks_waiting: int = 16,
    ) -> None:
        self._per_name = parse_many(per_name)
        self._per_address = parse_many(per_address)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._checks = anyio.CapacityLimiter(checks_at_once)
        self._waiting_max = checks_waiting
        self._waiting = 0

    def _wait(self, limits: list[RateLimitItem], scope: str, key: str) -> int:
        """Seconds until one more failure would be allowed (0: allowed now)."""
        longest = 0.0
        for item in limits:
            if not self._limiter.test(item, scope, key):
                reset = self._limiter.get_window_stats(item, scope, key).reset_time
                longest = max(longest, reset - time.time())
        return math.ceil(longest) if longest > 0 else 0

    def refusal(self, name: str, address: str) -> Refusal | None:
        """Why a sign-in is refused before its password is checked (``None``: go on)."""
        by_name = self._wait(self._per_name, NAME_SCOPE, name)
        by_address = self._wait(self._per_address, ADDRESS_SCOPE, address)
        if by_name == 0 and by_address == 0:
            return None
        reason = "user name" if by_name >= by_address else "client address"
        return Refusal(max(by_name, by_address, 1), reason)

    def failed(self, name: str, address: str) -> None:
        """Count a failed sign-in in every window of the name and the address."""
        for item in self._per_name:
            self._limiter.hit(item, NAME_SCOPE, name)
        for item in self._per_address:
            self._limiter.hit(item, ADDRESS_SCOPE, address)

    def succeeded(self, name: str) -> None:
        """Forget the name's failures (the address keeps its count)."""
        for item in self._per_name:
            self._limiter.clear(item, NAME_SCOPE, name)

    async def check(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a password check in a worker thread, at most ``checks_at_once`` at a time.

        Raises
        ------
        ChecksBusyError
            When ``checks_waiting`` sign-ins wait already.
        """
        if self._waiting >= self._waiting_max:
            raise ChecksBusyError
        self._waiting += 1
        try:
            return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs), limiter=self._checks)
        finally:
            self._waiting -= 1
