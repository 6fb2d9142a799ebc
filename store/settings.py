"""Database settings: the one place the database URL is read from the environment."""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///opvang.db"  # embedded default, relative to the working directory


class DatabaseSettings(BaseSettings):
    """Where the database is.

    Read from the environment with the prefix ``OPVANG_`` (``OPVANG_DATABASE_URL``).

    Parameters
    ----------
    database_url
        SQLAlchemy URL: ``sqlite:///path/to/opvang.db`` for the embedded default, or
        ``postgresql+psycopg://user@host:5432/opvang`` in production.
    """

    model_config = SettingsConfigDict(env_prefix="OPVANG_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL

    @field_validator("database_url")
    @classmethod
    def _kept(cls, url: str) -> str:
        """Refuse an in-memory SQLite URL: each command or service start would get an
        empty database and keep nothing (``sqlite:///`` reported users and imports as
        stored, then lost them)."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(url)
        except ArgumentError:
            return url  # the engine names the URL it cannot parse
        database = parsed.database or ""
        if parsed.get_backend_name() == "sqlite" and (
            database in ("", ":memory:") or database.startswith("file::memory:")
        ):
            raise ValueError(
                "an in-memory SQLite database keeps nothing; give a file, for example "
                "sqlite:///opvang.db"
            )
        return url
