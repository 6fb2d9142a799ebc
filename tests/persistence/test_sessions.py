"""Dashboard sessions in the database: found while live, gone when expired or ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store.service import SessionRepository, UserRepository

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def user_id(unit_of_work) -> int:
    with unit_of_work() as session:
        return UserRepository(session).add_user(name="desk", role="intake_coordinator").id


def _add(unit_of_work, user_id: int, session_hash: str, expires: datetime) -> None:
    with unit_of_work() as session:
        SessionRepository(session).add(
            session_hash=session_hash, user_id=user_id, csrf_token="c" * 43, expires_at=expires
        )


def test_a_live_session_is_found_with_its_user_and_csrf_token(unit_of_work, user_id):
    _add(unit_of_work, user_id, "a" * 64, NOW + timedelta(hours=8))
    with unit_of_work() as session:
        found = SessionRepository(session).get("a" * 64, now=NOW)
    assert found is not None
    assert found.user.name == "desk"
    assert found.csrf_token == "c" * 43
    assert found.expires_at == NOW + timedelta(hours=8)


def test_an_expired_or_unknown_session_is_not_found(unit_of_work, user_id):
    _add(unit_of_work, user_id, "a" * 64, NOW)
    with unit_of_work() as session:
        sessions = SessionRepository(session)
        assert sessions.get("a" * 64, now=NOW) is None  # expiry is exclusive
        assert sessions.get("a" * 64, now=NOW - timedelta(seconds=1)) is not None
        assert sessions.get("b" * 64, now=NOW - timedelta(hours=1)) is None


def test_an_inactive_users_session_is_not_found(unit_of_work, user_id):
    from sqlalchemy import update

    from store.service.models import UserRow

    _add(unit_of_work, user_id, "a" * 64, NOW + timedelta(hours=1))
    with unit_of_work() as session:
        session.execute(update(UserRow).where(UserRow.id == user_id).values(active=False))
    with unit_of_work() as session:
        assert SessionRepository(session).get("a" * 64, now=NOW) is None


def test_sessions_end_one_by_one_per_user_and_when_expired(unit_of_work, user_id):
    _add(unit_of_work, user_id, "a" * 64, NOW + timedelta(hours=1))
    _add(unit_of_work, user_id, "b" * 64, NOW + timedelta(hours=1))
    _add(unit_of_work, user_id, "c" * 64, NOW - timedelta(hours=1))
    with unit_of_work() as session:
        sessions = SessionRepository(session)
        assert sessions.delete_expired(now=NOW) == 1
        sessions.delete("a" * 64)
        assert sessions.get("a" * 64, now=NOW) is None
        assert sessions.get("b" * 64, now=NOW) is not None
        assert sessions.delete_for_user(user_id) == 1
        assert sessions.get("b" * 64, now=NOW) is None


def test_a_password_hash_is_stored_and_read_back_by_name(unit_of_work, user_id):
    with unit_of_work() as session:
        users = UserRepository(session)
        assert users.credentials("desk") is not None
        assert users.credentials("desk")[1] is None
        users.set_password(user_id=user_id, password_hash="scrypt$x")
    with unit_of_work() as session:
        users = UserRepository(session)
        user, stored = users.credentials("desk")
        assert (user.name, stored) == ("desk", "scrypt$x")
        assert users.credentials("nobody") is None
