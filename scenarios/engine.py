"""The discrete-event simulation of one replication (SimPy).

Each replication owns its :class:`simpy.Environment` and its seeded generators, drawn from
``SeedSequence(seed, spawn_key=(replication,))`` — the same as
``SeedSequence(seed).spawn(n)[replication]`` — so a replication gives the same trace
wherever it runs. Processes: arrivals, discharges (one per stay), supply changes and, for
``daily`` cadence, one round at the start of each day after everything else that happens
at that moment; for ``event`` cadence a round follows every arrival, discharge and change.
With a progress callback, one more process reports every few simulated days; it touches
no state, so the trace is the same with or without it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from capacity import Case, bundled_rulebook
from capacity.criteria import NATIONAL
from capacity.demo import ProfileClass, profile_class
from scenarios.demand import DemandModel, catalogue_stays, draw_arrivals, draw_stays
from scenarios.events import (
    Arrived,
    BedKept,
    BedsChanged,
    BudgetChanged,
    Discharged,
    Event,
    FacilityInfo,
    Placed,
    RoundHeld,
    RunInfo,
    StreamInfo,
    Trace,
)
from scenarios.loading import Scenario
from scenarios.policies import make_policy
from scenarios.policies.base import PolicyRule
from scenarios.spec import Cadence
from scenarios.state import ActiveStay, CaseRecord, initial_state, profile_key

INITIAL_CLASS = "initial"  # demand class of the cases waiting when the run starts
DayCallback = Callable[[int], None]  # told how many more simulated days are done


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one replication: child ``replication`` of ``SeedSequence(seed)``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(replication,))


def case_records(scenario: Scenario, replication: int) -> list[CaseRecord]:
    """Every case of a replication, in arrival order: the initial waiting list, then arrivals.

    Cases of the dataset's waiting list take the stays of the demand class whose profile is
    their table C class (the catalogue's typical stays, exponential, for all types when no
    class has it).
    """
    spec, supply = scenario.spec, scenario.supply
    demand_seq, initial_seq = replication_seed(spec.seed, replication).spawn(2)
    national = bundled_rulebook(NATIONAL)
    book = scenario.rulebook
    initial_rng = np.random.default_rng(initial_seq)
    records: list[CaseRecord] = []
    waiting = sorted(supply.initial_waiting, key=lambda c: (c.intake_date, c.id))
    for case in waiting:
        model = _model_for(scenario.demand, profile_class(case))
        specs = model.stays if model is not None else catalogue_stays()
        arrival = float((case.intake_date - supply.start_date).days)
        stays = draw_stays(initial_rng, specs)
        expected = {t: s.mean_days for t, s in specs.items()}
        records.append(_record(len(records), case, arrival, INITIAL_CLASS, stays, expected))
    drafts = draw_arrivals(scenario.demand, demand_seq, spec.horizon_days, supply.start_date)
    for d in drafts:
        model = scenario.demand[d.demand_class]
        expected = {t: model.expected_stay(t) for t in d.stays}
        records.append(_record(len(records), d.case, d.time, model.name, d.stays, expected))
    known: dict[tuple[object, ...], tuple[float, str]] = {}
    for r in records:
        key = profile_key(r)
        if key not in known:
            start = book.priority(r.case, r.case.intake_date)
            complexity = national.priority(r.case, r.case.intake_date).complexity_class
            known[key] = (start.class_weight * start.urgency, complexity)
        r.weight, r.complexity = known[key]
    return records


def _record(
    index: int,
    case: Case,
    arrival: float,
    demand_class: str,
    stays: dict[Any, float] | Any,
    expected: dict[Any, float],
) -> CaseRecord:
    return CaseRecord(index, case, arrival, demand_class, "", 0.0, stays, expected)


def _model_for(models: tuple[DemandModel, ...], cls: ProfileClass) -> DemandModel | None:
    for m in models:
        if any(ref == cls for _, ref in m.profiles):
            return m
    return None


class Simulation:
    """One replication: the state, the policy, the SimPy processes and the trace.

    Parameters
    ----------
    scenario, replication
        What to simulate.
    on_days
        Called with the number of simulated days done since its last call: every
        ``every_days`` days while the run goes, and once more at the end, so its calls add
        up to ``horizon_days``. Observation only: it must not touch the simulation, and
        the trace does not depend on whether it is given.
    every_days
        How often ``on_days`` is called, in simulated days (at least 1).
    """

    def __init__(
        self,
        scenario: Scenario,
        replication: int,
        *,
        on_days: DayCallback | None = None,
        every_days: int = 1,
    ) -> None:
        if every_days < 1:
            raise ValueError("every_days must be at least 1")
        self.on_days = on_days
        self.every_days = every_days
        self.days_reported = 0
        self.scenario = scenario
        self.spec = scenario.spec
        self.replication = replication
        self.records = case_records(scenario, replication)
        self.state = initial_state(scenario.supply, scenario.rulebook)
        self.policy: PolicyRule = make_policy(scenario, self.records, replication)
        self.env = simpy.Environment()
        self.events: list[Event] = []
        self.event_cadence = self.spec.cadence is Cadence.EVENT

    def run(self) -> Trace:
        """Run the replication to the horizon and return its trace."""
        supply, facs = self.scenario.supply, self.scenario.supply.facilities
        for initial in supply.initial_stays:
            self.events.append(
                Placed(
                    float(initial.start),
                    initial.case,
                    facs[initial.facility].id,
                    initial.beds,
                    True,
                )
            )
            self.state.stays[-1 - len(self.state.stays)] = ActiveStay(
                initial.facility,
                initial.beds,
                float(initial.start),
                float(initial.end),
                float(initial.end),
            )
        for key, stay in list(self.state.stays.items()):
            self._schedule_discharge(key, stay)
        n_initial = len(supply.initial_waiting)
        for r in self.records[:n_initial]:
            self._arrive(r)
        self.env.process(self._arrivals(self.records[n_initial:]))
        self.env.process(self._changes())
        if not self.event_cadence:
            self.env.process(self._daily_rounds())
        if self.on_days is not None:
            self.env.process(self._progress(self.on_days))
        self.env.run(until=self.spec.horizon_days)
        if self.on_days is not None and self.days_reported < self.spec.horizon_days:
            self.on_days(self.spec.horizon_days - self.days_reported)
            self.days_reported = self.spec.horizon_days
        return Trace(self._info(), tuple(self.events))

    # processes -----------------------------------------------------------------------
    def _arrivals(self, records: list[CaseRecord]) -> Generator[simpy.Event, Any, None]:
        for r in records:
            yield self.env.timeout(max(0.0, r.arrival - self.env.now))
            self._arrive(r)
            if self.event_cadence:
                self._round()

    def _arrive(self, r: CaseRecord) -> None:
        self.state.waiting[r.index] = r
        case = r.case
        eligible = int(self.state.options(r).facility.size)
        self.events.append(
            Arrived(
                r.arrival,
                case.id,
                r.demand_class,
                r.complexity,
                case.region_signalled,
                case.beds,
                r.weight,
                eligible,
                case.exploitation_type.value,
                case.residence_status.value,
                case.age,
            )
        )

    def _schedule_discharge(self, key: int, stay: ActiveStay) -> None:
        """The stay ends at ``stay.end``: a timeout whose callback frees the beds."""
        timeout = self.env.timeout(stay.end - self.env.now)
        timeout.callbacks.append(lambda _event: self._discharge(key, stay))

    def _discharge(self, key: int, stay: ActiveStay) -> None:
        self.state.occupied[stay.facility] -= stay.beds
        del self.state.stays[key]
        case = self.records[key].case.id if key >= 0 else self._initial_case(key)
        fac = self.scenario.supply.facilities[stay.facility].id
        self.events.append(Discharged(float(self.env.now), case, fac, stay.beds))
        if self.event_cadence:
            self._round()

    def _initial_case(self, key: int) -> str:
        return self.scenario.supply.initial_stays[-1 - key].case

    def _changes(self) -> Generator[simpy.Event, Any, None]:
        supply = self.scenario.supply
        steps: list[tuple[int, int, Any]] = [(b.day, 0, b) for b in supply.bed_steps]
        steps += [(b.day, 1, b) for b in supply.budget_steps]
        for day, kind, step in sorted(steps, key=lambda t: (t[0], t[1])):
            yield self.env.timeout(day - self.env.now)
            if kind == 0:
                self.state.capacity[step.facility] += step.delta
                fac = supply.facilities[step.facility].id
                self.events.append(
                    BedsChanged(float(self.env.now), fac, int(self.state.capacity[step.facility]))
                )
            else:
                value = np.inf if step.per_year is None else step.per_year
                self.state.per_year[step.stream] = value
                self.events.append(
                    BudgetChanged(
                        float(self.env.now), supply.streams[step.stream].id, step.per_year
                    )
                )
            if self.event_cadence:
                self._round()

    def _progress(self, on_days: DayCallback) -> Generator[simpy.Event, Any, None]:
        """Report every ``every_days`` simulated days (the rest after the run)."""
        while self.days_reported + self.every_days < self.spec.horizon_days:
            yield self.env.timeout(self.every_days)
            self.days_reported += self.every_days
            on_days(self.every_days)

    def _daily_rounds(self) -> Generator[simpy.Event, Any, None]:
        for day in range(self.spec.horizon_days):
            yield self.env.timeout(day - self.env.now)
            while (
                self.env.peek() == self.env.now
            ):  # let everything else at this moment happen first
                yield self.env.timeout(0)
            self._round()

    # rounds --------------------------------------------------------------------------
    def _round(self) -> None:
        if not self.state.waiting:
            return
        now = self.env.now
        self.state.roll_budget_year(now)
        waiting = len(self.state.waiting)
        decision = self.policy.decide(self.state, now)
        placed = sum(self._place(c, f) for c, f in decision.placements)
        facilities = self.scenario.supply.facilities
        for kept in decision.kept:
            self.events.append(
                BedKept(
                    float(now),
                    facilities[kept.facility].id,
                    self.records[kept.case].case.id,
                    kept.profile_class,
                    kept.expected_saving,
                )
            )
        self.events.append(RoundHeld(float(now), waiting, placed, str(decision.status)))

    def _place(self, index: int, facility: int) -> bool:
        """Carry out a placement if the case still waits and beds and budget allow it."""
        state, record = self.state, self.records[index]
        beds = record.case.beds
        if index not in state.waiting or state.capacity[facility] - state.occupied[facility] < beds:
            return False
        if not state.affordable(record, facility, state.budget_left()):
            return False
        now = self.env.now
        ptype = state.type_of[facility]
        state.occupied[facility] += beds
        state.committed[state.stream_of[facility]] += state.expected_cost(record, facility)
        del state.waiting[index]
        stay = ActiveStay(
            facility, beds, now, now + record.expected[ptype], now + record.stays[ptype]
        )
        state.stays[index] = stay
        self.events.append(
            Placed(float(now), record.case.id, self.scenario.supply.facilities[facility].id, beds)
        )
        self._schedule_discharge(index, stay)
        return True

    def _info(self) -> RunInfo:
        supply, spec = self.scenario.supply, self.spec
        national = bundled_rulebook(NATIONAL)
        book = self.scenario.rulebook
        return RunInfo(
            scenario=spec.name,
            policy=spec.policy.value,
            cadence=spec.cadence.value,
            rulebook=f"{book.version} ({book.content_hash[:12]})",
            replication=self.replication,
            start_date=supply.start_date.isoformat(),
            horizon_days=spec.horizon_days,
            warmup_days=spec.warmup_days,
            target_days=spec.kpi.target_days,
            classes=tuple(c.name for c in national.rules.priority.complexity.classes),
            facilities=tuple(
                FacilityInfo(
                    f.id,
                    f.placement_type.value,
                    f.region_id,
                    beds,
                    f.cost_per_bed_day,
                    f.funding_stream_id,
                )
                for f, beds in zip(supply.facilities, supply.initial_beds, strict=True)
            ),
            streams=tuple(StreamInfo(s.id, s.budget_per_period) for s in supply.streams),
            policy_notes=tuple(sorted(getattr(self.policy, "notes", {}).items())),
        )


def run_replication(
    scenario: Scenario,
    replication: int,
    *,
    on_days: DayCallback | None = None,
    every_days: int = 1,
) -> Trace:
    """Simulate one replication of a scenario.

    Parameters
    ----------
    scenario
        The loaded scenario.
    replication
        Its index, 0-based; it selects the replication's seeds.
    on_days, every_days
        Optional progress callback and its interval in simulated days (:class:`Simulation`).

    Returns
    -------
    Trace
        Every event, in order, with the run's static facts.
    """
    return Simulation(scenario, replication, on_days=on_days, every_days=every_days).run()
