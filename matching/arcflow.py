"""Arc-flow rows: the exact bed-filling possibilities of a facility, as a flow.

The plain capacity rows let a family of ``b`` beds sit fractionally (``x = 1/b``) in many
facilities at once, which makes the LP bound weak (issue 3). For one facility, every
feasible set of new placements is a path in a small layered graph, and the convex hull
of those paths is exactly what the facility allows. Adding the graph to the model as a
unit flow, linked to the placement variables, gives an LP bound with the facility's
integer structure built in.

The graph. Placements are grouped into *kinds*: same start day, same beds, same last
check day covered. Layers run over the start days in order and, within a day, over its
kinds. A node is the *profile* of beds already taken by new placements on the facility's
remaining check days. An arc from a node of the layer of kind ``k`` adds ``n`` placements
of that kind (``n = 0`` included); it exists only when the new profile stays within the
free beds of every check day. Moving to the next start day drops the days now past. The
source is the empty profile before the first layer; every path ends in the single empty
profile after the last layer.

Rows (all equalities). Flow balance at every inner node, one unit out of the source, and
for each layer ``sum(n x arc flow) = sum(x of that kind)``. Any integer plan at the facility
is a path, so the rows cut off no plan.

Facilities where every placement needs one bed are skipped: their capacity rows form an
interval matrix, whose LP is already integral for the facility on its own.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.formulation import Formulation

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]

MAX_ARCS_PER_FACILITY = 4_000  # larger graphs are skipped: plain capacity rows remain
# facilities with more layers are skipped before their graph is tried: with short stays
# (issue 11) most such graphs pass MAX_ARCS_PER_FACILITY after 50-90 ms each, 4 to 6 s in all
MAX_LAYERS = 80
# a whole round's graphs together have at most this many arcs per placement variable (or
# MAX_ARCS_PER_FACILITY, for small rounds whose LP is quick whatever its arcs): graphs that
# would add more are skipped. The LP's time grows with them: 0.3 s -> 6.2 s on an unseen
# sweep round of 300 cases over 7 days (families of up to 4 beds, stays of any length,
# 39,110 arcs on 30,936 variables), whose limits of 2 and 5 s then left the greedy plan,
# 61 % above the optimum. The family shapes at S and M have 0.01-0.24 per variable.
MAX_ARCS_PER_VARIABLE = 0.4

Profile = tuple[int, ...]


@dataclass(frozen=True, eq=False)
class ArcFlow:
    """Arc variables and their equality rows, appended after the formulation's variables.

    Parameters
    ----------
    n_arcs
        Arc variables; arc ``a`` is model column ``n_vars + a``, bounded to [0, 1].
    rows, cols, vals
        Coefficients of the equality rows (``cols`` in model column numbering).
    rhs
        Right-hand side of each row.
    facilities
        Facilities that got a graph.
    """

    n_arcs: int
    rows: IntArray
    cols: IntArray
    vals: FloatArray
    rhs: FloatArray
    facilities: IntArray

    @property
    def n_rows(self) -> int:
        """Number of constraint rows."""
        return int(self.rhs.shape[0])


@dataclass
class _Graph:
    """Arcs (tail node, head node, count) and each arc's layer, as Python lists."""

    tail: list[int]
    head: list[int]
    count: list[int]
    layer: list[int]
    n_nodes: int


