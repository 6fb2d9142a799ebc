"""Evaluating a case against a facility: the decision and every reason behind it.

Each rule family is one function that returns the reasons it fails (empty when it holds)
and what it confirmed, so a coordinator reads *all* that stands in the way, not just the
first thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from capacity.cases import Case, Gender, Need
from capacity.criteria.labels import (
    GENDER_LABELS,
    GENDER_POLICY_LABELS,
    NEED_LABELS,
    age_range,
    children,
    describe_case,
    needs_list,
)
from capacity.criteria.schema import (
    CaseCategory,
    NeedSource,
    NeedStrength,
    RegionalStreams,
    RulebookFile,
)
from capacity.facilities import Facility, GenderPolicy
from capacity.funding import FundingStream
from capacity.placement_types import PlacementType, info
from capacity.regions import distance_km, region


class Rule(StrEnum):
    """The rule families of the rulebook, as reasons name them."""

    CATEGORY = "category"  # the placement type does not serve the case's category
    TYPE_NEEDS = "type_needs"  # the placement type requires a need the case lacks
    GENDER = "gender"
    AGE = "age"
    CHILDREN = "children"
    SIZE = "size"  # the facility has fewer beds than the family needs
    NEEDS = "needs"  # a hard need the facility does not cover
    SAFETY = "safety"
    FUNDING = "funding"
    PREFERENCE = "preference"  # a soft need not covered (a penalty, not a refusal)


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that failed (or one preference not met), in a coordinator's words.

    Parameters
    ----------
    rule
        The rule family (:class:`Rule`).
    text
        The sentence shown to the coordinator.
    """

    rule: Rule
    text: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The verdict on one case x facility pair.

    Parameters
    ----------
    facility_id
        The facility evaluated.
    failed
        Every rule that failed; the pair is eligible when this is empty.
    met
        Criteria the facility meets, for explanations.
    unmet_preferences
        Soft needs the facility does not cover (they cost :attr:`soft_penalty_days`).
    soft_penalty_days
        Objective penalty for the unmet soft needs, in waiting days.
    """

    facility_id: str
    failed: tuple[Reason, ...]
    met: tuple[str, ...]
    unmet_preferences: tuple[Reason, ...] = ()
    soft_penalty_days: float = 0.0

    @property
    def eligible(self) -> bool:
        """Whether no rule failed."""
        return not self.failed

    def summary(self) -> str:
        """``"eligible"`` or ``"not eligible: reason; reason"``."""
        if self.eligible:
            return "eligible"
        return "not eligible: " + "; ".join(r.text for r in self.failed)


@dataclass(frozen=True, slots=True)
class TypeEligibility:
    """Whether a case belongs to the target group of a placement type, with reasons."""

    placement_type: PlacementType
    failed: tuple[Reason, ...]
    met: tuple[str, ...]

    @property
    def eligible(self) -> bool:
        """Whether no rule failed."""
        return not self.failed


def matches_category(case: Case, category: CaseCategory) -> bool:
    """Whether the case fulfils every condition of the category."""
    checks = (
        category.min_age is None or case.age >= category.min_age,
        category.max_age is None or case.age <= category.max_age,
        category.genders is None or case.gender in category.genders,
        category.residence_statuses is None or case.residence_status in category.residence_statuses,
        category.exploitation_types is None
        or case.exploitation_type in category.exploitation_types,
        category.unaccompanied is None or case.unaccompanied == category.unaccompanied,
        category.any_need is None or bool(case.needs & category.any_need),
    )
    return all(checks)


def case_categories(book: RulebookFile, case: Case) -> frozenset[str]:
    """Names of all case categories of the rulebook the case belongs to."""
    return frozenset(
        name for name, cat in book.case_categories.items() if matches_category(case, cat)
    )


def evaluate_type(
    book: RulebookFile,
    case: Case,
    ptype: PlacementType,
    *,
    genders: bool = True,
    categories: frozenset[str] | None = None,
) -> TypeEligibility:
    """Target-group rules of one placement type (category, genders, required needs).

    ``genders=False`` leaves the type's genders out (a facility's policy decides a pair).
    ``categories``: the case's :func:`case_categories`, when the caller has them already.
    """
    rule = book.placement_types[ptype]
    label = info(ptype).name
    failed: list[Reason] = []
    met: list[str] = []
    if categories is None:
        categories = case_categories(book, case)
    served = sorted(rule.serves & categories)
    if served:
        met.append(f"{label} serves: {book.case_categories[served[0]].description}")
    else:
        groups = "; ".join(sorted(book.case_categories[c].description for c in rule.serves))
        failed.append(
            Reason(
                Rule.CATEGORY,
                f"{label} serves: {groups}. This case ({describe_case(case)}) is none of these.",
            )
        )
    if genders and rule.genders is not None:
        who = " or ".join(GENDER_LABELS[g] for g in Gender if g in rule.genders)
        if case.gender in rule.genders:
            met.append(f"{label} is for {who} cases")
        else:
            text = f"{label} is for {who} cases; this case is {GENDER_LABELS[case.gender]}."
            failed.append(Reason(Rule.GENDER, text))
    if rule.requires_any_need:
        if case.needs & rule.requires_any_need:
            met.append(
                f"needs {needs_list(case.needs & rule.requires_any_need)}, which {label} is for"
            )
        else:
            failed.append(
                Reason(
                    Rule.TYPE_NEEDS,
                    f"{label} is for cases that need at least one of: "
                    f"{needs_list(rule.requires_any_need)}; this case needs none of these.",
                )
            )
    return TypeEligibility(ptype, tuple(failed), tuple(met))


def evaluate(
    book: RulebookFile,
    case: Case,
    facility: Facility,
    stream: FundingStream | None,
    *,
    categories: frozenset[str] | None = None,
) -> Eligibility:
    """All rules for one case x facility pair.

    Parameters
    ----------
    book
        The validated rulebook.
    case
        The intake profile.
    facility
        The facility.
    stream
        The facility's funding stream (``None`` when unknown: the funding rule then fails).
    categories
        The case's :func:`case_categories`, when the caller has them already (issue 11:
        a round evaluates every case against every facility; the categories are the
        case's alone).

    Returns
    -------
    Eligibility
        The verdict with every failed rule, what was met and the soft-need penalty.
    """
    # the facility's own gender policy decides the pair (its reason names the facility);
    # the type's genders only answer "which types is this case for?"
    if categories is None:
        categories = case_categories(book, case)
    type_verdict = evaluate_type(
        book, case, facility.placement_type, genders=False, categories=categories
    )
    failed = list(type_verdict.failed)
    met = list(type_verdict.met)
    for family in (_gender, _age, _children_and_size, _safety):
        fails, oks = family(book, case, facility)
        failed += fails
        met += oks
    fails, oks, prefs, penalty = _needs(book, case, facility)
    failed += fails
    met += oks
    fails, oks = _funding(book, case, facility, stream, categories)
    failed += fails
    met += oks
    return Eligibility(facility.id, tuple(failed), tuple(met), tuple(prefs), penalty)


_Result = tuple[list[Reason], list[str]]


def _gender(_book: RulebookFile, case: Case, fac: Facility) -> _Result:
    admitted = (
        fac.gender_policy is GenderPolicy.MIXED
        or (fac.gender_policy is GenderPolicy.FEMALE_ONLY and case.gender is Gender.FEMALE)
        or (fac.gender_policy is GenderPolicy.MALE_ONLY and case.gender is Gender.MALE)
    )
    policy = GENDER_POLICY_LABELS[fac.gender_policy]
    if admitted:
        return [], [f"admits {policy}"]
    text = f"{fac.name} admits {policy}; this case is {GENDER_LABELS[case.gender]}."
    return [Reason(Rule.GENDER, text)], []


def _age(_book: RulebookFile, case: Case, fac: Facility) -> _Result:
    if fac.min_age <= case.age <= fac.max_age:
        return [], [f"admits {age_range(fac.min_age, fac.max_age)}"]
    text = f"{fac.name} admits {age_range(fac.min_age, fac.max_age)}; this case is {case.age}."
    return [Reason(Rule.AGE, text)], []


def _children_and_size(_book: RulebookFile, case: Case, fac: Facility) -> _Result:
    failed: list[Reason] = []
    if case.accompanying_children > fac.max_children:
        failed.append(
            Reason(
                Rule.CHILDREN,
                f"{fac.name} admits "
                + (f"at most {children(fac.max_children)}" if fac.max_children else children(0))
                + f"; this case comes with {case.accompanying_children}.",
            )
        )
    elif case.beds > fac.beds:
        failed.append(
            Reason(
                Rule.SIZE, f"{fac.name} has {fac.beds} beds in all; this family needs {case.beds}."
            )
        )
    if failed:
        return failed, []
    return [], (
        [f"room for {case.accompanying_children} children"] if case.accompanying_children else []
    )


def _needs(
    book: RulebookFile, case: Case, fac: Facility
) -> tuple[list[Reason], list[str], list[Reason], float]:
    failed: list[Reason] = []
    met: list[str] = []
    prefs: list[Reason] = []
    penalty = 0.0
    for need in Need:
        if need not in case.needs:
            continue
        rule = book.needs[need]
        covered, missing_text = _covers(need, rule.met_by, case, fac)
        if covered:
            met.append(f"offers {NEED_LABELS[need]}")
        elif rule.strength is NeedStrength.HARD:
            failed.append(Reason(Rule.NEEDS, missing_text))
        else:
            prefs.append(Reason(Rule.PREFERENCE, missing_text))
            penalty += rule.penalty_days
    return failed, met, prefs, penalty


def _covers(need: Need, source: NeedSource, case: Case, fac: Facility) -> tuple[bool, str]:
    if source is NeedSource.WHEELCHAIR_ACCESS:
        return fac.wheelchair_access, f"{fac.name} is not wheelchair accessible."
    if source is NeedSource.LANGUAGE:
        lang = case.interpreter_language or ""
        return (
            lang in fac.languages,
            f"{fac.name} has no staff speaking '{lang}' (interpreter needed).",
        )
    return need in fac.specialisms, f"{fac.name} offers no {NEED_LABELS[need]}."


def safety_requires_distance(book: RulebookFile, case: Case) -> bool:
    """Whether the case's safety rule asks for placement away from its region of exploitation."""
    rule = book.safety[case.safety_risk]
    return rule.outside_region_of_exploitation or rule.min_distance_km > 0


