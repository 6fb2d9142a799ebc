"""Daily offline plans: left-shift a plan to its earliest feasible days, or list-schedule one.

The restricted model (``scenarios.policies.offline``) starts a placement only on the first
day of its start bucket (daily for :data:`~scenarios.policies.offline.FINE_DAYS` after
release, then weekly), but the simulation places daily. This pass takes a feasible plan
and, placement by placement in order of start day, moves each to the earliest day at or
after its case's release (any of its eligible facilities) where its beds are free for its
whole stay and every budget row of the restricted model still holds; a placement that
cannot move stays where it was. Cases the plan leaves unplaced are then tried, highest
weight first, at their earliest feasible day. Passes repeat while they gain.

:func:`list_schedule` builds a plan from scratch the same way: cases in a given order (for
the hindsight plan, :func:`lp_order`: the restricted LP's expected start days), each at
its earliest feasible day, at the facilities the LP uses first.

The objective counts only start days (``weight x (start - horizon)``), so no move makes
the plan worse: the result is never worse than the plan it starts from, and it keeps the
beds per facility per day and the budgets exactly as the simulation enforces them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scenarios.policies.offline import Columns, budget_rows
from scenarios.state import CaseRecord, FloatArray, IntArray, SimState

MAX_PASSES = 5  # passes over the plan; each pass after the first gains far less


@dataclass(frozen=True, slots=True)
class Placements:
    """A plan as one row per placement: case index, facility, start day."""

    case: IntArray
    facility: IntArray
    start: IntArray

    @staticmethod
    def of(cols: Columns, chosen: IntArray) -> Placements:
        """The placements of the restricted model's chosen start variables."""
        return Placements(cols.case[chosen], cols.facility[chosen], cols.start[chosen])

    def objective(self, weights: FloatArray, horizon: int) -> float:
        """Objective without the constant: ``sum weight x (start - horizon)``."""
        return float((weights[self.case] * (self.start - horizon)).sum())

    def by_day(self) -> dict[int, list[tuple[int, int]]]:
        """Per start day, the (case, facility) placements the simulation carries out."""
        out: dict[int, list[tuple[int, int]]] = {}
        for c, f, s in zip(
            self.case.tolist(), self.facility.tolist(), self.start.tolist(), strict=True
        ):
            out.setdefault(s, []).append((c, f))
        return out


