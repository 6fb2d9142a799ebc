"""Matching runs: the record of a round and what it proposed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from api.proposals.schemas import ProposalPublic
from api.types import InputModel, json_number
from matching import BindKind

MAX_SEED = 2**31 - 1
MAX_SAMPLES = 64  # flows.anticipation.MAX_SAMPLES


class AnticipationCreate(InputModel):
    """Keep beds today for expected arrivals (issue 13); both settings optional."""

    model_config = ConfigDict(extra="forbid")

    samples: Annotated[int, Field(ge=1, le=MAX_SAMPLES), BeforeValidator(json_number)] = Field(
        8, description="Sampled futures of the planning horizon (1-64)."
    )
    seed: Annotated[int, Field(ge=0, le=MAX_SEED), BeforeValidator(json_number)] = Field(
        0, description="Seed of the sampled futures (with the round's day)."
    )


class RunCreate(InputModel):
    """Solver parameters and anticipation; all optional."""

    model_config = ConfigDict(extra="forbid")

    time_limit: (
        Annotated[float, Field(gt=0, le=600, allow_inf_nan=False), BeforeValidator(json_number)]
        | None
    ) = Field(None, description="Wall-clock seconds (default and maximum: settings).")
    seed: Annotated[int, Field(ge=0, le=MAX_SEED), BeforeValidator(json_number)] | None = Field(
        None, description="Solver seed (default 0)."
    )
    anticipation: AnticipationCreate | None = Field(
        None,
        description=(
            "Anticipate expected arrivals (off when absent or null): a bed free today is "
            "kept for them only when the sampled futures say that lowers the expected "
            "priority-weighted waiting. The round holds its time limit."
        ),
    )


class BindingPublic(BaseModel):
    """One thing that keeps a case waiting."""

    kind: BindKind = Field(
        description=(
            "capacity_gap, declined, full_until, full_horizon, budget, outranked (a bed free "
            "before the round went to the cases named), penalty (an earlier "
            "start was possible where distance or preferences cost more than the wait) or "
            "improvable (an earlier start fits: the solve stopped before finding it) or kept "
            "(a bed free today kept for expected arrivals; amount: the expected saving) or "
            "unexplained (the round's time limit ran out before this wait was worked out)"
        )
    )
    text: str
    date: dt.date | None = None
    stream: str | None = None
    facility_id: str | None = Field(None, description="The facility the reason is about.")
    amount: float | None = Field(
        None,
        description="budget: euros short of paying for it; kept: expected weighted days saved.",
    )
    cases: list[str] = Field(default_factory=list, description="outranked: who took the bed.")
    higher_priority: bool = Field(
        False, description="outranked: each case that took the bed weighs at least as much."
    )


class ExtraBedPublic(BaseModel):
    facility_id: str
    start_date: dt.date
    gain: float = Field(description="Weighted waiting days saved by one more bed there.")


class RuleCount(BaseModel):
    rule: str
    facilities: int


class ClosestFacility(BaseModel):
    facility_id: str
    reasons: list[str] = Field(description="The rules it fails for this case.")


class WaitPublic(BaseModel):
    """Why a case is unplaced (or starts late) in this run."""

    case_id: str
    start_date: dt.date | None = Field(description="Null: unplaced within the horizon.")
    text: str
    capacity_gap: bool = Field(description="No facility in the country is eligible.")
    binds: list[BindingPublic]
    extra_bed: ExtraBedPublic | None
    failing_rules: list[RuleCount]
    closest: list[ClosestFacility] = Field(
        default_factory=list, description="Capacity gap: the facilities failing fewest rules."
    )


class StagePublic(BaseModel):
    """One stage of the run's solve, as it ended (issue 11)."""

    part: int = Field(description="Independent part of the problem (0-based).")
    parts: int = Field(description="How many independent parts the problem has.")
    stage: str = Field(description="greedy, lp, lp-plan, polish, mip, colgen, ...")
    seconds: float = Field(description="Seconds since the solve started, when it ended.")
    objective: float | None = Field(
        description="The part's best plan value then (null before the first plan)."
    )
    bound: float | None = Field(
        description="The part's best proven lower bound then (null before the first)."
    )
    gap: float | None = Field(description="Relative gap then (null when one is missing).")


class WindowPublic(BaseModel):
    from_: dt.date = Field(alias="from", description="First day of intake history used.")
    to: dt.date = Field(description="Last day of intake history used.")
    days: int

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ClassRatePublic(BaseModel):
    profile_class: str
    arrivals: int = Field(description="Arrivals of the class in the window.")
    rate_per_day: float = Field(description="Posterior mean of the arrival rate.")
    interval: list[float] = Field(description="Its 95 % credible interval, per day.")


class ForecastPublic(BaseModel):
    level: float = Field(description="Credible level of the intervals.")
    prior: dict[str, float] = Field(description="The gamma prior (shape, rate per day).")
    classes: list[ClassRatePublic]


class KeptBedPublic(BaseModel):
    case_id: str = Field(description="The case the bed was not proposed to (it waits).")
    facility_id: str
    profile_class: str = Field(description="The expected arrivals that would use it most.")
    expected_saving: float = Field(description="Expected priority-weighted waiting days saved.")


class AnticipationPublic(BaseModel):
    """The forecast an anticipatory run used and the beds it kept (issue 13: audit)."""

    variant: str = Field(description="two-stage: the two-stage sample-average test.")
    samples: int
    seed: int
    hold_days: int = Field(description="Days ahead whose expected arrivals count.")
    window: WindowPublic
    forecast: ForecastPublic
    completed: bool = Field(description="False: the time limit came first; no bed kept.")
    note: str | None = None
    seconds: float
    kept: list[KeptBedPublic]


class RunSummary(BaseModel):
    id: int
    created_at: dt.datetime
    created_by: str
    as_of: dt.datetime
    inputs_hash: str = Field(description="SHA-256 of the problem's canonical JSON.")
    rulebook_version: str
    rulebook_hash: str
    parameters: dict[str, float | int | str]
    status: str
    objective: float
    bound: float
    gap: float
    method: str
    build_seconds: float
    solve_seconds: float
    cases: int = Field(description="Waiting and proposed cases considered.")
    notes: list[str]
    anticipation: AnticipationPublic | None = Field(
        None, description="Null: the run did not anticipate."
    )


class RunPublic(RunSummary):
    proposals: list[ProposalPublic]
    waits: list[WaitPublic]
    stages: list[StagePublic] = Field(
        description="How the solve went, stage by stage (empty for runs stored before)."
    )


class RunsPublic(BaseModel):
    data: list[RunSummary]
    count: int
