"""The demand forecast page (issue 13): the figures of ``/v1/stats/forecast`` for a window
of intake history, its tables, interval chart and files, for policymakers and admins; a
bad window is shown beside its field and the rest of the page still works."""

from __future__ import annotations

import io
import re

import pandas as pd


def test_the_forecast_page_shows_the_tables_chart_and_files(quick_client, web, quick_world):
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/forecast?window_days=400")
    assert page.status_code == 200
    assert web.accessibility_problems(page.text) == []
    assert 'href="/forecast"' in page.text  # in the navigation
    assert page.text.count("<table") == 2
    assert "Gamma(0.5 + n, T)" in page.text  # the estimator, in one sentence
    assert 'value="400"' in page.text
    assert "C-2026" not in page.text  # aggregates only
    links = set(re.findall(r'(?:href|src)="(/(?:exports|forecast)/[^"?]+)\?([^"]+)"', page.text))
    assert {link for link, _ in links} == {
        "/forecast/rates.png",
        "/exports/forecast.csv",
        "/exports/forecast.xlsx",
    }
    for link, query in sorted(links):
        answer = quick_client.get(f"{link}?{query.replace('&amp;', '&')}")
        assert answer.status_code == 200, link
    png = quick_client.get("/forecast/rates.png?window_days=400")
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    mine = pd.read_csv(
        io.BytesIO(quick_client.get("/exports/forecast.csv?window_days=400").content)
    )
    api = quick_client.get(
        "/v1/stats/forecast?window_days=400&format=csv", headers=quick_world.auth("policymaker")
    )
    assert mine.equals(pd.read_csv(io.BytesIO(api.content)))


def test_a_bad_window_is_shown_beside_its_field(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    bad = quick_client.get("/forecast?window_days=0&day=2026-01-01")
    assert bad.status_code == 422
    assert web.accessibility_problems(bad.text) == []
    assert 'id="window_days-error"' in bad.text
    assert "must be a whole number of days from 1 to 3650" in bad.text
    assert 'value="0"' in bad.text
    assert 'value="2026-01-01"' in bad.text
    assert 'href="/trends"' in bad.text  # the navigation and the rest of the page stand
    late = quick_client.get("/forecast?day=2999-01-01")
    assert late.status_code == 422
    assert 'id="day-error"' in late.text
    assert "must not be after today" in late.text
    assert quick_client.get("/forecast?day=soon").status_code == 422
    assert quick_client.get("/exports/forecast.csv?window_days=x").status_code == 422
    assert quick_client.get("/forecast/rates.png?day=x").status_code == 422


def test_admins_may_look_and_coordinators_may_not(quick_client, web):
    web.sign_in(quick_client, "admin")
    assert quick_client.get("/forecast").status_code == 200
    web.sign_in(quick_client, "coordinator")
    assert quick_client.get("/forecast").status_code == 403
    assert quick_client.get("/forecast/rates.png").status_code == 403
    assert quick_client.get("/exports/forecast.csv").status_code == 403
