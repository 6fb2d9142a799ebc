"""Why a case waits, in a coordinator's words: the one place reasons become text (issue 14).

The API (``waiting_reason.label``, ``.text``, ``.changes[].text``), the waiting list, the
case page and the round page all take their words from here.
"""

from __future__ import annotations

from datetime import date

from capacity import CATALOGUE, REGIONS, Facility, PlacementType
from flows.waiting_reason import Change, ChangeKind, FacilityRef, WaitingReason, WaitKind

LABELS: dict[WaitKind, str] = {
    WaitKind.CAPACITY_GAP: "capacity gap: no eligible facility",
    WaitKind.ALL_DECLINED: "every eligible facility declined",
    WaitKind.BUDGET: "budget exhausted",
    WaitKind.KEPT_FOR_HIGHER_PRIORITY: "bed kept for a higher-priority case",
    WaitKind.KEPT_FOR_EXPECTED: "bed kept for expected arrivals",
    WaitKind.FULL_UNTIL: "eligible facilities full",
    WaitKind.BEYOND_HORIZON: "no place within the planning horizon",
    WaitKind.SOLVE_STOPPED: "a start fits: next round",
    WaitKind.AWAITING_RUN: "awaiting the next matching round",
    WaitKind.NO_RUN: "no matching round yet",
}
"""A short label per reason (a column of the waiting list, a heading of the round page)."""


def type_name(code: str) -> str:
    """A placement type's English name (the glossary's), or the code."""
    try:
        return CATALOGUE[PlacementType(code)].name
    except ValueError:
        return code


def region_name(region_id: str) -> str:
    """A region's name, or the id."""
    return next((r.name for r in REGIONS if r.id == region_id), region_id)


def _on(day: date | None) -> str:
    return "" if day is None else f" on {day.isoformat()}"


def _from(day: date | None) -> str:
    return "" if day is None else f" from {day.isoformat()}"


def facility_label(facility: Facility | None, facility_id: str) -> str:
    """``Name (type, region)`` of a facility, or its id when it is unknown."""
    if facility is None:
        return facility_id
    kind = type_name(facility.placement_type.value)
    return f"{facility.name} ({kind}, {region_name(facility.region_id)})"


def _facility(f: FacilityRef) -> str:
    if not f.placement_type:
        return f.name
    return f"{f.name} ({type_name(f.placement_type)}, {region_name(f.region_id)})"


def label(reason: WaitingReason) -> str:
    """The short label, with the stream or date that makes it specific."""
    text = LABELS[reason.kind]
    if reason.kind is WaitKind.BUDGET and reason.stream:
        return f"budget of {reason.stream} exhausted"
    if reason.kind is WaitKind.KEPT_FOR_HIGHER_PRIORITY and not reason.higher_priority:
        return "bed given to other cases of the round"
    if reason.kind is WaitKind.FULL_UNTIL and reason.date is not None:
        return f"{text} until {reason.date.isoformat()}"
    return text


def sentence(reason: WaitingReason) -> str:
    """Why the case waits, in one or two sentences."""
    kind, best = reason.kind, reason.next_best
    run = f"matching round {reason.run_id}"
    if kind is WaitKind.NO_RUN:
        return "No matching round has been run yet: the first round will consider this case."
    if kind is WaitKind.AWAITING_RUN:
        return (
            f"Registered, declined or back on the list since {run}: the next matching round "
            "considers this case."
        )
    if kind is WaitKind.CAPACITY_GAP:
        text = f"Capacity gap: in {run}, no facility in the country was eligible for this case."
        if best is not None:
            text += f" Closest: {_facility(best.facility)}, which fails: " + " ".join(best.fails)
        return text
    if kind is WaitKind.ALL_DECLINED:
        return (
            f"In {run}, every eligible facility had been declined for this case or holds a "
            "case it must be kept apart from."
        )
    if kind is WaitKind.BUDGET:
        where = "" if best is None else f" at {_facility(best.facility)}{_from(reason.date)}"
        stream = f"The budget of {reason.stream}" if reason.stream else "A funding budget"
        return f"{stream} is exhausted: in {run} it could not pay for a placement{where}."
    if kind is WaitKind.KEPT_FOR_HIGHER_PRIORITY:
        where = "" if best is None else f" at {_facility(best.facility)}"
        who = ", ".join(reason.cases) or "other cases"
        if reason.higher_priority:
            return (
                f"A bed{where} was free{_from(reason.date)}, but {run} kept it for "
                f"{who}, of higher priority."
            )
        return (
            f"A bed{where} was free{_from(reason.date)}, but {run} gave it to {who}: "
            "that saves more weighted waiting days in all."
        )
    if kind is WaitKind.KEPT_FOR_EXPECTED:
        where = "" if best is None else f" at {_facility(best.facility)}"
        return f"A bed{where} was free, but {run} kept it: {reason.run_text}."
    if kind is WaitKind.FULL_UNTIL:
        where = "" if best is None else f" The first to free a bed: {_facility(best.facility)}."
        until = "" if reason.date is None else f" until {reason.date.isoformat()}"
        return f"In {run}, the eligible facilities were full{until}.{where}"
    if kind is WaitKind.SOLVE_STOPPED:
        where = "" if best is None else f" at {_facility(best.facility)}{_from(reason.date)}"
        return f"A start fits{where}; {run} stopped before finding it: the next round will."
    return f"In {run}, no eligible facility had room within the planning horizon."


def change_text(change: Change) -> str:
    """What would change the answer, in words."""
    if change.kind is ChangeKind.EXTRA_BED and change.facility is not None:
        f = change.facility
        kind = f" of type {type_name(f.placement_type)}" if f.placement_type else ""
        where = f" in {region_name(f.region_id)}" if f.region_id else ""
        return (
            f"One more bed{kind}{where} (at {f.name}) would place the case"
            f"{_from(change.start_date)}."
        )
    if change.kind is ChangeKind.BUDGET:
        stream = change.stream or "its funding stream"
        if change.amount is None:
            return f"More budget in {stream} would pay for the placement."
        return f"EUR {change.amount:,.0f} more in {stream} would pay for the placement."
    rules = ", ".join(f"{rule} ({n} facilities)" for rule, n in change.rules)
    return f"A facility that meets these rules, which keep every facility out now: {rules}."


__all__ = [
    "LABELS",
    "change_text",
    "facility_label",
    "label",
    "region_name",
    "sentence",
    "type_name",
]
