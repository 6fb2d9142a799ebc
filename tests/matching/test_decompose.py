"""Independent parts: as a plain union-find over shared facilities, budgets and pairs finds them."""

from __future__ import annotations

from types import ModuleType

import pytest

from matching.decompose import components, subproblem
from matching.formulation import binding_streams
from matching.problem import NO_STREAM, MatchingProblem
from matching.problem_io import problem_from_dict


def loop_parts(p: MatchingProblem) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    parent = list(range(p.n_cases + p.n_facilities + len(p.stream_ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    binding = set(binding_streams(p).tolist())
    for k in range(p.n_options):
        c, f, s = int(p.opt_case[k]), int(p.opt_facility[k]), int(p.opt_stream[k])
        parent[find(c)] = find(p.n_cases + f)
        if s != NO_STREAM and s in binding:
            parent[find(c)] = find(p.n_cases + p.n_facilities + s)
    for a, b in p.keep_apart.tolist():
        parent[find(a)] = find(b)
    parts: dict[int, tuple[list[int], list[int]]] = {}
    for c in sorted(set(p.opt_case.tolist())):
        parts.setdefault(find(c), ([], []))[0].append(c)
    for f in range(p.n_facilities):
        if find(p.n_cases + f) in parts:
            parts[find(p.n_cases + f)][1].append(f)
    return {(tuple(cs), tuple(fs)) for cs, fs in parts.values()}


@pytest.mark.parametrize("seed", range(30))
def test_parts_match_a_plain_union_find(ref: ModuleType, seed: int) -> None:
    p = problem_from_dict(
        ref.random_instance(
            seed, n_cases=12, n_facilities=8, horizon=4, option_share=0.15, n_keep_apart=2
        )
    )
    found = components(p)
    assert {(tuple(c.tolist()), tuple(f.tolist())) for c, f in found} == loop_parts(p)
    assert [int(c[0]) for c, _ in found] == sorted(int(c[0]) for c, _ in found)


def test_subproblem_keeps_its_options(ref: ModuleType) -> None:
    p = problem_from_dict(
        ref.random_instance(4, n_cases=10, n_facilities=6, horizon=4, option_share=0.2)
    )
    for cases, facilities in components(p):
        sub, original = subproblem(p, cases, facilities)
        assert sub.n_options == original.size
        assert [sub.case_ids[c] for c in sub.opt_case] == [
            p.case_ids[c] for c in p.opt_case[original]
        ]
