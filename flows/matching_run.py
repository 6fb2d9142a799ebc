"""A matching run: a round solved, explained and stored with its record (issue 12).

The steps are separate so each caller takes what it needs: the API solves and stores a
run (:func:`solve_round`, then :func:`store_run` in its write transaction); the CLI demo
solves and prints; nothing here opens a transaction of its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from flows.anticipation import MYOPIC_SHARE, Anticipated, LiveForecast, anticipate
from flows.deadlines import DEFAULT_RESPOND_WITHIN, respond_by
from flows.round import RoundInputs
from matching import (
    Binding,
    BindKind,
    BuiltProblem,
    Deadline,
    Explanations,
    MatchResult,
    SolveParams,
    Stage,
    StageLog,
    WaitExplanation,
    explain,
    problem_to_dict,
    solve,
)
from store import (
    AlternativeRecord,
    BindRecord,
    DecisionRepository,
    ExtraBedRecord,
    ProposalDraft,
    RunRecord,
    StageRecord,
    StoredProposal,
    StoredRun,
    WaitRecord,
    audit,
)


@dataclass(frozen=True, slots=True)
class SolvedRound:
    """A round with its problem, the solver's result, the explanations and the stages the
    solve went through."""

    inputs: RoundInputs
    built: BuiltProblem
    params: SolveParams
    result: MatchResult
    explanations: Explanations
    stages: tuple[Stage, ...] = ()
    anticipation: Anticipated | None = None


EXPLAIN_SECONDS_PER_OPTION = 5e-5  # seconds; measured 1e-5 (demo round, quiet), x5 for load
EXPLAIN_RESERVE_MIN = 0.1  # seconds kept for the explanations, however small the round
MIN_SOLVE_SECONDS = 0.05  # the solve's share never drops below this (it returns a greedy plan)


def solve_round(
    inputs: RoundInputs, params: SolveParams, anticipation: LiveForecast | None = None
) -> SolvedRound:
    """Build, solve and explain a round (no database: this is the long part).

    Parameters
    ----------
    inputs
        From :func:`flows.prepare_round`.
    params
        Solver parameters. The time limit holds for the whole round (issue 11): the
        rulebook applied, the solve, the anticipation and the explanations. The solve gets
        what the build leaves minus a reserve for the explanations
        (:func:`explain_reserve`); explanations the limit cuts short are short and honest
        (``unexplained``), and the result's notes say how many.
    anticipation
        From :func:`flows.read_forecast`: keep beds today for expected arrivals
        (:mod:`flows.anticipation`); ``None``: the round is myopic.

    Returns
    -------
    SolvedRound
    """
    deadline = Deadline(params.time_limit)  # before the rulebook is applied: it counts
    built = inputs.build()
    reserve = explain_reserve(built.problem.n_options, params.time_limit)
    left = max(MIN_SOLVE_SECONDS, deadline.left() - reserve)
    log = StageLog()
    if anticipation is None:
        result = solve(built.problem, dataclasses.replace(params, time_limit=left), observer=log)
        why = explain(built, result, deadline)
        return SolvedRound(inputs, built, params, _noted(result, why), why, log.finish(result))
    myopic = dataclasses.replace(params, time_limit=left * MYOPIC_SHARE)
    result = solve(built.problem, myopic, observer=log)
    stages = log.finish(result)
    done = anticipate(built, result, anticipation, Deadline(deadline.left() - reserve))
    held = {case for case, *_ in done.kept}
    if held:
        result = dataclasses.replace(
            result,
            assignments=tuple(a for a in result.assignments if a.case not in held),
            unplaced=tuple(sorted((*result.unplaced, *held))),
            notes=(
                *result.notes,
                f"objective and bound are the plan's before {len(held)} bed(s) were kept "
                "for expected arrivals",
            ),
        )
    why = _with_kept(explain(built, result, deadline), done)
    return SolvedRound(inputs, built, params, _noted(result, why), why, stages, done)


def explain_reserve(n_options: int, time_limit: float) -> float:
    """Seconds of a round's time limit kept for its explanations (at most half the limit)."""
    return min(time_limit / 2, max(EXPLAIN_RESERVE_MIN, EXPLAIN_SECONDS_PER_OPTION * n_options))


def _noted(result: MatchResult, why: Explanations) -> MatchResult:
    """The result, noting the cases whose explanation the time limit cut short."""
    if not why.cut_short:
        return result
    note = (
        f"the time limit ran out while explaining: {len(why.cut_short)} case(s) got a short "
        "explanation (proposals without alternatives, waits 'unexplained')"
    )
    return dataclasses.replace(result, notes=(*result.notes, note))


def _with_kept(why: Explanations, done: Anticipated) -> Explanations:
    """The kept beds' cases wait because of it, and their explanations say so."""
    waits = dict(why.waits)
    for case, facility, _, saving in done.kept:
        text = done.text(case) or ""
        bind = Binding(BindKind.KEPT, text, day=0, facility=facility, amount=round(saving, 4))
        waits[case] = WaitExplanation(case, None, (bind,), None)
    return Explanations(why.proposals, waits, why.cut_short)


