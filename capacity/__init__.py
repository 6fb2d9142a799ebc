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
    rulebook_from,
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
from capacity.forecast import (
    ArrivalForecast,
    ClassRate,
    ProfileParts,
    estimate_arrivals,
    gamma_rate,
    profile_class,
    profile_parts,
)
from capacity.funding import FundingStream
from capacity.keep_apart import KEEP_APART_LABELS, KeepApart, KeepApartReason
from capacity.lifecycle import WAITING_LIST, CaseEvent, next_status
from capacity.personal_data import personal_data_in
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
    "KEEP_APART_LABELS",
    "POLICE_UNITS",
    "REGIONS",
    "WAITING_LIST",
    "ArrivalForecast",
    "AvailabilityReport",
    "CapacityError",
    "Case",
    "CaseEvent",
    "CaseStatus",
    "ClassRate",
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
    "KeepApart",
    "KeepApartReason",
    "Need",
    "OutOfScopeError",
    "Placement",
    "PlacementType",
    "PlacementTypeInfo",
    "Priority",
    "ProfileParts",
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
    "estimate_arrivals",
    "gamma_rate",
    "load_rulebook",
    "next_status",
    "parse_rulebook",
    "personal_data_in",
    "profile_class",
    "profile_parts",
    "region",
    "rulebook_from",
    "sorted_regions",
]
