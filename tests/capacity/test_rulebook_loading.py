"""Loading rulebook files: the shipped ones load, each kind of broken file names its problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from capacity import InvalidRulebookError, bundled_rulebook, load_rulebook, parse_rulebook
from capacity.criteria.rulebook import CRITERIA_DIR

NATIONAL_FILE = CRITERIA_DIR / "national-v1.yaml"


def national_data() -> dict:
    return yaml.safe_load(NATIONAL_FILE.read_text(encoding="utf-8"))


def broken(tmp_path: Path, mutate) -> Path:
    data = national_data()
    mutate(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_shipped_national_rulebook_loads_with_version_and_hash():
    book = bundled_rulebook()
    assert book.version == "national-v1"
    assert len(book.content_hash) == 64
    assert book.source.endswith("national-v1.yaml")


def test_hash_ignores_formatting_but_not_content(tmp_path: Path):
    original = load_rulebook(NATIONAL_FILE)
    reformatted = tmp_path / "same.yaml"
    reformatted.write_text(
        "# a comment\n" + yaml.safe_dump(national_data(), indent=4), encoding="utf-8"
    )
    assert load_rulebook(reformatted).content_hash == original.content_hash

    def change(d: dict) -> None:
        d["safety"]["high"]["min_distance_km"] = 80

    assert load_rulebook(broken(tmp_path, change)).content_hash != original.content_hash


def test_missing_file_is_named(tmp_path: Path):
    with pytest.raises(InvalidRulebookError) as err:
        load_rulebook(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(err.value)
    assert "cannot be read" in err.value.reason


def test_invalid_yaml_names_the_line():
    with pytest.raises(InvalidRulebookError) as err:
        parse_rulebook("format: x\nversion: [unclosed\n", source="bad.yaml")
    assert err.value.source == "bad.yaml"
    assert err.value.path.startswith("line ")
    assert "not valid YAML" in err.value.reason


def test_top_level_must_be_a_mapping():
    with pytest.raises(InvalidRulebookError, match="mapping"):
        parse_rulebook("- just\n- a list\n")


@pytest.mark.parametrize(
    ("mutate", "path", "reason"),
    [
        (lambda d: d.pop("priority"), "priority", "is required"),
        (lambda d: d.update(colour="blue"), "colour", "is not a known key"),
        (lambda d: d.update(format="opvang-rulebook/9"), "format", "opvang-rulebook/1"),
        (lambda d: d.update(version="National V1!"), "version", "pattern"),
        (
            lambda d: d["placement_types"]["cosm"].update(serves=["adult_martian"]),
            "placement_types.cosm.serves",
            "unknown case category 'adult_martian'",
        ),
        (lambda d: d["placement_types"].pop("crisis"), "placement_types", "no rule for crisis"),
        (
            lambda d: d["placement_types"].update(spa={"serves": ["adult_b8"]}),
            "placement_types.spa",
            "is not an allowed key here",
        ),
        (lambda d: d["needs"].pop("wheelchair"), "needs", "no rule for wheelchair"),
        (
            lambda d: d["needs"]["interpreter"].update(met_by="specialism"),
            "needs.interpreter.met_by",
            "must be 'language'",
        ),
        (lambda d: d["needs"]["lvb"].update(strength="maybe"), "needs.lvb.strength", "hard"),
        (lambda d: d["safety"].pop("high"), "safety", "no rule for high"),
        (
            lambda d: d["safety"]["high"].update(min_distance_km=-5),
            "safety.high.min_distance_km",
            "greater than or equal to 0",
        ),
        (
            lambda d: d["case_categories"]["adult_b8"].update(max_age=10),
            "case_categories.adult_b8.max_age",
            "is below min_age",
        ),
        (
            lambda d: d["priority"]["complexity"]["classes"][2].update(min_points=1),
            "priority.complexity.classes[2].min_points",
            "must be above complex's",
        ),
        (
            lambda d: d["priority"]["complexity"]["classes"][1].update(weight=0.5),
            "priority.complexity.classes[1].weight",
            "must not be below standard's",
        ),
        (
            lambda d: d["priority"]["complexity"]["classes"][0].update(min_points=1),
            "priority.complexity.classes[0].min_points",
            "must start at 0",
        ),
        (
            lambda d: d["priority"]["complexity"].update(
                classes=d["priority"]["complexity"]["classes"][:2]
            ),
            "priority.complexity.classes",
            "at least 3",
        ),
        (
            lambda d: d["priority"]["urgency"].update(minor=0.5),
            "priority.urgency.minor",
            "greater than or equal to 1",
        ),
        (
            lambda d: d["funding"].update(regional_streams="nowhere"),
            "funding.regional_streams",
            "any_region",
        ),
        (lambda d: d.update(effective_from="someday"), "effective_from", "date"),
    ],
)
def test_each_kind_of_broken_file_names_path_and_reason(
    tmp_path: Path, mutate, path: str, reason: str
):
    file = broken(tmp_path, mutate)
    with pytest.raises(InvalidRulebookError) as err:
        load_rulebook(file)
    assert err.value.source == str(file)
    assert err.value.path == path
    assert reason in err.value.reason
    assert str(file) in str(err.value)


def _fingerprints_in_a_new_interpreter(hash_seed: str) -> str:
    code = (
        "from capacity.criteria.rulebook import bundled_rulebook as b; "
        "print(b().content_hash, b('regional-variation-v1').content_hash)"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


def test_fingerprint_is_the_same_in_interpreters_with_different_hash_seeds():
    # issue 10: sets were dumped in iteration order, which follows the string-hash seed
    seen = {_fingerprints_in_a_new_interpreter(seed) for seed in ("1", "2", "3", "12345")}
    assert len(seen) == 1
    assert seen == {
        f"{bundled_rulebook().content_hash} "
        f"{bundled_rulebook('regional-variation-v1').content_hash}"
    }


def test_fingerprint_ignores_the_order_of_set_entries(tmp_path: Path):
    original = load_rulebook(CRITERIA_DIR / "national-v1.yaml")
    data = yaml.safe_load((CRITERIA_DIR / "national-v1.yaml").read_text())
    for placement_type in data["placement_types"].values():
        if isinstance(placement_type.get("serves"), list):
            placement_type["serves"] = list(reversed(placement_type["serves"]))
    reordered = tmp_path / "reordered.yaml"
    reordered.write_text(yaml.safe_dump(data))
    assert load_rulebook(reordered).content_hash == original.content_hash
