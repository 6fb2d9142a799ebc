"""A Lagrangian bound over capacity and budgets, valid at every step (issue 11).

The free-bed rows (per facility and day) and the budget rows are moved into the
objective, priced at ``lam[f, d] >= 0`` weighted days per bed and ``mu[s] >= 0`` weighted
days per euro; keep-apart rows are dropped. What is left splits by case: each case takes
its cheapest priced (option, start day), or stays unplaced when nothing is cheaper. For
any prices the result,

    constant + sum over cases of min(0, min over (option, day) of
        [saving + beds x (lam over the days of the stay) + cost x mu])
    - sum lam x free - sum mu x budget,

is a proven lower bound on the round (weak duality), whether or not the prices are good.

Start days are priced **implicitly**: a prefix sum of ``lam`` per facility gives every
stay's price in O(1), and every option is priced on every start day at once (numpy, in
chunks of options), so no formulation column is built. The days priced are those
:func:`matching.formulation.build_formulation` would keep over the *whole* round (its
candidate start days with the case's beds free on every day of the stay), so the bound
holds for the round even when the model solved is restricted to fewer start days. With
too little time for every start day, ``Relaxation(problem, days=...)`` prices beds on a
few checkpoint days only (:mod:`matching.checkpoint_pairs`): a weaker bound, set up in a
tenth of the time, from which no plans are made.

The prices follow projected subgradient steps of Polyak's length towards an aim between
the best bound and the best plan's value (:mod:`matching.step_aim`: the level method);
every step's bound is valid and the best is kept. Each step's direction is **deflected**
(Camerini, Fratta and Maffioli, Math. Programming Study 3, 1975): when the new subgradient
points against the last direction, ``DEFLECTION`` times its projection on it is taken back
out, which damps the zig-zag of plain steps (issue 11, the same seconds of steps from 0,
plain against deflected: ``issue-11`` M in 20 s 88,862 to 89,563; in 25 s at L,
``issue-11`` 735,854 to 821,071, more than plain steps reach in 150 s). Prices to start
from may be given; from 0 it levels off fastest where measured (issue 11, ``short-stays``
M: 80,307 in 8 s from 0, 79,011 from column generation's last duals after 12 s of it,
plain steps).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matching.checkpoint_pairs import CheckpointPairs, checkpoint_days
from matching.formulation import binding_streams, fit_reach, open_start_days
from matching.pair_fields import PairFields, Pairs
from matching.problem import MatchingProblem
from matching.step_aim import LevelAim, StepAim

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
CHUNK_ENTRIES = 2_000_000  # (option, day) entries priced at once (16 MB a float array)
MAX_STEPS = 500
# the deflection's factor: 1.5 is the one Camerini, Fratta and Maffioli recommend; 2.0 did
# as well or better on 5 of 6 rounds measured (issue 11: 1.0, 1.5 and 2.0 tried on issue-11
# and short-stays M and L, budget-region, budget-national and families M)
DEFLECTION = 2.0
FIRST_STEP = 1.0  # Polyak's factor: the share of the way to the aim a step goes
TRAIL_EVERY = 5  # steps between prices kept for plans, at least
TRAIL_KEPT = 8  # price vectors kept for plans, at most
# usable (option, start day) pairs priced per second on a busy machine, for planning a
# stage's time (a step: 0.24-0.35 s for 18-24 million usable pairs at L, load about 1;
# 0.04-0.17 s for 5-18 million on sweep rounds, quiet)
ENTRIES_PER_SECOND = 20_000_000
# a step's seconds per usable pair, as a share of what the set-up took per open pair: the
# first step's estimate, at the pace of this machine now (0.11-0.30 on sweep rounds of
# 5-18 million usable pairs, quiet; the rest is margin)
STEP_SETUP_RATIO = 0.5
# the first chunk's pace counts at this share of what it took (a cold start: 1.5-2.4 times
# the next chunks on a sweep round, issue 11)
COLD_CHUNK_SHARE = 0.5
# open pairs per second the set-up takes at best (0.87 s for 37.6 million on a sweep round,
# quiet): with less time than that it does not start; otherwise it measures its own pace
# as it goes and stops once it would not end in time (Relaxation)
SETUP_FASTEST_ENTRIES_PER_SECOND = 50_000_000
# open pairs set up per second on a busy machine, for planning a stage's time before the
# set-up (3.7-4.0 s for 20-26 million open pairs at L, issue-11 and eligibility-30, load 1)
SETUP_ENTRIES_PER_SECOND = 5_000_000
# Which pairs to set up when none are given (_relaxation_by). Where plans are made from the
# prices (matching.large), every start day is tried when its set-up at FULL_SETUP_PACE
# open pairs a second takes at most FULL_SETUP_SHARE of the time left (it then stops
# itself when its measured pace says it would not end in time): checkpoints wherever
# every start day and ten steps did not fit gave sweep seeds 62 and 63 (800 cases, T =
# 2-5 s) plans 25 % and 109 % worse, no plans being made from them. Where only the bound
# is wanted (a round without a model), every start day only when its set-up at the
# fastest pace and FULL_MIN_STEPS steps at a busy machine's fit: checkpoints gave the
# better bound on 5 of 7 sweep rounds at T = 1 s that could have set up every start day
# (seed 165: gap 51.3 % -> 24.8 %; seed 15 the other way, 14.9 % -> 43.8 %)
FULL_SETUP_PACE = 20_000_000
FULL_SETUP_SHARE = 0.5
FULL_MIN_STEPS = 10
# (option, breakpoint) entries the checkpoint set-up looks at per second (3.2-6.0 million
# in 0.28-0.54 s on sweep seeds 146 and 194, quiet, 0.06-0.1 s of it fixed); it is sized
# to this share of the time left
CHECKPOINT_ENTRIES_PER_SECOND = 8_000_000
CHECKPOINT_SETUP_SHARE = 0.4
MAX_CHECKPOINTS = 16
# Polyak's factor on checkpoints: tens of steps towards a plan that may be
# far above the optimum (a greedy cut short): 0.1-0.3 reached 1.1-10 times the bound of
# 1.0 in 0.3 s on sweep seeds 39, 59 and 137 (issue 11)
CHECKPOINT_FIRST_STEP = 0.2


@dataclass(frozen=True, eq=False)
class CapacityBound:
    """The best Lagrangian bound found and the prices that gave it.

    Parameters
    ----------
    bound
        Proven lower bound on the round's optimum (``-inf`` when no step ran).
    bed_prices
        ``(n_facilities, horizon_days)``: weighted days per bed and day.
    budget_prices
        Per stream: weighted days per euro (0 for streams that cannot bind).
    steps
        Lagrangian subproblems solved.
    relaxation
        The relaxed round the steps priced (its pairs), for more steps on the same round
        without setting it up again (2.5-3.9 s at L); ``None`` when none was set up, or
        when beds were priced on checkpoint days only.
    trail
        Prices (beds, budget rows of ``relaxation``) that raised the bound, at most one
        every ``TRAIL_EVERY`` steps and the last ``TRAIL_KEPT``, the best last: the plans
        made from them (:mod:`matching.priced_plans`) differ.
    on_checkpoints
        Beds were priced on checkpoint days only (:mod:`matching.checkpoint_pairs`).
    budgets_whole
        ``bound`` was raised by keeping the budgets whole at ``bed_prices``
        (:mod:`matching.knapsack_bound`).
    """

    bound: float
    bed_prices: FloatArray
    budget_prices: FloatArray
    steps: int
    relaxation: Relaxation | None = field(default=None, repr=False)
    trail: tuple[tuple[FloatArray, FloatArray], ...] = field(default=(), repr=False)
    on_checkpoints: bool = False
    budgets_whole: bool = False

    @property
    def note(self) -> str:
        """What the bound is, for a result's notes."""
        days = "on checkpoint days" if self.on_checkpoints else "over every start day"
        if self.budgets_whole:
            return f"bound with the budgets kept whole at Lagrangian prices on beds {days}"
        return f"bound by Lagrangian prices on beds and budgets {days}"


