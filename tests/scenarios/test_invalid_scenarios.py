"""Every kind of invalid scenario file is refused with the file, the key and the reason."""

from __future__ import annotations

import copy
import math
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenarios import InvalidScenarioError, InvalidVariantError, load_scenario, parse_scenario
from scenarios.spec import SpecRuleError

VALID: dict[str, Any] = {
    "name": "valid",
    "seed": 1,
    "horizon_days": 30,
    "policy": "fifo",
    "supply": {
        "funding_streams": [{"id": "wmo-test", "placement_types": ["womens_shelter"]}],
        "facilities": [
            {
                "id": "house",
                "region": "utrecht",
                "placement_type": "womens_shelter",
                "beds": 1,
                "funding_stream": "wmo-test",
            }
        ],
    },
    "demand": [
        {
            "name": "women",
            "arrivals_per_day": 0.5,
            "profile": {
                "age": 30,
                "gender": "female",
                "residence_status": "nl",
                "exploitation_type": "sexual",
                "region_signalled": "utrecht",
            },
            "stay": {"womens_shelter": {"distribution": "exponential", "mean_days": 10}},
        }
    ],
}

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        *head, last = path.split(".")
        node: Any = doc
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


_DELETE = object()
STAY = "demand.0.stay.womens_shelter"
STAY_KEY = "demand[0].stay.womens_shelter"
FINITE = "Input should be a finite number"
FAC = "supply.facilities.0"
PROFILE = "demand.0.profile"

