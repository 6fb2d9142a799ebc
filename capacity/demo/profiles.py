"""Profile classes of ``../shared/domain-nl.md`` table C and the parameters they are drawn with.

A profile class is not stored on a case: :func:`profile_class` reads it off the intake
profile, so counts can be checked on any dataset. The class parameters below are
estimates unless their comment says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from capacity.cases import (
    Case,
    CaseStatus,
    ExploitationType,
    Gender,
    Need,
    ResidenceStatus,
    SafetyRisk,
)
from capacity.regions import region

E, R = ExploitationType, ResidenceStatus
OMM_NEEDS = (Need.MENTAL_HEALTH, Need.LVB, Need.ADDICTION)
OMM_NEED_WEIGHTS = (0.45, 0.30, 0.25)  # which problem a complex case has (estimate)
SECOND_PROBLEM_SHARE = 0.35  # complex cases with a second OMM-type problem (estimate)
SAFETY_SHARES = (0.50, 0.30, 0.20)  # low, medium, high risk (high: 20%, domain-nl E)
CHILDREN_SHARE_WOMEN = 0.10  # adult women with accompanying children (domain-nl E)
CHILDREN_SHARE_MEN = 0.03  # adult men with children (estimate; Goirle admits them)
CHILDREN_COUNTS = ((1, 0.65), (2, 0.3), (3, 0.05))  # number of children, probability
SAME_REGION_SHARE = 0.75  # cases exploited in the region where they are signalled
PREFERENCE_SHARE = 0.20  # low-risk adults who state preferred regions
MEDICAL_SHARE = 0.025  # cases who need medical care on site
PREGNANCY_SHARE = 0.03  # women aged 16-40 who are pregnant
WHEELCHAIR_SHARE = 0.015  # cases who use a wheelchair
TRAUMA_SHARE = {E.SEXUAL: 0.85, E.LABOUR: 0.45, E.CRIMINAL: 0.6, E.OTHER: 0.6}


class ProfileClass(StrEnum):
    """The eight profile classes of table C (Dutch fact sheet, estimates)."""

    NON_EU_SEXUAL_B8 = "non_eu_sexual_b8"
    NON_EU_LABOUR = "non_eu_labour"
    EU_LABOUR = "eu_labour"
    CRIMINAL = "criminal"
    DUTCH_WOMEN_DOMESTIC = "dutch_women_domestic"
    MINOR_NL_EU = "minor_nl_eu"
    UNACCOMPANIED_MINOR = "unaccompanied_minor"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ClassSpec:
    """How cases of one profile class are drawn.

    Parameters
    ----------
    residential_per_year
        Cases needing residential placement per year (table C, estimate): the class weight.
    ages
        Youngest and oldest age, in years.
    age_shape
        Beta-distribution parameters of the age within ``ages``.
    female
        Share female, per exploitation type.
    residence, exploitation
        Distributions as ``((value, probability), ...)``.
    complex_share
        Share with at least one OMM-type problem (LVB, mental health, addiction).
    interpreter_share
        Share of non-Dutch cases that need an interpreter.
    languages
        Interpreter languages (ISO 639) and their weights.
    domestic_boost
        Whether signalling follows the boosted police units (domestic sexual exploitation).
    """

    residential_per_year: int
    ages: tuple[int, int]
    age_shape: tuple[float, float]
    female: dict[ExploitationType, float]
    residence: tuple[tuple[ResidenceStatus, float], ...]
    exploitation: tuple[tuple[ExploitationType, float], ...]
    complex_share: float
    interpreter_share: float = 0.0
    languages: tuple[tuple[str, float], ...] = ()
    domestic_boost: bool = False
    unaccompanied: bool = False


def _all(share: float) -> dict[ExploitationType, float]:
    return dict.fromkeys(ExploitationType, share)


C = ProfileClass
CLASS_SPECS: dict[ProfileClass, ClassSpec] = {
    C.NON_EU_SEXUAL_B8: ClassSpec(
        residential_per_year=90,
        ages=(18, 45),
        age_shape=(2.0, 3.5),
        female=_all(1.0),
        residence=((R.THIRD_COUNTRY_B8, 0.9), (R.THIRD_COUNTRY_NO_B8, 0.07), (R.ASYLUM, 0.03)),
        exploitation=((E.SEXUAL, 1.0),),
        complex_share=0.22,
        interpreter_share=0.5,
        languages=(
            ("es", 0.25),
            ("pt", 0.15),
            ("fr", 0.25),
            ("th", 0.1),
            ("zh", 0.1),
            ("ar", 0.15),
        ),
    ),
    C.NON_EU_LABOUR: ClassSpec(
        residential_per_year=25,
        ages=(20, 55),
        age_shape=(2.0, 2.5),
        female=_all(0.35),
        residence=((R.THIRD_COUNTRY_B8, 0.45), (R.THIRD_COUNTRY_NO_B8, 0.40), (R.ASYLUM, 0.15)),
        exploitation=((E.LABOUR, 1.0),),
        complex_share=0.20,
        interpreter_share=0.8,
        languages=(
            ("uk", 0.35),
            ("ru", 0.1),
            ("zh", 0.15),
            ("vi", 0.15),
            ("ar", 0.1),
            ("es", 0.15),
        ),
    ),
    C.EU_LABOUR: ClassSpec(
        residential_per_year=30,
        ages=(20, 58),
        age_shape=(2.0, 2.5),
        female=_all(0.25),
        residence=((R.EU, 1.0),),
        exploitation=((E.LABOUR, 1.0),),
        complex_share=0.10,  # domain-nl E: 10% among EU labour victims
        interpreter_share=0.85,
        languages=(("pl", 0.4), ("ro", 0.3), ("bg", 0.2), ("hu", 0.1)),
    ),
    C.CRIMINAL: ClassSpec(
        residential_per_year=20,
        ages=(18, 35),
        age_shape=(1.5, 3.0),
        female=_all(0.2),
        residence=(
            (R.NL, 0.45),
            (R.EU, 0.25),
            (R.THIRD_COUNTRY_NO_B8, 0.2),
            (R.THIRD_COUNTRY_B8, 0.1),
        ),
        exploitation=((E.CRIMINAL, 1.0),),
        complex_share=0.35,
        interpreter_share=0.5,
        languages=(("ro", 0.3), ("pl", 0.2), ("vi", 0.3), ("ar", 0.2)),
    ),
    C.DUTCH_WOMEN_DOMESTIC: ClassSpec(
        residential_per_year=60,
        ages=(18, 35),
        age_shape=(1.2, 2.5),
        female=_all(1.0),
        residence=((R.NL, 1.0),),
        exploitation=((E.SEXUAL, 1.0),),
        complex_share=0.40,  # domain-nl E: 40% among Dutch adult women
        domestic_boost=True,
    ),
    C.MINOR_NL_EU: ClassSpec(
        residential_per_year=45,
        ages=(12, 17),
        age_shape=(3.0, 1.5),
        female={**_all(0.5), E.SEXUAL: 0.92, E.CRIMINAL: 0.2},
        residence=((R.NL, 0.85), (R.EU, 0.15)),
        exploitation=((E.SEXUAL, 0.65), (E.CRIMINAL, 0.35)),
        complex_share=0.30,
        interpreter_share=0.5,
        languages=(("pl", 0.4), ("ro", 0.4), ("bg", 0.2)),
        domestic_boost=True,
    ),
    C.UNACCOMPANIED_MINOR: ClassSpec(
        residential_per_year=15,
        ages=(14, 17),
        age_shape=(2.0, 1.5),
        female=_all(0.35),
        residence=((R.ASYLUM, 0.8), (R.THIRD_COUNTRY_NO_B8, 0.2)),
        exploitation=((E.CRIMINAL, 0.35), (E.SEXUAL, 0.3), (E.LABOUR, 0.2), (E.OTHER, 0.15)),
        complex_share=0.15,
        interpreter_share=0.9,
        languages=(("ar", 0.2), ("ti", 0.2), ("fa", 0.2), ("sq", 0.15), ("vi", 0.15), ("fr", 0.1)),
        unaccompanied=True,
    ),
    C.OTHER: ClassSpec(
        residential_per_year=15,
        ages=(18, 50),
        age_shape=(2.0, 2.5),
        female=_all(0.6),
        residence=(
            (R.NL, 0.3),
            (R.EU, 0.15),
            (R.THIRD_COUNTRY_NO_B8, 0.25),
            (R.ASYLUM, 0.15),
            (R.THIRD_COUNTRY_B8, 0.15),
        ),
        exploitation=((E.OTHER, 1.0),),
        complex_share=0.25,
        interpreter_share=0.6,
        languages=(("ar", 0.3), ("fr", 0.2), ("ti", 0.2), ("es", 0.15), ("tr", 0.15)),
    ),
}


def profile_class(case: Case) -> ProfileClass:
    """The table C profile class an intake profile belongs to.

    Parameters
    ----------
    case
        Any case.

    Returns
    -------
    ProfileClass
        Unaccompanied minors and other minors first; then criminal exploitation; labour
        split into EU and non-EU; sexual exploitation of Dutch and of non-EU women; the
        rest (other exploitation, Dutch labour, men and EU women in sexual exploitation)
        is ``OTHER``.
    """
    if case.unaccompanied:
        return C.UNACCOMPANIED_MINOR
    if case.is_minor:
        return C.MINOR_NL_EU
    kind, status = case.exploitation_type, case.residence_status
    if kind is E.CRIMINAL:
        return C.CRIMINAL
    if kind is E.LABOUR and status is not R.NL:
        return C.EU_LABOUR if status is R.EU else C.NON_EU_LABOUR
    if kind is E.SEXUAL and case.gender is Gender.FEMALE and status is not R.EU:
        return C.DUTCH_WOMEN_DOMESTIC if status is R.NL else C.NON_EU_SEXUAL_B8
    return C.OTHER


@dataclass(slots=True)
class Profile:
    """A case being drawn: everything but its id, intake date and status (mutable)."""

    age: int
    gender: Gender
    residence: ResidenceStatus
    exploitation: ExploitationType
    region_signalled: str
    region_of_exploitation: str
    unaccompanied: bool = False
    children: int = 0
    needs: set[Need] = field(default_factory=set)
    safety: SafetyRisk = SafetyRisk.LOW
    language: str | None = None
    preferred: tuple[str, ...] = ()

    @property
    def is_complex(self) -> bool:
        """Whether the case has an OMM-type problem (LVB, mental health, addiction)."""
        return any(n in self.needs for n in OMM_NEEDS)

    def responsible_organisation(self) -> str:
        """Nidos for unaccompanied minors; CoMensha for B8, OMM-type and labour cases."""
        if self.unaccompanied:
            return "Nidos"
        adult = self.age >= 18
        if adult and (
            self.residence is R.THIRD_COUNTRY_B8 or self.is_complex or self.exploitation is E.LABOUR
        ):
            return "CoMensha"
        return f"Zorgcoördinatie {region(self.region_signalled).name}"

    def to_case(self, case_id: str, intake_date: date, status: CaseStatus) -> Case:
        """The frozen :class:`Case` of this profile."""
        needs = set(self.needs)
        if self.language is not None:
            needs.add(Need.INTERPRETER)
        return Case(
            id=case_id,
            intake_date=intake_date,
            age=self.age,
            gender=self.gender,
            residence_status=self.residence,
            exploitation_type=self.exploitation,
            region_signalled=self.region_signalled,
            region_of_exploitation=self.region_of_exploitation,
            responsible_organisation=self.responsible_organisation(),
            accompanying_children=self.children,
            needs=frozenset(needs),
            safety_risk=self.safety,
            interpreter_language=self.language,
            preferred_regions=self.preferred,
            unaccompanied=self.unaccompanied,
            status=status,
        )
