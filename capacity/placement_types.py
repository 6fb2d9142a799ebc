"""The national catalogue of placement types.

Typical lengths of stay are the model means of ``../shared/domain-nl.md`` table D; where
the fact sheet has no figure the value is an estimate (see ``docs/demo-data.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PlacementType(StrEnum):
    """A kind of bed; the values are the codes used in data, rulebooks and the API."""

    COSM = "cosm"
    OMM = "omm"
    WOMENS_SHELTER = "womens_shelter"
    MENS_SHELTER = "mens_shelter"
    YOUTH_SPECIALISED = "youth_specialised"
    PROTECTED_RECEPTION = "protected_reception"
    LABOUR_EXPLOITATION = "labour_exploitation"
    CRISIS = "crisis"
    MENTAL_HEALTH_CLINICAL = "mental_health_clinical"
    SHELTERED_HOUSING = "sheltered_housing"


@dataclass(frozen=True, slots=True)
class PlacementTypeInfo:
    """What the catalogue says about one placement type.

    Parameters
    ----------
    type
        The placement type.
    name
        English name shown to users.
    dutch_name
        The Dutch term (see ``docs/glossary.md``).
    typical_stay_days
        Mean length of stay used for expected discharges and costs, in days.
    placed_by
        Who decides placement today (CoMensha places COSM and OMM nationally).
    national_placement
        True where placement is already national today (CoMensha); the others are
        arranged regionally.
    """

    type: PlacementType
    name: str
    dutch_name: str
    typical_stay_days: int
    placed_by: str
    national_placement: bool


CATALOGUE: dict[PlacementType, PlacementTypeInfo] = {
    info.type: info
    for info in (
        PlacementTypeInfo(
            PlacementType.COSM,
            "COSM (categorical shelter)",
            "Categorale Opvang Slachtoffers Mensenhandel",
            150,
            "CoMensha",
            True,
        ),
        PlacementTypeInfo(
            PlacementType.OMM,
            "OMM (multi-problem shelter)",
            "Opvang Mensenhandel Multiproblematiek",
            180,
            "CoMensha",
            True,
        ),
        PlacementTypeInfo(
            PlacementType.WOMENS_SHELTER,
            "Women's shelter",
            "Vrouwenopvang",
            259,
            "centrumgemeente",
            False,
        ),
        PlacementTypeInfo(
            PlacementType.MENS_SHELTER,
            "Men's shelter",
            "Mannenopvang",
            180,
            "centrumgemeente",
            False,
        ),
        PlacementTypeInfo(
            PlacementType.YOUTH_SPECIALISED,
            "Youth specialised shelter",
            "Specialistische jeugdopvang",
            300,
            "municipality (Jeugdwet)",
            False,
        ),
        PlacementTypeInfo(
            PlacementType.PROTECTED_RECEPTION,
            "Protected reception (unaccompanied minors)",
            "Beschermde Opvang",
            180,
            "Nidos",
            False,
        ),
        PlacementTypeInfo(
            PlacementType.LABOUR_EXPLOITATION,
            "Labour-exploitation bed",
            "Opvangplek arbeidsuitbuiting",
            90,
            "CoMensha",
            False,
        ),
        PlacementTypeInfo(
            PlacementType.CRISIS,
            "Crisis / 72-hour bed",
            "Crisisplek / 72-uursplek",
            7,
            "police",
            False,
        ),
        PlacementTypeInfo(
            PlacementType.MENTAL_HEALTH_CLINICAL,
            "Mental-health clinical bed",
            "Klinische GGZ-plek",
            90,
            "mental-health provider",
            False,
        ),
        PlacementTypeInfo(
            PlacementType.SHELTERED_HOUSING,
            "Sheltered housing",
            "Beschermd wonen",
            365,
            "centrumgemeente",
            False,
        ),
    )
}


def info(placement_type: PlacementType | str) -> PlacementTypeInfo:
    """Catalogue entry of a placement type (given as enum or code)."""
    return CATALOGUE[PlacementType(placement_type)]
