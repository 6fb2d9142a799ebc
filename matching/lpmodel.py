"""The time-indexed model as one sparse matrix, with a bound that any set of duals proves.

``assemble`` lays the formulation's rows out in a fixed order (cases, capacity, budgets,
keep-apart, then the arc-flow rows when given) so HiGHS gets the whole model in one call
and the bound can be recomputed in numpy from whatever duals a solver returns.

A Lagrangian bound is valid for *any* row prices of the right sign, optimal or not, so it
does not rest on the LP solver's tolerances: with prices ``y`` (``y <= 0`` on ``<=`` rows),
every plan ``x`` in [0, 1] satisfies ``c x >= y b + sum_j min(0, c_j - y A_j)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from matching.arcflow import ArcFlow
from matching.formulation import Formulation, Index

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]
# budget rows longer than this are written as blocks of ``BUDGET_BLOCK`` entries
# (``assemble(split=True)``): on the round where a national budget's row of 50,000 entries
# kept HiGHS 2.2-2.6 s in one simplex iteration, blocks of 500 solved the LP in 0.44 s. Not
# shorter rows: the split LP runs without presolve, which cost the 16,000-column LP of RINS
# on issue-11 M (rows of about 5,500) 1.7 -> 3.8 s, and rows of 12,600 (budget-national S)
# gained 0.1 s (issue 11)
LONG_BUDGET_ROW = 20_000
BUDGET_BLOCK = 500


@dataclass(frozen=True, eq=False)
class LinearModel:
    """``min cost x + offset`` s.t. ``row_lower <= A x <= row_upper`` and column bounds.

    Parameters
    ----------
    cost, offset
        Objective coefficients and constant.
    col_lower, col_upper
        Column bounds.
    integer
        Columns that must be whole (the placement variables; arc flows follow from them).
    matrix
        The rows, in CSR form.
    row_lower, row_upper
        Row bounds (``-inf`` below on ``<=`` rows).
    n_x
        The first ``n_x`` columns are the formulation's variables.
    derived
        With a capacity chain, :func:`chain_start`: beds in use as a function of the
        placements (arc flows are left to the solver).
    blocks
        With long budget rows split (:func:`assemble`), what each block of a row spends
        as a function of the placements: the last ``blocks.shape[0]`` columns.
    """

    cost: FloatArray
    offset: float
    col_lower: FloatArray
    col_upper: FloatArray
    integer: BoolArray
    matrix: csr_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    n_x: int
    derived: tuple[csr_matrix, IntArray] | None = None
    blocks: csr_matrix | None = None

    @property
    def n_cols(self) -> int:
        """Number of columns."""
        return int(self.cost.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.row_lower.shape[0])

    def with_bounds(self, lower: FloatArray, upper: FloatArray) -> LinearModel:
        """The same model with other column bounds (to fix variables)."""
        return replace(self, col_lower=lower, col_upper=upper)

    @property
    def n_blocks(self) -> int:
        """Columns that carry a block of a split budget row (the last ones)."""
        return 0 if self.blocks is None else int(self.blocks.shape[0])

    def complete(self, x: FloatArray) -> FloatArray:
        """Every column's value from the first ``n_x`` (a start for the MIP)."""
        out = np.zeros(self.n_cols)
        out[: self.n_x] = x[: self.n_x]
        end = self.n_cols - self.n_blocks
        if self.derived is not None:
            diff, head = self.derived
            total = np.concatenate([[0.0], np.cumsum(diff @ x[: self.n_x])])
            use = total[1:] - total[head]
            out[end - use.size : end] = use
        if self.blocks is not None:
            out[end:] = self.blocks @ x[: self.n_x]
        return out


