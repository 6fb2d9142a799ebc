"""capacity.persistence: the database behind the national picture.

The only part of :mod:`capacity` that knows about SQLAlchemy and Alembic. It maps the
frozen value objects to database rows and back; everything above it (matching,
scenarios) keeps working on value objects.

Typical use::

    engine = ensure_database(DatabaseSettings().database_url)
    with session_scope(engine, immediate=True) as session:
        repo = Repository(session)
        repo.add_report(report)
        audit.record(session, actor="u-12", action="availability.report",
                     record_type="facility", record_id=report.facility_id)
"""

from capacity.persistence import audit
from capacity.persistence.audit import AuditDetail, AuditEntry
from capacity.persistence.decisions import (
    AlternativeRecord,
    BindRecord,
    DecisionRepository,
    ExtraBedRecord,
    ProposalDraft,
    ProposalStatus,
    RunRecord,
    StoredProposal,
    StoredRun,
    WaitRecord,
)
from capacity.persistence.engine import (
    MIGRATIONS_DIR,
    current_revision,
    downgrade,
    ensure_database,
    is_sqlite,
    make_engine,
    session_scope,
    upgrade,
)
from capacity.persistence.errors import (
    DuplicateRecordError,
    IdempotencyConflictError,
    MigrationsNotFoundError,
    PersistenceError,
)
from capacity.persistence.idempotency import StoredAnswer, store_answer, stored_answer
from capacity.persistence.inline import InlineLedger, WriterBusyError
from capacity.persistence.ledger import StoredReport
from capacity.persistence.mapping import derived_idempotency_key
from capacity.persistence.pg_ledger import PgLedger
from capacity.persistence.reporting import (
    FacilityFacts,
    FacilityScope,
    ReportCheck,
    ScopeCheck,
    append_checked,
    check_scope,
    report_history,
)
from capacity.persistence.repository import Repository
from capacity.persistence.scenario_jobs import (
    JobStatus,
    ScenarioJobRepository,
    ScenarioSource,
    StoredScenarioJob,
)
from capacity.persistence.sessions import SessionRepository, StoredSession
from capacity.persistence.settings import DatabaseSettings
from capacity.persistence.supply import facility_snapshot
from capacity.persistence.users import StoredUser, UserRepository

__all__ = [
    "MIGRATIONS_DIR",
    "AlternativeRecord",
    "AuditDetail",
    "AuditEntry",
    "BindRecord",
    "DatabaseSettings",
    "DecisionRepository",
    "DuplicateRecordError",
    "ExtraBedRecord",
    "FacilityFacts",
    "FacilityScope",
    "IdempotencyConflictError",
    "InlineLedger",
    "JobStatus",
    "MigrationsNotFoundError",
    "PersistenceError",
    "PgLedger",
    "ProposalDraft",
    "ProposalStatus",
    "ReportCheck",
    "Repository",
    "RunRecord",
    "ScenarioJobRepository",
    "ScenarioSource",
    "ScopeCheck",
    "SessionRepository",
    "StoredAnswer",
    "StoredProposal",
    "StoredReport",
    "StoredRun",
    "StoredScenarioJob",
    "StoredSession",
    "StoredUser",
    "UserRepository",
    "WaitRecord",
    "WriterBusyError",
    "append_checked",
    "audit",
    "check_scope",
    "current_revision",
    "derived_idempotency_key",
    "downgrade",
    "ensure_database",
    "facility_snapshot",
    "is_sqlite",
    "make_engine",
    "report_history",
    "session_scope",
    "store_answer",
    "stored_answer",
    "upgrade",
]
