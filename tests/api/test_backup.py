"""Backups (issue 16): one taken while a server takes a burst of availability reports
restores every report acknowledged before it began, and of the rest only a prefix of each
writer's reports (one consistent moment); ``opvang db backup|restore`` say what they did,
refuse to overwrite, refuse what is not a backup, and send PostgreSQL users to pg_dump."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app
from store import Repository, backup, ensure_database, restore, session_scope

WRITERS = {"reporter-hvo": "ws-amsterdam", "reporter-fier": "cosm-leeuwarden"}


def _write(base, world, user, facility, sent, acked, stop):
    """Report until stopped, one request at a time: the ledger's order is the sent order."""
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(100_000):
            if stop.is_set():
                return
            key = f"burst-{user}-{i:05d}"
            sent.append(key)
            body = {"beds_free": i % 3, "as_of": datetime.now(UTC).isoformat()}
            answer = client.put(
                f"/v1/facilities/{facility}/availability",
                json=body,
                headers={**world.auth(user), "Idempotency-Key": key},
            )
            assert answer.status_code == 201, answer.text
            acked.append((key, time.monotonic()))


def _keys(url: str) -> set[str]:
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            stored = {r.idempotency_key for r in Repository(session).reports()}
    finally:
        engine.dispose()
    # the ledger keeps a key as "{user id}:{key}"
    return {k.split(":", 1)[1] for k in stored if k and ":" in k}


@pytest.mark.slow
def test_a_backup_during_a_burst_of_reports_restores_every_acknowledged_one(
    fresh_world, helpers, tmp_path
):
    world = fresh_world
    stop = threading.Event()
    sent = {user: [] for user in WRITERS}
    acked = {user: [] for user in WRITERS}
    with helpers.running_server(world.url) as server:
        threads = [
            threading.Thread(
                target=_write,
                args=(server.base, world, user, facility, sent[user], acked[user], stop),
            )
            for user, facility in WRITERS.items()
        ]
        for t in threads:
            t.start()
        time.sleep(1.5)
        started = time.monotonic()
        info = backup(world.url, tmp_path / "backup.db")
        time.sleep(0.5)  # the burst goes on after the backup
        stop.set()
        for t in threads:
            t.join(timeout=60)
    before = {key for user in WRITERS for key, at in acked[user] if at < started}
    assert len(before) > 20, "too few reports before the backup to test anything"
    after = sum(1 for user in WRITERS for _, at in acked[user] if at > started)
    assert after > 0, "the burst did not go on during and after the backup"

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    assert restore(restored_url, info.path).reports == info.reports
    restored = _keys(restored_url)
    assert before <= restored
    for user in WRITERS:  # one consistent moment: a prefix of what each writer sent
        mine = [k for k in sent[user] if k in restored]
        assert mine == sent[user][: len(mine)]
    with sqlite3.connect(tmp_path / "restored.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.fixture
def cli(fresh_world, monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", fresh_world.url)
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_backup_and_restore_on_the_command_line(cli, fresh_world, tmp_path, monkeypatch):
    target = tmp_path / "opvang-backup.db"
    made = cli.invoke(app, ["db", "backup", str(target)])
    assert made.exit_code == 0, made.output
    assert "backed up to" in made.stdout
    assert "1 availability reports" in made.stdout.replace(",", "")
    again = cli.invoke(app, ["db", "backup", str(target)])
    assert again.exit_code == 1
    assert "never overwrites" in again.stderr

    restored = tmp_path / "restored.db"
    monkeypatch.setenv("OPVANG_DATABASE_URL", f"sqlite:///{restored}")
    done = cli.invoke(app, ["db", "restore", str(target)])
    assert done.exit_code == 0, done.output
    assert _keys(f"sqlite:///{restored}") == _keys(fresh_world.url)
    refused = cli.invoke(app, ["db", "restore", str(target)])
    assert refused.exit_code == 1
    assert "--replace" in refused.stderr
    assert cli.invoke(app, ["db", "restore", str(target), "--replace"]).exit_code == 0


def test_what_is_not_an_opvang_backup_is_refused(cli, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    for path, words in ((junk, "not an SQLite database"), (other, "not an Opvang database")):
        answer = cli.invoke(app, ["db", "restore", str(path), "--replace"])
        assert answer.exit_code == 1
        assert words in answer.stderr


def test_postgresql_users_are_told_to_use_pg_dump(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", "postgresql+psycopg://opvang@db.example/opvang")
    answer = cli.invoke(app, ["db", "backup", str(tmp_path / "x.dump")])
    assert answer.exit_code == 1
    assert "pg_dump --format=custom" in answer.stderr
    assert not (tmp_path / "x.dump").exists()
    assert "pg_restore" in cli.invoke(app, ["db", "restore", str(Path(__file__))]).stderr


def test_a_backup_of_a_newer_schema_is_refused_and_the_database_kept(cli, fresh_world, tmp_path):
    newer = tmp_path / "newer.db"
    assert cli.invoke(app, ["db", "backup", str(newer)]).exit_code == 0
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    before = _keys(fresh_world.url)
    answer = cli.invoke(app, ["db", "restore", str(newer), "--replace"])
    assert answer.exit_code == 1, answer.output
    assert "schema revision 9999" in answer.stderr
    assert "Traceback" not in answer.output
    assert _keys(fresh_world.url) == before  # the live database is as it was, and works
    assert cli.invoke(app, ["db", "check"]).exit_code == 0


def test_a_backup_that_cannot_be_made_is_a_message_not_a_traceback(cli, tmp_path, monkeypatch):
    unwritable = Path("/proc/opvang-backup.db")  # no file can be made there, even as root
    answer = cli.invoke(app, ["db", "backup", str(unwritable)])
    assert answer.exit_code == 1, answer.output
    assert "no backup made" in answer.stderr
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database" * 500)
    monkeypatch.setenv("OPVANG_DATABASE_URL", f"sqlite:///{damaged}")
    answer = cli.invoke(app, ["db", "backup", str(tmp_path / "b.db")])
    assert answer.exit_code == 1, answer.output
    assert "no backup made" in answer.stderr
    assert not (tmp_path / "b.db").exists()