def assemble(
    form: Formulation,
    arcflow: ArcFlow | None = None,
    *,
    columns: Index | None = None,
    chain: bool = False,
    split: bool = False,
) -> LinearModel:
    """The formulation (and optional arc-flow rows) as one sparse model.

    Parameters
    ----------
    form
        The time-indexed formulation.
    arcflow
        Arc-flow strengthening built on ``form`` (only without ``columns``).
    columns
        Only these of the formulation's variables, in this order (column generation); the
        rows stay those of the whole formulation.
    chain
        Capacity as a chain of beds-in-use columns (:func:`capacity_chain`, only with
        every variable): the same LP, with two entries per variable instead of one per
        check day of its stay (issue 11: 4.4 million entries on the short-stay shape at S).
    split
        Budget rows over more than ``LONG_BUDGET_ROW`` columns written as blocks of
        ``BUDGET_BLOCK``: each block's
        spending is a column of its own, ``block columns - block spending = 0``, and the
        budget row sums the block columns. The same LP; HiGHS's dual simplex spent up to
        3 s in one iteration on a row of 50,000 entries, past its time limit (a sweep's
        round of 1,500 cases with one national budget, issue 11). The simplex must then run
        without presolve, which would put the long row back (:func:`matching.mip.pass_model`).

    Returns
    -------
    LinearModel
        Rows in the order cases, capacity, budgets, keep-apart, arc flow, budget blocks;
        columns in the order placements, arc flows, beds in use, budget blocks.
    """
    if columns is not None and (arcflow is not None or chain):
        raise ValueError("arc-flow and chain rows need every variable of the formulation")
    cols = np.arange(form.n_vars) if columns is None else np.asarray(columns, dtype=np.int64)
    n_arcs = arcflow.n_arcs if arcflow is not None else 0
    n_use = int(form.capacity_slots.size) if chain else 0
    block0 = cols.size + n_arcs + n_use
    x_rows, spent = _x_rows(
        form, cols, chain=chain, use0=cols.size + n_arcs, block0=block0 if split else None
    )
    blocks = [x_rows]
    if arcflow is not None:
        blocks.append((arcflow.rows, arcflow.cols, arcflow.vals, arcflow.rhs, arcflow.rhs))
    if spent is not None:
        blocks.append(_block_rows(spent, block0))
    rows, cols_, vals, lower, upper = _stack(blocks)
    n_blocks = 0 if spent is None else int(spent.shape[0])
    n_cols = block0 + n_blocks
    matrix = csr_matrix((vals, (rows, cols_)), shape=(lower.size, n_cols))
    integer = np.zeros(n_cols, dtype=bool)
    integer[: cols.size] = True
    col_upper = np.ones(n_cols)
    derived = None
    if chain:
        col_upper[cols.size + n_arcs : block0] = form.check_free[form.capacity_slots]
        derived = chain_start(form)
    if spent is not None:  # a block spends at most all of its columns (each at most 1)
        col_upper[block0:] = np.asarray(spent.sum(axis=1)).ravel()
    return LinearModel(
        cost=np.concatenate([form.var_saving[cols], np.zeros(n_cols - cols.size)]),
        offset=form.constant,
        col_lower=np.zeros(n_cols),
        col_upper=col_upper,
        integer=integer,
        matrix=matrix,
        row_lower=lower,
        row_upper=upper,
        n_x=int(cols.size),
        derived=derived,
        blocks=spent,
    )


def _block_rows(spent: csr_matrix, block0: int) -> Block:
    """``what the block's columns spend - the block's column = 0``, one row per block."""
    coo = spent.tocoo()
    n = int(spent.shape[0])
    rows = np.concatenate([coo.row, np.arange(n)])
    cols = np.concatenate([coo.col, block0 + np.arange(n)])
    vals = np.concatenate([coo.data, -np.ones(n)])
    return rows, cols, vals, np.zeros(n), np.zeros(n)


