"""Priority of a waiting case: complexity class x urgency x ageing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from capacity.cases import Case, SafetyRisk
from capacity.criteria.eligibility import safety_requires_distance
from capacity.criteria.schema import RulebookFile
from capacity.facilities import Facility
from capacity.regions import distance_km, region


@dataclass(frozen=True, slots=True)
class Priority:
    """How much one more day of waiting costs for this case.

    Parameters
    ----------
    complexity_class
        Name of the rulebook's complexity class the case falls in.
    points
        Complexity points that put it there.
    class_weight
        The class's weight.
    urgency
        Urgency factor (high risk, minors).
    ageing
        Factor for days already waited.
    days_waited
        Days since intake.
    """

    complexity_class: str
    points: float
    class_weight: float
    urgency: float
    ageing: float
    days_waited: int

    @property
    def weight(self) -> float:
        """Weighted-waiting-day cost of one more day: class weight x urgency x ageing."""
        return self.class_weight * self.urgency * self.ageing


def complexity_points(book: RulebookFile, case: Case) -> float:
    """Sum of the rulebook's complexity points for the case's needs, risk, children and age."""
    pts = book.priority.complexity.points
    total = sum(pts.needs.get(n, 0.0) for n in case.needs)
    total += pts.safety_risk.get(case.safety_risk, 0.0)
    if case.accompanying_children:
        total += pts.accompanying_children
    if case.is_minor:
        total += pts.minor
    return total


def priority(book: RulebookFile, case: Case, today: date) -> Priority:
    """The case's priority on ``today`` under the rulebook."""
    points = complexity_points(book, case)
    cls = book.priority.complexity.classes[0]
    for candidate in book.priority.complexity.classes:
        if points >= candidate.min_points:
            cls = candidate
    rules = book.priority.urgency
    factors = [1.0]
    if case.safety_risk is SafetyRisk.HIGH:
        factors.append(rules.high_risk)
    if case.is_minor:
        factors.append(rules.minor)
    if rules.combine == "max":
        urgency = max(factors)
    else:
        urgency = 1.0
        for f in factors:
            urgency *= f
    waited = case.days_waited(today)
    ageing_rule = book.priority.ageing
    ageing = min(1.0 + ageing_rule.per_day * waited, ageing_rule.max_factor)
    return Priority(cls.name, points, cls.weight, urgency, ageing, waited)


def placement_penalty_days(book: RulebookFile, case: Case, facility: Facility) -> float:
    """Distance and preferred-region penalty of placing the case at the facility.

    Distance counts from the region where the case was signalled. Neither term applies
    when the case's safety rule requires distance from its region of exploitation.
    """
    if safety_requires_distance(book, case):
        return 0.0
    rules = book.penalties
    home = region(case.region_signalled)
    lat, lon = facility.location
    penalty = rules.per_100_km_days * distance_km(home.lat, home.lon, lat, lon) / 100.0
    if case.preferred_regions and facility.region_id not in case.preferred_regions:
        penalty += rules.outside_preferred_regions_days
    return penalty