def _safety(book: RulebookFile, case: Case, fac: Facility) -> _Result:
    rule = book.safety[case.safety_risk]
    risk = f"{case.safety_risk.value} safety risk"
    failed: list[Reason] = []
    met: list[str] = []
    if rule.secret_address:
        if fac.secret_address:
            met.append("secret address")
        else:
            failed.append(
                Reason(
                    Rule.SAFETY, f"A {risk} needs a secret address; {fac.name}'s address is known."
                )
            )
    exploited = region(case.region_of_exploitation)
    if rule.outside_region_of_exploitation:
        if fac.region_id == exploited.id:
            failed.append(
                Reason(
                    Rule.SAFETY,
                    f"A {risk} needs placement outside {exploited.name}, "
                    f"the region of exploitation; {fac.name} is in it.",
                )
            )
        else:
            met.append(f"outside {exploited.name}, the region of exploitation")
    if rule.min_distance_km > 0:
        lat, lon = fac.location
        km = distance_km(lat, lon, exploited.lat, exploited.lon)
        if km < rule.min_distance_km:
            failed.append(
                Reason(
                    Rule.SAFETY,
                    f"A {risk} needs at least {rule.min_distance_km:.0f} km from {exploited.name}; "
                    f"{fac.name} is {km:.0f} km away.",
                )
            )
        else:
            met.append(f"{km:.0f} km from {exploited.name}")
    return failed, met


