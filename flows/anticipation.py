"""Anticipation on a live matching run: keep a bed today for expected arrivals (issue 13).

The same anticipatory round as the scenarios' ``anticipatory`` policy, on the database's
cases (:mod:`matching.anticipation` holds the one definition of what the round decides):

1. the **forecast** (:func:`read_forecast`, in the round's read transaction): arrival rates
   per profile class over the ``window_days`` days before the round's day
   (:func:`flows.demand_forecast`), and, per class, up to :data:`POOL_PER_CLASS` of its
   most recent cases in the window: who the expected arrivals are;
2. the **myopic plan**: the round solved as without anticipation, in
   :data:`MYOPIC_SHARE` of the time limit;
3. ``samples`` **sampled futures** over the planning horizon (seeded by ``seed`` and the
   round's day), each arrival a past case of its class re-dated to arrive in the future:
   its eligible facilities and stays come from the rulebook applied to the round's
   supply (:func:`matching.build_problem`), its weight from a fresh arrival's priority;
4. the **two-stage test** (:func:`matching.keep_beds`) on the proposals that start
   today: a bed is kept only when the sample average says that lowers the expected
   priority-weighted waiting, only for arrivals expected within ``hold_days``, and not
   from a case that had a bed kept from it in ``hold_days`` of the last
   :data:`HELD_RUNS` runs (the samples' perfect recourse overrates waiting: the same bet
   must not be made on one case forever).

The round holds its time limit as a myopic round does (building the problem and the
explanations are outside it): the myopic solve, the pool's eligibility, the futures and
every look-ahead LP run within it; when the time runs out first, no bed is kept and the
record says so. A case whose bed is kept gets no proposal in this run; its
explanation says "bed kept for expected arrivals of class X: expected saving N weighted
days". What was used (history window, rates per class with their intervals, ``samples``,
``seed``) goes into the run record.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from capacity import ArrivalForecast, Case, Rulebook, profile_class
from flows.errors import InvalidInputError
from flows.forecast import DEFAULT_WINDOW_DAYS, demand_forecast
from matching import (
    BuiltProblem,
    Deadline,
    KeptForecast,
    LookaheadCase,
    MatchingProblem,
    MatchResult,
    OutOfTime,
    build_problem,
    keep_beds,
)
from matching.anticipation import release_day, sample_from_forecast
from store import DecisionRepository, Repository

DEFAULT_SAMPLES = 8  # sampled futures per round
MAX_SAMPLES = 64
DEFAULT_HOLD_DAYS = 7  # days ahead whose expected arrivals a bed may be kept for
MYOPIC_SHARE = 0.6  # of the time limit, for the myopic solve; the rest is anticipation's
POOL_PER_CLASS = 10  # most recent cases per profile class that stand for its arrivals
HELD_RUNS = 30  # recent runs in which the beds kept from each case are counted
VARIANT = "two-stage"


@dataclass(frozen=True, slots=True)
class AnticipationSettings:
    """What a live round anticipates with.

    Parameters
    ----------
    samples
        Sampled futures (1 to :data:`MAX_SAMPLES`).
    seed
        Seed of the samples (with the round's day).
    window_days
        Days of intake history the forecast is estimated from.
    hold_days
        Days ahead whose expected arrivals a bed may be kept for.
    """

    samples: int = DEFAULT_SAMPLES
    seed: int = 0
    window_days: int = DEFAULT_WINDOW_DAYS
    hold_days: int = DEFAULT_HOLD_DAYS

    def __post_init__(self) -> None:
        if not 1 <= self.samples <= MAX_SAMPLES:
            raise InvalidInputError("samples", f"must be between 1 and {MAX_SAMPLES}")
        if self.seed < 0:
            raise InvalidInputError("seed", "must be at least 0")
        if self.hold_days < 1:
            raise InvalidInputError("hold_days", "must be at least 1 day")


@dataclass(frozen=True, slots=True)
class LiveForecast:
    """The forecast a round anticipates with, and who stands for each class's arrivals."""

    settings: AnticipationSettings
    today: date
    forecast: ArrivalForecast
    pool: Mapping[str, tuple[Case, ...]]
    held: Mapping[str, int] = dataclasses.field(default_factory=dict)  # case: runs kept from

    def to_plain(self) -> dict[str, Any]:
        """The audit part of the run record: which window, which rates, K and seed."""
        s = self.settings
        return {
            "variant": VARIANT,
            "samples": s.samples,
            "seed": s.seed,
            "hold_days": s.hold_days,
            "window": {
                "from": (self.today - timedelta(days=s.window_days)).isoformat(),
                "to": (self.today - timedelta(days=1)).isoformat(),
                "days": s.window_days,
            },
            "forecast": self.forecast.to_plain(),
        }


def read_forecast(
    session: Session, *, today: date, rulebook: Rulebook, settings: AnticipationSettings
) -> LiveForecast:
    """The round's forecast and pool (the caller owns the read transaction)."""
    forecast = demand_forecast(
        session, today=today, rulebook=rulebook, window_days=settings.window_days
    )
    by_class: dict[str, list[Case]] = defaultdict(list)
    for case in Repository(session).cases():
        if -settings.window_days <= (case.intake_date - today).days < 0:
            complexity = rulebook.priority(case, case.intake_date).complexity_class
            by_class[profile_class(case, complexity)].append(case)
    pool = {
        cls: tuple(sorted(cases, key=lambda c: (c.intake_date, c.id))[-POOL_PER_CLASS:])
        for cls, cases in sorted(by_class.items())
    }
    runs, _ = DecisionRepository(session).runs(limit=HELD_RUNS)
    held = Counter(
        k["case_id"]
        for run in runs
        if run.record.anticipation
        for k in run.record.anticipation.get("kept", ())
    )
    return LiveForecast(settings, today, forecast, pool, dict(held))


@dataclass(frozen=True, slots=True)
class Anticipated:
    """What anticipation did to a round: the beds kept and the record of it."""

    kept: tuple[tuple[str, str, str, float], ...]  # case, facility, class, saving
    record: dict[str, Any]

    def text(self, case_id: str) -> str | None:
        """The explanation of a case whose bed was kept, or ``None``."""
        for case, _, cls, saving in self.kept:
            if case == case_id:
                return (
                    f"bed kept for expected arrivals of class {cls}: expected saving "
                    f"{saving:.1f} weighted days"
                )
        return None


def anticipate(
    built: BuiltProblem, result: MatchResult, live: LiveForecast, deadline: Deadline
) -> Anticipated:
    """Run the two-stage test on the myopic plan's proposals that start today."""
    t0 = time.perf_counter()
    record = live.to_plain()
    try:
        kept = _keep(built, result, live, deadline)
        record["completed"] = True
    except OutOfTime:
        kept = ()
        record["completed"] = False
        record["note"] = "anticipation stopped at the time limit: no bed kept"
    record["seconds"] = round(time.perf_counter() - t0, 4)
    record["kept"] = [
        {"case_id": c, "facility_id": f, "profile_class": cls, "expected_saving": round(s, 4)}
        for c, f, cls, s in kept
    ]
    return Anticipated(tuple(kept), record)


def _keep(
    built: BuiltProblem, result: MatchResult, live: LiveForecast, deadline: Deadline
) -> tuple[tuple[str, str, str, float], ...]:
    p = built.problem
    today = [a for a in result.assignments if a.start_day == 0]
    if not today or not live.pool:
        return ()
    rows, frows = p.case_index(), p.facility_index()
    residual = p.free_beds.astype(np.int64)
    stay_to = p.stay_to
    option = {
        (int(c), int(f)): k for k, (c, f) in enumerate(zip(p.opt_case, p.opt_facility, strict=True))
    }
    for a in result.assignments:
        if a.start_day > 0:
            k = option[(rows[a.case], frows[a.facility])]
            residual[frows[a.facility], a.start_day : a.start_day + int(stay_to[k])] -= int(
                p.case_beds[rows[a.case]]
            )
    np.maximum(residual, 0, out=residual)
    cands = [_case(p, rows[a.case], a.case) for a in today]
    facilities = [frows[a.facility] for a in today]
    touched = np.zeros(p.n_facilities, dtype=bool)
    for c in cands:
        touched[c.facilities] = True
    expected = _expected_cases(built, live, touched, deadline)
    futures = _futures(live, expected, p.horizon_days)
    may_hold = [live.held.get(a.case, 0) < live.settings.hold_days for a in today]
    kept: list[KeptForecast] = keep_beds(residual, cands, facilities, futures, may_hold, deadline)
    return tuple(
        (today[k.candidate].case, p.facility_ids[k.facility], k.profile_class, k.expected_saving)
        for k in kept
    )


def _case(p: MatchingProblem, row: int, label: str, release: int = 0) -> LookaheadCase:
    """A case of the problem as a look-ahead case (its options' facilities and stays)."""
    opts = np.flatnonzero(p.opt_case == row)
    return LookaheadCase(
        release,
        float(p.case_weight[row]),
        int(p.case_beds[row]),
        p.opt_facility[opts].astype(np.int64),
        np.maximum(1, p.stay_to[opts]).astype(np.int64),
        label,
    )


def _expected_cases(
    built: BuiltProblem, live: LiveForecast, touched: np.ndarray, deadline: Deadline
) -> dict[str, list[LookaheadCase | None]]:
    """Per class, its pool cases as fresh arrivals on the round's supply (those that could
    use a facility of today's proposals)."""
    members = [(cls, case) for cls, cases in live.pool.items() for case in cases]
    fresh = [
        dataclasses.replace(case, id=f"EXPECTED-{i}", intake_date=live.today)
        for i, (_, case) in enumerate(members)
    ]
    if deadline.passed():
        raise OutOfTime
    pool = build_problem(built.snapshot, fresh, built.rulebook, bridges=True).problem
    out: dict[str, list[LookaheadCase | None]] = defaultdict(list)
    for row, (cls, _) in enumerate(members):
        case = _case(pool, row, cls, release=1)
        # a case that could not use today's facilities stays in the pool as None: the
        # class's rate is shared over all its cases, not only the ones that matter here
        relevant = case.facilities.size and touched[case.facilities].any()
        out[cls].append(case if relevant else None)
    return out


def _futures(
    live: LiveForecast, expected: Mapping[str, Sequence[LookaheadCase | None]], horizon: int
) -> list[list[LookaheadCase]]:
    """The sampled futures: arrivals within ``hold_days``, released the round after."""
    s = live.settings
    rng = np.random.default_rng((s.seed, live.today.toordinal()))
    out = []
    for _ in range(s.samples):
        sample = sample_from_forecast(rng, live.forecast, expected, horizon)
        out.append(
            [
                dataclasses.replace(case, release=release_day(t))
                for t, _, case in sample
                if case is not None and release_day(t) <= s.hold_days
            ]
        )
    return out
