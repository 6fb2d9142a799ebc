"""The four roles and what scopes a reporting user."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads the roles at start-up: no database import for that
    from capacity.reporting_rules import ReporterScope
    from store.service import StoredUser


class Role(StrEnum):
    REGION_REPORTER = "region_reporter"  # reports beds for its provider's or region's facilities
    INTAKE_COORDINATOR = "intake_coordinator"  # cases, matching runs, proposals, placements
    POLICYMAKER = "policymaker"  # aggregates only, never a case record
    ADMIN = "admin"  # everything, users and the audit log


def may_report_for(user: StoredUser, *, provider_id: str, region_id: str) -> bool:
    """Whether the user may report availability for a facility of this provider and region."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.REGION_REPORTER:
        return False
    return (user.provider_id is not None and user.provider_id == provider_id) or (
        user.region_id is not None and user.region_id == region_id
    )


def reporter_scope(user: StoredUser) -> ReporterScope:
    """The facilities a user may report availability for, as the domain's rule takes it."""
    from capacity.reporting_rules import ReporterScope

    if user.role == Role.ADMIN:
        return ReporterScope(user.name, everything=True)
    if user.role != Role.REGION_REPORTER:
        return ReporterScope(user.name)
    return ReporterScope(user.name, provider_id=user.provider_id, region_id=user.region_id)
