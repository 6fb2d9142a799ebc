"""capacity.persistence: the database behind the national picture.

The only part of :mod:`capacity` that knows about SQLAlchemy and Alembic. It maps the
frozen value objects to database rows and back; everything above it (matching,
scenarios) keeps working on value objects.

Typical use::

    engine = ensure_database(DatabaseSettings().database_url)
    with session_scope(engine, immediate=True) as session:
        repo = Repository(session)
        repo.add_report(report)
        repo.audit(actor="u-12", action="availability.report", record_type="facility",
                   record_id=report.facility_id)
"""

from capacity.persistence.audit import AuditDetail, AuditEntry
from capacity.persistence.engine import (
    MIGRATIONS_DIR,
    current_revision,
    downgrade,
    ensure_database,
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
from capacity.persistence.ledger import StoredReport
from capacity.persistence.mapping import derived_idempotency_key
from capacity.persistence.repository import Repository
from capacity.persistence.settings import DatabaseSettings

__all__ = [
    "MIGRATIONS_DIR",
    "AuditDetail",
    "AuditEntry",
    "DatabaseSettings",
    "DuplicateRecordError",
    "IdempotencyConflictError",
    "MigrationsNotFoundError",
    "PersistenceError",
    "Repository",
    "StoredReport",
    "current_revision",
    "derived_idempotency_key",
    "downgrade",
    "ensure_database",
    "make_engine",
    "session_scope",
    "upgrade",
]
