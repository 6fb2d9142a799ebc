"""The uniform access criteria: rulebook files, eligibility with reasons, priority."""

from capacity.criteria.eligibility import Eligibility, Reason, Rule, TypeEligibility
from capacity.criteria.labels import complexity_label
from capacity.criteria.priority import Priority
from capacity.criteria.rulebook import (
    NATIONAL,
    REGIONAL_VARIATION,
    Rulebook,
    bundled_rulebook,
    load_rulebook,
    parse_rulebook,
    rulebook_from,
)

__all__ = [
    "NATIONAL",
    "REGIONAL_VARIATION",
    "Eligibility",
    "Priority",
    "Reason",
    "Rule",
    "Rulebook",
    "TypeEligibility",
    "bundled_rulebook",
    "complexity_label",
    "load_rulebook",
    "parse_rulebook",
    "rulebook_from",
]
