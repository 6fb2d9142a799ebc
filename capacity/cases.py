"""The uniform intake profile of a case.

A case is pseudonymous: it has no name, address, date of birth or document number, and no
field can hold one (free text is short and limited to the responsible organisation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from capacity.errors import InvalidCaseError, refuse, unknown_codes
from capacity.personal_data import personal_data_in
from capacity.regions import region_ids

EARLIEST_INTAKE = date(2000, 1, 1)  # no intake before this (the national desk is younger)
MAX_AGE = 120  # years
MAX_CHILDREN = 12  # accompanying children in one family case
ORGANISATION_MAX_LENGTH = 80  # characters; free text is kept short on purpose (no identity data)
CASE_ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9-]{2,39}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1 or -3 code


class Gender(StrEnum):
    """A case's gender as the intake records it (``x``: non-binary or not stated)."""

    FEMALE = "female"
    MALE = "male"
    X = "x"  # non-binary or not stated


class ResidenceStatus(StrEnum):
    """Residence status, which decides the funding and the B8 reflection period."""

    NL = "nl"
    EU = "eu"
    THIRD_COUNTRY_B8 = "third_country_b8"  # in the B8 reflection period (bedenktijd)
    THIRD_COUNTRY_NO_B8 = "third_country_no_b8"
    ASYLUM = "asylum"


class ExploitationType(StrEnum):
    """The form of exploitation the case was signalled for."""

    SEXUAL = "sexual"
    LABOUR = "labour"
    CRIMINAL = "criminal"
    OTHER = "other"


class Need(StrEnum):
    """A care need that a facility's specialisms may cover."""

    TRAUMA_CARE = "trauma_care"
    MENTAL_HEALTH = "mental_health"
    ADDICTION = "addiction"
    LVB = "lvb"  # mild intellectual disability (licht verstandelijke beperking)
    MEDICAL = "medical"
    PREGNANCY = "pregnancy"
    INTERPRETER = "interpreter"
    WHEELCHAIR = "wheelchair"


