"""Why each proposal, and why each case waits: the explanations coordinators read.

For a proposal: the criteria the facility meets, unmet soft preferences and up to three
alternatives (other facilities, the day each could take the case with every other
proposal kept, and how much worse that is). For a case that waits or starts late: what
binds — no eligible facility anywhere (a capacity gap, with the failing rules), eligible
facilities full until day D, a stream's budget too small for an earlier placement, or an
earlier start at a facility whose penalty outweighs the wait — and whether one extra bed
somewhere would have placed it earlier. A late or unplaced case always gets a reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from matching.anticipation import Deadline
from matching.build import BuiltProblem
from matching.evaluation import assignments_to_plan, occupancy
from matching.problem import NO_STREAM
from matching.result import MatchResult

MAX_ALTERNATIVES = 3
MAX_CLOSEST = 3


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another facility that could take the case, with every other proposal kept."""

    facility_id: str
    start_day: int
    objective_difference: float  # weighted waiting days worse than the proposal
    facility_name: str = ""  # the name a coordinator knows; the id when empty
    start_date: date | None = None  # the calendar date of start_day

    @property
    def difference_text(self) -> str:
        """The difference with its sign: ``+2.5`` worse, ``-1.0`` better than the proposal."""
        return f"{self.objective_difference:+.1f}"

    @property
    def text(self) -> str:
        """The alternative for a reader: facility, start day and the difference."""
        # issue 17: a bare "(+423.0)" did not say what it counts; names and dates, not
        # ids and day numbers, where the round knows them
        return (
            f"{self.facility_name or self.facility_id} from "
            f"{_when(self.start_day, self.start_date)} "
            f"({self.difference_text} weighted waiting days)"
        )


@dataclass(frozen=True, slots=True)
class ProposalExplanation:
    """Why a case got its proposal: criteria met, preferences not met, alternatives."""

    case_id: str
    facility_id: str
    start_day: int
    criteria_met: tuple[str, ...]
    preferences_unmet: tuple[str, ...]
    alternatives: tuple[Alternative, ...]

    @property
    def text(self) -> str:
        """The criteria met and the preferences not met, for a reader."""
        met = "; ".join(self.criteria_met) or "all criteria"
        text = f"Meets: {met}."
        if self.preferences_unmet:
            text += " Not met (preferences): " + " ".join(self.preferences_unmet)
        return text


class BindKind(StrEnum):
    """What keeps a case waiting (see :class:`Binding`)."""

    CAPACITY_GAP = "capacity_gap"
    DECLINED = "declined"
    FULL_UNTIL = "full_until"
    FULL_HORIZON = "full_horizon"
    BUDGET = "budget"
    PENALTY = "penalty"
    IMPROVABLE = "improvable"
    OUTRANKED = "outranked"
    KEPT = "kept"
    UNEXPLAINED = "unexplained"


@dataclass(frozen=True, slots=True)
class Binding:
    """One thing that keeps a case waiting.

    ``kind`` is ``capacity_gap`` (no eligible facility in the country), ``declined``
    (every eligible facility was declined or is off limits), ``full_until`` (eligible
    facilities full until ``day``), ``full_horizon`` (full for the whole horizon),
    ``budget`` (what is left of the budget of ``stream`` does not pay for a placement at
    ``facility`` from ``day``, which would be better: ``amount`` more would), ``outranked``
    (a bed at ``facility`` from ``day`` was free before this round, but the round gave it
    to ``cases``), ``penalty`` (``facility`` could
    take the case from ``day``, earlier, but its penalty for distance or preferences
    outweighs the wait), ``improvable`` (``facility`` could take it from ``day``, better,
    with every other proposal kept: the solve stopped before finding that), ``kept``
    (a bed at ``facility`` free today was kept for expected arrivals, issue 13: ``amount``
    is the expected saving in weighted waiting days) or ``unexplained`` (the round's time
    limit ran out before this wait was worked out, issue 11: the next round explains it).
    """

    kind: BindKind
    text: str
    day: int | None = None
    stream: str | None = None
    facility: str | None = None
    amount: float | None = None  # budget: euros short; kept: expected weighted days saved
    cases: tuple[str, ...] = ()  # outranked: the cases of this round that took the bed
    higher_priority: bool = False  # outranked: each of them weighs at least as much


@dataclass(frozen=True, slots=True)
class ExtraBed:
    """One more bed at this facility would have placed the case on this day."""

    facility_id: str
    start_day: int
    gain: float  # weighted waiting days saved
    facility_name: str = ""  # the name a coordinator knows; the id when empty
    start_date: date | None = None  # the calendar date of start_day


