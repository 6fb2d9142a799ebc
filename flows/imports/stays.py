"""Placements imported together with those stored must make sense as stays (issue 16):
a case is in one bed at a time, from its intake on, and is not on the waiting list while
it is in a bed; a facility never holds more people than its beds.

A placement holds its beds from its start to its discharge (``actual_end``) or, while the
case stays, to its expected end; the same as the supply snapshot counts them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from capacity import Case, CaseStatus, Facility, Placement
from capacity.bridging import is_bridge


def _holds(p: Placement) -> tuple[date, date]:
    return p.start, p.actual_end if p.actual_end is not None else p.expected_end


def _overlap(a: Placement, b: Placement) -> bool:
    (a0, a1), (b0, b1) = _holds(a), _holds(b)
    return a0 < b1 and b0 < a1


def stay_problems(
    stored: Mapping[str, Placement],
    imported: Mapping[str, tuple[int, Placement]],
    beds: Mapping[str, int],
) -> list[tuple[int, str, str, str]]:
    """The rows whose placement would put a case in two beds at once, or a facility over
    its beds, as ``(row, field, value, reason)``.

    Parameters
    ----------
    stored
        Placements stored, by id.
    imported
        The file's valid placements by id, with their row numbers (they replace stored
        placements of the same id).
    beds
        Beds per facility.
    """
    merged = {**stored, **{pid: p for pid, (_, p) in imported.items()}}
    problems: list[tuple[int, str, str, str]] = []
    by_case: dict[str, list[Placement]] = defaultdict(list)
    by_facility: dict[str, list[Placement]] = defaultdict(list)
    for p in merged.values():
        by_case[p.case_id].append(p)
        by_facility[p.facility_id].append(p)
    flagged: set[str] = set()
    for pid, (row, p) in sorted(imported.items(), key=lambda item: item[1][0]):
        # against what is stored and the file's earlier rows: the later row is refused
        other = next(
            (
                q
                for q in by_case[p.case_id]
                if q.id != pid
                and _overlap(p, q)
                and (q.id not in imported or imported[q.id][0] < row)
            ),
            None,
        )
        if other is not None:
            start, end = _holds(other)
            reason = (
                f"case {p.case_id} is placed at {other.facility_id} from {start} to {end} "
                f"(placement {other.id}): a case is in one bed at a time"
            )
            problems.append((row, "start", p.start.isoformat(), reason))
            flagged.add(pid)
    for pid, (row, p) in sorted(imported.items(), key=lambda item: item[1][0]):
        if pid in flagged:
            continue
        # what is stored and the file's earlier rows that were taken: the later row is refused
        here = [
            q
            for q in by_facility[p.facility_id]
            if q.id not in flagged and (q.id not in imported or imported[q.id][0] <= row)
        ]
        start, end = _holds(p)
        for day in sorted({q.start for q in here if start <= q.start < end} | {start}):
            taken = sum(q.beds for q in here if q.start <= day < _holds(q)[1])
            if taken > beds[p.facility_id]:
                reason = (
                    f"{p.facility_id} has {beds[p.facility_id]} beds; with this placement "
                    f"{taken} would be taken on {day}"
                )
                problems.append((row, "facility_id", p.facility_id, reason))
                flagged.add(pid)
                break
    return sorted(problems)


def held_from(placements: Iterable[Placement], today: date) -> dict[str, int]:
    """The most beds each facility's placements hold on any day from ``today`` on.

    A placement holds its beds until its discharge (:meth:`capacity.Placement.active_on`),
    also one accepted for a later day; the days to look at are today and every later start.

    Parameters
    ----------
    placements
        The placements stored.
    today
        The first day.
    """
    by_facility: dict[str, list[Placement]] = defaultdict(list)
    for p in placements:
        if p.actual_end is None or p.actual_end > today:
            by_facility[p.facility_id].append(p)
    held = {}
    for facility_id, stays in by_facility.items():
        days = {today} | {p.start for p in stays if p.start > today}
        held[facility_id] = max(sum(p.beds for p in stays if p.active_on(d)) for d in days)
    return held


def placement_problem(
    placement: Placement,
    cases: Mapping[str, Case],
    facilities: Mapping[str, Facility],
    today: date,
) -> tuple[str, str, str] | None:
    """Why one placement cannot be stored, as ``(field, value, reason)``, or ``None``.

    Its case and facility must be stored; its beds are its case's (a family is never
    split); it starts on or after its case's intake; and while it holds beds (no
    discharge, or one after ``today``) its case is placed, as accepting a proposal makes
    it (:func:`flows.decisions.accept`); only a bridge bed keeps a case on the waiting
    list (issue 14, :mod:`capacity.bridging`). An import does not move a case through its
    lifecycle, so an inconsistent row is refused rather than the case moved.
    """
    case = cases.get(placement.case_id)
    if case is None:
        reason = f"unknown case {placement.case_id!r} (import the cases first)"
        return "case_id", placement.case_id, reason
    facility = facilities.get(placement.facility_id)
    if facility is None:
        reason = f"unknown facility {placement.facility_id!r} (import the facilities first)"
        return "facility_id", placement.facility_id, reason
    if placement.beds != case.beds:
        reason = (
            f"must be the case's beds, {case.beds} (1 + accompanying children): "
            "a family is one case and is never split"
        )
        return "beds", str(placement.beds), reason
    if placement.start < case.intake_date:
        reason = (
            f"is before case {case.id}'s intake on {case.intake_date}: "
            "a placement starts on or after its case's intake"
        )
        return "start", placement.start.isoformat(), reason
    holds = placement.actual_end is None or placement.actual_end > today
    if holds and case.status != CaseStatus.PLACED and not is_bridge(facility.placement_type):
        reason = (
            f"case {case.id} is {case.status}, but this placement holds beds (no actual_end "
            "before today): a case in a bed is placed, as accepting a proposal makes it; "
            "import the case with status placed, or give the placement its actual_end"
        )
        return "case_id", case.id, reason
    return None
