"""The scenario file format (``opvang-scenario/1``), validated with pydantic.

Every model forbids unknown keys, so a misspelt key is an error naming its path rather than
a setting silently ignored. The meaning of each key is documented in ``docs/scenarios.md``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from capacity import (
    ExploitationType,
    Gender,
    GenderPolicy,
    Need,
    PlacementType,
    ResidenceStatus,
    SafetyRisk,
)

DEFAULT_TARGET_DAYS = 7  # days: "a place was almost always found within 3 days to a week" (2015)
DEFAULT_PLANNING_HORIZON_DAYS = 60  # days, the design's planning horizon
DEFAULT_ROUND_TIME_LIMIT = 5.0  # seconds of wall clock per optimised round
DEFAULT_OUT_OF_REGION_AFTER_DAYS = 14  # days a regional case waits before other regions help
DEFAULT_ANTICIPATION_SAMPLES = 8  # sampled futures per anticipatory round
DEFAULT_FORECAST_WINDOW_DAYS = 365  # days of intake history the forecast looks back over
DEFAULT_HOLD_DAYS = 7  # days: a bed is kept only for arrivals expected this soon
DEFAULT_MIN_HISTORY_DAYS = 14  # days of history before a round anticipates at all
DEFAULT_HINDSIGHT_TIME_LIMIT = 300.0  # seconds: restricted LP and MIP (the bound LP is not cut)
# The most a file may ask for: `horizon_days: 100000000000` ran for ever. A century of days
# (mmc-check.yaml runs 20,000, the M/M/c checks of tests/scenarios/test_erlang_c.py 10,000);
# the dashboard's form offers less (scenarios.variant.MAX_HORIZON_DAYS). A stay is bounded
# by the same: one longer than any run is one that never ends within it.
MAX_SIMULATED_DAYS = 36_500  # days
MAX_REPLICATIONS = 1_000  # per scenario (the dashboard's setting allows at most 100)

PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
StayDays = Annotated[float, Field(gt=0, le=MAX_SIMULATED_DAYS)]


class Policy(StrEnum):
    """How placements are decided in the simulation (``docs/scenarios.md``, *Policies*)."""

    OPTIMISED = "optimised"
    FIFO = "fifo"
    CURRENT_PRACTICE = "current-practice"
    HINDSIGHT = "hindsight"
    ANTICIPATORY = "anticipatory"


class Cadence(StrEnum):
    DAILY = "daily"  # one round at the start of every day
    EVENT = "event"  # a round at each arrival and each discharge


class StayDistribution(StrEnum):
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    FIXED = "fixed"


class SpecRuleError(ValueError):
    """A consistency error found by a validator, with its key relative to the model."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(key, reason)  # the arguments, so that a copy can be made (errors.py)
        self.key = key
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}" if self.key else self.reason


class _Strict(BaseModel):
    # allow_inf_nan: YAML's .inf and .nan are floats, and `mean_days: .inf` went through to
    # the rounds (an infinite stay cast to an integer number of days)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class StaySpec(_Strict):
    """Length of stay at one placement type."""

    distribution: StayDistribution
    mean_days: StayDays
    spread_days: StayDays | None = None
    max_days: StayDays | None = None

    @model_validator(mode="after")
    def _spread_only_for_lognormal(self) -> StaySpec:
        lognormal = self.distribution is StayDistribution.LOGNORMAL
        if lognormal and self.spread_days is None:
            raise SpecRuleError("spread_days", "a lognormal stay needs spread_days")
        if not lognormal and self.spread_days is not None:
            raise SpecRuleError(
                "spread_days", f"only a lognormal stay has one, not {self.distribution}"
            )
        if self.max_days is not None and self.max_days < self.mean_days:
            raise SpecRuleError("max_days", "must not be below mean_days")
        return self


class FixedProfile(_Strict):
    """One intake profile, used as it is for every case of a class."""

    age: Annotated[int, Field(ge=0, le=120)]
    gender: Gender
    residence_status: ResidenceStatus
    exploitation_type: ExploitationType
    region_signalled: str
    region_of_exploitation: str | None = None
    needs: frozenset[Need] = frozenset()
    safety_risk: SafetyRisk = SafetyRisk.LOW
    accompanying_children: Annotated[int, Field(ge=0, le=12)] = 0
    interpreter_language: str | None = None
    preferred_regions: tuple[str, ...] = ()
    unaccompanied: bool = False


ProfileRef = str | FixedProfile


class ProfileShare(_Strict):
    share: PositiveFloat
    profile: ProfileRef


