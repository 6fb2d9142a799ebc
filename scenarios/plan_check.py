"""A capacity plan checked by simulation (issue 15): the base scenario against the same
scenario with the plan's beds, paired replication by replication.

The planned scenario is a scenario file of its own (``base:`` the base file, the plan's
beds as ``supply.changes`` from day 0, and each capped funding stream's budget raised by
the beds' cost a year), so the run is kept and compared like any other scenario run. Both
runs have the same seed and replications, so replication *i* of each meets the same
arrivals and stays, and the change in waits is a paired difference with its interval
(:func:`scenarios.report.paired_differences`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from scenarios.loading import Scenario
from scenarios.outputs import kpis_document
from scenarios.planner import DAYS_PER_YEAR, Addition, BedPlan
from scenarios.report import paired_differences
from scenarios.runner import Progress, ScenarioResult, run_scenarios
from scenarios.variant import day0_budget

ALL_WAITS = "mean wait, all cases (days)"  # labels of scenarios.report.PAIRED_KPIS
COMPLEX_WAITS = "mean wait, complex cases (days)"


@dataclass(frozen=True, slots=True)
class WaitChange:
    """The planned minus the base run's mean wait (days), paired by replication.

    Parameters
    ----------
    mean
        Mean of the paired differences (negative: shorter waits with the plan).
    ci95
        Its 95 % percentile-bootstrap interval; ``None`` under 3 pairs.
    pairs
        Replications paired.
    """

    mean: float
    ci95: tuple[float, float] | None
    pairs: int

    def text(self) -> str:
        """``-3.2 days (-5.0 to -1.4)``, or without an interval and saying why."""
        if self.ci95 is None:
            return f"{self.mean:+.1f} days (no interval: {self.pairs} pairs, 3 needed)"
        return f"{self.mean:+.1f} days ({self.ci95[0]:+.1f} to {self.ci95[1]:+.1f})"


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """Both runs and the change in waits the plan brings."""

    base: ScenarioResult
    planned: ScenarioResult
    all_cases: WaitChange | None
    complex_cases: WaitChange | None


def planned_scenario_text(base: Scenario, base_ref: str, plan: BedPlan) -> str:
    """The scenario file of the plan: ``base_ref`` as its base, the plan's beds added.

    Parameters
    ----------
    base
        The base scenario, loaded (its changes are kept: a file's list replaces its
        base's, so they are repeated here).
    base_ref
        How the planned file names its base (a file name next to it, or an example's).
    plan
        The beds to add.

    Returns
    -------
    str
        Scenario YAML (``opvang-scenario/1``).
    """
    spec = base.spec
    changes: list[dict[str, Any]] = [
        c.model_dump(mode="json", exclude_none=True) for c in spec.supply.changes
    ]
    missing = left_out(base, plan)
    for a in plan.additions:
        if a in missing:
            continue
        beds: dict[str, Any] = {
            "placement_type": a.placement_type,
            "region": a.region_id,
            "add": a.beds,
            **_where(base, a),
        }
        changes.append({"day": 0, "beds": beds})
    for stream, per_year in _raised_budgets(base, plan).items():
        changes.append({"day": 0, "budget": {"stream": stream, "per_year": per_year}})
    doc = {
        "base": base_ref,
        "name": f"{spec.name}-plus-{plan.beds}-beds",
        "description": f"{spec.name} with the planner's {plan.beds} beds from day 0 "
        f"(EUR {plan.cost_per_year:,.0f} a year): "
        + "; ".join(f"{a.beds} {a.placement_type} in {a.region_id}" for a in plan.additions)
        + (
            "; left out, no facility of the type in the scenario: "
            + "; ".join(f"{a.beds} {a.placement_type} in {a.region_id}" for a in missing)
            if missing
            else ""
        ),
        "supply": {"changes": changes},
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def left_out(base: Scenario, plan: BedPlan) -> list[Addition]:
    """The plan's beds of a placement type the scenario has no facility of: they cannot be
    placed in it (a plan made on one supply, checked in another) and are left out."""
    types = {f.placement_type.value for f in base.supply.facilities}
    return [a for a in plan.additions if a.placement_type not in types]


def _where(base: Scenario, a: Addition) -> dict[str, str]:
    """Where in the scenario the plan's beds go: the planned facility when the scenario
    has it; else the largest facility of the type in the region (no key); else a new
    facility there, a copy of one of the type elsewhere (``like``)."""
    facilities = base.supply.facilities
    if any(f.id == a.facility_id for f in facilities):
        return {"facility": a.facility_id}
    same_type = [f for f in facilities if f.placement_type.value == a.placement_type]
    if any(f.region_id == a.region_id for f in same_type):
        return {}  # the scenario's own rule: the largest facility of the type there
    return {"like": min(same_type, key=lambda f: f.id).id}


def _raised_budgets(base: Scenario, plan: BedPlan) -> dict[str, float]:
    """Per capped stream of the scenario that pays for added beds, its day-0 budget a year
    plus the beds' cost a year (a bed is paid every day, :mod:`scenarios.planner`)."""
    by_facility = {f.id: f for f in base.supply.facilities}
    streams = {s.id: s for s in base.supply.streams}
    out: dict[str, float] = {}
    for a in plan.additions:
        fac = by_facility.get(a.facility_id)
        if fac is None or fac.funding_stream_id not in streams:
            continue
        sid = fac.funding_stream_id
        per_year = day0_budget(base, sid)
        if per_year is None:
            continue  # not capped: nothing to raise
        cost = a.beds * fac.cost_per_bed_day * DAYS_PER_YEAR
        out[sid] = round(out.get(sid, per_year) + cost, 2)
    return out


def check_plan(
    base: Scenario,
    planned: Scenario,
    *,
    client: Any | None = None,
    progress: Progress | None = None,
) -> PlanCheck:
    """Simulate both scenarios (same seed and replications) and pair their waits.

    Parameters
    ----------
    base, planned
        The base scenario and the planned one (:func:`planned_scenario_text`, loaded).
    client
        A Dask client, or ``None`` to run in this process.
    progress
        Observer of the runs.

    Returns
    -------
    PlanCheck
    """
    planned = planned.with_replications(base.spec.replications)
    before, after = run_scenarios([base, planned], client=client, progress=progress)
    return paired_check(before, after)


def paired_check(before: ScenarioResult, after: ScenarioResult) -> PlanCheck:
    """The change in all-case and complex-case mean waits, paired by replication."""
    diffs = {
        label: WaitChange(mean, ci, n)
        for label, mean, ci, n in paired_differences(kpis_document(before), kpis_document(after))
    }
    return PlanCheck(before, after, diffs.get(ALL_WAITS), diffs.get(COMPLEX_WAITS))


def plan_summary(plan: BedPlan) -> Mapping[str, Any]:
    """The plan as plain data (for a job's result, JSON)."""
    return {
        "beds": plan.beds,
        "cost_per_year": round(plan.cost_per_year, 2),
        "stopped": plan.stopped,
        "complete": plan.complete,
        "seconds": round(plan.seconds, 1),
        "additions": [
            {
                "placement_type": a.placement_type,
                "region_id": a.region_id,
                "facility_id": a.facility_id,
                "beds": a.beds,
                "cost_per_year": a.cost_per_year,
                "value": round(a.value, 2),
            }
            for a in plan.additions
        ],
    }
