"""Scenario changes without YAML (issue 15): beds and budgets per type and region."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios import (
    BedDelta,
    BudgetDelta,
    InvalidVariantError,
    Variant,
    load_scenario,
    parse_scenario,
    variant_texts,
)
from scenarios.variant import beds_on_day0

# 4 facilities of 2 types in 3 regions, 2 funding streams (one capped, one not); the
# capped stream's budget is cut on day 20. Small enough to load in milliseconds.
SMALL_BASE = """
    name: small-base
    seed: 7
    horizon_days: 30
    policy: optimised
    supply:
      funding_streams:
        - {id: wmo-small, placement_types: [womens_shelter], budget_per_year: 100000}
        - {id: open-cosm, placement_types: [cosm]}
      facilities:
        - {id: ws-utrecht, region: utrecht, placement_type: womens_shelter, beds: 4,
           funding_stream: wmo-small, cost_per_bed_day: 100}
        - {id: ws-utrecht-2, region: utrecht, placement_type: womens_shelter, beds: 2,
           funding_stream: wmo-small, cost_per_bed_day: 100}
        - {id: ws-amsterdam, region: amsterdam, placement_type: womens_shelter, beds: 3,
           funding_stream: wmo-small, cost_per_bed_day: 100}
        - {id: cosm-rotterdam, region: rotterdam, placement_type: cosm, beds: 5,
           funding_stream: open-cosm, cost_per_bed_day: 200}
      changes:
        - {day: 20, budget: {stream: wmo-small, per_year: 80000}}
    demand:
      - name: women
        at_days: [0, 1]
        profile: {age: 30, gender: female, residence_status: nl, exploitation_type: sexual,
                  region_signalled: utrecht}
        stay: {womens_shelter: {distribution: fixed, mean_days: 10}}
