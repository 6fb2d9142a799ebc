"""Placements imported together with those stored must make sense as stays (issue 16):
a case is in one bed at a time, and a facility never holds more people than its beds.

A placement holds its beds from its start to its discharge (``actual_end``) or, while the
case stays, to its expected end; the same as the supply snapshot counts them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from capacity import Placement


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