class GroupSpec(_Strict):
    """Group arrivals: ``per_day`` groups a day (Poisson), each of ``size`` people."""

    per_day: PositiveFloat
    size: PositiveInt | tuple[PositiveInt, PositiveInt]

    @model_validator(mode="after")
    def _range_in_order(self) -> GroupSpec:
        if isinstance(self.size, tuple) and self.size[0] > self.size[1]:
            raise SpecRuleError("size", "the range must be [smallest, largest]")
        return self


class DemandClass(_Strict):
    """A stream of arriving cases with one profile (distribution) and stays per type."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    arrivals_per_day: NonNegativeFloat = 0.0
    groups: GroupSpec | None = None
    at_days: tuple[NonNegativeFloat, ...] = ()
    profile: ProfileRef | None = None
    profiles: tuple[ProfileShare, ...] | None = None
    stay: dict[str, StaySpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_profile_source(self) -> DemandClass:
        if (self.profile is None) == (self.profiles is None):
            raise SpecRuleError("", "give either profile or profiles (a distribution), not both")
        if self.profiles is not None and not self.profiles:
            raise SpecRuleError("profiles", "must list at least one profile")
        return self


class FacilitySpec(_Strict):
    """A facility of the scenario (the attributes of :class:`capacity.Facility`)."""

    id: str
    region: str
    placement_type: PlacementType
    beds: NonNegativeInt
    name: str | None = None
    provider: str | None = None
    funding_stream: str | None = None
    cost_per_bed_day: NonNegativeFloat | None = None
    specialisms: frozenset[Need] = frozenset()
    gender_policy: GenderPolicy = GenderPolicy.MIXED
    min_age: Annotated[int, Field(ge=0, le=120)] = 18
    max_age: Annotated[int, Field(ge=0, le=120)] = 120
    max_children: Annotated[int, Field(ge=0, le=20)] = 0
    secret_address: bool = False
    languages: frozenset[str] = frozenset({"nl", "en"})
    wheelchair_access: bool = False


class StreamSpec(_Strict):
    """A funding stream of the scenario (``budget_per_year`` absent: not capped)."""

    id: str
    placement_types: frozenset[PlacementType] = Field(min_length=1)
    case_categories: frozenset[str] | Literal["all"] = "all"
    name: str | None = None
    region: str | None = None
    budget_per_year: NonNegativeFloat | None = None


class BedChangeSpec(_Strict):
    """Beds of a placement type in a region, added or removed."""

    placement_type: PlacementType
    region: str
    add: PositiveInt | None = None
    remove: PositiveInt | None = None
    facility: str | None = None
    like: str | None = None

    @model_validator(mode="after")
    def _add_or_remove(self) -> BedChangeSpec:
        if (self.add is None) == (self.remove is None):
            raise SpecRuleError("", "give either add or remove")
        if self.like is not None and self.remove is not None:
            raise SpecRuleError("like", "only for added beds")
        return self


class BudgetChangeSpec(_Strict):
    """A funding stream's budget per year (``null``: no longer capped)."""

    stream: str
    per_year: NonNegativeFloat | None


class ChangeSpec(_Strict):
    """A change of supply from ``day`` on: ``beds`` or ``budget`` (one of them)."""

    day: NonNegativeInt
    beds: BedChangeSpec | None = None
    budget: BudgetChangeSpec | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ChangeSpec:
        if (self.beds is None) == (self.budget is None):
            raise SpecRuleError("", "give either beds or budget")
        return self


class SupplySpec(_Strict):
    dataset: Literal["demo", "none"] = "none"
    dataset_seed: NonNegativeInt | None = None
    waiting_list: bool = True
    occupancy: bool = True
    facilities: tuple[FacilitySpec, ...] = ()
    funding_streams: tuple[StreamSpec, ...] = ()
    changes: tuple[ChangeSpec, ...] = ()


class OptimiserSpec(_Strict):
    """Settings of the ``optimised`` policy's matching rounds."""

    planning_horizon_days: Annotated[int, Field(ge=1, le=365)] = DEFAULT_PLANNING_HORIZON_DAYS
    time_limit_seconds: PositiveFloat = DEFAULT_ROUND_TIME_LIMIT
    method: Literal["auto", "mip", "cpsat", "flow", "greedy"] = "auto"
    ageing: bool = True  # false: rounds weigh a waiting day without the rulebook's ageing
    # true, for study only: rounds see each case's actual stay instead of the expected one
    # (the value of knowing stays, issue 13); no live system can know it
    oracle_stays: bool = False
    # weighted days per bed-day a placement's expected stay runs past the planning horizon
    # (issue 13: beyond its last day a round sees a bed's use as free); 0: none
    end_of_plan_price: NonNegativeFloat = 0.0
    # factor on a complexity class's weight in the rounds only (issue 13: myopic rounds give
    # complex cases less than the hindsight plan does); the evaluation objective keeps the
    # rulebook's weights. A class not named: 1
    class_weight_factors: dict[str, PositiveFloat] = Field(default_factory=dict)


