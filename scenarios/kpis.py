"""KPIs of one replication: pure functions of its :class:`~scenarios.events.Trace`.

Waiting KPIs are about the cases that *arrive* in the measured window ``[warmup_days,
horizon_days)``: the wait of a placed case is its placement time minus its arrival time; a
case still waiting at the end counts with the days it has waited so far (a lower bound on
its real wait) and is also counted as unplaced. Definitions: ``docs/scenarios.md``, *KPIs*.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from capacity.aggregates import age_band
from matching import Status
from scenarios.events import (
    Arrived,
    BedKept,
    BedsChanged,
    BudgetChanged,
    Discharged,
    Placed,
    RoundHeld,
    Trace,
)

COMPLEX_CASES = "complex_cases"  # every complexity class above the first (standard)
DAYS_PER_YEAR = 365  # days, to express costs per year
NOT_OPTIMAL = frozenset(s.value for s in Status if s is not Status.OPTIMAL)

Kpis = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """What happened to one case: arrival, placement (``None``: still waiting), wait."""

    case: str
    complexity: str
    arrival: float
    placed: float | None
    facility: str | None
    region: str
    eligible: int
    wait: float
    exploitation: str = ""
    residence: str = ""
    age: int = -1


def outcomes(trace: Trace) -> list[CaseOutcome]:
    """Every case that arrived in the measured window, in arrival order."""
    info = trace.info
    placed = {e.case: e for e in trace.events if isinstance(e, Placed) and not e.initial}
    out = []
    for e in trace.events:
        if not isinstance(e, Arrived) or e.time < info.warmup_days:
            continue
        p = placed.get(e.case)
        end = p.time if p is not None else float(info.horizon_days)
        out.append(
            CaseOutcome(
                e.case,
                e.complexity,
                e.time,
                None if p is None else p.time,
                None if p is None else p.facility,
                e.region,
                e.eligible,
                end - e.time,
                e.exploitation,
                e.residence,
                e.age,
            )
        )
    return out


def wait_stats(waits: list[float]) -> dict[str, float | None]:
    """Mean, median, 90th percentile and maximum (``None`` for an empty group)."""
    if not waits:
        return {"mean": None, "median": None, "p90": None, "max": None}
    a = np.asarray(waits, dtype=np.float64)
    return {
        "mean": float(a.mean()),
        "median": float(np.percentile(a, 50)),
        "p90": float(np.percentile(a, 90)),
        "max": float(a.max()),
    }


def group_kpis(group: list[CaseOutcome], target_days: float) -> Kpis:
    """Waiting KPIs of a group of cases."""
    n = len(group)
    return {
        "cases": n,
        "wait_days": wait_stats([c.wait for c in group]),
        "placed_within_target": (
            sum(1 for c in group if c.placed is not None and c.wait <= target_days) / n
            if n
            else None
        ),
        "unplaced_at_end": sum(1 for c in group if c.placed is None),
        "capacity_gap_cases": sum(1 for c in group if c.eligible == 0),
        "mean_wait_days_if_eligible": _mean([c.wait for c in group if c.eligible > 0]),
    }


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def replication_kpis(trace: Trace) -> Kpis:
    """Every KPI of one replication (``docs/scenarios.md``, *KPIs*).

    Parameters
    ----------
    trace
        The replication's trace.

    Returns
    -------
    dict
        Nested mapping of numbers (``None`` where a group is empty).
    """
    info = trace.info
    cases = outcomes(trace)
    target = info.target_days
    by_class: Kpis = {
        name: group_kpis([c for c in cases if c.complexity == name], target)
        for name in info.classes
    }
    by_class[COMPLEX_CASES] = group_kpis(
        [c for c in cases if c.complexity != info.classes[0]], target
    )
    rounds = trace.of(RoundHeld)
    kpis: Kpis = {
        "overall": group_kpis(cases, target),
        "by_class": by_class,
        "out_of_region": _out_of_region(trace, cases),
        "occupancy": occupancy(trace),
        "cost": cost(trace),
        "budget_overrun": budget_overrun(trace),
        "rounds": {
            "held": len(rounds),
            "not_optimal": sum(1 for r in rounds if r.status in NOT_OPTIMAL),
        },
        "weighted_wait_days": weighted_wait(trace),
        "weighted_wait_days_by_class": weighted_wait_by_class(trace),
        "equity": equity(cases),
    }
    if (kept := trace.of(BedKept)) or info.policy == "anticipatory":
        kpis["anticipation"] = {
            "beds_kept": len(kept),
            "expected_saving_days": float(sum(k.expected_saving for k in kept)),
        }
    if info.policy_notes:
        kpis["policy"] = dict(info.policy_notes)
    return kpis


def _out_of_region(trace: Trace, cases: list[CaseOutcome]) -> Kpis:
    region = {f.id: f.region for f in trace.info.facilities}
    placed = [c for c in cases if c.facility is not None]
    out = sum(1 for c in placed if region[c.facility or ""] != c.region)
    return {"placements": out, "share": out / len(placed) if placed else None}


def weighted_wait(trace: Trace) -> float:
    """Priority-weighted waiting days of *every* case of the run: the evaluation objective.

    Every policy and the hindsight plan are judged on it (issue 13, ``docs/scenarios.md``,
    *The evaluation objective*): static weights (class weight x urgency), no ageing.

    Each case counts ``weight x (placement or end of run - arrival)``, cases waiting at the
    start included (from their intake), whatever the warm-up.
    """
    h = float(trace.info.horizon_days)
    placed = {e.case: e.time for e in trace.events if isinstance(e, Placed) and not e.initial}
    return float(
        sum(
            e.weight * (placed.get(e.case, h) - e.time)
            for e in trace.events
            if isinstance(e, Arrived)
        )
    )


def weighted_wait_by_class(trace: Trace) -> dict[str, float]:
    """The evaluation objective (:func:`weighted_wait`) split by complexity class.

    Every class of the run is a key (0 when none of its cases arrived), so the parts add up
    to the total and replications average class by class (issue 13).
    """
    h = float(trace.info.horizon_days)
    placed = {e.case: e.time for e in trace.events if isinstance(e, Placed) and not e.initial}
    out = dict.fromkeys(trace.info.classes, 0.0)
    for e in trace.events:
        if isinstance(e, Arrived):
            out[e.complexity] = out.get(e.complexity, 0.0) + e.weight * (
                placed.get(e.case, h) - e.time
            )
    return out


def stays(trace: Trace) -> list[tuple[str, int, float, float]]:
    """(facility, beds, start, end) of every stay; ``end`` is the horizon while it lasts."""
    h = float(trace.info.horizon_days)
    open_: dict[str, Placed] = {}
    out = []
    for e in trace.events:
        if isinstance(e, Placed):
            open_[e.case] = e
        elif isinstance(e, Discharged):
            p = open_.pop(e.case)
            out.append((p.facility, p.beds, p.time, e.time))
    out += [(p.facility, p.beds, p.time, h) for p in open_.values()]
    return out


def capacity_steps(trace: Trace) -> dict[str, list[tuple[float, int]]]:
    """Per facility, (from time, beds) steps of its capacity."""
    steps: dict[str, list[tuple[float, int]]] = {
        f.id: [(-math.inf, f.beds)] for f in trace.info.facilities
    }
    for e in trace.of(BedsChanged):
        steps[e.facility].append((e.time, e.beds))
    return steps


def bed_days(steps: list[tuple[float, int]], lo: float, hi: float) -> float:
    """Bed-days of capacity in ``[lo, hi)`` given (from time, beds) steps."""
    ends = [t for t, _ in steps[1:]] + [math.inf]
    return sum(
        beds * max(0.0, min(end, hi) - max(start, lo))
        for (start, beds), end in zip(steps, ends, strict=True)
    )


def occupancy(trace: Trace) -> Kpis:
    """Occupied bed-days over capacity bed-days in the window, overall, per type, per region."""
    info = trace.info
    lo, hi = float(info.warmup_days), float(info.horizon_days)
    used: dict[str, float] = defaultdict(float)
    for fac, beds, start, end in stays(trace):
        used[fac] += beds * max(0.0, min(end, hi) - max(start, lo))
    have = {fac: bed_days(steps, lo, hi) for fac, steps in capacity_steps(trace).items()}
    groups: dict[str, dict[str, list[float]]] = {"by_type": {}, "by_region": {}}
    for f in info.facilities:
        for kind, key in (("by_type", f.placement_type), ("by_region", f.region)):
            acc = groups[kind].setdefault(key, [0.0, 0.0])
            acc[0] += used[f.id]
            acc[1] += have[f.id]
    total_used, total_have = sum(used.values()), sum(have.values())
    return {
        "overall": total_used / total_have if total_have else None,
        **{
            kind: {k: (u / c if c else None) for k, (u, c) in sorted(g.items())}
            for kind, g in groups.items()
        },
    }


def cost(trace: Trace) -> Kpis:
    """Euros of occupied bed-days in the window, per funding stream, and per year."""
    info = trace.info
    lo, hi = float(info.warmup_days), float(info.horizon_days)
    fac = {f.id: f for f in info.facilities}
    by_stream: dict[str, float] = {s.id: 0.0 for s in info.streams}
    for facility, beds, start, end in stays(trace):
        f = fac[facility]
        by_stream[f.stream] += f.cost_per_bed_day * beds * max(0.0, min(end, hi) - max(start, lo))
    total = sum(by_stream.values())
    return {
        "total": total,
        "total_per_year": total * DAYS_PER_YEAR / (hi - lo),
        "by_stream": {s: v for s, v in sorted(by_stream.items()) if v > 0},
    }


def budget_overrun(trace: Trace) -> Kpis:
    """Actual cost of the stays started in each budget year above that year's budget.

    Commitment accounting, as the placements are gated: a stay counts in full (up to the end
    of the run) in the calendar year it started; the budget of a year is the last one in
    force in it. Policies only place what fits the budget at its *expected* cost, so an
    overrun means stays ran longer than expected (or the run started over budget).
    """
    info = trace.info
    start = date.fromisoformat(info.start_date)
    fac = {f.id: f for f in info.facilities}
    spent: dict[tuple[str, int], float] = defaultdict(float)
    for facility, beds, s, e in stays(trace):
        f = fac[facility]
        spent[(f.stream, (start + timedelta(days=math.floor(s))).year)] += (
            f.cost_per_bed_day * beds * (e - s)
        )
    last_year = (start + timedelta(days=info.horizon_days - 1)).year
    budget = {s.id: s.per_year for s in info.streams}
    changes = sorted(trace.of(BudgetChanged), key=lambda e: e.time)
    by_stream: dict[str, float] = {}
    for year in range(start.year, last_year + 1):
        year_end = (date(year + 1, 1, 1) - start).days
        for c in changes:
            if c.time < year_end:
                budget[c.stream] = c.per_year
        for sid, per_year in budget.items():
            if per_year is None:
                continue
            over = spent.get((sid, year), 0.0) - per_year
            if over > 0:
                by_stream[sid] = by_stream.get(sid, 0.0) + over
    return {"total": sum(by_stream.values()), "by_stream": dict(sorted(by_stream.items()))}


MIN_CASES_FOR_SPREAD = 5  # a region's mean wait enters the spread from this many cases
EQUITY_GROUPS: dict[str, Callable[[CaseOutcome], str]] = {
    "region_signalled": lambda c: c.region,
    "exploitation_type": lambda c: c.exploitation,
    "residence_status": lambda c: c.residence,
    "age_band": lambda c: age_band(c.age),
}


def equity(cases: list[CaseOutcome]) -> Kpis:
    """Who waits how long (issue 15: victims are not helped everywhere alike).

    Per group of each dimension (region signalled, exploitation type, residence status,
    age band), the cases and their mean wait; and the spread between regions: the 90th
    and 10th percentiles of the regional mean waits (regions with at least
    :data:`MIN_CASES_FOR_SPREAD` measured cases), their ratio and their difference in days.
    """
    out: Kpis = {}
    for dimension, key in EQUITY_GROUPS.items():
        groups: dict[str, list[float]] = defaultdict(list)
        for c in cases:
            if name := key(c):
                groups[name].append(c.wait)
        out[f"by_{dimension}"] = {
            name: {"cases": len(w), "mean_wait_days": float(np.mean(w))}
            for name, w in sorted(groups.items())
        }
    regional = [
        g["mean_wait_days"]
        for g in out["by_region_signalled"].values()
        if g["cases"] >= MIN_CASES_FOR_SPREAD
    ]
    spread: Kpis = {"regions": len(regional)}
    names = ("regional_mean_wait_p90", "regional_mean_wait_p10")
    spread.update(dict.fromkeys((*names, "regional_p90_minus_p10_days", "regional_p90_p10_ratio")))
    if len(regional) >= 3:
        p90, p10 = (float(x) for x in np.percentile(regional, [90, 10]))
        spread.update(dict(zip(names, (p90, p10), strict=True)))
        spread["regional_p90_minus_p10_days"] = p90 - p10
        spread["regional_p90_p10_ratio"] = p90 / p10 if p10 > 0 else None
    out["spread"] = spread
    return out
