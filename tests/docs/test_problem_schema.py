"""docs/problem.schema.json describes what the code reads and writes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from matching import problem_from_dict
from matching.instances import SIZES, random_problem

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "problem.schema.json").read_text()
)


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("size", ["tiny", "small"])
def test_problems_written_by_the_code_match_the_schema(size):
    data = random_problem(SIZES[size], 3).to_dict()
    jsonschema.validate(data, SCHEMA)
    assert problem_from_dict(data).to_dict() == data


def test_the_schema_refuses_what_the_code_refuses():
    bad = {
        "format": "opvang-problem/1",
        "horizon_days": 2,
        "facilities": [],
        "cases": [],
        "options": [],
        "weigth": 1,
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
