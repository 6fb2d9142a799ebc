"""The matching page's anticipation option (issue 13): the form, its field errors, and
the run page's account of the forecast used (the small world of ``conftest.py``)."""

from __future__ import annotations

import re

FIELD_ERROR = re.compile(r'class="field-error" id="([^"]+)-error">([^<]*)<')


def test_the_form_offers_anticipation_off_by_default(quick_client, web):
    web.sign_in(quick_client, "coordinator")
    page = quick_client.get("/matching").text
    assert '<input id="anticipate" type="checkbox" name="anticipate" value="on">' in page
    assert "from the last 365 days of intake" in page


def test_bad_samples_are_shown_beside_their_field_and_nothing_runs(client, web):
    token = web.sign_in(client, "coordinator")
    form = {"csrf_token": token, "anticipate": "on", "samples": "0", "seed": "x"}
    answer = client.post("/matching", data=form)
    assert answer.status_code == 422
    errors = dict(FIELD_ERROR.findall(answer.text))
    assert errors == {"seed": "must be a whole number"}
    form["seed"] = "1"
    answer = client.post("/matching", data=form)
    assert answer.status_code == 422
    assert dict(FIELD_ERROR.findall(answer.text)) == {"samples": "must be at least 1"}
    assert "Matching round 2" not in client.get("/matching").text  # no round was run


def test_an_anticipatory_round_shows_the_forecast_it_used(client, web):
    token = web.sign_in(client, "coordinator")
    form = {"csrf_token": token, "anticipate": "on", "samples": "4", "seed": "7"}
    answer = client.post("/matching", data=form)
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"]).text
    assert '<section class="card" id="anticipation">' in page
    assert "This round sampled 4 futures (seed 7)" in page
    assert "No bed was kept." in page
    row = '<td>standard/female/adult/needs=none/beds=1</td><td class="num">5</td>'
    assert row in page


def test_a_kept_bed_is_on_the_run_page_and_is_the_case_s_reason_to_wait(client, web, world):
    from dataclasses import replace
    from datetime import UTC, datetime

    from store import BindRecord, DecisionRepository, WaitRecord, ensure_database, session_scope

    token = web.sign_in(client, "coordinator")
    answer = client.post("/matching", data={"csrf_token": token, "anticipate": "on"})
    run_id = int(answer.headers["location"].rsplit("/", 1)[1])
    text = "bed kept for expected arrivals of class complex/x: expected saving 7.0 weighted days"
    kept = {"case_id": "C-2026-0001", "facility_id": "ws-amsterdam"}
    kept |= {"profile_class": "complex/x", "expected_saving": 7.0}
    engine = ensure_database(world.url)
    with session_scope(engine, immediate=True) as session:  # a stored run that kept a bed
        run = DecisionRepository(session).run(run_id)
        bind = BindRecord("kept", text, facility_id="ws-amsterdam", amount=7.0)
        waits = (WaitRecord("C-2026-0001", None, text, False, (bind,)),)
        record = replace(
            run.record,
            as_of=datetime.now(UTC),
            waits=waits,
            anticipation={**run.record.anticipation, "kept": [kept]},
        )
        DecisionRepository(session).add_run(record, [], case_ids=["C-2026-0001"])
    engine.dispose()
    page = client.get(f"/matching/runs/{run_id + 1}").text
    assert '<td><a href="/cases/C-2026-0001">C-2026-0001</a></td><td>Ws Amsterdam</td>' in page
    assert '<td>complex/x</td><td class="num">7.0</td>' in page
    assert (
        '<tr data-kind="kept_for_expected_arrivals"><td>bed kept for expected arrivals</td>' in page
    )
    assert "1 bed kept" in client.get("/matching").text
