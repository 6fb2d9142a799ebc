"""``anticipatory``: the optimised round, then keep a bed when expected arrivals need it more.

Each round (issue 13):

1. the **myopic plan**: the ``optimised`` round (:func:`matching.solve` over the waiting
   cases and the planning horizon);
2. if it places anyone today, ``samples`` **sampled futures** over the horizon
   (``scenarios.policies.futures``: from the forecast of the history seen so far, or from
   the scenario's true demand when ``anticipation.rates: true-rates``; with the study
   oracle ``oracle-arrivals``, the run's own future arrivals as the one sample);
3. for each sample, the **look-ahead LP** (``matching.lookahead``) of today's
   candidates (the cases the myopic plan places today) and the sampled arrivals that
   could use the same facilities, on the beds the rest of the myopic plan leaves; first
   with the candidates' starts today free, which proposes the candidates to hold back (a
   candidate the samples start today in less than half of their mass);
4. the **decision** (``anticipation.variant``, :mod:`matching.anticipation`, the one
   definition shared with the live matching runs):

   - ``two-stage`` (the default): if any candidate is proposed, the **two-stage
     sample-average test**: the mean objective over the samples with the myopic starts
     forced, and with the proposed ones forbidden today; the beds are kept only when that
     **lowers the expected priority-weighted waiting**;
   - ``potentials``: the LP of each sample's arrivals alone gives the **dual price** of a
     bed per facility and day; each option of the round is charged the mean price of the
     bed-days a stay *from today* there would hold, and the round is solved again. The
     matching format prices an option, not a start day, so a later start at the same
     facility is charged today's bed-days too (the approximation: it overstates the cost
     of a later start where beds are scarce now and free later);

   a bed is kept only for arrivals expected within ``hold_days`` and from one case on at
   most ``hold_days`` rounds (the samples' perfect recourse overrates longer waits); each
   kept bed is explained: "bed kept for expected arrivals of class X: expected saving N
   weighted days" (a :class:`~scenarios.events.BedKept` event).

Only today's placements are carried out; the rest is planned again at the next round.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matching import (
    KeptForecast,
    LookaheadCase,
    LookaheadError,
    MatchResult,
    bed_potentials,
    keep_beds,
    potential_holds,
    solve,
)
from scenarios.errors import ScenarioRunError
from scenarios.policies.base import IDLE, Decision, KeptBed
from scenarios.policies.futures import (
    History,
    lookahead_case,
    release_day,
    sample_from_forecast,
)
from scenarios.policies.optimised import OptimisedPolicy, Round, planned_free_beds
from scenarios.spec import RateSource, Variant
from scenarios.state import CaseRecord, IntArray, SimState

if TYPE_CHECKING:
    from scenarios.loading import Scenario

ANTICIPATION_STREAM = 13  # spawn key of the policy's random draws (issue 13)

Sample = list[tuple[float, str, CaseRecord]]  # (time from the round, class, case)


@dataclass(frozen=True, slots=True)
class Today:
    """The myopic plan's placements today and the beds its later starts use."""

    placements: list[tuple[int, int]]  # (case index, facility index of the run)
    residual: IntArray  # free beds per facility of the run and day after its later starts


