"""store: persistence, the layer between the domain and the use cases (issue 12).

The only package that knows about SQLAlchemy, Alembic and the database drivers. It maps
the frozen value objects of :mod:`capacity` (and the records of a matching run) to rows
and back; :mod:`capacity`, :mod:`matching` and :mod:`scenarios` never import it. The
service's own tables (users, tokens, sessions, idempotent answers, scenario jobs) are in
:mod:`store.service`, apart from the domain's repositories here.

Typical use::

    engine = ensure_database(DatabaseSettings().database_url)
    with session_scope(engine, immediate=True) as session:
        repo = Repository(session)
        repo.add_report(report)
        audit.record(session, actor="u-12", action="availability.report",
                     record_type="facility", record_id=report.facility_id)
"""

from store import audit, retention
from store.audit import AuditDetail, AuditEntry
from store.backup import PG_DUMP_RECIPE, BackupInfo, backup, restore
from store.case_search import CaseOrder, find_cases
from store.decisions import (
    AlternativeRecord,
    BindRecord,
    DecisionRepository,
    ExtraBedRecord,
    ProposalDraft,
    ProposalStatus,
    RunRecord,
    StageRecord,
    StoredProposal,
    StoredRun,
    WaitRecord,
)
from store.engine import (
    MIGRATIONS_DIR,
    current_revision,
    downgrade,
    ensure_database,
    is_sqlite,
    make_engine,
    session_scope,
    upgrade,
)
from store.errors import (
    BackupError,
    DatabaseNotFoundError,
    DuplicateRecordError,
    IdempotencyConflictError,
    MigrationsNotFoundError,
    PersistenceError,
    StoredRecordError,
)
from store.history import left_waiting_list_at
from store.inline import InlineLedger, WriterBusyError
from store.integrity import BrokenRecord, facilities_or_broken, invalid_records
from store.keep_apart import KeepApartRepository
from store.ledger import StoredReport, free_beds_reported_since
from store.mapping import derived_idempotency_key
from store.organisations import OrganisationRepository, StoredOrganisation
from store.pg_ledger import PgLedger
from store.reporting import (
    append_checked,
    check_scope,
    report_history,
)
from store.repository import Repository
from store.settings import DatabaseSettings
from store.supply import facility_snapshot
from store.upsert import upsert

__all__ = [
    "MIGRATIONS_DIR",
    "PG_DUMP_RECIPE",
    "AlternativeRecord",
    "AuditDetail",
    "AuditEntry",
    "BackupError",
    "BackupInfo",
    "BindRecord",
    "BrokenRecord",
    "CaseOrder",
    "DatabaseNotFoundError",
    "DatabaseSettings",
    "DecisionRepository",
    "DuplicateRecordError",
    "ExtraBedRecord",
    "IdempotencyConflictError",
    "InlineLedger",
    "KeepApartRepository",
    "MigrationsNotFoundError",
    "OrganisationRepository",
    "PersistenceError",
    "PgLedger",
    "ProposalDraft",
    "ProposalStatus",
    "Repository",
    "RunRecord",
    "StageRecord",
    "StoredOrganisation",
    "StoredProposal",
    "StoredRecordError",
    "StoredReport",
    "StoredRun",
    "WaitRecord",
    "WriterBusyError",
    "append_checked",
    "audit",
    "backup",
    "check_scope",
    "current_revision",
    "derived_idempotency_key",
    "downgrade",
    "ensure_database",
    "facilities_or_broken",
    "facility_snapshot",
    "find_cases",
    "free_beds_reported_since",
    "invalid_records",
    "is_sqlite",
    "left_waiting_list_at",
    "make_engine",
    "report_history",
    "restore",
    "retention",
    "session_scope",
    "upgrade",
    "upsert",
]