class Relaxation:
    """The relaxed round as (option, start day) pairs, grouped by case.

    Only the pairs a placement may use are kept: a candidate start day of the facility
    (:func:`candidate_mask`) with a free bed, on which the case's beds are free on every
    day of the stay.

    The set-up runs in chunks of ``CHUNK_ENTRIES`` open pairs; with a ``deadline`` it stops
    after a chunk as soon as the pace it has measured says that it and a first step
    (``first_step_seconds``, from the same pace) would not end by then, and raises
    :class:`SetUpTooLateError` (:meth:`within` answers ``None`` instead). Sweep rounds of
    6-38 million open pairs set up in 0.3-2.5 s and stepped in 0.04-0.17 s where
    estimates made before them said 1.2-7.5 s and 0.3-1.9 s, so no step ran and the
    answer carried the single-case bound (issue 11).
    """

    def __init__(
        self, problem: MatchingProblem, deadline: float = math.inf, days: IntArray | None = None
    ) -> None:
        p = problem
        self.problem = p
        self.h = p.horizon_days
        self.free = np.maximum(p.free_beds, 0).astype(np.float64)
        self.streams = binding_streams(p).astype(np.int64)
        row = np.full(len(p.stream_ids) + 1, -1, dtype=np.int64)  # NO_STREAM reads the last
        row[self.streams] = np.arange(self.streams.size)
        self.budget = p.budget[self.streams].astype(np.float64)
        # euros per placement, per budget row: a row's slope in placements, not in euros,
        # so that its price moves at the pace of the bed prices (issue-11 M: in euros the
        # budget rows took every step and the bound did not move in 10 s)
        paid = np.flatnonzero(row[p.opt_stream] >= 0)
        rows_paid = row[p.opt_stream[paid]]
        spent = np.bincount(rows_paid, p.opt_cost[paid], minlength=self.streams.size)
        count = np.bincount(rows_paid, minlength=self.streams.size)
        self.budget_scale = np.maximum(spent / np.maximum(count, 1), 1.0)
        self.constant = float(p.unplaced_cost.sum())
        # the days whose bed prices may be above 0: every day, or the checkpoint days
        self.priced_days: BoolArray | None = None
        if days is not None:
            self._at_checkpoints(row, days, deadline)
            return
        chunks = _PairChunks(p, row)
        for _ in chunks.run():
            if time.perf_counter() + chunks.seconds_left() >= deadline:
                raise SetUpTooLateError(chunks.seconds_left())
        self.step_estimate = STEP_SETUP_RATIO * chunks.pace() * chunks.fields.usable
        self._take(chunks.fields.written())

    def _at_checkpoints(self, row: IntArray, days: IntArray, deadline: float) -> None:
        """Only the checkpoints' bed prices move; each option's few cheapest start days.

        (:mod:`matching.checkpoint_pairs`.) Its pairs are not every usable pair of the
        round, so no plan is made from them. Stops like the full set-up: once its pace
        says that it and a first step would not end by the deadline.
        """
        pairs = CheckpointPairs(self.problem, row, days)
        for _ in pairs.run():
            left = pairs.seconds_left()  # and a first step, about half the set-up's time
            late = left + STEP_SETUP_RATIO * (time.perf_counter() - pairs.started + left)
            if time.perf_counter() + late >= deadline:
                raise SetUpTooLateError(late)
        kept = pairs.fields.usable
        self.priced_days = np.zeros(self.h, dtype=bool)
        self.priced_days[days] = True
        pace = (time.perf_counter() - pairs.started) / max(pairs.done * pairs.width, 1)
        self.step_estimate = STEP_SETUP_RATIO * pace * kept
        self._take(pairs.fields.written())

    def _take(self, pairs: Pairs) -> None:
        self.option, self.beds = pairs.option, pairs.beds  # the options: for plans
        self.start, self.end = pairs.start, pairs.end  # in the prefix sums
        self.static, self.budget_row = pairs.static, pairs.budget_row
        self.cost, self.group_start = pairs.cost, pairs.group_start

    @classmethod
    def within(
        cls, problem: MatchingProblem, deadline: float, pairs: int | None = None
    ) -> Relaxation | None:
        """The relaxation, or ``None`` when it and a first step would not end by ``deadline``.

        ``pairs``: :func:`open_pairs`, when the caller has it (4-36 ms a count).
        """
        pairs = open_pairs(problem) if pairs is None else pairs
        if time.perf_counter() + pairs / SETUP_FASTEST_ENTRIES_PER_SECOND >= deadline:
            return None  # not even the fastest set-up seen would end in time
        try:
            return cls(problem, deadline)
        except SetUpTooLateError:
            return None

    def first_step_seconds(self) -> float:
        """About how long a step over these pairs takes, at the pace of the set-up."""
        return self.step_estimate

    def on_priced_days(self, lam: FloatArray) -> FloatArray:
        """The bed prices with every day outside the checkpoints at 0.

        The checkpoint pairs are each option's cheapest only under such prices, so any
        other day's price would make the bound unproven.
        """
        if self.priced_days is None:
            return lam
        kept: FloatArray = np.where(self.priced_days, lam, 0.0)
        return kept

    def priced(self, lam: FloatArray, mu: FloatArray) -> FloatArray:
        """Each pair's saving plus the price of its beds and its cost (its reduced cost)."""
        lam = self.on_priced_days(lam)
        prefix = np.zeros((lam.shape[0], self.h + 1))
        np.cumsum(lam, axis=1, out=prefix[:, 1:])
        flat = prefix.ravel()
        value = flat[self.end]
        value -= flat[self.start]
        value *= self.beds
        value += self.static
        if self.streams.size:
            value += self.cost * np.append(mu, 0.0)[self.budget_row]
        priced: FloatArray = value
        return priced

    def solve(self, lam: FloatArray, mu: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        """The Lagrangian's value at these prices, and its subgradient (capacity, budgets).

        With checkpoints, the value at the prices with every other day's at 0, and the
        subgradient 0 on those days (so the steps keep them at 0).
        """
        lam = self.on_priced_days(lam)
        value = self.priced(lam, mu)
        chosen = np.zeros(0, dtype=np.int64)
        if value.size:
            smallest = np.minimum.reduceat(value, self.group_start)
            sizes = np.diff(np.append(self.group_start, value.size))
            hits = np.flatnonzero(value == np.repeat(smallest, sizes))
            chosen = hits[np.searchsorted(hits, self.group_start)]
            chosen = chosen[value[chosen] < 0]
        bound = (
            self.constant
            + float(value[chosen].sum())
            - float((lam * self.free).sum())
            - float(mu @ self.budget)
        )
        beds, budgets = self._slopes(chosen)
        if self.priced_days is not None:
            beds[:, ~self.priced_days] = 0.0
        return bound, beds, budgets

    def _slopes(self, chosen: IntArray) -> tuple[FloatArray, FloatArray]:
        """What the chosen pairs use beyond the free beds and the budgets."""
        beds = self.beds[chosen].astype(np.float64)
        diff = np.bincount(self.start[chosen], beds, minlength=self.free.size + self.free.shape[0])
        diff -= np.bincount(self.end[chosen], beds, minlength=diff.size)
        use = np.cumsum(diff.reshape(self.free.shape[0], self.h + 1), axis=1)[:, : self.h]
        rows = self.budget_row[chosen]
        paid = rows >= 0
        spent = np.bincount(rows[paid], self.cost[chosen[paid]], minlength=self.budget.size)
        return use - self.free, spent - self.budget


class SetUpTooLateError(Exception):
    """The relaxation's set-up stopped: it and a first step would not end by its deadline."""


class _PairChunks:
    """The usable (option, start day) pairs chunk by chunk, each with what prices it.

    Each option gets its facility's open candidate days (a sparse list per facility, not a
    row over every day of the horizon: issue 11, ``eligibility-30`` L has 15.5 million
    options but 26 million open pairs, where a row a day is 933 million entries and its
    set-up was estimated at 117 s, so no step ran); a stay fits when it ends by
    ``formulation.fit_reach``'s day. Options go in case order, cut into chunks of about
    ``CHUNK_ENTRIES`` open pairs.

    The fields go into :class:`matching.pair_fields.PairFields` as long as the open pairs
    (the unused rest never takes memory).
    """

    def __init__(self, problem: MatchingProblem, row: IntArray) -> None:
        p = problem
        self.h = p.horizon_days
        fac, day = np.nonzero(open_start_days(p))  # by facility, day
        self.day = day.astype(np.int64)
        self.offset = np.searchsorted(fac, np.arange(p.n_facilities + 1))
        most = int(p.case_beds.max()) if p.n_cases else 1
        self.reach = fit_reach(p.free_beds, most)
        order = np.argsort(p.opt_case, kind="stable").astype(np.int64)
        self.facility = p.opt_facility.astype(np.int64)
        self.option_beds = p.case_beds[p.opt_case].astype(np.int64)
        self.stay = p.stay_to.astype(np.int64)
        open_days = (self.offset[1:] - self.offset[:-1])[self.facility[order]]
        self.total = int(open_days.sum())
        cuts = np.searchsorted(
            np.cumsum(open_days), np.arange(CHUNK_ENTRIES, self.total, CHUNK_ENTRIES)
        )
        self.parts = list(zip(np.split(order, cuts), np.split(open_days, cuts), strict=True))
        self.fields = PairFields(p, row, self.total)
        self.done = 0  # open pairs looked at
        self.chunks = self.first = 0  # chunks added; open pairs in the first
        self.started = self.warm = time.perf_counter()  # set-up's start; after the first

    def run(self) -> Iterator[None]:
        """Add the chunks one by one, pausing after each."""
        for options, open_days in self.parts:
            self._add(options, open_days)
            yield

    def pace(self) -> float:
        """Seconds an open pair takes, from the second chunk on when there is one.

        The first chunk pays for fresh memory and a cold cache: 1.5-2.4 times the next
        ones on a sweep round (issue 11), which stopped set-ups that would have ended in
        time; alone, it counts at ``COLD_CHUNK_SHARE`` of its pace.
        """
        if self.chunks >= 2:
            return (time.perf_counter() - self.warm) / max(self.done - self.first, 1)
        return COLD_CHUNK_SHARE * (time.perf_counter() - self.started) / max(self.done, 1)

    def seconds_left(self) -> float:
        """The rest of the set-up and a first step, at the pace measured so far."""
        if self.done == 0:
            return 0.0
        pace, share = self.pace(), self.total / self.done
        usable = self.fields.usable
        return pace * (self.total - self.done) + STEP_SETUP_RATIO * pace * usable * share

    def _add(self, options: IntArray, open_days: IntArray) -> None:
        h = self.h
        option = np.repeat(options, open_days)
        f = self.facility[option]
        position = np.arange(option.size) - np.repeat(np.cumsum(open_days) - open_days, open_days)
        day = self.day[self.offset[f] + position]
        end = np.minimum(day + self.stay[option], h)
        fits = self.reach[self.option_beds[option], f, day] >= end
        self.fields.add(option[fits], f[fits], day[fits], end[fits])
        self.done += int(open_days.sum())
        self.chunks += 1
        if self.chunks == 1:
            self.first, self.warm = self.done, time.perf_counter()


def no_bound(problem: MatchingProblem, relaxation: Relaxation | None = None) -> CapacityBound:
    """The answer when no step ran: bound ``-inf``, prices 0 (and the pairs, when set up)."""
    p = problem
    beds, budgets = np.zeros(p.free_beds.shape), np.zeros(len(p.stream_ids))
    return CapacityBound(-math.inf, beds, budgets, 0, relaxation)


def open_pairs(problem: MatchingProblem) -> int:
    """The (option, open candidate day) pairs :class:`Relaxation` weighs, at most.

    What its set-up and each step cost grows with (``n_options x horizon`` overstated it
    35 times on ``eligibility-30`` L, where no step then seemed to fit in 60 s).
    """
    p = problem
    per_facility = open_start_days(p).sum(axis=1)
    return int(per_facility[p.opt_facility].sum())


def bound_seconds(problem: MatchingProblem, steps: int = 1, pairs: int | None = None) -> float:
    """About how long the set-up and ``steps`` steps take on a busy machine, before it.

    For planning a stage's time; whether the set-up ends in time is decided by its own
    measured pace (:class:`Relaxation`). ``pairs``: :func:`open_pairs`, when known.
    """
    pairs = open_pairs(problem) if pairs is None else pairs
    return pairs / SETUP_ENTRIES_PER_SECOND + steps * pairs / ENTRIES_PER_SECOND


def capacity_bound(
    problem: MatchingProblem,
    *,
    deadline: float,
    incumbent: float,
    bed_prices: FloatArray | None = None,
    budget_prices: FloatArray | None = None,
    relaxation: Relaxation | None = None,
    max_steps: int = MAX_STEPS,
    first_step: float | None = None,
    plans: bool = True,
    aim: StepAim | None = None,
) -> CapacityBound:
    """The best Lagrangian bound over capacity and budgets reached by the deadline.

    Parameters
    ----------
    problem
        The (part of the) round.
    deadline
        Wall-clock time (``time.perf_counter``) by which to return.
    incumbent
        The best plan's value (the target of the step lengths).
    bed_prices
        ``(n_facilities, horizon_days)`` weighted days per bed and day to start from
        (column generation's capacity duals); 0 by default.
    budget_prices
        Per stream, weighted days per euro to start from; 0 by default.
    relaxation
        The ``relaxation`` of an earlier :class:`CapacityBound` on the same problem (no
        set-up then).
    max_steps
        Subproblems to solve at most.
    first_step
        Polyak's factor (``FIRST_STEP``, or ``CHECKPOINT_FIRST_STEP`` on
        checkpoint days).
    plans
        Whether plans will be made from the prices: every start day is then preferred
        when a relaxation is set up (``FULL_SETUP_SHARE``).
    aim
        Where each step aims (:class:`matching.step_aim.LevelAim` towards ``incumbent``
        by default; another rule for comparing them, as the step study does).

    Returns
    -------
    CapacityBound
        Without ``relaxation``, it sets one up: over every start day when that fits the
        time (``FULL_SETUP_SHARE``, ``FULL_MIN_STEPS``), on checkpoint days otherwise
        (:mod:`matching.checkpoint_pairs`); the latter's is not
        returned (its pairs are not the round's, so no plan is made from them).
    """
    p = problem
    relax = relaxation
    if relax is None:
        relax = _relaxation_by(p, deadline, plans)
        if relax is None:
            return no_bound(p)  # no set-up and a step would have ended in time
    if first_step is None:
        first_step = FIRST_STEP if relax.priced_days is None else CHECKPOINT_FIRST_STEP
    estimate = relax.first_step_seconds()
    lam = np.zeros(p.free_beds.shape) if bed_prices is None else np.maximum(bed_prices, 0.0)
    mu = (
        np.zeros(relax.streams.size)
        if budget_prices is None
        else np.maximum(budget_prices[relax.streams], 0.0)
    )
    best = (-math.inf, lam, mu)
    trail: list[tuple[FloatArray, FloatArray]] = []
    kept_at = -TRAIL_EVERY
    aim = LevelAim(incumbent) if aim is None else aim
    steps, per_step = 0, estimate
    last: tuple[FloatArray, FloatArray] | None = None  # the last step's direction
    while steps < max_steps and time.perf_counter() + per_step < deadline:
        t0 = time.perf_counter()
        bound, cap_slope, budget_slope = relax.solve(lam, mu)
        steps += 1
        per_step = time.perf_counter() - t0
        improved = bound > best[0] + 1e-9 * max(1.0, abs(bound))
        if improved:
            best = (bound, lam, mu)
            if steps - kept_at >= TRAIL_EVERY:
                trail, kept_at = [*trail[1 - TRAIL_KEPT :], (lam, mu)], steps
        target = aim.after(bound, best[0], improved)
        if target is None:
            break  # the margin has run out (the best prices are kept)
        cap_slope[(lam <= 0) & (cap_slope < 0)] = 0.0  # the projection keeps them at 0
        budget_slope[(mu <= 0) & (budget_slope < 0)] = 0.0
        budget_slope /= relax.budget_scale  # in placements (see Relaxation)
        if last is not None:
            cap_slope, budget_slope = _deflected(cap_slope, budget_slope, *last)
        last = (cap_slope, budget_slope)
        norm = float((cap_slope * cap_slope).sum() + budget_slope @ budget_slope)
        if norm <= 0 or incumbent - bound <= 1e-9 * max(1.0, abs(incumbent)):
            break  # the relaxation's choices keep every row, or the bound meets the plan
        length = first_step * (target - bound) / norm
        lam = np.maximum(lam + length * cap_slope, 0.0)
        mu = np.maximum(mu + length * budget_slope / relax.budget_scale, 0.0)
    return _answer(relax, best, steps, trail)


def _answer(
    relax: Relaxation,
    best: tuple[float, FloatArray, FloatArray],
    steps: int,
    trail: list[tuple[FloatArray, FloatArray]],
) -> CapacityBound:
    """The best bound and its prices; the pairs and trail only when every day is priced."""
    p = relax.problem
    kept = relax if relax.priced_days is None else None
    if not math.isfinite(best[0]):
        return no_bound(p, kept)
    prices = np.zeros(len(p.stream_ids))
    prices[relax.streams] = best[2]
    if kept is None:
        lam = relax.on_priced_days(best[1])
        return CapacityBound(best[0], lam, prices, steps, on_checkpoints=True)
    if not trail or trail[-1][0] is not best[1]:
        trail = [*trail[1 - TRAIL_KEPT :], (best[1], best[2])]
    return CapacityBound(best[0], best[1], prices, steps, relax, tuple(trail))


def _relaxation_by(problem: MatchingProblem, deadline: float, plans: bool) -> Relaxation | None:
    """Every start day when that fits the time, else checkpoint days; ``None`` if neither.

    ``plans``: plans will be made from the prices (see ``FULL_SETUP_SHARE``).
    """
    p = problem
    pairs, left = open_pairs(p), deadline - time.perf_counter()
    if plans:
        full = pairs / FULL_SETUP_PACE < FULL_SETUP_SHARE * left
    else:
        steps = FULL_MIN_STEPS * pairs / ENTRIES_PER_SECOND
        full = pairs / SETUP_FASTEST_ENTRIES_PER_SECOND + steps < left
    if full:
        relax = Relaxation.within(p, deadline, pairs)
        if relax is not None:
            return relax
    count = checkpoint_count(p, deadline - time.perf_counter())
    if count < 1:
        return None
    try:
        return Relaxation(p, deadline, days=checkpoint_days(p.horizon_days, count))
    except SetUpTooLateError:
        return None


def checkpoint_seconds(problem: MatchingProblem, count: int) -> float:
    """The time :func:`checkpoint_count` needs to give ``count`` checkpoint days."""
    entries = (count + 1) * max(problem.n_options, 1)
    return entries / (CHECKPOINT_SETUP_SHARE * CHECKPOINT_ENTRIES_PER_SECOND)


def checkpoint_count(problem: MatchingProblem, seconds: float) -> int:
    """Checkpoint days whose set-up fits ``CHECKPOINT_SETUP_SHARE`` of ``seconds`` (0: none).

    Each option looks at ``days + 1`` breakpoints; at most ``MAX_CHECKPOINTS`` days and
    the horizon.
    """
    entries = CHECKPOINT_SETUP_SHARE * seconds * CHECKPOINT_ENTRIES_PER_SECOND
    count = int(entries / max(problem.n_options, 1) - 1)
    return max(0, min(count, MAX_CHECKPOINTS, problem.horizon_days))


def _deflected(
    cap: FloatArray, budget: FloatArray, last_cap: FloatArray, last_budget: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The subgradient, deflected when it points against the last direction.

    ``DEFLECTION`` times its projection on the last direction is taken out (the steps
    zig-zag otherwise); pointing along it, the subgradient as it is.
    """
    dot = float((cap * last_cap).sum() + budget @ last_budget)
    if dot >= 0:
        return cap, budget
    norm = float((last_cap * last_cap).sum() + last_budget @ last_budget)
    if not norm > 0 or not math.isfinite(dot / norm):
        # a last direction so small that its square underflows (entries of 1e-183: a
        # division by zero): the same projection, on the direction scaled to 1 first
        scale = max(
            float(np.abs(last_cap).max(initial=0.0)), float(np.abs(last_budget).max(initial=0.0))
        )
        last_cap, last_budget = last_cap / scale, last_budget / scale
        dot = float((cap * last_cap).sum() + budget @ last_budget)
        norm = float((last_cap * last_cap).sum() + last_budget @ last_budget)
    beta = -DEFLECTION * dot / norm
    return cap + beta * last_cap, budget + beta * last_budget
