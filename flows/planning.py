"""Capacity planning on today's round (issue 15): where beds or money do most good.

The round is :func:`flows.prepare_round`'s (read it in a unit of work, then call this
outside it: planning re-solves for seconds to minutes). :func:`scenarios.plan_beds`
chooses the beds; the round's optimum is then solved with and without them
(:func:`matching.solve`), so the plan's effect on today's waiting list is measured, not
only estimated from the LP values. The check over a simulated year is
:func:`scenarios.plan_check.check_plan` (the CLI and the dashboard's plan jobs run it).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from matching import BuiltProblem, SolveParams, solve
from scenarios import BedPlan, PlanMethod, candidates, plan_beds, with_beds

VERIFY_SECONDS = 30.0  # wall-clock seconds for each of the two solves that measure a plan


@dataclass(frozen=True, slots=True)
class RoundPlan:
    """A plan for today's round and what it does to the round's optimum.

    Parameters
    ----------
    plan
        The beds chosen.
    method
        How they were valued (``lp`` or ``exact``).
    before, after
        Priority-weighted waiting days of the round's best plan without and with the
        beds (:func:`matching.solve`; ``None`` when not measured).
    proven
        Both solves proved their optimum (else ``before``/``after`` are the best plans
        found in :data:`VERIFY_SECONDS`).
    """

    plan: BedPlan
    method: PlanMethod
    before: float | None
    after: float | None
    proven: bool


def plan_round(
    built: BuiltProblem,
    *,
    beds: int | None = None,
    budget: float | None = None,
    types: Collection[str] = (),
    regions: Collection[str] = (),
    method: PlanMethod = "lp",
    batch: int = 1,
    time_limit: float = 60.0,
    measure: bool = True,
) -> RoundPlan:
    """Plan beds (or beds for a budget in euros a year) for the round and measure them.

    Raises
    ------
    scenarios.InvalidPlanError
        A value out of range, an unknown type or region (naming the field).
    matching.MatchingError
        An LP or solve that fails other than by running out of time.
    """
    allowed = candidates(types, regions)
    plan = plan_beds(
        built,
        beds=beds,
        budget=budget,
        allowed=allowed,
        batch=batch,
        method=method,
        time_limit=time_limit,
    )
    if not measure:
        return RoundPlan(plan, method, None, None, False)
    params = SolveParams(time_limit=VERIFY_SECONDS)
    before = solve(built.problem, params)
    after = solve(with_beds(built, plan.extra_beds).problem, params) if plan.beds else before
    proven = before.gap < 1e-6 and after.gap < 1e-6
    return RoundPlan(plan, method, before.objective, after.objective, proven)
