"""Small, named scenarios for the scenario tests (YAML text, so tests read like the docs)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from scenarios import Scenario, parse_scenario


def woman(region: str, needs: str = "") -> str:
    """A fixed profile (flow YAML): an adult Dutch woman signalled in ``region``."""
    return (
        "{age: 30, gender: female, residence_status: nl, exploitation_type: sexual, "
        f"region_signalled: {region}, needs: [{needs}]}}"
    )


def scenario(text: str, **values: object) -> Scenario:
    """Parse dedented scenario YAML after replacing ``@KEY@`` placeholders."""
    body = textwrap.dedent(text)
    for key, value in values.items():
        body = body.replace(f"@{key.upper()}@", str(value))
    return parse_scenario(body, source="test.yaml")


FIXED_10 = "{womens_shelter: {distribution: fixed, mean_days: 10}}"

# 2 one-bed women's shelters (Utrecht offers LVB care, Amsterdam does not) and 2 women who
# arrive on day 0: first a standard case from Utrecht, then a complex (LVB) case from
# Amsterdam. Every stay lasts exactly 10 days. Easy to follow by hand.
TWO_HOUSES = f"""
    name: two-houses
    seed: 1
    horizon_days: 30
    policy: @POLICY@
    cadence: daily
    supply:
      facilities:
        - {{id: house-utrecht, region: utrecht, placement_type: womens_shelter, beds: 1,
           specialisms: [lvb]}}
        - {{id: house-amsterdam, region: amsterdam, placement_type: womens_shelter, beds: 1}}
    demand:
      - name: standard-utrecht
        at_days: [0]
        profile: {woman("utrecht")}
        stay: {FIXED_10}
      - name: complex-amsterdam
        at_days: [0]
        profile: {woman("amsterdam", "lvb")}
        stay: {FIXED_10}
"""

# One bed in Utrecht; a standard case arrives on day 0 and a complex case on day 1, both
# staying 10 days. Whoever takes the bed first makes the other wait.
ONE_BED_TWO_DAYS = f"""
    name: one-bed-two-days
    seed: 1
    horizon_days: 30
    policy: @POLICY@
    supply:
      facilities:
        - {{id: house-utrecht, region: utrecht, placement_type: womens_shelter, beds: 1,
           specialisms: [lvb]}}
    demand:
      - name: standard
        at_days: [0]
        profile: {woman("utrecht")}
        stay: {FIXED_10}
      - name: complex
        at_days: [1]
        profile: {woman("utrecht", "lvb")}
        stay: {FIXED_10}
"""

# Three facilities (two women's shelters of 2 beds, one OMM bed) and Dutch women arriving
# 0.3 a day with lognormal and exponential stays, so actual stays differ from expected ones.
SMALL_OPTIMISED = """
name: small-optimised
seed: 5
horizon_days: 60
replications: 3
policy: optimised
supply:
  facilities:
    - {id: house-utrecht, region: utrecht, placement_type: womens_shelter, beds: 2,
       specialisms: [lvb]}
    - {id: house-amsterdam, region: amsterdam, placement_type: womens_shelter, beds: 2}
    - {id: omm-zwolle, region: zwolle, placement_type: omm, beds: 1,
       specialisms: [lvb, mental_health]}
demand:
  - name: dutch-women
    arrivals_per_day: 0.3
    profile: dutch_women_domestic
    stay:
      womens_shelter: {distribution: lognormal, mean_days: 20, spread_days: 10}
      omm: {distribution: exponential, mean_days: 25}
"""


@pytest.fixture
def build() -> Callable[..., Scenario]:
    """``build(TEXT, policy="fifo")``: parse a template with its placeholders filled in."""
    return scenario


@pytest.fixture
def two_houses() -> str:
    return TWO_HOUSES


@pytest.fixture
def one_bed_two_days() -> str:
    return ONE_BED_TWO_DAYS


@pytest.fixture
def profile() -> Callable[..., str]:
    """``profile("utrecht", "lvb")``: a fixed adult Dutch woman in flow YAML."""
    return woman


@pytest.fixture
def small_optimised() -> str:
    return SMALL_OPTIMISED
