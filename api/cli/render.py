"""The demo's national picture in a terminal: what a coordinator or a policy officer reads.

Issue 17: at 80 columns every table wraps and never cuts (``overflow="fold"``), each
section fits one screen, and a long list is summarised with the full list in
``demo-out/`` (:mod:`api.cli.demo_files`). Numbers carry their unit in the column head or
beside them; words are the glossary's (``docs/glossary.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from rich import box
from rich.table import Table
from rich.text import Text

from capacity import (
    CATALOGUE,
    Case,
    PlacementType,
    Rulebook,
    SupplySnapshot,
    complexity_label,
    region,
    sorted_regions,
)
from capacity.aggregates import OccupancyRow, occupancy_by
from capacity.aggregates import waiting_by_complexity as waiting_rows
from capacity.criteria.labels import GENDER_LABELS, RESIDENCE_LABELS, children, needs_list
from matching import BuiltProblem


def table(title: str | None = None) -> Table:
    """A light table (a rule under the head, no frame) with its title on the left."""
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )


def column(tab: Table, header: str, *, right: bool = False, **kwargs: object) -> None:
    tab.add_column(
        header,
        justify="right" if right else "left",
        overflow="fold",
        **kwargs,  # type: ignore[arg-type]
    )


def loaded(where: str, added: Mapping[str, int], as_of: datetime) -> Text:
    fresh = sum(added.values())
    what = "loaded the demo dataset" if fresh else "demo dataset already loaded (nothing added)"
    return Text(f"Database {where}: {what}. Picture as of {as_of:%Y-%m-%d %H:%M %Z}.")


def _pct(share: float) -> str:
    return f"{share:.0%}"


def occupancy_by_type(snapshot: SupplySnapshot) -> Table:
    tab = table("National beds by placement type: occupied and free today")
    column(tab, "placement type", min_width=20)
    for head in ("facilities", "beds", "occupied", "free", "occupancy"):
        column(tab, head, right=True)
    rows = occupancy_by(snapshot, lambda f: f.placement_type.value)
    for row in rows:
        tab.add_row(CATALOGUE[PlacementType(row.key)].name, *_counts(row))
    total = OccupancyRow(
        "all",
        sum(r.facilities for r in rows),
        sum(r.beds for r in rows),
        sum(r.free for r in rows),
    )
    tab.add_row("[bold]all placement types", *_counts(total))
    return tab


def _counts(row: OccupancyRow) -> tuple[str, ...]:
    return (
        str(row.facilities),
        str(row.beds),
        str(row.occupied),
        str(row.free),
        _pct(row.occupancy),
    )


def occupancy_by_region(snapshot: SupplySnapshot) -> Table:
    """Two regions a line (35 regions fit one screen), in Dutch alphabetical order; the
    occupancy of each is in ``demo-out/regions.csv``."""
    by_id = {row.key: row for row in occupancy_by(snapshot, lambda f: f.region_id)}
    regions = [r for r in sorted_regions() if r.id in by_id]
    half = (len(regions) + 1) // 2
    tab = table("Beds and free beds today by region (centrumgemeente)")
    for _ in range(2):
        column(tab, "region", min_width=16)
        column(tab, "beds", right=True)
        column(tab, "free", right=True)
    left, right = regions[:half], regions[half:]
    for i, reg in enumerate(left):
        other = right[i] if i < len(right) else None
        tab.add_row(
            *_region_cells(reg.name, by_id[reg.id]),
            *(_region_cells(other.name, by_id[other.id]) if other else ("", "", "")),
        )
    return tab


def _region_cells(name: str, row: OccupancyRow) -> tuple[str, str, str]:
    return name, str(row.beds), str(row.free)


def waiting_by_complexity(cases: Sequence[Case], rulebook: Rulebook, today: date) -> Table:
    tab = table(f"Waiting list by complexity class (rulebook {rulebook.version})")
    column(tab, "complexity class")
    for head in ("waiting cases", "mean days waited", "longest wait (days)"):
        column(tab, head, right=True)
    rows = waiting_rows(cases, rulebook, today)
    for row in rows:
        tab.add_row(
            complexity_label(row.key), str(row.cases), f"{row.mean_days:.0f}", str(row.max_days)
        )
    n = sum(r.cases for r in rows)
    mean = sum(r.mean_days * r.cases for r in rows) / n if n else 0.0
    longest = max((r.max_days for r in rows), default=0)
    tab.add_row("[bold]all classes", str(n), f"{mean:.0f}", str(longest))
    return tab


def capacity_gaps(built: BuiltProblem) -> Table:
    """Each capacity gap in two or three lines: the profile and the closest facility's reasons."""
    tab = table(f"{len(built.gaps)} waiting cases that no facility in the country is eligible for")
    column(tab, "case", no_wrap=True)
    column(tab, "profile; → why the closest facility does not fit")
    by_id = {c.id: c for c in built.cases}
    for case_id, verdicts in built.gaps.items():
        closest = min(verdicts, key=lambda v: (len(v.failed), v.facility_id))
        why = " ".join(r.text for r in closest.failed)
        tab.add_row(case_id, f"{profile(by_id[case_id])}\n[dim]→[/] {why}")
    return tab


def profile(case: Case) -> str:
    """``21, female, Dutch, sexual exploitation, high safety risk, 2 accompanying children;
    needs trauma care``: what makes a case hard to place, without identifying anyone."""
    parts = [
        str(case.age),
        GENDER_LABELS[case.gender],
        RESIDENCE_LABELS[case.residence_status],
        f"{case.exploitation_type.value} exploitation",
        f"{case.safety_risk.value} safety risk",
    ]
    if case.accompanying_children:
        parts.append(children(case.accompanying_children))
    needs = needs_list(case.needs)
    return ", ".join(parts) + (f"; needs {needs}" if needs else "; no special needs")


def region_name(region_id: str) -> str:
    return region(region_id).name
