"""Records stored before a rule existed (issue 10's input rules, issue 16's organisation list).

A case stored with a responsible organisation like "Jan de Vries 06-12345678" made the
whole waiting list and every matching round answer 422 on a request body nobody sent.
Migration 0013 scrubs such texts; a stored row that still breaks a rule is named as the
server's data fault (not the request's), and ``opvang db check`` lists every such row.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli.app import app
from store import downgrade, make_engine, upgrade

PHONE = "Jan de Vries 06-12345678"
PLACEHOLDER = "Organisation not recorded (removed: personal data)"


def _execute(url: str, *statements: str, **params: object) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement), params)
    finally:
        engine.dispose()


def _rows(url: str, query: str, **params: object) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query), params)]
    finally:
        engine.dispose()


def test_the_migration_scrubs_identity_data_from_stored_organisations(world, helpers):
    downgrade(world.url, "0010")  # as a database stored before the rule
    _execute(
        world.url,
        "UPDATE cases SET responsible_organisation = :org WHERE id = 'C-2026-0001'",
        "INSERT INTO organisations (name) VALUES (:org)",
        org=PHONE,
    )
    upgrade(world.url)
    assert _rows(
        world.url, "SELECT responsible_organisation FROM cases WHERE id = 'C-2026-0001'"
    ) == [(PLACEHOLDER,)]
    names = {n for (n,) in _rows(world.url, "SELECT name FROM organisations")}
    assert PHONE not in names
    assert PLACEHOLDER in names
    entries = _rows(
        world.url,
        "SELECT action, record_type, record_id, detail FROM audit_log WHERE actor = :actor",
        actor="opvang db upgrade",
    )
    assert {(a, t) for a, t, _, _ in entries} == {
        ("case.organisation_scrubbed", "case"),
        ("organisation.remove", "organisation"),
    }
    assert ("C-2026-0001",) in {(r,) for _, _, r, _ in entries}
    for *_, detail in entries:  # the rule is named, the text is not kept anywhere
        assert "06-12345678" not in detail
        assert json.loads(detail)["migration"] == "0013"
    with helpers.client_for(world.url) as client:
        answer = client.get("/v1/cases/C-2026-0001", headers=world.auth("coordinator"))
        assert answer.status_code == 200, answer.text
        assert answer.json()["responsible_organisation"] == PLACEHOLDER
        waiting = client.get("/v1/cases", headers=world.auth("coordinator"))
        assert waiting.status_code == 200, waiting.text


def test_a_stored_case_that_breaks_a_later_rule_is_the_servers_fault_not_the_requests(
    world, helpers
):
    _execute(
        world.url, "UPDATE cases SET intake_date = :d WHERE id = 'C-2026-0002'", d="1999-01-01"
    )
    with helpers.client_for(world.url) as client:
        answer = client.get("/v1/cases/C-2026-0002", headers=world.auth("coordinator"))
    # before: 422 with loc ["body", "intake_date"] on a GET that has no body
    assert answer.status_code == 500
    detail = answer.json()["detail"]
    assert "stored case C-2026-0002" in detail
    assert "intake_date" in detail
    assert "opvang db check" in detail


def test_db_check_lists_every_stored_case_that_breaks_todays_rules(
    world, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    runner = CliRunner()
    clean = runner.invoke(app, ["db", "check"])
    assert clean.exit_code == 0, clean.output
    assert "every stored case meets today's rules" in clean.output
    _execute(
        world.url, "UPDATE cases SET intake_date = :d WHERE id = 'C-2026-0002'", d="1999-01-01"
    )
    found = runner.invoke(app, ["db", "check"])
    assert found.exit_code == 1
    assert "case C-2026-0002: intake_date must not be before 2000-01-01" in found.output
    assert "1 stored case(s) break today's rules" in found.output
