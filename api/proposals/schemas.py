"""Proposals and the decisions on them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.types import InputModel, ShortText
from flows import DeclineReason
from store import ProposalStatus


class AlternativePublic(BaseModel):
    """Another facility that could take the case, with every other proposal kept."""

    facility_id: str
    start_date: dt.date
    objective_difference: float = Field(description="Weighted waiting days worse.")


class ProposalPublic(BaseModel):
    id: int
    run_id: int
    case_id: str
    facility_id: str
    beds: int
    start_date: dt.date = Field(description="Expected start date.")
    status: ProposalStatus
    explanation: str
    criteria: list[str] = Field(description="Criteria of the rulebook the facility meets.")
    alternatives: list[AlternativePublic]
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None
    decline_reason: str | None
    decline_text: str | None
    placement_id: str | None
    respond_by: dt.datetime | None = Field(
        description="Answer by then, or the proposal lapses (status `lapsed`) and its beds "
        "go to the next round; null for proposals made before deadlines existed."
    )


class ProposalsPublic(BaseModel):
    data: list[ProposalPublic]
    count: int


class ProposalDecline(InputModel):
    """Why a proposal is declined; `text` is short and never holds identity data."""

    model_config = ConfigDict(extra="forbid")

    reason: DeclineReason
    text: ShortText | None = Field(
        None, description="Required for `other`; at most 200 characters, no identity data."
    )
