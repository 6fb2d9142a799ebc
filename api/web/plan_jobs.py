"""Capacity-plan jobs (issue 15): a scenario job that plans its second scenario first.

A plan job is stored like a scenario job (:mod:`api.web.scenario_jobs`) with the request
in its ``plan`` (beds or a budget, candidate types and regions, method) and one source,
the base example. Its worker (:func:`plan_sources`) plans on today's round in the
database (:func:`flows.plan_round`), writes the planned scenario file
(:func:`scenarios.plan_check.planned_scenario_text`) as the job's second source, and then
runs both like any scenario job: the run is kept, shown and compared like the others,
and its result also holds the plan and the paired change in waits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

import flows
from api.database import Database
from api.web import scenario_jobs as jobs
from api.web.settings import WebSettings
from capacity import bundled_rulebook
from scenarios import InvalidPlanError, candidates, check_request
from scenarios.plan_check import left_out, plan_summary, planned_scenario_text
from store import session_scope
from store.service import ScenarioSource, StoredScenarioJob, StoredUser

METHODS = ("lp", "exact")
PLAN_SHARE = 0.25  # of the job's time limit, the most the planning may take


def request(
    *,
    beds: int | None,
    budget: float | None,
    types: Sequence[str] = (),
    regions: Sequence[str] = (),
    method: str = "lp",
) -> dict[str, Any]:
    """A checked plan request, as stored in the job.

    Raises
    ------
    InvalidPlanError
        Naming the field and the reason.
    """
    check_request(beds=beds, budget=budget)
    candidates(types, regions)
    if method not in METHODS:
        raise InvalidPlanError("method", "must be lp or exact")
    return {
        "beds": beds,
        "budget": budget,
        "types": sorted(set(types)),
        "regions": sorted(set(regions)),
        "method": method,
    }


def create(
    db: Database,
    *,
    user: StoredUser,
    base: str,
    plan: Mapping[str, Any],
    replications: int,
    settings: WebSettings | None = None,
    now: datetime | None = None,
) -> StoredScenarioJob:
    """Store a queued plan job on the example ``base`` (start it with ``jobs.launch``).

    Raises
    ------
    InvalidScenarioError
        When ``base`` is not an example.
    TooManyJobsError
        As :func:`api.web.scenario_jobs.create`.
    """
    return jobs.create(
        db,
        user=user,
        sources=[jobs.example(base)],
        replications=replications,
        settings=settings,
        now=now,
        plan=plan,
    )


def plan_sources(
    engine: Engine, job: StoredScenarioJob, *, time_limit: float
) -> tuple[list[ScenarioSource], dict[str, Any]]:
    """Plan on today's round: the job's sources (base, then the planned scenario) and the
    plan as plain data for the result."""
    assert job.plan is not None
    p = job.plan
    with session_scope(engine) as session:
        inputs = flows.prepare_round(session, as_of=datetime.now(UTC), rulebook=bundled_rulebook())
    planned = flows.plan_round(
        inputs.build(),
        beds=p["beds"],
        budget=p["budget"],
        types=p["types"],
        regions=p["regions"],
        method="exact" if p["method"] == "exact" else "lp",
        time_limit=max(1.0, time_limit * PLAN_SHARE),
    )
    base = job.sources[0]
    loaded = jobs.scenario(base, replications=job.replications)
    text = planned_scenario_text(loaded, base.name, planned.plan)
    name = f"plan-{planned.plan.beds}-beds.yaml"
    summary = {
        **plan_summary(planned.plan),
        "method": planned.method,
        "round_before": planned.before,
        "round_after": planned.after,
        "round_proven": planned.proven,
        "request": dict(p),
        "left_out": [
            f"{a.beds} {a.placement_type} in {a.region_id}" for a in left_out(loaded, planned.plan)
        ],
    }
    return [base, ScenarioSource(name, text)], summary