class _Ledger:
    """Free beds per facility and day, and what is left of each budget row."""

    def __init__(self, state: SimState, avail: IntArray, horizon: int) -> None:
        n_fac = avail.shape[0]
        self.horizon = horizon
        self.free = avail.astype(np.int64).copy()
        # a template variable per facility and start day gives the budget rows' membership
        grid = Columns(
            case=np.zeros(n_fac * horizon, dtype=np.int64),
            facility=np.repeat(np.arange(n_fac, dtype=np.int64), horizon),
            start=np.tile(np.arange(horizon, dtype=np.int64), n_fac),
            span=np.ones(n_fac * horizon, dtype=np.int64),
            length=np.ones(n_fac * horizon, dtype=np.int64),
            beds=np.ones(n_fac * horizon, dtype=np.int64),
            cost=np.zeros(n_fac * horizon),
            saving=np.zeros(n_fac * horizon),
        )
        members, limits = budget_rows(state, grid, horizon, relaxed=False)
        self.rows_of: list[list[IntArray]] = [
            [np.zeros(0, dtype=np.int64)] * horizon for _ in range(n_fac)
        ]
        member_lists: dict[int, list[int]] = {}
        for k, m in enumerate(members):
            for g in m.tolist():
                member_lists.setdefault(g, []).append(k)
        for g, ks in member_lists.items():
            self.rows_of[g // horizon][g % horizon] = np.array(ks, dtype=np.int64)
        self.left: FloatArray = np.array(limits, dtype=np.float64)

    def fits(self, f: int, s: int, length: int, beds: int, cost: float) -> bool:
        if self.free[f, s : min(s + length, self.horizon)].min() < beds:
            return False
        rows = self.rows_of[f][s]
        return not (rows.size and (self.left[rows] < cost * (1 - 1e-12)).any())

    def earliest(self, f: int, release: int, latest: int, length: int, beds: int) -> IntArray:
        """Start days in ``release .. latest`` where the beds are free for the whole stay."""
        short = (self.free[f] < beds).astype(np.int64)
        bad = np.concatenate([[0], np.cumsum(short)])
        days = np.arange(release, latest + 1)
        ends = np.minimum(days + length, self.horizon)
        out: IntArray = days[bad[ends] - bad[days] == 0]
        return out

    def add(self, f: int, s: int, length: int, beds: int, cost: float, sign: int) -> None:
        self.free[f, s : min(s + length, self.horizon)] -= sign * beds
        rows = self.rows_of[f][s]
        if rows.size:
            self.left[rows] -= sign * cost


def left_shift(
    plan: Placements,
    state: SimState,
    records: list[CaseRecord],
    avail: IntArray,
    horizon: int,
) -> Placements:
    """The plan with every placement at its earliest feasible day (see the module)."""
    ledger = _Ledger(state, avail, horizon)
    stay = _Stays(state, records)
    case, fac, start = plan.case.copy(), plan.facility.copy(), plan.start.copy()
    for c, f, s in zip(case.tolist(), fac.tolist(), start.tolist(), strict=True):
        ledger.add(f, s, stay.length(c, f), stay.beds(c), stay.cost(c, f), +1)
    for _ in range(MAX_PASSES):
        moved = 0
        for k in np.argsort(start, kind="stable").tolist():
            c, f, s = int(case[k]), int(fac[k]), int(start[k])
            ledger.add(f, s, stay.length(c, f), stay.beds(c), stay.cost(c, f), -1)
            f2, s2 = _best_start(ledger, stay, c, s, f)
            ledger.add(f2, s2, stay.length(c, f2), stay.beds(c), stay.cost(c, f2), +1)
            fac[k], start[k] = f2, s2
            moved += s2 < s
        extra = _place_unplaced(ledger, stay, records, set(case.tolist()))
        if extra:
            case = np.concatenate([case, [c for c, _, _ in extra]]).astype(np.int64)
            fac = np.concatenate([fac, [f for _, f, _ in extra]]).astype(np.int64)
            start = np.concatenate([start, [s for _, _, s in extra]]).astype(np.int64)
        if not (moved or extra):
            break
    return Placements(case, fac, start)


def list_schedule(
    order: list[int],
    state: SimState,
    records: list[CaseRecord],
    avail: IntArray,
    horizon: int,
    *,
    prefer: dict[int, list[int]] | None = None,
) -> Placements:
    """Cases in ``order``, each at its earliest feasible (facility, day) given those before.

    ``prefer``: per case, facilities to try first (for example where the LP places it); a
    case goes elsewhere only when no preferred facility has room before the horizon.
    """
    ledger = _Ledger(state, avail, horizon)
    stay = _Stays(state, records)
    rows: list[tuple[int, int, int]] = []
    for c in order:
        if stay.release(c) >= horizon or not stay.facilities(c):
            continue
        f, s = _earliest_anywhere(ledger, stay, c, (prefer or {}).get(c))
        if f < 0 and prefer and prefer.get(c):
            f, s = _earliest_anywhere(ledger, stay, c)
        if f >= 0:
            ledger.add(f, s, stay.length(c, f), stay.beds(c), stay.cost(c, f), +1)
            rows.append((c, f, s))
    arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return Placements(arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy())


def lp_order(
    cols: Columns, values: FloatArray, records: list[CaseRecord], horizon: int
) -> tuple[list[int], dict[int, list[int]]]:
    """Cases by their expected start day in the LP (the part of a case the LP leaves
    unplaced counts as starting at the horizon; ties: higher weight first), and per case
    its facilities by LP value: the input of :func:`list_schedule`."""
    n = len(records)
    used = values > 1e-6
    mass = np.bincount(cols.case[used], values[used], minlength=n)
    mean = np.bincount(cols.case[used], values[used] * cols.start[used], minlength=n)
    mean += np.clip(1.0 - mass, 0.0, None) * horizon
    weight = np.array([r.weight for r in records])
    arrival = np.array([r.arrival for r in records])
    order = np.lexsort((arrival, -weight, mean)).tolist()
    share: dict[tuple[int, int], float] = {}
    for j in np.flatnonzero(used).tolist():
        key = (int(cols.case[j]), int(cols.facility[j]))
        share[key] = share.get(key, 0.0) + float(values[j])
    prefer: dict[int, list[int]] = {}
    for (c, f), _ in sorted(share.items(), key=lambda kv: -kv[1]):
        prefer.setdefault(c, []).append(f)
    return [int(c) for c in order], prefer


class _Stays:
    """Per case: release day, beds, eligible facilities, days held and expected cost."""

    def __init__(self, state: SimState, records: list[CaseRecord]) -> None:
        self.state, self.records = state, records

    def release(self, c: int) -> int:
        return max(0, math.ceil(self.records[c].arrival - 1e-9))

    def beds(self, c: int) -> int:
        return int(self.records[c].case.beds)

    def length(self, c: int, f: int) -> int:
        r = self.records[c]
        return max(1, math.ceil(r.stays[self.state.type_of[f]] - 1e-9))

    def cost(self, c: int, f: int) -> float:
        return self.state.expected_cost(self.records[c], f)

    def facilities(self, c: int) -> list[int]:
        return [int(f) for f in self.state.options(self.records[c]).facility.tolist()]


def _best_start(
    ledger: _Ledger, stay: _Stays, c: int, latest: int, current: int
) -> tuple[int, int]:
    """Earliest feasible (facility, day) of case ``c`` up to ``latest``.

    The current facility first (its old day always fits again); another facility only
    when it starts strictly earlier.
    """
    best = (current, latest)
    for f in [current] + [g for g in stay.facilities(c) if g != current]:
        hi = best[1] if f == current else best[1] - 1
        if hi >= stay.release(c):
            s = _first_fit(ledger, stay, c, f, hi)
            if s >= 0:
                best = (f, s)
    return best


def _first_fit(ledger: _Ledger, stay: _Stays, c: int, f: int, latest: int) -> int:
    """The earliest day up to ``latest`` case ``c`` fits at ``f`` (``-1``: none)."""
    length, beds, cost = stay.length(c, f), stay.beds(c), stay.cost(c, f)
    for s in ledger.earliest(f, stay.release(c), latest, length, beds).tolist():
        if ledger.fits(f, s, length, beds, cost):
            return int(s)
    return -1


def _place_unplaced(
    ledger: _Ledger, stay: _Stays, records: list[CaseRecord], placed: set[int]
) -> list[tuple[int, int, int]]:
    """Cases not in the plan, highest weight first, at their earliest feasible day."""
    out: list[tuple[int, int, int]] = []
    rest = [r for r in records if r.index not in placed and not stay.state.options(r).empty]
    for r in sorted(rest, key=lambda r: (-r.weight, r.arrival)):
        c = r.index
        if stay.release(c) >= ledger.horizon:
            continue
        f, s = _earliest_anywhere(ledger, stay, c)
        if f >= 0:
            ledger.add(f, s, stay.length(c, f), stay.beds(c), stay.cost(c, f), +1)
            out.append((c, f, s))
    return out


def _earliest_anywhere(
    ledger: _Ledger, stay: _Stays, c: int, among: list[int] | None = None
) -> tuple[int, int]:
    """Earliest feasible (facility, day) of a case, trying the facilities ``among`` (default:
    all it is eligible for) in turn (``(-1, horizon)``: none)."""
    best = (-1, ledger.horizon)
    for f in stay.facilities(c) if among is None else among:
        if best[1] - 1 >= stay.release(c):
            s = _first_fit(ledger, stay, c, f, best[1] - 1)
            if s >= 0:
                best = (f, s)
    return best
