"""docs/problem.schema.json describes what the code reads and writes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from matching import InvalidProblemError, problem_from_dict
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


def minimal() -> dict:
    return {
        "format": "opvang-problem/1",
        "horizon_days": 2,
        "facilities": [{"id": "F", "free_beds": [1, 1]}],
        "cases": [{"id": "C1"}, {"id": "C2"}],
        "options": [{"case": "C1", "facility": "F", "stay_days": 1, "stream": "S"}],
    }


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d.pop("facilities"), id="facilities-missing"),
        pytest.param(lambda d: d.pop("cases"), id="cases-missing"),
        pytest.param(lambda d: d.pop("options"), id="options-missing"),
        pytest.param(lambda d: d["options"][0].update(stay_days=None), id="stay-days-null"),
        pytest.param(lambda d: d["options"][0].update(stream=None), id="stream-null"),
        pytest.param(lambda d: d.update(keep_apart=[["C1", "C2"]] * 2), id="keep-apart-twice"),
    ],
)
def test_schema_and_parser_both_refuse(change):
    data = minimal()
    jsonschema.validate(data, SCHEMA)
    problem_from_dict(data)
    change(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)
    with pytest.raises(InvalidProblemError):
        problem_from_dict(data)


def test_parser_refuses_a_pair_repeated_in_reverse_which_the_schema_cannot_express():
    data = {**minimal(), "keep_apart": [["C1", "C2"], ["C2", "C1"]]}
    jsonschema.validate(data, SCHEMA)
    with pytest.raises(InvalidProblemError, match="listed twice"):
        problem_from_dict(data)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d["options"][0].pop("stay_days"), id="stay-days-left-out"),
        pytest.param(lambda d: d["options"][0].pop("stream"), id="stream-left-out"),
        pytest.param(
            lambda d: d.update(budgets=[{"stream": "X", "amount": 5}]), id="unused-budget"
        ),
        pytest.param(lambda d: d.update(facilities=[], cases=[], options=[]), id="empty-lists"),
    ],
)
def test_schema_and_parser_both_accept(change):
    data = minimal()
    change(data)
    jsonschema.validate(data, SCHEMA)
    problem_from_dict(data)
