"""The demo's matching round in a terminal: proposals, the cases left waiting, extra beds.

A proposal's full reasons take a paragraph each; the terminal shows them for the first
proposal only and ``demo-out/proposals.csv`` holds them all (issue 17).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from api.cli.render import column, region_name, table
from capacity import CATALOGUE, PlacementType, complexity_label
from matching import BedValue, BuiltProblem, Explanations, MatchResult
from matching.explain import Alternative, Binding, WaitExplanation

# What keeps a case waiting, in a coordinator's words (matching.explain.Binding.kind)
BINDING_WORDS = {
    "declined": "every eligible facility declined or off limits",
    "full_until": "eligible beds full until a later day",
    "full_horizon": "eligible beds full for the whole horizon",
    "budget": "a funding stream's budget exhausted",
    "penalty": "a free bed, but far away or against preferences",
    "improvable": "the solve stopped before placing it",
    "unexplained": "the time limit ran out before explaining it",
}


def round_summary(built: BuiltProblem, result: MatchResult) -> Text:
    p = built.problem
    return Text(
        f"{p.n_cases} waiting cases, {p.n_facilities} facilities, {p.n_options} eligible "
        f"case-facility pairs, a {p.horizon_days}-day horizon. "
        f"{len(result.assignments)} proposals; {len(result.unplaced)} cases cannot start "
        f"within the horizon. Method {result.method}: {result.status.value}, "
        f"{result.objective:,.1f} weighted waiting days, proven bound {result.bound:,.1f} "
        f"(gap {result.gap:.3%}); build {result.build_seconds:.2f} s, "
        f"solve {result.solve_seconds:.2f} s."
    )


def proposal_order(built: BuiltProblem, result: MatchResult) -> list[str]:
    """Case ids of the proposals, highest priority first."""
    order = sorted(result.assignments, key=lambda a: (-built.priorities[a.case].weight, a.case))
    return [a.case for a in order]


def proposals(built: BuiltProblem, result: MatchResult, *, limit: int) -> Table:
    by_case = {a.case: a for a in result.assignments}
    order = proposal_order(built, result)
    tab = table(f"Proposals, highest priority first ({min(limit, len(order))} of {len(order)})")
    for head in ("case", "complexity class", "facility", "region", "start"):
        column(tab, head, no_wrap=head in ("case", "start"))
    for case_id in order[:limit]:
        a = by_case[case_id]
        fac = built.facility(a.facility)
        tab.add_row(
            case_id,
            complexity_label(built.priorities[case_id].complexity_class),
            fac.name,
            region_name(fac.region_id),
            built.day(a.start_day).isoformat(),
        )
    return tab


def why_first(built: BuiltProblem, result: MatchResult, why: Explanations) -> Text | None:
    """The reasons for the highest-priority proposal, as one paragraph."""
    order = proposal_order(built, result)
    if not order:
        return None
    exp = why.proposals[order[0]]
    fac = built.facility(exp.facility_id)
    text = (
        f"Why {exp.case_id} goes to {fac.name} from {built.day(exp.start_day)}: "
        + "; ".join(exp.criteria_met)
        + "."
    )
    if exp.alternatives:
        text += f" Next best: {alternative(built, exp.alternatives[0])}."
    return Text(text)


def alternative(built: BuiltProblem, alt: Alternative) -> str:
    """``OMM Zwolle from 2027-01-16, 423.0 weighted waiting days more``."""
    more = "more" if alt.objective_difference >= 0 else "fewer"
    return (
        f"{built.facility(alt.facility_id).name} from {built.day(alt.start_day)}, "
        f"{abs(alt.objective_difference):,.1f} weighted waiting days {more}"
    )


def unplaced(built: BuiltProblem, why: Explanations) -> list[WaitExplanation]:
    """Cases unplaced within the horizon that are not capacity gaps, highest priority first."""
    left = [w for w in why.waits.values() if w.start_day is None and w.case_id not in built.gaps]
    left.sort(key=lambda w: (-built.priorities[w.case_id].weight, w.case_id))
    return left


def binding_counts(waits: Sequence[WaitExplanation]) -> Table:
    """How many of the cases left waiting each kind of limit holds back."""
    counts: Counter[str] = Counter()
    for w in waits:
        counts.update({_binding_label(b) for b in w.binds})
    tab = table(
        f"{len(waits)} cases besides the capacity gaps cannot start within the horizon "
        "(a case can be held back by several limits)"
    )
    column(tab, "what keeps them waiting")
    column(tab, "cases", right=True)
    for label, n in counts.most_common():
        tab.add_row(label, str(n))
    return tab


def _binding_label(b: Binding) -> str:
    words = BINDING_WORDS.get(b.kind, b.kind.replace("_", " "))
    return f"{words} ({b.stream})" if b.kind == "budget" and b.stream else words


def waiting(built: BuiltProblem, waits: Sequence[WaitExplanation], *, limit: int) -> Table:
    tab = table(
        f"The highest-priority cases left waiting ({min(limit, len(waits))} of {len(waits)})"
    )
    column(tab, "case", no_wrap=True)
    column(tab, "complexity class")
    column(tab, "what keeps it waiting")
    for w in waits[:limit]:
        cls = complexity_label(built.priorities[w.case_id].complexity_class)
        tab.add_row(w.case_id, cls, wait_text(built, w))
    return tab


def wait_text(built: BuiltProblem, w: WaitExplanation) -> str:
    """What keeps a case waiting; the extra bed that would help named by facility and date
    (the explanation's own text says ``womens-shelter-utrecht`` and ``day 0``)."""
    parts = [b.text for b in w.binds]
    if w.extra_bed is not None:
        fac = built.facility(w.extra_bed.facility_id)
        parts.append(
            f"One extra bed at {fac.name} would place it from {built.day(w.extra_bed.start_day)}."
        )
    return " ".join(parts)


def extra_beds(built: BuiltProblem, values: Sequence[BedValue]) -> Table:
    tab = table("The five most valuable extra beds (estimates from the LP relaxation)")
    column(tab, "one more bed at", min_width=20)
    column(tab, "placement type")
    column(tab, "region")
    # a fixed width: otherwise rich gives the names the room and crops the values away at
    # 80 columns (issue 15)
    column(tab, "weighted waiting days saved", right=True, width=12)
    for v in values:
        tab.add_row(
            built.facility(v.facility_id).name,
            CATALOGUE[PlacementType(v.placement_type)].name,
            region_name(v.region_id),
            f"{v.value:,.1f}",
        )
    return tab