def _split_budgets(
    rows: Index, cols: Index, vals: FloatArray, n_x: int, block0: int
) -> tuple[Index, Index, FloatArray, csr_matrix | None]:
    """Budget rows (sorted by row) with their long rows' entries moved into blocks.

    Returns the rows' entries left (a long row keeps one entry per block, on the block's
    column) and what each block spends (``None`` when no row is long).
    """
    n_rows = int(rows.max()) + 1 if rows.size else 0
    counts = np.bincount(rows, minlength=n_rows)
    long = counts > LONG_BUDGET_ROW
    if not long.any():
        return rows, cols, vals, None
    within = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
    moved = long[rows]
    key = rows[moved].astype(np.int64) * (rows.size + 1) + within[moved] // BUDGET_BLOCK
    unique, block = np.unique(key, return_inverse=True)
    n_blocks = unique.size
    spent = csr_matrix((vals[moved], (block, cols[moved])), shape=(n_blocks, n_x))
    kept = ~moved
    rows = np.concatenate([rows[kept], (unique // (rows.size + 1)).astype(rows.dtype)])
    cols = np.concatenate([cols[kept], block0 + np.arange(n_blocks)])
    vals = np.concatenate([vals[kept], np.ones(n_blocks)])
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], vals[order], spent


def _chain_ends(form: Formulation) -> tuple[IntArray, IntArray, BoolArray, BoolArray]:
    """Per variable, the capacity rows where its beds come into use and are free again.

    Each row is a binding check slot; the two flags say whether each exists at the
    variable's facility.

    Between two binding slots capacity cannot bind, so a stay counts from the first binding
    slot on or after its start and ends at the first on or after its end; one whose two
    are the same slot covers none.
    """
    slots = form.capacity_slots.astype(np.int64)
    n = slots.size
    first, last = (s.astype(np.int64) for s in form.var_slots)
    fac_of_slot = np.searchsorted(form.check_offset, slots, side="right") - 1
    fac = form.var_facility.astype(np.int64)
    a = np.searchsorted(slots, first)
    b = np.searchsorted(slots, last)
    a_ok = (a < n) & (fac_of_slot[np.minimum(a, max(n - 1, 0))] == fac) if n else a < 0
    b_ok = (b < n) & (fac_of_slot[np.minimum(b, max(n - 1, 0))] == fac) if n else b < 0
    covers = a_ok & ~(b_ok & (b == a))
    return a.astype(np.int32), b.astype(np.int32), covers, covers & b_ok


def chain_start(form: Formulation) -> tuple[csr_matrix, IntArray]:
    """How beds in use follow from the placements, as changes on each binding slot.

    ``(binding slots, variables)`` beds coming into use (+) and freed (-) on each binding
    slot, and each slot's first slot at its facility (beds in use are the sum of the
    changes from there).
    """
    a, b, covers, ends = _chain_ends(form)
    slots = form.capacity_slots.astype(np.int64)
    n = slots.size
    beds = form.var_beds.astype(np.float64)
    var = np.arange(form.n_vars)
    diff = csr_matrix(
        (
            np.concatenate([beds[covers], -beds[ends]]),
            (np.concatenate([a[covers], b[ends]]), np.concatenate([var[covers], var[ends]])),
        ),
        shape=(n, form.n_vars),
    )
    fac_of_slot = np.searchsorted(form.check_offset, slots, side="right") - 1
    head = np.searchsorted(fac_of_slot, fac_of_slot).astype(np.int32)
    return diff, head


def capacity_chain(form: Formulation, use0: int) -> Block:
    """The capacity rows as a chain: beds in use fit on every binding check slot.

    One row per binding slot,
    ``use[j] - use[j-1] - beds coming into use on j + beds freed on j = 0`` (``use[j-1]``
    the facility's previous binding slot), ``0 <= use[j] <= free beds`` as column bounds.
    """
    a, b, covers, ends = _chain_ends(form)
    slots = form.capacity_slots.astype(np.int64)
    n = slots.size
    beds = form.var_beds.astype(np.float64)
    var = np.arange(form.n_vars)
    fac_of_slot = np.searchsorted(form.check_offset, slots, side="right") - 1
    chained = np.flatnonzero(fac_of_slot[1:] == fac_of_slot[:-1]) + 1 if n else np.zeros(0, int)
    rows = np.concatenate([a[covers], b[ends], np.arange(n), chained])
    cols = np.concatenate([var[covers], var[ends], use0 + np.arange(n), use0 + chained - 1])
    vals = np.concatenate([-beds[covers], beds[ends], np.ones(n), -np.ones(chained.size)])
    return rows, cols, vals, np.zeros(n), np.zeros(n)


Block = tuple[npt.NDArray[np.integer], npt.NDArray[np.integer], FloatArray, FloatArray, FloatArray]


def _x_rows(
    form: Formulation,
    cols: npt.NDArray[np.int64],
    *,
    chain: bool = False,
    use0: int = 0,
    block0: int | None = None,
) -> tuple[Block, csr_matrix | None]:
    """The four constraint families on the columns ``cols``.

    Entries use column positions; with ``chain`` the capacity rows are
    :func:`capacity_chain` on columns from ``use0``. With ``block0`` long budget rows are
    split into blocks whose columns start there (:func:`_split_budgets`); what each block
    spends is returned too.
    """
    p = form.problem
    position = np.full(form.n_vars, -1, dtype=np.int64)
    position[cols] = np.arange(cols.size)
    parts: list[Block] = []
    case = form.var_case[cols]
    parts.append(
        (case, np.arange(cols.size), np.ones(cols.size), _le(p.n_cases), np.ones(p.n_cases))
    )
    if chain:
        parts.append(capacity_chain(form, use0))
    else:
        r, c, v, rhs = form.capacity_rows(cols)
        parts.append((r, position[c], v, _le(rhs.size), rhs))
    r, c, v, rhs = form.budget_rows(cols)
    scale = budget_scale(form)  # euros to "largest cost" units, for HiGHS's numerics
    b_rows: Index = r
    b_cols: Index = position[c]
    b_vals, spent = v / scale[r], None
    if block0 is not None:
        b_rows, b_cols, b_vals, spent = _split_budgets(b_rows, b_cols, b_vals, cols.size, block0)
    parts.append((b_rows, b_cols, b_vals, _le(rhs.size), rhs / scale))
    r, c = form.keep_apart_rows()
    n_apart = int(r.max()) + 1 if r.size else 0
    inside = position[c] >= 0
    parts.append(
        (r[inside], position[c[inside]], np.ones(int(inside.sum())), _le(n_apart), np.ones(n_apart))
    )
    return _stack(parts), spent


def _le(n: int) -> FloatArray:
    return np.full(n, -np.inf)


def _stack(blocks: list[Block]) -> Block:
    """Blocks of rows one under the other (row numbers shifted)."""
    shift = np.cumsum([0] + [b[3].size for b in blocks])
    return (
        np.concatenate([np.asarray(b[0], np.int64) + shift[i] for i, b in enumerate(blocks)]),
        np.concatenate([np.asarray(b[1], np.int64) for b in blocks]),
        np.concatenate([np.asarray(b[2], np.float64) for b in blocks]),
        np.concatenate([b[3] for b in blocks]),
        np.concatenate([b[4] for b in blocks]),
    )


def budget_scale(form: Formulation) -> FloatArray:
    """Per budget row, the largest cost of an option of its stream (at least 1 euro).

    Budget rows are divided by it: costs in the hundreds of thousands next to bed counts
    of 1 make HiGHS warn of bad scaling. It depends on the problem only, so every set of
    columns gets the same rows.
    """
    p = form.problem
    largest = np.ones(len(p.stream_ids) + 1)  # the extra entry takes NO_STREAM options
    np.maximum.at(largest, p.opt_stream, p.opt_cost)
    return largest[form.binding_streams]


def valid_duals(model: LinearModel, row_dual: FloatArray) -> FloatArray:
    """Row prices with the sign each row allows (a ``<=`` row only through ``y <= 0``)."""
    y = np.asarray(row_dual, dtype=np.float64).copy()
    y[~np.isfinite(model.row_lower) & (y > 0)] = 0.0
    y[~np.isfinite(model.row_upper) & (y < 0)] = 0.0
    return y


def reduced_costs(model: LinearModel, row_dual: FloatArray) -> FloatArray:
    """``cost - A' y`` per column, for the valid part of the prices ``y``."""
    return np.asarray(model.cost - model.matrix.T @ valid_duals(model, row_dual))


def lagrangian_bound(model: LinearModel, row_dual: FloatArray) -> float:
    """A proven lower bound on the model's optimum from any row prices.

    Prices of the wrong sign are set to zero (they would not be valid multipliers); on
    equality rows any sign is valid. Columns take whichever bound makes their reduced cost
    cheapest.

    Parameters
    ----------
    model
        The linear model.
    row_dual
        One price per row (HiGHS convention: reduced cost = cost - A' y).

    Returns
    -------
    float
        The bound, in objective units.
    """
    y = valid_duals(model, row_dual)
    rhs = np.where(y > 0, model.row_lower, model.row_upper)
    rhs = np.where(y == 0, 0.0, rhs)
    reduced = model.cost - model.matrix.T @ y
    cols = np.where(reduced >= 0, model.col_lower, model.col_upper)
    return float(model.offset + y @ rhs + reduced @ cols)
