"""What an anticipatory round decides, given the myopic plan and sampled futures (issue 13).

The one definition shared by the scenarios' ``anticipatory`` policy and the live matching
runs: both make the myopic plan (:func:`matching.solve`), turn today's placements into
candidates and the sampled arrivals into :class:`~matching.lookahead.LookaheadCase` values,
and ask here which beds to keep.

Two variants:

- :func:`keep_beds`, the **two-stage sample-average test**. For each sample, the look-ahead
  LP with the candidates' starts today free proposes the candidates to hold back (a
  candidate the samples start today in less than :data:`HOLD_BELOW` of their mass); the
  beds are kept only when the mean objective over the samples with the proposed starts
  forbidden is lower than with the myopic starts forced: when keeping them **lowers the
  expected priority-weighted waiting**. ``3 x K`` LPs a round.
- :func:`bed_potentials`, the **potential-based** variant (Ahani et al.'s "potentials"): the
  LP over each sampled future with the myopic plan's placements today carried out gives the
  dual price of one more free bed per facility and day; their mean over the samples is what
  a bed-day is worth to the expected arrivals, in weighted days. A candidate's placement
  today is charged the prices of the bed-days its stay would hold; waiting ``d`` days for
  the same bed is charged ``weight x d`` plus the prices of the later bed-days. The bed is
  kept when a later start costs less (:func:`potential_holds`). ``K`` LPs a round. The
  matching format prices an option, not a start day, so the prices are applied here, to the
  myopic plan's placements, not inside :func:`matching.solve`: a candidate's alternative is
  waiting for the same facility, not moving to another.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from capacity import ArrivalForecast
from matching.lookahead import (
    FORBID,
    FORCE,
    FREE,
    FloatArray,
    IntArray,
    LookaheadCase,
    LookaheadError,
    Outcome,
    solve_lookahead,
)

HOLD_BELOW = 0.5  # a candidate the samples start today less than this is proposed to wait

T = TypeVar("T")


def sample_from_forecast(
    rng: np.random.Generator,
    forecast: ArrivalForecast,
    pool: Mapping[str, Sequence[T]],
    horizon: int,
    scale: float = 1.0,
) -> list[tuple[float, str, T]]:
    """One sampled future: (time from the round, profile class, a past case of the class).

    Each class's rate is drawn from its posterior (times ``scale``), a Poisson number of
    arrivals over ``horizon`` days at uniform times, each a past case of that class drawn
    from ``pool``; classes with no past case in ``pool`` are skipped (nothing is known of
    who they are).
    """
    out: list[tuple[float, str, T]] = []
    rates = forecast.sample_rates(rng)
    for cls in sorted(rates):
        cases = pool.get(cls)
        if not cases:
            continue
        n = int(rng.poisson(rates[cls] * scale * horizon))
        for t in rng.uniform(0.0, horizon, n).tolist():
            out.append((t, cls, cases[int(rng.integers(len(cases)))]))
    return out


def release_day(time_from_round: float) -> int:
    """The first round (days from now) an arrival at ``time_from_round`` can be placed in.

    The round of a day follows everything else at that moment, so an arrival at exactly
    day ``d`` is in that day's round; today's round has been held.
    """
    return max(1, math.ceil(time_from_round - 1e-9))


@dataclass(frozen=True, slots=True)
class KeptForecast:
    """A bed the round keeps for expected arrivals instead of giving it to a candidate.

    Parameters
    ----------
    candidate
        Position of the candidate in the round's candidates (it keeps waiting).
    facility
        Row of the facility in the free-beds array.
    profile_class
        The profile class of the expected arrivals that would use the bed most.
    expected_saving
        Expected priority-weighted waiting days saved by keeping it (the round's saving
        shared equally among its kept beds).
    """

    candidate: int
    facility: int
    profile_class: str
    expected_saving: float


class Deadline:
    """The moment a round's anticipation must stop (``perf_counter`` seconds; ``inf``: none)."""

    def __init__(self, seconds: float = float("inf")) -> None:
        self.at = time.perf_counter() + seconds

    def left(self) -> float:
        """Seconds left (at most ``inf``)."""
        return self.at - time.perf_counter()

    def passed(self) -> bool:
        """Whether the moment has come."""
        return self.left() <= 0.0


class OutOfTime(Exception):  # noqa: N818 - a control-flow signal, not a fault
    """The deadline passed before the test finished: keep no bed (the myopic plan holds)."""


def keep_beds(
    residual: IntArray,
    candidates: Sequence[LookaheadCase],
    facilities: Sequence[int],
    futures: Sequence[Sequence[LookaheadCase]],
    may_hold: Sequence[bool],
    deadline: Deadline | None = None,
) -> list[KeptForecast]:
    """The two-stage sample-average test: which candidates' beds to keep.

    Parameters
    ----------
    residual
        ``(facilities, horizon)`` free beds after the myopic plan's later starts.
    candidates
        Today's placements of the myopic plan, as look-ahead cases (release 0).
    facilities
        Per candidate, the facility row the myopic plan places it at today.
    futures
        Per sample, its arrivals that could use those facilities.
    may_hold
        Per candidate, whether its bed may be kept at all (a hold limit).
    deadline
        When to give up (:class:`OutOfTime`); ``None``: no limit.

    Returns
    -------
    list of KeptForecast
        Empty when keeping no bed is best (or nothing is proposed).

    Raises
    ------
    OutOfTime
        The deadline passed first.
    LookaheadError
        An LP HiGHS could not solve.
    """
    m = len(candidates)
    cands = list(candidates)

    def run(modes: list[tuple[int, int]]) -> list[Outcome]:
        return [_solve(residual, cands + list(f), m, modes, deadline) for f in futures]

    share = np.mean([o.today for o in run([(FREE, -1)] * m)], axis=0)
    hold = [i for i in range(m) if share[i] < HOLD_BELOW and may_hold[i]]
    if not hold:
        return []
    myopic = [(FORCE, int(f)) for f in facilities]
    mine = run(myopic)
    kept = run([(FORBID, -1) if i in hold else myopic[i] for i in range(m)])
    saving = float(np.mean([a.objective for a in mine]) - np.mean([b.objective for b in kept]))
    if saving <= 1e-9:
        return []
    return [
        KeptForecast(i, int(facilities[i]), main_user(kept, int(facilities[i])), saving / len(hold))
        for i in hold
    ]