CASES: list[tuple[str, Edit, str, str]] = [
    ("unknown key", _set("colour", "red"), "colour", "is not a known key"),
    ("missing name", _set("name", _DELETE), "name", "is required"),
    ("unknown policy", _set("policy", "central"), "policy", "Input should be 'optimised'"),
    ("unknown cadence", _set("cadence", "hourly"), "cadence", "Input should be 'daily'"),
    ("wrong format", _set("format", "opvang-scenario/9"), "format", "Input should be"),
    ("no replications", _set("replications", 0), "replications", "greater than 0"),
    ("warm-up too long", _set("warmup_days", 30), "warmup_days", "must be below horizon_days"),
    (
        "lognormal without spread",
        _set(f"{STAY}.distribution", "lognormal"),
        "demand[0].stay.womens_shelter.spread_days",
        "a lognormal stay needs spread_days",
    ),
    (
        "spread on an exponential stay",
        _set(f"{STAY}.spread_days", 3),
        "demand[0].stay.womens_shelter.spread_days",
        "only a lognormal stay has one",
    ),
    (
        "stay at an unknown type",
        _set("demand.0.stay", {"womens_shelters": {"distribution": "fixed", "mean_days": 9}}),
        "demand[0].stay.womens_shelters",
        "unknown placement type",
    ),
    (
        "unknown stay distribution",
        _set(f"{STAY}.distribution", "weibull"),
        "demand[0].stay.womens_shelter.distribution",
        "Input should be",
    ),
    (
        "negative arrival rate",
        _set("demand.0.arrivals_per_day", -1),
        "demand[0].arrivals_per_day",
        "greater than or equal to 0",
    ),
    (
        "unknown profile class",
        _set(PROFILE, "martian"),
        "demand[0].profile",
        "unknown profile class 'martian'",
    ),
    (
        "profile and profiles",
        _set("demand.0.profiles", [{"share": 1, "profile": "other"}]),
        "demand[0]",
        "either profile or profiles",
    ),
    (
        "profile region unknown",
        _set(f"{PROFILE}.region_signalled", "atlantis"),
        "demand[0].profile.region_signalled",
        "unknown region 'atlantis'",
    ),
    (
        "interpreter without a language",
        _set(f"{PROFILE}.needs", ["interpreter"]),
        "demand[0].profile.interpreter_language",
        "needs a language code",
    ),
    (
        "arrival after the horizon",
        _set("demand.0.at_days", [30]),
        "demand[0].at_days[0]",
        "lies after the horizon",
    ),
    (
        "group size reversed",
        _set("demand.0.groups", {"per_day": 0.1, "size": [6, 3]}),
        "demand[0].groups.size",
        "the range must be",
    ),
    (
        "class defined twice",
        lambda d: d["demand"].append(copy.deepcopy(d["demand"][0])),
        "demand[1].name",
        "class 'women' is defined twice",
    ),
    (
        "facility region unknown",
        _set(f"{FAC}.region", "atlantis"),
        "supply.facilities[0].region",
        "unknown region 'atlantis'",
    ),
    (
        "negative beds",
        _set(f"{FAC}.beds", -1),
        "supply.facilities[0].beds",
        "greater than or equal to 0",
    ),
    (
        "unknown funding stream",
        _set(f"{FAC}.funding_stream", "nobody"),
        "supply.facilities[0].funding_stream",
        "unknown stream 'nobody'",
    ),
    (
        "facility id twice",
        lambda d: d["supply"]["facilities"].append(copy.deepcopy(d["supply"]["facilities"][0])),
        "supply.facilities[1].id",
        "facility 'house' exists already",
    ),
    (
        "unknown case category",
        _set("supply.funding_streams.0.case_categories", ["adult_martian"]),
        "supply.funding_streams[0].case_categories",
        "unknown case category 'adult_martian'",
    ),
    (
        "unknown dataset",
        _set("supply.dataset", "europe"),
        "supply.dataset",
        "Input should be 'demo' or 'none'",
    ),
    (
        "change of neither beds nor budget",
        _set("supply.changes", [{"day": 3}]),
        "supply.changes[0]",
        "give either beds or budget",
    ),
    (
        "beds added and removed at once",
        _set(
            "supply.changes",
            [
                {
                    "day": 3,
                    "beds": {
                        "placement_type": "womens_shelter",
                        "region": "utrecht",
                        "add": 1,
                        "remove": 1,
                    },
                }
            ],
        ),
        "supply.changes[0].beds",
        "give either add or remove",
    ),
    (
        "more beds removed than there are",
        _set(
            "supply.changes",
            [
                {
                    "day": 3,
                    "beds": {"placement_type": "womens_shelter", "region": "utrecht", "remove": 2},
                }
            ],
        ),
        "supply.changes[0].beds.remove",
        "only 1 bed of type Women's shelter in Utrecht to remove",
    ),
    (
        "beds added where there is no such facility",
        _set(
            "supply.changes",
            [{"day": 3, "beds": {"placement_type": "omm", "region": "utrecht", "add": 2}}],
        ),
        "supply.changes[0].beds",
        "no omm facility in utrecht to add beds to",
    ),
    (
        "budget of an unknown stream",
        _set("supply.changes", [{"day": 3, "budget": {"stream": "nobody", "per_year": 1}}]),
        "supply.changes[0].budget.stream",
        "unknown stream 'nobody'",
    ),
    (
        "hindsight per event",
        lambda d: d.update(policy="hindsight", cadence="event"),
        "cadence",
        "hindsight plans whole days",
    ),
    (
        "negative end-of-plan price",
        _set("optimiser", {"end_of_plan_price": -0.1}),
        "optimiser.end_of_plan_price",
        "greater than or equal to 0",
    ),
    (
        "unknown class in the round weights",
        _set("optimiser", {"class_weight_factors": {"complx": 2.0}}),
        "optimiser.class_weight_factors.complx",
        "unknown complexity class",
    ),
    (
        "zero round weight factor",
        _set("optimiser", {"class_weight_factors": {"complex": 0}}),
        "optimiser.class_weight_factors.complex",
        "greater than 0",
    ),
    ("unknown rulebook", _set("rulebook", "no-such-rulebook.yaml"), "rulebook", "cannot be used"),
    # YAML's .inf went through to the rounds (an infinite stay: a TypeError from SimPy)
    ("infinite stay", _set(f"{STAY}.mean_days", math.inf), f"{STAY_KEY}.mean_days", FINITE),
    ("NaN stay", _set(f"{STAY}.mean_days", math.nan), f"{STAY_KEY}.mean_days", FINITE),
    (
        "infinite arrival rate",
        _set("demand.0.arrivals_per_day", math.inf),
        "demand[0].arrivals_per_day",
        FINITE,
    ),
    ("NaN arrival day", _set("demand.0.at_days", [math.nan]), "demand[0].at_days[0]", FINITE),
    (
        "infinite round weight factor",
        _set("optimiser", {"class_weight_factors": {"complex": math.inf}}),
        "optimiser.class_weight_factors.complex",
        FINITE,
    ),
    ("NaN gap", _set("hindsight", {"relative_gap": math.nan}), "hindsight.relative_gap", FINITE),
    (
        "infinite budget",
        _set("supply.funding_streams.0.budget_per_year", math.inf),
        "supply.funding_streams[0].budget_per_year",
        FINITE,
    ),
    (
        "stay past any horizon",
        _set(f"{STAY}.mean_days", 1e300),
        f"{STAY_KEY}.mean_days",
        "less than or equal to 36500",
    ),
    # a horizon of 100000000000 days was accepted and ran for ever
    (
        "horizon too long",
        _set("horizon_days", 100_000_000_000),
        "horizon_days",
        "must be from 1 to 36500 days",
    ),
    ("too many replications", _set("replications", 1_000_000), "replications", "from 1 to 1000"),
    ("missing base file", _set("base", "no-such-base.yaml"), "base", "cannot read"),
]


