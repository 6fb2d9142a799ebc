"""Calendar days in the Netherlands: a day starts at midnight Europe/Amsterdam."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")


def local_date(moment: datetime) -> date:
    """The Dutch calendar day of a timezone-aware moment, whatever zone it is written in."""
    return moment.astimezone(LOCAL_TZ).date()
