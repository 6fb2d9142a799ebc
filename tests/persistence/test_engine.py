"""Engines and units of work: SQLite set-up, commit/rollback, and race-safe writes."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from capacity import (
    Case,
    Dataset,
    ExploitationType,
    Facility,
    FundingStream,
    Gender,
    Placement,
    PlacementType,
    Provider,
    ResidenceStatus,
)
from store import (
    DatabaseNotFoundError,
    DatabaseSettings,
    Repository,
    ensure_database,
    make_engine,
    session_scope,
)
from store.models import CaseRow, PlacementRow

HOLD_S = 0.4  # seconds the first writer keeps its transaction open


def _case(case_id: str) -> Case:
    return Case(
        id=case_id,
        intake_date=date(2026, 4, 1),
        age=30,
        gender=Gender.FEMALE,
        residence_status=ResidenceStatus.NL,
        exploitation_type=ExploitationType.SEXUAL,
        region_signalled="utrecht",
        region_of_exploitation="utrecht",
        responsible_organisation="CoMensha",
    )


def test_settings_read_the_opvang_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPVANG_DATABASE_URL", raising=False)
    assert DatabaseSettings().database_url == "sqlite:///opvang.db"
    monkeypatch.setenv("OPVANG_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert DatabaseSettings().database_url == "postgresql+psycopg://u@h/db"


def test_sqlite_file_and_its_folders_are_created_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "opvang.db"
    engine = ensure_database(f"sqlite:///{path}")
    try:
        assert path.is_file()
        with session_scope(engine) as session:
            assert len(Repository(session).regions()) == 35
    finally:
        engine.dispose()


def test_a_missing_sqlite_file_is_refused_when_it_may_not_be_created(tmp_path: Path) -> None:
    # a mistyped path made an empty database (and its folders) that read commands found clean
    path = tmp_path / "no" / "such" / "opvang.db"
    with pytest.raises(DatabaseNotFoundError) as refused:
        ensure_database(f"sqlite:///{path}", create=False)
    assert refused.value.path == path
    assert str(path) in str(refused.value)
    assert not (tmp_path / "no").exists()
    ensure_database(f"sqlite:///{path}").dispose()  # created, as before
    ensure_database(f"sqlite:///{path}", create=False).dispose()  # and then found


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_in_memory_sqlite_keeps_one_database_across_sessions() -> None:
    engine = ensure_database("sqlite://")
    try:
        with session_scope(engine) as session:
            Repository(session).add_case(_case("C-MEM-1"))
        with session_scope(engine) as session:
            assert Repository(session).case("C-MEM-1").id == "C-MEM-1"
    finally:
        engine.dispose()


def test_unit_of_work_commits_on_success_and_rolls_back_on_error(engine: Engine) -> None:
    with session_scope(engine) as session:
        Repository(session).add_case(_case("C-KEPT"))

    def failing_unit() -> None:
        with session_scope(engine) as session:
            Repository(session).add_case(_case("C-LOST"))
            raise RuntimeError("the unit of work fails after its write")

    with pytest.raises(RuntimeError):
        failing_unit()
    with session_scope(engine) as session:
        assert session.scalars(select(CaseRow.id)).all() == ["C-KEPT"]


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    orphan = PlacementRow(
        id="P-X",
        case_id="C-NOPE",
        facility_id="nowhere",
        beds=1,
        start=date(2026, 1, 1),
        expected_end=date(2026, 2, 1),
    )
    with Session(engine) as session:
        session.add(orphan)
        with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
            session.flush()


def test_begin_immediate_makes_a_second_writer_wait_not_fail(sqlite_url: str) -> None:
    engine = ensure_database(sqlite_url)
    first_has_lock = threading.Event()
    errors: list[BaseException] = []
    seen_by_second: list[int] = []
    waited: list[float] = []

    def first() -> None:
        with session_scope(engine, immediate=True) as session:
            Repository(session).add_case(_case("C-FIRST"))
            first_has_lock.set()
            time.sleep(HOLD_S)

    def second() -> None:
        first_has_lock.wait()
        started = time.monotonic()
        try:
            with session_scope(engine, immediate=True) as session:
                # The session begins (BEGIN IMMEDIATE) at its first statement: the read.
                seen_by_second.append(
                    session.scalar(select(func.count()).select_from(CaseRow)) or 0
                )
                waited.append(time.monotonic() - started)
                Repository(session).add_case(_case("C-SECOND"))
        except BaseException as exc:  # pragma: no cover - the failure being tested for
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    engine.dispose()
    assert errors == []
    assert waited[0] >= HOLD_S / 2  # it waited for the first writer ...
    assert seen_by_second == [1]  # ... and then saw its case


def _place_if_free(
    engine: Engine, case_id: str, outcomes: list[str], barrier: threading.Barrier
) -> None:
    """Read-then-write: take the facility's one bed unless someone has."""
    barrier.wait()
    with session_scope(engine, immediate=True) as session:
        repo = Repository(session)
        taken = [p for p in repo.placements(active_on=date(2026, 5, 1)) if p.facility_id == "bed-1"]
        time.sleep(0.1)  # widen the race window
        if taken:
            outcomes.append(f"{case_id}: declined")
            return
        repo.add_placement(
            Placement(
                id=f"P-{case_id}",
                case_id=case_id,
                facility_id="bed-1",
                beds=1,
                start=date(2026, 5, 1),
                expected_end=date(2026, 6, 1),
                recorded_at=datetime(2026, 5, 1, 9, tzinfo=UTC),
            )
        )
        outcomes.append(f"{case_id}: placed")


def _one_bed() -> Dataset:
    """One facility with one bed, and two waiting cases."""
    stream = FundingStream(
        id="s",
        name="S",
        payer="JenV",
        placement_types=frozenset({PlacementType.COSM}),
        case_categories=frozenset({"adult"}),
    )
    facility = Facility(
        id="bed-1",
        name="One bed",
        provider_id="p",
        region_id="utrecht",
        placement_type=PlacementType.COSM,
        beds=1,
        funding_stream_id="s",
        cost_per_bed_day=1.0,
    )
    return Dataset(
        as_of=datetime(2026, 5, 1, tzinfo=UTC),
        providers=(Provider("p", "P"),),
        funding_streams=(stream,),
        facilities=(facility,),
        cases=(_case("C-A"), _case("C-B")),
        placements=(),
        reports=(),
    )


def test_last_bed_taken_twice_gives_one_placement_and_one_clean_decline(sqlite_url: str) -> None:
    engine = ensure_database(sqlite_url)
    try:
        with session_scope(engine) as session:
            Repository(session).save_dataset(_one_bed())
        outcomes: list[str] = []
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=_place_if_free, args=(engine, c, outcomes, barrier))
            for c in ("C-A", "C-B")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        with session_scope(engine) as session:
            assert len(Repository(session).placements()) == 1
        assert sorted(o.split(": ")[1] for o in outcomes) == ["declined", "placed"]
    finally:
        engine.dispose()
