"""The trends page (issue 15): tables and line charts of the live history, each with its
CSV and the charts as PNG, for policymakers only; a bad window is a 422 page naming it."""

from __future__ import annotations

import io
import re

import pandas as pd


def test_the_trends_page_links_a_file_under_every_table_and_chart(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/trends?period=month")
    assert page.status_code == 200
    assert web.accessibility_problems(page.text) == []
    assert 'href="/trends"' in page.text  # in the navigation
    assert page.text.count("<table") == 3
    assert page.text.count("<figure") == 3
    links = set(re.findall(r'href="(/(?:exports|trends)/[^"?]+)', page.text))
    assert {f"/trends/{c}.png" for c in ("waiting", "waits", "occupancy")} <= links
    assert {f"/exports/trends-{t}.csv" for t in ("waiting", "placed", "occupancy")} <= links
    for link in sorted(links):
        query = re.search(re.escape(link) + r'\?([^"]+)"', page.text)
        assert query is not None, link
        answer = quick_client.get(f"{link}?{query.group(1).replace('&amp;', '&')}")
        assert answer.status_code == 200, link
    png = quick_client.get("/trends/occupancy.png")
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")


def test_the_trend_csv_is_the_apis_table(quick_client, web, quick_world):
    web.sign_in(quick_client, "policymaker")
    query = "since=2026-09-01&period=month"
    mine = pd.read_csv(io.BytesIO(quick_client.get(f"/exports/trends-all.csv?{query}").content))
    api = quick_client.get(
        f"/v1/stats/trends?{query}&format=csv", headers=quick_world.auth("policymaker")
    )
    assert mine.equals(pd.read_csv(io.BytesIO(api.content)))
    waiting = pd.read_csv(
        io.BytesIO(quick_client.get(f"/exports/trends-waiting.csv?{query}").content)
    )
    assert set(waiting["table"]) == {"waiting"}


def test_a_bad_window_names_its_field_and_others_cannot_look(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    bad = quick_client.get("/trends?since=2026-02-30")
    assert bad.status_code == 422
    assert "since: must be a date" in bad.text
    late = quick_client.get("/trends?until=2999-01-01")
    assert late.status_code == 422
    assert "until: must not be after today" in late.text
    assert quick_client.get("/trends?period=day").status_code == 422
    assert quick_client.get("/trends/pie.png").status_code == 404
    assert quick_client.get("/exports/trends-people.csv").status_code == 404
    web.sign_in(quick_client, "coordinator")
    assert quick_client.get("/trends").status_code == 403
    assert quick_client.get("/trends/waiting.png").status_code == 403
