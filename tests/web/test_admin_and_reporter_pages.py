"""Admins manage users and read the audit log on the dashboard; a reporter sees their
facilities' occupied beds, expected discharges and report history (issue 17)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.web import reporter_view

NEW_PASSWORD = "a brand new passphrase"


def _signs_in(app, web, name: str, password: str) -> bool:
    with TestClient(app, follow_redirects=False) as other:
        page = other.get("/login")
        form = {"username": name, "password": password, "csrf_token": web.csrf_of(page.text)}
        return other.post("/login", data=form).status_code == 303


def test_an_admin_adds_a_user_who_then_signs_in(app, client, web):
    csrf = web.sign_in(client, "admin")
    form = {
        "csrf_token": csrf,
        "name": "desk-2",
        "role": "intake_coordinator",
        "provider_id": "",
        "region_id": "",
        "password": NEW_PASSWORD,
    }
    page = client.post("/admin/users", data=form)
    assert page.status_code == 200, page.text
    assert "User desk-2 added" in page.text
    assert "opv_" in page.text  # the bearer token, shown this once
    assert _signs_in(app, web, "desk-2", NEW_PASSWORD)

    again = client.post("/admin/users", data=form)
    assert again.status_code == 422
    assert "is taken" in again.text
    short = client.post("/admin/users", data={**form, "name": "desk-3", "password": "short"})
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    scope = client.post("/admin/users", data={**form, "name": "desk-4", "role": "region_reporter"})
    assert scope.status_code == 422
    assert "desk-4" not in client.get("/admin/users").text


def test_an_admin_disables_enables_and_resets_a_password(app, client, web):
    csrf = web.sign_in(client, "admin")
    answer = client.post(
        "/admin/users/reporter-fier/active", data={"csrf_token": csrf, "active": "false"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/users?changed=reporter-fier"
    assert "User reporter-fier changed" in client.get(answer.headers["location"]).text
    assert "disabled" in client.get("/admin/users").text
    assert not _signs_in(app, web, "reporter-fier", web.PASSWORD)
    client.post("/admin/users/reporter-fier/active", data={"csrf_token": csrf, "active": "true"})
    assert _signs_in(app, web, "reporter-fier", web.PASSWORD)

    client.post(
        "/admin/users/policymaker/password", data={"csrf_token": csrf, "password": NEW_PASSWORD}
    )
    assert _signs_in(app, web, "policymaker", NEW_PASSWORD)
    assert not _signs_in(app, web, "policymaker", web.PASSWORD)
    refused = client.post(
        "/admin/users/policymaker/password", data={"csrf_token": csrf, "password": "short"}
    )
    assert refused.status_code == 422
    assert "at least 12 characters" in refused.text

    yourself = client.post(
        "/admin/users/admin/active", data={"csrf_token": csrf, "active": "false"}
    )
    assert yourself.status_code == 422
    assert "you cannot disable yourself" in yourself.text


def test_the_audit_log_page_filters_by_record_and_actor(client, web):
    csrf = web.sign_in(client, "admin")
    client.post("/admin/users/reporter-fier/active", data={"csrf_token": csrf, "active": "false"})
    page = client.get("/admin/audit?record_type=user&record_id=reporter-fier&actor=admin")
    assert page.status_code == 200
    assert "user.disable" in page.text
    assert "case.read" not in page.text
    nobody = client.get("/admin/audit?actor=nobody-at-all")
    assert "No entry matches." in nobody.text
    # reading the log is logged too
    assert "audit.read" in client.get("/admin/audit?record_type=audit_log").text


def test_a_reporter_sees_occupied_beds_discharges_and_report_history(client, web, monkeypatch):
    monkeypatch.setattr(reporter_view, "DISCHARGE_WEEKS", 52)  # the seed's stay ends in 200 days
    web.sign_in(client, "reporter-hvo")
    page = client.get("/availability")
    assert page.status_code == 200
    row = page.text.split('data-facility="ws-amsterdam"')[1].split("</tr>")[0]
    assert '<td class="num occupied">1</td>' in row  # one placement holds a bed today
    discharges = page.text.split('class="data discharges"')[1].split("</table>")[0]
    assert "Ws Amsterdam" in discharges
    assert "C-2026" not in page.text  # beds and dates, never whose
    history = page.text.split('class="data report-history"')[1].split("</table>")[0]
    assert "seed" in history
    assert "Cosm Leeuwarden" not in history  # another provider's facility


def test_a_reporter_without_discharges_ahead_is_told_so(client, web):
    web.sign_in(client, "reporter-hvo")
    page = client.get("/availability")
    assert "No discharge is expected before" in page.text
