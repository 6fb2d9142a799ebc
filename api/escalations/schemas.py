"""Escalations: cases waiting longer than their class's target time (issue 14)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.cases.schemas import CaseListItem


class EscalationPublic(BaseModel):
    """A case over its class's target time, with its line of the waiting list."""

    case: CaseListItem
    target_days: int = Field(description="The rulebook's target wait for the case's class.")
    days_over: int = Field(description="Days waited beyond the target.")


class OrganisationCount(BaseModel):
    organisation: str
    count: int


class EscalationsPublic(BaseModel):
    data: list[EscalationPublic]
    count: int
    organisations: list[OrganisationCount] = Field(
        description="Escalated cases per responsible organisation (most first)."
    )
