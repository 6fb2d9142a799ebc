"""Scenario runs: create (checked, idempotent, at most N at once), get, compare."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from api.database import Database
from api.errors import FieldError, NotFoundError
from api.idempotency import Idempotency
from api.plans.service import check_replications, store
from api.scenario_runs.schemas import (
    ComparisonPublic,
    KpiRow,
    PairedDifference,
    ScenarioFile,
    ScenarioRunCreate,
    ScenarioRunPublic,
)
from api.web import scenario_jobs as jobs
from api.web import scenario_report as report
from api.web import variant_jobs
from api.web.run_compare import CompareRefusedError, gather
from api.web.settings import WebSettings
from capacity import UnknownReferenceError
from scenarios import BedDelta, BudgetDelta, InvalidScenarioError, InvalidVariantError, Variant
from scenarios.report import warnings
from store.service import JobStatus, StoredAnswer, StoredScenarioJob, StoredUser


def _loc(field: str) -> list[str | int]:
    """``beds[0].region`` -> ``["body", "changes", "beds", 0, "region"]``."""
    loc: list[str | int] = ["body"]
    if field.startswith(("beds[", "budgets[")):
        loc.append("changes")
    for part in field.replace("]", "").split("."):
        name, _, index = part.partition("[")
        loc += [name, int(index)] if index else [name]
    return loc


def _variant(body: ScenarioRunCreate) -> Variant:
    return Variant(
        beds=tuple(BedDelta(b.placement_type, b.region, b.beds) for b in body.changes.beds),
        budgets=tuple(BudgetDelta(b.stream, b.per_year) for b in body.changes.budgets),
        policy=body.policy,
        horizon_days=body.horizon_days,
    )


def create(
    db: Database,
    *,
    body: ScenarioRunCreate,
    user: StoredUser,
    now: datetime,
    settings: WebSettings,
    idem: Idempotency | None,
) -> ScenarioRunPublic | StoredAnswer:
    """Check the changes, write both files and store a queued job (the router starts it)."""
    check_replications(body.replications, settings)
    try:
        files = variant_jobs.sources(body.base, _variant(body))
        total = jobs.progress_total(files, replications=body.replications)
    except InvalidVariantError as exc:
        raise FieldError(_loc(exc.field) if exc.field else ["body"], exc.reason) from None
    except InvalidScenarioError as exc:
        raise FieldError(["body", "base"], exc.reason) from None

    return store(
        db,
        idem,
        user=user,
        sources=files,
        replications=body.replications,
        total=total,
        settings=settings,
        now=now,
        public=public,
    )


def get(db: Database, *, job_id: int, now: datetime, settings: WebSettings) -> ScenarioRunPublic:
    """Any scenario or plan job, with its comparison when done."""
    try:
        job = jobs.get(db, job_id)
    except UnknownReferenceError:
        raise NotFoundError(f"no scenario run {job_id}") from None
    return public(job, now=now, settings=settings)


def compare(db: Database, *, job_ids: Sequence[int]) -> ComparisonPublic:
    """The runs of finished jobs side by side (the dashboard's comparison page)."""
    try:
        chosen = gather(db, job_ids)
    except CompareRefusedError as exc:
        if exc.missing:
            raise NotFoundError(exc.reason) from None
        raise FieldError(["query", "jobs"], exc.reason) from None
    return _comparison(chosen.labels, chosen.warnings, chosen.rows(), chosen.paired())


def _comparison(
    labels: Sequence[str],
    notes: list[str],
    rows: Sequence[report.Row],
    paired: Sequence[report.PairedRow],
) -> ComparisonPublic:
    return ComparisonPublic(
        runs=list(labels),
        warnings=notes,
        kpis=[KpiRow(kpi=r.label, values=r.cells) for r in rows],
        paired=[
            PairedDifference(run=p.run, kpi=p.kpi, difference=p.difference, pairs=p.pairs)
            for p in paired
        ],
    )


def _result(result: Mapping[str, Any]) -> ComparisonPublic:
    labels, docs = result["labels"], result["runs"]
    values = result.get("paired_values") or [None] * len(labels)
    return _comparison(
        labels,
        warnings(list(zip(labels, docs, strict=True))),
        report.comparison(docs),
        report.paired(labels, docs, values),
    )


def public(job: StoredScenarioJob, *, now: datetime, settings: WebSettings) -> ScenarioRunPublic:
    view = jobs.view(job, now=now, settings=settings)
    done = view.status is JobStatus.DONE and job.result
    return ScenarioRunPublic(
        id=job.id,
        status=view.status.value,
        message=view.message,
        percent=view.percent,
        created_at=job.created_at,
        created_by=job.created_by,
        replications=job.replications,
        scenarios=[ScenarioFile(name=s.name, yaml=s.text) for s in job.sources],
        result=_result(job.result) if done and job.result else None,
        page=f"/scenarios/jobs/{job.id}",
    )
