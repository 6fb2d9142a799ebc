"""Women's-shelter beds usable for trafficking victims, in every one of the 35 regions.

The national women's shelter has 1,024 places (sourced, Monitor Veilige Opvang 2022-23);
the fact sheet suggests that about 5% of them (about 50) are usable for trafficking victims
at a time (estimate). They are split over the regions by population with at least one bed
each. Attributes follow fixed rules on the region's position in the list, so the supply is
the same for every seed.
"""

from __future__ import annotations

from capacity.cases import Need
from capacity.demo.costs import COST_PER_BED_DAY, wmo_stream_id
from capacity.demo.population import REGION_IDS, apportion_at_least_one, population_weights
from capacity.facilities import Facility, GenderPolicy, Provider
from capacity.placement_types import PlacementType
from capacity.regions import region

WOMENS_SHELTER_BEDS = 50  # beds nationally usable for trafficking (estimate: 5% of 1,024)
MAX_CHILDREN = 3  # accompanying children admitted with one woman
EXTRA_LANGUAGES = ("ar", "pl", "es", "ro", "bg", "uk", "pt", "fr", "ti", "tr")

# The few regions whose shelter offers more than trauma care (estimate: "few offer
# mental-health or addiction care"; Valente: combined problems make placement difficult).
EXTRA_SPECIALISMS: dict[str, frozenset[Need]] = {
    "groningen": frozenset({Need.MENTAL_HEALTH, Need.MEDICAL}),
    "utrecht": frozenset({Need.MENTAL_HEALTH, Need.LVB, Need.MEDICAL}),
    "den-haag": frozenset({Need.MENTAL_HEALTH, Need.PREGNANCY}),
    "eindhoven": frozenset({Need.ADDICTION, Need.PREGNANCY}),
    "arnhem": frozenset({Need.LVB}),
    "rotterdam": frozenset({Need.PREGNANCY, Need.MEDICAL}),
    "amsterdam": frozenset({Need.PREGNANCY}),
    "leeuwarden": frozenset({Need.LVB}),
    "s-hertogenbosch": frozenset({Need.PREGNANCY}),
}
WHEELCHAIR_EVERY = 3  # every third region (by list position) has an accessible location
NO_TRAUMA_EVERY = 6  # every sixth region's shelter has no specialised trauma care


def womens_shelter_beds() -> dict[str, int]:
    """Beds per region id: at least one each, the rest by population (50 in all)."""
    parts = apportion_at_least_one(WOMENS_SHELTER_BEDS, population_weights())
    return dict(zip(REGION_IDS, parts, strict=True))


def womens_shelter_providers() -> list[Provider]:
    """One generic women's-shelter organisation per region (``"Vrouwenopvang Utrecht"``)."""
    return [
        Provider(f"vrouwenopvang-{rid}", f"Vrouwenopvang {region(rid).name}") for rid in REGION_IDS
    ]


def womens_shelters() -> list[Facility]:
    """The women's-shelter facility of each of the 35 regions.

    Rules: female only, adults, up to three children; every other region (by list position)
    keeps a secret address; most offer trauma care, a few more (:data:`EXTRA_SPECIALISMS`);
    every third is wheelchair accessible; staff speak Dutch, English and one or two more.

    Returns
    -------
    list of Facility
        In the order of :data:`capacity.regions.REGIONS`.
    """
    beds = womens_shelter_beds()
    facilities = []
    for i, rid in enumerate(REGION_IDS):
        needs = set(EXTRA_SPECIALISMS.get(rid, frozenset()))
        if i % NO_TRAUMA_EVERY != NO_TRAUMA_EVERY - 1:
            needs.add(Need.TRAUMA_CARE)
        langs = {"nl", "en", EXTRA_LANGUAGES[i % len(EXTRA_LANGUAGES)]}
        if beds[rid] >= 2:  # larger shelters have a second extra language
            langs.add(EXTRA_LANGUAGES[(i * 3 + 1) % len(EXTRA_LANGUAGES)])
        facilities.append(
            Facility(
                id=f"womens-shelter-{rid}",
                name=f"Women's shelter {region(rid).name}",
                provider_id=f"vrouwenopvang-{rid}",
                region_id=rid,
                placement_type=PlacementType.WOMENS_SHELTER,
                beds=beds[rid],
                funding_stream_id=wmo_stream_id(rid),
                cost_per_bed_day=COST_PER_BED_DAY[PlacementType.WOMENS_SHELTER],
                specialisms=frozenset(needs),
                gender_policy=GenderPolicy.FEMALE_ONLY,
                max_children=MAX_CHILDREN,
                secret_address=i % 2 == 1,
                languages=frozenset(langs),
                wheelchair_access=i % WHEELCHAIR_EVERY == 0,
            )
        )
    return facilities
