"""Why a case waits: the one typed reason, from the latest matching run (issue 14).

A matching run stores, for every case it left without a proposal, what kept it waiting
(:class:`store.WaitRecord`: the optimiser's bindings, :mod:`matching.explain`). Here that
record becomes one :class:`WaitingReason`: the binding reason (:class:`WaitKind`), the
next-best facility, and what would change the answer (:class:`Change`). A case the latest
run did not consider, or whose proposal from it is gone, awaits the next round. The words
coordinators read are made from these types in one place, :mod:`flows.waiting_words`.

Which binding is *the* reason when a run names several (``full_until`` and ``budget``:
the facilities free up on day 55, and then the budget cannot pay): the first of
:data:`BINDING_ORDER`, the one whose removal is the change that matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from capacity import Facility
from store import BindRecord, DecisionRepository, Repository, WaitRecord


class WaitKind(StrEnum):
    """Why a case on the waiting list has no proposal."""

    CAPACITY_GAP = "capacity_gap"  # no facility in the country is eligible: rules in the way
    ALL_DECLINED = "all_declined"  # every eligible facility declined, or holds a keep-apart
    BUDGET = "budget"  # the budget of a funding stream cannot pay for the placement
    KEPT_FOR_HIGHER_PRIORITY = "kept_for_higher_priority"  # the round gave the bed to others
    KEPT_FOR_EXPECTED = "kept_for_expected_arrivals"  # a free bed kept for them (issue 13)
    FULL_UNTIL = "full_until"  # eligible facilities are full until a date
    BEYOND_HORIZON = "beyond_horizon"  # full (or too far) for the whole planning horizon
    SOLVE_STOPPED = "solve_stopped"  # a start fits: the solve stopped before finding it
    AWAITING_RUN = "awaiting_run"  # registered, declined or back on the list since the run
    NO_RUN = "no_run"  # no matching round has been run


BINDING_ORDER: tuple[tuple[str, WaitKind], ...] = (
    ("capacity_gap", WaitKind.CAPACITY_GAP),
    ("declined", WaitKind.ALL_DECLINED),
    ("budget", WaitKind.BUDGET),
    ("outranked", WaitKind.KEPT_FOR_HIGHER_PRIORITY),
    ("kept", WaitKind.KEPT_FOR_EXPECTED),
    ("full_horizon", WaitKind.BEYOND_HORIZON),
    ("full_until", WaitKind.FULL_UNTIL),
    ("improvable", WaitKind.SOLVE_STOPPED),
    ("penalty", WaitKind.BEYOND_HORIZON),  # free earlier, but too far to be worth it
    ("unexplained", WaitKind.AWAITING_RUN),  # the run's time limit cut it short (issue 11)
)
"""A run's binding kinds (:class:`store.BindRecord`) in the order that decides the reason."""


class ChangeKind(StrEnum):
    """What would change the answer."""

    EXTRA_BED = "extra_bed"  # one more bed of this type in this region (at this facility)
    BUDGET = "budget"  # this much more budget in this funding stream
    RULES = "rules"  # a facility the rules let in: these rule families keep all out


@dataclass(frozen=True, slots=True)
class FacilityRef:
    """A facility a reason names, with what a coordinator needs to know of it."""

    id: str
    name: str
    placement_type: str
    region_id: str


@dataclass(frozen=True, slots=True)
class NextBest:
    """The facility that came closest, and from when it could take the case.

    ``start_date`` is ``None`` for a capacity gap (it is not eligible: ``fails`` says why).
    """

    facility: FacilityRef
    start_date: date | None
    fails: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """One change that would give the case a start (or an earlier one)."""

    kind: ChangeKind
    facility: FacilityRef | None = None  # extra bed: where it would help
    start_date: date | None = None  # extra bed: the start it would give
    stream: str | None = None  # budget
    amount: float | None = None  # budget: euros more
    rules: tuple[tuple[str, int], ...] = ()  # rules: rule family, facilities it keeps out


@dataclass(frozen=True, slots=True)
class WaitingReason:
    """Why a case waits, as of the latest matching run.

    Parameters
    ----------
    kind
        The binding reason.
    run_id
        The run it comes from (``None``: no run yet).
    date
        Full until this date; the start a budget would not pay for; the day the bed
        given to others was free.
    stream
        The funding stream whose budget binds.
    cases
        Kept for a higher-priority case: the cases the round gave the bed to.
    higher_priority
        Each of ``cases`` weighs at least as much (else the round gave the bed to them
        because that saves more weighted waiting days in all).
    next_best
        The facility that came closest.
    changes
        What would change the answer.
    run_text
        The run's own explanation (every binding, in its words).
    """

    kind: WaitKind
    run_id: int | None = None
    date: date | None = None
    stream: str | None = None
    cases: tuple[str, ...] = ()
    higher_priority: bool = False
    next_best: NextBest | None = None
    changes: tuple[Change, ...] = ()
    run_text: str = ""


