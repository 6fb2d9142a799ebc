"""Words for coordinators: how needs, statuses and policies read in a reason."""

from __future__ import annotations

from capacity.cases import MAX_AGE, Case, Gender, Need, ResidenceStatus
from capacity.facilities import GenderPolicy

NEED_LABELS: dict[Need, str] = {
    Need.TRAUMA_CARE: "trauma care",
    Need.MENTAL_HEALTH: "mental-health care",
    Need.ADDICTION: "addiction care",
    Need.LVB: "support for mild intellectual disability (LVB)",
    Need.MEDICAL: "medical care",
    Need.PREGNANCY: "pregnancy care",
    Need.INTERPRETER: "an interpreter",
    Need.WHEELCHAIR: "wheelchair access",
}

RESIDENCE_LABELS: dict[ResidenceStatus, str] = {
    ResidenceStatus.NL: "Dutch",
    ResidenceStatus.EU: "EU citizen",
    ResidenceStatus.THIRD_COUNTRY_B8: "third-country national in the B8 reflection period",
    ResidenceStatus.THIRD_COUNTRY_NO_B8: "third-country national without B8",
    ResidenceStatus.ASYLUM: "asylum seeker",
}

GENDER_POLICY_LABELS: dict[GenderPolicy, str] = {
    GenderPolicy.FEMALE_ONLY: "women and girls only",
    GenderPolicy.MALE_ONLY: "men and boys only",
    GenderPolicy.MIXED: "all genders",
}

GENDER_LABELS: dict[Gender, str] = {
    Gender.FEMALE: "female",
    Gender.MALE: "male",
    Gender.X: "gender X",
}


def describe_case(case: Case) -> str:
    """A short, non-identifying description: ``"34, female, EU citizen"``."""
    parts = [f"{case.age}", GENDER_LABELS[case.gender], RESIDENCE_LABELS[case.residence_status]]
    if case.unaccompanied:
        parts.append("unaccompanied")
    return ", ".join(parts)


def needs_list(needs: frozenset[Need] | set[Need]) -> str:
    """Needs in catalogue order, joined for a sentence."""
    return ", ".join(NEED_LABELS[n] for n in Need if n in needs)


def complexity_label(name: str) -> str:
    """A complexity class as the glossary writes it: ``highly_complex`` -> ``highly complex``."""
    return name.replace("_", " ")


def age_range(min_age: int, max_age: int) -> str:
    """``ages 12-17``, ``ages 18 and over`` (no upper limit), ``ages up to 17``."""
    if max_age >= MAX_AGE:
        return "all ages" if min_age <= 0 else f"ages {min_age} and over"
    if min_age <= 0:
        return f"ages up to {max_age}"
    return f"ages {min_age}-{max_age}"


def children(n: int) -> str:
    """``1 accompanying child``, ``2 accompanying children``, ``no accompanying children``."""
    if n <= 0:
        return "no accompanying children"
    return f"{n} accompanying {'child' if n == 1 else 'children'}"
