"""Migrations: from an empty database, down to nothing and up again, on every backend."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from store import MigrationsNotFoundError, current_revision, downgrade, make_engine, upgrade
from store import engine as engine_module
from store.schema import METADATA

TABLES = {
    "regions",
    "providers",
    "funding_streams",
    "facilities",
    "availability_reports",
    "cases",
    "placements",
    "audit_log",
    "users",
    "api_tokens",
    "matching_runs",
    "proposals",
    "declined_pairs",
    "idempotent_requests",
    "web_sessions",
    "scenario_jobs",
    "keep_apart_pairs",
    "organisations",
    "scheduler_leases",
    "scheduled_slots",
    "erased_case_counts",  # issue 16: retention
    "audit_log_erasure",
}
HEAD = "0014"


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_models_name_the_tables_the_migrations_create() -> None:
    assert set(METADATA.tables) == TABLES


def test_upgrade_from_empty_creates_every_table(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == HEAD
        assert _tables(engine) == TABLES
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert _tables(engine) == set()
        upgrade(engine)
        assert _tables(engine) == TABLES
    finally:
        engine.dispose()


def test_upgrade_twice_changes_nothing(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)  # by URL: the engine is made and disposed of inside
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


def test_migrations_match_the_models(engine: Engine) -> None:
    """The hand-written migrations and the models describe the same schema (no drift)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, METADATA)
    assert diffs == []


def test_indexes_exist(engine: Engine) -> None:
    inspector = inspect(engine)

    def columns(table: str) -> set[tuple[str, ...]]:
        return {tuple(ix["column_names"]) for ix in inspector.get_indexes(table)}

    assert ("facility_id", "as_of") in columns("availability_reports")
    assert ("status",) in columns("cases")
    assert ("facility_id",) in columns("placements")
    unique = inspector.get_unique_constraints("availability_reports")
    assert [u["column_names"] for u in unique] == [["idempotency_key"]]


def test_missing_migrations_folder_is_a_clear_error(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "MIGRATIONS_DIR", tmp_path / "nowhere")
    with pytest.raises(MigrationsNotFoundError, match="nowhere"):
        upgrade(sqlite_url)


def test_programmatic_upgrade_leaves_the_callers_logging_alone(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app_logger = logging.getLogger("opvang.test.app")
    root_handlers = list(logging.getLogger().handlers)
    upgrade(sqlite_url)
    assert not app_logger.disabled
    assert logging.getLogger().handlers == root_handlers
    with caplog.at_level(logging.INFO, logger="opvang.test.app"):
        app_logger.info("still heard")
    assert "still heard" in caplog.text


def test_the_alembic_command_line_migrates_the_configured_database(
    database_url: str, tmp_path: Path
) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "OPVANG_DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(root / "alembic.ini"), "upgrade", "head"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Running upgrade  -> 0001" in done.stderr  # the ini file's logging is on here
    assert "Running upgrade 0001 -> 0002" in done.stderr
    assert "Running upgrade 0002 -> 0003" in done.stderr
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()
