"""API settings, read from the environment with the prefix ``OPVANG_``."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from capacity.staleness import StalenessRule
from store import DatabaseSettings

DEFAULT_STALE_AFTER_HOURS = 24.0  # hours without a report before a facility is flagged stale
DEFAULT_IDEMPOTENCY_HOURS = 24.0  # hours an Idempotency-Key's first answer is kept
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # 1 MiB: a batch of 500 reports is about 50 kB
DEFAULT_CLOCK_SKEW_SECONDS = 300.0  # a report's as_of may lie this far in the future
DEFAULT_ASYNC_POSTGRES_CONNECTIONS = 8  # per worker process, for tokens and reports
DEFAULT_RESPOND_WITHIN_HOURS = 48.0  # hours a proposal waits for an answer before it lapses
DEFAULT_REMIND_WITHIN_HOURS = 12.0  # hours before its deadline a proposal is on the reminders


class ApiSettings(DatabaseSettings):
    """How the API runs (``OPVANG_DATABASE_URL``, ``OPVANG_STALE_AFTER_HOURS``, ...).

    Parameters
    ----------
    database_url
        SQLAlchemy URL (see :class:`store.DatabaseSettings`).
    rulebook
        Name of a bundled rulebook (``national-v1``) or path of a rulebook file.
    stale_after_hours
        A facility whose latest availability report is older than this is flagged stale,
        and matching rounds plan it with ``stale_free_beds_share`` of its free beds today.
    stale_free_beds_share
        Share of a stale facility's free beds a round plans today (0: none; expected
        discharges still count), issue 14.
    clock_skew_seconds
        How far in the future a report's ``as_of`` may lie (clocks of providers' systems
        differ); further is refused.
    matching_time_limit
        Default wall-clock seconds of a matching run.
    max_matching_time_limit
        The most a client may ask for.
    anticipation_window_days
        Days of intake history before a round's day that an anticipatory run's demand
        forecast is estimated from (issue 13).
    inline_sqlite_writes
        On SQLite, write availability reports on one dedicated connection without leaving
        the event loop (see :mod:`store.inline`).
    sqlite_synchronous
        SQLite ``synchronous`` level of that connection.
    async_postgres_writes
        On PostgreSQL, look tokens up and write availability reports on asynchronous
        connections without leaving the event loop (see
        :mod:`store.pg_ledger`); false: through the SQLAlchemy pool in
        worker threads.
    async_postgres_connections
        How many of those connections each worker process opens at most.
    max_body_bytes
        Largest request body accepted (413 beyond it), dashboard uploads included.
    idempotency_hours
        How long the first answer to a write with an ``Idempotency-Key`` is kept for
        retries; older answers are deleted (they may hold a case record).
    respond_within_hours
        A proposal not answered this long after its round lapses (issue 14).
    remind_within_hours
        A pending proposal whose deadline is this close is on the reminder list.
    scheduler
        Run the scheduled jobs in this process (``opvang serve`` turns it on): the daily
        round, the round after reports of free beds, the lapse sweep. Across workers and
        hosts one runs them at a time (a lease in the database).
    daily_round_at
        Dutch time (``HH:MM``) of the daily round; empty: no daily round.
    retention_at
        Dutch time (``HH:MM``) of the nightly retention run (issue 16: records past their
        ``OPVANG_RETENTION_*`` term erased, as ``opvang retention apply``); empty: none.
    round_after_report
        Also run a round once reports of free beds have come in and then none for
        ``round_after_report_quiet_seconds`` (debounced).
    round_after_report_quiet_seconds
        The quiet time after the last report of free beds before that round.
    scheduler_tick_seconds
        How often the scheduler looks for due jobs.
    scheduler_lease_seconds
        How long a runner's lease lasts without renewal (its worker died: another takes
        over after this).
    """

    model_config = SettingsConfigDict(env_prefix="OPVANG_", extra="ignore")

    rulebook: str = "national-v1"
    stale_after_hours: float = Field(DEFAULT_STALE_AFTER_HOURS, gt=0)
    stale_free_beds_share: float = Field(0.0, ge=0, le=1)
    clock_skew_seconds: float = Field(DEFAULT_CLOCK_SKEW_SECONDS, ge=0)
    matching_time_limit: float = Field(10.0, gt=0, le=600)
    max_matching_time_limit: float = Field(60.0, gt=0, le=600)
    anticipation_window_days: int = Field(365, ge=1, le=3650)
    inline_sqlite_writes: bool = True
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    async_postgres_writes: bool = True
    async_postgres_connections: int = Field(DEFAULT_ASYNC_POSTGRES_CONNECTIONS, ge=1, le=100)
    max_body_bytes: int = Field(DEFAULT_MAX_BODY_BYTES, ge=1024, le=1024**3)
    idempotency_hours: float = Field(DEFAULT_IDEMPOTENCY_HOURS, gt=0, le=24 * 30)
    respond_within_hours: float = Field(DEFAULT_RESPOND_WITHIN_HOURS, gt=0, le=24 * 30)
    remind_within_hours: float = Field(DEFAULT_REMIND_WITHIN_HOURS, gt=0, le=24 * 30)
    scheduler: bool = False
    daily_round_at: str = Field("07:00", pattern=r"^(|([01]\d|2[0-3]):[0-5]\d)$")
    retention_at: str = Field("03:00", pattern=r"^(|([01]\d|2[0-3]):[0-5]\d)$")
    round_after_report: bool = False
    round_after_report_quiet_seconds: float = Field(300.0, ge=0, le=24 * 3600)
    scheduler_tick_seconds: float = Field(30.0, gt=0, le=3600)
    scheduler_lease_seconds: float = Field(90.0, gt=0, le=24 * 3600)

    def staleness_rule(self) -> StalenessRule:
        """How a round plans facilities without a recent report: every round that stands
        for a live one (a matching run, the exported round) applies this one rule."""
        return StalenessRule(timedelta(hours=self.stale_after_hours), self.stale_free_beds_share)