def inputs_hash(built: BuiltProblem) -> str:
    """SHA-256 of the problem's canonical JSON: same inputs, same hash."""
    text = json.dumps(problem_to_dict(built.problem), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def run_record(solved: SolvedRound, *, by: str) -> RunRecord:
    """What the run stores to account for it later: inputs, criteria, parameters, outcome
    and why every case without a proposal waits."""
    inputs, result = solved.inputs, solved.result
    return RunRecord(
        created_by=by,
        as_of=inputs.as_of,
        inputs_hash=inputs_hash(solved.built),
        rulebook_version=inputs.rulebook.version,
        rulebook_hash=inputs.rulebook.content_hash,
        parameters={
            "time_limit": solved.params.time_limit,
            "seed": solved.params.seed,
            "horizon_days": inputs.snapshot.horizon_days,
        },
        status=result.status.value,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        method=result.method,
        build_seconds=result.build_seconds,
        solve_seconds=result.solve_seconds,
        cases=len(inputs.cases),
        notes=result.notes,
        waits=tuple(_wait(solved.built, w) for _, w in sorted(solved.explanations.waits.items())),
        stages=tuple(_stage(s) for s in solved.stages),
        anticipation=None if solved.anticipation is None else solved.anticipation.record,
    )


def _finite(x: float) -> float | None:
    """JSON has no infinity: a figure not there yet (no plan, no bound) is stored as null."""
    return x if math.isfinite(x) else None


def _stage(stage: Stage) -> StageRecord:
    return StageRecord(
        part=stage.part,
        parts=stage.parts,
        stage=stage.stage,
        seconds=round(stage.seconds, 4),
        objective=_finite(stage.objective),
        bound=_finite(stage.bound),
        gap=_finite(stage.gap),
    )


def proposal_drafts(solved: SolvedRound) -> list[ProposalDraft]:
    """One pending proposal per assignment, with its explanation and alternatives."""
    built, why = solved.built, solved.explanations
    beds = {c.id: c.beds for c in built.cases}
    drafts = []
    for a in solved.result.assignments:
        exp = why.proposals[a.case]
        note = solved.inputs.stale_note(a.facility)
        drafts.append(
            ProposalDraft(
                case_id=a.case,
                facility_id=a.facility,
                beds=beds[a.case],
                start_date=built.day(a.start_day),
                explanation=exp.text if note is None else f"{exp.text} {note}",
                criteria=exp.criteria_met,
                alternatives=tuple(
                    AlternativeRecord(
                        alt.facility_id,
                        built.day(alt.start_day),
                        round(alt.objective_difference, 4),
                    )
                    for alt in exp.alternatives
                ),
            )
        )
    return drafts


def _wait(built: BuiltProblem, w: WaitExplanation) -> WaitRecord:
    extra = w.extra_bed
    return WaitRecord(
        case_id=w.case_id,
        start_date=None if w.start_day is None else built.day(w.start_day),
        text=w.text,
        capacity_gap=w.case_id in built.gaps,
        binds=tuple(
            BindRecord(
                kind=b.kind,
                text=b.text,
                date=None if b.day is None else built.day(b.day),
                stream=b.stream,
                facility_id=b.facility,
                amount=b.amount,
                cases=b.cases,
                higher_priority=b.higher_priority,
            )
            for b in w.binds
        ),
        extra_bed=None
        if extra is None
        else ExtraBedRecord(extra.facility_id, built.day(extra.start_day), round(extra.gain, 4)),
        failing_rules=tuple(w.failing_rules),
        closest=tuple(w.closest),
    )


def store_run(
    session: Session,
    solved: SolvedRound,
    *,
    by: str,
    respond_within: timedelta = DEFAULT_RESPOND_WITHIN,
) -> tuple[StoredRun, list[StoredProposal]]:
    """Store the run and its proposals (the caller owns the transaction), audited.

    Earlier pending proposals of the round's cases expire; each case with a proposal
    becomes proposed, the others wait on (see :meth:`DecisionRepository.add_run`). Each
    proposal must be answered within ``respond_within`` of the round's moment, or it
    lapses (:mod:`flows.deadlines`).
    """
    record = run_record(solved, by=by)
    run, proposals = DecisionRepository(session).add_run(
        record,
        proposal_drafts(solved),
        case_ids=[c.id for c in solved.inputs.cases],
        respond_by=respond_by(solved.inputs.as_of, respond_within),
    )
    detail = {"proposals": len(proposals), "status": record.status}
    audit.record(
        session,
        actor=by,
        action="matching_run.create",
        record_type="matching_run",
        record_id=str(run.id),
        detail=detail,
    )
    return run, proposals
