"""The demo's full lists in ``demo-out/``: the terminal shows a summary (issue 17)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from api.cli.render import profile
from api.cli.render_round import alternative, proposal_order, unplaced
from capacity import SupplySnapshot, complexity_label, sorted_regions
from capacity.aggregates import occupancy_by
from matching import BuiltProblem, Explanations, MatchResult


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def regions_csv(out: Path, snapshot: SupplySnapshot) -> Path:
    """Every region: police unit, facilities, beds, occupied and free beds, occupancy."""
    by_id = {row.key: row for row in occupancy_by(snapshot, lambda f: f.region_id)}
    rows = [
        (r.name, r.police_unit, g.facilities, g.beds, g.occupied, g.free, f"{g.occupancy:.3f}")
        for r in sorted_regions()
        if (g := by_id.get(r.id)) is not None
    ]
    header = ("region", "police unit", "facilities", "beds", "occupied beds", "free beds today")
    return _write(out / "regions.csv", (*header, "occupancy (share)"), rows)


def gaps_csv(out: Path, built: BuiltProblem) -> Path:
    """Every capacity gap with the reasons of each facility that comes closest."""
    by_id = {c.id: c for c in built.cases}
    rows = []
    for case_id, verdicts in built.gaps.items():
        for v in sorted(verdicts, key=lambda v: (len(v.failed), v.facility_id))[:3]:
            reasons = " ".join(r.text for r in v.failed)
            rows.append((case_id, profile(by_id[case_id]), v.facility_id, reasons))
    return _write(out / "capacity-gaps.csv", ("case", "profile", "facility", "why not"), rows)


def proposals_csv(out: Path, built: BuiltProblem, result: MatchResult, why: Explanations) -> Path:
    """Every proposal, highest priority first, with the criteria met and the next best."""
    by_case = {a.case: a for a in result.assignments}
    rows = []
    for case_id in proposal_order(built, result):
        a, exp = by_case[case_id], why.proposals[case_id]
        fac = built.facility(a.facility)
        rows.append(
            (
                case_id,
                complexity_label(built.priorities[case_id].complexity_class),
                fac.name,
                fac.region_id,
                built.day(a.start_day).isoformat(),
                "; ".join(exp.criteria_met),
                " ".join(exp.preferences_unmet),
                alternative(built, exp.alternatives[0]) if exp.alternatives else "",
            )
        )
    header = ("case", "complexity class", "facility", "region", "start", "criteria met")
    return _write(out / "proposals.csv", (*header, "preferences not met", "next best"), rows)


def unplaced_csv(out: Path, built: BuiltProblem, why: Explanations) -> Path:
    """Every case left waiting (not a capacity gap) and what keeps it waiting."""
    rows = [
        (
            w.case_id,
            complexity_label(built.priorities[w.case_id].complexity_class),
            "; ".join(b.kind for b in w.binds),
            w.text,
        )
        for w in unplaced(built, why)
    ]
    header = ("case", "complexity class", "limits", "what keeps it waiting")
    return _write(out / "unplaced.csv", header, rows)
