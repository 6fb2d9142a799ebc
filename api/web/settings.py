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
    """

    model_config = SettingsConfigDict(env_prefix="OPVANG_WEB_", extra="ignore")

    cookie_secure: Literal["auto", "always", "never"] = "auto"
    session_hours: float = Field(DEFAULT_SESSION_HOURS, gt=0, le=24 * 30)
    scenario_time_limit: float = Field(DEFAULT_SCENARIO_TIME_LIMIT_S, gt=0, le=24 * 3600)
    scenario_max_replications: int = Field(DEFAULT_MAX_REPLICATIONS, ge=1, le=100)
    scenario_upload_bytes: int = Field(DEFAULT_UPLOAD_BYTES, ge=1024, le=16 * 1024 * 1024)