class RateSource(StrEnum):
    """Where the anticipatory policy's arrival rates come from (issue 13)."""

    ESTIMATED = "estimated"  # from the simulated history up to the round
    TRUE = "true-rates"  # the scenario file's demand classes (what no live system knows)
    # for study only: the run's own future arrivals, one sample (the value of knowing them)
    ORACLE = "oracle-arrivals"


class Variant(StrEnum):
    """How an anticipatory round decides to keep beds (issue 13, ``matching.anticipation``)."""

    TWO_STAGE = "two-stage"  # the two-stage sample-average test
    POTENTIALS = "potentials"  # LP dual prices of beds subtracted from today's placements


class AnticipationSpec(_Strict):
    """Settings of the ``anticipatory`` policy (``docs/scenarios.md``, *anticipatory*)."""

    variant: Variant = Variant.TWO_STAGE
    samples: Annotated[int, Field(ge=1, le=200)] = DEFAULT_ANTICIPATION_SAMPLES
    rates: RateSource = RateSource.ESTIMATED
    window_days: PositiveInt = DEFAULT_FORECAST_WINDOW_DAYS
    min_history_days: NonNegativeInt = DEFAULT_MIN_HISTORY_DAYS
    hold_days: PositiveInt = DEFAULT_HOLD_DAYS
    scale: NonNegativeFloat = 1.0


class CurrentPracticeSpec(_Strict):
    """Settings of the ``current-practice`` policy."""

    national_types: frozenset[PlacementType] = frozenset({PlacementType.COSM, PlacementType.OMM})
    out_of_region_after_days: NonNegativeFloat = DEFAULT_OUT_OF_REGION_AFTER_DAYS
    complex_search_days: NonNegativeFloat = 0.0  # days before a complex case's first bed


class HindsightSpec(_Strict):
    time_limit_seconds: PositiveFloat = DEFAULT_HINDSIGHT_TIME_LIMIT
    relative_gap: Annotated[float, Field(ge=0, lt=1)] = 0.01


class KpiSpec(_Strict):
    target_days: NonNegativeFloat = DEFAULT_TARGET_DAYS


class ScenarioSpec(_Strict):
    """The whole scenario file."""

    format: Literal["opvang-scenario/1"] = "opvang-scenario/1"
    name: str = Field(min_length=1)
    description: str = ""
    seed: NonNegativeInt
    horizon_days: PositiveInt
    warmup_days: NonNegativeInt = 0
    replications: PositiveInt = 1
    policy: Policy
    cadence: Cadence = Cadence.DAILY
    rulebook: str | None = None
    start_date: date | None = None
    supply: SupplySpec = SupplySpec()
    demand: tuple[DemandClass, ...] = ()
    optimiser: OptimiserSpec = OptimiserSpec()
    current_practice: CurrentPracticeSpec = CurrentPracticeSpec()
    hindsight: HindsightSpec = HindsightSpec()
    anticipation: AnticipationSpec = AnticipationSpec()
    kpi: KpiSpec = KpiSpec()

    @model_validator(mode="after")
    def _runs_in_bounds(self) -> ScenarioSpec:
        if self.horizon_days > MAX_SIMULATED_DAYS:
            raise SpecRuleError("horizon_days", f"must be from 1 to {MAX_SIMULATED_DAYS} days")
        if self.replications > MAX_REPLICATIONS:
            raise SpecRuleError("replications", f"must be from 1 to {MAX_REPLICATIONS}")
        return self

    @model_validator(mode="after")
    def _warmup_inside_horizon(self) -> ScenarioSpec:
        if self.warmup_days >= self.horizon_days:
            raise SpecRuleError("warmup_days", "must be below horizon_days")
        return self

    @model_validator(mode="after")
    def _oracle_only_for_rounds(self) -> ScenarioSpec:
        planning = (Policy.OPTIMISED, Policy.ANTICIPATORY)
        if self.optimiser.oracle_stays and self.policy not in planning:
            raise SpecRuleError(
                "optimiser.oracle_stays",
                f"only optimised and anticipatory rounds plan with stays, not {self.policy}",
            )
        if self.anticipation.rates is RateSource.ORACLE and self.policy is not Policy.ANTICIPATORY:
            raise SpecRuleError(
                "anticipation.rates",
                f"oracle-arrivals is read only by anticipatory rounds, not {self.policy}",
            )
        return self