def _kinds(form: Formulation, vars_f: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Per variable of the facility: its stage, first and end check-day index."""
    p = form.problem
    f = int(form.var_facility[vars_f[0]])
    days = form.check_days[f]
    start = form.var_day[vars_f]
    end = np.minimum(start + p.stay_to[form.var_option[vars_f]], p.horizon_days)
    return (
        np.searchsorted(days, start).astype(np.int32),
        np.searchsorted(days, end).astype(np.int32),
        p.case_beds[form.var_case[vars_f]].astype(np.int32),
    )


def _layers(
    first: IntArray, last: IntArray, beds: IntArray
) -> list[tuple[int, int, int, IntArray]]:
    """Layers ``(start index, end index, beds, member positions)`` in start-day order."""
    key = np.stack([first, last, beds], axis=1)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    return [
        (int(k0), int(k1), int(b), np.flatnonzero(inverse == i).astype(np.int32))
        for i, (k0, k1, b) in enumerate(uniq.tolist())
    ]


def _build_graph(
    cap: IntArray, layers: list[tuple[int, int, int, IntArray]], max_arcs: int
) -> _Graph | None:
    """Layered DP over profiles; ``None`` when it would exceed ``max_arcs`` arcs."""
    graph = _Graph([], [], [], [], 1)
    origin = layers[0][0]
    frontier: dict[Profile, int] = {(0,) * (cap.size - origin): 0}
    for li, (k0, k1, b, members) in enumerate(layers):
        next_origin = layers[li + 1][0] if li + 1 < len(layers) else cap.size
        nxt: dict[Profile, int] = {}
        for prof, node in frontier.items():
            shift = k0 - origin
            cur = np.asarray(prof[shift:], dtype=np.int64)  # profile from this start day
            room = int((cap[k0:k1] - cur[: k1 - k0]).min()) if k1 > k0 else 0
            for n in range(min(members.size, max(room, 0) // b) + 1):
                new = cur.copy()
                new[: k1 - k0] += n * b
                key = tuple(new[next_origin - k0 :].tolist())
                head = nxt.setdefault(key, graph.n_nodes + len(nxt))
                graph.tail.append(node)
                graph.head.append(head)
                graph.count.append(n)
                graph.layer.append(li)
            if len(graph.tail) > max_arcs:
                return None
        graph.n_nodes += len(nxt)
        frontier, origin = nxt, next_origin
    return graph


def _facility_rows(
    graph: _Graph, layers: list[tuple[int, int, int, IntArray]], vars_f: IntArray, arc0: int
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Balance, source and linking rows of one graph (rows numbered from 0)."""
    tail, head = np.array(graph.tail), np.array(graph.head)
    count, layer = np.array(graph.count, dtype=np.float64), np.array(graph.layer)
    arcs = arc0 + np.arange(tail.size)
    sink = int(head.max())  # the single node after the last layer
    # node rows: node i -> row i (the source's row asks one unit out; the sink has none)
    node_rows = np.concatenate([tail, head[head != sink]])
    node_cols = np.concatenate([arcs, arcs[head != sink]])
    node_vals = np.concatenate([-np.ones(tail.size), np.ones(int((head != sink).sum()))])
    node_rhs = np.zeros(sink)
    node_rhs[0] = -1.0
    link_rows = [sink + layer]
    link_cols = [arcs]
    link_vals = [count]
    for li, (_, _, _, members) in enumerate(layers):
        link_rows.append(np.full(members.size, sink + li))
        link_cols.append(vars_f[members].astype(np.int64))
        link_vals.append(-np.ones(members.size))
    return (
        np.concatenate([node_rows, *link_rows]).astype(np.int32),
        np.concatenate([node_cols, *link_cols]).astype(np.int32),
        np.concatenate([node_vals, *link_vals]),
        np.concatenate([node_rhs, np.zeros(len(layers))]),
    )


def build_arcflow(
    form: Formulation,
    *,
    max_arcs: int = MAX_ARCS_PER_FACILITY,
    deadline: float = math.inf,
    per_variable: float = math.inf,
) -> ArcFlow:
    """Arc-flow rows for every facility with families whose graph is small enough.

    Parameters
    ----------
    form
        The time-indexed formulation; arc columns are numbered after its variables.
    max_arcs
        Facilities whose graph would have more arcs keep only their capacity rows.
    deadline
        Wall-clock time after which no more graphs are built (those built are kept).
    per_variable
        So do facilities whose graph would take all graphs past this many arcs per
        variable of ``form`` (and past ``max_arcs``): ``MAX_ARCS_PER_VARIABLE`` for a
        whole round. Not for the kept columns of a large round (:func:`matching.exact.improve`):
        capped there, `families` and `eligibility-2` at M got plans 0.02-0.04 % worse and
        took 1-3 s longer.

    Returns
    -------
    ArcFlow
        The arc variables and rows (empty when no facility qualifies).
    """
    p = form.problem
    fac = form.var_facility
    order = np.argsort(fac, kind="stable").astype(np.int32)
    bounds = np.searchsorted(fac[order], np.arange(p.n_facilities + 1))
    parts: list[tuple[IntArray, IntArray, FloatArray, FloatArray]] = []
    done: list[int] = []
    n_arcs, n_rows = 0, 0
    most = max(per_variable * form.n_vars, max_arcs)
    for f in range(p.n_facilities):
        vars_f = order[bounds[f] : bounds[f + 1]]
        if time.perf_counter() > deadline:
            break
        if vars_f.size == 0 or (p.case_beds[form.var_case[vars_f]] == 1).all():
            continue
        first, last, beds = _kinds(form, vars_f)
        layers = _layers(first, last, beds)
        if len(layers) > MAX_LAYERS:
            continue
        cap = p.free_beds[f, form.check_days[f]].astype(np.int64)
        graph = _build_graph(cap, layers, max_arcs)
        if graph is None or n_arcs + len(graph.tail) > most:
            continue
        r, c, v, rhs = _facility_rows(graph, layers, vars_f, form.n_vars + n_arcs)
        parts.append((r + n_rows, c, v, rhs))
        n_arcs += len(graph.tail)
        n_rows += rhs.size
        done.append(f)
    if not parts:
        empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0)
        return ArcFlow(0, empty_i, empty_i, empty_f, empty_f, empty_i)
    return ArcFlow(
        n_arcs=n_arcs,
        rows=np.concatenate([x[0] for x in parts]).astype(np.int32),
        cols=np.concatenate([x[1] for x in parts]).astype(np.int32),
        vals=np.concatenate([x[2] for x in parts]),
        rhs=np.concatenate([x[3] for x in parts]),
        facilities=np.array(done, dtype=np.int32),
    )
