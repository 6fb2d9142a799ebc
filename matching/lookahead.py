"""The look-ahead model of an anticipatory round: today's candidates and sampled futures.

Shared by the scenarios' ``anticipatory`` policy and the live matching runs' anticipation
(issue 13); pure numpy and HiGHS, no domain objects.

One sampled future of a round is a time-indexed LP over the planning horizon (day 0 is the
round): the round's **candidates** (real cases the myopic plan places today) may start on
any day from 0, the **sampled arrivals** from their release day (the round after they
arrive). A start holds its beds for the expected stay, cut at the horizon. Beds are the
planner's free beds after the rest of the myopic plan (its later starts). The objective
is the priority-weighted waiting of these cases, as ``matching`` counts it: ``w x start``
for a placed case, ``w x (2 x horizon)`` for one the horizon cannot place, both from its
release.

Start days are daily for :data:`FINE_DAYS` days after release, then one start per
:data:`COARSE_DAYS`-day bucket (starting on its first day). Capacity is a flow of occupied
beds per facility and day (a start adds beds, an end removes them), so each start is in at
most two capacity rows.

Solved with a candidate's start today free (what the sample's perfect recourse would do),
forced at the myopic plan's facility, or forbidden (the bed is kept); the two-stage
sample-average decision compares the mean objectives of the last two over the samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.errors import MatchingError
from matching.mip import highs_scope, new_highs

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

FINE_DAYS = 14  # days after release with a start every day
COARSE_DAYS = 7  # days per start bucket after that
FREE, FORCE, FORBID = 0, 1, 2  # what a candidate's start today may be


class LookaheadError(MatchingError):
    """A look-ahead LP that HiGHS did not solve to optimality (its status)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)  # its argument: copies (pickle, SimPy) rebuild it
        self.status = status

    def __str__(self) -> str:
        return f"look-ahead LP not solved ({self.status})"


@dataclass(frozen=True, slots=True)
class LookaheadCase:
    """A case of the look-ahead model.

    Parameters
    ----------
    release
        First day it may start (0 for candidates).
    weight
        Weight of one waiting day.
    beds
        Beds it takes.
    facilities
        Its eligible facilities (row indices of the free-beds array).
    stays
        Expected stay at each of them, in whole days (at least 1).
    label
        What it is: a profile class for a sampled arrival, the case id for a candidate.
    """

    release: int
    weight: float
    beds: int
    facilities: IntArray
    stays: IntArray
    label: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """One solved look-ahead LP.

    Parameters
    ----------
    objective
        Priority-weighted waiting of its cases (the constant included).
    today
        Per candidate (by position), the share of it that starts today (LP value).
    users
        Per facility, the labels of the sampled arrivals that start there (LP value
        summed), for the explanations.
    prices
        ``(facilities, horizon)`` dual price of one more free bed per facility and day, in
        weighted waiting days (0 where a facility has no start or the bed is not scarce).
    """

    objective: float
    today: FloatArray
    users: dict[int, dict[str, float]]
    prices: FloatArray


def start_days(release: int, horizon: int) -> IntArray:
    """The start days of a case released on ``release``."""
    fine = np.arange(release, min(release + FINE_DAYS, horizon))
    coarse = np.arange(release + FINE_DAYS, horizon, COARSE_DAYS)
    return np.concatenate([fine, coarse]).astype(np.int64)


