"""Downloads on the dashboard (issue 16): the waiting list and placements for coordinators,
the aggregates for policymakers, each the same file as ``/v1`` gives; linked from the pages."""

from __future__ import annotations

import io

import pandas as pd


def test_coordinators_download_the_waiting_list_and_the_placements(quick_client, web, quick_world):
    web.sign_in(quick_client, "coordinator")
    page = quick_client.get("/waiting-list")
    assert 'href="/exports/waiting-list.xlsx"' in page.text
    sheet = quick_client.get("/exports/waiting-list.xlsx")
    assert sheet.status_code == 200
    frame = pd.read_excel(io.BytesIO(sheet.content))
    assert sorted(frame["id"]) == ["C-2026-0001", "C-2026-0002", "C-2026-0003", "C-2026-0004"]
    assert {"expected_start", "waiting_reason"} <= set(frame.columns)
    api = quick_client.get(
        "/v1/cases?status=waiting&format=xlsx", headers=quick_world.auth("coordinator")
    )
    assert pd.read_excel(io.BytesIO(api.content)).equals(frame)
    placements = pd.read_csv(io.BytesIO(quick_client.get("/exports/placements.csv").content))
    assert list(placements["id"]) == ["PL-0001"]
    assert quick_client.get("/exports/occupancy.csv").status_code == 403


def test_policymakers_download_the_aggregates_but_no_case_list(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/capacity")
    assert 'href="/exports/capacity-gaps.csv"' in page.text
    for name in ("waiting-stats", "occupancy", "capacity-gaps"):
        answer = quick_client.get(f"/exports/{name}.csv")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith("text/csv")
    waiting = pd.read_csv(io.BytesIO(quick_client.get("/exports/waiting-stats.csv").content))
    assert bool(waiting.loc[0, "cases_suppressed"]) is True
    assert quick_client.get("/exports/waiting-list.csv").status_code == 403
    assert quick_client.get("/exports/nothing.csv").status_code == 404
    assert quick_client.get("/exports/occupancy.pdf").status_code == 404
