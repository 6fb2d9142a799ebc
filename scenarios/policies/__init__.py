"""The placement policies a scenario can run (``docs/scenarios.md``, *Policies*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scenarios.policies.base import (
    IDLE,
    RULE,
    Decision,
    KeptBed,
    PolicyRule,
    RoundKind,
    RoundStatus,
)
from scenarios.policies.rules import CurrentPracticePolicy, FifoPolicy
from scenarios.spec import Policy

if TYPE_CHECKING:
    from scenarios.loading import Scenario
    from scenarios.state import CaseRecord

__all__ = [
    "IDLE",
    "RULE",
    "CurrentPracticePolicy",
    "Decision",
    "FifoPolicy",
    "KeptBed",
    "PolicyRule",
    "RoundKind",
    "RoundStatus",
    "make_policy",
]


def make_policy(scenario: Scenario, records: list[CaseRecord], replication: int = 0) -> PolicyRule:
    """The policy object of a run.

    Parameters
    ----------
    scenario
        The scenario (its ``policy`` and the policy's settings).
    records
        Every case of the replication (the hindsight policy plans with all of them).
    replication
        Its index (seeds the anticipatory policy's sampled futures).
    """
    spec = scenario.spec
    if spec.policy is Policy.FIFO:
        return FifoPolicy()
    if spec.policy is Policy.CURRENT_PRACTICE:
        cp = spec.current_practice
        return CurrentPracticePolicy(
            cp.national_types,
            cp.out_of_region_after_days,
            complex_search_days=cp.complex_search_days,
        )
    if spec.policy is Policy.OPTIMISED:
        from scenarios.policies.optimised import OptimisedPolicy

        return OptimisedPolicy(spec.optimiser, seed=0)
    if spec.policy is Policy.ANTICIPATORY:
        from scenarios.policies.anticipatory import AnticipatoryPolicy

        return AnticipatoryPolicy(scenario, replication, records)
    from scenarios.policies.hindsight import HindsightPolicy

    return HindsightPolicy(scenario, records)
