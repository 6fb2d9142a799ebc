"""Records stored before a rule existed (issue 10's input rules, issue 16's organisation list).

A case stored with a responsible organisation like "Jan de Vries 06-12345678" made the
whole waiting list and every matching round answer 422 on a request body nobody sent.
Migration 0013 scrubs such texts; a stored row that still breaks a rule is named as the
server's data fault (not the request's), and ``opvang db check`` lists every such row.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli.app import app
from capacity import KeepApartReason
from capacity.cases import CaseStatus, Need
from capacity.placement_types import PlacementType
from matching import BindKind
from store import ProposalStatus, downgrade, make_engine, upgrade

PHONE = "Jan de Vries 06-12345678"
PLACEHOLDER = "Organisation not recorded (removed: personal data)"
DECLINE_PLACEHOLDER = "Text removed: personal data"


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


def test_the_migration_scrubs_identity_data_from_stored_decline_texts(world, helpers):
    """Declines' texts stored before 5b7e33e ("Moeder belt 06-12345678") were shown on the
    case's timeline and by the proposal's read; migration 0014 replaces them, names the
    rule in the audit log, and leaves every other text alone."""
    downgrade(world.url, "0013")  # as a database stored before the rule
    scrubbed, kept = world.proposal_ids
    _execute(
        world.url,
        "UPDATE proposals SET decline_text = :bad WHERE id = :scrubbed",
        "UPDATE proposals SET decline_text = :good WHERE id = :kept",
        bad="Moeder belt 06-12345678",
        good="too far from school",
        scrubbed=scrubbed,
        kept=kept,
    )
    upgrade(world.url)
    texts = dict(_rows(world.url, "SELECT id, decline_text FROM proposals"))
    assert texts[scrubbed] == DECLINE_PLACEHOLDER
    assert texts[kept] == "too far from school"
    entries = _rows(
        world.url,
        "SELECT action, record_type, record_id, detail FROM audit_log "
        "WHERE actor = :actor AND action = 'proposal.decline_text_scrubbed'",
        actor="opvang db upgrade",
    )
    assert [(a, t, r) for a, t, r, _ in entries] == [
        ("proposal.decline_text_scrubbed", "proposal", str(scrubbed))
    ]
    detail = json.loads(entries[0][3])
    assert detail["migration"] == "0014"
    assert "phone" in detail["reason"]
    assert "06-12345678" not in entries[0][3]
    with helpers.client_for(world.url) as client:
        answer = client.get(f"/v1/proposals/{scrubbed}", headers=world.auth("coordinator"))
        assert answer.status_code == 200, answer.text
        assert answer.json()["decline_text"] == DECLINE_PLACEHOLDER


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
    assert "every stored record meets today's rules" in clean.output
    _execute(
        world.url, "UPDATE cases SET intake_date = :d WHERE id = 'C-2026-0002'", d="1999-01-01"
    )
    found = runner.invoke(app, ["db", "check"])
    assert found.exit_code == 1
    assert "case C-2026-0002: intake_date must not be before 2000-01-01" in found.output
    assert "1 stored case(s) break today's rules" in found.output


# Facilities stored before 8b1f4c6 bounded a bed day's cost and the coordinates: the
# import took a cost of 1e308 and a latitude of 95, and each read of the facilities then
# failed (a 422 on a body nobody sent; `error: facility.cost_per_bed_day` on the command
# line, naming no facility).
OUT_OF_BOUNDS = {
    "cost_per_bed_day": ("cost_per_bed_day = 1e308", "must be from 0 to 100000 euros"),
    "lat": ("lat = 95, lon = 5.8", "must lie in the Netherlands: from 50 to 54 degrees north"),
}


def _break_facility(url: str, facility_id: str, field: str) -> None:
    assignment, _ = OUT_OF_BOUNDS[field]
    _execute(url, f"UPDATE facilities SET {assignment} WHERE id = :id", id=facility_id)


@pytest.mark.parametrize("field", OUT_OF_BOUNDS)
def test_a_stored_facility_outside_todays_bounds_is_named_by_every_read(world, helpers, field):
    _break_facility(world.url, "cosm-leeuwarden", field)
    with helpers.client_for(world.url) as client:
        coordinator = world.auth("coordinator")
        answers = [
            client.get("/v1/facilities", headers=coordinator),
            client.post("/v1/matching-runs", json={"time_limit": 5}, headers=coordinator),
        ]
    for answer in answers:
        assert answer.status_code == 500, answer.text  # the server's data, not the request
        detail = answer.json()["detail"]
        assert (
            f"stored facility cosm-leeuwarden breaks a rule made after it was stored: {field}"
            in detail
        )
        assert OUT_OF_BOUNDS[field][1] in detail
        assert "opvang db check" in detail


def test_db_check_lists_every_stored_facility_outside_the_bounds(world, monkeypatch, tmp_path):
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    runner = CliRunner()
    clean = runner.invoke(app, ["db", "check"])
    assert clean.exit_code == 0, clean.output
    assert "every stored record meets today's rules" in clean.output
    _break_facility(world.url, "cosm-leeuwarden", "cost_per_bed_day")
    _break_facility(world.url, "ws-amsterdam", "lat")
    _execute(
        world.url, "UPDATE cases SET intake_date = :d WHERE id = 'C-2026-0002'", d="1999-01-01"
    )
    found = runner.invoke(app, ["db", "check"])
    assert found.exit_code == 1
    assert found.stderr.splitlines() == [
        "facility cosm-leeuwarden: cost_per_bed_day must be from 0 to 100000 euros per bed per "
        "day (no care bed costs more)",
        "facility ws-amsterdam: lat must lie in the Netherlands: from 50 to 54 degrees north "
        "(decimal degrees)",
        "case C-2026-0002: intake_date must not be before 2000-01-01",
        "2 stored facility(ies) and 1 stored case(s) break today's rules: correct them before "
        "coordinators read the waiting list or a round runs (docs/operations.md, 'Records "
        "stored before a rule')",
    ]
    export = runner.invoke(app, ["round", "export", str(tmp_path / "round.json")])
    assert export.exit_code == 2
    assert export.stderr.startswith("error: stored facility cosm-leeuwarden breaks a rule")


def test_db_check_names_every_field_a_stored_record_breaks_in_one_pass(world, monkeypatch):
    # before: one line per record, for its first rule only (the cost); the latitude showed
    # only after the cost was mended and db check was run again
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    _break_facility(world.url, "cosm-leeuwarden", "cost_per_bed_day")
    _break_facility(world.url, "cosm-leeuwarden", "lat")
    _execute(
        world.url,
        "UPDATE cases SET intake_date = :d, responsible_organisation = :org "
        "WHERE id = 'C-2026-0002'",
        d="1999-01-01",
        org=PHONE,
    )
    found = CliRunner().invoke(app, ["db", "check"])
    assert found.exit_code == 1
    *lines, summary = found.stderr.splitlines()
    assert lines == [
        "facility cosm-leeuwarden: cost_per_bed_day must be from 0 to 100000 euros per bed per "
        "day (no care bed costs more)",
        "facility cosm-leeuwarden: lat must lie in the Netherlands: from 50 to 54 degrees north "
        "(decimal degrees)",
        "case C-2026-0002: intake_date must not be before 2000-01-01",
        "case C-2026-0002: responsible_organisation looks like a phone number or a BSN (a case "
        "is pseudonymous)",
    ]
    assert "06-12345678" not in found.stderr  # the rule is named, never the text
    assert summary.startswith("1 stored facility(ies) and 1 stored case(s) break today's rules")


def test_every_read_of_a_stored_facility_names_each_rule_it_breaks(world, helpers):
    _break_facility(world.url, "cosm-leeuwarden", "cost_per_bed_day")
    _break_facility(world.url, "cosm-leeuwarden", "lat")
    with helpers.client_for(world.url) as client:
        answer = client.get("/v1/facilities", headers=world.auth("coordinator"))
    assert answer.status_code == 500, answer.text
    detail = answer.json()["detail"]
    assert detail.startswith(
        "stored facility cosm-leeuwarden breaks 2 rules made after it was stored: "
        "cost_per_bed_day must be from 0 to 100000 euros per bed per day (no care bed costs "
        "more); lat must lie in the Netherlands: from 50 to 54 degrees north (decimal "
        "degrees); an administrator must correct it"
    )


FACILITY_ROW = (
    "id,name,provider_id,region_id,placement_type,beds,funding_stream_id,cost_per_bed_day,"
    "gender_policy,lat,lon\n"
    "cosm-leeuwarden,Cosm Leeuwarden,fier,leeuwarden,cosm,6,jenv-cosm,{cost},female_only,,\n"
)


def test_an_import_corrects_a_stored_facility_outside_the_bounds(world, monkeypatch, tmp_path):
    # the way to mend it: the region's table again, with the right cost (was refused,
    # because the import read the stored facility to compare with)
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    monkeypatch.setenv("COLUMNS", "200")
    _break_facility(world.url, "cosm-leeuwarden", "cost_per_bed_day")
    table = tmp_path / "facilities.csv"
    runner = CliRunner()
    table.write_text(FACILITY_ROW.format(cost="1e308"))  # new input is still refused
    refused = runner.invoke(app, ["import", "facilities", str(table)])
    assert refused.exit_code == 2
    assert "cost_per_bed_day" in refused.stderr
    assert "must be from 0 to 100000 euros per bed per day" in refused.stderr
    table.write_text(FACILITY_ROW.format(cost="250"))
    dry = runner.invoke(app, ["import", "facilities", str(table), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "row 2: cosm-leeuwarden changes cost_per_bed_day" in dry.stdout
    done = runner.invoke(app, ["import", "facilities", str(table)])
    assert done.exit_code == 0, done.output
    assert runner.invoke(app, ["db", "check"]).exit_code == 0
    assert _rows(
        world.url, "SELECT cost_per_bed_day FROM facilities WHERE id = 'cosm-leeuwarden'"
    ) == [(250.0,)]


def test_one_import_mends_a_stored_facility_that_breaks_two_rules(world, monkeypatch, tmp_path):
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    monkeypatch.setenv("COLUMNS", "200")
    _break_facility(world.url, "cosm-leeuwarden", "cost_per_bed_day")
    _break_facility(world.url, "cosm-leeuwarden", "lat")
    table = tmp_path / "facilities.csv"
    table.write_text(FACILITY_ROW.format(cost="250"))  # db check named both: one row mends them
    runner = CliRunner()
    dry = runner.invoke(app, ["import", "facilities", str(table), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "row 2: cosm-leeuwarden changes cost_per_bed_day, lat, lon" in dry.stdout
    assert runner.invoke(app, ["import", "facilities", str(table)]).exit_code == 0
    check = runner.invoke(app, ["db", "check"])
    assert check.exit_code == 0, check.output


# A code that a newer version no longer knows (a case's status, a need, a placement type)
# was a ValueError before the record's rules were checked: db check stopped at the first
# such row with a traceback naming neither record nor field, and each read was a bare 500.
def _known(enum: type[StrEnum]) -> str:
    return f"(known codes: {', '.join(member.value for member in enum)})"


def _stored(url: str) -> dict[str, list[tuple]]:
    return {t: _rows(url, f"SELECT * FROM {t} ORDER BY id") for t in ("cases", "facilities")}


def test_db_check_names_a_stored_unknown_code_and_checks_every_other_record(world, monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    _execute(
        world.url, "UPDATE facilities SET placement_type = 'igloo' WHERE id = 'cosm-leeuwarden'"
    )
    _break_facility(world.url, "ws-amsterdam", "cost_per_bed_day")
    _execute(world.url, "UPDATE cases SET status = 'on_hold' WHERE id = 'C-2026-0001'")
    _execute(world.url, "UPDATE cases SET intake_date = '1999-01-01' WHERE id = 'C-2026-0004'")
    before = _stored(world.url)
    found = CliRunner().invoke(app, ["db", "check"])
    assert found.exit_code == 1, found.output
    assert found.exception is None or isinstance(found.exception, SystemExit)
    assert found.stderr.splitlines() == [
        f"facility cosm-leeuwarden: placement_type holds an unknown code 'igloo' "
        f"{_known(PlacementType)}",
        "facility ws-amsterdam: cost_per_bed_day must be from 0 to 100000 euros per bed per "
        "day (no care bed costs more)",
        f"case C-2026-0001: status holds an unknown code 'on_hold' {_known(CaseStatus)}",
        "case C-2026-0004: intake_date must not be before 2000-01-01",
        "2 stored facility(ies) and 2 stored case(s) break today's rules: correct them before "
        "coordinators read the waiting list or a round runs (docs/operations.md, 'Records "
        "stored before a rule')",
    ]
    assert _stored(world.url) == before  # a check: nothing stored is changed


def test_db_check_names_an_unknown_code_with_every_other_field_the_case_breaks(world, monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    _execute(
        world.url,
        "UPDATE cases SET status = 'on_hold', intake_date = '1999-01-01', "
        """needs = '["trauma_care", "sauna"]' WHERE id = 'C-2026-0002'""",
    )
    found = CliRunner().invoke(app, ["db", "check"])
    assert found.exit_code == 1, found.output
    assert found.stderr.splitlines()[:-1] == [
        "case C-2026-0002: intake_date must not be before 2000-01-01",
        f"case C-2026-0002: status holds an unknown code 'on_hold' {_known(CaseStatus)}",
        f"case C-2026-0002: needs holds an unknown code 'sauna' {_known(Need)}",
    ]
    assert found.stderr.splitlines()[-1].startswith("1 stored case(s) break today's rules")


def test_a_read_of_a_stored_unknown_code_names_record_field_and_code(world, helpers):
    _execute(world.url, "UPDATE cases SET status = 'on_hold' WHERE id = 'C-2026-0003'")
    with helpers.client_for(world.url) as client:
        coordinator = world.auth("coordinator")
        answers = [
            client.get("/v1/cases/C-2026-0003", headers=coordinator),
            client.get("/v1/cases", headers=coordinator),
            client.post("/v1/cases/C-2026-0003/withdraw", headers=coordinator),
        ]
    for answer in answers:
        assert answer.status_code == 500, answer.text  # the server's data, not the request
        assert answer.json()["detail"].startswith(
            "stored case C-2026-0003 breaks a rule made after it was stored: status holds an "
            f"unknown code 'on_hold' {_known(CaseStatus)}; an administrator must correct it "
            "(opvang db check lists every such record)"
        )
    assert _rows(world.url, "SELECT status FROM cases WHERE id = 'C-2026-0003'") == [("on_hold",)]


def test_a_case_of_an_unknown_status_does_not_drop_off_the_waiting_list(world, helpers):
    # before: the waiting list's SQL asked for the statuses it knows, so the case was left
    # out of the list, its export and every round without a word, while the list of every
    # case and the case itself answered the 500 naming it
    _execute(world.url, "UPDATE cases SET status = 'on_hold' WHERE id = 'C-2026-0003'")
    with helpers.client_for(world.url) as client:
        coordinator = world.auth("coordinator")
        answers = [
            client.get("/v1/cases", params={"status": "waiting"}, headers=coordinator),
            client.get("/v1/cases", params={"status": "proposed"}, headers=coordinator),
            client.get("/v1/cases?status=waiting&format=csv", headers=coordinator),
            client.post("/v1/matching-runs", json={"time_limit": 5}, headers=coordinator),
        ]
    for answer in answers:
        assert answer.status_code == 500, answer.text
        assert answer.json()["detail"].startswith(
            "stored case C-2026-0003 breaks a rule made after it was stored: status holds an "
            f"unknown code 'on_hold' {_known(CaseStatus)}"
        )
    assert _rows(world.url, "SELECT status FROM cases WHERE id = 'C-2026-0003'") == [("on_hold",)]


def test_db_check_names_a_funding_streams_unknown_placement_type(world, monkeypatch):
    """Funding streams hold placement types too: an unknown one was a bare ValueError."""
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    (stream, types), *_ = _rows(
        world.url, "SELECT id, placement_types FROM funding_streams ORDER BY id"
    )
    codes = [*json.loads(types), "igloo"] if isinstance(types, str) else [*types, "igloo"]
    _execute(
        world.url,
        "UPDATE funding_streams SET placement_types = :codes WHERE id = :id",
        codes=json.dumps(codes),
        id=stream,
    )
    before = _rows(world.url, "SELECT * FROM funding_streams ORDER BY id")
    found = CliRunner().invoke(app, ["db", "check"])
    assert found.exit_code == 1, found.output
    assert found.stderr.splitlines()[0] == (
        f"funding stream {stream}: placement_types holds an unknown code 'igloo' "
        f"{_known(PlacementType)}"
    )
    assert found.stderr.splitlines()[-1].startswith("1 stored funding stream(s) break")
    assert _rows(world.url, "SELECT * FROM funding_streams ORDER BY id") == before


# A proposal's status, a keep-apart pair's reason and a wait record's kind are codes too:
# each was a bare ValueError on every read (the case page, the round page, the proposal),
# and db check did not read them at all.
WAITS = [
    {
        "case_id": "C-2026-0003",
        "start_date": None,
        "text": "Every eligible facility is full.",
        "binds": [
            {"kind": "full_horizon", "text": "Full.", "facility_id": "ws-amsterdam"},
            {"kind": "waitlisted_abroad", "text": "Abroad."},
        ],
    },
    {"case_id": "C-2026-0004", "start_date": None, "text": "Kept.", "binds": [{"kind": "xx"}]},
]


def _retire_codes(url: str, *, run_id: int, proposal_id: int) -> None:
    """A proposal, a keep-apart pair and a run's wait records holding retired codes."""
    _execute(
        url,
        "UPDATE proposals SET status = 'on_hold' WHERE id = :proposal",
        "INSERT INTO keep_apart_pairs (case_a, case_b, reason, created_by) "
        "VALUES ('C-2026-0003', 'C-2026-0004', 'feud', 'seed')",
        "UPDATE matching_runs SET waits = :waits WHERE id = :run",
        proposal=proposal_id,
        waits=json.dumps(WAITS),
        run=run_id,
    )


