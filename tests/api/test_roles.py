"""The roles matrix: each role x each endpoint x own/other facility -> 401, 403 or 2xx.

Reads share one world; each allowed write gets a private copy of the world, so that every
success is a real success (2xx) and not a 404 or 409 left behind by another caller. A
refused call must change nothing, which is why the refused calls may share a world.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings

OWN_FACILITY = "ws-amsterdam"  # of reporter-hvo (provider) and reporter-amsterdam (region)
OTHER_FACILITY = "cosm-leeuwarden"  # of reporter-fier
ALL = frozenset(
    {"admin", "coordinator", "policymaker", "reporter-hvo", "reporter-fier", "reporter-amsterdam"}
)
COORD = frozenset({"coordinator", "admin"})
POLICY = frozenset({"policymaker", "admin"})
ADMIN = frozenset({"admin"})
OWN_REPORTERS = frozenset({"reporter-hvo", "reporter-amsterdam", "admin"})
OTHER_REPORTERS = frozenset({"reporter-fier", "admin"})
READERS_OWN = frozenset(
    {"admin", "coordinator", "policymaker", "reporter-hvo", "reporter-amsterdam"}
)
READERS_OTHER = frozenset({"admin", "coordinator", "policymaker", "reporter-fier"})


def _report() -> dict[str, Any]:
    return {"beds_free": 1, "as_of": datetime.now(UTC).isoformat()}


CASE = {
    "age": 25,
    "gender": "female",
    "residence_status": "nl",
    "exploitation_type": "sexual",
    "region_signalled": "amsterdam",
    "region_of_exploitation": "utrecht",
    "responsible_organisation": "CoMensha",
}


IMPORT = {"filename": "cases.csv", "content": base64.b64encode(b"id,age\n").decode()}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    allowed: frozenset[str]
    body: Any = None
    writes: bool = False

    def url(self, world: Any) -> str:
        return self.path.format(
            run=world.run_id, p0=world.proposal_ids[0], p1=world.proposal_ids[1]
        )

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint("GET", "/v1/regions", ALL),
    Endpoint("GET", "/v1/facilities", ALL),
    Endpoint("GET", f"/v1/facilities/{OWN_FACILITY}", ALL),
    Endpoint("GET", f"/v1/facilities/{OWN_FACILITY}/availability", READERS_OWN),
    Endpoint("GET", f"/v1/facilities/{OTHER_FACILITY}/availability", READERS_OTHER),
    Endpoint("PUT", f"/v1/facilities/{OWN_FACILITY}/availability", OWN_REPORTERS, _report, True),
    Endpoint(
        "PUT", f"/v1/facilities/{OTHER_FACILITY}/availability", OTHER_REPORTERS, _report, True
    ),
    Endpoint(
        "PUT",
        "/v1/availability",
        OWN_REPORTERS,
        lambda: {"reports": [{"facility_id": OWN_FACILITY, **_report()}]},
        True,
    ),
    Endpoint("POST", "/v1/cases", COORD, CASE, True),
    Endpoint("GET", "/v1/cases?status=waiting", COORD),
    Endpoint("GET", "/v1/cases/C-2026-0001", COORD),
    Endpoint("GET", "/v1/cases/C-2026-0001/timeline", COORD),
    Endpoint("GET", "/v1/escalations", COORD),
    Endpoint("POST", "/v1/cases/C-2026-0003/withdraw", COORD, None, True),
    Endpoint("GET", "/v1/cases/C-2026-0001/keep-apart", COORD),
    Endpoint("GET", "/v1/cases/C-2026-0005/pathway", COORD),
    Endpoint(
        "POST",
        "/v1/cases/C-2026-0001/keep-apart",
        COORD,
        {"other_case_id": "C-2026-0002", "reason": "threat"},
        True,
    ),
    Endpoint("GET", "/v1/organisations", COORD),
    Endpoint("POST", "/v1/organisations", ADMIN, {"name": "Fier"}, True),
    Endpoint("POST", "/v1/matching-runs", COORD, {"time_limit": 5}, True),
    Endpoint("GET", "/v1/matching-runs", COORD),
    Endpoint("GET", "/v1/matching-runs/{run}", COORD),
    Endpoint("GET", "/v1/proposals/{p0}", COORD),
    Endpoint("GET", "/v1/proposals/reminders", COORD),
    Endpoint("POST", "/v1/proposals/lapse", COORD, None, True),
    Endpoint("POST", "/v1/proposals/{p0}/accept", COORD, None, True),
    Endpoint("POST", "/v1/proposals/{p1}/decline", COORD, {"reason": "unsafe"}, True),
    Endpoint("GET", "/v1/placements", COORD),
    Endpoint("POST", "/v1/placements/PL-0001/discharge", COORD, {}, True),
    Endpoint("GET", "/v1/stats/waiting", POLICY),
    Endpoint("GET", "/v1/stats/occupancy", POLICY),
    Endpoint("GET", "/v1/stats/capacity-gaps", POLICY),
    Endpoint("GET", "/v1/stats/bed-values", POLICY),
    Endpoint("GET", "/v1/stats/trends", POLICY),
    Endpoint("GET", "/v1/stats/forecast", POLICY),
    Endpoint("GET", "/v1/rounds/current/problem", ADMIN),
    Endpoint("GET", "/v1/audit", ADMIN),
    Endpoint("GET", "/v1/users", ADMIN),
    Endpoint("POST", "/v1/users", ADMIN, {"name": "new-user", "role": "policymaker"}, True),
    Endpoint("POST", "/v1/imports/cases?dry_run=true", ADMIN, IMPORT, True),
    Endpoint("GET", "/v1/imports/cases/template", ADMIN),
    Endpoint("GET", "/v1/hsds/service_capacity", ALL),
    Endpoint("GET", f"/v1/hsds/service_capacity/{OWN_FACILITY}", ALL),
    Endpoint("GET", "/v1/fhir/Location", ALL),
    Endpoint("GET", f"/v1/fhir/Location/{OTHER_FACILITY}", ALL),
    Endpoint("GET", f"/v1/fhir/Slot?location={OWN_FACILITY}", ALL),
]


@pytest.fixture(scope="module")
def shared(template_world, tmp_path_factory) -> Iterator[tuple[Any, TestClient]]:
    """One copy of the world for the reads and the refused calls."""
    world = _copy(template_world, tmp_path_factory.mktemp("shared") / "opvang.db")
    with _client(world.url) as client:
        yield world, client


def _copy(world: Any, target: Path) -> Any:
    shutil.copyfile(Path(world.url.removeprefix("sqlite:///")), target)
    return replace(world, url=f"sqlite:///{target}")


def _client(url: str) -> TestClient:
    return TestClient(create_app(ApiSettings(database_url=url)))


def _call(client: TestClient, endpoint: Endpoint, world: Any, headers: dict[str, str]) -> Any:
    body = endpoint.body() if callable(endpoint.body) else endpoint.body
    kwargs = {} if body is None else {"json": body}
    return client.request(endpoint.method, endpoint.url(world), headers=headers, **kwargs)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_no_token_or_a_wrong_one_is_401_with_a_bearer_challenge(endpoint, shared):
    world, client = shared
    for headers in (
        {},
        {"Authorization": "Bearer opv_not-a-token"},
        {"Authorization": "Basic eDp5"},
    ):
        answer = _call(client, endpoint, world, headers)
        assert answer.status_code == 401, (headers, answer.text)
        assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_roles_outside_the_matrix_get_403(endpoint, shared):
    world, client = shared
    for user in sorted(ALL - endpoint.allowed):
        answer = _call(client, endpoint, world, world.auth(user))
        assert answer.status_code == 403, (user, answer.text)
        assert answer.json()["detail"]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_roles_in_the_matrix_succeed(endpoint, shared, template_world, tmp_path):
    world, client = shared
    for user in sorted(endpoint.allowed):
        if endpoint.writes:  # a private world per allowed write
            own = _copy(template_world, tmp_path / f"{user}.db")
            with _client(own.url) as private:
                answer = _call(private, endpoint, own, own.auth(user))
        else:
            answer = _call(client, endpoint, world, world.auth(user))
        assert answer.status_code in (200, 201), (user, answer.text)


def test_policymakers_never_see_a_case_record_or_a_proposal(shared):
    world, client = shared
    for path in (
        "/v1/cases",
        "/v1/cases/C-2026-0001",
        "/v1/cases/C-2026-0001/timeline",
        "/v1/escalations",
        f"/v1/proposals/{world.proposal_ids[0]}",
        f"/v1/matching-runs/{world.run_id}",
        "/v1/placements",
    ):
        assert client.get(path, headers=world.auth("policymaker")).status_code == 403, path