class AnticipatoryPolicy(OptimisedPolicy):
    """The optimised round with sampled futures, keeping beds for expected arrivals.

    Parameters
    ----------
    scenario
        Planner settings (``optimiser``), ``anticipation`` and, for ``rates: true-rates``,
        the demand classes.
    replication
        The replication (seeds its draws).
    records
        Every case of the replication; read only for ``rates: oracle-arrivals`` (the
        study oracle that knows the run's future arrivals).
    """

    def __init__(
        self, scenario: Scenario, replication: int, records: list[CaseRecord] | None = None
    ) -> None:
        spec = scenario.spec
        super().__init__(spec.optimiser, seed=0)
        self.settings = spec.anticipation
        self.seed = (spec.seed, replication, ANTICIPATION_STREAM)
        self.history = History.empty()
        self.held_rounds: dict[int, int] = {}  # per case, rounds a bed was kept from it
        self.truth: list[list[tuple[float, str, CaseRecord]]] | None = None
        if self.settings.rates is RateSource.TRUE:
            from scenarios.policies.truth import true_realisations

            self.truth = true_realisations(
                scenario, replication, self.settings.samples, self.horizon
            )
        elif self.settings.rates is RateSource.ORACLE:
            from scenarios.policies.truth import actual_arrivals

            if records is None:
                raise ValueError("rates: oracle-arrivals needs the run's case records")
            self.truth = actual_arrivals(records)
        # a real future arrival has an actual stay: known when both oracles are on
        self.future_stays = self.actual_stays and self.settings.rates is RateSource.ORACLE
        self.notes: dict[str, float] = {
            "rounds_anticipated": 0.0,
            "beds_kept": 0.0,
            "expected_saving": 0.0,
            "lookahead_seconds": 0.0,
        }

    def decide(self, state: SimState, now: float) -> Decision:
        self.history.observe(list(state.waiting.values()))
        if not state.waiting:
            return Decision([], IDLE)
        built = self.build(state, now)
        if built is None:
            return Decision([], IDLE)
        result = solve(built.problem, self.params)
        today = self._today(state, now, built, result)
        status = result.status
        samples = self._samples(now) if today.placements else []
        if not samples:
            return Decision(self._order(state, today.placements), status)
        t0 = time.perf_counter()
        try:
            if self.settings.variant is Variant.POTENTIALS:
                kept = self._potentials(state, today, samples)
            else:
                kept = self._keep(state, today, samples)
        except LookaheadError as exc:
            raise ScenarioRunError(str(exc)) from exc
        self.notes["lookahead_seconds"] += time.perf_counter() - t0
        self.notes["rounds_anticipated"] += 1
        held = {k.case for k in kept}
        placements = [p for p in today.placements if p[0] not in held]
        for k in kept:
            self.held_rounds[k.case] = self.held_rounds.get(k.case, 0) + 1
        self.notes["beds_kept"] += len(kept)
        self.notes["expected_saving"] += sum(k.expected_saving for k in kept)
        return Decision(self._order(state, placements), status, tuple(kept))

    # the myopic plan -------------------------------------------------------------------
    def _today(self, state: SimState, now: float, built: Round, result: MatchResult) -> Today:
        p = built.problem
        case_at = {state.waiting[c].case.id: c for c in built.cases}
        fac_at = {fid: int(built.facilities[i]) for i, fid in enumerate(p.facility_ids)}
        stay_of = {
            (int(c), int(f)): int(s)
            for c, f, s in zip(p.opt_case, p.opt_facility, p.stay_to, strict=True)
        }
        row_of = p.case_index()
        frow_of = p.facility_index()
        residual = planned_free_beds(
            state, now, self.horizon, actual_stays=self.actual_stays
        ).copy()
        for a in result.assignments:
            c, f = case_at[a.case], fac_at[a.facility]
            if a.start_day == 0:
                continue
            stay = stay_of[(row_of[a.case], frow_of[a.facility])]
            residual[f, a.start_day : a.start_day + stay] -= state.waiting[c].case.beds
        np.maximum(residual, 0, out=residual)
        return Today(_starts_today(state, built, result), residual)

    @staticmethod
    def _order(state: SimState, placements: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return sorted(placements, key=lambda p: (-state.waiting[p[0]].weight, p[0]))

    # sampled futures -------------------------------------------------------------------
    def _samples(self, now: float) -> list[Sample]:
        if self.truth is not None:
            return [
                [(t - now, c, r) for t, c, r in k if now < t <= now + self.horizon]
                for k in self.truth
            ]
        if now < self.settings.min_history_days:
            return []
        forecast = self.history.forecast(now, self.settings.window_days)
        pool = self.history.by_class(forecast.window_start)
        rng = np.random.default_rng((*self.seed, int(now)))
        return [
            sample_from_forecast(rng, forecast, pool, self.horizon, self.settings.scale)
            for _ in range(self.settings.samples)
        ]

    def _may_hold(self, case: int) -> bool:
        return self.held_rounds.get(case, 0) < self.settings.hold_days

    # the two-stage test ----------------------------------------------------------------
    def _keep(self, state: SimState, today: Today, samples: list[Sample]) -> list[KeptBed]:
        cands = self._candidates(state, today)
        futures = [self._futures(state, s, self._touched(state, cands)) for s in samples]
        kept = keep_beds(
            today.residual,
            cands,
            [f for _, f in today.placements],
            futures,
            [self._may_hold(c) for c, _ in today.placements],
        )
        return self._kept(today, kept)

    def _candidates(self, state: SimState, today: Today) -> list[LookaheadCase]:
        """Today's placements of the myopic plan as look-ahead cases (release 0)."""
        ident = np.arange(state.capacity.size)
        out = []
        for c, _ in today.placements:
            record = state.waiting[c]
            case = lookahead_case(
                state,
                record,
                0,
                record.case.id,
                ident,
                actual_stays=self.actual_stays,
                weight_factor=self.class_factors.get(record.complexity, 1.0),
            )
            assert case is not None  # the myopic plan placed it
            out.append(case)
        return out

    @staticmethod
    def _kept(today: Today, kept: list[KeptForecast]) -> list[KeptBed]:
        at = [c for c, _ in today.placements]
        return [
            KeptBed(at[k.candidate], k.facility, k.profile_class, k.expected_saving) for k in kept
        ]

    @staticmethod
    def _touched(state: SimState, cands: list[LookaheadCase]) -> np.ndarray:
        touched = np.zeros(state.capacity.size, dtype=bool)
        for case in cands:
            touched[case.facilities] = True
        return touched

    # the potential-based variant -------------------------------------------------------
    def _potentials(self, state: SimState, today: Today, samples: list[Sample]) -> list[KeptBed]:
        """Price the bed-days from the samples' LPs; keep a bed where waiting costs less."""
        cands = self._candidates(state, today)
        futures = [self._futures(state, s, self._touched(state, cands)) for s in samples]
        facilities = [f for _, f in today.placements]
        kept = potential_holds(
            bed_potentials(today.residual, cands, facilities, futures),
            cands,
            facilities,
            today.residual,
            [self._may_hold(c) for c, _ in today.placements],
            self.settings.hold_days,
        )
        return self._kept(today, kept)

    def _futures(self, state: SimState, sample: Sample, touched: np.ndarray) -> list[LookaheadCase]:
        """The sampled arrivals that could use a facility of today's candidates."""
        ident = np.arange(state.capacity.size)
        out = []
        for t, cls, record in sample:
            if release_day(t) > self.settings.hold_days:
                continue  # later arrivals: the round after next decides for them again
            opts = state.options(record)
            if opts.empty or not touched[opts.facility].any():
                continue
            case = lookahead_case(
                state,
                record,
                release_day(t),
                cls,
                ident,
                actual_stays=self.future_stays,
                weight_factor=self.class_factors.get(record.complexity, 1.0),
            )
            if case is not None:
                out.append(case)
        return out


def _starts_today(state: SimState, built: Round, result: MatchResult) -> list[tuple[int, int]]:
    """A plan's placements starting today: (case index, facility index of the run)."""
    case_at = {state.waiting[c].case.id: c for c in built.cases}
    fac_at = {fid: int(built.facilities[i]) for i, fid in enumerate(built.problem.facility_ids)}
    return [(case_at[a.case], fac_at[a.facility]) for a in result.assignments if a.start_day == 0]