@dataclass(frozen=True, slots=True)
class WaitExplanation:
    """Why a case waits or stays unplaced: what binds, and the extra bed that would help."""

    case_id: str
    start_day: int | None  # None: unplaced within the horizon
    binds: tuple[Binding, ...]
    extra_bed: ExtraBed | None
    failing_rules: tuple[tuple[str, int], ...] = ()  # capacity gaps: rule family, facilities
    closest: tuple[tuple[str, tuple[str, ...]], ...] = ()  # facility, the reasons it fails

    @property
    def text(self) -> str:
        """What binds and the extra bed that would help, for a reader."""
        parts = [b.text for b in self.binds]
        if self.extra_bed is not None:
            bed = self.extra_bed
            parts.append(
                f"One extra bed at {bed.facility_name or bed.facility_id} would place it from "
                f"{_when(bed.start_day, bed.start_date)}."
            )
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Explanations:
    """The explanations of a result by case id: of each proposal and of each wait.

    ``cut_short``: the cases whose explanation the deadline cut short (a proposal without
    alternatives, a wait with an ``unexplained`` reason), in case order.
    """

    proposals: dict[str, ProposalExplanation]
    waits: dict[str, WaitExplanation]
    cut_short: tuple[str, ...] = ()


UNEXPLAINED_TEXT = (
    "The round's time limit ran out before this wait was worked out; the next round explains it."
)


def explain(
    built: BuiltProblem, result: MatchResult, deadline: Deadline | None = None
) -> Explanations:
    """Explain every proposal and every unplaced or late case of a result.

    Parameters
    ----------
    built
        The problem with its domain facts (from :func:`matching.build_problem`).
    result
        The solve result on ``built.problem``.
    deadline
        When explaining must stop (issue 11: a live round's time limit covers it). The
        cases left then still get an explanation: a proposal its criteria (no
        alternatives), a capacity gap its failing rules, any other wait the short
        ``unexplained`` reason; they are listed in ``cut_short``.

    Returns
    -------
    Explanations
    """
    ctx = _Context(built, result)
    proposals: dict[str, ProposalExplanation] = {}
    waits: dict[str, WaitExplanation] = {}
    cut: list[str] = []
    for c in range(built.problem.n_cases):
        case_id = built.problem.case_ids[c]
        short = deadline is not None and deadline.passed()
        if c in ctx.chosen:
            proposals[case_id] = ctx.explain_proposal(c, alternatives=not short)
        if c not in ctx.chosen or ctx.chosen[c][1] > 0:
            waits[case_id] = ctx.unexplained(c) if short else ctx.explain_wait(c)
        if short:
            cut.append(case_id)
    return Explanations(proposals, waits, tuple(cut))


