"""What an availability report must meet: the rules as domain functions (issues 4, 10, 12).

The store checks each new report against the facility's facts *inside* its write
transaction (so two reports arriving at once cannot both pass a check only one should);
the rules themselves live here and raise domain errors, which the API turns into a 403 or
a 422 naming the field.

1. **Scope** (:class:`ReporterScope`): a reporter reports for the facilities of its
   provider or its region (an admin for all). Checked before anything else, a retry's
   key included: a used key says nothing to a reporter outside its scope.
2. ``beds_free`` is from 0 to the facility's beds.
3. ``as_of`` lies at most the tolerated clock skew ahead of the server's clock.
4. A report is not older than the moment the last one counts from
   (:attr:`~capacity.availability.AvailabilityReport.counts_from`: never later than its
   receipt, so a report dated a little ahead never blocks a correct one).
5. A report never frees more beds than the placements leave: it counts for at most the
   beds minus the placements active when it arrives (:meth:`FacilityFacts.counted`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from capacity.availability import AvailabilityReport
from capacity.errors import InvalidReportError, OutOfScopeError


@dataclass(frozen=True, slots=True)
class FacilityFacts:
    """What a report is checked against: the facility, its latest report, its placements.

    Parameters
    ----------
    id, provider_id, region_id
        The facility, who runs it and where (for the reporter's scope).
    beds
        Total beds (a report cannot have more free).
    last_counts_from
        The moment the latest report counts from (``None``: never reported).
    occupied
        Beds held by placements active on the day the report arrives.
    """

    id: str
    provider_id: str
    region_id: str
    beds: int
    last_counts_from: datetime | None
    occupied: int = 0

    def counted(self, beds_free: int) -> int:
        """What a report of ``beds_free`` counts for.

        At most the beds minus the placements active now (issue 10: a report of more is
        flagged, never taken at face value).
        """
        return max(0, min(beds_free, self.beds - self.occupied))


@dataclass(frozen=True, slots=True)
class ReporterScope:
    """The facilities a reporter may report for.

    Parameters
    ----------
    reporter
        Who reports (for the message).
    provider_id
        Every facility of this provider.
    region_id
        Every facility in this region.
    everything
        Every facility (an admin).
    """

    reporter: str
    provider_id: str | None = None
    region_id: str | None = None
    everything: bool = False

    def covers(self, provider_id: str, region_id: str) -> bool:
        """Whether a facility of this provider in this region is in the scope."""
        return (
            self.everything
            or (self.provider_id is not None and self.provider_id == provider_id)
            or (self.region_id is not None and self.region_id == region_id)
        )

    def check(self, facts: FacilityFacts) -> None:
        """Rule 1.

        Raises
        ------
        OutOfScopeError
            When the facility is outside the scope.
        """
        if not self.covers(facts.provider_id, facts.region_id):
            raise OutOfScopeError(self.reporter, facts.id)


@dataclass(frozen=True, slots=True)
class ReportRules:
    """Rules 2 to 4 for reports received at ``now``.

    Parameters
    ----------
    now
        The server's clock when the reports arrived.
    skew
        How far ahead of it a report's ``as_of`` may lie.
    """

    now: datetime
    skew: timedelta

    def check(self, report: AvailabilityReport, facts: FacilityFacts, *, index: int) -> None:
        """Check one new report of a request (``index``: its place in a batch, 0 alone).

        Raises
        ------
        InvalidReportError
            Naming the field and the reason.
        """
        if report.beds_free > facts.beds:
            reason = f"must be from 0 to {facts.beds} (the beds of {facts.id})"
            raise InvalidReportError("beds_free", reason, index)
        if report.as_of > self.now + self.skew:
            raise InvalidReportError(
                "as_of",
                f"lies in the future: more than {self.skew.total_seconds():.0f} s after the "
                f"server's clock ({self.now.isoformat(timespec='seconds')})",
                index,
            )
        last = facts.last_counts_from
        if last is not None and report.counts_from < last:
            raise InvalidReportError(
                "as_of",
                f"is older than the last report for {facts.id} "
                f"({last.isoformat(timespec='seconds')})",
                index,
            )
