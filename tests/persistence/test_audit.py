"""The audit log: entries are written with their unit of work and never changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from capacity import InvalidFieldError
from store import Repository, audit, session_scope
from store.models import AuditRow


def _write(engine: Engine, count: int = 1) -> None:
    with session_scope(engine) as session:
        for i in range(count):
            audit.record(
                session,
                actor="coordinator-7",
                action="case.read",
                record_type="case",
                record_id=f"C-{i}",
            )


def test_audit_returns_the_stored_entry(session: Session, repo: Repository) -> None:
    before = datetime.now(UTC) - timedelta(seconds=2)  # SQLite's clock has whole seconds
    entry = audit.record(
        session,
        actor="coordinator-7",
        action="placement.accept",
        record_type="proposal",
        record_id="17",
        detail={"run": 3, "facility": "cosm-leeuwarden"},
    )
    assert entry.id >= 1
    assert entry.at.tzinfo is not None
    assert entry.at >= before
    assert entry.detail == '{"facility": "cosm-leeuwarden", "run": 3}'
    assert repo.audit_entries() == [entry]


def test_audit_entries_filter_and_keep_order(session: Session, repo: Repository) -> None:
    for actor, record_id in (("a", "C-1"), ("b", "C-2"), ("a", "C-2")):
        audit.record(
            session, actor=actor, action="case.read", record_type="case", record_id=record_id
        )
    assert [e.actor for e in repo.audit_entries(record_id="C-2")] == ["b", "a"]
    assert [e.record_id for e in repo.audit_entries(actor="a")] == ["C-1", "C-2"]
    assert len(repo.audit_entries(record_type="case", limit=2)) == 2
    assert repo.audit_entries(since=datetime.now(UTC) + timedelta(hours=1)) == []


def test_an_entry_is_kept_or_lost_with_its_unit_of_work(engine: Engine) -> None:
    def failing() -> None:
        with session_scope(engine) as session:
            audit.record(
                session, actor="x", action="case.create", record_type="case", record_id="C-1"
            )
            raise RuntimeError("the audited action failed")

    with pytest.raises(RuntimeError):
        failing()
    with session_scope(engine) as session:
        assert Repository(session).audit_entries() == []


@pytest.mark.parametrize(
    ("field", "value"), [("actor", " "), ("action", ""), ("record_id", "x" * 101)]
)
def test_empty_or_long_fields_are_refused(session: Session, field: str, value: str) -> None:
    fields = {"actor": "a", "action": "b", "record_type": "c", "record_id": "d", field: value}
    with pytest.raises(InvalidFieldError, match=field):
        audit.record(session, **fields)


def test_a_long_detail_is_refused(session: Session) -> None:
    with pytest.raises(InvalidFieldError, match="detail"):
        audit.record(
            session, actor="a", action="b", record_type="c", record_id="d", detail="x" * 2001
        )


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditRow).values(actor="someone else"),
        delete(AuditRow),
        delete(AuditRow).where(AuditRow.id == 1),
    ],
    ids=["update", "delete-all", "delete-one"],
)
def test_audit_rows_cannot_be_changed_or_deleted(engine: Engine, statement) -> None:
    _write(engine, count=2)
    with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(statement)
    with session_scope(engine) as session:
        entries = Repository(session).audit_entries()
    assert [e.actor for e in entries] == ["coordinator-7", "coordinator-7"]


def test_audit_log_cannot_be_truncated_on_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has only DELETE")
    _write(engine)
    with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("TRUNCATE audit_log"))
    with session_scope(engine) as session:
        assert len(Repository(session).audit_entries()) == 1
