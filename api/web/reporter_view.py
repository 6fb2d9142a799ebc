"""What a region reporter sees besides the form (issue 17): their facilities' occupied
beds, the discharges expected in the coming weeks, and the reports sent so far.

No case id is shown: a reporter sees beds and dates, never whose they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from api.database import Database
from api.facilities import service as facilities
from api.facilities.schemas import AvailabilityReportPublic, FacilityPublic
from capacity.clock import local_date
from store import Repository
from store.service import StoredUser

DISCHARGE_WEEKS = 6  # expected discharges shown: this many weeks ahead
HISTORY_PER_FACILITY = 10  # latest reports of each facility
HISTORY_SHOWN = 30  # reports listed, newest first


@dataclass(frozen=True, slots=True)
class Discharge:
    """Beds a placement is expected to free at a facility on a day."""

    facility_id: str
    day: date
    beds: int


@dataclass(frozen=True, slots=True)
class ReporterView:
    occupied: dict[str, int]  # facility id -> beds held by placements today
    discharges: list[Discharge]  # expected within DISCHARGE_WEEKS, by day
    history: list[AvailabilityReportPublic]  # newest first
    until: date  # the last day of the discharge window


def reporter_view(
    db: Database, *, user: StoredUser, own: Sequence[FacilityPublic], now: datetime
) -> ReporterView:
    """Occupied beds today, expected discharges and recent reports of ``own`` facilities."""
    today = local_date(now)
    until = today + timedelta(weeks=DISCHARGE_WEEKS)
    ids = {f.id for f in own}
    with db.unit() as session:
        holding = [
            p for p in Repository(session).placements(active_on=today) if p.facility_id in ids
        ]
    occupied = dict.fromkeys(ids, 0)
    for p in holding:
        occupied[p.facility_id] += p.beds
    discharges = sorted(
        (
            Discharge(p.facility_id, max(p.expected_end, today), p.beds)
            for p in holding
            if p.expected_end <= until
        ),
        key=lambda d: (d.day, d.facility_id),
    )
    history = [
        r
        for f in own
        for r in facilities.history(
            db, user=user, facility_id=f.id, limit=HISTORY_PER_FACILITY, offset=0
        ).data
    ]
    history.sort(key=lambda r: (r.recorded_at, r.id), reverse=True)
    return ReporterView(occupied, discharges, history[:HISTORY_SHOWN], until)
