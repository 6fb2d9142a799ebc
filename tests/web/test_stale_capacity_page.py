"""The reporter's page says when a facility is planned as stale, and explains the rule
(issue 14)."""

from __future__ import annotations


def test_a_stale_facility_is_named_with_the_rule(quick_client, web):
    web.sign_in(quick_client, "reporter-fier")  # cosm-leeuwarden never reported
    page = quick_client.get("/availability").text
    assert 'id="staleness-rule"' in page
    assert "A report counts for 24 hours" in page
    assert "plan it with no free beds today" in page
    assert "Out of date" in page
    assert "(never reported)" in page


def test_a_fresh_facility_is_not_listed_as_out_of_date(quick_client, web):
    web.sign_in(quick_client, "reporter-hvo")  # ws-amsterdam reported an hour ago
    page = quick_client.get("/availability").text
    assert 'id="staleness-rule"' in page
    assert "Out of date" not in page