def _funding(
    book: RulebookFile,
    case: Case,
    fac: Facility,
    stream: FundingStream | None,
    categories: frozenset[str],
) -> _Result:
    rule = book.funding
    if not rule.require_coverage:
        return [], []
    if stream is None:
        return [Reason(Rule.FUNDING, f"{fac.name} has no known funding stream.")], []
    failed: list[Reason] = []
    label = info(fac.placement_type).name
    if fac.placement_type not in stream.placement_types:
        failed.append(Reason(Rule.FUNDING, f"{stream.name} does not pay for {label} beds."))
    if not stream.case_categories & categories:
        failed.append(
            Reason(
                Rule.FUNDING, f"{stream.name} does not pay for this case ({describe_case(case)})."
            )
        )
    own_region_only = (
        stream.region_id is not None and rule.regional_streams is RegionalStreams.OWN_REGION
    )
    if own_region_only and case.region_signalled != stream.region_id:
        unsafe_exception = rule.out_of_region_when_unsafe and safety_requires_distance(book, case)
        if not unsafe_exception:
            home = region(case.region_signalled).name
            failed.append(
                Reason(
                    Rule.FUNDING,
                    f"{stream.name} pays only for cases signalled in its own region; "
                    f"this case was signalled in {home}.",
                )
            )
    if failed:
        return failed, []
    return [], [f"paid by {stream.name}"]