@pytest.mark.parametrize(("what", "edit", "key", "reason"), CASES, ids=[c[0] for c in CASES])
def test_invalid_scenario_names_key_and_reason(what: str, edit: Edit, key: str, reason: str):
    doc = copy.deepcopy(VALID)
    edit(doc)
    with pytest.raises(InvalidScenarioError) as info:
        parse_scenario(yaml.safe_dump(doc, sort_keys=False), source="bad.yaml")
    err = info.value
    assert (err.source, err.key) == ("bad.yaml", key), str(err)
    assert reason in err.reason, str(err)
    assert str(err).startswith(f"bad.yaml: {key}: ")


def test_the_valid_base_is_valid():
    parse_scenario(yaml.safe_dump(VALID), source="ok.yaml")


def test_not_yaml_names_the_line():
    with pytest.raises(InvalidScenarioError) as info:
        parse_scenario("name: x\nseed: [1,\n", source="bad.yaml")
    assert info.value.key.startswith("line ")
    assert "is not valid YAML" in info.value.reason


def test_a_list_is_not_a_scenario():
    with pytest.raises(InvalidScenarioError, match="must be a mapping of keys"):
        parse_scenario("- name: x\n", source="bad.yaml")


def test_missing_file_is_reported_with_its_path(tmp_path: Path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(InvalidScenarioError) as info:
        load_scenario(missing)
    assert info.value.source == str(missing)
    assert "cannot be read" in info.value.reason


def test_a_file_that_is_not_utf8_is_refused_with_its_path(tmp_path: Path):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: café\nseed: 1\n".encode("latin-1"))  # was a UnicodeDecodeError
    with pytest.raises(InvalidScenarioError) as info:
        load_scenario(latin1)
    assert (info.value.source, info.value.key) == (str(latin1), "")
    assert info.value.reason.startswith("is not UTF-8 text (byte 0xe9 at position 9)")


def test_a_base_file_that_is_not_utf8_is_refused_at_base(tmp_path: Path):
    (tmp_path / "latin1.yaml").write_bytes("name: café\n".encode("latin-1"))
    variant = tmp_path / "variant.yaml"
    variant.write_text("base: latin1.yaml\nname: variant\n", encoding="utf-8")
    with pytest.raises(InvalidScenarioError) as info:
        load_scenario(variant)
    assert info.value.key == "base"
    assert f"{tmp_path / 'latin1.yaml'} is not UTF-8 text" in info.value.reason


@pytest.mark.parametrize(
    ("change", "key", "reason"),
    [
        (lambda s: s.with_replications(1001), "replications", "must be from 1 to 1000"),
        (lambda s: s.with_replications(0), "replications", "must be from 1 to 1000"),
        (lambda s: s.with_horizon(36_501), "horizon_days", "must be from 1 to 36500 days"),
    ],
    ids=["replications over 1000", "no replications", "horizon over 36500"],
)
def test_overrides_keep_to_the_files_limits(change: Any, key: str, reason: str):
    scenario = parse_scenario(yaml.safe_dump(VALID), source="ok.yaml")
    with pytest.raises(InvalidScenarioError) as info:
        change(scenario)
    assert (info.value.key, info.value.reason) == (key, reason)


@pytest.mark.parametrize(
    "error",
    [
        InvalidScenarioError("bad.yaml", "horizon_days", "must be from 1 to 36500 days"),
        InvalidScenarioError("bad.yaml", "", "is not UTF-8 text"),
        InvalidVariantError("beds[0].region", "unknown region 'atlantis'"),
        SpecRuleError("spread_days", "a lognormal stay needs spread_days"),
    ],
    ids=repr,
)
def test_an_error_survives_the_copies_simpy_and_dask_make(error: Exception):
    """SimPy re-raises ``type(exc)(*exc.args)`` and pickle does the same: an error whose
    ``args`` were only its message came out as a TypeError about a missing argument."""
    for copy_ in (type(error)(*error.args), pickle.loads(pickle.dumps(error))):
        assert type(copy_) is type(error)
        assert str(copy_) == str(error)
        assert vars(copy_) == vars(error)
