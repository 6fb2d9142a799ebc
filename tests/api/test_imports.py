"""``/v1/imports`` (issue 16): admins only, a dry run shows every problem with its value, a
real import with problems is a 422 naming row and column with nothing written, and the
template downloads in both languages."""

from __future__ import annotations

import base64
import io

from openpyxl import load_workbook

HEADER = (
    "id,intake_date,age,gender,residence_status,exploitation_type,region_signalled,"
    "region_of_exploitation,responsible_organisation\n"
)
GOOD = "C-2026-0301,2026-10-01,30,female,eu,sexual,utrecht,utrecht,CoMensha\n"
BAD = "C-2026-0302,2026-10-01,30,female,eu,sexual,atlantis,utrecht,CoMensha\n"


def body(text: str, name: str = "cases.csv") -> dict[str, str]:
    return {"filename": name, "content": base64.b64encode(text.encode()).decode()}


def test_only_admins_import(client, world):
    answer = client.post(
        "/v1/imports/cases", json=body(HEADER + GOOD), headers=world.auth("coordinator")
    )
    assert answer.status_code == 403


def test_dry_run_reports_problems_with_values_and_writes_nothing(client, world):
    answer = client.post(
        "/v1/imports/cases?dry_run=true",
        json=body(HEADER + GOOD + BAD),
        headers=world.auth("admin"),
    )
    assert answer.status_code == 200
    report = answer.json()
    assert report["written"] is False
    assert report["created"] == 1
    assert report["problems"] == [
        {
            "row": 3,
            "column": "region_signalled",
            "value": "atlantis",
            "reason": "unknown region 'atlantis'",
        }
    ]
    listed = client.get("/v1/cases?status=waiting", headers=world.auth("admin")).json()
    assert "C-2026-0301" not in [c["id"] for c in listed["data"]]


def test_an_import_with_problems_is_a_422_and_writes_nothing(client, world):
    answer = client.post(
        "/v1/imports/cases", json=body(HEADER + GOOD + BAD), headers=world.auth("admin")
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {
            "loc": ["body", "content", 3, "region_signalled"],
            "msg": "unknown region 'atlantis'",
            "type": "value_error",
        }
    ]
    assert client.get("/v1/cases/C-2026-0301", headers=world.auth("admin")).status_code == 404


def test_a_row_with_two_bad_fields_is_a_422_naming_both(client, world):
    twice = "C-2026-0303,2026-10-01,30,female,eu,sexual,atlantis,mordor,CoMensha\n"
    answer = client.post(
        "/v1/imports/cases", json=body(HEADER + twice), headers=world.auth("admin")
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {
            "loc": ["body", "content", 2, "region_signalled"],
            "msg": "unknown region 'atlantis'",
            "type": "value_error",
        },
        {
            "loc": ["body", "content", 2, "region_of_exploitation"],
            "msg": "unknown region 'mordor'",
            "type": "value_error",
        },
    ]


def test_an_import_writes_and_the_same_file_again_changes_nothing(client, world):
    first = client.post("/v1/imports/cases", json=body(HEADER + GOOD), headers=world.auth("admin"))
    assert first.status_code == 200
    assert (first.json()["created"], first.json()["written"]) == (1, True)
    again = client.post("/v1/imports/cases", json=body(HEADER + GOOD), headers=world.auth("admin"))
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)
    case = client.get("/v1/cases/C-2026-0301", headers=world.auth("admin")).json()
    assert case["region_signalled"] == "utrecht"


def test_a_body_that_is_not_a_table_is_a_422_naming_the_field(client, world):
    wrong_name = client.post(
        "/v1/imports/cases", json=body(HEADER, "cases.txt"), headers=world.auth("admin")
    )
    assert wrong_name.status_code == 422
    assert wrong_name.json()["detail"][0]["loc"] == ["body", "filename"]
    not_xlsx = client.post(
        "/v1/imports/cases", json=body("junk", "cases.xlsx"), headers=world.auth("admin")
    )
    assert not_xlsx.status_code == 422
    assert not_xlsx.json()["detail"][0]["loc"] == ["body", "file"]
    assert (
        client.post("/v1/imports/wards", json=body(HEADER), headers=world.auth("admin")).status_code
        == 422
    )


def test_templates_download_in_english_and_dutch(client, world):
    csv = client.get(
        "/v1/imports/cases/template?format=csv&language=nl", headers=world.auth("admin")
    )
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig").startswith("casusnummer,intakedatum,leeftijd")
    xlsx = client.get("/v1/imports/facilities/template", headers=world.auth("admin"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:3] == ["id", "name", "provider_id"]
