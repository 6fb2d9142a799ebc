"""FHIR R4 views of the facilities: ``Location``, and free beds as ``Slot`` counts.

- **Location** per facility: its name, placement type, provider and region; a facility with
  a secret address (``geheim adres``) has no ``address`` and no ``position`` at all, and is
  labelled restricted (``meta.security`` R). Opvang keeps no street addresses, so the
  address of the others is the region and the country.
- **Schedule** per facility (its beds, actor the Location) and **Slot** per bed: as many
  ``free`` slots as the latest report's free beds (as they count) and ``busy`` for the
  rest, from the moment the report counts from, for a day (reports are daily). A facility
  never reported has a Schedule and no Slots.

The resources are plain JSON here; ``tests/api/test_feeds.py`` validates them with the
``fhir.resources`` models (R4B, which has the same Location, Schedule and Slot as R4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from api.facilities.schemas import FacilityPublic
from capacity import CATALOGUE
from capacity.regions import region

FHIR_JSON = "application/fhir+json"
SYSTEM = "https://opvang.example/fhir"  # the code systems of Opvang's own codes
SLOT_DAYS = 1  # a report's free beds hold for a day (until the next daily report)
RESTRICTED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
    "code": "R",
    "display": "restricted",
}

Resource = dict[str, Any]


def location(facility: FacilityPublic) -> Resource:
    """The FHIR ``Location`` of a facility (no address for a secret one)."""
    kind = facility.placement_type
    resource: Resource = {
        "resourceType": "Location",
        "id": facility.id,
        "identifier": [{"system": f"{SYSTEM}/facility", "value": facility.id}],
        "status": "active",
        "name": facility.name,
        "mode": "instance",
        "type": [
            {
                "coding": [
                    {
                        "system": f"{SYSTEM}/placement-type",
                        "code": kind.value,
                        "display": CATALOGUE[kind].name,
                    }
                ]
            }
        ],
        "managingOrganization": {
            "identifier": {"system": f"{SYSTEM}/provider", "value": facility.provider_id}
        },
    }
    if facility.secret_address:
        resource["meta"] = {"security": [RESTRICTED]}
    else:
        resource["address"] = {"district": region(facility.region_id).name, "country": "NL"}
    return resource


def schedule(facility: FacilityPublic) -> Resource:
    """The facility's beds as a FHIR ``Schedule`` (actor: its Location)."""
    return {
        "resourceType": "Schedule",
        "id": f"{facility.id}-beds",
        "active": True,
        "actor": [{"reference": f"Location/{facility.id}"}],
        "comment": f"{facility.beds} beds",
    }


def slots(facility: FacilityPublic) -> list[Resource]:
    """One ``Slot`` per bed: ``free`` for the latest report's free beds, ``busy`` for the
    others (none for a facility never reported)."""
    if facility.updated is None or facility.beds_free_counted is None:
        return []
    start = facility.updated
    end = start + timedelta(days=SLOT_DAYS)
    return [
        {
            "resourceType": "Slot",
            "id": f"{facility.id}-bed-{n + 1}",
            "schedule": {"reference": f"Schedule/{facility.id}-beds"},
            "status": "free" if n < facility.beds_free_counted else "busy",
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        for n in range(facility.beds)
    ]


def bundle(base: str, matches: list[Resource], included: Sequence[Resource] = ()) -> Resource:
    """A ``searchset`` Bundle of the matches (and included resources)."""
    entries = [
        {
            "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": mode},
        }
        for mode, group in (("match", matches), ("include", included))
        for r in group
    ]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(matches), "entry": entries}
