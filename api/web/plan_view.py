"""A capacity-plan job's result as its page shows it (issue 15)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.web.cases_view import region_name, type_name
from scenarios.planner import STOPPED
from scenarios.report import interval


@dataclass(frozen=True, slots=True)
class PlanLine:
    placement_type: str
    region: str
    facility_id: str
    beds: int
    cost_per_year: float


@dataclass(frozen=True, slots=True)
class PlanView:
    asked: str
    method: str
    stopped: str
    complete: bool
    lines: list[PlanLine]
    beds: int
    cost_per_year: float
    round_before: float | None
    round_after: float | None
    all_cases: str
    complex_cases: str
    left_out: list[str]


def _change(change: Mapping[str, Any] | None) -> str:
    """``-3.2 days (-5.0 to -1.4)``; without an interval below 3 pairs, saying so."""
    if change is None:
        return "not simulated"
    mean, ci = change["mean"], change.get("ci95")
    if not ci:
        return f"{mean:+.1f} days (no interval: {change['pairs']} pairs, 3 needed)"
    return f"{mean:+.1f} days ({interval(ci, '+.1f', change['pairs'])})"


def plan_view(plan: Mapping[str, Any] | None) -> PlanView | None:
    """The plan and its paired change in waits; ``None`` for a plain scenario job."""
    if not plan:
        return None
    request = plan.get("request", {})
    beds = request.get("beds")
    if beds is not None:
        asked = "1 bed does" if beds == 1 else f"{beds} beds do"
    else:
        asked = f"EUR {request.get('budget') or 0:,.0f} a year does"
    waits = plan.get("waits", {})
    return PlanView(
        asked=asked,
        method=str(plan.get("method", "")),
        stopped=STOPPED.get(plan.get("stopped", ""), str(plan.get("stopped", ""))),
        complete=bool(plan.get("complete", True)),
        lines=[
            PlanLine(
                type_name(a["placement_type"]),
                region_name(a["region_id"]),
                a["facility_id"],
                int(a["beds"]),
                float(a["cost_per_year"]),
            )
            for a in plan.get("additions", [])
        ],
        beds=int(plan.get("beds", 0)),
        cost_per_year=float(plan.get("cost_per_year", 0.0)),
        round_before=plan.get("round_before"),
        round_after=plan.get("round_after"),
        all_cases=_change(waits.get("all_cases")),
        complex_cases=_change(waits.get("complex_cases")),
        left_out=[str(x) for x in plan.get("left_out", [])],
    )


def plan_table(plan: PlanView) -> tuple[list[str], list[list[str | int | float]]]:
    """The plan's beds as a file's header and rows (its page's table)."""
    header = ["placement type", "region", "facility", "beds", "EUR a year"]
    rows: list[list[str | int | float]] = [
        [line.placement_type, line.region, line.facility_id, line.beds, line.cost_per_year]
        for line in plan.lines
    ]
    return header, rows
