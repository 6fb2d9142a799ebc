"""Matching runs: one optimisation round on the national waiting list, stored with its record."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

import flows
from api.database import Database
from api.idempotency import Idempotency
from api.matching_runs.schemas import (
    AnticipationCreate,
    RunCreate,
    RunPublic,
    RunsPublic,
    RunSummary,
    StagePublic,
    WaitPublic,
)
from api.proposals.service import proposal_public
from api.settings import ApiSettings
from api.unit_of_work import replayed, write
from capacity import Rulebook
from capacity.clock import local_date
from matching import SolveParams
from matching.quiet import silence_solver_banner
from store import DecisionRepository, StoredProposal, StoredRun, audit
from store.service import StoredAnswer, StoredUser


def summary(run: StoredRun) -> RunSummary:
    return RunSummary(id=run.id, created_at=run.created_at, **_fields(run))


def _fields(run: StoredRun) -> dict[str, object]:
    values = asdict(run.record)
    values.pop("waits")
    values.pop("stages")
    values["notes"] = list(run.record.notes)
    values["parameters"] = dict(run.record.parameters)
    return values


def public(run: StoredRun, proposals: list[StoredProposal]) -> RunPublic:
    """The run with its proposals and why the others wait."""
    return RunPublic(
        id=run.id,
        created_at=run.created_at,
        proposals=[proposal_public(p) for p in proposals],
        waits=[WaitPublic.model_validate(w.to_json()) for w in run.record.waits],
        stages=[StagePublic.model_validate(s.to_json()) for s in run.record.stages],
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
    """Prepare, solve and explain the round (:mod:`flows`), then store it all.

    The one write that is not a single transaction: the solve runs between a read of the
    inputs and the write of the run, so a retry is answered from its stored answer before
    the solve, and again (a concurrent twin) before the write.
    """
    if (answer := replayed(db, idem)) is not None:
        return answer
    return run_round(
        db,
        by=user.name,
        now=now,
        rulebook=rulebook,
        settings=settings,
        time_limit=params.time_limit,
        seed=params.seed or 0,
        anticipation=params.anticipation,
        idem=idem,
    )


def run_round(
    db: Database,
    *,
    by: str,
    now: datetime,
    rulebook: Rulebook,
    settings: ApiSettings,
    time_limit: float | None = None,
    seed: int = 0,
    anticipation: AnticipationCreate | None = None,
    idem: Idempotency | None = None,
) -> RunPublic | StoredAnswer:
    """A matching round recorded by ``by`` (a user, or ``scheduler`` for the service's own
    rounds, issue 14): overdue proposals lapse, then the run and its proposals are stored.

    With ``anticipation``, the round keeps beds for expected arrivals (issue 13), on the
    forecast of ``settings.anticipation_window_days`` of intake history."""
    limit = min(time_limit or settings.matching_time_limit, settings.max_matching_time_limit)
    with db.unit() as session:
        inputs = flows.prepare_round(
            session, as_of=now, rulebook=rulebook, staleness=settings.staleness_rule()
        )
        live = None
        if anticipation is not None:
            wanted = flows.AnticipationSettings(
                samples=anticipation.samples,
                seed=anticipation.seed,
                window_days=settings.anticipation_window_days,
            )
            live = flows.read_forecast(
                session, today=local_date(now), rulebook=rulebook, settings=wanted
            )
    silence_solver_banner()
    solved = flows.solve_round(inputs, SolveParams(time_limit=limit, seed=seed), live)

    def store(session: Session) -> RunPublic:
        # overdue proposals lapse first, so they are recorded as lapsed, not as replaced
        flows.lapse_overdue(session, now=now, by=by)
        respond_within = timedelta(hours=settings.respond_within_hours)
        run, proposals = flows.store_run(session, solved, by=by, respond_within=respond_within)
        out = public(run, proposals)
        audit.record_reads(
            session,
            actor=by,
            action="matching_run.read",
            case_ids=_listed_cases(out),
            detail={"run": run.id},
        )
        return out

    return write(db, idem, 201, store)


def get(db: Database, *, run_id: int, user: StoredUser) -> RunPublic:
    """A run with its proposals and the explanations of the cases left waiting (audited)."""
    with db.audited_read() as session:
        decisions = DecisionRepository(session)
        run = decisions.run(run_id)
        out = public(run, decisions.proposals(run_id=run_id))
        audit.record_reads(
            session,
            actor=user.name,
            action="matching_run.read",
            case_ids=_listed_cases(out),
            detail={"run": run_id},
        )
    return out


def list_(db: Database, *, limit: int, offset: int) -> RunsPublic:
    """Runs, newest first (their records only: no case is listed)."""
    with db.unit() as session:
        runs, total = DecisionRepository(session).runs(limit=limit, offset=offset)
    return RunsPublic(data=[summary(r) for r in runs], count=total)
