"""Dashboard settings, read from the environment with the prefix ``OPVANG_WEB_``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SESSION_HOURS = 8.0  # a working day; then sign in again
DEFAULT_SCENARIO_TIME_LIMIT_S = 600.0  # a dashboard scenario job is stopped after this
DEFAULT_MAX_REPLICATIONS = 5  # per scenario, from the dashboard (the CLI has no limit)
DEFAULT_UPLOAD_BYTES = 256 * 1024  # an uploaded scenario file; the examples are a few kB


class WebSettings(BaseSettings):
    """How the dashboard runs (``OPVANG_WEB_COOKIE_SECURE``, ``OPVANG_WEB_SESSION_HOURS``, ...).

    Parameters
    ----------
    cookie_secure
        When cookies carry the ``Secure`` flag: ``auto`` when the request came over HTTPS
        (behind a proxy, run uvicorn with ``--proxy-headers``), ``always`` or ``never``.
    session_hours
        How long a sign-in lasts.
    scenario_time_limit
        Seconds a scenario job may run before it is stopped.
    scenario_max_replications
        Most replications per scenario a dashboard user may ask for.
    scenario_upload_bytes
        Largest scenario file that may be uploaded.
    scenario_jobs_at_once
        Scenario jobs queued or running at the same time, over all workers (each is a
        process of its own); more are refused with 429.
    signin_limit_per_name, signin_limit_per_address
        Failed sign-ins allowed per user name and per client address, in the ``limits``
        notation (``"5/minute;20/hour"``: five a minute and twenty an hour); beyond them a
        sign-in is refused with 429 and ``Retry-After`` until the window frees.
    rate_limit_storage
        Where those windows are kept: ``memory://`` (per worker process) or a shared store
        such as ``redis://127.0.0.1:6379`` for several workers or hosts.
    password_checks_at_once, password_checks_waiting
        Password checks (scrypt: about 16 MiB and 50-90 ms each) running at once, and
        sign-ins that may wait for one; more are refused with 429.
    """

    model_config = SettingsConfigDict(env_prefix="OPVANG_WEB_", extra="ignore")

    cookie_secure: Literal["auto", "always", "never"] = "auto"
    session_hours: float = Field(DEFAULT_SESSION_HOURS, gt=0, le=24 * 30)
    scenario_time_limit: float = Field(DEFAULT_SCENARIO_TIME_LIMIT_S, gt=0, le=24 * 3600)
    scenario_max_replications: int = Field(DEFAULT_MAX_REPLICATIONS, ge=1, le=100)
    scenario_upload_bytes: int = Field(DEFAULT_UPLOAD_BYTES, ge=1024, le=16 * 1024 * 1024)
    scenario_jobs_at_once: int = Field(2, ge=1, le=64)
    signin_limit_per_name: str = "5/minute;20/hour"
    signin_limit_per_address: str = "30/minute;200/hour"
    rate_limit_storage: str = "memory://"
    password_checks_at_once: int = Field(2, ge=1, le=64)
    password_checks_waiting: int = Field(16, ge=0, le=10_000)