def facility_ids(waits: Iterable[WaitRecord]) -> set[str]:
    """The facilities these wait records name (all a reason may need to look up)."""
    named: set[str] = set()
    for w in waits:
        named.update(b.facility_id for b in w.binds if b.facility_id is not None)
        named.update(f for f, _ in w.closest[:1])
        if w.extra_bed is not None:
            named.add(w.extra_bed.facility_id)
    return named


def binding(wait: WaitRecord) -> tuple[WaitKind, BindRecord | None]:
    """The binding reason of a run's wait record, and the binding it rests on."""
    if wait.capacity_gap:
        gap = next((b for b in wait.binds if b.kind == "capacity_gap"), None)
        return WaitKind.CAPACITY_GAP, gap
    for kind, reason in BINDING_ORDER:
        found = next((b for b in wait.binds if b.kind == kind), None)
        if found is not None:
            return reason, found
    return WaitKind.BEYOND_HORIZON, None


def reason_of(
    wait: WaitRecord, *, run_id: int, facilities: Mapping[str, Facility]
) -> WaitingReason:
    """The typed reason of a case the run left without a proposal.

    Parameters
    ----------
    wait
        The run's record of why the case waits.
    run_id
        The run.
    facilities
        Facilities by id (for the type and region a change names).
    """
    kind, bind = binding(wait)

    def ref(facility_id: str | None) -> FacilityRef | None:
        if facility_id is None:
            return None
        f = facilities.get(facility_id)
        if f is None:
            return FacilityRef(facility_id, facility_id, "", "")
        return FacilityRef(f.id, f.name, f.placement_type.value, f.region_id)

    next_best = None
    if kind is WaitKind.CAPACITY_GAP and wait.closest:
        facility_id, fails = wait.closest[0]
        closest = ref(facility_id)
        next_best = None if closest is None else NextBest(closest, None, fails)
    elif bind is not None and (facility := ref(bind.facility_id)) is not None:
        next_best = NextBest(facility, bind.date)
    changes: list[Change] = []
    if kind is WaitKind.CAPACITY_GAP and wait.failing_rules:
        changes.append(Change(ChangeKind.RULES, rules=wait.failing_rules))
    for b in wait.binds:
        if b.kind == "budget" and b.stream is not None:
            changes.append(Change(ChangeKind.BUDGET, stream=b.stream, amount=b.amount))
    if wait.extra_bed is not None:
        extra = wait.extra_bed
        changes.append(
            Change(
                ChangeKind.EXTRA_BED, facility=ref(extra.facility_id), start_date=extra.start_date
            )
        )
    return WaitingReason(
        kind=kind,
        run_id=run_id,
        date=None if bind is None else bind.date,
        stream=None if bind is None else bind.stream,
        cases=() if bind is None else bind.cases,
        higher_priority=bind is not None and bind.higher_priority,
        next_best=next_best,
        changes=tuple(changes),
        run_text=wait.text,
    )


@dataclass(frozen=True, slots=True)
class RunWaits:
    """Why the cases a run left without a proposal wait, grouped by reason.

    ``groups`` holds each reason with its cases (by case id) in the order of
    :class:`WaitKind`; the cases of all groups are the run's cases without a proposal.
    """

    run_id: int
    considered: int
    proposed: int
    groups: tuple[tuple[WaitKind, tuple[tuple[str, WaitingReason], ...]], ...]

    @property
    def waiting(self) -> int:
        return sum(len(cases) for _, cases in self.groups)


def run_waits(session: Session, run_id: int) -> RunWaits:
    """The run's cases without a proposal, by binding reason (the round page's list).

    Raises
    ------
    UnknownReferenceError
        When there is no such run.
    """
    decisions = DecisionRepository(session)
    run = decisions.run(run_id)
    proposed = {p.case_id for p in decisions.proposals(run_id=run_id)}
    named = facility_ids(run.record.waits)
    facilities = {f.id: f for f in Repository(session).facilities(named)}
    found: dict[WaitKind, list[tuple[str, WaitingReason]]] = {}
    for wait in run.record.waits:
        if wait.case_id in proposed:
            continue  # a late start: it has its proposal
        reason = reason_of(wait, run_id=run_id, facilities=facilities)
        found.setdefault(reason.kind, []).append((wait.case_id, reason))
    groups = tuple((kind, tuple(sorted(found[kind]))) for kind in WaitKind if kind in found)
    return RunWaits(run_id, run.record.cases, len(proposed), groups)
