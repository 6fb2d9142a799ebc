"""The supply of one facility, read for a decision that must hold under a row lock."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from capacity.clock import local_date
from capacity.errors import UnknownReferenceError
from capacity.snapshot import DEFAULT_HORIZON_DAYS, SupplySnapshot, build_snapshot
from store import mapping as m
from store.models import (
    AvailabilityReportRow,
    FacilityRow,
    FundingStreamRow,
    PlacementRow,
)


def facility_snapshot(
    session: Session,
    facility_id: str,
    *,
    as_of: datetime,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> SupplySnapshot:
    """Free beds of one facility per day, from its latest report and its placements.

    The same rules as :meth:`store.Repository.supply_snapshot`, for one
    facility: read it inside the transaction that holds the facility's lock.

    Raises
    ------
    UnknownReferenceError
        When the facility does not exist.
    """
    fac_row = session.get(FacilityRow, facility_id)
    if fac_row is None:
        raise UnknownReferenceError("facility", facility_id)
    facility = m.to_facility(fac_row)
    r = AvailabilityReportRow
    latest = session.scalars(
        select(r)
        .where(r.facility_id == facility_id, r.effective_at <= as_of)
        .order_by(r.effective_at.desc(), r.id.desc())
        .limit(1)
    ).first()
    reports = [m.to_report(latest)] if latest is not None else []
    day0 = local_date(as_of)
    cutoff = min([day0, *(local_date(x.counts_from) for x in reports)])
    p = PlacementRow
    query = select(p).where(
        p.facility_id == facility_id,
        or_(p.actual_end.is_(None), p.actual_end > cutoff, p.start >= date(day0.year, 1, 1)),
    )
    stream = session.get(FundingStreamRow, facility.funding_stream_id)
    return build_snapshot(
        as_of=as_of,
        facilities=[facility],
        funding_streams=[m.to_funding_stream(stream)] if stream is not None else [],
        reports=reports,
        placements=[m.to_placement(x) for x in session.scalars(query.order_by(p.id))],
        horizon_days=horizon_days,
    )