"""
PAIRS = [
    ("womens_shelter", "utrecht"),
    ("womens_shelter", "amsterdam"),
    ("womens_shelter", "zwolle"),  # no facility there: added beds make a copy
    ("cosm", "rotterdam"),
    ("cosm", "groningen"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("variant")
    (out / "small-base.yaml").write_text(textwrap.dedent(SMALL_BASE), encoding="utf-8")
    return out


def _texts(folder: Path, variant: Variant) -> tuple[str, str]:
    base = load_scenario(folder / "small-base.yaml")
    return variant_texts(base, "small-base.yaml", variant, base_dir=folder)


def _load(folder: Path, text: str):
    return parse_scenario(text, source="variant.yaml", base_dir=folder)


@st.composite
def bed_changes(draw) -> tuple[BedDelta, ...]:
    """Distinct (type, region) rows, each adding beds or removing at most those there."""
    day0 = {("womens_shelter", "utrecht"): 6, ("womens_shelter", "amsterdam"): 3}
    day0 |= {("cosm", "rotterdam"): 5}
    pairs = draw(st.lists(st.sampled_from(PAIRS), unique=True, max_size=len(PAIRS)))
    out = []
    for t, r in pairs:
        beds = draw(st.integers(-day0.get((t, r), 0), 20).filter(lambda n: n != 0))
        out.append(BedDelta(t, r, beds))
    return tuple(out)


@settings(max_examples=40, deadline=None)
@given(beds=bed_changes(), money=st.integers(-80_000, 500_000).filter(bool))
def test_any_valid_change_loads_and_moves_exactly_those_beds(folder, beds, money):
    plain, changed = _texts(folder, Variant(beds=beds, budgets=(BudgetDelta("wmo-small", money),)))
    before = beds_on_day0(_load(folder, plain))
    after = beds_on_day0(_load(folder, changed))
    expected = dict(before)
    for d in beds:
        expected[(d.placement_type, d.region)] = expected.get((d.placement_type, d.region), 0)
        expected[(d.placement_type, d.region)] += d.beds
    assert {k: v for k, v in after.items() if v} == {k: v for k, v in expected.items() if v}
    budgets = [(b.day, b.per_year) for b in _load(folder, changed).supply.budget_steps]
    assert budgets == [(0, 100_000 + money), (20, 80_000 + money)]


def test_both_files_keep_the_base_seed_and_take_the_policy_and_horizon(folder):
    plain, changed = _texts(folder, Variant(policy="fifo", horizon_days=20))
    for text in (plain, changed):
        spec = _load(folder, text).spec
        assert (spec.seed, spec.policy.value, spec.horizon_days) == (7, "fifo", 20)
    assert yaml.safe_load(plain)["name"] == "small-base-fifo-20-days"
    assert yaml.safe_load(changed)["name"] == "small-base-fifo-20-days-changed"
    assert yaml.safe_load(changed)["base"] == "small-base.yaml"


def test_added_beds_go_to_the_largest_facility_of_the_region(folder):
    _, changed = _texts(folder, Variant(beds=(BedDelta("womens_shelter", "utrecht", 2),)))
    loaded = _load(folder, changed)
    steps = [(loaded.supply.facilities[s.facility].id, s.delta) for s in loaded.supply.bed_steps]
    assert steps == [("ws-utrecht", 2)]


def test_beds_in_a_region_without_the_type_open_a_copy_there(folder):
    _, changed = _texts(folder, Variant(beds=(BedDelta("cosm", "groningen", 3),)))
    doc = yaml.safe_load(changed)["supply"]["changes"][-1]
    assert doc["beds"]["like"] == "cosm-rotterdam"
    assert beds_on_day0(_load(folder, changed))[("cosm", "groningen")] == 3


@pytest.mark.parametrize(
    ("variant", "field", "reason"),
    [
        (Variant(beds=(BedDelta("hotel", "utrecht", 1),)), "beds[0].placement_type", "unknown"),
        (Variant(beds=(BedDelta("cosm", "atlantis", 1),)), "beds[0].region", "unknown region"),
        (Variant(beds=(BedDelta("cosm", "rotterdam", 0),)), "beds[0].beds", "not 0"),
        (Variant(beds=(BedDelta("cosm", "rotterdam", 10**6),)), "beds[0].beds", "to 1000"),
        (Variant(budgets=(BudgetDelta("wmo-small", 1e12),)), "budgets[0].per_year", "to 1,000"),
        (Variant(budgets=(BudgetDelta("wmo-small", float("nan")),)), "budgets[0].per_year", "to"),
        (
            Variant(beds=(BedDelta("cosm", "rotterdam", 1), BedDelta("cosm", "rotterdam", 2))),
            "beds[1].region",
            "listed twice",
        ),
        (
            Variant(beds=(BedDelta("omm", "utrecht", 1),)),
            "beds[0].placement_type",
            "no omm facility",
        ),
        (
            Variant(
                beds=(BedDelta("cosm", "rotterdam", 1), BedDelta("womens_shelter", "utrecht", -7))
            ),
            "beds[1].beds",
            "only 6 beds of type Women's shelter in Utrecht to remove",
        ),
        (Variant(budgets=(BudgetDelta("nope", 1),)), "budgets[0].stream", "unknown funding"),
        (Variant(budgets=(BudgetDelta("open-cosm", 1),)), "budgets[0].stream", "no budget cap"),
        (
            Variant(budgets=(BudgetDelta("wmo-small", -90_000),)),
            "budgets[0].per_year",
            "below zero (EUR 80,000 a year from day 20)",
        ),
        (Variant(policy="lottery"), "policy", "unknown policy 'lottery'"),
        (Variant(horizon_days=0), "horizon_days", "must be from 1 to 730 days"),
        (Variant(horizon_days=1), "horizon_days", "demand[0].at_days[1]: lies after the horizon"),
        (Variant(horizon_days=731), "horizon_days", "must be from 1 to 730 days"),
    ],
)
def test_a_change_that_cannot_apply_names_its_field(folder, variant, field, reason):
    with pytest.raises(InvalidVariantError) as caught:
        _texts(folder, variant)
    assert caught.value.field == field
    assert reason in caught.value.reason
