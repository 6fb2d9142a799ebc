"""Database settings: the one place the database URL is read from the environment."""

from __future__ import annotations

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
