"""The offline (hindsight) model: every placement of a run in one time-indexed model.

With all arrivals and actual stays known, a variable says "case i starts at facility f on
day s" (s on or after the first round the case can be placed in). A placement holds its
beds on days ``s .. s + L - 1`` where ``L`` is its actual stay rounded up to whole days,
which is when the simulation's daily rounds see its beds free again. Capacity is written
as a flow of occupied beds per facility per day (a start adds beds, an end removes them),
so each variable appears in at most three rows.

Start days are every day for the first :data:`FINE_DAYS` after release, then one variable
per bucket of :data:`COARSE_DAYS` days (buckets never cross a calendar year or a budget
change). The model is built in two ways:

- **restricted** (``relaxed=False``): a bucket variable starts exactly on the bucket's first
  day. Every solution is a plan the simulation can carry out.
- **relaxed** (``relaxed=True``): a bucket variable stands for any start in the bucket; it
  counts the waiting up to the bucket's first day and holds beds only on the days every
  start in the bucket would (from its last day to the earliest end), and the budget of a
  year is the largest it is that year. Every plan of the real problem maps onto a solution
  of this model that costs no more, so its LP optimum is a proven lower bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from scenarios.state import CaseRecord, FloatArray, IntArray, SimState
from scenarios.supply import Supply

FINE_DAYS = 28  # days after release with one start variable per day
COARSE_DAYS = 7  # days per start bucket after that


@dataclass(frozen=True, slots=True)
class Columns:
    """The start variables: case, facility, first day and length of the start bucket,
    days the beds are held (``length``), beds, expected cost and waiting cost."""

    case: IntArray
    facility: IntArray
    start: IntArray
    span: IntArray
    length: IntArray
    beds: IntArray
    cost: FloatArray
    saving: FloatArray

    @property
    def n(self) -> int:
        return int(self.case.size)


@dataclass(frozen=True, slots=True)
class Rows:
    """Constraint rows in CSR form: ``lower <= A x <= upper``."""

    starts: IntArray
    index: IntArray
    value: FloatArray
    lower: FloatArray
    upper: FloatArray


def available_beds(supply: Supply, horizon: int) -> IntArray:
    """Beds per facility per day left by the changes and the stays under way at the start."""
    n = len(supply.facilities)
    delta = np.zeros((n, horizon + 1), dtype=np.int64)
    delta[:, 0] = supply.initial_beds
    for step in supply.bed_steps:
        delta[step.facility, min(step.day, horizon)] += step.delta
    for stay in supply.initial_stays:
        delta[stay.facility, 0] -= stay.beds
        delta[stay.facility, min(stay.end, horizon)] += stay.beds
    out: IntArray = np.maximum(np.cumsum(delta, axis=1)[:, :horizon], 0)
    return out


def breakpoints(supply: Supply, horizon: int) -> list[int]:
    """Days a start bucket may not cross: 1 January of each year and budget changes."""
    days = {b.day for b in supply.budget_steps}
    year = supply.start_date.year + 1
    while (first := (date(year, 1, 1) - supply.start_date).days) < horizon:
        days.add(first)
        year += 1
    return sorted(d for d in days if 0 < d < horizon)


def start_buckets(release: int, horizon: int, cuts: list[int]) -> tuple[IntArray, IntArray]:
    """First day and length of each start bucket of a case released on ``release``."""
    starts, spans = [], []
    day = release
    while day < horizon:
        size = 1 if day < release + FINE_DAYS else COARSE_DAYS
        end = min(day + size, horizon)
        for cut in cuts:
            if day < cut < end:
                end = cut
                break
        starts.append(day)
        spans.append(end - day)
        day = end
    return np.array(starts, dtype=np.int64), np.array(spans, dtype=np.int64)


def build_columns(
    state: SimState,
    records: list[CaseRecord],
    avail: IntArray,
    horizon: int,
    *,
    relaxed: bool,
) -> Columns:
    """Every useful start variable (one whose first held day has room for its beds)."""
    cuts = breakpoints(state.supply, horizon)
    parts: list[tuple[IntArray | FloatArray, ...]] = []
    for r in records:
        opts = state.options(r)
        if opts.empty:
            continue
        starts, spans = start_buckets(max(0, math.ceil(r.arrival - 1e-9)), horizon, cuts)
        for f in opts.facility.tolist():
            part = _columns_of(state, r, f, starts, spans, avail, horizon, relaxed)
            if part is not None:
                parts.append(part)
    if not parts:
        empty_i = np.zeros(0, dtype=np.int64)
        return Columns(*(empty_i,) * 6, np.zeros(0), np.zeros(0))
    cols = [np.concatenate([p[i] for p in parts]) for i in range(8)]
    return Columns(
        case=cols[0].astype(np.int64),
        facility=cols[1].astype(np.int64),
        start=cols[2].astype(np.int64),
        span=cols[3].astype(np.int64),
        length=cols[4].astype(np.int64),
        beds=cols[5].astype(np.int64),
        cost=cols[6].astype(np.float64),
        saving=cols[7].astype(np.float64),
    )


def _columns_of(
    state: SimState,
    r: CaseRecord,
    f: int,
    starts: IntArray,
    spans: IntArray,
    avail: IntArray,
    horizon: int,
    relaxed: bool,
) -> tuple[IntArray | FloatArray, ...] | None:
    """The start variables of one case at one facility (``None`` when none has room)."""
    beds = r.case.beds
    length = max(1, math.ceil(r.stays[state.type_of[f]] - 1e-9))
    held_from = starts + spans - 1 if relaxed else starts
    ok = (held_from >= starts + length) | (avail[f, np.minimum(held_from, horizon - 1)] >= beds)
    k = int(ok.sum())
    if k == 0:
        return None
    return (
        np.full(k, r.index),
        np.full(k, f),
        starts[ok],
        spans[ok] if relaxed else np.ones(k, dtype=np.int64),
        np.full(k, length),
        np.full(k, beds),
        np.full(k, state.expected_cost(r, f)),
        r.weight * (starts[ok] - horizon).astype(np.float64),
    )


def build_rows(
    state: SimState, cols: Columns, avail: IntArray, horizon: int, *, relaxed: bool
) -> tuple[Rows, FloatArray]:
    """Case, bed-flow and budget rows; also the upper bounds of the occupancy columns.

    Columns ``0 .. cols.n - 1`` are the start variables, then one occupancy column per
    facility and day (``cols.n + f * horizon + t``).
    """
    n_fac = avail.shape[0]
    entries: list[tuple[IntArray, IntArray, FloatArray]] = []  # row, column, value
    lower: list[FloatArray] = []
    upper: list[FloatArray] = []
    # each case at most once
    case_ids, case_row = np.unique(cols.case, return_inverse=True)
    j = np.arange(cols.n)
    entries.append((case_row, j, np.ones(cols.n)))
    lower.append(np.full(case_ids.size, -np.inf))
    upper.append(np.ones(case_ids.size))
    base = case_ids.size
    entries += _flow_rows(cols, base, n_fac, horizon, relaxed)
    lower.append(np.zeros(n_fac * horizon))
    upper.append(np.zeros(n_fac * horizon))
    base += n_fac * horizon
    b_rows, b_upper = budget_rows(state, cols, horizon, relaxed=relaxed)
    for k, members in enumerate(b_rows):
        entries.append((np.full(members.size, base + k), members, cols.cost[members]))
    lower.append(np.full(len(b_rows), -np.inf))
    upper.append(np.array(b_upper, dtype=np.float64))
    n_rows = base + len(b_rows)
    row = np.concatenate([e[0] for e in entries]).astype(np.int64)
    col = np.concatenate([e[1] for e in entries]).astype(np.int64)
    val = np.concatenate([e[2] for e in entries]).astype(np.float64)
    order = np.lexsort((col, row))
    starts = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n_rows))])
    rows = Rows(
        starts.astype(np.int32),
        col[order].astype(np.int32),
        val[order],
        np.concatenate(lower),
        np.concatenate(upper),
    )
    return rows, avail.reshape(-1).astype(np.float64)


def _flow_rows(
    cols: Columns, base: int, n_fac: int, horizon: int, relaxed: bool
) -> list[tuple[IntArray, IntArray, FloatArray]]:
    """Bed flow, one row per facility and day: occ[f,t] - occ[f,t-1] - starts + ends = 0."""
    j = np.arange(cols.n)
    held_from = cols.start + cols.span - 1 if relaxed else cols.start
    held_to = cols.start + cols.length
    holds = held_from < np.minimum(held_to, horizon)
    beds = cols.beds.astype(np.float64)
    ends = holds & (held_to < horizon)
    occ = np.arange(n_fac * horizon)
    nxt = occ[(occ % horizon) < horizon - 1]
    return [
        (base + cols.facility[holds] * horizon + held_from[holds], j[holds], -beds[holds]),
        (base + cols.facility[ends] * horizon + held_to[ends], j[ends], beds[ends]),
        (base + occ, cols.n + occ, np.ones(occ.size)),
        (base + nxt + 1, cols.n + nxt, -np.ones(nxt.size)),
    ]


def budget_rows(
    state: SimState, cols: Columns, horizon: int, *, relaxed: bool
) -> tuple[list[IntArray], list[float]]:
    """Per capped stream and calendar year: expected costs of the year's starts <= budget.

    Restricted: one row per stretch of constant budget, over the starts up to its end,
    against that budget (the simulation checks the budget in force at each placement).
    Relaxed: one row per year against the largest budget of that year.
    """
    supply = state.supply
    year_of = np.array([state.date_of(d).year for d in range(horizon)])
    stream = state.stream_of[cols.facility]
    out_rows: list[IntArray] = []
    out_upper: list[float] = []
    for s in range(len(supply.streams)):
        members_s = np.flatnonzero(stream == s)
        if members_s.size == 0:
            continue
        for year in np.unique(year_of).tolist():
            days = np.flatnonzero(year_of == year)
            first, last = int(days[0]), int(days[-1])
            # spending already committed counts in the state's own budget year (the run's
            # first at day 0; a later one for a plan made later in the run)
            committed = float(state.committed[s]) if year == state.budget_year else 0.0
            members = members_s[year_of[cols.start[members_s]] == year]
            for end, budget in _stretches(state, s, first, last, relaxed=relaxed):
                if not math.isfinite(budget):
                    continue
                out_rows.append(members[cols.start[members] <= end])
                out_upper.append(max(budget - committed, 0.0))
    return out_rows, out_upper


def _stretches(
    state: SimState, stream: int, first: int, last: int, *, relaxed: bool
) -> list[tuple[int, float]]:
    """(last day, budget) of each stretch of constant budget within ``first .. last``."""
    value = float(state.per_year[stream])
    points: list[tuple[int, float]] = []
    for step in state.supply.budget_steps:
        if step.stream != stream:
            continue
        new = math.inf if step.per_year is None else step.per_year
        if step.day <= first:
            value = new
        elif step.day <= last:
            points.append((step.day, new))
    out: list[tuple[int, float]] = []
    for day, new in points:
        out.append((day - 1, value))
        value = new
    out.append((last, value))
    if relaxed:
        return [(last, max(b for _, b in out))]
    return out