def _solve(
    free: IntArray,
    cases: list[LookaheadCase],
    candidates: int,
    modes: list[tuple[int, int]],
    deadline: Deadline | None,
) -> Outcome:
    """One look-ahead LP within what is left of the deadline."""
    left = float("inf") if deadline is None else deadline.left()
    if left <= 0.0:
        raise OutOfTime
    try:
        return solve_lookahead(free, cases, candidates, modes, left)
    except LookaheadError:
        if deadline is not None and deadline.passed():
            raise OutOfTime from None
        raise


def main_user(outcomes: Sequence[Outcome], facility: int) -> str:
    """The label of the sampled arrivals that start at ``facility`` most over the samples."""
    users: dict[str, float] = {}
    for o in outcomes:
        for cls, x in o.users.get(facility, {}).items():
            users[cls] = users.get(cls, 0.0) + x
    return max(sorted(users), key=lambda k: users[k]) if users else "unknown"


@dataclass(frozen=True, slots=True)
class Potentials:
    """Mean dual prices of beds over the sampled futures (the potential-based variant).

    Parameters
    ----------
    prices
        ``(facilities, horizon)`` weighted waiting days one more free bed saves the
        expected arrivals, per facility row and day.
    outcomes
        The sampled futures' LPs (who would use which facility, for the explanations).
    """

    prices: FloatArray
    outcomes: tuple[Outcome, ...]

    def stay_potential(self, facility: int, beds: int, stay: int, start: int = 0) -> float:
        """What a stay from ``start`` at ``facility`` takes from the expected arrivals.

        ``beds`` x the sum of the prices of the stay's bed-days (cut at the horizon).
        """
        row = self.prices[facility]
        return float(beds * row[start : min(start + max(stay, 1), row.size)].sum())


def potential_holds(
    potentials: Potentials,
    candidates: Sequence[LookaheadCase],
    facilities: Sequence[int],
    residual: IntArray,
    may_hold: Sequence[bool],
    max_delay: int,
) -> list[KeptForecast]:
    """The potential-based decision: which candidates wait for their bed.

    Parameters
    ----------
    potentials
        From :func:`bed_potentials`.
    candidates
        Today's placements of the myopic plan, as look-ahead cases.
    facilities
        Per candidate, the facility row the myopic plan places it at today.
    residual
        ``(facilities, horizon)`` free beds after the myopic plan's later starts: a later
        start is an alternative only where its stay fits.
    may_hold
        Per candidate, whether its bed may be kept at all.
    max_delay
        Days a candidate may be asked to wait at most (stays are cut at the horizon, so
        a later start is charged for fewer bed-days; keep this short).

    Returns
    -------
    list of KeptForecast
        The candidates whose cheapest start is later than today, with the saving
        ``charge today - (weight x delay + charge then)``; at most one a facility (the
        largest saving): each candidate is priced on its own with the same prices, so
        several candidates of one facility would all be held for the same few expected
        arrivals (measured: benchmarks/README.md).
    """
    best_at: dict[int, KeptForecast] = {}
    horizon = residual.shape[1]
    for i, (cand, f) in enumerate(zip(candidates, facilities, strict=True)):
        if not may_hold[i]:
            continue
        stay = int(cand.stays[list(cand.facilities.tolist()).index(f)])
        now = potentials.stay_potential(f, cand.beds, stay)
        best = now
        for d in range(1, min(max_delay, horizon - 1) + 1):
            if (residual[f, d : d + stay] < cand.beds).any():
                continue
            best = min(best, cand.weight * d + potentials.stay_potential(f, cand.beds, stay, d))
        saving = now - best
        if saving > 1e-9 and (f not in best_at or saving > best_at[f].expected_saving):
            best_at[f] = KeptForecast(i, int(f), main_user(potentials.outcomes, f), saving)
    return sorted(best_at.values(), key=lambda k: k.candidate)


def bed_potentials(
    residual: IntArray,
    candidates: Sequence[LookaheadCase],
    facilities: Sequence[int],
    futures: Sequence[Sequence[LookaheadCase]],
    deadline: Deadline | None = None,
) -> Potentials:
    """The potential-based variant's prices: one LP per sample, today's placements made.

    Parameters
    ----------
    residual
        ``(facilities, horizon)`` free beds after the myopic plan's later starts.
    candidates, facilities
        Today's placements of the myopic plan (forced today at their facility rows).
    futures
        Per sample, its arrivals (release from day 1).
    deadline
        When to give up (:class:`OutOfTime`).

    Returns
    -------
    Potentials

    Raises
    ------
    OutOfTime
        The deadline passed first.
    """
    m = len(candidates)
    forced = [(FORCE, int(f)) for f in facilities]
    outcomes = [_solve(residual, [*candidates, *f], m, forced, deadline) for f in futures]
    if not outcomes:
        return Potentials(np.zeros(residual.shape), ())
    return Potentials(np.mean([o.prices for o in outcomes], axis=0), tuple(outcomes))
