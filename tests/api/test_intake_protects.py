"""Intake that protects (issue 14): interpreter languages from ISO 639, organisations from
a managed list. "romanian" was stored as "rom" (Romany) and "Jan de Vries 06-12345678"
(a person and a phone number) was accepted as the responsible organisation.
"""

from __future__ import annotations

import pytest

VALID = {
    "age": 29,
    "gender": "female",
    "residence_status": "eu",
    "exploitation_type": "labour",
    "region_signalled": "amsterdam",
    "region_of_exploitation": "utrecht",
    "responsible_organisation": "CoMensha",
    "needs": ["interpreter"],
    "interpreter_language": "ro",
}


@pytest.fixture
def coord(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("coordinator"))
        yield client


@pytest.fixture
def admin(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("admin"))
        yield client


def _refused(coord, change, field):
    count = coord.get("/v1/cases").json()["count"]
    answer = coord.post("/v1/cases", json={**VALID, **change})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert [e["loc"] for e in detail] == [["body", field]], detail
    assert coord.get("/v1/cases").json()["count"] == count  # nothing stored
    return detail[0]["msg"]


def test_romanian_is_refused_naming_the_field_and_the_code_to_use(coord):
    message = _refused(coord, {"interpreter_language": "romanian"}, "interpreter_language")
    assert "not an ISO 639 language code" in message
    assert "Romanian is 'ro'" in message


@pytest.mark.parametrize("code", ["ro", "ron", "RON", "rum"])
def test_ro_and_ron_are_romanian_never_romany(coord, code):
    answer = coord.post("/v1/cases", json={**VALID, "interpreter_language": code})
    assert answer.status_code == 201, answer.text
    assert answer.json()["interpreter_language"] == "ro"


def test_a_three_letter_code_without_a_two_letter_one_is_kept(coord):
    answer = coord.post("/v1/cases", json={**VALID, "interpreter_language": "rom"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["interpreter_language"] == "rom"  # Romany, when Romany is meant


@pytest.mark.parametrize("code", ["xx", "zzz", "r0", ""])
def test_unknown_codes_are_refused(coord, code):
    _refused(coord, {"interpreter_language": code}, "interpreter_language")


def test_a_person_and_a_phone_number_is_refused_as_organisation(coord):
    message = _refused(
        coord, {"responsible_organisation": "Jan de Vries 06-12345678"}, "responsible_organisation"
    )
    assert "looks like a phone number" in message  # the domain's personal-data check


def test_an_organisation_not_on_the_list_is_refused(coord):
    message = _refused(
        coord, {"responsible_organisation": "Stichting Onbekend"}, "responsible_organisation"
    )
    assert "is not on the list of organisations" in message


def test_an_organisation_on_the_list_is_taken_and_admins_keep_the_list(coord, admin):
    listed = coord.get("/v1/organisations").json()
    assert "CoMensha" in [o["name"] for o in listed["data"]]  # seeded from the stored cases
    _refused(coord, {"responsible_organisation": "Fier"}, "responsible_organisation")
    assert coord.post("/v1/organisations", json={"name": "Fier"}).status_code == 403
    added = admin.post("/v1/organisations", json={"name": "Fier"})
    assert added.status_code == 201, added.text
    assert admin.post("/v1/organisations", json={"name": "Fier"}).status_code == 409
    case = coord.post("/v1/cases", json={**VALID, "responsible_organisation": "Fier"})
    assert case.status_code == 201, case.text
    gone = admin.delete(f"/v1/organisations/{added.json()['id']}")
    assert gone.status_code == 200
    assert admin.delete(f"/v1/organisations/{added.json()['id']}").status_code == 404
    _refused(coord, {"responsible_organisation": "Fier"}, "responsible_organisation")
    assert coord.get(f"/v1/cases/{case.json()['id']}").json()["responsible_organisation"] == "Fier"


@pytest.mark.parametrize(
    "name",
    [
        "Jan de Vries 06-12345678",
        "jan@example.org",
        "x",
        "Jan 0612345678",
        "Maria Jansen, 3511 AB Utrecht",  # a postcode (issue 16)
        "Maria Jansen 12/03/1994",  # a date of birth
    ],
)
def test_an_admin_cannot_put_a_person_on_the_list(admin, name):
    answer = admin.post("/v1/organisations", json={"name": name})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "name"]


def test_policymakers_and_reporters_do_not_read_the_list(world, helpers):
    with helpers.client_for(world.url) as client:
        for user in ("policymaker", "reporter-hvo"):
            answer = client.get("/v1/organisations", headers=world.auth(user))
            assert answer.status_code == 403
