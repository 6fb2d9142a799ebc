"""A solve result and its explanations as the JSON-ready records a run stores."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from capacity.persistence import ProposalDraft
from matching import BuiltProblem, Explanations, MatchResult, WaitExplanation, problem_to_dict


def inputs_hash(built: BuiltProblem) -> str:
    """SHA-256 of the problem's canonical JSON: same inputs, same hash."""
    text = json.dumps(problem_to_dict(built.problem), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def proposal_drafts(
    built: BuiltProblem, result: MatchResult, why: Explanations
) -> list[ProposalDraft]:
    """One pending proposal per assignment, with its explanation."""
    beds = {c.id: c.beds for c in built.cases}
    drafts = []
    for a in result.assignments:
        exp = why.proposals[a.case]
        alternatives = [
            {
                "facility_id": alt.facility_id,
                "start_date": built.day(alt.start_day).isoformat(),
                "objective_difference": round(alt.objective_difference, 4),
            }
            for alt in exp.alternatives
        ]
        drafts.append(
            ProposalDraft(
                case_id=a.case,
                facility_id=a.facility,
                beds=beds[a.case],
                start_date=built.day(a.start_day),
                explanation=exp.text,
                criteria=exp.criteria_met,
                alternatives=tuple(alternatives),
            )
        )
    return drafts


def _wait(built: BuiltProblem, w: WaitExplanation) -> dict[str, Any]:
    extra = w.extra_bed
    return {
        "case_id": w.case_id,
        "start_date": None if w.start_day is None else built.day(w.start_day).isoformat(),
        "text": w.text,
        "capacity_gap": w.case_id in built.gaps,
        "binds": [
            {
                "kind": b.kind,
                "text": b.text,
                "date": None if b.day is None else built.day(b.day).isoformat(),
                "stream": b.stream,
                "facility_id": b.facility,
            }
            for b in w.binds
        ],
        "extra_bed": None
        if extra is None
        else {
            "facility_id": extra.facility_id,
            "start_date": built.day(extra.start_day).isoformat(),
            "gain": round(extra.gain, 4),
        },
        "failing_rules": [{"rule": r, "facilities": n} for r, n in w.failing_rules],
    }


def waits(built: BuiltProblem, why: Explanations) -> list[dict[str, Any]]:
    """Why each unplaced or late case waits (capacity gaps included), by case id."""
    return [_wait(built, why.waits[c]) for c in sorted(why.waits)]