@highs_scope()
def solve_lookahead(
    free: IntArray,
    cases: list[LookaheadCase],
    candidates: int,
    modes: list[tuple[int, int]],
    time_limit: float = float("inf"),
) -> Outcome:
    """Solve one sampled future.

    Parameters
    ----------
    free
        ``(facilities, horizon)`` beds free to these cases.
    cases
        The candidates first (``candidates`` of them, release 0), then the sampled arrivals.
    candidates
        How many of ``cases`` are candidates.
    modes
        Per candidate, ``(mode, facility)``: :data:`FREE` (any start), :data:`FORCE` (starts
        today at ``facility``) or :data:`FORBID` (does not start today).
    time_limit
        Seconds HiGHS may take (a live round's time limit, issue 13).

    Returns
    -------
    Outcome

    Raises
    ------
    LookaheadError
        Not solved to optimality (infeasible forced starts, or the time limit reached).
    """
    horizon = free.shape[1]
    cols = _columns(free, cases, candidates, modes, horizon)
    case, fac, start, _, _, cost = cols
    n, n_fac = case.size, free.shape[0]
    used = np.unique(fac)
    at = np.full(n_fac, -1, dtype=np.int64)
    at[used] = np.arange(used.size)
    n_occ = used.size * horizon
    # through matching's HiGHS factory: it resizes HiGHS's one thread pool per process, so
    # a one-thread LP after a live round's multi-thread solve is not a "Not Set" failure
    h = new_highs(seed=0, threads=1, time_limit=time_limit, relative_gap=0.0)
    upper = free[used].reshape(-1).astype(np.float64)
    h.addVars(n + n_occ, np.zeros(n + n_occ), np.concatenate([np.ones(n), upper]))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    rows, lower, upper_rows = _rows(cols, at, used.size, horizon, len(cases))
    for i, (mode, _) in enumerate(modes):
        if mode == FORCE:
            lower[i] = 1.0  # it starts today: the myopic plan's placement is carried out
    row, col, val = rows
    order = np.lexsort((col, row))
    n_rows = lower.size
    starts = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n_rows))])
    h.addRows(
        n_rows,
        lower,
        upper_rows,
        col.size,
        starts[:-1].astype(np.int32),
        col[order].astype(np.int32),
        val[order],
    )
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    if n and status != "Optimal":
        raise LookaheadError(status)
    solution = h.getSolution()
    x = np.array(solution.col_value[:n]) if n else np.zeros(0)
    prices = np.zeros(free.shape, dtype=np.float64)
    if n:
        # a bed's capacity is the upper bound of its occupancy column: minus its reduced
        # cost is what one more free bed there and then would save
        reduced = np.array(solution.col_dual[n:]).reshape(used.size, horizon)
        prices[used] = np.maximum(0.0, -reduced)
    constant = sum(c.weight * (2 * horizon - c.release) for c in cases)
    objective = float(h.getInfo().objective_function_value) + constant if n else constant
    today = np.zeros(candidates)
    first = (case < candidates) & (start == 0)
    np.add.at(today, case[first], x[first])
    users: dict[int, dict[str, float]] = {}
    for j in np.flatnonzero((case >= candidates) & (x > 1e-6)).tolist():
        at_f = users.setdefault(int(fac[j]), {})
        label = cases[int(case[j])].label
        at_f[label] = at_f.get(label, 0.0) + float(x[j])
    return Outcome(objective, today, users, prices)


Cols = tuple[IntArray, IntArray, IntArray, IntArray, IntArray, FloatArray]


def _columns(
    free: IntArray,
    cases: list[LookaheadCase],
    candidates: int,
    modes: list[tuple[int, int]],
    horizon: int,
) -> Cols:
    """Start variables: case, facility, start, end (exclusive, cut), beds, cost."""
    parts: list[tuple[IntArray, ...]] = []
    costs: list[FloatArray] = []
    for i, c in enumerate(cases):
        if c.release >= horizon:
            continue
        days = start_days(c.release, horizon)
        mode, forced = modes[i] if i < candidates else (FREE, -1)
        for f, stay in zip(c.facilities.tolist(), c.stays.tolist(), strict=True):
            s = days[free[f, days] >= c.beds]
            if mode == FORBID:
                s = s[s > 0]
            elif mode == FORCE:
                s = s[s == 0] if f == forced else s[:0]
            if s.size == 0:
                continue
            k = s.size
            parts.append(
                (
                    np.full(k, i),
                    np.full(k, f),
                    s,
                    np.minimum(s + stay, horizon),
                    np.full(k, c.beds),
                )
            )
            costs.append(c.weight * (s - 2 * horizon).astype(np.float64))
    if not parts:
        e = np.zeros(0, dtype=np.int64)
        return e, e, e, e, e, np.zeros(0)
    case, fac, start, end, beds = (np.concatenate([p[k] for p in parts]) for k in range(5))
    return case, fac, start, end, beds, np.concatenate(costs)


def _rows(
    cols: Cols, at: IntArray, n_used: int, horizon: int, n_cases: int
) -> tuple[tuple[IntArray, IntArray, FloatArray], FloatArray, FloatArray]:
    """Case rows (each at most once), then one bed-flow row per facility and day.

    ``occ[f, t] - occ[f, t - 1] - starts at t + ends at t = 0``.
    """
    case, fac, start, end, beds, _ = cols
    n = case.size
    j = np.arange(n)
    b = beds.astype(np.float64)
    base = n_cases
    frow = at[fac] * horizon
    ends = end < horizon
    occ = np.arange(n_used * horizon)
    nxt = occ[(occ % horizon) < horizon - 1]
    row = np.concatenate(
        [case, base + frow + start, base + frow[ends] + end[ends], base + occ, base + nxt + 1]
    )
    col = np.concatenate([j, j, j[ends], n + occ, n + nxt])
    val = np.concatenate([np.ones(n), -b, b[ends], np.ones(occ.size), -np.ones(nxt.size)])
    lower = np.concatenate([np.full(n_cases, -np.inf), np.zeros(n_used * horizon)])
    lower = lower.astype(np.float64)
    upper = np.concatenate([np.ones(n_cases), np.zeros(n_used * horizon)])
    return (row.astype(np.int64), col.astype(np.int64), val), lower, upper
