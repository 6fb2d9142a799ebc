"""Plain loops over cases, options and days: the reference the vectorised greedy and the
left shift are checked against."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from matching.problem import NO_STREAM, MatchingProblem

Array = npt.NDArray[Any]


def apart_of(p: MatchingProblem) -> dict[int, set[int]]:
    """Each case's keep-apart partners."""
    apart: dict[int, set[int]] = {}
    for a, b in p.keep_apart.tolist():
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)
    return apart


def cheapest_pair(
    p: MatchingProblem,
    c: int,
    free: Array,
    spent: Array,
    where: dict[int, int],
    days: list[Array],
    apart: dict[int, set[int]],
) -> tuple[float, int, int] | None:
    """Case ``c``'s cheapest (option, day) that fits ``free``, its stream can pay from
    ``spent`` and no partner (``apart``, :func:`apart_of`) placed (``where``) shares:
    (waiting + penalty, option, day), ties to the first option, then the first day;
    ``None`` when none fits."""
    best: tuple[float, int, int] | None = None
    for k in np.flatnonzero(p.opt_case == c).tolist():
        f, s = int(p.opt_facility[k]), int(p.opt_stream[k])
        if any(where.get(o) == f for o in apart.get(c, ())):
            continue
        if s != NO_STREAM and spent[s] + p.opt_cost[k] > p.budget[s]:
            continue
        for d in days[f].tolist():
            cost = p.case_weight[c] * d + p.opt_penalty[k]
            end = min(p.horizon_days, d + int(p.stay_to[k]))
            if free[f, d:end].min() >= p.case_beds[c] and (best is None or cost < best[0]):
                best = (cost, k, d)
    return best


def book(
    p: MatchingProblem,
    c: int,
    k: int,
    d: int,
    free: Array,
    spent: Array,
    where: dict[int, int],
    sign: int = 1,
) -> None:
    """Place case ``c`` on option ``k`` from day ``d`` (``sign`` -1: take it out again)."""
    f, s = int(p.opt_facility[k]), int(p.opt_stream[k])
    free[f, d : min(p.horizon_days, d + int(p.stay_to[k]))] -= sign * int(p.case_beds[c])
    if s != NO_STREAM:
        spent[s] += sign * p.opt_cost[k]
    if sign > 0:
        where[c] = f
    else:
        where.pop(c, None)
