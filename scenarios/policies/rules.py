"""Rule-based policies: national first-come-first-served and today's current practice.

Both walk the waiting list in arrival order (ties: the order cases were drawn in) and give
each case the first eligible free bed it may take, if any, before looking at the next case;
a case that finds nothing keeps its place in the queue. "First" bed: the lowest placement
penalty (unmet soft needs, distance from the region where the case was signalled, outside
its preferred regions), ties by facility id. A placement must also fit in what is left of
its funding stream's budget this year.
"""

from __future__ import annotations

import numpy as np

from capacity import PlacementType
from scenarios.policies.base import RULE, Decision
from scenarios.state import CaseRecord, FloatArray, IntArray, SimState

OWN = 0  # rank of a bed the case may take first (own region, or a national type)
OTHER = 1  # rank of a bed in another region, once that is allowed


class FifoPolicy:
    """``fifo``: one national pool, the run's rulebook, first come first served."""

    def decide(self, state: SimState, now: float) -> Decision:
        free = state.free_now()
        if not state.waiting or not free.any():
            return Decision([], RULE)
        left = state.budget_left()
        out: list[tuple[int, int]] = []
        for record in state.waiting.values():
            f = self.choose(state, record, free, left, now)
            if f is None:
                continue
            free[f] -= record.case.beds
            s = int(state.stream_of[f])
            left[s] -= state.expected_cost(record, f)
            out.append((record.index, f))
            if not free.any():
                break
        return Decision(out, RULE)

    def ranks(
        self, state: SimState, record: CaseRecord, facilities: IntArray, now: float
    ) -> IntArray:
        """Per candidate facility, its rank (lower first); ``-1`` where not allowed."""
        del state, record, now  # every eligible bed ranks the same nationally
        return np.zeros(facilities.size, dtype=np.int64)

    def choose(
        self,
        state: SimState,
        record: CaseRecord,
        free: IntArray,
        left: FloatArray,
        now: float,
    ) -> int | None:
        """The facility the case takes now, or ``None``."""
        opts = state.options(record)
        if opts.empty:
            return None
        fits = free[opts.facility] >= record.case.beds
        if not fits.any():
            return None
        facs, penalty = opts.facility[fits], opts.penalty[fits]
        rank = self.ranks(state, record, facs, now)
        best: tuple[int, float, int] | None = None
        for f, p, r in zip(facs.tolist(), penalty.tolist(), rank.tolist(), strict=True):
            if r < 0 or not state.affordable(record, f, left):
                continue
            key = (r, p, f)
            if best is None or key < best:
                best = key
        return None if best is None else best[2]


class CurrentPracticePolicy(FifoPolicy):
    """``current-practice``: CoMensha places its types nationally, regions the rest.

    Parameters
    ----------
    national_types
        Placement types placed nationally, first come first served (COSM and OMM).
    out_of_region_after_days
        Days a case waits before beds of the other types outside the region where it was
        signalled are open to it. A case whose safety requires distance from its region of
        exploitation may take them at once (the policy framework on placement outside the
        region, Valente).
    complex_search_days
        Days it takes to find a place for a complex case (any class above the rulebook's
        first) before any bed is open to it (issue 15: placing multi-problem cases is
        "intensive and lengthy", CoMensha about 2018; combined problems make a placement
        "extra difficult", 2024-25). The sources give no number: the value is fitted to
        their order, complex cases waiting longest (``docs/calibration.md``).
    """

    def __init__(
        self,
        national_types: frozenset[PlacementType],
        out_of_region_after_days: float,
        *,
        complex_search_days: float = 0.0,
    ):
        self.national_types = national_types
        self.after_days = out_of_region_after_days
        self.search_days = complex_search_days

    def ranks(
        self, state: SimState, record: CaseRecord, facilities: IntArray, now: float
    ) -> IntArray:
        waited = now - record.arrival
        if waited < self.search_days and record.complexity != _standard_class(state):
            return np.full(facilities.size, -1, dtype=np.int64)  # its place is still sought
        home = record.case.region_signalled
        may_leave = waited >= self.after_days or state.safety_requires_distance(record)
        out = np.empty(facilities.size, dtype=np.int64)
        for j, f in enumerate(facilities.tolist()):
            if state.type_of[f] in self.national_types or state.region_of[f] == home:
                out[j] = OWN
            else:
                out[j] = OTHER if may_leave else -1
        return out


def _standard_class(state: SimState) -> str:
    """The first (lowest) complexity class of the run's rulebook: the standard cases."""
    return state.rulebook.rules.priority.complexity.classes[0].name
