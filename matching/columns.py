"""A :class:`MatchingProblem` from option columns.

The one place where a round's numbers are rounded. Both ways of building a round end
here: :func:`matching.build_problem` (the live service, the rulebook applied to every
case x facility pair) and the scenario engine's daily rounds
(:mod:`scenarios.policies.optimised`, from its own vectorised state). Rounding weights
and penalties to :data:`WEIGHT_DECIMALS` and costs to cents in one place keeps the two
from drifting apart, so a scenario's round and the same round built live are the same
problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.problem import MatchingProblem

WEIGHT_DECIMALS = 6  # case weights and option penalties (weighted days)
COST_DECIMALS = 2  # option costs (euros: cents)


@dataclass(frozen=True, slots=True)
class OptionColumns:
    """One entry per option (a case x facility pair a round may use).

    Parameters
    ----------
    case
        Index of the case.
    facility
        Index of the facility.
    penalty
        Weighted days the option costs besides waiting (distance, unmet preferences).
    stay
        Days the placement holds its beds (at least 1).
    cost
        Euros the placement costs its funding stream.
    stream
        Index of the funding stream, or ``matching.NO_STREAM``.
    """

    case: npt.NDArray[np.int32]
    facility: npt.NDArray[np.int32]
    penalty: npt.NDArray[np.float64]
    stay: npt.NDArray[np.int32]
    cost: npt.NDArray[np.float64]
    stream: npt.NDArray[np.int32]


def assemble_problem(
    *,
    horizon_days: int,
    unplaced_penalty_days: float,
    facility_ids: tuple[str, ...],
    free_beds: npt.NDArray[np.int32],
    case_ids: tuple[str, ...],
    case_beds: npt.NDArray[np.int32],
    case_weight: npt.ArrayLike,  # rounded one by one, as Python's round() does
    options: OptionColumns,
    stream_ids: tuple[str, ...],
    budget: npt.ArrayLike,
    keep_apart: npt.NDArray[np.int32] | None = None,
) -> MatchingProblem:
    """The problem, with weights, penalties and costs rounded and budgets at least 0.

    Parameters
    ----------
    horizon_days, unplaced_penalty_days, facility_ids, free_beds, case_ids, case_beds
        As in :class:`MatchingProblem`.
    case_weight
        Priority weight per case, rounded here to :data:`WEIGHT_DECIMALS`.
    options
        The options; penalties rounded to :data:`WEIGHT_DECIMALS`, costs to
        :data:`COST_DECIMALS`.
    stream_ids
        The funding streams.
    budget
        Budget left per stream (``inf``: no limit); a negative budget counts as 0.
    keep_apart
        Pairs of case indices never placed at one facility.

    Returns
    -------
    MatchingProblem
        The problem, validated as every problem is.
    """
    extra = {} if keep_apart is None else {"keep_apart": keep_apart}
    return MatchingProblem(
        horizon_days=horizon_days,
        unplaced_penalty_days=float(unplaced_penalty_days),
        facility_ids=facility_ids,
        free_beds=free_beds,
        case_ids=case_ids,
        case_beds=case_beds,
        case_weight=np.array(
            [round(float(w), WEIGHT_DECIMALS) for w in np.asarray(case_weight).tolist()],
            dtype=np.float64,
        ),
        opt_case=options.case,
        opt_facility=options.facility,
        opt_penalty=np.round(options.penalty, WEIGHT_DECIMALS),
        opt_stay=options.stay,
        opt_cost=np.round(options.cost, COST_DECIMALS),
        opt_stream=options.stream,
        stream_ids=stream_ids,
        budget=np.maximum(np.asarray(budget, dtype=np.float64), 0.0),
        **extra,
    )
