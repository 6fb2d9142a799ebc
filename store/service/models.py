"""The service's own tables: users and tokens, dashboard sessions, idempotent answers,
scenario jobs (issue 12: apart from the domain's tables in :mod:`store.models`).

They share the domain's metadata (one schema, one set of migrations); the domain's tables
never refer to these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from store.models import (
    CODE_LENGTH,
    HASH_LENGTH,
    KEY_LENGTH,
    NAME_LENGTH,
    NOW,
    Base,
    BigId,
)


class UserRow(Base):
    """A person or machine client of the API; tokens in :class:`ApiTokenRow`."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    role: Mapped[str] = mapped_column(String(CODE_LENGTH))
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("providers.id"))
    region_id: Mapped[str | None] = mapped_column(ForeignKey("regions.id"))
    password_hash: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    active: Mapped[bool] = mapped_column(server_default=true())
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)


class ApiTokenRow(Base):
    """A bearer token, stored only as the SHA-256 of the token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)
    revoked_at: Mapped[datetime | None]


class IdempotentRequestRow(Base):
    """The first answer to a write sent with an Idempotency-Key, replayed on a retry."""

    __tablename__ = "idempotent_requests"

    actor: Mapped[str] = mapped_column(String(NAME_LENGTH), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(HASH_LENGTH))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(server_default=NOW, index=True)


class WebSessionRow(Base):
    """A signed-in dashboard session; the cookie holds a random token, the row its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(HASH_LENGTH))
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)
    expires_at: Mapped[datetime]


class ScenarioJobRow(Base):
    """A scenario run started from the dashboard: its files, progress and results."""

    __tablename__ = "scenario_jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(server_default=NOW)
    created_by: Mapped[str] = mapped_column(String(NAME_LENGTH))
    status: Mapped[str] = mapped_column(String(CODE_LENGTH))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    replications: Mapped[int] = mapped_column(Integer)
    progress_done: Mapped[int] = mapped_column(Integer)
    progress_total: Mapped[int] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SchedulerLeaseRow(Base):
    """Who runs the scheduled jobs now (issue 14): one holder across workers and hosts,
    until ``expires_at``; a holder renews it while it lives, another takes it after."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    holder: Mapped[str] = mapped_column(String(NAME_LENGTH))
    expires_at: Mapped[datetime]


class ScheduledSlotRow(Base):
    """A scheduled job's slot taken (``daily-round`` on ``2026-12-03``): each runs once,
    whichever worker claims it first."""

    __tablename__ = "scheduled_slots"

    job: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    slot: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    holder: Mapped[str] = mapped_column(String(NAME_LENGTH))
    claimed_at: Mapped[datetime] = mapped_column(server_default=NOW)
    outcome: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
