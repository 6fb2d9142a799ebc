"""A whole national supply-and-demand picture as one value object (demo data, imports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from capacity.availability import AvailabilityReport, Placement
from capacity.cases import Case
from capacity.errors import InvalidSupplyError
from capacity.facilities import Facility, Provider
from capacity.funding import FundingStream


@dataclass(frozen=True, slots=True)
class Dataset:
    """Providers, funding, facilities, occupancy and cases at one moment.

    Parameters
    ----------
    as_of
        The moment the dataset describes (timezone-aware).
    providers, funding_streams, facilities
        The supply side.
    cases
        All cases: those placed (occupying beds) and those waiting.
    placements
        Current (and past) placements; each refers to a case and a facility above.
    reports
        Availability reports (the ledger).
    """

    as_of: datetime
    providers: tuple[Provider, ...]
    funding_streams: tuple[FundingStream, ...]
    facilities: tuple[Facility, ...]
    cases: tuple[Case, ...]
    placements: tuple[Placement, ...]
    reports: tuple[AvailabilityReport, ...]

    def __post_init__(self) -> None:
        _check_references(self)


def _check_references(ds: Dataset) -> None:
    if ds.as_of.tzinfo is None:
        raise InvalidSupplyError("as_of", "must carry a timezone")
    providers = {p.id for p in ds.providers}
    streams = {s.id for s in ds.funding_streams}
    facilities = {f.id for f in ds.facilities}
    cases = {c.id for c in ds.cases}
    for name, ids, items in (
        ("providers", providers, ds.providers),
        ("funding_streams", streams, ds.funding_streams),
        ("facilities", facilities, ds.facilities),
        ("cases", cases, ds.cases),
        ("placements", {p.id for p in ds.placements}, ds.placements),
    ):
        if len(ids) != len(items):
            raise InvalidSupplyError(name, "ids must be unique")
    for f in ds.facilities:
        if f.provider_id not in providers:
            raise InvalidSupplyError(
                f"facilities[{f.id}].provider_id", f"unknown provider {f.provider_id!r}"
            )
        if f.funding_stream_id not in streams:
            raise InvalidSupplyError(
                f"facilities[{f.id}].funding_stream_id", f"unknown stream {f.funding_stream_id!r}"
            )
    for p in ds.placements:
        if p.facility_id not in facilities:
            raise InvalidSupplyError(
                f"placements[{p.id}].facility_id", f"unknown facility {p.facility_id!r}"
            )
        if p.case_id not in cases:
            raise InvalidSupplyError(f"placements[{p.id}].case_id", f"unknown case {p.case_id!r}")
    for r in ds.reports:
        if r.facility_id not in facilities:
            raise InvalidSupplyError("reports.facility_id", f"unknown facility {r.facility_id!r}")
