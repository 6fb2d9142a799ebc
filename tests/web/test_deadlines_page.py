"""The deadlines page (issue 14): proposals close to their deadline, and the lapses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import get_now
from api.settings import ApiSettings


def test_due_proposals_and_lapses_are_listed_for_coordinators(quick_world, web):
    app = create_app(ApiSettings(database_url=quick_world.url, respond_within_hours=1.0))
    now = datetime.now(UTC)

    async def later() -> datetime:
        return now + timedelta(hours=2)

    with TestClient(app, follow_redirects=False) as client:
        token = web.sign_in(client, "coordinator")
        assert client.post("/matching", data={"csrf_token": token}).status_code == 303
        page = client.get("/deadlines").text
        assert "Answer soon" in page
        assert page.count('#proposal">C-2026-') == 2  # the round's two proposals, due in 1 h
        case = client.get("/cases/C-2026-0003").text
        assert "Answer by" in case
        app.dependency_overrides[get_now] = later
        auth = {"Authorization": f"Bearer {quick_world.tokens['coordinator']}"}
        assert client.post("/v1/proposals/lapse", headers=auth).json()["count"] == 2
        page = client.get("/deadlines").text
        assert "No proposal is close to its deadline." in page
        assert page.count("<td>coordinator</td>") == 2  # two lapses, recorded by whom


def test_others_do_not_see_the_deadlines(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    assert quick_client.get("/deadlines").status_code == 403
