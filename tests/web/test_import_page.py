"""The dashboard's import page (issue 16): admins only; templates to download; the dry run
shows every problem; an import writes and the same file again changes nothing."""

from __future__ import annotations

import io

from openpyxl import load_workbook

CASES = (
    "casusnummer;intakedatum;leeftijd;geslacht;verblijfsstatus;uitbuitingsvorm;"
    "regio_van_signalering;regio_van_uitbuiting;verantwoordelijke_organisatie\n"
    "C-2026-0401;01-10-2026;30;female;eu;sexual;utrecht;utrecht;CoMensha\n"
)


def post(client, token, text, *, dry_run):
    data = {"csrf_token": token, "kind": "cases"}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(
        "/import", data=data, files={"file": ("cases.csv", text.encode(), "text/csv")}
    )


def test_only_admins_open_the_import_page(quick_client, web):
    web.sign_in(quick_client, "coordinator")
    assert quick_client.get("/import").status_code == 403
    assert quick_client.get("/import/template/cases.csv").status_code == 403


def test_the_page_links_the_templates_and_is_accessible(quick_client, web):
    web.sign_in(quick_client, "admin")
    page = quick_client.get("/import")
    assert page.status_code == 200
    assert 'href="/import/template/facilities.xlsx?language=nl"' in page.text
    assert web.accessibility_problems(page.text) == []
    sheet = quick_client.get("/import/template/placements.xlsx?language=nl")
    assert sheet.status_code == 200
    header = [c.value for c in load_workbook(io.BytesIO(sheet.content)).active[1]]
    assert header[:3] == ["plaatsing_id", "casusnummer", "locatie_id"]
    assert quick_client.get("/import/template/wards.csv").status_code == 404


def test_the_dry_run_shows_problems_then_the_import_writes_once(quick_client, web):
    token = web.sign_in(quick_client, "admin")
    bad = post(quick_client, token, CASES.replace(";30;", ";dertig;"), dry_run=True)
    assert bad.status_code == 422
    assert "dertig" in bad.text
    assert "must be a whole number" in bad.text
    dry = post(quick_client, token, CASES, dry_run=True)
    assert dry.status_code == 200
    assert "1 new, 0 changed, 0 unchanged" in dry.text
    done = post(quick_client, token, CASES, dry_run=False)
    assert "imported" in done.text
    assert "1 new" in done.text
    again = post(quick_client, token, CASES, dry_run=False)
    assert "0 new, 0 changed, 1 unchanged" in again.text


def test_a_missing_or_unreadable_file_is_a_message_on_the_form(quick_client, web):
    token = web.sign_in(quick_client, "admin")
    missing = quick_client.post("/import", data={"csrf_token": token, "kind": "cases"})
    assert missing.status_code == 422
    assert "choose a .csv or .xlsx file" in missing.text
    junk = quick_client.post(
        "/import",
        data={"csrf_token": token, "kind": "cases"},
        files={"file": ("cases.xlsx", b"junk", "application/octet-stream")},
    )
    assert junk.status_code == 422
    assert "is not an XLSX workbook" in junk.text
