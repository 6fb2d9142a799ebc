"""Cases (the pseudonymous intake profile) as the API takes and shows them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.cases.waiting_reason import WaitingReasonPublic
from api.types import Count, InputModel
from capacity import (
    KEEP_APART_LABELS,
    CaseStatus,
    ExploitationType,
    Gender,
    InvalidFieldError,
    KeepApartReason,
    Need,
    PlacementType,
    ResidenceStatus,
    Rule,
    SafetyRisk,
)
from capacity.cases import EARLIEST_INTAKE, MAX_AGE, MAX_CHILDREN, ORGANISATION_MAX_LENGTH
from capacity.languages import language_code
from flows import ExpectedStartBasis

KEEP_APART_HELP = "Why: " + "; ".join(f"`{r.value}` ({t})" for r, t in KEEP_APART_LABELS.items())
SEARCH_MAX_LENGTH = 20  # a case id is C-YYYY-NNNN
SEARCH_PATTERN = r"^[A-Za-z0-9-]*$"
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
        None,
        max_length=40,
        description="ISO 639 code (`ro`; `ron` is taken as `ro`); only with need interpreter. "
        "A language's name is refused.",
    )
    preferred_regions: list[str] = Field(default_factory=list, max_length=35)
    unaccompanied: bool = Field(False, description="Unaccompanied foreign minor (under 18).")


CASE_ID_FIELD = Field(
    min_length=3, max_length=40, pattern=r"^[A-Z][A-Z0-9-]{2,39}$", description="A case id."
)
MAX_KEEP_APART = 20  # pairs given at intake; more are set later on the case


class KeepApartCreate(InputModel):
    """A registered case the new one must never share a facility with (issue 14)."""

    model_config = ConfigDict(extra="forbid")

    case_id: str = CASE_ID_FIELD
    reason: KeepApartReason = Field(description=KEEP_APART_HELP)


class CaseCreate(CaseBase, InputModel):
    """A new case; the server assigns the id (``C-YYYY-NNNN``)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("interpreter_language")
    @classmethod
    def _iso_639(cls, value: str | None) -> str | None:
        # issue 14: "romanian" was cut to "rom" (Romany) by the form and stored silently
        if value is None:
            return None
        try:
            return language_code(value)
        except InvalidFieldError as exc:
            raise ValueError(exc.reason) from None

    keep_apart: list[KeepApartCreate] = Field(
        default_factory=list,
        max_length=MAX_KEEP_APART,
        description="Registered cases never to be placed at the same facility as this one "
        "(co-victims, a suspected recruiter); not part of the profile, never shown to "
        "policymakers.",
    )

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
    "(the latest run found no start within its horizon), budget (no start a funding "
    "stream's budget pays for), capacity_gap (no facility in the "
    "country is eligible), awaiting_run (registered, declined or back on the list since the "
    "latest run: the next run decides), no_run (no matching run yet). Null for a case not on "
    "the waiting list (placed, discharged, withdrawn)."
)


WAITING_REASON_HELP = (
    "Why the case waits, from the latest matching run: typed (kind), in words (label, "
    "text), with the next-best facility and what would change the answer. For a case with "
    "a pending proposal that starts later than its round's day: why not earlier. Null for "
    "a proposal from the round's day, and for a case not on the waiting list."
)


class CasePublic(CaseBase):
    id: str
    intake_date: dt.date
    status: CaseStatus
    complexity_class: str
    priority_weight: float = Field(description="Weighted waiting days per day (rulebook).")
    class_weight: float = Field(description="The complexity class's weight.")
    urgency: float = Field(description="Urgency factor of the weight (high risk, minors).")
    ageing: float = Field(description="Ageing factor of the weight (days already waited).")
    days_waited: int
    eligible_types: list[TypeVerdict]
    expected_start: dt.date | None = Field(description=EXPECTED_START_HELP)
    expected_start_basis: ExpectedStartBasis | None = Field(description=EXPECTED_BASIS_HELP)
    waiting_reason: WaitingReasonPublic | None = Field(description=WAITING_REASON_HELP)
    proposal_id: int | None


class CaseListItem(BaseModel):
    """A line of the waiting list."""

    id: str
    intake_date: dt.date
    status: CaseStatus
    region_signalled: str
    responsible_organisation: str
    complexity_class: str
    priority_weight: float = Field(description="class weight x urgency x ageing.")
    class_weight: float
    urgency: float
    ageing: float
    days_waited: int
    beds: int
    expected_start: dt.date | None = Field(description=EXPECTED_START_HELP)
    expected_start_basis: ExpectedStartBasis | None = Field(description=EXPECTED_BASIS_HELP)
    waiting_reason: WaitingReasonPublic | None = Field(description=WAITING_REASON_HELP)
    proposal_id: int | None
    proposed_facility_id: str | None


class KeepApartSet(InputModel):
    """Keep this case apart from another registered case from now on."""

    model_config = ConfigDict(extra="forbid")

    other_case_id: str = CASE_ID_FIELD
    reason: KeepApartReason = Field(description=KEEP_APART_HELP)


class KeepApartPublic(BaseModel):
    """A case this one is never placed with, why, who set it and when."""

    case_id: str = Field(description="The case it is kept apart from.")
    reason: KeepApartReason
    reason_text: str
    created_by: str
    created_at: dt.datetime | None


class KeepApartsPublic(BaseModel):
    data: list[KeepApartPublic]
    count: int


class PathwayStep(BaseModel):
    """A placement on the case's pathway: a bridge bed or the residential placement."""

    placement_id: str
    facility_id: str
    facility_name: str
    placement_type: PlacementType
    bridge: bool = Field(description="A crisis / 72-hour bed bridging to a residential one.")
    start: dt.date
    expected_end: dt.date
    actual_end: dt.date | None


class PathwayPublic(BaseModel):
    """Bridge -> residential: the case's placements in order (issue 14)."""

    case_id: str
    steps: list[PathwayStep]
    in_bridge: bool = Field(description="In a bridge bed now.")
    seeking_residential: bool = Field(
        description="On the waiting list for a residential placement (in a bridge bed or not)."
    )


class CasesPublic(BaseModel):
    data: list[CaseListItem]
    count: int


class TimelineEventPublic(BaseModel):
    """One thing that happened to a case (issue 14)."""

    at: dt.datetime | None = Field(description="When (null: the intake, a day).")
    kind: str = Field(
        description="intake, case.create, case.read, case.withdraw, proposal, accept, "
        "decline, placement.create or placement.discharge."
    )
    text: str
    actor: str | None = Field(description="Who did it (null: a matching round).")
    run_id: int | None = Field(description="The matching round of a proposal.")
    count: int = Field(
        1,
        ge=1,
        description="case.read: how many times in a row the same person opened the record "
        "(the first at `at`); 1 for every other event.",
    )
    last_at: dt.datetime | None = Field(
        None, description="case.read with a count above 1: the last of those openings."
    )


class TimelinePublic(BaseModel):
    data: list[TimelineEventPublic]
    count: int
