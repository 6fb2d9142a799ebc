"""Splitting a problem into independent parts.

Two cases interact only through a facility both may use, a budget that can bind for both,
or a keep-apart pair. Parts that share none of these can be solved separately and their
objectives and bounds added up.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matching.formulation import binding_streams
from matching.problem import NO_STREAM, MatchingProblem

IntArray = npt.NDArray[np.int32]


def _find(parent: IntArray, x: int) -> int:
    root = x
    while parent[root] != root:
        root = int(parent[root])
    while parent[x] != root:
        parent[x], x = root, int(parent[x])
    return root


def components(problem: MatchingProblem) -> list[tuple[IntArray, IntArray]]:
    """Independent parts as (case indices, facility indices), cases without options left out."""
    n_c, n_f = problem.n_cases, problem.n_facilities
    binding = set(binding_streams(problem).tolist())
    n_nodes = n_c + n_f + len(problem.stream_ids)
    parent = np.arange(n_nodes, dtype=np.int32)

    def union(a: int, b: int) -> None:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[ra] = rb

    for c, f, s in zip(
        problem.opt_case.tolist(),
        problem.opt_facility.tolist(),
        problem.opt_stream.tolist(),
        strict=True,
    ):
        union(c, n_c + f)
        if s != NO_STREAM and s in binding:
            union(c, n_c + n_f + s)
    for a, b in problem.keep_apart.tolist():
        union(a, b)
    roots = np.array([_find(parent, i) for i in range(n_nodes)], dtype=np.int32)
    has_option = np.zeros(n_c, dtype=bool)
    has_option[problem.opt_case] = True
    parts: dict[int, tuple[list[int], list[int]]] = {}
    for c in np.flatnonzero(has_option).tolist():
        parts.setdefault(int(roots[c]), ([], []))[0].append(c)
    for f in range(n_f):
        root = int(roots[n_c + f])
        if root in parts:
            parts[root][1].append(f)
    return [
        (np.array(cs, dtype=np.int32), np.array(fs, dtype=np.int32)) for cs, fs in parts.values()
    ]


def subproblem(
    problem: MatchingProblem, cases: IntArray, facilities: IntArray
) -> tuple[MatchingProblem, IntArray]:
    """The part of the problem on these cases and facilities, and its options' original indices."""
    case_new = np.full(problem.n_cases, -1, dtype=np.int32)
    case_new[cases] = np.arange(cases.size, dtype=np.int32)
    fac_new = np.full(problem.n_facilities, -1, dtype=np.int32)
    fac_new[facilities] = np.arange(facilities.size, dtype=np.int32)
    keep = np.flatnonzero(
        (case_new[problem.opt_case] >= 0) & (fac_new[problem.opt_facility] >= 0)
    ).astype(np.int32)
    used_streams = np.unique(problem.opt_stream[keep])
    used_streams = used_streams[used_streams != NO_STREAM]
    stream_new = np.full(len(problem.stream_ids), NO_STREAM, dtype=np.int32)
    stream_new[used_streams] = np.arange(used_streams.size, dtype=np.int32)
    old_stream = problem.opt_stream[keep]
    if stream_new.size:
        new_stream = np.where(
            old_stream == NO_STREAM, NO_STREAM, stream_new[np.maximum(old_stream, 0)]
        )
    else:  # no streams at all: every option is unpaid
        new_stream = np.full(old_stream.shape, NO_STREAM, dtype=np.int32)
    pairs = problem.keep_apart
    inside = (
        (case_new[pairs[:, 0]] >= 0) & (case_new[pairs[:, 1]] >= 0)
        if pairs.size
        else np.zeros(0, bool)
    )
    sub = MatchingProblem(
        horizon_days=problem.horizon_days,
        unplaced_penalty_days=problem.unplaced_penalty_days,
        facility_ids=tuple(problem.facility_ids[f] for f in facilities.tolist()),
        free_beds=problem.free_beds[facilities],
        case_ids=tuple(problem.case_ids[c] for c in cases.tolist()),
        case_beds=problem.case_beds[cases],
        case_weight=problem.case_weight[cases],
        opt_case=case_new[problem.opt_case[keep]],
        opt_facility=fac_new[problem.opt_facility[keep]],
        opt_penalty=problem.opt_penalty[keep],
        opt_stay=problem.opt_stay[keep],
        opt_cost=problem.opt_cost[keep],
        opt_stream=new_stream.astype(np.int32),
        stream_ids=tuple(problem.stream_ids[s] for s in used_streams.tolist()),
        budget=problem.budget[used_streams],
        keep_apart=case_new[pairs[inside]] if pairs.size else np.zeros((0, 2), np.int32),
    )
    return sub, keep
