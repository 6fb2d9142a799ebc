"""Matching runs: one optimisation round on the national waiting list, stored with its record."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from api.audit.log import record, record_reads
from api.cli.quiet import silence_solver_banner
from api.database import Database
from api.idempotency import Idempotency, remember, replay
from api.matching_runs import explained
from api.matching_runs.schemas import RunCreate, RunPublic, RunsPublic, RunSummary, WaitPublic
from api.proposals.service import proposal_public
from api.settings import ApiSettings
from capacity import CaseStatus, Rulebook
from capacity.persistence import (
    DecisionRepository,
    Repository,
    RunRecord,
    StoredAnswer,
    StoredProposal,
    StoredRun,
    StoredUser,
)
from matching import SolveParams, build_problem, explain, solve


def summary(run: StoredRun) -> RunSummary:
    return RunSummary(id=run.id, created_at=run.created_at, **_fields(run))


def _fields(run: StoredRun) -> dict[str, object]:
    values = asdict(run.record)
    values.pop("waits")
    values["notes"] = list(run.record.notes)
    values["parameters"] = dict(run.record.parameters)
    return values


def public(run: StoredRun, proposals: list[StoredProposal]) -> RunPublic:
    """The run with its proposals and why the others wait."""
    return RunPublic(
        id=run.id,
        created_at=run.created_at,
        proposals=[proposal_public(p) for p in proposals],
        waits=[WaitPublic.model_validate(w) for w in run.record.waits],
        **_fields(run),
    )


def _listed_cases(run: RunPublic) -> list[str]:
    return sorted({p.case_id for p in run.proposals} | {w.case_id for w in run.waits})


def create(
    db: Database,
    *,
    params: RunCreate,
    user: StoredUser,
    now: datetime,
    rulebook: Rulebook,
    settings: ApiSettings,
    idem: Idempotency | None,
) -> RunPublic | StoredAnswer:
    """Build, solve and explain a round on the waiting and proposed cases; store it all."""
    time_limit = min(
        params.time_limit or settings.matching_time_limit, settings.max_matching_time_limit
    )
    seed = params.seed or 0
    with db.unit() as session:
        if (answer := replay(session, idem)) is not None:
            return answer
        repo = Repository(session)
        snapshot = repo.supply_snapshot(as_of=now)
        open_cases = repo.cases(status=CaseStatus.WAITING) + repo.cases(status=CaseStatus.PROPOSED)
        cases = sorted(open_cases, key=lambda c: c.id)  # a canonical order: same set, same hash
        declined = DecisionRepository(session).declined_pairs()
    built = build_problem(snapshot, cases, rulebook, declined=declined)
    silence_solver_banner()
    result = solve(built.problem, SolveParams(time_limit=time_limit, seed=seed))
    why = explain(built, result)
    run_record = RunRecord(
        created_by=user.name,
        as_of=now,
        inputs_hash=explained.inputs_hash(built),
        rulebook_version=rulebook.version,
        rulebook_hash=rulebook.content_hash,
        parameters={
            "time_limit": time_limit,
            "seed": seed,
            "horizon_days": snapshot.horizon_days,
        },
        status=result.status.value,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        method=result.method,
        build_seconds=result.build_seconds,
        solve_seconds=result.solve_seconds,
        cases=len(cases),
        notes=result.notes,
        waits=tuple(explained.waits(built, why)),
    )
    drafts = explained.proposal_drafts(built, result, why)
    with db.unit(immediate=True) as session:
        if (answer := replay(session, idem)) is not None:
            return answer
        run, proposals = DecisionRepository(session).add_run(
            run_record, drafts, case_ids=[c.id for c in cases]
        )
        out = public(run, proposals)
        detail = {"proposals": len(proposals), "status": run_record.status}
        record(session, user, "matching_run.create", "matching_run", str(run.id), detail)
        record_reads(session, user, "matching_run.read", _listed_cases(out), {"run": run.id})
        remember(session, idem, 201, out)
    return out


def get(db: Database, *, run_id: int, user: StoredUser) -> RunPublic:
    """A run with its proposals and the explanations of the cases left waiting (audited)."""
    with db.audited_read() as session:
        decisions = DecisionRepository(session)
        run = decisions.run(run_id)
        out = public(run, decisions.proposals(run_id=run_id))
        record_reads(session, user, "matching_run.read", _listed_cases(out), {"run": run_id})
    return out


def list_(db: Database, *, limit: int, offset: int) -> RunsPublic:
    """Runs, newest first (their records only: no case is listed)."""
    with db.unit() as session:
        runs, total = DecisionRepository(session).runs(limit=limit, offset=offset)
    return RunsPublic(data=[summary(r) for r in runs], count=total)
