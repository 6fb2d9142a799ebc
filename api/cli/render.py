"""Rich tables for the CLI: what a coordinator or a policy officer reads in a terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from rich.table import Table
from rich.text import Text

from capacity import CATALOGUE, Case, PlacementType, Rulebook, SupplySnapshot, region
from capacity.aggregates import occupancy_by
from capacity.aggregates import waiting_by_complexity as waiting_rows
from matching import BedValue, BuiltProblem, Explanations, MatchResult


def loaded(where: str, added: Mapping[str, int], as_of: datetime) -> Text:
    fresh = sum(added.values())
    what = "loaded the demo dataset" if fresh else "demo dataset already loaded (nothing added)"
    return Text(f"Database {where}: {what}. Picture as of {as_of:%Y-%m-%d %H:%M %Z}.")


def _pct(share: float) -> str:
    return f"{share:.0%}"


def occupancy_by_type(snapshot: SupplySnapshot) -> Table:
    table = Table(title="National beds and occupancy by placement type", title_justify="left")
    for col in ("placement type", "facilities", "beds", "occupied", "free today", "occupancy"):
        table.add_column(col, justify="left" if col == "placement type" else "right")
    rows = occupancy_by(snapshot, lambda f: f.placement_type.value)
    for row in rows:
        table.add_row(
            CATALOGUE[PlacementType(row.key)].name,
            str(row.facilities),
            str(row.beds),
            str(row.occupied),
            str(row.free),
            _pct(row.occupancy),
        )
    beds, free = sum(r.beds for r in rows), sum(r.free for r in rows)
    table.add_row(
        "[bold]all",
        str(sum(r.facilities for r in rows)),
        str(beds),
        str(beds - free),
        str(free),
        _pct((beds - free) / beds if beds else 0.0),
    )
    return table


def occupancy_by_region(snapshot: SupplySnapshot) -> Table:
    table = Table(title="Beds and occupancy by region (centrumgemeente)", title_justify="left")
    for col in ("region", "police unit", "facilities", "beds", "free today", "occupancy"):
        table.add_column(col, justify="left" if col in ("region", "police unit") else "right")
    for row in occupancy_by(snapshot, lambda f: f.region_id):
        reg = region(row.key)
        table.add_row(
            reg.name,
            reg.police_unit,
            str(row.facilities),
            str(row.beds),
            str(row.free),
            _pct(row.occupancy),
        )
    return table


def waiting_by_complexity(cases: Sequence[Case], rulebook: Rulebook, today: date) -> Table:
    table = Table(
        title=f"Waiting list by complexity class ({rulebook.version})", title_justify="left"
    )
    for col in ("complexity class", "waiting", "mean days waited", "longest wait"):
        table.add_column(col, justify="left" if col == "complexity class" else "right")
    rows = waiting_rows(cases, rulebook, today)
    for row in rows:
        table.add_row(row.key, str(row.cases), f"{row.mean_days:.0f}", str(row.max_days))
    table.add_row("[bold]all", str(sum(r.cases for r in rows)), "", "")
    return table


def capacity_gaps(built: BuiltProblem) -> Table:
    table = Table(
        title=f"Capacity gaps: {len(built.gaps)} waiting cases "
        "no facility in the country is eligible for",
        title_justify="left",
    )
    table.add_column("case")
    table.add_column("profile")
    table.add_column("why (closest facilities)")
    by_id = {c.id: c for c in built.cases}
    for case_id, verdicts in built.gaps.items():
        closest = sorted(verdicts, key=lambda v: (len(v.failed), v.facility_id))[:2]
        why = "\n".join(f"{v.facility_id}: " + " ".join(r.text for r in v.failed) for v in closest)
        table.add_row(case_id, _profile(by_id[case_id]), why)
    return table


def _profile(case: Case) -> str:
    needs = ", ".join(sorted(n.value for n in case.needs)) or "no special needs"
    kids = f", {case.accompanying_children} children" if case.accompanying_children else ""
    return (
        f"{case.age}, {case.gender.value}, {case.residence_status.value}, "
        f"{case.exploitation_type.value}, {case.safety_risk.value} risk{kids}; {needs}"
    )


def round_summary(built: BuiltProblem, result: MatchResult) -> Text:
    p = built.problem
    return Text(
        f"{p.n_cases} waiting cases x {p.n_facilities} facilities, {p.n_options} eligible pairs, "
        f"{p.horizon_days}-day horizon. Method {result.method}: {result.status.value}, objective "
        f"{result.objective:,.1f} weighted waiting days, proven bound {result.bound:,.1f} "
        f"(gap {result.gap:.3%}), build {result.build_seconds:.2f} s, "
        f"solve {result.solve_seconds:.2f} s. "
        f"{len(result.assignments)} proposals, "
        f"{len(result.unplaced)} cases unplaced within the horizon."
    )


def proposals(built: BuiltProblem, result: MatchResult, why: Explanations, *, limit: int) -> Table:
    order = sorted(result.assignments, key=lambda a: (-built.priorities[a.case].weight, a.case))
    table = Table(
        title=f"Proposals, highest priority first ({min(limit, len(order))} of {len(order)})",
        title_justify="left",
    )
    for col in ("case", "class", "facility", "region", "start", "why"):
        table.add_column(col)
    for a in order[:limit]:
        fac = built.facility(a.facility)
        exp = why.proposals[a.case]
        alt = exp.alternatives[0] if exp.alternatives else None
        note = "; ".join(exp.criteria_met[:4])
        if alt is not None:
            note += f". Next best: {alt.text}"
        table.add_row(
            a.case,
            built.priorities[a.case].complexity_class,
            fac.name,
            region(fac.region_id).name,
            built.day(a.start_day).isoformat(),
            note,
        )
    return table


def waiting(built: BuiltProblem, why: Explanations, *, limit: int) -> Table:
    unplaced = [
        w for w in why.waits.values() if w.start_day is None and w.case_id not in built.gaps
    ]
    unplaced.sort(key=lambda w: (-built.priorities[w.case_id].weight, w.case_id))
    table = Table(
        title=f"Unplaced within the horizon and what binds ({min(limit, len(unplaced))} of "
        f"{len(unplaced)}, capacity gaps above)",
        title_justify="left",
    )
    for col in ("case", "class", "what binds"):
        table.add_column(col)
    for w in unplaced[:limit]:
        table.add_row(w.case_id, built.priorities[w.case_id].complexity_class, w.text)
    return table


def extra_beds(values: Sequence[BedValue]) -> Table:
    table = Table(
        title="The five most valuable extra beds (LP shadow prices)", title_justify="left"
    )
    for col in ("placement type", "region", "facility", "weighted waiting days saved"):
        table.add_column(col, justify="right" if col.startswith("weighted") else "left")
    for v in values:
        table.add_row(
            CATALOGUE[PlacementType(v.placement_type)].name,
            region(v.region_id).name,
            v.facility_id,
            f"{v.value:,.1f}",
        )
    return table
