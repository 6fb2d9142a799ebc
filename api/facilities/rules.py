"""The rules an availability report must meet (issue 4), checked inside the write."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from api.auth.roles import may_report_for
from api.errors import FieldError, ForbiddenError
from capacity import AvailabilityReport
from store import FacilityFacts, FacilityScope, ReportCheck, ScopeCheck
from store.service import StoredUser


def report_scope(user: StoredUser) -> ScopeCheck:
    """The reporter's scope: its provider's facilities or its region's (403 otherwise).

    Checked before a report's idempotency key is looked up, so a used key tells nothing
    about a facility outside the scope.
    """

    def scope(facility: FacilityScope) -> None:
        if not may_report_for(user, provider_id=facility.provider_id, region_id=facility.region_id):
            raise ForbiddenError(f"{user.name} may not report availability for {facility.id}")

    return scope


def report_check(
    *,
    now: datetime,
    skew: timedelta,
    locs: Mapping[int, list[str | int]],
) -> ReportCheck:
    """The check of a new report (after :func:`report_scope`): beds within range, not
    further ahead than the tolerated clock skew, not older than the last report.

    ``locs`` maps ``id(report)`` to where the report sits in the body (``["body"]``, or
    ``["body", "reports", 3]`` in a batch), so an error names the field.
    """

    def check(report: AvailabilityReport, facts: FacilityFacts) -> None:
        loc = locs[id(report)]
        if report.beds_free > facts.beds:
            raise FieldError(
                [*loc, "beds_free"], f"must be from 0 to {facts.beds} (the beds of {facts.id})"
            )
        if report.as_of > now + skew:
            raise FieldError(
                [*loc, "as_of"],
                f"lies in the future: more than {skew.total_seconds():.0f} s after the "
                f"server's clock ({now.isoformat(timespec='seconds')})",
            )
        # Reports are ordered by the moment they count from, never later than their
        # receipt: a report dated a little ahead never blocks a correct one (issue 10).
        last = facts.last_counts_from
        if last is not None and report.counts_from < last:
            raise FieldError(
                [*loc, "as_of"],
                f"is older than the last report for {facts.id} "
                f"({last.isoformat(timespec='seconds')})",
            )

    return check
