"""Demo users for ``opvang serve --demo``: one per role, with fresh random passwords.

Only ``--demo`` creates them (never a plain ``opvang serve``). Each start gives them new
passwords, printed at start-up, and ends their old sessions, so a password printed
yesterday does not open today's demo.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Engine

from api.auth.passwords import hash_password
from api.auth.roles import Role
from capacity import UnknownReferenceError
from store import audit, session_scope
from store.service import SessionRepository, UserRepository

DEMO_ACTOR = "serve --demo"  # the audit log's actor for the demo users' changes
DEMO_REPORTER_REGION = "utrecht"  # six facilities of five providers in the demo dataset
PASSWORD_BYTES = 12  # 16 URL-safe characters

DEMO_USERS: tuple[tuple[str, Role, str | None], ...] = (
    ("demo-coordinator", Role.INTAKE_COORDINATOR, None),
    ("demo-reporter", Role.REGION_REPORTER, DEMO_REPORTER_REGION),
    ("demo-policymaker", Role.POLICYMAKER, None),
    ("demo-admin", Role.ADMIN, None),
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo user and the password to sign in with."""

    name: str
    role: Role
    region_id: str | None
    password: str


def demo_logins(engine: Engine) -> list[DemoLogin]:
    """Create the demo users (or give them new passwords); their names and passwords."""
    logins = [
        DemoLogin(name, role, region, secrets.token_urlsafe(PASSWORD_BYTES))
        for name, role, region in DEMO_USERS
    ]
    with session_scope(engine, immediate=True) as session:
        users = UserRepository(session)
        for login in logins:
            password_hash = hash_password(login.password)
            try:
                user = users.user(login.name)
            except UnknownReferenceError:
                users.add_user(
                    name=login.name,
                    role=login.role.value,
                    region_id=login.region_id,
                    password_hash=password_hash,
                )
                action = "user.create"
            else:
                users.set_password(user_id=user.id, password_hash=password_hash)
                SessionRepository(session).delete_for_user(user.id)
                action = "user.password"
            audit.record(
                session,
                actor=DEMO_ACTOR,
                action=action,
                record_type="user",
                record_id=login.name,
            )
    return logins
