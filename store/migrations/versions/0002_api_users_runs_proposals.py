"""API tables: users and bearer tokens, matching runs, proposals, declined pairs, idempotency.

Users and their tokens (stored hashed), the record of every matching run with its
proposals, the (case, facility) pairs a coordinator declined (never proposed again), and
the first answer to each write sent with an ``Idempotency-Key`` (replayed on a retry).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TZ = sa.DateTime(timezone=True)


def _big_id() -> sa.Column[int]:
    return sa.Column("id", BIG_ID, autoincrement=True, nullable=False)


def _str(name: str, length: int = 200, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _float(name: str) -> sa.Column[float]:
    return sa.Column(name, sa.Float(), nullable=False)


def _created_at() -> sa.Column[datetime]:
    return sa.Column("created_at", TZ, server_default=NOW, nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def _create_users() -> None:
    op.create_table(
        "users",
        _big_id(),
        _str("name"),
        _str("role", 32),
        _str("provider_id", 100, nullable=True),
        _str("region_id", 100, nullable=True),
        _str("password_hash", 200, nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        _created_at(),
        _fk("users", "provider_id", "providers"),
        _fk("users", "region_id", "regions"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "api_tokens",
        _big_id(),
        sa.Column("user_id", BIG_ID, nullable=False),
        _str("token_hash", 64),
        _created_at(),
        sa.Column("revoked_at", TZ, nullable=True),
        _fk("api_tokens", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])


def _create_matching_runs() -> None:
    op.create_table(
        "matching_runs",
        _big_id(),
        _created_at(),
        _str("created_by"),
        sa.Column("as_of", TZ, nullable=False),
        _str("inputs_hash", 64),
        _str("rulebook_version", 100),
        _str("rulebook_hash", 64),
        sa.Column("parameters", sa.JSON(), nullable=False),
        _str("status", 32),
        _float("objective"),
        _float("bound"),
        _float("gap"),
        _str("method", 100),
        _float("build_seconds"),
        _float("solve_seconds"),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("waits", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_matching_runs"),
    )


def _create_proposals() -> None:
    op.create_table(
        "proposals",
        _big_id(),
        sa.Column("run_id", BIG_ID, nullable=False),
        _str("case_id", 40),
        _str("facility_id", 100),
        sa.Column("beds", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        _str("status", 32),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        _created_at(),
        sa.Column("decided_at", TZ, nullable=True),
        _str("decided_by", 200, nullable=True),
        _str("decline_reason", 32, nullable=True),
        _str("decline_text", 200, nullable=True),
        _str("placement_id", 100, nullable=True),
        _fk("proposals", "run_id", "matching_runs"),
        _fk("proposals", "case_id", "cases"),
        _fk("proposals", "facility_id", "facilities"),
        sa.PrimaryKeyConstraint("id", name="pk_proposals"),
    )
    for column in ("run_id", "case_id", "facility_id", "status"):
        op.create_index(f"ix_proposals_{column}", "proposals", [column])


def _create_declined_pairs() -> None:
    op.create_table(
        "declined_pairs",
        _big_id(),
        _str("case_id", 40),
        _str("facility_id", 100),
        _str("reason", 32),
        sa.Column("proposal_id", BIG_ID, nullable=True),
        _str("created_by"),
        _created_at(),
        _fk("declined_pairs", "case_id", "cases"),
        _fk("declined_pairs", "facility_id", "facilities"),
        _fk("declined_pairs", "proposal_id", "proposals"),
        sa.PrimaryKeyConstraint("id", name="pk_declined_pairs"),
        sa.UniqueConstraint("case_id", "facility_id", name="uq_declined_pairs_case_id"),
    )


def _create_idempotent_requests() -> None:
    op.create_table(
        "idempotent_requests",
        _str("actor"),
        _str("key"),
        _str("fingerprint", 64),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("actor", "key", name="pk_idempotent_requests"),
    )


def upgrade() -> None:
    _create_users()
    _create_matching_runs()
    _create_proposals()
    _create_declined_pairs()
    _create_idempotent_requests()


def downgrade() -> None:
    op.drop_table("idempotent_requests")
    op.drop_table("declined_pairs")
    op.drop_table("proposals")
    op.drop_table("matching_runs")
    op.drop_index("ix_api_tokens_user_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