class SafetyRisk(StrEnum):
    """The safety risk assessed at intake; high risk may require distance from the region."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CaseStatus(StrEnum):
    """Where a case is in its lifecycle (:mod:`capacity.lifecycle` holds the transitions)."""

    WAITING = "waiting"
    PROPOSED = "proposed"
    PLACED = "placed"
    DISCHARGED = "discharged"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Case:
    """One victim's intake profile, as registered by an intake coordinator.

    Parameters
    ----------
    id
        Pseudonymous case number (``"C-2026-0042"``): upper-case letters, digits, dashes.
    intake_date
        Day the case was registered; waiting days count from here.
    age
        Age in whole years.
    gender
        Gender as registered.
    accompanying_children
        Children placed with the victim; a family is one case and is never split.
    residence_status
        Residence status, which decides COSM access and funding.
    exploitation_type
        Form of exploitation.
    region_signalled
        Region where the case was signalled; responsible region for regional funding.
    region_of_exploitation
        Region where the exploitation took place (safety rules keep high-risk cases away).
    needs
        Care needs; see :class:`Need`.
    safety_risk
        Threat assessment.
    interpreter_language
        Language code when :attr:`Need.INTERPRETER` is among the needs.
    preferred_regions
        Regions the victim prefers (ignored where safety requires distance).
    unaccompanied
        An unaccompanied foreign minor (Nidos guardianship); only for minors.
    responsible_organisation
        Organisation that holds the case (``"CoMensha"``, ``"Zorgcoördinatie Utrecht"``).
    status
        Where the case is in the process.
    """

    id: str
    intake_date: date
    age: int
    gender: Gender
    residence_status: ResidenceStatus
    exploitation_type: ExploitationType
    region_signalled: str
    region_of_exploitation: str
    responsible_organisation: str
    accompanying_children: int = 0
    needs: frozenset[Need] = field(default_factory=frozenset)
    safety_risk: SafetyRisk = SafetyRisk.LOW
    interpreter_language: str | None = None
    preferred_regions: tuple[str, ...] = ()
    unaccompanied: bool = False
    status: CaseStatus = CaseStatus.WAITING

    def __post_init__(self) -> None:
        refuse(_case_problems(self))

    @property
    def is_minor(self) -> bool:
        """Whether the case is under 18."""
        return self.age < 18

    @property
    def beds(self) -> int:
        """Beds the family needs: the victim plus each accompanying child."""
        return 1 + self.accompanying_children

    def days_waited(self, today: date) -> int:
        """Days since intake (0 on the intake day, never negative)."""
        return max(0, (today - self.intake_date).days)


def _fail(name: str, reason: str) -> InvalidCaseError:
    return InvalidCaseError(name, reason)


def _case_problems(case: Case) -> Iterator[InvalidCaseError]:  # noqa: C901, PLR0912 (a flat list of field checks)
    """Every field of the case that breaks a rule, in the order the rules are checked.

    All of them, not only the first: a stored case is mended in one pass. A rule that reads
    another field (the interpreter language reads the needs, an unaccompanied minor the
    age) is checked only when that field holds.
    """
    if not isinstance(case.id, str) or not CASE_ID_PATTERN.match(case.id):
        yield _fail(
            "id", "must be 3-40 upper-case letters, digits or dashes, starting with a letter"
        )
    if not isinstance(case.intake_date, date):
        yield _fail("intake_date", "must be a date")
    elif case.intake_date < EARLIEST_INTAKE:
        # issue 10: 0001-01-01 was taken, and the standard class's mean wait became 4,604 days
        yield _fail("intake_date", f"must not be before {EARLIEST_INTAKE.isoformat()}")
    age_holds = (
        not isinstance(case.age, bool) and isinstance(case.age, int) and 0 <= case.age <= MAX_AGE
    )
    if not age_holds:
        yield _fail("age", f"must be a whole number from 0 to {MAX_AGE}")
    for name, enum in (
        ("gender", Gender),
        ("residence_status", ResidenceStatus),
        ("exploitation_type", ExploitationType),
        ("safety_risk", SafetyRisk),
        ("status", CaseStatus),
    ):
        value = getattr(case, name)
        if not isinstance(value, enum):
            allowed = ", ".join(m.value for m in enum)
            yield _fail(name, unknown_codes([value], enum) or f"{value!r} is not one of: {allowed}")
    children = case.accompanying_children
    if (
        isinstance(children, bool)
        or not isinstance(children, int)
        or not 0 <= children <= MAX_CHILDREN
    ):
        yield _fail("accompanying_children", f"must be a whole number from 0 to {MAX_CHILDREN}")
    known = region_ids()
    for name in ("region_signalled", "region_of_exploitation"):
        if getattr(case, name) not in known:
            yield _fail(name, f"unknown region {getattr(case, name)!r}")
    for i, preferred in enumerate(case.preferred_regions):
        if preferred not in known:
            yield _fail(f"preferred_regions[{i}]", f"unknown region {preferred!r}")
    if len(set(case.preferred_regions)) != len(case.preferred_regions):
        yield _fail("preferred_regions", "lists a region twice")
    needs_hold = isinstance(case.needs, frozenset) and all(isinstance(n, Need) for n in case.needs)
    if not needs_hold:
        unknown = unknown_codes(case.needs, Need) if isinstance(case.needs, frozenset) else None
        yield _fail("needs", unknown or f"must be a set of: {', '.join(n.value for n in Need)}")
    elif Need.INTERPRETER in case.needs:
        if case.interpreter_language is None or not LANGUAGE_PATTERN.match(
            case.interpreter_language
        ):
            yield _fail(
                "interpreter_language",
                "a case that needs an interpreter needs a language code (ISO 639)",
            )
    elif case.interpreter_language is not None:
        yield _fail("interpreter_language", "only given when the needs include 'interpreter'")
    if age_holds and case.unaccompanied and not case.is_minor:
        yield _fail("unaccompanied", "only a minor (under 18) can be an unaccompanied minor")
    org = case.responsible_organisation
    if not isinstance(org, str) or not org.strip() or len(org) > ORGANISATION_MAX_LENGTH:
        yield _fail("responsible_organisation", f"must be 1-{ORGANISATION_MAX_LENGTH} characters")
    elif (found := personal_data_in(org)) is not None:  # issue 16: never a person's details
        yield _fail("responsible_organisation", found)
