"""Standard feeds (issue 16): HSDS 3 service_capacity of each facility, HSDS-shaped capacity
updates on the report endpoint, and FHIR R4 Location and Slot resources that the
``fhir.resources`` models accept (R4B: the same Location, Schedule and Slot as R4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot

from store import Repository, ensure_database, session_scope, upsert

FHIR_JSON = "application/fhir+json"


def facility_json(client, world, facility_id):
    return client.get(f"/v1/facilities/{facility_id}", headers=world.auth("policymaker")).json()


def test_hsds_service_capacity_of_every_reported_facility(client, world):
    page = client.get("/v1/hsds/service_capacity", headers=world.auth("policymaker")).json()
    assert page["total_items"] == 1  # cosm-leeuwarden never reported
    (capacity,) = page["contents"]
    facility = facility_json(client, world, "ws-amsterdam")
    assert capacity["service_id"] == "ws-amsterdam"
    assert capacity["unit"]["name"] == "bed"
    assert capacity["available"] == facility["beds_free_counted"]
    assert capacity["maximum"] == facility["beds"] == 4
    assert capacity["updated"] == facility["updated"]
    one = client.get("/v1/hsds/service_capacity/cosm-leeuwarden", headers=world.auth("admin"))
    assert one.status_code == 404


def test_an_hsds_shaped_update_is_an_availability_report(client, world):
    body = {
        "id": "ws-amsterdam-beds",
        "service_id": "ws-amsterdam",
        "unit": {"id": "bed", "name": "bed"},
        "available": 1,
        "maximum": 4,
        "updated": datetime.now(UTC).isoformat(),
    }
    url = "/v1/facilities/ws-amsterdam/availability"
    answer = client.put(url, json=body, headers=world.auth("reporter-hvo"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["beds_free"] == 1
    view = client.get("/v1/hsds/service_capacity/ws-amsterdam", headers=world.auth("admin"))
    assert view.json()["available"] == 1

    wrong_maximum = client.put(url, json={**body, "maximum": 9}, headers=world.auth("reporter-hvo"))
    assert wrong_maximum.status_code == 422
    assert wrong_maximum.json()["detail"][0]["loc"] == ["body", "maximum"]
    wrong_unit = {**body, "unit": {"name": "room"}}
    assert client.put(url, json=wrong_unit, headers=world.auth("reporter-hvo")).status_code == 422
    too_many = client.put(
        url, json={**body, "available": 5, "maximum": None}, headers=world.auth("reporter-hvo")
    )
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["body", "available"]
    other = client.put(
        "/v1/facilities/cosm-leeuwarden/availability",
        json={**body, "maximum": None},
        headers=world.auth("reporter-hvo"),
    )
    assert other.status_code == 403  # the scope of the reporter holds for HSDS too


def test_fhir_locations_are_valid_and_secret_addresses_are_left_out(client, world):
    engine = ensure_database(world.url)
    with session_scope(engine) as session:
        secret = replace(Repository(session).facility("cosm-leeuwarden"), secret_address=True)
        upsert(session, secret)
    engine.dispose()
    answer = client.get("/v1/fhir/Location", headers=world.auth("coordinator"))
    assert answer.headers["content-type"].startswith(FHIR_JSON)
    bundle = Bundle.model_validate(answer.json())
    assert bundle.total == 2
    locations = {e.resource.id: e.resource for e in bundle.entry}
    assert all(isinstance(r, Location) for r in locations.values())
    assert locations["cosm-leeuwarden"].address is None
    assert locations["cosm-leeuwarden"].position is None
    assert locations["cosm-leeuwarden"].meta.security[0].code == "R"
    assert locations["ws-amsterdam"].address.district == "Amsterdam"
    one = client.get("/v1/fhir/Location/ws-amsterdam", headers=world.auth("reporter-fier"))
    assert Location.model_validate(one.json()).name == "Ws Amsterdam"
    assert client.get("/v1/fhir/Location/nowhere", headers=world.auth("admin")).status_code == 404


def test_fhir_slots_count_the_free_beds(client, world):
    answer = client.get("/v1/fhir/Slot?location=ws-amsterdam", headers=world.auth("admin"))
    bundle = Bundle.model_validate(answer.json())
    slots = [e.resource for e in bundle.entry if e.search.mode == "match"]
    schedules = [e.resource for e in bundle.entry if e.search.mode == "include"]
    assert all(isinstance(s, Slot) for s in slots)
    assert [type(s) for s in schedules] == [Schedule]
    facility = facility_json(client, world, "ws-amsterdam")
    assert len(slots) == facility["beds"]
    assert sum(s.status == "free" for s in slots) == facility["beds_free_counted"]
    everything = Bundle.model_validate(
        client.get("/v1/fhir/Slot", headers=world.auth("admin")).json()
    )
    assert everything.total == 4  # cosm-leeuwarden never reported: a Schedule, no Slots
    assert sum(e.search.mode == "include" for e in everything.entry) == 2
