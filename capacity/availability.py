"""What is known about occupancy: availability reports and current placements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from capacity.errors import InvalidSupplyError, refuse


@dataclass(frozen=True, slots=True)
class AvailabilityReport:
    """A provider's statement of free beds at one facility at one moment (the ledger row).

    Parameters
    ----------
    facility_id
        The facility reported on.
    beds_free
        Beds free at ``as_of``.
    as_of
        When the count was taken (timezone-aware).
    reporter
        Who reported (a user name or a system's client id).
    idempotency_key
        Client-supplied key that makes a retried report a no-op.
    received_at
        When the server received the report (its own clock; ``None``: not known, as for a
        report that is not stored yet). Two reports that differ only here say the same.
    """

    facility_id: str
    beds_free: int
    as_of: datetime
    reporter: str
    idempotency_key: str | None = None
    received_at: datetime | None = field(default=None, compare=False)

    @property
    def counts_from(self) -> datetime:
        """The moment the count holds for: ``as_of``, but never later than its receipt.

        A provider's clock may run ahead of the server's (a tolerated skew), so a report
        can claim to describe a moment that has not come yet. Placements recorded before
        that moment but after the report arrived are not in its count (issue 10: such a
        report let a second placement take the one free bed), so whatever compares a
        report with placements, or orders reports, uses this moment.
        """
        if self.received_at is None or self.as_of <= self.received_at:
            return self.as_of
        return self.received_at

    def __post_init__(self) -> None:
        refuse(_report_problems(self))


@dataclass(frozen=True, slots=True)
class Placement:
    """A case staying at a facility.

    Parameters
    ----------
    id
        Identifier of the placement.
    case_id
        The case placed.
    facility_id
        Where.
    beds
        Beds taken (1 plus accompanying children).
    start
        First night.
    expected_end
        Expected day of discharge (the bed is free again from that day).
    actual_end
        Day of discharge once it happened; ``None`` while the case stays.
    recorded_at
        When the placement was recorded, so a snapshot knows whether an availability
        report already counted it; ``None`` means "compare by start day".
    """

    id: str
    case_id: str
    facility_id: str
    beds: int
    start: date
    expected_end: date
    actual_end: date | None = None
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        refuse(_placement_problems(self))

    def active_on(self, day: date) -> bool:
        """Whether the placement holds its beds on ``day``."""
        return self.start <= day and (self.actual_end is None or day < self.actual_end)


# Every field is checked, not only up to the first refused one (capacity.errors.refuse):
# `opvang db check` names all a stored report or placement breaks in one pass.


def _report_problems(report: AvailabilityReport) -> Iterator[InvalidSupplyError]:
    beds = report.beds_free
    if isinstance(beds, bool) or not isinstance(beds, int) or beds < 0:
        yield InvalidSupplyError("beds_free", "must be a whole number, zero or more")
    if report.as_of.tzinfo is None:
        yield InvalidSupplyError("as_of", "must carry a timezone")
    if not report.reporter.strip():
        yield InvalidSupplyError("reporter", "must not be empty")
    if report.received_at is not None and report.received_at.tzinfo is None:
        yield InvalidSupplyError("received_at", "must carry a timezone")


def _placement_problems(placement: Placement) -> Iterator[InvalidSupplyError]:
    if placement.beds < 1:
        yield InvalidSupplyError("placement.beds", "must be at least 1")
    if placement.expected_end <= placement.start:
        yield InvalidSupplyError("placement.expected_end", "must be after the start")
    if placement.actual_end is not None and placement.actual_end < placement.start:
        yield InvalidSupplyError("placement.actual_end", "must not be before the start")
    if placement.recorded_at is not None and placement.recorded_at.tzinfo is None:
        yield InvalidSupplyError("placement.recorded_at", "must carry a timezone")
    if not placement.id or not placement.case_id or not placement.facility_id:
        yield InvalidSupplyError("placement", "id, case_id and facility_id must not be empty")
