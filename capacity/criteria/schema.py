"""The rulebook file format, validated with pydantic.

Every model forbids unknown keys, so a misspelt key is an error naming its path instead of
a rule silently not applied.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from capacity.cases import ExploitationType, Gender, Need, ResidenceStatus, SafetyRisk
from capacity.placement_types import PlacementType

RULEBOOK_FORMAT = "opvang-rulebook/1"

PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
PositiveInt = Annotated[int, Field(gt=0)]
Age = Annotated[int, Field(ge=0, le=120)]


class RuleError(ValueError):
    """A consistency error found by a validator, with its path relative to the model."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseCategory(_Strict):
    """A named group of cases, defined by conditions on the intake profile (all must hold)."""

    description: str
    min_age: Age | None = None
    max_age: Age | None = None
    genders: frozenset[Gender] | None = None
    residence_statuses: frozenset[ResidenceStatus] | None = None
    exploitation_types: frozenset[ExploitationType] | None = None
    unaccompanied: bool | None = None
    any_need: frozenset[Need] | None = None

    @model_validator(mode="after")
    def _ages_in_order(self) -> CaseCategory:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise RuleError("max_age", "is below min_age")
        return self


class PlacementTypeRule(_Strict):
    """Who a placement type is for."""

    serves: frozenset[str] = Field(min_length=1)
    requires_any_need: frozenset[Need] = frozenset()
    # only for these genders (women's and men's shelters, issue 14); none: any gender
    genders: frozenset[Gender] | None = None
    note: str = ""


class NeedStrength(StrEnum):
    """Whether a need decides eligibility (hard) or only costs penalty days (soft)."""

    HARD = "hard"  # the facility must cover it or the pair is not eligible
    SOFT = "soft"  # a preference: not covering it costs penalty_days


class NeedSource(StrEnum):
    """Which facility attribute covers a need."""

    SPECIALISM = "specialism"
    LANGUAGE = "language"
    WHEELCHAIR_ACCESS = "wheelchair_access"


class NeedRule(_Strict):
    """How a facility covers one need."""

    strength: NeedStrength
    met_by: NeedSource
    penalty_days: NonNegativeFloat = 0.0


class SafetyRule(_Strict):
    """What a case of one safety-risk level needs of its facility."""

    secret_address: bool = False
    outside_region_of_exploitation: bool = False
    min_distance_km: NonNegativeFloat = 0.0


class RegionalStreams(StrEnum):
    """Which cases a regional funding stream pays for."""

    ANY_REGION = "any_region"  # a regional stream pays for any case placed in its region
    OWN_REGION = "own_region"  # only for cases signalled in its own region


class FundingRule(_Strict):
    """How funding streams decide which placements they pay for."""

    require_coverage: bool = True
    regional_streams: RegionalStreams = RegionalStreams.ANY_REGION
    out_of_region_when_unsafe: bool = True


class ComplexityPoints(_Strict):
    """Points per need, safety risk, child and minority that add up to a case's complexity."""

    needs: dict[Need, NonNegativeFloat] = Field(default_factory=dict)
    safety_risk: dict[SafetyRisk, NonNegativeFloat] = Field(default_factory=dict)
    accompanying_children: NonNegativeFloat = 0.0
    minor: NonNegativeFloat = 0.0


class ComplexityClass(_Strict):
    """A named complexity class: its lowest points and its priority weight."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    min_points: NonNegativeFloat
    weight: PositiveFloat
    description: str = ""
    # days a case of this class may wait before it is escalated (issue 14); none: never
    target_days: PositiveInt | None = None


class Complexity(_Strict):
    """The points and the classes (at least three, ordered by points)."""

    points: ComplexityPoints
    classes: tuple[ComplexityClass, ...] = Field(min_length=3)

    @model_validator(mode="after")
    def _classes_ascend(self) -> Complexity:
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise RuleError("classes", "class names must be unique")
        if self.classes[0].min_points != 0:
            raise RuleError("classes[0].min_points", "the first class must start at 0")
        for i, (lower, upper) in enumerate(zip(self.classes, self.classes[1:], strict=False)):
            if upper.min_points <= lower.min_points:
                raise RuleError(f"classes[{i + 1}].min_points", f"must be above {lower.name}'s")
            if upper.weight < lower.weight:
                raise RuleError(f"classes[{i + 1}].weight", f"must not be below {lower.name}'s")
        return self


class Urgency(_Strict):
    """Urgency factors on the weight for high safety risk and for minors, and how they combine."""

    high_risk: Annotated[float, Field(ge=1)] = 1.0
    minor: Annotated[float, Field(ge=1)] = 1.0
    combine: Literal["max", "product"] = "max"


class Ageing(_Strict):
    """How the weight grows with days waited, up to a maximum factor."""

    per_day: NonNegativeFloat = 0.0  # weight grows by this fraction per day waited
    max_factor: Annotated[float, Field(ge=1)] = 1.0


class Priority(_Strict):
    """A case's priority weight: complexity class, urgency and ageing."""

    complexity: Complexity
    urgency: Urgency = Urgency()
    ageing: Ageing = Ageing()


class Penalties(_Strict):
    """Small objective terms in waiting days; never for distance that safety requires."""

    per_100_km_days: NonNegativeFloat = 0.0
    outside_preferred_regions_days: NonNegativeFloat = 0.0


class RulebookFile(_Strict):
    """The whole rulebook file."""

    format: Literal["opvang-rulebook/1"]
    version: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    description: str = ""
    effective_from: date
    case_categories: dict[str, CaseCategory] = Field(min_length=1)
    placement_types: dict[PlacementType, PlacementTypeRule]
    needs: dict[Need, NeedRule]
    safety: dict[SafetyRisk, SafetyRule]
    funding: FundingRule = FundingRule()
    priority: Priority
    penalties: Penalties = Penalties()

    @model_validator(mode="after")
    def _complete_and_consistent(self) -> RulebookFile:
        for key, enum in (
            ("placement_types", PlacementType),
            ("needs", Need),
            ("safety", SafetyRisk),
        ):
            missing = [m.value for m in enum if m not in getattr(self, key)]
            if missing:
                raise RuleError(key, f"no rule for {', '.join(missing)}")
        for ptype, rule in self.placement_types.items():
            unknown = sorted(set(rule.serves) - set(self.case_categories))
            if unknown:
                raise RuleError(
                    f"placement_types.{ptype.value}.serves", f"unknown case category {unknown[0]!r}"
                )
        required_source = {
            Need.INTERPRETER: NeedSource.LANGUAGE,
            Need.WHEELCHAIR: NeedSource.WHEELCHAIR_ACCESS,
        }
        for need, source in required_source.items():
            if self.needs[need].met_by is not source:
                raise RuleError(f"needs.{need.value}.met_by", f"must be {source.value!r}")
        return self
