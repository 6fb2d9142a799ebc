"""Column types shared by the models: timestamps that are always UTC and aware."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored as UTC on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones and keeps the text of the
    UTC time. Values written must be timezone-aware; values read are aware and in UTC,
    so comparisons between stored and domain times never mix naive and aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to UTC (naive UTC for SQLite).

        Raises
        ------
        ValueError
            When the value carries no timezone: its meaning would be a guess.
        """
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a timezone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - the signature is SQLAlchemy's
    ) -> datetime | None:
        """Return the stored time as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
