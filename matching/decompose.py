"""Splitting a problem into independent parts.

Two cases interact only through a facility both may use, a budget that can bind for both,
or a keep-apart pair. Parts that share none of these can be solved separately and their
objectives and bounds added up.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matching.formulation import binding_streams
from matching.problem import NO_STREAM, MatchingProblem

IntArray = npt.NDArray[np.int32]


def components(problem: MatchingProblem) -> list[tuple[IntArray, IntArray]]:
    """Independent parts as (case indices, facility indices), cases without options left out.

    Parts are ordered by their smallest case index; indices within a part ascend.
    """
    n_c, n_f = problem.n_cases, problem.n_facilities
    n_nodes = n_c + n_f + len(problem.stream_ids)
    binding = np.zeros(len(problem.stream_ids) + 1, dtype=bool)  # last entry: NO_STREAM
    binding[binding_streams(problem)] = True
    stream = problem.opt_stream.astype(np.int64)
    paid = binding[stream]
    tails = np.concatenate(
        [problem.opt_case, problem.opt_case[paid], problem.keep_apart[:, 0]]
    ).astype(np.int64)
    heads = np.concatenate(
        [n_c + problem.opt_facility, n_c + n_f + stream[paid], problem.keep_apart[:, 1]]
    ).astype(np.int64)
    graph = coo_matrix((np.ones(tails.size), (tails, heads)), shape=(n_nodes, n_nodes))
    _, label = connected_components(graph, directed=False)
    has_option = np.zeros(n_c, dtype=bool)
    has_option[problem.opt_case] = True
    cases = np.flatnonzero(has_option)
    # a part is named by its first case; facilities join the part of their label
    part_of_label = np.full(n_nodes, -1, dtype=np.int64)
    labels, first = np.unique(label[cases], return_index=True)
    rank = np.argsort(cases[first], kind="stable")
    part_of_label[labels[rank]] = np.arange(labels.size)
    case_part = part_of_label[label[cases]]
    fac_part = part_of_label[label[n_c : n_c + n_f]]
    facs = np.flatnonzero(fac_part >= 0)
    case_groups = _group(cases, case_part, labels.size)
    fac_groups = _group(facs, fac_part[facs], labels.size)
    return list(zip(case_groups, fac_groups, strict=True))


def _group(items: npt.NDArray[np.int64], part: npt.NDArray[np.int64], n: int) -> list[IntArray]:
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(n + 1))
    return [items[order[bounds[i] : bounds[i + 1]]].astype(np.int32) for i in range(n)]


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
