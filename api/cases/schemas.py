"""Cases (the pseudonymous intake profile) as the API takes and shows them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.types import Count, InputModel
from capacity import (
    CaseStatus,
    ExploitationType,
    Gender,
    Need,
    PlacementType,
    ResidenceStatus,
    Rule,
    SafetyRisk,
)
from capacity.cases import EARLIEST_INTAKE, MAX_AGE, MAX_CHILDREN, ORGANISATION_MAX_LENGTH
from flows import ExpectedStartBasis

REGION_HELP = "Region id (see GET /v1/regions), e.g. `utrecht`."


class CaseBase(BaseModel):
    """The uniform intake profile. No field may hold a name, address, date of birth or
    document number: the case is pseudonymous."""

    age: Count = Field(le=MAX_AGE, description="Age in whole years.")
    gender: Gender
    residence_status: ResidenceStatus
    exploitation_type: ExploitationType
    region_signalled: str = Field(max_length=100, description=REGION_HELP)
    region_of_exploitation: str = Field(max_length=100, description=REGION_HELP)
    responsible_organisation: str = Field(
        min_length=1,
        max_length=ORGANISATION_MAX_LENGTH,
        description="Organisation holding the case (e.g. `CoMensha`); never a person.",
    )
    accompanying_children: Count = Field(0, le=MAX_CHILDREN)
    needs: list[Need] = Field(default_factory=list, max_length=len(Need))
    safety_risk: SafetyRisk = SafetyRisk.LOW
    interpreter_language: str | None = Field(
        None, pattern=r"^[a-z]{2,3}$", description="ISO 639 code; only with need interpreter."
    )
    preferred_regions: list[str] = Field(default_factory=list, max_length=35)
    unaccompanied: bool = Field(False, description="Unaccompanied foreign minor (under 18).")


class CaseCreate(CaseBase, InputModel):
    """A new case; the server assigns the id (``C-YYYY-NNNN``)."""

    model_config = ConfigDict(extra="forbid")

    intake_date: dt.date | None = Field(
        None,
        ge=EARLIEST_INTAKE,
        description="Day of intake (default today, Dutch time); not in the future, not "
        f"before {EARLIEST_INTAKE.isoformat()}.",
    )


class ReasonPublic(BaseModel):
    rule: Rule = Field(description="The rule family that failed.")
    text: str


class TypeVerdict(BaseModel):
    """Whether the case belongs to a placement type's target group, and why."""

    placement_type: PlacementType
    eligible: bool
    met: list[str]
    reasons: list[ReasonPublic]


EXPECTED_START_HELP = (
    "When the case is expected to start: its pending proposal's start date, else the latest "
    "matching run's planned start; null when there is none (see expected_start_basis)."
)
EXPECTED_BASIS_HELP = (
    "What expected_start rests on (proposal, matching_run) or why it is null: beyond_horizon "
    "(the latest run found no start within its horizon), capacity_gap (no facility in the "
    "country is eligible), awaiting_run (registered, declined or back on the list since the "
    "latest run: the next run decides), no_run (no matching run yet). Null for a case not on "
    "the waiting list (placed, discharged, withdrawn)."
)


class CasePublic(CaseBase):
    id: str
    intake_date: dt.date
    status: CaseStatus
    complexity_class: str
    priority_weight: float = Field(description="Weighted waiting days per day (rulebook).")
    days_waited: int
    eligible_types: list[TypeVerdict]
    expected_start: dt.date | None = Field(description=EXPECTED_START_HELP)
    expected_start_basis: ExpectedStartBasis | None = Field(description=EXPECTED_BASIS_HELP)
    proposal_id: int | None


class CaseListItem(BaseModel):
    """A line of the waiting list."""

    id: str
    intake_date: dt.date
    status: CaseStatus
    region_signalled: str
    complexity_class: str
    priority_weight: float
    days_waited: int
    beds: int
    expected_start: dt.date | None = Field(description=EXPECTED_START_HELP)
    expected_start_basis: ExpectedStartBasis | None = Field(description=EXPECTED_BASIS_HELP)
    waiting_reason: str | None = Field(
        description="Why the case waits, in words: its pending proposal, the latest matching "
        "run's explanation, or the next run; null for a case not on the waiting list."
    )
    proposal_id: int | None
    proposed_facility_id: str | None


class CasesPublic(BaseModel):
    data: list[CaseListItem]
    count: int
