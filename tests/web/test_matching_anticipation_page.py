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
