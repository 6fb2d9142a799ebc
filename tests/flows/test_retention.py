"""Retention (issue 16) on a seeded database with fixed dates: cases past their term are
erased whole and counted, proposals and audit entries past theirs deleted, every erasure
audited, the audit entries of erased cases kept, the policymakers' aggregates and the
counts of the erased period unchanged, and a second run erases nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

import flows
from api.database import Database
from api.settings import ApiSettings
from api.stats import service as stats
from capacity import AvailabilityReport, UnknownReferenceError, bundled_rulebook
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from flows import RetentionSettings, apply_retention
from store import (
    DecisionRepository,
    ProposalDraft,
    Repository,
    RunRecord,
    WaitRecord,
    audit,
    ensure_database,
    retention,
    session_scope,
)
from store.models import AuditRow, CaseRow, DeclinedPairRow, PlacementRow, ProposalRow

NOW = datetime(2029, 6, 1, 9, 0, tzinfo=UTC)  # the retention run; terms count back from here
OLD = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # past every case term by NOW
RECENT = datetime(2028, 12, 1, 12, 0, tzinfo=UTC)  # within every term
POLICY = RetentionSettings().policy()  # the defaults: 730, 365, 365 and 1826 days


def _at(session, case_id: str, moment: datetime) -> None:
    session.get(CaseRow, case_id).updated_at = moment


@pytest.fixture
def seeded(database_url):
    """The demo dataset; 6 cases discharged and 6 withdrawn, half long ago and half
    recently; a run whose proposals were decided long ago and recently; audit entries
    from 2023 and 2028."""
    url = database_url
    engine = ensure_database(url)
    dataset = build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF)
    ids = {}
    with session_scope(engine) as session:
        Repository(session).save_dataset(dataset)
        placed = sorted(
            (p for p in dataset.placements if p.actual_end is None), key=lambda p: p.id
        )[:6]
        waiting = [c.id for c in Repository(session).waiting_list()][:8]
        for i, p in enumerate(placed):
            flows.discharge(
                session, p.id, day=date(2026, 11, 30), today=date(2026, 11, 30), by="seed"
            )
            _at(session, p.case_id, OLD if i % 2 == 0 else RECENT)
        for i, case_id in enumerate(waiting[:6]):
            flows.withdraw(session, case_id, by="seed")
            _at(session, case_id, OLD if i % 2 == 0 else RECENT)
        ids["discharged_old"] = [p.case_id for i, p in enumerate(placed) if i % 2 == 0]
        ids["withdrawn_old"] = [c for i, c in enumerate(waiting[:6]) if i % 2 == 0]
        ids["waiting"] = waiting[6:]
        record = RunRecord(
            created_by="seed",
            as_of=OLD,
            inputs_hash="0" * 64,
            rulebook_version="v",
            rulebook_hash="0" * 64,
            parameters={},
            status="optimal",
            objective=0.0,
            bound=0.0,
            gap=0.0,
            method="seed",
            build_seconds=0.0,
            solve_seconds=0.0,
            cases=3,
            waits=tuple(
                WaitRecord(c, None, "Every eligible facility is full.", False)
                for c in [ids["withdrawn_old"][0], *ids["waiting"]]
            ),
        )
        facility = dataset.facilities[0].id
        drafts = [ProposalDraft(c, facility, 1, OLD.date(), "x", ()) for c in ids["waiting"]]
        run, proposals = DecisionRepository(session).add_run(
            record, drafts, case_ids=ids["waiting"]
        )
        old, recent = proposals
        for proposal, moment in ((old, OLD), (recent, RECENT)):
            row = session.get(ProposalRow, proposal.id)
            row.status, row.decided_at, row.decided_by = "declined", moment, "seed"
        session.add(
            DeclinedPairRow(
                case_id=old.case_id,
                facility_id=facility,
                reason="unsafe",
                proposal_id=old.id,
                created_by="seed",
            )
        )
        ids["proposal_old"], ids["proposal_recent"], ids["run"] = old.id, recent.id, run.id
        for moment in (datetime(2023, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)):
            session.add(
                AuditRow(
                    at=moment,
                    actor="old-user",
                    action="case.read",
                    record_type="case",
                    record_id=ids["discharged_old"][0],
                )
            )
    engine.dispose()
    return url, ids


def _figures(url: str):
    db = Database(ApiSettings(database_url=url, inline_sqlite_writes=False))
    rulebook = bundled_rulebook()
    try:
        return (
            stats.waiting(db, now=NOW, rulebook=rulebook).model_dump(),
            stats.occupancy(db, now=NOW).model_dump(),
            stats.capacity_gaps(db, now=NOW, rulebook=rulebook).model_dump(),
        )
    finally:
        db.close()


def _counts(url: str):
    engine = ensure_database(url)
    with session_scope(engine) as session:
        found = retention.outcome_counts(session)
    engine.dispose()
    return found


def _reports_before_now(url: str) -> None:
    """A report of every facility the day before NOW: the old stays no longer count."""
    engine = ensure_database(url)
    with session_scope(engine) as session:
        repo = Repository(session)
        for f in repo.facilities():
            free = f.beds - sum(
                p.beds for p in repo.placements(active_on=NOW.date()) if p.facility_id == f.id
            )
            repo.add_report(AvailabilityReport(f.id, max(free, 0), NOW - timedelta(days=1), "seed"))
    engine.dispose()


def test_a_stay_that_still_counts_in_the_supply_is_kept(seeded):
    url, _ = seeded  # the latest reports are of 2026: the discharges after them still count
    engine = ensure_database(url)
    with session_scope(engine) as session:
        report = apply_retention(session, policy=POLICY, now=NOW, by="t", dry_run=True)
    assert report.discharged_cases == ()
    assert len(report.withdrawn_cases) == 3
    engine.dispose()


def test_a_dry_run_counts_and_erases_nothing(seeded):
    url, ids = seeded
    _reports_before_now(url)
    engine = ensure_database(url)
    with session_scope(engine) as session:
        report = apply_retention(session, policy=POLICY, now=NOW, by="t", dry_run=True)
    assert sorted(report.discharged_cases) == sorted(ids["discharged_old"])
    assert sorted(report.withdrawn_cases) == sorted(ids["withdrawn_old"])
    assert report.proposals == 1
    assert report.audit_entries == 1
    with session_scope(engine) as session:
        for case_id in ids["discharged_old"]:
            Repository(session).case(case_id)  # still there
    engine.dispose()


def test_retention_erases_what_is_past_its_term_and_keeps_the_figures(seeded):
    url, ids = seeded
    _reports_before_now(url)
    figures, counts = _figures(url), _counts(url)
    assert sum(counts.values()) == 12
    engine = ensure_database(url)
    with session_scope(engine) as session:
        report = apply_retention(session, policy=POLICY, now=NOW, by="retention")
    assert (len(report.discharged_cases), len(report.withdrawn_cases)) == (3, 3)
    assert (report.proposals, report.audit_entries) == (1, 1)

    assert _figures(url) == figures  # the policymakers' aggregates
    assert _counts(url) == counts  # the erased period's counts
    erased = ids["discharged_old"] + ids["withdrawn_old"]
    with session_scope(engine) as session:
        repo = Repository(session)
        for case_id in erased:
            with pytest.raises(UnknownReferenceError):
                repo.case(case_id)
        placements = session.scalars(select(PlacementRow.case_id)).all()
        assert not set(erased) & set(placements)
        assert len(repo.cases()) == 585 - 6
        proposals = {p.id for p in DecisionRepository(session).proposals()}
        assert ids["proposal_old"] not in proposals
        assert ids["proposal_recent"] in proposals
        pair = session.scalars(select(DeclinedPairRow)).one()  # the pair stays, unlinked
        assert pair.proposal_id is None
        run = DecisionRepository(session).run(ids["run"])
        assert ids["withdrawn_old"][0] not in {w.case_id for w in run.record.waits}
        entries = audit.entries(session, record_id=ids["discharged_old"][0])
        # who did what when stays (the discharge, the 2028 read); the 2023 read is past its
        # term; the erasure itself is audited
        actions = [e.action for e in entries]
        assert "placement.discharge" not in actions  # recorded on the placement's id
        assert "case.read" in actions
        assert "retention.erase" in actions
        assert min(e.at for e in entries) > datetime(2024, 1, 1, tzinfo=UTC)
        erasures = audit.entries(session, actor="retention")
        assert sum(e.record_type == "case" for e in erasures) == 6
        assert sum(e.record_type == "proposal" for e in erasures) == 1
        assert sum(e.record_type == "audit_log" for e in erasures) == 1

    with session_scope(engine) as session:
        again = apply_retention(session, policy=POLICY, now=NOW, by="retention")
    assert (
        again.discharged_cases,
        again.withdrawn_cases,
        again.proposals,
        again.audit_entries,
    ) == ((), (), 0, 0)
    engine.dispose()


def test_the_audit_log_still_refuses_every_other_delete(seeded):
    url, _ = seeded
    engine = ensure_database(url)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE at < '2024-01-01'"))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'x'"))
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditRow)) > 0
    engine.dispose()


def test_the_audit_term_may_not_be_shorter_than_the_cases(monkeypatch):
    monkeypatch.setenv("OPVANG_RETENTION_AUDIT_DAYS", "100")
    with pytest.raises(ValueError, match="audit_days"):
        RetentionSettings()


def test_never_an_active_case():
    with pytest.raises(ValueError, match="never erased"):
        retention.cases_due(
            None,
            status=flows.RetentionPolicy and __import__("capacity").CaseStatus.WAITING,
            before=NOW,
        )  # type: ignore[arg-type]


def test_the_command_line_counts_then_erases(seeded, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app

    url, _ = seeded
    monkeypatch.setenv("OPVANG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    dry = CliRunner().invoke(app, ["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.stdout
    assert "discharged cases" in dry.stdout
    monkeypatch.setenv("OPVANG_RETENTION_AUDIT_DAYS", "100")
    refused = CliRunner().invoke(app, ["retention", "apply"])
    assert refused.exit_code == 2
    assert "audit_days must be at least" in refused.stderr
