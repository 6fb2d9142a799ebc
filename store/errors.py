"""Errors of the persistence layer.

They extend :class:`capacity.errors.CapacityError`, so callers that map domain errors to
user-facing answers (the API's 4xx, the CLI's messages) handle them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from capacity.errors import CapacityError


class PersistenceError(CapacityError):
    """Base class of the errors raised by :mod:`store`."""


class DuplicateRecordError(PersistenceError):
    """A record with this identifier is already stored.

    Parameters
    ----------
    kind
        What kind of record (``"case"``, ``"placement"``).
    identifier
        The identifier that is taken.
    """

    def __init__(self, kind: str, identifier: str) -> None:
        self.kind = kind
        self.identifier = identifier
        super().__init__(f"{kind} {identifier!r} already exists")


class StoredRecordError(PersistenceError):
    """A stored row breaks rules of today's value objects: stored before the rules existed.

    Not the request's fault (so never a 422 on its body): an administrator corrects the
    record, and ``opvang db check`` lists every such row. The message names every field
    that breaks a rule, as ``db check`` does, so one correction mends the record.

    Parameters
    ----------
    kind
        What kind of record (``"case"``, ``"facility"``).
    identifier
        Its id.
    problems
        The field and the rule, in words, of each rule it breaks (at least one), in the
        order the value object checks them.
    """

    def __init__(self, kind: str, identifier: str, problems: Sequence[tuple[str, str]]) -> None:
        self.kind = kind
        self.identifier = identifier
        self.problems = tuple(problems)
        rules = "a rule" if len(self.problems) == 1 else f"{len(self.problems)} rules"
        broken = "; ".join(f"{field} {reason}" for field, reason in self.problems)
        super().__init__(
            f"stored {kind} {identifier} breaks {rules} made after it was stored: {broken}; "
            "an administrator must correct it (opvang db check lists every such record)"
        )


class DatabaseNotFoundError(PersistenceError):
    """A command that reads what is stored was pointed at an SQLite file that does not exist.

    Opening it would create an empty database (and its folder) and report that all is well
    about nothing: a mistyped path looked like a clean check.

    Parameters
    ----------
    url
        The database URL, any password hidden.
    path
        The file that does not exist.
    """

    def __init__(self, url: str, path: Path) -> None:
        self.url = url
        self.path = path
        super().__init__(
            f"{url} names no database: {path} does not exist (a mistyped path?); "
            "'opvang db upgrade' creates a new one"
        )


class IdempotencyConflictError(PersistenceError):
    """An idempotency key was reused for a different request.

    A retry with the same key and the same content is a no-op; the same key with other
    content is refused, because one of the two requests would otherwise be lost.

    Parameters
    ----------
    key
        The idempotency key.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"idempotency key {key!r} was already used for a different report")


class MigrationsNotFoundError(PersistenceError):
    """The Alembic ``migrations/`` folder is not where the package expects it.

    Parameters
    ----------
    path
        Where it was looked for.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"Alembic migrations folder not found at {path}; run from a source checkout "
            "(pip install -e .) so that migrations/ sits beside the capacity package"
        )


class BackupError(PersistenceError):
    """A backup or a restore that cannot be made; the message says why (and, for
    PostgreSQL, what to use instead)."""
