"""The OpenAPI schema tools can trust (issue 17): it validates, it uses JSON Schema's own
keywords, it lists every status a route can answer, and a client generated from it calls
every GET endpoint and a few writes with typed fields against a live server."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import typing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from api.app import create_app
from api.settings import ApiSettings

SHARED = {"400", "401", "403", "413", "415", "422", "503"}  # api.errors.ERROR_RESPONSES


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'o.db'}"
    return create_app(ApiSettings(database_url=url)).openapi()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def test_the_schema_passes_the_openapi_validator(spec):
    validate(spec)


def test_bounds_use_json_schema_keywords(spec):
    # pydantic writes "ge"/"gt" when it cannot apply a bound; generators drop those
    text = json.dumps(spec)
    assert re.findall(r'"(ge|gt|le|lt)":', text) == []
    case = spec["components"]["schemas"]["CaseCreate"]["properties"]
    assert case["age"]["minimum"] == 0
    assert case["accompanying_children"]["minimum"] == 0


def test_every_route_lists_the_statuses_it_can_answer(spec):
    for method, path, op in _operations(spec):
        if not path.startswith("/v1"):
            continue
        statuses = set(op["responses"])
        assert statuses >= SHARED, (method, path, SHARED - statuses)
        if any(_names_a_record(p, spec) for p in op.get("parameters", []) if p["in"] == "path"):
            assert "404" in statuses, (method, path)  # an unknown id (an unknown enum: 422)
        if re.search(r"/(withdraw|accept|decline|discharge)$", path):
            assert "409" in statuses, (method, path)


def _names_a_record(parameter: dict[str, Any], spec: dict[str, Any]) -> bool:
    """Whether a path parameter is an id that may name nothing (not a closed enum)."""
    schema = parameter.get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return "enum" not in schema


def test_an_unknown_query_parameter_is_a_documented_422(world, helpers, spec):
    documented = spec["paths"]["/v1/regions"]["get"]["responses"]["422"]
    assert documented["content"]["application/json"]["schema"]["$ref"].endswith("ValidationErrors")
    with helpers.client_for(world.url) as client:
        answer = client.get("/v1/regions?regoin=utrecht", headers=world.auth("admin"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "regoin"]


def _generate(spec: dict[str, Any], where: Path) -> Any:
    """Generate the client with openapi-python-client (offline) and import it."""
    (where / "openapi.json").write_text(json.dumps(spec), encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(where / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(where / "opvang_client"),
        ],
        cwd=where,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(where))
    try:
        return importlib.import_module("opvang_client")
    finally:
        sys.path.remove(str(where))


def _modules(package: Any, method: str) -> list[Any]:
    """The generated endpoint modules whose name ends in ``_<method>``."""
    root = Path(package.__file__).parent / "api"
    names = sorted(p.relative_to(root.parent.parent) for p in root.glob("*/*.py"))
    return [
        importlib.import_module(".".join(n.with_suffix("").parts))
        for n in names
        if n.stem.endswith(f"_{method}")
    ]


def _call_every_get(
    gets: list[Any], api: Any, models: Any, path_values: dict[str, Any]
) -> list[str]:
    """Call every generated GET with the world's ids; the names of those called."""
    called = []
    for module in gets:
        wanted = inspect.signature(module.sync_detailed).parameters
        args = {k: v for k, v in path_values.items() if k in wanted}
        if "kind" in wanted:  # an import template: a file, not JSON
            args["kind"] = models.Kind("facilities")
        if "jobs" in wanted:  # runs compared: none in this world, the documented 404
            answer = module.sync_detailed(client=api, jobs=[999_998, 999_999])
            assert answer.status_code == 404, (module.__name__, answer.content)
            called.append(module.__name__.rsplit(".", 1)[1])
            continue
        if "job_id" in wanted:  # no plan job in this world: the documented 404
            answer = module.sync_detailed(client=api, job_id=999_999)
            assert answer.status_code == 404, (module.__name__, answer.content)
            called.append(module.__name__.rsplit(".", 1)[1])
            continue
        answer = module.sync_detailed(client=api, **args)
        assert answer.status_code == 200, (module.__name__, answer.content)
        called.append(module.__name__.rsplit(".", 1)[1])
        if "kind" in wanted:
            assert answer.content
            continue
        assert answer.parsed is not None, module.__name__
        assert type(answer.parsed).__module__.startswith("opvang_client.models")
    return called


@pytest.mark.slow
def test_a_generated_client_calls_every_get_and_some_writes_with_typed_fields(
    spec, world, helpers, tmp_path
):
    client_pkg = _generate(spec, tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        models = importlib.import_module("opvang_client.models")
        gets = _modules(client_pkg, "get")
        path_values = {
            "facility_id": helpers.OWN_FACILITY,
            "case_id": "C-2026-0001",
            "run_id": world.run_id,
            "proposal_id": world.proposal_ids[0],
        }
        with helpers.running_server(world.url) as server:
            api = client_pkg.AuthenticatedClient(base_url=server.base, token=world.tokens["admin"])
            called = _call_every_get(gets, api, models, path_values)
            assert len(called) == sum(1 for m, _, _ in _operations(spec) if m == "GET")

            # writes, with the generated models' typed fields
            cases = importlib.import_module("opvang_client.api.cases.create_case_v1_cases_post")
            body = models.CaseCreate.from_dict(
                {
                    "age": 25,
                    "gender": "female",
                    "residence_status": "nl",
                    "exploitation_type": "sexual",
                    "region_signalled": "amsterdam",
                    "region_of_exploitation": "utrecht",
                    "responsible_organisation": "CoMensha",
                }
            )
            created = cases.sync_detailed(client=api, body=body)
            assert created.status_code == 201, created.content
            assert isinstance(created.parsed, models.CasePublic)
            assert created.parsed.age == 25

            refused = cases.sync_detailed(
                client=api, body=models.CaseCreate.from_dict({**body.to_dict(), "age": 200})
            )
            assert refused.status_code == 422
            assert isinstance(refused.parsed, models.ValidationErrors)
            assert refused.parsed.detail[0].loc[-1] == "age"

            runs = importlib.import_module(
                "opvang_client.api.matching_runs.create_run_v1_matching_runs_post"
            )
            run = runs.sync_detailed(client=api, body=models.RunCreate(time_limit=5.0, seed=1))
            assert run.status_code == 201, run.content
            assert isinstance(run.parsed, models.RunPublic)

            report = importlib.import_module(
                "opvang_client.api.facilities."
                "report_availability_v1_facilities_facility_id_availability_put"
            )
            body_type = typing.get_type_hints(report.sync_detailed)["body"]
            # Opvang's own report or an HSDS-shaped update (issue 16): take Opvang's
            forms = typing.get_args(body_type) or (body_type,)
            form = next(f for f in forms if "beds_free" in inspect.signature(f).parameters)
            reported = report.sync_detailed(
                helpers.OWN_FACILITY,
                client=api,
                body=form.from_dict({"beds_free": 1, "as_of": datetime.now(UTC).isoformat()}),
            )
            assert reported.status_code == 201, reported.content
            assert isinstance(reported.parsed, models.AvailabilityReportPublic)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("opvang_client")]:
            del sys.modules[name]