def _later_records(url: str) -> dict[str, list[tuple]]:
    tables = ("proposals", "keep_apart_pairs", "matching_runs")
    return {t: _rows(url, f"SELECT * FROM {t} ORDER BY id") for t in tables}


def test_db_check_names_the_unknown_codes_of_proposals_pairs_and_wait_records(world, monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    _retire_codes(world.url, run_id=world.run_id, proposal_id=world.proposal_ids[1])
    _execute(world.url, "UPDATE cases SET status = 'on_hold' WHERE id = 'C-2026-0001'")
    (pair,) = _rows(world.url, "SELECT id FROM keep_apart_pairs")
    before = _later_records(world.url)
    found = CliRunner().invoke(app, ["db", "check"])
    assert found.exit_code == 1, found.output
    assert found.exception is None or isinstance(found.exception, SystemExit)
    assert found.stderr.splitlines() == [
        f"case C-2026-0001: status holds an unknown code 'on_hold' {_known(CaseStatus)}",
        f"keep-apart pair {pair[0]}: reason holds an unknown code 'feud' {_known(KeepApartReason)}",
        f"matching run {world.run_id}: waits[0].binds[1].kind holds an unknown code "
        f"'waitlisted_abroad' {_known(BindKind)}",
        f"matching run {world.run_id}: waits[1].binds[0].kind holds an unknown code 'xx' "
        f"{_known(BindKind)}",
        f"proposal {world.proposal_ids[1]}: status holds an unknown code 'on_hold' "
        f"{_known(ProposalStatus)}",
        "1 stored case(s), 1 stored keep-apart pair(s), 1 stored matching run(s) and 1 stored "
        "proposal(s) break today's rules: correct them before coordinators read the waiting "
        "list or a round runs (docs/operations.md, 'Records stored before a rule')",
    ]
    assert _later_records(world.url) == before  # a check: nothing stored is changed


def test_a_read_of_a_stored_proposal_pair_or_run_names_the_record_and_the_code(world, helpers):
    _retire_codes(world.url, run_id=world.run_id, proposal_id=world.proposal_ids[1])
    with helpers.client_for(world.url) as client:
        coordinator = world.auth("coordinator")
        answers = {
            "proposal": client.get(f"/v1/proposals/{world.proposal_ids[1]}", headers=coordinator),
            "keep-apart pair": client.get("/v1/cases/C-2026-0003/keep-apart", headers=coordinator),
            "matching run": client.get(f"/v1/matching-runs/{world.run_id}", headers=coordinator),
        }
        # a round stops at the pair, as at a broken facility: without it, it could place
        # the two cases at one facility
        pair = client.post("/v1/matching-runs", json={"time_limit": 5}, headers=coordinator)
    assert pair.status_code == 500
    assert pair.json()["detail"].startswith("stored keep-apart pair ")
    for kind, answer in answers.items():
        assert answer.status_code == 500, answer.text  # the server's data, not the request
        detail = answer.json()["detail"]
        assert detail.startswith(f"stored {kind} "), detail
        assert "holds an unknown code" in detail
        assert "(opvang db check lists every such record)" in detail


def test_a_pair_with_a_reason_no_longer_known_can_be_lifted_and_set_again(world, helpers):
    """Such a pair stops every round (500 naming it), and lifting it raised the same 500,
    so a coordinator could not correct it: lifting does not read the reason now."""
    _execute(
        world.url,
        "INSERT INTO keep_apart_pairs (case_a, case_b, reason, created_by) "
        "VALUES ('C-2026-0003', 'C-2026-0004', 'feud', 'seed')",
    )
    with helpers.client_for(world.url) as client:
        coordinator = world.auth("coordinator")
        stopped = client.post("/v1/matching-runs", json={"time_limit": 5}, headers=coordinator)
        assert stopped.status_code == 500
        lifted = client.delete("/v1/cases/C-2026-0004/keep-apart/C-2026-0003", headers=coordinator)
        assert lifted.status_code == 200, lifted.text
        assert lifted.json()["count"] == 0
        again = client.post(
            "/v1/cases/C-2026-0003/keep-apart",
            json={"other_case_id": "C-2026-0004", "reason": KeepApartReason.THREAT.value},
            headers=coordinator,
        )
        assert again.status_code == 201, again.text
        ran = client.post("/v1/matching-runs", json={"time_limit": 5}, headers=coordinator)
        assert ran.status_code < 300, ran.text
        gone = client.delete("/v1/cases/C-2026-0003/keep-apart/C-2026-0001", headers=coordinator)
        assert gone.status_code == 404
    entries = _rows(
        world.url,
        "SELECT record_id, detail FROM audit_log WHERE action = 'case.keep_apart_lifted' "
        "ORDER BY record_id",
    )
    assert [(r, json.loads(d)) for r, d in entries] == [
        ("C-2026-0003", {"other": "C-2026-0004", "reason": "feud"}),
        ("C-2026-0004", {"other": "C-2026-0003", "reason": "feud"}),
    ]


# Placements and availability reports were read by hand-written constructors: a stored
# row that breaks a rule of today (no beds, an end before its start, a negative count)
# was a 422 on a request body nobody sent, naming neither record, and db check did not
# read those tables.
def _break_supply(url: str) -> int:
    """Placement PL-0001 with no beds and no stay; the seed report with a negative count
    and no reporter. Returns the report's id."""
    (report,) = _rows(url, "SELECT id FROM availability_reports WHERE idempotency_key = 'seed-1'")
    _execute(
        url,
        "UPDATE placements SET beds = 0, expected_end = start WHERE id = 'PL-0001'",
        "UPDATE availability_reports SET beds_free = -1, reporter = ' ' WHERE id = :report",
        report=report[0],
    )
    return report[0]


def test_db_check_names_every_rule_a_stored_placement_or_report_breaks(world, monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    report = _break_supply(world.url)
    tables = ("placements", "availability_reports")
    before = {t: _rows(world.url, f"SELECT * FROM {t} ORDER BY id") for t in tables}
    found = CliRunner().invoke(app, ["db", "check"])
    assert found.exit_code == 1, found.output
    assert found.stderr.splitlines() == [
        f"availability report {report}: beds_free must be a whole number, zero or more",
        f"availability report {report}: reporter must not be empty",
        "placement PL-0001: beds must be at least 1",
        "placement PL-0001: expected_end must be after the start",
        "1 stored availability report(s) and 1 stored placement(s) break today's rules: "
        "correct them before coordinators read the waiting list or a round runs "
        "(docs/operations.md, 'Records stored before a rule')",
    ]
    assert {t: _rows(world.url, f"SELECT * FROM {t} ORDER BY id") for t in tables} == before


def test_a_read_of_a_stored_placement_or_report_names_the_record_not_the_request(world, helpers):
    report = _break_supply(world.url)
    with helpers.client_for(world.url) as client:
        coordinator = world.auth("coordinator")
        answers = {
            "placement PL-0001": [
                client.get("/v1/placements", headers=coordinator),
                client.post("/v1/placements/PL-0001/discharge", headers=coordinator),
            ],
            f"availability report {report}": [
                client.get("/v1/facilities/ws-amsterdam/availability", headers=coordinator),
                client.post("/v1/matching-runs", json={"time_limit": 5}, headers=coordinator),
            ],
        }
    for record, found in answers.items():
        for answer in found:
            # before: a 422 with loc ["body", "placement", "beds"] / ["body", "beds_free"]
            assert answer.status_code == 500, answer.text
            detail = answer.json()["detail"]
            assert detail.startswith(f"stored {record} breaks 2 rules made after it was stored")
            assert "(opvang db check lists every such record)" in detail
    assert _rows(world.url, "SELECT actual_end FROM placements WHERE id = 'PL-0001'") == [(None,)]


def test_a_retried_report_whose_stored_row_breaks_a_rule_names_the_row(world, helpers):
    # the hot path replays a retry from its own plain-SQL read of the stored row
    report = {"beds_free": 2, "as_of": datetime.now(UTC).isoformat()}
    headers = {**world.auth("reporter-hvo"), "Idempotency-Key": "retry-1"}
    url = "/v1/facilities/ws-amsterdam/availability"
    with helpers.client_for(world.url) as client:
        first = client.put(url, json=report, headers=headers)
        assert first.status_code == 201, first.text
        _execute(
            world.url,
            "UPDATE availability_reports SET beds_free = -1 WHERE id = :id",
            id=first.json()["id"],
        )
        retry = client.put(url, json=report, headers=headers)
    assert retry.status_code == 500, retry.text  # before: 422 on the retry's body
    assert retry.json()["detail"].startswith(
        f"stored availability report {first.json()['id']} breaks a rule made after it was "
        "stored: beds_free must be a whole number, zero or more"
    )
