"""An independent reading of the problem format (issue #3), for checking ``matching.solve``.

Everything here is written from the issue's definition of ``opvang-problem/1`` and works on
the JSON dictionary, not on :class:`matching.MatchingProblem`'s arrays, so it shares no
code with the engine:

- :class:`Reference` reads a (valid) problem dictionary;
- :meth:`Reference.violations` and :meth:`Reference.objective` check and score a plan
  straight from the rules;
- :func:`exhaustive_optimum` enumerates, for every case, "unplaced" and every option on
  every start day 0 .. H-1 (tiny instances only);
- :func:`mip_optimum` is a time-indexed MIP in HiGHS over all start days, with a capacity
  row on every day of every facility (small instances);
- :func:`random_instance` is a seeded generator of small problem dictionaries;
- :func:`shaped_instance` makes small ones of the realistic shapes of issue 11 (crisis
  and clinical stays, families of up to 5 beds, budgets that bind, many keep-apart pairs).

A plan is a list of ``(case, facility, start_day)`` triples; cases not in it are unplaced.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

Plan = list[tuple[str, str, int]]
BUDGET_TOL = 1e-9  # relative slack on a budget row, against rounding in sums of costs


def over_budget(spent: float, amount: float) -> bool:
    return spent > amount * (1 + BUDGET_TOL) + BUDGET_TOL


@dataclass(frozen=True)
class Option:
    case: str
    facility: str
    penalty: float
    stay_days: int | None  # None: to the end of the horizon
    cost: float
    stream: str | None


@dataclass(frozen=True)
class Reference:
    """A problem dictionary read literally (beds, weight, penalty and cost must be given)."""

    horizon: int
    unplaced_penalty_days: float
    free_beds: dict[str, list[int]]
    beds: dict[str, int]
    weight: dict[str, float]
    options: tuple[Option, ...]
    budgets: dict[str, float]
    keep_apart: tuple[tuple[str, str], ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reference:
        horizon = data["horizon_days"]
        return cls(
            horizon=horizon,
            # issue #3: "unplaced_penalty_days defaults to horizon_days"
            unplaced_penalty_days=data.get("unplaced_penalty_days", horizon),
            free_beds={f["id"]: list(f["free_beds"]) for f in data["facilities"]},
            beds={c["id"]: c["beds"] for c in data["cases"]},
            weight={c["id"]: c["weight"] for c in data["cases"]},
            options=tuple(
                Option(
                    o["case"],
                    o["facility"],
                    o["penalty"],
                    o.get("stay_days"),
                    o["cost"],
                    o.get("stream"),
                )
                for o in data["options"]
            ),
            budgets={b["stream"]: b["amount"] for b in data.get("budgets", [])},
            keep_apart=tuple((a, b) for a, b in data.get("keep_apart", [])),
        )

    @property
    def cases(self) -> list[str]:
        return list(self.beds)

    def option(self, case: str, facility: str) -> Option | None:
        for opt in self.options:
            if opt.case == case and opt.facility == facility:
                return opt
        return None

    def days_occupied(self, opt: Option, start: int) -> range:
        """Days d .. d + stay_days - 1, cut at the end of the horizon."""
        end = self.horizon if opt.stay_days is None else min(self.horizon, start + opt.stay_days)
        return range(start, end)

    def unplaced_cost(self, case: str) -> float:
        return self.weight[case] * (self.horizon + self.unplaced_penalty_days)

    def objective(self, plan: Plan) -> float:
        """weight x start_day + penalty per placed case; weight x (H + U) per unplaced case."""
        placed = {case for case, _, _ in plan}
        total = sum(self.unplaced_cost(c) for c in self.cases if c not in placed)
        for case, facility, start in plan:
            opt = self.option(case, facility)
            assert opt is not None, f"{case} -> {facility} is not an option"
            total += self.weight[case] * start + opt.penalty
        return total

    def violations(self, plan: Plan) -> list[str]:
        """Every rule of the format the plan breaks (empty when feasible)."""
        out: list[str] = []
        used = {f: [0] * self.horizon for f in self.free_beds}
        spent: dict[str, float] = defaultdict(float)
        where: dict[str, str] = {}
        for case, facility, start in plan:
            if case not in self.beds:
                out.append(f"unknown case {case}")
                continue
            if case in where:
                out.append(f"{case} placed twice")
            where[case] = facility
            opt = self.option(case, facility)
            if opt is None:
                out.append(f"{case} -> {facility} is not an option")
                continue
            if not (isinstance(start, int) and 0 <= start < self.horizon):
                out.append(f"{case} starts on day {start}, outside 0..{self.horizon - 1}")
                continue
            for d in self.days_occupied(opt, start):
                used[facility][d] += self.beds[case]
            if opt.stream is not None:
                spent[opt.stream] += opt.cost
        for f, days in used.items():
            for d, n in enumerate(days):
                if n > self.free_beds[f][d]:
                    out.append(f"{f} day {d}: {n} beds used, {self.free_beds[f][d]} free")
        for stream, amount in self.budgets.items():
            if over_budget(spent[stream], amount):
                out.append(f"stream {stream}: spent {spent[stream]} > budget {amount}")
        for a, b in self.keep_apart:
            if a in where and where.get(b) == where[a]:
                out.append(f"{a} and {b} are kept apart but both at {where[a]}")
        return out


# exhaustive enumeration -----------------------------------------------------------------


def exhaustive_optimum(ref: Reference) -> tuple[float, Plan]:
    """Try every combination of "unplaced" or (option, start day 0..H-1) per case.

    Branches that already break a rule are cut, and so are branches whose cost so far plus
    the cheapest conceivable cost of the remaining cases (each alone, on day 0) cannot beat
    the best plan found: both cuts drop only plans that cannot be optimal.
    """
    cases = ref.cases
    options_of = {c: [o for o in ref.options if o.case == c] for c in cases}
    cheapest = [min([ref.unplaced_cost(c)] + [o.penalty for o in options_of[c]]) for c in cases]
    rest = [sum(cheapest[i:]) for i in range(len(cases) + 1)]
    used = {f: [0] * ref.horizon for f in ref.free_beds}
    spent: dict[str, float] = defaultdict(float)
    where: dict[str, str] = {}
    best: list[Any] = [math.inf, []]
    plan: Plan = []

    def fits(case: str, opt: Option, start: int) -> bool:
        if any(
            used[opt.facility][d] + ref.beds[case] > ref.free_beds[opt.facility][d]
            for d in ref.days_occupied(opt, start)
        ):
            return False
        if opt.stream in ref.budgets and over_budget(
            spent[opt.stream] + opt.cost, ref.budgets[opt.stream]
        ):
            return False
        return not any(
            (a == case and where.get(b) == opt.facility)
            or (b == case and where.get(a) == opt.facility)
            for a, b in ref.keep_apart
        )

    def visit(i: int, cost: float) -> None:
        if cost + rest[i] >= best[0] - 1e-12:
            return
        if i == len(cases):
            best[0], best[1] = cost, list(plan)
            return
        case = cases[i]
        visit(i + 1, cost + ref.unplaced_cost(case))
        for opt in options_of[case]:
            for start in range(ref.horizon):
                if not fits(case, opt, start):
                    continue
                days = ref.days_occupied(opt, start)
                for d in days:
                    used[opt.facility][d] += ref.beds[case]
                if opt.stream is not None:
                    spent[opt.stream] += opt.cost
                where[case] = opt.facility
                plan.append((case, opt.facility, start))
                visit(i + 1, cost + ref.weight[case] * start + opt.penalty)
                plan.pop()
                del where[case]
                if opt.stream is not None:
                    spent[opt.stream] -= opt.cost
                for d in days:
                    used[opt.facility][d] -= ref.beds[case]

    visit(0, 0.0)
    return best[0], best[1]


# time-indexed MIP ------------------------------------------------------------------------


def mip_optimum(ref: Reference, *, relaxed: bool = False) -> tuple[float, Plan]:
    """Solve the time-indexed MIP: x[option, day] for every day 0..H-1, u[case] unplaced.

    Returns the objective recomputed from the rounded plan, which is checked feasible.
    ``relaxed``: the LP relaxation instead (its optimum, and no plan).
    """
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    h.setOptionValue("random_seed", 0)

    cols: list[tuple[str, Option | None, int]] = []  # (case, option or None, start day)
    cost: list[float] = []
    for c in ref.cases:
        cols.append((c, None, -1))
        cost.append(ref.unplaced_cost(c))
    for opt in ref.options:
        for d in range(ref.horizon):
            cols.append((opt.case, opt, d))
            cost.append(ref.weight[opt.case] * d + opt.penalty)
    n = len(cols)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(cost))
    if not relaxed:
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
        )

    def row(lower: float, upper: float, entries: list[tuple[int, float]]) -> None:
        if entries:
            idx, val = zip(*entries, strict=True)
            h.addRow(lower, upper, len(idx), np.array(idx, np.int32), np.array(val, float))

    for c in ref.cases:  # each case unplaced or placed exactly once
        row(1.0, 1.0, [(j, 1.0) for j, col in enumerate(cols) if col[0] == c])
    for f, free in ref.free_beds.items():  # beds per facility per day, every day
        for t in range(ref.horizon):
            row(
                -highspy.kHighsInf,
                float(free[t]),
                [
                    (j, float(ref.beds[c]))
                    for j, (c, opt, d) in enumerate(cols)
                    if opt is not None and opt.facility == f and t in ref.days_occupied(opt, d)
                ],
            )
    for stream, amount in ref.budgets.items():
        row(
            -highspy.kHighsInf,
            amount,
            [
                (j, opt.cost)
                for j, (_, opt, _) in enumerate(cols)
                if opt is not None and opt.stream == stream
            ],
        )
    for a, b in ref.keep_apart:  # at most one of the pair per facility
        for f in ref.free_beds:
            row(
                -highspy.kHighsInf,
                1.0,
                [
                    (j, 1.0)
                    for j, (c, opt, _) in enumerate(cols)
                    if opt is not None and c in (a, b) and opt.facility == f
                ],
            )
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal, h.getModelStatus()
    if relaxed:
        return h.getInfo().objective_function_value, []
    values = h.getSolution().col_value
    plan = [
        (c, opt.facility, d)
        for (c, opt, d), v in zip(cols, values, strict=True)
        if opt is not None and v > 0.5
    ]
    assert ref.violations(plan) == [], ref.violations(plan)
    value = ref.objective(plan)
    assert math.isclose(value, h.getInfo().objective_function_value, rel_tol=1e-7, abs_tol=1e-6)
    return value, plan


# generator -------------------------------------------------------------------------------


def random_instance(
    seed: int,
    *,
    n_cases: int,
    n_facilities: int,
    horizon: int,
    option_share: float = 0.6,
    family_share: float = 0.3,
    max_family_beds: int = 3,
    short_stay_share: float = 0.5,
    n_streams: int = 2,
    budget_share: float = 0.7,
    n_keep_apart: int = 0,
    max_free: int = 2,
    falling_beds: bool = True,
    flow_shaped: bool = False,
) -> dict[str, Any]:
    """A seeded problem dictionary with tight capacity.

    ``falling_beds`` lets free beds also fall from one day to the next (a bed promised to a
    placement already agreed); without it they only rise, as current stays end.
    ``flow_shaped`` gives the shape min-cost flow solves exactly: one bed per case, stays to
    the end of the horizon, free beds that never fall, no budgets and no keep-apart pairs.
    """
    rng = np.random.default_rng(seed)
    facilities = []
    for i in range(n_facilities):
        beds = [int(rng.integers(0, max_free + 1))]
        for _ in range(horizon - 1):
            step = int(rng.choice([-1, 0, 0, 1]))
            if flow_shaped or not falling_beds:
                step = max(step, 0)
            beds.append(max(0, beds[-1] + step))
        facilities.append({"id": f"F{i}", "free_beds": beds})
    cases = []
    for i in range(n_cases):
        family = not flow_shaped and rng.random() < family_share
        beds = int(rng.integers(2, max_family_beds + 1)) if family else 1
        weight = float(np.round(rng.uniform(0.5, 4.0), 2))
        cases.append({"id": f"C{i}", "beds": beds, "weight": weight})
    streams = [f"S{s}" for s in range(n_streams)]
    options = []
    for case in cases:
        for fac in facilities:
            if rng.random() >= option_share:
                continue
            opt: dict[str, Any] = {
                "case": case["id"],
                "facility": fac["id"],
                "penalty": float(np.round(rng.uniform(0.0, 3.0), 2)),
                "cost": float(np.round(rng.uniform(50.0, 200.0)) * case["beds"]),
            }
            if not flow_shaped and rng.random() < short_stay_share:
                opt["stay_days"] = int(rng.integers(1, horizon))  # ends inside the horizon
            if streams and rng.random() < 0.85:
                opt["stream"] = streams[int(rng.integers(0, n_streams))]
            options.append(opt)
    budgets = []
    if not flow_shaped:
        for s in streams:
            paid = [o["cost"] for o in options if o.get("stream") == s]
            if paid and rng.random() < budget_share:
                share = rng.uniform(0.15, 0.5)
                budgets.append({"stream": s, "amount": float(np.round(share * sum(paid)))})
    data: dict[str, Any] = {
        "format": "opvang-problem/1",
        "horizon_days": horizon,
        "facilities": facilities,
        "cases": cases,
        "options": options,
        "budgets": budgets,
    }
    if rng.random() < 0.5:
        data["unplaced_penalty_days"] = float(rng.choice([0.0, 1.5, horizon, 2.0 * horizon]))
    if not flow_shaped and n_keep_apart and n_cases >= 2:
        pairs = {tuple(sorted(rng.choice(n_cases, 2, replace=False))) for _ in range(n_keep_apart)}
        data["keep_apart"] = [[f"C{a}", f"C{b}"] for a, b in sorted(pairs)]
    return data


# shaped generator (issue 11) ---------------------------------------------------------------

SHAPES = ("short-stays", "families", "binding-budgets", "keep-apart", "mixed", "region-budgets")
CRISIS_STAY_DAYS = 3  # days, a crisis bed
MAX_FAMILY_BEDS = 5  # beds, the largest family the Dutch system places together


def shaped_instance(seed: int, shape: str) -> dict[str, Any]:
    """A small seeded problem of one of the realistic shapes of issue 11.

    - ``short-stays``: crisis facilities whose stays last 1-3 days and clinical ones of
      about half the horizon beside stays to the end; facilities nearly full, beds freeing
      up over time.
    - ``families``: cases of up to 5 beds (never split) among single women, facilities
      with up to 6 free beds.
    - ``binding-budgets``: every option paid by one of three streams whose budgets are
      half of what the optimum without budgets spends there, so they bind.
    - ``region-budgets``: one budget per region, each facility a region of its own (the
      ``budget-region`` shape of the benchmark family), half of what the optimum without
      budgets spends there.
    - ``keep-apart``: about one pair per two cases, at few facilities.
    - ``mixed``: all of these at once.
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}")
    rng = np.random.default_rng(10_000 + 97 * SHAPES.index(shape) + seed)
    mixed = shape == "mixed"
    horizon = int(rng.integers(6, 11))
    n_cases = int(rng.integers(6, 11))
    n_facilities = int(rng.integers(2, 4)) if shape == "keep-apart" else int(rng.integers(2, 5))
    big = shape == "families" or mixed
    facilities, kinds = [], []
    for i in range(n_facilities):
        beds = [int(rng.integers(0, 7 if big else 3))]
        for _ in range(horizon - 1):  # stays ending: beds free up, now and then one is taken
            beds.append(max(0, beds[-1] + int(rng.choice([-1, 0, 0, 0, 1, 1]))))
        facilities.append({"id": f"F{i}", "free_beds": beds})
        kinds.append(
            rng.choice(["crisis", "clinical", "long"])
            if shape == "short-stays" or mixed
            else "long"
        )
    cases = []
    for i in range(n_cases):
        family = big and rng.random() < 0.4
        beds = int(rng.integers(2, MAX_FAMILY_BEDS + 1)) if family else 1
        cases.append(
            {"id": f"C{i}", "beds": beds, "weight": float(np.round(rng.uniform(0.5, 4.0), 2))}
        )
    region = shape == "region-budgets"
    paid = shape == "binding-budgets" or mixed or region
    options = []
    for case in cases:
        chosen = [f for f in range(n_facilities) if rng.random() < 0.7] or [
            int(rng.integers(0, n_facilities))
        ]
        for f in chosen:
            opt: dict[str, Any] = {
                "case": case["id"],
                "facility": f"F{f}",
                "penalty": float(np.round(rng.uniform(0.0, 3.0), 2)),
                "cost": float(np.round(rng.uniform(50.0, 200.0)) * case["beds"]),
            }
            if kinds[f] == "crisis":
                opt["stay_days"] = int(rng.integers(1, CRISIS_STAY_DAYS + 1))
            elif kinds[f] == "clinical":
                opt["stay_days"] = max(1, horizon // 2 + int(rng.integers(-1, 2)))
            if region:
                opt["stream"] = f"R{f}"
            elif paid:
                opt["stream"] = f"S{int(rng.integers(0, 3))}"
            options.append(opt)
    data: dict[str, Any] = {
        "format": "opvang-problem/1",
        "horizon_days": horizon,
        "unplaced_penalty_days": float(horizon),
        "facilities": facilities,
        "cases": cases,
        "options": options,
        "budgets": [],
    }
    if shape == "keep-apart" or mixed:
        pairs = {tuple(sorted(rng.choice(n_cases, 2, replace=False))) for _ in range(n_cases // 2)}
        data["keep_apart"] = [[f"C{a}", f"C{b}"] for a, b in sorted(pairs)]
    if paid:  # half of what the unconstrained optimum spends per stream
        reference = Reference.from_dict(data)
        _, plan = mip_optimum(reference)
        spent: dict[str, float] = defaultdict(float)
        for case, facility, _ in plan:
            opt = reference.option(case, facility)
            assert opt is not None
            assert opt.stream is not None
            spent[opt.stream] += opt.cost
        data["budgets"] = [
            {"stream": s, "amount": float(np.round(spent[s] / 2))}
            for s in sorted(spent)
            if spent[s] > 0
        ]
    return data
