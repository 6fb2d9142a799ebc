"""capacity: the national supply model and the uniform access criteria.

Pure domain code: frozen value objects, no database (that lives in
:mod:`store`, a separate door).
"""

from capacity.availability import AvailabilityReport, Placement
from capacity.cases import (
    Case,
    CaseStatus,
    ExploitationType,
    Gender,
    Need,
    ResidenceStatus,
    SafetyRisk,
)
from capacity.criteria import (
    Eligibility,
    Priority,
    Reason,
    Rule,
    Rulebook,
    TypeEligibility,
    bundled_rulebook,
    complexity_label,
    load_rulebook,
    parse_rulebook,
)
from capacity.dataset import Dataset
from capacity.errors import (
    CapacityError,
    InvalidCaseError,
    InvalidFieldError,
    InvalidReportError,
    InvalidRulebookError,
    InvalidSupplyError,
    InvalidTransitionError,
    OutOfScopeError,
    UnknownReferenceError,
)
from capacity.facilities import Facility, GenderPolicy, Provider
from capacity.funding import FundingStream
from capacity.lifecycle import WAITING_LIST, CaseEvent, next_status
from capacity.placement_types import CATALOGUE, PlacementType, PlacementTypeInfo
from capacity.regions import (
    POLICE_UNITS,
    REGIONS,
    Region,
    distance_km,
    dutch_sort_key,
    region,
    sorted_regions,
)
from capacity.reporting_rules import FacilityFacts, ReporterScope, ReportRules
from capacity.snapshot import DEFAULT_HORIZON_DAYS, SupplySnapshot, build_snapshot

__all__ = [
    "CATALOGUE",
    "DEFAULT_HORIZON_DAYS",
    "POLICE_UNITS",
    "REGIONS",
    "WAITING_LIST",
    "AvailabilityReport",
    "CapacityError",
    "Case",
    "CaseEvent",
    "CaseStatus",
    "Dataset",
    "Eligibility",
    "ExploitationType",
    "Facility",
    "FacilityFacts",
    "FundingStream",
    "Gender",
    "GenderPolicy",
    "InvalidCaseError",
    "InvalidFieldError",
    "InvalidReportError",
    "InvalidRulebookError",
    "InvalidSupplyError",
    "InvalidTransitionError",
    "Need",
    "OutOfScopeError",
    "Placement",
    "PlacementType",
    "PlacementTypeInfo",
    "Priority",
    "Provider",
    "Reason",
    "Region",
    "ReportRules",
    "ReporterScope",
    "ResidenceStatus",
    "Rule",
    "Rulebook",
    "SafetyRisk",
    "SupplySnapshot",
    "TypeEligibility",
    "UnknownReferenceError",
    "build_snapshot",
    "bundled_rulebook",
    "complexity_label",
    "distance_km",
    "dutch_sort_key",
    "load_rulebook",
    "next_status",
    "parse_rulebook",
    "region",
    "sorted_regions",
]