class _Context:
    """The plan's occupancy and spending, to ask "what if this case moved?"."""

    def __init__(self, built: BuiltProblem, result: MatchResult) -> None:
        p = built.problem
        self.built, self.p = built, p
        plan = assignments_to_plan(p, result.assignments)
        self.chosen = {int(p.opt_case[k]): (k, d) for k, d in plan}
        self.use = occupancy(p, plan)
        self.spent = np.zeros(len(p.stream_ids))
        for k, _ in plan:
            if p.opt_stream[k] != NO_STREAM:
                self.spent[p.opt_stream[k]] += p.opt_cost[k]
        self.by_case = p.options_of_case()
        self.stay = p.stay_to
        # the beds free before this round are the same for every case: one pass for all
        raw = p.free_beds[p.opt_facility].astype(np.int64)
        fit = earliest_days(raw, p.case_beds[p.opt_case], self.stay)
        self.raw_fit = _fits(range(p.n_options), fit)
        self.facility_of = {c: int(p.opt_facility[k]) for c, (k, _) in self.chosen.items()}
        self.apart: dict[int, set[int]] = {}
        for a, b in p.keep_apart.tolist():
            self.apart.setdefault(a, set()).add(b)
            self.apart.setdefault(b, set()).add(a)

    def _without(self, c: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Residual beds and budget with case ``c`` taken out of the plan."""
        residual = self.p.free_beds.astype(np.int64) - self.use
        spent = self.spent.copy()
        if c in self.chosen:
            k, d = self.chosen[c]
            f = int(self.p.opt_facility[k])
            residual[f, d : d + int(self.stay[k])] += int(self.p.case_beds[c])
            if self.p.opt_stream[k] != NO_STREAM:
                spent[self.p.opt_stream[k]] -= self.p.opt_cost[k]
        return residual, spent

    def _earliest(
        self, ks: list[int], residual: npt.NDArray[np.int64], extra: int = 0
    ) -> dict[int, int | None]:
        """Per option, the first day its stay fits in the residual beds (plus ``extra``)."""
        at = np.asarray(ks, dtype=np.int64)
        days = earliest_days(
            residual[self.p.opt_facility[at]] + extra,
            self.p.case_beds[self.p.opt_case[at]],
            self.stay[at],
        )
        return _fits(ks, days)

    def _affordable(self, k: int, spent: npt.NDArray[np.float64]) -> bool:
        s = int(self.p.opt_stream[k])
        return s == NO_STREAM or spent[s] + self.p.opt_cost[k] <= self.p.budget[s] + 1e-6

    def _apart_ok(self, c: int, k: int) -> bool:
        f = int(self.p.opt_facility[k])
        return all(self.facility_of.get(o) != f for o in self.apart.get(c, ()))

    def _cost(self, c: int, k: int, d: int) -> float:
        return float(self.p.case_weight[c]) * d + float(self.p.opt_penalty[k])

    def explain_proposal(self, c: int, *, alternatives: bool = True) -> ProposalExplanation:
        k, d = self.chosen[c]
        residual, spent = self._without(c)
        found = []
        others = [
            o
            for o in self.by_case[c].tolist()
            if alternatives and o != k and self._affordable(o, spent) and self._apart_ok(c, o)
        ]
        for other, day in self._earliest(others, residual).items():
            if day is not None:
                diff = self._cost(c, other, day) - self._cost(c, k, d)
                fid = self.p.facility_ids[int(self.p.opt_facility[other])]
                found.append(Alternative(fid, day, diff, self._name(fid), self.built.day(day)))
        found.sort(key=lambda a: (a.objective_difference, a.facility_id))
        verdict = self.built.eligible[k]
        return ProposalExplanation(
            case_id=self.p.case_ids[c],
            facility_id=self.p.facility_ids[int(self.p.opt_facility[k])],
            start_day=d,
            criteria_met=verdict.met,
            preferences_unmet=tuple(r.text for r in verdict.unmet_preferences),
            alternatives=tuple(found[:MAX_ALTERNATIVES]),
        )

    def unexplained(self, c: int) -> WaitExplanation:
        """A wait not worked out in time: a capacity gap still names its rules (cheap)."""
        case_id = self.p.case_ids[c]
        if case_id in self.built.gaps:
            return _capacity_gap(self.built, case_id)
        start = self.chosen[c][1] if c in self.chosen else None
        return WaitExplanation(
            case_id, start, (Binding(BindKind.UNEXPLAINED, UNEXPLAINED_TEXT),), None
        )

    def explain_wait(self, c: int) -> WaitExplanation:
        case_id = self.p.case_ids[c]
        start = self.chosen[c][1] if c in self.chosen else None
        if case_id in self.built.gaps:
            return _capacity_gap(self.built, case_id)
        options = [k for k in self.by_case[c].tolist() if self._apart_ok(c, k)]
        if not options:
            return WaitExplanation(
                case_id,
                start,
                (
                    Binding(
                        BindKind.DECLINED,
                        "Every eligible facility was declined for this case "
                        "or holds a case it must be kept apart from.",
                    ),
                ),
                None,
            )
        residual, spent = self._without(c)
        binds = self._binds(c, options, residual, spent, start)
        return WaitExplanation(
            case_id, start, binds, self._extra_bed(c, options, residual, spent, start)
        )

    def _name(self, facility_id: str) -> str:
        """The facility's name, as coordinators know it."""
        return self.built.facility(facility_id).name

    def _stream(self, stream_id: str) -> str:
        """The funding stream's name, or its id when the supply does not know it."""
        try:
            return self.built.snapshot.stream(stream_id).name
        except LookupError:
            return stream_id

    def _date(self, d: int) -> str:
        """A start day of the horizon as its calendar date."""
        return self.built.day(d).isoformat()

    def _now(self, c: int, start: int | None) -> float:
        """The case's objective term in the plan (placed late, or unplaced)."""
        if start is None:
            return float(self.p.unplaced_cost[c])
        return self._cost(c, self.chosen[c][0], start)

    def _binds(
        self,
        c: int,
        options: list[int],
        residual: npt.NDArray[np.int64],
        spent: npt.NDArray[np.float64],
        start: int | None,
    ) -> tuple[Binding, ...]:
        fits = self._earliest(options, residual)
        days = [d for d in fits.values() if d is not None]
        h = self.p.horizon_days
        if not days:
            now = self._now(c, start)
            full = Binding(
                BindKind.FULL_HORIZON,
                f"{_eligible(len(options))} full for the whole horizon ({h} days), "
                "given the other proposals.",
            )
            tol = 1e-6 * max(1.0, abs(now))
            return (full, *self._outranked(c, options, fits, spent, start, now - tol))
        first = min(days)
        binds = []
        now = self._now(c, start)
        tol = 1e-6 * max(1.0, abs(now))
        if first > 0:
            k = min(
                (k for k, d in fits.items() if d == first), key=lambda k: self._cost(c, k, first)
            )
            binds.append(
                Binding(
                    BindKind.FULL_UNTIL,
                    f"{_eligible(len(options))} full until {self._date(first)}.",
                    day=first,
                    facility=self.p.facility_ids[int(self.p.opt_facility[k])],
                )
            )
        binds += self._outranked(c, options, fits, spent, start, now - tol)
        # earlier starts the other proposals leave room for, earliest and cheapest first
        earlier = sorted(
            (d, self._cost(c, k, d), k)
            for k, d in fits.items()
            if d is not None and (start is None or d < start)
        )
        better = [(d, cost, k) for d, cost, k in earlier if cost < now - tol]
        blocked = [(d, cost, k) for d, cost, k in better if not self._affordable(k, spent)]
        for s in sorted({int(self.p.opt_stream[k]) for _, _, k in blocked}):
            d, _, k = next(b for b in blocked if int(self.p.opt_stream[b[2]]) == s)
            binds.append(self._budget(s, k, d, spent))
        worse = [(d, cost, k) for d, cost, k in earlier if cost >= now - tol]
        if worse:
            d, _, k = worse[0]
            binds.append(self._penalty(c, k, d, start))
        free = [(d, cost, k) for d, cost, k in better if self._affordable(k, spent)]
        if free:
            d, _, k = min(free, key=lambda b: (b[1], b[0]))
            fid = self.p.facility_ids[int(self.p.opt_facility[k])]
            binds.append(
                Binding(
                    BindKind.IMPROVABLE,
                    f"{self._name(fid)} could take it from {self._date(d)} with every other "
                    "proposal kept, which is better; the solve stopped before finding that.",
                    day=d,
                    facility=fid,
                )
            )
        return tuple(binds)

    def _outranked(
        self,
        c: int,
        options: list[int],
        fits: dict[int, int | None],
        spent: npt.NDArray[np.float64],
        start: int | None,
        below: float,
    ) -> list[Binding]:
        """A bed free before this round that the round gave to other cases.

        The bed is earlier and better than the plan (issue 14: "kept for a higher-priority
        case").
        """
        found = []
        for k in options:
            d = self.raw_fit[k]
            fit = fits.get(k)
            if d is None or not self._affordable(k, spent) or (fit is not None and fit <= d):
                continue
            if (start is None or d < start) and self._cost(c, k, d) < below:
                found.append((self._cost(c, k, d), d, k))
        if not found:
            return []
        _, d, k = min(found)
        f = int(self.p.opt_facility[k])
        end = d + int(self.stay[k])
        takers = sorted(
            (
                o
                for o, (ko, do) in self.chosen.items()
                if o != c and self.facility_of[o] == f and do < end and d < do + int(self.stay[ko])
            ),
            key=lambda o: (-float(self.p.case_weight[o]), self.p.case_ids[o]),
        )
        ids = tuple(self.p.case_ids[o] for o in takers[:MAX_CLOSEST])
        fid = self.p.facility_ids[f]
        when = self._date(d)
        higher = all(self.p.case_weight[o] >= self.p.case_weight[c] for o in takers)
        named = ", ".join(ids) + (" and others" if len(takers) > len(ids) else "")
        text = f"A bed at {self._name(fid)} was free from {when}, but this round gave it to " + (
            f"higher-priority {_cases(len(takers))} {named}."
            if higher
            else f"{_cases(len(takers))} {named}: that saves more weighted waiting days in all."
        )
        return [
            Binding(
                BindKind.OUTRANKED, text, day=d, facility=fid, cases=ids, higher_priority=higher
            )
        ]

    def _budget(self, s: int, k: int, d: int, spent: npt.NDArray[np.float64]) -> Binding:
        sid = self.p.stream_ids[s]
        fid = self.p.facility_ids[int(self.p.opt_facility[k])]
        left = max(0.0, float(self.p.budget[s] - spent[s]))
        stream = self._stream(sid)
        if left < 0.5:
            text = f"The budget of {stream} is exhausted (EUR {left:,.0f} left)."
        else:
            text = (
                f"The budget of {stream} is exhausted for this case: EUR {left:,.0f} left, "
                f"less than the EUR {float(self.p.opt_cost[k]):,.0f} a placement at "
                f"{self._name(fid)} from {self._date(d)} costs."
            )
        short = max(0.0, float(self.p.opt_cost[k]) - left)
        return Binding(
            BindKind.BUDGET, text, day=d, stream=sid, facility=fid, amount=round(short, 2)
        )

    def _penalty(self, c: int, k: int, d: int, start: int | None) -> Binding:
        fid = self.p.facility_ids[int(self.p.opt_facility[k])]
        penalty = float(self.p.opt_penalty[k])
        worse = self._cost(c, k, d) - self._now(c, start)
        if start is None:
            instead = "leaving it unplaced"
        else:
            waited = start - d
            instead = f"waiting {waited} more day{'' if waited == 1 else 's'}"
        return Binding(
            BindKind.PENALTY,
            f"{self._name(fid)} could take it from {self._date(d)}, but its "
            f"penalty for distance and preferences ({penalty:.1f} weighted days) outweighs "
            f"{instead} (that start would be {max(worse, 0.0):.1f} weighted days worse).",
            day=d,
            facility=fid,
        )

    def _extra_bed(
        self,
        c: int,
        options: list[int],
        residual: npt.NDArray[np.int64],
        spent: npt.NDArray[np.float64],
        start: int | None,
    ) -> ExtraBed | None:
        now = self._now(c, start)
        best: ExtraBed | None = None
        paid = [k for k in options if self._affordable(k, spent)]
        for k, day in self._earliest(paid, residual, extra=1).items():
            if day is None:
                continue
            gain = now - self._cost(c, k, day)
            if gain > 1e-9 and (best is None or gain > best.gain):
                fid = self.p.facility_ids[int(self.p.opt_facility[k])]
                best = ExtraBed(fid, day, gain, self._name(fid), self.built.day(day))
        return best


def earliest_days(
    rows: npt.NDArray[np.int64], beds: npt.ArrayLike, stay: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """Per row of free beds, the first day ``d`` with ``rows[d : d + stay]`` >= ``beds``.

    A stay is cut at the horizon (the row's end). ``-1``: no such day. One vectorised pass
    (issue 11: the day-by-day scan per option made explanations the slow part of a round):
    a day fits when the next day short of beds comes no sooner than the stay's end.
    """
    n, h = rows.shape
    if n == 0 or h == 0:
        return np.full(n, -1, dtype=np.int64)
    days = np.arange(h, dtype=np.int64)
    short = rows < np.asarray(beds).reshape(-1, 1)
    # per day, the first day from it on that is short of beds (h: none)
    next_short = np.minimum.accumulate(np.where(short, days, h)[:, ::-1], axis=1)[:, ::-1]
    ends = np.minimum(h, days + np.asarray(stay, dtype=np.int64).reshape(-1, 1))
    fits = next_short >= ends
    return np.where(fits.any(axis=1), fits.argmax(axis=1), -1).astype(np.int64)


def _fits(ks: Iterable[int], days: npt.NDArray[np.int64]) -> dict[int, int | None]:
    """Per option, its earliest day (``None``: it fits on no day)."""
    return {k: None if d < 0 else d for k, d in zip(ks, days.tolist(), strict=True)}


def _when(day: int, on: date | None) -> str:
    """A start as its date, or as a day of the horizon when the date is not known."""
    return on.isoformat() if on is not None else f"day {day}"


def _eligible(n: int) -> str:
    return "The only eligible facility is" if n == 1 else f"All {n} eligible facilities are"


def _cases(n: int) -> str:
    return "case" if n == 1 else "cases"


def _capacity_gap(built: BuiltProblem, case_id: str) -> WaitExplanation:
    verdicts = built.gaps[case_id]
    counts = Counter(r.rule for v in verdicts for r in {x.rule: x for x in v.failed}.values())
    closest = sorted(verdicts, key=lambda v: (len(v.failed), v.facility_id))[:MAX_CLOSEST]
    summary = ", ".join(f"{rule} ({n} facilities)" for rule, n in counts.most_common())
    version = built.rulebook.version
    text = (
        f"Capacity gap: no facility in the country is eligible under {version}. Failing: {summary}."
    )
    return WaitExplanation(
        case_id=case_id,
        start_day=None,
        binds=(Binding(BindKind.CAPACITY_GAP, text),),
        extra_bed=None,
        failing_rules=tuple(counts.most_common()),
        closest=tuple((v.facility_id, tuple(r.text for r in v.failed)) for v in closest),
    )
